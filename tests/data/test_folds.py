"""helpers.data.folds: the tuning folds follow each split's rule (patients, or time), the early-stopping slices too, and the target encoder's folds are the tuning folds."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import TargetEncoder

from helpers.data import folds
from helpers.data.pipeline import (
    build_matrix,
    encoder_vs_tuning_folds,
)
from helpers.data.splits import (
    patient_codes,
)
from tests.data.shared import split_of


def test_encoder_vs_tuning_folds_matches_a_direct_refit(cleaned):
    parts = split_of(cleaned, "stratified")
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


# ---------------------------------------------------------------- the folds' rules, on arrays alone

def _appointments(n_patients: int = 400, seed: int = 0):
    """``(y, patients, days)``: patients with 1-6 appointments each, often several on one day, about
    20 % no-shows, outcomes shared within a patient's day (as the real file's near-duplicates)."""
    rng = np.random.default_rng(seed)
    visits = rng.integers(1, 7, n_patients)
    patients = np.repeat(np.arange(n_patients), visits)
    first_day = rng.integers(0, 30, n_patients)[patients]
    days = 16_900 + first_day + rng.integers(0, 3, len(patients)) * rng.integers(0, 2, len(patients))
    day_key = patients * 1000 + days
    _, day_of_key = np.unique(day_key, return_inverse=True)
    y = (rng.random(day_of_key.max() + 1) < 0.2).astype(np.int64)[day_of_key]
    order = rng.permutation(len(patients))  # rows in no particular order, as after a split
    return y[order], patients[order], days[order]


@pytest.mark.parametrize("split", ["stratified", "grouped", "original"])
def test_no_patient_on_both_sides_of_a_fold(split):
    y, patients, days = _appointments()
    cut = folds.for_split(split, y, patients, 4, 7, days=days)
    assert len(cut) == 4
    held = np.concatenate([h for _, h in cut])
    np.testing.assert_array_equal(np.sort(held), np.arange(len(y)))  # every row held out exactly once
    for train, held_out in cut:
        assert np.intersect1d(train, held_out).size == 0 and len(train) + len(held_out) == len(y)
        assert np.intersect1d(patients[train], patients[held_out]).size == 0
        assert abs(len(held_out) / len(y) - 0.25) < 0.03  # about equal folds
        assert abs(y[held_out].mean() - y.mean()) < 0.04  # stratified as far as whole patients allow
    assert folds.fold_kind(split) == "grouped" and folds.describe(split) == "grouped by patient"


def test_without_patients_the_folds_are_stratified_kfold():
    y, _, _ = _appointments()
    expected = StratifiedKFold(5, shuffle=True, random_state=3).split(np.zeros(len(y)), y)
    for (train, held_out), (a, b) in zip(folds.for_split("stratified", y, None, 5, 3), expected, strict=True):
        np.testing.assert_array_equal(train, a)
        np.testing.assert_array_equal(held_out, b)
    assert folds.describe("stratified", patients=False) == "stratified on the label"


def test_the_same_seed_gives_the_same_folds():
    y, patients, days = _appointments()
    for split in ("stratified", "temporal"):
        a = folds.for_split(split, y, patients, 5, 11, days=days)
        b = folds.for_split(split, y, patients, 5, 11, days=days)
        for (ta, ha), (tb, hb) in zip(a, b, strict=True):
            np.testing.assert_array_equal(ta, tb)
            np.testing.assert_array_equal(ha, hb)
    seeded = [h for _, h in folds.for_split("stratified", y, patients, 5, 11)]
    other = [h for _, h in folds.for_split("stratified", y, patients, 5, 12)]
    assert any(not np.array_equal(h, o) for h, o in zip(seeded, other, strict=True))


def test_temporal_folds_chain_forward_in_time():
    y, patients, days = _appointments()
    cut = folds.for_split("temporal", y, patients, 5, 0, days=days)
    assert len(cut) == 5 and folds.describe("temporal") == "forward-chaining by day"
    sizes = []
    for k, (train, held_out) in enumerate(cut):
        assert days[train].max() < days[held_out].min()  # every held-out day after every training day
        if k:
            previous_train, previous_held = cut[k - 1]
            # expanding: the fold before's training rows and held-out block are this fold's training rows
            np.testing.assert_array_equal(train, np.union1d(previous_train, previous_held))
        sizes.append(len(held_out))
    first_block = cut[0][0]
    sizes.append(len(first_block))
    assert max(sizes) < 2.2 * min(sizes)  # blocks of about equal row counts (days hold ~3 % of rows each)
    last_train, last_held = cut[-1]
    assert len(last_train) + len(last_held) == len(y)
    # the same days, whatever the patients, labels or seed: time is the only rule
    again = folds.for_split("temporal", np.zeros_like(y), None, 5, 99, days=days)
    for (a, b), (c, d) in zip(cut, again, strict=True):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)


def test_temporal_blocks_cut_at_day_boundaries_even_when_days_are_few():
    days = np.repeat([3, 1, 2, 0, 5, 4], [10, 10, 1, 40, 5, 5])  # 6 days for 5 folds: one day per block
    cut = folds.for_split("temporal", np.zeros(len(days)), days=days)
    assert [sorted(set(days[h])) for _, h in cut] == [[1], [2], [3], [4], [5]]


def test_temporal_folds_need_days_and_enough_of_them():
    y, patients, days = _appointments()
    with pytest.raises(ValueError, match="need days"):
        folds.for_split("temporal", y, patients)
    with pytest.raises(ValueError, match="one day per row"):
        folds.for_split("temporal", y, patients, days=days[:-1])
    few = np.repeat(np.arange(5), 20)
    with pytest.raises(ValueError, match="at least n_splits \\+ 1 = 6 distinct days"):
        folds.for_split("temporal", np.zeros(100), days=few)
    with pytest.raises(ValueError, match="at least 2 folds"):
        folds.for_split("grouped", y, patients, 1)


def test_early_stopping_slice_of_whole_patients():
    y, patients, _ = _appointments()
    fit, stop = folds.early_stopping_rows("original", y, patients, fraction=0.1, seed=5)
    np.testing.assert_array_equal(np.sort(np.concatenate([fit, stop])), np.arange(len(y)))
    assert np.intersect1d(patients[fit], patients[stop]).size == 0
    assert abs(len(stop) / len(y) - 0.1) < 0.02
    assert abs(y[stop].mean() - y.mean()) < 0.03
    again = folds.early_stopping_rows("original", y, patients, fraction=0.1, seed=5)
    np.testing.assert_array_equal(stop, again[1])


def test_early_stopping_slice_of_the_latest_days():
    y, patients, days = _appointments()
    fit, stop = folds.early_stopping_rows("temporal", y, patients, days=days, fraction=0.1)
    assert days[fit].max() < days[stop].min()
    share = len(stop) / len(y)
    per_day = np.bincount(days - days.min()).max() / len(y)
    assert abs(share - 0.1) <= per_day / 2 + 1e-9  # the day boundary nearest 10 %
    # even when one day holds most rows: at least the latest day, and a day left to fit on
    two_days = np.repeat([0, 1], [5, 95])
    fit, stop = folds.early_stopping_rows("temporal", np.tile([0, 1], 50), days=two_days, fraction=0.1)
    assert set(two_days[stop]) == {1} and set(two_days[fit]) == {0}


def test_early_stopping_slice_without_patients_is_stratified():
    y, _, _ = _appointments()
    fit, stop = folds.early_stopping_rows("stratified", y, fraction=0.1, seed=0)
    assert len(stop) == int(np.ceil(0.1 * len(y))) and np.intersect1d(fit, stop).size == 0
    assert abs(y[stop].mean() - y.mean()) < 0.01


def test_early_stopping_slice_refuses_what_it_cannot_cut():
    y, patients, _ = _appointments()
    with pytest.raises(ValueError, match="pass days"):
        folds.early_stopping_rows("temporal", y, patients, fraction=0.1)
    with pytest.raises(ValueError, match="at least 2 days"):
        folds.early_stopping_rows("temporal", y, days=np.zeros(len(y)), fraction=0.1)
    with pytest.raises(ValueError, match="in \\(0, 1\\)"):
        folds.early_stopping_rows("grouped", y, patients, fraction=1.5)
    with pytest.raises(ValueError, match="single class"):  # the latest day holds no no-show
        folds.early_stopping_rows("temporal", np.r_[np.ones(10), np.zeros(90)].astype(int),
                                  days=np.repeat([0, 1], [50, 50]), fraction=0.1)
