"""helpers.study.runs: repeated paired runs, cached and reproducible, the same in worker processes, and no
test rows in any choice (tuning included)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from helpers.data.prepared import load_prepared, save_prepared, split_dir
from helpers.study import runs as study
from helpers.study import tuning

NET = {"hidden_layer_sizes": (8,), "learning_rate": 1e-2, "batch_size": 128, "max_epochs": 6, "patience": 3,
       "weight_decay": 1e-3, "class_weight": None}
REFS = {"Logistic regression": {"C": 1.0}, "Gradient boosting": {"max_iter": 20}}


def runs_of(prepared, results, seeds=(0, 1), n_jobs=1, models=study.MODELS, processed="processed", redraw=True,
            **net):
    root, _ = prepared
    data = load_prepared(root / processed, "stratified")
    return study.repeated_runs(data, "stratified", list(seeds), {**NET, **net}, REFS, root / processed,
                               root / results, models=models, n_jobs=n_jobs, progress=False,
                               redraw_validation=redraw)


def test_seeds_for():
    assert study.seeds_for(42, 3) == [42, 43, 44]
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="repeats"):
            study.seeds_for(1, bad)


def test_runs_are_paired_cached_and_reproducible(prepared):
    runs = runs_of(prepared, "r1")
    assert runs.trained == 3 * 2 + 3 * 2  # two twins and the contestant x two seeds; three seed-free models once per
    # partition
    np_hist, pt_hist = (runs.records[m][0]["history"] for m in study.NETWORKS)
    # seed 0: the same initial weights and batch order, so the first epoch's loss agrees to float32 rounding
    assert np_hist[0]["train_loss"] == pytest.approx(pt_hist[0]["train_loss"], rel=1e-5)
    assert runs.records["NumPy MLP"][0]["history"] != runs.records["NumPy MLP"][1]["history"]  # seeds differ
    again = runs_of(prepared, "r1")
    assert again.trained == 0
    np.testing.assert_array_equal(again.proba("NumPy MLP", 1), runs.proba("NumPy MLP", 1))
    changed = runs_of(prepared, "r1", learning_rate=5e-3)
    assert changed.trained == 3 * 2  # only the networks' keys changed (the contestant takes the twins' settings)
    fixed = runs_of(prepared, "r1", redraw=False)
    assert fixed.trained == 3 * 2 + 3  # one partition: the seed-free models once
    for model in study.MODELS:
        record = runs.records[model][0]
        assert record["threshold"] == pytest.approx(record["metrics"]["test"]["threshold"])


def test_parallel_workers_give_the_same_numbers(prepared):
    serial = runs_of(prepared, "serial", seeds=(5,), models=study.NETWORKS)
    parallel = runs_of(prepared, "parallel", seeds=(5,), models=study.NETWORKS, n_jobs=2)
    for model in study.NETWORKS:
        np.testing.assert_array_equal(serial.proba(model, 5), parallel.proba(model, 5))


def test_gradient_boosting_has_no_seed_randomness(prepared):
    _, data = prepared
    fitted = []
    for seed in (0, 1):
        model = study.build_model("Gradient boosting", {"max_iter": 30}, seed)
        model.fit(data.X["train"], data.y["train"], X_val=data.X["val"], y_val=data.y["val"])
        fitted.append(model.predict_proba(data.X["test"])[:, 1])
    np.testing.assert_array_equal(*fitted)
    assert "Gradient boosting" in study.SEED_FREE


def test_test_labels_change_nothing_upstream(prepared):
    """Shuffled test labels: the same tuning tables, thresholds and validation scores; only test scores move."""
    root, data = prepared
    y_test = np.random.default_rng(0).permutation(data.y["test"])
    shuffled = dataclasses.replace(data, y={**data.y, "test": y_test})
    grid = {"weight_decay": [1e-4, 1e-2]}
    base = {k: v for k, v in NET.items() if k != "weight_decay"}
    a, _ = tuning.tune_split(data, "stratified", "network", base, grid, seed=0, results_dir=root / "t1",
                             n_jobs=1, progress=False)
    b, meta_b = tuning.tune_split(shuffled, "stratified", "network", base, grid, seed=0, results_dir=root / "t2",
                                  n_jobs=1, progress=False)
    np.testing.assert_array_equal(a["cv_pr_auc"], b["cv_pr_auc"])
    assert meta_b["rows"] == len(data.y["train"])
    sources = load_prepared(root / "processed", "stratified", sources=True)
    save_prepared(dataclasses.replace(sources, y={**sources.y, "test": y_test}), split_dir(root / "shuffled", "stratified"))
    one = runs_of(prepared, "l1", seeds=(0,))
    two = runs_of(prepared, "l2", seeds=(0,), processed="shuffled")
    assert two.trained > 0  # a new data fingerprint: really recomputed
    for model in study.MODELS:
        r1, r2 = one.records[model][0], two.records[model][0]
        assert r1["threshold"] == r2["threshold"] and r1["metrics"]["val"] == r2["metrics"]["val"]
        np.testing.assert_array_equal(one.proba(model, 0), two.proba(model, 0))


def test_tuning_is_cached_and_refuses_an_unknown_family(prepared):
    root, data = prepared
    table, meta = tuning.tune_split(data, "stratified", "logistic", grid={"C": [0.1, 1.0]}, seed=0,
                                    results_dir=root / "t3", n_jobs=1, progress=False)
    assert meta["best"]["C"] in (0.1, 1.0) and len(table) == 2
    again, meta2 = tuning.tune_split(data, "stratified", "logistic", grid={"C": [0.1, 1.0]}, seed=0,
                                     results_dir=root / "t3", n_jobs=1, progress=False)
    assert meta2["cache_key"] == meta["cache_key"]
    with pytest.raises(ValueError, match="unknown model family"):
        tuning.tune_split(data, "stratified", "forest", grid={"x": [1]}, results_dir=root / "t3")


def test_each_seed_trains_on_its_own_partition_shared_by_every_model(prepared):
    """Redrawn validation rows: seeds differ in which rows validate, the models of one seed share them, the
    test rows never change; without redrawing every seed validates on notebook 01's rows."""
    redrawn = runs_of(prepared, "p1")
    fixed = runs_of(prepared, "p2", redraw=False)
    assert redrawn.meta["partitions"] == {0: 0, 1: 1} and fixed.meta["partitions"] == {0: 3, 1: 3}
    for runs in (redrawn, fixed):
        for seed in runs.seeds:
            assert {runs.records[m][seed]["partition"] for m in study.MODELS} == {runs.meta["partitions"][seed]}
    lr = "Logistic regression"
    assert redrawn.records[lr][0]["metrics"]["val"] != redrawn.records[lr][1]["metrics"]["val"]
    assert fixed.records[lr][0] is fixed.records[lr][1] or fixed.records[lr][0] == fixed.records[lr][1]
    assert not np.array_equal(redrawn.proba(lr, 0), redrawn.proba(lr, 1))  # refitted encoders and model
    assert len(redrawn.proba(lr, 0)) == len(fixed.proba(lr, 0)) == len(redrawn.y_test)


