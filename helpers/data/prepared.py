"""The prepared data set on disk: what every model notebook and the benchmark read.

Layout of ``<processed_dir>/<split>/``:

- ``arrays.npz``: ``X_train``, ``X_val``, ``X_test`` (float32, scaled), ``y_*`` (int8 0/1),
  ``row_*`` (the raw file row of each example), ``group_*`` (int64 patient code: one code per
  ``PatientId``, shared across the parts) and ``day_*`` (int64 appointment day, days since
  1970-01-01); ``F_*`` (float64, the unscaled label-free and history features) and ``hood_*``
  (int64 neighbourhood code): what a seed's redrawn partition re-encodes and re-scales
  (:mod:`helpers.data.redraw`), read only when asked for (``sources=True``);
- ``meta.json``: source file name and SHA-256 (never a path), real or synthetic, split kind and
  seed, feature names, the cleaning ledger, row counts and class balance per split, the split's
  diagnostics and the neighbourhood encoder's statistics.

This module imports only NumPy and the standard library, so a process that trains the NumPy
network can load the data without pandas.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from helpers import paths
from helpers.artifacts import cached_json, cached_npz, save_npz, write_json

PARTS = ("train", "val", "test")
#: Arrays saved per part: ``<kind>_<part>`` in ``arrays.npz``.
ARRAY_KINDS = ("X", "y", "row", "group", "day")
#: Arrays a redrawn partition is rebuilt from: ``F`` (unscaled features before the neighbourhood columns)
#: and ``hood`` (neighbourhood codes); loaded only with ``sources=True``.
SOURCE_KINDS = ("F", "hood")


@dataclass
class PreparedData:
    """Scaled feature arrays for the three parts, and their metadata.

    Every dict is keyed by part (``train``, ``val``, ``test``, or those loaded); per part,
    ``X`` is (n, n_features) float32, ``y`` (n,) int8, ``rows`` (n,) raw file rows, ``groups``
    (n,) int64 patient codes and ``days`` (n,) int64 days since 1970-01-01; ``features`` (n, k) float64
    unscaled features without the neighbourhood columns and ``hoods`` (n,) int64 neighbourhood codes
    (empty unless loaded with ``sources=True``).
    """

    X: dict[str, np.ndarray]
    y: dict[str, np.ndarray]
    rows: dict[str, np.ndarray]
    meta: dict = field(default_factory=dict)
    groups: dict[str, np.ndarray] = field(default_factory=dict)
    days: dict[str, np.ndarray] = field(default_factory=dict)
    features: dict[str, np.ndarray] = field(default_factory=dict)
    hoods: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def feature_names(self) -> list[str]:
        return list(self.meta["feature_names"])

    @property
    def is_synthetic(self) -> bool:
        return bool(self.meta["source"]["synthetic"])


def split_dir(processed_dir: str | os.PathLike | None, split: str) -> Path:
    """``<processed_dir>/<split>``, relative paths taken from the repository root."""
    return paths.resolve(processed_dir, paths.PROCESSED_DIR) / split


def save_prepared(data: PreparedData, folder: str | os.PathLike) -> Path:
    """Write ``arrays.npz`` and then ``meta.json`` (each atomically) into ``folder``."""
    folder = Path(folder)
    arrays = {}
    for part in PARTS:
        arrays[f"X_{part}"] = data.X[part]
        arrays[f"y_{part}"] = data.y[part]
        arrays[f"row_{part}"] = data.rows[part]
        arrays[f"group_{part}"] = np.asarray(data.groups[part], dtype=np.int64)
        arrays[f"day_{part}"] = np.asarray(data.days[part], dtype=np.int64)
        if part in data.features:
            arrays[f"F_{part}"] = np.asarray(data.features[part], dtype=np.float64)
            arrays[f"hood_{part}"] = np.asarray(data.hoods[part], dtype=np.int64)
    save_npz(folder / "arrays.npz", **arrays)
    write_json(folder / "meta.json", data.meta)
    return folder


def load_prepared(processed_dir: str | os.PathLike | None = None, split: str = "stratified",
                  parts: tuple[str, ...] = PARTS, sources: bool = False) -> PreparedData:
    """Load what :func:`helpers.data.pipeline.prepare` saved for ``split``.

    Parameters
    ----------
    processed_dir : path, optional
    split : str
    parts : tuple of str
        Which parts to load (arrays of the others are never read).
    sources : bool
        Also load the unscaled features and neighbourhood codes (:data:`SOURCE_KINDS`) that a
        redrawn partition is rebuilt from.

    Raises
    ------
    FileNotFoundError
        With a hint to run notebook 01 (or ``make report``) first; also when the arrays were
        written by an older version without patient codes and days, and when a file was damaged
        (it is moved aside with a one-line warning: :func:`helpers.artifacts.read_cached`).
    """
    folder = split_dir(processed_dir, split)
    if not (folder / "meta.json").is_file() or not (folder / "arrays.npz").is_file():
        raise FileNotFoundError(
            f"no prepared data for split {split!r} in {paths.display_path(folder)}: run notebook "
            "01_data_and_imbalance (or `make report`) first"
        )
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise ValueError(f"unknown part(s) {unknown}; choose from {PARTS}")
    kinds = ARRAY_KINDS + (SOURCE_KINDS if sources else ())
    wanted = {f"{kind}_{p}" for p in parts for kind in kinds}
    arrays = cached_npz(folder / "arrays.npz", keys=wanted)
    meta = cached_json(folder / "meta.json", check=lambda m: None if isinstance(m, dict) else "not a JSON object")
    if arrays is None or meta is None:
        raise FileNotFoundError(
            f"the prepared data for split {split!r} in {paths.display_path(folder)} were damaged (moved aside, "
            "see the warning above): run notebook 01_data_and_imbalance (or `make report`) again"
        )
    missing = sorted(wanted - set(arrays))
    if missing:
        raise FileNotFoundError(
            f"{paths.display_path(folder / 'arrays.npz')} lacks {', '.join(missing)} (written by an older "
            "version): run notebook 01_data_and_imbalance (or `make report`) again"
        )
    return PreparedData(
        X={p: arrays[f"X_{p}"] for p in parts},
        y={p: arrays[f"y_{p}"] for p in parts},
        rows={p: arrays[f"row_{p}"] for p in parts},
        meta=meta,
        groups={p: arrays[f"group_{p}"] for p in parts},
        days={p: arrays[f"day_{p}"] for p in parts},
        features={p: arrays[f"F_{p}"] for p in parts} if sources else {},
        hoods={p: arrays[f"hood_{p}"] for p in parts} if sources else {},
    )


def source_banner(meta: dict) -> str:
    """A Markdown banner saying which data the numbers below come from."""
    source = meta["source"]
    if source["synthetic"]:
        return (  # plain Markdown: a blockquote renders the same in JupyterLab, HTML and PDF
            "> **SYNTHETIC DATA: these numbers are not findings.** This run uses the embedded synthetic "
            "generator (same schema as the Kaggle file), because no data file was found or `data_path` asked "
            "for it. To run on the real data, download `KaggleV2-May-2016.csv` from Kaggle (see "
            "`data/README.md`) into `data/`, or set `NOSHOW_DATA` / the `data_path` parameter."
        )
    sample = meta.get("sample_rows")
    sampled = f" — **a random sample of {sample:,} rows**, not the full file" if sample else ""
    return (
        f"Data: `{source['source_name']}` (sha256 `{source['sha256'][:16]}…`), "
        f"{meta['rows']['read']:,} rows read, split `{meta['split']['kind']}`{sampled}."
    )
