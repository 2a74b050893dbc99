"""Shared pytest fixtures: a fixed seed for every test and a tiny skewed binary data set."""

from __future__ import annotations

import random
import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification


@pytest.fixture(autouse=True)
def fixed_seed():
    """Seed the global generators (Python, NumPy legacy, and torch if already imported)."""
    random.seed(0)
    np.random.seed(0)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(0)
    yield


@pytest.fixture
def skewed_binary_data():
    """``(X, y)``: 400 rows x 8 features, about 20% positives (float64 X, int y)."""
    X, y = make_classification(
        n_samples=400,
        n_features=8,
        n_informative=5,
        n_redundant=1,
        weights=[0.8],
        random_state=0,
    )
    return X, y


@pytest.fixture(scope="module")
def one_blas_thread():
    """Small matrices: one BLAS thread is as fast, and robust on a busy shared machine."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield
