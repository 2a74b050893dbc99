"""helpers.cost.record: the cache key follows data, mode, threads and code; the summary keeps each cell's
fastest sweep and judges the targets from the measurements."""

from __future__ import annotations

import json

import pytest

from helpers.cost import record
from helpers.cost import record as cost_record
from tests.cost.records import FAST_NUMPY, SLOW_TORCH, fabricated


def test_cache_key_follows_data_mode_threads_and_code(processed, monkeypatch):
    key = cost_record.cache_key(processed, "stratified", "light", (1,))
    record = {"cache_key": key}
    assert cost_record.is_current(record, processed, "stratified", "light", (1,))
    assert not cost_record.is_current(record, processed, "stratified", "full", (1,))
    assert not cost_record.is_current(record, processed, "stratified", "light", (1, 2))
    monkeypatch.setattr(cost_record, "code_fingerprint", lambda: "changed code")
    assert not cost_record.is_current(record, processed, "stratified", "light", (1,))
    monkeypatch.undo()
    meta_path = processed / "stratified" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["sample_rows"] = 3000
    meta_path.write_text(json.dumps(meta))
    assert not cost_record.is_current(record, processed, "stratified", "light", (1,))
    assert not cost_record.is_current(record, processed, "temporal", "light", (1,))  # no such prepared split


def test_repeated_sweeps_keep_each_cells_fastest():
    record = fabricated(FAST_NUMPY, SLOW_TORCH, products={"numpy": {4096: 0.02}})
    record["measurements"].append({
        "backend": "numpy", "threads": 1, "kind": "sweep", "epoch_seconds": {"512": 0.04, "4096": 0.5},
        "gemm": {"n": 2048, "seconds": 0.2, "gflops": 50.0}, "train_rows": 77_363, "layer_sizes": [25, 64, 32, 1],
        "rows_per_second": 1e6, "products": {"4096": {"batch_size": 4096, "seconds": 0.01, "gflops": 146.0}}})
    s = cost_record.summarise(record)
    assert s["batch"]["numpy/1"]["512"] == pytest.approx(0.04)  # faster in the second sweep
    assert s["batch"]["numpy/1"]["4096"] == pytest.approx(0.03)  # slower there: the first one stands
    assert s["gemm"]["numpy/1"] == pytest.approx(100.0)  # the higher of the two rates
    assert s["arithmetic"]["numpy"]["4096"]["products_seconds"] == pytest.approx(0.01)
    assert s["ratios"]["numpy/torch epoch time, batch 512, 1 thread(s)"] == pytest.approx(0.04 / 0.25)


def test_a_missing_prepared_split_is_named():
    with pytest.raises(FileNotFoundError, match="no prepared data for split 'nope'"):
        record.data_key("data/processed", "nope")


def test_summary_ratios_and_targets_come_from_the_measurements():
    def m(backend, kind, **kw):
        return {"backend": backend, "threads": 1, "kind": kind, **kw}

    measurements = [
        m("numpy", "train", seconds=1.0, epoch_seconds=0.05, epochs=10, peak_mb=140, rusage_peak_mb=141),
        m("torch", "train", seconds=3.0, epoch_seconds=0.15, epochs=10, peak_mb=390, rusage_peak_mb=420),
        m("numpy", "batch", batch_size=512, epoch_seconds=0.05), m("torch", "batch", batch_size=512, epoch_seconds=0.2),
        m("numpy", "batch", batch_size=4096, epoch_seconds=0.05), m("torch", "batch", batch_size=4096, epoch_seconds=0.04),
        m("numpy", "inference", rows_per_second=1e6), m("torch", "inference", rows_per_second=1e6),
    ]
    summary = record.summarise({"measurements": measurements, "threads": [1]})
    assert summary["ratios"]["numpy/torch epoch time, batch 512, 1 thread(s)"] == pytest.approx(0.25)
    targets = {t["key"]: t for t in summary["targets"]}
    assert targets["numpy_peak_mb"]["met"] is True and targets["numpy_peak_mb"]["label"] == "numpy peak MB <= 150"
    assert targets["torch_peak_mb"]["met"] is False  # judged on the getrusage peak
    assert targets["torch_peak_mb"]["value"] == 420 and targets["torch_peak_mb"]["limit"] == record.TARGETS["torch_peak_mb"]
    assert targets["epoch_ratio_512"]["met"] is True and targets["epoch_ratio_512"]["value"] == pytest.approx(0.25)
    assert targets["epoch_ratio_4096"]["met"] is False
    assert targets["epoch_ratio_4096"]["label"] == "numpy epoch <= 1.2 x torch at batch 4096"
