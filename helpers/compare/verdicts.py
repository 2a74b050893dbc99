"""The report's conclusions, worded by code from the numbers.

Every sentence a notebook shows as a finding comes from a function here: it takes results (plain
dicts and numbers, never model objects) and returns Markdown. Nothing here is a fixed verdict: the
tests feed fabricated results and assert that the words flip with the numbers.

Sections: quality verdicts (paired differences against declared margins), the reference models,
calibration, imbalance and thresholds, rounding, validation schemes, and cost (speed and memory).
"""

from __future__ import annotations

import math
import statistics

import pandas as pd

# ============================================================================ quality verdicts
# (issue 11: paired differences over seeds, equivalence margins, calibration, rounding)

METRIC_NAMES = {"pr_auc": "PR-AUC", "roc_auc": "ROC-AUC", "f1": "F1", "precision": "precision",
                "recall": "recall", "accuracy": "accuracy", "brier": "Brier score"}


def _name(metric: str) -> str:
    return METRIC_NAMES.get(metric, metric)


def _interval(d: dict, digits: int = 4) -> str:
    return f"{d['estimate']:+.{digits}f} [{d['low']:+.{digits}f}, {d['high']:+.{digits}f}]"


def classify(diff: dict, margin: float) -> str:
    """The verdict on a paired difference with 95 % interval ``diff`` = {estimate, low, high}.

    ``"equivalent"`` when the whole interval lies inside ``[-margin, +margin]``; else ``"different"``
    when it excludes zero; else ``"inconclusive"``.
    """
    if margin < 0:
        raise ValueError(f"margin must be >= 0, got {margin}")
    low, high = diff["low"], diff["high"]
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        return "inconclusive"
    if -margin <= low and high <= margin:
        return "equivalent"
    if low > 0 or high < 0:
        return "different"
    return "inconclusive"


def declaration(margins: dict, primary: str = "pr_auc", repeats: int | None = None,
                clustered: bool = True) -> str:
    """What will be decided and how, stated before any result (Markdown)."""
    listed = ", ".join(f"±{m:g} {_name(k)}" for k, m in margins.items())
    unit = "patients" if clustered else "rows"
    runs = f"{repeats} training runs per model (seeds)" if repeats else "repeated training runs (seeds)"
    return (f"**Declared before the results.** Primary metric: **{_name(primary)}** (threshold-free, "
            f"sensitive to the 20 % class). Margins of practical equivalence: {listed}. Evidence: {runs}, "
            f"each early-stopped and thresholded on the validation split; 95 % intervals from a bootstrap that "
            f"resamples seeds and test {unit} together, computed on *paired* differences. Wording: "
            "**equivalent** only if the whole interval of the difference lies inside the margin, **different** "
            "only if it excludes zero, otherwise **inconclusive**.")


def verdict_phrase(verdict: str, diff: dict, margin: float, metric: str) -> str:
    """One clause: the difference with its interval, then the verdict."""
    text = f"{_name(metric)} difference {_interval(diff)}"
    if verdict == "equivalent":
        extra = (" (the interval excludes zero: a detectable difference, smaller than the margin)"
                 if diff["low"] > 0 or diff["high"] < 0 else "")
        return f"{text}, inside ±{margin:g}: **equivalent**{extra}"
    if verdict == "different":
        return f"{text} excludes zero and reaches beyond ±{margin:g}: **different**"
    return f"{text} includes zero but reaches beyond ±{margin:g}: **inconclusive**"


def framework_verdict(diffs: dict, margins: dict, a: str = "NumPy MLP", b: str = "PyTorch MLP") -> str:
    """The frameworks' verdict from paired differences ``{metric: diff}`` (a - b), primary metric first."""
    parts = [verdict_phrase(classify(diffs[m], margins[m]), diffs[m], margins[m], m) for m in margins if m in diffs]
    primary = next(m for m in margins if m in diffs)
    verdict = classify(diffs[primary], margins[primary])
    winner, loser = (a, b) if diffs[primary]["estimate"] > 0 else (b, a)
    head = {"equivalent": f"{a} and {b} are equivalent in quality",
            "different": f"{winner} is better than {loser}",
            "inconclusive": f"the runs cannot tell whether {a} and {b} differ in quality"}[verdict]
    return f"**Frameworks.** On the primary metric {head}. " + "; ".join(parts) + "."


def reference_verdict(network: str, reference: str, diff: dict, margin: float, metric: str = "pr_auc") -> str:
    """How the better network stands against a reference model (diff = network - reference)."""
    verdict = classify(diff, margin)
    if verdict == "different":
        where = "ahead of" if diff["estimate"] > 0 else "behind"
        head = f"The {network} is **{where}** {reference}"
    elif verdict == "equivalent":
        head = f"The {network} and {reference} are **equivalent**"
    else:
        head = f"The runs cannot rank the {network} and {reference}"
    return f"{head}: {_name(metric)} difference {_interval(diff)} (margin ±{margin:g})."


