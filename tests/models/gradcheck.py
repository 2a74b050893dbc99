"""Finite-difference gradient checks shared by the layer, loss and network tests."""


from __future__ import annotations

import numpy as np


def rel_error(x, y):
    """Normwise relative error ``max|x - y| / max(1e-8, max(|x| + |y|))``."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(np.max(np.abs(x - y)) / max(1e-8, float(np.max(np.abs(x) + np.abs(y)))))


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
