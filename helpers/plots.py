"""Figures of the report, and :func:`save_fig`, the one way a figure is saved.

Every figure function takes plain data (dicts, arrays, data frames -- never model
objects), labels its axes, title and legend, and returns the
:class:`matplotlib.figure.Figure`; nothing calls ``plt.show``. Importing this module
changes no global state: notebooks call :func:`set_style` explicitly.

Each model keeps one colour in every figure (:data:`MODEL_COLORS`, :func:`color_for`).
Text uses only ASCII (">=", not the Unicode sign) so that the PDF export's LaTeX
fonts can render any label copied into the report.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import StrMethodFormatter
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

from helpers import paths
from helpers.artifacts import atomic_write
from helpers.metrics import METRIC_LABELS, operating_point, wilson_interval

__all__ = [
    "MODEL_COLORS",
    "model_of",
    "color_for",
    "set_style",
    "save_fig",
    "class_balance",
    "rate_by",
    "training_curves",
    "confusion_heatmaps",
    "pr_curves",
    "roc_curves",
    "metric_bars",
    "resource_bars",
    "calibration_curves",
    "imbalance_grid",
    "loglog_scaling",
]

# --------------------------------------------------------------------------- colours
# seaborn's colour-blind palette, fixed here so a model's colour never depends on the
# order in which figures are drawn.
MODEL_COLORS: dict[str, str] = {
    "NumPy MLP": "#0173b2",
    "PyTorch MLP": "#d55e00",
    "Logistic regression": "#029e73",
    "Gradient boosting": "#cc78bc",
    "Always show (dummy)": "#949494",
}
_ALIASES = {
    "numpy": "NumPy MLP",
    "numpy mlp": "NumPy MLP",
    "pytorch": "PyTorch MLP",
    "torch": "PyTorch MLP",
    "pytorch mlp": "PyTorch MLP",
    "logistic regression": "Logistic regression",
    "logreg": "Logistic regression",
    "gradient boosting": "Gradient boosting",
    "dummy": "Always show (dummy)",
    "always show (dummy)": "Always show (dummy)",
}
_FALLBACK = ("#de8f05", "#56b4e9", "#ca9161", "#fbafe4", "#000000")
_CLASS_COLORS = ("#56b4e9", "#de8f05")  # show, no-show


#: Words that name a model inside a longer label ("NumPy MLP, 2 thr", "numpy/1", "PyTorch (float64)").
_MODEL_WORDS: dict[str, tuple[str, ...]] = {
    "NumPy MLP": ("numpy",),
    "PyTorch MLP": ("pytorch", "torch"),
    "Logistic regression": ("logistic", "logreg"),
    "Gradient boosting": ("gradient boosting", "gradientboosting", "boosting", "gbm", "gbdt"),
    "Always show (dummy)": ("dummy", "always show"),
}


def model_of(name: str) -> str | None:
    """The model a label names (a key of :data:`MODEL_COLORS`), or None.

    Parameters
    ----------
    name : str
        A model name, a short alias (``"numpy"``, ``"torch"``, ...) or a longer label that
        names exactly one model, such as ``"NumPy MLP, 2 thr"``, ``"numpy/1"`` or
        ``"PyTorch (float64)"``. A label naming two models (``"NumPy - PyTorch"``) names none.

    Returns
    -------
    str or None
    """
    if name in MODEL_COLORS:
        return name
    text = str(name).strip().lower()
    if text in _ALIASES:
        return _ALIASES[text]
    found = [model for model, words in _MODEL_WORDS.items() if any(w in text for w in words)]
    return found[0] if len(found) == 1 else None


def color_for(name: str) -> str:
    """The colour of a model in every figure.

    Parameters
    ----------
    name : str
        A key of :data:`MODEL_COLORS`, a short alias, or any label naming one model
        (:func:`model_of`: ``"NumPy MLP, 2 thr"`` and ``"numpy/1"`` get the NumPy colour).

    Returns
    -------
    str
        A hex colour. Names of no model get a colour from :data:`_FALLBACK`, which holds no
        model's colour, chosen from a checksum of the name (the same in every run and process).
    """
    model = model_of(name)
    if model is not None:
        return MODEL_COLORS[model]
    return _FALLBACK[zlib.crc32(str(name).encode("utf-8")) % len(_FALLBACK)]


def _title_color(name: str) -> str:
    """A model's colour for a panel title; black for names that are not models."""
    return color_for(name) if model_of(name) is not None else "black"


