"""From the raw file to the prepared arrays: read, validate, clean, featurise, split, encode, scale.

:func:`prepare` is the one pipeline behind every number in the report. It returns the cleaned
frame (for the data notebook's plots) and saves the arrays the model notebooks read.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler, TargetEncoder

from . import data as raw_data
from .features import FEATURE_NAMES, build_features
from .prepared import PARTS, PreparedData, save_prepared, split_dir
from .splits import make_split, original_test_rows

NEIGHBOURHOOD_FEATURES = ["neighbourhood_no_show_rate", "log1p_neighbourhood_count"]


@dataclass
class PreparationResult:
    """What :func:`prepare` produced."""

    frame: pd.DataFrame  #: cleaned rows + features + ``part`` column ("train"/"val"/"test")
    prepared: PreparedData  #: the scaled arrays and metadata that were saved
    ledger: pd.DataFrame  #: the cleaning ledger as a table

    @property
    def meta(self) -> dict:
        return self.prepared.meta


def _sample(frame: pd.DataFrame, sample_rows: int | None, seed: int) -> tuple[pd.DataFrame, int]:
    """A seeded random sample of the raw rows (for quick runs); returns it and how many were left out."""
    if not sample_rows or sample_rows >= len(frame):
        return frame, 0
    if sample_rows < 1:
        raise raw_data.DataError(f"sample_rows must be a positive row count, got {sample_rows}")
    keep = np.sort(np.random.default_rng(seed).choice(len(frame), size=int(sample_rows), replace=False))
    return frame.iloc[keep].reset_index(drop=True), len(frame) - len(keep)


def _encode_neighbourhood(neighbourhood: pd.Series, y: np.ndarray, parts: dict[str, np.ndarray], seed: int) -> np.ndarray:
    """Two neighbourhood columns fitted without validation or test labels.

    ``neighbourhood_no_show_rate``: scikit-learn's ``TargetEncoder`` (smoothed mean of the label)
    fitted on the training rows; the training rows themselves get cross-fitted (out-of-fold)
    values so that a row's own label never enters its own feature. ``log1p_neighbourhood_count``:
    how many appointments the neighbourhood has (no labels used).

    Returns
    -------
    ndarray of shape (n_rows, 2)
    """
    cats = neighbourhood.to_numpy().reshape(-1, 1)
    rate = np.empty(len(cats))
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    encoder = TargetEncoder(target_type="binary", smooth="auto", cv=folds)
    rate[parts["train"]] = encoder.fit_transform(cats[parts["train"]], y[parts["train"]]).ravel()
    for part in ("val", "test"):
        rate[parts[part]] = encoder.transform(cats[parts[part]]).ravel()
    counts = neighbourhood.map(neighbourhood.value_counts()).to_numpy(dtype=float)
    return np.column_stack([rate, np.log1p(counts)])


def _balance(y: np.ndarray) -> dict:
    n = int(len(y))
    pos = int(y.sum())
    return {"rows": n, "no_show": pos, "show": n - pos, "no_show_rate": pos / n if n else float("nan")}


def prepare(
    data_path: str | os.PathLike | None = None,
    split: str = "stratified",
    seed: int = 42,
    sample_rows: int | None = None,
    processed_dir: str | os.PathLike | None = None,
    synthetic_rows: int = 110_527,
    save: bool = True,
) -> PreparationResult:
    """Run the whole data pipeline and save the prepared arrays for ``split``.

    Parameters
    ----------
    data_path : path, optional
        The raw file (``.csv`` or ``.zip``); see :func:`helpers.data.find_data` for the fall-backs.
    split : {"stratified", "temporal", "original"}
    seed : int
        Seeds the sample, the split and the target encoder's folds.
    sample_rows : int, optional
        Keep a seeded random sample of this many raw rows (quick runs, tests). Counted in the ledger.
    processed_dir : path, optional
        Default ``data/processed``; the arrays go to ``<processed_dir>/<split>/``.
    synthetic_rows : int
        Rows generated when no file is found.
    save : bool
        Write the arrays and metadata (atomically).
    """
    source = raw_data.find_data(data_path)
    raw, source_info = raw_data.load_raw(source, synthetic_rows=synthetic_rows)
    n_read = len(raw)
    sampled, n_not_sampled = _sample(raw, sample_rows, seed)
    cleaned, ledger = raw_data.clean(sampled)
    if n_not_sampled:  # the ledger starts from the rows read, not from the sample
        ledger = [
            {"step": "rows read", "action": "-", "rows": n_read, "rows_left": n_read},
            {"step": f"not in the random sample (sample_rows={sample_rows})", "action": "dropped",
             "rows": n_not_sampled, "rows_left": len(sampled)},
            *ledger[1:],
        ]
    dropped_total = sum(e["rows"] for e in ledger if e["action"] == "dropped")
    assert n_read == len(cleaned) + dropped_total, "ledger: rows in != rows kept + rows dropped"

    y_all = cleaned["No-show"].to_numpy(dtype=np.int64)
    parts = make_split(
        y_all, kind=split, seed=seed, appointment_day=cleaned["AppointmentDay"].to_numpy(),
        raw_row=cleaned["row"].to_numpy(), n_raw=n_read,
    )
    features = build_features(cleaned)
    neighbourhood = _encode_neighbourhood(cleaned["Neighbourhood"], y_all, parts, seed)
    matrix = np.column_stack([features.to_numpy(dtype=np.float64), neighbourhood])
    feature_names = FEATURE_NAMES + NEIGHBOURHOOD_FEATURES
    scaler = StandardScaler().fit(matrix[parts["train"]])
    scaled = scaler.transform(matrix).astype(np.float32)

    split_info: dict = {"kind": split, "seed": seed, "fractions": {p: len(parts[p]) / len(y_all) for p in PARTS}}
    if split == "original":
        test_rows = original_test_rows(n_read)
        kept_rows = set(cleaned["row"].to_numpy().tolist())
        split_info["original"] = {
            "raw_test_rows": int(len(test_rows)),
            "raw_test_no_shows": int(raw["No-show"].to_numpy()[test_rows].sum()),
            "test_rows_removed_by_cleaning_or_sampling": int(sum(r not in kept_rows for r in test_rows.tolist())),
            "comparable_to_week1_report": (not source_info["synthetic"]) and not n_not_sampled,
        }
    meta = {
        "source": source_info,
        "sample_rows": int(sample_rows) if n_not_sampled else None,
        "rows": {"read": n_read, "kept": len(cleaned), "dropped": dropped_total},
        "ledger": ledger,
        "split": split_info,
        "balance": {"all": _balance(y_all), **{p: _balance(y_all[parts[p]]) for p in PARTS}},
        "feature_names": feature_names,
        "scaler": {"mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist()},
        "environment": {"python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__},
    }
    prepared = PreparedData(
        X={p: scaled[parts[p]] for p in PARTS},
        y={p: y_all[parts[p]].astype(np.int8) for p in PARTS},
        rows={p: cleaned["row"].to_numpy()[parts[p]] for p in PARTS},
        meta=meta,
    )
    if save:
        save_prepared(prepared, split_dir(processed_dir, split))
    frame = pd.concat([cleaned, features], axis=1)
    frame["part"] = ""
    for p in PARTS:
        frame.loc[parts[p], "part"] = p
    return PreparationResult(frame=frame, prepared=prepared, ledger=pd.DataFrame(ledger))
