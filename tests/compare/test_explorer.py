"""The threshold explorer: its numbers against scikit-learn, its rules, the widget and the static view."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, precision_score, recall_score

from helpers.compare import explorer


@pytest.fixture
def scored():
    rng = np.random.default_rng(3)
    y = (rng.random(500) < 0.2).astype(int)
    probas = {"NumPy MLP": np.clip(0.35 * y + 0.65 * rng.random(500), 0, 1),
              "PyTorch MLP": np.clip(0.30 * y + 0.70 * rng.random(500), 0, 1)}
    return y, probas


def _against_sklearn(row, y, pred):
    tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
    assert (row["tn"], row["fp"], row["fn"], row["tp"]) == (tn, fp, fn, tp)
    assert row["precision"] == pytest.approx(precision_score(y, pred))
    assert row["recall"] == pytest.approx(recall_score(y, pred))
    assert row["reminders_per_caught"] == pytest.approx(pred.sum() / tp)
    assert row["flagged"] == pred.sum() and row["share_flagged"] == pytest.approx(pred.mean())


@pytest.mark.parametrize("threshold", [0.2, 0.5, 0.71])
def test_one_threshold_matches_sklearn(scored, threshold):
    y, probas = scored
    table = explorer.operating_point_table(y, probas, threshold=threshold)
    assert list(table.columns) == explorer.COLUMNS and list(table.index) == list(probas)
    for name, p in probas.items():
        _against_sklearn(table.loc[name], y, (p >= threshold).astype(int))


def test_one_threshold_per_model(scored):
    y, probas = scored
    thresholds = {"NumPy MLP": 0.3, "PyTorch MLP": 0.6}
    table = explorer.operating_point_table(y, probas, threshold=thresholds)
    for name, p in probas.items():
        _against_sklearn(table.loc[name], y, (p >= thresholds[name]).astype(int))
        assert table.loc[name, "threshold"] == thresholds[name]


@pytest.mark.parametrize("share", [0.1, 0.25, 1.0])
def test_share_flags_exactly_the_top_k(scored, share):
    y, probas = scored
    table = explorer.operating_point_table(y, probas, share=share)
    k = round(share * len(y))
    for name, p in probas.items():
        pred = np.zeros(len(y), dtype=int)
        pred[np.argsort(-p, kind="stable")[:k]] = 1
        _against_sklearn(table.loc[name], y, pred)
        assert table.loc[name, "threshold"] == pytest.approx(np.sort(p)[::-1][k - 1])


def test_share_breaks_ties_to_exactly_k():
    y = np.array([1, 0, 1, 0, 0, 0])
    p = np.full(6, 0.5)  # every row tied: a threshold rule would flag all six
    table = explorer.operating_point_table(y, {"m": p}, share=0.5)
    assert table.loc["m", "flagged"] == 3 and table.loc["m", "tp"] == 2  # rows 0-2 by row order


def test_a_stricter_threshold_needs_fewer_reminders_per_catch_on_a_ranking_model():
    y = np.array([0] * 80 + [1] * 20)
    p = np.linspace(0, 1, 100)  # perfectly ranked
    loose, strict = (explorer.operating_point_table(y, {"m": p}, threshold=t).loc["m"] for t in (0.3, 0.85))
    assert strict["reminders_per_caught"] < loose["reminders_per_caught"]
    assert strict["recall"] < loose["recall"] and strict["precision"] > loose["precision"]


def test_nothing_caught_gives_nan_not_inf(scored):
    y, probas = scored
    table = explorer.operating_point_table(y, probas, threshold=1.01)
    assert (table["flagged"] == 0).all()
    assert table["precision"].isna().all() and table["reminders_per_caught"].isna().all()
    assert (table["recall"] == 0).all()


@pytest.mark.parametrize("kwargs, message", [
    ({}, "exactly one of threshold"),
    ({"threshold": 0.5, "share": 0.2}, "exactly one of threshold"),
    ({"share": 0}, r"share must be in \(0, 1\]"),
    ({"share": 1.5}, r"share must be in \(0, 1\]"),
    ({"threshold": {"NumPy MLP": 0.5}}, "no threshold for model"),
])
def test_bad_rules_are_named(scored, kwargs, message):
    y, probas = scored
    with pytest.raises(ValueError, match=message):
        explorer.operating_point_table(y, probas, **kwargs)


def test_bad_inputs_name_the_model(scored):
    y, probas = scored
    with pytest.raises(ValueError, match="'PyTorch MLP'.*rows"):
        explorer.operating_point_table(y, {**probas, "PyTorch MLP": probas["PyTorch MLP"][:-1]}, threshold=0.5)
    with pytest.raises(ValueError, match="0/1"):
        explorer.operating_point_table(y * 2, probas, threshold=0.5)


def test_widget_follows_the_sliders(scored):
    y, probas = scored
    tuned = {"NumPy MLP": 0.4, "PyTorch MLP": 0.45}
    box = explorer.threshold_explorer(y, probas, tuned)
    rule, threshold, share, readout = box.children
    start = explorer.operating_point_table(y, probas, threshold=tuned)
    assert rule.value == "validation-tuned"
    assert f"{start.loc['NumPy MLP', 'tp']:,}" in readout.value and "0.400" in readout.value

    threshold.value = 0.7
    moved = explorer.operating_point_table(y, probas, threshold=0.7)
    assert rule.value == "one threshold"
    assert explorer.describe(moved, "threshold 0.700") in readout.value.replace("&#x27;", "'")

    share.value = 0.1
    called = explorer.operating_point_table(y, probas, share=0.1)
    assert rule.value == "share called"
    assert f"flags {called.loc['NumPy MLP', 'flagged']:,} of 500 patients" in readout.value

    rule.value = "validation-tuned"
    assert explorer.describe(start, explorer._tuned_rule(tuned)) in readout.value


def test_static_view_states_the_tuned_numbers_and_the_live_widget(scored):
    y, probas = scored
    tuned = {"NumPy MLP": 0.4, "PyTorch MLP": 0.45}
    table_md, sentence_md = explorer.static_view(y, probas, tuned)
    table = explorer.operating_point_table(y, probas, threshold=tuned)
    assert table_md.data.lstrip().startswith("|") and "\n\nTable: " in table_md.data
    for name in probas:
        assert f"| {table.loc[name, 'fp']:,} " in table_md.data or f"| {table.loc[name, 'fp']} " in table_md.data
    text = sentence_md.data
    assert "validation-tuned" in text and "JupyterLab" in text and "live" in text
    best = table["reminders_per_caught"].idxmin()
    assert f"{best} needs the fewest reminders per no-show caught ({table.loc[best, 'reminders_per_caught']:.2f}" in text
    # the sentence moves with the numbers: other thresholds, another sentence
    other = explorer.static_view(y, probas, {"NumPy MLP": 0.6, "PyTorch MLP": 0.2})[1].data
    assert other != text


def test_static_view_says_so_when_both_networks_tie(scored):
    y, probas = scored
    same = {"NumPy MLP": probas["NumPy MLP"], "PyTorch MLP": probas["NumPy MLP"].copy()}
    text = explorer.static_view(y, same, {"NumPy MLP": 0.4, "PyTorch MLP": 0.4})[1].data
    assert "Both networks need the same" in text and "fewest" not in text
