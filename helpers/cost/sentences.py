"""The cost chapter's sentences (notebook 06, the README), worded by code from a benchmark record.

Every function takes the record as read from ``bench.json`` / ``bench_light.json`` and returns
Markdown; none computes a number the record (:func:`helpers.cost.record.summarise`) does not hold.
Nothing here is a fixed verdict: the tests feed fabricated records and assert that the words flip.
"""

from __future__ import annotations

import json

import pandas as pd

from helpers.compare.week1 import WEEK1_QUOTED
from helpers.cost.figures import (
    arithmetic_table,
    memory_table,
    phase_table,
    targets_table,
    variant_table,
)
from helpers.cost.profiling import PHASE_LABELS
from helpers.cost.record import TARGETS
from helpers.tables import markdown

# ============================================================================ quality verdicts
# (issue 11: paired differences over seeds, equivalence margins, calibration, rounding)

def _summary(bench: dict) -> tuple[dict, str]:
    """``bench["summary"]`` and the thread count the cost sentences speak about (as a string key)."""
    s = bench["summary"]
    return s, str(s.get("target_threads", 1))


def _at(mapping: dict, key):
    """``mapping[key]`` whether the JSON round trip made the key a string or not (None if absent)."""
    if not mapping:
        return None
    return mapping.get(str(key), mapping.get(key))


def _times(ratio: float) -> str:
    """``2.6 x faster`` / ``1.4 x slower`` / ``as fast`` for a time ratio A/B (A's time over B's)."""
    if ratio != ratio:
        return "not measured"
    if abs(ratio - 1) < 0.05:
        return "about as fast as"
    return f"{1 / ratio:.1f} x faster than" if ratio < 1 else f"{ratio:.1f} x slower than"


