"""The cost study: phase timers do the training step's work, variants keep the numbers, FLOPs are
counted right, the cache reuses only what is current, and the cost sentences flip with the numbers."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch

from helpers import style
from helpers.cost import figures as cost_figures
from helpers.cost import measure, profiling, sentences
from helpers.cost import record as cost_record
from helpers.models.numpy_mlp import NumpyMLPClassifier
from helpers.models.torch_mlp import TorchMLPClassifier, TorchMLPVariantClassifier


# ----------------------------------------------------------------------------- arithmetic
def test_flops_count_every_matrix_product_once():
    # layers 3 -> 4 -> 1 on 10 rows: forward x@W1 (2*10*3*4) + h@W2 (2*10*4*1);
    # backward dW1, dW2 (same again) + dh = dz @ W2.T (2*10*4*1); no gradient for the input
    flops = profiling.flops_per_epoch((3, 4, 1), 10)
    assert flops["forward"] == 2 * 10 * (12 + 4)
    assert flops["backward"] == 2 * 10 * (12 + 4) + 2 * 10 * 4
    assert flops["total"] == flops["forward"] + flops["backward"]
    assert profiling.flops_per_epoch((3, 4, 1), 20)["total"] == 2 * flops["total"]


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_gemm_rate_is_measured(backend):
    rate = profiling.gemm_rate(backend, n=256, repeats=2)
    assert rate["n"] == 256 and rate["seconds"] > 0
    assert rate["gflops"] == pytest.approx(2 * 256**3 / rate["seconds"] / 1e9)
    with pytest.raises(ValueError, match="backend"):
        profiling.gemm_rate("jax", n=8)


# ----------------------------------------------------------------------------- phase timers
def _fitted(cls, X, y, **kw):
    model = cls(hidden_layer_sizes=(8, 4), batch_size=32, max_epochs=1, patience=None, random_state=0,
                dtype="float64", **kw)
    return model.fit(X, y, X_val=X, y_val=y)


@pytest.mark.parametrize("cls", [NumpyMLPClassifier, TorchMLPClassifier])
def test_the_clock_callback_times_every_phase_without_changing_the_step(cls, skewed_binary_data):
    X, y = skewed_binary_data
    extra = {"num_threads": 1} if cls is TorchMLPClassifier else {}
    plain, timed = _fitted(cls, X, y, **extra), _fitted(cls, X, y, **extra)
    data = plain.training_data(X, y)
    idx = np.arange(40, 72)
    for _ in range(3):
        plain_loss = plain.train_step(data, idx)
        marks = profiling.PhaseClock()
        marks.start()
        calls = []
        timed_loss = timed.train_step(data, idx, on_phase=lambda name: (calls.append(name), marks(name)))
        assert timed_loss == plain_loss
        assert set(calls) == set(profiling.PHASES[:-1]) and calls[0] == "gather"
        assert all(v > 0 for v in marks.seconds.values())
    for a, b in zip(plain._backend_get_weights()[0], timed._backend_get_weights()[0]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cls", [NumpyMLPClassifier, TorchMLPClassifier])
def test_fit_runs_the_same_train_step(cls, skewed_binary_data, monkeypatch):
    X, y = skewed_binary_data
    steps = []
    original = cls.train_step
    monkeypatch.setattr(cls, "train_step", lambda self, data, rows, on_phase=None: (
        steps.append(rows.shape[0]), original(self, data, rows, on_phase))[1])
    model = _fitted(cls, X, y)
    assert sum(steps) == X.shape[0] * model.n_iter_


def test_phase_times_reports_every_phase_and_the_check(skewed_binary_data):
    X, y = skewed_binary_data
    X = X.astype(np.float32)
    result = profiling.phase_times(NumpyMLPClassifier(random_state=0), X, y, X, y, batch_size=64, repeats=2)
    assert set(result["phases"]) == set(profiling.PHASES)
    assert result["steps"] >= 40 and result["steps"] % 2 == 0
    assert result["step_seconds"] > 0
    assert result["instrumented_step_seconds"] == pytest.approx(sum(result["phases"].values()))
    assert result["phase_sum_error"] == pytest.approx(abs(result["instrumented_step_seconds"] / result["step_seconds"] - 1))


# ----------------------------------------------------------------------------- variants keep the numbers
@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-10), ("float32", 1e-5)])
def test_fused_adam_keeps_the_plain_twins_weights(dtype, rtol, skewed_binary_data):
    X, y = skewed_binary_data
    kw = dict(hidden_layer_sizes=(8,), max_epochs=3, patience=None, batch_size=64, random_state=0, num_threads=1,
              dtype=dtype)
    plain = TorchMLPClassifier(**kw).fit(X, y)
    fused = TorchMLPVariantClassifier(fused_adam=True, **kw).fit(X, y)
    assert any(g["fused"] for g in fused._optimizer.param_groups)
    for a, b in zip(plain.coefs_ + plain.intercepts_, fused.coefs_ + fused.intercepts_):
        np.testing.assert_allclose(b, a, rtol=rtol, atol=rtol)


@pytest.mark.skipif(shutil.which("g++") is None and shutil.which("cc") is None,
                    reason="torch.compile's CPU backend needs a C++ compiler")
def test_compiled_model_keeps_the_plain_twins_weights(skewed_binary_data):
    # a tiny model: the first compile still takes tens of seconds (later runs reuse torch's on-disk cache)
    X, y = skewed_binary_data
    kw = dict(hidden_layer_sizes=(8,), max_epochs=2, patience=None, batch_size=128, random_state=0, num_threads=1,
              dtype="float64")
    plain = TorchMLPClassifier(**kw).fit(X, y)
    compiled = TorchMLPVariantClassifier(compile_model=True, **kw).fit(X, y)
    assert compiled._train_model is not compiled._model
    for a, b in zip(plain.coefs_, compiled.coefs_):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


def test_variant_parameters_are_sklearn_parameters():
    params = TorchMLPVariantClassifier(fused_adam=True).get_params()
    assert params["fused_adam"] is True and params["compile_model"] is False
    assert set(TorchMLPClassifier().get_params()) < set(params)


# ----------------------------------------------------------------------------- cache
@pytest.fixture
def processed(tmp_path):
    folder = tmp_path / "processed" / "stratified"
    folder.mkdir(parents=True)
    meta = {"source": {"sha256": "a" * 64, "synthetic": False}, "sample_rows": None, "split": {"seed": 42}}
    (folder / "meta.json").write_text(json.dumps(meta))
    return tmp_path / "processed"


def test_cache_key_follows_data_mode_threads_and_code(processed, monkeypatch):
    key = cost_record.cache_key(processed, "stratified", "light", (1,))
    record = {"cache_key": key}
    assert cost_record.is_current(record, processed, "stratified", "light", (1,))
    assert not cost_record.is_current(record, processed, "stratified", "full", (1,))
    assert not cost_record.is_current(record, processed, "stratified", "light", (1, 2))
    monkeypatch.setattr(profiling, "code_fingerprint", lambda: "changed code")
    assert not cost_record.is_current(record, processed, "stratified", "light", (1,))
    monkeypatch.undo()
    meta_path = processed / "stratified" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["sample_rows"] = 3000
    meta_path.write_text(json.dumps(meta))
    assert not cost_record.is_current(record, processed, "stratified", "light", (1,))
    assert not cost_record.is_current(record, processed, "temporal", "light", (1,))  # no such prepared split


def test_code_fingerprint_covers_the_measuring_modules():
    assert profiling.code_fingerprint() == profiling.code_fingerprint()
    assert profiling.code_fingerprint(("bench",)) != profiling.code_fingerprint(("bench", "profiling"))
    assert set(profiling.MEASURING_MODULES) >= {"bench", "profiling", "mlp_base", "numpy_layers", "numpy_mlp", "torch_mlp"}


def test_for_report_reuses_a_current_record_and_prefers_the_full_one(processed, tmp_path, monkeypatch):
    results = tmp_path / "results"
    results.mkdir()

    def no_run(*args, **kwargs):
        raise AssertionError("a current record must be reused, not measured again")

    monkeypatch.setattr(measure.subprocess, "run", no_run)
    light = {"created_utc": "light", "cache_key": cost_record.cache_key(processed, "stratified", "light", (1,))}
    (results / "bench_light.json").write_text(json.dumps(light))
    assert measure.for_report(processed, "stratified", results, log=lambda *_: None)["created_utc"] == "light"
    full = {"created_utc": "full", "cache_key": cost_record.cache_key(processed, "stratified", "full", (1, 2))}
    (results / "bench.json").write_text(json.dumps(full))
    assert measure.for_report(processed, "stratified", results, log=lambda *_: None)["created_utc"] == "full"
    # a stale light record (other code) is measured again
    (results / "bench.json").unlink()
    (results / "bench_light.json").write_text(json.dumps({**light, "cache_key": {**light["cache_key"], "code": "old"}}))
    with pytest.raises(AssertionError, match="reused"):
        measure.for_report(processed, "stratified", results, log=lambda *_: None)


# ----------------------------------------------------------------------------- fabricated records
def _phase_cell(batch, step, error=0.02):
    phases = dict.fromkeys(profiling.PHASES, step / len(profiling.PHASES))
    return {"batch_size": batch, "steps": 40, "step_seconds": step, "phases": phases,
            "instrumented_step_seconds": step, "phase_sum_error": error}


def fabricated(numpy_epoch, torch_epoch, gemm=100.0, phase_error=0.02, fused=None, numpy_peak=140, torch_peak=390,
               week1=(450.0, 2000.0), products=None, optim=None):
    """A benchmark record with the given epoch times (dict batch -> s) run through ``summarise``.

    ``products``: ``{backend: {batch: seconds}}`` of the products-alone epochs; ``optim``: MB that
    constructing torch.optim.Adam adds (a step with the compiler stack, and private/file splits).
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
          memory_stack=stack["numpy"]),
        m("torch", "train", seconds=6.0, epoch_seconds=0.15, epochs=30, peak_mb=torch_peak, rusage_peak_mb=torch_peak,
          memory_stack=stack["torch"]),
        m("numpy", "sweep", epoch_seconds={str(b): t for b, t in numpy_epoch.items()}, **sweep, **floor("numpy"),
          phases=[_phase_cell(b, t / 100, phase_error) for b, t in numpy_epoch.items()]),
        m("torch", "sweep", epoch_seconds={str(b): t for b, t in torch_epoch.items()}, **sweep, **floor("torch"),
          phases=[_phase_cell(b, t / 100) for b, t in torch_epoch.items()], variants=torch_variants),
        m("torch", "week1", steps=[{"step": "interpreter", "rss_mb": 20}, {"step": "+ pandas", "rss_mb": 80}],
          numpy_fit_peak_mb=week1[0], torch_fit_peak_mb=week1[1], before_numpy_fit_mb=week1[0] - 5,
          before_torch_fit_mb=week1[0]),
    ]
    record = {"measurements": measurements, "threads": [1], "created_utc": "2026-01-01T00:00:00Z", "repeats": 1,
              "mode": "light", "wall_seconds": 60.0, "machine": {"cpus": 2, "cpu_model": "test CPU"},
              "versions": {"torch": "x", "numpy": "y", "sklearn": "z"}}
    record["summary"] = cost_record.summarise(record)
    return json.loads(json.dumps(record))


