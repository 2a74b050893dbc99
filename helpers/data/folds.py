"""The cross-validation folds every choice of a hyper-parameter uses, for every model.

One definition, so that the networks, the logistic regression and gradient boosting are tuned on
the same folds of the same training rows, and the data pipeline can say how those folds relate to
the target encoder's own cross-fitting folds.

Which folds a split gets (:func:`for_split`, named by :func:`fold_kind`)
------------------------------------------------------------------------
``temporal``
    **forward-chaining by day**: the training rows' days, in order, cut into ``n_splits + 1``
    consecutive blocks of about equal row counts at day boundaries; fold *k* trains on blocks
    1 ... *k* and holds out block *k* + 1, so every held-out day is later than every training day of
    its fold, as in the split itself. Patients appear on both sides, as they do in the temporal split.
``stratified``, ``grouped``, ``original``
    **grouped by patient**: whole patients assigned to the folds (:func:`assign_groups`), stratified
    on the label as far as whole patients allow. The training rows of these splits repeat patients,
    often on the same day with the same outcome; random row folds would put such near-duplicates on
    both sides of a fold and reward memorising them (weak regularisation). Without patients the folds
    are stratified on the label (:class:`~sklearn.model_selection.StratifiedKFold`); the report
    always passes the patients.

Inside each fold the models that early-stop do so on a slice of the fold's *training* rows made by
the same rule (:func:`early_stopping_rows`): the latest days for ``temporal``, whole patients
otherwise.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.model_selection import StratifiedKFold, train_test_split

__all__ = ["DEFAULT_FOLDS", "FOLD_KINDS", "assign_groups", "cv_folds", "describe", "early_stopping_rows",
           "fold_kind", "for_split", "forward_folds"]

#: Folds used to tune every model, in every notebook and validation scheme. Three folds proved too
#: noisy on the real data: two weight decays tied to 3e-6 in mean PR-AUC.
DEFAULT_FOLDS = 5
#: Kind of folds (:func:`fold_kind`) -> how the notebooks name it.
FOLD_KINDS = {
    "grouped": "grouped by patient",
    "forward": "forward-chaining by day",
    "stratified": "stratified on the label",
}


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


def _check_n_splits(n_splits) -> None:
    if isinstance(n_splits, bool) or not isinstance(n_splits, (int, np.integer)) or n_splits < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, got n_splits={n_splits!r}")


def cv_folds(y, groups=None, n_splits: int = DEFAULT_FOLDS, seed: int = 42) -> list[tuple[np.ndarray, np.ndarray]]:
    """``[(train_positions, held_out_positions), ...]`` over the rows of ``y``, in no order of time.

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

    Returns
    -------
    list of ``n_splits`` pairs of sorted int64 ndarrays
        Each pair disjoint and covering all ``n`` rows; every row is held out exactly once.
    """
    y = np.asarray(y)
    _check_n_splits(n_splits)
    if groups is None:
        splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        return [(np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64))
                for a, b in splitter.split(np.zeros(len(y)), y)]
    groups = np.asarray(groups)
    if len(groups) != len(y):
        raise ValueError(f"grouped folds need one patient per row: got {len(groups)} groups for {len(y)} rows")
    fold = assign_groups(y, groups, [1.0 / n_splits] * n_splits, seed)
    if len(np.unique(fold)) < n_splits:
        raise ValueError(f"{len(np.unique(groups))} patients are too few for {n_splits} grouped folds "
                         "(a fold came out empty)")
    return [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(n_splits)]


def _day_cuts(per_day: np.ndarray, targets) -> np.ndarray:
    """Indices ``b_1 < b_2 < ...`` of the days after which to cut, each nearest its target row count.

    ``per_day`` holds the rows of each distinct day in order of time; a cut after day ``b`` puts
    ``cumsum(per_day)[b]`` rows before it. Every block between cuts keeps at least one day.
    """
    cumulative = np.cumsum(per_day)
    n_days, n_cuts = len(per_day), len(targets)
    cuts = [int(np.argmin(np.abs(cumulative[:-1] - t))) for t in targets]
    for j in range(1, n_cuts):  # strictly increasing ...
        cuts[j] = max(cuts[j], cuts[j - 1] + 1)
    for j in range(n_cuts):  # ... and leaving at least one day after each cut
        cuts[j] = min(cuts[j], n_days - 1 - (n_cuts - j))
    return np.asarray(cuts, dtype=np.int64)


def forward_folds(days, n_splits: int = DEFAULT_FOLDS) -> list[tuple[np.ndarray, np.ndarray]]:
    """Forward-chaining folds: ``[(train_positions, held_out_positions), ...]``, ordered in time.

    The distinct days are sorted and the rows cut, at day boundaries, into ``n_splits + 1``
    consecutive blocks of about equal row counts (each cut at the day boundary nearest its target,
    every block at least one day). Fold *k* (*k* = 1 ... ``n_splits``) trains on blocks 1 ... *k*
    and holds out block *k* + 1: the training rows expand from fold to fold, and every held-out day
    is later than every training day of its fold. No randomness, no labels.

    Parameters
    ----------
    days : ndarray of shape (n,)
        Day of each row, any orderable dtype (the prepared data's int64 days since 1970-01-01).
    n_splits : int

    Returns
    -------
    list of ``n_splits`` pairs of sorted int64 ndarrays
        The first block is never held out; the last block is never trained on.

    Raises
    ------
    ValueError
        With fewer than ``n_splits + 1`` distinct days.
    """
    _check_n_splits(n_splits)
    days = np.asarray(days)
    unique_days, day_of_row, per_day = np.unique(days, return_inverse=True, return_counts=True)
    if len(unique_days) < n_splits + 1:
        raise ValueError(f"forward-chaining folds need at least n_splits + 1 = {n_splits + 1} distinct days; "
                         f"the rows cover {len(unique_days)}")
    n = len(days)
    cuts = _day_cuts(per_day, [n * j / (n_splits + 1) for j in range(1, n_splits + 1)])
    block = np.searchsorted(cuts, day_of_row.reshape(-1), side="left")  # day d is in block #cuts below it
    return [(np.flatnonzero(block < k), np.flatnonzero(block == k)) for k in range(1, n_splits + 1)]


def fold_kind(split: str, patients: bool = True) -> str:
    """The kind of tuning folds ``split`` gets: a key of :data:`FOLD_KINDS`.

    ``"forward"`` for ``temporal``; otherwise ``"grouped"`` when the patients are given
    (``patients``; the report always gives them), else ``"stratified"``.
    """
    if split == "temporal":
        return "forward"
    return "grouped" if patients else "stratified"


def describe(split: str, patients: bool = True) -> str:
    """How the notebooks name ``split``'s tuning folds, e.g. ``"grouped by patient"`` or
    ``"forward-chaining by day"`` (:data:`FOLD_KINDS` of :func:`fold_kind`)."""
    return FOLD_KINDS[fold_kind(split, patients)]


def for_split(split: str, y, groups=None, n_splits: int = DEFAULT_FOLDS, seed: int = 42, *,
              days=None) -> list[tuple[np.ndarray, np.ndarray]]:
    """The tuning folds of ``split``'s training rows: ``[(train_positions, held_out_positions), ...]``.

    ``temporal``: forward-chaining by day (:func:`forward_folds`; ``days`` required, ``y``, ``groups``
    and ``seed`` unused). Any other split: grouped by patient when ``groups`` is given
    (:func:`cv_folds`), else stratified on the label. The report always passes the patients, so the
    stratified, grouped and original splits are all tuned on patient-grouped folds.

    Parameters
    ----------
    split : str
        The split kind (``"stratified"``, ``"grouped"``, ``"temporal"`` or ``"original"``).
    y : ndarray of shape (n,)
        0/1 labels of the split's training rows.
    groups : ndarray of shape (n,), optional
        Patient of each training row.
    n_splits : int
    seed : int
        Seeds the grouped and stratified folds (the same seed gives the same folds).
    days : ndarray of shape (n,), optional
        Appointment day of each training row (int64 days since 1970-01-01); needed for ``temporal``.

    Returns
    -------
    list of ``n_splits`` pairs of sorted int64 ndarrays

    Raises
    ------
    ValueError
        ``temporal`` without ``days``, lengths that differ from ``y``'s, too few days or patients.
    """
    n = len(y)
    if split == "temporal":
        if days is None:
            raise ValueError("the temporal split's tuning folds are forward-chaining by day: they need days "
                             "(the appointment day of each training row); pass days=...")
        if len(days) != n:
            raise ValueError(f"forward-chaining folds need one day per row: got {len(days)} days for {n} rows")
        return forward_folds(days, n_splits)
    return cv_folds(y, groups, n_splits=n_splits, seed=seed)


def early_stopping_rows(split: str, y, groups=None, *, days=None, fraction: float,
                        seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """Cut one fold's training rows into rows to fit on and an early-stopping slice, by the folds' rule.

    The slice holds about ``fraction`` of the rows (the models' ``VALIDATION_FRACTION``):

    - ``temporal``: the latest days (cut at the day boundary nearest ``fraction`` of the rows; at
      least the latest day, at least one day left to fit on), so the slice is later than every
      row fitted on, as the fold's held-out block is later than the fold's training rows;
    - any other split with ``groups``: whole patients (:func:`assign_groups`), stratified on the label
      as far as whole patients allow, so no patient is on both sides;
    - otherwise a stratified random slice, as the networks hold out on their own.

    Parameters
    ----------
    split : str
    y : ndarray of shape (n,)
        0/1 labels of the fold's training rows.
    groups : ndarray of shape (n,), optional
        Their patients.
    days : ndarray of shape (n,), optional
        Their days; needed for ``temporal``.
    fraction : float
        Target share of the slice, in (0, 1).
    seed : int

    Returns
    -------
    fit_positions, stop_positions : sorted int64 ndarrays
        Positions into the given rows, disjoint and covering them.

    Raises
    ------
    ValueError
        A ``fraction`` outside (0, 1), ``temporal`` without ``days`` or with a single day, or a cut
        that leaves either side without both classes.
    """
    if not 0.0 < float(fraction) < 1.0:
        raise ValueError(f"the early-stopping fraction must lie in (0, 1), got {fraction!r}")
    y = np.asarray(y, dtype=np.int64)
    n = len(y)
    if split == "temporal":
        if days is None:
            raise ValueError("the temporal split stops early on the latest days of a fold's training rows: "
                             "pass days=...")
        days = np.asarray(days)
        unique_days, day_of_row, per_day = np.unique(days, return_inverse=True, return_counts=True)
        if len(unique_days) < 2:
            raise ValueError("an early-stopping slice of the latest days needs the fold's training rows to "
                             f"cover at least 2 days; they cover {len(unique_days)}")
        cut = _day_cuts(per_day, [n * (1.0 - float(fraction))])[0]
        stop = day_of_row.reshape(-1) > cut
    elif groups is not None:
        if len(groups) != n:
            raise ValueError(f"a patient-grouped slice needs one patient per row: got {len(groups)} for {n} rows")
        stop = assign_groups(y, groups, [1.0 - float(fraction), float(fraction)], seed) == 1
    else:
        n_stop = max(2, math.ceil(float(fraction) * n))
        _, rows = train_test_split(np.arange(n), test_size=n_stop, stratify=y, random_state=seed)
        stop = np.isin(np.arange(n), rows)
    fit_rows, stop_rows = np.flatnonzero(~stop), np.flatnonzero(stop)
    for name, rows in (("the rows fitted on", fit_rows), ("the early-stopping slice", stop_rows)):
        if len(np.unique(y[rows])) < 2:
            raise ValueError(f"cutting {n} rows of the {split} split for early stopping left {name} with "
                             f"{len(rows)} rows of a single class; more rows are needed")
    return fit_rows, stop_rows
