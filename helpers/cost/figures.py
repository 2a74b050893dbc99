"""Figures and tables of the cost study (notebook 06), drawn from a benchmark record.

Every function takes the record as read from ``bench.json`` / ``bench_light.json`` (JSON keys are
strings) and returns a :class:`matplotlib.figure.Figure` or a :class:`pandas.DataFrame`. One colour
per backend everywhere (:func:`helpers.style.color_for`); within a backend, hatches and shades
tell phases, memory steps and variants apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from helpers.compare.week1 import WEEK1_QUOTED
from helpers.cost.profiling import PHASE_LABELS, PHASES
from helpers.cost.record import BACKENDS
from helpers.style import color_for, new_axes

__all__ = ["phase_bars", "gflops_bars", "memory_stack_bars", "variant_bars", "all_figures", "figure", "environment_table",
           "speed_table", "phase_table", "arithmetic_table", "variant_table", "memory_table", "week1_table",
           "targets_table"]

_HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "++")


def _shade(i: int, n: int) -> float:
    """Opacity of the ``i``-th of ``n`` segments: from solid to pale."""
    return 1.0 - 0.7 * i / max(n - 1, 1)


def _flat(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """One readable index label per row (``"NumPy MLP, 512"``) instead of a tuple."""
    frame.index = [", ".join(f"{v:,}" if isinstance(v, (int, np.integer)) else str(v) for v in key)
                   for key in frame.index]
    return frame.rename_axis(name)


def _sorted_batches(per: dict) -> list[int]:
    return sorted(int(b) for b in per)


def phase_bars(bench: dict) -> Figure:
    """Per-step time split into phases, one panel per batch size, a stacked bar per backend.

    A black tick marks the step time measured without the phase timers.
    """
    phases = bench["summary"]["phases"]
    batches = _sorted_batches(phases.get("numpy", {}))
    fig, axes = plt.subplots(1, len(batches), figsize=(3.4 * len(batches), 4.2), layout="constrained", squeeze=False)
    for ax, batch in zip(axes[0], batches):
        for x, backend in enumerate(BACKENDS):
            cell = phases[backend][str(batch)]
            bottom = 0.0
            for i, phase in enumerate(PHASES):
                ms = cell["phases"][phase] * 1e3
                ax.bar(x, max(ms, 0), bottom=bottom, color=color_for(backend), alpha=_shade(i, len(PHASES)),
                       hatch=_HATCHES[i], edgecolor="black", linewidth=0.4)
                bottom += max(ms, 0)
            ax.plot([x - 0.45, x + 0.45], [cell["step_seconds"] * 1e3] * 2, color="black", linewidth=2)
        ax.set_xticks(range(len(BACKENDS)), [BACKENDS[b].replace(" MLP", "") for b in BACKENDS])
        ax.set_title(f"batch {batch:,}")
        ax.set_ylabel("ms per training step")
    handles = [Patch(facecolor="0.5", alpha=_shade(i, len(PHASES)), hatch=_HATCHES[i], edgecolor="black",
                     label=PHASE_LABELS[p]) for i, p in enumerate(PHASES)]
    handles.append(plt.Line2D([], [], color="black", linewidth=2, label="step time without timers"))
    fig.legend(handles=handles, loc="outside lower center", ncol=4, frameon=False)
    fig.suptitle(f"Where a training step's time goes ({bench['summary'].get('target_threads', 1)} thread)")
    return fig


def gflops_bars(bench: dict) -> Figure:
    """Achieved GFLOP/s per backend and batch size, its products' rate alone (black ticks) and the GEMM rate."""
    s = bench["summary"]
    arith, one = s["arithmetic"], s.get("target_threads", 1)
    batches = _sorted_batches(arith.get("numpy", {}))
    fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
    width = 0.38
    for k, backend in enumerate(BACKENDS):
        per = arith.get(backend, {})
        values = [per[str(b)]["achieved_gflops"] if str(b) in per else np.nan for b in batches]
        x = np.arange(len(batches)) + (k - 0.5) * width
        ax.bar(x, values, width, color=color_for(backend), edgecolor="black", linewidth=0.4,
               label=f"{BACKENDS[backend]}: training")
        floor = [per[str(b)].get("products_gflops", np.nan) if str(b) in per else np.nan for b in batches]
        if not np.all(np.isnan(floor)):
            ax.scatter(x, floor, marker="_", s=420, linewidths=2.2, color="black", zorder=3,
                       label="its matrix products alone" if k == 0 else None)
        rate = s["gemm"].get(f"{backend}/{one}")
        if rate:
            ax.axhline(rate, color=color_for(backend), linestyle="--", linewidth=1.3,
                       label=f"{BACKENDS[backend]}: one large GEMM ({rate:.0f})")
    ax.set_xticks(range(len(batches)), [f"{b:,}" for b in batches])
    ax.set_xlabel("batch size")
    ax.set_ylabel("GFLOP/s (matrix products only)")
    ax.set_yscale("log")
    ax.set_title("Arithmetic rate of training against this machine's GEMM rate")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    return fig


