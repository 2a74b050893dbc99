"""helpers.metrics: point metrics, threshold tuning, bootstrap, McNemar, Wilson intervals and operating
points (against scipy and scikit-learn)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.stats import binomtest
from sklearn import metrics as skm

from helpers import metrics as M


def make_data(n: int, seed: int = 0, signal: float = 1.2, prevalence: float = 0.2, decimals=None):
    """Imbalanced labels and informative probabilities (optionally rounded: many ties)."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < prevalence).astype(int)
    p = 1.0 / (1.0 + np.exp(-(rng.normal(size=n) + signal * y - 1.5)))
    if decimals is not None:
        p = np.round(p, decimals)
    return y, p


# --------------------------------------------------------------------------- evaluate
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_evaluate_matches_sklearn(seed):
    y, p = make_data(3000, seed=seed)
    thr = 0.3
    out = M.evaluate(y, p, thr)
    pred = (p >= thr).astype(int)
    assert out["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert out["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y, pred))
    assert out["precision"] == pytest.approx(skm.precision_score(y, pred))
    assert out["recall"] == pytest.approx(skm.recall_score(y, pred))
    assert out["f1"] == pytest.approx(skm.f1_score(y, pred))
    assert out["pr_auc"] == pytest.approx(skm.average_precision_score(y, p))
    assert out["roc_auc"] == pytest.approx(skm.roc_auc_score(y, p))
    assert out["brier"] == pytest.approx(skm.brier_score_loss(y, p))
    assert out["prevalence"] == pytest.approx(y.mean())
    assert out["n"] == y.size and out["threshold"] == thr
    cm = out["confusion_matrix"]
    assert cm == skm.confusion_matrix(y, pred).tolist()
    assert all(type(v) is int for row in cm for v in row)
    assert sum(map(sum, cm)) == y.size


def test_evaluate_threshold_rule_is_greater_or_equal():
    y = np.array([0, 1, 1, 0])
    p = np.array([0.1, 0.5, 0.7, 0.49])
    out = M.evaluate(y, p, 0.5)  # 0.5 exactly at the threshold -> positive
    assert out["confusion_matrix"] == [[2, 0], [0, 2]]
    assert out["recall"] == 1.0 and out["precision"] == 1.0
    out = M.evaluate(y, p, np.nextafter(0.5, 1))
    assert out["confusion_matrix"] == [[2, 0], [1, 1]]