def threshold_sentence(thresholds: dict, recalls: dict, f1s: dict) -> str:
    """How far the validation-tuned threshold and the recall it gives move from seed to seed."""
    parts = []
    for model in thresholds:
        t, r, f = thresholds[model], recalls[model], f1s[model]
        parts.append(f"{model}: threshold {min(t):.3f}-{max(t):.3f}, recall {min(r):.3f}-{max(r):.3f}, "
                     f"F1 {min(f):.3f}-{max(f):.3f}")
    widest = max(thresholds, key=lambda m: max(recalls[m]) - min(recalls[m]))
    r_range = max(recalls[widest]) - min(recalls[widest])
    f_range = max(f1s[widest]) - min(f1s[widest])
    shape = ("F1 stays within a narrow band while recall moves much more: the F1 optimum is flat, so the "
             "threshold, and with it recall and precision, is decided by noise"
             if r_range > 3 * f_range else
             "recall moves no more than F1 does: the threshold is well determined")
    return (f"Across seeds ({'; '.join(parts)}), {shape} (recall range {r_range:.3f} against F1 range "
            f"{f_range:.3f} for the {widest}). Threshold-dependent numbers are therefore reported over seeds, never "
            "from one run.")


def calibration_sentence(ece: dict, brier: dict, tolerance: float = 0.02) -> str:
    """Which models' probabilities can be read as risks (expected calibration error within ``tolerance``)."""
    good = [m for m in ece if ece[m] <= tolerance]
    bad = [m for m in ece if ece[m] > tolerance]
    numbers = "; ".join(f"{m}: ECE {ece[m]:.3f}, Brier {brier[m]:.4f}" for m in ece)
    text = f"Calibration on the test rows (mean over seeds; {numbers}). "
    if good:
        text += f"{', '.join(good)} {'is' if len(good) == 1 else 'are'} calibrated within ECE {tolerance:g}: the probabilities can be read as risks. "
    if bad:
        text += (f"{', '.join(bad)} {'is' if len(bad) == 1 else 'are'} off by more than {tolerance:g}: fine for ranking "
                 "and for a tuned threshold, misleading if read as risks.")
    return text.strip()


def imbalance_sentence(rows: list[dict], pr_margin: float, f1_margin: float, week1: dict | None = None) -> str:
    """What class weighting and the threshold rule do (rows: backend, class_weight, threshold_rule, metrics).

    ``week1``: the week-1 NumPy model's quoted ``accuracy`` and ``f1``, to compare the 0.5 cell with.
    """
    at_half = [r for r in rows if r["threshold_rule"] == "0.5" and r["class_weight"] == "none"]
    tuned = [r for r in rows if r["threshold_rule"] != "0.5"]
    pr = [r["pr_auc"] for r in rows]
    pr_spread = max(pr) - min(pr)
    f1_tuned = [r["f1"] for r in tuned]
    text = ""
    if at_half:
        worst = min(at_half, key=lambda r: r["f1"])
        text += (f"Unweighted and cut at 0.5, the {worst['backend']} scores accuracy {worst['accuracy']:.3f}, recall "
                 f"{worst['recall']:.3f} and F1 {worst['f1']:.3f}")
        if week1:
            text += (f", the pattern of the week-1 NumPy model (accuracy {week1['accuracy']:.3f}, F1 {week1['f1']:.3f}, "
                     "quoted): a model whose probabilities rarely pass 0.5 on a 20 % class says 'show' almost always")
        text += ". "
    text += f"With the threshold tuned on validation, F1 is {min(f1_tuned):.3f}-{max(f1_tuned):.3f} in every weight x backend cell. "
    if pr_spread <= pr_margin:
        text += (f"PR-AUC moves by only {pr_spread:.4f} across all cells (inside the ±{pr_margin:g} margin): class "
                 "weighting and the threshold change where the model cuts, not how well it ranks. ")
    else:
        text += f"PR-AUC moves by {pr_spread:.4f} across the cells, more than the ±{pr_margin:g} margin: weighting changes the ranking too. "
    by_cell: dict = {}
    for r in rows:
        by_cell.setdefault((r["class_weight"], r["threshold_rule"]), []).append(r["f1"])
    gaps = [max(v) - min(v) for v in by_cell.values() if len(v) > 1]
    if gaps:
        gap = max(gaps)
        text += (f"The two frameworks' F1 differ by at most {gap:.3f} in any cell: "
                 + ("within the F1 margin, so neither framework handles imbalance better."
                    if gap <= f1_margin else f"more than the ±{f1_margin:g} F1 margin in some cell (see the table)."))
    return text


