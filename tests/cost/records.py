"""Fabricated benchmark records, run through :func:`helpers.cost.record.summarise`, for the tests of what
reads them (sentences, figures, tables, the README summary)."""

from __future__ import annotations

import json

from helpers.cost import profiling
from helpers.cost import record as cost_record

#: What constructing torch.optim.Adam loads when the compiler stack comes with it.
COMPILER_STACK = ["sympy", "torch._dynamo", "torch._inductor"]
#: The row counts of a fabricated rows sweep (the light mode's).
ROW_COUNTS = (25_000, 75_000, 225_000)


def _phase_cell(batch, step, error=0.02):
    phases = dict.fromkeys(profiling.PHASES, step / len(profiling.PHASES))
    return {"batch_size": batch, "steps": 40, "step_seconds": step, "phases": phases,
            "instrumented_step_seconds": step, "phase_sum_error": error}


#: A scikit-learn epoch's parts, as shares of the epoch (they add up to 1).
CONTESTANT_SHARES = {"checks": 0.03, "loop": 0.03, "gather": 0.13, "forward_products": 0.08, "forward": 0.07,
                     "loss": 0.06, "backward_products": 0.15, "relu_derivative": 0.27, "backward": 0.1, "adam": 0.08,
                     "packing": 0.0}


def contestant_cell(batch: int, epoch: float, shares=None, error: float = 0.05, dtypes=None, packing_calls: int = 0,
                    rows: int = 77_363) -> dict:
    """One profiled scikit-learn epoch (:func:`helpers.cost.profiling.sklearn_epoch_parts`): ``epoch`` seconds split
    by ``shares`` (:data:`CONTESTANT_SHARES` by default), the timed parts ``1 + error`` times the plain epoch."""
    shares = shares or CONTESTANT_SHARES
    steps = -(-rows // batch)
    parts = {k: v * epoch * (1 + error) for k, v in shares.items()}
    calls = {"checks": 1, "loop": 1, "gather": steps, "forward_products": 3 * steps, "forward": steps, "loss": steps,
             "backward_products": 5 * steps, "relu_derivative": 2 * steps, "backward": steps, "adam": 2 * steps,
             "packing": packing_calls}
    return {"batch_size": batch, "rows": rows, "steps": steps, "epoch_seconds": epoch, "parts": parts, "calls": calls,
            "instrumented_epoch_seconds": sum(parts.values()), "phase_sum_error": error,
            "dtypes": dtypes or {"weights": "float32", "loss": "float64", "adam_update": "float64"}}


def rows_repeat(slope: float, growth: float = 1.0, seconds: float = 0.01, mb_per_row: float = 1e-4) -> dict:
    """One repeat of a rows sweep over :data:`ROW_COUNTS`: epoch time ``seconds * (n / 25k) ** slope``; peak MB
    growing ``mb_per_row`` per row from 25k to 75k rows and ``growth`` times that per row from 75k to 225k."""
    a, b, c = ROW_COUNTS
    peaks = {a: 100.0, b: 100.0 + mb_per_row * (b - a)}
    peaks[c] = peaks[b] + growth * mb_per_row * (c - b)
    return {str(n): {"epoch_seconds": seconds * (n / a) ** slope, "peak_mb": peaks[n]} for n in ROW_COUNTS}


def fabricated(numpy_epoch, torch_epoch, gemm=100.0, phase_error=0.02, fused=None, numpy_peak=140, torch_peak=390,
               week1=(450.0, 2000.0), products=None, optim=None, numpy_uss=90.0, torch_uss=280.0,
               numpy_factors=(1.0,), rows=None, switches=None, contestant=None, contestant_uss=120.0,
               contestant_cap=3, contestant_cells=None, same_work=None, contestant_float64=1.2):
    """A benchmark record with the given epoch times (dict batch -> s) run through ``summarise``.

    ``products``: ``{backend: {batch: seconds}}`` of the products-alone epochs; ``optim``: MB that
    constructing torch.optim.Adam adds (a step with the compiler stack, and private/file splits);
    ``numpy_uss`` / ``torch_uss``: private memory at the end of training (PSS is 8 MB more);
    ``numpy_factors``: one interleaved sweep pair per factor, NumPy's epoch times multiplied by it (the
    spread of the ratios); ``rows``: ``{backend: [repeat, ...]}`` of :func:`rows_repeat`; ``switches``:
    ``{setting: compiler stack}`` overriding the Adam switches (by default every one loads the stack);
    ``contestant``: scikit-learn's epoch times (dict batch -> s), timed in every NumPy sweep, with its training
    process (``contestant_uss`` MB private, trained ``contestant_cap`` epochs, None: to early stopping), its
    float64 epochs ``contestant_float64`` times its float32 ones, its profile (``contestant_cells``: one
    :func:`contestant_cell` per batch size, by default at each of its batch sizes) and ``same_work``.
    """
    def m(backend, kind, **kw):
        return {"backend": backend, "threads": 1, "kind": kind, **kw}

    stack = {"numpy": [{"step": "interpreter", "rss_mb": 20}, {"step": "+ NumPy", "rss_mb": 38},
                       {"step": "+ scikit-learn (with SciPy)", "rss_mb": 100}, {"step": "+ data arrays", "rss_mb": 110},
                       {"step": "+ training (peak)", "rss_mb": numpy_peak}],
             "torch": [{"step": "interpreter", "rss_mb": 20}, {"step": "+ NumPy", "rss_mb": 38},
                       {"step": "+ scikit-learn (with SciPy)", "rss_mb": 100}, {"step": "+ torch", "rss_mb": 330},
                       {"step": "+ data arrays", "rss_mb": 340}, {"step": "+ training (peak)", "rss_mb": torch_peak}]}
    if optim is not None:
        stack["torch"].insert(4, {"step": "+ torch.optim.Adam", "rss_mb": 330 + optim, "modules": 1900,
                                  "compiler_stack": ["sympy", "torch._dynamo"]})
        stack["torch"][3]["modules"] = 1100
        for backend, file_mb in (("numpy", 40), ("torch", 120)):
            stack[backend][-1].update(anon_mb=stack[backend][-1]["rss_mb"] - file_mb, file_mb=file_mb)
    sweep = dict(gemm={"n": 2048, "seconds": 0.1, "gflops": gemm}, train_rows=77_363, layer_sizes=[25, 64, 32, 1],
                 rows_per_second=1e6)

    def floor(backend):
        flops = profiling.flops_per_epoch(sweep["layer_sizes"], sweep["train_rows"])["total"]
        return {"products": {str(b): {"batch_size": b, "seconds": t, "gflops": flops / t / 1e9}
                             for b, t in (products or {}).get(backend, {}).items()}}
    torch_variants = {"plain": {str(b): t for b, t in torch_epoch.items()},
                      "fused Adam": {str(b): (fused or torch_epoch)[b] for b in torch_epoch},
                      "float64": {str(b): 2 * t for b, t in torch_epoch.items()}}
    measurements = [
        m("numpy", "train", seconds=2.0, epoch_seconds=0.05, epochs=30, peak_mb=numpy_peak, rusage_peak_mb=numpy_peak,
          memory_stack=stack["numpy"], uss_mb=numpy_uss, pss_mb=numpy_uss + 8),
        m("torch", "train", seconds=6.0, epoch_seconds=0.15, epochs=30, peak_mb=torch_peak, rusage_peak_mb=torch_peak,
          memory_stack=stack["torch"], uss_mb=torch_uss, pss_mb=torch_uss + 8),
    ]
    if contestant:
        steps = stack["numpy"][:3] + [{"step": "+ sklearn.neural_network", "rss_mb": 100.5}] + [
            {**x, "rss_mb": x["rss_mb"] + 0.5} for x in stack["numpy"][3:]]
        measurements.append(m("sklearn", "train", seconds=0.3, epoch_seconds=contestant.get(512, 0.1),
                              epochs=contestant_cap or 30, peak_mb=numpy_peak + 3, rusage_peak_mb=numpy_peak + 3,
                              memory_stack=steps, uss_mb=contestant_uss, pss_mb=contestant_uss + 4,
                              max_epochs=contestant_cap))
    for i, factor in enumerate(numpy_factors):  # interleaved sweep pairs; the first times phases and variants
        first = i == 0
        own = {}
        if contestant:
            cells = contestant_cells or [contestant_cell(b, t) for b, t in contestant.items()]
            own = {"contestant": {"epoch_seconds": {str(b): t for b, t in contestant.items()},
                                  "float64": {str(b): contestant_float64 * t for b, t in contestant.items()} if first else {},
                                  "profile": cells if first else [],
                                  "same_work": (same_work or {}) if first else {}}}
        measurements += [
            m("numpy", "sweep", epoch_seconds={str(b): t * factor for b, t in numpy_epoch.items()}, **sweep,
              **floor("numpy"), phases=[_phase_cell(b, t / 100, phase_error) for b, t in numpy_epoch.items()] if first
              else [], **own),
            m("torch", "sweep", epoch_seconds={str(b): t for b, t in torch_epoch.items()}, **sweep, **floor("torch"),
              phases=[_phase_cell(b, t / 100) for b, t in torch_epoch.items()] if first else [],
              **({"variants": torch_variants} if first else {})),
        ]
    fused_epoch = fused or torch_epoch
    for entry in cost_record.ADAM_SWITCHES:
        setting = entry["setting"]
        loaded = (switches or {}).get(setting, COMPILER_STACK)
        epoch = fused_epoch if setting == "fused Adam" else torch_epoch
        measurements.append(m("torch", "adam_switch", setting=setting, env=entry.get("env", {}),
                              modules_added=800 if loaded else 5, compiler_stack=list(loaded),
                              adam_uss_mb=70.0 if loaded else 1.0, uss_mb=torch_uss if loaded else torch_uss - 69,
                              pss_mb=torch_uss + 8 if loaded else torch_uss - 61,
                              epoch_seconds={"512": epoch[512]} if 512 in epoch else {}))
    measurements.append(
        m("torch", "week1", steps=[{"step": "interpreter", "rss_mb": 20}, {"step": "+ pandas", "rss_mb": 80}],
          numpy_fit_peak_mb=week1[0], torch_fit_peak_mb=week1[1], before_numpy_fit_mb=week1[0] - 5,
          before_torch_fit_mb=week1[0]))
    for backend, repeats in (rows or {}).items():
        for i, cells in enumerate(repeats):
            measurements.append(m(backend, "rows", rows=cells, repeat=i))
    record = {"measurements": measurements, "threads": [1], "created_utc": "2026-01-01T00:00:00Z", "repeats": 1,
              "mode": "light", "wall_seconds": 60.0, "machine": {"cpus": 2, "cpu_model": "test CPU"},
              "versions": {"torch": "x", "numpy": "y", "sklearn": "z"}, "plan": dict(cost_record.MODES["light"])}
    record["summary"] = cost_record.summarise(record)
    return json.loads(json.dumps(record))


FAST_NUMPY = {64: 0.3, 512: 0.08, 4096: 0.03}


#: scikit-learn's MLPClassifier, slower than the NumPy twin (its light batch sizes).
SLOW_SKLEARN = {512: 0.2, 4096: 0.075}
#: Both ways of two operations, scikit-learn's ten times the twin's.
SAME_WORK = {"512": {"relu_derivative": {"sklearn": 1.5e-4, "numpy": 1.5e-5}, "gather": {"sklearn": 5e-5, "numpy": 4e-6}}}


SLOW_TORCH = {64: 1.2, 512: 0.25, 4096: 0.05}


def met(bench: dict, key: str) -> bool | None:
    """Whether the target record ``key`` of a summarised benchmark is met (None: not shown)."""
    return next(t["met"] for t in bench["summary"]["targets"] if t["key"] == key)


def target(bench: dict, key: str) -> dict:
    """The target record ``key`` of a summarised benchmark."""
    return next(t for t in bench["summary"]["targets"] if t["key"] == key)
