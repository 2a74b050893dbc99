"""Choosing hyper-parameters without the test split: k-fold cross-validation on the training rows.

Every model family gets the same treatment: a small grid, scored by PR-AUC (average precision) on the
same folds of the split's **training rows only** (:func:`helpers.data.folds.for_split`: stratified, or
grouped by patient for the patient-grouped split), the best mean chosen. Inside each fold the
network early-stops on its own stratified slice of the fold's training rows and gradient boosting on
its own internal slice, so neither the validation nor the test split takes part in the choice. The
networks are tuned with the NumPy backend: the training loop is shared, so the choice holds for the
PyTorch twin too. The validation split is too small to rank settings that differ by a few
thousandths (its PR-AUC moves by about 0.01 between seeds); the folds compare settings pairwise on
identical rows.

Fits run in parallel worker processes (:func:`helpers.study.parallel.run_tasks`) and each split's tables
are cached in ``data/results/<split>/tuning_<family>.json`` with the data and code fingerprints.
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import average_precision_score
from sklearn.model_selection import ParameterGrid

from helpers import paths
from helpers.artifacts import read_json, to_jsonable, write_json
from helpers.data import folds as cv
from helpers.fingerprint import source_fingerprint
from helpers.study.parallel import data_fingerprint, run_tasks
from helpers.study.runs import build_model

__all__ = ["FAMILIES", "DEFAULT_GRIDS", "cross_validate_grid", "tune_split", "best_setting", "find_setting",
           "describe_choice", "largest_effects", "save_grid", "load_grid"]

#: Model family -> the model of the report it tunes.
FAMILIES = {"network": "NumPy MLP", "logistic": "Logistic regression", "boosting": "Gradient boosting"}
#: The grids of every family (small enough for a cold ``make report`` within its time budget).
DEFAULT_GRIDS = {
    "network": {"weight_decay": [1e-4, 1e-3, 1e-2], "class_weight": [None, "balanced"]},
    "logistic": {"C": [0.01, 0.1, 1.0, 10.0]},
    "boosting": {"learning_rate": [0.05, 0.1], "l2_regularization": [0.0, 1.0]},
}
CODE_MODULES = ("study.tuning", "study.runs", "data.folds", "study.parallel", "models.base", "models.layers",
                "models.numpy_mlp", "models.torch_mlp", "models.losses", "metrics")


def _score_fold(task: dict) -> tuple[float, float]:
    """Worker: fit one setting on one fold's training rows; (PR-AUC on its held-out rows, seconds)."""
    X, y, train, held_out = task["X"], task["y"], task["train"], task["held_out"]
    model = clone(task["estimator"]).set_params(**task["params"])
    started = time.perf_counter()
    model.fit(X[train], y[train])
    seconds = time.perf_counter() - started
    return float(average_precision_score(y[held_out], model.predict_proba(X[held_out])[:, 1])), seconds


def cross_validate_grid(estimator, param_grid: dict, X, y, n_splits: int = 5, seed: int = 42,
                        progress: bool = True, groups=None, n_jobs: int = 1) -> pd.DataFrame:
    """PR-AUC of every setting in ``param_grid`` by stratified (or patient-grouped) k-fold cross-validation.

    Parameters
    ----------
    estimator : scikit-learn classifier
        Cloned for every fit; ``param_grid`` values are set on the clone (``verbose`` is switched off).
    param_grid : dict
        Parameter name -> list of values (all combinations are tried, as in ``GridSearchCV``).
    X : ndarray of shape (n, n_features)
    y : ndarray of shape (n,)
        Training rows only.
    n_splits : int
        Folds; the same folds (:func:`helpers.data.folds.cv_folds`, seeded by ``seed``) for every setting.
    seed : int
    progress : bool
        A tqdm bar over the fits.
    groups : ndarray of shape (n,), optional
        Patient of each row: folds grouped by patient.
    n_jobs : int
        Worker processes.

    Returns
    -------
    DataFrame, one row per setting
        One column per parameter, then ``cv_pr_auc`` (mean over folds), ``cv_std``, ``fold_1`` ...
        ``fold_k``, ``diff_vs_best`` (mean paired difference to the best setting, fold by fold),
        ``diff_se`` (its standard error), ``fit_seconds`` (mean per fit) and ``rank`` (1 = best).
    """
    if not param_grid:
        raise ValueError("param_grid is empty: give at least one parameter with a list of values")
    X, y = np.asarray(X), np.asarray(y)
    splits = cv.cv_folds(y, groups, n_splits=n_splits, seed=seed)
    settings = list(ParameterGrid(param_grid))
    base = clone(estimator)
    if "verbose" in base.get_params():
        base.set_params(verbose=False)
    tasks = [{"estimator": base, "params": params, "X": X, "y": y, "train": train, "held_out": held_out}
             for params in settings for train, held_out in splits]
    scores = run_tasks(_score_fold, tasks, n_jobs=n_jobs, desc="cross-validation", progress=progress)
    rows = []
    for i, params in enumerate(settings):
        fold_scores = [s for s, _ in scores[i * n_splits:(i + 1) * n_splits]]
        rows.append({**params, "cv_pr_auc": float(np.mean(fold_scores)), "cv_std": float(np.std(fold_scores)),
                     **{f"fold_{k + 1}": s for k, s in enumerate(fold_scores)},
                     "fit_seconds": float(np.mean([t for _, t in scores[i * n_splits:(i + 1) * n_splits]]))})
    table = _table(rows, param_grid)
    fold_cols = [f"fold_{k + 1}" for k in range(n_splits)]
    best = int(table["cv_pr_auc"].to_numpy().argmax())
    diffs = table[fold_cols].to_numpy() - table[fold_cols].to_numpy()[best]
    table["diff_vs_best"] = diffs.mean(axis=1)
    table["diff_se"] = diffs.std(axis=1, ddof=1) / np.sqrt(n_splits) if n_splits > 1 else np.nan
    table["rank"] = table["cv_pr_auc"].rank(ascending=False, method="min").astype(int)
    names = list(param_grid)
    return table[names + ["cv_pr_auc", "cv_std", *fold_cols, "diff_vs_best", "diff_se", "fit_seconds", "rank"]]