FAST_NUMPY = {64: 0.3, 512: 0.08, 4096: 0.03}
SLOW_TORCH = {64: 1.2, 512: 0.25, 4096: 0.05}


def test_speed_words_flip_with_the_numbers():
    fast = " ".join(sentences.speed_sentences(fabricated(FAST_NUMPY, SLOW_TORCH)))
    slow = " ".join(sentences.speed_sentences(fabricated(SLOW_TORCH, FAST_NUMPY)))
    assert "NumPy was 3.0 x faster than PyTorch" in fast  # 2 s against 6 s to early stop
    assert "faster than PyTorch at batch 512" in fast and "slower than PyTorch at batch 512" in slow
    assert "its lead shrinks as the batch grows" in fast
    assert "NumPy stays ahead of it" in fast and "it overtakes NumPy" in slow


def test_the_fastest_variant_is_named_and_compared():
    fused = {64: 1.0, 512: 0.05, 4096: 0.02}
    text = " ".join(sentences.speed_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, fused=fused)))
    assert "the fastest variant is fused Adam" in text and "it overtakes NumPy" in text
    plain = " ".join(sentences.speed_sentences(fabricated(FAST_NUMPY, SLOW_TORCH)))
    assert "none of the variants beats the plain twin" in plain
    variants = " ".join(sentences.variant_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, fused=fused)))
    assert "5.00 x the plain speed at batch 512 (a gain)" in variants and variants.startswith("fused Adam:")
    assert "float64: 0.50 x the plain speed" in variants and "(a loss)" in variants
    assert "not measured in this light benchmark" in variants