def set_style() -> None:
    """Seaborn theme and font sizes used by the notebooks (changes global rcParams)."""
    sns.set_theme(
        context="notebook",
        style="whitegrid",
        palette="colorblind",
        rc={
            "figure.figsize": (7.0, 4.2),
            "figure.dpi": 100,
            "savefig.dpi": 200,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "xtick.labelsize": 10,
            "ytick.labelsize": 10,
            "legend.fontsize": 9,
            "legend.title_fontsize": 10,
            "figure.titlesize": 13,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "pdf.fonttype": 42,  # embed TrueType: selectable text in the PDF
        },
    )


# ----------------------------------------------------------------------------- saving
def save_fig(
    fig: Figure,
    name: str,
    folder: str | os.PathLike | None = None,
    formats: Sequence[str] = ("png", "pdf"),
    dpi: int = 200,
) -> list[Path]:
    """Save ``fig`` as ``<folder>/<name>.<fmt>`` for each format, atomically.

    Parameters
    ----------
    fig : Figure
        The figure to save (never the implicit current one).
    name : str
        File name without extension (a trailing ``.png``/``.pdf`` is dropped).
    folder : str, PathLike or None
        Target folder; ``None`` means ``paths.FIGURES_DIR``, relative paths are taken
        from the repository root (:func:`helpers.paths.resolve`). Created if missing.
    formats : sequence of str
        File formats; PNG for the notebooks and HTML, PDF for vector figures in the
        PDF export.
    dpi : int
        Resolution of raster formats.

    Returns
    -------
    list of Path
        Absolute paths of the written files, in the order of ``formats``.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"save_fig needs a matplotlib Figure, got {type(fig).__name__}")
    if isinstance(formats, str):
        formats = (formats,)
    stem = str(name)
    for fmt in formats:
        if stem.lower().endswith("." + fmt.lower()):
            stem = stem[: -len(fmt) - 1]
    if not stem or Path(stem).name != stem:
        raise ValueError(f"name must be a plain file name, got {name!r}")
    out_dir = paths.resolve(folder, paths.FIGURES_DIR).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        fmt = fmt.lower().lstrip(".")
        target = out_dir / f"{stem}.{fmt}"
        # no creation date in the PDF: re-running gives identical files
        metadata = {"CreationDate": None} if fmt == "pdf" else None
        atomic_write(target, lambda fh, fmt=fmt, metadata=metadata: fig.savefig(
            fh, format=fmt, dpi=dpi, bbox_inches="tight", metadata=metadata))
        written.append(target)
    return written


# ---------------------------------------------------------------------------- helpers
def _new_axes(ax=None, figsize=(6.5, 4.0)):
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, ax


def _label(metric: str) -> str:
    return METRIC_LABELS.get(metric, metric.replace("_", " "))


def _pct(v: float, digits: int = 1) -> str:
    return f"{100 * v:.{digits}f}%"


# ----------------------------------------------------------------------------- figures
def class_balance(counts: Mapping[str, int], title: str = "Class balance", ax=None) -> Figure:
    """Bar chart of class counts, annotated with counts and percentages.

    Parameters
    ----------
    counts : mapping label -> int
        E.g. ``{"show": 88208, "no-show": 22319}``.
    title : str
        Axes title.
    ax : Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    Figure
    """
    fig, ax = _new_axes(ax, figsize=(5.0, 3.8))
    labels = [str(k) for k in counts]
    values = np.array([int(v) for v in counts.values()])
    total = values.sum()
    colors = [_CLASS_COLORS[i] if i < 2 else _FALLBACK[i % len(_FALLBACK)] for i in range(len(labels))]
    bars = ax.bar(labels, values, color=colors, edgecolor="black", linewidth=0.6)
    for bar, v in zip(bars, values):
        share = v / total if total else 0.0
        ax.annotate(
            f"{v:,}\n({_pct(share)})",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
        )
    ax.set_ylim(0, max(values.max(initial=0), 1) * 1.2)
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.grid(axis="x", visible=False)
    ax.set_ylabel("Appointments")
    ax.set_xlabel("Outcome")
    ax.set_title(f"{title} (n = {total:,})")
    return fig


def rate_by(
    df: pd.DataFrame,
    column: str,
    target: str = "no_show",
    order: Sequence | None = None,
    ax_title: str | None = None,
    overall_rate: float | None = None,
    ax=None,
) -> Figure:
    """No-show rate per category of ``column``, with 95 % Wilson intervals.

    Parameters
    ----------
    df : DataFrame
        One row per appointment, with ``column`` and the 0/1 ``target``.
    column : str
        A categorical or already-binned column.
    target : str
        The 0/1 outcome column.
    order : sequence, optional
        Category order on the x-axis (default: the categorical order, else sorted).
        Categories not in ``df`` are skipped.
    ax_title : str, optional
        Axes title (default: "No-show rate by <column>").
    overall_rate : float, optional
        Reference rate drawn as a dashed line (default: the mean of ``target``).
    ax : Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    Figure
        Bars of the rate (in %) per category; tick labels carry the row counts.
    """
    if column not in df or target not in df:
        raise KeyError(f"df needs columns {column!r} and {target!r}")
    y = pd.to_numeric(df[target]).astype(float)
    grouped = y.groupby(df[column], observed=True, sort=True).agg(["sum", "count"])
    if order is None and isinstance(df[column].dtype, pd.CategoricalDtype):
        order = [c for c in df[column].cat.categories if c in grouped.index]
    if order is not None:
        grouped = grouped.reindex([o for o in order if o in grouped.index])
    k = grouped["sum"].to_numpy()
    n = grouped["count"].to_numpy()
    rate = k / n
    lo, hi = wilson_interval(k, n)
    labels = [f"{c}\n(n={int(m):,})" for c, m in zip(grouped.index, n)]
    fig, ax = _new_axes(ax, figsize=(max(5.0, 0.9 * len(labels) + 2.0), 4.0))
    x = np.arange(len(labels))
    ax.bar(x, 100 * rate, color=_CLASS_COLORS[1], alpha=0.8, edgecolor="black", linewidth=0.5)
    ax.errorbar(
        x,
        100 * rate,
        yerr=100 * np.vstack([rate - lo, hi - rate]),
        fmt="none",
        ecolor="black",
        capsize=3,
        linewidth=1,
        label="95% CI (Wilson)",
    )
    overall = float(y.mean()) if overall_rate is None else float(overall_rate)
    ax.axhline(100 * overall, color="0.3", linestyle="--", linewidth=1.2, label=f"Overall ({_pct(overall)})")
    ax.set_xticks(x, labels)
    ax.set_ylabel("No-show rate (%)")
    ax.set_xlabel(column.replace("_", " "))
    ax.set_title(ax_title or f"No-show rate by {column.replace('_', ' ')}")
    ax.set_ylim(0, max(100 * np.nanmax(hi, initial=overall), 100 * overall) * 1.15 + 1e-9)
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper right")
    return fig


def training_curves(
    histories: Mapping[str, Sequence[Mapping[str, float]]],
    best_epochs: Mapping[str, int] | None = None,
    title: str = "Training curves",
) -> Figure:
    """Loss and validation PR-AUC per epoch, one colour per model.

    Parameters
    ----------
    histories : mapping name -> list of dict
        Per model, one dict per epoch with ``epoch``, ``train_loss``, ``val_loss`` and
        ``val_pr_auc`` (missing keys are drawn as gaps).
    best_epochs : mapping name -> int, optional
        The epoch kept by early stopping; drawn as a dotted vertical line.
    title : str
        Figure title.

    Returns
    -------
    Figure
        Two panels with a shared x-axis: loss (train solid, validation dashed) and
        validation PR-AUC.
    """
    fig, (ax_loss, ax_pr) = plt.subplots(1, 2, figsize=(11, 4.0), sharex=True, layout="constrained")
    for name, hist in histories.items():
        c = color_for(name)
        epochs = np.array([h.get("epoch", i + 1) for i, h in enumerate(hist)], dtype=float)

        def col(key):
            return np.array([h.get(key, np.nan) for h in hist], dtype=float)

        ax_loss.plot(epochs, col("train_loss"), color=c, linestyle="-", linewidth=1.6)
        ax_loss.plot(epochs, col("val_loss"), color=c, linestyle="--", linewidth=1.6)
        ax_pr.plot(epochs, col("val_pr_auc"), color=c, linestyle="-", linewidth=1.6, marker="o", markersize=2.5)
        if best_epochs and name in best_epochs and best_epochs[name] is not None:
            for ax in (ax_loss, ax_pr):
                ax.axvline(best_epochs[name], color=c, linestyle=":", linewidth=1.3)
    ax_loss.set_xlabel("Epoch")
    ax_loss.set_ylabel("Loss (binary cross-entropy)")
    ax_loss.set_title("Loss")
    ax_pr.set_xlabel("Epoch")
    ax_pr.set_ylabel("Validation PR-AUC")
    ax_pr.set_title("Validation PR-AUC")
    model_handles = [Line2D([], [], color=color_for(n), linewidth=2, label=n) for n in histories]
    style_handles = [
        Line2D([], [], color="0.3", linestyle="-", label="train"),
        Line2D([], [], color="0.3", linestyle="--", label="validation"),
    ]
    if best_epochs:
        style_handles.append(Line2D([], [], color="0.3", linestyle=":", label="best epoch"))
    ax_loss.legend(handles=model_handles + style_handles, loc="upper right")
    ax_pr.legend(handles=model_handles, loc="lower right")
    fig.suptitle(title)
    return fig


def confusion_heatmaps(
    cms: Mapping[str, np.ndarray],
    normalize: bool = False,
    labels: Sequence[str] = ("show", "no-show"),
    title: str | None = None,
) -> Figure:
    """Side-by-side confusion matrices on one colour scale.

    Parameters
    ----------
    cms : mapping name -> array of shape (2, 2)
        ``[[tn, fp], [fn, tp]]`` per model (rows: true class, columns: predicted).
    normalize : bool
        If True, each row is divided by its total (recall per true class) and shown as
        a percentage; otherwise raw counts.
    labels : sequence of str
        Class names for the negative and positive class.
    title : str, optional
        Figure title.

    Returns
    -------
    Figure
    """
    names = list(cms)
    mats = []
    for name in names:
        m = np.asarray(cms[name], dtype=float)
        if m.shape != (2, 2):
            raise ValueError(f"confusion matrix of {name!r} has shape {m.shape}, expected (2, 2)")
        if normalize:
            rows = m.sum(axis=1, keepdims=True)
            m = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
        mats.append(m)
    vmax = 1.0 if normalize else max(float(m.max()) for m in mats) if mats else 1.0
    k = max(len(names), 1)
    fig, axes = plt.subplots(1, k, figsize=(3.6 * k + 1.0, 3.5), squeeze=False, layout="constrained")
    axes = axes[0]
    for i, (name, m) in enumerate(zip(names, mats)):
        annot = np.vectorize(lambda v: _pct(v) if normalize else f"{int(round(v)):,}")(m)
        sns.heatmap(
            m,
            ax=axes[i],
            vmin=0,
            vmax=vmax,
            cmap="Blues",
            annot=annot,
            fmt="",
            cbar=i == len(names) - 1,
            cbar_kws={"label": "Share of true class" if normalize else "Appointments"},
            xticklabels=list(labels),
            yticklabels=list(labels),
            square=True,
            linewidths=0.5,
            linecolor="white",
        )
        axes[i].set_title(name, color=_title_color(name))
        axes[i].set_xlabel("Predicted")
        axes[i].set_ylabel("True" if i == 0 else "")
    fig.suptitle(title or ("Confusion matrices (row-normalised)" if normalize else "Confusion matrices"))
    return fig


def _legend_with_operating_points(ax, marked: bool, loc: str) -> None:
    """The axes' legend, plus one grey entry explaining the operating-point markers if any."""
    handles, _ = ax.get_legend_handles_labels()
    if marked:
        handles.append(Line2D([], [], marker="o", color="0.6", markeredgecolor="black", linestyle="none",
                              label="Operating point (threshold)"))
    ax.legend(handles=handles, loc=loc)


