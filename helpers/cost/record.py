"""The benchmark's record: what is measured (backends, batch sizes, modes), the targets, the cache
key, and :func:`summarise`, which turns the raw measurements into every number the cost chapter shows.

Numbers only: the sentences (:mod:`helpers.cost.sentences`) and figures (:mod:`helpers.cost.figures`)
read a record and word or draw it; :mod:`helpers.cost.measure` produces the measurements;
``python -m helpers.cost`` wires the three together. Only the standard library is imported at module
level: the benchmark's driver and workers import this module and must stay light.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from helpers import paths
from helpers.cost.profiling import code_fingerprint, flops_per_epoch

BACKENDS = {"numpy": "NumPy MLP", "torch": "PyTorch MLP"}
BATCH_SIZES = [64, 256, 512, 1024, 4096, 8192]
ROW_COUNTS = [10_000, 30_000, 100_000, 300_000, 1_000_000]
PHASE_BATCHES = [64, 512, 4096]
#: Each target's limit, by key; a target is met when its measured value is at most the limit.
TARGETS = {"numpy_peak_mb": 150.0, "torch_peak_mb": 400.0, "epoch_ratio_512": 0.6, "epoch_ratio_4096": 1.2,
           "gemm_bound_factor": 2.0, "phase_sum_error": 0.10, "rows_time_slope": 1.15, "rows_mb_growth": 1.5}


def target(key: str, label: str, value: float, limit_key: str | None = None) -> dict:
    """A target as a record: ``key``, ``label`` (words), ``limit`` (:data:`TARGETS`), ``value``, ``met``."""
    limit = TARGETS[limit_key or key]
    return {"key": key, "label": label, "limit": limit, "value": float(value), "met": bool(value <= limit)}


def with_increments(steps: list[dict]) -> list[dict]:
    """The steps of a memory stack, each with ``added_mb``: its resident MB minus the previous step's."""
    previous = 0.0
    out = []
    for step in steps:
        out.append({**step, "added_mb": step["rss_mb"] - previous})
        previous = step["rss_mb"]
    return out


#: What each mode measures. ``light`` runs inside ``make report`` (notebook 06): one thread, one
#: training run per backend, three batch sizes (three timed epochs each after a warm-up, in two
#: sweeps per backend that alternate), no rows sweep and no torch.compile (whose cold compile alone
#: takes about half a minute); ``full`` is ``make bench``.
MODES = {
    "light": {"threads": (1,), "repeats": 1, "batch_sizes": [64, 512, 4096], "epochs": 4,
              "row_counts": [], "row_epochs": 2, "phase_batches": PHASE_BATCHES,
              "phase_rows": 12_000, "phase_repeats": 3, "variant_batches": [512, 4096], "compile": False,
              "fit_epochs": 1, "sweep_repeats": 2},
    "full": {"threads": (1, 2), "repeats": 3, "batch_sizes": BATCH_SIZES, "epochs": 4,
             "row_counts": ROW_COUNTS, "row_epochs": 4, "phase_batches": PHASE_BATCHES,
             "phase_rows": None, "phase_repeats": 5, "variant_batches": [64, 512, 4096], "compile": True,
             "fit_epochs": None, "sweep_repeats": 2},
}


# ----------------------------------------------------------------------------- cache
def data_key(processed_dir, split: str) -> dict:
    """What identifies the prepared data: source checksum (or synthetic recipe), split, sample, seed.

    Read from ``meta.json`` with the standard library only (the driver stays light).
    """
    from helpers.data.prepared import split_dir

    meta_path = split_dir(processed_dir, split) / "meta.json"
    if not meta_path.is_file():
        raise FileNotFoundError(f"no prepared data for split {split!r} ({paths.display_path(meta_path)} is missing): "
                                "run notebook 01_data_and_imbalance (or `make report`) first")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    source = meta["source"]
    return {"source_sha256": source.get("sha256"), "synthetic": bool(source.get("synthetic")),
            "synthetic_rows": source.get("synthetic_rows"), "split": split,
            "sample_rows": meta.get("sample_rows"), "seed": meta.get("split", {}).get("seed")}


