"""Loader, validation, ledger, leakage and split tests on small CSV files the tests write."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.data import raw as raw_data
from helpers.data.features import FEATURE_NAMES, build_features, patient_history
from helpers.data.folds import DEFAULT_FOLDS
from helpers.data.pipeline import _encode_neighbourhood, prepare
from helpers.data.prepared import load_prepared
from helpers.data.raw import (
    EXPECTED_COLUMNS,
    DataError,
    clean,
    find_data,
    read_csv_strict,
    validate,
)
from helpers.data.splits import make_split, original_test_rows
from helpers.data.synthetic import write_synthetic_csv

# $NOSHOW_DATA (as .ci/run sets it), else the shared copy beside the clone
REAL_ZIP = Path(os.environ.get("NOSHOW_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data" / "KaggleV2-May-2016.csv.zip")

GOOD_ROWS = [
    # PatientId, AppointmentID, Gender, ScheduledDay, AppointmentDay, Age, Neighbourhood, 5 flags..., Handcap, SMS, No-show
    ["29872499824296.0", "5642903", "F", "2016-04-29T18:38:08Z", "2016-04-29T00:00:00Z", "62", "JARDIM", "0", "1", "0", "0", "0", "0", "No"],
    ["558997776694438.0", "5642503", "M", "2016-04-29T16:08:27Z", "2016-05-02T00:00:00Z", "56", "JARDIM", "0", "0", "0", "0", "0", "0", "Yes"],
    ["4262962299951.0", "5642549", "F", "2016-04-29T16:19:04Z", "2016-05-03T00:00:00Z", "-1", "PRAIA", "0", "0", "0", "0", "0", "0", "No"],
    ["867951213174.0", "5642828", "F", "2016-05-10T17:29:31Z", "2016-05-03T00:00:00Z", "8", "PRAIA", "0", "0", "0", "0", "2", "0", "No"],
    ["8841186448183.0", "5642494", "F", "2016-04-29T16:07:23Z", "2016-05-09T00:00:00Z", "56", "CENTRO", "0", "1", "1", "0", "0", "1", "Yes"],
]


def write_csv(path: Path, rows, header=EXPECTED_COLUMNS) -> Path:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load(path: Path) -> pd.DataFrame:
    return validate(read_csv_strict(path), path.name)


@pytest.fixture
def good_csv(tmp_path) -> Path:
    return write_csv(tmp_path / "good.csv", GOOD_ROWS)


def test_good_file_loads_with_types(good_csv):
    frame = load(good_csv)
    assert len(frame) == 5
    assert frame["No-show"].tolist() == [0, 1, 0, 0, 1]
    assert frame["PatientId"].dtype == np.int64 and frame["PatientId"].iloc[0] == 29872499824296
    assert frame["AppointmentDay"].dt.hour.eq(0).all()
    assert frame["row"].tolist() == [0, 1, 2, 3, 4]


def test_zip_is_read_directly(tmp_path, good_csv):
    archive = tmp_path / "good.csv.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(good_csv, arcname="KaggleV2-May-2016.csv")
    pd.testing.assert_frame_equal(load(archive), load(good_csv))


def _mutate(rows, index, column, value):
    rows = [list(r) for r in rows]
    rows[index][EXPECTED_COLUMNS.index(column)] = value
    return rows


BAD_CASES = {
    "renamed column": (lambda p: write_csv(p, GOOD_ROWS, [c if c != "No-show" else "NoShow" for c in EXPECTED_COLUMNS]), ["No-show", "NoShow", "bad.csv"]),
    "missing column": (lambda p: write_csv(p, [r[:-1] for r in GOOD_ROWS], EXPECTED_COLUMNS[:-1]), ["missing column", "No-show"]),
    "empty file": (lambda p: p.write_text(""), ["empty"]),
    "header only": (lambda p: write_csv(p, []), ["no data rows"]),
    "unknown labels": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 1, "No-show", "Maybe")), ["No-show", "1 rows", "Maybe"]),
    "unparseable dates": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 2, "AppointmentDay", "31/02/2016")), ["AppointmentDay", "1 row", "line 4"]),
    "non-numeric age": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 0, "Age", "sixty")), ["'Age'", "numeric", "1 row"]),
    "fractional age": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 0, "Age", "6.5")), ["'Age'", "whole numbers"]),
    "non-numeric flag": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 0, "Diabetes", "yes")), ["'Diabetes'", "numeric"]),
    "flag out of range": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 0, "SMS_received", "3")), ["'SMS_received'", "0 or 1"]),
    "duplicated AppointmentID": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 4, "AppointmentID", "5642903")), ["AppointmentID", "unique", "1 row"]),
    "single class": (lambda p: write_csv(p, [_mutate(GOOD_ROWS, i, "No-show", "No")[i] for i in range(5)]), ["single class", "5 rows"]),
    "empty cell": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 3, "Neighbourhood", "")), ["'Neighbourhood'", "1 empty cell"]),
    "bad gender": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 3, "Gender", "X")), ["'Gender'"]),
    "negative handcap": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 3, "Handcap", "-2")), ["'Handcap'"]),
    "ragged rows": (lambda p: p.write_text(",".join(EXPECTED_COLUMNS) + "\n" + ",".join(GOOD_ROWS[0]) + ",x,y,z\n"), ["CSV"]),
    "binary file": (lambda p: p.write_bytes(b"\x00\x01\x02PK garbage" * 50), ["binary"]),
    "not a csv at all": (lambda p: p.write_text("hello world\n"), ["missing column"]),
    "duplicated column names": (lambda p: write_csv(p, [r + ["1"] for r in GOOD_ROWS], EXPECTED_COLUMNS + ["Age"]), ["duplicated column"]),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_raises_clear_data_error(tmp_path, case):
    make, expected = BAD_CASES[case]
    path = tmp_path / "bad.csv"
    make(path)
    with pytest.raises(DataError) as info:
        load(path)
    message = str(info.value)
    assert "bad.csv" in message, message
    for fragment in expected:
        assert fragment in message, f"{case}: {fragment!r} not in {message!r}"
    assert isinstance(info.value, ValueError)


def test_bad_zip_raises_data_error(tmp_path, good_csv):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(DataError, match="broken.zip"):
        load(broken)
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as zf:
        zf.write(good_csv, arcname="a.csv")
        zf.write(good_csv, arcname="b.csv")
    with pytest.raises(DataError, match="exactly one .csv"):
        load(two)


def test_missing_explicit_path_is_an_error_not_a_fallback(tmp_path, monkeypatch):
    monkeypatch.delenv(raw_data.ENV_VAR, raising=False)
    with pytest.raises(DataError, match="not_here.csv"):
        find_data(tmp_path / "not_here.csv")
    monkeypatch.setenv(raw_data.ENV_VAR, str(tmp_path / "also_missing.zip"))
    with pytest.raises(DataError, match="NOSHOW_DATA"):
        find_data()


def test_source_precedence(tmp_path, good_csv, monkeypatch):
    other = write_csv(tmp_path / "other.csv", GOOD_ROWS)
    monkeypatch.setenv(raw_data.ENV_VAR, str(other))
    assert find_data(good_csv).path == good_csv  # parameter beats environment
    assert find_data().path == other  # environment beats data folder
    monkeypatch.delenv(raw_data.ENV_VAR)
    monkeypatch.setattr(raw_data.paths, "DATA_DIR", tmp_path / "empty")
    with pytest.warns(raw_data.SyntheticDataWarning):
        assert find_data().is_synthetic
    # "synthetic" asks for the embedded default even when a file would be found
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / raw_data.KAGGLE_NAME).write_bytes(good_csv.read_bytes())
    assert find_data().path.name == raw_data.KAGGLE_NAME
    with pytest.warns(raw_data.SyntheticDataWarning, match="parameter asked"):
        assert find_data("synthetic").is_synthetic


def test_ledger_accounts_for_every_row(good_csv):
    frame = load(good_csv)
    kept, ledger = clean(frame)
    table = {e["step"]: e["rows"] for e in ledger}
    assert table["rows read"] == 5
    assert table["Age < 0"] == 1
    assert table["scheduled after the appointment day"] == 1
    assert table["rows kept"] == len(kept) == 3
    dropped = sum(e["rows"] for e in ledger if e["action"] == "dropped")
    assert table["rows read"] == table["rows kept"] + dropped
    assert kept["row"].tolist() == [0, 1, 4]


def _history_frame(rng, n=400, patients=40):
    days = pd.Timestamp("2016-05-02") + pd.to_timedelta(rng.integers(0, 20, n), unit="D")
    return pd.DataFrame({
        "PatientId": rng.integers(0, patients, n),
        "AppointmentDay": days,
        "ScheduledDay": days - pd.to_timedelta(rng.integers(0, 30, n), unit="D") + pd.Timedelta(hours=9),
        "No-show": rng.integers(0, 2, n),
        "Age": rng.integers(0, 90, n), "Gender": np.where(rng.random(n) < 0.6, "F", "M"),
        **{c: rng.integers(0, 2, n) for c in raw_data.BINARY_FLAGS}, "Handcap": rng.integers(0, 3, n),
    })


def test_history_uses_only_strictly_earlier_days():
    rng = np.random.default_rng(0)
    frame = _history_frame(rng)
    history = patient_history(frame)
    # brute force, row by row
    for i in rng.choice(len(frame), 60, replace=False):
        same = frame["PatientId"] == frame["PatientId"].iloc[i]
        earlier = same & (frame["AppointmentDay"] < frame["AppointmentDay"].iloc[i])
        assert history["prior_appointments"].iloc[i] == earlier.sum()
        assert history["prior_no_shows"].iloc[i] == frame.loc[earlier, "No-show"].sum()


def test_no_same_day_or_later_outcome_reaches_features():
    """Leakage test: flipping every outcome on or after a day leaves features before it unchanged,
    and flipping outcomes on a day leaves that day's features unchanged."""
    rng = np.random.default_rng(1)
    frame = _history_frame(rng)
    before = build_features(frame)
    cut = pd.Timestamp("2016-05-12")
    flipped = frame.copy()
    later = flipped["AppointmentDay"] >= cut
    flipped.loc[later, "No-show"] = 1 - flipped.loc[later, "No-show"]
    after = build_features(flipped)
    on_or_before_cut = frame["AppointmentDay"] <= cut
    pd.testing.assert_frame_equal(before[on_or_before_cut], after[on_or_before_cut])
    # ... and the test can fail: the later rows' histories do change
    assert not before[~on_or_before_cut].equals(after[~on_or_before_cut])
    assert list(before.columns) == FEATURE_NAMES


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


