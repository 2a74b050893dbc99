"""What the interruption tests share: a small study run in its own process, and process-tree helpers.

``python -m tests.robustness.processes PROCESSED RESULTS SUMMARY`` runs :func:`study` (two worker
processes) and writes :func:`summary` of its runs to ``SUMMARY``; stopped by Ctrl-C it exits with 130.
"""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from helpers import paths

#: Fits of about half a second each (no early stop), so that a study of eight is stopped mid-way.
NETWORK = {"hidden_layer_sizes": (32,), "learning_rate": 1e-3, "batch_size": 32, "max_epochs": 60,
           "patience": 60, "weight_decay": 1e-4, "class_weight": None}
REFERENCES = {"Logistic regression": {"C": 1.0}}
MODELS = ("NumPy MLP", "Logistic regression")
SEEDS = [0, 1, 2, 3]
#: Runs the study trains: one per model and seed (each seed has its own partition).
N_RUNS = len(MODELS) * len(SEEDS)


def study(processed, results, n_jobs: int = 2):
    """The small study: :data:`MODELS` x :data:`SEEDS` on the prepared split in ``processed``."""
    from helpers.data.prepared import load_prepared
    from helpers.study.runs import repeated_runs

    data = load_prepared(processed, "stratified")
    return repeated_runs(data, "stratified", SEEDS, NETWORK, REFERENCES, processed, results, models=MODELS,
                         n_jobs=n_jobs, progress=False)


def without_times(record: dict) -> dict:
    """A run's record without its wall times (of the fit and of each epoch): what a rerun reproduces."""
    out = {k: v for k, v in record.items() if k != "fit_seconds"}
    if out.get("history"):
        out["history"] = [{k: v for k, v in epoch.items() if k != "seconds"} for epoch in out["history"]]
    return out


def summary(runs) -> dict:
    """Every number of ``runs``: per model and seed the record (without wall times) and the SHA-256 of
    each saved array's bytes, so that equal summaries mean equal to the last digit."""
    out = {"trained": runs.trained, "runs": {}}
    for model in runs.models:
        for seed in runs.seeds:
            record = without_times(runs.records[model][seed])
            arrays = {k: hashlib.sha256(v.tobytes()).hexdigest() for k, v in sorted(runs.arrays[model][seed].items())}
            out["runs"][f"{model}|{seed}"] = {"record": record, "arrays": arrays}
    return out


def launch(args: list[str], output: Path) -> subprocess.Popen:
    """``python ARGS`` from the repository root in a session of its own with Ctrl-C's default action, as a
    terminal runs a command (its process group is what a terminal's Ctrl-C reaches); stdout and stderr
    go to the file ``output`` (a pipe would stay open as long as any child holds it)."""
    with open(output, "w", encoding="utf-8") as sink:
        return subprocess.Popen([sys.executable, *args], cwd=paths.REPO_ROOT, start_new_session=True,
                                stdout=sink, stderr=subprocess.STDOUT,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def wait_for(condition, timeout: float, what: str, interval: float = 0.05):
    """Poll ``condition()`` until it is truthy (returned) or ``timeout`` seconds pass (AssertionError)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def descendants(pid: int) -> list[psutil.Process]:
    """Every process below ``pid`` (children, their children, ...)."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    """Those of ``processes`` still running (a zombie waiting for its parent counts as ended)."""
    left = []
    for p in processes:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                left.append(p)
        except psutil.NoSuchProcess:
            pass
    return left


def workers(processes: list[psutil.Process]) -> list[psutil.Process]:
    """The joblib (loky) worker processes among ``processes``."""
    out = []
    for p in processes:
        try:
            if "popen_loky_posix" in " ".join(p.cmdline()):
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def finished_runs(results: Path) -> list[Path]:
    """The run records in ``results`` (a record is written last: one per finished run)."""
    return sorted((Path(results) / "stratified" / "runs").glob("*.json"))


if __name__ == "__main__":
    processed, results, out = sys.argv[1:4]
    try:
        runs = study(processed, results)
    except KeyboardInterrupt:
        print("study interrupted", file=sys.stderr)
        sys.exit(130)
    Path(out).write_text(json.dumps(summary(runs)), encoding="utf-8")
    print(f"trained {runs.trained}", flush=True)