def pr_curves(
    y_true,
    probas: Mapping[str, np.ndarray],
    operating_points: Mapping[str, float] | None = None,
    prevalence: float | None = None,
    title: str = "Precision-recall curves (test set)",
    ax=None,
) -> Figure:
    """Overlaid precision-recall curves, average precision in the legend.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels, 0/1.
    probas : mapping name -> array of shape (n,)
        Positive-class probabilities per model.
    operating_points : mapping name -> float, optional
        Each model's decision threshold; its (recall, precision) is marked.
    prevalence : float, optional
        Precision of a random classifier (dashed line); default: mean of ``y_true``.
    title : str
        Axes title.
    ax : Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    Figure
    """
    y = np.asarray(y_true).astype(int)
    fig, ax = _new_axes(ax, figsize=(6.0, 5.0))
    for name, p in probas.items():
        p = np.asarray(p)
        precision, recall, _ = skm.precision_recall_curve(y, p)
        ap = skm.average_precision_score(y, p)
        ax.plot(recall, precision, drawstyle="steps-post", color=color_for(name), linewidth=1.6,
                label=f"{name} (AP = {ap:.3f})")
        if operating_points and name in operating_points:
            r, pr = operating_point(y, p, operating_points[name], "pr")
            ax.plot(r, pr, marker="o", markersize=8, color=color_for(name), markeredgecolor="black",
                    linestyle="none")
    prev = float(y.mean()) if prevalence is None else float(prevalence)
    ax.axhline(prev, color="0.4", linestyle="--", linewidth=1, label=f"Chance (prevalence = {_pct(prev)})")
    _legend_with_operating_points(ax, bool(operating_points), loc="upper right")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("Recall (share of no-shows flagged)")
    ax.set_ylabel("Precision (share of flags that are no-shows)")
    ax.set_title(title)
    return fig