def memory_stack_bars(bench: dict) -> Figure:
    """A fresh process's resident memory as the pieces are added, one horizontal stacked bar per backend."""
    stacks = bench["summary"]["memory_stack"]
    names = [b for b in BACKENDS if b in stacks]
    fig, ax = plt.subplots(figsize=(9, 2.2 + 1.1 * len(names)), layout="constrained")
    labels_seen = {}  # one shade and hatch per step, in the order of the longest stack
    for step in max(stacks.values(), key=len):
        labels_seen.setdefault(step["step"], len(labels_seen))
    for y, backend in enumerate(names):
        steps = stacks[backend]
        left = 0.0
        for i, step in enumerate(steps):
            width = step["rss_mb"] - left
            j = labels_seen.setdefault(step["step"], len(labels_seen))
            ax.barh(y, max(width, 0), left=left, color=color_for(backend), alpha=_shade(j, 7), hatch=_HATCHES[j % 7],
                    edgecolor="black", linewidth=0.4)
            if width > 25:
                ax.text(left + width / 2, y, f"{width:.0f}", ha="center", va="center", fontsize=8)
            left = max(left, step["rss_mb"])
        ax.text(left, y, f" {left:.0f} MB", va="center", fontsize=9)
    ax.set_yticks(range(len(names)), [BACKENDS[b] for b in names])
    ax.invert_yaxis()
    ax.set_xlabel("resident memory of the process (MB)")
    handles = [Patch(facecolor="0.5", alpha=_shade(j, 7), hatch=_HATCHES[j % 7], edgecolor="black", label=label)
               for label, j in labels_seen.items()]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, frameon=False, fontsize=8)
    ax.set_title("Where a training process's memory goes (fresh process, pieces added in order)")
    ax.set_xlim(0, max(s[-1]["rss_mb"] for s in stacks.values()) * 1.15)
    return fig


def variant_bars(bench: dict) -> Figure:
    """Epoch time of NumPy, the plain PyTorch twin and its variants, per batch size."""
    v = bench["summary"]["variants"]
    series = {"NumPy": v.get("numpy", {}), **{f"PyTorch {k}": per for k, per in v["epoch_seconds"].items()}}
    batches = _sorted_batches(v["epoch_seconds"].get("plain", {}))
    fig, ax = plt.subplots(figsize=(7.5, 4.2), layout="constrained")
    width = 0.8 / len(series)
    for k, (name, per) in enumerate(series.items()):
        backend = "numpy" if name == "NumPy" else "torch"
        values = [per.get(str(b), np.nan) for b in batches]
        ax.bar(np.arange(len(batches)) + (k - (len(series) - 1) / 2) * width, values, width, label=name,
               color=color_for(backend), hatch=_HATCHES[k % 7], edgecolor="black", linewidth=0.4,
               alpha=1.0 if k < 2 else 0.75)
    ax.set_xticks(range(len(batches)), [f"{b:,}" for b in batches])
    ax.set_xlabel("batch size")
    ax.set_ylabel("seconds per epoch (1 thread)")
    ax.set_title("What a PyTorch user would try, against NumPy")
    ax.legend(fontsize=8)
    return fig


#: The figures :func:`bench_figures` draws (the log-log ones), by file-name stem.
_BENCH_FIGURES = ("epoch_vs_batch", "epoch_seconds_vs_rows", "peak_mb_vs_rows")
#: The figures of this module by file-name stem: (builder, whether a record has its data).
_BUILDERS = {
    "phase_breakdown": (phase_bars, lambda s: bool(s.get("phases", {}).get("numpy") and s["phases"].get("torch"))),
    "gflops": (gflops_bars, lambda s: bool(s.get("arithmetic", {}).get("numpy"))),
    "memory_stack": (memory_stack_bars, lambda s: bool(s.get("memory_stack"))),
    "variants": (variant_bars, lambda s: bool(s.get("variants", {}).get("epoch_seconds", {}).get("plain"))),
}


