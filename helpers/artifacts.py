"""Atomic writes, guarded reads of cached files, and checksums for the report's artifacts.

Every file is written to a temporary sibling and moved into place with ``os.replace``,
so a crash never leaves a half-written result that a later notebook would read. A write that
fails (a full disk) leaves the previous version of the file as it was, removes its temporary and
raises :class:`WriteFailed`, naming the file and the system's error.

A cached file is read with :func:`read_cached` (:func:`cached_json`, :func:`cached_npz`): one that
cannot be read, or whose content does not match what it is filed under, is reported in one warning
line naming it, moved aside to ``<name>.damaged`` and treated as absent, so that the caller computes
it again instead of failing on every run.

Only the standard library is imported at module level (NumPy inside the ``.npz`` functions and
:func:`to_jsonable`): the benchmark's light driver reads its records with these functions.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import json
import logging
import os
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: The project's root (this module's package's parent): messages show paths relative to it.
_PROJECT = Path(__file__).resolve().parent.parent
#: What reading or checking a damaged file raises: unparsable text or archive, a truncated array, a
#: missing member or field, content of the wrong shape.
DAMAGE_ERRORS = (ValueError, KeyError, IndexError, EOFError, TypeError, AttributeError, zipfile.BadZipFile,
                 zlib.error, OSError)
#: Appended to a damaged file's name when it is moved aside.
DAMAGED_SUFFIX = ".damaged"


def shown(path: str | os.PathLike) -> str:
    """``path`` as a message shows it: relative to the project when inside it, else its name alone
    (no absolute path of this machine reaches an output)."""
    p = Path(path)
    try:
        return p.resolve().relative_to(_PROJECT).as_posix()
    except ValueError:
        return p.name


class WriteFailed(OSError):
    """A file could not be written; its previous version (if any) is unchanged and no temporary is left.

    ``errno`` and ``strerror`` are the system's; ``path`` is the file that was to be written.
    """

    def __init__(self, path: str | os.PathLike, cause: OSError):
        super().__init__(cause.errno, cause.strerror or str(cause))
        self.path = Path(path)
        code = errno.errorcode.get(cause.errno, "") if cause.errno else ""
        kept = "the previous version is unchanged" if self.path.is_file() else "nothing was written"
        self.message = (f"could not write {shown(path)}: {cause.strerror or cause}{f' ({code})' if code else ''}; "
                        f"{kept}")

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):  # travels intact from a worker process to its parent
        return _write_failed, (self.errno, self.strerror, str(self.path), self.message)


def _write_failed(errno_: int, strerror: str, path: str, message: str) -> WriteFailed:
    failed = WriteFailed(path, OSError(errno_, strerror))
    failed.message = message
    return failed


def atomic_write(path: Path, write) -> Path:
    """Call ``write(fh)`` on a temporary sibling of ``path`` (binary), then move it into place.

    The temporary is named ``.<name>.<pid>.<random>.tmp``; those of ``path`` left by a writer that was
    killed (its process is gone) are deleted first.

    Raises
    ------
    WriteFailed
        When the system refuses (no space left, no permission, ...): the previous ``path`` is
        unchanged, the temporary removed, and the message names the file and the system's error.
        Any other exception of ``write`` propagates as it is, with the same guarantees.
    """
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_orphaned_temporaries(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, WriteFailed):
            raise WriteFailed(path, exc) from None
        raise
    return path


def _remove_orphaned_temporaries(path: Path) -> None:
    """Delete the temporaries of ``path`` whose writer process no longer exists (killed mid-write)."""
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        pid = tmp.name[len(path.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and not process_exists(int(pid)):
            with contextlib.suppress(OSError):
                tmp.unlink()


def process_exists(pid: int) -> bool:
    """Whether a process with id ``pid`` exists (ours or another user's; a zombie counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def to_jsonable(obj: Any) -> Any:
    """``obj`` with NumPy types as Python ones, tuples as lists, paths as file names, NaN/inf as None."""
    np = sys.modules.get("numpy")  # without NumPy loaded, nothing can be a NumPy value
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if np is not None and isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if np is not None and isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Path):
        return obj.name
    if isinstance(obj, float) and (obj != obj or obj in (float("inf"), float("-inf"))):
        return None
    return obj