def test_evaluate_no_predicted_positive_gives_zero_not_warning():
    y, p = make_data(200, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = M.evaluate(y, p, 2.0)
    assert out["precision"] == 0.0 and out["f1"] == 0.0 and out["recall"] == 0.0


def test_evaluate_rejects_bad_input():
    with pytest.raises(ValueError):
        M.evaluate([0, 2, 1], [0.1, 0.2, 0.3], 0.5)
    with pytest.raises(ValueError):
        M.evaluate([0, 1, 1], [0.1, 0.2], 0.5)


# --------------------------------------------------------------------- tune_threshold
@pytest.mark.parametrize("decimals", [None, 2])
def test_tune_threshold_maximises_f1(decimals):
    y, p = make_data(1500, seed=4, decimals=decimals)
    thr = M.tune_threshold(y, p)
    assert thr in set(p.tolist())
    # brute force over every unique probability, written out with NumPy
    pred = p[None, :] >= np.unique(p)[:, None]
    tp = (pred & (y == 1)).sum(axis=1)
    fp = (pred & (y == 0)).sum(axis=1)
    fn = (y == 1).sum() - tp
    brute = np.max(2 * tp / (2 * tp + fp + fn))
    got = skm.f1_score(y, (p >= thr).astype(int))
    assert got == pytest.approx(brute, abs=1e-12)
    assert M.evaluate(y, p, thr)["f1"] == pytest.approx(brute, abs=1e-12)


def test_tune_threshold_beats_default_half_on_imbalanced_data():
    y, p = make_data(4000, seed=5)
    thr = M.tune_threshold(y, p)
    assert M.evaluate(y, p, thr)["f1"] > M.evaluate(y, p, 0.5)["f1"]


# ------------------------------------------------------ vectorised resample metrics
@pytest.mark.parametrize("decimals", [None, 2, 1])
def test_resample_metrics_equal_sklearn_rowwise(decimals):
    # decimals=1 leaves ~10 distinct scores: almost every score is tied
    y, p = make_data(2000, seed=6, decimals=decimals)
    if decimals is not None:
        assert np.unique(p).size < p.size / 5
    idx = np.random.default_rng(11).integers(0, y.size, size=(6, y.size))
    thr = 0.3
    got = M.resample_metrics(y, p, thr, idx)
    assert set(got) == set(M.BOOTSTRAP_METRICS)
    for r in range(idx.shape[0]):
        yr, pr = y[idx[r]], p[idx[r]]
        assert got["pr_auc"][r] == pytest.approx(skm.average_precision_score(yr, pr), abs=1e-10, rel=0)
        assert got["roc_auc"][r] == pytest.approx(skm.roc_auc_score(yr, pr), abs=1e-10, rel=0)
        ref = M.evaluate(yr, pr, thr)
        for k in M.BOOTSTRAP_METRICS:
            assert got[k][r] == pytest.approx(ref[k], abs=1e-10, rel=0), k


def test_resample_metrics_float32_probabilities():
    y, p = make_data(1000, seed=17)
    p = p.astype(np.float32)
    thr = M.tune_threshold(y, p)  # a float32 value: exactly at the threshold is positive
    idx = np.random.default_rng(2).integers(0, y.size, size=(3, y.size))
    got = M.resample_metrics(y, p, thr, idx)
    for r in range(3):
        ref = M.evaluate(y[idx[r]], p[idx[r]], thr)
        for k in M.BOOTSTRAP_METRICS:
            assert got[k][r] == pytest.approx(ref[k], abs=1e-7, rel=0), k


def test_resample_metrics_all_tied_and_single_class_rows():
    y = np.array([0, 1, 0, 1, 0, 0])
    p = np.full(6, 0.4)  # one tie group: AP = prevalence, AUC = 0.5
    idx = np.array([[0, 1, 2, 3, 4, 5], [0, 2, 4, 5, 0, 2]])  # second row: negatives only
    got = M.resample_metrics(y, p, 0.5, idx)
    assert got["pr_auc"][0] == pytest.approx(skm.average_precision_score(y, p))
    assert got["roc_auc"][0] == pytest.approx(0.5)
    assert np.isnan(got["pr_auc"][1]) and np.isnan(got["roc_auc"][1])
    assert got["accuracy"][1] == 1.0


def test_bootstrap_indices_do_not_depend_on_chunk_size():
    full = np.random.default_rng(3).integers(0, 50, size=(23, 50))
    for chunk in (1, 5, 23, 100):
        blocks = list(M.bootstrap_indices(50, 23, seed=3, chunk_size=chunk))
        assert max(b.shape[0] for b in blocks) == min(chunk, 23)
        np.testing.assert_array_equal(np.vstack(blocks), full)


def test_bootstrap_ci_independent_of_chunk_size():
    y, p = make_data(800, seed=7)
    a = M.bootstrap_ci(y, p, 0.3, n_resamples=90, seed=1, chunk_size=7)
    b = M.bootstrap_ci(y, p, 0.3, n_resamples=90, seed=1, chunk_size=200)
    assert a == b


# ------------------------------------------------------------------------ bootstrap CI
def test_bootstrap_ci_contains_estimate_and_shrinks_with_n():
    metrics = ("pr_auc", "roc_auc", "f1", "accuracy", "brier")
    y_s, p_s = make_data(500, seed=8)
    y_l, p_l = make_data(20_000, seed=8)
    small = M.bootstrap_ci(y_s, p_s, 0.3, n_resamples=300, seed=0, metrics=metrics)
    large = M.bootstrap_ci(y_l, p_l, 0.3, n_resamples=300, seed=0, metrics=metrics)
    for m in metrics:
        for ci in (small[m], large[m]):
            assert set(ci) == {"estimate", "low", "high"}
            assert ci["low"] <= ci["estimate"] <= ci["high"]
            assert ci["low"] < ci["high"]
        ratio = (large[m]["high"] - large[m]["low"]) / (small[m]["high"] - small[m]["low"])
        # sqrt(500 / 20000) ~ 0.16
        assert ratio < 0.35, (m, ratio)


def test_bootstrap_ci_estimate_is_full_data_value_and_default_metrics():
    y, p = make_data(1000, seed=9)
    ci = M.bootstrap_ci(y, p, 0.25, n_resamples=50)
    point = M.evaluate(y, p, 0.25)
    assert set(ci) == set(M.BOOTSTRAP_METRICS)
    for m in ci:
        assert ci[m]["estimate"] == point[m]


def test_bootstrap_ci_seeding():
    y, p = make_data(1000, seed=10)
    a = M.bootstrap_ci(y, p, 0.3, n_resamples=100, seed=123)
    b = M.bootstrap_ci(y, p, 0.3, n_resamples=100, seed=123)
    c = M.bootstrap_ci(y, p, 0.3, n_resamples=100, seed=124)
    assert a == b
    assert a != c
    assert a["pr_auc"]["low"] != c["pr_auc"]["low"]


def test_bootstrap_ci_alpha_widens_interval():
    y, p = make_data(1000, seed=12)
    narrow = M.bootstrap_ci(y, p, 0.3, n_resamples=200, alpha=0.5, metrics=("pr_auc",))
    wide = M.bootstrap_ci(y, p, 0.3, n_resamples=200, alpha=0.05, metrics=("pr_auc",))
    assert wide["pr_auc"]["low"] < narrow["pr_auc"]["low"] < narrow["pr_auc"]["high"] < wide["pr_auc"]["high"]


def test_bootstrap_rejects_unknown_metric():
    y, p = make_data(100, seed=0)
    with pytest.raises(ValueError):
        M.bootstrap_ci(y, p, 0.3, n_resamples=10, metrics=("confusion_matrix",))


# --------------------------------------------------------------------- paired bootstrap
def test_paired_bootstrap_identical_models_zero():
    y, p = make_data(2000, seed=13)
    out = M.paired_bootstrap_diff(y, p, p.copy(), 0.3, 0.3, n_resamples=200, metrics=("pr_auc", "f1", "roc_auc"))
    for m, d in out.items():
        assert d == {"estimate": 0.0, "low": 0.0, "high": 0.0, "p_value": 1.0}, m


def test_paired_bootstrap_better_model_excludes_zero():
    rng = np.random.default_rng(14)
    n = 3000
    y = (rng.random(n) < 0.2).astype(int)
    good = 1 / (1 + np.exp(-(rng.normal(size=n) + 2.5 * y - 2)))
    weak = 1 / (1 + np.exp(-(rng.normal(size=n) + 0.5 * y - 1.5)))
    out = M.paired_bootstrap_diff(y, good, weak, M.tune_threshold(y, good), M.tune_threshold(y, weak),
                                  n_resamples=300, seed=0)
    assert set(out) == {"pr_auc", "f1"}
    for m, d in out.items():
        assert d["estimate"] > 0
        assert 0 < d["low"] <= d["estimate"] <= d["high"]
        assert d["p_value"] < 0.01
    # reversing the order flips the sign and the interval
    rev = M.paired_bootstrap_diff(y, weak, good, M.tune_threshold(y, weak), M.tune_threshold(y, good),
                                  n_resamples=300, seed=0)
    assert rev["pr_auc"]["estimate"] == pytest.approx(-out["pr_auc"]["estimate"])
    assert rev["pr_auc"]["high"] == pytest.approx(-out["pr_auc"]["low"])


def test_paired_bootstrap_uses_same_resamples_for_both_models():
    # A paired bootstrap of nearly identical models has a far narrower interval than
    # the unpaired CIs would suggest; independent resampling would not.
    y, p = make_data(3000, seed=15)
    q = np.clip(p + np.random.default_rng(0).normal(scale=1e-3, size=p.size), 0, 1)
    d = M.paired_bootstrap_diff(y, p, q, 0.3, 0.3, n_resamples=200, metrics=("pr_auc",))["pr_auc"]
    single = M.bootstrap_ci(y, p, 0.3, n_resamples=200, metrics=("pr_auc",))["pr_auc"]
    assert (d["high"] - d["low"]) < 0.1 * (single["high"] - single["low"])


def test_paired_bootstrap_p_value_is_capped_and_two_sided():
    y, p = make_data(400, seed=16)
    q = np.clip(p + np.random.default_rng(1).normal(scale=0.05, size=p.size), 0, 1)
    d = M.paired_bootstrap_diff(y, p, q, 0.3, 0.3, n_resamples=200, metrics=("pr_auc",))["pr_auc"]
    assert 0.0 <= d["p_value"] <= 1.0
    d2 = M.paired_bootstrap_diff(y, q, p, 0.3, 0.3, n_resamples=200, metrics=("pr_auc",))["pr_auc"]
    assert d2["p_value"] == pytest.approx(d["p_value"])


# ---------------------------------------------------------------------------- McNemar
def _construct(b: int, c: int, both_right: int = 5, both_wrong: int = 3):
    """Predictions with exactly b (a right, b wrong) and c (a wrong, b right) rows."""
    y = np.ones(b + c + both_right + both_wrong, dtype=int)
    pa = np.concatenate([np.ones(b), np.zeros(c), np.ones(both_right), np.zeros(both_wrong)]).astype(int)
    pb = np.concatenate([np.zeros(b), np.ones(c), np.ones(both_right), np.zeros(both_wrong)]).astype(int)
    return y, pa, pb


def test_mcnemar_known_p_value():
    y, pa, pb = _construct(10, 2)
    out = M.mcnemar_exact(y, pa, pb)
    assert out["b"] == 10 and out["c"] == 2 and out["n_discordant"] == 12
    assert out["p_value"] == pytest.approx(0.03857421875, abs=1e-12)  # 2 * 79 / 4096
    swapped = M.mcnemar_exact(y, pb, pa)
    assert (swapped["b"], swapped["c"]) == (2, 10)
    assert swapped["p_value"] == pytest.approx(out["p_value"], abs=1e-12)


def test_mcnemar_balanced_and_no_discordant():
    y, pa, pb = _construct(7, 7)
    assert M.mcnemar_exact(y, pa, pb)["p_value"] == 1.0
    y, pa, pb = _construct(0, 0)
    out = M.mcnemar_exact(y, pa, pb)
    assert out == {"b": 0, "c": 0, "p_value": 1.0, "n_discordant": 0}


def test_mcnemar_counts_on_negatives_too():
    y = np.array([0, 0, 0, 1, 1])
    pa = np.array([0, 0, 1, 1, 0])
    pb = np.array([1, 0, 1, 0, 1])
    out = M.mcnemar_exact(y, pa, pb)
    # row 0: a right, b wrong; row 3: a right, b wrong; row 4: a wrong, b right
    assert (out["b"], out["c"]) == (2, 1)


def test_metric_labels_cover_evaluate_keys():
    y, p = make_data(100, seed=0)
    assert set(M.evaluate(y, p, 0.5)) <= set(M.METRIC_LABELS)
    assert M.METRIC_LABELS["pr_auc"] == "PR-AUC" and M.METRIC_LABELS["roc_auc"] == "ROC-AUC"


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (217, 1093), (1, 2)])
def test_wilson_interval_matches_scipy(k, n):
    low, high = M.wilson_interval(np.array([k]), np.array([n]))
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    np.testing.assert_allclose([low[0], high[0]], [ci.low, ci.high], atol=1e-4)  # z = 1.96 vs 1.95996...
    assert 0.0 <= low[0] <= k / n <= high[0] <= 1.0