def rounding_sentence(f64: dict, f32: dict, tolerance: float = 1e-6) -> str:
    """Float64 agreement on the real data, and what float32 rounding does, from the measured numbers."""
    agree = f64["max_proba_diff"] <= tolerance
    text = (f"In float64, trained to early stopping on the same data, the two backends' weights differ by at most "
            f"{f64['max_weight_diff']:.1e} and their test probabilities by {f64['max_proba_diff']:.1e}: "
            + ("the two implementations compute the same function, to rounding. " if agree else
               f"more than the {tolerance:g} the implementations should agree to: a discrepancy to investigate. "))
    mc = f32["mcnemar"]
    text += (f"In float32 (seed {f32['seed']}) rounding makes the trajectories drift: weights differ by up to "
             f"{f32['max_weight_diff']:.2g} and probabilities by up to {f32['max_proba_diff']:.2g}; at one common "
             f"threshold ({f32['common_threshold']:.3f}) the networks label {f32['rows_labelled_differently']:,} of "
             f"{f32['rows']:,} test rows differently (McNemar on those rows: b = {mc['b']}, c = {mc['c']}, p = {mc['p_value']:.2g}).")
    return text


def diff_table(diffs: list[dict], margins: dict, names: list[str] | None = None):
    """Paired differences as a table with the verdict of each (one row per difference).

    Parameters
    ----------
    diffs : list of dict
        :func:`helpers.compare.evidence.paired` results.
    margins : dict
        Margin per metric; a metric without one gets no verdict ("-").
    names : list of str, optional
        Row labels; default ``"<label>, <metric>"``.
    """
    rows = {}
    for i, d in enumerate(diffs):
        margin = margins.get(d["metric"])
        name = names[i] if names is not None else f"{d['label']}, {_name(d['metric'])}"
        rows[name] = {
            "mean difference": d["estimate"], "95 % low": d["low"], "95 % high": d["high"],
            "SD over seeds": d["sd"], "margin": margin,
            "verdict": classify(d, margin) if margin is not None else "-"}
    return pd.DataFrame.from_dict(rows, orient="index")


def spread_sentence(values: dict, metric: str = "pr_auc") -> str:
    """How much the seeds move each model's score (values: {model: [score per seed]})."""

    parts = []
    for model, v in values.items():
        sd = statistics.stdev(v) if len(v) > 1 else 0.0
        parts.append(f"{model} {min(v):.3f}-{max(v):.3f} (SD {sd:.4f})" if sd > 0 else f"{model} {v[0]:.3f} (no seed randomness)")
    noisy = max(values, key=lambda m: (max(values[m]) - min(values[m])))
    rng = max(values[noisy]) - min(values[noisy])
    return (f"Over {max(len(v) for v in values.values())} seeds, test {_name(metric)}: {'; '.join(parts)}. "
            f"One run of the {noisy} can land anywhere in a range of {rng:.3f}: a single run cannot decide a "
            "difference smaller than that.")


def curves_sentence(aps: dict, aucs: dict, same: tuple[str, str] = ("NumPy MLP", "PyTorch MLP")) -> str:
    """What the PR and ROC curves of one seed show (aps/aucs: {model: value})."""
    a, b = same
    gap = abs(aps[a] - aps[b])
    best = max(aps, key=aps.get)
    return (f"First seed: the {a} and {b} curves {'lie on top of each other' if gap < 0.005 else 'visibly differ'} "
            f"(average precision {aps[a]:.3f} and {aps[b]:.3f}; ROC-AUC {aucs[a]:.3f} and {aucs[b]:.3f}). "
            f"The highest curve is {best}'s (AP {aps[best]:.3f}). Markers are each model's validation-tuned "
            "operating point; the dashed lines are chance.")


def training_sentence(records: dict) -> str:
    """Epochs and best epochs of the networks' first-seed runs (records: {model: saved record})."""
    parts = [f"{m}: best epoch {r['best_epoch']} of {r['n_epochs']} (validation PR-AUC "
             f"{max(h['val_pr_auc'] for h in r['history']):.4f})" for m, r in records.items()]
    same = len({r["best_epoch"] for r in records.values()}) == 1
    return ("Training curves of the first seed: " + "; ".join(parts) + ". "
            + ("Both stop at the same epoch: the same initial weights and batch order give the same trajectory up to rounding."
               if same else "Their best epochs differ: float32 rounding has moved the trajectories apart enough to "
               "change where early stopping lands, which is why the report compares over seeds."))


def conclusions_list(items: list[str]) -> str:
    """Numbered Markdown list of conclusion sentences."""
    return "\n".join(f"{i}. {text}" for i, text in enumerate(items, start=1))


