"""helpers.study.experiment: what the model notebooks share -- the checked prepared data, the
class-weight parameter, the cross-validated choice and its tables, one cached run and the sentences
read from its record (tiny data, two epochs)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from helpers.study import experiment
from helpers.study.tuning import cross_validate_grid
from tests.fakes import fake_runs

GRID = {"C": [0.001, 1.0], "class_weight": ["balanced", None]}


@pytest.fixture
def choice(skewed_binary_data):
    X, y = skewed_binary_data
    table = cross_validate_grid(LogisticRegression(max_iter=500), GRID, X, y, n_splits=3, seed=3, progress=False)
    return experiment.Choice(params={"C": 1.0, "class_weight": None}, table=table, meta={"grid": GRID, "folds": 3}, from_user={"C": 1.0})


def test_load_checked_refuses_data_prepared_with_other_sample_rows(prepared):
    root, data = prepared
    loaded = experiment.load_checked(root / "processed", "stratified", 1500)
    assert loaded.meta["sample_rows"] == 1500
    with pytest.raises(ValueError, match="sample_rows=1500, not 3000: re-run notebook 01"):
        experiment.load_checked(root / "processed", "stratified", 3000)
    table = experiment.parts_table(data)
    assert list(table.index) == list(data.y) and table["rows"].sum() == sum(len(v) for v in data.y.values())
    assert table.loc["train", "no-show rate"] == pytest.approx(float(np.mean(data.y["train"])))


@pytest.mark.parametrize(("value", "expected"), [("cv", "cv"), ("balanced", "balanced"), ("none", None), (None, None)])
def test_class_weight_parameter(value, expected):
    assert experiment.parse_class_weight(value) == expected


def test_a_bad_class_weight_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match="'cv'.*'balanced' or 'none'; got 'auto'"):
        experiment.parse_class_weight("auto")


def test_the_choice_names_its_row_and_says_what_was_passed(choice):
    assert choice.used == {"C": 1.0, "class_weight": None}
    row = choice.table.loc[choice.used_row]
    assert row["C"] == 1.0 and row["class_weight"] is None
    text = choice.sentence()
    assert "Passed as parameters and used as given: `C=1.0`." in text
    assert experiment.Choice(choice.params, choice.table, choice.meta, {}).sentence() in text


def test_settings_table_and_grid_view(choice):
    references = {"Logistic regression": ({"C": 0.001, "class_weight": "balanced"}, choice.table, {"folds": 3}),
                  "Gradient boosting": ({"C": 0.5, "class_weight": None}, choice.table, {"folds": 3})}
    table = experiment.settings_table(choice, references)
    assert list(table.index) == ["NumPy and PyTorch MLP", "Logistic regression", "Gradient boosting"]
    assert table.loc["NumPy and PyTorch MLP", "settings"] == "C=1.0, class_weight=None"
    assert table.loc["NumPy and PyTorch MLP", "settings tried"] == 4
    assert table.loc["NumPy and PyTorch MLP", "CV PR-AUC"] == pytest.approx(choice.table.loc[choice.used_row, "cv_pr_auc"])
    assert np.isnan(table.loc["Gradient boosting", "CV PR-AUC"])  # not a row of that grid
    view = experiment.grid_view(choice.table)
    assert not any(c.startswith("fold_") or c in GRID for c in view.columns)
    assert list(view["rank"]) == sorted(view["rank"]) and view.index[0].startswith("C=")
    sentence = experiment.grid_sentence(choice)
    assert "With `class_weight` held fixed, `C` moves" in sentence
    assert experiment.grid_sentence(experiment.Choice(choice.params, choice.table, {"grid": {"C": [1.0]}}, {})) == ""


def test_sentences_read_the_runs_record():
    runs = fake_runs(seeds=(7,), split="stratified")
    summary = experiment.run_summary(runs, "NumPy MLP")
    assert summary["epochs run"] == 5 and summary["best epoch (weights restored)"] == 3
    assert summary["best validation PR-AUC"] == pytest.approx(0.4)
    text = experiment.curves_sentence(runs, "NumPy MLP")
    assert "peaks at 0.4000 in epoch 3 and training stops 2 epochs later" in text
    assert "lowest in epoch 2, before the PR-AUC peak" in text
    record = runs.records["NumPy MLP"][7]
    record["history"] = [{**h, "val_loss": 1.0 - 0.01 * h["epoch"]} for h in record["history"]]
    assert "no sign of overfitting" in experiment.curves_sentence(runs, "NumPy MLP")
    table = experiment.threshold_table(runs, "NumPy MLP")
    assert list(table.index) == ["threshold 0.5", "threshold tuned on validation"]
    assert table.loc["threshold 0.5", "threshold"] == 0.5 and table.loc["threshold tuned on validation", "threshold"] == 0.3
    assert "threshold **0.300** gives F1" in experiment.threshold_sentence(runs, "NumPy MLP")
    histories, best = experiment.curves_input(runs, "NumPy MLP")
    assert set(histories) == {"NumPy MLP"} and best == {"NumPy MLP": 3}
    matrices = experiment.confusions(runs, "NumPy MLP")
    assert list(matrices) == ["threshold 0.300 (tuned)", "threshold 0.5"]
    saved = experiment.saved_sentence(runs, "NumPy MLP", results_dir="data/results")
    assert "seed 7, split `stratified`" in saved and "`0123456789abcdef`" in saved and "/work" not in saved


def test_confusion_sentence_counts_catches_and_flags():
    text = experiment.confusion_sentence({"A": [[90, 10], [5, 15]]})
    assert text == "A: 15 of 20 no-shows caught (75.0%), 10 of 100 shows flagged, precision 60.0%."


def test_single_run_trains_one_network_once_and_refuses_a_reference(prepared, tmp_path):
    root, data = prepared
    network = {"hidden_layer_sizes": (8,), "max_epochs": 2, "batch_size": 128, "patience": None,
               "learning_rate": 1e-2, "weight_decay": 0.0, "class_weight": None}
    choice = experiment.Choice(network, pd.DataFrame(), {"grid": {"weight_decay": [0.0]}}, {})
    runs = experiment.single_run(data, "stratified", 3, "NumPy MLP", choice, root / "processed", tmp_path)
    assert runs.models == ["NumPy MLP"] and runs.seeds == [3] and runs.trained == 1
    again = experiment.single_run(data, "stratified", 3, "NumPy MLP", choice, root / "processed", tmp_path)
    assert again.trained == 0  # cached
    with pytest.raises(ValueError, match="model must be one of"):
        experiment.single_run(data, "stratified", 3, "Gradient boosting", choice)
    assert isinstance(experiment.run_summary(runs, "NumPy MLP"), pd.Series)
