"""Tables as readers see them: Markdown pipe tables, typeset as real tables in HTML and PDF.

A pandas frame displayed in a notebook is an HTML table in JupyterLab but wrapped console text in
the LaTeX (PDF) export. :func:`show` renders a frame as a Markdown pipe table instead
(``DataFrame.to_markdown``, via ``tabulate``), which JupyterLab and nbconvert's HTML show as a
table and pandoc turns into a LaTeX ``longtable``; a ``caption`` becomes a numbered table caption
in the PDF (pandoc's ``Table: ...`` syntax).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from helpers.metrics import METRIC_LABELS

__all__ = ["show", "markdown"]

#: Column names shown as readers know them: the metrics' names (``helpers.metrics.METRIC_LABELS``) and a few more.
_LABELS = {**METRIC_LABELS, "threshold_rule": "Threshold rule", "class_weight": "Class weight",
           "cv_pr_auc": "CV PR-AUC", "cv_std": "CV SD", "diff_vs_best": "vs best", "diff_se": "SE",
           "fit_seconds": "s per fit"}


def _format(value, digits: int) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        v = float(value)
        if v != 0 and abs(v) < 10 ** (-digits):
            return f"{v:.{max(1, digits - 1)}g}"
        return f"{v:,.{digits}f}"
    return str(value).replace("|", "/").replace("\n", " ")


def _whole(column: pd.Series) -> bool:
    """True when every value of a numeric column is a whole number or missing (shown without decimals, "-")."""
    if not pd.api.types.is_float_dtype(column):
        return False
    finite = column[np.isfinite(column)]
    return bool(len(finite)) and bool(np.all(finite == np.round(finite))) and bool(np.all(np.abs(finite) < 1e15)) \
        and len(finite) == len(column.dropna())


def markdown(frame: pd.DataFrame | pd.Series, caption: str | None = None, digits: int = 3,
             index: bool = True) -> str:
    """``frame`` as a Markdown pipe table (numbers rounded to ``digits``; ints with thousands separators).

    Parameters
    ----------
    frame : DataFrame or Series
        A Series becomes a one-column table.
    caption : str, optional
        Written after the table as pandoc's ``Table: caption`` line (a numbered caption in the PDF).
    digits : int
        Decimals of floats; a float smaller than ``10**-digits`` is shown in ``g`` format.
    index : bool
        Include the index as the first column.
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame(frame.name if frame.name is not None else "value")
    shown = frame.copy()
    shown.columns = [_LABELS.get(str(c), str(c)) for c in shown.columns]
    body = shown.apply(lambda col: col.map(lambda v, whole=_whole(col): _format(int(v) if whole and v == v else v, digits)))
    body = body.astype(str)
    if index:  # a MultiIndex entry (a tuple) reads as "a / b / c"
        body.index = [" / ".join(_format(v, digits) for v in i) if isinstance(i, tuple) else _format(i, digits)
                      for i in body.index]
        body.index.name = frame.index.name or ""
    text = body.to_markdown(index=index, disable_numparse=True)
    if caption:
        text += f"\n\nTable: {caption}"
    return text


def show(frame: pd.DataFrame | pd.Series, caption: str | None = None, digits: int = 3, index: bool = True):
    """Display object for a notebook cell: :func:`markdown` wrapped in ``IPython.display.Markdown``."""
    from IPython.display import Markdown

    return Markdown(markdown(frame, caption=caption, digits=digits, index=index))
