"""Fixtures of the cost tests: a prepared-data folder holding only the metadata the cache key reads."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def processed(tmp_path):
    folder = tmp_path / "processed" / "stratified"
    folder.mkdir(parents=True)
    meta = {"source": {"sha256": "a" * 64, "synthetic": False}, "sample_rows": None, "split": {"seed": 42}}
    (folder / "meta.json").write_text(json.dumps(meta))
    return tmp_path / "processed"
