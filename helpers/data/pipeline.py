"""From the raw file to the prepared arrays: read, validate, clean, featurise, split, encode, scale.

:func:`prepare` is the one pipeline behind every number in the report. It returns the cleaned
frame (for the data notebook's plots) and saves the arrays the model notebooks read.

What is fitted on which rows
----------------------------
- the neighbourhood no-show rate (a target encoder): training labels only, cross-fitted on the
  training rows themselves (:func:`encode_neighbourhood`);
- the neighbourhood appointment count: training rows only (an unseen neighbourhood counts 0);
- the scaler: training rows only.

The history features (``prior_*``, :mod:`helpers.data.features`) are not fitted: they count the same
patient's outcomes on strictly earlier days, whatever part those rows are in. Known before the
appointment day, so legitimate; but in the random splits (stratified, original) a *test* row's
outcome enters the history of the same patient's later *training* rows. ``meta["split"]`` measures
that and the other ways a split lets the test rows through (:func:`helpers.data.splits.split_diagnostics`);
the grouped and temporal splits exist to rule them out.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler, TargetEncoder

from helpers.data import folds
from helpers.data import raw as raw_data
from helpers.data.features import FEATURE_NAMES, build_features
from helpers.data.prepared import PARTS, PreparedData, save_prepared, split_dir
from helpers.data.splits import (
    day_numbers,
    make_split,
    original_test_rows,
    patient_codes,
    split_diagnostics,
)

NEIGHBOURHOOD_FEATURES = ["neighbourhood_no_show_rate", "log1p_neighbourhood_count"]
#: Cross-fitting folds of the neighbourhood target encoder.
ENCODER_FOLDS = 5


@dataclass
class PreparationResult:
    """What :func:`prepare` produced."""

    frame: pd.DataFrame  #: cleaned rows + features + ``part`` column ("train"/"val"/"test")
    prepared: PreparedData  #: the scaled arrays and metadata that were saved
    ledger: pd.DataFrame  #: the cleaning ledger as a table

    @property
    def meta(self) -> dict:
        return self.prepared.meta


@dataclass
class FeatureMatrix:
    """The model inputs of every cleaned row, before and after scaling (see :func:`build_matrix`)."""

    raw: np.ndarray  #: (n_rows, n_features) float64, unscaled
    scaled: np.ndarray  #: (n_rows, n_features) float32, standardised with training-row statistics
    names: list[str]  #: the n_features column names
    features: pd.DataFrame  #: the label-free and history features (:func:`helpers.data.features.build_features`)
    scaler: StandardScaler  #: fitted on the training rows
    neighbourhood: dict  #: the neighbourhood encoder's statistics (:func:`encode_neighbourhood`)


def _sample(frame: pd.DataFrame, sample_rows: int | None, seed: int) -> tuple[pd.DataFrame, int]:
    """A seeded random sample of the raw rows (for quick runs); returns it and how many were left out."""
    if not sample_rows or sample_rows >= len(frame):
        return frame, 0
    if sample_rows < 1:
        raise raw_data.DataError(f"sample_rows must be a positive row count, got {sample_rows}")
    keep = np.sort(np.random.default_rng(seed).choice(len(frame), size=int(sample_rows), replace=False))
    return frame.iloc[keep].reset_index(drop=True), len(frame) - len(keep)


def _rate_encoder(seed: int) -> TargetEncoder:
    """The neighbourhood target encoder: smoothed label mean, cross-fitted on ENCODER_FOLDS folds."""
    cv = StratifiedKFold(n_splits=ENCODER_FOLDS, shuffle=True, random_state=seed)
    return TargetEncoder(target_type="binary", smooth="auto", cv=cv)


def encode_neighbourhood(neighbourhood: pd.Series, y: np.ndarray, parts: dict[str, np.ndarray],
                         seed: int) -> tuple[np.ndarray, dict]:
    """Two neighbourhood columns fitted on the training rows only.

    ``neighbourhood_no_show_rate``: scikit-learn's ``TargetEncoder`` (smoothed mean of the label)
    fitted on the training rows; the training rows themselves get cross-fitted (out-of-fold)
    values so that a row's own label never enters its own feature. ``log1p_neighbourhood_count``:
    ``log(1 + training appointments in the neighbourhood)`` (no labels; 0 for a neighbourhood
    without training rows).

    Parameters
    ----------
    neighbourhood : Series of shape (n_rows,)
    y : ndarray of shape (n_rows,)
        0/1 labels; only ``y[parts["train"]]`` is read.
    parts : dict of position arrays (``train``, ``val``, ``test``)
    seed : int
        Seeds the cross-fitting folds.

    Returns
    -------
    columns : ndarray of shape (n_rows, 2)
    statistics : dict
        ``target_mean`` (the training no-show rate), ``rate`` and ``train_count`` per
        neighbourhood (what validation and test rows are encoded with).
    """
    cats = neighbourhood.to_numpy().reshape(-1, 1)
    train = parts["train"]
    rate = np.empty(len(cats))
    encoder = _rate_encoder(seed)
    rate[train] = encoder.fit_transform(cats[train], np.asarray(y)[train]).ravel()
    for part in parts:
        if part != "train":
            rate[parts[part]] = encoder.transform(cats[parts[part]]).ravel()
    train_counts = neighbourhood.iloc[train].value_counts()
    counts = neighbourhood.map(train_counts).fillna(0).to_numpy(dtype=float)
    statistics = {
        "target_mean": float(encoder.target_mean_),
        "rate": dict(zip(map(str, encoder.categories_[0]), map(float, encoder.encodings_[0]))),
        "train_count": {str(k): int(v) for k, v in train_counts.sort_index().items()},
    }
    return np.column_stack([rate, np.log1p(counts)]), statistics


def _encode_neighbourhood(neighbourhood: pd.Series, y: np.ndarray, parts: dict[str, np.ndarray], seed: int) -> np.ndarray:
    """The (n_rows, 2) columns of :func:`encode_neighbourhood` without the statistics."""
    return encode_neighbourhood(neighbourhood, y, parts, seed)[0]


def build_matrix(cleaned: pd.DataFrame, parts: dict[str, np.ndarray], seed: int) -> FeatureMatrix:
    """Features, neighbourhood columns and scaling of every cleaned row, for a given split.

    Parameters
    ----------
    cleaned : DataFrame
        Cleaned rows (:func:`helpers.data.clean`), index 0..n_rows-1.
    parts : dict of position arrays (``train``, ``val``, ``test``)
    seed : int
        Seeds the encoder's cross-fitting folds.
    """
    y = cleaned["No-show"].to_numpy(dtype=np.int64)
    features = build_features(cleaned)
    raw, scaled, scaler, statistics = encode_and_scale(features.to_numpy(dtype=np.float64), cleaned["Neighbourhood"],
                                                       y, parts, seed)
    return FeatureMatrix(raw=raw, scaled=scaled, names=FEATURE_NAMES + NEIGHBOURHOOD_FEATURES, features=features,
                         scaler=scaler, neighbourhood=statistics)


def encode_and_scale(features: np.ndarray, neighbourhood: pd.Series, y: np.ndarray, parts: dict[str, np.ndarray],
                     seed: int) -> tuple[np.ndarray, np.ndarray, StandardScaler, dict]:
    """The fitted steps of the pipeline, on one partition: neighbourhood columns, then scaling.

    Parameters
    ----------
    features : ndarray of shape (n_rows, n_features)
        The unscaled label-free and history features (nothing fitted).
    neighbourhood : Series of shape (n_rows,)
        Neighbourhood of each row (names or codes).
    y : ndarray of shape (n_rows,)
        0/1 labels; only the training rows' are read.
    parts : dict of position arrays (``train``, ``val``, ``test``)
    seed : int
        Seeds the encoder's cross-fitting folds.

    Returns
    -------
    raw : ndarray of shape (n_rows, n_features + 2), float64
    scaled : ndarray of shape (n_rows, n_features + 2), float32
        Standardised with the training rows' means and standard deviations.
    scaler : StandardScaler
    statistics : dict
        The neighbourhood encoder's (:func:`encode_neighbourhood`).
    """
    columns, statistics = encode_neighbourhood(neighbourhood, y, parts, seed)
    raw = np.column_stack([np.asarray(features, dtype=np.float64), columns])
    scaler = StandardScaler().fit(raw[parts["train"]])
    return raw, scaler.transform(raw).astype(np.float32), scaler, statistics


def encoder_vs_tuning_folds(neighbourhood_train: pd.Series, y_train: np.ndarray, groups_train: np.ndarray,
                            rate_train: np.ndarray, split: str, seed: int, days_train: np.ndarray | None = None) -> dict:
    """How much the tuning folds' held-out labels moved the training rows' neighbourhood rate.

    The target encoder is cross-fitted on all training rows, so the rate of a row in a tuning
    fold's training part was computed partly from labels that fold holds out. For each tuning
    fold (:func:`helpers.data.folds.for_split`) the encoder is refitted, with the same settings, on that
    fold's training rows only; the refitted values are compared with the prepared ones.

    Parameters
    ----------
    neighbourhood_train : Series of shape (n_train,)
    y_train : ndarray of shape (n_train,)
    groups_train : ndarray of shape (n_train,)
        Patient codes of the training rows (the tuning folds are grouped by them).
    days_train : ndarray of shape (n_train,), optional
        Appointment days of the training rows (the temporal split's folds are forward-chaining by day).
    rate_train : ndarray of shape (n_train,)
        The prepared (unscaled) ``neighbourhood_no_show_rate`` of the training rows.
    split : str
    seed : int

    Returns
    -------
    dict
        Absolute differences in units of the feature's training standard deviation
        (``feature_std``): per fold, their maximum, 99th percentile and mean (``max_abs``,
        ``p99_abs``, ``mean_abs``) over the fold's training rows (``fit_rows_*``) and over its
        held-out rows (``held_out_*``, encoded from the fold's training rows as validation rows
        would be); over folds, the largest maximum and the mean of the other two;
        ``fit_rows_max_neighbourhood_train_rows``: training rows of the neighbourhood where the
        largest difference occurs; and
        ``reshuffled_cv_reference``: the same differences when the encoder is refitted on *all*
        training rows with other cross-fitting folds (seed + 1), i.e. what reshuffling alone
        moves, without withholding any label.
    """
    cats = neighbourhood_train.to_numpy().reshape(-1, 1)
    y_train = np.asarray(y_train, dtype=np.int64)
    std = float(np.std(rate_train))
    scale = std if std > 0 else 1.0
    per_fold = []
    for fit_rows, held_out in folds.for_split(split, y_train, groups_train, folds.DEFAULT_FOLDS, seed, days=days_train):
        encoder = _rate_encoder(seed)
        refit = encoder.fit_transform(cats[fit_rows], y_train[fit_rows]).ravel()
        held = encoder.transform(cats[held_out]).ravel()
        fit_diff = np.abs(refit - rate_train[fit_rows]) / scale
        held_diff = np.abs(held - rate_train[held_out]) / scale
        worst = cats[fit_rows][int(np.argmax(fit_diff)), 0]
        per_fold.append({"fit_rows": int(len(fit_rows)), "held_out_rows": int(len(held_out)),
                         **_abs_summary("fit_rows", fit_diff), **_abs_summary("held_out", held_diff),
                         "fit_rows_max_neighbourhood_train_rows": int((cats[:, 0] == worst).sum())})
    reshuffled = np.abs(_rate_encoder(seed + 1).fit_transform(cats, y_train).ravel() - rate_train) / scale
    worst_fold = max(per_fold, key=lambda f: f["fit_rows_max_abs"])
    over_folds = {"fit_rows_max_neighbourhood_train_rows": worst_fold["fit_rows_max_neighbourhood_train_rows"]}
    for rows in ("fit_rows", "held_out"):
        over_folds[f"{rows}_max_abs"] = max(f[f"{rows}_max_abs"] for f in per_fold)
        for stat in ("p99", "mean"):
            over_folds[f"{rows}_{stat}_abs"] = float(np.mean([f[f"{rows}_{stat}_abs"] for f in per_fold]))
    return {
        "feature": "neighbourhood_no_show_rate",
        "tuning_folds": folds.DEFAULT_FOLDS,
        "encoder_folds": ENCODER_FOLDS,
        "feature_std": std,
        "per_fold": per_fold,
        **over_folds,
        "reshuffled_cv_reference": _abs_summary("", reshuffled),
    }


def _abs_summary(prefix: str, diff: np.ndarray) -> dict:
    """``{prefix_max_abs, prefix_p99_abs, prefix_mean_abs}`` of absolute differences ``diff``."""
    stem = f"{prefix}_" if prefix else ""
    return {f"{stem}max_abs": float(diff.max()), f"{stem}p99_abs": float(np.percentile(diff, 99)),
            f"{stem}mean_abs": float(diff.mean())}


def _balance(y: np.ndarray) -> dict:
    n = int(len(y))
    pos = int(y.sum())
    return {"rows": n, "no_show": pos, "show": n - pos, "no_show_rate": pos / n if n else float("nan")}


def _check_ledger(n_read: int, n_kept: int, ledger: list[dict]) -> int:
    """Rows dropped by the ledger; raises if rows read != rows kept + rows dropped."""
    dropped = sum(e["rows"] for e in ledger if e["action"] == "dropped")
    if n_read != n_kept + dropped:
        raise RuntimeError(
            f"cleaning ledger does not add up: {n_read:,} rows read, but {n_kept:,} kept + {dropped:,} "
            f"dropped = {n_kept + dropped:,}; a cleaning step removed rows without counting them"
        )
    return dropped


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
    split : {"stratified", "grouped", "temporal", "original"}
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
    dropped_total = _check_ledger(n_read, len(cleaned), ledger)

    y_all = cleaned["No-show"].to_numpy(dtype=np.int64)
    patient = patient_codes(cleaned["PatientId"])
    day = day_numbers(cleaned["AppointmentDay"])
    hood = pd.factorize(cleaned["Neighbourhood"], sort=True)[0].astype(np.int64)
    parts = make_split(
        y_all, kind=split, seed=seed, appointment_day=cleaned["AppointmentDay"].to_numpy(),
        raw_row=cleaned["row"].to_numpy(), n_raw=n_read, groups=patient,
    )
    matrix = build_matrix(cleaned, parts, seed)
    train = parts["train"]
    rate_column = matrix.names.index("neighbourhood_no_show_rate")

    split_info: dict = {
        "kind": split, "seed": seed,
        "fractions": {p: len(parts[p]) / len(y_all) for p in PARTS},
        "patients": {p: int(len(np.unique(patient[parts[p]]))) for p in PARTS},
        "diagnostics": split_diagnostics(patient, day, y_all, parts, "test"),
        "val_diagnostics": split_diagnostics(patient, day, y_all, parts, "val"),
    }
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
        "feature_names": matrix.names,
        "scaler": {"mean": matrix.scaler.mean_.tolist(), "scale": matrix.scaler.scale_.tolist()},
        "neighbourhood_encoding": matrix.neighbourhood,
        "encoder_vs_tuning_folds": encoder_vs_tuning_folds(
            cleaned["Neighbourhood"].iloc[train], y_all[train], patient[train],
            matrix.raw[train, rate_column], split, seed, day[train]),
        "environment": {"python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__},
    }
    prepared = PreparedData(
        X={p: matrix.scaled[parts[p]] for p in PARTS},
        y={p: y_all[parts[p]].astype(np.int8) for p in PARTS},
        rows={p: cleaned["row"].to_numpy()[parts[p]] for p in PARTS},
        meta=meta,
        groups={p: patient[parts[p]] for p in PARTS},
        days={p: day[parts[p]] for p in PARTS},
        features={p: matrix.raw[parts[p], :len(FEATURE_NAMES)] for p in PARTS},
        hoods={p: hood[parts[p]] for p in PARTS},
    )
    if save:
        save_prepared(prepared, split_dir(processed_dir, split))
    frame = pd.concat([cleaned, matrix.features], axis=1)
    frame["part"] = ""
    for p in PARTS:
        frame.loc[parts[p], "part"] = p
    return PreparationResult(frame=frame, prepared=prepared, ledger=pd.DataFrame(ledger))
