"""Figures of the repeated-runs study (notebook 04) and the validation schemes (notebook 05).

Same conventions as :mod:`helpers.style`: plain data in, a labelled Figure out, one colour per model
(:func:`helpers.style.color_for`), nothing shown or saved here (notebooks call ``plots.save_fig``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from helpers.metrics import METRIC_LABELS
from helpers.style import color_for

__all__ = ["seed_strips", "paired_forest", "scheme_points"]


def _label(metric: str) -> str:
    return METRIC_LABELS.get(metric, metric)


def seed_strips(values: Mapping[str, Mapping[str, Sequence[float]]], metrics: Sequence[str],
                title: str = "Test scores of every run (one point per seed)") -> Figure:
    """One panel per metric; per model the seeds' scores as points, their mean as a bar.

    Parameters
    ----------
    values : mapping model -> mapping metric -> sequence of float (one per seed)
    metrics : sequence of str
    """
    models = list(values)
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.2 * len(metrics) + 1, 4.2), layout="constrained",
                             squeeze=False)
    rng = np.random.default_rng(0)  # horizontal jitter only
    for ax, metric in zip(axes[0], metrics):
        for i, model in enumerate(models):
            v = np.asarray(values[model][metric], dtype=float)
            ax.scatter(i + rng.uniform(-0.15, 0.15, v.size), v, s=18, color=color_for(model), alpha=0.8,
                       edgecolor="black", linewidth=0.3, zorder=3)
            ax.hlines(v.mean(), i - 0.3, i + 0.3, color="black", linewidth=1.5, zorder=4)
        ax.set_xticks(range(len(models)), [m.replace(" ", "\n", 1) for m in models], fontsize=8)
        ax.set_title(_label(metric))
        ax.grid(axis="x", visible=False)
    axes[0][0].set_ylabel("Score on the test rows (black bar: mean)")
    fig.suptitle(title)
    return fig


def paired_forest(diffs: Sequence[Mapping], margins: Mapping[str, float],
                  title: str = "Paired differences with 95% intervals (seeds and test patients resampled)") -> Figure:
    """Horizontal intervals of paired differences, the margin of equivalence shaded, zero dashed.

    Parameters
    ----------
    diffs : sequence of dict
        Each with ``label``, ``metric``, ``estimate``, ``low``, ``high``.
    margins : mapping metric -> float
    """
    metrics = list(dict.fromkeys(d["metric"] for d in diffs))
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.6 * len(metrics) + 1.5, 0.55 * len(diffs) / len(metrics) + 2.2),
                             layout="constrained", squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        rows = [d for d in diffs if d["metric"] == metric]
        margin = margins.get(metric)
        if margin is not None:
            ax.axvspan(-margin, margin, color="0.85", label=f"margin ±{margin:g}")
        ax.axvline(0, color="0.3", linestyle="--", linewidth=1)
        for i, d in enumerate(rows):
            y = len(rows) - 1 - i
            ax.errorbar(d["estimate"], y, xerr=[[d["estimate"] - d["low"]], [d["high"] - d["estimate"]]], fmt="o",
                        color=color_for(d["label"].split(" - ")[-1]), ecolor="black", capsize=4, markersize=6)
        ax.set_yticks(range(len(rows)), [d["label"] for d in rows][::-1], fontsize=9)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.set_xlabel(f"{_label(metric)} difference")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), fontsize=8, frameon=False)
    fig.suptitle(title)
    return fig


def scheme_points(table: Mapping[str, Mapping[str, Mapping[str, Mapping[str, float]]]], metrics: Sequence[str],
                  title: str = "Every model under every validation scheme (mean over seeds, 95% interval)") -> Figure:
    """One panel per metric: x = validation scheme, one point-and-interval per model.

    Parameters
    ----------
    table : mapping scheme -> model -> metric -> {"mean", "low", "high"}
    metrics : sequence of str
    """
    schemes = list(table)
    models = list(dict.fromkeys(m for s in schemes for m in table[s]))
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics) + 1, 4.4), layout="constrained",
                             squeeze=False)
    width = 0.7 / max(len(models), 1)
    for ax, metric in zip(axes[0], metrics):
        for j, model in enumerate(models):
            xs, est, lo, hi = [], [], [], []
            for i, scheme in enumerate(schemes):
                cell = table[scheme].get(model, {}).get(metric)
                if cell is None:
                    continue
                xs.append(i - 0.35 + width * (j + 0.5))
                est.append(cell["mean"])
                lo.append(cell["mean"] - cell["low"] if np.isfinite(cell["low"]) else 0.0)
                hi.append(cell["high"] - cell["mean"] if np.isfinite(cell["high"]) else 0.0)
            ax.errorbar(xs, est, yerr=[lo, hi], fmt="o", color=color_for(model), capsize=3, markersize=5,
                        label=model)
        ax.set_xticks(range(len(schemes)), schemes)
        ax.set_title(_label(metric))
        ax.grid(axis="x", visible=False)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=max(len(models), 1), fontsize=9, frameon=False)
    fig.suptitle(title)
    return fig


# --------------------------------------------------------------------------- subgroups (helpers.compare.subgroups)
__all__ += ["subgroup_forest", "subgroup_twins_forest"]


def _subgroup_rows(cells: Sequence[Mapping]) -> tuple[list[tuple[str, str]], dict[tuple[str, str], float], list[str],
                                                       list[int]]:
    """The rows of a subgroup forest: ``(grouping, group)`` cells top to bottom, each cell's y, and the tick
    labels and y of the groupings' header rows."""
    order = list(dict.fromkeys((c["grouping"], c["group"]) for c in cells))
    y, headers, header_y = {}, [], []
    row = 0
    for grouping in dict.fromkeys(g for g, _ in order):
        headers.append(grouping)
        header_y.append(-row)
        row += 1
        for cell in (c for c in order if c[0] == grouping):
            y[cell] = -row
            row += 1
    return order, y, headers, header_y


