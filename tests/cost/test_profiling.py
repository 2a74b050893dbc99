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


# ----------------------------------------------------------------------------- scikit-learn's epoch, by part
def test_the_part_clock_keeps_each_calls_own_time(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(profiling.time, "perf_counter", lambda: now[0])
    clock = profiling._PartClock()

    def spend(seconds, then=None):
        now[0] += seconds
        if then:
            then()
        now[0] += seconds

    clock.run("checks", spend, 1.0, lambda: clock.run("loop", spend, 2.0, lambda: clock.run("gather", spend, 0.5)))
    assert clock.seconds["checks"] == 2.0 and clock.seconds["loop"] == 4.0 and clock.seconds["gather"] == 1.0
    assert clock.calls == {**dict.fromkeys(profiling.SKLEARN_PARTS, 0), "checks": 1, "loop": 1, "gather": 1}


def _float32(data):
    X, y = data
    return X.astype(np.float32), y


def test_the_epoch_profile_times_every_part_without_changing_the_epoch(skewed_binary_data):
    from sklearn.neural_network import _multilayer_perceptron as mlp

    from helpers.models.sklearn_mlp import SklearnMLPClassifier

    X, y = _float32(skewed_binary_data)
    before = mlp._safe_indexing, mlp.LOSS_FUNCTIONS["binary_log_loss"], mlp.BaseMultilayerPerceptron._backprop
    result = profiling.sklearn_epoch_parts(SklearnMLPClassifier(random_state=0), X, y, X, y, batch_size=64, repeats=2)
    steps = result["steps"]
    assert steps == 7 and set(result["parts"]) == set(profiling.SKLEARN_PARTS)
    calls = result["calls"]
    assert calls["gather"] == calls["forward"] == calls["loss"] == steps and calls["packing"] == 0
    assert calls["forward_products"] == 3 * steps and calls["backward_products"] == 5 * steps  # 3 layers
    assert calls["relu_derivative"] == 2 * steps and calls["checks"] == calls["loop"] == 1
    assert all(v >= 0 for v in result["parts"].values()) and result["parts"]["packing"] == 0
    assert result["instrumented_epoch_seconds"] == pytest.approx(sum(result["parts"].values()))
    assert result["dtypes"]["weights"] == "float32" and {"loss", "adam_update"} <= set(result["dtypes"])
    # the wrappers are gone afterwards, and a timed epoch trains exactly like a plain one
    assert (mlp._safe_indexing, mlp.LOSS_FUNCTIONS["binary_log_loss"], mlp.BaseMultilayerPerceptron._backprop) == before
    plain, timed = (SklearnMLPClassifier(random_state=0, batch_size=64, max_epochs=1, patience=None).fit(X, y, X, y)
                    for _ in range(2))
    plain.train_epoch(X, y)
    profiling._timed_epoch(timed, X, y)
    for a, b in zip(plain.estimator_.coefs_, timed.estimator_.coefs_):
        np.testing.assert_array_equal(a, b)


def test_the_epoch_profile_names_a_function_scikit_learn_no_longer_has(skewed_binary_data, monkeypatch):
    from sklearn.neural_network import _multilayer_perceptron as mlp

    from helpers.models.sklearn_mlp import SklearnMLPClassifier

    X, y = _float32(skewed_binary_data)
    model = SklearnMLPClassifier(random_state=0, batch_size=64, max_epochs=1, patience=None).fit(X, y, X, y)
    monkeypatch.delattr(mlp, "_safe_indexing")
    with pytest.raises(RuntimeError, match="has no '_safe_indexing' in sklearn.neural_network._multilayer_perceptron"):
        profiling._timed_epoch(model, X, y)


def test_same_work_times_both_ways_of_each_operation():
    result = profiling.same_work((5, 8, 4, 1), batch_size=32, n_rows=200, repeats=1, calls=2)
    assert set(result) == set(profiling.SAME_WORK)
    assert all(v["sklearn"] > 0 and v["numpy"] > 0 for v in result.values())


def test_the_contestant_is_built_and_staged_like_a_backend():
    from helpers.models.sklearn_mlp import SklearnMLPClassifier

    model = profiling.estimator("sklearn", 1, max_epochs=3)
    assert type(model) is SklearnMLPClassifier and model.max_epochs == 3
    with pytest.raises(ValueError, match="no variants"):
        profiling.estimator("sklearn", 1, {"fused_adam": True})
    assert "models.sklearn_mlp" in profiling.MEASURING_MODULES
    steps = [s["step"] for s in profiling.staged_imports("sklearn")]
    assert steps == ["interpreter", "+ NumPy", "+ scikit-learn (with SciPy)", profiling.SKLEARN_NETWORK_STEP]
