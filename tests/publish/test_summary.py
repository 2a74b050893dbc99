"""helpers.publish.summary: the README's headline is written from the saved study, schemes and
benchmark records (fabricated here), and its sentences flip with the numbers."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.compare import evidence
from helpers.publish import summary
from tests.cost.records import FAST_NUMPY, SLOW_TORCH, fabricated
from tests.fakes import fake_runs

META = {"source": {"source_name": "KaggleV2-May-2016.csv.zip", "sha256": "0123456789abcdef" * 4, "synthetic": False},
        "sample_rows": None}
CONCLUSIONS = ["**Frameworks.** NumPy MLP and PyTorch MLP are equivalent.", "**References.** Other words."]


@pytest.fixture
def saved(tmp_path):
    runs = fake_runs(split="stratified", groups=np.arange(400) // 2)
    res = evidence.resample_runs(runs, 40, seed=0, n_jobs=1, progress=False)
    diffs = [{**evidence.paired(runs, res, "NumPy MLP", "PyTorch MLP", "pr_auc"), "label": "NumPy MLP - PyTorch MLP"}]
    path = summary.save_study(tmp_path, META, runs, res, diffs, {"pr_auc": 0.005}, CONCLUSIONS)
    return tmp_path, path, runs


def test_save_study_writes_the_table_diffs_and_conclusions(saved):
    results, path, runs = saved
    assert path == results / "stratified" / "summary_study.json"
    s = summary.read_json(path)
    assert s["seeds"] == [0, 1, 2] and s["test_rows"] == 400 and s["clustered"] is True and s["n_resamples"] == 40
    assert set(s["table"]) == set(runs.models) and set(s["table"]["NumPy MLP"]) == set(summary._METRICS)
    assert s["diffs"][0]["label"] == "NumPy MLP - PyTorch MLP" and set(s["diffs"][0]) == {
        "label", "metric", "estimate", "low", "high", "sd"}
    assert s["thresholds"]["NumPy MLP"] == [0.3, 0.3, 0.3]


def test_best_model_sentence_follows_the_table():
    table = {"NumPy MLP": {"pr_auc": {"mean": 0.37, "low": 0.35, "high": 0.39}},
             "PyTorch MLP": {"pr_auc": {"mean": 0.36, "low": 0.34, "high": 0.38}},
             "Gradient boosting": {"pr_auc": {"mean": 0.40, "low": 0.38, "high": 0.42}}}
    text = summary.best_model_sentence({"table": table})
    assert text.startswith("**Best model.** Gradient boosting has the highest mean test PR-AUC, 0.400 [0.380, 0.420]")
    assert "(NumPy MLP 0.370; PyTorch MLP 0.360)" in text
    table["NumPy MLP"]["pr_auc"]["mean"] = 0.45
    text = summary.best_model_sentence({"table": table})
    assert "NumPy MLP has the highest" in text and "(PyTorch MLP 0.360)" in text


def test_speed_and_memory_sentences_flip_with_the_benchmark():
    fast = summary.speed_sentence(fabricated(FAST_NUMPY, SLOW_TORCH))
    slow = summary.speed_sentence(fabricated(SLOW_TORCH, FAST_NUMPY))
    assert "80 ms in NumPy and 250 ms in PyTorch" in fast and "NumPy is 3.1 x faster" in fast
    assert "PyTorch is 3.1 x faster" in slow
    assert "Not measured at batch 1,024" in summary.speed_sentence(fabricated(FAST_NUMPY, SLOW_TORCH), 1024)
    memory = summary.memory_sentence(fabricated(FAST_NUMPY, SLOW_TORCH, numpy_peak=140, torch_peak=390))
    assert "peaks at 140 MB with NumPy and 390 MB with PyTorch (+250 MB)" in memory
    assert "the largest piece of PyTorch's is `torch` (+230 MB)" in memory


def test_headline_reads_every_saved_record(saved, monkeypatch):
    results, _, _ = saved
    monkeypatch.setattr(summary, "current_record", lambda *args: None)
    text = summary.headline_markdown("stratified", results_dir=results)
    assert text.startswith("From `make publish` on `KaggleV2-May-2016.csv.zip` (sha256 `0123456789ab...`)")
    assert "400 test rows, 3 training runs per model" in text and "±0.005 PR-AUC" in text
    assert f"- {CONCLUSIONS[0]}" in text and "**Best model.** NumPy MLP" in text
    assert "Validation schemes" not in text and "**Speed.**" not in text
    diffs = {"stratified": {k: {"estimate": 0.0, "low": -0.01, "high": 0.01, "extra": 1}
                            for k in ("frameworks", "boosting", "logistic")}}
    path = summary.save_schemes(results, {"stratified": {}}, diffs, ["**Holds in every scheme** x."], repeats=2)
    assert summary.read_json(path)["diffs"]["stratified"]["boosting"] == {"estimate": 0.0, "low": -0.01, "high": 0.01}
    monkeypatch.setattr(summary, "current_record", lambda *args: fabricated(FAST_NUMPY, SLOW_TORCH))
    text = summary.headline_markdown("stratified", results_dir=results)
    assert "- **Validation schemes** (notebook 05). **Holds in every scheme** x." in text
    assert "- **Speed.**" in text and "- **Memory.**" in text
    with pytest.raises(FileNotFoundError, match="no saved study for split 'grouped'"):
        summary.headline_markdown("grouped", results_dir=results)
