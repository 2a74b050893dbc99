"""Evidence from repeated runs: spreads over seeds and paired differences with intervals.

Two sources of chance move a test score: the training run (initial weights, batch order, a
model's own randomness: the seeds) and the particular test rows (or patients). The intervals here
account for both with one hierarchical bootstrap. Each replicate draws the test rows -- whole
patients, when the patients of the test rows are known (:func:`helpers.metrics.resample_weights`
with ``groups``), because one patient's appointments are not independent -- and draws the seeds
with replacement; a model's score in the replicate is the mean over the drawn seeds of its score on
the drawn rows. Every model and every seed sees the same row draws and seed draws, so a difference
between two models is *paired*: it is computed replicate by replicate, and its interval is the
percentile interval of those differences. Nothing is decided from overlapping marginal intervals.

Threshold-dependent metrics (F1, precision, recall) are computed at each run's own validation-tuned
threshold. When each seed also redraws its train / validation partition (the default of
:func:`helpers.study.runs.repeated_runs`), resampling seeds resamples which rows validate too, so the
intervals include the variability that early stopping and the threshold inherit from the validation
sample; with a fixed partition they leave it out.

No choice is made on test rows: the network compared with the reference models is the one with the
higher mean *validation* PR-AUC (:func:`best_network`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.artifacts import cached_arrays
from helpers.fingerprint import source_fingerprint
from helpers.metrics import (
    mcnemar_exact,
    resample_weights,
    weighted_resample_metrics,
)
from helpers.study.parallel import run_tasks, stable_hash
from helpers.study.runs import CONTESTANTS, NETWORKS, Runs

__all__ = [
    "BOOT_METRICS",
    "Resamples",
    "best_network",
    "replicates_path",
    "comparisons",
    "curve_scores",
    "drift_table",
    "first_seed_confusions",
    "first_seed_records",
    "first_seed_scores",
    "float_drift",
    "paired",
    "paired_replicates",
    "per_seed",
    "percentile_interval",
    "replicate_means",
    "resample_runs",
    "row_weights",
    "seed_draws",
    "spread",
    "summary_table",
    "threshold_inputs",
    "unique_runs",
    "widening",
]

#: The metrics resampled for intervals.
BOOT_METRICS = ("pr_auc", "roc_auc", "f1", "precision", "recall")
_CHUNK = 50


@dataclass
class Resamples:
    """Every model's score on every replicate: ``scores[model][metric]`` of shape (n_seeds, R)."""
    scores: dict[str, dict[str, np.ndarray]]
    seed_draws: np.ndarray  #: (R, n_seeds) indices of the seeds drawn in each replicate
    clustered: bool  #: True when whole patients were resampled
    n_resamples: int


# ---------------------------------------------------------------- the draws every interval shares
def unique_runs(runs: Runs, models) -> tuple[list[tuple[str, int]], list[tuple[str, int, int]]]:
    """The distinct runs to evaluate and where each (model, seed index) finds its result.

    Returns ``(todo, where)``: ``todo`` lists one ``(model, seed)`` per distinct cache key (a model
    without seed randomness on a fixed partition is one run for every seed); ``where`` holds
    ``(model, seed index, index into todo)`` for every model and seed.
    """
    todo, where = [], []
    for m in models:
        unique: dict = {}
        for i, s in enumerate(runs.seeds):
            stem = str(runs.records[m][s]["cache_key"])
            if stem not in unique:
                unique[stem] = len(todo)
                todo.append((m, s))
            where.append((m, i, unique[stem]))
    return todo, where


def row_weights(runs: Runs, n_resamples: int, seed: int, clustered: bool = True) -> np.ndarray:
    """The bootstrap's test-row multiplicities, shape (n_resamples, n_test), uint8: whole patients drawn
    when ``clustered`` and the runs know the patients (:func:`helpers.metrics.resample_weights`)."""
    groups = runs.groups_test if clustered else None
    n = len(runs.y_test)
    return np.concatenate([w.astype(np.uint8) for w in resample_weights(n, n_resamples, seed, groups)])


def seed_draws(n_seeds: int, n_resamples: int, seed: int) -> np.ndarray:
    """The seeds drawn (with replacement) in each replicate: indices of shape (n_resamples, n_seeds)."""
    return np.random.default_rng(seed + 1).integers(0, n_seeds, size=(n_resamples, n_seeds))


