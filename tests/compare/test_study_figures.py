"""helpers.compare.study_figures: one colour per model, and the equivalence margin shaded in data units."""

from __future__ import annotations

import pytest


def test_study_figures_give_one_colour_per_model_and_shade_the_margin():
    import matplotlib

    matplotlib.use("Agg")
    from helpers.compare import study_figures as study_plots
    from helpers.style import color_for

    d = [{"label": "NumPy MLP - PyTorch MLP", "metric": "pr_auc", "estimate": 0.0, "low": -0.001, "high": 0.001},
         {"label": "NumPy MLP - Logistic regression", "metric": "pr_auc", "estimate": 0.01, "low": 0.005, "high": 0.015}]
    ax = study_plots.paired_forest(d, {"pr_auc": 0.005}).axes[0]
    band = ax.patches[0]  # the margin, in data units along x
    assert band.get_x() == pytest.approx(-0.005) and band.get_width() == pytest.approx(0.01)
    cells = {s: {m: {"pr_auc": {"mean": 0.3, "low": 0.28, "high": 0.32}} for m in ("NumPy MLP", "Gradient boosting")}
             for s in ("stratified", "grouped")}
    fig = study_plots.scheme_points(cells, ["pr_auc"])
    colours = {c.get_label(): matplotlib.colors.to_hex(c.lines[0].get_color()) for c in fig.axes[0].containers}
    assert colours == {m: color_for(m) for m in ("NumPy MLP", "Gradient boosting")}
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["stratified", "grouped"]


def test_subgroup_figures_give_one_colour_per_network_a_row_per_group_and_the_margin():
    import matplotlib

    matplotlib.use("Agg")
    from helpers.compare import study_figures as study_plots
    from helpers.style import color_for
    from tests.figure_checks import check_figure

    groups = [("Sex", "female"), ("Sex", "male"), ("Age band", "0-17"), ("Age band", "65+")]
    cells = {m: {k: [{"grouping": g, "group": grp, "mean": 0.4, "low": 0.35, "high": 0.45} for g, grp in groups]
                 for k in ("pr_auc", "recall")} for m in ("NumPy MLP", "PyTorch MLP")}
    fig = check_figure(study_plots.subgroup_forest(cells))
    ax = fig.axes[0]
    colours = {c.get_label(): matplotlib.colors.to_hex(c.lines[0].get_color()) for c in ax.containers}
    assert colours == {m: color_for(m) for m in ("NumPy MLP", "PyTorch MLP")}
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert {"Sex", "Age band", "  female", "  65+"} <= set(labels) and len(labels) == 6
    assert len(fig.axes) == 2 and fig.axes[1].get_xlabel() == "Recall"
    diffs = [{"grouping": g, "group": grp, "metric": "pr_auc", "estimate": 0.001, "low": -0.004, "high": 0.006,
              "a": "NumPy MLP"} for g, grp in groups]
    ax = check_figure(study_plots.subgroup_twins_forest(diffs, {"pr_auc": 0.01})).axes[0]
    band = ax.patches[0]  # the margin, in data units along x
    assert band.get_x() == pytest.approx(-0.01) and band.get_width() == pytest.approx(0.02)
    assert len(ax.containers) == len(groups)
