"""The report's conclusions, worded by code from the numbers.

Every sentence a notebook shows as a finding comes from a function here: it takes results (plain
dicts and numbers, never model objects) and returns Markdown. Nothing here is a fixed verdict: the
tests feed fabricated results and assert that the words flip with the numbers.

Sections: quality verdicts (paired differences against declared margins, one four-way rule:
:func:`classify`), the reference models, imbalance and thresholds, rounding, and validation schemes.
Calibration is worded in :mod:`helpers.compare.calibration`, cost in :mod:`helpers.cost.sentences`.
"""

from __future__ import annotations

import math
import statistics

import pandas as pd

# ============================================================================ quality verdicts
# (issue 11: paired differences over seeds, equivalence margins; issue 19: the margin read both ways)

METRIC_NAMES = {"pr_auc": "PR-AUC", "roc_auc": "ROC-AUC", "f1": "F1", "precision": "precision",
                "recall": "recall", "accuracy": "accuracy", "brier": "Brier score"}


def _name(metric: str) -> str:
    return METRIC_NAMES.get(metric, metric)


def _interval(d: dict, digits: int = 4) -> str:
    return f"{d['estimate']:+.{digits}f} [{d['low']:+.{digits}f}, {d['high']:+.{digits}f}]"


#: The four verdicts of the rule, as the tables print them.
EQUIVALENT = "equivalent"
BEYOND = "different by more than the margin"
WITHIN = "different, possibly by less than the margin"
INCONCLUSIVE = "inconclusive"
VERDICTS = (EQUIVALENT, BEYOND, WITHIN, INCONCLUSIVE)


def classify(diff: dict, margin: float) -> str:
    """The verdict on a paired difference with 95 % interval ``diff`` = {estimate, low, high}, by the
    four-way rule that reads the margin in both directions.

    - :data:`EQUIVALENT`: the whole interval lies inside ``[-margin, +margin]``;
    - :data:`BEYOND`: the whole interval lies beyond ``+margin`` or beyond ``-margin``;
    - :data:`WITHIN`: the interval excludes zero but overlaps the margin band (a real gap that may be
      too small to matter);
    - :data:`INCONCLUSIVE`: the interval contains zero and reaches past the margin (or is undefined).

    Only the interval decides; the point estimate plays no part (see :func:`direction`).
    """
    if margin < 0:
        raise ValueError(f"margin must be >= 0, got {margin}")
    low, high = diff["low"], diff["high"]
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        return INCONCLUSIVE
    if -margin <= low and high <= margin:
        return EQUIVALENT
    if low > margin or high < -margin:
        return BEYOND
    if low > 0 or high < 0:
        return WITHIN
    return INCONCLUSIVE


def direction(diff: dict) -> int:
    """+1 when the whole interval lies above zero, -1 when below, 0 when it contains zero (the estimate is not read)."""
    if diff["low"] > 0:
        return 1
    if diff["high"] < 0:
        return -1
    return 0


def outcome(diff: dict, margin: float, up: str = "ahead", down: str = "behind") -> str:
    """Short words for a difference ``a - b``: which side, and how it stands against the margin.

    E.g. "ahead by more than the margin", "behind, possibly by less than the margin", "equivalent",
    "inconclusive" (``up``/``down`` name the two directions).
    """
    verdict = classify(diff, margin)
    side = up if direction(diff) > 0 else down
    if verdict == BEYOND:
        return f"{side} by more than the margin"
    if verdict == WITHIN:
        return f"{side}, possibly by less than the margin"
    return verdict