def _family_estimator(family: str, base_params: dict, seed: int):
    if family not in FAMILIES:
        raise ValueError(f"unknown model family {family!r}; choose one of {list(FAMILIES)}")
    return build_model(FAMILIES[family], base_params, seed)


def tune_split(data, split: str, family: str, base_params: dict | None = None, grid: dict | None = None,
               n_splits: int = cv.DEFAULT_FOLDS, seed: int = 42, results_dir=None, n_jobs: int = 2,
               progress: bool = True) -> tuple[pd.DataFrame, dict]:
    """Cross-validate ``family``'s grid on ``split``'s training rows (or load it from the cache).

    Parameters
    ----------
    data : PreparedData
        The split's prepared arrays; only the training rows (and, for the grouped split, their
        patients) are read.
    split : str
    family : {"network", "logistic", "boosting"}
    base_params : dict, optional
        The model's fixed settings (e.g. the network's architecture); the grid's values override them.
    grid : dict, optional
        Default :data:`DEFAULT_GRIDS` ``[family]``.
    n_splits, seed : int
        Folds and their seed (also the models' seed).
    results_dir : path, optional
    n_jobs : int

    Returns
    -------
    table : DataFrame
        As :func:`cross_validate_grid`.
    meta : dict
        ``family``, ``model``, ``grid``, ``folds``, ``seed``, ``rows`` (training rows), ``grouped``,
        ``best`` (the chosen setting), ``cache_key``.
    """
    grid = DEFAULT_GRIDS[family] if grid is None else grid
    base_params = dict(base_params or {})
    for name in grid:
        base_params.pop(name, None)
    groups = getattr(data, "groups", None) or {}
    grouped = split == "grouped"
    if grouped and groups.get("train") is None:
        raise ValueError("the grouped split's tuning folds need the patients of the training rows (re-run notebook 01)")
    key = to_jsonable({"family": family, "grid": grid, "base": base_params, "folds": n_splits, "seed": seed,
                       "grouped": grouped, "data": data_fingerprint(data), "code": source_fingerprint(CODE_MODULES)})
    folder = paths.resolve(results_dir, paths.RESULTS_DIR) / split
    loaded = load_grid(folder, family)
    if loaded is not None and loaded[1].get("cache_key") == key:
        return loaded
    estimator = _family_estimator(family, base_params, seed)
    table = cross_validate_grid(estimator, grid, data.X["train"], data.y["train"], n_splits=n_splits, seed=seed,
                                progress=progress, groups=groups.get("train") if grouped else None, n_jobs=n_jobs)
    meta = {"family": family, "model": FAMILIES[family], "grid": grid, "folds": n_splits, "seed": seed,
            "rows": int(len(data.y["train"])), "grouped": grouped, "best": best_setting(table, list(grid)),
            "cache_key": key}
    save_grid(table, folder, **meta)
    return load_grid(folder, family)


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


def save_grid(table: pd.DataFrame, folder: str | os.PathLike, family: str = "network", **meta) -> os.PathLike:
    """Write the table and ``meta`` (grid, folds, seed, rows, ...) to ``folder/tuning_<family>.json``, atomically."""
    return write_json(os.path.join(folder, f"tuning_{family}.json"), {**meta, "table": table.to_dict("records")})


def load_grid(folder: str | os.PathLike, family: str = "network") -> tuple[pd.DataFrame, dict] | None:
    """The saved table and its metadata, or None if ``family`` was not tuned for this split."""
    path = os.path.join(folder, f"tuning_{family}.json")
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