def diff_verdicts(diffs: list[dict], margins: dict) -> list[str]:
    """The frameworks' verdict and the better network's verdict against each reference, on the primary
    metric (the first of ``margins``); ``diffs`` from :func:`helpers.compare.evidence.comparisons`."""
    frameworks = {d["metric"]: d for d in diffs if d["label"] == "NumPy MLP - PyTorch MLP"}
    items = [framework_verdict(frameworks, {k: v for k, v in margins.items() if k in frameworks})]
    primary = next(iter(margins))
    for d in diffs:
        a, b = d["label"].split(" - ")
        if d["metric"] == primary and b in ("Gradient boosting", "Logistic regression"):
            items.append("**Against the references.** " + reference_verdict(a, b, d, margins[primary], primary))
    return items


def study_conclusions(diffs: list[dict], margins: dict, thresholds: dict, recalls: dict, f1s: dict,
                      ece: dict, brier: dict, imbalance: list[dict], f64: dict, f32: dict,
                      ece_tolerance: float = 0.02, week1: dict | None = None) -> list[str]:
    """Notebook 04's conclusions, in order: frameworks, references, thresholds, calibration, imbalance, rounding.

    ``diffs`` are the paired differences of :func:`helpers.compare.evidence.comparisons` (labels ``"a - b"``).
    """
    items = diff_verdicts(diffs, margins)
    items.append("**Thresholds.** " + threshold_sentence(thresholds, recalls, f1s))
    items.append("**Calibration.** " + calibration_sentence(ece, brier, ece_tolerance))
    items.append("**Imbalance.** " + imbalance_sentence(imbalance, margins.get("pr_auc", 0.005), margins.get("f1", 0.01), week1))
    items.append("**Rounding.** " + rounding_sentence(f64, f32))
    return items

# ============================================================================ validation schemes
# (issue 12: which findings hold in every scheme)

FINDINGS = {"frameworks": "NumPy MLP - PyTorch MLP", "boosting": "best network - gradient boosting",
            "logistic": "best network - logistic regression"}


def _direction(diff: dict, margin: float) -> str:
    verdict = classify(diff, margin)
    if verdict == "different":
        return "ahead" if diff["estimate"] > 0 else "behind"
    return verdict


def schemes_sentences(diffs: dict, margin: float, metric: str = "pr_auc") -> list[str]:
    """Which findings hold in every validation scheme and which depend on it.

    Parameters
    ----------
    diffs : dict
        ``{scheme: {"frameworks": diff, "boosting": diff, "logistic": diff}}`` (paired differences).
    margin : float
        Margin of equivalence of ``metric``.
    """
    out = []
    for key, label in FINDINGS.items():
        per_scheme = {s: d[key] for s, d in diffs.items() if key in d}
        if not per_scheme:
            continue
        outcome = {s: _direction(d, margin) for s, d in per_scheme.items()}
        numbers = "; ".join(f"{s}: {_interval(d)} ({outcome[s]})" for s, d in per_scheme.items())
        if len(set(outcome.values())) == 1:
            word = next(iter(outcome.values()))
            head = "Undecided in every scheme" if word == "inconclusive" else "Holds in every scheme"
            out.append(f"**{head}** ({label}, {_name(metric)}): {word}. {numbers}.")
        else:
            out.append(f"**Depends on the scheme** ({label}, {_name(metric)}): {numbers}.")
    return out


def week1_sentence(ours: dict, quoted: dict, comparable: bool, f1_margin: float) -> str:
    """Our networks on the week-1 test rows against the week-1 report's quoted figures."""
    if not comparable:
        return ("**Not comparable:** this run is synthetic or sampled, so these are not the week-1 report's test rows; "
                "the quoted figures are shown for orientation only.")
    parts = []
    for model, m in ours.items():
        parts.append(f"{model}: PR-AUC {m['pr_auc']:.3f} ({m['pr_auc'] - quoted['pr_auc']:+.3f}), F1 {m['f1']:.3f} "
                     f"({m['f1'] - quoted['f1']:+.3f})")
    gains = [m["f1"] - quoted["f1"] for m in ours.values()]
    judged = ("both well beyond the F1 margin" if min(gains) > f1_margin else
              "not clearly beyond the F1 margin" if max(gains) <= f1_margin else "one beyond the F1 margin")
    return (f"On the week-1 report's own test rows, against its PyTorch model (PR-AUC {quoted['pr_auc']:.4f}, F1 "
            f"{quoted['f1']:.4f}): {'; '.join(parts)}, means over seeds, {judged}. The week-1 model was cut at 0.5 after "
            "training without a validation split; ours early-stop and choose the threshold on validation rows.")


# ============================================================================ cost
# (issue 13: speed and memory sentences from bench.json; functions below this line only)


