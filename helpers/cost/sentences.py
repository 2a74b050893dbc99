"""The cost chapter's sentences (notebook 06, the README), worded by code from a benchmark record.

Every function takes the record as read from ``bench.json`` / ``bench_light.json`` and returns
Markdown; none computes a number the record (:func:`helpers.cost.record.summarise`) does not hold.
Nothing here is a fixed verdict: the tests feed fabricated records and assert that the words flip.

A target (:func:`helpers.cost.record.target`) is worded from its record: its measured value, the
spread of its repeats or its interval when it has one, and its verdict, judged on the unfavourable
end (met, not met, or not shown when the spread straddles the limit).
"""

from __future__ import annotations

import json

import pandas as pd

from helpers.compare.verdicts import conclusions_list
from helpers.compare.week1 import WEEK1_QUOTED
from helpers.cost.figures import (
    arithmetic_table,
    contestant_table,
    memory_table,
    phase_table,
    private_memory_table,
    products_table,
    ratio_table,
    rows_table,
    speed_table,
    switch_table,
    targets_table,
    variant_table,
)
from helpers.cost.profiling import (
    PHASE_LABELS,
    PHASES,
    SKLEARN_NETWORK_STEP,
    SKLEARN_PART_LABELS,
    SKLEARN_PARTS,
)
from helpers.cost.record import CONTESTANT, TARGETS
from helpers.tables import markdown

__all__ = ["verdict_sentences", "verdict_markdown", "conclusions", "conclusions_markdown", "measured_text",
           "verdict_text", "speed_sentences", "ratio_sentences", "breakdown_sentences", "arithmetic_sentences",
           "variant_sentences", "switch_sentences", "memory_sentences", "week1_sentences", "source_sentences",
           "rows_sentences", "targets_sentences", "contestant_sentences", "contestant_item", "summary_markdown"]

#: The report's own batch size (notebooks 02-04 train at it): the verdict speaks about it.
REPORT_BATCH = 512
_LABEL = {"numpy": "NumPy", "torch": "PyTorch"}
_FIXED_COST = {"torch": "its dispatcher, autograd graph and per-tensor optimiser calls",
               "numpy": "its Python-level calls"}


def _summary(bench: dict) -> tuple[dict, str]:
    """``bench["summary"]`` and the thread count the cost sentences speak about (as a string key)."""
    s = bench["summary"]
    return s, str(s.get("target_threads", 1))


def _at(mapping: dict, key):
    """``mapping[key]`` whether the JSON round trip made the key a string or not (None if absent)."""
    if not mapping:
        return None
    return mapping.get(str(key), mapping.get(key))


def _ok(x) -> bool:
    """A measured number (not None, not NaN)."""
    return x is not None and x == x


def _times(ratio: float) -> str:
    """``2.6 x faster`` / ``1.4 x slower`` / ``as fast`` for a time ratio A/B (A's time over B's)."""
    if ratio != ratio:
        return "not measured"
    if abs(ratio - 1) < 0.05:
        return "about as fast as"
    return f"{1 / ratio:.1f} x faster than" if ratio < 1 else f"{ratio:.1f} x slower than"


def _fmt_s(seconds: float) -> str:
    return f"{seconds * 1e3:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _threads(one) -> str:
    return "one thread" if str(one) == "1" else f"{one} threads"


def _ms(seconds: float) -> str:
    """``8 ms``; ``less than 1 ms`` where it rounds to nothing."""
    return f"{abs(seconds) * 1e3:.0f} ms" if round(abs(seconds) * 1e3) else "less than 1 ms"


def _names(names) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _target(bench: dict, key: str) -> dict | None:
    return next((t for t in bench["summary"].get("targets", []) if t["key"] == key), None)


# ============================================================================ targets, worded
def measured_text(t: dict, fmt: str = "{:.2f}", unit: str = "") -> str:
    """A target's measured value with its spread or interval when it has one:
    ``0.38 [0.36, 0.39] (range of 3 interleaved sweep pairs)`` or ``121 MB``."""
    value = fmt.format(t["value"]) + unit
    if t["low"] == t["high"]:  # one value, or repeats that agree: nothing to show beside it
        return value
    return f"{value} [{fmt.format(t['low'])}, {fmt.format(t['high'])}]" + (f" ({t['spread']})" if t.get("spread") else "")


def verdict_text(t: dict, fmt: str = "{:.2f}", unit: str = "") -> str:
    """Whether a target is met, judged on the unfavourable end of its spread: ``met`` (even the high end is
    within the limit), ``not met`` (even the low end is over it) or ``not shown`` (the spread straddles it)."""
    limit = f"{t['limit']:g}{unit}"
    spread = t["low"] != t["high"]
    if t["met"] is True:
        return (f"**met** (even its unfavourable end, {fmt.format(t['high'])}{unit}, is within the limit of {limit})"
                if spread else f"**met** (limit {limit})")
    if t["met"] is False:
        return (f"**not met** (even its favourable end, {fmt.format(t['low'])}{unit}, is over the limit of {limit})"
                if spread else f"**not met** (limit {limit})")
    return (f"**not shown** (its spread, {fmt.format(t['low'])} to {fmt.format(t['high'])}{unit}, straddles the "
            f"limit of {limit})")


def _judged(t: dict, fmt: str = "{:.2f}", unit: str = "") -> str:
    return f"{measured_text(t, fmt, unit)}: {verdict_text(t, fmt, unit)}"


# ============================================================================ the answer first
def _speed_clause(bench: dict, batch: int) -> str | None:
    """NumPy against PyTorch at ``batch``: the fastest sweeps' epoch times, the interleaved pairs' ratio."""
    s, one = _summary(bench)
    n, t = _at(s["batch"].get(f"numpy/{one}", {}), batch), _at(s["batch"].get(f"torch/{one}", {}), batch)
    if not (n and t):
        return None
    pairs = s.get("ratio_spread", {}).get(f"batch {batch}, {one} thread(s)")
    ratio = pairs["value"] if pairs else n / t
    head = (f"At the report's batch size ({batch:,}) on {_threads(one)}, an epoch takes {_fmt_s(n)} in NumPy and "
            f"{_fmt_s(t)} in PyTorch")
    return f"{head}: {_faster(ratio, pairs)}"


def _faster(ratio: float, pairs: dict | None, names=("NumPy", "PyTorch"),
            pair=("interleaved sweep pair", "interleaved sweep pairs")) -> str:
    """Which of ``names`` is faster, by how much, and whether every pair agrees: a time ratio A / B (``ratio``,
    the pairs' median when there are pairs) with the spread of its ``pairs`` (:func:`helpers.cost.record.spread`)."""
    a, b = names
    faster, factor = (a, 1 / ratio) if ratio < 1 else (b, ratio)
    if not pairs:
        return f"{faster} is {factor:.1f} x faster (one sweep each)"
    lo, hi, k = pairs["low"], pairs["high"], len(pairs["values"])
    if k == 1:
        return f"{faster} is {factor:.1f} x faster (one {pair[0]})"
    if hi < 1 or lo > 1:
        band = f"{1 / hi:.1f} to {1 / lo:.1f} x" if hi < 1 else f"{lo:.1f} to {hi:.1f} x"
        return f"{faster} is {factor:.1f} x faster ({band} across {k} {pair[1]})"
    return (f"neither is faster in every one of {k} {pair[1]} ({a}'s time over {b}'s ranges from {lo:.2f} to "
            f"{hi:.2f}, median {ratio:.2f})")


def _private(s: dict, one: str) -> dict | None:
    """Per backend the memory the verdict speaks about: USS at the end of training, else the peak RSS."""
    n, t = s["train"].get(f"numpy/{one}"), s["train"].get(f"torch/{one}")
    if not (n and t):
        return None
    if _ok(n.get("uss_mb")) and _ok(t.get("uss_mb")):
        return {"numpy": n["uss_mb"], "torch": t["uss_mb"], "what": "private memory (USS)",
                "peaks": (n["rusage_peak_mb"], t["rusage_peak_mb"])}
    return {"numpy": n["rusage_peak_mb"], "torch": t["rusage_peak_mb"], "what": "peak resident memory", "peaks": None}


def _memory_clause(bench: dict) -> str | None:
    s, one = _summary(bench)
    p = _private(s, one)
    if not p:
        return None
    n, t = p["numpy"], p["torch"]
    more = t >= n
    text = (f"At the end of training the PyTorch process holds {t:.0f} MB and the NumPy process {n:.0f} MB of "
            f"{p['what']}: PyTorch needs {abs(t - n):.0f} MB {'more' if more else 'less'}, "
            f"{t / n:.1f} x as much") if p["peaks"] else (
            f"The PyTorch training process peaks at {t:.0f} MB and the NumPy one at {n:.0f} MB: PyTorch needs "
            f"{abs(t - n):.0f} MB {'more' if more else 'less'}, {t / n:.1f} x as much")
    if p["peaks"]:
        text += f" (peak resident {p['peaks'][1]:.0f} and {p['peaks'][0]:.0f} MB)"
    return text