def roc_curves(
    y_true,
    probas: Mapping[str, np.ndarray],
    operating_points: Mapping[str, float] | None = None,
    title: str = "ROC curves (test set)",
    ax=None,
) -> Figure:
    """Overlaid ROC curves, ROC-AUC in the legend, the chance diagonal.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels, 0/1.
    probas : mapping name -> array of shape (n,)
        Positive-class probabilities per model.
    operating_points : mapping name -> float, optional
        Each model's decision threshold; its (FPR, TPR) is marked.
    title : str
        Axes title.
    ax : Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    Figure
    """
    y = np.asarray(y_true).astype(int)
    fig, ax = _new_axes(ax, figsize=(6.0, 5.0))
    for name, p in probas.items():
        p = np.asarray(p)
        fpr, tpr, _ = skm.roc_curve(y, p)
        auc = skm.roc_auc_score(y, p)
        ax.plot(fpr, tpr, color=color_for(name), linewidth=1.6, label=f"{name} (AUC = {auc:.3f})")
        if operating_points and name in operating_points:
            f, t = operating_point(y, p, operating_points[name], "roc")
            ax.plot(f, t, marker="o", markersize=8, color=color_for(name), markeredgecolor="black",
                    linestyle="none")
    ax.plot([0, 1], [0, 1], color="0.4", linestyle="--", linewidth=1, label="Chance")
    _legend_with_operating_points(ax, bool(operating_points), loc="lower right")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.set_aspect("equal")
    ax.set_xlabel("False positive rate (shows flagged)")
    ax.set_ylabel("True positive rate (recall)")
    ax.set_title(title)
    return fig