def test_gemm_bound_and_phase_check_flip():
    within = fabricated(FAST_NUMPY, SLOW_TORCH, gemm=80.0)  # 1.46 GFLOP at 80 GFLOP/s: 18 ms; epoch 30 ms
    outside = fabricated(FAST_NUMPY, SLOW_TORCH, gemm=400.0, phase_error=0.3)
    assert within["summary"]["targets"]["numpy epoch at batch 4096 within 2 x of the GEMM-rate time for its FLOPs"]
    assert not outside["summary"]["targets"]["numpy epoch at batch 4096 within 2 x of the GEMM-rate time for its FLOPs"]
    assert "within the 2 x target" in " ".join(sentences.arithmetic_sentences(within))
    assert "outside the 2 x target" in " ".join(sentences.arithmetic_sentences(outside))
    assert "inside the 10 % tolerance" in " ".join(sentences.breakdown_sentences(within))
    assert "outside the 10 % tolerance" in " ".join(sentences.breakdown_sentences(outside))
    assert not outside["summary"]["targets"]["breakdown phases add up to within 10 % of the step time (worst cell)"]


def test_the_products_alone_say_whether_the_gemm_bound_is_reachable():
    # 1.46 GFLOP at 400 GFLOP/s: a 3.7 ms bound; the NumPy epoch at 4,096 takes 30 ms
    out_of_reach = fabricated(FAST_NUMPY, SLOW_TORCH, gemm=400.0,
                              products={"numpy": {4096: 0.02}, "torch": {4096: 0.021}})
    cell = out_of_reach["summary"]["arithmetic"]["numpy"]["4096"]
    assert cell["products_x_bound"] == pytest.approx(0.02 / cell["gemm_bound_seconds"])
    assert cell["x_products"] == pytest.approx(0.03 / 0.02)
    text = " ".join(sentences.arithmetic_sentences(out_of_reach))
    assert "outside the 2 x target" in text and "take 20 ms in NumPy" in text
    assert "no NumPy training loop can meet the 2 x target" in text
    assert "The rest of the NumPy epoch, 10 ms (33%)" in text
    # PyTorch's epoch is 20 ms longer, its products only 1 ms: the difference is elsewhere
    assert "The PyTorch epoch is 20 ms longer than NumPy's; the products account for only 1 ms of it" in text
    assert "most of the difference lies outside the matrix products" in text
    faster = fabricated(FAST_NUMPY, SLOW_TORCH, gemm=400.0, products={"numpy": {4096: 0.02}, "torch": {4096: 0.012}})
    assert ("torch's products are 8 ms faster than NumPy's, so the whole difference, and more, lies outside"
            in " ".join(sentences.arithmetic_sentences(faster)))
    borderline = fabricated(FAST_NUMPY, SLOW_TORCH, gemm=400.0, products={"numpy": {4096: 0.0073}})  # 2.0 x
    assert "use up about the whole 2 x allowance" in " ".join(sentences.arithmetic_sentences(borderline))
    reachable = fabricated(FAST_NUMPY, SLOW_TORCH, gemm=400.0, products={"numpy": {4096: 0.005}})
    text = " ".join(sentences.arithmetic_sentences(reachable))
    assert "The products alone fit within 2 x" in text and "no NumPy training loop" not in text
    # no products measured (an older record): no floor sentences, no error
    assert "products alone" not in " ".join(sentences.arithmetic_sentences(fabricated(FAST_NUMPY, SLOW_TORCH)))
    table = cost_figures.arithmetic_table(out_of_reach)
    assert table.loc["NumPy MLP, 4,096", "products alone (s)"] == pytest.approx(0.02)


