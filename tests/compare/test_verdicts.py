"""helpers.compare.verdicts: the words of every verdict flip with the numbers (fabricated results).

The four-way rule reads the interval alone: equivalent (inside the margin), different by more than the
margin (wholly beyond it), different but possibly by less than the margin (excludes zero, overlaps the
band), inconclusive (contains zero, reaches past the margin). Each sentence is checked for its own
words and for the absence of the other verdicts' words.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.compare import verdicts
from helpers.compare.verdicts import BEYOND, EQUIVALENT, INCONCLUSIVE, WITHIN

MARGINS = {"pr_auc": 0.005, "f1": 0.01}


def diff(estimate, low, high, metric="pr_auc", label="NumPy MLP - PyTorch MLP", **extra):
    return {"estimate": estimate, "low": low, "high": high, "metric": metric, "label": label, "sd": 0.001,
            "a": label.split(" - ")[0], "b": label.split(" - ")[1], **extra}


# ============================================================================ the rule

@pytest.mark.parametrize("interval, margin, expected", [
    # equivalent: the whole interval inside [-margin, +margin]
    ((0.0, -0.002, 0.002), 0.005, EQUIVALENT),
    ((0.001, 0.0005, 0.003), 0.005, EQUIVALENT),        # excludes zero, still inside the margin
    ((0.0, -0.005, 0.005), 0.005, EQUIVALENT),          # touches both ends of the band exactly
    ((5.0, -0.002, 0.002), 0.005, EQUIVALENT),          # the estimate is not read
    # beyond: the whole interval past +margin or past -margin
    ((0.02, 0.01, 0.03), 0.005, BEYOND),
    ((-0.02, -0.03, -0.01), 0.005, BEYOND),
    ((0.0052, 0.0051, 0.0053), 0.005, BEYOND),
    # within: excludes zero, overlaps the band
    ((0.0056, 0.0017, 0.0095), 0.005, WITHIN),          # the PR-AUC case of the issue
    ((-0.0057, -0.0103, -0.0011), 0.01, WITHIN),        # the F1 case of the issue
    ((-0.0001, 0.001, 0.02), 0.005, WITHIN),            # estimate below zero, interval above: still WITHIN
    ((0.007, 0.005, 0.009), 0.005, WITHIN),             # low == margin: not wholly beyond it
    ((-0.007, -0.009, -0.005), 0.005, WITHIN),          # high == -margin: not wholly beyond it
    # inconclusive: contains zero and reaches past the margin
    ((0.0, -0.01, 0.01), 0.005, INCONCLUSIVE),
    ((0.004, -0.001, 0.009), 0.005, INCONCLUSIVE),
    ((0.005, 0.0, 0.01), 0.005, INCONCLUSIVE),          # low == 0: zero is in the interval
    ((-0.005, -0.01, 0.0), 0.005, INCONCLUSIVE),        # high == 0
    ((math.nan, math.nan, math.nan), 0.005, INCONCLUSIVE),
    ((0.0, math.nan, 0.002), 0.005, INCONCLUSIVE),      # one undefined bound is enough
    ((0.0, -0.002, np.float64("nan")), 0.005, INCONCLUSIVE),
])
def test_classify(interval, margin, expected):
    assert verdicts.classify(dict(zip(("estimate", "low", "high"), interval)), margin) == expected


def test_the_four_verdicts_are_distinct_words():
    assert len(set(verdicts.VERDICTS)) == 4 and set(verdicts.VERDICTS) == {EQUIVALENT, BEYOND, WITHIN, INCONCLUSIVE}


@pytest.mark.parametrize("margin", [-1, -1e-9])
def test_classify_rejects_a_negative_margin(margin):
    with pytest.raises(ValueError, match="margin"):
        verdicts.classify({"estimate": 0, "low": 0, "high": 0}, margin)


def test_a_zero_margin_leaves_only_an_exact_zero_equivalent():
    assert verdicts.classify({"estimate": 0, "low": 0.0, "high": 0.0}, 0.0) == EQUIVALENT
    assert verdicts.classify({"estimate": 0, "low": 0.001, "high": 0.002}, 0.0) == BEYOND
    assert verdicts.classify({"estimate": 0, "low": -0.001, "high": 0.002}, 0.0) == INCONCLUSIVE


@pytest.mark.parametrize("estimate, low, high, expected", [
    (-0.0001, 0.001, 0.02, 1),      # the estimate's sign is never read
    (0.5, -0.02, -0.001, -1),
    (0.009, -0.01, 0.01, 0),
    (0.01, 0.0, 0.02, 0),           # touching zero is containing it
    (-0.01, -0.02, 0.0, 0),
])
def test_direction_reads_the_interval_only(estimate, low, high, expected):
    assert verdicts.direction({"estimate": estimate, "low": low, "high": high}) == expected


@pytest.mark.parametrize("d, margin, words", [
    (diff(0.02, 0.01, 0.03), 0.005, "ahead by more than the margin"),
    (diff(-0.02, -0.03, -0.01), 0.005, "behind by more than the margin"),
    (diff(0.0056, 0.0017, 0.0095), 0.005, "ahead, possibly by less than the margin"),
    (diff(-0.0057, -0.0103, -0.0011), 0.01, "behind, possibly by less than the margin"),
    (diff(-0.0001, 0.001, 0.02), 0.005, "ahead, possibly by less than the margin"),
    (diff(0.0, -0.002, 0.002), 0.005, "equivalent"),
    (diff(0.0, -0.02, 0.02), 0.005, "inconclusive"),
])
def test_outcome_words(d, margin, words):
    assert verdicts.outcome(d, margin) == words


def test_outcome_names_the_directions_it_is_given():
    assert verdicts.outcome(diff(0.02, 0.01, 0.03), 0.005, "higher", "lower") == "higher by more than the margin"
    assert verdicts.outcome(diff(-0.004, -0.006, -0.001), 0.005, "higher", "lower") == \
        "lower, possibly by less than the margin"


# ============================================================================ sentences on one difference

@pytest.mark.parametrize("d, margin, words, absent", [
    (diff(0.0, -0.001, 0.001), 0.005, "inside ±0.005: **equivalent**", ["detectable", "beyond", "excludes zero"]),
    (diff(0.002, 0.001, 0.003), 0.005, "a detectable difference, smaller than the margin", ["beyond", "inconclusive"]),
    (diff(0.02, 0.01, 0.03), 0.005, f"lies wholly beyond +0.005: **{BEYOND}**", ["equivalent", "inconclusive", "overlaps"]),
    (diff(-0.02, -0.03, -0.01), 0.005, f"lies wholly beyond -0.005: **{BEYOND}**", ["+0.005", "equivalent"]),
    (diff(0.0056, 0.0017, 0.0095), 0.005, f"excludes zero but overlaps the ±0.005 band: **{WITHIN}**",
     ["wholly beyond", "equivalent", "inconclusive"]),
    (diff(0.0, -0.02, 0.02), 0.005, "includes zero and reaches beyond ±0.005: **inconclusive**",
     ["equivalent", "wholly", "overlaps"]),
])
def test_verdict_phrase(d, margin, words, absent):
    text = verdicts.verdict_phrase(verdicts.classify(d, margin), d, margin, "pr_auc")
    assert text.startswith(f"PR-AUC difference {d['estimate']:+.4f} [{d['low']:+.4f}, {d['high']:+.4f}]")
    assert words in text
    assert not any(a in text for a in absent)


FRAMEWORK_HEADS = ("are equivalent in quality", "is better than", "scores higher than", "cannot tell whether")


@pytest.mark.parametrize("pr, head", [
    (diff(0.0, -0.001, 0.001), "NumPy MLP and PyTorch MLP are equivalent in quality"),
    (diff(0.02, 0.012, 0.028), "NumPy MLP is better than PyTorch MLP by more than the margin"),
    (diff(-0.02, -0.028, -0.012), "PyTorch MLP is better than NumPy MLP by more than the margin"),
    (diff(0.0056, 0.0017, 0.0095), "NumPy MLP scores higher than PyTorch MLP, but possibly by less than the margin"),
    (diff(-0.0056, -0.0095, -0.0017), "PyTorch MLP scores higher than NumPy MLP, but possibly by less than the margin"),
    (diff(0.0, -0.02, 0.02), "the runs cannot tell whether NumPy MLP and PyTorch MLP differ"),
])
def test_framework_verdict_flips_with_the_numbers(pr, head):
    text = verdicts.framework_verdict({"pr_auc": pr, "f1": diff(0.0, -0.001, 0.001, "f1")}, MARGINS)
    first = text.split(". ")[0]
    assert first.startswith("**Frameworks.** On the primary metric ") and head in first
    own = next(h for h in FRAMEWORK_HEADS if h in head)
    assert not any(h in first for h in FRAMEWORK_HEADS if h != own)
    assert f"{pr['low']:+.4f}" in text and f"{pr['high']:+.4f}" in text  # the numbers are in the sentence
    assert "F1 difference +0.0000 [-0.0010, +0.0010], inside ±0.01: **equivalent**" in text


def test_a_framework_gap_within_the_margin_is_never_called_better():
    text = verdicts.framework_verdict({"pr_auc": diff(0.0056, 0.0017, 0.0095)}, {"pr_auc": 0.005})
    assert "better than" not in text and "ahead of" not in text
    assert "possibly by less than the margin" in text
    f1 = verdicts.framework_verdict({"f1": diff(-0.0057, -0.0103, -0.0011, "f1")}, {"f1": 0.01})
    assert "PyTorch MLP scores higher than NumPy MLP, but possibly by less than the margin" in f1
    assert "better than" not in f1 and "NumPy MLP scores higher" not in f1
    assert f"**{WITHIN}**" in f1 and "±0.01 band" in f1


def test_framework_verdict_reads_the_primary_metric_first():
    # the primary (first) metric decides the head; the second only appears in its own clause
    diffs = {"f1": diff(0.02, 0.015, 0.025, "f1"), "pr_auc": diff(0.0, -0.001, 0.001)}
    text = verdicts.framework_verdict(diffs, MARGINS)
    assert "are equivalent in quality" in text.split(". ")[0] and "better than" not in text.split(". ")[0]
    assert text.index("PR-AUC difference") < text.index("F1 difference")
    swapped = verdicts.framework_verdict(diffs, {"f1": 0.01, "pr_auc": 0.005})
    assert "NumPy MLP is better than PyTorch MLP by more than the margin" in swapped


REFERENCE_HEADS = ("by more than the margin", "possibly by less than the margin", "**equivalent**", "cannot rank")


@pytest.mark.parametrize("d, head", [
    (diff(0.02, 0.01, 0.03), "The NumPy MLP is **ahead of** Gradient boosting by more than the margin"),
    (diff(-0.016, -0.023, -0.009), "The NumPy MLP is **behind** Gradient boosting by more than the margin"),
    (diff(0.0056, 0.0017, 0.0095), "The NumPy MLP is ahead of Gradient boosting, but **possibly by less than the margin**"),
    (diff(-0.0056, -0.0095, -0.0017), "The NumPy MLP is behind Gradient boosting, but **possibly by less than the margin**"),
    (diff(0.0, -0.002, 0.003), "The NumPy MLP and Gradient boosting are **equivalent**"),
    (diff(0.0, -0.02, 0.02), "The runs cannot rank the NumPy MLP and Gradient boosting"),
])
def test_reference_verdict(d, head):
    text = verdicts.reference_verdict("NumPy MLP", "Gradient boosting", d, 0.005)
    assert text.startswith(head + ":")
    own = next(h for h in REFERENCE_HEADS if h in head)
    assert not any(h in text for h in REFERENCE_HEADS if h != own)
    if "ahead" in head:
        assert "behind" not in text
    if "behind" in head:
        assert "ahead" not in text
    if own in ("**equivalent**", "cannot rank"):
        assert "ahead" not in text and "behind" not in text
    assert f"PR-AUC difference {d['estimate']:+.4f} [{d['low']:+.4f}, {d['high']:+.4f}] (margin ±0.005)." in text


def test_reference_verdict_reads_the_side_from_the_interval_not_the_estimate():
    text = verdicts.reference_verdict("NumPy MLP", "Logistic regression", diff(-0.0001, 0.001, 0.02), 0.005)
    assert "ahead of" in text and "behind" not in text
    assert "possibly by less than the margin" in text and "by more than the margin" not in text
    flipped = verdicts.reference_verdict("NumPy MLP", "Logistic regression", diff(0.0001, -0.02, -0.001), 0.005)
    assert "behind" in flipped and "ahead" not in flipped


def test_reference_verdict_within_the_margin_is_not_plainly_ahead():
    text = verdicts.reference_verdict("NumPy MLP", "Gradient boosting", diff(0.0056, 0.0017, 0.0095), 0.005)
    assert "**ahead of**" not in text  # the bold, unqualified form belongs to BEYOND
    assert "ahead of Gradient boosting, but **possibly by less than the margin**" in text
    f1 = verdicts.reference_verdict("PyTorch MLP", "Logistic regression", diff(-0.0057, -0.0103, -0.0011, "f1"), 0.01, "f1")
    assert f1.startswith("The PyTorch MLP is behind Logistic regression, but **possibly by less than the margin**")
    assert "F1 difference" in f1 and "(margin ±0.01)" in f1


# ============================================================================ declaration

@pytest.mark.parametrize("redraw", [True, False])
def test_declaration_states_metric_margins_and_the_partition_rule(redraw):
    text = verdicts.declaration(MARGINS, repeats=10, redraw_validation=redraw)
    assert text.startswith("**Declared before the results.** Primary metric: **PR-AUC**")
    assert "±0.005 PR-AUC" in text and "±0.01 F1" in text and "10 training runs" in text
    for word in ("**equivalent**", "**different by more than the margin**", "**inconclusive**",
                 "possibly by less than the margin"):
        assert word in text
    assert "chosen on validation PR-AUC, never on test rows" in text
    assert ("redraws which non-test rows train" in text) is redraw
    assert ("redraw_validation=False" in text) is (not redraw)


def test_declaration_names_what_the_bootstrap_resamples():
    assert "test patients" in verdicts.declaration(MARGINS, clustered=True)
    rows = verdicts.declaration({"f1": 0.02}, primary="f1", clustered=False)
    assert "test rows together" in rows and "test patients" not in rows
    assert "Primary metric: **F1**" in rows and "repeated training runs (seeds)" in rows


# ============================================================================ thresholds, rounding

def test_threshold_sentence_flat_or_not():
    flat = verdicts.threshold_sentence({"NumPy MLP": [0.2, 0.26]}, {"NumPy MLP": [0.66, 0.77]}, {"NumPy MLP": [0.442, 0.445]})
    firm = verdicts.threshold_sentence({"NumPy MLP": [0.22, 0.23]}, {"NumPy MLP": [0.70, 0.71]}, {"NumPy MLP": [0.40, 0.45]})
    assert "optimum is flat" in flat and "well determined" not in flat
    assert "well determined" in firm and "optimum is flat" not in firm


def test_rounding_sentence_flips():
    f32 = {"seed": 42, "max_weight_diff": 1e-4, "max_proba_diff": 1e-3, "common_threshold": 0.23,
           "rows_labelled_differently": 12, "rows": 100, "mcnemar": {"b": 5, "c": 7, "p_value": 0.77}}
    ok = verdicts.rounding_sentence({"max_weight_diff": 1e-15, "max_proba_diff": 1e-15}, f32)
    bad = verdicts.rounding_sentence({"max_weight_diff": 1e-3, "max_proba_diff": 1e-4}, f32)
    assert "same function" in ok and "discrepancy" not in ok
    assert "discrepancy" in bad and "same function" not in bad
    assert "12 of 100" in ok and "b = 5, c = 7" in ok


# ============================================================================ imbalance

def cell_rows(f1_half=(0.02, 0.03)):
    """Eight rows as :func:`helpers.compare.imbalance.cell_rows` gives them (NumPy, PyTorch unweighted F1 at 0.5)."""
    out = []
    for backend, f1 in zip(("NumPy MLP", "PyTorch MLP"), f1_half):
        for weight in ("none", "balanced"):
            for rule in ("0.5", "tuned"):
                half = rule == "0.5" and weight == "none"
                out.append({"backend": backend, "class_weight": weight, "threshold_rule": rule, "seeds": 5,
                            "threshold": 0.5 if rule == "0.5" else 0.23, "accuracy": 0.80 if half else 0.6,
                            "precision": 0.5, "recall": 0.01 if half else 0.7, "f1": f1 if half else 0.44,
                            "pr_auc": 0.37})
    return out


def kind(k, cell, d):
    return {**d, "kind": k, "cell": cell}


def imbalance_diffs(threshold=(0.40, 0.39, 0.41), weighting=(0.0, -0.002, 0.002), frameworks=None):
    """Threshold: tuned - 0.5 F1 per backend x weight; weighting: PR-AUC per backend; frameworks: F1 per cell."""
    frameworks = frameworks or {}
    out = [kind("threshold", f"{b}, {w}", diff(*threshold, "f1")) for b in ("NumPy MLP", "PyTorch MLP")
           for w in ("none", "balanced")]
    out += [kind("weighting", b, diff(*weighting)) for b in ("NumPy MLP", "PyTorch MLP")]
    out += [kind("frameworks", c, diff(*frameworks.get(c, (0.0, -0.004, 0.004)), "f1"))
            for c in ("none, 0.5", "none, tuned", "balanced, 0.5", "balanced, tuned")]
    return out


def test_imbalance_sentence_all_equivalent():
    text = verdicts.imbalance_sentence(cell_rows(), imbalance_diffs(), MARGINS, week1={"accuracy": 0.801, "f1": 0.014})
    assert text.startswith("Unweighted and cut at 0.5, the NumPy MLP scores accuracy 0.800, recall 0.010 and F1 0.020 "
                           "(means over 5 seeds)")
    assert "week-1 NumPy model (accuracy 0.801, F1 0.014, quoted)" in text
    assert "**The threshold.** F1 with the validation-tuned threshold minus F1 at 0.5: higher by more than the " \
           "margin in every cell" in text
    assert "class weighting changes where the model cuts, not how well it ranks" in text
    assert "not shown to leave the ranking unchanged" not in text
    assert "neither framework handles imbalance better" in text
    assert "equivalence is not shown" not in text and "ahead by more than the margin (see the table)" not in text


def test_imbalance_sentence_names_the_worst_unweighted_backend_and_leaves_week1_out_when_not_given():
    text = verdicts.imbalance_sentence(cell_rows((0.05, 0.01)), imbalance_diffs(), MARGINS)
    assert "the PyTorch MLP scores accuracy 0.800, recall 0.010 and F1 0.010" in text
    assert "week-1" not in text


def test_imbalance_sentence_one_framework_cell_within_the_margin():
    diffs = imbalance_diffs(frameworks={"balanced, tuned": (0.006, 0.002, 0.011)})
    text = verdicts.imbalance_sentence(cell_rows(), diffs, MARGINS)
    assert "neither framework handles imbalance better" not in text
    assert "equivalence is not shown in every cell; no cell shows one framework ahead by more than the margin" in text
    assert "balanced, tuned: NumPy ahead, possibly by less than the margin (+0.0060 [+0.0020, +0.0110])" in text
    assert "none, 0.5: equivalent" in text


def test_imbalance_sentence_one_framework_cell_beyond_the_margin():
    diffs = imbalance_diffs(frameworks={"none, 0.5": (-0.03, -0.04, -0.02)})
    text = verdicts.imbalance_sentence(cell_rows(), diffs, MARGINS)
    assert "in some cell one framework is ahead by more than the margin (see the table)" in text
    assert "none, 0.5: PyTorch ahead by more than the margin" in text
    assert "neither framework" not in text and "no cell shows one framework ahead" not in text


@pytest.mark.parametrize("weighting, reading, absent", [
    ((0.0, -0.002, 0.002), "changes where the model cuts, not how well it ranks", "not shown to leave the ranking"),
    ((0.004, 0.001, 0.008), "is not shown to leave the ranking unchanged", "not how well it ranks"),
    ((0.0, -0.02, 0.02), "is not shown to leave the ranking unchanged", "not how well it ranks"),
    ((0.02, 0.01, 0.03), "is not shown to leave the ranking unchanged", "not how well it ranks"),
])
def test_imbalance_sentence_weighting_equivalent_or_not(weighting, reading, absent):
    text = verdicts.imbalance_sentence(cell_rows(), imbalance_diffs(weighting=weighting), MARGINS)
    assert "**Class weighting.** PR-AUC, balanced minus unweighted: " + verdicts.outcome(diff(*weighting), 0.005,
                                                                                         "higher", "lower") in text
    assert reading in text and absent not in text


def test_imbalance_sentence_threshold_cells_that_disagree_are_listed_one_by_one():
    diffs = imbalance_diffs()
    diffs[0] = kind("threshold", "NumPy MLP, none", diff(0.0, -0.02, 0.02, "f1"))
    text = verdicts.imbalance_sentence(cell_rows(), diffs, MARGINS)
    assert "in every cell" not in text.split("**Class weighting.**")[0]
    assert "NumPy MLP, none: inconclusive" in text and "PyTorch MLP, balanced: higher by more than the margin" in text


def test_imbalance_sentence_leaves_out_the_kinds_it_is_not_given():
    only = [d for d in imbalance_diffs() if d["kind"] == "threshold"]
    text = verdicts.imbalance_sentence([], only, MARGINS)
    assert text.startswith("**The threshold.**")
    assert "Class weighting" not in text and "frameworks" not in text and "Unweighted and cut" not in text


# ============================================================================ widening

def widths(ratios):
    fixed = [0.01 * (i + 1) for i in range(len(ratios))]
    table = pd.DataFrame({"interval width, fixed validation rows": fixed,
                          "interval width, redrawn per seed": [f * r for f, r in zip(fixed, ratios)]},
                         index=["NumPy MLP, mean PR-AUC", "PyTorch MLP, mean PR-AUC", "NumPy MLP - PyTorch MLP"][:len(ratios)])
    table["ratio"] = table.iloc[:, 1] / table.iloc[:, 0]
    return table


@pytest.mark.parametrize("ratios, words, absent", [
    ((1.5, 1.2, 2.0), "redrawing widened every interval", ("narrower", "noise is small", "less than 10 %")),
    ((0.5, 0.8, 0.9), "no interval widened by more than 10 %", ("redrawing widened", "noise is small")),
    ((1.0, 1.01, 0.72), "NumPy MLP - PyTorch MLP (0.72 x) came out narrower", ("redrawing widened", "noise is small")),
    ((1.0, 1.5, 0.7), "redrawing widened the interval of PyTorch MLP, mean PR-AUC (1.50 x) and narrowed that of "
     "NumPy MLP - PyTorch MLP (0.70 x)", ("every interval", "noise is small")),
    ((1.0, 1.05, 0.95), "every width moved by less than 10 %: the validation sample's noise is small",
     ("widened", "narrower")),
])
def test_widening_sentence_flips_with_the_ratios(ratios, words, absent):
    text = verdicts.widening_sentence(widths(ratios))
    assert text.startswith("95 % interval widths, the same seeds with fixed and with redrawn validation rows -- ")
    assert words in text and not any(a in text for a in absent)
    assert "NumPy MLP, mean PR-AUC: 0.0100 to " in text and f"({ratios[0]:.2f} x)" in text


def test_widening_sentence_does_not_call_a_50_percent_widening_small():
    text = verdicts.widening_sentence(widths((1.0, 1.5, 1.0)))
    assert "noise is small" not in text


# ============================================================================ tables and the study's conclusions

def test_diff_table_gives_each_difference_its_verdict():
    diffs = [diff(0.0056, 0.0017, 0.0095), diff(0.0, -0.02, 0.02, "f1"), diff(0.1, 0.05, 0.15, "roc_auc")]
    table = verdicts.diff_table(diffs, MARGINS)
    assert list(table.index) == ["NumPy MLP - PyTorch MLP, PR-AUC", "NumPy MLP - PyTorch MLP, F1",
                                 "NumPy MLP - PyTorch MLP, ROC-AUC"]
    assert list(table["verdict"]) == [WITHIN, INCONCLUSIVE, "-"]  # no margin, no verdict
    assert table.loc["NumPy MLP - PyTorch MLP, PR-AUC", "95 % low"] == 0.0017
    assert list(verdicts.diff_table(diffs[:1], MARGINS, names=["x"]).index) == ["x"]


def references(est, low, high, metric="pr_auc", chosen=True):
    extra = {"chosen_on": "validation"} if chosen else {}
    return [diff(est, low, high, metric, "PyTorch MLP - Gradient boosting", **extra),
            diff(-est, -high, -low, metric, "PyTorch MLP - Logistic regression", **extra)]


def test_diff_verdicts_judge_the_frameworks_and_the_network_chosen_on_validation():
    diffs = [diff(0.0, -0.001, 0.001), diff(0.0, -0.002, 0.002, "f1"), *references(0.0056, 0.0017, 0.0095),
             *references(0.02, 0.015, 0.025, "f1")]
    items = verdicts.diff_verdicts(diffs, MARGINS)
    assert len(items) == 3  # frameworks, and the two references on the primary metric only
    assert items[0].startswith("**Frameworks.**") and "equivalent in quality" in items[0]
    head = "**Against the references (the network with the higher mean validation PR-AUC).** "
    assert items[1] == head + verdicts.reference_verdict("PyTorch MLP", "Gradient boosting", diffs[2], 0.005)
    assert "ahead of Gradient boosting, but **possibly by less" in items[1]
    assert "behind Logistic regression, but **possibly by less" in items[2]
    plain = verdicts.diff_verdicts([diff(0.0, -0.001, 0.001), *references(0.02, 0.01, 0.03, chosen=False)], MARGINS)
    assert plain[1].startswith("**Against the references.** The PyTorch MLP is **ahead of** Gradient boosting")


CONTESTANT = "scikit-learn MLP"


def contestant_diff(est, low, high, metric="pr_auc", means=(0.372, 0.375)):
    spreads = {m: {"mean": v, "low": v - 0.004, "high": v + 0.004} for m, v in zip(("NumPy MLP", CONTESTANT), means)}
    return diff(est, low, high, metric, f"NumPy MLP - {CONTESTANT}", contestant=CONTESTANT, spreads=spreads,
                per_seed=[est] * 10)


@pytest.mark.parametrize("pr, words, absent", [
    (contestant_diff(-0.001, -0.003, 0.002), "NumPy MLP and scikit-learn MLP are equivalent in quality", "better"),
    (contestant_diff(-0.02, -0.03, -0.01), "scikit-learn MLP is better than NumPy MLP by more than the margin",
     "equivalent"),
    (contestant_diff(0.004, 0.001, 0.007), "NumPy MLP scores higher than scikit-learn MLP, but possibly by less",
     "better than"),
    (contestant_diff(0.0, -0.01, 0.01), "cannot tell whether NumPy MLP and scikit-learn MLP differ", "equivalent"),
])
def test_contestant_verdict_flips_with_the_numbers(pr, words, absent):
    items = verdicts.contestant_verdicts([diff(0.0, -0.001, 0.001), pr, contestant_diff(0.0, -0.002, 0.002, "f1")],
                                         MARGINS)
    assert len(items) == 1
    text = items[0]
    assert text.startswith(verdicts.contestant_head("NumPy MLP", CONTESTANT))
    assert words in text and absent not in text.split("PR-AUC difference")[0]
    assert ("Mean test PR-AUC over 10 seeds [95 % interval]: NumPy MLP 0.3720 [0.3680, 0.3760], scikit-learn MLP "
            "0.3750 [0.3710, 0.3790].") in text
    assert f"PR-AUC difference {verdicts._interval(pr)}" in text and "F1 difference +0.0000 [-0.0020, +0.0020]" in text
    assert "paired by seed (and its train / validation partition) only" in text
    other = verdicts.contestant_verdicts([contestant_diff(-0.001, -0.003, 0.002, means=(0.41, 0.40))], MARGINS)[0]
    assert "NumPy MLP 0.4100" in other and "scikit-learn MLP 0.4000" in other
    assert verdicts.contestant_verdicts([diff(0.0, -0.001, 0.001)], MARGINS) == []


def test_contestant_setup_is_worded_from_its_settings():
    from helpers.models.sklearn_mlp import UNMATCHED, mlp_classifier_kwargs

    network = {"hidden_layer_sizes": (64, 32), "learning_rate": 1e-3, "batch_size": 512, "max_epochs": 200,
               "patience": 10, "weight_decay": 1e-3, "class_weight": None}
    kwargs = mlp_classifier_kwargs(network["hidden_layer_sizes"], 1e-3, 512, 1e-3)
    text = verdicts.contestant_setup(kwargs, network, UNMATCHED)
    assert "`MLPClassifier(hidden_layer_sizes=(64, 32), activation='relu', solver='adam'" in text
    assert "(0.001 x 512 = 0.512)" in text and "alpha=0.512" in text and "random_state" not in text
    assert "no sample weights" in text and "after 10 epochs without a better validation PR-AUC (at most 200)" in text
    assert all(f"- {u}" in text for u in UNMATCHED)
    other = {**network, "batch_size": 256, "weight_decay": 1e-2, "class_weight": "balanced", "patience": None}
    changed = verdicts.contestant_setup(mlp_classifier_kwargs((64, 32), 1e-3, 256, 1e-2), other, UNMATCHED[:1])
    assert "(0.01 x 256 = 2.56)" in changed and "n_negative / n_positive" in changed and "never: 200 epochs" in changed
    assert UNMATCHED[1] not in changed


F64 = {"max_weight_diff": 1e-15, "max_proba_diff": 1e-15}
F32 = {"seed": 1, "max_weight_diff": 1e-4, "max_proba_diff": 1e-3, "common_threshold": 0.2,
       "rows_labelled_differently": 3, "rows": 100, "mcnemar": {"b": 1, "c": 2, "p_value": 1.0}}


def conclusions(diffs, calibration="CAL TEXT.", imbalance="IMB TEXT."):
    return verdicts.study_conclusions(diffs, MARGINS, {"NumPy MLP": [0.2, 0.3]}, {"NumPy MLP": [0.6, 0.8]},
                                      {"NumPy MLP": [0.44, 0.445]}, calibration, imbalance, F64, F32)


def test_study_conclusions_follow_the_numbers():
    items = conclusions([diff(0.0, -0.001, 0.001), diff(0.0, -0.002, 0.002, "f1"),
                         *references(-0.016, -0.023, -0.009)])
    assert len(items) == 7
    assert [i.split(".**")[0] for i in items] == [
        "**Frameworks", "**Against the references (the network with the higher mean validation PR-AUC)",
        "**Against the references (the network with the higher mean validation PR-AUC)", "**Thresholds",
        "**Calibration", "**Imbalance", "**Rounding"]
    assert "equivalent in quality" in items[0]
    assert "**behind** Gradient boosting" in items[1] and "**ahead of** Logistic regression" in items[2]
    assert items[4] == "**Calibration.** CAL TEXT." and items[5] == "**Imbalance.** IMB TEXT."
    assert "same function" in items[6]
    flipped = conclusions([diff(0.02, 0.01, 0.03), diff(0.0, -0.002, 0.002, "f1"), *references(0.0, -0.02, 0.02)],
                          "OTHER CAL.", "OTHER IMB.")
    assert "NumPy MLP is better than PyTorch MLP" in flipped[0] and "equivalent in quality" not in flipped[0]
    assert "cannot rank" in flipped[1] and "behind" not in flipped[1]
    assert flipped[4] == "**Calibration.** OTHER CAL." and flipped[5] == "**Imbalance.** OTHER IMB."


def test_study_conclusions_carry_the_contestants_verdict_after_the_references():
    items = conclusions([diff(0.0, -0.001, 0.001), *references(-0.016, -0.023, -0.009),
                         contestant_diff(-0.001, -0.003, 0.002), contestant_diff(0.0, -0.002, 0.002, "f1")])
    assert len(items) == 8
    assert items[3].startswith(verdicts.contestant_head("NumPy MLP", CONTESTANT)) and items[4].startswith("**Thresholds")
    assert not any("scikit-learn" in i for i in verdicts.diff_verdicts([diff(0.0, -0.001, 0.001),
                                                                         contestant_diff(0.0, -0.001, 0.001)], MARGINS))


def test_conclusions_list_numbers_the_items():
    assert verdicts.conclusions_list(["a", "b"]) == "1. a\n2. b"


# ============================================================================ validation schemes

SCHEMES4 = ("stratified", "grouped", "temporal", "original")


def contrast(a, b, est, low, high, level=1 - 0.05 / 6):
    return {"a": a, "b": b, "estimate": est, "low": low, "high": high, "level": level}


def test_schemes_one_decided_three_inconclusive_without_a_contrast_is_not_a_dependence():
    diffs = {s: {"boosting": diff(0.0, -0.02, 0.02)} for s in SCHEMES4}
    diffs["stratified"]["boosting"] = diff(0.02, 0.01, 0.03)
    contrasts = {"boosting": [contrast("stratified", "grouped", 0.02, -0.004, 0.044),
                              contrast("stratified", "temporal", 0.021, -0.001, 0.05),
                              contrast("grouped", "temporal", 0.001, -0.03, 0.03)]}
    text = verdicts.schemes_sentences(diffs, 0.005, contrasts)[0]
    assert text.startswith("**Decided in 1 of 4 schemes** (chosen network - gradient boosting, PR-AUC)")
    assert "a dependence on the scheme was not shown: no between-scheme contrast excludes zero" in text
    assert "(the largest, stratified - temporal: +0.0210 [-0.0010, +0.0500])" in text
    assert "stratified: +0.0200 [+0.0100, +0.0300] (ahead by more than the margin)" in text
    assert "grouped: +0.0000 [-0.0200, +0.0200] (inconclusive)" in text
    assert "Depends on the scheme" not in text and "Holds in every scheme" not in text
    bare = verdicts.schemes_sentences(diffs, 0.005)[0]
    assert "Decided in 1 of 4 schemes" in bare and "(no contrast was computed)" in bare
    assert "Depends on the scheme" not in bare


def test_schemes_a_contrast_excluding_zero_with_differing_labels_is_a_dependence():
    diffs = {"stratified": {"boosting": diff(-0.016, -0.023, -0.009)},
             "temporal": {"boosting": diff(0.007, 0.001, 0.013)}}
    shown = contrast("stratified", "temporal", -0.023, -0.035, -0.011, level=0.95)
    text = verdicts.schemes_sentences(diffs, 0.005, {"boosting": [shown]})[0]
    assert text.startswith("**Depends on the scheme** (chosen network - gradient boosting, PR-AUC): the stratified - "
                           "temporal contrast, -0.0230 [-0.0350, -0.0110] (95.0% interval), excludes zero.")
    assert "behind by more than the margin" in text and "ahead, possibly by less than the margin" in text
    assert "Decided in" not in text and "not shown" not in text and "other contrast" not in text
    # the same labels with no contrast excluding zero: a lack of power, not a dependence
    open_ = verdicts.schemes_sentences(diffs, 0.005, {"boosting": [{**shown, "high": 0.001}]})[0]
    assert open_.startswith("**Decided in 2 of 2 schemes**") and "Depends" not in open_


def test_schemes_several_contrasts_excluding_zero_are_counted():
    diffs = {s: {"frameworks": diff(0.0, -0.02, 0.02)} for s in SCHEMES4[:3]}
    diffs["grouped"]["frameworks"] = diff(0.03, 0.02, 0.04)
    contrasts = {"frameworks": [contrast("stratified", "grouped", -0.03, -0.05, -0.01),
                                contrast("stratified", "temporal", 0.0, -0.02, 0.02),
                                contrast("grouped", "temporal", 0.03, 0.005, 0.055)]}
    text = verdicts.schemes_sentences(diffs, 0.005, contrasts)[0]
    assert text.startswith("**Depends on the scheme** (NumPy MLP - PyTorch MLP, PR-AUC): the stratified - grouped")
    assert "and 1 other contrast(s) too" in text


def test_schemes_all_labels_equal():
    hold = {s: {"frameworks": diff(0.0, -0.001, 0.001)} for s in SCHEMES4}
    text = verdicts.schemes_sentences(hold, 0.005)[0]
    assert text.startswith("**Holds in every scheme** (NumPy MLP - PyTorch MLP, PR-AUC): equivalent.")
    assert "its size differs" not in text and "Depends" not in text
    beyond = {s: {"logistic": diff(0.03 + 0.01 * i, 0.02 + 0.01 * i, 0.04 + 0.01 * i)} for i, s in enumerate(SCHEMES4)}
    shown = {"logistic": [contrast("stratified", "original", -0.03, -0.045, -0.015)]}
    sized = verdicts.schemes_sentences(beyond, 0.005, shown)[0]
    assert sized.startswith("**Holds in every scheme** (chosen network - logistic regression, PR-AUC): ahead by more "
                            "than the margin; its size differs between schemes (the stratified - original contrast")
    assert "Depends on the scheme" not in sized
    undecided = {s: {"logistic": diff(0.0, -0.02, 0.02)} for s in ("a", "b")}
    text = verdicts.schemes_sentences(undecided, 0.005)[0]
    assert text.startswith("**Undecided in every scheme**") and "Holds" not in text


def test_schemes_all_inconclusive_with_a_contrast_is_not_said_to_hold():
    undecided = {"a": {"logistic": diff(-0.01, -0.02, 0.001)}, "b": {"logistic": diff(0.01, -0.001, 0.02)}}
    text = verdicts.schemes_sentences(undecided, 0.005, {"logistic": [contrast("a", "b", -0.02, -0.03, -0.01)]})[0]
    assert "Holds in every scheme" not in text


def test_schemes_sentences_cover_each_finding_in_order_and_skip_missing_ones():
    diffs = {s: {"logistic": diff(0.0, -0.001, 0.001), "frameworks": diff(0.0, -0.02, 0.02)} for s in SCHEMES4[:2]}
    out = verdicts.schemes_sentences(diffs, 0.005)
    assert len(out) == 2
    assert "(NumPy MLP - PyTorch MLP, PR-AUC)" in out[0] and "(chosen network - logistic regression, PR-AUC)" in out[1]


# ============================================================================ week 1

QUOTED = {"pr_auc": 0.2645, "f1": 0.3434}


@pytest.mark.parametrize("f1, low, high, words", [
    (0.45, 0.44, 0.46, "+0.107 [+0.097, +0.117] against the quoted F1: higher by more than the margin"),
    (0.35, 0.3444, 0.36, "against the quoted F1: higher, possibly by less than the margin"),
    (0.344, 0.340, 0.348, "against the quoted F1: equivalent"),
    (0.345, 0.32, 0.37, "against the quoted F1: inconclusive"),
    (0.30, 0.28, 0.32, "against the quoted F1: lower by more than the margin"),
    (0.30, 0.36, 0.40, "against the quoted F1: higher by more than the margin"),  # the interval, not the mean
])
def test_week1_sentence_reads_the_interval(f1, low, high, words):
    ours = {"NumPy MLP": {"pr_auc": 0.37, "f1": f1, "f1_low": low, "f1_high": high}}
    text = verdicts.week1_sentence(ours, QUOTED, True, 0.01)
    assert words in text
    assert f"NumPy MLP: PR-AUC 0.370 (+0.105), F1 {f1:.3f}" in text
    assert "F1 margin ±0.01" in text and "PR-AUC 0.2645, F1 0.3434, quoted" in text
    others = {"higher by more", "higher, possibly", "lower by more", ": equivalent", ": inconclusive"}
    assert sum(o in text for o in others) == 1


def test_week1_sentence_not_comparable():
    ours = {"NumPy MLP": {"pr_auc": 0.37, "f1": 0.45, "f1_low": 0.44, "f1_high": 0.46}}
    text = verdicts.week1_sentence(ours, QUOTED, False, 0.01)
    assert text.startswith("**Not comparable:**") and "0.450" not in text
