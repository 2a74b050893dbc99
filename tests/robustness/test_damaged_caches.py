"""Every kind of cached file, truncated or garbled, is named in one warning, moved aside and computed again
with the same numbers: study runs, bootstrap replicates (and the calibration, decision-curve and subgroup
ones), tuning tables, prepared arrays, benchmark records and the study summaries. Where the file cannot
be computed where it is read (prepared arrays, summaries), the error says which notebook rebuilds it."""

from __future__ import annotations

import dataclasses
import logging
import shutil

import numpy as np
import pytest

from helpers import artifacts
from helpers.compare import calibration, decision, evidence, subgroups
from helpers.cost import record
from helpers.data.pipeline import prepare
from helpers.data.prepared import load_prepared
from helpers.publish import summary
from helpers.study import runs as study
from helpers.study import tuning
from tests.robustness.processes import without_times
from tests.robustness.test_writes_and_reads import damage, warnings_naming

NET = {"hidden_layer_sizes": (8,), "learning_rate": 1e-2, "batch_size": 128, "max_epochs": 6, "patience": 3,
       "weight_decay": 1e-3, "class_weight": None}
MODELS = ("NumPy MLP", "Logistic regression")
HOW = ["truncate", "garble"]


def same(a, b) -> bool:
    """Equal to the last digit: arrays element by element (NaN equal to NaN), containers recursively."""
    if dataclasses.is_dataclass(a):
        return type(a) is type(b) and all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, (np.ndarray, float, np.floating)):
        return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=np.asarray(a).dtype.kind == "f")
    return a == b


@pytest.fixture(scope="module")
def computed(small_split, tmp_path_factory):
    """``(data, runs, results)``: two seeds of :data:`MODELS` trained into ``results``."""
    results = tmp_path_factory.mktemp("damaged") / "results"
    data = load_prepared(small_split, "stratified", sources=True)
    runs = study.repeated_runs(data, "stratified", [0, 1], NET, {"Logistic regression": {"C": 1.0}}, small_split,
                               results, models=MODELS, n_jobs=1, progress=False)
    return data, runs, results


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_a_damaged_run_is_trained_again_with_the_same_numbers(computed, small_split, tmp_path, caplog, suffix, how):
    data, runs, results = computed
    copy = shutil.copytree(results, tmp_path / "results")
    victim = sorted((copy / "stratified" / "runs").glob(f"numpy_s1_*{suffix}"))[0]
    damage(victim, how)
    with caplog.at_level(logging.WARNING):
        again = study.repeated_runs(data, "stratified", [0, 1], NET, {"Logistic regression": {"C": 1.0}},
                                    small_split, copy, models=MODELS, n_jobs=1, progress=False)
    assert again.trained == 1  # only the damaged run; every other is read from the cache
    assert len(warnings_naming(caplog, victim)) == 1 and len(caplog.records) == 1
    assert victim.with_name(victim.name + ".damaged").is_file() and victim.is_file()
    for model in MODELS:
        for seed in (0, 1):
            assert same(without_times(again.records[model][seed]), without_times(runs.records[model][seed]))
            assert same(again.arrays[model][seed], runs.arrays[model][seed])


def test_a_run_filed_under_another_key_is_trained_again(computed, small_split, tmp_path, caplog):
    data, runs, results = computed
    copy = shutil.copytree(results, tmp_path / "results")
    victim = sorted((copy / "stratified" / "runs").glob("numpy_s0_*.json"))[0]
    saved = artifacts.read_json(victim)
    artifacts.write_json(victim, {**saved, "cache_key": {**saved["cache_key"], "seed": 99}})
    with caplog.at_level(logging.WARNING):
        again = study.repeated_runs(data, "stratified", [0, 1], NET, {"Logistic regression": {"C": 1.0}},
                                    small_split, copy, models=MODELS, n_jobs=1, progress=False)
    assert again.trained == 1 and "its cache key is not the one its name stands for" in caplog.text
    assert same(again.arrays["NumPy MLP"][0], runs.arrays["NumPy MLP"][0])


#: Each bootstrap-replicate cache: what computes it (small), given the runs, the test-row groups and the folder.
EVIDENCE = {
    "bootstrap": lambda runs, groups, cache: evidence.resample_runs(
        runs, 30, 0, metrics=("pr_auc", "f1"), n_jobs=1, cache_dir=cache, progress=False).scores,
    "calibration": lambda runs, groups, cache: calibration.calibration_evidence(
        runs, MODELS, 30, 0, n_jobs=1, cache_dir=cache, progress=False),
    "calibration curves": lambda runs, groups, cache: calibration.smoothed_curves(
        runs, MODELS, n_resamples=30, n_jobs=1, cache_dir=cache, progress=False),
    "decision curves": lambda runs, groups, cache: decision.decision_evidence(
        runs, MODELS, n_resamples=30, n_jobs=1, cache_dir=cache, progress=False),
    "subgroups": lambda runs, groups, cache: subgroups.subgroup_evidence(
        runs, groups, list(MODELS), n_resamples=30, n_jobs=1, cache_dir=cache, progress=False),
}


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("kind", list(EVIDENCE))
def test_damaged_bootstrap_replicates_are_computed_again_with_the_same_numbers(computed, tmp_path, caplog, kind, how):
    data, runs, _ = computed
    groups = subgroups.define_groups(data) if kind == "subgroups" else None
    first = EVIDENCE[kind](runs, groups, tmp_path)
    (cached,) = tmp_path.iterdir()
    damage(cached, how)
    with caplog.at_level(logging.WARNING):
        again = EVIDENCE[kind](runs, groups, tmp_path)
    assert len(warnings_naming(caplog, cached)) == 1 and len(caplog.records) == 1
    assert same(again, first)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert same(EVIDENCE[kind](runs, groups, tmp_path), first)  # the rebuilt file is read silently
    assert not caplog.records
    assert sorted(p.name for p in tmp_path.iterdir()) == [cached.name, cached.name + ".damaged"]


