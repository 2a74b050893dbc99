"""Figures of the model notebooks (02-05): training curves, confusion matrices, PR and ROC curves,
calibration, the imbalance grid and the cross-validation grid.

Every figure function takes plain data (dicts, arrays, data frames -- never model objects), labels
its axes, title and legend, and returns the :class:`matplotlib.figure.Figure`; nothing calls
``plt.show``. Colours and saving come from :mod:`helpers.style`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from sklearn import metrics as skm

from helpers.metrics import operating_point
from helpers.style import color_for, metric_label, new_axes, pct, title_color


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
        annot = np.vectorize(lambda v: pct(v) if normalize else f"{int(round(v)):,}")(m)
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
        axes[i].set_title(name, color=title_color(name))
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


#: What distinguishes the two curve figures: the curve, its score, the chance line, the axes' words.
_CURVES = {
    "pr": {"curve": lambda y, p: skm.precision_recall_curve(y, p)[1::-1], "score": skm.average_precision_score,
           "score_name": "AP", "steps": True, "legend": "upper right", "ylim": 1.02, "square": False,
           "xlabel": "Recall (share of no-shows flagged)", "ylabel": "Precision (share of flags that are no-shows)"},
    "roc": {"curve": lambda y, p: skm.roc_curve(y, p)[:2], "score": skm.roc_auc_score,
            "score_name": "AUC", "steps": False, "legend": "lower right", "ylim": 1.01, "square": True,
            "xlabel": "False positive rate (shows flagged)", "ylabel": "True positive rate (recall)"},
}


def _curves(kind: str, y_true, probas, operating_points, scores, title: str, ax, prevalence=None) -> Figure:
    """Overlaid PR or ROC curves (``kind``), one colour per model, each model's score in the legend."""
    spec = _CURVES[kind]
    y = np.asarray(y_true).astype(int)
    fig, ax = new_axes(ax, figsize=(6.0, 5.0))
    for name, p in probas.items():
        p = np.asarray(p)
        x_values, y_values = spec["curve"](y, p)
        score = scores[name] if scores is not None and name in scores else spec["score"](y, p)
        ax.plot(x_values, y_values, drawstyle="steps-post" if spec["steps"] else "default", color=color_for(name),
                linewidth=1.6, label=f"{name} ({spec['score_name']} = {score:.3f})")
        if operating_points and name in operating_points:
            px, py = operating_point(y, p, operating_points[name], kind)
            ax.plot(px, py, marker="o", markersize=8, color=color_for(name), markeredgecolor="black",
                    linestyle="none")
    if kind == "pr":
        prev = float(y.mean()) if prevalence is None else float(prevalence)
        ax.axhline(prev, color="0.4", linestyle="--", linewidth=1, label=f"Chance (prevalence = {pct(prev)})")
    else:
        ax.plot([0, 1], [0, 1], color="0.4", linestyle="--", linewidth=1, label="Chance")
    _legend_with_operating_points(ax, bool(operating_points), loc=spec["legend"])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, spec["ylim"])
    if spec["square"]:
        ax.set_aspect("equal")
    ax.set_xlabel(spec["xlabel"])
    ax.set_ylabel(spec["ylabel"])
    ax.set_title(title)
    return fig


