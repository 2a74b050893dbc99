"""Speed and memory benchmark: every measurement in a fresh subprocess that imports only its framework.

Usage::

    python -m helpers.cost [--mode full|light] [--split stratified] [--threads 1,2] [--repeats 3]

Measures, for NumPy and PyTorch, on the prepared training split (notebook 01 must have run):

- training to early stop with the default configuration (median of ``--repeats`` fresh processes);
- epoch time against batch size (64 ... 8,192), inference throughput on the test rows, this
  machine's float32 GEMM rate, the time of each batch size's epoch of matrix products alone (the
  network's own shapes), and the per-step time of each training phase (batch sizes 64, 512,
  4,096 on one thread; :mod:`helpers.cost.profiling`);
- the PyTorch variants a user would try: fused Adam, float64 and (full mode) ``torch.compile``, and
  whether a documented switch (``TORCHDYNAMO_DISABLE=1``, fused Adam) keeps ``torch.optim.Adam`` from
  importing the compiler stack (:data:`helpers.cost.record.ADAM_SWITCHES`: imports, memory, speed);
- the memory of a fresh process as libraries, data and training are added, its private memory (USS)
  and PSS at the end of training (the memory targets' measure), and the week-1 report's
  one-process measurement;
- scikit-learn's ``MLPClassifier`` as a third contestant, on one thread (``helpers.models.sklearn_mlp``,
  as the study trains it): its epoch time per batch size, measured in each one-thread NumPy sweep
  process right after the twin's at the same batch size (same rows, same stretch of load: the NumPy /
  scikit-learn ratio's spread comes from these pairs), its float64 path, where its epoch's time goes
  (:func:`helpers.cost.profiling.sklearn_epoch_parts`), and its memory in fresh training processes
  of its own (torch kept out; in light mode a few epochs rather than to early stopping);
- epoch time and peak memory against rows (rows resampled), on one thread, each repeat of the
  whole sweep in its own process, smallest row count first, without a memory sampler.

Times come from ``time.perf_counter`` after a warm-up epoch (median of the timed epochs; the
per-batch-size sweeps run three times per backend, alternating: each cell's fastest sweep gives the
epoch times, the sweep pairs give the ratios' spread). Training's peak memory is the resident set
size sampled by memory_profiler (``max_iterations=1``) and cross-checked with ``resource.getrusage``
(the process's lifetime peak); the rows sweep reads ``getrusage`` only. Thread counts are fixed
(``OMP/OPENBLAS/MKL_NUM_THREADS`` and ``torch.set_num_threads``) and recorded with the library
versions and the CPU model. ``--mode full`` (``make bench``) writes ``data/results/bench.json``;
``--mode light`` (run by notebook 06 through :func:`for_report`) writes ``bench_light.json``.
Both carry a cache key (data checksum, split, sample, mode, threads, code fingerprint), so a
result is reused exactly while nothing that produced it has changed. The machine is shared and
noisy: compare ratios measured in the same run, never absolute times across runs.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from helpers import paths
from helpers.cost import profiling
from helpers.cost.profiling import estimator
from helpers.cost.record import (
    ADAM_SWITCHES,
    BACKENDS,
    CONTESTANT,
    MODES,
    _read,
    bench_path,
    cache_key,
    is_current,
    light_path,
    load_bench,
    summarise,
)


# ----------------------------------------------------------------------------- worker side
def _peak_fit(model, X, y, X_val, y_val):
    """(seconds, memory_profiler peak MiB) of ``model.fit``."""
    from memory_profiler import memory_usage

    started = time.perf_counter()
    peak, _ = memory_usage((model.fit, (X, y), {"X_val": X_val, "y_val": y_val}), max_usage=True, retval=True,
                           max_iterations=1, interval=0.01, include_children=False)
    return time.perf_counter() - started, float(peak)


def _epoch_seconds(backend, threads, seed, batch_size, epochs, X, y, X_val, y_val, variant=None, dtype="float32"):
    """Median epoch time (training steps only) after a warm-up epoch, and the first epoch's time."""
    model = estimator(backend, threads, random_state=seed, batch_size=batch_size, max_epochs=epochs, patience=None,
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


def _contestant_sweep(task: dict, seed: int, X, y, X_val, y_val, layer_sizes, timed: dict) -> dict:
    """scikit-learn's ``MLPClassifier`` (as the study trains it) on the NumPy sweep's rows, after the twin's timings.

    Epoch times at ``contestant_batches`` (float32: ``timed`` holds those measured right after the twin's epoch at
    the same batch size; the others are timed here), float64 at ``contestant_float64_batches``, and at
    ``contestant_profile_batches`` where its epoch's time goes (:func:`helpers.cost.profiling.sklearn_epoch_parts`)
    with two of its operations done the twin's way beside it (:func:`helpers.cost.profiling.same_work`).
    """
    epochs = task["epochs"]
    out = {"epoch_seconds": {b: timed[b] if b in timed else
                             _epoch_seconds(CONTESTANT, 1, seed, b, epochs, X, y, X_val, y_val)[0]
                             for b in task["contestant_batches"]},
           "float64": {b: _epoch_seconds(CONTESTANT, 1, seed, b, epochs, X, y, X_val, y_val, dtype="float64")[0]
                       for b in task.get("contestant_float64_batches", [])}}
    out["profile"] = [profiling.sklearn_epoch_parts(estimator(CONTESTANT, 1, random_state=seed), X, y, X_val, y_val, b,
                                                    repeats=task.get("phase_repeats", 3))
                      for b in task.get("contestant_profile_batches", [])]
    out["same_work"] = {b: profiling.same_work(layer_sizes, b, X.shape[0]) for b in task.get("contestant_profile_batches", [])}
    return out


def _worker(task: dict) -> dict:
    """Run one measurement in this (fresh) process; the parent set the thread variables."""


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

    from helpers.data.prepared import load_prepared

    # a training process holds only what training needs; the test rows only for inference
    parts = ("train", "val", "test") if kind in ("inference", "sweep") else ("train", "val")
    data = load_prepared(task["processed_dir"], task["split"], parts=parts)
    X, y, X_val, y_val = data.X["train"], data.y["train"], data.X["val"], data.y["val"]

    if kind == "train":
        stack.append(profiling.memory_step("+ data arrays"))
        cap = task.get("max_epochs")  # None: to early stopping, as the report trains
        model = estimator(backend, threads, random_state=seed, **({"max_epochs": cap, "patience": None} if cap else {}))
        seconds, peak = _peak_fit(model, X, y, X_val, y_val)
        # the lifetime peak; its split into private and file-backed pages is read when training ends
        stack.append({**profiling.memory_step("+ training (peak)"), "rss_mb": profiling.peak_rss_mb()})
        out["memory_stack"] = stack
        out.update(profiling.private_memory())  # USS and PSS at the end of training (the targets' measure)
        out.update(seconds=seconds, epochs=model.n_iter_, best_epoch=model.best_epoch_, peak_mb=peak,
                   epoch_seconds=statistics.median(h["seconds"] for h in model.history_),
                   layer_sizes=[X.shape[1], *model.hidden_layer_sizes, 1], train_rows=int(X.shape[0]), max_epochs=cap)
    elif kind == "batch":
        epoch, _, _ = _epoch_seconds(backend, threads, seed, task["batch_size"], 4, X, y, X_val, y_val)
        out.update(batch_size=task["batch_size"], epoch_seconds=epoch)
    elif kind == "sweep":  # epoch time per batch size, inference, GEMM rate, phase breakdown
        out["epoch_seconds"], contestant = {}, {}
        for batch in task["batch_sizes"]:
            out["epoch_seconds"][batch], _, model = _epoch_seconds(backend, threads, seed, batch, task["epochs"],
                                                                   X, y, X_val, y_val)
            if batch in task.get("contestant_batches", []):  # scikit-learn's MLPClassifier right after, same rows
                contestant[batch] = _epoch_seconds(CONTESTANT, 1, seed, batch, task["epochs"], X, y, X_val, y_val)[0]
        out["rows_per_second"] = _rows_per_second(model, data.X["test"])
        out["gemm"] = profiling.gemm_rate(backend)
        out["blas"] = profiling.blas_library(backend)
        out["layer_sizes"] = [X.shape[1], *model.hidden_layer_sizes, 1]
        out["products"] = {batch: profiling.products_time(backend, out["layer_sizes"], X.shape[0], batch)
                           for batch in task["batch_sizes"]}
        out["phases"] = [profiling.phase_times(estimator(backend, threads, random_state=seed), X, y, X_val, y_val,
                                               batch, max_rows=min(task["phase_rows"] or X.shape[0], X.shape[0]),
                                               repeats=task["phase_repeats"])
                         for batch in task.get("phase_batches", [])]
        out["train_rows"] = int(X.shape[0])
        if task.get("contestant_batches"):  # scikit-learn's MLPClassifier, in the NumPy twin's sweep process
            out["contestant"] = _contestant_sweep(task, seed, X, y, X_val, y_val, out["layer_sizes"], contestant)
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
    elif kind == "rows":  # one repeat of the rows sweep: every row count, smallest first, no memory sampler
        out["rows"] = {}
        for n_rows in sorted(task["row_counts"]):
            picked = np.random.default_rng(seed + task.get("repeat", 0)).integers(0, len(X), n_rows)
            model = estimator(backend, threads, random_state=seed, max_epochs=task.get("epochs", 4), patience=None)
            model.fit(X[picked], y[picked], X_val=X_val, y_val=y_val)
            # the lifetime peak after the largest fit so far: this fit's peak, as the sizes only grow
            out["rows"][n_rows] = {"epoch_seconds": statistics.median(h["seconds"] for h in model.history_[1:]),
                                   "peak_mb": profiling.peak_rss_mb()}
            del model, picked
        out["repeat"] = task.get("repeat", 0)
    elif kind == "adam_switch":  # does a setting keep Adam from importing the compiler stack? memory and speed
        import torch

        before, memory_before = len(sys.modules), profiling.private_memory()
        torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], **task.get("adam_kwargs", {}))
        out.update(setting=task["setting"], env=task.get("env", {}), modules_added=len(sys.modules) - before,
                   compiler_stack=profiling.compiler_stack(),
                   adam_uss_mb=profiling.private_memory()["uss_mb"] - memory_before["uss_mb"])
        out["epoch_seconds"] = {batch: _epoch_seconds(backend, threads, seed, batch, task["epochs"], X, y, X_val, y_val,
                                                      variant=task.get("variant"))[0] for batch in task["batch_sizes"]}
        out.update(profiling.private_memory())
    elif kind == "inference":
        model = estimator(backend, threads, random_state=seed, max_epochs=1, patience=None)
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
    # imports IPython (for its %memit magic), about 4 MB. The NumPy and scikit-learn processes must never
    # load torch.
    task = json.loads(task_json)
    # The week-1 process is a notebook's, which holds everything.
    if task["kind"] != "week1":
        blocked = {"pandas", "IPython"} | ({"torch"} if task["backend"] != "torch" else set())
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
    env.update(task.get("env", {}))  # a documented switch under test (e.g. TORCHDYNAMO_DISABLE=1)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, "-m", "helpers.cost.measure", "--worker", json.dumps(task), str(out)]
        proc = subprocess.run(cmd, env=env, cwd=paths.REPO_ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"benchmark task {task} failed:\n{proc.stderr[-2000:]}")
        return json.loads(out.read_text(encoding="utf-8"))


