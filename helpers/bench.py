"""Speed and memory benchmark: every measurement in a fresh subprocess that imports only its framework.

Usage::

    python -m helpers.bench [--mode full|light] [--split stratified] [--threads 1,2] [--repeats 3]

Measures, for NumPy and PyTorch, on the prepared training split (notebook 01 must have run):

- training to early stop with the default configuration (median of ``--repeats`` fresh processes);
- epoch time against batch size (64 ... 8,192), inference throughput on the test rows, this
  machine's float32 GEMM rate, the time of each batch size's epoch of matrix products alone (the
  network's own shapes), and the per-step time of each training phase (batch sizes 64, 512,
  4,096 on one thread; :mod:`helpers.profiling`);
- the PyTorch variants a user would try: fused Adam, float64 and (full mode) ``torch.compile``;
- the memory of a fresh process as libraries, data and training are added, and the week-1
  report's one-process measurement;
- (full mode) epoch time and peak memory against rows (10k ... 1M, rows resampled).

Times come from ``time.perf_counter`` after a warm-up epoch (median of the timed epochs; the
per-batch-size sweeps run twice per backend, alternating, and the faster of the two counts); peak
memory is the resident set size sampled by memory_profiler (``max_iterations=1``) and
cross-checked with ``resource.getrusage`` (the process's lifetime peak). Thread counts are fixed
(``OMP/OPENBLAS/MKL_NUM_THREADS`` and ``torch.set_num_threads``) and recorded with the library
versions and the CPU model. ``--mode full`` (``make bench``) writes ``data/results/bench.json``;
``--mode light`` (run by notebook 06 through :func:`for_report`) writes ``bench_light.json``.
Both carry a cache key (data checksum, split, sample, mode, threads, code fingerprint), so a
result is reused exactly while nothing that produced it has changed. The machine is shared and
noisy: compare ratios measured in the same run, never absolute times across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import paths

BACKENDS = {"numpy": "NumPy MLP", "torch": "PyTorch MLP"}
BATCH_SIZES = [64, 256, 512, 1024, 4096, 8192]
ROW_COUNTS = [10_000, 30_000, 100_000, 300_000, 1_000_000]
PHASE_BATCHES = [64, 512, 4096]
TARGETS = {"numpy_peak_mb": 150.0, "torch_peak_mb": 400.0, "epoch_ratio_512": 0.6, "epoch_ratio_4096": 1.2,
           "gemm_bound_factor": 2.0, "phase_sum_error": 0.10}


# ----------------------------------------------------------------------------- worker side
def _estimator(backend: str, threads: int, **params):
    from .profiling import _estimator as make

    return make(backend, threads, **params)


def _peak_fit(model, X, y, X_val, y_val):
    """(seconds, memory_profiler peak MiB) of ``model.fit``."""
    from memory_profiler import memory_usage

    started = time.perf_counter()
    peak, _ = memory_usage((model.fit, (X, y), {"X_val": X_val, "y_val": y_val}), max_usage=True, retval=True,
                           max_iterations=1, interval=0.01, include_children=False)
    return time.perf_counter() - started, float(peak)


def _epoch_seconds(backend, threads, seed, batch_size, epochs, X, y, X_val, y_val, variant=None, dtype="float32"):
    """Median epoch time (training steps only) after a warm-up epoch, and the first epoch's time."""
    model = _estimator(backend, threads, random_state=seed, batch_size=batch_size, max_epochs=epochs, patience=None,
                       dtype=dtype, **({"variant": variant} if variant else {}))
    model.fit(X, y, X_val=X_val, y_val=y_val)
    seconds = [h["seconds"] for h in model.history_]
    return statistics.median(seconds[1:]), seconds[0], model


def _rows_per_second(model, X) -> float:
    """Inference throughput of ``model.predict_proba`` on ``X``: median of 5 timed calls after a warm-up."""
    model.predict_proba(X)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        model.predict_proba(X)
        times.append(time.perf_counter() - started)
    return len(X) / statistics.median(times)


