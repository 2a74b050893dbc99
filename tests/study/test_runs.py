"""helpers.study, helpers.tuning and helpers.evidence: repeated paired runs, caching, no test rows in any choice."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from helpers.compare import evidence
from helpers.data.pipeline import prepare
from helpers.data.prepared import load_prepared, save_prepared, split_dir
from helpers.metrics import (
    bootstrap_indices,
    mcnemar_exact,
    resample_metrics,
    resample_weights,
    weighted_resample_metrics,
)
from helpers.study import runs as study
from helpers.study import tuning

NET = {"hidden_layer_sizes": (8,), "learning_rate": 1e-2, "batch_size": 128, "max_epochs": 6, "patience": 3,
       "weight_decay": 1e-3, "class_weight": None}
REFS = {"Logistic regression": {"C": 1.0}, "Gradient boosting": {"max_iter": 20}}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    root = tmp_path_factory.mktemp("study")
    with pytest.warns(Warning):
        prepare(data_path="synthetic", split="stratified", seed=3, sample_rows=1500, processed_dir=root / "processed")
    return root, load_prepared(root / "processed", "stratified")


def runs_of(prepared, results, seeds=(0, 1), n_jobs=1, models=study.MODELS, processed="processed", **net):
    root, _ = prepared
    data = load_prepared(root / processed, "stratified")
    return study.repeated_runs(data, "stratified", list(seeds), {**NET, **net}, REFS, root / processed,
                               root / results, models=models, n_jobs=n_jobs, progress=False)


def test_seeds_for():
    assert study.seeds_for(42, 3) == [42, 43, 44]
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="repeats"):
            study.seeds_for(1, bad)


def test_runs_are_paired_cached_and_reproducible(prepared):
    runs = runs_of(prepared, "r1")
    assert runs.trained == 2 * 2 + 3  # two networks x two seeds; three seed-free models once
    np_hist, pt_hist = (runs.records[m][0]["history"] for m in study.NETWORKS)
    # seed 0: the same initial weights and batch order, so the first epoch's loss agrees to float32 rounding
    assert np_hist[0]["train_loss"] == pytest.approx(pt_hist[0]["train_loss"], rel=1e-5)
    assert runs.records["NumPy MLP"][0]["history"] != runs.records["NumPy MLP"][1]["history"]  # seeds differ
    again = runs_of(prepared, "r1")
    assert again.trained == 0
    np.testing.assert_array_equal(again.proba("NumPy MLP", 1), runs.proba("NumPy MLP", 1))
    changed = runs_of(prepared, "r1", learning_rate=5e-3)
    assert changed.trained == 2 * 2  # only the networks' key changed
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
    save_prepared(shuffled, split_dir(root / "shuffled", "stratified"))
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


# ------------------------------------------------------------------------------- evidence
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


def fake_runs(scores: dict, n=400, seeds=(0, 1, 2), groups=None):
    """Runs of fabricated probabilities: model -> per-seed function of (y, rng)."""
    rng = np.random.default_rng(0)
    y = (rng.random(n) < 0.3).astype(int)
    records, arrays = {}, {}
    for model, make in scores.items():
        records[model], arrays[model] = {}, {}
        for s in seeds:
            p = make(y, np.random.default_rng(s))
            from helpers.metrics import evaluate

            records[model][s] = {"threshold": 0.5, "metrics": {"test": evaluate(y, p, 0.5)}, "cache_key": [model, s]}
            arrays[model][s] = {"proba_test": p}
    return study.Runs("x", list(seeds), records, arrays, y_val=y, y_test=y, groups_test=groups)


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


def test_markdown_tables_read_like_tables():
    import pandas as pd

    from helpers.tables import markdown

    frame = pd.DataFrame({"rows": [2099, 301], "rate": [0.2, 0.25], "name": ["a|b", None]},
                         index=pd.MultiIndex.from_tuples([("NumPy MLP", "none"), ("PyTorch MLP", "balanced")]))
    text = markdown(frame, caption="A caption", digits=2)
    lines = text.splitlines()
    assert lines[0].count("|") == lines[2].count("|") == 5  # header, rule, rows: one pipe table
    assert "NumPy MLP / none" in text and "2,099" in text and "0.25" in text and "a/b" in text
    assert lines[-1] == "Table: A caption"


def test_study_figures_give_one_colour_per_model_and_shade_the_margin():
    import matplotlib

    matplotlib.use("Agg")
    from helpers.compare import study_figures as study_plots
    from helpers.style import color_for

    d = [{"label": "NumPy MLP - PyTorch MLP", "metric": "pr_auc", "estimate": 0.0, "low": -0.001, "high": 0.001},
         {"label": "NumPy MLP - Logistic regression", "metric": "pr_auc", "estimate": 0.01, "low": 0.005, "high": 0.015}]
    ax = study_plots.paired_forest(d, {"pr_auc": 0.005}).axes[0]
    band = ax.patches[0]  # the margin, in data units along x
    assert band.get_x() == pytest.approx(-0.005) and band.get_width() == pytest.approx(0.01)
    cells = {s: {m: {"pr_auc": {"mean": 0.3, "low": 0.28, "high": 0.32}} for m in ("NumPy MLP", "Gradient boosting")}
             for s in ("stratified", "grouped")}
    fig = study_plots.scheme_points(cells, ["pr_auc"])
    colours = {c.get_label(): matplotlib.colors.to_hex(c.lines[0].get_color()) for c in fig.axes[0].containers}
    assert colours == {m: color_for(m) for m in ("NumPy MLP", "Gradient boosting")}
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["stratified", "grouped"]
