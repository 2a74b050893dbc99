"""Behaviour of helpers.plots: figures are returned (not shown) and saved by save_fig."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import QuadMesh  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from helpers import paths, style
from helpers.compare import figures
from helpers.cost import figures as cost_figures
from helpers.data import figures as data_figures
from helpers.metrics import bootstrap_ci, evaluate


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


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


def _assert_ascii_figure(fig: Figure) -> None:
    """Every text in the figure uses glyphs any LaTeX font has."""
    texts = [t.get_text() for t in fig.findobj(Text)]
    assert texts, "figure has no text at all"
    bad = [t for t in texts if not t.isascii()]
    assert not bad, bad


def _check(fig) -> Figure:
    assert isinstance(fig, Figure)
    assert fig.axes
    _assert_ascii_figure(fig)
    fig.canvas.draw()  # layout and rendering succeed
    return fig


# ---------------------------------------------------------------------------- colours
def test_colors_fixed_and_distinct():
    assert set(style.MODEL_COLORS) == {
        "NumPy MLP", "PyTorch MLP", "Logistic regression", "Gradient boosting", "Always show (dummy)",
    }
    assert len(set(style.MODEL_COLORS.values())) == len(style.MODEL_COLORS)
    for name, c in style.MODEL_COLORS.items():
        assert style.color_for(name) == c
    assert style.color_for("numpy") == style.MODEL_COLORS["NumPy MLP"]
    assert style.color_for("torch") == style.MODEL_COLORS["PyTorch MLP"]
    unknown = style.color_for("Some other model")
    assert matplotlib.colors.is_color_like(unknown)
    assert unknown == style.color_for("Some other model")  # stable
    assert unknown not in style.MODEL_COLORS.values()


def test_import_has_no_style_side_effect_and_set_style_changes_rc():
    import importlib

    before = dict(matplotlib.rcParams)
    importlib.reload(style)
    assert dict(matplotlib.rcParams) == before
    with matplotlib.rc_context():
        style.set_style()
        assert matplotlib.rcParams["savefig.dpi"] == 200


# ---------------------------------------------------------------------------- save_fig
def test_save_fig_writes_png_and_pdf(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    out = style.save_fig(fig, "curve", folder=tmp_path / "new" / "sub")
    assert [p.name for p in out] == ["curve.png", "curve.pdf"]
    for p in out:
        assert p.is_absolute() and p.is_file() and p.stat().st_size > 0
    assert out[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out[1].read_bytes()[:5] == b"%PDF-"
    # no temporary files left behind
    assert sorted(p.name for p in (tmp_path / "new" / "sub").iterdir()) == ["curve.pdf", "curve.png"]


def test_save_fig_pdf_is_reproducible(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    a = style.save_fig(fig, "a", folder=tmp_path, formats=("pdf",))[0].read_bytes()
    b = style.save_fig(fig, "b", folder=tmp_path, formats=("pdf",))[0].read_bytes()
    assert a == b


def test_save_fig_relative_folder_is_taken_from_repo_root(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "REPO_ROOT", tmp_path)
    monkeypatch.chdir(tmp_path.parent)  # the working directory must not matter
    fig, _ = plt.subplots()
    out = style.save_fig(fig, "rel.png", folder="figs/x", formats=("png",))
    assert out == [(tmp_path / "figs" / "x" / "rel.png").resolve()]
    assert out[0].is_file()


def test_save_fig_default_folder_is_figures_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "FIGURES_DIR", tmp_path / "figures")
    fig, _ = plt.subplots()
    out = style.save_fig(fig, "default", formats=("png",))
    assert out == [(tmp_path / "figures" / "default.png").resolve()]


def test_save_fig_saves_the_given_figure_not_the_current_one(tmp_path):
    tall = plt.figure(figsize=(2, 6))
    tall.add_subplot().plot([0, 1])
    wide = plt.figure(figsize=(8, 2))  # the current figure
    wide.add_subplot().plot([0, 1])
    assert plt.gcf() is wide
    (png,) = style.save_fig(tall, "tall", folder=tmp_path, formats=("png",), dpi=50)
    h, w = mpimg.imread(png).shape[:2]
    assert h > 2 * w


def test_save_fig_rejects_paths_in_name_and_non_figures(tmp_path):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError):
        style.save_fig(fig, "../escape", folder=tmp_path)
    with pytest.raises(TypeError):
        style.save_fig(fig.axes[0], "axes", folder=tmp_path)


# ----------------------------------------------------------------------------- figures
def test_class_balance():
    fig = _check(data_figures.class_balance({"show": 800, "no-show": 200}))
    texts = " ".join(t.get_text() for t in fig.findobj(Text))
    assert "80.0%" in texts and "20.0%" in texts and "800" in texts


def test_rate_by_with_counts_and_overall_line():
    df = pd.DataFrame({
        "age_bin": pd.Categorical(["0-17", "18-39", "40+", "18-39", "40+", "40+"] * 50,
                                  categories=["0-17", "18-39", "40+"], ordered=True),
        "no_show": [1, 0, 0, 1, 0, 1] * 50,
    })
    fig = _check(data_figures.rate_by(df, "age_bin"))
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["0-17\n(n=50)", "18-39\n(n=100)", "40+\n(n=150)"]
    heights = [b.get_height() for b in ax.patches]
    np.testing.assert_allclose(heights, [100.0, 50.0, 100 / 3])
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert dashed and dashed[0].get_ydata()[0] == pytest.approx(50.0)
    fig2 = _check(data_figures.rate_by(df, "age_bin", order=["40+", "0-17"], overall_rate=0.2, ax_title="Age"))
    assert [t.get_text().split("\n")[0] for t in fig2.axes[0].get_xticklabels()] == ["40+", "0-17"]
    assert fig2.axes[0].get_title() == "Age"


def test_training_curves():
    hist = {
        name: [{"epoch": e, "train_loss": 1 / e, "val_loss": 1.1 / e, "val_pr_auc": 0.3 + 0.01 * e}
               for e in range(1, 11)]
        for name in ("NumPy MLP", "PyTorch MLP")
    }
    fig = _check(figures.training_curves(hist, best_epochs={"NumPy MLP": 7, "PyTorch MLP": 9}))
    ax_loss, ax_pr = fig.axes[:2]
    assert ax_loss.get_shared_x_axes().joined(ax_loss, ax_pr)
    colors = {ln.get_color() for ln in ax_loss.get_lines()}
    assert {style.MODEL_COLORS["NumPy MLP"], style.MODEL_COLORS["PyTorch MLP"]} <= colors
    vlines = [ln for ln in ax_pr.get_lines() if ln.get_linestyle() == ":"]
    assert sorted(ln.get_xdata()[0] for ln in vlines) == [7, 9]
    _check(figures.training_curves(hist, best_epochs=None))


@pytest.mark.parametrize("normalize", [False, True])
def test_confusion_heatmaps_share_scale(normalize):
    cms = {"NumPy MLP": [[700, 100], [80, 120]], "PyTorch MLP": [[650, 150], [60, 140]]}
    fig = _check(figures.confusion_heatmaps(cms, normalize=normalize))
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
    fig = _check(figures.pr_curves(y, probas, operating_points=ops))
    labels = fig.axes[0].get_legend().get_texts()
    assert any("AP = " in t.get_text() for t in labels)
    assert any("Chance" in t.get_text() for t in labels)
    fig = _check(figures.roc_curves(y, probas, operating_points=ops))
    assert any("AUC = " in t.get_text() for t in fig.axes[0].get_legend().get_texts())
    _check(figures.pr_curves(y, probas, prevalence=0.2))


def test_metric_bars(data):
    y, probas = data
    table = {name: bootstrap_ci(y, p, 0.3, n_resamples=50) for name, p in probas.items()}
    fig = _check(figures.metric_bars(table))
    ax = fig.axes[0]
    assert len(ax.patches) == 6 * len(probas)
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "PR-AUC"


def test_resource_bars():
    vals = {"NumPy MLP": {"seconds": 12.5, "peak_mb": 210.0}, "PyTorch MLP": {"seconds": 4.1, "peak_mb": 480.0}}
    fig = _check(figures.resource_bars(vals))
    assert len(fig.axes) == 2
    _check(figures.resource_bars(vals, log=True))


def test_calibration_curves(data):
    y, probas = data
    fig = _check(figures.calibration_curves(y, probas, n_bins=8))
    assert any("calibrated" in t.get_text() for t in fig.axes[0].get_legend().get_texts())


def test_imbalance_grid():
    rows = []
    for backend in ("numpy", "pytorch"):
        for cw in ("none", "balanced"):
            for rule in ("0.5", "tuned F1"):
                rows.append(dict(backend=backend, class_weight=cw, threshold_rule=rule,
                                 accuracy=0.8, precision=0.4, recall=0.5, f1=0.44, pr_auc=0.45))
    fig = _check(figures.imbalance_grid(rows))
    heatmap_axes = [ax for ax in fig.axes if ax.get_title() in ("numpy", "pytorch")]
    assert len(heatmap_axes) == 2
    with pytest.raises(KeyError):
        figures.imbalance_grid([{"backend": "numpy"}])


def test_loglog_scaling():
    xs = [1_000, 10_000, 100_000]
    fig = _check(cost_figures.loglog_scaling(xs, {"NumPy MLP": [0.1, 1.0, 10.0], "PyTorch MLP": [0.2, 0.5, 2.0]},
                                  "Rows", "Seconds", "Scaling", reference_slope=1))
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert len(ax.get_lines()) == 3


def test_figures_use_evaluate_output(data):
    y, probas = data
    cms = {name: evaluate(y, p, 0.3)["confusion_matrix"] for name, p in probas.items()}
    _check(figures.confusion_heatmaps(cms))
