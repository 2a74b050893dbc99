"""helpers.data.redraw: each seed's own train / validation partition, by the scheme's rule, test rows fixed."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from helpers.data.pipeline import prepare
from helpers.data.prepared import PARTS, load_prepared
from helpers.data.redraw import REDRAWN_KINDS, partition_seed, redraw
from helpers.data.splits import partition_rest


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    root = tmp_path_factory.mktemp("redraw")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the synthetic-data warning
        for kind in ("stratified", "grouped", "temporal"):
            prepare(data_path="synthetic", split=kind, seed=3, sample_rows=3000, processed_dir=root)
    return root


@pytest.mark.parametrize("kind", ["stratified", "grouped"])
def test_the_splits_own_seed_rebuilt_reproduces_notebook_01s_arrays_exactly(processed, kind):
    data = load_prepared(processed, kind, sources=True)
    assert redraw(data, 3) is data
    rebuilt = redraw(data, 3, force=True)
    for part in PARTS:
        np.testing.assert_array_equal(rebuilt.X[part], data.X[part])
        np.testing.assert_array_equal(rebuilt.rows[part], data.rows[part])


@pytest.mark.parametrize("kind", ["stratified", "grouped"])
def test_another_seed_redraws_train_and_validation_but_never_the_test_rows(processed, kind):
    data = load_prepared(processed, kind, sources=True)
    other = redraw(data, 4)
    np.testing.assert_array_equal(other.rows["test"], data.rows["test"])
    np.testing.assert_array_equal(other.y["test"], data.y["test"])
    assert not np.array_equal(other.rows["val"], data.rows["val"])
    pool = np.sort(np.concatenate([data.rows["train"], data.rows["val"]]))
    np.testing.assert_array_equal(np.sort(np.concatenate([other.rows["train"], other.rows["val"]])), pool)
    assert abs(len(other.rows["val"]) / len(pool) - 1 / 8) < 0.02
    assert abs(other.y["val"].mean() - data.y["val"].mean()) < 0.03  # stratified as far as the rule allows
    # the scaler is refitted on the new training rows: their features have mean 0 again
    assert np.abs(other.X["train"].mean(axis=0)).max() < 1e-4
    assert not np.allclose(other.X["test"], data.X["test"])
    if kind == "grouped":
        assert not np.intersect1d(other.groups["train"], other.groups["val"]).size
        assert not np.intersect1d(other.groups["val"], other.groups["test"]).size


def test_the_validation_rows_do_not_depend_on_the_test_labels(processed):
    data = load_prepared(processed, "stratified", sources=True)
    flipped = load_prepared(processed, "stratified", sources=True)
    flipped.y["test"] = 1 - flipped.y["test"]
    a, b = redraw(data, 5), redraw(flipped, 5)
    np.testing.assert_array_equal(a.rows["val"], b.rows["val"])
    np.testing.assert_array_equal(a.X["train"], b.X["train"])


def test_the_temporal_scheme_keeps_its_partition_and_says_why(processed):
    data = load_prepared(processed, "temporal", sources=True)
    assert partition_seed(data.meta, 7) == 3
    with pytest.raises(ValueError, match="latest"):
        redraw(data, 7)
    with pytest.raises(ValueError, match="latest days"):
        partition_rest("temporal", np.zeros(10), 0)


def test_partition_seed_follows_the_switch(processed):
    meta = load_prepared(processed, "stratified").meta
    assert partition_seed(meta, 7) == 7 and partition_seed(meta, 7, redraw_validation=False) == 3
    assert set(REDRAWN_KINDS) == {"stratified", "grouped", "original"}


def test_redrawing_without_the_source_arrays_is_refused_with_a_hint(processed):
    with pytest.raises(ValueError, match="sources=True"):
        redraw(load_prepared(processed, "stratified"), 4)