def all_figures(bench: dict) -> dict[str, Figure]:
    """Every cost figure the record allows, by file-name stem (for saving them all at once)."""
    figs = dict(bench_figures(bench))
    figs.update({name: build(bench) for name, (build, has) in _BUILDERS.items() if has(bench["summary"])})
    return figs


def figure(bench: dict, name: str) -> Figure | None:
    """The one cost figure ``name`` (a stem of :func:`all_figures`), or None when the record lacks its data.

    Only that figure stays open, so a notebook cell that calls ``plt.show()`` after it shows it
    alone, in its own section.
    """
    if name in _BUILDERS:
        build, has = _BUILDERS[name]
        return build(bench) if has(bench["summary"]) else None
    if name not in _BENCH_FIGURES:
        raise ValueError(f"unknown cost figure {name!r}; known: {sorted([*_BUILDERS, *_BENCH_FIGURES])}")
    figs = bench_figures(bench)  # epoch_vs_batch and the rows figures, drawn together
    for other in [k for k in figs if k != name]:
        plt.close(figs.pop(other))
    return figs.get(name)


# ----------------------------------------------------------------------------- tables
def environment_table(bench: dict) -> pd.Series:
    """When, where and with what the benchmark ran."""
    versions = bench.get("versions", {})
    return pd.Series({
        "measured (UTC)": bench["created_utc"], "mode": bench.get("mode", "full"),
        "wall time of the benchmark (s)": round(bench.get("wall_seconds", float("nan")), 1),
        "CPU": bench["machine"].get("cpu_model", "-"), "logical CPUs": bench["machine"]["cpus"],
        "thread counts": ", ".join(map(str, bench["threads"])), "training runs per setting": bench["repeats"],
        **{f"version: {k}": v for k, v in versions.items()},
    }, name="value")


def speed_table(bench: dict) -> pd.DataFrame:
    """Training to early stop and peak memory per backend and thread count."""
    rows = {key: {"train to early stop (s)": v["seconds"], "epochs": v["epochs"], "s / epoch": v["epoch_seconds"],
                  "peak MB (getrusage)": v["rusage_peak_mb"], "peak MB (memory_profiler)": v["peak_mb"]}
            for key, v in bench["summary"]["train"].items()}
    return pd.DataFrame(rows).T.rename_axis("backend / threads")


def phase_table(bench: dict) -> pd.DataFrame:
    """Milliseconds per step in each phase, the measured step time and the check."""
    rows = {}
    for backend, per in bench["summary"]["phases"].items():
        for b in _sorted_batches(per):
            cell = per[str(b)]
            rows[(BACKENDS[backend], b)] = {**{PHASE_LABELS[p]: cell["phases"][p] * 1e3 for p in PHASES},
                                            "sum of phases": cell["instrumented_step_seconds"] * 1e3,
                                            "step (no timers)": cell["step_seconds"] * 1e3,
                                            "gap": cell["phase_sum_error"]}
    return _flat(pd.DataFrame(rows).T, "backend, batch size")


def arithmetic_table(bench: dict) -> pd.DataFrame:
    """Epoch time, achieved GFLOP/s, the GEMM-rate bound and the products-alone floor per backend and batch."""
    rows = {}
    for backend, per in bench["summary"]["arithmetic"].items():
        for b in _sorted_batches(per):
            v = per[str(b)]
            rows[(BACKENDS[backend], b)] = {"s / epoch": v["epoch_seconds"], "GFLOP/s achieved": v["achieved_gflops"],
                                            "GEMM GFLOP/s": v["gemm_gflops"], "GEMM-rate time (s)": v["gemm_bound_seconds"],
                                            "epoch / GEMM-rate time": v["x_bound"],
                                            "products alone (s)": v.get("products_seconds", np.nan),
                                            "products / GEMM-rate time": v.get("products_x_bound", np.nan)}
    return _flat(pd.DataFrame(rows).T, "backend, batch size")


