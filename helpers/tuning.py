"""Choosing hyper-parameters without the test split: k-fold cross-validation on the training rows.

The validation split is small (about 11,000 rows, 2,200 no-shows): its PR-AUC moves by about 0.01
between seeds, more than the differences between reasonable settings. Cross-validation on the
training rows scores every setting on all of them, on the same folds, so settings are compared
pairwise on identical data. Inside each fold the network early-stops on its own stratified slice of
the fold's training rows (``fit`` without ``X_val``), so neither the validation nor the test split
takes part in the choice.

The folds come from :class:`sklearn.model_selection.StratifiedKFold`, the scores from
:func:`sklearn.model_selection.cross_validate` with ``scoring="average_precision"`` (PR-AUC).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import ParameterGrid, StratifiedKFold, cross_validate
from tqdm import tqdm

from .artifacts import read_json, write_json

__all__ = ["cross_validate_grid", "best_setting", "find_setting", "describe_choice", "largest_effects", "save_grid", "load_grid"]

#: File name of the saved grid in ``data/results/<split>/``.
GRID_FILE = "cv_grid.json"


def cross_validate_grid(estimator, param_grid: dict, X, y, n_splits: int = 5, seed: int = 42,
                        progress: bool = True) -> pd.DataFrame:
    """PR-AUC of every setting in ``param_grid`` by stratified k-fold cross-validation.

    Parameters
    ----------
    estimator : scikit-learn classifier
        Cloned for every fit; ``param_grid`` values are set on the clone.
    param_grid : dict
        Parameter name -> list of values (all combinations are tried, as in ``GridSearchCV``).
    X, y : training rows only
    n_splits : int
        Folds; the same folds (seeded by ``seed``) for every setting.
    seed : int
    progress : bool
        A tqdm bar over the settings.

    Returns
    -------
    DataFrame, one row per setting
        One column per parameter, then ``cv_pr_auc`` (mean over folds), ``cv_std``, ``fold_1`` ...
        ``fold_k``, ``diff_vs_best`` (mean paired difference to the best setting, fold by fold),
        ``diff_se`` (its standard error), ``fit_seconds`` (mean per fit) and ``rank`` (1 = best).
    """
    if not param_grid:
        raise ValueError("param_grid is empty: give at least one parameter with a list of values")
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    settings = list(ParameterGrid(param_grid))
    rows = []
    for params in tqdm(settings, desc="cross-validation", unit="setting", disable=not progress, ascii=True):
        model = clone(estimator).set_params(**params)
        if "verbose" in model.get_params():
            model.set_params(verbose=False)
        scores = cross_validate(model, X, y, cv=folds, scoring="average_precision", error_score="raise")
        rows.append({**params, "cv_pr_auc": float(np.mean(scores["test_score"])),
                     "cv_std": float(np.std(scores["test_score"])),
                     **{f"fold_{k + 1}": float(s) for k, s in enumerate(scores["test_score"])},
                     "fit_seconds": float(np.mean(scores["fit_time"]))})
    table = _table(rows, param_grid)
    fold_cols = [f"fold_{k + 1}" for k in range(n_splits)]
    best = int(table["cv_pr_auc"].to_numpy().argmax())
    diffs = table[fold_cols].to_numpy() - table[fold_cols].to_numpy()[best]
    table["diff_vs_best"] = diffs.mean(axis=1)
    table["diff_se"] = diffs.std(axis=1, ddof=1) / np.sqrt(n_splits) if n_splits > 1 else np.nan
    table["rank"] = table["cv_pr_auc"].rank(ascending=False, method="min").astype(int)
    names = list(param_grid)
    return table[names + ["cv_pr_auc", "cv_std", *fold_cols, "diff_vs_best", "diff_se", "fit_seconds", "rank"]]


def best_setting(table: pd.DataFrame, param_names) -> dict:
    """The parameters of the setting ranked first (the first of any ties, in grid order)."""
    row = table.loc[table["rank"].idxmin()]
    return {name: _plain(row[name]) for name in param_names}


def find_setting(table: pd.DataFrame, used: dict):
    """Index label of the grid row holding the setting ``used`` (numbers compare by value), or None."""
    match = np.ones(len(table), dtype=bool)
    for name, value in used.items():
        match &= table[name].map(lambda v, value=value: _same(v, value)).to_numpy()
    return table.index[match][0] if match.any() else None


def describe_choice(table: pd.DataFrame, used: dict) -> str:
    """A sentence comparing the parameters used with the cross-validated best (Markdown)."""
    best_row = table.loc[table["rank"].idxmin()]
    shown = ", ".join(f"`{k}={v!r}`" for k, v in best_setting(table, list(used)).items())
    text = f"Cross-validation ranks {shown} first (mean PR-AUC {best_row['cv_pr_auc']:.4f} over the folds). "
    found = find_setting(table, used)
    if found is None:
        return text + "The setting used below is not in the grid, so the grid does not rank it."
    used_row = table.loc[found]
    if used_row["rank"] == 1:
        return text + "This notebook trains with that setting."
    return (text + f"The setting used below ranks {int(used_row['rank'])} of {len(table)} "
            f"({used_row['diff_vs_best']:+.4f} ± {used_row['diff_se']:.4f} PR-AUC against the best, fold by fold).")


def largest_effects(table: pd.DataFrame, a: str, b: str) -> dict:
    """How far each of two parameters moves the mean CV PR-AUC with the other held fixed.

    Returns
    -------
    dict
        ``{a: largest range of cv_pr_auc over a's values at one value of b, b: the same the other way}``.
    """
    keys = table[[a, b]].map(repr)  # None and floats alike become hashable labels
    frame = table.assign(_a=keys[a], _b=keys[b])
    return {a: float(frame.groupby("_b")["cv_pr_auc"].agg(np.ptp).max()),
            b: float(frame.groupby("_a")["cv_pr_auc"].agg(np.ptp).max())}


def save_grid(table: pd.DataFrame, folder: str | os.PathLike, **meta) -> os.PathLike:
    """Write the table and ``meta`` (grid, folds, seed, rows) to ``folder/cv_grid.json``, atomically."""
    return write_json(os.path.join(folder, GRID_FILE), {**meta, "table": table.to_dict("records")})


def load_grid(folder: str | os.PathLike) -> tuple[pd.DataFrame, dict] | None:
    """The saved table and its metadata, or None if the grid was not run for this split."""
    path = os.path.join(folder, GRID_FILE)
    if not os.path.isfile(path):
        return None
    saved = read_json(path)
    return _table(saved.pop("table"), saved.get("grid", {})), saved


def _table(rows: list[dict], param_names) -> pd.DataFrame:
    """``rows`` as a DataFrame whose parameter columns are object columns, so that None stays None
    (pandas would turn a column of strings and None into a string column holding NaN)."""
    table = pd.DataFrame(rows)
    for name in param_names:
        table[name] = pd.Series([row[name] for row in rows], dtype=object)
    return table


def _plain(value):
    """NumPy scalars and pandas' missing values as plain Python values (None for a missing one)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _same(a, b) -> bool:
    a, b = _plain(a), _plain(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return bool(np.isclose(a, b, rtol=1e-12, atol=0.0))
    return a == b
