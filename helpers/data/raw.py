"""Find, read, validate and clean the raw appointments file.

Where the data comes from (first match wins, see :func:`find_data`):

1. a path given explicitly (the notebooks' ``data_path`` parameter);
2. the environment variable ``NOSHOW_DATA``;
3. ``data/KaggleV2-May-2016.csv`` or ``data/KaggleV2-May-2016.csv.zip``;
4. otherwise the embedded synthetic data set (:mod:`helpers.data.synthetic`), announced loudly.

Every problem with the input raises :class:`DataError` naming the file, the column and how many
rows are affected; no row is dropped or changed without being counted in the cleaning ledger.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import sys
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import paths
from helpers.artifacts import sha256_file
from helpers.data.synthetic import make_synthetic

ENV_VAR = "NOSHOW_DATA"
KAGGLE_NAME = "KaggleV2-May-2016.csv"
KAGGLE_URL = "https://www.kaggle.com/datasets/joniarroba/noshowappointments"
#: The value of ``data_path`` / ``NOSHOW_DATA`` that asks for the synthetic default explicitly.
SYNTHETIC = "synthetic"

#: The 14 columns of the Kaggle file, in order.
EXPECTED_COLUMNS = [
    "PatientId", "AppointmentID", "Gender", "ScheduledDay", "AppointmentDay", "Age",
    "Neighbourhood", "Scholarship", "Hipertension", "Diabetes", "Alcoholism", "Handcap",
    "SMS_received", "No-show",
]
BINARY_FLAGS = ["Scholarship", "Hipertension", "Diabetes", "Alcoholism", "SMS_received"]
TARGET = "No-show"
TARGET_LABELS = {"Yes": 1, "No": 0}


class DataError(ValueError):
    """The input data cannot be used; the message says which file, column and rows."""


class SyntheticDataWarning(UserWarning):
    """The report is running on the embedded synthetic data, not the real file."""


@dataclass(frozen=True)
class DataSource:
    """Where the raw data comes from.

    Attributes
    ----------
    origin : str
        ``"parameter"``, ``"environment"``, ``"data folder"`` or ``"synthetic"``.
    path : Path or None
        The file, or ``None`` for the synthetic default.
    """
    origin: str
    path: Path | None = None

    @property
    def is_synthetic(self) -> bool:
        return self.path is None

    @property
    def name(self) -> str:
        return "synthetic (embedded generator)" if self.path is None else self.path.name


def find_data(data_path: str | os.PathLike | None = None) -> DataSource:
    """Decide which data the report runs on.

    A path given explicitly or through ``NOSHOW_DATA`` must exist: a typo is an error, not a
    silent fall-back to synthetic data. The value ``"synthetic"`` asks for the synthetic default
    even when a real file is present.
    """
    for origin, given in (("parameter", data_path), ("environment", os.environ.get(ENV_VAR))):
        if str(given).strip() == SYNTHETIC:
            return _synthetic(f"{origin} asked for it")
        if given is not None and str(given).strip() != "":
            path = paths.resolve(str(given).strip(), paths.DATA_DIR)
            if not path.is_file():
                where = "the data_path parameter" if origin == "parameter" else f"${ENV_VAR}"
                raise DataError(
                    f"{path.name}: file not found (given by {where} as {given!r}). "
                    f"Download {KAGGLE_NAME} from {KAGGLE_URL} into data/, or unset it to use the "
                    "synthetic default."
                )
            return DataSource(origin, path)
    for candidate in (paths.DATA_DIR / KAGGLE_NAME, paths.DATA_DIR / f"{KAGGLE_NAME}.zip"):
        if candidate.is_file():
            return DataSource("data folder", candidate)
    return _synthetic(f"no data file found (data_path, ${ENV_VAR}, data/{KAGGLE_NAME}[.zip])")


def _synthetic(reason: str) -> DataSource:
    """The synthetic source, announced by a :class:`SyntheticDataWarning` at the caller of :func:`find_data`.

    The warning names the calling file relative to the project (:func:`helpers.paths.display_path`), as
    ``warnings.warn`` would by its absolute path: a notebook's output shows no folder of this machine.
    """
    caller = sys._getframe(2)  # _synthetic <- find_data <- its caller (stacklevel 3)
    warnings.warn_explicit(
        f"Running on the SYNTHETIC default ({reason}). Its numbers are not findings about real patients.",
        SyntheticDataWarning,
        paths.display_path(caller.f_code.co_filename),
        caller.f_lineno,
        module=caller.f_globals.get("__name__"),
    )
    return DataSource("synthetic")


def _open_text(path: Path) -> str:
    """The CSV text of ``path`` (a ``.csv`` or a ``.zip`` holding exactly one ``.csv``)."""
    name = path.name
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                members = [m for m in zf.namelist() if m.lower().endswith(".csv") and not m.startswith("__MACOSX")]
                if len(members) != 1:
                    raise DataError(
                        f"{name}: a zip must hold exactly one .csv file, found {len(members)} "
                        f"({', '.join(members) or 'none'})"
                    )
                raw = zf.read(members[0])
        elif path.suffix.lower() == ".zip":
            raise DataError(f"{name}: not a valid zip archive (corrupt or truncated download?)")
        else:
            raw = path.read_bytes()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        raise DataError(f"{name}: cannot be read ({exc.__class__.__name__}: {exc})") from None
    if b"\x00" in raw[:4096]:
        raise DataError(f"{name}: looks like a binary file, not a CSV text file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("latin-1")
        except UnicodeDecodeError as exc:  # pragma: no cover - latin-1 decodes any byte
            raise DataError(f"{name}: not text in UTF-8 or Latin-1 ({exc})") from None


def read_csv_strict(path: str | os.PathLike) -> pd.DataFrame:
    """Read the raw file with every column as text; structural problems raise :class:`DataError`."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise DataError(f"{name}: file not found")
    text = _open_text(path)
    if not text.strip():
        raise DataError(f"{name}: the file is empty (0 bytes of data, no header)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text), dtype=str, keep_default_na=False, na_values=[], skipinitialspace=True,
                index_col=False, on_bad_lines="error",
            )
    except pd.errors.ParserWarning:
        raise DataError(f"{name}: not a well-formed CSV (data rows have more fields than the header)") from None
    except pd.errors.ParserError as exc:
        raise DataError(f"{name}: not a well-formed CSV ({exc})") from None
    except (pd.errors.EmptyDataError, csv.Error) as exc:
        raise DataError(f"{name}: cannot be parsed as CSV ({exc})") from None
    header = [c.strip() for c in next(csv.reader(io.StringIO(text.splitlines()[0])))]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if duplicated:
        raise DataError(f"{name}: duplicated column names {duplicated} in the header")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _rows_hint(mask: np.ndarray, values: pd.Series, limit: int = 3) -> str:
    """'N rows (e.g. file line 12: 'abc', ...)' for an error message; line = header + 1-based."""
    where = np.flatnonzero(mask)
    examples = ", ".join(f"line {i + 2}: {values.iloc[i]!r}" for i in where[:limit])
    return f"{len(where)} row{'s' if len(where) != 1 else ''} (e.g. {examples})"