@pytest.mark.parametrize("how", HOW)
def test_a_damaged_tuning_table_is_cross_validated_again(computed, tmp_path, caplog, how):
    data = computed[0]

    def tune():
        return tuning.tune_split(data, "stratified", "logistic", grid={"C": [0.1, 1.0]}, seed=0, results_dir=tmp_path,
                                 n_jobs=1, progress=False)

    table, meta = tune()
    cached = tmp_path / "stratified" / "tuning_logistic.json"
    damage(cached, how)
    with caplog.at_level(logging.WARNING):
        again, meta_again = tune()
    assert len(warnings_naming(caplog, cached)) == 1
    scores = [c for c in table.columns if c != "fit_seconds"]  # wall times differ; every score is the same
    assert same(again[scores].to_dict("list"), table[scores].to_dict("list")) and meta_again == meta


def test_a_tuning_table_without_its_rows_is_damaged(computed, tmp_path, caplog):
    folder = tmp_path / "stratified"
    artifacts.write_json(folder / "tuning_logistic.json", {"grid": {"C": [1.0]}, "table": [{"C": 1.0}]})
    with caplog.at_level(logging.WARNING):
        assert tuning.load_grid(folder, "logistic") is None
    assert "its table lacks rows or columns" in caplog.text


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("name", ["arrays.npz", "meta.json"])
def test_damaged_prepared_data_stop_with_the_notebook_that_rebuilds_them(small_split, tmp_path, caplog, name, how):
    processed = shutil.copytree(small_split, tmp_path / "processed")
    before = load_prepared(processed, "stratified", sources=True)
    damage(processed / "stratified" / name, how)
    with caplog.at_level(logging.WARNING), pytest.raises(FileNotFoundError) as stop:
        load_prepared(processed, "stratified", sources=True)  # every array read (a worker's load)
    assert "were damaged" in str(stop.value) and "run notebook 01_data_and_imbalance" in str(stop.value)
    assert len(warnings_naming(caplog, processed / "stratified" / name)) == 1
    with pytest.warns(Warning):  # the synthetic data's banner
        prepare(data_path="synthetic", split="stratified", seed=3, sample_rows=1500, processed_dir=processed)
    rebuilt = load_prepared(processed, "stratified", sources=True)
    assert same(rebuilt.X, before.X) and same(rebuilt.y, before.y) and same(rebuilt.features, before.features)


@pytest.mark.parametrize("how", HOW)
def test_a_damaged_benchmark_record_counts_as_not_measured(small_split, tmp_path, caplog, how):
    key = record.cache_key(small_split, "stratified", "light", record.MODES["light"]["threads"])
    light, full = record.light_path(tmp_path), record.bench_path(tmp_path)
    artifacts.write_json(light, {"cache_key": key, "created_utc": "light", "padding": "x" * 400})
    artifacts.write_json(full, {"cache_key": {**key, "mode": "full"}, "created_utc": "full", "padding": "x" * 400})
    assert record.current_record(small_split, "stratified", tmp_path)["created_utc"] == "full"
    damage(full, how)
    with caplog.at_level(logging.WARNING):
        assert record.load_bench(tmp_path) is None  # make bench's record: as if make bench had not run
        assert record.current_record(small_split, "stratified", tmp_path)["created_utc"] == "light"
    damage(light, how)
    with caplog.at_level(logging.WARNING):
        assert record.current_record(small_split, "stratified", tmp_path) is None  # notebook 06 measures anew
    assert len(warnings_naming(caplog, full)) == 1 and len(warnings_naming(caplog, light)) == 1


@pytest.mark.parametrize("how", HOW)
def test_a_damaged_summary_names_the_notebook_that_writes_it(computed, small_split, tmp_path, caplog, how):
    _, runs, _ = computed
    res = evidence.resample_runs(runs, 20, 0, metrics=("pr_auc", "f1", "roc_auc", "precision", "recall"), n_jobs=1,
                                 progress=False)
    meta = {"source": {"source_name": "synthetic", "sha256": None, "synthetic": True}}
    path = summary.save_study(tmp_path, meta, runs, res, [], {"pr_auc": 0.005}, ["**Frameworks.** x."])
    kept = summary.load_study(tmp_path, "stratified")
    schemes = summary.save_schemes(tmp_path, {}, {}, ["every scheme agrees"], 2)
    assert "every scheme agrees" in summary.headline_markdown("stratified", tmp_path, small_split)
    damage(schemes, how)
    with caplog.at_level(logging.WARNING):
        text = summary.headline_markdown("stratified", tmp_path, small_split)
    assert "every scheme agrees" not in text and len(warnings_naming(caplog, schemes)) == 1
    damage(path, how)
    with caplog.at_level(logging.WARNING), pytest.raises(FileNotFoundError, match="run notebook 04 first"):
        summary.load_study(tmp_path, "stratified")
    assert len(warnings_naming(caplog, path)) == 1
    assert summary.save_study(tmp_path, meta, runs, res, [], {"pr_auc": 0.005}, ["**Frameworks.** x."]) == path
    assert summary.load_study(tmp_path, "stratified") == kept  # written again by notebook 04: the same

