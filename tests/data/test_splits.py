"""The three ways to hold out test rows: no shared patients, no future in training, no test label upstream.

Most tests run on the embedded synthetic data (which has repeat patients and repeat same-day
appointments, asserted below); a few on fabricated arrays whose answers are known by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import TargetEncoder

from helpers.data import folds
from helpers.data import raw as raw_data
from helpers.data.pipeline import (
    build_matrix,
    encode_neighbourhood,
    encoder_vs_tuning_folds,
    prepare,
)
from helpers.data.prepared import load_prepared
from helpers.data.splits import (
    FRACTIONS,
    PARTS,
    SPLIT_KINDS,
    day_numbers,
    describe_schemes,
    make_split,
    patient_codes,
    split_diagnostics,
)
from helpers.data.synthetic import write_synthetic_csv

N_ROWS = 3000


@pytest.fixture(scope="module")
def synthetic_csv(tmp_path_factory):
    return write_synthetic_csv(tmp_path_factory.mktemp("splits") / "synthetic.csv", n_rows=N_ROWS, seed=1)


@pytest.fixture(scope="module")
def cleaned(synthetic_csv) -> pd.DataFrame:
    frame = raw_data.validate(raw_data.read_csv_strict(synthetic_csv), synthetic_csv.name)
    return raw_data.clean(frame)[0]


def _split(cleaned: pd.DataFrame, kind: str, seed: int = 0) -> dict[str, np.ndarray]:
    return make_split(cleaned["No-show"].to_numpy(), kind, seed=seed,
                      appointment_day=cleaned["AppointmentDay"].to_numpy(), raw_row=cleaned["row"].to_numpy(),
                      n_raw=N_ROWS, groups=patient_codes(cleaned["PatientId"]))


def test_synthetic_data_has_repeat_patients_and_same_day_repeats(cleaned):
    per_patient = cleaned["PatientId"].value_counts()
    assert (per_patient > 1).sum() > 100, "the grouped split's test needs patients with several rows"
    assert (per_patient > 1).sum() < len(per_patient)
    same_day = cleaned.groupby(["PatientId", cleaned["AppointmentDay"].dt.normalize()]).size()
    assert (same_day > 1).sum() > 10


def test_split_kinds_order():
    assert SPLIT_KINDS == ("stratified", "grouped", "temporal", "original")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_grouped_split_shares_no_patient_and_keeps_fractions_and_rates(cleaned, seed):
    parts = _split(cleaned, "grouped", seed)
    patients = {p: set(cleaned["PatientId"].to_numpy()[parts[p]]) for p in PARTS}
    for a, b in (("train", "val"), ("train", "test"), ("val", "test")):
        assert not patients[a] & patients[b], f"patients in both {a} and {b}"
    every = np.concatenate([parts[p] for p in PARTS])
    assert len(every) == len(np.unique(every)) == len(cleaned)
    y = cleaned["No-show"].to_numpy()
    for p in PARTS:
        assert abs(len(parts[p]) / len(y) - FRACTIONS[p]) < 0.01, p
        assert abs(y[parts[p]].mean() - y.mean()) < 0.01, p
    # a plain row split of the same rows does share patients: the grouping is what prevents it
    plain = _split(cleaned, "stratified", seed)
    assert set(cleaned["PatientId"].to_numpy()[plain["train"]]) & set(cleaned["PatientId"].to_numpy()[plain["test"]])


def test_grouped_split_is_seeded(cleaned):
    a, b, c = _split(cleaned, "grouped", 3), _split(cleaned, "grouped", 3), _split(cleaned, "grouped", 4)
    for p in PARTS:
        np.testing.assert_array_equal(a[p], b[p])
    assert not np.array_equal(a["test"], c["test"])


def test_grouped_split_is_fast_on_the_real_size():
    """62k patients and 110k rows (the real file's sizes) in well under the few seconds allowed."""
    import time

    rng = np.random.default_rng(0)
    groups = rng.integers(0, 62_000, 110_000)
    y = (rng.random(110_000) < 0.2).astype(int)
    start = time.perf_counter()
    parts = make_split(y, "grouped", groups=groups)
    assert time.perf_counter() - start < 3.0
    assert not set(groups[parts["train"]]) & set(groups[parts["test"]])


def test_temporal_split_tests_on_later_days_than_it_trains(cleaned):
    parts = _split(cleaned, "temporal")
    day = day_numbers(cleaned["AppointmentDay"])
    assert day[parts["train"]].max() < day[parts["val"]].min()
    assert day[parts["val"]].max() < day[parts["test"]].min()
    for p in PARTS:
        assert abs(len(parts[p]) / len(day) - FRACTIONS[p]) < 0.08, p


def test_bad_split_input_gives_clear_errors(cleaned):
    y = cleaned["No-show"].to_numpy()
    with pytest.raises(ValueError, match="grouped split needs groups"):
        make_split(y, "grouped")
    with pytest.raises(ValueError, match="one group per row"):
        make_split(y, "grouped", groups=np.arange(10))
    with pytest.raises(ValueError, match=r"unknown split kind 'random'.*'stratified', 'grouped', 'temporal', 'original'"):
        make_split(y, "random")
    with pytest.raises(ValueError, match="temporal split needs appointment_day"):
        make_split(y, "temporal")


def test_prepare_refuses_an_unknown_split(synthetic_csv):
    with pytest.raises(ValueError, match="unknown split kind 'by_day'"):
        prepare(synthetic_csv, split="by_day", save=False)


def test_neighbourhood_count_uses_training_rows_only():
    neighbourhood = pd.Series(["A"] * 12 + ["B"] * 8 + ["C"] * 4)
    y = np.arange(24) % 2
    parts = {"train": np.r_[0:6, 12:17], "val": np.r_[6:9, 17:19], "test": np.r_[9:12, 19:24]}
    columns, stats = encode_neighbourhood(neighbourhood, y, parts, seed=0)
    # A: 6 training rows (of 12), B: 5 (of 8), C: none (only in test) -> 0
    np.testing.assert_allclose(columns[:, 1], np.log1p([6] * 12 + [5] * 8 + [0] * 4))
    assert stats["train_count"] == {"A": 6, "B": 5}
    # moving test rows to another neighbourhood changes no count of the training or validation rows
    moved = neighbourhood.copy()
    moved.iloc[parts["test"]] = "A"
    kept = np.r_[parts["train"], parts["val"]]
    np.testing.assert_array_equal(encode_neighbourhood(moved, y, parts, seed=0)[0][kept], columns[kept])


def _shuffle_test_labels(cleaned: pd.DataFrame, parts: dict[str, np.ndarray], seed: int = 0) -> pd.DataFrame:
    shuffled = cleaned.copy()
    labels = shuffled["No-show"].to_numpy().copy()
    test = parts["test"]
    rng = np.random.default_rng(seed)
    labels[test] = rng.permutation(labels[test])
    while np.array_equal(labels[test], cleaned["No-show"].to_numpy()[test]):  # pragma: no cover
        labels[test] = rng.permutation(labels[test])
    shuffled["No-show"] = labels
    return shuffled


@pytest.mark.parametrize("kind", ["grouped", "temporal"])
def test_test_labels_reach_nothing_upstream_in_grouped_and_temporal_splits(cleaned, kind):
    """Shuffling the test rows' labels leaves the training and validation arrays (X, y), the scaler
    and the neighbourhood encoder's statistics exactly as they were: no test label enters them."""
    parts = _split(cleaned, kind)
    shuffled = _shuffle_test_labels(cleaned, parts)
    before, after = build_matrix(cleaned, parts, seed=0), build_matrix(shuffled, parts, seed=0)
    for p in ("train", "val"):
        np.testing.assert_array_equal(after.scaled[parts[p]], before.scaled[parts[p]])
        np.testing.assert_array_equal(shuffled["No-show"].to_numpy()[parts[p]], cleaned["No-show"].to_numpy()[parts[p]])
    np.testing.assert_array_equal(after.scaler.mean_, before.scaler.mean_)
    np.testing.assert_array_equal(after.scaler.scale_, before.scaler.scale_)
    assert after.neighbourhood == before.neighbourhood
    # ... and the test can fail: the test rows' own history features do move
    assert not np.array_equal(after.scaled[parts["test"]], before.scaled[parts["test"]])


def test_test_labels_reach_only_the_history_of_training_rows_in_the_stratified_split(cleaned):
    """In a random row split a patient's test row can precede their training rows; a training row's
    ``prior_no_shows`` and ``prior_no_show_rate`` count that earlier outcome (legitimately: it is
    known before the appointment day, and a deployed model would see it), so shuffling the test
    labels moves exactly those two columns of some training (and validation) rows. Everything
    else stays: the neighbourhood columns and the encoder (training labels only) and the
    label-free columns. This channel is one reason the grouped and temporal splits exist."""
    parts = _split(cleaned, "stratified")
    shuffled = _shuffle_test_labels(cleaned, parts)
    before, after = build_matrix(cleaned, parts, seed=0), build_matrix(shuffled, parts, seed=0)
    names = np.array(before.names)
    history_columns = {"prior_no_shows", "prior_no_show_rate"}
    for p in ("train", "val"):
        rows = parts[p]
        moved = names[(before.raw[rows] != after.raw[rows]).any(axis=0)]
        assert set(moved) <= history_columns, f"{p}: {set(moved) - history_columns} moved"
        neighbourhood = [before.names.index(c) for c in ("neighbourhood_no_show_rate", "log1p_neighbourhood_count")]
        np.testing.assert_array_equal(after.scaled[np.ix_(rows, neighbourhood)], before.scaled[np.ix_(rows, neighbourhood)])
    train_moved = names[(before.raw[parts["train"]] != after.raw[parts["train"]]).any(axis=0)]
    assert set(train_moved) == history_columns, "the synthetic data should show the history channel"
    assert after.neighbourhood == before.neighbourhood


def test_prepare_uses_build_matrix_and_round_trips_groups_and_days(synthetic_csv, tmp_path, cleaned):
    result = prepare(synthetic_csv, split="grouped", seed=0, processed_dir=tmp_path)
    loaded = load_prepared(tmp_path, "grouped")
    parts = _split(cleaned, "grouped")
    matrix = build_matrix(cleaned, parts, seed=0)
    codes = patient_codes(cleaned["PatientId"])
    days = day_numbers(cleaned["AppointmentDay"])
    for p in PARTS:
        np.testing.assert_array_equal(loaded.X[p], matrix.scaled[parts[p]])
        np.testing.assert_array_equal(loaded.groups[p], result.prepared.groups[p])
        np.testing.assert_array_equal(loaded.groups[p], codes[parts[p]])
        np.testing.assert_array_equal(loaded.days[p], days[parts[p]])
        assert loaded.groups[p].dtype == np.int64 and loaded.days[p].dtype == np.int64
        # days since 1970-01-01: the calendar date comes back
        expected = cleaned["AppointmentDay"].dt.strftime("%Y-%m-%d").to_numpy()[parts[p]]
        assert (loaded.days[p].astype("datetime64[D]").astype(str) == expected).all()
    only_test = load_prepared(tmp_path, "grouped", parts=("test",))
    assert set(only_test.groups) == set(only_test.days) == {"test"}
    with pytest.raises(ValueError, match="unknown part"):
        load_prepared(tmp_path, "grouped", parts=("holdout",))


def test_arrays_without_groups_ask_for_a_rerun(synthetic_csv, tmp_path):
    prepare(synthetic_csv, split="stratified", seed=0, processed_dir=tmp_path)
    folder = tmp_path / "stratified"
    with np.load(folder / "arrays.npz") as npz:
        old = {k: npz[k] for k in npz.files if not k.startswith(("group_", "day_"))}
    np.savez(folder / "arrays.npz", **old)
    with pytest.raises(FileNotFoundError, match="group_train.*run notebook 01"):
        load_prepared(tmp_path, "stratified")


def test_split_diagnostics_on_a_hand_made_example():
    #            0  1  2  3  4  5  6  7
    patient = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    day = np.array([10, 10, 10, 12, 11, 13, 14, 14])
    y = np.array([1, 1, 0, 1, 0, 0, 1, 0])
    parts = {"train": np.array([0, 3, 5, 6]), "val": np.array([], dtype=int), "test": np.array([1, 2, 4, 7])}
    d = split_diagnostics(patient, day, y, parts)
    # test row 1 (patient 0, day 10) has train row 0 the same day, same outcome; test row 7 has
    # train row 6 the same day, other outcome; rows 2 and 4 have no same-day training row
    assert d["same_patient_same_day_row_count"] == 2
    assert d["same_patient_same_day_rows"] == 0.5
    assert d["same_day_outcome_agreement"] == 0.5
    assert d["patients_in_train"] == 1.0 and d["rows_with_patient_in_train"] == 1.0
    # train rows 3 (patient 1, day 12 > test day 10) and 5 (patient 2, day 13 > 11) carry a test outcome
    assert d["train_rows_with_held_out_outcome_in_history"] == 0.5
    assert d["earliest_held_out_day"] == str(np.datetime64(10, "D"))
    assert d["latest_train_day"] == str(np.datetime64(14, "D"))
    assert d["train_rows_after_earliest_held_out_day"] == 3


def test_describe_schemes_tells_the_schemes_apart(cleaned):
    table = describe_schemes(cleaned, seed=0)
    assert list(table.index) == ["stratified", "grouped", "temporal"]  # no raw row count, no original
    assert table.loc["stratified", "same_patient_same_day_rows"] > 0
    assert table.loc["stratified", "train_rows_with_held_out_outcome_in_history"] > 0
    assert table.loc["grouped", ["same_patient_same_day_rows", "patients_in_train",
                                 "train_rows_with_held_out_outcome_in_history"]].eq(0).all()
    assert table.loc["temporal", "train_rows_after_earliest_held_out_day"] == 0
    assert table.loc["temporal", "latest_train_day"] < table.loc["temporal", "earliest_held_out_day"]
    assert (table[["train_rows", "val_rows", "test_rows"]].sum(axis=1) == len(cleaned)).all()
    with_original = describe_schemes(cleaned, seed=0, n_raw=N_ROWS)
    assert list(with_original.index) == list(SPLIT_KINDS)


def test_prepare_records_the_diagnostics(synthetic_csv):
    result = prepare(synthetic_csv, split="stratified", seed=0, save=False)
    meta, table = result.meta, describe_schemes(result.frame, seed=0)
    diagnostics = meta["split"]["diagnostics"]
    for key in ("same_patient_same_day_rows", "same_day_outcome_agreement", "patients_in_train",
                "rows_with_patient_in_train", "train_rows_with_held_out_outcome_in_history",
                "train_rows_after_earliest_held_out_day"):
        assert diagnostics[key] == pytest.approx(table.loc["stratified", key]), key
    assert meta["balance"]["test"]["rows"] == table.loc["stratified", "test_rows"]


def test_encoder_vs_tuning_folds_matches_a_direct_refit(cleaned):
    parts = _split(cleaned, "stratified")
    train = parts["train"]
    matrix = build_matrix(cleaned, parts, seed=0)
    rate = matrix.raw[train, matrix.names.index("neighbourhood_no_show_rate")]
    y_train = cleaned["No-show"].to_numpy()[train]
    groups = patient_codes(cleaned["PatientId"])[train]
    report = encoder_vs_tuning_folds(cleaned["Neighbourhood"].iloc[train], y_train, groups, rate, "stratified", seed=0)
    assert len(report["per_fold"]) == folds.DEFAULT_FOLDS
    # fold 0 by hand, with scikit-learn directly
    fit_rows, _ = folds.for_split("stratified", y_train, groups, folds.DEFAULT_FOLDS, 0)[0]
    encoder = TargetEncoder(target_type="binary", smooth="auto", cv=StratifiedKFold(5, shuffle=True, random_state=0))
    cats = cleaned["Neighbourhood"].to_numpy()[train].reshape(-1, 1)
    refit = encoder.fit_transform(cats[fit_rows], y_train[fit_rows]).ravel()
    diff = np.abs(refit - rate[fit_rows]) / rate.std()
    assert report["per_fold"][0]["fit_rows_max_abs"] == pytest.approx(diff.max())
    assert report["per_fold"][0]["fit_rows_mean_abs"] == pytest.approx(diff.mean())
    assert report["fit_rows_max_abs"] >= report["per_fold"][0]["fit_rows_max_abs"] > 0
    # the prepared values compared with themselves would give 0: the reference uses other folds
    assert report["reshuffled_cv_reference"]["mean_abs"] > 0


def test_ledger_mismatch_is_an_error_with_the_counts(synthetic_csv, monkeypatch):
    real_clean = raw_data.clean

    def clean_losing_a_row(frame):
        kept, ledger = real_clean(frame)
        return kept.iloc[1:].reset_index(drop=True), ledger

    monkeypatch.setattr(raw_data, "clean", clean_losing_a_row)
    with pytest.raises(RuntimeError, match=r"ledger does not add up: 3,000 rows read"):
        prepare(synthetic_csv, save=False)
