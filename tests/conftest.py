"""Shared pytest fixtures: a fixed seed, a tiny skewed binary data set, and one run of the whole report."""

from __future__ import annotations

import random
import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification


@pytest.fixture(autouse=True)
def fixed_seed():
    """Seed the global generators (Python, NumPy legacy, and torch if already imported)."""
    random.seed(0)
    np.random.seed(0)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(0)
    yield


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every matplotlib figure a test left open (pyplot keeps them alive otherwise)."""
    yield
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")


@pytest.fixture
def skewed_binary_data():
    """``(X, y)``: 400 rows x 8 features, about 20% positives (float64 X, int y)."""
    X, y = make_classification(
        n_samples=400,
        n_features=8,
        n_informative=5,
        n_redundant=1,
        weights=[0.8],
        random_state=0,
    )
    return X, y


@pytest.fixture
def helpers_copy(tmp_path, monkeypatch):
    """A copy of helpers/ in ``tmp_path`` that :mod:`helpers.fingerprint` reads instead of the real one."""
    import shutil

    from helpers import fingerprint, paths

    copy = tmp_path / "helpers"
    shutil.copytree(paths.REPO_ROOT / "helpers", copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "HELPERS", copy)
    return copy


@pytest.fixture(scope="module")
def one_blas_thread():
    """Small matrices: one BLAS thread is as fast, and robust on a busy shared machine."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


# ----------------------------------------------------------------------------- the report
def tracked_snapshot() -> dict:
    """Content hashes of the repository's tracked files (a report run must change none of them)."""
    import hashlib
    import subprocess

    from helpers import paths

    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=paths.REPO_ROOT, capture_output=True,
                                check=True).stdout.decode().split("\0")
        files = [paths.REPO_ROOT / f for f in listed if f]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: what a run could touch
        files = [*paths.NOTEBOOKS_DIR.glob("*.ipynb"), *paths.FIGURES_DIR.glob("*"), paths.REPO_ROOT / "README.md"]
    return {f.relative_to(paths.REPO_ROOT).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in files if f.is_file()}


#: Small settings for the test run of the whole report; those no notebook declares are dropped.
REPORT_TEST_PARAMETERS = {"data_path": "synthetic", "sample_rows": 3000, "n_bootstrap": 100}
REPORT_TEST_OPTIONAL = {"repeats": 2, "scheme_repeats": 2, "imbalance_repeats": 2}


@pytest.fixture(scope="session")
def executed_report(tmp_path_factory):
    """The whole report, run once per test session on the synthetic data, exported to HTML.

    Every available notebook (``helpers.publish.runner.available()``) runs once, in order, with
    ``data_path="synthetic"``, ``sample_rows=3000``, a small ``n_bootstrap`` and, for the notebooks
    that declare them, ``repeats=2``, ``scheme_repeats=2`` and ``imbalance_repeats=2`` (the runner gives each notebook only
    the parameters it declares). Prepared arrays, results, figures and the executed notebooks all go
    into a temporary folder; the tracked files are hashed before and after (``tracked_before.json``,
    ``tracked_after.json`` in that folder).

    Returns
    -------
    tuple
        ``(root, {notebook name: executed .ipynb path})``; the executed notebooks lie in
        ``root / "reports"`` with their HTML beside them, figures in ``root / "reports" / "figures"``,
        results in ``root / "results"``.
    """
    import json
    import os

    from helpers.publish import runner as report

    root = tmp_path_factory.mktemp("report")
    declared = {p for params in report.declared_parameters().values() for p in params}
    parameters = {**REPORT_TEST_PARAMETERS, "processed_dir": str(root / "processed"),
                  "results_dir": str(root / "results")}
    parameters.update({k: v for k, v in REPORT_TEST_OPTIONAL.items() if k in declared})
    (root / "tracked_before.json").write_text(json.dumps(tracked_snapshot()))
    saved = os.environ.pop("NOSHOW_DATA", None)  # the synthetic default must carry the whole report
    try:
        executed = report.run_all(parameters, root / "reports")
        report.export(executed, "html")
    finally:
        if saved is not None:
            os.environ["NOSHOW_DATA"] = saved
    (root / "tracked_after.json").write_text(json.dumps(tracked_snapshot()))
    return root, {path.stem: path for path in executed}