def run_benchmark(processed_dir=None, split="stratified", threads=None, repeats=None, quick=False, log=print,
                  mode="full") -> dict:
    """All measurements of ``mode`` (see :data:`MODES`); returns the dict written to ``bench.json``.

    ``quick`` is the light mode (kept for the old command-line flag); ``threads`` and ``repeats``
    override the mode's.
    """


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
        if n_threads == 1:  # scikit-learn's MLPClassifier: its own fresh training processes, one thread
            for _ in range(repeats):
                record(kind="train", backend=CONTESTANT, threads=1, max_epochs=plan["contestant_train_epochs"])
        # The sweeps alternate between the backends, so that a busy spell of the shared machine slows
        # one sweep of each rather than all of one backend's; the summary keeps each cell's fastest.
        # The first sweep also times the phases and the variants. On one thread each NumPy sweep also
        # times scikit-learn's MLPClassifier on the same rows, each batch size right after the twin's, so
        # each NumPy / scikit-learn pair shares its stretch of the machine's load (the first sweep then
        # profiles its epoch and times its float64 path, after all the twin's measurements).
        for sweep in range(plan["sweep_repeats"]):
            for backend in BACKENDS:
                full = sweep == 0 and n_threads == 1
                contestant = backend == "numpy" and n_threads == 1
                record(kind="sweep", backend=backend, threads=n_threads, batch_sizes=plan["batch_sizes"],
                       epochs=plan["epochs"], phase_batches=plan["phase_batches"] if full else [],
                       phase_rows=plan["phase_rows"], phase_repeats=plan["phase_repeats"],
                       variant_batches=plan["variant_batches"] if full and backend == "torch" else [],
                       variant_epochs=plan["epochs"] + 1,
                       contestant_batches=plan["contestant_batches"] if contestant else [],
                       contestant_float64_batches=plan["contestant_float64_batches"] if contestant and full else [],
                       contestant_profile_batches=plan["contestant_profile_batches"] if contestant and full else [])
    if plan["compile"]:
        with tempfile.TemporaryDirectory() as cache:  # cold: an empty compile cache; warm: the same one again
            for state in ("cold", "warm"):
                record(kind="compile", backend="torch", threads=1, batch_sizes=[512, 4096], epochs=3,
                       inductor_cache=cache, cache=state)
    for setting in ADAM_SWITCHES:
        record(kind="adam_switch", backend="torch", threads=1, batch_sizes=plan["switch_batches"],
               epochs=plan["epochs"], **setting)
    record(kind="week1", backend="torch", threads=1, max_epochs=plan["fit_epochs"])
    if plan["row_counts"]:  # one thread, repeats in separate processes, alternating between the backends
        for repeat in range(plan["row_repeats"]):
            for backend in BACKENDS:
                record(kind="rows", backend=backend, threads=1, row_counts=plan["row_counts"],
                       epochs=plan["row_epochs"], repeat=repeat)
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
    return bench



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