def test_prepare_on_synthetic_writes_atomic_artifacts(tmp_path, monkeypatch):
    csv = write_synthetic_csv(tmp_path / "synthetic.csv", n_rows=3000, seed=1)
    result = prepare(csv, split="stratified", seed=0, processed_dir=tmp_path / "processed")
    loaded = load_prepared(tmp_path / "processed", "stratified")
    for part in ("train", "val", "test"):
        np.testing.assert_array_equal(loaded.X[part], result.prepared.X[part])
        assert loaded.X[part].dtype == np.float32
    meta = loaded.meta
    assert meta["source"]["source_name"] == "synthetic.csv"
    assert len(meta["source"]["sha256"]) == 64
    assert str(tmp_path) not in json.dumps(meta)
    assert meta["rows"]["read"] == meta["rows"]["kept"] + meta["rows"]["dropped"] == 3000
    # scaler fitted on train only: train columns have mean 0, test columns not exactly
    assert np.allclose(loaded.X["train"].mean(axis=0), 0, atol=1e-4)
    assert not list((tmp_path / "processed" / "stratified").glob("*.tmp"))
    # same seed -> same arrays
    again = prepare(csv, split="stratified", seed=0, save=False)
    np.testing.assert_array_equal(again.prepared.X["test"], result.prepared.X["test"])