def _step_at(s: dict, backend: str, batch: int) -> float | None:
    """The measured step time at ``batch``, else the fitted line's."""
    cell = _at(s.get("phases", {}).get(backend, {}), batch)
    if cell:
        return cell["step_seconds"]
    model = s.get("step_model", {}).get(backend)
    return model["fixed_seconds"] + model["per_row_seconds"] * batch if model else None


def _why_time(bench: dict, batch: int) -> str | None:
    """Why one backend's step is longer at ``batch``: the fixed per-step cost or the per-row arithmetic."""
    s, _ = _summary(bench)
    model = s.get("step_model", {})
    if not (model.get("numpy") and model.get("torch")):
        return None
    steps = {k: _step_at(s, k, batch) for k in ("numpy", "torch")}
    slow, fast = ("torch", "numpy") if steps["torch"] >= steps["numpy"] else ("numpy", "torch")
    line = {k: model[k]["fixed_seconds"] + model[k]["per_row_seconds"] * batch for k in model}
    gap = line[slow] - line[fast]
    fixed = {k: model[k]["fixed_seconds"] for k in ("numpy", "torch")}
    share = (fixed[slow] - fixed[fast]) / gap if gap > 0 else float("nan")
    head = (f"at batch {batch:,} a {_LABEL[slow]} training step takes {steps[slow] * 1e3:.2f} ms and a "
            f"{_LABEL[fast]} step {steps[fast] * 1e3:.2f} ms")
    if share == share and share >= 0.5:
        part = "all" if share >= 0.995 else f"{share:.0%}"
        return (f"{head}, and a straight line through the step times puts {part} of that gap in a fixed cost "
                f"{_LABEL[slow]} pays on every step whatever the batch size ({max(fixed[slow], 0) * 1e3:.2f} ms "
                f"against {max(fixed[fast], 0) * 1e3:.2f} ms: {_FIXED_COST[slow]}), not in the arithmetic")
    per_row = {k: model[k]["per_row_seconds"] for k in ("numpy", "torch")}
    return (f"{head}, and a straight line through the step times puts most of that gap in the arithmetic that grows "
            f"with the batch ({per_row[slow] * 1e9:.0f} ns per row against {per_row[fast] * 1e9:.0f} ns), not in a "
            "fixed per-step cost")


def _added(steps: list[dict], name: str) -> float | None:
    return next((x["added_mb"] for x in steps if x["step"] == name), None)


def _why_memory(bench: dict) -> str | None:
    """Where PyTorch's extra memory comes from: importing the framework (and its optimiser) or training."""
    s, one = _summary(bench)
    stack = s.get("memory_stack", {}).get("torch")
    p = _private(s, one)
    if not stack or not p:
        return None
    torch_mb, adam = _added(stack, "+ torch"), _added(stack, "+ torch.optim.Adam")
    training = _added(stack, "+ training (peak)")
    if torch_mb is None or training is None:
        return None
    if p["torch"] < p["numpy"]:
        return f"PyTorch's process is the smaller although importing torch alone adds {torch_mb:.0f} MB"
    step = next((x for x in stack if x["step"] == "+ torch.optim.Adam"), {})
    adam_part = ""
    if adam is not None:
        adam_part = f" and constructing torch.optim.Adam {adam:.0f} MB more"
        if step.get("compiler_stack"):
            adam_part += f" (it loads {', '.join(step['compiler_stack'])})"
    framework = torch_mb + (adam or 0.0)
    if framework >= training:
        return (f"PyTorch's extra memory is the framework's, not the network's: importing torch adds "
                f"{torch_mb:.0f} MB{adam_part}, against {training:.0f} MB for its training itself")
    return (f"PyTorch's extra memory is mostly its training's: {training:.0f} MB, against {torch_mb:.0f} MB for "
            "importing torch")


def verdict_sentences(bench: dict, batch_size: int = REPORT_BATCH) -> list[str]:
    """The chapter's answer, one sentence each: how much faster, how much more memory, and why.

    Parameters
    ----------
    bench : dict
        A benchmark record as read from ``bench.json`` / ``bench_light.json``.
    batch_size : int
        The batch size the speed and the step times are read at (the report's own, 512).

    Returns
    -------
    list of str
        Markdown sentences with a bold lead-in (**Speed.**, **Memory.**, **Why.**, and **Against
        scikit-learn's MLPClassifier.**: the NumPy MLP's epoch against the network a NumPy user would
        pick instead, and why); a part the record lacks says so.
    """
    speed = _speed_clause(bench, batch_size)
    memory = _memory_clause(bench)
    why = [x for x in (_why_time(bench, batch_size), _why_memory(bench)) if x]
    return [f"**Speed.** {speed}." if speed else f"**Speed.** Not measured at batch {batch_size:,} in this benchmark.",
            f"**Memory.** {memory}." if memory else "**Memory.** Not measured in this benchmark.",
            ("**Why.** " + (why[0][0].upper() + why[0][1:]) + ("; " + why[1] if len(why) > 1 else "") + ".") if why
            else "**Why.** The per-step breakdown and the memory stack were not measured in this benchmark.",
            contestant_item(bench, batch_size, memory=False)]


def verdict_markdown(bench: dict, batch_size: int = REPORT_BATCH) -> str:
    """:func:`verdict_sentences` as a Markdown list (notebook 06's first output)."""
    return "\n".join(f"- {x}" for x in verdict_sentences(bench, batch_size))


# ============================================================================ speed
def speed_sentences(bench: dict) -> list[str]:
    """Training speed, NumPy against the plain PyTorch twin and against its fastest variant.

    Parameters
    ----------
    bench : dict
        A benchmark record as read from ``bench.json`` / ``bench_light.json``.

    Returns
    -------
    list of str
        Markdown sentences, every number and every comparison word computed from ``bench``.
    """
    s, one = _summary(bench)
    out = []
    n_train, t_train = s["train"].get(f"numpy/{one}"), s["train"].get(f"torch/{one}")
    if n_train and t_train:
        out.append(
            f"Trained to early stopping on {_threads(one)}, the NumPy network took {n_train['seconds']:.1f} s "
            f"({n_train['epochs']:.0f} epochs) and its PyTorch twin {t_train['seconds']:.1f} s ({t_train['epochs']:.0f} "
            f"epochs): NumPy was {_times(n_train['seconds'] / t_train['seconds'])} PyTorch.")
    n_batch, t_batch = s["batch"].get(f"numpy/{one}", {}), s["batch"].get(f"torch/{one}", {})
    shared = sorted((int(b) for b in n_batch if _at(t_batch, b)), key=int)
    if shared:
        ratios = {b: _at(n_batch, b) / _at(t_batch, b) for b in shared}
        parts = [f"{_times(r)} PyTorch at batch {b:,} ({_fmt_s(_at(n_batch, b))} against {_fmt_s(_at(t_batch, b))} "
                 "per epoch)" for b, r in ratios.items()]
        lo, hi = shared[0], shared[-1]
        trend = ("its lead shrinks as the batch grows" if ratios[hi] > ratios[lo] * 1.1 else
                 "its lead grows with the batch" if ratios[hi] < ratios[lo] / 1.1 else
                 "the ratio hardly moves with the batch size")
        out.append("Per epoch (the fastest of the sweeps), NumPy is " + "; ".join(parts) + f": {trend}.")
    variants = s.get("variants", {}).get("epoch_seconds", {})
    numpy_epochs = s.get("variants", {}).get("numpy", {})
    for batch in (512, 4096):
        times = {name: _at(per, batch) for name, per in variants.items() if _at(per, batch)}
        n = _at(numpy_epochs, batch)
        if not times or not n or "plain" not in times:
            continue
        fastest = min(times, key=times.get)
        if fastest == "plain":
            verdict = "none of the variants beats the plain twin"
        else:
            verdict = (f"the fastest variant is {fastest} ({_fmt_s(times[fastest])} against the plain twin's "
                       f"{_fmt_s(times['plain'])})")
        against = n / times[fastest]
        stance = ("NumPy stays ahead of it" if against < 0.95 else
                  "it overtakes NumPy" if against > 1.05 else "it draws level with NumPy")
        compared = (f"{_times(against)} that variant and {_times(n / times['plain'])} the plain twin"
                    if fastest != "plain" else f"{_times(against)} the plain twin")
        out.append(f"At batch {batch:,}, {verdict}; NumPy ({_fmt_s(n)}) is {compared}: {stance}.")
    return out


