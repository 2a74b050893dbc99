"""helpers.compare.week1: the quoted week-1 figures sit beside ours and add up (the imbalance cells moved to
helpers.compare.imbalance, tested in test_imbalance.py)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.compare import week1


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


def test_week1_table_leaves_out_the_f1_interval_of_our_rows():
    ours = {"NumPy MLP": {"pr_auc": 0.37, "roc_auc": 0.74, "f1": 0.45, "accuracy": 0.7, "f1_low": 0.44, "f1_high": 0.46}}
    table = week1.week1_table(ours)
    assert list(table.columns) == ["pr_auc", "roc_auc", "f1", "accuracy"]
    assert table.loc["NumPy MLP", "f1"] == 0.45
