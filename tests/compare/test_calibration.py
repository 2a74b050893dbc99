"""helpers.compare.calibration: the intercept and slope fits agree with independent references, the
intervals come from the study's own hierarchical bootstrap draws, the smoothed curve is the spline
logistic regression, and the sentence's words flip with the numbers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import expit, logit
from sklearn.linear_model import LogisticRegression

from helpers.compare import calibration as cal
from helpers.compare import evidence
from helpers.metrics import expected_calibration_error, resample_weights
from tests.fakes import fake_runs

#: The three verdicts of the sentence.
READ = "can be read as risks"
MIS = "miscalibrated"
UNCLEAR = "calibration not shown either way (the interval reaches past the band)"


def _simulated(n=4000, seed=0):
    """Labels drawn from known probabilities ``q`` (about a 20 % rate)."""
    rng = np.random.default_rng(seed)
    q = expit(rng.normal(-1.6, 0.9, n))
    return (rng.random(n) < q).astype(int), q


def _sklearn_slope(y, p):
    lr = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(logit(p)[:, None], y)
    return lr.coef_[0, 0]


def _offset_intercept(y, p):
    """The intercept with logit(p) as offset, from the root of its score equation."""
    o = logit(p)
    return brentq(lambda a: np.sum(y - expit(a + o)), -10, 10, xtol=1e-14)


def test_fits_equal_references_on_rows_repeated_by_their_weights():
    y, q = _simulated(600, seed=1)
    p = np.clip(q * 1.3, 0.001, 0.999)
    weights = np.random.default_rng(2).integers(0, 4, size=(11, y.size))  # 11 fits: more than one block
    intercepts, slopes = cal.calibration_fit(y, p, weights)
    assert intercepts.shape == slopes.shape == (11,)
    for r in range(11):
        idx = np.repeat(np.arange(y.size), weights[r])
        assert intercepts[r] == pytest.approx(_offset_intercept(y[idx], p[idx]), abs=1e-8)
        assert slopes[r] == pytest.approx(_sklearn_slope(y[idx], p[idx]), abs=1e-6)
    a, b = cal.calibration_fit(y, p)
    assert a == pytest.approx(_offset_intercept(y, p), abs=1e-8) and b == pytest.approx(_sklearn_slope(y, p), abs=1e-6)


def test_true_probabilities_are_calibrated_and_distortions_show_in_intercept_and_slope():
    y, q = _simulated(20_000, seed=3)
    a, b = cal.calibration_fit(y, q)
    assert abs(a) < 0.05 and abs(b - 1) < 0.06
    # logit(p) = 2 logit(q): exactly half the slope (too extreme predictions)
    _, b2 = cal.calibration_fit(y, expit(2 * logit(q)))
    assert b2 == pytest.approx(b / 2, rel=1e-9) and b2 == pytest.approx(0.5, abs=0.03)
    # every prediction 0.5 higher on the logit scale: the intercept drops by exactly 0.5 (too high on average)
    a3, b3 = cal.calibration_fit(y, expit(logit(q) + 0.5))
    assert a3 == pytest.approx(a - 0.5, abs=1e-9) and b3 == pytest.approx(b, rel=1e-9)


def test_constant_or_extreme_probabilities():
    y = np.array([0, 0, 0, 1] * 50)
    a, b = cal.calibration_fit(y, np.full(y.size, 0.4))
    assert np.isnan(b)
    assert a == pytest.approx(logit(0.25) - logit(0.4), abs=1e-10)  # only the average is defined
    p = np.random.default_rng(0).uniform(0.05, 0.6, y.size)
    p[0], p[1] = 0.0, 1.0
    a, b = cal.calibration_fit(y, p)  # clipped before the logit: finite
    assert np.isfinite(a) and np.isfinite(b)
    separated = np.where(y == 1, 0.9, 0.1)  # the slope runs off to infinity: no estimate, not a wrong one
    assert np.isnan(cal.calibration_fit(y, separated)[1])
    with pytest.raises(ValueError):
        cal.calibration_fit(y, np.full(y.size, 1.5))
    with pytest.raises(ValueError):
        cal.calibration_fit(y, np.full(y.size, 0.4), np.ones((2, 3)))


def _scores():
    """Per seed: calibrated, too high on average, too extreme, and a shared-key reference."""
    def calibrated(y, rng, d=1.5):
        # scores N(d y, 1) given the label (rate 0.3): P(y=1 | score) = expit(logit(0.3) + d score - d^2 / 2)
        return expit(logit(0.3) + d * (rng.normal(size=y.size) + d * y) - d * d / 2)

    return {"NumPy MLP": calibrated,
            "PyTorch MLP": lambda y, rng: expit(2.5 * logit(calibrated(y, rng))),
            "Logistic regression": lambda y, rng: calibrated(y, np.random.default_rng(7)),
            "Always show (dummy)": lambda y, rng: np.full(y.size, 0.3)}


def _shared_key(runs, model):
    for s in runs.seeds:
        runs.records[model][s]["cache_key"] = {"model": model, "seed": None}
    return runs


def test_intervals_are_the_hierarchical_bootstrap_of_the_study():
    groups = np.arange(300) // 3
    runs = _shared_key(fake_runs(_scores(), n=300, seeds=(0, 1, 2), groups=groups), "Logistic regression")
    R, seed = 60, 4
    ev = cal.calibration_evidence(runs, ["NumPy MLP", "Logistic regression"], n_resamples=R, seed=seed, n_jobs=1,
                                  progress=False)
    weights = np.concatenate(list(resample_weights(300, R, seed, groups)))
    draws = np.random.default_rng(seed + 1).integers(0, 3, size=(R, 3))
    for model in ("NumPy MLP", "Logistic regression"):
        fits = [cal.calibration_fit(runs.y_test, runs.proba(model, s), weights) for s in runs.seeds]
        points = [cal.calibration_fit(runs.y_test, runs.proba(model, s)) for s in runs.seeds]
        for j, key in enumerate(("intercept", "slope")):
            per_seed = np.stack([f[j] for f in fits])  # (n_seeds, R)
            boot = per_seed[draws.T, np.arange(R)].mean(axis=0)
            low, high = np.quantile(boot, [0.025, 0.975])
            assert ev[model][key]["low"] == pytest.approx(low, abs=1e-4)
            assert ev[model][key]["high"] == pytest.approx(high, abs=1e-4)
            assert ev[model][key]["mean"] == pytest.approx(np.mean([p[j] for p in points]), abs=1e-9)
        assert ev[model]["ece"] == pytest.approx(np.mean([expected_calibration_error(runs.y_test, runs.proba(model, s))
                                                          for s in runs.seeds]))
        assert ev[model]["brier"] == pytest.approx(runs.metric(model, "brier").mean())


def test_each_distinct_run_is_fitted_once_and_the_result_is_cached(tmp_path, monkeypatch):
    runs = _shared_key(fake_runs(_scores(), n=200, seeds=(0, 1, 2)), "Logistic regression")
    sizes = []
    real = evidence.run_tasks  # the distinct runs are evaluated by evidence.per_run

    def counting(function, tasks, **kw):
        sizes.append(len(tasks))
        return real(function, tasks, **kw)

    monkeypatch.setattr(evidence, "run_tasks", counting)
    models = ["NumPy MLP", "Logistic regression"]
    first = cal.calibration_evidence(runs, models, n_resamples=20, n_jobs=1, cache_dir=tmp_path, progress=False)
    assert sizes == [3 + 1]  # three seeds of the network, one fit standing for every seed of the reference
    assert len(list(tmp_path.glob("calibration_*.npz"))) == 1
    monkeypatch.setattr(evidence, "run_tasks", lambda *a, **k: pytest.fail("the cached replicates were not reused"))
    again = cal.calibration_evidence(runs, models, n_resamples=20, n_jobs=1, cache_dir=tmp_path, progress=False)
    assert again == first


def test_evidence_finds_the_miscalibrated_model_and_the_sentence_says_how():
    runs = fake_runs(_scores(), n=600, seeds=(0, 1))
    ev = cal.calibration_evidence(runs, ["NumPy MLP", "PyTorch MLP", "Always show (dummy)"], n_resamples=100,
                                  n_jobs=1, progress=False)
    assert ev["NumPy MLP"]["slope"]["low"] < 1 < ev["NumPy MLP"]["slope"]["high"]
    assert ev["PyTorch MLP"]["slope"]["high"] < 0.6  # logit scaled by 2.5: slope about 0.4
    assert np.isnan(ev["Always show (dummy)"]["slope"]["mean"]) and np.isfinite(ev["Always show (dummy)"]["intercept"]["mean"])
    text = cal.calibration_sentence(ev, intercept_margin=0.5, slope_margin=0.5)
    pytorch = next(line for line in text.splitlines() if "**PyTorch MLP**" in line)
    assert "miscalibrated" in pytorch and "too extreme" in pytorch
    dummy = next(line for line in text.splitlines() if "**Always show (dummy)**" in line)
    assert "slope undefined" in dummy and READ not in dummy


def _evidence(intercept, slope, ece=0.01, brier=0.14):
    def entry(v):
        return {"mean": v[0], "low": v[1], "high": v[2]}

    return {"intercept": entry(intercept), "slope": entry(slope), "ece": ece, "brier": brier}


CASES = {
    "good": ((0.01, -0.03, 0.05), (1.02, 0.95, 1.08)),
    "too high, too extreme": ((-0.3, -0.4, -0.2), (0.7, 0.6, 0.8)),
    "too low, too moderate": ((0.3, 0.2, 0.4), (1.3, 1.2, 1.4)),
    "unclear": ((0.05, -0.02, 0.12), (1.0, 0.95, 1.05)),
    "constant": ((0.0, -0.02, 0.02), (np.nan, np.nan, np.nan)),
}


def _sentence(case, **margins):
    return cal.calibration_sentence({"M": _evidence(*CASES[case])}, **margins)


def test_sentence_reads_as_risks_only_with_both_intervals_inside_their_bands():
    text = _sentence("good")
    assert READ in text and MIS not in text and UNCLEAR not in text
    assert "0.010 [-0.030, 0.050]" in text and "1.020 [0.950, 1.080]" in text
    assert "calibration error (10 equal-width bins) M 0.010" in text and "Brier score M 0.1400" in text
    narrow = _sentence("good", slope_margin=0.06)  # the slope's interval now reaches past [0.94, 1.06]
    assert READ not in narrow and UNCLEAR in narrow


def test_sentence_says_how_a_model_is_miscalibrated():
    text = _sentence("too high, too extreme")
    assert MIS in text and "too high on average" in text and "too extreme" in text
    assert READ not in text and UNCLEAR not in text and "too low" not in text and "too moderate" not in text
    text = _sentence("too low, too moderate")
    assert MIS in text and "too low on average" in text and "too moderate" in text
    assert READ not in text and UNCLEAR not in text and "too high" not in text and "too extreme" not in text
    wide = _sentence("too high, too extreme", intercept_margin=0.5, slope_margin=0.5)
    assert READ in wide and MIS not in wide


def test_sentence_names_class_weighting_as_the_cause_only_for_a_weighted_model_with_risks_too_high():
    high = {"M": _evidence(*CASES["too high, too extreme"])}
    assert "class weights" in cal.calibration_sentence(high, weighted=("M",))
    assert "class weights" not in cal.calibration_sentence(high)
    low = {"M": _evidence(*CASES["too low, too moderate"])}
    assert "class weights" not in cal.calibration_sentence(low, weighted=("M",))


def test_sentence_neither_way_and_undefined_slope():
    text = _sentence("unclear")
    assert UNCLEAR in text and READ not in text and MIS not in text
    assert READ in _sentence("unclear", intercept_margin=0.2)
    text = _sentence("constant")
    assert "slope undefined" in text and "same probability" in text
    assert READ not in text and MIS not in text and UNCLEAR not in text
    off = cal.calibration_sentence({"M": _evidence(CASES["too high, too extreme"][0], (np.nan,) * 3)})
    assert MIS in off and "too high on average" in off and "slope is undefined" in off and READ not in off


def test_table_has_numeric_columns_with_the_bounds():
    ev = {"A": _evidence(*CASES["good"]), "B": _evidence(*CASES["too high, too extreme"], ece=0.05, brier=0.2)}
    table = cal.calibration_table(ev)
    assert list(table.index) == ["A", "B"]
    assert list(table.columns) == ["intercept", "intercept 95 % low", "intercept 95 % high", "slope", "slope 95 % low",
                                   "slope 95 % high", "ECE", "Brier"]
    assert table.loc["B", "slope 95 % high"] == 0.8 and table.loc["B", "ECE"] == 0.05
    assert all(dtype.kind == "f" for dtype in table.dtypes)


def test_spline_basis_is_linear_beyond_the_outer_knots():
    knots = np.array([-3.0, -2.0, -1.0, 0.5])
    x = np.linspace(0.6, 3, 50)  # beyond the last knot
    B = cal.spline_basis(x, knots)
    assert B.shape == (50, 3)
    np.testing.assert_allclose(np.diff(B, 2, axis=0), 0, atol=1e-10)
    inside = cal.spline_basis(np.linspace(-2.5, -0.5, 50), knots)
    assert np.abs(np.diff(inside[:, 1:], 2, axis=0)).max() > 1e-6  # cubic between the knots
    with pytest.raises(ValueError):
        cal.spline_basis(x, [0.0, 1.0])


def test_smoothed_curve_is_the_spline_logistic_regression_with_a_band():
    runs = fake_runs(_scores(), n=800, seeds=(0,))
    curves = cal.smoothed_curves(runs, ["NumPy MLP", "PyTorch MLP", "Always show (dummy)"], n_resamples=40,
                                 n_jobs=1, progress=False)
    assert set(curves) == {"NumPy MLP", "PyTorch MLP"}  # no curve for constant predictions
    for c in curves.values():
        assert c["grid"].shape == c["curve"].shape == c["low"].shape == c["high"].shape == (100,)
        assert np.all(c["low"] <= c["curve"] + 1e-9) and np.all(c["curve"] <= c["high"] + 1e-9)
    p = runs.proba("NumPy MLP", 0)
    c = curves["NumPy MLP"]
    assert c["grid"][0] == pytest.approx(np.quantile(p, 0.01)) and c["grid"][-1] == pytest.approx(np.quantile(p, 0.99))
    o = logit(p)
    knots = np.quantile(o, cal.KNOT_QUANTILES[4])
    lr = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(cal.spline_basis(o, knots), runs.y_test)
    expected = lr.predict_proba(cal.spline_basis(logit(c["grid"]), knots))[:, 1]
    np.testing.assert_allclose(c["curve"], expected, atol=1e-7)
    inside = (c["grid"] > 0.1) & (c["grid"] < 0.9)
    assert np.mean((c["low"][inside] <= c["grid"][inside]) & (c["grid"][inside] <= c["high"][inside])) > 0.8
    c = curves["PyTorch MLP"]  # logit(p) = 2.5 logit(true risk): too extreme, the curve is expit(logit(p) / 2.5)
    assert np.abs(c["curve"] - expit(logit(c["grid"]) / 2.5)).max() < 0.1
    high, low = c["grid"] > 0.6, c["grid"] < 0.1
    assert high.any() and np.all(c["high"][high] < c["grid"][high])  # high predicted risks overestimated
    assert low.any() and np.all(c["curve"][low] > c["grid"][low])  # low ones underestimated
    grid = np.linspace(0.05, 0.6, 12)
    fixed = cal.smoothed_curves(runs, ["NumPy MLP"], grid=grid, n_resamples=10, n_jobs=1, progress=False)
    np.testing.assert_array_equal(fixed["NumPy MLP"]["grid"], grid)
