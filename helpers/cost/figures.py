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
from helpers.cost.profiling import (
    PHASE_LABELS,
    PHASES,
    SKLEARN_PART_LABELS,
    SKLEARN_PARTS,
    SKLEARN_PHASE_OF,
)
from helpers.cost.record import BACKENDS, CONTESTANT, LABELS
from helpers.style import color_for, new_axes

__all__ = ["phase_bars", "gflops_bars", "memory_stack_bars", "variant_bars", "contestant_bars", "rows_figures",
           "all_figures", "figure", "environment_table", "speed_table", "ratio_table", "private_memory_table",
           "phase_table", "arithmetic_table", "products_table", "variant_table", "switch_table", "memory_table",
           "week1_table", "rows_table", "rows_detail_table", "targets_table", "contestant_table",
           "contestant_parts_table", "same_work_table"]

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
    """A fresh process's resident memory as the pieces are added, one horizontal stacked bar per backend, with
    its private memory at the end of training: USS (solid black tick, the targets' measure), PSS (dotted tick)
    and the USS target (red dashed tick); the bar's end is the peak RSS."""
    s = bench["summary"]
    stacks, one = s["memory_stack"], s.get("target_threads", 1)
    names = [b for b in LABELS if b in stacks]
    fig, ax = plt.subplots(figsize=(9, 2.4 + 1.1 * len(names)), layout="constrained")
    labels_seen = {}  # one shade and hatch per step, in the order of the longest stack
    for step in max(stacks.values(), key=len):
        labels_seen.setdefault(step["step"], len(labels_seen))
    marks = {}
    for y, backend in enumerate(names):
        steps = stacks[backend]
        left = 0.0
        for step in steps:
            width = step["rss_mb"] - left
            j = labels_seen.setdefault(step["step"], len(labels_seen))
            ax.barh(y, max(width, 0), left=left, color=color_for(LABELS[backend]), alpha=_shade(j, 7), hatch=_HATCHES[j % 7],
                    edgecolor="black", linewidth=0.4)
            if width > 25:
                ax.text(left + width / 2, y, f"{width:.0f}", ha="center", va="center", fontsize=8)
            left = max(left, step["rss_mb"])
        train = s["train"].get(f"{backend}/{one}", {})
        label = f" {left:.0f} MB peak RSS"
        for key, style, name in (("uss_mb", "-", "USS at the end of training"), ("pss_mb", ":", "PSS at the end of training")):
            value = train.get(key, np.nan)
            if np.isfinite(value):
                marks[name] = ax.plot([value] * 2, [y - 0.45, y + 0.45], color="black", linestyle=style, linewidth=2.4)[0]
                label += f", {key[:3].upper()} {value:.0f}"
        limit = next((t["limit"] for t in s.get("targets", []) if t["key"] == f"{backend}_uss_mb"), None)
        if limit is not None:
            marks["USS target"] = ax.plot([limit] * 2, [y - 0.5, y + 0.5], color="#c0392b", linestyle="--",
                                          linewidth=1.8)[0]
        ax.text(left, y, label, va="center", fontsize=8)
    ax.set_yticks(range(len(names)), [LABELS[b] for b in names])
    ax.invert_yaxis()
    ax.set_xlabel("memory of the process (MB)")
    handles = [Patch(facecolor="0.5", alpha=_shade(j, 7), hatch=_HATCHES[j % 7], edgecolor="black", label=label)
               for label, j in labels_seen.items()]
    handles += [plt.Line2D([], [], color=line.get_color(), linestyle=line.get_linestyle(), linewidth=2, label=name)
                for name, line in marks.items()]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, frameon=False, fontsize=8)
    ax.set_title("Where a training process's memory goes (resident pieces added in order; ticks: private memory)")
    ax.set_xlim(0, max(steps[-1]["rss_mb"] for steps in stacks.values()) * 1.45)
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


def _contestant_steps(bench: dict) -> dict[int, dict]:
    """Per profiled batch size: milliseconds per step of the NumPy twin's phases (None where its phases were not
    timed at that batch size) and of the contestant's parts, each part under the twin's phase it belongs to."""
    s = bench["summary"]
    out = {}
    for b, cell in sorted(s.get("contestant", {}).get("profile", {}).items(), key=lambda kv: int(kv[0])):
        twin = s.get("phases", {}).get("numpy", {}).get(str(b))
        parts = {p: cell["parts"][p] / cell["steps"] * 1e3 for p in SKLEARN_PARTS if p != "checks"}
        out[int(b)] = {"numpy": {p: twin["phases"][p] * 1e3 for p in PHASES} if twin else None, "sklearn": parts,
                       "sklearn_phases": {p: v * 1e3 for p, v in cell["phases"].items()},
                       "numpy_step": twin["step_seconds"] * 1e3 if twin else np.nan,
                       "sklearn_step": cell["step_seconds"] * 1e3}
    return out


