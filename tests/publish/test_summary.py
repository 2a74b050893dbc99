"""helpers.publish.summary: the README's headline is written from the saved study, schemes and
benchmark records (fabricated here), its sentences flip with the numbers, and the references are judged by the
study's own verdicts (no model ranked on test rows)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.compare import evidence
from helpers.publish import summary
from tests.cost.records import FAST_NUMPY, SLOW_TORCH, fabricated
from tests.fakes import fake_runs

META = {"source": {"source_name": "KaggleV2-May-2016.csv.zip", "sha256": "0123456789abcdef" * 4, "synthetic": False},
        "sample_rows": None}
CONCLUSIONS = ["**Frameworks.** NumPy MLP and PyTorch MLP are equivalent.", "**Thresholds.** Other words."]


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


HEAD = "**Against the references (the network with the higher mean validation PR-AUC).**"
REFERENCES = [(f"{HEAD} The PyTorch MLP is **behind** Gradient boosting by more than the margin: PR-AUC difference "
              "-0.0160 [-0.0230, -0.0090] (margin ±0.005)."),
              (f"{HEAD} The PyTorch MLP is ahead of Logistic regression, but **possibly by less than the margin**: "
              "PR-AUC difference +0.0056 [+0.0017, +0.0095] (margin ±0.005).")]


def test_references_sentence_joins_the_studys_own_verdicts():
    text = summary.references_sentence({"conclusions": [CONCLUSIONS[0], *REFERENCES, "**Thresholds.** x."]})
    assert text == ("**Against the references (the network with the higher mean validation PR-AUC).** The PyTorch MLP "
                    "is **behind** Gradient boosting by more than the margin: PR-AUC difference -0.0160 [-0.0230, "
                    "-0.0090] (margin ±0.005). The PyTorch MLP is ahead of Logistic regression, but **possibly by less "
                    "than the margin**: PR-AUC difference +0.0056 [+0.0017, +0.0095] (margin ±0.005).")
    assert text.count("**Against the references") == 1 and "Thresholds" not in text and "Frameworks" not in text
    one = summary.references_sentence({"conclusions": [CONCLUSIONS[0], REFERENCES[1]]})
    assert "Logistic regression" in one and "Gradient boosting" not in one
    assert summary.references_sentence({"conclusions": CONCLUSIONS}) == \
        "**Against the references.** Not compared in this study."


def test_references_sentence_reads_what_the_verdicts_wrote():
    from helpers.compare import verdicts

    d = {"estimate": 0.02, "low": 0.01, "high": 0.03, "metric": "pr_auc", "sd": 0.001, "chosen_on": "validation",
         "label": "NumPy MLP - Gradient boosting"}
    items = verdicts.diff_verdicts([{**d, "label": "NumPy MLP - PyTorch MLP"}, d], {"pr_auc": 0.005})
    text = summary.references_sentence({"conclusions": items})
    assert text == items[1] and "**ahead of** Gradient boosting by more than the margin" in text


def test_speed_and_memory_sentences_flip_with_the_benchmark():
    fast = summary.speed_sentence(fabricated(FAST_NUMPY, SLOW_TORCH))
    slow = summary.speed_sentence(fabricated(SLOW_TORCH, FAST_NUMPY))
    assert "80 ms in NumPy and 250 ms in PyTorch" in fast and "NumPy is 3.1 x faster" in fast
    assert "PyTorch is 3.1 x faster" in slow
    assert "Not measured at batch 1,024" in summary.speed_sentence(fabricated(FAST_NUMPY, SLOW_TORCH), 1024)
    memory = summary.memory_sentence(fabricated(FAST_NUMPY, SLOW_TORCH, numpy_peak=140, torch_peak=390,
                                                numpy_uss=90, torch_uss=280))
    assert "90 MB of private memory (USS) with NumPy and 280 MB with PyTorch (+190 MB; peak resident 140 and 390 MB)" \
        in memory
    assert "the largest piece of PyTorch's is `torch` (+230 MB)" in memory


def test_headline_reads_every_saved_record(saved, monkeypatch):
    results, _, _ = saved
    monkeypatch.setattr(summary, "current_record", lambda *args: None)
    text = summary.headline_markdown("stratified", results_dir=results)
    assert text.startswith("From `make publish` on `KaggleV2-May-2016.csv.zip` (sha256 `0123456789ab...`)")
    assert "400 test rows, 3 training runs per model" in text and "±0.005 PR-AUC" in text
    assert f"- {CONCLUSIONS[0]}" in text and "- **Against the references.** Not compared in this study." in text
    assert "each seed with its own validation rows" not in text  # the fake runs record no redraw
    assert "Validation schemes" not in text and "**Speed.**" not in text
    diffs = {"stratified": {k: {"estimate": 0.0, "low": -0.01, "high": 0.01, "extra": 1}
                            for k in ("frameworks", "boosting", "logistic")}}
    path = summary.save_schemes(results, {"stratified": {}}, diffs, ["**Holds in every scheme** x.",
                                                                     "**Decided in 1 of 4 schemes** y."], repeats=2)
    assert summary.read_json(path)["diffs"]["stratified"]["boosting"] == {"estimate": 0.0, "low": -0.01, "high": 0.01}
    monkeypatch.setattr(summary, "current_record", lambda *args: fabricated(FAST_NUMPY, SLOW_TORCH))
    text = summary.headline_markdown("stratified", results_dir=results)
    assert "- **Validation schemes** (notebook 05), each finding judged in every scheme:" in text
    assert "\n  - **Holds in every scheme** x.\n  - **Decided in 1 of 4 schemes** y." in text
    assert "- **Speed.**" in text and "- **Memory.**" in text and "- **Targets** (the light benchmark" in text
    assert "- **Against scikit-learn's MLPClassifier.**" in text  # the contestant's speed, from the same record
    with pytest.raises(FileNotFoundError, match="no saved study for split 'grouped'"):
        summary.headline_markdown("grouped", results_dir=results)


@pytest.mark.parametrize("redraw", [True, False])
def test_save_study_records_the_partition_rule_and_the_headline_reports_it(tmp_path, monkeypatch, redraw):
    runs = fake_runs(split="stratified", seeds=(0, 1))
    runs.meta["redraw_validation"] = redraw
    res = evidence.resample_runs(runs, 20, seed=0, n_jobs=1, progress=False)
    path = summary.save_study(tmp_path, META, runs, res, [], {"pr_auc": 0.005}, [CONCLUSIONS[0], *REFERENCES])
    assert summary.read_json(path)["redraw_validation"] is redraw
    assert summary.read_json(path)["clustered"] is False  # no patients given: rows resampled
    monkeypatch.setattr(summary, "current_record", lambda *args: None)
    text = summary.headline_markdown("stratified", results_dir=tmp_path)
    assert ("2 training runs per model, each seed with its own validation rows, every choice" in text) is redraw
    assert "- **Against the references (the network with the higher mean validation PR-AUC).** The PyTorch MLP is " \
           "**behind** Gradient boosting" in text
    assert "The PyTorch MLP is ahead of Logistic regression, but **possibly by less than the margin**" in text


def test_the_headline_carries_the_contestants_verdict_as_the_study_worded_it(tmp_path, monkeypatch):
    from helpers.compare import verdicts

    contestant = "scikit-learn MLP"
    runs = fake_runs(split="stratified", seeds=(0, 1))
    res = evidence.resample_runs(runs, 20, seed=0, n_jobs=1, progress=False)
    spreads = {m: evidence.spread(runs, res, m, "pr_auc") for m in ("NumPy MLP", "PyTorch MLP")}
    spreads[contestant] = spreads.pop("PyTorch MLP")
    pair = {**evidence.paired(runs, res, "NumPy MLP", "PyTorch MLP", "pr_auc"), "label": f"NumPy MLP - {contestant}",
            "contestant": contestant, "spreads": spreads}
    mine = verdicts.contestant_verdicts([pair], {"pr_auc": 0.005})
    assert summary.contestants_sentence({"conclusions": [CONCLUSIONS[0], *REFERENCES]}) is None
    assert summary.contestants_sentence({"conclusions": [CONCLUSIONS[0], *mine, CONCLUSIONS[1]]}) == mine[0]
    summary.save_study(tmp_path, META, runs, res, [pair], {"pr_auc": 0.005}, [CONCLUSIONS[0], *REFERENCES, *mine])
    monkeypatch.setattr(summary, "current_record", lambda *args: None)
    text = summary.headline_markdown("stratified", results_dir=tmp_path)
    assert f"- {REFERENCES[0]} {REFERENCES[1].split('.**', 1)[1].strip()}\n- {mine[0]}" in text
    assert f"{spreads['NumPy MLP']['mean']:.4f}" in text


def test_targets_sentence_shows_each_value_with_its_spread_and_verdict():
    bench = fabricated(FAST_NUMPY, SLOW_TORCH, numpy_uss=90, torch_uss=320)
    text = summary.targets_sentence(bench)
    assert "numpy private memory (USS) at the end of training <= 100 MB: 90, **met**" in text
    assert "torch private memory (USS) at the end of training <= 300 MB: 320, **not met**" in text
    bench["summary"]["targets"] = [{"label": "numpy epoch time grows ~linearly", "value": 1.1, "low": 1.0, "high": 1.2,
                                    "met": None, "verdict": "not shown"}]
    assert "numpy epoch time grows ~linearly: 1.1 [1, 1.2], **not shown**" in summary.targets_sentence(bench)
    bench["summary"]["targets"] = []
    assert "None measured" in summary.targets_sentence(bench)
