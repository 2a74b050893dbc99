"""helpers.compare.evidence: resamples weighted or by index agree, patients stay whole, paired differences and
intervals over seeds, one common threshold for float drift, and the tables and inputs the notebooks read."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.compare import evidence
from helpers.metrics import (
    bootstrap_indices,
    expected_calibration_error,
    mcnemar_exact,
    resample_metrics,
    resample_weights,
    weighted_resample_metrics,
)
from helpers.study import runs as study
from tests.fakes import SIGNALS, fake_runs, separating


def test_weighted_resamples_equal_index_resamples():
    rng = np.random.default_rng(1)
    y = (rng.random(500) < 0.25).astype(int)
    p = np.round(rng.random(500) * 0.6 + 0.3 * y, 2)  # ties included
    idx = next(bootstrap_indices(500, 20, seed=4))
    w = next(resample_weights(500, 20, seed=4))
    a, b = resample_metrics(y, p, 0.4, idx), weighted_resample_metrics(y, p, 0.4, w)
    for k in a:
        np.testing.assert_allclose(a[k], b[k], rtol=1e-10, equal_nan=True)


def test_cluster_resamples_keep_patients_whole():
    groups = np.repeat(np.arange(50), 3)
    w = np.concatenate(list(resample_weights(150, 40, seed=2, groups=groups, chunk_size=15)))
    assert w.shape == (40, 150)
    per_patient = w.reshape(40, 50, 3)
    assert (per_patient == per_patient[:, :, :1]).all()  # a patient's rows come together
    np.testing.assert_array_equal(per_patient[:, :, 0].sum(axis=1), 50)  # 50 patients drawn per replicate


def test_paired_difference_of_a_model_with_itself_is_exactly_zero():
    def noisy(y, rng):
        return np.clip(0.3 * y + rng.random(y.size) * 0.7, 0, 1)

    runs = fake_runs({"NumPy MLP": noisy, "PyTorch MLP": noisy})
    res = evidence.resample_runs(runs, 200, seed=0, n_jobs=1, progress=False)
    d = evidence.paired(runs, res, "NumPy MLP", "PyTorch MLP", "pr_auc")
    assert d["estimate"] == 0 and d["low"] == 0 and d["high"] == 0


def test_a_clearly_better_model_is_found_and_the_interval_covers_its_estimate():
    def good(y, rng):
        return np.clip(0.5 * y + rng.random(y.size) * 0.5, 0, 1)

    def weak(y, rng):
        return np.clip(0.1 * y + rng.random(y.size) * 0.9, 0, 1)

    runs = fake_runs({"NumPy MLP": good, "PyTorch MLP": weak}, groups=np.arange(400) // 2)
    res = evidence.resample_runs(runs, 300, seed=0, n_jobs=1, progress=False)
    assert res.clustered
    d = evidence.paired(runs, res, "NumPy MLP", "PyTorch MLP", "pr_auc")
    assert d["low"] > 0 and d["low"] <= d["estimate"] <= d["high"]
    s = evidence.spread(runs, res, "NumPy MLP", "pr_auc")
    assert s["mean"] == pytest.approx(runs.metric("NumPy MLP", "pr_auc").mean())
    assert s["low"] <= s["mean"] <= s["high"]


def test_float_drift_uses_one_common_threshold():
    y = np.array([0, 1, 0, 1, 1, 0])
    pa = np.array([0.1, 0.6, 0.4, 0.7, 0.2, 0.55])
    pb = np.array([0.1, 0.6, 0.6, 0.7, 0.2, 0.45])
    runs = study.Runs("x", [0], {m: {0: {"threshold": t, "n_epochs": 3}} for m, t in
                                 (("NumPy MLP", 0.5), ("PyTorch MLP", 0.3))},
                      {"NumPy MLP": {0: {"proba_test": pa, "W1": np.ones((2, 2)), "b1": np.zeros(2)}},
                       "PyTorch MLP": {0: {"proba_test": pb, "W1": np.ones((2, 2)) + 1e-3, "b1": np.zeros(2)}}},
                      y_val=y, y_test=y)
    d = evidence.float_drift(runs, 0)
    assert d["common_threshold"] == 0.5  # the NumPy network's, for both
    assert d["rows_labelled_differently"] == 2
    assert d["max_weight_diff"] == pytest.approx(1e-3)
    assert d["max_proba_diff"] == pytest.approx(0.2)
    assert d["mcnemar"] == mcnemar_exact(y, (pa >= 0.5).astype(int), (pb >= 0.5).astype(int))


def test_expected_calibration_error_against_a_manual_count():
    from helpers.metrics import expected_calibration_error

    y = np.array([0, 0, 1, 1, 1, 0, 1, 0])
    p = np.array([0.05, 0.15, 0.12, 0.55, 0.58, 0.52, 0.95, 0.99])
    # bins of width 0.5: [0.05, 0.15, 0.12] (mean 0.1067, rate 1/3), the rest (mean 0.718, rate 3/5)
    expected = (3 / 8) * abs(np.mean(p[:3]) - 1 / 3) + (5 / 8) * abs(np.mean(p[3:]) - 3 / 5)
    assert expected_calibration_error(y, p, n_bins=2) == pytest.approx(expected)
    assert expected_calibration_error(y, y.astype(float), n_bins=10) == 0.0


def test_tables_and_inputs_read_every_model_of_the_runs():
    runs = fake_runs(scores={"Always show (dummy)": lambda y, rng: np.full(y.size, 0.3),
                             **{m: separating(s) for m, s in SIGNALS.items()}}, seeds=(0, 1),
                     groups=np.arange(400) // 2)
    res = evidence.resample_runs(runs, 40, seed=0, n_jobs=1, progress=False)
    table = evidence.summary_table(runs, res, metrics=("pr_auc",), digits=2)
    s = evidence.spread(runs, res, "NumPy MLP", "pr_auc")
    assert table.loc["NumPy MLP", "pr_auc"] == f"{s['mean']:.2f} ± {s['sd']:.2f} [{s['low']:.2f}, {s['high']:.2f}]"
    assert table.loc["NumPy MLP", "threshold"] == "0.300 ± 0.000"
    assert "[" not in evidence.summary_table(runs, None, metrics=("pr_auc",)).loc["NumPy MLP", "pr_auc"]
    assert evidence.per_seed(runs, ["f1"], ["NumPy MLP"]) == {"NumPy MLP": {"f1": runs.metric("NumPy MLP", "f1").tolist()}}
    labels = [d["label"] for d in evidence.comparisons(runs, res, metrics=("pr_auc",))]
    assert labels == ["NumPy MLP - PyTorch MLP", "NumPy MLP - Gradient boosting", "NumPy MLP - Logistic regression"]
    probas, thresholds = evidence.first_seed_scores(runs)
    assert "Always show (dummy)" not in probas and thresholds["PyTorch MLP"] == 0.3
    pr, roc = evidence.curve_scores(runs)
    assert set(pr) == set(SIGNALS) and pr["NumPy MLP"] == runs.records["NumPy MLP"][0]["metrics"]["test"]["pr_auc"]
    assert 0.5 < roc["NumPy MLP"] <= 1
    ece, brier = evidence.calibration(runs, ["NumPy MLP"], n_bins=5)
    assert ece["NumPy MLP"] == pytest.approx(np.mean([expected_calibration_error(runs.y_test, runs.proba("NumPy MLP", s), 5)
                                                      for s in runs.seeds]))
    assert brier["NumPy MLP"] == pytest.approx(runs.metric("NumPy MLP", "brier").mean())
    thresholds, recalls, f1s = evidence.threshold_inputs(runs)
    assert thresholds == {m: [0.3, 0.3] for m in ("NumPy MLP", "PyTorch MLP")} and len(recalls["NumPy MLP"]) == 2
    assert set(evidence.first_seed_records(runs)) == {"NumPy MLP", "PyTorch MLP"}
    assert set(evidence.first_seed_confusions(runs)) == {"NumPy MLP", "PyTorch MLP"}


def test_drift_table_puts_the_two_precisions_side_by_side():
    d = {"max_weight_diff": 1e-15, "max_proba_diff": 2e-15, "common_threshold": 0.3, "rows_labelled_differently": 0,
         "mcnemar": {"p_value": 1.0}, "epochs": [5, 5]}
    table = evidence.drift_table(d, {**d, "max_weight_diff": 1e-4, "rows_labelled_differently": 3, "epochs": [5, 6]})
    assert list(table.index) == ["float64", "float32"]
    assert table.loc["float32", "test rows labelled differently"] == 3
    assert table.loc["float32", "epochs (NumPy, PyTorch)"] == "(5, 6)"
