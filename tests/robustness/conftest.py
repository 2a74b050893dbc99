"""Fixtures of the fault-injection tests: one small prepared synthetic split, shared by the session."""

from __future__ import annotations

import warnings

import pytest


@pytest.fixture(scope="session")
def small_split(tmp_path_factory):
    """The ``processed`` folder holding 1,500 synthetic rows prepared as the stratified split (seed 3)."""
    from helpers.data.pipeline import prepare

    processed = tmp_path_factory.mktemp("robustness") / "processed"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the synthetic data's banner warning
        prepare(data_path="synthetic", split="stratified", seed=3, sample_rows=1500, processed_dir=processed)
    return processed