def metric_bars(
    table: Mapping[str, Mapping[str, Mapping[str, float]]],
    metrics: Sequence[str] = ("pr_auc", "roc_auc", "f1", "precision", "recall", "balanced_accuracy"),
    title: str = "Test metrics with 95% bootstrap intervals",
    ax=None,
) -> Figure:
    """Grouped bars (metric groups, one bar per model) with confidence-interval whiskers.

    Parameters
    ----------
    table : mapping name -> mapping metric -> {"estimate", "low", "high"}
        E.g. the output of :func:`helpers.metrics.bootstrap_ci` per model. Missing
        metrics are left blank.
    metrics : sequence of str
        Metrics to show, in order (all on a 0-1 scale).
    title : str
        Axes title.
    ax : Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    Figure
    """
    names = list(table)
    k = max(len(names), 1)
    fig, ax = _new_axes(ax, figsize=(max(7.0, 1.3 * len(metrics) + 2.0), 4.2))
    x = np.arange(len(metrics))
    width = 0.8 / k
    for j, name in enumerate(names):
        est, lo, hi = (np.array([table[name].get(m, {}).get(key, np.nan) for m in metrics], dtype=float)
                       for key in ("estimate", "low", "high"))
        pos = x - 0.4 + width * (j + 0.5)
        ax.bar(pos, est, width=width * 0.95, color=color_for(name), label=name, edgecolor="black", linewidth=0.4)
        yerr = np.vstack([np.clip(est - lo, 0, None), np.clip(hi - est, 0, None)])
        ok = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(est)
        if ok.any():
            ax.errorbar(pos[ok], est[ok], yerr=yerr[:, ok], fmt="none", ecolor="black", capsize=2.5, linewidth=1)
    ax.set_xticks(x, [_label(m) for m in metrics])
    ax.set_ylim(0, 1.05)
    ax.grid(axis="x", visible=False)
    ax.set_ylabel("Score")
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=min(k, 3), frameon=False)
    return fig