def contestant_bars(bench: dict) -> Figure:
    """Milliseconds per training step by phase, the NumPy twin against scikit-learn's MLPClassifier, one panel
    per profiled batch size; scikit-learn's bar of each phase is split into its parts (hatches). The checks of
    each ``partial_fit`` call, once per epoch, are left out (the appendix table has them)."""
    steps = _contestant_steps(bench)
    label = LABELS[CONTESTANT]
    fig, axes = plt.subplots(1, len(steps), figsize=(4.6 * len(steps), 4.6), layout="constrained", squeeze=False,
                             sharey=True)
    shown = [p for p in SKLEARN_PARTS if p != "checks"]
    for ax, (batch, cell) in zip(axes[0], steps.items()):
        for y, phase in enumerate(PHASES):
            if cell["numpy"] is not None:
                ax.barh(y - 0.2, max(cell["numpy"][phase], 0), 0.38, color=color_for("numpy"), edgecolor="black",
                        linewidth=0.4)
            left = 0.0
            for part in (p for p in shown if SKLEARN_PHASE_OF[p] == phase):
                width = max(cell["sklearn"][part], 0)
                i = shown.index(part)
                ax.barh(y + 0.2, width, 0.38, left=left, color=color_for(label), edgecolor="black", linewidth=0.4,
                        hatch=_HATCHES[i % len(_HATCHES)], alpha=_shade(i % 4, 4))
                left += width
        ax.set_yticks(range(len(PHASES)), [PHASE_LABELS[p] for p in PHASES])
        ax.invert_yaxis()
        ax.set_xlabel("ms per training step")
        twin = f"{cell['numpy_step']:.2f} ms NumPy MLP, " if np.isfinite(cell["numpy_step"]) else ""
        ax.set_title(f"batch {batch:,}\nstep: {twin}{cell['sklearn_step']:.2f} ms scikit-learn", fontsize=10)
    handles = [Patch(facecolor=color_for("numpy"), edgecolor="black", label=LABELS["numpy"]),
               *[Patch(facecolor=color_for(label), hatch=_HATCHES[i % len(_HATCHES)], edgecolor="black",
                       alpha=_shade(i % 4, 4), label=f"{label}: {SKLEARN_PART_LABELS[p]}") for i, p in enumerate(shown)]]
    fig.legend(handles=handles, loc="outside lower center", ncol=2, frameon=False, fontsize=8)
    fig.suptitle(f"Where a training step's time goes: the NumPy MLP against {label} "
                 f"({bench['summary'].get('target_threads', 1)} thread)")
    return fig