def test_blas_library_is_read_from_each_build():
    assert profiling.blas_library("numpy").split()[0] in {"scipy-openblas", "openblas", "mkl", "accelerate", "blis"}
    assert profiling.blas_library("torch") not in ("", "unknown")
    with pytest.raises(ValueError, match="backend"):
        profiling.blas_library("jax")


def test_repeated_sweeps_keep_each_cells_fastest():
    record = fabricated(FAST_NUMPY, SLOW_TORCH, products={"numpy": {4096: 0.02}})
    record["measurements"].append({
        "backend": "numpy", "threads": 1, "kind": "sweep", "epoch_seconds": {"512": 0.04, "4096": 0.5},
        "gemm": {"n": 2048, "seconds": 0.2, "gflops": 50.0}, "train_rows": 77_363, "layer_sizes": [25, 64, 32, 1],
        "rows_per_second": 1e6, "products": {"4096": {"batch_size": 4096, "seconds": 0.01, "gflops": 146.0}}})
    s = cost_record.summarise(record)
    assert s["batch"]["numpy/1"]["512"] == pytest.approx(0.04)  # faster in the second sweep
    assert s["batch"]["numpy/1"]["4096"] == pytest.approx(0.03)  # slower there: the first one stands
    assert s["gemm"]["numpy/1"] == pytest.approx(100.0)  # the higher of the two rates
    assert s["arithmetic"]["numpy"]["4096"]["products_seconds"] == pytest.approx(0.01)
    assert s["ratios"]["numpy/torch epoch time, batch 512, 1 thread(s)"] == pytest.approx(0.04 / 0.25)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_products_time_runs_the_epochs_products(backend):
    result = profiling.products_time(backend, (5, 4, 1), n_rows=100, batch_size=32, repeats=2)
    flops = profiling.flops_per_epoch((5, 4, 1), 100)["total"]
    assert result["batch_size"] == 32 and result["seconds"] > 0
    assert result["gflops"] == pytest.approx(flops / result["seconds"] / 1e9)
    with pytest.raises(ValueError, match="backend"):
        profiling.products_time("jax", (5, 4, 1), 100, 32)