def write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Write ``obj`` as indented JSON, atomically (NumPy types converted, NaN -> null)."""
    text = json.dumps(to_jsonable(obj), indent=2, sort_keys=False)
    return atomic_write(Path(path), lambda fh: fh.write(text.encode("utf-8") + b"\n"))


def read_json(path: str | os.PathLike) -> Any:
    """The JSON document in ``path`` (no check: see :func:`cached_json` for a cached file)."""
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def save_npz(path: str | os.PathLike, **arrays) -> Path:
    """Save arrays to an uncompressed ``.npz``, atomically."""
    import numpy as np

    return atomic_write(Path(path), lambda fh: np.savez(fh, **arrays))


def load_npz(path: str | os.PathLike, keys=None) -> dict:
    """Arrays of an ``.npz``; only ``keys`` when given (the others are never read).

    Each array is read whole, so a damaged member fails here (the archive's CRC), not later.
    """
    import numpy as np

    with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as npz:  # fh: closed even when np.load fails
        return {k: npz[k] for k in npz.files if keys is None or k in keys}


# ------------------------------------------------------------------------------ guarded reads
def read_cached(path: str | os.PathLike, read: Callable[[Path], Any],
                check: Callable[[Any], str | None] | None = None) -> Any | None:
    """What ``read(path)`` returns, or None when ``path`` is absent or damaged.

    Parameters
    ----------
    path : path
        A cached file that the caller can compute again.
    read : callable
        ``read(path) -> value``, e.g. :func:`read_json`.
    check : callable, optional
        ``check(value) -> None`` when the content is what the caller filed under ``path``, else a
        short description of the mismatch (e.g. "its cache key is not the one its name stands for").

    Returns
    -------
    object or None
        None for an absent file, and for a damaged one: unreadable (truncated, garbled, not the
        format) or rejected by ``check``. A damaged file is moved aside to ``<name>.damaged`` with
        one warning line naming it (:func:`set_aside`), so that the caller computes it again.

    Raises
    ------
    PermissionError
        When the file may not be read (that is no damage: nothing is moved).
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        value = read(path)
        problem = None if check is None else check(value)
    except FileNotFoundError:
        return None
    except PermissionError as exc:
        raise PermissionError(exc.errno, f"cannot read {shown(path)}: {exc.strerror}") from None
    except DAMAGE_ERRORS as exc:
        problem = _describe(exc, path)
    if problem is None:
        return value
    set_aside(path, problem)
    return None


def cached_json(path: str | os.PathLike, check: Callable[[Any], str | None] | None = None) -> Any | None:
    """A cached JSON document, or None when absent or damaged (see :func:`read_cached`)."""
    return read_cached(path, read_json, check)


def cached_npz(path: str | os.PathLike, keys=None, require: Iterable[str] = (),
               check: Callable[[dict], str | None] | None = None) -> dict | None:
    """A cached ``.npz`` (only ``keys`` when given), or None when absent or damaged (see :func:`read_cached`).

    ``require``: arrays the file must hold; a file without one of them is damaged.
    """
    required = list(require)

    def complete(arrays: dict) -> str | None:
        lacking = [k for k in required if k not in arrays]
        if lacking:
            return f"lacks {', '.join(lacking[:3])}{' ...' if len(lacking) > 3 else ''}"
        return None if check is None else check(arrays)

    return read_cached(path, lambda p: load_npz(p, None if keys is None else set(keys) | set(required)), complete)


def cached_arrays(path: str | os.PathLike | None, require: Iterable[str], compute: Callable[[], dict]) -> dict:
    """The arrays cached at ``path``, else ``compute()``, saved there (atomically) for the next call.

    ``path`` None: no cache (always computed). A cached file without one of the ``require`` arrays, or
    one that cannot be read, is damaged: moved aside with one warning line (:func:`cached_npz`) and
    computed again.
    """
    arrays = None if path is None else cached_npz(path, require=require)
    if arrays is None:
        arrays = compute()
        if path is not None:
            save_npz(path, **arrays)
    return arrays


def set_aside(path: str | os.PathLike, problem: str) -> Path:
    """Move a damaged file to ``<name>.damaged`` (replacing an older one) and say so in one warning line.

    Raises
    ------
    OSError
        When the file can be neither moved nor deleted, naming it and what to do.
    """
    path = Path(path)
    aside = path.with_name(path.name + DAMAGED_SUFFIX)
    try:
        os.replace(path, aside)
    except OSError as exc:
        raise OSError(exc.errno, f"the damaged cache file {shown(path)} ({problem}) could not be moved aside "
                                 f"({exc.strerror}): delete it and run again") from None
    log.warning("warning: damaged cache file %s (%s) moved aside to %s; it is computed again",
                shown(path), problem, aside.name)
    return aside


def _describe(exc: BaseException, path: Path) -> str:
    """The first line of ``exc`` as a short reason, with ``path`` shown as :func:`shown` shows it."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    for form in {str(path), str(path.resolve())}:
        text = text.replace(form, shown(path))
    text = text if len(text) <= 100 else text[:97] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()
