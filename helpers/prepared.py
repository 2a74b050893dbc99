"""The prepared data set on disk: what every model notebook and the benchmark read.

Layout of ``<processed_dir>/<split>/``:

- ``arrays.npz``: ``X_train``, ``X_val``, ``X_test`` (float32, scaled), ``y_*`` (int8 0/1), and
  ``row_*`` (the raw file row of each example);
- ``meta.json``: source file name and SHA-256 (never a path), real or synthetic, split kind and
  seed, feature names, the cleaning ledger, row counts and class balance per split.

This module imports only NumPy and the standard library, so a process that trains the NumPy
network can load the data without pandas.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import paths
from .artifacts import load_npz, read_json, save_npz, write_json

PARTS = ("train", "val", "test")


@dataclass
class PreparedData:
    """Scaled feature arrays for the three parts, and their metadata."""

    X: dict[str, np.ndarray]
    y: dict[str, np.ndarray]
    rows: dict[str, np.ndarray]
    meta: dict = field(default_factory=dict)

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
    save_npz(folder / "arrays.npz", **arrays)
    write_json(folder / "meta.json", data.meta)
    return folder


def load_prepared(processed_dir: str | os.PathLike | None = None, split: str = "stratified",
                  parts: tuple[str, ...] = PARTS) -> PreparedData:
    """Load what :func:`helpers.dataset.prepare` saved for ``split``.

    Raises
    ------
    FileNotFoundError
        With a hint to run notebook 01 (or ``make report``) first.
    """
    folder = split_dir(processed_dir, split)
    if not (folder / "meta.json").is_file() or not (folder / "arrays.npz").is_file():
        raise FileNotFoundError(
            f"no prepared data for split {split!r} in {paths.display_path(folder)}: run notebook "
            "01_data_and_imbalance (or `make report`) first"
        )
    arrays = load_npz(folder / "arrays.npz", keys={f"{kind}_{p}" for p in parts for kind in ("X", "y", "row")})
    return PreparedData(
        X={p: arrays[f"X_{p}"] for p in parts},
        y={p: arrays[f"y_{p}"] for p in parts},
        rows={p: arrays[f"row_{p}"] for p in parts},
        meta=read_json(folder / "meta.json"),
    )


def source_banner(meta: dict) -> str:
    """A Markdown banner saying which data the numbers below come from."""
    source = meta["source"]
    if source["synthetic"]:
        return (
            "<div style='border:3px solid #c0392b;padding:8px;background:#fdecea'>\n\n"
            "**SYNTHETIC DATA: these numbers are not findings.** No data file was found, so this run "
            "uses the embedded synthetic generator (same schema as the Kaggle file). To run on the real "
            "data, download `KaggleV2-May-2016.csv` from Kaggle (see `data/README.md`) into `data/`, "
            "or set `NOSHOW_DATA` / the `data_path` parameter.\n\n</div>"
        )
    sample = meta.get("sample_rows")
    sampled = f" — **a random sample of {sample:,} rows**, not the full file" if sample else ""
    return (
        f"Data: `{source['source_name']}` (sha256 `{source['sha256'][:16]}…`), "
        f"{meta['rows']['read']:,} rows read, split `{meta['split']['kind']}`{sampled}."
    )
