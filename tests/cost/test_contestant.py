"""scikit-learn's MLPClassifier in the cost record: its summary (epoch times, the ratio per sweep process, the
profile by phase, its memory), the sentences that flip with its numbers, and its figure and tables."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from helpers.cost import figures as cost_figures
from helpers.cost import record as cost_record
from helpers.cost import sentences
from helpers.models import sklearn_mlp
from tests.cost.records import (
    CONTESTANT_SHARES,
    FAST_NUMPY,
    SAME_WORK,
    SLOW_SKLEARN,
    SLOW_TORCH,
    contestant_cell,
    fabricated,
    met,
)
from tests.figure_checks import check_figure


def _text(lines) -> str:
    return " ".join(lines)


def _record(**kw):
    kw = {"contestant": SLOW_SKLEARN, "same_work": SAME_WORK, "numpy_factors": (1.0, 1.1), **kw}
    return fabricated(FAST_NUMPY, SLOW_TORCH, **kw)


# ----------------------------------------------------------------------------- the record
def test_the_contestant_is_named_as_the_study_names_it():
    assert cost_record.LABELS[cost_record.CONTESTANT] == sklearn_mlp.NAME
    assert cost_record.CONTESTANT not in cost_record.BACKENDS  # the twins' targets and phases stay the twins'


def test_summary_keeps_fastest_epochs_ratios_per_process_profile_phases_and_memory():
    record = _record()
    s = record["summary"]
    assert s["batch"]["sklearn/1"] == {"512": 0.2, "4096": 0.075}
    spread = s["contestant"]["ratio_spread"]["512"]  # NumPy 0.08 and 0.088 over 0.2, one ratio per sweep process
    assert spread["values"] == [pytest.approx(0.4), pytest.approx(0.44)] and spread["value"] == pytest.approx(0.42)
    assert s["contestant"]["float64"]["512"] == pytest.approx(0.24)
    cell = s["contestant"]["profile"]["512"]
    steps = cell["steps"]
    assert steps == 152 and cell["step_seconds"] == pytest.approx(0.2 * (1 - 0.03 * 1.05) / steps)
    backward = sum(CONTESTANT_SHARES[p] for p in ("backward_products", "relu_derivative", "backward"))
    assert cell["phases"]["backward"] == pytest.approx(backward * 0.2 * 1.05 / steps)
    assert cell["phases"]["rest"] == pytest.approx((0.03 + 0.0) * 0.2 * 1.05 / steps)  # loop and packing, no checks
    assert sum(cell["phases"].values()) == pytest.approx((1 - 0.03) * 0.2 * 1.05 / steps)
    model = s["contestant"]["step_model"]  # a straight line through the two batch sizes' step times
    at = {b: s["contestant"]["profile"][str(b)]["step_seconds"] for b in (512, 4096)}
    assert model["fixed_seconds"] + 512 * model["per_row_seconds"] == pytest.approx(at[512])
    train = s["train"]["sklearn/1"]
    assert train["uss_mb"] == 120 and train["max_epochs"] == 3
    assert "sklearn" in s["memory_stack"]
    without = fabricated(FAST_NUMPY, SLOW_TORCH)["summary"]
    assert "contestant" not in without and "sklearn/1" not in without["batch"]


def test_the_contestant_has_no_target_of_its_own_and_its_check_is_worded_beside_it():
    off = _record(contestant_cells=[contestant_cell(512, 0.2, error=0.3), contestant_cell(4096, 0.075)])
    assert met(off, "phase_sum_error") is True  # the twins' breakdown target stays the twins'
    assert {t["key"] for t in off["summary"]["targets"]} == {t["key"] for t in _record()["summary"]["targets"]}
    assert "within 30.0% in the worst batch size (512), outside the 10 % tolerance" in _text(
        sentences.contestant_sentences(off))


# ----------------------------------------------------------------------------- sentences
def test_the_answer_states_the_ratio_at_512_and_why():
    item = sentences.verdict_sentences(_record())[3]
    assert item.startswith("**Against scikit-learn's MLPClassifier.** At batch 512 on one thread, in float32, an epoch "
                           "of scikit-learn's MLPClassifier takes 200 ms and one of the NumPy MLP 80 ms: the NumPy MLP "
                           "is 2.4 x faster (2.3 to 2.5 x across 2 sweep processes, each timing both).")
    assert "in scikit-learn the backward pass takes" in item and "longer a step" in item
    assert "scikit-learn's largest part is its ReLU derivative" in item and "(10 x as long)" in item
    faster = fabricated(FAST_NUMPY, SLOW_TORCH, contestant={512: 0.04, 4096: 0.02}, numpy_factors=(1.0, 1.1))
    assert "scikit-learn's MLPClassifier is 2.1 x faster (2.0 to 2.2 x" in sentences.verdict_sentences(faster)[3]
    noisy = fabricated(FAST_NUMPY, SLOW_TORCH, contestant={512: 0.1, 4096: 0.03}, numpy_factors=(0.9, 1.3))
    assert "neither is faster in every one of 2 sweep processes" in sentences.verdict_sentences(noisy)[3]


def _with_lines(record: dict, mine: tuple[float, float], twin: tuple[float, float]) -> dict:
    """The record with straight lines ``(fixed seconds, seconds per row)`` through both networks' step times."""
    s = record["summary"]
    for model, (fixed, per_row) in ((s["contestant"]["step_model"], mine), (s["step_model"]["numpy"], twin)):
        model.update(fixed_seconds=fixed, per_row_seconds=per_row)
    return record


