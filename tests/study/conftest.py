"""Fixtures of the study tests: one small prepared synthetic split per module."""

from __future__ import annotations

import pytest

from helpers.data.pipeline import prepare
from helpers.data.prepared import load_prepared


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """``(root, data)``: 1,500 synthetic rows prepared (stratified, seed 3) under ``root / "processed"``."""
    root = tmp_path_factory.mktemp("study")
    with pytest.warns(Warning):
        prepare(data_path="synthetic", split="stratified", seed=3, sample_rows=1500, processed_dir=root / "processed")
    return root, load_prepared(root / "processed", "stratified")