def resource_bars(
    values: Mapping[str, Mapping[str, float]],
    title: str = "Training cost",
    log: bool = False,
) -> Figure:
    """Training time and peak memory per model, as two horizontal bar panels.

    Parameters
    ----------
    values : mapping name -> {"seconds": float, "peak_mb": float}
        Wall-clock training time and peak memory (MB) per model.
    title : str
        Figure title.
    log : bool
        Log-scale the x-axes (for values spanning orders of magnitude).

    Returns
    -------
    Figure
    """
    names = list(values)
    fig, axes = plt.subplots(1, 2, figsize=(10, 0.5 * len(names) + 2.0), sharey=True, layout="constrained")
    panels = (("seconds", "Training time (s)", "{:.3g} s"), ("peak_mb", "Peak memory (MB)", "{:.3g} MB"))
    y = np.arange(len(names))
    for ax, (key, xlabel, fmt) in zip(axes, panels):
        v = np.array([values[n].get(key, np.nan) for n in names], dtype=float)
        bars = ax.barh(y, np.nan_to_num(v), color=[color_for(n) for n in names], edgecolor="black", linewidth=0.4)
        for bar, val in zip(bars, v):
            if np.isfinite(val):
                ax.annotate(fmt.format(val), (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                            xytext=(3, 0), textcoords="offset points", va="center", fontsize=9)
        if log:
            ax.set_xscale("log")
        finite = v[np.isfinite(v)]
        if finite.size and not log:
            ax.set_xlim(0, finite.max() * 1.25 if finite.max() > 0 else 1)
        ax.set_xlabel(xlabel)
        ax.set_title(xlabel.split(" (")[0])
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(y, names)
    axes[0].invert_yaxis()
    fig.suptitle(title)
    return fig


def calibration_curves(
    y_true,
    probas: Mapping[str, np.ndarray],
    n_bins: int = 10,
    title: str = "Calibration (reliability diagram, quantile bins)",
) -> Figure:
    """Reliability diagram with the diagonal, and the distribution of predictions below.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels, 0/1.
    probas : mapping name -> array of shape (n,)
        Positive-class probabilities per model.
    n_bins : int
        Number of quantile bins (:func:`sklearn.calibration.calibration_curve`,
        ``strategy="quantile"``).
    title : str
        Figure title.

    Returns
    -------
    Figure
        Top: observed no-show rate against mean predicted probability per bin.
        Bottom: histogram of predicted probabilities.
    """
    y = np.asarray(y_true).astype(int)
    fig, (ax, ax_h) = plt.subplots(2, 1, figsize=(6.0, 6.5), sharex=True, height_ratios=(3, 1),
                                   layout="constrained")
    ax.plot([0, 1], [0, 1], color="0.4", linestyle="--", linewidth=1, label="Perfectly calibrated")
    bins = np.linspace(0, 1, 41)
    for name, p in probas.items():
        p = np.asarray(p, dtype=float)
        frac_pos, mean_pred = calibration_curve(y, p, n_bins=n_bins, strategy="quantile")
        ax.plot(mean_pred, frac_pos, marker="o", markersize=4, color=color_for(name), linewidth=1.5, label=name)
        ax_h.hist(p, bins=bins, histtype="step", color=color_for(name), linewidth=1.3)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_ylabel("Observed no-show rate")
    ax.legend(loc="upper left")
    ax_h.set_xlabel("Mean predicted probability")
    ax_h.set_ylabel("Rows")
    fig.suptitle(title)
    return fig


def imbalance_grid(
    rows: Sequence[Mapping],
    metrics: Sequence[str] = ("accuracy", "precision", "recall", "f1", "pr_auc"),
    title: str = "Class weighting x threshold rule",
) -> Figure:
    """Heatmaps of metrics per (class weight, threshold rule) cell, one panel per backend.

    Parameters
    ----------
    rows : sequence of dict
        Each with ``backend``, ``class_weight``, ``threshold_rule`` and the metrics.
        Rows repeating a (backend, class_weight, threshold_rule) cell (e.g. several
        seeds) are averaged.
    metrics : sequence of str
        Metric columns, in order (0-1 scale; one colour scale for all panels).
    title : str
        Figure title.

    Returns
    -------
    Figure
        One heatmap per backend: rows "class weight / threshold rule", columns the
        metrics, cells annotated with the value.
    """
    df = pd.DataFrame(list(rows))
    needed = {"backend", "class_weight", "threshold_rule", *metrics}
    missing = needed - set(df.columns)
    if missing:
        raise KeyError(f"imbalance_grid rows lack {sorted(missing)}")
    df = df.assign(
        cell="weight " + df["class_weight"].astype(str) + " / thr " + df["threshold_rule"].astype(str),
        backend=df["backend"].astype(str),
    )
    backends = list(dict.fromkeys(df["backend"]))
    cells = list(dict.fromkeys(df["cell"]))
    k = max(len(backends), 1)
    fig, axes = plt.subplots(1, k, figsize=(1.1 * len(metrics) * k + 3.5, 0.55 * len(cells) + 2.0),
                             squeeze=False, sharey=True, layout="constrained")
    axes = axes[0]
    for i, backend in enumerate(backends):
        sub = df[df["backend"] == backend].groupby("cell", sort=False)[list(metrics)].mean()
        sub = sub.reindex(cells)
        sns.heatmap(
            sub.to_numpy(dtype=float),
            ax=axes[i],
            vmin=0,
            vmax=1,
            cmap="viridis",
            annot=True,
            fmt=".3f",
            cbar=i == k - 1,
            cbar_kws={"label": "Score"},
            xticklabels=[_label(m) for m in metrics],
            yticklabels=cells,
            linewidths=0.5,
            linecolor="white",
        )
        axes[i].set_title(backend, color=_title_color(backend))
        axes[i].set_xlabel("")
        axes[i].tick_params(axis="x", rotation=30)
        if i:
            axes[i].tick_params(axis="y", labelleft=False)
    axes[0].set_ylabel("Class weight / threshold rule")
    fig.suptitle(title)
    return fig


def _grid_key(value) -> str:
    """A grid value as a tick label: numbers in short form (0 and 0.0 alike), None as "None"."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return f"{float(value):g}"
    return str(value)


def _used_row(table: pd.DataFrame, used):
    """The index label of the used setting's row, from a label or a boolean mask (None: no row)."""
    if used is None:
        return None
    if isinstance(used, Mapping):
        raise TypeError("cv_grid_heatmap: pass the used setting's row, e.g. used=tuning.find_setting(table, used), "
                        "not the setting itself")
    if not np.isscalar(used):
        mask = np.asarray(used, dtype=bool)
        if mask.shape != (len(table),):
            raise ValueError(f"cv_grid_heatmap: the mask of the used setting has shape {mask.shape}, "
                             f"the table {len(table)} rows")
        if mask.sum() > 1:
            raise ValueError(f"cv_grid_heatmap: the mask marks {int(mask.sum())} rows; one setting was used")
        return table.index[mask][0] if mask.any() else None
    if used not in table.index:
        raise KeyError(f"cv_grid_heatmap: no row {used!r} in the table")
    return used


def cv_grid_heatmap(
    table: pd.DataFrame,
    row: str,
    col: str,
    used=None,
    title: str = "Cross-validated PR-AUC on the training split",
) -> Figure:
    """Mean cross-validated PR-AUC of a two-parameter grid, best setting boxed.

    Parameters
    ----------
    table : DataFrame
        From :func:`helpers.tuning.cross_validate_grid`: one row per setting with the columns
        ``row``, ``col``, ``cv_pr_auc`` and ``rank``.
    row, col : str
        The parameters on the y and x axes.
    used : index label or boolean array of shape (n_settings,), optional
        The row of ``table`` holding the setting actually trained, outlined with a dashed box:
        its index label (e.g. from :func:`helpers.tuning.find_setting`) or a mask that is True
        on that row. None (or an all-False mask): no box, e.g. a setting outside the grid.
    title : str

    Returns
    -------
    Figure
    """
    missing = {row, col, "cv_pr_auc", "rank"} - set(table.columns)
    if missing:
        raise KeyError(f"cv_grid_heatmap: table lacks {sorted(missing)}")
    keys = table[[row, col]].map(_grid_key)
    rows = list(dict.fromkeys(keys[row]))
    cols = list(dict.fromkeys(keys[col]))
    grid = pd.DataFrame(np.nan, index=rows, columns=cols)
    for (r, c), v in zip(keys.itertuples(index=False), table["cv_pr_auc"]):
        grid.loc[r, c] = v
    fig, ax = plt.subplots(figsize=(1.6 * len(cols) + 3.0, 0.5 * len(rows) + 1.8), layout="constrained")
    sns.heatmap(grid.to_numpy(dtype=float), ax=ax, cmap="viridis", annot=True, fmt=".4f",
                cbar_kws={"label": "Mean PR-AUC over the folds"}, xticklabels=cols, yticklabels=rows,
                linewidths=0.5, linecolor="white")
    best = keys.loc[table["rank"].idxmin()]
    ax.add_patch(plt.Rectangle((cols.index(best[col]), rows.index(best[row])), 1, 1, fill=False,
                               edgecolor="#d62728", linewidth=2.5, label="best"))
    handles = [Line2D([], [], color="#d62728", linewidth=2.5, label="best by cross-validation")]
    found = _used_row(table, used)
    if found is not None:
        ax.add_patch(plt.Rectangle((cols.index(keys.loc[found, col]), rows.index(keys.loc[found, row])), 1, 1,
                                   fill=False, edgecolor="white", linewidth=2.0, linestyle="--"))
        handles.append(Line2D([], [], color="black", linewidth=2.0, linestyle="--", label="used in this notebook"))
    ax.set_xlabel(col)
    ax.set_ylabel(row)
    ax.tick_params(axis="y", rotation=0)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, frameon=False)
    ax.set_title(title)
    return fig