def _fmt_s(seconds: float) -> str:
    return f"{seconds * 1e3:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


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
            f"Trained to early stopping on {one} thread(s), the NumPy network took {n_train['seconds']:.1f} s "
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
        out.append("Per epoch, NumPy is " + "; ".join(parts) + f": {trend}.")
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
    """FLOPs per epoch, achieved GFLOP/s and the distance from the GEMM rate's bound.

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
                   f"on {one} thread(s), so the epoch's FLOPs need {flops['per_epoch'] / n_rate / 1e9 * 1e3:.0f} ms at "
                   "that rate.")
    for backend, label in (("numpy", "NumPy"), ("torch", "PyTorch")):
        per = arith.get(backend, {})
        if not per:
            continue
        rates = ", ".join(f"{v['achieved_gflops']:.1f} at batch {int(b):,}" for b, v in sorted(per.items(), key=lambda kv: int(kv[0])))
        out.append(f"{label} achieves {rates} GFLOP/s.")

    factor = TARGETS["gemm_bound_factor"]
    big = _at(arith["numpy"], 4096)
    if big:
        out.append(f"At batch 4,096 the NumPy epoch takes {big['x_bound']:.1f} x the GEMM-rate time for its FLOPs: "
                   + ("within" if big["x_bound"] <= factor else "outside") + f" the {factor:g} x target.")
        out += _floor_sentences(big, _at(arith.get("torch", {}), 4096), flops["layer_sizes"], s.get("blas", {}),
                                factor)
    return out


def _floor_sentences(numpy_cell: dict, torch_cell: dict | None, layer_sizes, blas: dict,
                     factor: float) -> list[str]:
    """Why an epoch sits where it does against the GEMM bound (target: ``factor`` x), from the products alone.

    A floor within 10 % of the factor counts as using up the allowance: the measurements are noisy.
    """
    if "products_seconds" not in numpy_cell:
        return []
    epoch, floor = numpy_cell["epoch_seconds"], numpy_cell["products_seconds"]
    widths = ", ".join(map(str, layer_sizes))
    numpy_blas = f"NumPy's BLAS ({blas['numpy']})" if blas.get("numpy") else "NumPy's BLAS"
    out = [f"The epoch's matrix products alone (the same shapes, layouts and calls, back to back with nothing "
           f"else) take {floor * 1e3:.0f} ms in NumPy, {numpy_cell['products_gflops']:.0f} GFLOP/s: "
           f"{numpy_cell['products_x_bound']:.1f} x the bound, because {numpy_blas} runs "
           + ("well below" if numpy_cell["products_x_bound"] > 1.25 else "close to")
           + f" its large-GEMM rate on matrices only {widths} wide. The rest of the NumPy epoch, "
           f"{max(epoch - floor, 0) * 1e3:.0f} ms ({max(epoch - floor, 0) / epoch:.0%}), is the element-wise work "
           "(bias, ReLU and its mask, loss, Adam), the batch gathering and Python."]
    floor_x = numpy_cell["products_x_bound"]
    if floor_x > 1.1 * factor:
        out.append(f"So on this machine no NumPy training loop can meet the {factor:g} x target, however lean the rest: "
                   f"its products alone are {floor_x:.1f} x. The bound assumes every product runs at a large square "
                   "GEMM's rate, which this BLAS does not reach on matrices this narrow.")
    elif floor_x >= 0.9 * factor:
        out.append(f"The products alone ({floor_x:.1f} x) use up about the whole {factor:g} x allowance, so the target could "
                   "be met only if the element-wise work, the gathering and Python took no time at all.")
    elif numpy_cell["x_bound"] > factor:
        out.append(f"The products alone fit within {factor:g} x, so the gap to the target is the element-wise work and the "
                   "per-step overhead, not the matrix products.")
    if torch_cell and "products_seconds" in torch_cell:
        extra = torch_cell["epoch_seconds"] - epoch
        products_extra = torch_cell["products_seconds"] - floor
        torch_blas = f" with {blas['torch']}" if blas.get("torch") else ""
        if products_extra * extra < 0:
            share = (f"torch's products are {abs(products_extra) * 1e3:.0f} ms "
                     f"{'faster' if products_extra < 0 else 'slower'} than NumPy's, so the whole difference, and "
                     "more, lies outside the matrix products")
        elif abs(products_extra) < 0.5 * abs(extra):
            share = (f"the products account for only {abs(products_extra) * 1e3:.0f} ms of it: most of the "
                     "difference lies outside the matrix products")
        else:
            share = f"the products account for {abs(products_extra) * 1e3:.0f} ms of it"
        out.append(f"torch's own products take {torch_cell['products_seconds'] * 1e3:.0f} ms{torch_blas} "
                   f"({torch_cell['products_gflops']:.0f} GFLOP/s, "
                   f"{torch_cell['products_x_bound']:.1f} x its own bound). The "
                   f"PyTorch epoch is {abs(extra) * 1e3:.0f} ms {'longer' if extra >= 0 else 'shorter'} than NumPy's; "
                   f"{share}.")
    return out


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


def memory_sentences(bench: dict) -> list[str]:
    """Peak memory of the fresh training processes and where a process's memory comes from.

    Returns
    -------
    list of str
    """
    s, one = _summary(bench)
    out = []
    n, t = s["train"].get(f"numpy/{one}"), s["train"].get(f"torch/{one}")
    if n and t:
        out.append(f"In fresh processes that load only what training needs, the NumPy run peaks at "
                   f"{n['rusage_peak_mb']:.0f} MB and the PyTorch run at {t['rusage_peak_mb']:.0f} MB (getrusage; "
                   f"memory_profiler: {n['peak_mb']:.0f} and {t['peak_mb']:.0f} MB): PyTorch needs "
                   f"{abs(t['rusage_peak_mb'] - n['rusage_peak_mb']):.0f} MB "
                   f"{'more' if t['rusage_peak_mb'] >= n['rusage_peak_mb'] else 'less'}.")
    stacks = s.get("memory_stack", {})
    if stacks.get("torch") and stacks.get("numpy"):
        def added(steps, name):
            return next((x["added_mb"] for x in steps if x["step"] == name), float("nan"))

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
        out.append(f"Added one at a time in the training processes: scikit-learn (with SciPy) {sk:+.0f} MB, torch "
                   f"{torch_import:+.0f} MB{optim_part}, the data arrays {data:+.0f} MB, training {train_n:+.0f} MB "
                   f"for NumPy and {train_t:+.0f} MB for PyTorch. The largest single piece is {biggest[0]}: the "
                   "framework, not the network, decides the memory.")
        step = next((x for x in stacks["torch"] if x["step"] == "+ torch.optim.Adam"), None)
        if step and step.get("compiler_stack"):
            before = next(x for x in stacks["torch"] if x["step"] == "+ torch")
            sizes = s.get("flops", {}).get("layer_sizes")
            state = (f" ({2 * 4 * sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])) / 1024:.0f} kB of float32 "
                     "moments here)") if sizes else ""
            out.append(f"The optimiser's {optim:.0f} MB are not its state{state}: constructing "
                       f"torch.optim.Adam loads {step['modules'] - before['modules']:,} more modules, among them "
                       f"{', '.join(step['compiler_stack'])}, because torch marks the optimiser's methods as not to "
                       "be compiled and imports its compiler to do so, whether or not torch.compile is ever used.")
        ends = {k: stacks[k][-1] for k in ("numpy", "torch")}
        if all(e.get("anon_mb") is not None for e in ends.values()):
            n_end, t_end = ends["numpy"], ends["torch"]
            out.append(f"When training ends, the NumPy process holds {n_end['anon_mb']:.0f} MB of private memory and "
                       f"{n_end['file_mb']:.0f} MB of mapped library pages, the PyTorch process "
                       f"{t_end['anon_mb']:.0f} MB and {t_end['file_mb']:.0f} MB. Mapped pages are shared with every "
                       "process that uses the same libraries, and how many of them are resident depends on what the "
                       "kernel holds in its page cache (all of a just-installed library is cached), so the peak RSS "
                       "that the targets use can move by tens of MB between machines and installs with the same "
                       "code; the private part is the stable measure.")
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


def source_sentences(bench: dict) -> list[str]:
    """Which benchmark the numbers come from, when, on what machine and threads.

    Returns
    -------
    list of str
    """
    machine, versions = bench["machine"], bench.get("versions", {})
    mode = bench.get("mode", "full")
    how = ("`make bench`'s full benchmark" if mode == "full" else
           "the light benchmark that `make report` runs (one thread, one training run per backend, three batch "
           "sizes, no rows sweep; `make bench` runs the full one, which this notebook shows whenever it is current)")
    return [f"These numbers come from {how}, measured on {bench['created_utc']} in "
            f"{bench.get('wall_seconds', float('nan')):.0f} s on {machine['cpus']} logical CPUs "
            f"({machine.get('cpu_model', 'model not recorded')}) with {', '.join(map(str, bench['threads']))} thread(s), "
            f"torch {versions.get('torch', '?')}, NumPy {versions.get('numpy', '?')}, scikit-learn "
            f"{versions.get('sklearn', '?')}. Every measurement ran in a fresh process."]


def rows_sentences(bench: dict) -> list[str]:
    """How epoch time and peak memory grow with the number of training rows.

    Returns
    -------
    list of str
    """
    rows = bench["summary"].get("rows", {})
    out = []
    for backend, label in (("numpy", "NumPy"), ("torch", "PyTorch")):
        slope, per_million = rows.get(f"{backend}_time_slope"), rows.get(f"{backend}_mb_per_million_rows")
        if slope is None:
            continue
        shape = ("about linearly" if 0.85 <= slope <= 1.15 else "faster than linearly" if slope > 1.15
                 else "slower than linearly (fixed costs still matter at these sizes)")
        out.append(f"{label}: epoch time grows {shape} with the rows (log-log slope {slope:.2f}); peak memory "
                   f"grows by {per_million:.0f} MB per million rows.")
    return out or ["The rows sweep runs in `make bench` only; this benchmark has none."]


def targets_sentences(bench: dict) -> list[str]:
    """How many of the targets this run meets, naming the missed ones with their measured values.

    Returns
    -------
    list of str
    """
    s = bench["summary"]
    targets = s["targets"]
    missed = [t for t in targets if not t["met"]]
    head = f"{len(targets) - len(missed)} of {len(targets)} targets are met in this run"
    if not missed:
        return [head + "."]
    out = [head + "; missed: " + "; ".join(f"{t['label']} (measured {t['value']:.3g})" for t in missed) + "."]

    for t in missed:  # a missed peak: how much of it the process itself allocated
        backend = t["key"].removesuffix("_peak_mb")
        stack = s.get("memory_stack", {}).get(backend)
        if not t["key"].endswith("_peak_mb") or not stack:
            continue
        end, limit = stack[-1], t["limit"]
        if end.get("anon_mb") is not None:
            label = "NumPy" if backend == "numpy" else "PyTorch"
            out.append(f"The {label} process's private memory at the end of training, {end['anon_mb']:.0f} MB, is "
                       f"{'within' if end['anon_mb'] <= limit else 'over'} the {limit:g} MB target on its own; the "
                       f"other {end['file_mb']:.0f} MB of the reading are mapped library pages, whose count depends "
                       "on the page cache (see where the memory goes).")
    return out


def summary_markdown(bench: dict) -> str:
    """Markdown tables of the benchmark (``make bench`` prints them; ``bench.json`` keeps them), from its numbers."""
    bench = json.loads(json.dumps(bench))  # string keys, as read back from the file
    s = bench["summary"]
    machine = bench["machine"]
    lines = [f"Benchmark ({bench.get('mode', 'full')} mode) of {bench['created_utc']} on {machine['cpus']} CPUs "
             f"({machine.get('cpu_model', 'CPU model not recorded')}), torch {bench.get('versions', {}).get('torch', '?')}, "
             f"NumPy {bench.get('versions', {}).get('numpy', '?')}; median of {bench['repeats']} fresh process(es) per "
             "training run (times are noisy across runs; ratios within one run are not).",
             ""]
    train = pd.DataFrame({key: {"train to early stop (s)": v["seconds"], "epochs": v["epochs"],
                                "s / epoch": v["epoch_seconds"], "peak RSS (MB, getrusage)": v["rusage_peak_mb"],
                                "peak (MB, memory_profiler)": v["peak_mb"]}
                          for key, v in s["train"].items()}).T.rename_axis("backend / threads")
    ratios = pd.Series(s["ratios"], name="value").rename_axis("ratio measured in this run")
    lines += [markdown(train, digits=3), "", markdown(ratios, digits=2)]
    if s.get("phases"):
        lines += ["", "Milliseconds per training step, 1 thread:", "", markdown(phase_table(bench), digits=3)]
    if s.get("arithmetic"):
        lines += ["", markdown(arithmetic_table(bench), digits=3)]
    if s.get("variants", {}).get("epoch_seconds"):
        lines += ["", markdown(variant_table(bench), digits=3)]
    if s.get("memory_stack"):
        lines += ["", markdown(memory_table(bench), digits=0)]
    lines += ["", markdown(targets_table(bench), digits=3)]
    sentences = [*speed_sentences(bench), *breakdown_sentences(bench),
                 *arithmetic_sentences(bench), *memory_sentences(bench)] if s.get("phases") else []
    if sentences:
        lines += ["", *[f"- {x}" for x in sentences]]
    return "\n".join(lines)