def pr_curves(
    y_true,
    probas: Mapping[str, np.ndarray],
    operating_points: Mapping[str, float] | None = None,
    prevalence: float | None = None,
    title: str = "Precision-recall curves (test set)",
    ax=None,
    scores: Mapping[str, float] | None = None,
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
    scores : mapping name -> float, optional
        Each model's average precision as the study saved it (the legend shows it); a model
        missing here has it computed from ``probas``.

    Returns
    -------
    Figure
    """
    return _curves("pr", y_true, probas, operating_points, scores, title, ax, prevalence=prevalence)


def roc_curves(
    y_true,
    probas: Mapping[str, np.ndarray],
    operating_points: Mapping[str, float] | None = None,
    title: str = "ROC curves (test set)",
    ax=None,
    scores: Mapping[str, float] | None = None,
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
    scores : mapping name -> float, optional
        Each model's ROC-AUC as the study saved it (the legend shows it); a model missing here
        has it computed from ``probas``.

    Returns
    -------
    Figure
    """
    return _curves("roc", y_true, probas, operating_points, scores, title, ax)


def calibration_curves(
    curves: Mapping[str, Mapping[str, np.ndarray]],
    probas: Mapping[str, np.ndarray] | None = None,
    title: str = "Calibration (smoothed curve, 95 % band over seeds and patients)",
) -> Figure:
    """Smoothed calibration curves with their bands and the diagonal; the predictions' histogram below.

    Parameters
    ----------
    curves : mapping name -> dict
        Per model ``grid``, ``curve``, ``low`` and ``high``, arrays of shape (G,) (as
        :func:`helpers.compare.calibration.smoothed_curves` returns them): the observed no-show rate
        the model's predicted probabilities stand for, and its band.
    probas : mapping name -> array of shape (n,), optional
        Predicted probabilities per model, for the histogram panel (left out when None).
    title : str
        Figure title.

    Returns
    -------
    Figure
        Top: each model's curve (line) and band (shaded), the dashed diagonal "perfectly calibrated".
        Bottom (with ``probas``): histogram of the predicted probabilities. Both axes run from 0 to
        the largest grid value (the band's top, if higher, widens the y-axis).
    """
    if probas is None:
        fig, ax = plt.subplots(figsize=(6.0, 5.0), layout="constrained")
        ax_h = None
    else:
        fig, (ax, ax_h) = plt.subplots(2, 1, figsize=(6.0, 6.5), sharex=True, height_ratios=(3, 1),
                                       layout="constrained")
    x_max = max((float(np.max(c["grid"])) for c in curves.values()), default=1.0)
    y_max = max([x_max, *(float(np.nanmax(c["high"])) for c in curves.values())])
    x_max, y_max = min(1.0, 1.05 * x_max), min(1.0, 1.05 * y_max)
    ax.plot([0, 1], [0, 1], color="0.4", linestyle="--", linewidth=1, label="Perfectly calibrated")
    for name, c in curves.items():
        color = color_for(name)
        ax.fill_between(c["grid"], c["low"], c["high"], color=color, alpha=0.2, linewidth=0)
        ax.plot(c["grid"], c["curve"], color=color, linewidth=1.6, label=name)
    ax.set_xlim(0, x_max)
    ax.set_ylim(0, y_max)
    ax.set_ylabel("Observed no-show rate (smoothed)")
    ax.legend(loc="upper left")
    if ax_h is None:
        ax.set_xlabel("Predicted probability")
    else:
        bins = np.linspace(0, x_max, 41)
        for name, p in probas.items():
            ax_h.hist(np.asarray(p, dtype=float), bins=bins, histtype="step", color=color_for(name), linewidth=1.3)
        ax_h.set_xlabel("Predicted probability")
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
            xticklabels=[metric_label(m) for m in metrics],
            yticklabels=cells,
            linewidths=0.5,
            linecolor="white",
        )
        axes[i].set_title(backend, color=title_color(backend))
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
        From :func:`helpers.study.tuning.cross_validate_grid`: one row per setting with the columns
        ``row``, ``col``, ``cv_pr_auc`` and ``rank``.
    row, col : str
        The parameters on the y and x axes.
    used : index label or boolean array of shape (n_settings,), optional
        The row of ``table`` holding the setting actually trained, outlined with a dashed box:
        its index label (e.g. from :func:`helpers.study.tuning.find_setting`) or a mask that is True
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




def decision_curves(
    evidence: Mapping[str, Mapping],
    title: str = "Decision curves (net benefit, 95 % band over seeds and patients)",
) -> Figure:
    """Net benefit against threshold probability for each model, reminding everyone and reminding no one.

    Parameters
    ----------
    evidence : mapping name -> dict
        As :func:`helpers.compare.decision.decision_evidence` returns it: per model, and for
        ``"Remind everyone"``, arrays ``thresholds``, ``net_benefit``, ``low`` and ``high`` of shape (T,);
        ``"Remind everyone"`` may also hold the ``prevalence``.
    title : str
        Axes title.

    Returns
    -------
    Figure
        Each model's curve (line) and band (shaded, alpha 0.2) in its colour; "Remind everyone" dashed
        grey with its band; "Remind no one" a black line at 0. The y-axis runs from -15 % to 110 % of
        the highest curve or band (at least the prevalence), so the steep fall of "remind everyone" at
        high thresholds is cut off and the region where the curves differ stays readable.
    """
    fig, ax = plt.subplots(figsize=(7.0, 4.6), layout="constrained")
    everyone = "Remind everyone"
    tops = []
    for name, e in evidence.items():
        t = np.asarray(e["thresholds"], dtype=float)
        if name == everyone:
            ax.fill_between(t, e["low"], e["high"], color="0.4", alpha=0.15, linewidth=0)
            ax.plot(t, e["net_benefit"], color="0.3", linestyle="--", linewidth=1.4, label=everyone)
            tops.append(float(e.get("prevalence", np.nanmax(e["high"]))))
        else:
            color = color_for(name)
            ax.fill_between(t, e["low"], e["high"], color=color, alpha=0.2, linewidth=0)
            ax.plot(t, e["net_benefit"], color=color, linewidth=1.6, label=name)
            tops.append(float(np.nanmax(e["high"])))
    ax.axhline(0.0, color="black", linewidth=1.0, label="Remind no one")
    top = 1.1 * max([v for v in tops if np.isfinite(v)] or [0.1])
    top = top if top > 0 else 0.1
    ax.set_ylim(-0.15 * top, top)
    grids = [np.asarray(e["thresholds"], dtype=float) for e in evidence.values()]
    if grids:
        ax.set_xlim(min(g.min() for g in grids), max(g.max() for g in grids))
    ax.set_xlabel("Threshold probability")
    ax.set_ylabel("Net benefit (no-shows caught per patient)")
    ax.legend(loc="upper right")
    ax.set_title(title)
    return fig
