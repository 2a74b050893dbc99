"""helpers.models.torch_mlp: the NumPy maths against torch as the reference, what the twin records, the
backends agreeing, and the variants (fused Adam, torch.compile) keeping the plain twin's weights."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification

from helpers.models.base import init_weights, seed_streams
from helpers.models.layers import Adam, bce_with_logits
from helpers.models.numpy_mlp import (
    NumpyMLPClassifier,
    mlp_loss_and_grads,
    params_from_weights,
)
from helpers.models.torch_mlp import (
    TorchMLPClassifier,
    TorchMLPVariantClassifier,
    build_sequential,
)

pytestmark = pytest.mark.usefixtures("one_blas_thread")


def torch_bce(logits, y, pos_weight):
    """Loss and gradient from torch's BCEWithLogitsLoss and autograd (float64)."""
    z = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight, dtype=torch.float64))
    loss = loss_fn(z, torch.tensor(y, dtype=torch.float64))
    loss.backward()
    return loss.item(), z.grad.numpy()


def max_abs_diff(arrays_a, arrays_b):
    return max(float(np.max(np.abs(a - b))) for a, b in zip(arrays_a, arrays_b, strict=True))


# ------------------------------------------------------- NumPy maths against torch
@pytest.mark.parametrize("pos_weight", [1.0, 4.2])
@pytest.mark.parametrize("scale", [3.0, 50.0], ids=["moderate", "large"])
def test_loss_and_gradient_equal_torch(pos_weight, scale):
    rng = np.random.default_rng(0)
    logits = scale * rng.choice([-1.0, 1.0], size=64) * rng.uniform(0.5, 1.0, size=64)
    logits[:4] = [-50.0, 50.0, -50.0, 50.0]
    y = (rng.random(64) < 0.3).astype(np.float64)
    y[:4] = [0.0, 1.0, 1.0, 0.0]
    loss, dlogits = bce_with_logits(logits, y, pos_weight)
    ref_loss, ref_grad = torch_bce(logits, y, pos_weight)
    assert np.isfinite(loss) and np.all(np.isfinite(dlogits))
    assert abs(loss - ref_loss) <= 1e-12 * max(1.0, abs(ref_loss))
    np.testing.assert_allclose(dlogits, ref_grad, rtol=1e-12, atol=1e-15)


def test_adam_with_weight_decay_equals_torch_over_50_steps():
    rng = np.random.default_rng(0)
    shapes = {"W1": (5, 4), "b1": (4,), "W2": (4, 1), "b2": (1,)}
    params = {k: rng.standard_normal(s) for k, s in shapes.items()}
    torch_params = [torch.tensor(p, requires_grad=True) for p in params.values()]
    ours = Adam(params, lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.05)
    reference = torch.optim.Adam(torch_params, lr=1e-2, betas=(0.9, 0.999), eps=1e-8,
                                 weight_decay=0.05)
    for step in range(50):
        # gradients of very different sizes, some tiny, so that eps matters
        grads = {k: rng.standard_normal(s) * 10.0 ** rng.integers(-9, 2)
                 for k, s in shapes.items()}
        ours.step(params, grads)
        for tp, g in zip(torch_params, grads.values()):
            tp.grad = torch.tensor(g)
        reference.step()
    assert ours.t == 50
    diff = max_abs_diff(params.values(), [tp.detach().numpy() for tp in torch_params])
    assert diff <= 1e-12