def cache_key(processed_dir, split: str, mode: str, threads) -> dict:
    """The benchmark's cache key: the data, the mode, the thread counts and the code fingerprint."""
    return {"data": data_key(processed_dir, split), "mode": mode, "threads": [int(t) for t in threads],
            "code": code_fingerprint()}


def is_current(bench: dict | None, processed_dir, split: str, mode: str | None = None, threads=None) -> bool:
    """Whether ``bench`` was produced from this data by this code (and, if given, this mode and threads)."""
    if not bench or "cache_key" not in bench:
        return False
    key = bench["cache_key"]
    try:
        wanted = cache_key(processed_dir, split, mode or key.get("mode"), threads or key.get("threads"))
    except FileNotFoundError:
        return False
    return key == wanted


def light_path(results_dir=None) -> Path:
    return paths.resolve(results_dir, paths.RESULTS_DIR) / "bench_light.json"


def current_record(processed_dir=None, split="stratified", results_dir=None) -> dict | None:
    """The record :func:`for_report` would show, without measuring anything: ``make bench``'s full one
    when current for this data and code, else the light one when current, else None."""
    full = load_bench(results_dir)
    if is_current(full, processed_dir, split):
        return full
    light = _read(light_path(results_dir))
    return light if is_current(light, processed_dir, split, "light", MODES["light"]["threads"]) else None