def declaration(margins: dict, primary: str = "pr_auc", repeats: int | None = None,
                clustered: bool = True, redraw_validation: bool = True) -> str:
    """What will be decided and how, stated before any result (Markdown)."""
    listed = ", ".join(f"±{m:g} {_name(k)}" for k, m in margins.items())
    unit = "patients" if clustered else "rows"
    runs = f"{repeats} training runs per model (seeds)" if repeats else "repeated training runs (seeds)"
    partition = (" Each seed also redraws which non-test rows train and which validate (the scheme's own rule; "
                 "encoders and scaler refitted), so the intervals include the validation sample's noise; the test "
                 "rows never change." if redraw_validation else
                 " Every seed trains and validates on the same rows (`redraw_validation=False`): the intervals leave "
                 "out which rows validate.")
    return (f"**Declared before the results.** Primary metric: **{_name(primary)}** (threshold-free, "
            f"sensitive to the 20 % class). Margins of practical equivalence: {listed}. Evidence: {runs}, "
            f"each early-stopped and thresholded on its validation rows.{partition} 95 % intervals come from a "
            f"bootstrap that resamples seeds and test {unit} together, computed on *paired* differences. "
            "Four verdicts, read from the interval alone: **equivalent** (the whole interval inside the margin); "
            "**different by more than the margin** (the whole interval beyond it, on one side); **different, but "
            "possibly by less than the margin** (the interval excludes zero but overlaps the margin band); "
            "**inconclusive** (the interval contains zero and reaches past the margin). Which network meets the "
            "reference models is chosen on validation PR-AUC, never on test rows.")


def verdict_phrase(verdict: str, diff: dict, margin: float, metric: str) -> str:
    """One clause: the difference with its interval, then the verdict."""
    text = f"{_name(metric)} difference {_interval(diff)}"
    if verdict == EQUIVALENT:
        extra = (" (the interval excludes zero: a detectable difference, smaller than the margin)"
                 if direction(diff) else "")
        return f"{text}, inside ±{margin:g}: **equivalent**{extra}"
    if verdict == BEYOND:
        return f"{text} lies wholly beyond {'+' if direction(diff) > 0 else '-'}{margin:g}: **{BEYOND}**"
    if verdict == WITHIN:
        return f"{text} excludes zero but overlaps the ±{margin:g} band: **{WITHIN}**"
    return f"{text} includes zero and reaches beyond ±{margin:g}: **inconclusive**"


def framework_verdict(diffs: dict, margins: dict, a: str = "NumPy MLP", b: str = "PyTorch MLP") -> str:
    """The frameworks' verdict from paired differences ``{metric: diff}`` (a - b), primary metric first."""
    return "**Frameworks.** " + _pair_verdict(diffs, margins, a, b)


def _pair_verdict(diffs: dict, margins: dict, a: str, b: str) -> str:
    """Two models' quality verdict from paired differences ``{metric: diff}`` (a - b): the primary metric's
    (the first of ``margins`` with a difference) in words, then every metric's clause."""
    parts = [verdict_phrase(classify(diffs[m], margins[m]), diffs[m], margins[m], m) for m in margins if m in diffs]
    primary = next((m for m in margins if m in diffs), None)
    if primary is None:
        raise ValueError(f"no difference of {a} and {b} on a metric with a margin ({sorted(margins)}): "
                         f"got {sorted(diffs)}")
    verdict = classify(diffs[primary], margins[primary])
    winner, loser = (a, b) if direction(diffs[primary]) > 0 else (b, a)
    head = {EQUIVALENT: f"{a} and {b} are equivalent in quality",
            BEYOND: f"{winner} is better than {loser} by more than the margin",
            WITHIN: f"{winner} scores higher than {loser}, but possibly by less than the margin (a gap that may "
                    "not matter)",
            INCONCLUSIVE: f"the runs cannot tell whether {a} and {b} differ in quality"}[verdict]
    return f"On the primary metric {head}. " + "; ".join(parts) + "."


