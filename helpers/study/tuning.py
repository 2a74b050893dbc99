"""Choosing hyper-parameters without the test split: k-fold cross-validation on the training rows.

Every model family gets the same treatment: a small grid, scored by PR-AUC (average precision) on the
same folds of the split's **training rows only**, the best mean chosen. The folds follow the split's
own rule (:func:`helpers.data.folds.for_split`): **grouped by patient** for the stratified, grouped and
original splits, whose training rows repeat patients (random row folds would put one patient's
near-duplicate same-day appointments on both sides of a fold and favour weak regularisation), and
**forward-chaining by day** for the temporal split (each fold trains on the earlier days and is
scored on the next days). Inside each fold the networks and gradient boosting early-stop on a slice of
the fold's training rows cut by the same rule (:func:`helpers.data.folds.early_stopping_rows`: whole
patients, or the latest days; about :data:`helpers.models.base.VALIDATION_FRACTION` of the rows) and
fit on the rest; the logistic regression, which does not stop early, fits on all of them. Neither
the validation nor the test split takes part in the choice. The networks are tuned with the NumPy
backend: the training loop is shared, so the choice holds for the PyTorch twin too. The validation
split is too small to rank settings that differ by a few thousandths (its PR-AUC moves by about 0.01
between seeds); the folds compare settings pairwise on identical rows.

Fits run in parallel worker processes (:func:`helpers.study.parallel.run_tasks`) and each split's tables
are cached in ``data/results/<split>/tuning_<family>.json`` with the kind of folds, the data and the
code fingerprints.
"""

from __future__ import annotations

import inspect
import os
import time

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import average_precision_score
from sklearn.model_selection import ParameterGrid

from helpers import paths
from helpers.artifacts import cached_json, to_jsonable, write_json
from helpers.data import folds as cv
from helpers.fingerprint import source_fingerprint
from helpers.models.base import VALIDATION_FRACTION
from helpers.study.parallel import data_fingerprint, run_tasks
from helpers.study.runs import build_model

__all__ = ["DEFAULT_GRIDS", "FAMILIES", "best_setting", "cross_validate_grid", "describe_choice",
           "find_setting", "fold_rows", "largest_effects", "load_grid", "save_grid", "takes_validation_rows",
           "tune_split"]

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


def takes_validation_rows(model) -> bool:
    """Whether ``model.fit`` takes early-stopping rows (``X_val``, ``y_val``) and would use them.

    A capability check, not a list of names: the networks and
    :class:`~sklearn.ensemble.HistGradientBoostingClassifier` take them (the latter unless its
    ``early_stopping`` is False, when it refuses them); the logistic regression does not.
    """
    try:
        parameters = inspect.signature(model.fit).parameters
    except (TypeError, ValueError):
        return False
    if not {"X_val", "y_val"} <= set(parameters):
        return False
    get_params = getattr(model, "get_params", None)
    return not (get_params is not None and get_params().get("early_stopping", True) is False)


def _score_fold(task: dict) -> tuple[float, float]:
    """Worker: fit one setting on one fold's training rows; (PR-AUC on its held-out rows, seconds).

    A model that stops early (:func:`takes_validation_rows`) fits on ``task["fit"]`` and stops on
    ``task["stop"]`` (both parts of the fold's training rows); any other fits on all of ``task["train"]``.
    """
    X, y, held_out = task["X"], task["y"], task["held_out"]
    model = clone(task["estimator"]).set_params(**task["params"])
    started = time.perf_counter()
    if task.get("stop") is not None and takes_validation_rows(model):
        fit, stop = task["fit"], task["stop"]
        model.fit(X[fit], y[fit], X_val=X[stop], y_val=y[stop])
    else:
        model.fit(X[task["train"]], y[task["train"]])
    seconds = time.perf_counter() - started
    return float(average_precision_score(y[held_out], model.predict_proba(X[held_out])[:, 1])), seconds


def fold_rows(split: str, y, groups=None, days=None, n_splits: int = cv.DEFAULT_FOLDS, seed: int = 42,
              stop_fraction: float | None = VALIDATION_FRACTION) -> list[dict]:
    """The rows of every tuning fold: what each model fits on, stops on and is scored on.

    Parameters
    ----------
    split : str
        The split kind: its folds follow :func:`helpers.data.folds.for_split`.
    y : ndarray of shape (n,)
        Labels of the split's training rows.
    groups, days : ndarray of shape (n,), optional
        Their patients and days.
    n_splits, seed : int
    stop_fraction : float or None
        Share of a fold's training rows in its early-stopping slice
        (:func:`helpers.data.folds.early_stopping_rows`); None: no slice.

    Returns
    -------
    list of ``n_splits`` dicts
        ``train`` (the fold's training positions), ``held_out`` (its scored positions), ``fit`` and
        ``stop`` (``train`` cut into rows to fit on and the early-stopping slice; None without
        ``stop_fraction``): sorted int64 positions into ``y``.
    """
    y = np.asarray(y)
    groups = None if groups is None else np.asarray(groups)
    days = None if days is None else np.asarray(days)
    out = []
    for train, held_out in cv.for_split(split, y, groups, n_splits, seed, days=days):
        fit = stop = None
        if stop_fraction is not None:
            fit_pos, stop_pos = cv.early_stopping_rows(
                split, y[train], None if groups is None else groups[train],
                days=None if days is None else days[train], fraction=stop_fraction, seed=seed)
            fit, stop = train[fit_pos], train[stop_pos]
        out.append({"train": train, "held_out": held_out, "fit": fit, "stop": stop})
    return out


