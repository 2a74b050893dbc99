"""helpers.models.numpy_mlp: the network's gradients against finite differences, and the NumPy
modules loading nothing but NumPy (no torch needed here)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers.models.base import init_weights
from helpers.models.numpy_mlp import (
    mlp_loss_and_grads,
    params_from_weights,
)
from tests.models.gradcheck import numerical_gradient, rel_error

MODELS_DIR = Path(__file__).resolve().parents[2] / "helpers" / "models"

pytestmark = pytest.mark.usefixtures("one_blas_thread")


def small_net(rng, layer_sizes=(5, 4, 3, 1), n_rows=9):
    """Float64 parameters with non-zero biases, a batch and 0/1 targets."""
    coefs, intercepts = init_weights(layer_sizes, rng, "float64")
    intercepts = [rng.normal(0.0, 0.1, size=b.shape) for b in intercepts]
    params = params_from_weights(coefs, intercepts)
    X = rng.standard_normal((n_rows, layer_sizes[0]))
    y = (rng.random(n_rows) < 0.4).astype(np.float64)
    y[:2] = [0.0, 1.0]
    return params, X, y


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


# ------------------------------------------------------------------- the estimator


def test_importing_numpy_mlp_does_not_import_torch():
    code = (
        "import sys, helpers.models.numpy_mlp, helpers.models.layers; "
        "bad = sorted(m for m in ('torch', 'tensorflow', 'jax') if m in sys.modules); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=MODELS_DIR.parents[1], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "allowed"),
    [
        ("losses.py", {"__future__", "numpy"}),
        ("layers.py", {"__future__", "numpy", "helpers"}),  # helpers.models.losses: NumPy only, checked above
        ("numpy_mlp.py", {"__future__", "numpy", "helpers"}),
    ],
)
def test_numpy_modules_import_only_what_they_may(module, allowed):
    tree = ast.parse((MODELS_DIR / module).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported <= allowed, imported - allowed
