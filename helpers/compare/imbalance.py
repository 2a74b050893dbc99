"""The imbalance study over seeds: both backends x class weighting x threshold rule, judged by the rule.

The week-1 report trained without class weights and cut at 0.5. Here each backend is trained with and
without ``class_weight="balanced"`` over several seeds (each seed with its own partition, as in the main
study), and every run is scored twice on the test rows: at 0.5 and at its validation-tuned threshold.
The eight cells become pseudo-models of one :class:`~helpers.study.runs.Runs` (:func:`cell_runs`), so
the same hierarchical bootstrap (seeds and test patients) gives intervals for the paired differences
the conclusions judge (:func:`comparisons`): what tuning the threshold does to F1, what weighting does
to PR-AUC, and whether the frameworks differ in F1 in any cell.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from helpers.compare.evidence import Resamples, paired
from helpers.study.runs import NETWORKS, Runs

__all__ = ["RULES", "cell_name", "cell_runs", "cell_rows", "comparisons"]

#: The two threshold rules: the week-1 report's 0.5, and each run's own threshold tuned on validation (max F1).
RULES = ("0.5", "tuned")


def cell_name(backend: str, weight: str, rule: str) -> str:
    """The pseudo-model name of one cell, e.g. ``"NumPy MLP, balanced, tuned"``."""
    return f"{backend}, {weight}, {rule}"


def _at_half(record: dict) -> dict:
    """A run's record as if its threshold were 0.5 (its test metrics at 0.5)."""
    metrics = {**record["metrics"], "test": record["metrics"]["test_at_0.5"]}
    return {**record, "threshold": 0.5, "metrics": metrics, "cache_key": {**record["cache_key"], "threshold": 0.5}}


def cell_runs(by_weight: dict[str, Runs]) -> Runs:
    """The networks' runs of every class weight as one :class:`Runs` of eight cells.

    Parameters
    ----------
    by_weight : dict
        ``{"none": runs, "balanced": runs}``, each with both networks over the same seeds and test rows.
    """
    first = next(iter(by_weight.values()))
    records, arrays = {}, {}
    for weight, runs in by_weight.items():
        if runs.seeds != first.seeds or not np.array_equal(runs.y_test, first.y_test):
            raise ValueError("the imbalance cells need the same seeds and test rows for every class weight")
        for backend in NETWORKS:
            for rule in RULES:
                name = cell_name(backend, weight, rule)
                records[name] = {s: (runs.records[backend][s] if rule == "tuned" else _at_half(runs.records[backend][s]))
                                 for s in runs.seeds}
                arrays[name] = runs.arrays[backend]
    return dataclasses.replace(first, records=records, arrays=arrays, trained=sum(r.trained for r in by_weight.values()))


def cell_rows(runs: Runs) -> list[dict]:
    """One row per cell: ``backend``, ``class_weight``, ``threshold_rule``, ``seeds`` and the mean over seeds of
    the threshold and the test accuracy, precision, recall, F1 and PR-AUC."""
    rows = []
    for name in runs.models:
        backend, weight, rule = name.split(", ")
        row = {"backend": backend, "class_weight": weight, "threshold_rule": rule, "seeds": len(runs.seeds),
               "threshold": float(runs.thresholds(name).mean())}
        row.update({k: float(runs.metric(name, k).mean()) for k in ("accuracy", "precision", "recall", "f1", "pr_auc")})
        rows.append(row)
    return rows


def comparisons(runs: Runs, res: Resamples) -> list[dict]:
    """The paired differences the imbalance conclusions judge, each with ``kind`` and ``cell`` (in words).

    - ``threshold``: F1, tuned minus 0.5, per backend and class weight;
    - ``weighting``: PR-AUC, balanced minus unweighted, per backend (tuned rule; PR-AUC has no threshold);
    - ``frameworks``: F1, NumPy minus PyTorch, per class weight and threshold rule.
    """
    weights = sorted({name.split(", ")[1] for name in runs.models}, key=lambda w: w != "none")
    out = []
    for backend in NETWORKS:
        for weight in weights:
            d = paired(runs, res, cell_name(backend, weight, "tuned"), cell_name(backend, weight, "0.5"), "f1")
            out.append({**d, "kind": "threshold", "cell": f"{backend}, {weight}", "label": f"{backend}, {weight}: tuned - 0.5"})
    if {"none", "balanced"} <= set(weights):
        for backend in NETWORKS:
            d = paired(runs, res, cell_name(backend, "balanced", "tuned"), cell_name(backend, "none", "tuned"), "pr_auc")
            out.append({**d, "kind": "weighting", "cell": backend, "label": f"{backend}: balanced - none"})
    for weight in weights:
        for rule in RULES:
            d = paired(runs, res, cell_name(NETWORKS[0], weight, rule), cell_name(NETWORKS[1], weight, rule), "f1")
            out.append({**d, "kind": "frameworks", "cell": f"{weight}, {rule}",
                        "label": f"{weight}, {rule}: NumPy - PyTorch"})
    return out
