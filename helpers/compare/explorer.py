"""The threshold explorer of notebook 04: what a decision rule costs the clinic, for both networks.

A rule flags patients for a reminder call, either every patient whose predicted no-show probability
reaches a threshold, or the ``share`` of patients with the highest probabilities (what a clinic that
can call, say, 20 % of its patients would do). For each network it gives the confusion matrix,
precision, recall and the *reminders needed per no-show caught* (flagged / true positives).

- :func:`operating_point_table` is the computation (tested against scikit-learn);
- :func:`threshold_explorer` is the ipywidgets view, live in JupyterLab;
- :func:`static_view` is what exports (HTML, PDF) show: the validation-tuned state and a sentence
  saying that the widget is live in JupyterLab.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import numpy as np
import pandas as pd

from helpers.metrics import _check_binary
from helpers.tables import markdown

__all__ = ["operating_point_table", "threshold_explorer", "static_view", "COLUMNS"]

#: Columns of :func:`operating_point_table`, in order.
COLUMNS = ["threshold", "flagged", "share_flagged", "tn", "fp", "fn", "tp", "precision", "recall",
           "reminders_per_caught"]
_SHOWN = {"threshold": "threshold", "flagged": "flagged", "share_flagged": "share flagged", "tn": "TN",
          "fp": "FP", "fn": "FN", "tp": "TP", "precision": "precision", "recall": "recall",
          "reminders_per_caught": "reminders per catch"}


def _checked(y, probas: Mapping[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    if not isinstance(probas, Mapping) or not probas:
        raise ValueError("probas must be a non-empty mapping {model name: test probabilities}")
    y = np.asarray(y)
    checked = {}
    for name, p in probas.items():
        try:
            y_int, checked[name] = _check_binary(y, p)
        except ValueError as exc:
            raise ValueError(f"model {name!r}: {exc}") from None
    if y_int.size == 0:
        raise ValueError("y has no rows")
    return y_int, checked


def _flags(p: np.ndarray, threshold: float | None, share: float | None) -> tuple[np.ndarray, float]:
    """Boolean flags of one model and the threshold they correspond to."""
    if share is None:
        return p >= threshold, float(threshold)
    k = min(p.size, max(1, int(round(share * p.size))))
    order = np.argsort(-p, kind="stable")  # ties: the earlier row first, so exactly k are flagged
    flagged = np.zeros(p.size, dtype=bool)
    flagged[order[:k]] = True
    return flagged, float(p[order[k - 1]])


def operating_point_table(y, probas: Mapping[str, np.ndarray], threshold: float | Mapping[str, float] | None = None,
                          share: float | None = None) -> pd.DataFrame:
    """Confusion counts, precision, recall and reminders per no-show caught of each model under one rule.

    Parameters
    ----------
    y : array-like of shape (n,)
        True labels, 0/1 (1 = no-show).
    probas : mapping of str to array-like of shape (n,)
        Each model's predicted no-show probability for the same rows.
    threshold : float or mapping of str to float, optional
        Flag a patient when ``proba >= threshold`` (as :func:`helpers.metrics.evaluate` does); a
        mapping gives each model its own threshold (e.g. the validation-tuned ones).
    share : float in (0, 1], optional
        Instead of a threshold: flag the ``round(share * n)`` patients (at least one) with the highest
        probability, ties broken by row order, so exactly that many are called.

    Returns
    -------
    DataFrame of shape (n_models, 10)
        Indexed by model, columns :data:`COLUMNS`: the threshold (under ``share``, the lowest flagged
        probability), ``flagged`` (count) and ``share_flagged``, ``tn``, ``fp``, ``fn``, ``tp``,
        ``precision`` = tp / flagged, ``recall`` = tp / positives and ``reminders_per_caught`` =
        flagged / tp (NaN where a ratio's denominator is 0).

    Raises
    ------
    ValueError
        Neither or both of ``threshold`` and ``share``; a share outside (0, 1]; a model without a
        threshold; labels that are not 0/1; probabilities of another length or not finite.
    """
    if (threshold is None) == (share is None):
        raise ValueError("give exactly one of threshold (a number, or one per model) and share (0 < share <= 1)")
    if share is not None and not 0 < float(share) <= 1:
        raise ValueError(f"share must be in (0, 1], got {share!r}")
    y, probas = _checked(y, probas)
    if isinstance(threshold, Mapping):
        missing = [name for name in probas if name not in threshold]
        if missing:
            raise ValueError(f"no threshold for model(s) {missing}; thresholds given for {list(threshold)}")
    rows = {}
    positives = int(y.sum())
    for name, p in probas.items():
        thr = threshold[name] if isinstance(threshold, Mapping) else threshold
        flagged, used = _flags(p, None if thr is None else float(thr), None if share is None else float(share))
        tp = int(np.sum(flagged & (y == 1)))
        fp = int(np.sum(flagged & (y == 0)))
        fn, tn = positives - tp, int(y.size - positives) - fp
        n_flagged = tp + fp
        rows[name] = {
            "threshold": used, "flagged": n_flagged, "share_flagged": n_flagged / y.size,
            "tn": tn, "fp": fp, "fn": fn, "tp": tp,
            "precision": tp / n_flagged if n_flagged else np.nan,
            "recall": tp / positives if positives else np.nan,
            "reminders_per_caught": n_flagged / tp if tp else np.nan,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")[COLUMNS]
    table.index.name = "model"
    return table


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    return table.rename(columns=_SHOWN)


def _fmt(value, pattern: str) -> str:
    return "-" if value is None or (isinstance(value, float) and np.isnan(value)) else format(value, pattern)


def describe(table: pd.DataFrame, rule: str) -> str:
    """One sentence per model reading ``table`` (from :func:`operating_point_table`) under ``rule``."""
    parts = []
    for name, row in table.iterrows():
        flagged, tp, positives = int(row["flagged"]), int(row["tp"]), int(row["tp"] + row["fn"])
        total = positives + int(row["tn"] + row["fp"])
        parts.append(
            f"{name} flags {flagged:,} of {total:,} patients "
            f"({row['share_flagged']:.0%}) and catches {tp:,} of {positives:,} no-shows "
            f"(recall {_fmt(row['recall'], '.0%')}, precision {_fmt(row['precision'], '.0%')}): "
            f"{_fmt(row['reminders_per_caught'], '.1f')} reminders per no-show caught"
        )
    return f"At {rule}, " + "; ".join(parts) + "."


def _tuned_rule(thresholds: Mapping[str, float]) -> str:
    return "the validation-tuned thresholds (" + ", ".join(f"{k} {v:.3f}" for k, v in thresholds.items()) + ")"


def static_view(y, probas: Mapping[str, np.ndarray], thresholds: Mapping[str, float], digits: int = 3) -> list:
    """What exports show in place of the widget: the validation-tuned state, as a table and a sentence.

    Parameters
    ----------
    y : array-like of shape (n,)
        Test labels, 0/1.
    probas : mapping of str to array-like of shape (n,)
        Each network's test probabilities.
    thresholds : mapping of str to float
        Each network's validation-tuned threshold.
    digits : int
        Decimals of the table's ratios.

    Returns
    -------
    list of IPython.display.Markdown
        A Markdown pipe table (:func:`helpers.tables.markdown`, captioned) and a sentence computed from
        it that says this is the validation-tuned state and that the widget is live in JupyterLab;
        display them with ``display(*static_view(...))``.
    """
    from IPython.display import Markdown


    table = operating_point_table(y, probas, threshold=dict(thresholds))
    caption = ("Test operating points at the validation-tuned thresholds, the threshold explorer's starting state "
               "(reminders per catch = flagged / TP: reminders needed per no-show caught)")
    per_catch = table["reminders_per_caught"].dropna().round(2)
    comparison = ""
    if len(table) > 1 and len(per_catch) == len(table):
        if per_catch.nunique() == 1:
            both = "Both" if len(table) == 2 else "All"
            comparison = f" {both} networks need the same {per_catch.iloc[0]:.2f} reminders per no-show caught."
        else:
            best = per_catch.idxmin()
            comparison = (f" {best} needs the fewest reminders per no-show caught ({per_catch[best]:.2f} against "
                          + ", ".join(f"{v:.2f} for {k}" for k, v in per_catch.drop(index=best).items()) + ").")
    sentence = (
        describe(table, _tuned_rule(thresholds)) + comparison
        + " This is the validation-tuned state of the threshold explorer; in JupyterLab the widget below"
        " is live: move the threshold, or the share of patients the clinic can call, and both networks'"
        " confusion matrices, precision, recall and reminders per no-show caught follow."
    )
    return [Markdown(markdown(_shown(table), caption=caption, digits=digits)), Markdown(sentence)]


def _html(table: pd.DataFrame, rule: str) -> str:
    """The widget's read-out: both confusion matrices side by side, the metrics table and the sentence."""
    cells = []
    for name, row in table.iterrows():
        row = {k: (int(v) if k in ("tn", "fp", "fn", "tp") else v) for k, v in row.items()}
        cells.append(
            f"<td style='padding-right:2em;vertical-align:top'><b>{html.escape(str(name))}</b>"
            "<table><tr><th></th><th>predicted show</th><th>predicted no-show</th></tr>"
            f"<tr><th>show</th><td>{row['tn']:,}</td><td>{row['fp']:,}</td></tr>"
            f"<tr><th>no-show</th><td>{row['fn']:,}</td><td>{row['tp']:,}</td></tr></table></td>"
        )
    shown = _shown(table[["threshold", "flagged", "share_flagged", "precision", "recall", "reminders_per_caught"]])
    metrics = shown.to_html(float_format=lambda v: f"{v:.3f}", na_rep="-", border=0)
    return (f"<table><tr>{''.join(cells)}</tr></table>{metrics}"
            f"<p>{html.escape(describe(table, rule))}</p>")


def threshold_explorer(y, probas: Mapping[str, np.ndarray], thresholds: Mapping[str, float]):
    """The interactive explorer (ipywidgets): a rule selector, two sliders and a live read-out.

    Parameters
    ----------
    y : array-like of shape (n,)
        Test labels, 0/1.
    probas : mapping of str to array-like of shape (n,)
        Each network's test probabilities.
    thresholds : mapping of str to float
        Each network's validation-tuned threshold: the starting state.

    Returns
    -------
    ipywidgets.VBox
        Children, in order: the rule (``ToggleButtons``: ``"validation-tuned"``, ``"one threshold"``,
        ``"share called"``), the threshold slider, the share slider and the read-out (``HTML``: both
        confusion matrices, precision, recall, reminders per no-show caught). Moving a slider switches
        the rule to that slider.
    """
    import ipywidgets as widgets

    y, probas = _checked(y, probas)
    thresholds = {name: float(thresholds[name]) for name in probas}
    start = operating_point_table(y, probas, threshold=thresholds)
    rule = widgets.ToggleButtons(options=["validation-tuned", "one threshold", "share called"],
                                 value="validation-tuned", description="rule")
    threshold = widgets.FloatSlider(value=round(float(np.mean(list(thresholds.values()))), 3), min=0.005, max=0.995,
                                    step=0.005, readout_format=".3f", description="threshold",
                                    continuous_update=False)
    share = widgets.FloatSlider(value=round(float(start["share_flagged"].mean()), 2), min=0.01, max=1.0, step=0.01,
                                readout_format=".0%", description="share called", continuous_update=False)
    readout = widgets.HTML()

    def refresh(*_):
        if rule.value == "one threshold":
            table, text = operating_point_table(y, probas, threshold=threshold.value), f"threshold {threshold.value:.3f}"
        elif rule.value == "share called":
            table = operating_point_table(y, probas, share=share.value)
            text = f"a capacity of {share.value:.0%} of the patients called"
        else:
            table, text = operating_point_table(y, probas, threshold=thresholds), _tuned_rule(thresholds)
        readout.value = _html(table, text)

    def use(mode):
        def switch(change):
            if rule.value != mode:
                rule.value = mode  # observed: refreshes
            else:
                refresh()
        return switch

    rule.observe(refresh, names="value")
    threshold.observe(use("one threshold"), names="value")
    share.observe(use("share called"), names="value")
    refresh()
    return widgets.VBox([rule, threshold, share, readout])