def loglog_scaling(
    xs,
    series: Mapping[str, Sequence[float]],
    xlabel: str,
    ylabel: str,
    title: str,
    reference_slope: float | None = None,
    ax=None,
    colors: Mapping[str, str] | None = None,
    linestyles: Mapping[str, str] | None = None,
) -> Figure:
    """Log-log lines with markers, e.g. time against number of rows.

    Parameters
    ----------
    xs : array-like of shape (k,), or mapping name -> array-like
        The x values shared by all series (or one per series).
    series : mapping name -> array-like of shape (k,)
        The y values per series (NaN points are skipped).
    xlabel, ylabel, title : str
        Axis labels and title.
    reference_slope : float, optional
        If given (e.g. 1 for linear scaling), a grey dotted line of that slope through
        the first point of the first series.
    ax : Axes, optional
        Draw into this axes instead of a new figure.
    colors : mapping name -> colour or model name, optional
        The colour of each series, e.g. ``{"NumPy MLP, 2 thr": "NumPy MLP"}`` (a model name
        is resolved with :func:`color_for`, so one model keeps one colour); default:
        ``color_for(name)``.
    linestyles : mapping name -> matplotlib line style, optional
        E.g. one style per thread count; default solid.

    Returns
    -------
    Figure
    """
    colors, linestyles = colors or {}, linestyles or {}
    fig, ax = _new_axes(ax, figsize=(6.0, 4.5))
    first = None
    for name, ys in series.items():
        x = np.asarray(xs[name] if isinstance(xs, Mapping) else xs, dtype=float)
        y = np.asarray(ys, dtype=float)
        ok = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
        color = colors.get(name, name)
        color = color if str(color).startswith("#") else color_for(color)
        ax.plot(x[ok], y[ok], marker="o", color=color, linestyle=linestyles.get(name, "-"), linewidth=1.5, label=name)
        if first is None and ok.any():
            first = (x[ok], y[ok])
    if reference_slope is not None and first is not None:
        x0, y0 = first[0][0], first[1][0]
        xr = np.array([first[0].min(), first[0].max()])
        ax.plot(xr, y0 * (xr / x0) ** reference_slope, color="0.5", linestyle=":", linewidth=1.3,
                label=f"slope {reference_slope:g} reference")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    ax.grid(True, which="both", linewidth=0.4, alpha=0.5)
    return fig
