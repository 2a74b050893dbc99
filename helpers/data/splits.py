"""One train / validation / test split shared by every model, and what it lets through.

Kinds
-----
``stratified``
    70 / 10 / 20 % of the cleaned rows, stratified on the label, seeded. Rows of one patient, even
    of one patient on one day, can land in different parts.
``grouped``
    about 70 / 10 / 20 % of the rows with every patient (``PatientId``) in exactly one part,
    stratified on the label as far as whole patients allow (:func:`grouped_split`), seeded.
``temporal``
    train on the earliest appointment days, validate on the next, test on the latest days
    (cut at day boundaries, about 70 / 10 / 20 %): every test day is later than every validation
    day, which is later than every training day.
``original``
    the week-1 report's test rows: ``train_test_split(range(n_raw), test_size=0.2,
    random_state=42)`` on the raw file's row positions, before cleaning; the validation rows are
    carved (stratified, seeded) from the rest. Rows removed by cleaning stay removed.

Every seed's own partition
--------------------------
The test rows are cut first and never change. The non-test rows are then partitioned into training and
validation rows by :func:`partition_rest`, the one rule that also redraws a partition for every seed of
the repeated study (:mod:`helpers.data.redraw`): stratified on the label, whole patients for
``grouped``. The temporal split's validation rows are always the latest training days.

Where the labels enter
----------------------
The stratified, grouped and original splits use the labels of all rows to *balance* the parts
(stratification); no statistic is fitted on them. The temporal split uses no label.

What a split lets through (:func:`split_diagnostics`)
-----------------------------------------------------
The history features (``prior_*``, :mod:`helpers.data.features`) of a row count the same patient's
outcomes on strictly earlier days, whatever part those rows are in: legitimate, since they are
known before the appointment day. But in a random split (stratified, original) a test row's outcome
then enters the history of the same patient's later *training* rows, and a test row often has a
training row of the same patient on the same day, which mostly shares its outcome. The grouped
split rules out both (no patient in two parts). The temporal split rules out both as well (every
test day is after every training day) but keeps patients on both sides: it tests on the future,
often of patients already seen, as a clinic would use the model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from helpers.data.folds import assign_groups
from helpers.data.raw import DataError

SPLIT_KINDS = ("stratified", "grouped", "temporal", "original")
FRACTIONS = {"train": 0.7, "val": 0.1, "test": 0.2}
PARTS = ("train", "val", "test")
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
        raise DataError(
            f"too few rows for a {kind} train/validation/test split: {counts[0]} shows and "
            f"{counts[1]} no-shows (need at least 10 of each)"
        )


def grouped_split(y: np.ndarray, groups: np.ndarray, seed: int = 42) -> dict[str, np.ndarray]:
    """Train / validation / test positions with no group (patient) in two parts.

    Parameters
    ----------
    y : ndarray of shape (n_rows,)
        0/1 labels.
    groups : ndarray of shape (n_rows,)
        Group (patient) of each row, any sortable dtype.
    seed : int
        Orders the patients of equal size.

    Returns
    -------
    dict with keys ``train``, ``val``, ``test``: sorted int64 position arrays.

    Notes
    -----
    A greedy assignment of whole patients, as scikit-learn's ``StratifiedGroupKFold`` does it:
    patients by decreasing row count (equal counts in a seeded random order), each to the part
    that then minimises

    .. math:: \\sum_{q} (r_q / r - f_q)^2 + (s_q / s - f_q)^2

    where :math:`r_q, s_q` are the rows and no-shows assigned to part :math:`q` so far,
    :math:`r, s` their totals and :math:`f_q` the target fractions. Two cuts: test (0.2) from the
    rest (0.8), then validation (1/8 of the rest) by :func:`partition_rest`, the rule every seed's
    redrawn partition follows (:mod:`helpers.data.redraw`), so the test patients never change. The row shares
    and the no-show rate of every part come out close to the targets, and a plain loop over the
    patients takes a fraction of a second on the real file's 62k patients, where
    ``StratifiedGroupKFold`` (which recomputes fold statistics with NumPy per patient) takes about
    25 s for the two cuts. The few largest patients go to the same part whatever the seed.
    """
    y = np.asarray(y).astype(np.int64)
    groups = np.asarray(groups)
    in_test = assign_groups(y, groups, [1 - FRACTIONS["test"], FRACTIONS["test"]], seed) == 1
    rest = np.flatnonzero(~in_test)
    train, val = partition_rest("grouped", y[rest], seed, groups=groups[rest])
    return {"train": rest[train], "val": rest[val], "test": np.flatnonzero(in_test).astype(np.int64)}


def partition_rest(kind: str, y_rest: np.ndarray, seed: int, groups=None) -> tuple[np.ndarray, np.ndarray]:
    """Train and validation positions within the non-test rows ``y_rest`` (in row order), by ``kind``'s rule.

    The one rule for the first partition (:func:`make_split`) and for every seed's redrawn partition
    (:func:`helpers.data.redraw.redraw`): ``stratified`` and ``original`` draw the validation rows at
    random, stratified on the label; ``grouped`` draws whole patients (``groups``), stratified as far
    as whole patients allow. The validation share of the non-test rows is 1/8 (10 % of all rows).

    Parameters
    ----------
    kind : {"stratified", "grouped", "original"}
        The temporal scheme has no random partition: its validation rows are always the latest days.
    y_rest : ndarray of shape (n_rest,)
        0/1 labels of the non-test rows, in row order.
    seed : int
    groups : ndarray of shape (n_rest,), optional
        Patient of each row (needed for ``grouped``).

    Returns
    -------
    (train, val) : sorted int64 positions into ``y_rest``
    """
    y_rest = np.asarray(y_rest).astype(np.int64)
    share = FRACTIONS["val"] / (FRACTIONS["train"] + FRACTIONS["val"])
    if kind in ("stratified", "original"):
        train, val = train_test_split(np.arange(len(y_rest)), test_size=share, stratify=y_rest, random_state=seed)
    elif kind == "grouped":
        if groups is None:
            raise ValueError("the grouped partition needs the patient (groups) of each non-test row")
        in_val = assign_groups(y_rest, groups, [1 - share, share], seed) == 1
        train, val = np.flatnonzero(~in_val), np.flatnonzero(in_val)
    else:
        raise ValueError(f"split kind {kind!r} has no random train/validation partition "
                         "(the temporal scheme validates on the latest days)")
    return np.sort(train).astype(np.int64), np.sort(val).astype(np.int64)


def make_split(
    y: np.ndarray,
    kind: str = "stratified",
    seed: int = 42,
    appointment_day: np.ndarray | None = None,
    raw_row: np.ndarray | None = None,
    n_raw: int | None = None,
    groups: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Positions of the train, validation and test rows.

    Parameters
    ----------
    y : ndarray of shape (n_rows,)
        0/1 labels of the cleaned rows.
    kind : {"stratified", "grouped", "temporal", "original"}
    seed : int
        Seeds the stratified and grouped draws (the ``original`` test rows always use
        random_state=42).
    appointment_day : ndarray of shape (n_rows,), datetime64, optional
        Needed for ``temporal``.
    raw_row, n_raw : ndarray of shape (n_rows,) and int, optional
        Raw file positions of the cleaned rows and the raw row count; needed for ``original``.
    groups : ndarray of shape (n_rows,), optional
        Patient of each row (``PatientId`` or codes of it); needed for ``grouped``.

    Returns
    -------
    dict with keys ``train``, ``val``, ``test``: sorted int64 position arrays, disjoint, covering
    every row.

    Raises
    ------
    ValueError
        An unknown ``kind``, or the input that kind needs is missing or has the wrong length.
    """
    y = np.asarray(y).astype(np.int64)
    n = len(y)
    positions = np.arange(n)
    if kind not in SPLIT_KINDS:
        raise ValueError(f"unknown split kind {kind!r}; choose one of {', '.join(map(repr, SPLIT_KINDS))}")
    _check_enough(y, kind)
    if kind == "stratified":
        rest, test = train_test_split(positions, test_size=FRACTIONS["test"], stratify=y, random_state=seed)
        rest = np.sort(rest)
        train, val = (rest[i] for i in partition_rest(kind, y[rest], seed))
    elif kind == "grouped":
        if groups is None:
            raise ValueError("the grouped split needs groups (the PatientId of each row); pass groups=...")
        if len(groups) != n:
            raise ValueError(f"the grouped split needs one group per row: got {len(groups)} groups for {n} rows")
        parts = grouped_split(y, groups, seed)
        train, val, test = parts["train"], parts["val"], parts["test"]
        if min(len(train), len(val), len(test)) == 0:
            raise ValueError(f"the grouped split needs more patients: {len(np.unique(groups))} patients "
                             "left a part empty")
    elif kind == "temporal":
        if appointment_day is None:
            raise ValueError("the temporal split needs appointment_day (the AppointmentDay of each row)")
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
            raise ValueError("the original split needs raw_row and n_raw (raw file positions and row count)")
        in_test = np.isin(np.asarray(raw_row), original_test_rows(n_raw))
        test = positions[in_test]
        rest = positions[~in_test]
        train, val = (rest[i] for i in partition_rest(kind, y[rest], seed))
    return {name: np.sort(np.asarray(part, dtype=np.int64)) for name, part in
            (("train", train), ("val", val), ("test", test))}