def test_sample_rows_is_counted_in_the_ledger(tmp_path):
    csv = write_synthetic_csv(tmp_path / "s.csv", n_rows=4000, seed=2)
    result = prepare(csv, sample_rows=1500, save=False)
    ledger = result.meta["ledger"]
    assert ledger[0]["rows"] == 4000
    assert ledger[1]["rows"] == 2500 and "sample" in ledger[1]["step"]
    assert result.meta["rows"]["kept"] + result.meta["rows"]["dropped"] == 4000


def test_neighbourhood_encoding_ignores_validation_and_test_labels():
    rng = np.random.default_rng(0)
    neighbourhood = pd.Series(rng.choice(["A", "B", "C", "D"], 2000))
    y = (rng.random(2000) < 0.2).astype(int)
    parts = make_split(y, "stratified", seed=0)
    encoded = _encode_neighbourhood(neighbourhood, y, parts, seed=0)
    flipped = y.copy()
    flipped[parts["test"]] = 1 - flipped[parts["test"]]
    flipped[parts["val"]] = 1 - flipped[parts["val"]]
    np.testing.assert_array_equal(_encode_neighbourhood(neighbourhood, flipped, parts, seed=0), encoded)
    # ... while training labels do matter (the test can fail)
    flipped[parts["train"]] = 1 - flipped[parts["train"]]
    assert not np.array_equal(_encode_neighbourhood(neighbourhood, flipped, parts, seed=0), encoded)