def _read(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _median(rows, key):
    values = [r[key] for r in rows]
    return statistics.median(values) if values else float("nan")


def summarise(bench: dict) -> dict:
    """Medians per backend and thread count, ratios measured in this run, and the targets."""
    m = bench["measurements"]
    out: dict = {"train": {}, "batch": {}, "rows": {}, "inference": {}, "ratios": {}, "targets": {}}
    for backend in BACKENDS:
        for t in bench["threads"]:
            sel = [r for r in m if r["backend"] == backend and r["threads"] == t]
            train = [r for r in sel if r["kind"] == "train"]
            out["train"][f"{backend}/{t}"] = {
                "seconds": _median(train, "seconds"), "epoch_seconds": _median(train, "epoch_seconds"),
                "epochs": _median(train, "epochs"), "peak_mb": max((r["peak_mb"] for r in train), default=float("nan")),
                "rusage_peak_mb": max((r["rusage_peak_mb"] for r in train), default=float("nan")),
            }
            out["batch"][f"{backend}/{t}"] = {r["batch_size"]: r["epoch_seconds"] for r in sel if r["kind"] == "batch"}
            for r in sel:  # the fastest sweep per batch size: contention only ever adds time
                if r["kind"] == "sweep":
                    cell = out["batch"][f"{backend}/{t}"]
                    cell.update({int(b): min(v, cell.get(int(b), v)) for b, v in r["epoch_seconds"].items()})
            out["inference"][f"{backend}/{t}"] = _median([r for r in sel if r["kind"] in ("inference", "sweep")],
                                                         "rows_per_second")
        out["rows"][backend] = {r["rows"]: {"epoch_seconds": r["epoch_seconds"], "peak_mb": r["peak_mb"]}
                                for r in m if r["backend"] == backend and r["kind"] == "rows"}
    for t in bench["threads"]:
        for batch in (512, 4096):
            n, p = out["batch"][f"numpy/{t}"].get(batch), out["batch"][f"torch/{t}"].get(batch)
            if n and p:
                out["ratios"][f"numpy/torch epoch time, batch {batch}, {t} thread(s)"] = n / p
    # targets are judged on one thread (the phase breakdown's and the GEMM bound's setting)
    one = 1 if 1 in bench["threads"] else min(bench["threads"])
    out["target_threads"] = one
    targets = out["targets"] = []

    def judge(key, label, value, limit_key=None):
        if value is not None and value == value:  # not NaN
            targets.append(target(key, label, value, limit_key))

    for backend in BACKENDS:
        key = f"{backend}_peak_mb"
        judge(key, f"{backend} peak MB <= {TARGETS[key]:g}", out["train"][f"{backend}/{one}"]["rusage_peak_mb"])
    for batch in (512, 4096):
        key = f"epoch_ratio_{batch}"
        judge(key, f"numpy epoch <= {TARGETS[key]:g} x torch at batch {batch}",
              out["ratios"].get(f"numpy/torch epoch time, batch {batch}, {one} thread(s)"))
    _summarise_cost(bench, out, one)
    arithmetic = out["arithmetic"].get("numpy", {}).get(4096)
    if arithmetic:
        judge("gemm_bound_factor", f"numpy epoch at batch 4096 within {TARGETS['gemm_bound_factor']:g} x of the "
              "GEMM-rate time for its FLOPs", arithmetic["x_bound"])
    errors = [cell["phase_sum_error"] for per in out["phases"].values() for cell in per.values()]
    if errors:
        judge("phase_sum_error", f"breakdown phases add up to within {TARGETS['phase_sum_error'] * 100:g} % of the "
              "step time (worst cell)", max(errors))
    for backend in BACKENDS:
        rows = sorted(out["rows"][backend])
        if len(rows) >= 2:
            lo, hi = rows[0], rows[-1]
            slope_t = _loglog_slope(rows, [out["rows"][backend][r]["epoch_seconds"] for r in rows])
            out["rows"][f"{backend}_time_slope"] = slope_t
            extra = [out["rows"][backend][r]["peak_mb"] - out["rows"][backend][lo]["peak_mb"] for r in rows]
            out["rows"][f"{backend}_mb_per_million_rows"] = extra[-1] / ((hi - lo) / 1e6)
            judge(f"{backend}_rows_time_slope", f"{backend} epoch time grows ~linearly with rows (log-log slope <= "
                  f"{TARGETS['rows_time_slope']:g})", slope_t, "rows_time_slope")
            big = [r for r in rows if r >= 100_000]
            if len(big) >= 3:  # MB per extra row between the last two points vs the first two
                per_row = [(out["rows"][backend][b]["peak_mb"] - out["rows"][backend][a]["peak_mb"]) / (b - a)
                           for a, b in zip(big, big[1:])]
                growth = per_row[-1] / per_row[0] if per_row[0] > 0 else float("nan")
                out["rows"][f"{backend}_mb_per_row_growth"] = growth
                judge(f"{backend}_rows_mb_growth", f"{backend} peak memory grows ~linearly with rows (MB per row at 1M "
                      f"<= {TARGETS['rows_mb_growth']:g} x at 100k-300k)", growth, "rows_mb_growth")
    return json.loads(json.dumps(out))  # keys as bench.json will hold them (strings)


def _per_step_model(phases: dict) -> dict:
    """Least-squares ``step_seconds = fixed + per_row * batch_size`` over the measured batch sizes."""
    import numpy as np

    batches = sorted(phases)
    if len(batches) < 2:
        return {}
    b = np.array(batches, dtype=float)
    t = np.array([phases[k]["step_seconds"] for k in batches])
    per_row, fixed = np.polyfit(b, t, 1)
    return {"fixed_seconds": float(fixed), "per_row_seconds": float(per_row)}


def _summarise_cost(bench: dict, out: dict, one: int) -> None:
    """The explanation's numbers: phases, FLOPs and GEMM rates, variants, memory stacks, week-1 process."""
    m = bench["measurements"]
    out["phases"], out["gemm"], out["arithmetic"], out["step_model"] = {}, {}, {}, {}
    sweeps = [r for r in m if r["kind"] == "sweep"]
    products, out["blas"] = {}, {}
    for r in sweeps:  # over repeated sweeps: the highest GEMM rate, the fastest products-alone epoch
        key = f"{r['backend']}/{r['threads']}"
        out["gemm"][key] = max(r["gemm"]["gflops"], out["gemm"].get(key, 0.0))
        if r.get("blas"):
            out["blas"][r["backend"]] = r["blas"]
        for b, p in r.get("products", {}).items():
            if int(b) not in products.setdefault(key, {}) or p["seconds"] < products[key][int(b)]["seconds"]:
                products[key][int(b)] = p
        if r["threads"] == one and r.get("phases"):
            out["phases"][r["backend"]] = {int(p["batch_size"]): p for p in r["phases"]}
    for backend, per in out["phases"].items():
        out["step_model"][backend] = _per_step_model(per)
    if sweeps:
        sizes, rows = sweeps[0]["layer_sizes"], sweeps[0]["train_rows"]
        flops = flops_per_epoch(sizes, rows)
        out["flops"] = {"layer_sizes": sizes, "train_rows": rows, "per_epoch": flops["total"],
                        "forward": flops["forward"], "backward": flops["backward"]}
        for backend in BACKENDS:
            rate = out["gemm"].get(f"{backend}/{one}")
            for batch, seconds in out["batch"].get(f"{backend}/{one}", {}).items():
                if rate:
                    bound = flops["total"] / (rate * 1e9)
                    cell = {"epoch_seconds": seconds, "achieved_gflops": flops["total"] / seconds / 1e9,
                            "gemm_gflops": rate, "gemm_bound_seconds": bound, "x_bound": seconds / bound}
                    floor = products.get(f"{backend}/{one}", {}).get(int(batch))
                    if floor:  # the epoch's own products alone: what the layers' shapes allow
                        cell.update(products_seconds=floor["seconds"], products_gflops=floor["gflops"],
                                    products_x_bound=floor["seconds"] / bound, x_products=seconds / floor["seconds"])
                    out["arithmetic"].setdefault(backend, {})[int(batch)] = cell
    variants = {"epoch_seconds": {}, "compile": {}}
    for r in m:
        if r["kind"] == "sweep" and r.get("variants"):
            variants["epoch_seconds"].update({name: {int(b): v for b, v in per.items()}
                                              for name, per in r["variants"].items()})
        elif r["kind"] == "compile":
            variants["compile"][r.get("cache", "cold")] = {
                "epoch_seconds": {int(b): v for b, v in r["epoch_seconds"].items()},
                "compile_seconds": {int(b): v for b, v in r["compile_seconds"].items()},
                "reused_from": r.get("reused_from")}
    cold = variants["compile"].get("cold")
    if cold:
        variants["epoch_seconds"]["torch.compile"] = cold["epoch_seconds"]
    variants["numpy"] = {int(b): v for b, v in out["batch"].get(f"numpy/{one}", {}).items()}
    out["variants"] = variants
    stacks = [r for r in m if r["kind"] == "train" and r["threads"] == one and r.get("memory_stack")]
    out["memory_stack"] = {r["backend"]: with_increments(r["memory_stack"]) for r in stacks}  # each backend's last run
    week1 = [r for r in m if r["kind"] == "week1"]
    out["week1"] = {k: v for k, v in week1[0].items() if k not in ("backend", "threads", "kind")} if week1 else {}
    if out["week1"].get("steps"):
        out["week1"]["steps"] = with_increments(out["week1"]["steps"])


def _loglog_slope(xs, ys) -> float:
    """Least-squares slope of log(y) on log(x), from 30k rows up (below that, fixed costs dominate)."""
    import numpy as np

    points = [(x, y) for x, y in zip(xs, ys) if x >= 30_000]
    if len(points) < 2:
        points = list(zip(xs, ys))
    lx, ly = np.log([x for x, _ in points]), np.log([y for _, y in points])
    return float(np.polyfit(lx, ly, 1)[0])

def bench_path(results_dir=None) -> Path:
    return paths.resolve(results_dir, paths.RESULTS_DIR) / "bench.json"


def load_bench(results_dir=None) -> dict | None:
    """The last benchmark record, or ``None`` if ``make bench`` has not run."""
    path = bench_path(results_dir)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

