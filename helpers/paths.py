"""Where the report's files live, resolved from the repository root.

Nothing here depends on the current working directory, so notebooks executed from
``notebooks/`` (papermill's default) and scripts run from the root agree.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
FIGURES_DIR = REPO_ROOT / "figures"
REPORTS_DIR = REPO_ROOT / "reports"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
PROCESSED_DIR = DATA_DIR / "processed"
RESULTS_DIR = DATA_DIR / "results"


def resolve(path: str | os.PathLike | None, default: Path) -> Path:
    """Return ``path`` as an absolute path; relative paths are taken from the repo root.

    Parameters
    ----------
    path : str, PathLike or None
        A notebook parameter such as ``"data/processed"``; ``None`` or ``""`` means ``default``.
    default : Path
        Used when ``path`` is empty.
    """
    if path is None or str(path) == "":
        return Path(default)
    p = Path(path).expanduser()
    return p if p.is_absolute() else REPO_ROOT / p


def display_path(path: str | os.PathLike) -> str:
    """A path as it may be printed in a committed notebook: relative to the repo, else its name.

    Absolute paths of this machine (home, temp, work folders) never reach an output.
    """
    p = Path(path)
    try:
        return p.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return p.name


def portable(path: str | os.PathLike) -> str:
    """``path`` relative to the repo root when inside it (as committed notebooks must show it), else absolute."""
    p = Path(path).resolve()
    try:
        return p.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(p)