def ratio_sentences(bench: dict) -> list[str]:
    """Each speed ratio a target judges, with the spread of its interleaved sweep pairs and its verdict.

    The sweeps alternate between the backends, so each pair (NumPy sweep i, PyTorch sweep i) shares a
    stretch of the machine's load; the target is judged on the pairs' highest (least favourable) ratio.

    Returns
    -------
    list of str
    """
    out = []
    for batch in (512, 4096):
        t = _target(bench, f"epoch_ratio_{batch}")
        if not t:
            continue
        out.append(f"At batch {batch:,}, NumPy's epoch time over PyTorch's is {measured_text(t)}, against a target of "
                   f"at most {t['limit']:g}: {verdict_text(t)}.")
    return out or ["No speed ratio was judged in this benchmark."]


# ============================================================================ where the time goes
def breakdown_sentences(bench: dict) -> list[str]:
    """Why the NumPy/PyTorch ratio moves with the batch size, from the per-step phase times.

    A least-squares line ``step time = fixed + per_row x batch size`` per backend separates the
    per-step fixed cost (Python and framework overhead, paid once per step) from the arithmetic
    (paid per row). Small batches mean many steps, so the fixed cost dominates; large batches
    leave the arithmetic.

    Returns
    -------
    list of str
    """
    s, _ = _summary(bench)
    phases, model = s.get("phases", {}), s.get("step_model", {})
    out = []
    if not phases.get("numpy") or not phases.get("torch"):
        return ["The per-step breakdown was not measured in this benchmark."]

    batches = sorted(int(b) for b in phases["numpy"] if _at(phases["torch"], b))
    for b in (batches[0], batches[-1]):
        cells = {k: _at(phases[k], b) for k in ("numpy", "torch")}
        tops = {k: max(c["phases"], key=c["phases"].get) for k, c in cells.items()}
        out.append(
            f"At batch {b:,} a PyTorch step takes {cells['torch']['step_seconds'] * 1e3:.2f} ms and a NumPy step "
            f"{cells['numpy']['step_seconds'] * 1e3:.2f} ms (PyTorch / NumPy = "
            f"{cells['torch']['step_seconds'] / cells['numpy']['step_seconds']:.1f}); the largest phase is "
            f"{PHASE_LABELS[tops['torch']]} for PyTorch ({cells['torch']['phases'][tops['torch']] * 1e3:.2f} ms) and "
            f"{PHASE_LABELS[tops['numpy']]} for NumPy ({cells['numpy']['phases'][tops['numpy']] * 1e3:.2f} ms).")
    if model.get("numpy") and model.get("torch"):
        fn, ft = model["numpy"]["fixed_seconds"], model["torch"]["fixed_seconds"]
        rn, rt = model["numpy"]["per_row_seconds"], model["torch"]["per_row_seconds"]
        fixed = (f"PyTorch pays about {ft * 1e6:.0f} us per step whatever the batch size, NumPy about "
                 f"{max(fn, 0) * 1e6:.0f} us")
        per_row = (f"per row PyTorch needs {rt * 1e9:.0f} ns and NumPy {rn * 1e9:.0f} ns "
                   f"({'PyTorch is cheaper' if rt < rn * 0.95 else 'NumPy is cheaper' if rn < rt * 0.95 else 'about the same'})")
        if ft > fn:
            why = ("so at small batches, where an epoch is many cheap steps, PyTorch's fixed cost (its dispatcher, "
                   "autograd graph and per-tensor optimiser calls) decides the ratio, and at large batches, where "
                   "the arithmetic dominates, the two converge" + (" and PyTorch can pull ahead" if rt < rn * 0.95 else ""))
        else:
            why = "so NumPy's advantage, if any, does not come from a smaller per-step overhead"
        out.append(f"A straight line through the step times says {fixed}, and {per_row}: {why}.")

    tolerance = TARGETS["phase_sum_error"]
    errors = {f"{k} at {int(b):,}": c["phase_sum_error"] for k, per in phases.items() for b, c in per.items()}
    worst = max(errors, key=errors.get)
    out.append(f"Check: the timed phases add up to the separately measured step time within "
               f"{errors[worst]:.1%} in the worst cell ({worst}), "
               f"{'inside' if errors[worst] <= tolerance else 'outside'} the {tolerance * 100:g} % tolerance.")
    return out


def arithmetic_sentences(bench: dict) -> list[str]:
    """FLOPs per epoch, achieved GFLOP/s, the epoch against its own matrix products alone (the target) and,
    as context, against the GEMM rate's bound.

    Returns
    -------
    list of str
    """
    s, one = _summary(bench)
    flops, arith = s.get("flops"), s.get("arithmetic", {})
    if not flops or not arith.get("numpy"):
        return ["The arithmetic rate was not measured in this benchmark."]
    out = [f"One epoch of {flops['train_rows']:,} rows through layers {' -> '.join(map(str, flops['layer_sizes']))} is "
           f"{flops['per_epoch'] / 1e9:.2f} GFLOP of matrix products (forward {flops['forward'] / 1e9:.2f}, backward "
           f"{flops['backward'] / 1e9:.2f})."]
    gemm = s.get("gemm", {})
    n_rate, t_rate = gemm.get(f"numpy/{one}"), gemm.get(f"torch/{one}")
    if n_rate and t_rate:
        out.append(f"One large float32 GEMM runs at {n_rate:.0f} GFLOP/s in NumPy and {t_rate:.0f} GFLOP/s in torch "
                   f"on {_threads(one)}, so the epoch's FLOPs need {flops['per_epoch'] / n_rate / 1e9 * 1e3:.0f} ms at "
                   "that rate (the *bound*).")
    for backend in ("numpy", "torch"):
        per = arith.get(backend, {})
        if per:
            rates = ", ".join(f"{v['achieved_gflops']:.1f} at batch {int(b):,}"
                              for b, v in sorted(per.items(), key=lambda kv: int(kv[0])))
            out.append(f"{_LABEL[backend]} achieves {rates} GFLOP/s.")
    t = _target(bench, "products_factor")
    if t:
        out.append(f"At batch 4,096 the NumPy epoch over its own matrix products timed alone is {measured_text(t)}, "
                   f"against a target of at most {t['limit']:g}: {verdict_text(t)}.")
    big = _at(arith["numpy"], 4096)
    if big:
        out += _floor_sentences(big, _at(arith.get("torch", {}), 4096), flops["layer_sizes"], s.get("blas", {}))
    return out


def _floor_sentences(numpy_cell: dict, torch_cell: dict | None, layer_sizes, blas: dict) -> list[str]:
    """Where the epoch sits between the GEMM-rate bound, its products alone and the rest (the fastest sweeps)."""
    if "products_seconds" not in numpy_cell:
        return []
    epoch, floor = numpy_cell["epoch_seconds"], numpy_cell["products_seconds"]
    widths = ", ".join(map(str, layer_sizes))
    numpy_blas = f"NumPy's BLAS ({blas['numpy']})" if blas.get("numpy") else "NumPy's BLAS"
    floor_x = numpy_cell["products_x_bound"]
    out = [f"In the fastest sweeps the epoch's matrix products alone (the same shapes, layouts and calls, back to "
           f"back with nothing else) take {floor * 1e3:.0f} ms in NumPy, {numpy_cell['products_gflops']:.0f} GFLOP/s: "
           f"{floor_x:.1f} x the bound, because {numpy_blas} runs "
           + ("well below" if floor_x > 1.25 else "close to")
           + f" its large-GEMM rate on matrices only {widths} wide. The whole epoch is {numpy_cell['x_bound']:.1f} x the "
           f"bound; the rest of it, {max(epoch - floor, 0) * 1e3:.0f} ms ({max(epoch - floor, 0) / epoch:.0%}), is the "
           "element-wise work (bias, ReLU and its mask, loss, Adam), the batch gathering and Python."]
    if floor_x > 1.25:
        out.append("That is why the arithmetic target is stated against the products alone: the bound assumes every "
                   "product runs at a large square GEMM's rate, which no training loop calling this BLAS on matrices "
                   "this narrow can reach.")
    if torch_cell and "products_seconds" in torch_cell:
        extra = torch_cell["epoch_seconds"] - epoch
        products_extra = torch_cell["products_seconds"] - floor
        torch_blas = f" with {blas['torch']}" if blas.get("torch") else ""
        if products_extra * extra < 0:
            share = (f"torch's products are {_ms(products_extra)} "
                     f"{'faster' if products_extra < 0 else 'slower'} than NumPy's, so the whole difference, and "
                     "more, lies outside the matrix products")
        elif abs(products_extra) < 0.5 * abs(extra):
            share = (f"the products account for {'only ' * bool(round(abs(products_extra) * 1e3))}"
                     f"{_ms(products_extra)} of it: most of the "
                     "difference lies outside the matrix products")
        else:
            share = f"the products account for {_ms(products_extra)} of it"
        out.append(f"torch's own products take {torch_cell['products_seconds'] * 1e3:.0f} ms{torch_blas} "
                   f"({torch_cell['products_gflops']:.0f} GFLOP/s, "
                   f"{torch_cell['products_x_bound']:.1f} x its own bound). The "
                   f"PyTorch epoch is {abs(extra) * 1e3:.0f} ms {'longer' if extra >= 0 else 'shorter'} than NumPy's; "
                   f"{share}.")
    return out