@pytest.mark.realdata
@pytest.mark.skipif(not REAL_ZIP.is_file(), reason="real Kaggle file not present")
def test_real_file_loads_with_known_counts(tmp_path):
    frame = validate(read_csv_strict(REAL_ZIP), REAL_ZIP.name)
    assert len(frame) == 110_527
    assert frame["No-show"].sum() == 22_319
    kept, ledger = clean(frame)
    steps = {e["step"]: e["rows"] for e in ledger}
    assert steps["Age < 0"] == 1 and steps["scheduled after the appointment day"] == 5
    # the week-1 report's test rows: 22,106 with 4,437 no-shows
    assert frame["No-show"].to_numpy()[original_test_rows(len(frame))].sum() == 4_437


def test_default_split_is_unchanged_by_the_original_option():
    y = (np.random.default_rng(5).random(3000) < 0.2).astype(int)
    plain = make_split(y, "stratified", seed=1)
    with_raw = make_split(y, "stratified", seed=1, raw_row=np.arange(3000) * 3, n_raw=9000)
    for part in plain:
        np.testing.assert_array_equal(plain[part], with_raw[part])
    original = make_split(y, "original", seed=1, raw_row=np.arange(3000) * 3, n_raw=9000)
    assert not np.array_equal(original["test"], plain["test"])


@pytest.mark.parametrize("split", ["stratified", "grouped", "temporal", "original"])
def test_prepare_every_split_kind_counts_neighbourhoods_on_training_rows(tmp_path, split):
    csv = write_synthetic_csv(tmp_path / "s.csv", n_rows=2500, seed=3)
    result = prepare(csv, split=split, seed=1, save=False)
    frame, meta = result.frame, result.meta
    column = meta["feature_names"].index("log1p_neighbourhood_count")
    train_counts = frame.loc[frame["part"] == "train", "Neighbourhood"].value_counts()
    expected = np.log1p(frame["Neighbourhood"].map(train_counts).fillna(0).to_numpy())
    mean, scale = meta["scaler"]["mean"][column], meta["scaler"]["scale"][column]
    for part in ("train", "val", "test"):
        in_part = (frame["part"] == part).to_numpy()
        np.testing.assert_allclose(result.prepared.X[part][:, column] * scale + mean, expected[in_part], atol=1e-5)
        assert len(result.prepared.groups[part]) == len(result.prepared.days[part]) == in_part.sum()
    # counting all rows (the old feature) would differ: the test can fail
    all_counts = np.log1p(frame["Neighbourhood"].map(frame["Neighbourhood"].value_counts()).to_numpy())
    assert not np.allclose(all_counts, expected)
    diagnostics = meta["split"]["diagnostics"]
    assert 0 <= diagnostics["same_patient_same_day_rows"] <= 1
    if split in ("grouped", "temporal"):
        assert diagnostics["train_rows_with_held_out_outcome_in_history"] == 0
    encoder = meta["encoder_vs_tuning_folds"]
    assert len(encoder["per_fold"]) == DEFAULT_FOLDS and np.isfinite(encoder["fit_rows_mean_abs"])


# --- notebook 01's helpers (helpers/eda.py): sentences read their numbers ---------------------------

def _scheme_rows(changes: dict | None = None) -> pd.DataFrame:
    """A fabricated :func:`helpers.splits.describe_schemes` table; ``changes``: {(scheme, column): value}."""
    base = {"train_rows": 700, "val_rows": 100, "test_rows": 200, "test_no_show_rate": 0.2,
            "same_patient_same_day_rows": 0.11, "same_patient_same_day_row_count": 22,
            "same_day_outcome_agreement": 0.83, "patients_in_train": 0.52, "rows_with_patient_in_train": 0.56,
            "train_rows_with_held_out_outcome_in_history": 0.14, "latest_train_day": "2016-06-08",
            "earliest_held_out_day": "2016-04-29", "train_rows_after_earliest_held_out_day": 650}
    grouped = {**base, "same_patient_same_day_rows": 0.0, "same_patient_same_day_row_count": 0,
               "same_day_outcome_agreement": np.nan, "patients_in_train": 0.0, "rows_with_patient_in_train": 0.0,
               "train_rows_with_held_out_outcome_in_history": 0.0}
    temporal = {**base, "same_patient_same_day_rows": 0.0, "same_patient_same_day_row_count": 0,
                "train_rows_with_held_out_outcome_in_history": 0.0, "latest_train_day": "2016-05-30",
                "earliest_held_out_day": "2016-06-02", "train_rows_after_earliest_held_out_day": 0}
    table = pd.DataFrame({"stratified": base, "grouped": grouped, "temporal": temporal}).T
    for (scheme, column), value in (changes or {}).items():
        table.loc[scheme, column] = value
    return table