def contestant_setup(kwargs: dict, network: dict, unmatched) -> str:
    """How the contestant is configured, from the keyword arguments it is built with (Markdown).

    Parameters
    ----------
    kwargs : dict
        Its ``MLPClassifier`` keyword arguments (:func:`helpers.models.sklearn_mlp.mlp_classifier_kwargs`).
    network : dict
        The twins' network settings it was derived from (``batch_size``, ``weight_decay``, ``class_weight``,
        ``patience``, ``max_epochs``).
    unmatched : sequence of str
        What cannot be matched (:data:`helpers.models.sklearn_mlp.UNMATCHED`).
    """
    shown = ", ".join(f"{k}={v!r}" for k, v in kwargs.items() if k != "random_state")
    weighting = ("positive rows get the sample weight n_negative / n_positive of the training rows, the twins' "
                 "`pos_weight`" if network.get("class_weight") == "balanced" else
                 "no sample weights, as the twins train without class weights")
    stop = (f"after {network['patience']} epochs without a better validation PR-AUC (at most {network['max_epochs']}), "
            "the best epoch's weights restored" if network.get("patience") else
            f"never: {network['max_epochs']} epochs, the last weights kept")
    bullets = "\n".join(f"- {text}" for text in unmatched)
    return (f"`MLPClassifier({shown})`, its generator seeded from the run's seed, trained one epoch at a time with "
            f"`partial_fit`. `alpha` is the twins' `weight_decay` times the batch size ({network['weight_decay']:g} x "
            f"{network['batch_size']} = {kwargs['alpha']:g}): scikit-learn divides its penalty by the batch's rows, so "
            f"on a full batch its gradient is the twins' loss gradient plus `weight_decay * W` (with sample weights, "
            f"both scaled by the same factor). Class weighting: {weighting}. "
            f"Early stopping on the twins' validation rows and metric stops {stop}; the threshold is tuned on the "
            f"validation rows like every other model's.\n\n**What cannot be matched:**\n\n{bullets}")


def contestant_head(network: str, contestant: str) -> str:
    """How a contestant's verdict opens (the README's summary finds the sentence by it)."""
    return f"**The {network} against the {contestant}.**"


def contestant_verdicts(diffs: list[dict], margins: dict) -> list[str]:
    """One verdict per contestant: both models' mean primary metric with its interval, then the paired
    differences judged by the four-way rule (primary metric first).

    ``diffs`` from :func:`helpers.compare.evidence.comparisons`: a contestant's differences carry
    ``contestant`` and ``spreads`` (``{model: {"mean", "low", "high"}}`` of the metric); the others are
    ignored. A contestant is paired with the network by seed (and partition) only.
    """
    items = []
    for contestant in dict.fromkeys(d["contestant"] for d in diffs if d.get("contestant")):
        by_metric = {d["metric"]: d for d in diffs if d.get("contestant") == contestant}
        judged = {k: v for k, v in margins.items() if k in by_metric}
        if not judged:
            continue
        primary = next(iter(judged))
        d = by_metric[primary]
        network = d["label"].split(" - ")[0]
        means = ", ".join(f"{m} {s['mean']:.4f} [{s['low']:.4f}, {s['high']:.4f}]" for m, s in d["spreads"].items())
        items.append(f"{contestant_head(network, contestant)} Mean test {_name(primary)} over {len(d['per_seed'])} "
                     f"seeds [95 % interval]: {means}. " + _pair_verdict(by_metric, judged, network, contestant)
                     + " The two are paired by seed (and its train / validation partition) only: each starts from "
                     "its own initial weights and sees its own batch order.")
    return items


def reference_verdict(network: str, reference: str, diff: dict, margin: float, metric: str = "pr_auc") -> str:
    """How a network stands against a reference model (diff = network - reference)."""
    verdict = classify(diff, margin)
    where = "ahead of" if direction(diff) > 0 else "behind"
    if verdict == BEYOND:
        head = f"The {network} is **{where}** {reference} by more than the margin"
    elif verdict == WITHIN:
        head = f"The {network} is {where} {reference}, but **possibly by less than the margin**"
    elif verdict == EQUIVALENT:
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


def _cells(diffs: list[dict], margin: float, up: str, down: str) -> str:
    """A group of differences in words: one outcome for all when they agree, else each cell's own."""
    words = [outcome(d, margin, up, down) for d in diffs]
    numbers = "; ".join(f"{d['cell']}: {_interval(d)}" for d in diffs)
    if len(set(words)) == 1:
        return f"{words[0]} in every cell ({numbers})"
    return "; ".join(f"{d['cell']}: {w} ({_interval(d)})" for d, w in zip(diffs, words))


