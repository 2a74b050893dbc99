"""One training run, evaluated and saved the same way for every model.

Notebooks 02 and 03 differ only in the estimator they pass to :func:`run_experiment`; the
threshold rule (tuned for F1 on the validation split, never on test), the metrics and the
result files are shared, so the comparison in notebook 04 compares like with like.
"""

from __future__ import annotations

import inspect
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import paths
from .artifacts import load_npz, read_json, save_npz, to_jsonable, write_json
from .metrics import evaluate, tune_threshold
from .prepared import PreparedData


@dataclass
class RunResult:
    """What one fitted model produced on the prepared splits."""

    name: str
    model: object
    seconds: float
    peak_mb: float | None
    threshold: float
    proba: dict[str, np.ndarray]
    metrics: dict[str, dict]  #: {"tuned": evaluate(...) on test, "default_0.5": ...}
    info: dict = field(default_factory=dict)


def results_dir(results_root: str | os.PathLike | None, split: str) -> Path:
    """``<results_root>/<split>`` (default ``data/results/<split>``)."""
    return paths.resolve(results_root, paths.RESULTS_DIR) / split


def fit_measured(model, data: PreparedData, measure_memory: bool = True) -> tuple[float, float | None]:
    """Fit ``model`` on train (early stopping on validation); return (seconds, peak MB or None).

    The peak is this process's resident memory while fitting, sampled by memory_profiler
    (``max_usage=True, max_iterations=1``): it includes whatever the notebook had loaded before,
    so it is an upper bound for the model; ``python -m helpers.bench`` measures each framework in a
    fresh process.
    """
    args = (data.X["train"], data.y["train"])
    takes_validation = "X_val" in inspect.signature(model.fit).parameters
    kwargs = {"X_val": data.X["val"], "y_val": data.y["val"]} if takes_validation else {}
    started = time.perf_counter()
    if measure_memory:
        from memory_profiler import memory_usage

        peak, _ = memory_usage((model.fit, args, kwargs), max_usage=True, retval=True,
                               max_iterations=1, interval=0.05, include_children=False)
        peak = float(np.max(peak))
    else:
        model.fit(*args, **kwargs)
        peak = None
    return time.perf_counter() - started, peak


def evaluate_model(name: str, model, data: PreparedData, seconds: float = float("nan"),
                   peak_mb: float | None = None, info: dict | None = None) -> RunResult:
    """Probabilities on val and test, the F1-tuned validation threshold, test metrics at it and at 0.5."""
    proba = {part: model.predict_proba(data.X[part])[:, 1] for part in ("val", "test")}
    fixed = getattr(model, "fixed_threshold", None)  # a model that must not be tuned (the dummy)
    threshold = float(fixed) if fixed is not None else float(tune_threshold(data.y["val"], proba["val"]))
    metrics = {
        "tuned": evaluate(data.y["test"], proba["test"], threshold),
        "default_0.5": evaluate(data.y["test"], proba["test"], 0.5),
        "val_tuned": evaluate(data.y["val"], proba["val"], threshold),
    }
    return RunResult(name, model, seconds, peak_mb, threshold, proba, metrics, info or {})


def run_experiment(name: str, model, data: PreparedData, measure_memory: bool = True, info: dict | None = None) -> RunResult:
    """Fit with measurement, then :func:`evaluate_model`."""
    seconds, peak = fit_measured(model, data, measure_memory=measure_memory)
    return evaluate_model(name, model, data, seconds, peak, info)


def save_run(run: RunResult, folder: str | os.PathLike, stem: str, data: PreparedData) -> Path:
    """Write ``<stem>.json`` (configuration, metrics, threshold, time, memory, history) and
    ``<stem>_proba.npz`` (validation and test probabilities with their labels), atomically."""
    folder = Path(folder)
    model = run.model
    params = model.get_params() if hasattr(model, "get_params") else {}
    record = {
        "name": run.name,
        "estimator": type(model).__name__,
        "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()
                   if isinstance(v, (int, float, str, bool, tuple, list, type(None)))},
        "threshold_rule": "maximise F1 on the validation split",
        "threshold": run.threshold,
        "metrics": run.metrics,
        "train_seconds": run.seconds,
        "peak_mb": run.peak_mb,
        "n_epochs": getattr(model, "n_iter_", None),
        "best_epoch": getattr(model, "best_epoch_", None),
        "history": getattr(model, "history_", None),
        "data": {"source": data.meta["source"]["source_name"], "synthetic": data.meta["source"]["synthetic"],
                 "split": data.meta["split"]["kind"], "sample_rows": data.meta.get("sample_rows")},
        **run.info,
    }
    save_npz(folder / f"{stem}_proba.npz", proba_val=run.proba["val"], proba_test=run.proba["test"],
             y_val=data.y["val"], y_test=data.y["test"])
    write_json(folder / f"{stem}.json", record)
    return folder / f"{stem}.json"


def load_run(folder: str | os.PathLike, stem: str) -> tuple[dict, dict[str, np.ndarray]]:
    """The record and probabilities saved by :func:`save_run`."""
    folder = Path(folder)
    if not (folder / f"{stem}.json").is_file():
        raise FileNotFoundError(
            f"no results {stem!r} in {paths.display_path(folder)}: run the model notebooks (02, 03) first"
        )
    return read_json(folder / f"{stem}.json"), load_npz(folder / f"{stem}_proba.npz")


def data_fingerprint(data: PreparedData) -> dict:
    """What identifies the prepared data a cached result was computed on."""
    meta = data.meta
    return {"source_sha256": meta["source"]["sha256"], "source_name": meta["source"]["source_name"],
            "split": meta["split"]["kind"], "seed": meta["split"]["seed"], "sample_rows": meta.get("sample_rows"),
            "rows": {p: int(len(data.y[p])) for p in ("train", "val", "test")}}


def cached_run(folder: str | os.PathLike, stem: str, name: str, make_model, data: PreparedData,
               config: dict | None = None) -> tuple[dict, dict[str, np.ndarray]]:
    """Load ``<stem>`` from ``folder`` if it was computed on the same data and configuration,
    otherwise fit ``make_model()`` (timed, no memory sampling), save and return it.

    Returns the same ``(record, probabilities)`` pair as :func:`load_run`.
    """
    key = {"data": data_fingerprint(data), "config": config or {}}
    folder = Path(folder)
    if (folder / f"{stem}.json").is_file():
        record, proba = load_run(folder, stem)
        if record.get("cache_key") == json_roundtrip(key):
            return record, proba
    run = run_experiment(name, make_model(), data, measure_memory=False, info={"cache_key": key})
    save_run(run, folder, stem, data)
    return load_run(folder, stem)


def json_roundtrip(obj):
    """``obj`` as it reads back from JSON (tuples become lists), for comparisons with saved records."""
    import json

    return json.loads(json.dumps(to_jsonable(obj)))
