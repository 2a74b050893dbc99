"""helpers.style: one colour per model for any label naming it, set_style only when asked, and
save_fig writing the given figure reproducibly where it is told."""

from __future__ import annotations

import os

import matplotlib
import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import pytest

from helpers import paths, style


# ------------------------------------------------------------------------------ colours
@pytest.mark.parametrize(("label", "model"), [
    ("NumPy MLP, 2 thr", "NumPy MLP"),
    ("numpy/1", "NumPy MLP"),
    ("NumpyMLPClassifier", "NumPy MLP"),
    ("PyTorch MLP, 1 thr", "PyTorch MLP"),
    ("PyTorch (float64)", "PyTorch MLP"),
    ("torch/2", "PyTorch MLP"),
    ("Logistic regression (tuned)", "Logistic regression"),
    ("Gradient boosting, temporal", "Gradient boosting"),
    ("Always show (dummy)", "Always show (dummy)"),
])
def test_labels_naming_a_model_get_its_colour(label, model):
    assert style.model_of(label) == model
    assert style.color_for(label) == style.MODEL_COLORS[model]


def test_benchmark_series_get_one_colour_per_backend():
    labels = ["NumPy MLP, 1 thr", "NumPy MLP, 2 thr", "PyTorch MLP, 1 thr", "PyTorch MLP, 2 thr"]
    colours = [style.color_for(label) for label in labels]
    assert colours[0] == colours[1] != colours[2] == colours[3]


@pytest.mark.parametrize("label", ["Some other model", "NumPy - PyTorch difference", "x", "random forest"])
def test_unknown_names_never_take_a_model_colour(label):
    assert style.model_of(label) is None
    assert style.color_for(label) not in style.MODEL_COLORS.values()
    assert style.color_for(label) in style.FALLBACK_COLORS


def test_an_unknown_name_gets_the_same_colour_in_every_process():
    """The fallback colour comes from a checksum of the name, not from Python's salted hash()."""
    import subprocess
    import sys

    labels = ["Some other model", "NumPy - PyTorch difference", "x", "random forest", "SVM", "kNN"]
    code = f"from helpers import style; print([style.color_for(n) for n in {labels!r}])"
    seen = {subprocess.run([sys.executable, "-c", code], cwd=paths.REPO_ROOT, capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip()
            for seed in ("1", "2")}
    assert seen == {str([style.color_for(n) for n in labels])}
    assert len({style.color_for(n) for n in labels}) > 1  # the names spread over the fallback colours


# -------------------------------------------------------------------------- data errors


def test_colors_fixed_and_distinct():
    from helpers.study.runs import MODELS

    assert set(style.MODEL_COLORS) == set(MODELS)  # every model of the study has its own colour
    assert len(set(style.MODEL_COLORS.values())) == len(style.MODEL_COLORS)
    for name, c in style.MODEL_COLORS.items():
        assert style.color_for(name) == c
    assert style.color_for("numpy") == style.MODEL_COLORS["NumPy MLP"]
    assert style.color_for("torch") == style.MODEL_COLORS["PyTorch MLP"]
    assert style.color_for("MLPClassifier") == style.MODEL_COLORS["scikit-learn MLP"]
    assert style.color_for("NumpyMLPClassifier") == style.MODEL_COLORS["NumPy MLP"]
    unknown = style.color_for("Some other model")
    assert matplotlib.colors.is_color_like(unknown)
    assert unknown not in style.MODEL_COLORS.values()


def test_import_has_no_style_side_effect_and_set_style_changes_rc():
    import importlib

    before = dict(matplotlib.rcParams)
    importlib.reload(style)
    assert dict(matplotlib.rcParams) == before
    with matplotlib.rc_context():
        style.set_style()
        assert matplotlib.rcParams["savefig.dpi"] == 200


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
