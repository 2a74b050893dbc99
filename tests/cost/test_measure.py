"""The benchmark's measurement process: fresh, framework-only, and summarised from its own numbers."""

from __future__ import annotations

import pytest

from helpers.cost import measure, record
from helpers.data.pipeline import prepare


@pytest.fixture(scope="module")
def small_prepared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench") / "processed"
    with pytest.warns(UserWarning):
        prepare("synthetic", sample_rows=3000, processed_dir=folder, synthetic_rows=3000)
    return folder


def test_numpy_process_loads_neither_torch_nor_pandas(small_prepared):
    result = measure.measure({"processed_dir": str(small_prepared), "split": "stratified", "kind": "train",
                            "backend": "numpy", "threads": 1})
    assert result["modules"] == {"pandas": False, "IPython": False, "torch": False}
    assert result["epochs"] >= 1 and result["seconds"] > 0
    # memory_profiler's sampled peak never exceeds the process's lifetime peak
    assert 0 < result["peak_mb"] <= result["rusage_peak_mb"] + 1
    # the same process's memory, piece by piece: no torch step, ending at its lifetime peak
    steps = [s["step"] for s in result["memory_stack"]]
    assert steps == ["interpreter", "+ NumPy", "+ scikit-learn (with SciPy)", "+ data arrays", "+ training (peak)"]
    mb = [s["rss_mb"] for s in result["memory_stack"]]
    assert mb[-1] == pytest.approx(result["rusage_peak_mb"], abs=1) and mb[-1] >= max(mb[:-1]) - 1


def test_torch_process_counts_the_optimiser_and_splits_private_from_mapped_memory(small_prepared):
    result = measure.measure({"processed_dir": str(small_prepared), "split": "stratified", "kind": "train",
                            "backend": "torch", "threads": 1})
    stack = result["memory_stack"]
    assert [s["step"] for s in stack] == ["interpreter", "+ NumPy", "+ scikit-learn (with SciPy)", "+ torch",
                                          "+ torch.optim.Adam", "+ data arrays", "+ training (peak)"]
    optim = stack[4]
    assert optim["modules"] >= stack[3]["modules"] and set(optim["compiler_stack"]) <= {
        "torch._dynamo", "torch._inductor", "sympy"}
    for s in stack[:-1]:  # current readings: resident = private + file-backed (Linux)
        if s["anon_mb"] is not None:
            assert s["anon_mb"] + s["file_mb"] == pytest.approx(s["rss_mb"], abs=2)
    assert stack[-1]["rss_mb"] == pytest.approx(result["rusage_peak_mb"], abs=1)


def test_torch_process_records_its_threads(small_prepared):
    result = measure.measure({"processed_dir": str(small_prepared), "split": "stratified", "kind": "batch",
                            "backend": "torch", "threads": 1, "batch_size": 256})
    assert result["torch_threads"] == 1
    assert result["modules"]["pandas"] is False and result["modules"]["IPython"] is False
    assert result["epoch_seconds"] > 0


def test_torch_sweep_measures_batches_phases_gemm_and_variants(small_prepared):
    result = measure.measure({"processed_dir": str(small_prepared), "split": "stratified", "kind": "sweep",
                            "backend": "torch", "threads": 1, "batch_sizes": [64, 512], "epochs": 2,
                            "phase_batches": [64], "phase_rows": 2000, "phase_repeats": 1,
                            "variant_batches": [512], "variant_epochs": 2})
    assert set(result["epoch_seconds"]) == {"64", "512"} and min(result["epoch_seconds"].values()) > 0
    assert result["gemm"]["gflops"] > 0 and result["rows_per_second"] > 0
    assert set(result["products"]) == {"64", "512"} and min(p["seconds"] for p in result["products"].values()) > 0
    assert [p["batch_size"] for p in result["phases"]] == [64]
    assert set(result["variants"]) == {"plain", "fused Adam", "float64"}
    assert result["modules"]["pandas"] is False


def test_week1_process_holds_everything_and_reads_whole_process_peaks(small_prepared):
    result = measure.measure({"processed_dir": str(small_prepared), "split": "stratified", "kind": "week1",
                            "backend": "torch", "threads": 1, "max_epochs": 1})
    steps = {s["step"]: s["rss_mb"] for s in result["steps"]}
    assert steps["+ pandas"] > steps["interpreter"] and steps["+ torch"] > steps["+ scikit-learn, matplotlib"]
    # memory_profiler reads the whole process: never less than what was there before the fit
    assert result["numpy_fit_peak_mb"] >= result["before_numpy_fit_mb"] - 1
    assert result["torch_fit_peak_mb"] >= result["before_torch_fit_mb"] - 1


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
    targets = summary["targets"]
    assert targets["numpy peak MB <= 150"] is True
    assert targets["torch peak MB <= 400"] is False  # judged on the getrusage peak
    assert targets["numpy epoch <= 0.6 x torch at batch 512"] is True
    assert targets["numpy epoch <= 1.2 x torch at batch 4096"] is False
