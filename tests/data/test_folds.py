"""helpers.data.folds: the target encoder's folds are the tuning folds (a direct refit gives the same numbers)."""

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