def test_memory_names_the_optimisers_compiler_stack_and_the_private_part():
    record = fabricated(FAST_NUMPY, SLOW_TORCH, optim=70)
    text = " ".join(sentences.memory_sentences(record))
    assert "constructing torch.optim.Adam +70 MB" in text
    assert "loads 800 more modules, among them sympy, torch._dynamo" in text
    assert "30 kB of float32 moments" in text  # 2 x (25*64+64 + 64*32+32 + 32+1) parameters x 4 bytes
    assert "the NumPy process holds 100 MB of private memory and 40 MB of mapped library pages" in text
    assert "the PyTorch process 270 MB and 120 MB" in text
    plain = " ".join(sentences.memory_sentences(fabricated(FAST_NUMPY, SLOW_TORCH)))
    assert "torch.optim.Adam" not in plain and "private memory" not in plain
    table = cost_figures.memory_table(record)
    assert table.loc["PyTorch MLP, + torch.optim.Adam", "added MB"] == pytest.approx(70)


def test_a_missed_peak_says_how_much_of_it_is_private():
    record = fabricated(FAST_NUMPY, SLOW_TORCH, torch_peak=486, optim=70)  # 120 MB of it mapped files
    text = " ".join(sentences.targets_sentences(record))
    assert "missed: torch peak MB <= 400 (measured 486)" in text
    assert "The PyTorch process's private memory at the end of training, 366 MB, is within the 400 MB target" in text
    assert "other 120 MB of the reading are mapped library pages" in text
    met = " ".join(sentences.targets_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, gemm=80.0, optim=70)))
    assert "private memory" not in met


def test_breakdown_explains_fixed_cost_against_arithmetic():
    # PyTorch: 1 ms per step plus 1 us per row; NumPy: 0.1 ms plus 1 us per row
    record = fabricated(FAST_NUMPY, SLOW_TORCH)
    for backend, fixed in (("numpy", 1e-4), ("torch", 1e-3)):
        for b, cell in record["summary"]["phases"][backend].items():
            cell["step_seconds"] = fixed + 1e-6 * int(b)
        record["summary"]["step_model"][backend] = cost_record._per_step_model(
            {int(b): c for b, c in record["summary"]["phases"][backend].items()})
    text = " ".join(sentences.breakdown_sentences(record))
    assert "PyTorch pays about 1000 us per step" in text and "NumPy about 100 us" in text
    assert "PyTorch's fixed cost" in text and "the two converge" in text


def test_memory_and_targets_flip():
    lean = fabricated(FAST_NUMPY, SLOW_TORCH, gemm=80.0, numpy_peak=140, torch_peak=390)
    heavy = fabricated(FAST_NUMPY, SLOW_TORCH, numpy_peak=160, torch_peak=120)
    assert "PyTorch needs 250 MB more" in " ".join(sentences.memory_sentences(lean))
    assert "PyTorch needs 40 MB less" in " ".join(sentences.memory_sentences(heavy))
    assert "torch +230 MB" in " ".join(sentences.memory_sentences(lean))
    assert sentences.targets_sentences(lean)[0].startswith(f"{len(lean['summary']['targets'])} of")
    missed = sentences.targets_sentences(heavy)[0]
    assert "missed: numpy peak MB <= 150 (measured 160)" in missed