def imbalance_sentence(rows: list[dict], diffs: list[dict], margins: dict, week1: dict | None = None) -> str:
    """What class weighting and the threshold rule do, judged over seeds by the four-way rule.

    Parameters
    ----------
    rows : list of dict
        One per backend x class weight x threshold rule: ``backend``, ``class_weight``,
        ``threshold_rule`` ("0.5" or tuned), ``seeds`` and the mean over seeds of ``accuracy``,
        ``recall``, ``f1``.
    diffs : list of dict
        Paired differences (:func:`helpers.compare.imbalance.comparisons`), each with ``kind`` --
        ``"threshold"`` (F1, tuned - 0.5), ``"weighting"`` (PR-AUC, balanced - none) or
        ``"frameworks"`` (F1, NumPy - PyTorch) -- and ``cell`` (what it compares, in words).
    margins : dict
        ``{"pr_auc": ..., "f1": ...}``.
    week1 : dict, optional
        The week-1 NumPy model's quoted ``accuracy`` and ``f1``, to compare the 0.5 cell with.
    """
    by_kind = {k: [d for d in diffs if d["kind"] == k] for k in ("threshold", "weighting", "frameworks")}
    at_half = [r for r in rows if r["threshold_rule"] == "0.5" and r["class_weight"] == "none"]
    seeds = max((r["seeds"] for r in rows), default=0)
    text = ""
    if at_half:
        worst = min(at_half, key=lambda r: r["f1"])
        text += (f"Unweighted and cut at 0.5, the {worst['backend']} scores accuracy {worst['accuracy']:.3f}, recall "
                 f"{worst['recall']:.3f} and F1 {worst['f1']:.3f} (means over {seeds} seeds)")
        if week1:
            text += (f", the pattern of the week-1 NumPy model (accuracy {week1['accuracy']:.3f}, F1 {week1['f1']:.3f}, "
                     "quoted): a model whose probabilities rarely pass 0.5 on a 20 % class says 'show' almost always")
        text += ". "
    if by_kind["threshold"]:
        text += ("**The threshold.** F1 with the validation-tuned threshold minus F1 at 0.5: "
                 + _cells(by_kind["threshold"], margins["f1"], "higher", "lower") + ". ")
    if by_kind["weighting"]:
        verdicts_ = {classify(d, margins["pr_auc"]) for d in by_kind["weighting"]}
        reading = ("class weighting changes where the model cuts, not how well it ranks" if verdicts_ == {EQUIVALENT}
                   else "class weighting is not shown to leave the ranking unchanged")
        text += ("**Class weighting.** PR-AUC, balanced minus unweighted: "
                 + _cells(by_kind["weighting"], margins["pr_auc"], "higher", "lower") + f": {reading}. ")
    if by_kind["frameworks"]:
        verdicts_ = {classify(d, margins["f1"]) for d in by_kind["frameworks"]}
        reading = ("neither framework handles imbalance better" if verdicts_ == {EQUIVALENT} else
                   "equivalence is not shown in every cell; no cell shows one framework ahead by more than the margin"
                   if BEYOND not in verdicts_ else "in some cell one framework is ahead by more than the margin (see the table)")
        text += ("**The frameworks.** F1, NumPy minus PyTorch, cell by cell: "
                 + _cells(by_kind["frameworks"], margins["f1"], "NumPy ahead", "PyTorch ahead") + f": {reading}.")
    return text.strip()


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


