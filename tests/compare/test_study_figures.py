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
