"""helpers.cost.record: the cache key follows data, mode, threads and code; the summary keeps each cell's
fastest sweep and judges the targets from the measurements."""

from __future__ import annotations

import json

import pytest

from helpers.cost import record
from helpers.cost import record as cost_record
from tests.cost.records import (
    COMPILER_STACK,
    FAST_NUMPY,
    SLOW_TORCH,
    fabricated,
    met,
    rows_repeat,
    target,
)


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


def test_a_target_is_judged_on_the_unfavourable_end_of_its_spread():
    assert record.target("epoch_ratio_512", "r", 0.4, low=0.3, high=0.5)["verdict"] == "met"
    straddles = record.target("epoch_ratio_512", "r", 0.5, low=0.4, high=0.7)
    assert straddles["met"] is None and straddles["verdict"] == "not shown"
    assert record.target("epoch_ratio_512", "r", 0.8, low=0.7, high=0.9)["met"] is False
    single = record.target("numpy_uss_mb", "uss", 120.0)
    assert (single["low"], single["high"], single["spread"], single["met"]) == (120.0, 120.0, None, False)


def test_summary_judges_private_memory_and_the_ratios_of_interleaved_pairs():
    # three interleaved sweep pairs at batch 512: NumPy / PyTorch = 0.32, 0.48, 0.96 (median 0.48)
    record_ = fabricated(FAST_NUMPY, SLOW_TORCH, numpy_factors=(1.0, 1.5, 3.0), numpy_uss=120, torch_uss=250)
    s = record_["summary"]
    assert s["train"]["numpy/1"]["uss_mb"] == 120 and s["train"]["numpy/1"]["pss_mb"] == 128
    assert s["ratio_spread"]["batch 512, 1 thread(s)"]["value"] == pytest.approx(0.48)
    ratio = target(record_, "epoch_ratio_512")
    assert (ratio["low"], ratio["high"]) == (pytest.approx(0.32), pytest.approx(0.96)) and ratio["met"] is None
    assert ratio["spread"] == "range of 3 interleaved sweep pairs"
    assert s["ratios"]["numpy/torch epoch time, batch 512, 1 thread(s)"] == pytest.approx(0.32)  # fastest sweeps
    assert met(record_, "numpy_uss_mb") is False and met(record_, "torch_uss_mb") is True
    assert "numpy_peak_mb" not in {t["key"] for t in s["targets"]}  # peak RSS is context, not a target
    steady = fabricated(FAST_NUMPY, SLOW_TORCH, numpy_factors=(1.0, 1.1))
    assert met(steady, "epoch_ratio_512") is True and met(steady, "epoch_ratio_4096") is True


def test_products_factor_is_the_epoch_over_its_own_products_sweep_by_sweep():
    record_ = fabricated(FAST_NUMPY, SLOW_TORCH, products={"numpy": {4096: 0.02}}, numpy_factors=(1.0, 1.2))
    factor = record_["summary"]["products_factor"]["numpy"]["4096"]
    assert factor["values"] == [pytest.approx(1.5), pytest.approx(1.8)]
    assert met(record_, "products_factor") is True and target(record_, "products_factor")["high"] == pytest.approx(1.8)
    slow = fabricated(FAST_NUMPY, SLOW_TORCH, products={"numpy": {4096: 0.01}})  # 3 x
    assert met(slow, "products_factor") is False


def test_rows_slopes_carry_their_interval_and_are_judged_by_it():
    steady = [rows_repeat(1.0), rows_repeat(1.02), rows_repeat(0.98)]
    noisy = [rows_repeat(0.9, 1.0), rows_repeat(1.4, 2.0), rows_repeat(1.0, 1.2)]
    record_ = fabricated(FAST_NUMPY, SLOW_TORCH, rows={"numpy": steady, "torch": noisy})
    rows = record_["summary"]["rows"]
    assert rows["numpy_time_slope"]["value"] == pytest.approx(1.0) and len(rows["numpy_time_slope"]["values"]) == 3
    assert rows["numpy"]["75000"]["repeats"] == 3
    assert met(record_, "numpy_rows_time_slope") is True and met(record_, "numpy_rows_mb_growth") is True
    assert met(record_, "torch_rows_time_slope") is None and met(record_, "torch_rows_mb_growth") is None
    assert target(record_, "torch_rows_time_slope")["spread"] == "95 % t interval over 3 repeats"


def test_adam_switches_are_summarised_per_setting():
    record_ = fabricated(FAST_NUMPY, SLOW_TORCH, switches={"TORCHDYNAMO_DISABLE=1": []})
    switches = record_["summary"]["adam_switches"]
    assert set(switches) == {s["setting"] for s in record.ADAM_SWITCHES}
    assert switches["TORCHDYNAMO_DISABLE=1"]["compiler_stack"] == []
    assert switches["TORCHDYNAMO_DISABLE=1"]["env"] == {"TORCHDYNAMO_DISABLE": "1"}
    assert switches["plain"]["compiler_stack"] == COMPILER_STACK and switches["plain"]["epoch_seconds"]["512"] == 0.25
