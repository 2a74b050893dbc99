"""helpers.artifacts: writes are atomic (all or nothing, no temporary left behind), JSON holds plain
Python values, .npz files round-trip, and checksums are the file's SHA-256."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pytest

from helpers import artifacts


def test_json_round_trips_numpy_values_paths_and_non_finite_numbers(tmp_path):
    obj = {"int": np.int64(3), "float": np.float32(0.5), "array": np.arange(3), "tuple": (1, 2),
           "path": Path("/somewhere/data.csv"), "nan": math.nan, "inf": np.inf, 4: "key", "nested": [{"x": np.bool_(True)}]}
    path = artifacts.write_json(tmp_path / "new" / "out.json", obj)
    assert path == tmp_path / "new" / "out.json"
    back = artifacts.read_json(path)
    assert back == {"int": 3, "float": 0.5, "array": [0, 1, 2], "tuple": [1, 2], "path": "data.csv", "nan": None,
                    "inf": None, "4": "key", "nested": [{"x": True}]}
    assert type(back["int"]) is int and path.read_text().endswith("}\n")
    assert sorted(p.name for p in path.parent.iterdir()) == ["out.json"]


def test_to_jsonable_leaves_plain_values_alone():
    assert artifacts.to_jsonable({"a": [1, "b", None, 2.5]}) == {"a": [1, "b", None, 2.5]}
    assert artifacts.to_jsonable(np.float64(-np.inf)) == -np.inf  # a NumPy scalar becomes a Python float first


def test_npz_round_trips_and_reads_only_the_keys_asked_for(tmp_path):
    a, b = np.arange(6).reshape(2, 3), np.array([0.5, 1.5], dtype=np.float32)
    path = artifacts.save_npz(tmp_path / "arrays.npz", a=a, b=b)
    both = artifacts.load_npz(path)
    assert set(both) == {"a", "b"} and both["b"].dtype == np.float32
    np.testing.assert_array_equal(both["a"], a)
    assert set(artifacts.load_npz(path, keys=["b"])) == {"b"}


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = artifacts.write_json(tmp_path / "out.json", {"version": 1})

    def fail(fh):
        fh.write(b"half a file")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        artifacts.atomic_write(path, fail)
    assert artifacts.read_json(path) == {"version": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_sha256_file_reads_in_chunks_and_matches_hashlib(tmp_path):
    data = bytes(range(256)) * 100
    path = tmp_path / "blob"
    path.write_bytes(data)
    assert artifacts.sha256_file(path, chunk=1000) == hashlib.sha256(data).hexdigest() == artifacts.sha256_file(path)
    path.write_bytes(data[:-1] + b"\x00")
    assert artifacts.sha256_file(path) != hashlib.sha256(data).hexdigest()


def test_cached_arrays_computes_once_and_again_only_when_the_file_is_damaged(tmp_path, caplog):
    calls = []

    def compute():
        calls.append(1)
        return {"a": np.arange(3.0)}

    path = tmp_path / "cache.npz"
    assert artifacts.cached_arrays(None, ["a"], compute)["a"].tolist() == [0, 1, 2]  # no cache: always computed
    first = artifacts.cached_arrays(path, ["a"], compute)
    again = artifacts.cached_arrays(path, ["a"], compute)
    assert len(calls) == 2 and np.array_equal(first["a"], again["a"])  # the second read came from the file
    path.write_bytes(path.read_bytes()[:20])  # truncated
    with caplog.at_level("WARNING"):
        rebuilt = artifacts.cached_arrays(path, ["a"], compute)
    assert "cache.npz" in caplog.text and "moved aside" in caplog.text
    assert len(calls) == 3 and np.array_equal(rebuilt["a"], first["a"]) and path.with_name("cache.npz.damaged").exists()
    with caplog.at_level("WARNING"):  # a file without a required array is not trusted
        assert artifacts.cached_arrays(path, ["a", "b"], lambda: {"a": np.zeros(1), "b": np.ones(1)})["b"] == 1
    assert "lacks b" in caplog.text