def test_schemes_takeaway_reads_the_table():
    from helpers.data.eda import schemes_takeaway

    text = schemes_takeaway(_scheme_rows())
    assert "11.0% of the stratified split's test rows" in text and "83.0% of the time" in text
    assert "grouped split has none" in text
    assert "up to 2016-05-30 and tests from 2016-06-02" in text
    assert "original" not in text
    leaky = schemes_takeaway(_scheme_rows({("grouped", "patients_in_train"): 0.05,
                                           ("temporal", "train_rows_after_earliest_held_out_day"): 12}))
    assert "grouped split still shares 5.0%" in leaky and "none" not in leaky
    assert "12 training rows after its earliest test day" in leaky
    with_original = _scheme_rows()
    with_original.loc["original"] = with_original.loc["stratified"]
    assert "original (week-1) split" in schemes_takeaway(with_original)


def test_rate_takeaway_names_extremes_and_warns_on_small_groups():
    from helpers.data.eda import rate_takeaway

    table = pd.DataFrame({"rows": [500, 400, 50], "no_show_rate": [0.1, 0.3, 0.9]}, index=["a", "b", "c"])
    assert "from 10.0% (a) to 30.0% (b)." in rate_takeaway(table, "x")  # c has < 100 rows
    small = table.assign(rows=[500, 40, 50])
    text = rate_takeaway(small, "x")
    assert "from 10.0% (a) to 90.0% (c)" in text and "read with care" in text


def test_other_takeaways_flip_with_their_numbers():
    from helpers.data.eda import (
        balance_takeaway,
        encoder_folds_takeaway,
        fitted_on_training_sentence,
        sms_takeaway,
    )

    assert "**25.00%** of the 400" in balance_takeaway({"rows": 400, "no_show": 100, "show": 300, "no_show_rate": 0.25})
    frame = pd.DataFrame({"lead_days": [0, 0, 3, 5], "SMS_received": [0, 0, 1, 0]})
    sms = pd.DataFrame({"no_show_rate": [0.1, 0.3]}, index=["no SMS", "SMS sent"])
    assert "higher" in sms_takeaway(sms, frame) and "0.0% of same-day" in sms_takeaway(sms, frame)
    assert "lower" in sms_takeaway(sms.iloc[::-1].set_axis(["no SMS", "SMS sent"]), frame)
    meta = {"balance": {"train": {"rows": 10}}, "neighbourhood_encoding": {"train_count": {"A": 6, "B": 4}}}
    assert "fitted on the 10 training rows only" in fitted_on_training_sentence(meta, "grouped", 1)
    meta["neighbourhood_encoding"]["train_count"]["C"] = 5
    assert "NOT computed from the training rows only" in fitted_on_training_sentence(meta, "grouped", 1)
    report = {"tuning_folds": 3, "encoder_folds": 5, "fit_rows_mean_abs": 0.2, "fit_rows_p99_abs": 1.0,
              "fit_rows_max_abs": 9.0, "fit_rows_max_neighbourhood_train_rows": 2,
              "reshuffled_cv_reference": {"mean_abs": 0.2}}
    assert "about as much as" in encoder_folds_takeaway(report)
    assert "3.0 times as much as" in encoder_folds_takeaway({**report, "fit_rows_mean_abs": 0.6})


def test_scheme_display_and_rate_figure(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from helpers.data.eda import (
        rate_figure,
        rate_table,
        scheme_display,
        with_display_bins,
    )

    shown = scheme_display(_scheme_rows())
    assert list(shown.columns) == ["stratified", "grouped", "temporal"]
    assert shown.loc["test rows with a same-patient same-day training row (%)", "stratified"] == pytest.approx(11.0)
    csv = write_synthetic_csv(tmp_path / "s.csv", n_rows=1500, seed=4)
    rows = with_display_bins(prepare(csv, save=False).frame)
    fig, table = rate_figure(rows, "lead_time", "t")
    pd.testing.assert_frame_equal(table, rate_table(rows, "lead_time"))
    assert fig.axes and fig.axes[0].get_title() == "t"
