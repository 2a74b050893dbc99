"""helpers.models.layers: dense and ReLU gradients against finite differences, column sums, Adam's first
step, and the in-place ``out`` argument."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.models.layers import (
    Adam,
    column_sums,
    dense_backward,
    dense_forward,
    relu_backward,
    relu_forward,
)
from tests.models.gradcheck import numerical_gradient, rel_error


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


def test_adam_first_step_moves_each_parameter_by_learning_rate():
    params = {"W1": np.array([[1.0, -2.0]]), "b1": np.array([0.5])}
    grads = {"W1": np.array([[3.0, -0.25]]), "b1": np.array([-1e-3])}
    Adam(params, lr=0.1).step(params, grads)
    # after one bias-corrected step, m / sqrt(v) = sign(g) (up to eps)
    np.testing.assert_allclose(params["W1"], [[0.9, -1.9]], rtol=1e-6)
    np.testing.assert_allclose(params["b1"], [0.6], rtol=1e-4)


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
