"""helpers.cost.measure: each measurement in a fresh framework-only process, the plan of a benchmark, the
report reusing a current record, and compile times reused from the full record."""

from __future__ import annotations

import json

import pytest

from helpers.cost import measure
from helpers.cost import record as cost_record
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
    # private memory at the end of training: part of what is resident, and PSS between the two
    assert 0 < result["uss_mb"] <= result["pss_mb"] + 0.5 and result["pss_mb"] <= result["rusage_peak_mb"] + 1


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


def test_for_report_reuses_a_current_record_and_prefers_the_full_one(processed, tmp_path, monkeypatch):
    results = tmp_path / "results"
    results.mkdir()

    def no_run(*args, **kwargs):
        raise AssertionError("a current record must be reused, not measured again")

    monkeypatch.setattr(measure.subprocess, "run", no_run)
    light = {"created_utc": "light", "cache_key": cost_record.cache_key(processed, "stratified", "light", (1,))}
    (results / "bench_light.json").write_text(json.dumps(light))
    assert measure.for_report(processed, "stratified", results, log=lambda *_: None)["created_utc"] == "light"
    full = {"created_utc": "full", "cache_key": cost_record.cache_key(processed, "stratified", "full", (1, 2))}
    (results / "bench.json").write_text(json.dumps(full))
    assert measure.for_report(processed, "stratified", results, log=lambda *_: None)["created_utc"] == "full"
    # a stale light record (other code) is measured again
    (results / "bench.json").unlink()
    (results / "bench_light.json").write_text(json.dumps({**light, "cache_key": {**light["cache_key"], "code": "old"}}))
    with pytest.raises(AssertionError, match="reused"):
        measure.for_report(processed, "stratified", results, log=lambda *_: None)


def test_the_light_plan_alternates_sweeps_and_times_phases_and_variants_once(processed, monkeypatch):
    tasks = []

    def stand_in(task):
        tasks.append(task)
        return {**task, "epoch_seconds": 0.1}

    monkeypatch.setattr(measure, "measure", stand_in)
    monkeypatch.setattr(measure, "summarise", lambda bench: {"stand-in": len(bench["measurements"])})
    bench = measure.run_benchmark(processed, "stratified", log=lambda *_: None, quick=True)
    kinds = [(t["kind"], t["backend"]) for t in tasks]
    light = cost_record.MODES["light"]
    assert kinds[:2] == [("train", "numpy"), ("train", "torch")]
    sweeps = [t for t in tasks if t["kind"] == "sweep"]
    assert [t["backend"] for t in sweeps] == ["numpy", "torch"] * light["sweep_repeats"]
    assert sweeps[0]["phase_batches"] == light["phase_batches"] and sweeps[2]["phase_batches"] == []
    assert [bool(t["variant_batches"]) for t in sweeps] == [False, True] + [False] * (len(sweeps) - 2)  # torch's first
    assert not any(t["kind"] == "compile" for t in tasks) and kinds.count(("week1", "torch")) == 1
    rows = [t for t in tasks if t["kind"] == "rows"]  # one thread, a process per repeat, alternating backends
    assert [(t["backend"], t["repeat"]) for t in rows] == [(b, r) for r in range(light["row_repeats"])
                                                          for b in ("numpy", "torch")]
    assert all(t["threads"] == 1 and t["row_counts"] == light["row_counts"] for t in rows)
    contestant = [t for t in tasks if t["backend"] == "sklearn"]  # its own training process, after the twins'
    assert kinds[2] == ("train", "sklearn") and [t["kind"] for t in contestant] == ["train"]
    assert contestant[0]["threads"] == 1 and contestant[0]["max_epochs"] == light["contestant_train_epochs"]
    numpy_sweeps = [t for t in sweeps if t["backend"] == "numpy"]  # each times the contestant; the first profiles it
    assert all(t["contestant_batches"] == light["contestant_batches"] for t in numpy_sweeps)
    assert numpy_sweeps[0]["contestant_profile_batches"] == light["contestant_profile_batches"]
    assert numpy_sweeps[0]["contestant_float64_batches"] == light["contestant_float64_batches"]
    assert all(not t["contestant_profile_batches"] and not t["contestant_float64_batches"] for t in numpy_sweeps[1:])
    assert all(not t["contestant_batches"] for t in sweeps if t["backend"] == "torch")
    switches = [t["setting"] for t in tasks if t["kind"] == "adam_switch"]
    assert switches == [s["setting"] for s in cost_record.ADAM_SWITCHES]
    assert all(t["processed_dir"] == str(processed) and t["split"] == "stratified" for t in tasks)
    assert bench["mode"] == "light" and bench["quick"] and bench["threads"] == [1]
    assert bench["summary"] == {"stand-in": len(tasks)} and bench["cache_key"]["mode"] == "light"
    with pytest.raises(ValueError, match="mode must be one of"):
        measure.run_benchmark(processed, mode="heavy")