def test_the_contestant_trains_with_the_twins_settings_on_their_partition(prepared):
    """scikit-learn's MLPClassifier runs in the same pool: the twins' network settings, the same seed and
    partition, early stopping on the validation rows, its threshold tuned there, its weights saved; the
    twins stay the only NETWORKS (the imbalance study, the float64 check and the chosen network are theirs)."""
    assert study.NETWORKS == ("NumPy MLP", "PyTorch MLP") and study.CONTESTANTS == ("scikit-learn MLP",)
    assert set(study.MODELS) == {*study.NETWORKS, *study.CONTESTANTS, *study.REFERENCES}
    contestant = study.CONTESTANTS[0]
    runs = runs_of(prepared, "c1", seeds=(0, 1), models=("NumPy MLP", contestant))
    for seed in (0, 1):
        mine, twin = runs.records[contestant][seed], runs.records["NumPy MLP"][seed]
        assert mine["params"] == twin["params"] and mine["partition"] == twin["partition"] == seed
        assert 1 <= mine["best_epoch"] <= mine["n_epochs"] <= NET["max_epochs"]
        assert mine["threshold_rule"] == "maximise F1 on the validation split"
        shapes = [runs.arrays[contestant][seed][f"W{i}"].shape for i in (1, 2)]
        assert shapes == [(runs.arrays["NumPy MLP"][seed]["W1"].shape[0], 8), (8, 1)]
    assert not np.array_equal(runs.proba(contestant, 0), runs.proba("NumPy MLP", 0))  # its own weights and batches
    again = runs_of(prepared, "c1", seeds=(0, 1), models=("NumPy MLP", contestant))
    assert again.trained == 0
    fresh = runs_of(prepared, "c2", seeds=(1,), models=(contestant,))
    np.testing.assert_array_equal(fresh.proba(contestant, 1), runs.proba(contestant, 1))  # same seed, same numbers
    model = study.build_model(contestant, {**NET, "class_weight": "balanced"}, seed=4)
    assert model.random_state == 4 and model.class_weight == "balanced" and model.batch_size == NET["batch_size"]
    assert "models.sklearn_mlp" in study.CODE_MODULES