def _worker(task: dict) -> dict:
    """Run one measurement in this (fresh) process; the parent set the thread variables."""
    import resource

    from . import profiling

    backend, threads, kind = task["backend"], task["threads"], task["kind"]
    seed = task.get("seed", 42)
    base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out: dict = {"backend": backend, "threads": threads, "kind": kind}
    if kind == "train":  # the training process itself, its memory read as each piece arrives
        stack = profiling.staged_imports(backend)
    if kind == "week1":
        out.update(profiling.week1_process(task["processed_dir"], task["split"], seed, task.get("max_epochs")))
        return out

    import numpy as np

    from .prepared import load_prepared

    # a training process holds only what training needs; the test rows only for inference
    parts = ("train", "val", "test") if kind in ("inference", "sweep") else ("train", "val")
    data = load_prepared(task["processed_dir"], task["split"], parts=parts)
    X, y, X_val, y_val = data.X["train"], data.y["train"], data.X["val"], data.y["val"]

    if kind == "train":
        stack.append(profiling.memory_step("+ data arrays"))
        model = _estimator(backend, threads, random_state=seed)
        seconds, peak = _peak_fit(model, X, y, X_val, y_val)
        # the lifetime peak; its split into private and file-backed pages is read when training ends
        stack.append({**profiling.memory_step("+ training (peak)"), "rss_mb": profiling.peak_rss_mb()})
        out["memory_stack"] = stack
        out.update(seconds=seconds, epochs=model.n_iter_, best_epoch=model.best_epoch_, peak_mb=peak,
                   epoch_seconds=statistics.median(h["seconds"] for h in model.history_),
                   layer_sizes=[X.shape[1], *model.hidden_layer_sizes, 1], train_rows=int(X.shape[0]))
    elif kind == "batch":
        epoch, _, _ = _epoch_seconds(backend, threads, seed, task["batch_size"], 4, X, y, X_val, y_val)
        out.update(batch_size=task["batch_size"], epoch_seconds=epoch)
    elif kind == "sweep":  # epoch time per batch size, inference, GEMM rate, phase breakdown
        out["epoch_seconds"] = {}
        for batch in task["batch_sizes"]:
            out["epoch_seconds"][batch], _, model = _epoch_seconds(backend, threads, seed, batch, task["epochs"],
                                                                   X, y, X_val, y_val)
        out["rows_per_second"] = _rows_per_second(model, data.X["test"])
        out["gemm"] = profiling.gemm_rate(backend)
        out["blas"] = profiling.blas_library(backend)
        out["layer_sizes"] = [X.shape[1], *model.hidden_layer_sizes, 1]
        out["products"] = {batch: profiling.products_time(backend, out["layer_sizes"], X.shape[0], batch)
                           for batch in task["batch_sizes"]}
        out["phases"] = [profiling.phase_times(_estimator(backend, threads, random_state=seed), X, y, X_val, y_val,
                                               batch, max_rows=min(task["phase_rows"] or X.shape[0], X.shape[0]),
                                               repeats=task["phase_repeats"])
                         for batch in task.get("phase_batches", [])]
        out["train_rows"] = int(X.shape[0])
        if task.get("variant_batches"):  # the PyTorch switches a user would try, against the plain twin
            out["variants"] = {}
            for name, variant, dtype in (("plain", None, "float32"), ("fused Adam", {"fused_adam": True}, "float32"),
                                         ("float64", None, "float64")):
                out["variants"][name] = {
                    batch: _epoch_seconds(backend, threads, seed, batch, task["variant_epochs"], X, y, X_val, y_val,
                                          variant=variant, dtype=dtype)[0]
                    for batch in task["variant_batches"]}
    elif kind == "compile":  # torch.compile: one-off compile cost (first epoch minus a steady one), then epochs
        out["epoch_seconds"], out["compile_seconds"] = {}, {}
        for batch in task["batch_sizes"]:
            epoch, first, _ = _epoch_seconds(backend, threads, seed, batch, task["epochs"], X, y, X_val, y_val,
                                             variant={"compile_model": True})
            out["epoch_seconds"][batch], out["compile_seconds"][batch] = epoch, first - epoch
        out["cache"] = task.get("cache", "cold")
    elif kind == "rows":
        rows = np.random.default_rng(seed).integers(0, len(X), task["rows"])
        X_big, y_big = X[rows], y[rows]
        model = _estimator(backend, threads, random_state=seed, max_epochs=task.get("epochs", 4), patience=None)
        seconds, peak = _peak_fit(model, X_big, y_big, X_val, y_val)
        out.update(rows=task["rows"], peak_mb=peak, epoch_seconds=statistics.median(h["seconds"] for h in model.history_[1:]))
    elif kind == "inference":
        model = _estimator(backend, threads, random_state=seed, max_epochs=1, patience=None)
        model.fit(X, y, X_val=X_val, y_val=y_val)
        out.update(rows=len(data.X["test"]), rows_per_second=_rows_per_second(model, data.X["test"]))
    else:
        raise ValueError(f"unknown benchmark task kind {kind!r}")
    out["rusage_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["after_imports_mb"] = base_mb
    out["modules"] = {name: name in sys.modules for name in ("pandas", "IPython", "torch")}
    if backend == "torch":
        import torch

        out["torch_threads"] = torch.get_num_threads()
        out["torch_version"] = torch.__version__
    return out


class _BlockImports:
    """A meta-path finder that makes ``import <name>`` fail for the given top-level packages.

    It hands out a spec whose loader raises ImportError, so ``importlib.util.find_spec`` (which
    torch calls while importing) still works, while an actual import fails as if not installed.
    """

    def __init__(self, names):
        self.names = set(names)

    def find_spec(self, fullname, path=None, target=None):
        import importlib.machinery

        if fullname.split(".")[0] in self.names:
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        raise ImportError(f"{module.__name__} is kept out of this benchmark process")


def _worker_main(task_json: str, out_path: str) -> None:
    # Keep the process to what training uses. Two packages arrive only because they are installed
    # beside the notebooks and are imported opportunistically, each with a fallback: scikit-learn
    # imports pandas (for DataFrame inputs), and memory_profiler, the measuring instrument itself,
    # imports IPython (for its %memit magic), about 4 MB. The NumPy process must never load torch.
    task = json.loads(task_json)
    # The week-1 process is a notebook's, which holds everything.
    if task["kind"] != "week1":
        blocked = {"pandas", "IPython"} | ({"torch"} if task["backend"] == "numpy" else set())
        sys.meta_path.insert(0, _BlockImports(blocked))
    result = _worker(task)
    Path(out_path).write_text(json.dumps(result), encoding="utf-8")


# ----------------------------------------------------------------------------- parent side
def measure(task: dict) -> dict:
    """Run ``task`` in a fresh Python process with the thread count fixed; return its result."""
    threads = str(task["threads"])
    env = {**os.environ, "OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads, "MKL_NUM_THREADS": threads,
           "PYTHONHASHSEED": "0"}
    if task.get("inductor_cache"):  # torch.compile's on-disk cache: a fresh folder measures a cold compile
        env["TORCHINDUCTOR_CACHE_DIR"] = task["inductor_cache"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, "-m", "helpers.bench", "--worker", json.dumps(task), str(out)]
        proc = subprocess.run(cmd, env=env, cwd=paths.REPO_ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"benchmark task {task} failed:\n{proc.stderr[-2000:]}")
        return json.loads(out.read_text(encoding="utf-8"))


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


def run_benchmark(processed_dir=None, split="stratified", threads=None, repeats=None, quick=False, log=print,
                  mode="full") -> dict:
    """All measurements of ``mode`` (see :data:`MODES`); returns the dict written to ``bench.json``.

    ``quick`` is the light mode (kept for the old command-line flag); ``threads`` and ``repeats``
    override the mode's.
    """
    import platform

    from . import profiling

    mode = "light" if quick else mode
    if mode not in MODES:
        raise ValueError(f"mode must be one of {sorted(MODES)}, got {mode!r}")
    plan = dict(MODES[mode])
    threads = tuple(threads or plan["threads"])
    repeats = int(repeats or plan["repeats"])
    base = {"processed_dir": str(paths.resolve(processed_dir, paths.PROCESSED_DIR)), "split": split}
    results: list[dict] = []
    started_all = time.perf_counter()

    def record(**task):
        started = time.perf_counter()
        r = measure({**base, **task})
        r["wall_seconds"] = time.perf_counter() - started
        results.append(r)
        shown = {k: v for k, v in task.items() if k not in ("inductor_cache",)}
        log(f"[bench] {shown} -> {r['wall_seconds']:.1f} s")

    for n_threads in threads:
        for backend in BACKENDS:
            for _ in range(repeats):
                record(kind="train", backend=backend, threads=n_threads)
        # The sweeps alternate between the backends, so that a busy spell of the shared machine slows
        # one sweep of each rather than all of one backend's; the summary keeps each cell's fastest.
        # The first sweep also times the phases and the variants.
        for sweep in range(plan["sweep_repeats"]):
            for backend in BACKENDS:
                full = sweep == 0 and n_threads == 1
                record(kind="sweep", backend=backend, threads=n_threads, batch_sizes=plan["batch_sizes"],
                       epochs=plan["epochs"], phase_batches=plan["phase_batches"] if full else [],
                       phase_rows=plan["phase_rows"], phase_repeats=plan["phase_repeats"],
                       variant_batches=plan["variant_batches"] if full and backend == "torch" else [],
                       variant_epochs=plan["epochs"] + 1)
    if plan["compile"]:
        with tempfile.TemporaryDirectory() as cache:  # cold: an empty compile cache; warm: the same one again
            for state in ("cold", "warm"):
                record(kind="compile", backend="torch", threads=1, batch_sizes=[512, 4096], epochs=3,
                       inductor_cache=cache, cache=state)
    record(kind="week1", backend="torch", threads=1, max_epochs=plan["fit_epochs"])
    for backend in BACKENDS:
        for rows in plan["row_counts"]:
            record(kind="rows", backend=backend, threads=max(threads), rows=rows, epochs=plan["row_epochs"])
    bench = {
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "mode": mode,
        "wall_seconds": time.perf_counter() - started_all,
        "machine": {"cpus": os.cpu_count(), "cpu_model": profiling.cpu_model(), "python": platform.python_version(),
                    "platform": platform.machine()},
        "versions": profiling.library_versions(),
        "split": split, "threads": list(threads), "repeats": repeats, "quick": mode == "light",
        "plan": {k: list(v) if isinstance(v, tuple) else v for k, v in plan.items()},
        "cache_key": cache_key(processed_dir, split, mode, threads),
        "measurements": results,
    }
    bench["summary"] = summarise(bench)
    bench["summary_markdown"] = summary_markdown(bench)
    return bench


# ----------------------------------------------------------------------------- cache
def data_key(processed_dir, split: str) -> dict:
    """What identifies the prepared data: source checksum (or synthetic recipe), split, sample, seed.

    Read from ``meta.json`` with the standard library only (the driver stays light).
    """
    from .prepared import split_dir

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
    from .profiling import code_fingerprint

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


def for_report(processed_dir=None, split="stratified", results_dir=None, mode="light", log=print) -> dict:
    """The benchmark notebook 06 shows: ``make bench``'s full one when it is current for this data
    and code, else the ``mode`` one (``"light"`` by default) from its cache when current, else
    measured now (``mode="full"`` runs the whole sweep, about ten minutes).

    The light benchmark is run by a fresh driver process (``python -m helpers.bench --mode light``):
    on Linux a child's ``getrusage`` peak starts from its parent's size at fork, so a notebook
    kernel holding matplotlib and pandas must not start the measured processes itself.
    """
    full = load_bench(results_dir)
    if is_current(full, processed_dir, split):
        log(f"Using make bench's full benchmark of {full['created_utc']} (current for this data and code).")
        return full
    if mode not in MODES:
        raise ValueError(f"bench_mode must be one of {sorted(MODES)}, got {mode!r}")
    target = light_path(results_dir) if mode == "light" else bench_path(results_dir)
    light = _read(target)
    threads = MODES[mode]["threads"]
    if mode == "light" and is_current(light, processed_dir, split, "light", threads):
        log(f"Using the cached light benchmark of {light['created_utc']} (same data, code and threads).")
        return light
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "helpers.bench", "--mode", mode, "--split", split,
           "--processed-dir", str(paths.resolve(processed_dir, paths.PROCESSED_DIR)),
           "--results-dir", str(paths.resolve(results_dir, paths.RESULTS_DIR)), "--no-figures"]
    proc = subprocess.run(cmd, cwd=paths.REPO_ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"the light benchmark failed:\n{proc.stderr[-2000:]}")
    log(f"Measured the {mode} benchmark now: {time.perf_counter() - started:.0f} s.")
    return _read(target)


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
    targets, values = out["targets"], out.setdefault("target_values", {})

    def judge(name, value, ok):
        if value is not None and value == value:  # not NaN
            values[name], targets[name] = value, bool(ok(value))

    judge("numpy peak MB <= 150", out["train"][f"numpy/{one}"]["rusage_peak_mb"], lambda v: v <= TARGETS["numpy_peak_mb"])
    judge("torch peak MB <= 400", out["train"][f"torch/{one}"]["rusage_peak_mb"], lambda v: v <= TARGETS["torch_peak_mb"])
    judge("numpy epoch <= 0.6 x torch at batch 512", out["ratios"].get(f"numpy/torch epoch time, batch 512, {one} thread(s)"),
          lambda v: v <= TARGETS["epoch_ratio_512"])
    judge("numpy epoch <= 1.2 x torch at batch 4096",
          out["ratios"].get(f"numpy/torch epoch time, batch 4096, {one} thread(s)"), lambda v: v <= TARGETS["epoch_ratio_4096"])
    _summarise_cost(bench, out, one)
    arithmetic = out["arithmetic"].get("numpy", {}).get(4096)
    if arithmetic:
        judge("numpy epoch at batch 4096 within 2 x of the GEMM-rate time for its FLOPs", arithmetic["x_bound"],
              lambda v: v <= TARGETS["gemm_bound_factor"])
    errors = [cell["phase_sum_error"] for per in out["phases"].values() for cell in per.values()]
    if errors:
        judge("breakdown phases add up to within 10 % of the step time (worst cell)", max(errors),
              lambda v: v <= TARGETS["phase_sum_error"])
    for backend in BACKENDS:
        rows = sorted(out["rows"][backend])
        if len(rows) >= 2:
            lo, hi = rows[0], rows[-1]
            slope_t = _loglog_slope(rows, [out["rows"][backend][r]["epoch_seconds"] for r in rows])
            out["rows"][f"{backend}_time_slope"] = slope_t
            extra = [out["rows"][backend][r]["peak_mb"] - out["rows"][backend][lo]["peak_mb"] for r in rows]
            out["rows"][f"{backend}_mb_per_million_rows"] = extra[-1] / ((hi - lo) / 1e6)
            targets[f"{backend} epoch time grows ~linearly with rows (log-log slope <= 1.15)"] = slope_t <= 1.15
            big = [r for r in rows if r >= 100_000]
            if len(big) >= 3:  # MB per extra row between the last two points vs the first two
                per_row = [(out["rows"][backend][b]["peak_mb"] - out["rows"][backend][a]["peak_mb"]) / (b - a)
                           for a, b in zip(big, big[1:])]
                out["rows"][f"{backend}_mb_per_row_growth"] = per_row[-1] / per_row[0] if per_row[0] > 0 else float("nan")
                targets[f"{backend} peak memory grows ~linearly with rows (MB per row at 1M <= 1.5 x at 100k-300k)"] = (
                    per_row[-1] <= 1.5 * per_row[0])
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
    from .profiling import flops_per_epoch

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
    out["memory_stack"] = {r["backend"]: r["memory_stack"] for r in stacks}  # the last run of each backend
    week1 = [r for r in m if r["kind"] == "week1"]
    out["week1"] = {k: v for k, v in week1[0].items() if k not in ("backend", "threads", "kind")} if week1 else {}