# ============================================================================ what a PyTorch user can switch
def variant_sentences(bench: dict) -> list[str]:
    """What fused Adam, float64 and torch.compile change against the plain PyTorch twin.

    Returns
    -------
    list of str
    """
    s, _ = _summary(bench)
    v = s.get("variants", {})
    times = v.get("epoch_seconds", {})
    plain = times.get("plain", {})
    out = []
    for name, per in times.items():
        if name == "plain":
            continue
        parts = []
        for b, t in sorted(per.items(), key=lambda kv: int(kv[0])):
            p = _at(plain, b)
            if p:
                r = p / t
                parts.append(f"{r:.2f} x the plain speed at batch {int(b):,}"
                             + (" (a gain)" if r > 1.05 else " (a loss)" if r < 0.95 else " (no gain)"))
        if parts:
            out.append(f"{name}: " + ", ".join(parts) + ".")
    compile_runs = v.get("compile", {})
    cold, warm = compile_runs.get("cold"), compile_runs.get("warm")
    if cold:
        costs = list(cold["compile_seconds"].values())
        source = (f" (measured by `make bench` of {cold['reused_from']}, reused here)" if cold.get("reused_from")
                  else "")
        line = f"torch.compile costs {max(costs):.0f} s of compiling up front on an empty compile cache{source}"
        if warm:
            line += f", {max(warm['compile_seconds'].values()):.0f} s once its on-disk cache is warm"
        out.append(line + ".")
    else:
        out.append("torch.compile was not measured in this light benchmark: a cold compile alone takes tens of "
                   "seconds, so only `make bench` measures it.")
    return out


def _switch_summary(bench: dict, batch: int) -> str | None:
    """What switching buys: the fastest variant at ``batch`` and the most private memory any setting saves."""
    s, one = _summary(bench)
    switches = s.get("adam_switches") or {}
    plain = switches.get("plain")
    times = {k: _at(per, batch) for k, per in s.get("variants", {}).get("epoch_seconds", {}).items() if _at(per, batch)}
    n_epoch = _at(s.get("variants", {}).get("numpy", {}), batch)
    parts = []
    if times.get("plain"):
        fastest = min(times, key=times.get)
        if fastest == "plain":
            parts.append(f"no variant is faster than the plain twin at batch {batch:,}")
        else:
            gain = times["plain"] / times[fastest]
            parts.append(f"{_switch_names([fastest])[fastest]} buys the most speed at batch {batch:,} ({gain:.2f} x the plain twin's"
                         + (f"; NumPy is still {_times(n_epoch / times[fastest])} it)" if n_epoch and n_epoch < times[fastest]
                            else f"; NumPy is then {_times(n_epoch / times[fastest])} it)" if n_epoch else ")"))
    if plain and _ok(plain.get("uss_mb")):
        saved = {k: plain["uss_mb"] - v["uss_mb"] for k, v in switches.items() if k != "plain" and _ok(v.get("uss_mb"))}
        if saved:
            best = max(saved, key=saved.get)
            numpy_uss = s["train"].get(f"numpy/{one}", {}).get("uss_mb")
            after = plain["uss_mb"] - saved[best]
            tail = f" against NumPy's {numpy_uss:.0f} MB" if _ok(numpy_uss) else ""
            parts.append(f"{_switch_names([best])[best]} saves {saved[best]:.0f} MB of private memory, leaving the PyTorch process at "
                         f"{after:.0f} MB{tail}" if saved[best] >= 5 else
                         f"no setting saves more than {max(saved[best], 0):.0f} MB of private memory: the PyTorch "
                         f"process stays at about {plain['uss_mb']:.0f} MB{tail}")
    return "; ".join(parts) if parts else None


def _mb(switches: dict, names, key: str) -> list[str]:
    return [f"{switches[k][key]:.0f}" for k in names]


def _switch_names(switches) -> dict[str, str]:
    """How a setting is named in a sentence: ``the plain twin``, an environment switch in code type, else as is."""
    return {k: "the plain twin" if k == "plain" else f"`{k}`" if "=" in k else k for k in switches}


def switch_sentences(bench: dict, batch_size: int = REPORT_BATCH) -> list[str]:
    """What a PyTorch user can switch off: whether a setting keeps ``torch.optim.Adam`` from importing
    PyTorch's compiler stack (torch._dynamo, torch._inductor, SymPy), what it costs in memory and speed,
    and what switching buys beside fused Adam and torch.compile.

    Every word follows the record: a setting whose compiler stack is empty is named as avoiding it.

    Returns
    -------
    list of str
    """
    s, _ = _summary(bench)
    switches = s.get("adam_switches") or {}
    if not switches:
        return ["Whether a setting keeps torch.optim.Adam from importing PyTorch's compiler stack was not measured "
                "in this benchmark."]
    names = _switch_names(switches)
    avoid = [k for k, v in switches.items() if not v.get("compiler_stack")]
    load = [k for k in switches if k not in avoid]
    out = []
    if not avoid:
        loaded = sorted(set().union(*(v["compiler_stack"] for v in switches.values())))
        modules = sorted(v["modules_added"] for v in switches.values())
        count = f"{modules[0]:,}" if modules[0] == modules[-1] else f"{modules[0]:,} to {modules[-1]:,}"
        out.append(f"None of the {len(switches)} settings measured ({_names(names[k] for k in switches)}) keeps "
                   f"`torch.optim.Adam` from importing PyTorch's compiler stack: in each, constructing the optimiser "
                   f"loads {count} more modules, among them {', '.join(loaded)}. torch wraps the optimiser's methods in "
                   "its marker for code not to compile, and that marker imports the compiler when first called, "
                   "whatever the switch.")
    else:
        plain = switches.get("plain", {})
        against = (f", against {plain['modules_added']:,} modules and {plain['adam_uss_mb']:.0f} MB with the plain twin"
                   if plain and plain.get("compiler_stack") else "")
        for k in avoid:
            v = switches[k]
            out.append(f"{names[k]} keeps `torch.optim.Adam` from importing PyTorch's compiler stack: constructing it "
                       f"loads {v['modules_added']:,} more modules and adds {v['adam_uss_mb']:.0f} MB of private "
                       f"memory{against}.")
        if load:
            out.append(f"With {_names(names[k] for k in load)} the optimiser still loads "
                       f"{', '.join(sorted(set().union(*(switches[k]['compiler_stack'] for k in load))))}.")
    memory = [k for k in switches if _ok(switches[k].get("adam_uss_mb")) and _ok(switches[k].get("uss_mb"))]
    if memory:
        added = [f"{switches[k]['adam_uss_mb']:.0f} MB" + (" of private memory" if i == 0 else "") + f" with {names[k]}"
                 for i, k in enumerate(memory)]
        out.append(f"Constructing the optimiser adds {_names(added)}; at the end of training those processes hold "
                   f"{_names(_mb(switches, memory, 'uss_mb'))} MB (USS) and {_names(_mb(switches, memory, 'pss_mb'))} "
                   "MB (PSS).")
    base = _at(switches.get("plain", {}).get("epoch_seconds", {}), batch_size)
    speeds = [(k, _at(v.get("epoch_seconds", {}), batch_size)) for k, v in switches.items() if k != "plain"]
    speeds = [(k, t) for k, t in speeds if t]
    if base and speeds:
        out.append(f"An epoch at batch {batch_size:,} takes {_fmt_s(base)} with the plain twin, "
                   + ", ".join(f"{_fmt_s(t)} with {names[k]} ({base / t:.2f} x the plain speed)" for k, t in speeds)
                   + " (one process each, so single readings: the sweep's variants are the steadier comparison).")
    summary = _switch_summary(bench, batch_size)
    if summary:
        out.append("So, of what a PyTorch user can switch, " + summary + ".")
    return out