@pytest.mark.parametrize("pos_weight", [1.0, 3.0])
def test_network_logits_loss_and_gradients_equal_torch_autograd(pos_weight):
    rng = np.random.default_rng(1)
    coefs, intercepts = init_weights((7, 6, 5, 1), rng, "float64")
    intercepts = [rng.normal(0.0, 0.1, size=b.shape) for b in intercepts]
    X = rng.standard_normal((40, 7))
    y = (rng.random(40) < 0.3).astype(np.float64)
    loss, grads, logits = mlp_loss_and_grads(X, y, params_from_weights(coefs, intercepts),
                                             pos_weight)

    model = build_sequential(coefs, intercepts, dtype=torch.float64)
    ref_logits = model(torch.from_numpy(X)).squeeze(1)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight, dtype=torch.float64))
    ref_loss = loss_fn(ref_logits, torch.from_numpy(y))
    ref_loss.backward()

    np.testing.assert_allclose(logits, ref_logits.detach().numpy(), rtol=0, atol=1e-10)
    assert abs(loss - ref_loss.item()) < 1e-10
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    for i, layer in enumerate(linears, start=1):
        np.testing.assert_allclose(grads[f"W{i}"], layer.weight.grad.numpy().T, rtol=0, atol=1e-10)
        np.testing.assert_allclose(grads[f"b{i}"], layer.bias.grad.numpy(), rtol=0, atol=1e-10)


# ------------------------------------------------------------------- the estimator


def test_records_device_threads_and_version(skewed_binary_data):
    X, y = skewed_binary_data
    clf = TorchMLPClassifier(max_epochs=2, device="auto", num_threads=1, random_state=0).fit(X, y)
    expected_device = "cuda" if torch.cuda.is_available() else "cpu"
    assert clf.device_.startswith(expected_device)
    assert clf.num_threads_ == 1 == torch.get_num_threads()
    assert clf.torch_version_ == torch.__version__
    assert all(isinstance(W, np.ndarray) and W.dtype == np.float32 for W in clf.coefs_)
    default = TorchMLPClassifier(max_epochs=1, random_state=0).fit(X, y)
    assert default.num_threads_ >= 1 and default.device_ == "cpu"


# ------------------------------------------------------------ backend equivalence
def test_backends_agree_in_float64():
    X, y = make_classification(n_samples=3000, n_features=12, n_informative=6,
                               weights=[0.8], random_state=0)
    # 2700 training rows after the 10% hold-out: the last batch of 256 holds 140
    params = dict(hidden_layer_sizes=(32, 16), dtype="float64", max_epochs=3, patience=None,
                  batch_size=256, learning_rate=3e-3, weight_decay=1e-4, random_state=5)
    numpy_clf = NumpyMLPClassifier(**params).fit(X, y)
    torch_clf = TorchMLPClassifier(num_threads=1, **params).fit(X, y)
    assert numpy_clf.n_iter_ == torch_clf.n_iter_ == 3
    assert numpy_clf.pos_weight_ == torch_clf.pos_weight_
    assert max_abs_diff(numpy_clf.coefs_, torch_clf.coefs_) < 1e-9
    assert max_abs_diff(numpy_clf.intercepts_, torch_clf.intercepts_) < 1e-9
    assert max_abs_diff([numpy_clf.predict_proba(X)], [torch_clf.predict_proba(X)]) < 1e-9
    for key in ("train_loss", "val_loss", "val_pr_auc"):
        np.testing.assert_allclose([h[key] for h in numpy_clf.history_],
                                   [h[key] for h in torch_clf.history_], rtol=1e-10)
    # both started from the shared initial weights and training moved them
    start, _ = init_weights((12, 32, 16, 1), seed_streams(5)[0], "float64")
    assert max_abs_diff(start, numpy_clf.coefs_) > 1e-3


def test_backends_agree_in_float32():
    X, y = make_classification(n_samples=20_000, n_features=25, n_informative=10,
                               weights=[0.8], flip_y=0.05, random_state=1)
    params = dict(max_epochs=3, patience=None, random_state=0)
    numpy_pred = NumpyMLPClassifier(**params).fit(X, y).predict(X)
    torch_pred = TorchMLPClassifier(num_threads=1, **params).fit(X, y).predict(X)
    assert np.mean(numpy_pred == torch_pred) >= 0.999
    assert 0.05 < np.mean(numpy_pred) < 0.95


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
