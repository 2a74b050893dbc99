"""Atomic writes and checksums for the report's artifacts.

Every file is written to a temporary sibling and moved into place with ``os.replace``,
so a crash never leaves a half-written result that a later notebook would read.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np


def atomic_write(path: Path, write) -> Path:
    """Call ``write(fh)`` on a temporary sibling of ``path`` (binary), then move it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def to_jsonable(obj: Any) -> Any:
    """``obj`` with NumPy types as Python ones, tuples as lists, paths as file names, NaN/inf as None."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Path):
        return obj.name
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


def write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Write ``obj`` as indented JSON, atomically (NumPy types converted, NaN -> null)."""
    text = json.dumps(to_jsonable(obj), indent=2, sort_keys=False)
    return atomic_write(Path(path), lambda fh: fh.write(text.encode("utf-8") + b"\n"))


def read_json(path: str | os.PathLike) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def save_npz(path: str | os.PathLike, **arrays: np.ndarray) -> Path:
    """Save arrays to an uncompressed ``.npz``, atomically."""
    return atomic_write(Path(path), lambda fh: np.savez(fh, **arrays))


def load_npz(path: str | os.PathLike, keys=None) -> dict[str, np.ndarray]:
    """Arrays of an ``.npz``; only ``keys`` when given (the others are never read)."""
    with np.load(path, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files if keys is None or k in keys}


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()
