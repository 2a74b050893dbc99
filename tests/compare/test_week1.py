"""helpers.compare.week1: the quoted week-1 figures sit beside ours, and the imbalance rows read each
backend's metrics at 0.5 and at the tuned threshold from the runs."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.compare import week1
from helpers.study.runs import NETWORKS
from tests.fakes import fake_runs


def test_imbalance_rows_cover_backend_weighting_and_threshold_rule():
    by_weight = {"none": fake_runs(threshold=0.3), "balanced": fake_runs(threshold=0.6)}
    rows = week1.imbalance_rows(by_weight, seed=1)
    assert len(rows) == 2 * len(NETWORKS) * 2
    keys = {(r["class_weight"], r["backend"], r["threshold_rule"]) for r in rows}
    assert keys == {(w, b, rule) for w in by_weight for b in NETWORKS for rule in ("0.5", "tuned on validation")}
    for r in rows:
        metrics = by_weight[r["class_weight"]].records[r["backend"]][1]["metrics"]
        m = metrics["test_at_0.5" if r["threshold_rule"] == "0.5" else "test"]
        assert r["threshold"] == m["threshold"]
        assert {k: r[k] for k in ("accuracy", "precision", "recall", "f1", "pr_auc")} == {
            k: m[k] for k in ("accuracy", "precision", "recall", "f1", "pr_auc")}
    tuned = [r["threshold"] for r in rows if r["threshold_rule"] != "0.5"]
    assert sorted(set(tuned)) == [0.3, 0.6] and {r["threshold"] for r in rows if r["threshold_rule"] == "0.5"} == {0.5}


def test_week1_table_puts_the_quoted_figures_beside_ours():
    ours = {"NumPy MLP": {"pr_auc": 0.37, "roc_auc": 0.74, "f1": 0.45, "accuracy": 0.7},
            "PyTorch MLP": {"pr_auc": 0.36, "roc_auc": 0.73, "f1": 0.44, "accuracy": 0.69}}
    table = week1.week1_table(ours)
    assert list(table.columns) == ["pr_auc", "roc_auc", "f1", "accuracy"]
    assert list(table.index) == ["NumPy MLP", "PyTorch MLP", "week-1 PyTorch (quoted)", "best public attempt (quoted)"]
    assert table.loc["NumPy MLP", "f1"] == 0.45
    quoted = week1.WEEK1_QUOTED.loc["week-1 PyTorch (quoted)"]
    assert table.loc["week-1 PyTorch (quoted)", "pr_auc"] == quoted["pr_auc"] == 0.2645
    assert np.isnan(table.loc["week-1 PyTorch (quoted)", "roc_auc"])
    assert table.loc["best public attempt (quoted)", "roc_auc"] == week1.BEST_PUBLIC_ON_ORIGINAL["roc_auc"]
    assert np.isnan(table.loc["best public attempt (quoted)", "f1"])
    assert ours["NumPy MLP"] == {"pr_auc": 0.37, "roc_auc": 0.74, "f1": 0.45, "accuracy": 0.7}  # not modified


def test_quoted_confusion_matrix_adds_up_to_the_quoted_test_rows():
    quoted = week1.WEEK1_QUOTED.loc["week-1 PyTorch (quoted)"]
    (tn, fp), (fn, tp) = week1.WEEK1_CONFUSION
    assert tn + fp + fn + tp == quoted["test_rows"]
    assert (tn + tp) / quoted["test_rows"] == pytest.approx(quoted["accuracy"], abs=5e-4)
