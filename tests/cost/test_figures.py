"""helpers.cost.figures: each cost figure drawn alone, none without its data, colours by backend and line
styles by threads, the rows figures with every repeat, the memory figure with private memory and its target,
the tables with each target's spread and verdict, and the log-log scaling plot."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from helpers import style
from helpers.cost import figures as cost_figures
from tests.cost.records import FAST_NUMPY, SLOW_TORCH, fabricated, rows_repeat
from tests.figure_checks import check_figure


def test_loglog_scaling():
    xs = [1_000, 10_000, 100_000]
    fig = check_figure(cost_figures.loglog_scaling(xs, {"NumPy MLP": [0.1, 1.0, 10.0], "PyTorch MLP": [0.2, 0.5, 2.0]},
                                  "Rows", "Seconds", "Scaling", reference_slope=1))
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert len(ax.get_lines()) == 3


ROWS = {"numpy": [rows_repeat(1.0), rows_repeat(1.02), rows_repeat(0.98)],
        "torch": [rows_repeat(1.1, 1.2), rows_repeat(1.0)]}


@pytest.mark.parametrize("name", ["epoch_vs_batch", "phase_breakdown", "gflops", "memory_stack", "variants",
                                  "epoch_seconds_vs_rows", "peak_mb_vs_rows"])
def test_one_cost_figure_is_drawn_alone(name):
    record = fabricated(FAST_NUMPY, SLOW_TORCH, products={"numpy": {4096: 0.02}}, rows=ROWS)
    plt.close("all")
    fig = check_figure(cost_figures.figure(record, name))
    assert plt.get_fignums() == [fig.number]  # a plt.show() after it shows this figure only
    plt.close("all")


def test_rows_figures_draw_every_repeat_and_name_the_slope():
    record = fabricated(FAST_NUMPY, SLOW_TORCH, rows=ROWS)
    figs = cost_figures.rows_figures(record)
    ax = figs["epoch_seconds_vs_rows"].axes[0]
    dots = [c for c in ax.collections if c.get_offsets().shape[0] > 0 and c.__class__.__name__ == "PathCollection"]
    assert sorted(len(c.get_offsets()) for c in dots) == [6, 9]  # 3 row counts x 2 and x 3 repeats
    labels = [line.get_label() for line in ax.get_lines()]
    assert "NumPy MLP, slope 1.00 [0.95, 1.05]" in labels and "slope 1 reference" in labels
    assert "median of 3 repeats" in ax.get_title()
    peak = figs["peak_mb_vs_rows"].axes[0]
    assert "NumPy MLP, 100 MB per million rows" in [line.get_label() for line in peak.get_lines()]
    plt.close("all")


def test_memory_figure_marks_private_memory_and_its_target():
    record = fabricated(FAST_NUMPY, SLOW_TORCH, numpy_uss=90, torch_uss=280)
    fig = check_figure(cost_figures.memory_stack_bars(record))
    ax = fig.axes[0]
    xs = sorted({round(line.get_xdata()[0]) for line in ax.get_lines()})
    assert xs == [90, 98, 100, 280, 288, 300]  # USS, PSS and the USS target of each backend
    texts = [t.get_text() for t in ax.texts]
    assert " 140 MB peak RSS, USS 90, PSS 98" in texts
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert {"USS at the end of training", "PSS at the end of training", "USS target"} <= set(legend)
    plt.close("all")


def test_tables_show_private_memory_ratios_products_and_rows_with_their_verdicts():
    record = fabricated(FAST_NUMPY, SLOW_TORCH, numpy_uss=120, numpy_factors=(1.0, 1.9),
                        products={"numpy": {4096: 0.02}}, rows=ROWS)
    memory = cost_figures.private_memory_table(record)
    assert memory.loc["NumPy MLP", "USS (MB)"] == 120 and memory.loc["NumPy MLP", "PSS (MB)"] == 128
    assert memory.loc["NumPy MLP", "verdict"] == "not met" and memory.loc["PyTorch MLP", "verdict"] == "met"
    assert memory.loc["PyTorch MLP", "peak RSS (MB, getrusage)"] == 390
    ratios = cost_figures.ratio_table(record)
    assert ratios.loc["batch 512, 1 thread(s)", "verdict"] == "not shown"
    assert ratios.loc["batch 512, 1 thread(s)", "high"] == pytest.approx(0.608)
    assert ratios.loc["batch 4096, 1 thread(s)", "verdict"] == "met"
    products = cost_figures.products_table(record)
    assert products.loc["NumPy MLP, 4,096", "epoch / products (median)"] == pytest.approx((1.5 + 2.85) / 2)
    assert products.loc["NumPy MLP, 4,096", "verdict"] == "not shown"
    rows = cost_figures.rows_table(record)
    slope = rows.loc["NumPy MLP, epoch time: log-log slope"]
    assert slope["measured"] == pytest.approx(1.0) and slope["verdict"] == "met" and slope["low"] < 1 < slope["high"]
    assert rows.loc["PyTorch MLP, peak memory: MB per million rows", "measured"] > 0
    detail = cost_figures.rows_detail_table(record)
    assert detail.loc["PyTorch MLP, 75,000", "repeats"] == 2
    targets = cost_figures.targets_table(record)
    assert set(targets["verdict"]) == {"met", "not met", "not shown"}
    assert targets.loc["numpy epoch <= 0.6 x torch at batch 512", "judged on"] == "range of 2 interleaved sweep pairs"
    speed = cost_figures.speed_table(record)
    assert speed.loc["numpy/1", "USS at end (MB)"] == 120


def test_a_cost_figure_without_data_is_none_and_an_unknown_one_is_refused():
    record = fabricated(FAST_NUMPY, SLOW_TORCH)
    assert cost_figures.figure(record, "epoch_seconds_vs_rows") is None  # this record has no rows sweep
    with pytest.raises(ValueError, match="unknown cost figure 'speed'"):
        cost_figures.figure(record, "speed")


def test_epoch_vs_batch_colours_by_backend_and_styles_by_threads():
    record = fabricated(FAST_NUMPY, SLOW_TORCH)
    record["threads"] = [1, 2]
    record["summary"]["batch"]["numpy/2"] = record["summary"]["batch"]["numpy/1"]
    record["summary"]["batch"]["torch/2"] = record["summary"]["batch"]["torch/1"]
    fig = cost_figures.bench_figures(record)["epoch_vs_batch"]
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    assert lines["NumPy MLP, 2 thr"].get_color() == style.color_for("NumPy MLP") == lines["NumPy MLP, 1 thr"].get_color()
    assert lines["PyTorch MLP, 1 thr"].get_color() == style.color_for("PyTorch MLP")
    assert lines["NumPy MLP, 1 thr"].get_linestyle() != lines["NumPy MLP, 2 thr"].get_linestyle()
    assert lines["PyTorch MLP, 1 thr"].get_linestyle() == lines["NumPy MLP, 1 thr"].get_linestyle()