def widening_sentence(table) -> str:
    """How much wider the intervals became when each seed redrew its validation rows
    (``table`` from :func:`helpers.compare.evidence.widening`): a width that moved by more than 10 % is
    named, in whichever direction."""
    parts = "; ".join(f"{name}: {row.iloc[0]:.4f} to {row.iloc[1]:.4f} ({row['ratio']:.2f} x)" for name, row in table.iterrows())
    wider = [f"{name} ({row['ratio']:.2f} x)" for name, row in table.iterrows() if row["ratio"] >= 1.1]
    narrower = [f"{name} ({row['ratio']:.2f} x)" for name, row in table.iterrows() if row["ratio"] <= 1 / 1.1]
    if wider and not narrower and len(wider) == len(table):
        reading = ("redrawing widened every interval: which rows validate moves the results, and an interval "
                   "without it would claim more precision than the runs have")
    elif wider:
        reading = (f"redrawing widened the interval of {', '.join(wider)}"
                   + (f" and narrowed that of {', '.join(narrower)}" if narrower else "")
                   + "; the others moved by less than 10 %: the validation sample's noise shows in some results")
    elif narrower:
        reading = (f"no interval widened by more than 10 %, and that of {', '.join(narrower)} came out narrower: "
                   "with this many seeds an interval's width is itself noisy, and the validation sample's noise "
                   "is not visible beside the seeds' and the test patients'")
    else:
        reading = ("every width moved by less than 10 %: the validation sample's noise is small beside the "
                   "seeds' and the test patients'")
    return f"95 % interval widths, the same seeds with fixed and with redrawn validation rows -- {parts}: {reading}."


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
    """The frameworks' verdict and the chosen network's verdict against each reference, on the primary
    metric (the first of ``margins``); ``diffs`` from :func:`helpers.compare.evidence.comparisons` (whose
    network is chosen on validation rows and named in each label)."""
    frameworks = {d["metric"]: d for d in diffs if d["label"] == "NumPy MLP - PyTorch MLP"}
    items = [framework_verdict(frameworks, {k: v for k, v in margins.items() if k in frameworks})]
    primary = next(iter(margins))
    for d in diffs:
        a, b = d["label"].split(" - ")
        if d["metric"] == primary and b in ("Gradient boosting", "Logistic regression"):
            chosen = " (the network with the higher mean validation PR-AUC)" if d.get("chosen_on") == "validation" else ""
            items.append(f"**Against the references{chosen}.** " + reference_verdict(a, b, d, margins[primary], primary))
    return items


def study_conclusions(diffs: list[dict], margins: dict, thresholds: dict, recalls: dict, f1s: dict,
                      calibration: str, imbalance: str, f64: dict, f32: dict) -> list[str]:
    """Notebook 04's conclusions, in order: frameworks, references, contestants, thresholds, calibration,
    imbalance, rounding.

    ``diffs`` are the paired differences of :func:`helpers.compare.evidence.comparisons` (labels ``"a - b"``);
    ``calibration`` and ``imbalance`` the sentences of :func:`helpers.compare.calibration.calibration_sentence`
    and :func:`imbalance_sentence`.
    """
    items = diff_verdicts(diffs, margins) + contestant_verdicts(diffs, margins)
    items.append("**Thresholds.** " + threshold_sentence(thresholds, recalls, f1s))
    items.append("**Calibration.** " + calibration)
    items.append("**Imbalance.** " + imbalance)
    items.append("**Rounding.** " + rounding_sentence(f64, f32))
    return items

# ============================================================================ validation schemes
# (issue 12: which findings hold in every scheme; issue 19: only a between-scheme contrast shows a dependence)

FINDINGS = {"frameworks": "NumPy MLP - PyTorch MLP", "boosting": "chosen network - gradient boosting",
            "logistic": "chosen network - logistic regression"}


