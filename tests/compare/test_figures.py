"""helpers.compare.figures: the comparison's figures are returned (not shown), ASCII-only, drawn from
the evaluated numbers, and the module stays light (no tuning, no torch)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import QuadMesh  # noqa: E402

from helpers import paths, style
from helpers.compare import figures
from helpers.metrics import evaluate
from tests.figure_checks import check_figure


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    n = 1500
    y = (rng.random(n) < 0.2).astype(int)
    probas = {
        "NumPy MLP": 1 / (1 + np.exp(-(rng.normal(size=n) + 1.5 * y - 1.5))),
        "PyTorch MLP": 1 / (1 + np.exp(-(rng.normal(size=n) + 1.4 * y - 1.5))),
        "Logistic regression": 1 / (1 + np.exp(-(rng.normal(size=n) + 1.0 * y - 1.5))),
    }
    return y, probas


# ----------------------------------------------------------------------------- figures


def test_training_curves():
    hist = {
        name: [{"epoch": e, "train_loss": 1 / e, "val_loss": 1.1 / e, "val_pr_auc": 0.3 + 0.01 * e}
               for e in range(1, 11)]
        for name in ("NumPy MLP", "PyTorch MLP")
    }
    fig = check_figure(figures.training_curves(hist, best_epochs={"NumPy MLP": 7, "PyTorch MLP": 9}))
    ax_loss, ax_pr = fig.axes[:2]
    assert ax_loss.get_shared_x_axes().joined(ax_loss, ax_pr)
    colors = {ln.get_color() for ln in ax_loss.get_lines()}
    assert {style.MODEL_COLORS["NumPy MLP"], style.MODEL_COLORS["PyTorch MLP"]} <= colors
    vlines = [ln for ln in ax_pr.get_lines() if ln.get_linestyle() == ":"]
    assert sorted(ln.get_xdata()[0] for ln in vlines) == [7, 9]
    check_figure(figures.training_curves(hist, best_epochs=None))


@pytest.mark.parametrize("normalize", [False, True])
def test_confusion_heatmaps_share_scale(normalize):
    cms = {"NumPy MLP": [[700, 100], [80, 120]], "PyTorch MLP": [[650, 150], [60, 140]]}
    fig = check_figure(figures.confusion_heatmaps(cms, normalize=normalize))
    panels = [ax for ax in fig.axes if ax.get_title() in cms]
    assert [ax.get_title() for ax in panels] == list(cms)
    meshes = [c for ax in panels for c in ax.collections if isinstance(c, QuadMesh)]
    assert len(meshes) == 2
    clims = {m.get_clim() for m in meshes}
    assert len(clims) == 1
    assert clims.pop() == ((0, 1.0) if normalize else (0, 700.0))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert ("87.5%" in texts) if normalize else ("700" in texts)


def test_pr_and_roc_curves(data):
    y, probas = data
    ops = {name: 0.3 for name in probas}
    fig = check_figure(figures.pr_curves(y, probas, operating_points=ops))
    labels = fig.axes[0].get_legend().get_texts()
    assert any("AP = " in t.get_text() for t in labels)
    assert any("Chance" in t.get_text() for t in labels)
    fig = check_figure(figures.roc_curves(y, probas, operating_points=ops))
    assert any("AUC = " in t.get_text() for t in fig.axes[0].get_legend().get_texts())
    check_figure(figures.pr_curves(y, probas, prevalence=0.2))


def _smoothed(grid_max):
    """Curves as :func:`helpers.compare.calibration.smoothed_curves` returns them (made up)."""
    grid = np.linspace(0.02, grid_max, 50)
    curve = grid ** 1.1
    return {"grid": grid, "curve": curve, "low": curve - 0.02, "high": curve + 0.03}


def test_calibration_curves(data):
    _, probas = data
    curves = {"NumPy MLP": _smoothed(0.7), "Logistic regression": _smoothed(0.6)}
    fig = check_figure(figures.calibration_curves(curves, probas))
    ax, ax_hist = fig.axes
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Perfectly calibrated", "NumPy MLP",
                                                                   "Logistic regression"]
    bands = ax.collections  # one shaded band per model, in the model's colour
    assert len(bands) == 2
    np.testing.assert_allclose(bands[0].get_facecolor()[0][:3], matplotlib.colors.to_rgb(style.color_for("NumPy MLP")))
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_array_equal(lines["NumPy MLP"].get_ydata(), curves["NumPy MLP"]["curve"])
    assert ax.get_xlim() == pytest.approx((0, 0.7 * 1.05))  # up to the largest grid value, not to 1
    assert ax.get_ylim() == pytest.approx((0, (0.7 ** 1.1 + 0.03) * 1.05))  # the highest band's top
    assert len(ax_hist.patches) == len(probas) and ax_hist.get_ylabel() == "Rows"
    alone = check_figure(figures.calibration_curves(curves))  # no histogram without the predictions
    assert len(alone.axes) == 1 and alone.axes[0].get_xlabel() == "Predicted probability"


def test_imbalance_grid():
    rows = []
    for backend in ("numpy", "pytorch"):
        for cw in ("none", "balanced"):
            for rule in ("0.5", "tuned F1"):
                rows.append(dict(backend=backend, class_weight=cw, threshold_rule=rule,
                                 accuracy=0.8, precision=0.4, recall=0.5, f1=0.44, pr_auc=0.45))
    fig = check_figure(figures.imbalance_grid(rows))
    heatmap_axes = [ax for ax in fig.axes if ax.get_title() in ("numpy", "pytorch")]
    assert len(heatmap_axes) == 2
    with pytest.raises(KeyError):
        figures.imbalance_grid([{"backend": "numpy"}])


def test_figures_use_evaluate_output(data):
    y, probas = data
    cms = {name: evaluate(y, p, 0.3)["confusion_matrix"] for name, p in probas.items()}
    check_figure(figures.confusion_heatmaps(cms))


def test_figures_module_loads_neither_tuning_nor_the_frameworks():
    import subprocess
    import sys

    code = ("import sys, helpers.compare.figures; "
            "print(sorted(m for m in ('helpers.study.tuning', 'helpers.study.runs', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=paths.REPO_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_decision_curves():
    t = np.round(np.arange(0.05, 0.61, 0.01), 10)
    everyone = 0.2 - 0.8 * t / (1 - t)  # falls to -1 at t = 0.6: clipped by the y-limits

    def curve(nb):
        return {"thresholds": t, "net_benefit": nb, "low": nb - 0.01, "high": nb + 0.01}

    evidence = {"NumPy MLP": curve(0.2 * (1 - t) ** 2), "Logistic regression": curve(0.18 * (1 - t) ** 3),
                "Remind everyone": {**curve(everyone), "prevalence": 0.2}}
    fig = check_figure(figures.decision_curves(evidence))
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Threshold probability"
    assert [x.get_text() for x in ax.get_legend().get_texts()] == ["NumPy MLP", "Logistic regression",
                                                                   "Remind everyone", "Remind no one"]
    bands = ax.collections  # one shaded band per curve, the model's in its colour
    assert len(bands) == 3
    np.testing.assert_allclose(bands[0].get_facecolor()[0][:3], matplotlib.colors.to_rgb(style.color_for("NumPy MLP")))
    assert bands[0].get_alpha() == pytest.approx(0.2)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert lines["NumPy MLP"].get_color() == style.color_for("NumPy MLP")
    np.testing.assert_array_equal(lines["NumPy MLP"].get_ydata(), evidence["NumPy MLP"]["net_benefit"])
    assert lines["Remind everyone"].get_linestyle() == "--"
    assert set(lines["Remind no one"].get_ydata()) == {0.0}
    low, high = ax.get_ylim()
    top = 1.1 * max(0.2, 0.2 * 0.95 ** 2 + 0.01)  # the prevalence or the highest band, whichever is higher
    assert high == pytest.approx(top) and low == pytest.approx(-0.15 * top)
    assert everyone.min() < low  # the steep fall of "remind everyone" is cut off
    assert ax.get_xlim() == pytest.approx((0.05, 0.6))