def replicates_path(cache_dir, prefix: str, runs: Runs, models, code, *args) -> Path | None:
    """Where replicates computed from ``models``' runs are cached (None without ``cache_dir``).

    The name changes with everything they depend on: the runs' cache keys, whether the test rows are
    clustered by patient, the code that draws and scores them (this module and the ``code`` modules,
    :func:`helpers.fingerprint.source_fingerprint`) and the caller's ``args``.
    """
    if cache_dir is None:
        return None
    keys = {m: [runs.records[m][s]["cache_key"] for s in runs.seeds] for m in models}
    code = source_fingerprint(("compare.evidence", *code))
    return Path(cache_dir) / f"{prefix}_{stable_hash([keys, runs.groups_test is not None, code, *args])}.npz"


def per_run(runs: Runs, models, worker, weights: np.ndarray, extra=None, n_jobs: int = 2, desc: str = "runs",
            progress: bool = True) -> dict[str, np.ndarray]:
    """``worker`` once per distinct run (:func:`unique_runs`) on the shared row weights, in worker processes,
    its results laid out per model and seed.

    ``worker`` is a module-level function taking ``{"weights", "y", "p", **extra(model, seed)}`` (``p`` the
    run's test probabilities) and returning ``{key: array}``; the result is
    ``{f"{model}|{key}": ndarray of shape (n_seeds, *array.shape)}``, every seed of a model filled, a run
    shared by several seeds (a fixed partition) copied to each.
    """
    models = list(models)
    todo, where = unique_runs(runs, models)
    tasks = [{"weights": weights, "y": runs.y_test, "p": runs.proba(m, s), **(extra(m, s) if extra else {})}
             for m, s in todo]
    results = run_tasks(worker, tasks, n_jobs=n_jobs, desc=desc, progress=progress)
    flat: dict[str, np.ndarray] = {}
    for m, i, t in where:
        for key, value in results[t].items():
            value = np.asarray(value)
            cell = flat.setdefault(f"{m}|{key}", np.empty((len(runs.seeds), *value.shape)))
            cell[i] = value
    return flat