def test_the_straight_line_says_per_row_work_or_per_step_cost():
    per_row = sentences._contestant_line(_with_lines(_record(), (2e-4, 9e-7), (1e-4, 4e-7)), 512)
    assert per_row == ("a straight line through the step times puts 72% of the gap in work that grows with the batch "
                       "(900 ns per row against 400 ns), the rest in a fixed cost per step, whatever its size (0.20 ms "
                       "against 0.10 ms: Python and call overhead)")
    fixed = sentences._contestant_line(_with_lines(_record(), (1e-3, 4.5e-7), (1e-4, 4e-7)), 512)
    assert fixed.startswith("a straight line through the step times puts 97% of the gap in a fixed cost per step")
    assert sentences._contestant_line(_with_lines(_record(), (1e-4, 3e-7), (1e-4, 4e-7)), 512) is None  # no gap
    rows_only = sentences._contestant_line(_with_lines(_record(), (0.9e-4, 1.1e-6), (1.1e-4, 3.8e-7)), 512)
    assert rows_only == ("a straight line through the step times puts all of the gap in work that grows with the batch "
                         "(1100 ns per row against 380 ns); scikit-learn's fixed cost per step is no larger (0.090 ms "
                         "against 0.11 ms)")
    steps_only = sentences._contestant_line(_with_lines(_record(), (5e-4, 3e-7), (1e-4, 4e-7)), 512)
    assert "puts all of the gap in a fixed cost per step" in steps_only and "work per row is no larger" in steps_only


