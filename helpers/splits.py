"""One train / validation / test split shared by every model.

Kinds
-----
``stratified``
    70 / 10 / 20 % of the cleaned rows, stratified on the label, seeded.
``temporal``
    train on the earliest appointment days, validate on the next, test on the latest days
    (cut at day boundaries, about 70 / 10 / 20 %).
``original``
    the week-1 report's test rows: ``train_test_split(range(n_raw), test_size=0.2,
    random_state=42)`` on the raw file's row positions, before cleaning; the validation rows are
    carved (stratified, seeded) from the rest. Rows removed by cleaning stay removed.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split

SPLIT_KINDS = ("stratified", "temporal", "original")
FRACTIONS = {"train": 0.7, "val": 0.1, "test": 0.2}
#: The week-1 report's split: test_size=0.2, random_state=42, unstratified, on raw rows.
ORIGINAL_TEST_SIZE = 0.2
ORIGINAL_RANDOM_STATE = 42


def original_test_rows(n_raw: int) -> np.ndarray:
    """Raw row positions (sorted) in the week-1 report's test part of an ``n_raw``-row file."""
    _, test = train_test_split(
        np.arange(n_raw), test_size=ORIGINAL_TEST_SIZE, random_state=ORIGINAL_RANDOM_STATE
    )
    return np.sort(test)


def _check_enough(y: np.ndarray, kind: str) -> None:
    counts = np.bincount(y, minlength=2)
    if counts.min() < 10:
        from .data import DataError

        raise DataError(
            f"too few rows for a {kind} train/validation/test split: {counts[0]} shows and "
            f"{counts[1]} no-shows (need at least 10 of each)"
        )


def make_split(
    y: np.ndarray,
    kind: str = "stratified",
    seed: int = 42,
    appointment_day: np.ndarray | None = None,
    raw_row: np.ndarray | None = None,
    n_raw: int | None = None,
) -> dict[str, np.ndarray]:
    """Positions of the train, validation and test rows.

    Parameters
    ----------
    y : ndarray of shape (n_rows,)
        0/1 labels of the cleaned rows.
    kind : {"stratified", "temporal", "original"}
    seed : int
        Seeds the stratified draws (the ``original`` test rows always use random_state=42).
    appointment_day : ndarray of shape (n_rows,), datetime64, optional
        Needed for ``temporal``.
    raw_row, n_raw : ndarray of shape (n_rows,) and int, optional
        Raw file positions of the cleaned rows and the raw row count; needed for ``original``.

    Returns
    -------
    dict with keys ``train``, ``val``, ``test``: sorted int64 position arrays, disjoint, covering
    every row.
    """
    y = np.asarray(y).astype(np.int64)
    n = len(y)
    positions = np.arange(n)
    if kind not in SPLIT_KINDS:
        raise ValueError(f"unknown split kind {kind!r}; choose one of {SPLIT_KINDS}")
    _check_enough(y, kind)
    val_share_of_rest = FRACTIONS["val"] / (FRACTIONS["train"] + FRACTIONS["val"])

    if kind == "stratified":
        rest, test = train_test_split(positions, test_size=FRACTIONS["test"], stratify=y, random_state=seed)
        train, val = train_test_split(rest, test_size=val_share_of_rest, stratify=y[rest], random_state=seed)
    elif kind == "temporal":
        if appointment_day is None:
            raise ValueError("the temporal split needs appointment_day")
        days = np.asarray(appointment_day).astype("datetime64[D]")
        unique_days, per_day = np.unique(days, return_counts=True)
        share_before = np.cumsum(per_day) / n  # share of rows on or before each day
        train_end = unique_days[np.searchsorted(share_before, FRACTIONS["train"])]
        val_end = unique_days[np.searchsorted(share_before, FRACTIONS["train"] + FRACTIONS["val"])]
        train = positions[days <= train_end]
        val = positions[(days > train_end) & (days <= val_end)]
        test = positions[days > val_end]
        if min(len(train), len(val), len(test)) == 0:
            raise ValueError("the temporal split needs appointments on at least three different days")
    else:  # original
        if raw_row is None or n_raw is None:
            raise ValueError("the original split needs raw_row and n_raw")
        in_test = np.isin(np.asarray(raw_row), original_test_rows(n_raw))
        test = positions[in_test]
        rest = positions[~in_test]
        train, val = train_test_split(rest, test_size=val_share_of_rest, stratify=y[rest], random_state=seed)
    return {name: np.sort(np.asarray(part, dtype=np.int64)) for name, part in
            (("train", train), ("val", val), ("test", test))}