def replicate_means(per_seed: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Mean over each replicate's drawn seeds: (n_seeds, R, ...) -> (R, ...)."""
    return per_seed[draws.T, np.arange(per_seed.shape[1])].mean(axis=0)


def percentile_interval(boot: np.ndarray, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """The ``alpha / 2`` and ``1 - alpha / 2`` percentiles over the replicates (axis 0), NaNs ignored
    (a replicate without a value: a fit that did not converge, a group without rows)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column gives NaN
        low, high = np.nanquantile(boot, [alpha / 2, 1 - alpha / 2], axis=0)
    return low, high


def _score_run(task: dict) -> dict[str, np.ndarray]:
    """Worker: one run's metrics on every replicate (weights given as a uint8 matrix)."""
    weights, y, p, thr = task["weights"], task["y"], task["p"], task["threshold"]
    out = {m: [] for m in task["metrics"]}
    for start in range(0, weights.shape[0], _CHUNK):
        block = weights[start:start + _CHUNK].astype(np.float64)
        for k, v in weighted_resample_metrics(y, p, thr, block, task["metrics"]).items():
            out[k].append(v)
    return {k: np.concatenate(v) for k, v in out.items()}


def resample_runs(runs: Runs, n_resamples: int = 1000, seed: int = 0, clustered: bool = True,
                  metrics=BOOT_METRICS, n_jobs: int = 2, cache_dir=None, progress: bool = True) -> Resamples:
    """Scores of every run on ``n_resamples`` replicates of the test rows (patients when ``clustered``).

    The result is cached in ``cache_dir`` (default: none) under a name derived from the runs' cache
    keys and the arguments.
    """
    clustered = clustered and runs.groups_test is not None
    draws = seed_draws(len(runs.seeds), n_resamples, seed)
    flat = cached_arrays(
        replicates_path(cache_dir, "bootstrap", runs, runs.models, ("metrics",), n_resamples, seed, clustered,
                        list(metrics)),
        [f"{m}|{k}" for m in runs.models for k in metrics],
        lambda: per_run(runs, runs.models, _score_run, row_weights(runs, n_resamples, seed, clustered),
                        lambda m, s: {"threshold": runs.records[m][s]["threshold"], "metrics": tuple(metrics)},
                        n_jobs=n_jobs, desc="bootstrap", progress=progress))
    scores = {m: {k: flat[f"{m}|{k}"] for k in metrics} for m in runs.models}
    return Resamples(scores, draws, clustered, n_resamples)


def _replicates(res: Resamples, matrix: np.ndarray) -> np.ndarray:
    """Mean over each replicate's drawn seeds: (n_seeds, R) -> (R,)."""
    return replicate_means(matrix, res.seed_draws)


def spread(runs: Runs, res: Resamples | None, model: str, metric: str, alpha: float = 0.05) -> dict:
    """One model's metric over seeds: ``mean``, ``sd`` (between seeds), ``min``, ``max``, and the
    hierarchical interval ``low``/``high`` of the mean (NaN without resamples)."""
    values = runs.metric(model, metric)
    out = {"mean": float(values.mean()), "sd": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
           "min": float(values.min()), "max": float(values.max()), "low": np.nan, "high": np.nan}
    if res is not None and metric in res.scores[model]:
        boot = _replicates(res, res.scores[model][metric])
        out["low"], out["high"] = (float(v) for v in np.nanquantile(boot, [alpha / 2, 1 - alpha / 2]))
    return out


def paired_replicates(res: Resamples, a: str, b: str, metric: str) -> np.ndarray:
    """The paired difference ``a - b`` of ``metric`` in every bootstrap replicate, shape (R,)."""
    return _replicates(res, res.scores[a][metric] - res.scores[b][metric])


def paired(runs: Runs, res: Resamples, a: str, b: str, metric: str, alpha: float = 0.05) -> dict:
    """Paired difference ``a - b`` of ``metric``: ``estimate`` (mean over seeds of the per-seed
    differences), ``low``/``high`` (hierarchical bootstrap), ``per_seed`` and their ``sd``."""
    per_seed = runs.metric(a, metric) - runs.metric(b, metric)
    boot = paired_replicates(res, a, b, metric)
    low, high = np.nanquantile(boot, [alpha / 2, 1 - alpha / 2])
    return {"a": a, "b": b, "metric": metric, "estimate": float(per_seed.mean()), "low": float(low),
            "high": float(high), "per_seed": per_seed.tolist(),
            "sd": float(per_seed.std(ddof=1)) if len(per_seed) > 1 else 0.0}


def best_network(runs: Runs, metric: str = "pr_auc") -> str:
    """The network with the higher mean *validation* ``metric`` over seeds (never read on test rows).

    Each run's validation score is the one its early stopping kept, so it is optimistic, but equally
    for both networks; the test rows play no part in the choice.
    """
    return max(NETWORKS, key=lambda m: runs.metric(m, metric, "val").mean())


def summary_table(runs: Runs, res: Resamples | None, metrics=("pr_auc", "roc_auc", "f1", "precision", "recall"),
                  digits: int = 3) -> pd.DataFrame:
    """Rows = models, cells 'mean ± sd [low, high]' over seeds, plus the threshold's mean ± sd."""
    rows = {}
    for model in runs.models:
        row = {}
        for metric in metrics:
            s = spread(runs, res, model, metric)
            cell = f"{s['mean']:.{digits}f} ± {s['sd']:.{digits}f}"
            if np.isfinite(s["low"]):
                cell += f" [{s['low']:.{digits}f}, {s['high']:.{digits}f}]"
            row[metric] = cell
        thr = runs.thresholds(model)
        row["threshold"] = f"{thr.mean():.3f} ± {thr.std(ddof=1) if len(thr) > 1 else 0.0:.3f}"
        rows[model] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def float_drift(runs: Runs, seed: int, threshold: float | None = None) -> dict:
    """How far the two networks of one seed ended apart: weights, test probabilities, labels.

    ``threshold`` (default: the NumPy network's validation-tuned one) is applied to BOTH networks,
    so the label differences and McNemar's test measure the networks, not two operating points.
    """
    a, b = runs.arrays["NumPy MLP"][seed], runs.arrays["PyTorch MLP"][seed]
    names = sorted(k for k in a if k[0] in "Wb" and k[1:].isdigit())
    max_weight = max(float(np.max(np.abs(a[k].astype(np.float64) - b[k].astype(np.float64)))) for k in names)
    pa, pb = a["proba_test"], b["proba_test"]
    thr = float(runs.records["NumPy MLP"][seed]["threshold"] if threshold is None else threshold)
    la, lb = pa >= thr, pb >= thr
    return {"seed": seed, "max_weight_diff": max_weight, "max_proba_diff": float(np.max(np.abs(pa - pb))),
            "common_threshold": thr, "rows_labelled_differently": int(np.count_nonzero(la != lb)),
            "rows": len(pa), "mcnemar": mcnemar_exact(runs.y_test, la.astype(int), lb.astype(int)),
            "epochs": [runs.records[m][seed]["n_epochs"] for m in NETWORKS]}


def per_seed(runs: Runs, metrics, models=None) -> dict:
    """``{model: {metric: [value per seed]}}`` (for :func:`helpers.compare.study_figures.seed_strips`)."""
    models = [m for m in (models or runs.models)]
    return {m: {k: runs.metric(m, k).tolist() for k in metrics} for m in models}


def comparisons(runs: Runs, res: Resamples, metrics=("pr_auc", "f1")) -> list[dict]:
    """The paired differences the report judges, for each metric: NumPy - PyTorch, the NumPy MLP minus
    each contestant (:data:`helpers.study.runs.CONTESTANTS`, paired by seed only), and the network chosen
    on validation (:func:`best_network`) minus each reference model.

    Each dict also has a ``label`` (``"a - b"``); the references' have ``chosen_on = "validation"``; the
    contestants' have ``contestant`` (its name) and ``spreads`` (``{model: spread}`` of both models'
    ``metric``, see :func:`spread`).
    """
    best = best_network(runs)
    pairs = [NETWORKS, *((NETWORKS[0], c) for c in CONTESTANTS), (best, "Gradient boosting"),
             (best, "Logistic regression")]
    out = []
    for metric in metrics:
        for a, b in pairs:
            if a in runs.records and b in runs.records:
                extra = {"chosen_on": "validation"} if b not in NETWORKS + CONTESTANTS else {}
                if b in CONTESTANTS:
                    extra = {"contestant": b, "spreads": {m: spread(runs, res, m, metric) for m in (a, b)}}
                out.append({**paired(runs, res, a, b, metric), "label": f"{a} - {b}", **extra})
    return out


def widening(redrawn: tuple[Runs, Resamples], fixed: tuple[Runs, Resamples], metric: str = "pr_auc",
             models=NETWORKS) -> pd.DataFrame:
    """How much wider the intervals are when each seed redraws its validation rows.

    Rows: each model's mean ``metric`` and the paired difference of ``models``; columns: the 95 %
    interval width with a fixed partition and with redrawn partitions, and their ratio.
    """
    rows = {}
    for label, (runs, res) in (("fixed", fixed), ("redrawn", redrawn)):
        for model in models:
            s = spread(runs, res, model, metric)
            rows.setdefault(f"{model}, mean {metric.replace('_', '-').upper()}", {})[label] = s["high"] - s["low"]
        d = paired(runs, res, models[0], models[1], metric)
        rows.setdefault(f"{models[0]} - {models[1]}", {})[label] = d["high"] - d["low"]
    table = pd.DataFrame.from_dict(rows, orient="index")[["fixed", "redrawn"]]
    table.columns = ["interval width, fixed validation rows", "interval width, redrawn per seed"]
    table["ratio"] = table.iloc[:, 1] / table.iloc[:, 0]
    return table


def first_seed_scores(runs: Runs) -> tuple[dict, dict]:
    """Test probabilities and validation-tuned thresholds of the first seed, every model but the dummy."""
    seed = runs.seeds[0]
    models = [m for m in runs.models if m != "Always show (dummy)"]
    return ({m: runs.proba(m, seed) for m in models}, {m: runs.records[m][seed]["threshold"] for m in models})


def first_seed_confusions(runs: Runs) -> dict:
    """The networks' test confusion matrices of the first seed, at their own validation-tuned thresholds."""
    seed = runs.seeds[0]
    return {m: np.asarray(runs.records[m][seed]["metrics"]["test"]["confusion_matrix"]) for m in NETWORKS}


def drift_table(f64: dict, f32: dict) -> pd.DataFrame:
    """The float64 and float32 comparisons of :func:`float_drift` side by side."""
    rows = {}
    for label, d in (("float64", f64), ("float32", f32)):
        rows[label] = {"max |weight difference|": d["max_weight_diff"], "max |probability difference|": d["max_proba_diff"],
                       "common threshold": d["common_threshold"],
                       "test rows labelled differently": d["rows_labelled_differently"],
                       "McNemar p": d["mcnemar"]["p_value"], "epochs (NumPy, PyTorch)": str(tuple(d["epochs"]))}
    return pd.DataFrame.from_dict(rows, orient="index")


def threshold_inputs(runs: Runs) -> tuple[dict, dict, dict]:
    """Per network, over seeds: the validation-tuned thresholds, test recalls and test F1s."""
    return ({m: runs.thresholds(m).tolist() for m in NETWORKS}, {m: runs.metric(m, "recall").tolist() for m in NETWORKS},
            {m: runs.metric(m, "f1").tolist() for m in NETWORKS})


def curve_scores(runs: Runs) -> tuple[dict, dict]:
    """First-seed test PR-AUC (average precision) and ROC-AUC of every model but the dummy."""
    seed = runs.seeds[0]
    models = [m for m in runs.models if m != "Always show (dummy)"]
    return ({m: runs.records[m][seed]["metrics"]["test"]["pr_auc"] for m in models},
            {m: runs.records[m][seed]["metrics"]["test"]["roc_auc"] for m in models})


def first_seed_records(runs: Runs, models=NETWORKS) -> dict:
    """The saved records of the first seed's runs of ``models``."""
    return {m: runs.records[m][runs.seeds[0]] for m in models}
