"""``python -m helpers.cost``: the driver parses its options, writes the record where the mode says,
draws its figures, and refuses a split with no prepared data (the measuring is stood in for)."""

from __future__ import annotations

import json

import pytest

from helpers.cost import __main__ as cli
from tests.cost.records import FAST_NUMPY, SLOW_TORCH, fabricated


@pytest.fixture
def measured(monkeypatch):
    calls = []

    def fake_run(processed_dir, split, threads, repeats, mode):
        calls.append({"split": split, "threads": threads, "repeats": repeats, "mode": mode})
        return fabricated(FAST_NUMPY, SLOW_TORCH)  # summarised, as a full run returns it

    monkeypatch.setattr(cli, "run_benchmark", fake_run)
    return calls


def test_light_run_writes_the_light_record_and_its_figures(processed, tmp_path, measured, capsys):
    results, figures = tmp_path / "results", tmp_path / "figs"
    assert cli.main(["--processed-dir", str(processed), "--results-dir", str(results), "--quick",
                     "--threads", "1,2", "--figures-dir", str(figures)]) == 0
    assert measured == [{"split": "stratified", "threads": (1, 2), "repeats": None, "mode": "light"}]
    written = json.loads((results / "bench_light.json").read_text())
    assert not (results / "bench.json").exists()
    assert written["summary"]["targets"] and "test CPU" in written["summary_markdown"]
    assert {p.name for p in figures.glob("*.png")} >= {"bench_epoch_vs_batch.png", "bench_memory_stack.png"}
    out = capsys.readouterr().out
    assert "[bench] light benchmark: 60 s, written to" in out and "bench_light.json" in out


def test_full_run_writes_bench_json_without_figures(processed, tmp_path, measured):
    results = tmp_path / "results"
    assert cli.main(["--processed-dir", str(processed), "--results-dir", str(results), "--no-figures",
                     "--repeats", "2", "--figures-dir", str(tmp_path / "figs")]) == 0
    assert measured[0]["mode"] == "full" and measured[0]["repeats"] == 2 and measured[0]["threads"] is None
    assert (results / "bench.json").is_file() and not (tmp_path / "figs").exists()


def test_a_split_without_prepared_data_is_refused_before_measuring(processed, measured):
    with pytest.raises(SystemExit, match="no prepared data for split 'grouped'"):
        cli.main(["--processed-dir", str(processed), "--split", "grouped"])
    assert measured == []