def cross_validate_grid(estimator, param_grid: dict, X, y, n_splits: int = cv.DEFAULT_FOLDS, seed: int = 42,
                        progress: bool = True, groups=None, n_jobs: int = 1, *, split: str = "stratified",
                        days=None, stop_fraction: float = VALIDATION_FRACTION) -> pd.DataFrame:
    """PR-AUC of every setting in ``param_grid`` by k-fold cross-validation on the training rows.

    The folds are :func:`helpers.data.folds.for_split`'s for ``split``: forward-chaining by day for
    ``"temporal"``; else grouped by patient when ``groups`` is given, stratified on the label without.
    A model that stops early (the networks, gradient boosting: :func:`takes_validation_rows`) fits on
    each fold's training rows less an early-stopping slice cut by the same rule
    (:func:`helpers.data.folds.early_stopping_rows`) and stops on that slice; any other model fits on
    all of the fold's training rows. The held-out rows are only scored.

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
        Folds; the same folds (seeded by ``seed``) for every setting.
    seed : int
    progress : bool
        A tqdm bar over the fits.
    groups : ndarray of shape (n,), optional
        Patient of each row: folds (and early-stopping slices) grouped by patient.
    n_jobs : int
        Worker processes.
    split : str
        The split kind whose folds to use (``"temporal"`` needs ``days``).
    days : ndarray of shape (n,), optional
        Appointment day of each row (int64 days since 1970-01-01).
    stop_fraction : float
        Share of a fold's training rows in its early-stopping slice.

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
    settings = list(ParameterGrid(param_grid))
    base = clone(estimator)
    if "verbose" in base.get_params():
        base.set_params(verbose=False)
    stops = takes_validation_rows(base)
    splits = fold_rows(split, y, groups, days, n_splits, seed, stop_fraction if stops else None)
    tasks = [{"estimator": base, "params": params, "X": X, "y": y, **rows}
             for params in settings for rows in splits]
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

    The folds are the split's own (:func:`helpers.data.folds.for_split`, given the training rows'
    patients and days): grouped by patient for the stratified, grouped and original splits,
    forward-chaining by day for the temporal split; the models that stop early do so on a slice of
    each fold's training rows cut by the same rule (:func:`cross_validate_grid`). A cached table is
    reused only when its key matches: the family, grid, fixed settings, folds and their kind, the
    early-stopping share, the seed, the data and the code.

    Parameters
    ----------
    data : PreparedData
        The split's prepared arrays; only the training rows (``X``, ``y``, and their patients
        ``groups`` and days ``days``) are read.
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
        ``family``, ``model``, ``grid``, ``folds``, ``fold_kind`` (a key of
        :data:`helpers.data.folds.FOLD_KINDS`: ``"grouped"`` or ``"forward"``), ``folds_described``
        (e.g. ``"grouped by patient"``), ``stop_fraction``, ``seed``, ``rows`` (training rows),
        ``best`` (the chosen setting), ``cache_key``.

    Raises
    ------
    ValueError
        An unknown family, or data without the training rows' patients (days for ``temporal``).
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown model family {family!r}; choose one of {list(FAMILIES)}")
    grid = DEFAULT_GRIDS[family] if grid is None else grid
    base_params = dict(base_params or {})
    for name in grid:
        base_params.pop(name, None)
    groups = (getattr(data, "groups", None) or {}).get("train")
    days = (getattr(data, "days", None) or {}).get("train")
    kind = cv.fold_kind(split)
    if kind == "forward" and days is None:
        raise ValueError("the temporal split's tuning folds are forward-chaining by day and need the days of the "
                         "training rows (re-run notebook 01)")
    if kind == "grouped" and groups is None:
        raise ValueError(f"the {split} split's tuning folds are grouped by patient and need the patients of the "
                         "training rows (re-run notebook 01)")
    key = to_jsonable({"family": family, "grid": grid, "base": base_params, "folds": n_splits, "fold_kind": kind,
                       "stop_fraction": VALIDATION_FRACTION, "seed": seed, "data": data_fingerprint(data),
                       "code": source_fingerprint(CODE_MODULES)})
    folder = paths.resolve(results_dir, paths.RESULTS_DIR) / split
    loaded = load_grid(folder, family)
    if loaded is not None and loaded[1].get("cache_key") == key:
        return loaded
    estimator = _family_estimator(family, base_params, seed)
    table = cross_validate_grid(estimator, grid, data.X["train"], data.y["train"], n_splits=n_splits, seed=seed,
                                progress=progress, groups=groups, n_jobs=n_jobs, split=split, days=days,
                                stop_fraction=VALIDATION_FRACTION)
    meta = {"family": family, "model": FAMILIES[family], "grid": grid, "folds": n_splits, "fold_kind": kind,
            "folds_described": cv.FOLD_KINDS[kind], "stop_fraction": VALIDATION_FRACTION, "seed": seed,
            "rows": len(data.y["train"]), "best": best_setting(table, list(grid)), "cache_key": key}
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
    """The saved table and its metadata, or None if ``family`` was not tuned for this split.

    A damaged file (unreadable, or without a complete table) is moved aside with a one-line warning
    and counts as not tuned (:func:`helpers.artifacts.cached_json`).
    """
    saved = cached_json(os.path.join(folder, f"tuning_{family}.json"), check=_grid_problem)
    if saved is None:
        return None
    return _table(saved.pop("table"), saved.get("grid", {})), saved


def _grid_problem(saved: dict) -> str | None:
    """Why a saved tuning file cannot be used (None: it can): every row must hold its setting and scores."""
    columns = {*saved.get("grid", {}), "cv_pr_auc", "rank"}
    rows = saved["table"]
    if not rows or any(not columns <= set(row) for row in rows):
        return "its table lacks rows or columns"
    return None


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
