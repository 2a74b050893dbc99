"""The report's look: one colour per model, the plot style, and :func:`save_fig`, the one way a figure is saved.

Importing this module changes no global state: notebooks call :func:`set_style` explicitly.
Each model keeps one colour in every figure (:data:`MODEL_COLORS`, :func:`color_for`). Figure
text uses only ASCII (">=", not the Unicode sign) so that the PDF export's LaTeX fonts can render
any label copied into the report. The figures themselves live beside the numbers they draw:
:mod:`helpers.data.figures` (notebook 01), :mod:`helpers.compare.figures` (02-05) and
:mod:`helpers.cost.figures` (06).
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.figure import Figure

from helpers import paths
from helpers.artifacts import atomic_write
from helpers.metrics import METRIC_LABELS

# --------------------------------------------------------------------------- colours
# seaborn's colour-blind palette, fixed here so a model's colour never depends on the
# order in which figures are drawn.
MODEL_COLORS: dict[str, str] = {
    "NumPy MLP": "#0173b2",
    "PyTorch MLP": "#d55e00",
    "scikit-learn MLP": "#ca9161",
    "Logistic regression": "#029e73",
    "Gradient boosting": "#cc78bc",
    "Always show (dummy)": "#949494",
}
_ALIASES = {
    "numpy": "NumPy MLP",
    "numpy mlp": "NumPy MLP",
    "pytorch": "PyTorch MLP",
    "torch": "PyTorch MLP",
    "pytorch mlp": "PyTorch MLP",
    "scikit-learn mlp": "scikit-learn MLP",
    "mlpclassifier": "scikit-learn MLP",
    "logistic regression": "Logistic regression",
    "logreg": "Logistic regression",
    "gradient boosting": "Gradient boosting",
    "dummy": "Always show (dummy)",
    "always show (dummy)": "Always show (dummy)",
}
FALLBACK_COLORS = ("#de8f05", "#56b4e9", "#fbafe4", "#ece133", "#000000")
CLASS_COLORS = ("#56b4e9", "#de8f05")  # show, no-show


#: Words that name a model inside a longer label ("NumPy MLP, 2 thr", "numpy/1", "PyTorch (float64)").
_MODEL_WORDS: dict[str, tuple[str, ...]] = {
    "NumPy MLP": ("numpy",),
    "PyTorch MLP": ("pytorch", "torch"),
    "scikit-learn MLP": ("scikit-learn mlp", "sklearn mlp"),
    "Logistic regression": ("logistic", "logreg"),
    "Gradient boosting": ("gradient boosting", "gradientboosting", "boosting", "gbm", "gbdt"),
    "Always show (dummy)": ("dummy", "always show"),
}


def model_of(name: str) -> str | None:
    """The model a label names (a key of :data:`MODEL_COLORS`), or None.

    Parameters
    ----------
    name : str
        A model name, a short alias (``"numpy"``, ``"torch"``, ...) or a longer label that
        names exactly one model, such as ``"NumPy MLP, 2 thr"``, ``"numpy/1"`` or
        ``"PyTorch (float64)"``. A label naming two models (``"NumPy - PyTorch"``) names none.

    Returns
    -------
    str or None
    """
    if name in MODEL_COLORS:
        return name
    text = str(name).strip().lower()
    if text in _ALIASES:
        return _ALIASES[text]
    found = [model for model, words in _MODEL_WORDS.items() if any(w in text for w in words)]
    return found[0] if len(found) == 1 else None


def color_for(name: str) -> str:
    """The colour of a model in every figure.

    Parameters
    ----------
    name : str
        A key of :data:`MODEL_COLORS`, a short alias, or any label naming one model
        (:func:`model_of`: ``"NumPy MLP, 2 thr"`` and ``"numpy/1"`` get the NumPy colour).

    Returns
    -------
    str
        A hex colour. Names of no model get a colour from :data:`FALLBACK_COLORS`, which holds no
        model's colour, chosen from a checksum of the name (the same in every run and process).
    """
    model = model_of(name)
    if model is not None:
        return MODEL_COLORS[model]
    return FALLBACK_COLORS[zlib.crc32(str(name).encode("utf-8")) % len(FALLBACK_COLORS)]


def title_color(name: str) -> str:
    """A model's colour for a panel title; black for names that are not models."""
    return color_for(name) if model_of(name) is not None else "black"


def set_style() -> None:
    """Seaborn theme and font sizes used by the notebooks (changes global rcParams)."""
    sns.set_theme(
        context="notebook",
        style="whitegrid",
        palette="colorblind",
        rc={
            "figure.figsize": (7.0, 4.2),
            "figure.dpi": 100,
            "savefig.dpi": 200,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "xtick.labelsize": 10,
            "ytick.labelsize": 10,
            "legend.fontsize": 9,
            "legend.title_fontsize": 10,
            "figure.titlesize": 13,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "pdf.fonttype": 42,  # embed TrueType: selectable text in the PDF
        },
    )


# ----------------------------------------------------------------------------- saving
def save_fig(
    fig: Figure,
    name: str,
    folder: str | os.PathLike | None = None,
    formats: Sequence[str] = ("png", "pdf"),
    dpi: int = 200,
) -> list[Path]:
    """Save ``fig`` as ``<folder>/<name>.<fmt>`` for each format, atomically.

    Parameters
    ----------
    fig : Figure
        The figure to save (never the implicit current one).
    name : str
        File name without extension (a trailing ``.png``/``.pdf`` is dropped).
    folder : str, PathLike or None
        Target folder; ``None`` means ``paths.FIGURES_DIR``, relative paths are taken
        from the repository root (:func:`helpers.paths.resolve`). Created if missing.
    formats : sequence of str
        File formats; PNG for the notebooks and HTML, PDF for vector figures in the
        PDF export.
    dpi : int
        Resolution of raster formats.

    Returns
    -------
    list of Path
        Absolute paths of the written files, in the order of ``formats``.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"save_fig needs a matplotlib Figure, got {type(fig).__name__}")
    if isinstance(formats, str):
        formats = (formats,)
    stem = str(name)
    for fmt in formats:
        if stem.lower().endswith("." + fmt.lower()):
            stem = stem[: -len(fmt) - 1]
    if not stem or Path(stem).name != stem:
        raise ValueError(f"name must be a plain file name, got {name!r}")
    out_dir = paths.resolve(folder, paths.FIGURES_DIR).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        fmt = fmt.lower().lstrip(".")
        target = out_dir / f"{stem}.{fmt}"
        # no creation date in the PDF: re-running gives identical files
        metadata = {"CreationDate": None} if fmt == "pdf" else None
        atomic_write(target, lambda fh, fmt=fmt, metadata=metadata: fig.savefig(
            fh, format=fmt, dpi=dpi, bbox_inches="tight", metadata=metadata))
        written.append(target)
    return written


# ---------------------------------------------------------------------------- helpers
def new_axes(ax=None, figsize=(6.5, 4.0)):
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, ax


def metric_label(metric: str) -> str:
    return METRIC_LABELS.get(metric, metric.replace("_", " "))


def pct(v: float, digits: int = 1) -> str:
    return f"{100 * v:.{digits}f}%"


