"""helpers.compare.schemes: the per-scheme cells, tables, differences and sentences are read from each
scheme's runs and prepared-data metadata (fabricated runs; no training)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.compare import evidence, schemes
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
    assert rows["NumPy MLP"]["pr_auc"] == pytest.approx(results["original"].runs.metric("NumPy MLP", "pr_auc").mean())
    assert schemes.comparable_to_week1(results["original"]) and not schemes.comparable_to_week1(results["grouped"])
    matrices = schemes.first_seed_matrices(results["stratified"])
    assert set(matrices) == {"NumPy MLP (ours)", "PyTorch MLP (ours)"}
    assert np.asarray(matrices["NumPy MLP (ours)"]).sum() == 400
    assert "synthetic" in schemes.data_banner(results, "stratified").lower()