# ============================================================================ memory
def memory_sentences(bench: dict) -> list[str]:
    """Private memory (USS, PSS) and peak RSS of the fresh training processes, the targets, and where a
    process's memory comes from.

    Returns
    -------
    list of str
    """
    s, one = _summary(bench)
    out = []
    n, t = s["train"].get(f"numpy/{one}"), s["train"].get(f"torch/{one}")
    if n and t:
        if _ok(n.get("uss_mb")) and _ok(t.get("uss_mb")):
            out.append(f"At the end of training, in fresh processes that load only what training needs, the NumPy "
                       f"process holds {n['uss_mb']:.0f} MB of private memory (USS: the pages no other process "
                       f"shares) and the PyTorch process {t['uss_mb']:.0f} MB: PyTorch needs "
                       f"{abs(t['uss_mb'] - n['uss_mb']):.0f} MB {'more' if t['uss_mb'] >= n['uss_mb'] else 'less'}. "
                       f"PSS, which adds each shared page's share, is {n['pss_mb']:.0f} and {t['pss_mb']:.0f} MB; "
                       f"the peak resident size is {n['rusage_peak_mb']:.0f} and {t['rusage_peak_mb']:.0f} MB "
                       f"(getrusage; memory_profiler: {n['peak_mb']:.0f} and {t['peak_mb']:.0f} MB).")
        else:
            out.append(f"In fresh processes that load only what training needs, the NumPy run peaks at "
                       f"{n['rusage_peak_mb']:.0f} MB and the PyTorch run at {t['rusage_peak_mb']:.0f} MB (getrusage; "
                       f"memory_profiler: {n['peak_mb']:.0f} and {t['peak_mb']:.0f} MB): PyTorch needs "
                       f"{abs(t['rusage_peak_mb'] - n['rusage_peak_mb']):.0f} MB "
                       f"{'more' if t['rusage_peak_mb'] >= n['rusage_peak_mb'] else 'less'}; private memory was not "
                       "measured in this benchmark.")
    judged = [(_LABEL[b], _target(bench, f"{b}_uss_mb")) for b in ("numpy", "torch")]
    judged = [(label, x) for label, x in judged if x]
    if judged:
        out.append("Against the private-memory targets: " + "; ".join(
            f"{label} {measured_text(x, '{:.0f}', ' MB')}, {verdict_text(x, '{:.0f}', ' MB')}" for label, x in judged)
            + ".")
    stacks = s.get("memory_stack", {})
    if stacks.get("torch") and stacks.get("numpy"):
        def added(steps, name):
            found = _added(steps, name)
            return float("nan") if found is None else found

        torch_import = added(stacks["torch"], "+ torch")
        optim = added(stacks["torch"], "+ torch.optim.Adam")
        sk = added(stacks["numpy"], "+ scikit-learn (with SciPy)")
        data = added(stacks["numpy"], "+ data arrays")
        train_n, train_t = added(stacks["numpy"], "+ training (peak)"), added(stacks["torch"], "+ training (peak)")
        pieces = [("importing torch", torch_import), ("importing scikit-learn", sk), ("the data arrays", data),
                  ("torch.optim's compiler stack", optim), ("PyTorch's training", train_t)]
        biggest = max((p for p in pieces if p[1] == p[1]), key=lambda kv: kv[1])
        pandas_mb = added(s.get("week1", {}).get("steps", []), "+ pandas")
        if pandas_mb == pandas_mb:
            out.append(f"scikit-learn imports pandas when it is installed; the training processes keep it out, "
                       f"which saves the {pandas_mb:.0f} MB that importing pandas costs (measured in the week-1 style "
                       "process below).")
        optim_part = f", constructing torch.optim.Adam {optim:+.0f} MB" if optim == optim else ""
        out.append(f"Added one at a time in the training processes (resident memory): scikit-learn (with SciPy) "
                   f"{sk:+.0f} MB, torch {torch_import:+.0f} MB{optim_part}, the data arrays {data:+.0f} MB, training "
                   f"{train_n:+.0f} MB for NumPy and {train_t:+.0f} MB for PyTorch. The largest single piece is "
                   f"{biggest[0]}: the framework, not the network, decides the memory.")
        step = next((x for x in stacks["torch"] if x["step"] == "+ torch.optim.Adam"), None)
        if step and step.get("compiler_stack"):
            before = next(x for x in stacks["torch"] if x["step"] == "+ torch")
            sizes = s.get("flops", {}).get("layer_sizes")
            state = (f" ({2 * 4 * sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])) / 1024:.0f} kB of float32 "
                     "moments here)") if sizes else ""
            out.append(f"The optimiser's {optim:.0f} MB are not its state{state}: constructing "
                       f"torch.optim.Adam loads {step['modules'] - before['modules']:,} more modules, among them "
                       f"{', '.join(step['compiler_stack'])}, because torch marks the optimiser's methods as not to "
                       "be compiled and imports its compiler to do so, whether or not torch.compile is ever used "
                       "(what a PyTorch user can switch off is measured above).")
        ends = {k: stacks[k][-1] for k in ("numpy", "torch")}
        if all(e.get("anon_mb") is not None for e in ends.values()):
            n_end, t_end = ends["numpy"], ends["torch"]
            out.append(f"Of the peak resident memory, the NumPy process holds {n_end['anon_mb']:.0f} MB anonymous "
                       f"(heap, arrays) and {n_end['file_mb']:.0f} MB of mapped library pages, the PyTorch process "
                       f"{t_end['anon_mb']:.0f} MB and {t_end['file_mb']:.0f} MB. Mapped pages are shared with every "
                       "process that uses the same libraries, and how many of them are resident depends on what the "
                       "kernel holds in its page cache, so the peak RSS can move by tens of MB between machines and "
                       "installs with the same code; the targets are judged on private memory (USS) instead.")
    return out


def week1_sentences(bench: dict) -> list[str]:
    """The week-1 report's memory numbers, reproduced by measuring the way it did.

    Returns
    -------
    list of str
    """
    s, _ = _summary(bench)
    w = s.get("week1", {})
    if not w:
        return ["The week-1 style measurement was not run in this benchmark."]
    quoted_n, quoted_t = (float(x) for x in WEEK1_QUOTED["peak_mb"])
    fresh_n = s["train"].get(f"numpy/{s.get('target_threads', 1)}", {}).get("rusage_peak_mb", float("nan"))
    out = [f"Measured as the week-1 report did, in one process holding pandas, scikit-learn, matplotlib, torch and "
           f"the data, memory_profiler reports {w['numpy_fit_peak_mb']:.0f} MB while the NumPy network trains "
           f"(week-1: {quoted_n:.0f} MB) and {w['torch_fit_peak_mb']:.0f} MB while the PyTorch one trains "
           f"(week-1: {quoted_t:,.0f} MB). These are the whole process's size: the NumPy reading includes "
           f"{w['before_numpy_fit_mb']:.0f} MB that were there before its fit began (torch among them), against "
           f"{fresh_n:.0f} MB for NumPy training in a fresh process."]
    gap_n, gap_t = quoted_n - w["numpy_fit_peak_mb"], quoted_t - w["torch_fit_peak_mb"]
    for label, gap, quoted in (("NumPy", gap_n, quoted_n), ("PyTorch", gap_t, quoted_t)):
        if abs(gap) <= 0.25 * quoted:
            out.append(f"The week-1 {label} figure is reproduced within {abs(gap) / quoted:.0%} by this style of "
                       "measurement alone.")
        else:
            out.append(f"The week-1 {label} figure is {abs(gap):,.0f} MB {'above' if gap > 0 else 'below'} this "
                       "reproduction: the one-process style explains the baseline, not the rest, which depends on "
                       "what that notebook held at the time (data frames, earlier models, thread count) and cannot "
                       "be replayed here.")
    return out


# ============================================================================ scikit-learn's own NumPy network
_SK = "scikit-learn's MLPClassifier"
#: How the contestant's ratios are paired: both epochs timed in one NumPy sweep process.
_SK_PAIRS = ("sweep process timing both", "sweep processes, each timing both")
#: A twin's phase (:data:`helpers.cost.profiling.PHASES`) in a sentence.
_PHASE_WORDS = {"gather": "gathering the batch's rows", "forward": "the forward pass", "loss": "the loss",
                "backward": "the backward pass", "optimizer": "the optimiser step", "rest": "the remaining Python"}


def _contestant(bench: dict) -> dict:
    """The record's summary of scikit-learn's MLPClassifier (empty when it was not measured)."""
    return bench["summary"].get("contestant") or {}


def _ms_part(seconds: float) -> str:
    """A part of an epoch: ``27 ms``, ``3.4 ms``, ``0.45 ms`` (two significant digits below 10 ms)."""
    ms = seconds * 1e3
    return f"{ms:.0f} ms" if abs(ms) >= 10 else f"{ms:.1f} ms" if abs(ms) >= 1 else f"{ms:.2f} ms"