def test_a_light_record_reuses_the_full_records_compile_times_for_the_same_data(processed, tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    key = cost_record.cache_key(processed, "stratified", "full", (1, 2))
    compile_ = {"kind": "compile", "backend": "torch", "cache": "cold", "compile_seconds": {"512": 30.0}}
    (results / "bench.json").write_text(json.dumps({"created_utc": "then", "cache_key": key,
                                                    "measurements": [compile_, {"kind": "train"}]}))
    light = {"cache_key": cost_record.cache_key(processed, "stratified", "light", (1,)), "measurements": []}
    measure._reuse_compile(light, results)
    assert light["measurements"] == [{**compile_, "reused_from": "then"}]
    other = {"cache_key": {**light["cache_key"], "data": {"other": "data"}}, "measurements": []}
    measure._reuse_compile(other, results)
    assert other["measurements"] == []


def test_a_rows_repeat_times_every_row_count_in_one_process_without_a_sampler(small_prepared):
    result = measure.measure({"processed_dir": str(small_prepared), "split": "stratified", "kind": "rows",
                              "backend": "numpy", "threads": 1, "row_counts": [4000, 1000], "epochs": 3, "repeat": 1})
    assert list(result["rows"]) == ["1000", "4000"]  # smallest first: the lifetime peak after a fit is its own
    small, big = result["rows"]["1000"], result["rows"]["4000"]
    assert 0 < small["epoch_seconds"] < big["epoch_seconds"] and small["peak_mb"] <= big["peak_mb"]
    assert result["repeat"] == 1 and result["modules"]["torch"] is False


def test_an_adam_switch_process_reports_imports_memory_and_speed_under_its_environment(small_prepared):
    result = measure.measure({"processed_dir": str(small_prepared), "split": "stratified", "kind": "adam_switch",
                              "backend": "torch", "threads": 1, "batch_sizes": [512], "epochs": 2,
                              "setting": "TORCHDYNAMO_DISABLE=1", "env": {"TORCHDYNAMO_DISABLE": "1"}})
    assert result["setting"] == "TORCHDYNAMO_DISABLE=1" and result["env"] == {"TORCHDYNAMO_DISABLE": "1"}
    assert result["modules_added"] >= 0 and set(result["compiler_stack"]) <= {"torch._dynamo", "torch._inductor", "sympy"}
    assert bool(result["compiler_stack"]) == (result["modules_added"] > 100)  # the stack is hundreds of modules
    assert result["epoch_seconds"]["512"] > 0 and result["uss_mb"] > 0


def test_the_contestants_process_loads_neither_torch_nor_pandas_and_stages_its_network(small_prepared):
    result = measure.measure({"processed_dir": str(small_prepared), "split": "stratified", "kind": "train",
                              "backend": "sklearn", "threads": 1, "max_epochs": 2})
    assert result["modules"] == {"pandas": False, "IPython": False, "torch": False}
    assert result["epochs"] == 2 and result["max_epochs"] == 2 and result["uss_mb"] > 0
    steps = [s["step"] for s in result["memory_stack"]]
    assert steps == ["interpreter", "+ NumPy", "+ scikit-learn (with SciPy)", "+ sklearn.neural_network",
                     "+ data arrays", "+ training (peak)"]


def test_a_numpy_sweep_times_the_contestant_after_the_twin(small_prepared):
    result = measure.measure({"processed_dir": str(small_prepared), "split": "stratified", "kind": "sweep",
                              "backend": "numpy", "threads": 1, "batch_sizes": [512], "epochs": 2,
                              "phase_batches": [], "phase_rows": None, "phase_repeats": 1,
                              "contestant_batches": [256, 512], "contestant_float64_batches": [512],
                              "contestant_profile_batches": [512]})
    c = result["contestant"]
    assert set(c["epoch_seconds"]) == {"256", "512"} and min(c["epoch_seconds"].values()) > 0
    assert set(c["float64"]) == {"512"} and [p["batch_size"] for p in c["profile"]] == [512]
    assert set(c["same_work"]["512"]) == {"relu_derivative", "gather"}
    assert result["modules"]["torch"] is False
