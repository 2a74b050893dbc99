"""Speed and memory benchmark: every measurement in a fresh subprocess that imports only its framework.

Usage::

    python -m helpers.bench [--split stratified] [--threads 1,2] [--repeats 3] [--quick]

Measures, for NumPy and PyTorch, on the prepared training split (notebook 01 must have run):

- training to early stop with the default configuration (median of ``--repeats`` fresh processes);
- epoch time against batch size (64 ... 8,192);
- epoch time and peak memory against rows (10k ... 1M, rows resampled from the training set);
- inference throughput on the test rows.

Times come from ``time.perf_counter`` after a warm-up epoch (median of 3 timed epochs); peak
memory is the resident set size sampled by memory_profiler (``max_iterations=1``) and
cross-checked with ``resource.getrusage`` (the process's lifetime peak). Thread counts are fixed
(``OMP/OPENBLAS/MKL_NUM_THREADS`` and ``torch.set_num_threads``) and recorded. Results go to
``data/results/bench.json`` (atomically); figures are drawn from it by :func:`bench_figures`.
The machine is shared and noisy: compare ratios measured in the same run, never absolute times
across runs.
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
TARGETS = {"numpy_peak_mb": 150.0, "torch_peak_mb": 400.0, "epoch_ratio_512": 0.6, "epoch_ratio_4096": 1.2}


# ----------------------------------------------------------------------------- worker side
def _estimator(backend: str, threads: int, **params):
    if backend == "numpy":
        from .numpy_mlp import NumpyMLPClassifier

        return NumpyMLPClassifier(**params)
    from .torch_mlp import TorchMLPClassifier

    return TorchMLPClassifier(num_threads=threads, **params)


def _peak_fit(model, X, y, X_val, y_val):
    """(seconds, memory_profiler peak MiB) of ``model.fit``."""
    from memory_profiler import memory_usage

    started = time.perf_counter()
    peak, _ = memory_usage((model.fit, (X, y), {"X_val": X_val, "y_val": y_val}), max_usage=True, retval=True,
                           max_iterations=1, interval=0.01, include_children=False)
    return time.perf_counter() - started, float(peak)


def _worker(task: dict) -> dict:
    """Run one measurement in this (fresh) process; the parent set the thread variables."""
    import resource

    import numpy as np

    from .prepared import load_prepared

    backend, threads = task["backend"], task["threads"]
    base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # a training process holds only what training needs; the test rows only for inference
    parts = ("train", "val", "test") if task["kind"] == "inference" else ("train", "val")
    data = load_prepared(task["processed_dir"], task["split"], parts=parts)
    X, y, X_val, y_val = data.X["train"], data.y["train"], data.X["val"], data.y["val"]
    seed = task.get("seed", 42)
    out: dict = {"backend": backend, "threads": threads, "kind": task["kind"]}

    if task["kind"] == "train":
        model = _estimator(backend, threads, random_state=seed)
        seconds, peak = _peak_fit(model, X, y, X_val, y_val)
        out.update(seconds=seconds, epochs=model.n_iter_, best_epoch=model.best_epoch_, peak_mb=peak,
                   epoch_seconds=statistics.median(h["seconds"] for h in model.history_))
    elif task["kind"] == "batch":
        model = _estimator(backend, threads, random_state=seed, batch_size=task["batch_size"], max_epochs=4, patience=None)
        model.fit(X, y, X_val=X_val, y_val=y_val)
        out.update(batch_size=task["batch_size"], epoch_seconds=statistics.median(h["seconds"] for h in model.history_[1:]))
    elif task["kind"] == "rows":
        rows = np.random.default_rng(seed).integers(0, len(X), task["rows"])
        X_big, y_big = X[rows], y[rows]
        model = _estimator(backend, threads, random_state=seed, max_epochs=4, patience=None)
        seconds, peak = _peak_fit(model, X_big, y_big, X_val, y_val)
        out.update(rows=task["rows"], peak_mb=peak, epoch_seconds=statistics.median(h["seconds"] for h in model.history_[1:]))
    elif task["kind"] == "inference":
        model = _estimator(backend, threads, random_state=seed, max_epochs=1, patience=None)
        model.fit(X, y, X_val=X_val, y_val=y_val)
        X_test = data.X["test"]
        model.predict_proba(X_test)  # warm-up
        times = []
        for _ in range(5):
            started = time.perf_counter()
            model.predict_proba(X_test)
            times.append(time.perf_counter() - started)
        out.update(rows=len(X_test), rows_per_second=len(X_test) / statistics.median(times))
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
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, "-m", "helpers.bench", "--worker", json.dumps(task), str(out)]
        proc = subprocess.run(cmd, env=env, cwd=paths.REPO_ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"benchmark task {task} failed:\n{proc.stderr[-2000:]}")
        return json.loads(out.read_text(encoding="utf-8"))


def run_benchmark(processed_dir=None, split="stratified", threads=(1, 2), repeats=3, quick=False, log=print) -> dict:
    """All measurements; returns the dict written to ``bench.json``."""
    import platform

    batch_sizes = BATCH_SIZES if not quick else [512, 4096]
    row_counts = ROW_COUNTS if not quick else [10_000, 100_000]
    base = {"processed_dir": str(paths.resolve(processed_dir, paths.PROCESSED_DIR)), "split": split}
    results: list[dict] = []

    def record(**task):
        started = time.perf_counter()
        r = measure({**base, **task})
        results.append(r)
        log(f"[bench] {task} -> {time.perf_counter() - started:.1f} s")

    for n_threads in threads:
        for backend in BACKENDS:
            for _ in range(repeats):
                record(kind="train", backend=backend, threads=n_threads)
            for batch in batch_sizes:
                record(kind="batch", backend=backend, threads=n_threads, batch_size=batch)
            record(kind="inference", backend=backend, threads=n_threads)
    for backend in BACKENDS:
        for rows in row_counts:
            record(kind="rows", backend=backend, threads=max(threads), rows=rows)
    bench = {
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.machine()},
        "split": split, "threads": list(threads), "repeats": repeats, "quick": quick,
        "measurements": results,
    }
    bench["summary"] = summarise(bench)
    bench["summary_markdown"] = summary_markdown(bench)
    return bench


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
            out["inference"][f"{backend}/{t}"] = _median([r for r in sel if r["kind"] == "inference"], "rows_per_second")
        out["rows"][backend] = {r["rows"]: {"epoch_seconds": r["epoch_seconds"], "peak_mb": r["peak_mb"]}
                                for r in m if r["backend"] == backend and r["kind"] == "rows"}
    for t in bench["threads"]:
        for batch in (512, 4096):
            n, p = out["batch"][f"numpy/{t}"].get(batch), out["batch"][f"torch/{t}"].get(batch)
            if n and p:
                out["ratios"][f"numpy/torch epoch time, batch {batch}, {t} thread(s)"] = n / p
    top = max(bench["threads"])
    targets = out["targets"]
    targets["numpy peak MB <= 150"] = out["train"][f"numpy/{top}"]["rusage_peak_mb"] <= TARGETS["numpy_peak_mb"]
    targets["torch peak MB <= 400"] = out["train"][f"torch/{top}"]["rusage_peak_mb"] <= TARGETS["torch_peak_mb"]
    r512 = out["ratios"].get(f"numpy/torch epoch time, batch 512, {top} thread(s)")
    r4096 = out["ratios"].get(f"numpy/torch epoch time, batch 4096, {top} thread(s)")
    if r512 is not None:
        targets["numpy epoch <= 0.6 x torch at batch 512"] = r512 <= TARGETS["epoch_ratio_512"]
    if r4096 is not None:
        targets["numpy epoch <= 1.2 x torch at batch 4096"] = r4096 <= TARGETS["epoch_ratio_4096"]
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
    return out


def _loglog_slope(xs, ys) -> float:
    """Least-squares slope of log(y) on log(x), from 30k rows up (below that, fixed costs dominate)."""
    import numpy as np

    points = [(x, y) for x, y in zip(xs, ys) if x >= 30_000]
    if len(points) < 2:
        points = list(zip(xs, ys))
    lx, ly = np.log([x for x, _ in points]), np.log([y for _, y in points])
    return float(np.polyfit(lx, ly, 1)[0])


def summary_markdown(bench: dict) -> str:
    """A short Markdown table of the benchmark, generated from its numbers."""
    s = bench["summary"]
    lines = [f"Benchmark of {bench['created_utc']} on {bench['machine']['cpus']} CPUs, median of "
             f"{bench['repeats']} fresh processes per training run (times are noisy across runs; ratios within one run are not).",
             "", "| backend / threads | train to early stop (s) | epochs | s / epoch | peak RSS (MB, getrusage) | peak (MB, memory_profiler) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for key, v in s["train"].items():
        lines.append(f"| {key} | {v['seconds']:.1f} | {v['epochs']:.0f} | {v['epoch_seconds']:.3f} | {v['rusage_peak_mb']:.0f} | {v['peak_mb']:.0f} |")
    lines += ["", "| ratio measured in this run | value |", "| --- | --- |"]
    lines += [f"| {k} | {v:.2f} |" for k, v in s["ratios"].items()]
    lines += ["", "| target | met |", "| --- | --- |"]
    lines += [f"| {k} | {'yes' if v else '**no**'} |" for k, v in s["targets"].items()]
    return "\n".join(lines)


def bench_figures(bench: dict) -> dict:
    """Log-log figures from a bench record as read from ``bench.json`` (its keys are strings):
    epoch time vs batch size, epoch time and memory vs rows."""
    from .plots import loglog_scaling

    s = bench["summary"]
    figs = {}
    series = {}
    for key, per_batch in s["batch"].items():
        backend, t = key.split("/")
        if per_batch:
            series[f"{BACKENDS[backend]}, {t} thr"] = [per_batch[b] for b in sorted(per_batch, key=int)]
            xs = sorted((int(b) for b in per_batch))
    if series:
        figs["epoch_vs_batch"] = loglog_scaling(xs, series, "batch size", "seconds per epoch", "Epoch time against batch size")
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


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        _worker_main(argv[1], argv[2])
        return 0
    parser = argparse.ArgumentParser(prog="python -m helpers.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--processed-dir", default=None, help="prepared data folder (default: data/processed)")
    parser.add_argument("--results-dir", default=None, help="where bench.json goes (default: data/results)")
    parser.add_argument("--split", default="stratified", help="prepared split to train on (default: stratified)")
    parser.add_argument("--threads", default="1,2", help="thread counts, comma-separated (default: 1,2)")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per training run (default: 3)")
    parser.add_argument("--quick", action="store_true", help="fewer batch sizes and row counts (default: off)")
    parser.add_argument("--figures-dir", default="reports/bench", help="where figures go (default: reports/bench)")
    args = parser.parse_args(argv)
    # The driver imports nothing heavy before the measurements: on Linux a child's ru_maxrss
    # starts from the parent's resident size at fork, so a driver holding matplotlib and pandas
    # would inflate every getrusage peak it measures (seen: 188 MB instead of 144 MB).
    bench = run_benchmark(args.processed_dir, args.split, tuple(int(t) for t in args.threads.split(",")),
                          args.repeats, args.quick)
    from .artifacts import write_json
    from .plots import save_fig

    write_json(bench_path(args.results_dir), bench)
    bench = load_bench(args.results_dir)  # as notebook 04 will read it (JSON keys are strings)
    for name, fig in bench_figures(bench).items():
        save_fig(fig, f"bench_{name}", args.figures_dir)
    print(bench["summary_markdown"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