def _ms2(seconds: float) -> str:
    """Milliseconds with two decimals (a training step's scale), three below a tenth of a millisecond."""
    ms = seconds * 1e3
    return f"{ms:.2f} ms" if abs(ms) >= 0.1 else f"{ms:.3f} ms"


def _contestant_speed(bench: dict, batch: int) -> str | None:
    """The NumPy MLP against scikit-learn's MLPClassifier at ``batch``: the fastest epochs, the ratio per process."""
    s, one = _summary(bench)
    n = _at(s["batch"].get(f"numpy/{one}", {}), batch)
    k = _at(s["batch"].get(f"{CONTESTANT}/{one}", {}), batch)
    if not (n and k):
        return None
    pairs = _at(_contestant(bench).get("ratio_spread", {}), batch)
    ratio = pairs["value"] if pairs else n / k
    return (f"At batch {batch:,} on {_threads(one)}, in float32, an epoch of {_SK} takes {_fmt_s(k)} and one of the "
            f"NumPy MLP {_fmt_s(n)}: " + _faster(ratio, pairs, ("the NumPy MLP", _SK), _SK_PAIRS))


def _contestant_gap(bench: dict, batch: int) -> dict | None:
    """Per training step at ``batch``: scikit-learn's profile cell, the NumPy twin's phase cell, and the difference
    of each phase (scikit-learn's minus the twin's); None unless both were timed there."""
    s, _ = _summary(bench)
    cell = _at(_contestant(bench).get("profile", {}), batch)
    twin = _at(s.get("phases", {}).get("numpy", {}), batch)
    if not (cell and twin):
        return None
    return {"cell": cell, "twin": twin, "gaps": {p: cell["phases"][p] - twin["phases"][p] for p in PHASES}}


def _largest_part(cell: dict) -> str:
    """The part of scikit-learn's epoch that takes longest (the checks of the call aside)."""
    return max((p for p in SKLEARN_PARTS if p != "checks"), key=lambda p: cell["parts"][p])


def _same_work_clause(bench: dict, batch: int, part: str) -> str | None:
    """``part`` done scikit-learn's way and the NumPy twin's on the same arrays, when it was timed both ways:
    ``0.15 ms scikit-learn's way and 0.015 ms the NumPy MLP's (10 x as long)``."""
    v = (_at(_contestant(bench).get("same_work", {}), batch) or {}).get(part)
    if not v:
        return None
    return (f"{_ms2(v['sklearn'])} scikit-learn's way and {_ms2(v['numpy'])} the NumPy MLP's "
            f"({v['sklearn'] / v['numpy']:.0f} x as long)")


def _contestant_line(bench: dict, batch: int) -> str | None:
    """Whether the step-time gap at ``batch`` is per-row work or a fixed per-step cost, from the straight lines
    through both networks' step times (None when scikit-learn's line is not the longer there)."""
    s, _ = _summary(bench)
    mine, twin = _contestant(bench).get("step_model"), s.get("step_model", {}).get("numpy")
    if not (mine and twin):
        return None
    fixed = mine["fixed_seconds"] - twin["fixed_seconds"]
    per_row = (mine["per_row_seconds"] - twin["per_row_seconds"]) * batch
    gap = fixed + per_row
    if gap <= 0:
        return None
    rows = (f"work that grows with the batch ({mine['per_row_seconds'] * 1e9:.0f} ns per row against "
            f"{twin['per_row_seconds'] * 1e9:.0f} ns)")
    step = (f"a fixed cost per step, whatever its size ({_ms2(max(mine['fixed_seconds'], 0))} against "
            f"{_ms2(max(twin['fixed_seconds'], 0))}: Python and call overhead)")
    if fixed <= 0:  # scikit-learn's fixed cost is no larger: the whole gap is per-row work
        return (f"a straight line through the step times puts all of the gap in {rows}; scikit-learn's fixed cost per "
                f"step is no larger ({_ms2(max(mine['fixed_seconds'], 0))} against "
                f"{_ms2(max(twin['fixed_seconds'], 0))})")
    if per_row <= 0:
        return (f"a straight line through the step times puts all of the gap in {step}; scikit-learn's work per row "
                f"is no larger ({mine['per_row_seconds'] * 1e9:.0f} ns against {twin['per_row_seconds'] * 1e9:.0f} ns)")
    share = per_row / gap
    if share >= 0.5:
        return f"a straight line through the step times puts {share:.0%} of the gap in {rows}, the rest in {step}"
    return f"a straight line through the step times puts {1 - share:.0%} of the gap in {step}, the rest in {rows}"


def _contestant_why(bench: dict, batch: int) -> str | None:
    """Why the NumPy MLP and scikit-learn's MLPClassifier differ at ``batch``: the step times, the phases that make
    the difference, scikit-learn's largest part (done both ways where measured) and the straight-line split."""
    found = _contestant_gap(bench, batch)
    if not found:
        return None
    cell, twin, gaps = found["cell"], found["twin"], found["gaps"]
    gap = cell["step_seconds"] - twin["step_seconds"]
    text = (f"a scikit-learn step at batch {batch:,} takes {_ms2(cell['step_seconds'])} and a NumPy MLP step "
            f"{_ms2(twin['step_seconds'])}")
    sign = 1 if gap >= 0 else -1
    top = sorted((p for p in PHASES if gaps[p] * sign > 0), key=lambda p: -abs(gaps[p]))[:2]
    if top:
        more = "longer" if sign > 0 else "less"
        text += "; in scikit-learn " + _names([f"{_PHASE_WORDS[top[0]]} takes {_ms2(abs(gaps[top[0]]))} {more} a step",
                                               *(f"{_PHASE_WORDS[p]} {_ms2(abs(gaps[p]))}" for p in top[1:])])
    part = _largest_part(cell)
    text += (f"; scikit-learn's largest part is its {SKLEARN_PART_LABELS[part]}, "
             f"{_ms2(cell['parts'][part] / cell['steps'])} a step")
    same = _same_work_clause(bench, batch, part)
    if same:
        text += f", and done both ways on the same arrays outside training it takes {same}"
    line = _contestant_line(bench, batch)
    return text + (f"; {line}" if line else "")


def _contestant_memory(bench: dict) -> str | None:
    """Private memory of scikit-learn's training process beside the twins'."""
    s, one = _summary(bench)
    k, n, t = (s["train"].get(f"{b}/{one}") for b in (CONTESTANT, "numpy", "torch"))
    if not (k and _ok(k.get("uss_mb"))):
        return None
    text = (f"at the end of training its fresh process holds {k['uss_mb']:.0f} MB of private memory (USS; PSS "
            f"{k['pss_mb']:.0f} MB, peak resident {k['rusage_peak_mb']:.0f} MB)")
    twins = [f"{v['uss_mb']:.0f} MB for the {label}" for v, label in ((n, "NumPy MLP"), (t, "PyTorch MLP"))
             if v and _ok(v.get("uss_mb"))]
    if twins:
        text += f", against {_names(twins)}"
    if k.get("max_epochs"):
        text += (f" (it trained {k['max_epochs']:,} epochs, a cap the light benchmark sets to stay short; the twins "
                 "trained to early stopping)")
    return text


def contestant_item(bench: dict, batch: int, memory: bool = True) -> str:
    """**Against scikit-learn's MLPClassifier.**: the speed, why, and (``memory``) the private memory."""
    head = f"**Against {_SK}.**"
    speed = _contestant_speed(bench, batch)
    if not speed:
        return f"{head} Not measured at batch {batch:,} in this benchmark."
    text = f"{head} {speed}."
    why = _contestant_why(bench, batch)
    if why:
        text += f" Why: {why}."
    mem = _contestant_memory(bench) if memory else None
    if mem:
        text += f" {mem[0].upper() + mem[1:]}."
    return text


