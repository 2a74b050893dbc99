"""helpers.compare.decision: net benefit equals a hand-worked example and a brute-force count, the
bands and paired differences come from the study's own hierarchical bootstrap draws, each distinct run
is evaluated once and cached, and the sentence's words flip with the numbers."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.compare import decision as dec
from helpers.compare import evidence
from helpers.metrics import resample_weights
from tests.fakes import fake_runs, separating

#: The words of the sentence's verdicts.
USEFUL = "beats both reminding everyone and reminding no one for threshold probabilities"
NOWHERE = "beats both defaults at no threshold probability"
WORSE = "does worse than the better default at"
APART = "can be told apart"
SAME = "indistinguishable"
EQUAL = "practically equal"
AVOIDS = "avoids"
BELOW_ALL = "does worse than reminding everyone"
OPEN = "not shown to differ from 0"


# --------------------------------------------------------------------------- net benefit
def test_net_benefit_equals_the_hand_worked_example():
    y = np.array([1, 0, 1, 0, 0])
    p = np.array([0.9, 0.8, 0.4, 0.3, 0.1])
    # n = 5.
    # t = 0.25: reminded p >= 0.25 -> rows 0, 1, 2, 3: TP = 2 (rows 0, 2), FP = 2 (rows 1, 3);
    #           NB = 2/5 - 2/5 * 0.25/0.75 = 0.4 - 0.4/3 = 0.266667
    # t = 0.3:  row 3 has p = 0.3 exactly and is reminded (p >= t): TP = 2, FP = 2;
    #           NB = 0.4 - 0.4 * 0.3/0.7 = 0.4 - 0.171429 = 0.228571
    # t = 0.5:  rows 0, 1: TP = 1, FP = 1; NB = 0.2 - 0.2 * 0.5/0.5 = 0
    # t = 0.95: nobody reminded: NB = 0
    nb = dec.net_benefit(y, p, [0.25, 0.3, 0.5, 0.95])
    np.testing.assert_allclose(nb, [0.4 - 0.4 / 3, 0.4 - 0.4 * 0.3 / 0.7, 0.0, 0.0], atol=1e-15)
    assert nb[0] == pytest.approx(0.266667, abs=1e-6) and nb[1] == pytest.approx(0.228571, abs=1e-6)
    # remind everyone: prevalence 2/5 = 0.4; t = 0.25: 0.4 - 0.6 * 1/3 = 0.2; t = 0.5: 0.4 - 0.6 * 1 = -0.2
    np.testing.assert_allclose(dec.treat_all(y, [0.25, 0.5]), [0.2, -0.2], atol=1e-15)
    # weights [2, 0, 1, 1, 0]: rows 0, 0, 2, 3, i.e. y = (1, 1, 1, 0), p = (0.9, 0.9, 0.4, 0.3), n = 4
    # t = 0.25: TP = 3, FP = 1: NB = 3/4 - 1/4 * 1/3 = 0.666667; t = 0.5: TP = 2, FP = 0: NB = 0.5
    # remind everyone: prevalence 3/4; t = 0.25: 0.75 - 0.25/3 = 0.666667; t = 0.5: 0.75 - 0.25 = 0.5
    w = np.array([[2, 0, 1, 1, 0], [1, 1, 1, 1, 1]], dtype=np.uint8)
    np.testing.assert_allclose(dec.net_benefit(y, p, [0.25, 0.5], w), [[0.75 - 0.25 / 3, 0.5], [nb[0], 0.0]],
                               atol=1e-15)
    np.testing.assert_allclose(dec.treat_all(y, [0.25, 0.5], w), [[0.75 - 0.25 / 3, 0.5], [0.2, -0.2]], atol=1e-15)


def _brute(y, p, t, w):
    """Net benefit by looping over replicates, thresholds and rows."""
    out = np.empty((w.shape[0], len(t)))
    for r in range(w.shape[0]):
        for j, tj in enumerate(t):
            tp = fp = n = 0.0
            for i in range(len(y)):
                n += w[r, i]
                if p[i] >= tj:
                    tp += w[r, i] * (y[i] == 1)
                    fp += w[r, i] * (y[i] == 0)
            out[r, j] = tp / n - fp / n * tj / (1 - tj)
    return out


@pytest.mark.parametrize("dtype", [np.uint8, np.int64, np.float64])
def test_vectorised_net_benefit_equals_a_brute_force_loop(dtype):
    rng = np.random.default_rng(3)
    n = 150
    y = (rng.random(n) < 0.25).astype(int)
    p = np.round(rng.random(n), 2)  # ties, and rows exactly at a threshold
    t = np.array([0.3, 0.05, 0.5, 0.21, 0.99])  # any order
    w = rng.integers(0, 4, size=(70, n)).astype(dtype)  # 70 replicates: more than one block
    if dtype is np.float64:
        w = w * rng.random((70, n))
    np.testing.assert_allclose(dec.net_benefit(y, p, t, w), _brute(y, p, t, w), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dec.net_benefit(y, p, t), _brute(y, p, t, np.ones((1, n)))[0], atol=1e-14)
    prevalence = (w * y).sum(axis=1) / w.sum(axis=1)
    np.testing.assert_allclose(dec.treat_all(y, t, w), prevalence[:, None] - (1 - prevalence[:, None]) * t / (1 - t))
    # reminding everyone is the model that gives every row a risk of 1
    np.testing.assert_allclose(dec.net_benefit(y, np.ones(n), t, w), dec.treat_all(y, t, w), atol=1e-12)


def test_net_benefit_edge_cases_and_errors():
    y = np.array([0, 0, 1])
    assert np.all(dec.net_benefit(np.zeros(4, int), np.linspace(0, 1, 4), [0.2, 0.7]) <= 0)  # no no-shows
    np.testing.assert_allclose(dec.net_benefit(np.ones(3, int), [0.1, 0.5, 0.9], [0.4]), [2 / 3])
    assert np.isnan(dec.net_benefit(y, [0.1, 0.5, 0.9], [0.4], np.zeros((1, 3)))).all()  # a replicate without rows
    for bad in ([0.0], [1.0], [-0.1]):
        with pytest.raises(ValueError):
            dec.net_benefit(y, [0.1, 0.5, 0.9], bad)
    with pytest.raises(ValueError):
        dec.net_benefit(y, [0.1, 0.5], [0.3])
    with pytest.raises(ValueError):
        dec.net_benefit(np.array([0, 2, 1]), [0.1, 0.5, 0.9], [0.3])
    with pytest.raises(ValueError):
        dec.net_benefit(y, [0.1, 0.5, 0.9], [0.3], np.ones((2, 4)))


def test_useful_ranges_are_runs_of_intervals_above_zero():
    t = np.round(np.arange(0.05, 0.16, 0.01), 10)
    low = np.array([-1, 0.1, 0.2, 0, 0.3, np.nan, 0.1, 0.1, 0.1, -0.2, 0.4])
    assert dec.useful_ranges(t, low) == [(0.06, 0.07), (0.09, 0.09), (0.11, 0.13), (0.15, 0.15)]
    assert dec.useful_ranges(t, -np.ones(t.size)) == []


# --------------------------------------------------------------------------- the evidence
def _scores():
    return {"NumPy MLP": separating(1.6), "PyTorch MLP": separating(1.6),
            "Logistic regression": lambda y, rng: separating(1.0)(y, np.random.default_rng(7)),  # no seed effect
            "Always show (dummy)": lambda y, rng: np.full(y.size, 0.3)}


def _shared_key(runs, model):
    for s in runs.seeds:
        runs.records[model][s]["cache_key"] = {"model": model, "seed": None}
    return runs


def test_bands_and_differences_are_the_hierarchical_bootstrap_of_the_study():
    groups = np.arange(240) // 3
    runs = _shared_key(fake_runs(_scores(), n=240, seeds=(0, 1, 2), groups=groups), "Logistic regression")
    R, seed = 40, 4
    t = np.array([0.1, 0.25, 0.4])
    models = ["NumPy MLP", "Logistic regression"]
    ev = dec.decision_evidence(runs, models, thresholds=t, n_resamples=R, seed=seed, n_jobs=1, progress=False)
    assert list(ev) == [*models, dec.ALL]
    y = runs.y_test
    weights = np.concatenate(list(resample_weights(240, R, seed, groups)))
    draws = np.random.default_rng(seed + 1).integers(0, 3, size=(R, 3))
    everyone = _brute(y, np.ones(240), t, weights)
    everyone_full = _brute(y, np.ones(240), t, np.ones((1, 240)))[0]
    boot, full = {}, {}
    for m in models:
        per_seed = np.stack([_brute(y, runs.proba(m, s), t, weights) for s in runs.seeds])  # (n_seeds, R, T)
        boot[m] = per_seed[draws.T, np.arange(R)].mean(axis=0)
        full[m] = np.mean([_brute(y, runs.proba(m, s), t, np.ones((1, 240)))[0] for s in runs.seeds], axis=0)
        e = ev[m]
        np.testing.assert_array_equal(e["thresholds"], t)
        np.testing.assert_allclose(e["net_benefit"], full[m], atol=1e-12)
        np.testing.assert_allclose([e["low"], e["high"]], np.quantile(boot[m], [0.025, 0.975], axis=0), atol=1e-12)
        gain = boot[m] - np.maximum(everyone, 0)
        np.testing.assert_allclose(e["versus_defaults"]["estimate"], full[m] - np.maximum(everyone_full, 0), atol=1e-12)
        np.testing.assert_allclose([e["versus_defaults"]["low"], e["versus_defaults"]["high"]],
                                   np.quantile(gain, [0.025, 0.975], axis=0), atol=1e-12)
        assert e["useful"] == dec.useful_ranges(t, e["versus_defaults"]["low"])
        avoided = (boot[m] - everyone) / (t / (1 - t)) * 100
        np.testing.assert_allclose([e["reminders_avoided"]["low"], e["reminders_avoided"]["high"]],
                                   np.quantile(avoided, [0.025, 0.975], axis=0), atol=1e-9)
        np.testing.assert_allclose(e["reminders_avoided"]["estimate"], (full[m] - everyone_full) / (t / (1 - t)) * 100)
    diff = ev["NumPy MLP"]["versus"]["Logistic regression"]
    np.testing.assert_allclose([diff["low"], diff["high"]],
                               np.quantile(boot["NumPy MLP"] - boot["Logistic regression"], [0.025, 0.975], axis=0),
                               atol=1e-12)
    np.testing.assert_allclose(ev[dec.ALL]["net_benefit"], everyone_full, atol=1e-12)
    np.testing.assert_allclose([ev[dec.ALL]["low"], ev[dec.ALL]["high"]],
                               np.quantile(everyone, [0.025, 0.975], axis=0), atol=1e-12)
    assert ev[dec.ALL]["prevalence"] == pytest.approx(y.mean())


def test_each_distinct_run_is_evaluated_once_and_the_result_is_cached(tmp_path, monkeypatch):
    runs = _shared_key(fake_runs(_scores(), n=200, seeds=(0, 1, 2)), "Logistic regression")
    sizes = []
    real = evidence.run_tasks  # the distinct runs are evaluated by evidence.per_run

    def counting(function, tasks, **kw):
        sizes.append(len(tasks))
        return real(function, tasks, **kw)

    monkeypatch.setattr(evidence, "run_tasks", counting)
    models = ["NumPy MLP", "Logistic regression"]
    first = dec.decision_evidence(runs, models, n_resamples=20, n_jobs=1, cache_dir=tmp_path, progress=False)
    assert sizes == [3 + 1]  # three seeds of the network, one run standing for every seed of the reference
    assert len(list(tmp_path.glob("decision_*.npz"))) == 1
    monkeypatch.setattr(evidence, "run_tasks", lambda *a, **k: pytest.fail("the cached replicates were not reused"))
    again = dec.decision_evidence(runs, models, n_resamples=20, n_jobs=1, cache_dir=tmp_path, progress=False)
    for m in [*models, dec.ALL]:
        for k in ("net_benefit", "low", "high"):
            np.testing.assert_array_equal(again[m][k], first[m][k])
    np.testing.assert_array_equal(again["NumPy MLP"]["versus_defaults"]["low"], first["NumPy MLP"]["versus_defaults"]["low"])
    monkeypatch.setattr(evidence, "run_tasks", counting)
    dec.decision_evidence(runs, models, thresholds=[0.1, 0.2], n_resamples=20, n_jobs=1, cache_dir=tmp_path,
                          progress=False)
    assert sizes == [4, 4] and len(list(tmp_path.glob("decision_*.npz"))) == 2  # another grid: another file


def test_a_separating_model_is_useful_and_the_dummy_and_identical_networks_are_not_told_apart():
    runs = fake_runs(_scores(), n=600, seeds=(0, 1))
    ev = dec.decision_evidence(runs, list(_scores()), n_resamples=100, n_jobs=1, progress=False)
    assert any(a <= 0.2 and b >= 0.4 for a, b in ev["NumPy MLP"]["useful"])
    dummy = ev["Always show (dummy)"]  # risk 0.3 for all: remind everyone up to t = 0.3, no one above
    assert dummy["useful"] == []
    assert np.all(dummy["versus_defaults"]["high"] <= 1e-12)  # it is one of the defaults, never better
    text = dec.decision_sentence(ev)
    line = next(s for s in text.splitlines() if s.startswith("- **Always show (dummy)**"))
    assert NOWHERE in line and USEFUL not in line
    line = next(s for s in text.splitlines() if s.startswith("- **NumPy MLP**:"))
    assert USEFUL in line and NOWHERE not in line and AVOIDS in line
    # the two networks got the same probabilities: every difference is exactly 0
    assert SAME in text and EQUAL in text and APART not in text
    with pytest.raises(ValueError):
        dec.decision_evidence(runs, ["NumPy MLP"], thresholds=[0.3, 0.2], n_resamples=5, n_jobs=1, progress=False)


# --------------------------------------------------------------------------- the sentence and tables
T = np.round(np.arange(0.05, 0.61, 0.01), 10)


def _band(est, low, high):
    return {"estimate": np.asarray(est, float), "low": np.asarray(low, float), "high": np.asarray(high, float)}


def _around(center, half, where=None, shift=0.0):
    """An interval band ``center ± half``, moved by ``shift`` where ``where`` is True."""
    c = np.full(T.size, center, dtype=float)
    if where is not None:
        c = c + np.where(where, shift, 0.0)
    return _band(c, c - half, c + half)


def _model(gain, avoided=None, versus=None):
    nb = np.linspace(0.2, 0.05, T.size)
    return {"thresholds": T, "net_benefit": nb, "low": nb - 0.01, "high": nb + 0.01, "versus_defaults": gain,
            "useful": dec.useful_ranges(T, gain["low"]), "reminders_avoided": avoided or _around(10.0, 3.0),
            "versus": versus or {}}


def _evidence(models):
    everyone = 0.2 - 0.8 * T / (1 - T)
    return {**models, dec.ALL: {"thresholds": T, "net_benefit": everyone, "low": everyone - 0.01,
                                "high": everyone + 0.01, "prevalence": 0.2}}


def _line(text, name):
    return next(s for s in text.splitlines() if s.startswith(f"- **{name}**"))


def test_sentence_names_the_range_where_a_model_beats_both_defaults():
    useful = (T >= 0.1 - 1e-9) & (T <= 0.3 + 1e-9)
    text = dec.decision_sentence(_evidence({"M": _model(_around(0.0, 0.004, useful, 0.02))}))
    line = _line(text, "M")
    assert USEFUL + " 0.10 to 0.30" in line
    assert NOWHERE not in line and WORSE not in line
    two = useful | ((T >= 0.45 - 1e-9) & (T <= 0.5 + 1e-9))
    line = _line(dec.decision_sentence(_evidence({"M": _model(_around(0.0, 0.004, two, 0.02))})), "M")
    assert USEFUL + " 0.10 to 0.30; 0.45 to 0.50" in line


def test_sentence_says_useful_nowhere_and_where_a_model_is_worse():
    worse = T >= 0.5 - 1e-9
    line = _line(dec.decision_sentence(_evidence({"M": _model(_around(0.0, 0.004, worse, -0.02))})), "M")
    assert NOWHERE in line and USEFUL not in line
    assert WORSE + " 0.50 to 0.60" in line
    line = _line(dec.decision_sentence(_evidence({"M": _model(_around(0.001, 0.004))})), "M")
    assert NOWHERE in line and USEFUL not in line and WORSE not in line


def test_reminders_avoided_words_follow_their_interval():
    def line(avoided, at=0.2):
        ev = _evidence({"M": _model(_around(0.01, 0.004), avoided=avoided)})
        return _line(dec.decision_sentence(ev, at=at), "M")

    text = line(_around(12.0, 3.0))
    assert AVOIDS in text and "12.0 [9.0, 15.0] reminders per 100 patients" in text and "t = 0.20" in text
    assert BELOW_ALL not in text and OPEN not in text
    text = line(_around(-5.0, 2.0), at=0.3)
    assert BELOW_ALL in text and "t = 0.30" in text and AVOIDS not in text and OPEN not in text
    text = line(_around(1.0, 2.0))
    assert OPEN in text and AVOIDS not in text and BELOW_ALL not in text
    with pytest.raises(ValueError):
        line(_around(1.0, 2.0), at=0.805)


def _networks(diff, margin=0.005):
    gain = _around(0.01, 0.004)
    ev = _evidence({"NumPy MLP": _model(gain, versus={"PyTorch MLP": diff}),
                    "PyTorch MLP": _model(gain, versus={"NumPy MLP": _band(-diff["estimate"], -diff["high"],
                                                                          -diff["low"])})})
    return _line(dec.decision_sentence(ev, margin=margin), "NumPy MLP vs PyTorch MLP")


def test_sentence_tells_the_networks_apart_only_when_an_interval_excludes_0_beyond_the_margin():
    apart = (T >= 0.2 - 1e-9) & (T <= 0.3 + 1e-9)
    text = _networks(_around(0.0, 0.002, apart, 0.01))
    assert APART in text and "NumPy MLP higher at 0.20 to 0.30" in text and "PyTorch MLP higher" not in text
    assert SAME not in text and EQUAL not in text
    text = _networks(_around(0.0, 0.002, apart, -0.01))
    assert APART in text and "PyTorch MLP higher at 0.20 to 0.30" in text and "NumPy MLP higher" not in text
    # intervals that all contain 0 but are wide: not told apart, equality not shown
    text = _networks(_around(0.0, 0.02))
    assert SAME in text and EQUAL not in text and APART not in text
    # intervals away from 0 but inside the margin: practically equal; with a smaller margin, apart
    small = _around(0.002, 0.001)
    text = _networks(small)
    assert SAME in text and EQUAL in text and APART not in text
    text = _networks(small, margin=0.0025)
    assert APART in text and SAME not in text and "NumPy MLP higher at 0.05 to 0.60" in text


def test_tables_have_the_numbers_and_the_ranges():
    useful = (T >= 0.1 - 1e-9) & (T <= 0.3 + 1e-9)
    ev = _evidence({"A": _model(_around(0.0, 0.004, useful, 0.02)), "B": _model(_around(0.0, 0.004))})
    table = dec.decision_table(ev, at=(0.1, 0.2))
    assert list(table.index) == ["A", "B", dec.ALL, dec.NONE]
    assert list(table.columns) == ["NB at 0.1", "NB at 0.1 95 % low", "NB at 0.1 95 % high", "NB at 0.2",
                                   "NB at 0.2 95 % low", "NB at 0.2 95 % high"]
    assert all(dtype.kind == "f" for dtype in table.dtypes)
    i = int(np.flatnonzero(np.isclose(T, 0.2))[0])
    assert table.loc["A", "NB at 0.2"] == ev["A"]["net_benefit"][i]
    assert table.loc[dec.ALL, "NB at 0.2 95 % high"] == pytest.approx(0.01)
    assert (table.loc[dec.NONE] == 0).all()
    ranges = dec.useful_range_table(ev)
    assert ranges.loc["A", "beats both defaults at"] == "0.10 to 0.30"
    assert ranges.loc["A", "lowest"] == pytest.approx(0.1) and ranges.loc["A", "highest"] == pytest.approx(0.3)
    assert ranges.loc["A", "thresholds"] == 21 and ranges.loc["A", "of"] == T.size
    assert ranges.loc["B", "beats both defaults at"] == "nowhere" and np.isnan(ranges.loc["B", "lowest"])
