"""Fabricated study runs for the tests of what reads them (evidence, schemes, week-1 tables, the
notebooks' sentences): real :class:`helpers.study.runs.Runs` records, no training."""

from __future__ import annotations

import numpy as np

from helpers.metrics import evaluate
from helpers.study.runs import Runs

#: Every model of the study with a score that ranks the rows better the larger its signal.
SIGNALS = {"NumPy MLP": 1.6, "PyTorch MLP": 1.5, "Logistic regression": 1.0, "Gradient boosting": 1.2}


def separating(signal):
    """Probabilities that separate the classes as strongly as ``signal`` (a seed's noise added)."""
    return lambda y, rng: 1 / (1 + np.exp(-(rng.normal(size=y.size) + signal * y - 1.0)))


def history(n_epochs=5, best_epoch=3):
    """A training history whose validation PR-AUC peaks at ``best_epoch``."""
    return [{"epoch": e, "train_loss": 0.7 - 0.05 * e, "val_loss": 0.6 + 0.01 * abs(e - 2),
             "val_pr_auc": 0.4 - 0.01 * abs(e - best_epoch), "seconds": 0.1} for e in range(1, n_epochs + 1)]


def fake_runs(scores: dict | None = None, n=400, seeds=(0, 1, 2), groups=None, split="x", threshold=0.3):
    """Runs of fabricated probabilities: ``{model: function of (y, rng) -> probabilities}`` per seed.

    Each record holds what :func:`helpers.study.runs.repeated_runs` saves: the tuned ``threshold``,
    test metrics at it and at 0.5, the validation metrics, a history, the best epoch and a cache key.
    """
    scores = scores if scores is not None else {m: separating(s) for m, s in SIGNALS.items()}
    rng = np.random.default_rng(0)
    y = (rng.random(n) < 0.3).astype(int)
    records, arrays = {}, {}
    for model, make in scores.items():
        records[model], arrays[model] = {}, {}
        for s in seeds:
            p = make(y, np.random.default_rng(s))
            records[model][s] = {"threshold": threshold, "cache_key": {"model": model, "seed": s, "code": "0123456789abcdef"},
                                 "metrics": {"test": evaluate(y, p, threshold), "test_at_0.5": evaluate(y, p, 0.5),
                                             "val": evaluate(y, p, threshold)},
                                 "history": history(), "best_epoch": 3, "n_epochs": 5, "fit_seconds": 1.5}
            arrays[model][s] = {"proba_test": p, "proba_val": p}
    return Runs(split, list(seeds), records, arrays, y_val=y, y_test=y, groups_test=groups)
