"""Tests of the from-scratch NumPy network (no torch needed here)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mlp_checks import CHECK_PARAMS, sklearn_expected_failures
from sklearn.datasets import make_blobs
from sklearn.metrics import average_precision_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from helpers.models.base import batch_indices, init_weights, seed_streams
from helpers.models.layers import (
    Adam,
    bce_with_logits,
    bce_with_logits_loss,
    column_sums,
    dense_backward,
    dense_forward,
    relu_backward,
    relu_forward,
)
from helpers.models.numpy_mlp import (
    NumpyMLPClassifier,
    mlp_loss_and_grads,
    params_from_weights,
)

HELPERS_DIR = Path(__file__).resolve().parents[1] / "helpers"

pytestmark = pytest.mark.usefixtures("one_blas_thread")


def rel_error(x, y):
    """Normwise relative error ``max|x - y| / max(1e-8, max(|x| + |y|))``."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(np.max(np.abs(x - y)) / max(1e-8, float(np.max(np.abs(x) + np.abs(y)))))


def small_net(rng, layer_sizes=(5, 4, 3, 1), n_rows=9):
    """Float64 parameters with non-zero biases, a batch and 0/1 targets."""
    coefs, intercepts = init_weights(layer_sizes, rng, "float64")
    intercepts = [rng.normal(0.0, 0.1, size=b.shape) for b in intercepts]
    params = params_from_weights(coefs, intercepts)
    X = rng.standard_normal((n_rows, layer_sizes[0]))
    y = (rng.random(n_rows) < 0.4).astype(np.float64)
    y[:2] = [0.0, 1.0]
    return params, X, y


