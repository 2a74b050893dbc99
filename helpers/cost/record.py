"""The benchmark's record: what is measured (backends, the contestant, batch sizes, modes), the targets,
the cache key, and :func:`summarise`, which turns the raw measurements into every number the cost chapter
shows (scikit-learn's ``MLPClassifier``, the contestant, under ``summary["contestant"]`` and the
``"sklearn/1"`` keys of ``batch`` and ``train``; it has no targets of its own).

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
from helpers.artifacts import cached_json
from helpers.cost.profiling import (
    PHASES,
    SKLEARN_PHASE_OF,
    code_fingerprint,
    flops_per_epoch,
)

BACKENDS = {"numpy": "NumPy MLP", "torch": "PyTorch MLP"}
#: scikit-learn's ``MLPClassifier``, the network a NumPy user would pick instead: the third contestant,
#: measured on one thread beside the twins (its key in the record, and its name:
#: :data:`helpers.models.sklearn_mlp.NAME`, which this light module does not import).
CONTESTANT = "sklearn"
LABELS = {**BACKENDS, CONTESTANT: "scikit-learn MLP"}
BATCH_SIZES = [64, 256, 512, 1024, 4096, 8192]
ROW_COUNTS = [10_000, 30_000, 100_000, 300_000, 1_000_000]
PHASE_BATCHES = [64, 512, 4096]
#: Each target's limit, by key; a target is met when its measured value (the unfavourable end of its
#: spread or interval, where it has one) is at most the limit. Memory is judged on private memory
#: (USS at the end of training), the arithmetic on the epoch's own products-alone time.
TARGETS = {"numpy_uss_mb": 100.0, "torch_uss_mb": 300.0, "epoch_ratio_512": 0.6, "epoch_ratio_4096": 1.2,
           "products_factor": 2.0, "phase_sum_error": 0.10, "rows_time_slope": 1.15, "rows_mb_growth": 1.5}
#: The settings measured for whether they keep ``torch.optim.Adam`` from importing the compiler stack:
#: the plain twin, TorchDynamo's documented off switch, and fused Adam.
ADAM_SWITCHES = (
    {"setting": "plain"},
    {"setting": "TORCHDYNAMO_DISABLE=1", "env": {"TORCHDYNAMO_DISABLE": "1"}},
    {"setting": "fused Adam", "adam_kwargs": {"fused": True}, "variant": {"fused_adam": True}},
)


def target(key: str, label: str, value: float, limit_key: str | None = None, low: float | None = None,
           high: float | None = None, spread: str | None = None) -> dict:
    """A target as a record: ``key``, ``label`` (words), ``limit`` (:data:`TARGETS`), ``value``, ``low`` and
    ``high`` (the spread of its repeats or its interval, when it has one; ``spread`` says which), ``met``
    and ``verdict``.

    With a spread or interval the target is judged on its unfavourable end: ``met`` when even ``high``
    is at most the limit, not met when even ``low`` exceeds it, else ``met = None`` ("not shown": the
    spread straddles the limit).
    """
    limit = TARGETS[limit_key or key]
    low = float(value) if low is None else float(low)
    high = float(value) if high is None else float(high)
    met = True if high <= limit else False if low > limit else None
    return {"key": key, "label": label, "limit": limit, "value": float(value), "low": low, "high": high,
            "spread": spread, "met": met, "verdict": {True: "met", False: "not met", None: "not shown"}[met]}


def interval(values, level: float = 0.95) -> dict:
    """Mean of ``values`` (repeats) with a t interval across them: ``value``, ``low``, ``high``, ``values``."""
    import numpy as np
    from scipy import stats

    values = [float(v) for v in values]
    mean = float(np.mean(values))
    if len(values) < 2:
        return {"value": mean, "low": mean, "high": mean, "values": values}
    half = float(stats.t.ppf((1 + level) / 2, len(values) - 1) * np.std(values, ddof=1) / np.sqrt(len(values)))
    return {"value": mean, "low": mean - half, "high": mean + half, "values": values}


def spread(values) -> dict:
    """Median of ``values`` (interleaved repeats) with their range: ``value``, ``low``, ``high``, ``values``."""
    values = [float(v) for v in values]
    return {"value": statistics.median(values), "low": min(values), "high": max(values), "values": values}


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
#: sweeps per backend that alternate), a short rows sweep (three row counts from 30k, three repeats) and no
#: torch.compile (whose cold compile alone takes about half a minute); ``full`` is ``make bench``.
#: Both time the rows sweep on one thread, each repeat in its own process, without a memory sampler.
#: The contestant (:data:`CONTESTANT`) is timed in every one-thread NumPy sweep at ``contestant_batches``
#: (float64 at ``contestant_float64_batches`` and its epoch profiled at ``contestant_profile_batches``, in
#: the first sweep); its training processes run ``contestant_train_epochs`` epochs (None: to early stopping).
MODES = {
    "light": {"threads": (1,), "repeats": 1, "batch_sizes": [64, 512, 4096], "epochs": 4,
              "row_counts": [30_000, 90_000, 270_000], "row_epochs": 3, "row_repeats": 3,
              "phase_batches": PHASE_BATCHES, "phase_rows": 12_000, "phase_repeats": 3,
              "variant_batches": [512, 4096], "switch_batches": [512], "compile": False, "fit_epochs": 1,
              "sweep_repeats": 2, "contestant_batches": [512, 4096], "contestant_float64_batches": [512],
              "contestant_profile_batches": [512, 4096], "contestant_train_epochs": 3},
    "full": {"threads": (1, 2), "repeats": 3, "batch_sizes": BATCH_SIZES, "epochs": 4,
             "row_counts": ROW_COUNTS, "row_epochs": 4, "row_repeats": 3, "phase_batches": PHASE_BATCHES,
             "phase_rows": None, "phase_repeats": 5, "variant_batches": [64, 512, 4096],
             "switch_batches": [512, 4096], "compile": True, "fit_epochs": None, "sweep_repeats": 3,
             "contestant_batches": BATCH_SIZES, "contestant_float64_batches": [512, 4096],
             "contestant_profile_batches": PHASE_BATCHES, "contestant_train_epochs": None},
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
    meta = cached_json(meta_path, check=lambda m: None if isinstance(m.get("source"), dict) else "it has no source")
    if meta is None:  # damaged: moved aside with a warning
        raise FileNotFoundError(f"the prepared data of split {split!r} were damaged ({paths.display_path(meta_path)}): "
                                "run notebook 01_data_and_imbalance (or `make report`) again")
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
    """The benchmark record in ``path``; None when absent or damaged (moved aside with a warning)."""
    return cached_json(path, check=lambda bench: None if isinstance(bench, dict) else "not a benchmark record")


def _largest(values) -> float:
    """The largest of the finite ``values`` (NaN when none is)."""
    finite = [float(v) for v in values if v is not None and v == v]
    return max(finite) if finite else float("nan")


def _median(rows, key):
    values = [r[key] for r in rows]
    return statistics.median(values) if values else float("nan")


def _sweep_pairs(m: list[dict], threads: int) -> list[tuple[dict, dict]]:
    """The interleaved sweeps of one thread count, paired in the order they ran (NumPy i with PyTorch i)."""
    numpy = [r for r in m if r["kind"] == "sweep" and r["backend"] == "numpy" and r["threads"] == threads]
    torch = [r for r in m if r["kind"] == "sweep" and r["backend"] == "torch" and r["threads"] == threads]
    return list(zip(numpy, torch))


def summarise(bench: dict) -> dict:
    """Medians per backend and thread count, ratios measured in this run (with the spread of their
    interleaved repeats), the contestant beside the twins (:func:`_summarise_contestant`; its profile's
    check is worded beside it, not judged as a target), the rows sweep with intervals, and the targets."""
    m = bench["measurements"]
    out: dict = {"train": {}, "batch": {}, "rows": {}, "inference": {}, "ratios": {}, "ratio_spread": {}, "targets": {}}
    for backend in BACKENDS:
        for t in bench["threads"]:
            sel = [r for r in m if r["backend"] == backend and r["threads"] == t]
            out["train"][f"{backend}/{t}"] = _train_cell([r for r in sel if r["kind"] == "train"])
            out["batch"][f"{backend}/{t}"] = {r["batch_size"]: r["epoch_seconds"] for r in sel if r["kind"] == "batch"}
            for r in sel:  # the fastest sweep per batch size: contention only ever adds time
                if r["kind"] == "sweep":
                    cell = out["batch"][f"{backend}/{t}"]
                    cell.update({int(b): min(v, cell.get(int(b), v)) for b, v in r["epoch_seconds"].items()})
            out["inference"][f"{backend}/{t}"] = _median([r for r in sel if r["kind"] in ("inference", "sweep")],
                                                         "rows_per_second")
    for t in bench["threads"]:
        pairs = _sweep_pairs(m, t)
        for batch in (512, 4096):
            n, p = out["batch"][f"numpy/{t}"].get(batch), out["batch"][f"torch/{t}"].get(batch)
            if n and p:
                out["ratios"][f"numpy/torch epoch time, batch {batch}, {t} thread(s)"] = n / p
            per_pair = _pair_ratios(pairs, batch)
            if per_pair:
                out["ratio_spread"][f"batch {batch}, {t} thread(s)"] = spread(per_pair)
    # targets are judged on one thread (the phase breakdown's and the products floor's setting)
    one = 1 if 1 in bench["threads"] else min(bench["threads"])
    out["target_threads"] = one
    _summarise_contestant(m, out, one)
    targets = out["targets"] = []

    def judge(key, label, value, limit_key=None, **extra):
        if value is not None and value == value:  # not NaN
            targets.append(target(key, label, value, limit_key, **extra))

    for backend in BACKENDS:
        key = f"{backend}_uss_mb"
        judge(key, f"{backend} private memory (USS) at the end of training <= {TARGETS[key]:g} MB",
              out["train"][f"{backend}/{one}"]["uss_mb"])
    for batch in (512, 4096):
        key = f"epoch_ratio_{batch}"
        s = out["ratio_spread"].get(f"batch {batch}, {one} thread(s)")
        if s:
            judge(key, f"numpy epoch <= {TARGETS[key]:g} x torch at batch {batch}", s["value"], low=s["low"],
                  high=s["high"], spread=f"range of {len(s['values'])} interleaved sweep pair{'s' if len(s['values']) != 1 else ''}")
    _summarise_cost(bench, out, one)
    factor = out.get("products_factor", {}).get("numpy", {}).get(4096)
    if factor:
        judge("products_factor", f"numpy epoch at batch 4096 <= {TARGETS['products_factor']:g} x its own matrix "
              "products alone", factor["value"], low=factor["low"], high=factor["high"],
              spread=f"range of {len(factor['values'])} sweep{'s' if len(factor['values']) != 1 else ''}")
    errors = [cell["phase_sum_error"] for per in out["phases"].values() for cell in per.values()]
    if errors:
        judge("phase_sum_error", f"breakdown phases add up to within {TARGETS['phase_sum_error'] * 100:g} % of the "
              "step time (worst cell)", max(errors))
    _summarise_rows(m, out, judge)
    return json.loads(json.dumps(out))  # keys as bench.json will hold them (strings)


def _train_cell(train: list[dict]) -> dict:
    """The training runs of one backend and thread count: medians of time and epochs, the largest memory."""
    return {
        "seconds": _median(train, "seconds"), "epoch_seconds": _median(train, "epoch_seconds"),
        "epochs": _median(train, "epochs"), "peak_mb": max((r["peak_mb"] for r in train), default=float("nan")),
        "rusage_peak_mb": max((r["rusage_peak_mb"] for r in train), default=float("nan")),
        # private memory at the end of training: the largest of the repeats (the unfavourable one)
        "uss_mb": _largest(r.get("uss_mb") for r in train),
        "pss_mb": _largest(r.get("pss_mb") for r in train),
    }


def _summarise_contestant(m: list[dict], out: dict, one: int) -> None:
    """scikit-learn's MLPClassifier beside the twins, on thread count ``one``.

    Adds ``batch["sklearn/1"]`` (each batch size's fastest epoch over the NumPy sweeps that timed it),
    ``train["sklearn/1"]`` (its training processes, with ``max_epochs``: the cap, None when trained to
    early stopping) and ``contestant``: ``ratio_spread`` (NumPy / scikit-learn epoch time per batch
    size, one ratio per sweep process, both timed in it), ``float64`` (fastest float64 epoch per batch
    size), ``profile`` (per batch size the epoch's parts, with ``step_seconds``: the epoch less its
    ``partial_fit`` call's checks, per batch, and ``phases``: the other parts per batch, summed under
    the twins' phase each belongs to), ``same_work`` and ``step_model`` (the straight line through
    those step times, like the twins').
    """
    sweeps = [r for r in m if r["kind"] == "sweep" and r["threads"] == one and r.get("contestant")]
    train = [r for r in m if r["kind"] == "train" and r["backend"] == CONTESTANT and r["threads"] == one]
    if not sweeps and not train:
        return
    key = f"{CONTESTANT}/{one}"
    if train:
        caps = {r.get("max_epochs") for r in train}
        out["train"][key] = {**_train_cell(train), "max_epochs": max(caps) if None not in caps else None}
    epochs, float64, ratios, profile, same = {}, {}, {}, {}, {}
    for r in sweeps:
        c = r["contestant"]
        twin = {int(b): v for b, v in r["epoch_seconds"].items()}
        for b, v in c["epoch_seconds"].items():
            epochs[int(b)] = min(v, epochs.get(int(b), v))
            if twin.get(int(b)) and v > 0:
                ratios.setdefault(int(b), []).append(twin[int(b)] / v)
        for b, v in c.get("float64", {}).items():
            float64[int(b)] = min(v, float64.get(int(b), v))
        for cell in c.get("profile", []):
            phases = {phase: sum(v for part, v in cell["parts"].items() if part != "checks"
                                 and SKLEARN_PHASE_OF[part] == phase) / cell["steps"] for phase in PHASES}
            steps = (cell["epoch_seconds"] - cell["parts"]["checks"]) / cell["steps"]
            profile[int(cell["batch_size"])] = {**cell, "step_seconds": steps, "phases": phases}
        same.update({int(b): v for b, v in c.get("same_work", {}).items()})
    if epochs:
        out["batch"][key] = epochs
    out["contestant"] = {"label": LABELS[CONTESTANT], "threads": one, "ratio_spread": {b: spread(v) for b, v in ratios.items()},
                         "float64": float64, "profile": profile, "same_work": same,
                         "step_model": _per_step_model(profile)}


def _pair_ratios(pairs, batch: int) -> list[float]:
    """NumPy / PyTorch epoch time at ``batch`` for each interleaved sweep pair."""
    out = []
    for a, b in pairs:
        na = {int(k): v for k, v in a["epoch_seconds"].items()}.get(batch)
        nb = {int(k): v for k, v in b["epoch_seconds"].items()}.get(batch)
        if na and nb:
            out.append(na / nb)
    return out


def _summarise_rows(m: list[dict], out: dict, judge) -> None:
    """The rows sweep: per backend and row count the medians over repeats, and the log-log slope of epoch
    time and the growth of MB per row, each per repeat and as a t interval across repeats."""
    for backend in BACKENDS:
        repeats = [r for r in m if r["kind"] == "rows" and r["backend"] == backend and "rows" in r]
        if not repeats:
            continue
        per_rows: dict = {}
        for r in repeats:
            for n, cell in r["rows"].items():
                per_rows.setdefault(int(n), []).append(cell)
        rows = sorted(per_rows)
        out["rows"][backend] = {n: {"epoch_seconds": statistics.median(c["epoch_seconds"] for c in per_rows[n]),
                                    "peak_mb": statistics.median(c["peak_mb"] for c in per_rows[n]),
                                    "repeats": len(per_rows[n])} for n in rows}
        if len(rows) < 2:
            continue
        slopes, growths, per_million = [], [], []
        for r in repeats:
            cells = {int(n): c for n, c in r["rows"].items()}
            xs = sorted(cells)
            slopes.append(_loglog_slope(xs, [cells[x]["epoch_seconds"] for x in xs]))
            per_million.append((cells[xs[-1]]["peak_mb"] - cells[xs[0]]["peak_mb"]) / ((xs[-1] - xs[0]) / 1e6))
            if len(xs) >= 3:  # MB per extra row between the last two points against the first two
                first = (cells[xs[1]]["peak_mb"] - cells[xs[0]]["peak_mb"]) / (xs[1] - xs[0])
                last = (cells[xs[-1]]["peak_mb"] - cells[xs[-2]]["peak_mb"]) / (xs[-1] - xs[-2])
                if first > 0:
                    growths.append(last / first)
        slope = out["rows"][f"{backend}_time_slope"] = interval(slopes)
        out["rows"][f"{backend}_mb_per_million_rows"] = statistics.median(per_million)
        label = f"{len(slopes)} repeats"
        judge(f"{backend}_rows_time_slope", f"{backend} epoch time grows ~linearly with rows (log-log slope <= "
              f"{TARGETS['rows_time_slope']:g})", slope["value"], "rows_time_slope", low=slope["low"],
              high=slope["high"], spread=f"95 % t interval over {label}")
        if growths:
            growth = out["rows"][f"{backend}_mb_per_row_growth"] = interval(growths)
            judge(f"{backend}_rows_mb_growth", f"{backend} peak memory grows ~linearly with rows (MB per row, last "
                  f"step <= {TARGETS['rows_mb_growth']:g} x the first)", growth["value"], "rows_mb_growth",
                  low=growth["low"], high=growth["high"], spread=f"95 % t interval over {len(growths)} repeats")


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
    out["products_factor"] = {}
    for backend in BACKENDS:  # epoch / products alone, sweep by sweep (each sweep times both)
        per_batch: dict = {}
        for r in sweeps:
            if r["backend"] == backend and r["threads"] == one:
                for b, p in r.get("products", {}).items():
                    epoch = {int(k): v for k, v in r["epoch_seconds"].items()}.get(int(b))
                    if epoch and p["seconds"] > 0:
                        per_batch.setdefault(int(b), []).append(epoch / p["seconds"])
        out["products_factor"][backend] = {b: spread(v) for b, v in per_batch.items()}
    out["adam_switches"] = {r["setting"]: {k: r.get(k) for k in ("env", "modules_added", "compiler_stack",
                                                                  "adam_uss_mb", "uss_mb", "pss_mb")}
                            | {"epoch_seconds": {int(b): v for b, v in r["epoch_seconds"].items()}}
                            for r in m if r["kind"] == "adam_switch"}
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
    return _read(bench_path(results_dir))

