"""The cross-validation folds every choice of a hyper-parameter uses, for every model.

One definition, so that the networks, the logistic regression and gradient boosting are tuned on
the same folds of the same training rows, and the data pipeline can say how those folds relate to
the target encoder's own cross-fitting folds. For the patient-grouped split the folds are grouped by
patient too (no patient in both parts of a fold); otherwise they are stratified on the label.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

__all__ = ["DEFAULT_FOLDS", "cv_folds", "for_split"]

#: Folds used to tune every model (3 keeps a cold ``make report`` within its time budget).
DEFAULT_FOLDS = 3


def cv_folds(y, groups=None, n_splits: int = DEFAULT_FOLDS, seed: int = 42) -> list[tuple[np.ndarray, np.ndarray]]:
    """``[(train_positions, held_out_positions), ...]`` over the rows of ``y``.

    Parameters
    ----------
    y : ndarray of shape (n,)
        0/1 labels of the training rows.
    groups : ndarray of shape (n,), optional
        Patient of each row: when given, no patient is on both sides of a fold
        (:class:`~sklearn.model_selection.StratifiedGroupKFold`), else
        :class:`~sklearn.model_selection.StratifiedKFold`.
    n_splits : int
    seed : int
        Shuffles the folds (the same seed gives the same folds).
    """
    y = np.asarray(y)
    if n_splits < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, got n_splits={n_splits}")
    if groups is None:
        splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        return [(np.asarray(a), np.asarray(b)) for a, b in splitter.split(np.zeros(len(y)), y)]
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return [(np.asarray(a), np.asarray(b)) for a, b in splitter.split(np.zeros(len(y)), y, groups)]


def for_split(split: str, y, groups=None, n_splits: int = DEFAULT_FOLDS, seed: int = 42):
    """The tuning folds of ``split``'s training rows: grouped by patient for ``"grouped"``, else stratified."""
    return cv_folds(y, groups if split == "grouped" else None, n_splits=n_splits, seed=seed)
