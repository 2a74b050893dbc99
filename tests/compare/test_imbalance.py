"""helpers.compare.imbalance: both backends x class weighting x threshold rule as eight pseudo-models of one
Runs (the 0.5 cells read each run's test metrics at 0.5), their rows, and the paired differences the
imbalance conclusions judge (fabricated runs; no training)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from helpers.compare import evidence, imbalance, verdicts
from helpers.study.runs import NETWORKS
from tests.fakes import fake_runs, separating

WEIGHTS = ("none", "balanced")
SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def by_weight():
    """Unweighted runs tuned to 0.3, balanced runs tuned to 0.6 with other signals (so the cells differ)."""
    groups = np.arange(400) // 2
    return {"none": fake_runs({"NumPy MLP": separating(1.6), "PyTorch MLP": separating(1.5)}, seeds=SEEDS,
                              threshold=0.3, groups=groups),
            "balanced": fake_runs({"NumPy MLP": separating(2.4), "PyTorch MLP": separating(0.8)}, seeds=SEEDS,
                                  threshold=0.6, groups=groups)}


@pytest.fixture(scope="module")
def cells(by_weight):
    runs = imbalance.cell_runs(by_weight)
    return runs, evidence.resample_runs(runs, 60, seed=0, n_jobs=1, progress=False)


def test_cell_names():
    assert imbalance.cell_name("NumPy MLP", "balanced", "tuned") == "NumPy MLP, balanced, tuned"
    assert imbalance.RULES == ("0.5", "tuned")


def test_cell_runs_build_eight_cells(by_weight, cells):
    runs, _ = cells
    assert sorted(runs.models) == sorted(imbalance.cell_name(b, w, r) for b in NETWORKS for w in WEIGHTS
                                         for r in imbalance.RULES)
    assert len(runs.models) == 8 and runs.seeds == list(SEEDS)
    np.testing.assert_array_equal(runs.y_test, by_weight["none"].y_test)
    for b in NETWORKS:
        for w in WEIGHTS:
            source = by_weight[w]
            half, tuned = imbalance.cell_name(b, w, "0.5"), imbalance.cell_name(b, w, "tuned")
            assert runs.thresholds(half).tolist() == [0.5] * len(SEEDS)
            assert runs.thresholds(tuned).tolist() == [{"none": 0.3, "balanced": 0.6}[w]] * len(SEEDS)
            for s in SEEDS:
                assert runs.records[half][s]["metrics"]["test"] == source.records[b][s]["metrics"]["test_at_0.5"]
                assert runs.records[tuned][s]["metrics"]["test"] == source.records[b][s]["metrics"]["test"]
                assert runs.records[half][s]["cache_key"] != runs.records[tuned][s]["cache_key"]
                np.testing.assert_array_equal(runs.proba(half, s), source.proba(b, s))
            assert runs.metric(half, "f1").tolist() != runs.metric(tuned, "f1").tolist()
    # the source runs are left as they were
    assert by_weight["none"].records["NumPy MLP"][0]["threshold"] == 0.3
    assert by_weight["none"].records["NumPy MLP"][0]["metrics"]["test"]["threshold"] == 0.3


def test_cell_runs_refuse_runs_that_do_not_pair(by_weight):
    with pytest.raises(ValueError, match="same seeds"):
        imbalance.cell_runs({"none": by_weight["none"], "balanced": fake_runs(seeds=(0, 1, 5))})
    with pytest.raises(ValueError, match="same seeds"):
        imbalance.cell_runs({"none": by_weight["none"], "balanced": fake_runs(seeds=(1, 0, 2))})
    other_rows = dataclasses.replace(by_weight["balanced"], y_test=1 - by_weight["balanced"].y_test)
    with pytest.raises(ValueError, match="test rows"):
        imbalance.cell_runs({"none": by_weight["none"], "balanced": other_rows})


def test_cell_rows_are_means_over_seeds(by_weight, cells):
    runs, _ = cells
    rows = imbalance.cell_rows(runs)
    assert len(rows) == 8
    assert {(r["backend"], r["class_weight"], r["threshold_rule"]) for r in rows} == {
        (b, w, r) for b in NETWORKS for w in WEIGHTS for r in imbalance.RULES}
    row = next(r for r in rows if (r["backend"], r["class_weight"], r["threshold_rule"]) == ("PyTorch MLP", "balanced", "0.5"))
    source = by_weight["balanced"]
    assert row["seeds"] == 3 and row["threshold"] == 0.5
    for k in ("accuracy", "precision", "recall", "f1", "pr_auc"):
        assert row[k] == pytest.approx(np.mean([source.records["PyTorch MLP"][s]["metrics"]["test_at_0.5"][k]
                                                for s in SEEDS]))
    tuned = next(r for r in rows if (r["backend"], r["class_weight"], r["threshold_rule"]) == ("PyTorch MLP", "balanced", "tuned"))
    assert tuned["threshold"] == 0.6 and tuned["f1"] != row["f1"] and tuned["pr_auc"] == row["pr_auc"]


def test_comparisons_pair_the_right_cells(cells):
    runs, res = cells
    found = imbalance.comparisons(runs, res)
    kinds = [d["kind"] for d in found]
    assert kinds == ["threshold"] * 4 + ["weighting"] * 2 + ["frameworks"] * 4
    pairs = {d["label"]: (d["a"], d["b"], d["metric"]) for d in found}
    assert pairs == {
        **{f"{b}, {w}: tuned - 0.5": (f"{b}, {w}, tuned", f"{b}, {w}, 0.5", "f1") for b in NETWORKS for w in WEIGHTS},
        **{f"{b}: balanced - none": (f"{b}, balanced, tuned", f"{b}, none, tuned", "pr_auc") for b in NETWORKS},
        **{f"{w}, {r}: NumPy - PyTorch": (f"NumPy MLP, {w}, {r}", f"PyTorch MLP, {w}, {r}", "f1")
           for w in WEIGHTS for r in imbalance.RULES}}
    cellwords = [d["cell"] for d in found]
    assert cellwords == ["NumPy MLP, none", "NumPy MLP, balanced", "PyTorch MLP, none", "PyTorch MLP, balanced",
                         "NumPy MLP", "PyTorch MLP", "none, 0.5", "none, tuned", "balanced, 0.5", "balanced, tuned"]


def test_a_difference_against_a_direct_computation(by_weight, cells):
    runs, res = cells
    found = {d["label"]: d for d in imbalance.comparisons(runs, res)}
    # tuned minus 0.5, F1, NumPy unweighted: straight from the source runs' records
    d = found["NumPy MLP, none: tuned - 0.5"]
    source = by_weight["none"].records["NumPy MLP"]
    per_seed = [source[s]["metrics"]["test"]["f1"] - source[s]["metrics"]["test_at_0.5"]["f1"] for s in SEEDS]
    assert d["per_seed"] == pytest.approx(per_seed) and d["estimate"] == pytest.approx(np.mean(per_seed))
    reps = evidence.paired_replicates(res, "NumPy MLP, none, tuned", "NumPy MLP, none, 0.5", "f1")
    assert (d["low"], d["high"]) == pytest.approx(tuple(np.nanquantile(reps, [0.025, 0.975])))
    # balanced minus unweighted, PR-AUC: the balanced NumPy MLP separates better (2.4 against 1.6)
    w = found["NumPy MLP: balanced - none"]
    direct = [by_weight["balanced"].records["NumPy MLP"][s]["metrics"]["test"]["pr_auc"]
              - by_weight["none"].records["NumPy MLP"][s]["metrics"]["test"]["pr_auc"] for s in SEEDS]
    assert w["estimate"] == pytest.approx(np.mean(direct)) and w["low"] > 0
    assert found["PyTorch MLP: balanced - none"]["high"] < 0  # 0.8 against 1.5
    # frameworks, balanced, at 0.5: F1 NumPy - PyTorch at 0.5
    f = found["balanced, 0.5: NumPy - PyTorch"]
    direct = [by_weight["balanced"].records["NumPy MLP"][s]["metrics"]["test_at_0.5"]["f1"]
              - by_weight["balanced"].records["PyTorch MLP"][s]["metrics"]["test_at_0.5"]["f1"] for s in SEEDS]
    assert f["estimate"] == pytest.approx(np.mean(direct))


def test_without_balanced_runs_there_is_no_weighting_comparison(by_weight):
    runs = imbalance.cell_runs({"none": by_weight["none"]})
    assert len(runs.models) == 4
    res = evidence.resample_runs(runs, 20, seed=0, n_jobs=1, progress=False)
    assert [d["kind"] for d in imbalance.comparisons(runs, res)] == ["threshold"] * 2 + ["frameworks"] * 2


def test_the_cells_feed_the_imbalance_sentence(cells):
    runs, res = cells
    text = verdicts.imbalance_sentence(imbalance.cell_rows(runs), imbalance.comparisons(runs, res),
                                       {"pr_auc": 0.005, "f1": 0.01})
    assert text.startswith("Unweighted and cut at 0.5, the ")
    assert "class weighting is not shown to leave the ranking unchanged" in text  # the fixture moves PR-AUC
    assert "NumPy MLP: higher by more than the margin" in text and "PyTorch MLP: lower by more than the margin" in text
