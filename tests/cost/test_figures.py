"""helpers.cost.figures: each cost figure drawn alone, none without its data, colours by backend and line
styles by threads, and the log-log scaling plot."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from helpers import style
from helpers.cost import figures as cost_figures
from tests.cost.records import FAST_NUMPY, SLOW_TORCH, fabricated
from tests.figure_checks import check_figure


def test_loglog_scaling():
    xs = [1_000, 10_000, 100_000]
    fig = check_figure(cost_figures.loglog_scaling(xs, {"NumPy MLP": [0.1, 1.0, 10.0], "PyTorch MLP": [0.2, 0.5, 2.0]},
                                  "Rows", "Seconds", "Scaling", reference_slope=1))
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert len(ax.get_lines()) == 3


@pytest.mark.parametrize("name", ["epoch_vs_batch", "phase_breakdown", "gflops", "memory_stack", "variants"])
def test_one_cost_figure_is_drawn_alone(name):

    record = fabricated(FAST_NUMPY, SLOW_TORCH, products={"numpy": {4096: 0.02}})
    plt.close("all")
    fig = cost_figures.figure(record, name)
    assert plt.get_fignums() == [fig.number]  # a plt.show() after it shows this figure only
    plt.close("all")


def test_a_cost_figure_without_data_is_none_and_an_unknown_one_is_refused():
    record = fabricated(FAST_NUMPY, SLOW_TORCH)
    assert cost_figures.figure(record, "epoch_seconds_vs_rows") is None  # no rows sweep in a light record
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