def _subgroup_axes(ax, order, y, headers, header_y) -> None:
    ticks = list(y.values()) + header_y
    labels = [f"  {group}" for _, group in y] + headers
    ax.set_yticks(ticks, labels, fontsize=8)
    for tick, label in zip(ax.get_yticklabels(), labels):
        if label in headers:
            tick.set_fontweight("bold")
    for h in header_y[1:]:
        ax.axhline(h + 0.5, color="0.8", linewidth=0.8)
    ax.set_ylim(min(y.values()) - 0.6, 0.6)
    ax.grid(axis="y", visible=False)


def subgroup_forest(cells: Mapping[str, Mapping[str, Sequence[Mapping]]], metrics: Sequence[str] | None = None,
                    title: str = "Every group of test patients (mean over seeds, 95% interval over seeds and patients)"
                    ) -> Figure:
    """One panel per metric: per group of patients each model's mean with its 95 % interval.

    Parameters
    ----------
    cells : mapping model -> metric -> sequence of dict
        Each dict ``grouping``, ``group``, ``mean``, ``low``, ``high``, in table order
        (:func:`helpers.compare.subgroups.forest_cells`).
    metrics : sequence of str, optional
        Default: the metrics of the first model.

    Returns
    -------
    Figure
        Rows: each grouping's name (bold) above its groups; one colour per model
        (:func:`helpers.style.color_for`), the models side by side within a row.
    """
    models = list(cells)
    metrics = list(metrics or cells[models[0]])
    order, y, headers, header_y = _subgroup_rows([c for m in models for k in metrics for c in cells[m][k]])
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.0 * len(metrics) + 2.5, 0.32 * (len(y) + len(headers)) + 1.8),
                             layout="constrained", squeeze=False, sharey=True)
    step = 0.5 / max(len(models), 1)
    for ax, metric in zip(axes[0], metrics):
        for j, model in enumerate(models):
            rows = [c for c in cells[model][metric] if np.isfinite(c["mean"])]
            ys = [y[(c["grouping"], c["group"])] + 0.25 - step * (j + 0.5) for c in rows]
            est = [c["mean"] for c in rows]
            lo = [c["mean"] - c["low"] if np.isfinite(c["low"]) else 0.0 for c in rows]
            hi = [c["high"] - c["mean"] if np.isfinite(c["high"]) else 0.0 for c in rows]
            ax.errorbar(est, ys, xerr=[lo, hi], fmt="o", color=color_for(model), capsize=2, markersize=4,
                        linewidth=1, label=model)
        _subgroup_axes(ax, order, y, headers, header_y)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.set_xlabel(_label(metric))
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=max(len(models), 1), fontsize=9, frameon=False)
    fig.suptitle(title)
    return fig


def subgroup_twins_forest(diffs: Sequence[Mapping], margins: Mapping[str, float],
                          title: str = "NumPy MLP - PyTorch MLP in every group (95% interval, margin shaded)") -> Figure:
    """One panel per metric: the paired difference of the two networks in every group, the margin shaded.

    Parameters
    ----------
    diffs : sequence of dict
        Each with ``grouping``, ``group``, ``metric``, ``estimate``, ``low``, ``high``, and ``a`` (the first
        model, its colour) (:func:`helpers.compare.subgroups.twin_differences`).
    margins : mapping metric -> float
        The margin of equivalence, shaded in data units; a metric without one gets no band.
    """
    metrics = list(dict.fromkeys(d["metric"] for d in diffs))
    order, y, headers, header_y = _subgroup_rows(diffs)
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.0 * len(metrics) + 2.5, 0.32 * (len(y) + len(headers)) + 1.8),
                             layout="constrained", squeeze=False, sharey=True)
    for ax, metric in zip(axes[0], metrics):
        margin = margins.get(metric)
        if margin is not None:
            ax.axvspan(-margin, margin, color="0.85", label=f"margin +/-{margin:g}")
        ax.axvline(0, color="0.3", linestyle="--", linewidth=1)
        for d in (d for d in diffs if d["metric"] == metric):
            ax.errorbar(d["estimate"], y[(d["grouping"], d["group"])],
                        xerr=[[d["estimate"] - d["low"]], [d["high"] - d["estimate"]]], fmt="o",
                        color=color_for(d.get("a", "NumPy MLP")), ecolor="black", capsize=3, markersize=4)
        _subgroup_axes(ax, order, y, headers, header_y)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.set_xlabel(f"{_label(metric)} difference")
        if margin is not None:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize=8, frameon=False)
    fig.suptitle(title)
    return fig
