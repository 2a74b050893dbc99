"""helpers.compare.verdicts: the words of every verdict flip with the numbers (fabricated results)."""

from __future__ import annotations

import pytest

from helpers.compare import verdicts

MARGINS = {"pr_auc": 0.005, "f1": 0.01}


def diff(estimate, low, high, metric="pr_auc", label="NumPy MLP - PyTorch MLP"):
    return {"estimate": estimate, "low": low, "high": high, "metric": metric, "label": label, "sd": 0.001,
            "a": label.split(" - ")[0], "b": label.split(" - ")[1]}


@pytest.mark.parametrize("interval, expected", [
    ((0.0, -0.002, 0.002), "equivalent"),
    ((0.001, 0.0005, 0.003), "equivalent"),      # excludes zero but inside the margin
    ((0.02, 0.01, 0.03), "different"),
    ((-0.02, -0.03, -0.01), "different"),
    ((0.0, -0.01, 0.01), "inconclusive"),
    ((0.004, -0.001, 0.009), "inconclusive"),
])
def test_classify(interval, expected):
    assert verdicts.classify(dict(zip(("estimate", "low", "high"), interval)), 0.005) == expected


def test_classify_rejects_a_negative_margin():
    with pytest.raises(ValueError, match="margin"):
        verdicts.classify({"estimate": 0, "low": 0, "high": 0}, -1)


@pytest.mark.parametrize("pr, words", [
    (diff(0.0, -0.001, 0.001), "NumPy MLP and PyTorch MLP are equivalent"),
    (diff(0.02, 0.012, 0.028), "NumPy MLP is better than PyTorch MLP"),
    (diff(-0.02, -0.028, -0.012), "PyTorch MLP is better than NumPy MLP"),
    (diff(0.0, -0.02, 0.02), "cannot tell whether"),
])
def test_framework_verdict_flips_with_the_numbers(pr, words):
    text = verdicts.framework_verdict({"pr_auc": pr, "f1": diff(0.0, -0.001, 0.001, "f1")}, MARGINS)
    assert words in text
    others = {"are equivalent", "is better than", "cannot tell"} - {w for w in ("are equivalent", "is better than",
                                                                              "cannot tell") if w in words}
    assert not any(o in text.split(". ")[0] for o in others)
    assert f"{pr['low']:+.4f}" in text  # the numbers are in the sentence


@pytest.mark.parametrize("d, words", [
    (diff(0.02, 0.01, 0.03, label="NumPy MLP - Gradient boosting"), "is **ahead of** Gradient boosting"),
    (diff(-0.016, -0.023, -0.009, label="NumPy MLP - Gradient boosting"), "is **behind** Gradient boosting"),
    (diff(0.0, -0.002, 0.003, label="NumPy MLP - Gradient boosting"), "are **equivalent**"),
    (diff(0.0, -0.02, 0.02, label="NumPy MLP - Gradient boosting"), "cannot rank"),
])
def test_reference_verdict(d, words):
    assert words in verdicts.reference_verdict("NumPy MLP", "Gradient boosting", d, 0.005)


def test_calibration_sentence_flips():
    good = verdicts.calibration_sentence({"NumPy MLP": 0.01}, {"NumPy MLP": 0.15}, 0.02)
    bad = verdicts.calibration_sentence({"NumPy MLP": 0.05}, {"NumPy MLP": 0.15}, 0.02)
    assert "can be read as risks" in good and "misleading" not in good
    assert "misleading" in bad and "can be read as risks" not in bad
    assert "0.050" in bad


def test_threshold_sentence_flat_or_not():
    flat = verdicts.threshold_sentence({"NumPy MLP": [0.2, 0.26]}, {"NumPy MLP": [0.66, 0.77]}, {"NumPy MLP": [0.442, 0.445]})
    firm = verdicts.threshold_sentence({"NumPy MLP": [0.22, 0.23]}, {"NumPy MLP": [0.70, 0.71]}, {"NumPy MLP": [0.40, 0.45]})
    assert "optimum is flat" in flat and "well determined" in firm


def rows(pr_spread, f1_gap):
    out = []
    for backend, shift in (("NumPy MLP", 0.0), ("PyTorch MLP", f1_gap)):
        for weight, pr in (("none", 0.37), ("balanced", 0.37 + pr_spread)):
            out.append({"backend": backend, "class_weight": weight, "threshold_rule": "0.5", "threshold": 0.5,
                        "accuracy": 0.8, "precision": 0.5, "recall": 0.01, "f1": 0.02 + shift, "pr_auc": pr})
            out.append({"backend": backend, "class_weight": weight, "threshold_rule": "tuned on validation",
                        "threshold": 0.23, "accuracy": 0.6, "precision": 0.3, "recall": 0.7, "f1": 0.44 + shift,
                        "pr_auc": pr})
    return out