def day_numbers(appointment_day) -> np.ndarray:
    """Appointment days as int64 days since 1970-01-01 (time of day dropped).

    Parameters
    ----------
    appointment_day : array-like of shape (n_rows,), datetime64 or pandas datetimes
    """
    return np.asarray(pd.to_datetime(appointment_day)).astype("datetime64[D]").astype(np.int64)


def patient_codes(patient_id) -> np.ndarray:
    """int64 codes of the patients (0, 1, ... in order of first appearance), shape (n_rows,)."""
    return pd.factorize(np.asarray(patient_id))[0].astype(np.int64)


def split_diagnostics(patient: np.ndarray, day: np.ndarray, y: np.ndarray,
                      parts: dict[str, np.ndarray], held_out: str = "test") -> dict:
    """How much of the held-out part the training rows already reveal.

    Parameters
    ----------
    patient : ndarray of shape (n_rows,)
        Patient codes (:func:`patient_codes`).
    day : ndarray of shape (n_rows,)
        Appointment days as integers (:func:`day_numbers`).
    y : ndarray of shape (n_rows,)
        0/1 labels.
    parts : dict of position arrays with keys ``train`` and ``held_out``
    held_out : str
        The part compared with the training rows (``"test"``, or ``"val"``).

    Returns
    -------
    dict
        ``same_patient_same_day_rows``: share of held-out rows with a training row of the same
        patient on the same day; ``same_day_outcome_agreement``: over those rows, the mean share of
        those same-day training rows whose outcome equals the held-out row's (NaN if none);
        ``patients_in_train``: share of held-out patients that have a training row;
        ``rows_with_patient_in_train``: share of held-out rows whose patient has a training row;
        ``train_rows_with_held_out_outcome_in_history``: share of training rows whose history
        features (outcomes of the patient's earlier days) include a held-out row's outcome;
        ``latest_train_day`` / ``earliest_held_out_day`` (ISO dates) and
        ``train_rows_after_earliest_held_out_day``: training rows on days later than the earliest
        held-out day (0 for the temporal split).
    """
    patient = np.asarray(patient, dtype=np.int64)
    day = np.asarray(day, dtype=np.int64)
    y = np.asarray(y, dtype=np.int64)
    train, other = np.asarray(parts["train"]), np.asarray(parts[held_out])
    key = patient * 1_000_000 + (day - day.min())
    train_days = pd.DataFrame({"key": key[train], "y": y[train]}).groupby("key")["y"].agg(["size", "sum"])
    joined = pd.DataFrame({"key": key[other], "y": y[other]}).join(train_days, on="key")
    same_day = joined["size"].notna().to_numpy()
    matched = joined[same_day]
    positive_share = matched["sum"] / matched["size"]
    agreement = np.where(matched["y"] == 1, positive_share, 1.0 - positive_share)

    train_patients = np.unique(patient[train])
    other_patients = np.unique(patient[other])
    first_other_day = pd.Series(day[other]).groupby(patient[other]).min()
    train_first_other = first_other_day.reindex(patient[train]).to_numpy()
    history_leak = np.nan_to_num(train_first_other, nan=np.inf) < day[train]
    earliest_other = int(day[other].min())
    return {
        "held_out": held_out,
        "same_patient_same_day_rows": float(same_day.mean()),
        "same_patient_same_day_row_count": int(same_day.sum()),
        "same_day_outcome_agreement": float(agreement.mean()) if len(agreement) else float("nan"),
        "patients_in_train": float(np.isin(other_patients, train_patients).mean()),
        "rows_with_patient_in_train": float(np.isin(patient[other], train_patients).mean()),
        "train_rows_with_held_out_outcome_in_history": float(history_leak.mean()),
        "latest_train_day": str(np.datetime64(int(day[train].max()), "D")),
        "earliest_held_out_day": str(np.datetime64(earliest_other, "D")),
        "train_rows_after_earliest_held_out_day": int((day[train] > earliest_other).sum()),
    }


