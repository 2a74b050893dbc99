"""The three ways to hold out test rows: no shared patients, no future in training, no test label upstream.

Most tests run on the embedded synthetic data (which has repeat patients and repeat same-day
appointments, asserted below); a few on fabricated arrays whose answers are known by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.data.pipeline import (
    build_matrix,
)
from helpers.data.splits import (
    FRACTIONS,
    PARTS,
    SPLIT_KINDS,
    day_numbers,
    describe_schemes,
    make_split,
    original_test_rows,
    split_diagnostics,
)
from tests.data.shared import N_ROWS, split_of


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
    parts = split_of(cleaned, "grouped", seed)
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
    plain = split_of(cleaned, "stratified", seed)
    assert set(cleaned["PatientId"].to_numpy()[plain["train"]]) & set(cleaned["PatientId"].to_numpy()[plain["test"]])


def test_grouped_split_is_seeded(cleaned):
    a, b, c = split_of(cleaned, "grouped", 3), split_of(cleaned, "grouped", 3), split_of(cleaned, "grouped", 4)
    for p in PARTS:
        np.testing.assert_array_equal(a[p], b[p])
    assert not np.array_equal(a["test"], c["test"])


def test_grouped_split_handles_the_real_size():
    """62k patients and 110k rows (the real file's sizes): every row in one part, no patient in two."""
    rng = np.random.default_rng(0)
    groups = rng.integers(0, 62_000, 110_000)
    y = (rng.random(110_000) < 0.2).astype(int)
    parts = make_split(y, "grouped", groups=groups)
    assert not set(groups[parts["train"]]) & set(groups[parts["test"]])
    assert np.array_equal(np.sort(np.concatenate([parts[p] for p in parts])), np.arange(110_000))


def test_temporal_split_tests_on_later_days_than_it_trains(cleaned):
    parts = split_of(cleaned, "temporal")
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
    parts = split_of(cleaned, kind)
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


def test_test_labels_reach_only_the_history_of_training_rows_in_the_stratifiedsplit_of(cleaned):
    """In a random row split a patient's test row can precede their training rows; a training row's
    ``prior_no_shows`` and ``prior_no_show_rate`` count that earlier outcome (legitimately: it is
    known before the appointment day, and a deployed model would see it), so shuffling the test
    labels moves exactly those two columns of some training (and validation) rows. Everything
    else stays: the neighbourhood columns and the encoder (training labels only) and the
    label-free columns. This channel is one reason the grouped and temporal splits exist."""
    parts = split_of(cleaned, "stratified")
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


def test_split_is_deterministic_stratified_and_disjoint():
    y = (np.random.default_rng(0).random(5000) < 0.2).astype(int)
    a = make_split(y, "stratified", seed=3)
    b = make_split(y, "stratified", seed=3)
    c = make_split(y, "stratified", seed=4)
    for part in a:
        np.testing.assert_array_equal(a[part], b[part])
    assert not np.array_equal(a["test"], c["test"])
    allpos = np.concatenate(list(a.values()))
    assert len(allpos) == len(np.unique(allpos)) == len(y)
    for part, share in (("train", 0.7), ("val", 0.1), ("test", 0.2)):
        assert abs(len(a[part]) / len(y) - share) < 0.01
        assert abs(y[a[part]].mean() - y.mean()) < 0.005


def test_temporal_split_orders_days():
    rng = np.random.default_rng(0)
    days = (np.datetime64("2016-05-02") + rng.integers(0, 30, 3000)).astype("datetime64[ns]")
    y = (rng.random(3000) < 0.2).astype(int)
    s = make_split(y, "temporal", appointment_day=days)
    assert days[s["train"]].max() < days[s["val"]].min() <= days[s["val"]].max() < days[s["test"]].min()


def test_original_split_matches_week1_rows_and_ignores_cleaning():
    test_rows = original_test_rows(110_527)
    assert len(test_rows) == 22_106
    y = (np.random.default_rng(0).random(1000) < 0.2).astype(int)
    raw_rows = np.sort(np.random.default_rng(1).choice(110_527, 1000, replace=False))
    full = make_split(y, "original", raw_row=raw_rows, n_raw=110_527)
    np.testing.assert_array_equal(np.isin(raw_rows[full["test"]], test_rows), True)
    # dropping a row (as cleaning does) does not move any other row between train and test
    keep = np.arange(1000) != 7
    partial = make_split(y[keep], "original", raw_row=raw_rows[keep], n_raw=110_527)
    assert set(raw_rows[keep][partial["test"]]) == set(raw_rows[full["test"]]) - {raw_rows[7]}


def test_default_split_is_unchanged_by_the_original_option():
    y = (np.random.default_rng(5).random(3000) < 0.2).astype(int)
    plain = make_split(y, "stratified", seed=1)
    with_raw = make_split(y, "stratified", seed=1, raw_row=np.arange(3000) * 3, n_raw=9000)
    for part in plain:
        np.testing.assert_array_equal(plain[part], with_raw[part])
    original = make_split(y, "original", seed=1, raw_row=np.arange(3000) * 3, n_raw=9000)
    assert not np.array_equal(original["test"], plain["test"])