#: The figures :func:`bench_figures` draws (the log-log ones), by file-name stem.
_BENCH_FIGURES = ("epoch_vs_batch", "epoch_seconds_vs_rows", "peak_mb_vs_rows")
#: The figures of this module by file-name stem: (builder, whether a record has its data).
_BUILDERS = {
    "phase_breakdown": (phase_bars, lambda s: bool(s.get("phases", {}).get("numpy") and s["phases"].get("torch"))),
    "gflops": (gflops_bars, lambda s: bool(s.get("arithmetic", {}).get("numpy"))),
    "memory_stack": (memory_stack_bars, lambda s: bool(s.get("memory_stack"))),
    "variants": (variant_bars, lambda s: bool(s.get("variants", {}).get("epoch_seconds", {}).get("plain"))),
    "contestant": (contestant_bars, lambda s: bool(s.get("contestant", {}).get("profile"))),
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
    """The training runs per backend and thread count: time, epochs, what stopped them (early stopping, or the
    light benchmark's cap on the contestant's epochs) and every memory reading."""
    rows = {key: {"train (s)": v["seconds"], "epochs": v["epochs"], "s / epoch": v["epoch_seconds"],
                  "stopped by": f"a cap of {v['max_epochs']} epochs" if v.get("max_epochs") else "early stopping",
                  "USS at end (MB)": v.get("uss_mb", np.nan), "PSS at end (MB)": v.get("pss_mb", np.nan),
                  "peak RSS (MB, getrusage)": v["rusage_peak_mb"], "peak RSS (MB, memory_profiler)": v["peak_mb"]}
            for key, v in bench["summary"]["train"].items()}
    return pd.DataFrame(rows).T.rename_axis("backend / threads")


def _targets(bench: dict) -> dict[str, dict]:
    return {t["key"]: t for t in bench["summary"].get("targets", [])}


def ratio_table(bench: dict) -> pd.DataFrame:
    """NumPy / PyTorch epoch time per batch size and thread count: the median of the interleaved sweep pairs with
    their range, the fastest sweeps' ratio, and the target where one judges it."""
    s = bench["summary"]
    targets = _targets(bench)
    one = s.get("target_threads", 1)
    rows = {}
    for key, v in s.get("ratio_spread", {}).items():
        t = targets.get(f"epoch_ratio_{key.split()[1].rstrip(',')}") if key.endswith(f", {one} thread(s)") else None
        fastest = s["ratios"].get(f"numpy/torch epoch time, {key}", np.nan)
        rows[key] = {"median of pairs": v["value"], "low": v["low"], "high": v["high"], "pairs": len(v["values"]),
                     "fastest sweeps": fastest, "target (at most)": t["limit"] if t else np.nan,
                     "verdict": t["verdict"] if t else "-"}
    return pd.DataFrame(rows).T.rename_axis("NumPy / PyTorch epoch time")


def private_memory_table(bench: dict) -> pd.DataFrame:
    """Per backend (and scikit-learn's MLPClassifier, which has no target): private memory at the end of training
    (USS, the targets' measure; PSS), the peak RSS as context, and the USS target with its verdict."""
    s = bench["summary"]
    targets = _targets(bench)
    one = s.get("target_threads", 1)
    rows = {}
    for backend, label in LABELS.items():
        v = s["train"].get(f"{backend}/{one}")
        if not v:
            continue
        t = targets.get(f"{backend}_uss_mb")
        rows[label] = {"USS (MB)": v.get("uss_mb", np.nan), "PSS (MB)": v.get("pss_mb", np.nan),
                       "peak RSS (MB, getrusage)": v["rusage_peak_mb"], "peak RSS (MB, memory_profiler)": v["peak_mb"],
                       "USS target (MB, at most)": t["limit"] if t else np.nan, "verdict": t["verdict"] if t else "-"}
    return pd.DataFrame(rows).T.rename_axis(f"fresh training process, {one} thread(s)")


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


def products_table(bench: dict) -> pd.DataFrame:
    """Per backend and batch size: the epoch over its own matrix products timed alone, sweep by sweep (median and
    range), beside the fastest epoch and products times; the target where one judges it (NumPy at 4,096)."""
    s = bench["summary"]
    arith, t = s.get("arithmetic", {}), _targets(bench).get("products_factor")
    rows = {}
    for backend, per in s.get("products_factor", {}).items():
        for b in _sorted_batches(per):
            v, cell = per[str(b)], arith.get(backend, {}).get(str(b), {})
            judged = t if (backend == "numpy" and b == 4096) else None
            rows[(BACKENDS[backend], b)] = {"s / epoch": cell.get("epoch_seconds", np.nan),
                                            "products alone (s)": cell.get("products_seconds", np.nan),
                                            "epoch / products (median)": v["value"], "low": v["low"], "high": v["high"],
                                            "sweeps": len(v["values"]),
                                            "target (at most)": judged["limit"] if judged else np.nan,
                                            "verdict": judged["verdict"] if judged else "-"}
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


def switch_table(bench: dict) -> pd.DataFrame:
    """Per setting measured for ``torch.optim.Adam``: the modules and compiler stack constructing it loads, the
    private memory it adds, the process's USS and PSS at the end, and its epoch times."""
    rows = {}
    for setting, v in bench["summary"].get("adam_switches", {}).items():
        rows[setting] = {"modules added by Adam()": v.get("modules_added"),
                         "compiler stack loaded": ", ".join(v.get("compiler_stack") or []) or "none",
                         "USS added by Adam() (MB)": v.get("adam_uss_mb", np.nan),
                         "USS at end (MB)": v.get("uss_mb", np.nan), "PSS at end (MB)": v.get("pss_mb", np.nan),
                         **{f"s / epoch, batch {int(b):,}": t for b, t in sorted(v.get("epoch_seconds", {}).items(),
                                                                                 key=lambda kv: int(kv[0]))}}
    return pd.DataFrame(rows).T.rename_axis("setting")


def memory_table(bench: dict) -> pd.DataFrame:
    """Resident MB after each step of the memory stack, the increment, and its private and file-backed parts."""
    rows = {}
    for backend, steps in bench["summary"]["memory_stack"].items():
        for step in steps:
            rows[(LABELS[backend], step["step"])] = {"MB": step["rss_mb"], "added MB": step["added_mb"],
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


def rows_table(bench: dict) -> pd.DataFrame:
    """Per backend: the rows sweep's log-log slope of epoch time and the growth of MB per row, each with its
    interval across repeats and its target (the same target records the targets table shows), and the MB per
    million rows."""
    s, targets = bench["summary"], _targets(bench)
    rows = {}
    for backend, label in BACKENDS.items():
        for key, what in (("rows_time_slope", "epoch time: log-log slope"),
                          ("rows_mb_growth", "peak memory: MB per row, last step / first")):
            t = targets.get(f"{backend}_{key}")
            if t:
                rows[(label, what)] = {"measured": t["value"], "low": t["low"], "high": t["high"],
                                       "target (at most)": t["limit"], "verdict": t["verdict"],
                                       "judged on": t.get("spread") or "one value"}
        per_million = s.get("rows", {}).get(f"{backend}_mb_per_million_rows")
        if per_million is not None:
            rows[(label, "peak memory: MB per million rows")] = {"measured": per_million, "low": np.nan,
                                                                 "high": np.nan, "target (at most)": np.nan,
                                                                 "verdict": "-", "judged on": "median of repeats"}
    return _flat(pd.DataFrame(rows).T, "backend, measure")


def rows_detail_table(bench: dict) -> pd.DataFrame:
    """Per backend and row count: the median epoch time and peak RSS over the repeats, and how many ran."""
    rows = {}
    for backend, label in BACKENDS.items():
        per = bench["summary"].get("rows", {}).get(backend, {})
        for n in _sorted_batches(per):
            cell = per[str(n)]
            rows[(label, n)] = {"s / epoch": cell["epoch_seconds"], "peak RSS (MB)": cell["peak_mb"],
                                "repeats": cell.get("repeats", 1)}
    return _flat(pd.DataFrame(rows).T, "backend, training rows")


def contestant_table(bench: dict) -> pd.DataFrame:
    """Milliseconds per training step in each of the twins' phases, the NumPy twin's beside scikit-learn's
    MLPClassifier's (its parts summed under the phase they belong to), per profiled batch size, with the step
    times measured without timers (scikit-learn's: its epoch less the checks of its ``partial_fit`` call)."""
    label = LABELS[CONTESTANT]
    columns = {}
    for batch, cell in _contestant_steps(bench).items():
        for name, per, step in ((LABELS["numpy"], cell["numpy"], cell["numpy_step"]),
                                (label, cell["sklearn_phases"], cell["sklearn_step"])):
            column = {PHASE_LABELS[p]: (per or {}).get(p, np.nan) for p in PHASES}
            columns[f"{name}, {batch:,}"] = {**column, "step (no timers)": step}
        columns[f"difference, {batch:,}"] = {k: columns[f"{label}, {batch:,}"][k] - columns[f"{LABELS['numpy']}, {batch:,}"][k]
                                            for k in columns[f"{label}, {batch:,}"]}
    return pd.DataFrame(columns).rename_axis("ms per training step")


def contestant_parts_table(bench: dict) -> pd.DataFrame:
    """scikit-learn's MLPClassifier, per profiled batch size and part of its epoch: milliseconds per epoch and per
    step, calls per epoch (of the part's functions) and share of the epoch; then the parts' sum, the epoch without
    timers and the gap between the two (the check)."""
    rows = {}
    for b, cell in sorted(bench["summary"].get("contestant", {}).get("profile", {}).items(), key=lambda kv: int(kv[0])):
        b, epoch = int(b), cell["epoch_seconds"]
        for p in SKLEARN_PARTS:
            rows[(b, SKLEARN_PART_LABELS[p])] = {"ms / epoch": cell["parts"][p] * 1e3,
                                                 "ms / step": cell["parts"][p] / cell["steps"] * 1e3,
                                                 "calls / epoch": cell["calls"][p], "share of the epoch": cell["parts"][p] / epoch}
        rows[(b, "sum of the parts")] = {"ms / epoch": cell["instrumented_epoch_seconds"] * 1e3,
                                         "ms / step": cell["instrumented_epoch_seconds"] / cell["steps"] * 1e3,
                                         "calls / epoch": np.nan, "share of the epoch": cell["instrumented_epoch_seconds"] / epoch}
        rows[(b, "epoch (no timers)")] = {"ms / epoch": epoch * 1e3, "ms / step": epoch / cell["steps"] * 1e3,
                                          "calls / epoch": np.nan, "share of the epoch": 1.0}
    return _flat(pd.DataFrame(rows).T, "batch size, part")


def same_work_table(bench: dict) -> pd.DataFrame:
    """Per profiled batch size, two operations of a training step done scikit-learn's way and the NumPy twin's
    way on the same arrays (milliseconds per step, outside training), and how many times slower scikit-learn's is."""
    rows = {}
    for b, per in sorted(bench["summary"].get("contestant", {}).get("same_work", {}).items(), key=lambda kv: int(kv[0])):
        for op, v in per.items():
            rows[(int(b), SKLEARN_PART_LABELS[op])] = {f"{LABELS[CONTESTANT]}'s way (ms)": v["sklearn"] * 1e3,
                                                       f"{LABELS['numpy']}'s way (ms)": v["numpy"] * 1e3,
                                                       "ratio": v["sklearn"] / v["numpy"]}
    return _flat(pd.DataFrame(rows).T, "batch size, operation")


def targets_table(bench: dict) -> pd.DataFrame:
    """Each target: the value measured in this run, the low and high ends of its spread or interval (what it is
    judged on), the limit and the verdict (met, not met, or not shown when the spread straddles the limit)."""
    return pd.DataFrame({t["label"]: {"measured": t["value"], "low": t["low"], "high": t["high"], "limit": t["limit"],
                                      "verdict": t["verdict"], "judged on": t.get("spread") or "one value"}
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
            name = f"{LABELS[backend]}, {t} thr"
            series[name] = [per_batch[b] for b in sorted(per_batch, key=int)]
            xs[name] = sorted(int(b) for b in per_batch)
            colors[name] = LABELS[backend]  # colour by backend, line style by thread count
            styles[name] = dashes[sorted(bench["threads"]).index(int(t)) % len(dashes)]
    if series:
        figs["epoch_vs_batch"] = loglog_scaling(xs, series, "batch size", "seconds per epoch", "Epoch time against batch size",
                                                colors=colors, linestyles=styles)
    figs.update(rows_figures(bench))
    return figs


def _row_repeats(bench: dict, backend: str) -> dict[int, list[dict]]:
    """Each row count's cells over the rows sweep's repeats (one measurement per repeat)."""
    out: dict[int, list[dict]] = {}
    for r in bench.get("measurements", []):
        if r.get("kind") == "rows" and r["backend"] == backend and "rows" in r:
            for n, cell in r["rows"].items():
                out.setdefault(int(n), []).append(cell)
    return out


def rows_figures(bench: dict) -> dict[str, Figure]:
    """Epoch time and peak memory against the rows (log-log): the median over the repeats (line), every repeat
    (dots) and their range (bar); the legend gives each backend's slope with its interval across repeats."""
    s = bench["summary"]
    figs = {}
    for what, label in (("epoch_seconds", "seconds per epoch"), ("peak_mb", "peak resident memory (MB)")):
        series, xs, colors = {}, {}, {}
        for backend in BACKENDS:
            per_rows = s["rows"].get(backend, {})
            if not per_rows:
                continue
            name = BACKENDS[backend]
            slope = s["rows"].get(f"{backend}_time_slope")
            if what == "epoch_seconds" and isinstance(slope, Mapping):
                name += f", slope {slope['value']:.2f} [{slope['low']:.2f}, {slope['high']:.2f}]"
            elif what == "peak_mb" and s["rows"].get(f"{backend}_mb_per_million_rows") is not None:
                name += f", {s['rows'][f'{backend}_mb_per_million_rows']:.0f} MB per million rows"
            xs[name] = sorted(int(r) for r in per_rows)
            series[name] = [per_rows[str(r)][what] for r in xs[name]]
            colors[name] = BACKENDS[backend]
        if not series:
            continue
        repeats = max((c.get("repeats", 1) for b in BACKENDS for c in s["rows"].get(b, {}).values()), default=1)
        fig = loglog_scaling(xs, series, "training rows", label,
                             f"{label[0].upper() + label[1:]} against rows (median of {repeats} repeats)",
                             reference_slope=1 if what == "epoch_seconds" else None, colors=colors)
        ax = fig.axes[0]
        for backend in BACKENDS:
            cells = _row_repeats(bench, backend)
            if not cells:
                continue
            x = [n for n in sorted(cells) for _ in cells[n]]
            y = [c[what] for n in sorted(cells) for c in cells[n]]
            ax.scatter(x, y, s=14, color=color_for(BACKENDS[backend]), alpha=0.55, zorder=3)
            ax.vlines(sorted(cells), [min(c[what] for c in cells[n]) for n in sorted(cells)],
                      [max(c[what] for c in cells[n]) for n in sorted(cells)], color=color_for(BACKENDS[backend]),
                      linewidth=3, alpha=0.35)
        ax.legend(fontsize=8)
        figs[f"{what}_vs_rows"] = fig
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