def schemes_sentences(diffs: dict, margin: float, contrasts: dict | None = None, metric: str = "pr_auc") -> list[str]:
    """Which findings hold in every validation scheme, which depend on it, and which the runs leave open.

    A finding "depends on the scheme" only where a between-scheme contrast -- the difference of two
    schemes' paired differences, its interval from the schemes' independent resamples -- excludes
    zero. Labels that merely differ (say one scheme decided, three inconclusive) show a lack of
    power, not a dependence, and are reported as such.

    Parameters
    ----------
    diffs : dict
        ``{scheme: {"frameworks": diff, "boosting": diff, "logistic": diff}}`` (paired differences).
    margin : float
        Margin of equivalence of ``metric``.
    contrasts : dict, optional
        ``{finding: [contrast, ...]}`` (:func:`helpers.compare.schemes.scheme_contrasts`): each with
        ``a``/``b`` (schemes), ``estimate``, ``low``, ``high`` and ``level`` (the interval's coverage).
    """
    contrasts = contrasts or {}
    out = []
    for key, label in FINDINGS.items():
        per_scheme = {s: d[key] for s, d in diffs.items() if key in d}
        if not per_scheme:
            continue
        words = {s: outcome(d, margin) for s, d in per_scheme.items()}
        numbers = "; ".join(f"{s}: {_interval(d)} ({words[s]})" for s, d in per_scheme.items())
        shown = [c for c in contrasts.get(key, []) if direction(c)]
        widest = max(contrasts.get(key, []), key=lambda c: abs(c["estimate"]), default=None)
        head = f"({label}, {_name(metric)})"
        if shown:
            c = max(shown, key=lambda c: min(abs(c["low"]), abs(c["high"])))
            differs = (f"the {c['a']} - {c['b']} contrast, {_interval(c)} ({c['level']:.1%} interval), excludes zero"
                       + (f", and {len(shown) - 1} other contrast(s) too" if len(shown) > 1 else ""))
            if set(words.values()) == {INCONCLUSIVE}:
                out.append(f"**Undecided in every scheme** {head}, though the schemes differ from one another "
                           f"({differs}). {numbers}.")
            elif len(set(words.values())) == 1:
                out.append(f"**Holds in every scheme** {head}: {words[next(iter(words))]}; its size differs between "
                           f"schemes ({differs}). {numbers}.")
            else:
                out.append(f"**Depends on the scheme** {head}: {differs}. {numbers}.")
            continue
        if len(set(words.values())) == 1:
            word = next(iter(words.values()))
            prefix = "Undecided in every scheme" if word == INCONCLUSIVE else "Holds in every scheme"
            out.append(f"**{prefix}** {head}: {word}. {numbers}.")
            continue
        decided = [s for s in words if words[s] != INCONCLUSIVE]
        not_shown = ("no between-scheme contrast excludes zero"
                     + (f" (the largest, {widest['a']} - {widest['b']}: {_interval(widest)})" if widest else
                        " (no contrast was computed)"))
        out.append(f"**Decided in {len(decided)} of {len(words)} schemes** {head}; a dependence on the scheme was not "
                   f"shown: {not_shown}. {numbers}.")
    return out


def week1_sentence(ours: dict, quoted: dict, comparable: bool, f1_margin: float) -> str:
    """Our networks on the week-1 test rows against the week-1 report's quoted figures.

    ``ours``: ``{model: {"pr_auc", "f1", "f1_low", "f1_high", ...}}`` (means over seeds, and the F1 mean's
    95 % interval); the quoted figure has no interval, so the rule reads ours against it.
    """
    if not comparable:
        return ("**Not comparable:** this run is synthetic or sampled, so these are not the week-1 report's test rows; "
                "the quoted figures are shown for orientation only.")
    parts = []
    for model, m in ours.items():
        gain = {"estimate": m["f1"] - quoted["f1"], "low": m["f1_low"] - quoted["f1"], "high": m["f1_high"] - quoted["f1"]}
        parts.append(f"{model}: PR-AUC {m['pr_auc']:.3f} ({m['pr_auc'] - quoted['pr_auc']:+.3f}), F1 {m['f1']:.3f}, "
                     f"{_interval(gain, 3)} against the quoted F1: {outcome(gain, f1_margin, 'higher', 'lower')}")
    return (f"On the week-1 report's own test rows, against its PyTorch model (PR-AUC {quoted['pr_auc']:.4f}, F1 "
            f"{quoted['f1']:.4f}, quoted): {'; '.join(parts)} (means over seeds, F1 margin ±{f1_margin:g}). The week-1 "
            "model was cut at 0.5 after training without a validation split; ours early-stop and choose the threshold "
            "on validation rows.")