def _contestant_profile_sentences(bench: dict, batch: int) -> list[str]:
    """Where scikit-learn's epoch goes at ``batch`` (else its smallest profiled batch size), against the NumPy
    twin phase by phase, two operations done both ways, the straight-line split and the profile's check."""
    c = _contestant(bench)
    profile = c.get("profile", {})
    if not profile:
        return ["Where its epoch's time goes was not measured in this benchmark."]
    b = batch if _at(profile, batch) else min(int(x) for x in profile)
    cell = _at(profile, b)
    epoch, parts = cell["epoch_seconds"], cell["parts"]
    out = []
    dtypes = cell.get("dtypes", {})
    other = [f"{what} {dtypes[key]}" for key, what in (("loss", "the loss its loss function returns is"),
                                                        ("adam_update", "the updates its Adam returns are"))
             if dtypes.get(key) and dtypes[key] != dtypes.get("weights")]
    if other:
        out.append(f"In float32 its weights stay {dtypes.get('weights')}, but {_names(other)} (the dtypes those "
                   "functions hand back): part of each step runs in double precision anyway.")
    ranked = sorted((p for p in SKLEARN_PARTS if p not in ("checks", "loop", "packing")), key=lambda p: -parts[p])[:4]
    big = _names(f"the {SKLEARN_PART_LABELS[p]} ({_ms_part(parts[p])}, {parts[p] / epoch:.0%})" for p in ranked)
    packing = cell["calls"].get("packing", 0)
    pack = ("packing and unpacking the parameters take nothing: its epochs never call them (0 calls)" if not packing
            else f"packing and unpacking the parameters take {_ms_part(parts['packing'])} ({packing:,} calls)")
    out.append(f"Profiled at batch {b:,}, its epoch of {_ms_part(epoch)} goes mostly to {big}; the checks and setup "
               f"of its partial_fit call take {_ms_part(parts['checks'])} ({parts['checks'] / epoch:.0%}), the "
               f"training loop's per-batch Python {_ms_part(parts['loop'])} ({parts['loop'] / epoch:.0%}), and {pack}.")
    found = _contestant_gap(bench, b)
    if found:
        gaps = found["gaps"]
        listed = ", ".join(f"{PHASE_LABELS[p]} {gaps[p] * 1e3:+.2f}" for p in sorted(PHASES, key=lambda p: -gaps[p]))
        out.append(f"Per training step at batch {b:,}, scikit-learn takes {_ms2(cell['step_seconds'])} and the NumPy "
                   f"MLP {_ms2(found['twin']['step_seconds'])}; phase by phase, scikit-learn's time minus the NumPy "
                   f"MLP's is (ms) {listed}.")
    same = [(op, _same_work_clause(bench, b, op)) for op in (_at(c.get("same_work", {}), b) or {})]
    same = [f"the {SKLEARN_PART_LABELS[op]} takes {clause}" for op, clause in same if clause]
    if same:
        out.append(f"Done both ways on the same arrays outside training at batch {b:,}, {_names(same)}.")
    line = _contestant_line(bench, b)
    if line:
        out.append(f"Against the NumPy MLP at batch {b:,}, {line}.")
    errors = {int(x): v["phase_sum_error"] for x, v in profile.items()}
    worst = max(errors, key=errors.get)
    tolerance = TARGETS["phase_sum_error"]
    out.append(f"Check: the timed parts add up to the epoch timed without timers within {errors[worst]:.1%} in the "
               f"worst batch size ({worst:,}), {'inside' if errors[worst] <= tolerance else 'outside'} the "
               f"{tolerance * 100:g} % tolerance.")
    return out


def _contestant_memory_sentences(bench: dict) -> list[str]:
    """Its private memory beside the twins', and what importing scikit-learn means for the NumPy twin's number."""
    s, one = _summary(bench)
    memory = _contestant_memory(bench)
    if not memory:
        return [f"The memory of {_SK}'s training process was not measured in this benchmark."]
    out = [memory[0].upper() + memory[1:] + "."]
    stacks = s.get("memory_stack", {})
    sk_step = _added(stacks.get("numpy", []), "+ scikit-learn (with SciPy)")
    network = _added(stacks.get(CONTESTANT, []), SKLEARN_NETWORK_STEP)
    n_uss = s["train"].get(f"numpy/{one}", {}).get("uss_mb")
    if sk_step is not None and network is not None and _ok(n_uss):
        diff = s["train"][f"{CONTESTANT}/{one}"]["uss_mb"] - n_uss
        verdict = ("so importing scikit-learn's network is not what separates the two processes"
                   if abs(network) < abs(diff) / 2 else "which accounts for most of the difference between them")
        out.append(f"Both processes import scikit-learn with SciPy -- the NumPy MLP for its estimator base class, "
                   f"PR-AUC and validation split -- which adds {sk_step:.0f} MB resident to each; scikit-learn's network "
                   f"(`sklearn.neural_network`) adds {network:.1f} MB more, against the {abs(diff):.0f} MB by which "
                   f"its private memory {'exceeds' if diff >= 0 else 'falls short of'} the NumPy MLP's, {verdict}.")
    return out


def contestant_sentences(bench: dict, batch_size: int = REPORT_BATCH) -> list[str]:
    """scikit-learn's MLPClassifier beside the twins: its epoch times, the NumPy / scikit-learn ratio with its
    spread, its float64 path, where its epoch's time goes, the difference from the NumPy twin phase by phase and
    in a straight line through the step times, the profile's check, and its private memory.

    Parameters
    ----------
    bench : dict
        A benchmark record as read from ``bench.json`` / ``bench_light.json``.
    batch_size : int
        The batch size the profile is read at first (the report's own, 512).

    Returns
    -------
    list of str
        Markdown sentences; one sentence saying so when the record has no contestant.
    """
    s, one = _summary(bench)
    c = _contestant(bench)
    per = s["batch"].get(f"{CONTESTANT}/{one}", {})
    if not c or not per:
        return [f"{_SK} was not measured in this benchmark."]
    twins = {b: s["batch"].get(f"{b}/{one}", {}) for b in ("numpy", "torch")}
    batches = sorted(int(b) for b in per)
    sweeps = max((len(v["values"]) for v in c.get("ratio_spread", {}).values()), default=1)
    cells = []
    for b in batches:
        beside = [f"{label} {_fmt_s(_at(twins[key], b))}" for key, label in (("numpy", "NumPy MLP"),
                                                                             ("torch", "PyTorch MLP")) if _at(twins[key], b)]
        cells.append(f"{_fmt_s(_at(per, b))} at batch {b:,}" + (f" ({', '.join(beside)})" if beside else ""))
    out = [(f"On {_threads(one)}, in float32, an epoch of {_SK} takes (each the fastest of {sweeps} "
            f"sweep{'s' if sweeps != 1 else ''}) {_names(cells)}.")]
    ratios = [(b, _at(c.get("ratio_spread", {}), b)) for b in batches]
    words = [f"{r['value']:.2f}" + (f" [{r['low']:.2f}, {r['high']:.2f}]" if r["low"] != r["high"] else "")
             + f" at batch {b:,}" for b, r in ratios if r]
    if words:
        out.append(f"The NumPy MLP's epoch time over scikit-learn's, one ratio per sweep process that timed both on the "
                   f"same rows (median [range]): {_names(words)}.")
    float64 = {b: _at(c.get("float64", {}), b) for b in batches if _at(c.get("float64", {}), b)}
    if float64:
        ratios = {b: t / _at(per, b) for b, t in float64.items()}
        path = ("slower" if min(ratios.values()) > 1.05 else "faster" if max(ratios.values()) < 0.95 else
                "about as fast" if all(abs(r - 1) <= 0.05 for r in ratios.values()) else "faster at some batch sizes "
                "and slower at others")
        out.append("In float64 its epoch takes " + _names(f"{_fmt_s(t)} at batch {b:,} ({ratios[b]:.2f} x its float32 "
                                                           "time)" for b, t in float64.items())
                   + f": its float64 path is {path}.")
    return out + _contestant_profile_sentences(bench, batch_size) + _contestant_memory_sentences(bench)

# ============================================================================ provenance, rows, targets
def source_sentences(bench: dict) -> list[str]:
    """Which benchmark the numbers come from, when, on what machine and threads.

    Returns
    -------
    list of str
    """
    machine, versions = bench["machine"], bench.get("versions", {})
    mode = bench.get("mode", "full")
    plan = bench.get("plan", {})
    if mode == "full":
        how = "`make bench`'s full benchmark"
    else:
        rows = plan.get("row_counts") or []
        rows_part = (f"a rows sweep over {rows[0]:,} to {rows[-1]:,} rows ({plan.get('row_repeats', 1)} repeats)"
                     if rows else "no rows sweep")
        batches = plan.get("batch_sizes") or []
        how = (f"the light benchmark that `make report` runs (one thread, one training run per backend, "
               f"{len(batches) or 'three'} batch sizes in {plan.get('sweep_repeats', 2)} interleaved sweeps per "
               f"backend, {rows_part}, no torch.compile; `make bench` runs the full one, which this notebook shows "
               "whenever it is current)")
    return [f"These numbers come from {how}, measured on {bench['created_utc']} in "
            f"{bench.get('wall_seconds', float('nan')):.0f} s on {machine['cpus']} logical CPUs "
            f"({machine.get('cpu_model', 'model not recorded')}) with {', '.join(map(str, bench['threads']))} thread(s), "
            f"torch {versions.get('torch', '?')}, NumPy {versions.get('numpy', '?')}, scikit-learn "
            f"{versions.get('sklearn', '?')}. Every measurement ran in a fresh process."]


