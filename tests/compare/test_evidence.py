"""helpers.compare.evidence: resamples weighted or by index agree, patients stay whole, paired differences and
intervals over seeds, one common threshold for float drift, the tables and inputs the notebooks read, the
network met with the references is chosen on validation rows only (test labels cannot move the choice), paired
replicates, and how much the intervals widen when each seed redraws its validation rows."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from helpers.compare import evidence, verdicts
from helpers.metrics import (
    bootstrap_indices,
    evaluate,
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
    found = evidence.comparisons(runs, res, metrics=("pr_auc", "f1"))
    assert [d["label"] for d in found] == ["NumPy MLP - PyTorch MLP", "NumPy MLP - Gradient boosting",
                                           "NumPy MLP - Logistic regression"] * 2
    assert [d["metric"] for d in found] == ["pr_auc"] * 3 + ["f1"] * 3
    assert [d.get("chosen_on") for d in found] == [None, "validation", "validation"] * 2
    probas, thresholds = evidence.first_seed_scores(runs)
    assert "Always show (dummy)" not in probas and thresholds["PyTorch MLP"] == 0.3
    pr, roc = evidence.curve_scores(runs)
    assert set(pr) == set(SIGNALS) and pr["NumPy MLP"] == runs.records["NumPy MLP"][0]["metrics"]["test"]["pr_auc"]
    assert 0.5 < roc["NumPy MLP"] <= 1
    thresholds, recalls, f1s = evidence.threshold_inputs(runs)
    assert thresholds == {m: [0.3, 0.3] for m in ("NumPy MLP", "PyTorch MLP")} and len(recalls["NumPy MLP"]) == 2
    assert f1s["PyTorch MLP"] == runs.metric("PyTorch MLP", "f1").tolist()
    assert set(evidence.first_seed_records(runs)) == {"NumPy MLP", "PyTorch MLP"}
    assert set(evidence.first_seed_confusions(runs)) == {"NumPy MLP", "PyTorch MLP"}


def test_drift_table_puts_the_two_precisions_side_by_side():
    d = {"max_weight_diff": 1e-15, "max_proba_diff": 2e-15, "common_threshold": 0.3, "rows_labelled_differently": 0,
         "mcnemar": {"p_value": 1.0}, "epochs": [5, 5]}
    table = evidence.drift_table(d, {**d, "max_weight_diff": 1e-4, "rows_labelled_differently": 3, "epochs": [5, 6]})
    assert list(table.index) == ["float64", "float32"]
    assert table.loc["float32", "test rows labelled differently"] == 3
    assert table.loc["float32", "epochs (NumPy, PyTorch)"] == "(5, 6)"


# ============================================================================ no choice on test rows

def with_validation(runs, signals, seed_offset=100):
    """The same runs with validation probabilities (and metrics) of their own, separating as ``signals`` say."""
    rng = np.random.default_rng(7)
    y_val = (rng.random(300) < 0.3).astype(int)
    records = {m: {s: dict(r) for s, r in by_seed.items()} for m, by_seed in runs.records.items()}
    arrays = {m: {s: dict(a) for s, a in by_seed.items()} for m, by_seed in runs.arrays.items()}
    for m, signal in signals.items():
        for s in runs.seeds:
            p = separating(signal)(y_val, np.random.default_rng(seed_offset + s))
            r = records[m][s]
            records[m][s] = {**r, "metrics": {**r["metrics"], "val": evaluate(y_val, p, r["threshold"])}}
            arrays[m][s]["proba_val"] = p
    return dataclasses.replace(runs, records=records, arrays=arrays, y_val=y_val)


def with_test(runs, y_test, probas):
    """The same runs on other test labels and test probabilities (``probas[model][seed]``), metrics recomputed."""
    records = {m: {s: dict(r) for s, r in by_seed.items()} for m, by_seed in runs.records.items()}
    arrays = {m: {s: dict(a) for s, a in by_seed.items()} for m, by_seed in runs.arrays.items()}
    for m in probas:
        for s in runs.seeds:
            p, r = probas[m][s], records[m][s]
            records[m][s] = {**r, "metrics": {**r["metrics"], "test": evaluate(y_test, p, r["threshold"]),
                                              "test_at_0.5": evaluate(y_test, p, 0.5)}}
            arrays[m][s]["proba_test"] = p
    return dataclasses.replace(runs, records=records, arrays=arrays, y_test=y_test)


class Untouchable(dict):
    """A mapping whose every read fails the test: what best_network must never look at."""

    def __getitem__(self, key):
        raise AssertionError(f"the choice read {key!r} on test rows")

    def get(self, key, default=None):
        return self[key]


def test_the_choice_of_network_cannot_see_the_test_labels():
    base = fake_runs(seeds=(0, 1, 2, 3))  # on test rows the NumPy MLP (signal 1.6) beats the PyTorch MLP (1.5)
    runs = with_validation(base, {"NumPy MLP": 1.0, "PyTorch MLP": 2.5})
    assert runs.metric("NumPy MLP", "pr_auc").mean() > runs.metric("PyTorch MLP", "pr_auc").mean()
    assert runs.metric("PyTorch MLP", "pr_auc", "val").mean() > runs.metric("NumPy MLP", "pr_auc", "val").mean()
    assert evidence.best_network(runs) == "PyTorch MLP"  # validation decides, against the test rows

    # permuted and flipped test labels, the networks' test probabilities swapped: the choice stays
    rng = np.random.default_rng(3)
    order = rng.permutation(runs.y_test.size)
    swapped = {"NumPy MLP": {s: runs.proba("PyTorch MLP", s)[order] for s in runs.seeds},
               "PyTorch MLP": {s: 1 - runs.proba("NumPy MLP", s) for s in runs.seeds}}
    for y_test in (runs.y_test[order], 1 - runs.y_test):
        moved = with_test(runs, y_test, swapped)
        assert moved.metric("NumPy MLP", "pr_auc").tolist() != runs.metric("NumPy MLP", "pr_auc").tolist()
        assert evidence.best_network(moved) == "PyTorch MLP"
    # a test side that cannot be read at all: the choice still works
    blind = dataclasses.replace(runs, y_test=None, records={
        m: {s: {**r, "metrics": {**r["metrics"], "test": Untouchable(), "test_at_0.5": Untouchable()}}
            for s, r in by_seed.items()} for m, by_seed in runs.records.items()}, arrays={
        m: {s: Untouchable() for s in by_seed} for m, by_seed in runs.arrays.items()})
    assert evidence.best_network(blind) == "PyTorch MLP"

    # the validation rows decide: other validation scores flip the choice, test rows unchanged
    flipped = with_validation(base, {"NumPy MLP": 2.5, "PyTorch MLP": 1.0})
    assert evidence.best_network(flipped) == "NumPy MLP"
    assert evidence.best_network(runs, "roc_auc") == "PyTorch MLP"


def test_comparisons_meet_the_references_with_the_network_chosen_on_validation():
    runs = with_validation(fake_runs(seeds=(0, 1)), {"NumPy MLP": 1.0, "PyTorch MLP": 2.5})
    res = evidence.resample_runs(runs, 30, seed=0, n_jobs=1, progress=False)
    found = evidence.comparisons(runs, res, metrics=("pr_auc",))
    assert [d["label"] for d in found] == ["NumPy MLP - PyTorch MLP", "PyTorch MLP - Gradient boosting",
                                           "PyTorch MLP - Logistic regression"]
    assert found[1]["estimate"] == pytest.approx(
        (runs.metric("PyTorch MLP", "pr_auc") - runs.metric("Gradient boosting", "pr_auc")).mean())


def test_the_contestant_is_met_by_the_numpy_mlp_and_never_chosen_as_the_network():
    """NumPy MLP - scikit-learn MLP for each metric, with both models' spreads; the contestant's validation
    score, however high, plays no part in which network meets the references."""
    contestant = study.CONTESTANTS[0]
    runs = with_validation(fake_runs({**{m: separating(s) for m, s in SIGNALS.items()}, contestant: separating(1.3)},
                                     seeds=(0, 1, 2), groups=np.arange(400) // 2),
                           {"NumPy MLP": 1.0, "PyTorch MLP": 1.2, contestant: 4.0})
    res = evidence.resample_runs(runs, 60, seed=0, n_jobs=1, progress=False)
    assert evidence.best_network(runs) == "PyTorch MLP"
    found = evidence.comparisons(runs, res, metrics=("pr_auc", "f1"))
    assert [d["label"] for d in found] == ["NumPy MLP - PyTorch MLP", f"NumPy MLP - {contestant}",
                                           "PyTorch MLP - Gradient boosting", "PyTorch MLP - Logistic regression"] * 2
    mine = [d for d in found if d.get("contestant") == contestant]
    assert [d["metric"] for d in mine] == ["pr_auc", "f1"] and all("chosen_on" not in d for d in mine)
    d = mine[0]
    assert d["estimate"] == pytest.approx((runs.metric("NumPy MLP", "pr_auc") - runs.metric(contestant, "pr_auc")).mean())
    assert d["low"] < d["estimate"] < d["high"] and d["estimate"] > 0  # signal 1.6 against 1.3
    assert d["spreads"] == {m: evidence.spread(runs, res, m, "pr_auc") for m in ("NumPy MLP", contestant)}
    assert contestant in evidence.summary_table(runs, res).index
    assert contestant not in evidence.first_seed_confusions(runs) and contestant in evidence.first_seed_scores(runs)[0]


# ============================================================================ paired replicates, widening

def test_paired_replicates_are_the_replicates_of_paired():
    runs = fake_runs(groups=np.arange(400) // 2)
    res = evidence.resample_runs(runs, 120, seed=3, n_jobs=1, progress=False)
    reps = evidence.paired_replicates(res, "NumPy MLP", "Gradient boosting", "f1")
    assert reps.shape == (120,)
    d = evidence.paired(runs, res, "NumPy MLP", "Gradient boosting", "f1")
    assert (d["low"], d["high"]) == tuple(np.nanquantile(reps, [0.025, 0.975]))
    narrow = evidence.paired(runs, res, "NumPy MLP", "Gradient boosting", "f1", alpha=0.5)
    assert (narrow["low"], narrow["high"]) == tuple(np.nanquantile(reps, [0.25, 0.75]))
    # replicate r: mean over its drawn seeds of the per-seed difference on its drawn rows
    a, b = res.scores["NumPy MLP"]["f1"], res.scores["Gradient boosting"]["f1"]
    manual = [np.mean(a[res.seed_draws[r], r] - b[res.seed_draws[r], r]) for r in range(120)]
    np.testing.assert_allclose(reps, manual)
    np.testing.assert_allclose(evidence.paired_replicates(res, "Gradient boosting", "NumPy MLP", "f1"), -reps)
    assert np.all(evidence.paired_replicates(res, "NumPy MLP", "NumPy MLP", "pr_auc") == 0)


def seed_signal(skip, fixed=None):
    """Probabilities whose strength is redrawn per seed (``fixed``: the same for every seed)."""
    def make(y, rng):
        if fixed is not None:
            rng = np.random.default_rng(fixed)
        for _ in range(skip):
            rng.uniform()
        return separating(rng.uniform(0.3, 3.0))(y, rng)
    return make


def test_widening_is_above_one_when_the_redrawn_runs_spread_more():
    seeds = tuple(range(6))
    redrawn = fake_runs({"NumPy MLP": seed_signal(0), "PyTorch MLP": seed_signal(1)}, seeds=seeds,
                        groups=np.arange(400) // 2)
    fixed = fake_runs({"NumPy MLP": seed_signal(0, fixed=11), "PyTorch MLP": seed_signal(1, fixed=12)}, seeds=seeds,
                      groups=np.arange(400) // 2)
    assert redrawn.metric("NumPy MLP", "pr_auc").std() > 10 * fixed.metric("NumPy MLP", "pr_auc").std()
    pairs = {name: (r, evidence.resample_runs(r, 150, seed=0, n_jobs=1, progress=False))
             for name, r in (("redrawn", redrawn), ("fixed", fixed))}
    table = evidence.widening(pairs["redrawn"], pairs["fixed"])
    assert list(table.index) == ["NumPy MLP, mean PR-AUC", "PyTorch MLP, mean PR-AUC", "NumPy MLP - PyTorch MLP"]
    assert list(table.columns) == ["interval width, fixed validation rows", "interval width, redrawn per seed", "ratio"]
    s = evidence.spread(*pairs["fixed"], "NumPy MLP", "pr_auc")
    assert table.iloc[0, 0] == pytest.approx(s["high"] - s["low"])
    d = evidence.paired(*pairs["redrawn"], "NumPy MLP", "PyTorch MLP", "pr_auc")
    assert table.iloc[2, 1] == pytest.approx(d["high"] - d["low"])
    np.testing.assert_allclose(table["ratio"], table.iloc[:, 1] / table.iloc[:, 0])
    assert (table["ratio"] > 1.1).all()
    assert "redrawing widened every interval" in verdicts.widening_sentence(table)
    backwards = evidence.widening(pairs["fixed"], pairs["redrawn"])
    assert (backwards["ratio"] < 1 / 1.1).all()
    np.testing.assert_allclose(backwards["ratio"], 1 / table["ratio"])
    assert "narrower" in verdicts.widening_sentence(backwards)


def test_replicates_are_cached_under_a_name_that_changes_with_their_code_and_their_runs(tmp_path, monkeypatch):
    runs = fake_runs({"NumPy MLP": separating(1.0), "PyTorch MLP": separating(1.0)})
    name = evidence.replicates_path(tmp_path, "bootstrap", runs, runs.models, ("metrics",), 20, 0)
    assert name.parent == tmp_path and name.name.startswith("bootstrap_")
    assert evidence.replicates_path(None, "bootstrap", runs, runs.models, ("metrics",), 20, 0) is None
    assert evidence.replicates_path(tmp_path, "bootstrap", runs, runs.models, ("metrics",), 21, 0) != name
    assert evidence.replicates_path(tmp_path, "bootstrap", runs, runs.models[:1], ("metrics",), 20, 0) != name
    seen = []
    monkeypatch.setattr(evidence, "source_fingerprint", lambda modules: seen.append(modules) or "edited")
    assert evidence.replicates_path(tmp_path, "bootstrap", runs, runs.models, ("metrics",), 20, 0) != name
    assert seen == [("compare.evidence", "metrics")]  # the drawing code itself is always part of the key
