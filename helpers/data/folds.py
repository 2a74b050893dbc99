"""The cross-validation folds every choice of a hyper-parameter uses, for every model.

One definition, so that the networks, the logistic regression and gradient boosting are tuned on
the same folds of the same training rows, and the data pipeline can say how those folds relate to
the target encoder's own cross-fitting folds. For the patient-grouped split the folds are grouped by
patient too (no patient in both parts of a fold); otherwise they are stratified on the label.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import StratifiedKFold

__all__ = ["DEFAULT_FOLDS", "assign_groups", "cv_folds", "for_split"]

#: Folds used to tune every model on the report's main split (notebooks 02-04). Three folds proved too
#: noisy on the real data: two weight decays tied to 3e-6 in mean PR-AUC. Notebook 05 tunes the other
#: validation schemes with fewer folds (its ``scheme_cv_folds``) to stay within the time budget.
DEFAULT_FOLDS = 5


def assign_groups(y, groups, fractions, seed: int = 42) -> np.ndarray:
    """The part (0 ... len(fractions) - 1) of every row, with whole groups (patients) in one part.

    A greedy assignment, as scikit-learn's ``StratifiedGroupKFold`` makes it: groups by decreasing row
    count (equal counts in a seeded random order), each to the part that then minimises

    .. math:: \\sum_{q} (r_q / r - f_q)^2 + (s_q / s - f_q)^2

    where :math:`r_q, s_q` are the rows and positives assigned to part :math:`q` so far, :math:`r, s`
    their totals and :math:`f_q` the target ``fractions``. Row shares and positive rates come out close
    to the targets; a plain loop over the groups takes a fraction of a second for 62k patients, where
    ``StratifiedGroupKFold`` takes seconds per cut.

    Parameters
    ----------
    y : ndarray of shape (n,)
        0/1 labels.
    groups : ndarray of shape (n,)
    fractions : sequence of float
        Target share of each part (summing to 1).
    seed : int

    Returns
    -------
    ndarray of shape (n,), int8
    """
    y = np.asarray(y, dtype=np.int64)
    _, group = np.unique(np.asarray(groups), return_inverse=True)
    rows = np.bincount(group)
    positives = np.bincount(group, weights=y).astype(np.int64)
    order = np.lexsort((np.random.default_rng(seed).permutation(len(rows)), -rows))
    targets = [float(f) for f in fractions]
    k = len(targets)
    part_rows, part_pos = [0] * k, [0] * k
    total_rows = total_pos = 0
    part_of_group = np.empty(len(rows), dtype=np.int8)
    for i, n, p in zip(order.tolist(), rows[order].tolist(), positives[order].tolist()):
        total_rows += n
        total_pos += p
        base = sum((part_rows[q] / total_rows - targets[q]) ** 2
                   + ((part_pos[q] / total_pos - targets[q]) ** 2 if total_pos else 0.0) for q in range(k))
        best, best_cost = 0, None
        for c in range(k):  # the cost if the group joins part c: only part c's terms change
            old = (part_rows[c] / total_rows - targets[c]) ** 2 + (
                (part_pos[c] / total_pos - targets[c]) ** 2 if total_pos else 0.0)
            new = ((part_rows[c] + n) / total_rows - targets[c]) ** 2 + (
                ((part_pos[c] + p) / total_pos - targets[c]) ** 2 if total_pos else 0.0)
            cost = base - old + new
            if best_cost is None or cost < best_cost:
                best, best_cost = c, cost
        part_of_group[i] = best
        part_rows[best] += n
        part_pos[best] += p
    return part_of_group[group]


def cv_folds(y, groups=None, n_splits: int = DEFAULT_FOLDS, seed: int = 42) -> list[tuple[np.ndarray, np.ndarray]]:
    """``[(train_positions, held_out_positions), ...]`` over the rows of ``y``.

    Parameters
    ----------
    y : ndarray of shape (n,)
        0/1 labels of the training rows.
    groups : ndarray of shape (n,), optional
        Patient of each row: when given, no patient is on both sides of a fold (whole patients
        assigned greedily, stratified as far as grouping allows: :func:`assign_groups`), else
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
    fold = assign_groups(y, groups, [1.0 / n_splits] * n_splits, seed)
    return [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(n_splits)]


def for_split(split: str, y, groups=None, n_splits: int = DEFAULT_FOLDS, seed: int = 42):
    """The tuning folds of ``split``'s training rows: grouped by patient for ``"grouped"``, else stratified."""
    return cv_folds(y, groups if split == "grouped" else None, n_splits=n_splits, seed=seed)