def _loglog_slope(xs, ys) -> float:
    """Least-squares slope of log(y) on log(x), from 30k rows up (below that, fixed costs dominate)."""
    import numpy as np

    points = [(x, y) for x, y in zip(xs, ys) if x >= 30_000]
    if len(points) < 2:
        points = list(zip(xs, ys))
    lx, ly = np.log([x for x, _ in points]), np.log([y for _, y in points])
    return float(np.polyfit(lx, ly, 1)[0])


def summary_markdown(bench: dict) -> str:
    """Markdown tables of the benchmark (for the README), generated from its numbers."""
    from . import conclusions
    from .cost_figures import arithmetic_table, memory_table, phase_table, targets_table, variant_table
    from .tables import markdown

    bench = json.loads(json.dumps(bench))  # string keys, as read back from the file
    s = bench["summary"]
    machine = bench["machine"]
    lines = [f"Benchmark ({bench.get('mode', 'full')} mode) of {bench['created_utc']} on {machine['cpus']} CPUs "
             f"({machine.get('cpu_model', 'CPU model not recorded')}), torch {bench.get('versions', {}).get('torch', '?')}, "
             f"NumPy {bench.get('versions', {}).get('numpy', '?')}; median of {bench['repeats']} fresh process(es) per "
             "training run (times are noisy across runs; ratios within one run are not).",
             "", "| backend / threads | train to early stop (s) | epochs | s / epoch | peak RSS (MB, getrusage) | peak (MB, memory_profiler) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for key, v in s["train"].items():
        lines.append(f"| {key} | {v['seconds']:.1f} | {v['epochs']:.0f} | {v['epoch_seconds']:.3f} | {v['rusage_peak_mb']:.0f} | {v['peak_mb']:.0f} |")
    lines += ["", "| ratio measured in this run | value |", "| --- | --- |"]
    lines += [f"| {k} | {v:.2f} |" for k, v in s["ratios"].items()]
    if s.get("phases"):
        lines += ["", markdown(phase_table(bench), digits=3, caption="milliseconds per training step, 1 thread")]
    if s.get("arithmetic"):
        lines += ["", markdown(arithmetic_table(bench), digits=3)]
    if s.get("variants", {}).get("epoch_seconds"):
        lines += ["", markdown(variant_table(bench), digits=3)]
    if s.get("memory_stack"):
        lines += ["", markdown(memory_table(bench), digits=0)]
    lines += ["", markdown(targets_table(bench), digits=3)]
    sentences = [*conclusions.speed_sentences(bench), *conclusions.breakdown_sentences(bench),
                 *conclusions.arithmetic_sentences(bench), *conclusions.memory_sentences(bench)] if s.get("phases") else []
    if sentences:
        lines += ["", *[f"- {x}" for x in sentences]]
    return "\n".join(lines)


def bench_figures(bench: dict) -> dict:
    """Log-log figures from a bench record as read from ``bench.json`` (its keys are strings):
    epoch time vs batch size, epoch time and memory vs rows."""
    from .plots import loglog_scaling

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


def bench_path(results_dir=None) -> Path:
    return paths.resolve(results_dir, paths.RESULTS_DIR) / "bench.json"


def load_bench(results_dir=None) -> dict | None:
    """The last benchmark record, or ``None`` if ``make bench`` has not run."""
    path = bench_path(results_dir)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _reuse_compile(bench: dict, results_dir) -> None:
    """Copy torch.compile's measurement from ``make bench``'s record for the same data into a light one.

    The light mode does not compile (a cold compile takes about half a minute); the record says
    where the reused numbers come from.
    """
    full = load_bench(results_dir)
    if not full or full.get("cache_key", {}).get("data") != bench["cache_key"]["data"]:
        return
    for r in full["measurements"]:
        if r["kind"] == "compile":
            bench["measurements"].append({**r, "reused_from": full["created_utc"]})


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        _worker_main(argv[1], argv[2])
        return 0
    parser = argparse.ArgumentParser(prog="python -m helpers.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--processed-dir", default=None, help="prepared data folder (default: data/processed)")
    parser.add_argument("--results-dir", default=None, help="where bench.json goes (default: data/results)")
    parser.add_argument("--split", default="stratified", help="prepared split to train on (default: stratified)")
    parser.add_argument("--mode", default="full", choices=sorted(MODES),
                        help="full: every measurement, written to bench.json; light: the report's lighter set, "
                             "written to bench_light.json (default: full)")
    parser.add_argument("--threads", default=None, help="thread counts, comma-separated (default: the mode's, full 1,2)")
    parser.add_argument("--repeats", type=int, default=None, help="fresh processes per training run (default: full 3)")
    parser.add_argument("--quick", action="store_true", help="the same as --mode light (default: off)")
    parser.add_argument("--figures-dir", default="reports/bench", help="where figures go (default: reports/bench)")
    parser.add_argument("--no-figures", action="store_true", help="write no figures (default: off)")
    args = parser.parse_args(argv)
    mode = "light" if args.quick else args.mode
    try:
        data_key(args.processed_dir, args.split)
    except FileNotFoundError as err:
        raise SystemExit(str(err)) from None
    # The driver imports nothing heavy before the measurements: on Linux a child's ru_maxrss
    # starts from the parent's resident size at fork, so a driver holding matplotlib and pandas
    # would inflate every getrusage peak it measures (seen: 188 MB instead of 144 MB).
    threads = tuple(int(t) for t in args.threads.split(",")) if args.threads else None
    bench = run_benchmark(args.processed_dir, args.split, threads, args.repeats, mode=mode)
    if mode == "light":
        _reuse_compile(bench, args.results_dir)
        bench["summary"] = summarise(bench)
        bench["summary_markdown"] = summary_markdown(bench)
    from .artifacts import write_json

    target = bench_path(args.results_dir) if mode == "full" else light_path(args.results_dir)
    write_json(target, bench)
    bench = _read(target)  # as notebook 06 will read it (JSON keys are strings)
    if not args.no_figures:
        from .cost_figures import all_figures
        from .plots import save_fig

        for name, fig in all_figures(bench).items():
            save_fig(fig, f"bench_{name}", args.figures_dir)
    print(bench["summary_markdown"])
    print(f"[bench] {mode} benchmark: {bench['wall_seconds']:.0f} s, written to {paths.display_path(target)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
