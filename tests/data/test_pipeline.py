"""helpers.data.pipeline: prepare() writes atomic artifacts with a ledger and diagnostics, counts
neighbourhoods on training rows only, round-trips groups and days, and refuses an unknown split."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from helpers.data import raw as raw_data
from helpers.data.folds import DEFAULT_FOLDS
from helpers.data.pipeline import (
    _encode_neighbourhood,
    build_matrix,
    encode_neighbourhood,
    prepare,
)
from helpers.data.prepared import load_prepared
from helpers.data.splits import (
    PARTS,
    day_numbers,
    describe_schemes,
    make_split,
    patient_codes,
)
from helpers.data.synthetic import write_synthetic_csv
from tests.data.shared import split_of


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


def test_prepare_uses_build_matrix_and_round_trips_groups_and_days(synthetic_csv, tmp_path, cleaned):
    result = prepare(synthetic_csv, split="grouped", seed=0, processed_dir=tmp_path)
    loaded = load_prepared(tmp_path, "grouped")
    parts = split_of(cleaned, "grouped")
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


def test_prepare_records_the_diagnostics(synthetic_csv):
    result = prepare(synthetic_csv, split="stratified", seed=0, save=False)
    meta, table = result.meta, describe_schemes(result.frame, seed=0)
    diagnostics = meta["split"]["diagnostics"]
    for key in ("same_patient_same_day_rows", "same_day_outcome_agreement", "patients_in_train",
                "rows_with_patient_in_train", "train_rows_with_held_out_outcome_in_history",
                "train_rows_after_earliest_held_out_day"):
        assert diagnostics[key] == pytest.approx(table.loc["stratified", key]), key
    assert meta["balance"]["test"]["rows"] == table.loc["stratified", "test_rows"]


def test_ledger_mismatch_is_an_error_with_the_counts(synthetic_csv, monkeypatch):
    real_clean = raw_data.clean

    def clean_losing_a_row(frame):
        kept, ledger = real_clean(frame)
        return kept.iloc[1:].reset_index(drop=True), ledger

    monkeypatch.setattr(raw_data, "clean", clean_losing_a_row)
    with pytest.raises(RuntimeError, match=r"ledger does not add up: 3,000 rows read"):
        prepare(synthetic_csv, save=False)