def test_contestant_sentences_flip_with_the_numbers():
    text = _text(sentences.contestant_sentences(_record()))
    assert ("takes (each the fastest of 2 sweeps) 200 ms at batch 512 (NumPy MLP 80 ms, PyTorch MLP 250 ms) and 75 ms "
            "at batch 4,096 (NumPy MLP 30 ms, PyTorch MLP 50 ms)") in text
    assert "(median [range]): 0.42 [0.40, 0.44] at batch 512" in text
    assert "its float64 path is slower" in text
    assert "but the loss its loss function returns is float64 and the updates its Adam returns are float64" in text
    assert "goes mostly to the ReLU derivative (57 ms, 28%)" in text
    assert "packing and unpacking the parameters take nothing: its epochs never call them (0 calls)" in text
    assert "phase by phase, scikit-learn's time minus the NumPy MLP's is (ms) backward +" in text
    assert "the ReLU derivative takes 0.15 ms scikit-learn's way and 0.015 ms the NumPy MLP's (10 x as long)" in text
    assert "within 5.0% in the worst batch size (512), inside the 10 % tolerance" in text
    assert "holds 120 MB of private memory" in text and "a cap the light benchmark sets" in text
    assert "adds 0.5 MB more, against the 30 MB" in text and "is not what separates the two processes" in text
    same = {"weights": "float32", "loss": "float32", "adam_update": "float32"}
    other = _record(contestant_float64=0.9, contestant_cap=None, contestant_uss=91.0,
                    contestant_cells=[contestant_cell(512, 0.2, dtypes=same, packing_calls=4, error=0.2),
                                      contestant_cell(4096, 0.075, dtypes=same)])
    text = _text(sentences.contestant_sentences(other))
    assert "its float64 path is faster" in text and "double precision" not in text
    assert "take 0.00 ms (4 calls)" in text and "outside the 10 % tolerance" in text
    assert "a cap the light benchmark sets" not in text and "which accounts for most of the difference" in text
    assert sentences.contestant_sentences(fabricated(FAST_NUMPY, SLOW_TORCH)) == [
        "scikit-learn's MLPClassifier was not measured in this benchmark."]


def test_conclusions_and_the_summary_carry_the_contestant():
    items = sentences.conclusions(_record())
    heads = [i.split(".**")[0] + ".**" for i in items]
    assert heads[:5] == ["**Speed.**", "**Where the time goes.**", "**Memory.**",
                         "**Against scikit-learn's MLPClassifier.**", "**What a PyTorch user can switch off.**"]
    assert "At the end of training its fresh process holds 120 MB" in items[3]
    text = sentences.summary_markdown(_record())
    assert "scikit-learn MLP, 512" in text and "its float64 path is slower" in text


# ----------------------------------------------------------------------------- figures and tables
def test_contestant_figure_and_tables_come_from_the_record():
    record = _record()
    plt.close("all")
    fig = check_figure(cost_figures.figure(record, "contestant"))
    assert plt.get_fignums() == [fig.number] and len(fig.axes) == 2  # one panel per profiled batch size
    plt.close("all")
    assert cost_figures.figure(fabricated(FAST_NUMPY, SLOW_TORCH), "contestant") is None
    table = cost_figures.contestant_table(record)
    diff = table["difference, 512"]
    assert diff["backward"] == pytest.approx(table["scikit-learn MLP, 512"]["backward"] - table["NumPy MLP, 512"]["backward"])
    assert table.loc["step (no timers)", "scikit-learn MLP, 512"] == pytest.approx(
        record["summary"]["contestant"]["profile"]["512"]["step_seconds"] * 1e3)
    parts = cost_figures.contestant_parts_table(record)
    assert parts.loc["512, ReLU derivative", "calls / epoch"] == 2 * 152
    assert parts.loc["512, epoch (no timers)", "ms / epoch"] == pytest.approx(200)
    assert parts.loc["512, sum of the parts", "share of the epoch"] == pytest.approx(1.05)
    same = cost_figures.same_work_table(record)
    assert same.loc["512, ReLU derivative", "ratio"] == pytest.approx(10)
    memory = cost_figures.private_memory_table(record)
    assert memory.loc["scikit-learn MLP", "USS (MB)"] == 120 and memory.loc["scikit-learn MLP", "verdict"] == "-"
    speed = cost_figures.speed_table(record)
    assert speed.loc["sklearn/1", "stopped by"] == "a cap of 3 epochs" and speed.loc["numpy/1", "stopped by"] == \
        "early stopping"
    lines = [line.get_label() for line in cost_figures.figure(record, "epoch_vs_batch").axes[0].get_lines()]
    assert "scikit-learn MLP, 1 thr" in lines
    bars = cost_figures.figure(record, "memory_stack").axes[0]
    assert [t.get_text() for t in bars.get_yticklabels()] == ["NumPy MLP", "PyTorch MLP", "scikit-learn MLP"]
    plt.close("all")
