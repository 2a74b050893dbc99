"""The one source fingerprint every cache key uses (study runs, tuning tables, bootstrap, benchmark).

A cached result is reused only while the code that produced it is unchanged. :func:`source_fingerprint`
hashes the source files of the modules named, by their dotted names under :mod:`helpers`
(``"models.losses"``), and refuses a name it cannot find: after a module is moved or renamed, a stale
list of names fails loudly instead of quietly covering nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

#: The folder of the :mod:`helpers` package.
HELPERS = Path(__file__).resolve().parent


def module_file(name: str) -> Path:
    """The source file of ``helpers.<name>`` (a module or a package's ``__init__``).

    Raises
    ------
    ModuleNotFoundError
        If no such module exists under ``helpers/``.
    """
    if not name or name.startswith(".") or name.endswith(".") or ".." in name:
        raise ModuleNotFoundError(f"not a module name under helpers: {name!r}")
    base = HELPERS.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    raise ModuleNotFoundError(f"source fingerprint: no module helpers.{name} "
                              f"(no helpers/{name.replace('.', '/')}.py); update the cache's module list")


def source_fingerprint(modules: Iterable[str]) -> str:
    """SHA-256 (first 16 hex digits) of the names and sources of ``helpers.<module>`` for each module.

    Parameters
    ----------
    modules : iterable of str
        Dotted module names under :mod:`helpers`, e.g. ``("models.losses", "study.runs")``; order
        and repeats do not matter.

    Returns
    -------
    str
        16 hex digits; they change whenever one of the files, or the list of names, changes.

    Raises
    ------
    ModuleNotFoundError
        If one of the names is not a module under ``helpers/``.
    ValueError
        If ``modules`` is empty (a key that covers no code).
    """
    names = sorted(set(modules))
    if not names:
        raise ValueError("source fingerprint: no modules named")
    h = hashlib.sha256()
    for name in names:
        h.update(name.encode())
        h.update(b"\0")
        h.update(module_file(name).read_bytes())
    return h.hexdigest()[:16]