def variant_table(bench: dict) -> pd.DataFrame:
    """Seconds per epoch of NumPy and each PyTorch variant, per batch size (and compile's one-off cost)."""
    v = bench["summary"]["variants"]
    rows = {"NumPy": v.get("numpy", {}), **{f"PyTorch {k}": per for k, per in v["epoch_seconds"].items()}}
    batches = _sorted_batches(v["epoch_seconds"].get("plain", {}))
    frame = pd.DataFrame({name: {f"s / epoch, batch {b:,}": per.get(str(b), np.nan) for b in batches}
                          for name, per in rows.items()}).T
    for state, run in v.get("compile", {}).items():
        frame.loc["PyTorch torch.compile", f"compile s ({state} cache)"] = max(run["compile_seconds"].values())
    return frame


def memory_table(bench: dict) -> pd.DataFrame:
    """Resident MB after each step of the memory stack, the increment, and its private and file-backed parts."""
    rows = {}
    for backend, steps in bench["summary"]["memory_stack"].items():
        for step in steps:
            rows[(BACKENDS[backend], step["step"])] = {"MB": step["rss_mb"], "added MB": step["added_mb"],
                                                       "private MB": step.get("anon_mb", np.nan),
                                                       "mapped files MB": step.get("file_mb", np.nan)}
    return _flat(pd.DataFrame(rows).T, "backend, step")


def week1_table(bench: dict) -> pd.DataFrame:
    """The one-process measurement, step by step, beside the week-1 report's quoted figures."""
    w = bench["summary"]["week1"]
    frame = pd.DataFrame({step["step"]: {"MB": step["rss_mb"]} for step in w["steps"]}).T
    frame["week-1 report (quoted)"] = np.nan
    frame.loc["+ numpy model fitted", "MB"] = w["numpy_fit_peak_mb"]
    frame.loc["+ torch model fitted", "MB"] = w["torch_fit_peak_mb"]
    frame.loc["+ numpy model fitted", "week-1 report (quoted)"] = float(WEEK1_QUOTED["peak_mb"].iloc[0])
    frame.loc["+ torch model fitted", "week-1 report (quoted)"] = float(WEEK1_QUOTED["peak_mb"].iloc[1])
    frame.index = [i.replace("model fitted", "fit (memory_profiler peak)") for i in frame.index]
    return frame.rename_axis("one process, in order")


def targets_table(bench: dict) -> pd.DataFrame:
    """Each target, the value measured in this run and whether it is met."""
    return pd.DataFrame({t["label"]: {"measured": t["value"], "limit": t["limit"], "met": "yes" if t["met"] else "no"}
                         for t in bench["summary"]["targets"]}).T.rename_axis("target")



def bench_figures(bench: dict) -> dict:
    """Log-log figures from a bench record as read from ``bench.json`` (its keys are strings):
    epoch time vs batch size, epoch time and memory vs rows."""
    s = bench["summary"]
    figs = {}
    series, xs, colors, styles = {}, {}, {}, {}
    dashes = ["-", "--", ":", "-."]
    for key, per_batch in s["batch"].items():
        backend, t = key.split("/")
        if per_batch:
            name = f"{BACKENDS[backend]}, {t} thr"
            series[name] = [per_batch[b] for b in sorted(per_batch, key=int)]
            xs[name] = sorted(int(b) for b in per_batch)
            colors[name] = BACKENDS[backend]  # colour by backend, line style by thread count
            styles[name] = dashes[sorted(bench["threads"]).index(int(t)) % len(dashes)]
    if series:
        figs["epoch_vs_batch"] = loglog_scaling(xs, series, "batch size", "seconds per epoch", "Epoch time against batch size",
                                                colors=colors, linestyles=styles)
    for what, label in (("epoch_seconds", "seconds per epoch"), ("peak_mb", "peak resident memory (MB)")):
        series, xs = {}, None
        for backend in BACKENDS:
            per_rows = s["rows"].get(backend, {})
            if per_rows:
                xs = sorted(int(r) for r in per_rows)
                series[BACKENDS[backend]] = [per_rows[str(r)][what] for r in xs]
        if series:
            figs[f"{what}_vs_rows"] = loglog_scaling(xs, series, "training rows", label, f"{label.capitalize()} against rows",
                                                     reference_slope=1 if what == "epoch_seconds" else None)
    return figs


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
    fig, ax = new_axes(ax, figsize=(6.0, 4.5))
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
