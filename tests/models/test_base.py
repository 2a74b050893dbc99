"""helpers.models.base: the shared initial weights, batches that cover every row once, and seed streams."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.models.base import batch_indices, init_weights, seed_streams


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