def _shape(t: dict) -> str:
    """How epoch time grows with the rows, read from the slope's interval (a linear band of 0.85 to 1.15)."""
    if t["low"] >= 0.85 and t["high"] <= 1.15:
        return "about linearly"
    if t["low"] > 1.15:
        return "faster than linearly"
    if t["high"] < 0.85:
        return "slower than linearly (fixed costs still matter at these sizes)"
    return "at a rate these repeats cannot pin down"


def rows_sentences(bench: dict) -> list[str]:
    """How epoch time and peak memory grow with the number of training rows, each slope with its interval
    across repeats and judged by its target.

    Returns
    -------
    list of str
    """
    rows = bench["summary"].get("rows", {})
    out = []
    for backend in ("numpy", "torch"):
        slope = _target(bench, f"{backend}_rows_time_slope")
        if not slope:
            continue
        counts = sorted(int(n) for n in rows.get(backend, {}))
        span = f" from {counts[0]:,} to {counts[-1]:,} rows" if counts else ""
        text = (f"{_LABEL[backend]}: epoch time grows {_shape(slope)} with the rows{span}, log-log slope "
                f"{_judged(slope)}")
        per_million = rows.get(f"{backend}_mb_per_million_rows")
        growth = _target(bench, f"{backend}_rows_mb_growth")
        if _ok(per_million):
            text += f". Peak memory grows by {per_million:.0f} MB per million rows"
            if growth:
                text += f"; the MB per row of the last step over the first is {_judged(growth)}"
        out.append(text + ".")
    return out or ["This benchmark has no rows sweep."]


def targets_sentences(bench: dict) -> list[str]:
    """How many targets this run meets, misses and cannot show, naming each one not met or not shown with
    its measured value and spread.

    Returns
    -------
    list of str
    """
    targets = bench["summary"]["targets"]
    by = {v: [t for t in targets if t["met"] is v] for v in (True, False, None)}
    head = (f"Of {len(targets)} targets, each judged on the unfavourable end of its spread or interval where it has "
            f"one, {len(by[True])} {'is' if len(by[True]) == 1 else 'are'} met, {len(by[False])} not met and "
            f"{len(by[None])} not shown (the spread straddles the limit)")
    out = [head + "."]
    for verdict, label in ((False, "Not met"), (None, "Not shown")):
        if by[verdict]:
            out.append(f"{label}: " + "; ".join(f"{t['label']}, measured {measured_text(t, '{:.3g}')}"
                                                for t in by[verdict]) + ".")
    return out


# ============================================================================ conclusions
def conclusions(bench: dict, batch_size: int = REPORT_BATCH) -> list[str]:
    """The chapter's conclusions, one item per finding, each worded from the record.

    Returns
    -------
    list of str
        Items with a bold lead-in: speed, where the time goes, memory, against scikit-learn's
        MLPClassifier, what a PyTorch user can switch off, scaling with rows, targets (an item the record
        has no numbers for is left out).
    """
    s, _ = _summary(bench)
    items = []
    speed = _speed_clause(bench, batch_size)
    if speed:
        ratios = [(b, _target(bench, f"epoch_ratio_{b}")) for b in (512, 4096)]
        judged = "; ".join(f"NumPy's epoch at most {t['limit']:g} x PyTorch's at batch {b:,} is {verdict_text(t)}"
                           for b, t in ratios if t)
        items.append(f"**Speed.** {speed}." + (f" Judged on the interleaved pairs, the target of {judged}." if judged
                                               else ""))
    time_why = _why_time(bench, batch_size)
    factor = _target(bench, "products_factor")
    if time_why or factor:
        text = "**Where the time goes.**"
        if time_why:
            text += f" {time_why[0].upper() + time_why[1:]}."
        if factor:
            text += (f" At batch 4,096 the NumPy epoch over its own matrix products alone is {measured_text(factor)}, "
                     f"against a target of at most {factor['limit']:g}: {verdict_text(factor)}.")
        items.append(text)
    memory = _memory_clause(bench)
    if memory:
        text = f"**Memory.** {memory}."
        uss = [(_LABEL[b], _target(bench, f"{b}_uss_mb")) for b in ("numpy", "torch")]
        uss = [(label, t) for label, t in uss if t]
        if uss:
            text += " Against the private-memory targets: " + "; ".join(
                f"{label} {measured_text(t, '{:.0f}', ' MB')}, {verdict_text(t, '{:.0f}', ' MB')}" for label, t in uss) + "."
        why = _why_memory(bench)
        if why:
            text += f" {why[0].upper() + why[1:]}."
        items.append(text)
    if _contestant_speed(bench, batch_size):
        items.append(contestant_item(bench, batch_size))
    switches = s.get("adam_switches") or {}
    if switches:
        avoid = [k for k, v in switches.items() if not v.get("compiler_stack")]
        head = (f"{_names(_switch_names(avoid).values())} {'keeps' if len(avoid) == 1 else 'keep'} torch.optim.Adam from importing the "
                "compiler stack" if avoid else
                f"No setting measured ({_names(_switch_names(switches).values())}) keeps torch.optim.Adam from "
                "importing the compiler stack")
        summary = _switch_summary(bench, batch_size)
        items.append(f"**What a PyTorch user can switch off.** {head}" + (f"; {summary}." if summary else "."))
    rows = rows_sentences(bench)
    if _target(bench, "numpy_rows_time_slope") or _target(bench, "torch_rows_time_slope"):
        items.append("**Scaling with rows.** " + " ".join(rows))
    if s.get("targets"):
        items.append("**Targets.** " + targets_sentences(bench)[0])
    return items


def conclusions_markdown(bench: dict, batch_size: int = REPORT_BATCH) -> str:
    """:func:`conclusions` as a numbered Markdown list."""
    return conclusions_list(conclusions(bench, batch_size))


# ============================================================================ make bench's summary
def summary_markdown(bench: dict) -> str:
    """Markdown tables of the benchmark (``make bench`` prints them; ``bench.json`` keeps them), from its numbers."""
    bench = json.loads(json.dumps(bench))  # string keys, as read back from the file
    s = bench["summary"]
    machine = bench["machine"]
    lines = [f"Benchmark ({bench.get('mode', 'full')} mode) of {bench['created_utc']} on {machine['cpus']} CPUs "
             f"({machine.get('cpu_model', 'CPU model not recorded')}), torch {bench.get('versions', {}).get('torch', '?')}, "
             f"NumPy {bench.get('versions', {}).get('numpy', '?')}; median of {bench['repeats']} fresh process(es) per "
             "training run (times are noisy across runs; ratios within one run are not).",
             "", verdict_markdown(bench), "", markdown(speed_table(bench), digits=3)]
    if s.get("ratio_spread"):
        lines += ["", markdown(ratio_table(bench), digits=3)]
    else:
        lines += ["", markdown(pd.Series(s["ratios"], name="value").rename_axis("ratio measured in this run"), digits=2)]
    lines += ["", markdown(private_memory_table(bench), digits=0)]
    if s.get("phases"):
        lines += ["", "Milliseconds per training step, 1 thread:", "", markdown(phase_table(bench), digits=3)]
    if s.get("arithmetic"):
        lines += ["", markdown(arithmetic_table(bench), digits=3)]
    if any(s.get("products_factor", {}).values()):
        lines += ["", markdown(products_table(bench), digits=3)]
    if s.get("variants", {}).get("epoch_seconds"):
        lines += ["", markdown(variant_table(bench), digits=3)]
    if s.get("adam_switches"):
        lines += ["", markdown(switch_table(bench), digits=3)]
    if s.get("contestant", {}).get("profile"):
        lines += ["", markdown(contestant_table(bench), digits=3)]
    if s.get("memory_stack"):
        lines += ["", markdown(memory_table(bench), digits=0)]
    if any(k.endswith("_time_slope") for k in s.get("rows", {})):
        lines += ["", markdown(rows_table(bench), digits=3)]
    lines += ["", markdown(targets_table(bench), digits=3), "", *[f"- {x}" for x in targets_sentences(bench)]]
    sentences = [*speed_sentences(bench), *ratio_sentences(bench), *breakdown_sentences(bench),
                 *arithmetic_sentences(bench), *switch_sentences(bench), *memory_sentences(bench),
                 *contestant_sentences(bench), *rows_sentences(bench)] if s.get("phases") else []
    if sentences:
        lines += ["", *[f"- {x}" for x in sentences]]
    return "\n".join(lines)
