"""helpers.compare.schemes: the per-scheme cells, tables, differences and sentences are read from each
scheme's runs and prepared-data metadata; the network met with the references is chosen on each scheme's
validation rows; between-scheme contrasts resample the schemes independently at a Bonferroni level (fabricated
runs; no training)."""

from __future__ import annotations

import copy
import inspect

import numpy as np
import pandas as pd
import pytest

from helpers.compare import evidence, schemes, verdicts
from helpers.study.experiment import Choice
from tests.fakes import fake_runs, separating


def meta(split, diagnostics=None, comparable=False, test_rows=400):
    return {"source": {"synthetic": True, "source_name": "synthetic", "sha256": "a" * 64},
            "sample_rows": None, "balance": {"train": {"rows": 1600, "no_show_rate": 0.2},
                                             "test": {"rows": test_rows, "no_show_rate": 0.3}},
            "split": {"kind": split, "diagnostics": diagnostics or {},
                      "original": {"comparable_to_week1_report": comparable}}}


def result(split, signals, diagnostics=None, comparable=False):
    runs = fake_runs({m: separating(s) for m, s in signals.items()}, seeds=(0, 1), split=split,
                     groups=np.arange(400) // 2)
    res = evidence.resample_runs(runs, 50, seed=0, n_jobs=1, progress=False)
    choice = Choice(params={"weight_decay": 1e-4, "class_weight": "balanced", "max_epochs": 2},
                    table=pd.DataFrame(), meta={"grid": {"weight_decay": [1e-4], "class_weight": ["balanced"]}},
                    from_user={})
    references = {"Logistic regression": ({"C": 1.0}, None, None), "Gradient boosting": ({"max_iter": 20}, None, None)}
    return schemes.SchemeResult(split, meta(split, diagnostics, comparable), choice, references, runs, res)


ALL = {"NumPy MLP": 2.5, "PyTorch MLP": 2.4, "Logistic regression": 1.0, "Gradient boosting": 0.5}
DIAG = {"same_patient_same_day_rows": 0.05, "same_day_outcome_agreement": 0.9, "patients_in_train": 0.4,
        "train_rows_after_earliest_held_out_day": 1234}


@pytest.fixture(scope="module")
def results():
    return {"stratified": result("stratified", ALL, DIAG),
            "grouped": result("grouped", {**ALL, "Gradient boosting": 4.0},
                              {**DIAG, "same_patient_same_day_rows": 0.0, "patients_in_train": 0.0}),
            "original": result("original", ALL, comparable=True)}


def test_cells_hold_every_model_but_the_dummy_and_the_table_prints_them(results):
    cells = schemes.scheme_cells(results)
    assert set(cells) == set(results)
    assert set(cells["stratified"]) == set(ALL)
    cell = cells["stratified"]["NumPy MLP"]["pr_auc"]
    assert cell["mean"] == pytest.approx(results["stratified"].runs.metric("NumPy MLP", "pr_auc").mean())
    assert cell["low"] <= cell["mean"] <= cell["high"]
    table = schemes.scheme_table(cells, digits=2)
    assert "stratified: NumPy MLP" in table.index and list(table.columns) == ["pr_auc", "roc_auc", "f1"]
    assert table.loc["stratified: NumPy MLP", "pr_auc"] == f"{cell['mean']:.2f} [{cell['low']:.2f}, {cell['high']:.2f}]"


def test_ranking_sentence_names_each_schemes_leader(results):
    cells = schemes.scheme_cells(results)
    text = schemes.ranking_sentence(cells)
    assert "stratified: NumPy MLP first" in text and "grouped: Gradient boosting first" in text
    assert "not from this ranking" in text


def test_diffs_compare_the_best_network_with_each_reference(results):
    diffs = schemes.scheme_diffs(results)
    assert diffs["stratified"]["best_network"] == "NumPy MLP"
    assert diffs["stratified"]["boosting"]["a"] == "NumPy MLP" and diffs["stratified"]["boosting"]["chosen_on"] == "validation"
    assert "chosen_on" not in diffs["stratified"]["frameworks"]
    assert diffs["stratified"]["boosting"]["estimate"] > 0 > diffs["grouped"]["boosting"]["estimate"]
    assert (diffs["stratified"]["frameworks"]["a"], diffs["stratified"]["frameworks"]["b"]) == ("NumPy MLP", "PyTorch MLP")
    table = schemes.diffs_table(diffs, 0.005)
    assert len(table) == 3 * len(results)
    assert any(str(i).startswith("grouped: NumPy MLP - Gradient boosting") for i in table.index)


def test_diagnostics_in_a_table_and_in_words(results):
    table = schemes.diagnostics_table(results)
    assert table.loc["stratified", "test rows: same patient, same day in train"] == 0.05
    assert table.loc["grouped", "test patients seen in train"] == 0.0
    assert table.loc["stratified", "test rows"] == 400
    text = schemes.diagnostics_sentence(results)
    assert "stratified: 5.0% of the test rows have an appointment of the same patient" in text
    assert "grouped: no test row has a same-day appointment" in text
    assert "1,234 training rows lie after the first test day" in text
    assert "original" not in text  # no diagnostics recorded for it
    assert schemes.diagnostics_sentence({"original": results["original"]}) == ""


def test_settings_week1_rows_and_flags(results):
    settings = schemes.settings_by_scheme(results)
    assert settings.loc["grouped", "networks"] == "weight_decay=0.0001, class_weight='balanced'"
    assert settings.loc["grouped", "Logistic regression"] == "C=1.0"
    rows = schemes.week1_rows(results["original"])
    assert set(rows) == {"NumPy MLP", "PyTorch MLP"}
    assert set(rows["NumPy MLP"]) == {"pr_auc", "roc_auc", "f1", "accuracy", "f1_low", "f1_high"}
    assert rows["NumPy MLP"]["pr_auc"] == pytest.approx(results["original"].runs.metric("NumPy MLP", "pr_auc").mean())
    f1 = evidence.spread(results["original"].runs, results["original"].resamples, "PyTorch MLP", "f1")
    assert (rows["PyTorch MLP"]["f1_low"], rows["PyTorch MLP"]["f1_high"]) == (f1["low"], f1["high"])
    assert rows["PyTorch MLP"]["f1_low"] < rows["PyTorch MLP"]["f1"] < rows["PyTorch MLP"]["f1_high"]
    assert schemes.comparable_to_week1(results["original"]) and not schemes.comparable_to_week1(results["grouped"])
    matrices = schemes.first_seed_matrices(results["stratified"])
    assert set(matrices) == {"NumPy MLP (ours)", "PyTorch MLP (ours)"}
    assert np.asarray(matrices["NumPy MLP (ours)"]).sum() == 400
    assert "synthetic" in schemes.data_banner(results, "stratified").lower()


def validation_favours(result_, model, value=0.99):
    """A copy of a scheme's result whose ``model`` has the best validation PR-AUC (test rows untouched)."""
    runs = copy.deepcopy(result_.runs)
    for s in runs.seeds:
        runs.records[model][s]["metrics"]["val"]["pr_auc"] = value
    return schemes.SchemeResult(result_.split, result_.meta, result_.choice, result_.references, runs,
                                result_.resamples)


def test_scheme_diffs_choose_the_network_on_validation_rows(results):
    moved = {**results, "stratified": validation_favours(results["stratified"], "PyTorch MLP")}
    runs = moved["stratified"].runs
    assert runs.metric("NumPy MLP", "pr_auc").mean() > runs.metric("PyTorch MLP", "pr_auc").mean()  # test says NumPy
    diffs = schemes.scheme_diffs(moved)
    assert diffs["stratified"]["best_network"] == "PyTorch MLP"
    for key, ref in (("boosting", "Gradient boosting"), ("logistic", "Logistic regression")):
        d = diffs["stratified"][key]
        assert (d["a"], d["b"], d["chosen_on"]) == ("PyTorch MLP", ref, "validation")
        assert d["estimate"] == pytest.approx((runs.metric("PyTorch MLP", "pr_auc") - runs.metric(ref, "pr_auc")).mean())
    assert diffs["grouped"]["best_network"] == "NumPy MLP"  # the other schemes keep their own choice


# ============================================================================ between-scheme contrasts

@pytest.fixture(scope="module")
def contrasting():
    """Three schemes: in ``ahead`` the NumPy MLP separates far better, in ``behind`` far worse, ``again`` = ``ahead``."""
    strong, weak = {"NumPy MLP": 3.0, "PyTorch MLP": 0.3}, {"NumPy MLP": 0.3, "PyTorch MLP": 3.0}
    refs = {"Logistic regression": 1.0, "Gradient boosting": 1.2}
    return {"ahead": result("ahead", {**strong, **refs}), "behind": result("behind", {**weak, **refs}),
            "again": result("again", {**strong, **refs})}


def test_contrasts_find_a_dependence_only_where_the_schemes_differ(contrasting):
    diffs = schemes.scheme_diffs(contrasting)
    contrasts = schemes.scheme_contrasts(contrasting, diffs)
    assert set(contrasts) == {"frameworks", "boosting", "logistic"}
    found = {(c["a"], c["b"]): c for c in contrasts["frameworks"]}
    assert list(found) == [("ahead", "behind"), ("ahead", "again"), ("behind", "again")]
    assert found[("ahead", "behind")]["low"] > 0 and found[("behind", "again")]["high"] < 0
    same = found[("ahead", "again")]
    assert same["low"] < 0 < same["high"]
    assert same["high"] - same["low"] > 0  # independent draws: identical schemes still give an interval, not a point
    for (a, b), c in found.items():
        assert c["estimate"] == pytest.approx(diffs[a]["frameworks"]["estimate"] - diffs[b]["frameworks"]["estimate"])
        assert c["metric"] == "pr_auc" and c["level"] == pytest.approx(1 - 0.05 / 3)
    assert same["estimate"] == 0
    sentences = verdicts.schemes_sentences(diffs, 0.005, contrasts)
    assert sentences[0].startswith("**Depends on the scheme** (NumPy MLP - PyTorch MLP, PR-AUC)")
    assert "(98.3% interval)" in sentences[0]


def test_contrast_intervals_are_bonferroni_percentiles_of_independent_replicates(contrasting):
    diffs = schemes.scheme_diffs(contrasting)
    contrasts = schemes.scheme_contrasts(contrasting, diffs, alpha=0.1, seed=5)
    boots = {s: evidence.paired_replicates(r.resamples, "NumPy MLP", "PyTorch MLP", "pr_auc")
             for s, r in contrasting.items()}
    rng = np.random.default_rng(5)  # the first pair of the first finding takes the first permutation
    other = boots["behind"][rng.permutation(boots["behind"].size)]
    level = 1 - 0.1 / 3
    low, high = np.nanquantile(boots["ahead"] - other, [(1 - level) / 2, (1 + level) / 2])
    first = contrasts["frameworks"][0]
    assert (first["a"], first["b"]) == ("ahead", "behind")
    assert (first["low"], first["high"]) == pytest.approx((low, high))
    assert first["level"] == pytest.approx(level)


@pytest.mark.parametrize("n, level", [(2, 0.95), (3, 1 - 0.05 / 3), (4, 1 - 0.05 / 6)])
def test_contrast_level_is_corrected_for_the_number_of_pairs(contrasting, n, level):
    pool = {**contrasting, "fourth": contrasting["again"]}
    chosen = {s: pool[s] for s in list(pool)[:n]}
    contrasts = schemes.scheme_contrasts(chosen, schemes.scheme_diffs(chosen))
    assert len(contrasts["boosting"]) == n * (n - 1) // 2
    assert [c["level"] for found in contrasts.values() for c in found] == pytest.approx([level] * 3 * len(contrasts["boosting"]))


def test_contrasts_are_seeded(contrasting):
    diffs = schemes.scheme_diffs(contrasting)
    once = schemes.scheme_contrasts(contrasting, diffs, seed=1)
    assert once == schemes.scheme_contrasts(contrasting, diffs, seed=1)
    other = schemes.scheme_contrasts(contrasting, diffs, seed=2)
    assert [(x["low"], x["high"]) for found in once.values() for x in found] != \
        [(x["low"], x["high"]) for found in other.values() for x in found]


def test_contrasts_table(contrasting):
    contrasts = schemes.scheme_contrasts(contrasting, schemes.scheme_diffs(contrasting))
    table = schemes.contrasts_table(contrasts, 0.005)
    assert len(table) == 3 * 3
    assert list(table.columns) == ["contrast", "low", "high", "interval", "excludes zero"]
    row = table.loc["NumPy MLP - PyTorch MLP: ahead - behind"]
    first = contrasts["frameworks"][0]
    assert (row["contrast"], row["low"], row["high"]) == (first["estimate"], first["low"], first["high"])
    assert row["interval"] == "98.3%" and bool(row["excludes zero"]) is True
    assert bool(table.loc["NumPy MLP - PyTorch MLP: ahead - again", "excludes zero"]) is False
    assert "chosen network - gradient boosting: behind - again" in table.index


# ============================================================================ one scheme, end to end (stubbed)

@pytest.mark.parametrize("split, prepared", [("grouped", True), ("stratified", False)])
@pytest.mark.parametrize("redraw", [True, False])
def test_run_scheme_passes_its_settings_on(monkeypatch, tmp_path, results, split, prepared, redraw):
    assert "scheme_cv_folds" not in inspect.signature(schemes.run_scheme).parameters
    calls = {}
    data = type("Data", (), {"meta": {"kind": split}})()
    fake = results["stratified"]

    def record(name, value):
        def stub(*args, **kwargs):
            calls[name] = (args, kwargs)
            return value
        return stub

    monkeypatch.setattr(schemes, "prepare", record("prepare", None))
    monkeypatch.setattr(schemes, "load_checked", record("load_checked", data))
    monkeypatch.setattr(schemes, "network_choice", record("network_choice", fake.choice))
    monkeypatch.setattr(schemes, "reference_choices", record("reference_choices", fake.references))
    monkeypatch.setattr(schemes, "repeated_runs", record("repeated_runs", fake.runs))
    monkeypatch.setattr(schemes.evidence, "resample_runs", record("resample_runs", fake.resamples))
    network = {"hidden_layer_sizes": (8,), "weight_decay": None, "class_weight": "cv"}
    out = schemes.run_scheme(split, main_split="stratified", data_path="x.csv", seed=7, sample_rows=None,
                             processed_dir=tmp_path, results_dir=tmp_path, repeats=3, network=network,
                             n_bootstrap=25, cv_folds=4, n_jobs=1, progress=False, redraw_validation=redraw)
    assert ("prepare" in calls) is prepared
    assert calls["network_choice"][1]["cv_folds"] == 4 and calls["reference_choices"][1]["cv_folds"] == 4
    assert calls["network_choice"][1]["weight_decay"] is None and calls["network_choice"][1]["class_weight"] == "cv"
    args, kwargs = calls["repeated_runs"]
    assert kwargs["redraw_validation"] is redraw and args[2] == [7, 8, 9]
    assert args[4] == {name: params for name, (params, _, _) in fake.references.items()}
    assert calls["resample_runs"][0][1:3] == (25, 7) and calls["resample_runs"][1]["clustered"] is True
    assert (out.split, out.runs, out.resamples, out.meta) == (split, fake.runs, fake.resamples, data.meta)
