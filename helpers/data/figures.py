"""Figures of the data notebook (01): the class balance and the no-show rate by group.

Every figure function takes plain data (dicts, arrays, data frames -- never model objects), labels
its axes, title and legend, and returns the :class:`matplotlib.figure.Figure`; nothing calls
``plt.show``. Colours and saving come from :mod:`helpers.style`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from helpers.style import CLASS_COLORS, FALLBACK_COLORS, new_axes, pct


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
    fig, ax = new_axes(ax, figsize=(5.0, 3.8))
    labels = [str(k) for k in counts]
    values = np.array([int(v) for v in counts.values()])
    total = values.sum()
    colors = [CLASS_COLORS[i] if i < 2 else FALLBACK_COLORS[i % len(FALLBACK_COLORS)] for i in range(len(labels))]
    bars = ax.bar(labels, values, color=colors, edgecolor="black", linewidth=0.6)
    for bar, v in zip(bars, values):
        share = v / total if total else 0.0
        ax.annotate(
            f"{v:,}\n({pct(share)})",
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
    table: pd.DataFrame,
    column: str,
    order: Sequence | None = None,
    ax_title: str | None = None,
    overall_rate: float | None = None,
    ax=None,
) -> Figure:
    """No-show rate per group, with its 95 % Wilson interval, from a rate table.

    Parameters
    ----------
    table : DataFrame
        :func:`helpers.data.eda.rate_table`: one row per group (in display order) with ``rows``,
        ``no_shows``, ``no_show_rate``, ``low`` and ``high``.
    column : str
        The grouping column's name (the x-axis label).
    order : sequence, optional
        Group order on the x-axis (default: the table's); groups not in ``table`` are skipped.
    ax_title : str, optional
        Axes title (default: "No-show rate by <column>").
    overall_rate : float, optional
        Reference rate drawn as a dashed line (default: all rows' rate).
    ax : Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    Figure
        Bars of the rate (in %) per group; tick labels carry the row counts.
    """
    if order is not None:
        table = table.reindex([o for o in order if o in table.index])
    n = table["rows"].to_numpy()
    rate, lo, hi = (table[c].to_numpy() for c in ("no_show_rate", "low", "high"))
    labels = [f"{c}\n(n={int(m):,})" for c, m in zip(table.index, n)]
    fig, ax = new_axes(ax, figsize=(max(5.0, 0.9 * len(labels) + 2.0), 4.0))
    x = np.arange(len(labels))
    ax.bar(x, 100 * rate, color=CLASS_COLORS[1], alpha=0.8, edgecolor="black", linewidth=0.5)
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
    overall = float(table["no_shows"].sum() / n.sum()) if overall_rate is None else float(overall_rate)
    ax.axhline(100 * overall, color="0.3", linestyle="--", linewidth=1.2, label=f"Overall ({pct(overall)})")
    ax.set_xticks(x, labels)
    ax.set_ylabel("No-show rate (%)")
    ax.set_xlabel(column.replace("_", " "))
    ax.set_title(ax_title or f"No-show rate by {column.replace('_', ' ')}")
    ax.set_ylim(0, max(100 * np.nanmax(hi, initial=overall), 100 * overall) * 1.15 + 1e-9)
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper right")
    return fig


def participant_flow(ledger: Sequence[Mapping], balance: Mapping[str, Mapping], patients: Mapping[str, int] | None = None,
                     title: str = "Participant flow (TRIPOD+AI 20a)") -> Figure:
    """The flow of appointments from the file to the parts of the split, with every count.

    Parameters
    ----------
    ledger : sequence of dict
        The cleaning ledger (``meta["ledger"]`` of the prepared data): ``step``, ``action``
        (``"dropped"`` or ``"-"``), ``rows``, ``rows_left``, starting with the rows read.
    balance : mapping part -> dict
        ``meta["balance"]``: per part (``train``, ``val``, ``test``) its ``rows`` and ``no_show``.
    patients : mapping part -> int, optional
        Distinct patients per part (``meta["split"]["patients"]``).
    title : str

    Returns
    -------
    Figure
        Boxes top to bottom: rows read, then kept; each drop as a side box with its count; then one
        box per part with its rows, no-shows (and patients).
    """
    import matplotlib.pyplot as plt

    drops = [e for e in ledger if e["action"] == "dropped"]
    read = ledger[0]["rows"]
    kept = ledger[-1]["rows_left"]
    parts = [p for p in ("train", "val", "test") if p in balance]
    fig, ax = plt.subplots(figsize=(9.0, 2.2 + 0.55 * max(len(drops), 1) + 1.6), layout="constrained")
    ax.set_axis_off()
    box = {"boxstyle": "round,pad=0.5", "facecolor": "#f4f4f4", "edgecolor": "0.35"}
    drop_box = {**box, "facecolor": "#fbeaea"}
    height = 3 + len(drops)
    ax.set_xlim(0, 10)
    ax.set_ylim(-0.5, height + 0.5)
    y = height
    ax.text(3.0, y, f"Appointments read\n{read:,} rows", ha="center", va="center", bbox=box)
    for i, e in enumerate(drops):
        ax.text(7.3, y - 1 - i * 0.9 + 0.45, f"Excluded: {e['step']}\n{e['rows']:,} rows", ha="center", va="center",
                fontsize=9, bbox=drop_box)
        ax.annotate("", xy=(5.6, y - 1 - i * 0.9 + 0.45), xytext=(3.0, y - 1 - i * 0.9 + 0.45),
                    arrowprops={"arrowstyle": "->", "color": "0.35"})
    y_kept = y - 1.2 - max(len(drops), 1) * 0.9
    ax.annotate("", xy=(3.0, y_kept + 0.35), xytext=(3.0, y - 0.35), arrowprops={"arrowstyle": "->", "color": "0.35"})
    ax.text(3.0, y_kept, f"Appointments analysed\n{kept:,} rows", ha="center", va="center", bbox=box)
    for i, part in enumerate(parts):
        x = 1.5 + i * 3.2
        b = balance[part]
        text = f"{part}\n{b['rows']:,} rows, {b['no_show']:,} no-shows"
        if patients and part in patients:
            text += f"\n{patients[part]:,} patients"
        ax.annotate("", xy=(x, 0.55), xytext=(3.0, y_kept - 0.4), arrowprops={"arrowstyle": "->", "color": "0.35"})
        ax.text(x, 0.0, text, ha="center", va="center", fontsize=9, bbox=box)
    ax.set_title(title)
    return fig