def test_wilson_interval_refuses_impossible_counts():
    with pytest.raises(ValueError, match="between 0 and trials"):
        M.wilson_interval([5], [3])
    with pytest.raises(ValueError, match="shape"):
        M.wilson_interval([1, 2], [3])


def test_operating_point_matches_scikit_learn():
    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.2).astype(int)
    p = np.clip(0.2 + 0.3 * y + rng.normal(0, 0.2, 400), 0, 1)
    for threshold in (0.1, 0.35, 0.6):
        pred = (p >= threshold).astype(int)
        recall, precision = M.operating_point(y, p, threshold, "pr")
        assert recall == pytest.approx(skm.recall_score(y, pred))
        assert precision == pytest.approx(skm.precision_score(y, pred))
        fpr, tpr = M.operating_point(y, p, threshold, "roc")
        tn, fp, fn, tp = skm.confusion_matrix(y, pred).ravel()
        assert (fpr, tpr) == pytest.approx((fp / (fp + tn), tp / (tp + fn)))
    # nothing predicted positive: precision 1 (the end of sklearn's PR curve), recall 0
    assert M.operating_point(y, p, 2.0, "pr") == (0.0, 1.0)
    with pytest.raises(ValueError, match="curve"):
        M.operating_point(y, p, 0.5, "det")