def _check_columns(frame: pd.DataFrame, name: str) -> None:
    missing = [c for c in EXPECTED_COLUMNS if c not in frame.columns]
    if missing:
        hints = []
        for col in missing:
            close = difflib.get_close_matches(col, [str(c) for c in frame.columns], n=1, cutoff=0.6)
            hints.append(f"{col!r}" + (f" (found {close[0]!r}: renamed?)" if close else ""))
        raise DataError(
            f"{name}: missing column{'s' if len(missing) > 1 else ''} {', '.join(hints)}; "
            f"expected the {len(EXPECTED_COLUMNS)} Kaggle columns {EXPECTED_COLUMNS}, "
            f"found {list(frame.columns)}"
        )


def _parse_integers(frame: pd.DataFrame, column: str, name: str) -> np.ndarray:
    text = frame[column].str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna().to_numpy() | ~np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        raise DataError(f"{name}: column {column!r} must be numeric; {_rows_hint(bad, text)}")
    values = numbers.to_numpy(dtype=float)
    fractional = values != np.round(values)
    if fractional.any():
        raise DataError(f"{name}: column {column!r} must hold whole numbers; {_rows_hint(fractional, text)}")
    return values.astype(np.int64)


def _parse_timestamps(frame: pd.DataFrame, column: str, name: str) -> pd.Series:
    text = frame[column].str.strip()
    stamps = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
    bad = stamps.isna().to_numpy()
    if bad.any():
        raise DataError(
            f"{name}: column {column!r} has unparseable dates (expected ISO 8601 such as "
            f"'2016-04-29T18:38:08Z'); {_rows_hint(bad, text)}"
        )
    return stamps.dt.tz_localize(None)


