"""helpers.cost.profiling: FLOPs counted right, GEMM and products-alone rates, the clock callback timing
the real step, the code fingerprint of the measuring modules, and this process's memory readings."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers.cost import profiling
from helpers.fingerprint import source_fingerprint
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


# ----------------------------------------------------------------------------- cache


def test_code_fingerprint_covers_the_measuring_modules(helpers_copy):
    assert {"cost.record", "cost.measure", "cost.profiling", "models.base", "models.layers", "models.numpy_mlp",
            "models.torch_mlp", "models.losses"} <= set(profiling.MEASURING_MODULES)
    before = profiling.code_fingerprint()
    assert before == source_fingerprint(profiling.MEASURING_MODULES)
    assert profiling.code_fingerprint(("cost.measure",)) != profiling.code_fingerprint(("cost.measure", "cost.profiling"))
    # an edit to any measuring module, the loss included, makes every cached benchmark stale
    for name in ("models.losses", "cost.measure"):
        path = helpers_copy.joinpath(*name.split(".")).with_suffix(".py")
        path.write_text(path.read_text() + "\n# edited\n")
        assert profiling.code_fingerprint() != before
        before = profiling.code_fingerprint()


# ----------------------------------------------------------------------------- fabricated records


def test_blas_library_is_read_from_each_build():
    assert profiling.blas_library("numpy").split()[0] in {"scipy-openblas", "openblas", "mkl", "accelerate", "blis"}
    assert profiling.blas_library("torch") not in ("", "unknown")
    with pytest.raises(ValueError, match="backend"):
        profiling.blas_library("jax")


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_products_time_runs_the_epochs_products(backend):
    result = profiling.products_time(backend, (5, 4, 1), n_rows=100, batch_size=32, repeats=2)
    flops = profiling.flops_per_epoch((5, 4, 1), 100)["total"]
    assert result["batch_size"] == 32 and result["seconds"] > 0
    assert result["gflops"] == pytest.approx(flops / result["seconds"] / 1e9)
    with pytest.raises(ValueError, match="backend"):
        profiling.products_time("jax", (5, 4, 1), 100, 32)


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


def test_memory_readings_of_this_process_are_consistent():
    now = profiling.memory_now()
    assert now["rss_mb"] > 10 and now["rss_mb"] == pytest.approx(profiling.current_rss_mb(), rel=0.2)
    if now["anon_mb"] is not None:  # Linux: resident = private + file-backed
        assert now["anon_mb"] + now["file_mb"] == pytest.approx(now["rss_mb"], abs=2)
    assert profiling.peak_rss_mb() >= now["rss_mb"] - 1
    step = profiling.memory_step("here")
    assert step["step"] == "here" and step["modules"] > 100  # numpy, torch and pytest are loaded here


def test_machine_and_library_descriptions():
    assert profiling.cpu_model()
    versions = profiling.library_versions(("numpy", "sklearn", "no-such-package"))
    assert versions["numpy"] == np.__version__ and versions["sklearn"]
    assert versions["no-such-package"] is None and versions["python"].count(".") == 2


@pytest.mark.parametrize(("backend", "variant", "expected"), [
    ("numpy", None, NumpyMLPClassifier), ("torch", None, TorchMLPClassifier),
    ("torch", {"fused_adam": True}, TorchMLPVariantClassifier)])
def test_the_measured_estimator_is_the_backends_twin(backend, variant, expected):
    model = profiling.estimator(backend, 2, variant, max_epochs=3)
    assert type(model) is expected and model.max_epochs == 3
    if backend == "torch":
        assert model.num_threads == 2
    if variant:
        assert model.fused_adam is True