def test_week1_reproduction_is_judged_from_the_numbers():
    close = " ".join(sentences.week1_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, week1=(450.0, 2000.0))))
    far = " ".join(sentences.week1_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, week1=(450.0, 550.0))))
    assert "The week-1 PyTorch figure is reproduced within 5%" in close
    assert "The week-1 PyTorch figure is 1,545 MB above this reproduction" in far


def test_summary_markdown_and_figures_come_from_the_record():
    record = fabricated(FAST_NUMPY, SLOW_TORCH)
    text = sentences.summary_markdown(record)
    assert "test CPU" in text and "| numpy peak MB <= 150" in text and "NumPy MLP, 4,096" in text
    figures = cost_figures.all_figures(record)
    assert {"epoch_vs_batch", "phase_breakdown", "gflops", "memory_stack", "variants"} <= set(figures)
    for frame in (cost_figures.phase_table(record), cost_figures.variant_table(record),
                  cost_figures.memory_table(record), cost_figures.targets_table(record)):
        assert len(frame) > 0


@pytest.mark.parametrize("name", ["epoch_vs_batch", "phase_breakdown", "gflops", "memory_stack", "variants"])
def test_one_cost_figure_is_drawn_alone(name):
    import matplotlib.pyplot as plt

    record = fabricated(FAST_NUMPY, SLOW_TORCH, products={"numpy": {4096: 0.02}})
    plt.close("all")
    fig = cost_figures.figure(record, name)
    assert plt.get_fignums() == [fig.number]  # a plt.show() after it shows this figure only
    plt.close("all")


def test_a_cost_figure_without_data_is_none_and_an_unknown_one_is_refused():
    record = fabricated(FAST_NUMPY, SLOW_TORCH)
    assert cost_figures.figure(record, "epoch_seconds_vs_rows") is None  # no rows sweep in a light record
    with pytest.raises(ValueError, match="unknown cost figure 'speed'"):
        cost_figures.figure(record, "speed")


def test_epoch_vs_batch_colours_by_backend_and_styles_by_threads():
    record = fabricated(FAST_NUMPY, SLOW_TORCH)
    record["threads"] = [1, 2]
    record["summary"]["batch"]["numpy/2"] = record["summary"]["batch"]["numpy/1"]
    record["summary"]["batch"]["torch/2"] = record["summary"]["batch"]["torch/1"]
    fig = cost_figures.bench_figures(record)["epoch_vs_batch"]
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    assert lines["NumPy MLP, 2 thr"].get_color() == style.color_for("NumPy MLP") == lines["NumPy MLP, 1 thr"].get_color()
    assert lines["PyTorch MLP, 1 thr"].get_color() == style.color_for("PyTorch MLP")
    assert lines["NumPy MLP, 1 thr"].get_linestyle() != lines["NumPy MLP, 2 thr"].get_linestyle()
    assert lines["PyTorch MLP, 1 thr"].get_linestyle() == lines["NumPy MLP, 1 thr"].get_linestyle()


def test_torch_is_not_loaded_by_profiling_imports():
    # profiling imports only the standard library at module level (numpy/torch inside functions)
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(profiling))
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = {a.name.split(".")[0] for n in top for a in n.names if isinstance(n, ast.Import)}
    names |= {n.module.split(".")[0] for n in top if isinstance(n, ast.ImportFrom) and n.module}
    assert not names & {"numpy", "torch", "pandas", "sklearn"}
    assert torch.__version__  # torch itself is importable here


def test_compile_cost_is_reported_with_its_source():
    record = fabricated(FAST_NUMPY, SLOW_TORCH)
    for state, cost in (("cold", 33.0), ("warm", 4.0)):
        record["measurements"].append({"backend": "torch", "threads": 1, "kind": "compile", "cache": state,
                                       "epoch_seconds": {"512": 0.2, "4096": 0.05},
                                       "compile_seconds": {"512": cost, "4096": cost / 2},
                                       "reused_from": "2026-01-02T00:00:00Z"})
    record["summary"] = json.loads(json.dumps(cost_record.summarise(record)))
    text = " ".join(sentences.variant_sentences(record))
    assert "torch.compile costs 33 s" in text and "4 s once its on-disk cache is warm" in text
    assert "make bench` of 2026-01-02T00:00:00Z, reused here" in text
    assert "torch.compile" in record["summary"]["variants"]["epoch_seconds"]
    assert "PyTorch torch.compile" in cost_figures.variant_table(record).index