def describe_schemes(frame: pd.DataFrame, seed: int = 42, n_raw: int | None = None) -> pd.DataFrame:
    """One row per split kind on the cleaned rows at hand: sizes, test no-show rate, diagnostics.

    Parameters
    ----------
    frame : DataFrame
        Cleaned rows with ``PatientId``, ``AppointmentDay``, ``No-show`` and ``row`` (e.g. the
        frame of :func:`helpers.data.pipeline.prepare`).
    seed : int
        Seeds the stratified and grouped draws, as in :func:`make_split`.
    n_raw : int, optional
        Raw row count of the file; the ``original`` scheme is included only when given (it is
        defined on the full raw file's row positions).

    Returns
    -------
    DataFrame indexed by scheme
        ``train_rows``, ``val_rows``, ``test_rows``, ``test_no_show_rate`` and the test-part
        entries of :func:`split_diagnostics`.
    """
    y = frame["No-show"].to_numpy(dtype=np.int64)
    patient = patient_codes(frame["PatientId"])
    day = day_numbers(frame["AppointmentDay"])
    kinds = [k for k in SPLIT_KINDS if k != "original" or n_raw is not None]
    records = {}
    for kind in kinds:
        parts = make_split(y, kind, seed=seed, appointment_day=frame["AppointmentDay"].to_numpy(),
                           raw_row=frame["row"].to_numpy(), n_raw=n_raw, groups=patient)
        diagnostics = split_diagnostics(patient, day, y, parts, "test")
        diagnostics.pop("held_out")
        records[kind] = {
            **{f"{p}_rows": len(parts[p]) for p in PARTS},
            "test_no_show_rate": float(y[parts["test"]].mean()),
            **diagnostics,
        }
    table = pd.DataFrame.from_dict(records, orient="index")
    table.index.name = "scheme"
    return table