def validate(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Check the raw text frame and return it typed, with the raw row position in ``row``.

    Parameters
    ----------
    frame : DataFrame of shape (n_rows, >= 14), all text
        As returned by :func:`read_csv_strict` (extra columns are ignored).
    name : str
        The file name used in error messages.

    Returns
    -------
    DataFrame of shape (n_rows, 15)
        The Kaggle columns with proper dtypes, ``No-show`` as 0/1 and ``row`` (0-based position).

    Raises
    ------
    DataError
        Missing/renamed columns, no data rows, empty cells, unknown labels, unparseable dates,
        non-numeric ages or flags, flags outside their range, duplicated ``AppointmentID``, or a
        target with a single class.
    """
    _check_columns(frame, name)
    frame = frame[EXPECTED_COLUMNS]
    if len(frame) == 0:
        raise DataError(f"{name}: the file has a header but no data rows")
    for column in EXPECTED_COLUMNS:
        empty = (frame[column].str.strip() == "").to_numpy()
        if empty.any():
            raise DataError(
                f"{name}: column {column!r} has {int(empty.sum())} empty cell"
                f"{'s' if empty.sum() != 1 else ''} (first at file line {int(np.flatnonzero(empty)[0]) + 2})"
            )

    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    patient = pd.to_numeric(frame["PatientId"].str.strip(), errors="coerce")
    bad = patient.isna().to_numpy()
    if bad.any():
        raise DataError(f"{name}: column 'PatientId' must be numeric; {_rows_hint(bad, frame['PatientId'])}")
    out["PatientId"] = patient.to_numpy(dtype=float).astype(np.int64)
    out["AppointmentID"] = _parse_integers(frame, "AppointmentID", name)
    duplicated = out["AppointmentID"].duplicated(keep="first").to_numpy()
    if duplicated.any():
        raise DataError(
            f"{name}: column 'AppointmentID' must be unique; {_rows_hint(duplicated, frame['AppointmentID'])} "
            "repeat an earlier ID"
        )
    gender = frame["Gender"].str.strip().str.upper()
    bad = ~gender.isin(["F", "M"]).to_numpy()
    if bad.any():
        raise DataError(f"{name}: column 'Gender' must be 'F' or 'M'; {_rows_hint(bad, frame['Gender'])}")
    out["Gender"] = gender.to_numpy()
    out["ScheduledDay"] = _parse_timestamps(frame, "ScheduledDay", name).to_numpy()
    out["AppointmentDay"] = _parse_timestamps(frame, "AppointmentDay", name).to_numpy()
    out["Age"] = _parse_integers(frame, "Age", name)
    out["Neighbourhood"] = frame["Neighbourhood"].str.strip().str.upper().to_numpy()
    for column in BINARY_FLAGS:
        values = _parse_integers(frame, column, name)
        bad = ~np.isin(values, [0, 1])
        if bad.any():
            raise DataError(f"{name}: column {column!r} must be 0 or 1; {_rows_hint(bad, frame[column])}")
        out[column] = values
    handcap = _parse_integers(frame, "Handcap", name)
    bad = (handcap < 0) | (handcap > 10)
    if bad.any():
        raise DataError(f"{name}: column 'Handcap' must be a count 0-10; {_rows_hint(bad, frame['Handcap'])}")
    out["Handcap"] = handcap

    labels = frame[TARGET].str.strip()
    known = labels.isin(list(TARGET_LABELS)).to_numpy()
    if not known.all():
        unknown = sorted(labels[~known].unique())[:5]
        raise DataError(
            f"{name}: column {TARGET!r} must be 'Yes' or 'No'; {int((~known).sum())} rows have other "
            f"labels {unknown}"
        )
    out[TARGET] = labels.map(TARGET_LABELS).to_numpy(dtype=np.int64)
    counts = np.bincount(out[TARGET].to_numpy(), minlength=2)
    if (counts == 0).any():
        only = "No" if counts[1] == 0 else "Yes"
        raise DataError(
            f"{name}: column {TARGET!r} has a single class (all {len(out)} rows are {only!r}); "
            "a classifier needs both"
        )
    out["row"] = np.arange(len(frame), dtype=np.int64)
    return out


def clean(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Drop impossible rows, counting every drop by reason.

    Rules (a row is counted under the first rule it breaks):

    - ``Age < 0``: dropped (an impossible age);
    - scheduled on a later day than the appointment day: dropped (the lead time is negative).

    ``Handcap`` is kept as the count it is (0-4); nothing is changed in place.

    Parameters
    ----------
    frame : DataFrame
        Typed rows from :func:`validate`.

    Returns
    -------
    kept : DataFrame
        The rows kept, original order, ``row`` still pointing at the raw file row.
    ledger : list of dict
        One entry per step: ``step``, ``action``, ``rows`` and the running ``rows_left``.
        The first entry is the rows in; ``rows in == rows kept + rows dropped`` is asserted.
    """
    n_in = len(frame)
    ledger = [{"step": "rows read", "action": "-", "rows": n_in, "rows_left": n_in}]
    keep = np.ones(n_in, dtype=bool)
    rules = [
        ("Age < 0", frame["Age"].to_numpy() < 0),
        (
            "scheduled after the appointment day",
            (frame["ScheduledDay"].dt.normalize() > frame["AppointmentDay"].dt.normalize()).to_numpy(),
        ),
    ]
    for step, broken in rules:
        dropped = keep & broken
        keep &= ~broken
        ledger.append({"step": step, "action": "dropped", "rows": int(dropped.sum()), "rows_left": int(keep.sum())})
    kept = frame.loc[keep].reset_index(drop=True)
    n_dropped = sum(e["rows"] for e in ledger if e["action"] == "dropped")
    assert n_in == len(kept) + n_dropped, "cleaning ledger does not add up"
    ledger.append({"step": "rows kept", "action": "-", "rows": len(kept), "rows_left": len(kept)})
    return kept, ledger


def load_raw(source: DataSource, synthetic_rows: int = 110_527, synthetic_seed: int = 0) -> tuple[pd.DataFrame, dict]:
    """Read and validate the raw rows of ``source``.

    Returns
    -------
    frame : DataFrame
        Typed rows from :func:`validate`.
    info : dict
        ``source_name``, ``sha256`` (of the file as given; ``None`` for synthetic),
        ``synthetic`` and ``origin`` -- file names and checksums, never absolute paths.
    """
    if source.is_synthetic:

        text = make_synthetic(n_rows=synthetic_rows, seed=synthetic_seed).astype(str)
        info = {"source_name": source.name, "sha256": None, "synthetic": True, "origin": source.origin,
                "synthetic_rows": synthetic_rows, "synthetic_seed": synthetic_seed}
    else:
        text = read_csv_strict(source.path)
        info = {"source_name": source.name, "sha256": sha256_file(source.path), "synthetic": False,
                "origin": source.origin}
    return validate(text, source.name), info