def test_imbalance_sentence_flips():
    same = verdicts.imbalance_sentence(rows(0.001, 0.0), 0.005, 0.01, week1={"accuracy": 0.801, "f1": 0.014})
    assert "not how well it ranks" in same and "neither framework handles imbalance better" in same
    assert "0.801" in same
    moved = verdicts.imbalance_sentence(rows(0.02, 0.05), 0.005, 0.01)
    assert "changes the ranking too" in moved and "more than" in moved


def test_rounding_sentence_flips():
    f32 = {"seed": 42, "max_weight_diff": 1e-4, "max_proba_diff": 1e-3, "common_threshold": 0.23,
           "rows_labelled_differently": 12, "rows": 100, "mcnemar": {"b": 5, "c": 7, "p_value": 0.77}}
    ok = verdicts.rounding_sentence({"max_weight_diff": 1e-15, "max_proba_diff": 1e-15}, f32)
    bad = verdicts.rounding_sentence({"max_weight_diff": 1e-3, "max_proba_diff": 1e-4}, f32)
    assert "same function" in ok and "discrepancy" in bad
    assert "12 of 100" in ok


def test_schemes_sentences():
    hold = {s: {"frameworks": diff(0.0, -0.001, 0.001)} for s in ("stratified", "grouped")}
    split = {"stratified": {"boosting": diff(-0.016, -0.023, -0.009)},
             "temporal": {"boosting": diff(0.007, 0.001, 0.013)}}
    assert verdicts.schemes_sentences(hold, 0.005)[0].startswith("**Holds in every scheme**")
    text = verdicts.schemes_sentences(split, 0.005)[0]
    assert text.startswith("**Depends on the scheme**") and "behind" in text and "ahead" in text
    undecided = {s: {"logistic": diff(0.0, -0.02, 0.02)} for s in ("a", "b")}
    assert verdicts.schemes_sentences(undecided, 0.005)[0].startswith("**Undecided in every scheme**")


def test_week1_sentence():
    ours = {"NumPy MLP": {"pr_auc": 0.37, "f1": 0.45}}
    quoted = {"pr_auc": 0.2645, "f1": 0.3434}
    assert "F1 0.450 (+0.107)" in verdicts.week1_sentence(ours, quoted, True, 0.01)
    assert "Not comparable" in verdicts.week1_sentence(ours, quoted, False, 0.01)


def test_declaration_states_metric_and_margins_first():
    text = verdicts.declaration(MARGINS, repeats=10)
    assert "PR-AUC" in text and "±0.005" in text and "±0.01 F1" in text and "10 training runs" in text


def test_study_conclusions_follow_the_numbers():
    diffs = [diff(0.0, -0.001, 0.001), diff(0.0, -0.002, 0.002, "f1"),
             diff(-0.016, -0.023, -0.009, label="NumPy MLP - Gradient boosting"),
             diff(0.01, 0.006, 0.014, label="NumPy MLP - Logistic regression")]
    f64 = {"max_weight_diff": 1e-15, "max_proba_diff": 1e-15}
    f32 = {"seed": 1, "max_weight_diff": 1e-4, "max_proba_diff": 1e-3, "common_threshold": 0.2,
           "rows_labelled_differently": 3, "rows": 100, "mcnemar": {"b": 1, "c": 2, "p_value": 1.0}}
    items = verdicts.study_conclusions(diffs, MARGINS, {"NumPy MLP": [0.2, 0.3]}, {"NumPy MLP": [0.6, 0.8]},
                                {"NumPy MLP": [0.44, 0.445]}, {"NumPy MLP": 0.01}, {"NumPy MLP": 0.15},
                                rows(0.001, 0.0), f64, f32)
    assert len(items) == 7
    assert "equivalent" in items[0] and "behind" in items[1] and "ahead of" in items[2]
    flipped = verdicts.study_conclusions([diff(0.02, 0.01, 0.03), diff(0.0, -0.002, 0.002, "f1"),
                                   diff(0.02, 0.01, 0.03, label="NumPy MLP - Gradient boosting")], MARGINS,
                                  {"NumPy MLP": [0.2, 0.3]}, {"NumPy MLP": [0.6, 0.8]}, {"NumPy MLP": [0.44, 0.445]},
                                  {"NumPy MLP": 0.05}, {"NumPy MLP": 0.15}, rows(0.02, 0.05), f64, f32)
    assert "is better than" in flipped[0] and "ahead of" in flipped[1]
    assert items != flipped