def for_report(processed_dir=None, split="stratified", results_dir=None, mode="light", log=print) -> dict:
    """The benchmark notebook 06 shows: ``make bench``'s full one when it is current for this data
    and code, else the ``mode`` one (``"light"`` by default) from its cache when current, else
    measured now (``mode="full"`` runs the whole sweep, about ten minutes).

    The light benchmark is run by a fresh driver process (``python -m helpers.cost --mode light``):
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
    cmd = [sys.executable, "-m", "helpers.cost", "--mode", mode, "--split", split,
           "--processed-dir", str(paths.resolve(processed_dir, paths.PROCESSED_DIR)),
           "--results-dir", str(paths.resolve(results_dir, paths.RESULTS_DIR)), "--no-figures"]
    proc = subprocess.run(cmd, cwd=paths.REPO_ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"the light benchmark failed:\n{proc.stderr[-2000:]}")
    log(f"Measured the {mode} benchmark now: {time.perf_counter() - started:.0f} s.")
    return _read(target)


if __name__ == "__main__":  # a worker: python -m helpers.cost.measure --worker TASK_JSON OUT_PATH
    if sys.argv[1:2] != ["--worker"] or len(sys.argv) != 4:
        raise SystemExit("usage: python -m helpers.cost.measure --worker TASK_JSON OUT_PATH (run by helpers.cost)")
    _worker_main(sys.argv[2], sys.argv[3])