def numerical_gradient(f, array, h=1e-6):
    """Centred finite differences of the scalar ``f()`` with respect to ``array``."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = original + h
        f_plus = f()
        array[index] = original - h
        f_minus = f()
        array[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


# ------------------------------------------------------------------------ layer maths
@pytest.mark.parametrize("pos_weight", [1.0, 3.7])
def test_network_gradients_match_finite_differences(pos_weight):
    params, X, y = small_net(np.random.default_rng(1))
    loss, grads, _ = mlp_loss_and_grads(X, y, params, pos_weight)
    assert set(grads) == set(params) == {"W1", "b1", "W2", "b2", "W3", "b3"}

    def loss_value():
        return mlp_loss_and_grads(X, y, params, pos_weight)[0]

    for name, param in params.items():
        assert grads[name].shape == param.shape
        numeric = numerical_gradient(loss_value, param)
        assert np.any(numeric != 0), name
        assert rel_error(grads[name], numeric) < 1e-6, name
    assert loss_value() == loss  # the parameters were restored


@pytest.mark.parametrize("pos_weight", [1.0, 3.7])
def test_loss_gradient_matches_finite_differences(pos_weight):
    rng = np.random.default_rng(2)
    logits = rng.normal(0.0, 3.0, size=11)
    y = (rng.random(11) < 0.5).astype(np.float64)
    loss, dlogits = bce_with_logits(logits, y, pos_weight)
    numeric = numerical_gradient(lambda: bce_with_logits_loss(logits, y, pos_weight), logits)
    assert rel_error(dlogits, numeric) < 1e-6
    assert bce_with_logits_loss(logits, y, pos_weight) == loss


def test_dense_and_relu_backward_match_finite_differences():
    rng = np.random.default_rng(3)
    x, W, b = rng.standard_normal((6, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)
    dout = rng.standard_normal((6, 3))

    def objective():
        return float(np.sum(relu_forward(dense_forward(x, W, b)[0])[0] * dout))

    out, dense_cache = dense_forward(x, W, b)
    _, relu_cache = relu_forward(out)
    dx, dW, db = dense_backward(relu_backward(dout, relu_cache), dense_cache)
    for analytic, array in [(dx, x), (dW, W), (db, b)]:
        assert rel_error(analytic, numerical_gradient(objective, array)) < 1e-6


@pytest.mark.parametrize("dtype, rtol", [("float32", 1e-5), ("float64", 1e-12)])
def test_column_sums_equal_the_row_sum_to_rounding(dtype, rtol):
    a = np.random.default_rng(3).standard_normal((4096, 64)).astype(dtype)
    got = column_sums(a)
    assert got.dtype == a.dtype and got.shape == (64,)
    np.testing.assert_allclose(got, a.astype(np.float64).sum(axis=0), rtol=rtol, atol=rtol * 100)


def test_loss_is_stable_for_large_logits():
    logits = np.array([-50.0, 50.0, -50.0, 50.0, 800.0, -800.0])
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    loss, dlogits = bce_with_logits(logits, y, pos_weight=2.0)
    # rows 3 and 4 are wrong by a margin of 50: -2 * log(sigmoid(-50)) + 50 = 150 (to 1e-20)
    assert np.isfinite(loss) and np.all(np.isfinite(dlogits))
    assert loss == pytest.approx((100.0 + 50.0) / 6, rel=1e-12)
    np.testing.assert_allclose(dlogits, [0, 0, -2 / 6, 1 / 6, 0, 0], atol=1e-20)


def test_adam_first_step_moves_each_parameter_by_learning_rate():
    params = {"W1": np.array([[1.0, -2.0]]), "b1": np.array([0.5])}
    grads = {"W1": np.array([[3.0, -0.25]]), "b1": np.array([-1e-3])}
    Adam(params, lr=0.1).step(params, grads)
    # after one bias-corrected step, m / sqrt(v) = sign(g) (up to eps)
    np.testing.assert_allclose(params["W1"], [[0.9, -1.9]], rtol=1e-6)
    np.testing.assert_allclose(params["b1"], [0.6], rtol=1e-4)


# --------------------------------------------------------------- shared base functions
def test_init_weights_shapes_dtype_and_scale():
    rng = np.random.default_rng(0)
    coefs, intercepts = init_weights((400, 300, 1), rng, "float32")
    assert [W.shape for W in coefs] == [(400, 300), (300, 1)]
    assert all(W.dtype == np.float32 for W in coefs + intercepts)
    assert all(not b.any() for b in intercepts)
    assert np.std(coefs[0]) == pytest.approx(np.sqrt(2 / 400), rel=0.02)  # He normal
    assert np.abs(coefs[1]).max() <= np.sqrt(6 / 301)  # Glorot uniform bound


def test_batch_indices_cover_every_row_once():
    rng = np.random.default_rng(0)
    batches = batch_indices(1000, 256, rng)
    assert [len(b) for b in batches] == [256, 256, 256, 232]
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(1000))
    next_epoch = batch_indices(1000, 256, rng)
    assert not np.array_equal(np.concatenate(batches), np.concatenate(next_epoch))


def test_seed_streams_are_reproducible_and_independent():
    init_a, batch_a, split_a = seed_streams(7)
    init_b, batch_b, split_b = seed_streams(7)
    assert init_a.random() == init_b.random() and split_a == split_b
    assert batch_a.random() == batch_b.random()
    assert seed_streams(8)[2] != split_a


# ------------------------------------------------------------------- the estimator
@parametrize_with_checks(
    [NumpyMLPClassifier(**CHECK_PARAMS)], expected_failed_checks=sklearn_expected_failures
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_learns_a_separable_problem():
    X, y = make_blobs(n_samples=600, centers=[[-2, -2], [2, 2]], cluster_std=0.8, random_state=0)
    clf = NumpyMLPClassifier(hidden_layer_sizes=(16,), learning_rate=1e-2, batch_size=64,
                             max_epochs=30, random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.95


def test_fitted_attributes_and_history(skewed_binary_data):
    X, y = skewed_binary_data
    clf = NumpyMLPClassifier(hidden_layer_sizes=(8, 4), max_epochs=15, patience=None, class_weight="balanced",
                             learning_rate=1e-2, batch_size=64, random_state=0).fit(X, y)
    assert clf.n_iter_ == len(clf.history_) == 15
    assert [h["epoch"] for h in clf.history_] == list(range(1, 16))
    assert set(clf.history_[0]) == {"epoch", "train_loss", "val_loss", "val_pr_auc", "seconds"}
    losses = [h["train_loss"] for h in clf.history_]
    assert losses[-1] < 0.8 * losses[0]
    assert [W.shape for W in clf.coefs_] == [(8, 8), (8, 4), (4, 1)]
    assert [b.shape for b in clf.intercepts_] == [(8,), (4,), (1,)]
    assert all(W.dtype == np.float32 for W in clf.coefs_)
    n_train = len(y) - int(np.ceil(0.1 * len(y)))
    n_pos = round(y.mean() * len(y) - y.mean() * len(y) * 0.1)  # stratified hold-out
    assert clf.pos_weight_ == pytest.approx((n_train - n_pos) / n_pos, rel=0.05)
    assert NumpyMLPClassifier(hidden_layer_sizes=(4,), max_epochs=1, random_state=0).fit(X, y).pos_weight_ == 1.0
    assert 1 <= clf.best_epoch_ <= 15
    assert clf.best_score_ == max(h["val_pr_auc"] for h in clf.history_)
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    assert clf.predict_proba(X).shape == (len(y), 2)
    assert clf.decision_function(X).shape == (len(y),)


def test_class_weight_none_gives_unit_pos_weight(skewed_binary_data):
    X, y = skewed_binary_data
    clf = NumpyMLPClassifier(class_weight=None, max_epochs=1, random_state=0).fit(X, y)
    assert clf.pos_weight_ == 1.0


def test_same_seed_same_weights_other_seed_other_weights(skewed_binary_data):
    X, y = skewed_binary_data
    params = dict(hidden_layer_sizes=(8,), max_epochs=3, batch_size=64)
    a = NumpyMLPClassifier(random_state=3, **params).fit(X, y)
    b = NumpyMLPClassifier(random_state=3, **params).fit(X, y)
    c = NumpyMLPClassifier(random_state=4, **params).fit(X, y)
    for Wa, Wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(Wa, Wb)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


@pytest.mark.parametrize("threshold", [0.5, 0.3, 0.8])
def test_predict_agrees_with_predict_proba_at_threshold(skewed_binary_data, threshold):
    X, y = skewed_binary_data
    labels = np.where(y == 1, "yes", "no")
    clf = NumpyMLPClassifier(threshold=threshold, max_epochs=5, batch_size=64, class_weight="balanced",
                             random_state=0).fit(X, labels)
    proba = clf.predict_proba(X)[:, 1]
    expected = np.where(proba >= threshold, "yes", "no")
    np.testing.assert_array_equal(clf.predict(X), expected)
    assert 0 < np.mean(proba >= threshold) < 1  # both sides of the threshold are exercised


@pytest.mark.parametrize(
    ("scale", "learning_rate"), [(1e36, 1e-3), (1.0, 1e30)], ids=["huge-inputs", "huge-lr"]
)
def test_non_finite_loss_raises_naming_the_epoch(skewed_binary_data, scale, learning_rate):
    X, y = skewed_binary_data
    clf = NumpyMLPClassifier(learning_rate=learning_rate, random_state=0)
    with pytest.raises(FloatingPointError, match=r"epoch 1\b.*smaller learning_rate"):
        clf.fit(X * scale, y)


def test_early_stopping_restores_the_best_weights():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((600, 10)), (rng.random(600) < 0.3).astype(int)  # pure noise
    X_val, y_val = rng.standard_normal((200, 10)), (rng.random(200) < 0.3).astype(int)
    params = dict(hidden_layer_sizes=(32,), learning_rate=3e-2, batch_size=32, random_state=0)
    clf = NumpyMLPClassifier(patience=3, max_epochs=100, **params).fit(X, y, X_val, y_val)
    assert clf.best_epoch_ < clf.n_iter_ == clf.best_epoch_ + 3 < 100
    # the restored weights are the best epoch's: same PR-AUC, same weights as a run
    # stopped there by hand
    assert average_precision_score(y_val, clf.decision_function(X_val)) == pytest.approx(
        clf.best_score_, abs=1e-12
    )
    stopped = NumpyMLPClassifier(patience=None, max_epochs=clf.best_epoch_, **params)
    stopped.fit(X, y, X_val, y_val)
    for W_best, W_stopped in zip(clf.coefs_, stopped.coefs_):
        np.testing.assert_array_equal(W_best, W_stopped)


def test_validation_set_checks(skewed_binary_data):
    X, y = skewed_binary_data
    clf = NumpyMLPClassifier(max_epochs=1)
    with pytest.raises(ValueError, match="both X_val and y_val"):
        clf.fit(X, y, X_val=X)
    with pytest.raises(ValueError, match="not seen"):
        clf.fit(X, y, X_val=X[:10], y_val=np.full(10, 5))


@pytest.mark.parametrize("n_classes", [1, 3])
def test_not_binary_raises(n_classes):
    X = np.random.default_rng(0).standard_normal((30, 3))
    y = np.arange(30) % n_classes
    with pytest.raises(ValueError, match=f"exactly 2 classes, got {n_classes} class"):
        NumpyMLPClassifier().fit(X, y)


def test_importing_numpy_mlp_does_not_import_torch():
    code = (
        "import sys, helpers.numpy_mlp, helpers.numpy_layers; "
        "bad = sorted(m for m in ('torch', 'tensorflow', 'jax') if m in sys.modules); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "allowed"),
    [
        ("losses.py", {"numpy"}),
        ("numpy_layers.py", {"numpy", "helpers"}),  # helpers.losses: NumPy only, checked above
        ("numpy_mlp.py", {"__future__", "numpy", "helpers"}),
    ],
)
def test_numpy_modules_import_only_what_they_may(module, allowed):
    tree = ast.parse((HELPERS_DIR / module).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported <= allowed, imported - allowed


def test_relu_out_argument_writes_in_place_only_when_asked():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 4))
    dout = rng.normal(size=(5, 4))
    x_before, dout_before = x.copy(), dout.copy()
    out, cache = relu_forward(x)
    dx = relu_backward(dout, cache)
    np.testing.assert_array_equal(x, x_before)  # default: inputs untouched
    np.testing.assert_array_equal(dout, dout_before)
    out_inplace, _ = relu_forward(x, out=x)
    dx_inplace = relu_backward(dout, cache, out=dout)
    assert out_inplace is x and dx_inplace is dout
    np.testing.assert_array_equal(out_inplace, out)
    np.testing.assert_array_equal(dx_inplace, dx)
