"""Does the model work for every group of patients? Performance per subgroup, with intervals.

TRIPOD+AI (G. S. Collins et al., "TRIPOD+AI statement: updated guidance for reporting clinical
prediction models that use regression or machine learning methods", *BMJ* 385:e078378, 2024) asks a
report to give a model's performance in key subgroups and to discuss its fairness. The model here
is meant to *prioritise reminder calls*; a group it serves worse would get fewer of the calls that
could prevent its missed appointments. This module measures, on the **test rows** of one split:

- **the groups** (:func:`define_groups`): sex, age band (0-17, 18-39, 40-64, 65+), enrolment in the
  Bolsa Familia welfare programme, a recorded chronic condition or disability (hypertension,
  diabetes, alcoholism or a disability), and the neighbourhood's no-show rate (low / middle / high:
  cut at the tertiles of the *training rows'* rates, the cut points then applied to the test rows,
  so no test row shapes its own group);
- **per group** (:func:`subgroup_evidence`): the no-show rate (prevalence), PR-AUC, recall and
  precision at each run's own validation-tuned threshold, and calibration-in-the-large (the
  intercept of :func:`helpers.compare.calibration.calibration_fit`: 0 when the group's mean
  predicted risk equals its observed rate). Each is the mean over seeds of each seed's value on the
  group's test rows, with a 95 % interval from the report's hierarchical bootstrap
  (:mod:`helpers.compare.evidence`): every replicate draws test *patients* (whole patients, their
  appointments are not independent) and seeds with replacement, with the very same draws as
  :func:`helpers.compare.evidence.resample_runs` and
  :func:`helpers.compare.calibration.calibration_evidence`; a group's value in a replicate is the mean
  over the drawn seeds of that seed's value on the drawn rows of the group;
- **the largest gap** within each grouping (:func:`largest_gaps`): the group with the highest minus
  the group with the lowest mean, its interval from the same replicates (paired: both groups come
  from the same draw);
- **the twins in every group** (:func:`twin_differences`): NumPy MLP minus PyTorch MLP per group,
  worded by the report's four-way rule (:func:`helpers.compare.verdicts.classify`).

A gap is read as a reason to look at how the calls reach that group -- never as a reason to deny or
reduce anyone's care. The bootstrap's metrics are those of :func:`helpers.metrics.weighted_resample_metrics`
(equal to :func:`helpers.metrics.evaluate` on the resampled rows); :func:`metric_frame` gives one
run's point values as a :class:`fairlearn.metrics.MetricFrame` (sklearn's metrics) to inspect and to
cross-check them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from helpers.artifacts import cached_arrays
from helpers.compare.calibration import _BOOT_TOL, _logistic, _logit, calibration_fit
from helpers.compare.evidence import (
    per_run,
    percentile_interval,
    replicate_means,
    replicates_path,
    row_weights,
    seed_draws,
)
from helpers.compare.verdicts import (
    BEYOND,
    EQUIVALENT,
    INCONCLUSIVE,
    WITHIN,
    classify,
    direction,
    outcome,
)
from helpers.data.features import FEATURE_NAMES
from helpers.metrics import weighted_resample_metrics
from helpers.study.runs import NETWORKS

if TYPE_CHECKING:
    from helpers.data.prepared import PreparedData
    from helpers.study.runs import Runs

__all__ = ["AGE_BANDS", "GROUPINGS", "METRICS", "OVERALL", "Groupings", "SubgroupEvidence", "define_groups",
           "definitions_sentence", "forest_cells", "group_intervals", "largest_gaps", "metric_frame",
           "subgroup_evidence", "subgroup_sentence", "subgroup_table", "twin_differences", "twins_sentence"]

SEX = "Sex"
AGE = "Age band"
WELFARE = "Welfare programme (Bolsa Familia)"
CHRONIC = "Chronic condition or disability"
HOOD = "Neighbourhood no-show rate"
#: The groupings, in table order.
GROUPINGS = (SEX, AGE, WELFARE, CHRONIC, HOOD)
#: Age bands: (lowest age, first age of the next band, label).
AGE_BANDS = ((0, 18, "0-17"), (18, 40, "18-39"), (40, 65, "40-64"), (65, np.inf, "65+"))
#: The grouping of the one cell that holds every test row (the reference the groups are read against).
OVERALL = "All test rows"
_ALL = "all"
#: The model-dependent metrics per group (the prevalence depends on the rows only).
METRICS = ("pr_auc", "recall", "precision", "intercept")
_BOOT = ("pr_auc", "recall", "precision")  # resampled by weighted_resample_metrics
_NAMES = {"prevalence": "no-show rate", "pr_auc": "PR-AUC", "recall": "recall", "precision": "precision",
          "intercept": "calibration intercept"}
_CHUNK = 50  # replicates scored at once (small blocks stay in the CPU cache)
#: The code whose changes invalidate a cached result.
_CODE = ("compare.subgroups", "compare.calibration", "metrics")
_DUMMY = "Always show (dummy)"


# =========================================================================== the groups
@dataclass
class Groupings:
    """Which group each row of one part belongs to, per grouping.

    Attributes
    ----------
    labels : dict of str -> ndarray of shape (n,), object
        Per grouping, the group label of each row (in the order of ``data.*[part]``).
    order : dict of str -> tuple of str
        Per grouping, its groups in table order.
    cuts : dict of str -> list of float
        The cut points read from the training rows (the neighbourhood rate's tertiles).
    part : str
        The part the labels are for (``"test"``).
    y : ndarray of shape (n,), optional
        The part's labels: :func:`subgroup_evidence` checks they are the runs' test labels.
    patients : ndarray of shape (n,), optional
        The part's patient codes (to count patients per group).
    """

    labels: dict[str, np.ndarray]
    order: dict[str, tuple[str, ...]]
    cuts: dict[str, list[float]]
    part: str = "test"
    y: np.ndarray | None = None
    patients: np.ndarray | None = None

    @property
    def n_rows(self) -> int:
        return len(next(iter(self.labels.values())))

    def cells(self) -> list[tuple[str, str, np.ndarray]]:
        """``(grouping, group, row positions)`` of every group with at least one row, in table order."""
        out = []
        for grouping, groups in self.order.items():
            for group in groups:
                idx = np.flatnonzero(self.labels[grouping] == group)
                if idx.size:
                    out.append((grouping, group, idx))
        return out


def _column(data: PreparedData, part: str, name: str) -> np.ndarray:
    """The unscaled feature ``name`` of ``part`` (from ``data.features``, else unscaled from ``data.X``)."""
    names = list(data.meta["feature_names"])
    F = data.features.get(part)
    if F is not None and name in FEATURE_NAMES and FEATURE_NAMES.index(name) < F.shape[1]:
        if names[:len(FEATURE_NAMES)] != FEATURE_NAMES:
            raise ValueError("the prepared data's feature names do not start with helpers.data.features.FEATURE_NAMES")
        return np.asarray(F[:, FEATURE_NAMES.index(name)], dtype=np.float64)
    if name not in names:
        raise ValueError(f"no feature {name!r} in the prepared data ({names})")
    j = names.index(name)
    scaler = data.meta["scaler"]
    return np.asarray(data.X[part][:, j], dtype=np.float64) * scaler["scale"][j] + scaler["mean"][j]


def define_groups(data: PreparedData, part: str = "test") -> Groupings:
    """The groups of every row of ``part``, with every cut point read from the training rows only.

    Parameters
    ----------
    data : PreparedData
        One split's prepared data, loaded with ``sources=True`` (the unscaled features) and with its
        ``train`` part and ``part``.
    part : str
        Whose rows to label (default ``"test"``, the rows the runs are scored on).

    Returns
    -------
    Groupings
        Five groupings (:data:`GROUPINGS`), each a label per row of ``part`` (shape (n,)):

        - ``Sex``: ``female`` / ``male`` (the data's ``Gender``);
        - ``Age band``: ``0-17``, ``18-39``, ``40-64``, ``65+`` (:data:`AGE_BANDS`, fixed in advance);
        - ``Welfare programme (Bolsa Familia)``: ``enrolled`` / ``not enrolled``;
        - ``Chronic condition or disability``: ``one or more recorded`` (hypertension, diabetes,
          alcoholism or a disability, ``Handcap`` > 0) / ``none recorded``;
        - ``Neighbourhood no-show rate``: ``low`` / ``middle`` / ``high``: below the training rows'
          first tertile of the (target-encoded) neighbourhood no-show rate, between the tertiles, at or
          above the second one. The cut points come from the training rows only (``cuts``).

    Raises
    ------
    ValueError
        If the unscaled features were not loaded, or the training part is missing.
    """
    if "train" not in data.X or part not in data.X:
        raise ValueError(f"define_groups needs the 'train' part and {part!r} of the prepared data")
    if part not in data.features or "train" not in data.features:
        raise ValueError("define_groups needs the unscaled features: load_prepared(..., sources=True)")

    def col(name):
        return _column(data, part, name)

    n = len(data.y[part])
    labels, order = {}, {}
    labels[SEX] = np.where(col("female") > 0.5, "female", "male").astype(object)
    order[SEX] = ("female", "male")
    age = col("age")
    band = np.full(n, None, dtype=object)
    for low, high, label in AGE_BANDS:
        band[(age >= low) & (age < high)] = label
    if any(b is None for b in band):
        raise ValueError("an age outside every band (negative or NaN)")
    labels[AGE], order[AGE] = band, tuple(b[2] for b in AGE_BANDS)
    labels[WELFARE] = np.where(col("scholarship") > 0.5, "enrolled", "not enrolled").astype(object)
    order[WELFARE] = ("enrolled", "not enrolled")
    chronic = (col("hipertension") > 0.5) | (col("diabetes") > 0.5) | (col("alcoholism") > 0.5) | (col("handcap") > 0.5)
    labels[CHRONIC] = np.where(chronic, "one or more recorded", "none recorded").astype(object)
    order[CHRONIC] = ("one or more recorded", "none recorded")
    rate_train = _column(data, "train", "neighbourhood_no_show_rate")
    cuts = [float(c) for c in np.quantile(rate_train, [1 / 3, 2 / 3])]
    rate = col("neighbourhood_no_show_rate")
    level = np.array(["low", "middle", "high"], dtype=object)[np.digitize(rate, cuts, right=False)]
    labels[HOOD], order[HOOD] = level, ("low", "middle", "high")
    return Groupings(labels, order, {HOOD: cuts}, part, y=np.asarray(data.y[part]),
                     patients=np.asarray(data.groups[part]) if part in data.groups else None)


def definitions_sentence(groupings: Groupings) -> str:
    """How the groups were formed and how many test rows each holds (Markdown, from the numbers)."""
    parts = []
    for grouping, groups in groupings.order.items():
        counts = ", ".join(f"{g} {np.count_nonzero(groupings.labels[grouping] == g):,}" for g in groups)
        parts.append(f"{grouping} ({counts})")
    low, high = groupings.cuts[HOOD]
    return (f"Groups of the {groupings.n_rows:,} {groupings.part} rows (rows per group): " + "; ".join(parts) + ". "
            f"The neighbourhood levels are cut at the training rows' tertiles of the neighbourhood no-show rate "
            f"({low:.3f} and {high:.3f}); no cut point is read from the {groupings.part} rows. Chronic condition or "
            "disability: hypertension, diabetes, alcoholism or a recorded disability.")


# =========================================================================== the bootstrap
@dataclass
class SubgroupEvidence:
    """Every model's metrics per group, on all test rows and on every bootstrap replicate.

    ``cells`` are the ``(grouping, group)`` pairs in table order, the first one the overall cell
    (:data:`OVERALL`) when it was asked for; every array's last axis follows them (``k`` cells).
    """

    cells: list[tuple[str, str]]
    rows: np.ndarray  #: (k,) test rows per cell
    patients: np.ndarray  #: (k,) distinct patients per cell (rows when unknown)
    no_shows: np.ndarray  #: (k,) no-shows per cell
    models: list[str]
    seeds: list[int]
    full: dict[str, dict[str, np.ndarray]]  #: model -> metric -> (n_seeds, k), each seed on all rows of the cell
    boot: dict[str, dict[str, np.ndarray]]  #: model -> metric -> (n_seeds, R, k), each seed on each replicate
    prevalence_boot: np.ndarray  #: (R, k) the no-show rate of each cell in each replicate
    seed_draws: np.ndarray  #: (R, n_seeds) indices of the seeds drawn in each replicate
    clustered: bool  #: True when whole patients were resampled
    n_resamples: int

    def index(self, grouping: str, group: str) -> int:
        return self.cells.index((grouping, group))


def _score_run(task: dict) -> dict:
    """Worker: one run's metrics per cell on all its rows and on every replicate (uint8 weights).

    Returns ``{metric: (R, k), f"{metric}|full": (k,)}``.
    """
    W, y, p, thr = task["weights"], task["y"], task["p"], task["threshold"]
    R, k = W.shape[0], len(task["cells"])
    full = {m: np.full(k, np.nan) for m in METRICS}
    boot = {m: np.full((R, k), np.nan) for m in METRICS}
    for c, idx in enumerate(task["cells"]):
        # the cell's rows by decreasing score: the same metrics, and the counting inside
        # weighted_resample_metrics then writes its counts in order (faster than scattered)
        idx = idx[np.argsort(-p[idx], kind="stable")]
        yc, pc, Wc = y[idx], p[idx], W[:, idx]
        ones = np.ones((1, idx.size))
        for name, v in weighted_resample_metrics(yc, pc, thr, ones, _BOOT).items():
            full[name][c] = v[0]
        for start in range(0, R, _CHUNK):
            for name, v in weighted_resample_metrics(yc, pc, thr, Wc[start:start + _CHUNK], _BOOT).items():
                boot[name][start:start + _CHUNK, c] = v
        if yc.min() == yc.max():  # one class only: the intercept runs off to infinity
            continue
        a = calibration_fit(yc, pc)[0]
        full["intercept"][c] = a
        # the replicates: the intercept model of calibration_fit (logit(p) as offset), in float32 from
        # the full fit, as calibration.calibration_evidence fits its replicates
        boot["intercept"][:, c] = _logistic(np.ones((idx.size, 1)), yc.astype(np.float64), Wc, offset=_logit(pc),
                                            start=np.array([a]), dtype=np.float32, tol=_BOOT_TOL)[:, 0]
    return {**boot, **{f"{m}|full": v for m, v in full.items()}}


def _cells_hash(cells) -> str:
    h = hashlib.sha256()
    for grouping, group, idx in cells:
        h.update(f"{grouping}|{group}|".encode())
        h.update(np.ascontiguousarray(idx, dtype=np.int64).tobytes())
    return h.hexdigest()[:16]


def subgroup_evidence(runs: Runs, groupings: Groupings, models=None, n_resamples: int = 400, seed: int = 0,
                      overall: bool = False, n_jobs: int = 2, cache_dir=None, progress: bool = True) -> SubgroupEvidence:
    """Every model's metrics per group of test rows, on all rows and on every bootstrap replicate.

    Parameters
    ----------
    runs : Runs
        The repeated runs (:func:`helpers.study.runs.repeated_runs`); their test rows are the rows of
        ``groupings`` in the same order.
    groupings : Groupings
        From :func:`define_groups` (``part="test"``).
    models : sequence of str, optional
        Default: every model of ``runs`` but the always-"show" dummy (it flags nobody).
    n_resamples : int
        Bootstrap replicates: the first ``n_resamples`` draws of the report's bootstrap
        (:func:`helpers.compare.evidence.resample_runs` with the same ``seed``: patients by
        :func:`helpers.metrics.resample_weights`, seeds by ``np.random.default_rng(seed + 1)``). The
        default 400 keeps the real data (22k test rows, 4 models x 10 seeds, 13 groups) to about half a
        minute on 2 cores; the time grows linearly with it.
    seed : int
    overall : bool
        Add the cell of all test rows (:data:`OVERALL`) first, the reference the groups are read
        against (its replicates equal :func:`helpers.compare.evidence.resample_runs`' ones); it costs
        about a fifth more time, and the report has those numbers already.
    n_jobs : int
        Worker processes; one task per distinct run (runs sharing a cache key are scored once).
    cache_dir : path, optional
        Folder of the cached replicates (default: no cache); the file name holds a hash of the runs'
        cache keys, the groups' rows, the arguments and the code.
    progress : bool

    Returns
    -------
    SubgroupEvidence
        With ``k`` cells: ``full[model][metric]`` of shape (n_seeds, k), ``boot[model][metric]`` of shape
        (n_seeds, n_resamples, k) for ``metric`` in :data:`METRICS`, ``prevalence_boot`` (n_resamples, k).

    Raises
    ------
    ValueError
        If the groupings are not of the runs' test rows.
    """
    n = len(runs.y_test)
    if groupings.n_rows != n or (groupings.y is not None and not np.array_equal(np.asarray(groupings.y), runs.y_test)):
        raise ValueError(f"the groupings label {groupings.n_rows} rows that are not the runs' {n} test rows "
                         "(define the groups on the test part of the runs' split)")
    models = [m for m in (models or runs.models) if models is not None or m != _DUMMY]
    cells = ([(OVERALL, _ALL, np.arange(n))] if overall else []) + groupings.cells()
    seeds = runs.seeds
    clustered = runs.groups_test is not None

    def compute() -> dict:
        weights = row_weights(runs, n_resamples, seed)
        flat = per_run(runs, models, _score_run, weights, lambda m, s: {
            "threshold": float(runs.records[m][s]["threshold"]), "cells": [c[2] for c in cells]},
            n_jobs=n_jobs, desc="subgroup bootstrap", progress=progress)
        return {**flat, "prevalence": _prevalence(weights, runs.y_test, [c[2] for c in cells])}

    flat = cached_arrays(
        replicates_path(cache_dir, "subgroups", runs, models, _CODE, n_resamples, seed, _cells_hash(cells)),
        ["prevalence", *(f"{m}|{k}{full}" for m in models for k in METRICS for full in ("", "|full"))], compute)
    y = np.asarray(runs.y_test)
    patients = runs.groups_test if runs.groups_test is not None else groupings.patients
    return SubgroupEvidence(
        cells=[(g, grp) for g, grp, _ in cells],
        rows=np.array([idx.size for *_, idx in cells]),
        patients=np.array([np.unique(patients[idx]).size if patients is not None else idx.size for *_, idx in cells]),
        no_shows=np.array([int(y[idx].sum()) for *_, idx in cells]),
        models=models, seeds=list(seeds),
        full={m: {k: flat[f"{m}|{k}|full"] for k in METRICS} for m in models},
        boot={m: {k: flat[f"{m}|{k}"] for k in METRICS} for m in models},
        prevalence_boot=flat["prevalence"],
        seed_draws=seed_draws(len(seeds), n_resamples, seed),
        clustered=clustered, n_resamples=n_resamples)


def _prevalence(weights: np.ndarray, y, cells) -> np.ndarray:
    """The no-show rate of each cell in each replicate: (R, n) weights -> (R, k)."""
    y = np.asarray(y, dtype=np.float32)
    member = np.zeros((y.size, len(cells)), dtype=np.float32)
    for c, idx in enumerate(cells):
        member[idx, c] = 1.0
    out = np.empty((weights.shape[0], len(cells)))
    for start in range(0, weights.shape[0], 100):
        block = weights[start:start + 100].astype(np.float32)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start:start + 100] = (block @ (member * y[:, None])) / (block @ member)
    return out


# =========================================================================== reading the replicates




def _cell_boot(ev: SubgroupEvidence, model: str | None, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """The estimate (k,) and the replicates (R, k) of ``metric`` (``prevalence``: model-free)."""
    if metric == "prevalence":
        return ev.no_shows / ev.rows, ev.prevalence_boot
    return ev.full[model][metric].mean(axis=0), replicate_means(ev.boot[model][metric], ev.seed_draws)


def group_intervals(ev: SubgroupEvidence, model: str | None, metric: str) -> dict[tuple[str, str], dict]:
    """``{(grouping, group): {"mean", "low", "high"}}``: the mean over seeds and its 95 % interval.

    ``metric`` is ``"prevalence"`` (``model`` ignored) or one of :data:`METRICS`.
    """
    est, boot = _cell_boot(ev, model, metric)
    low, high = percentile_interval(boot)
    return {cell: {"mean": float(est[c]), "low": float(low[c]), "high": float(high[c])}
            for c, cell in enumerate(ev.cells)}


def largest_gaps(ev: SubgroupEvidence, models=None, metrics=("prevalence",) + METRICS) -> list[dict]:
    """The largest gap between the groups of each grouping, per model and metric, with its interval.

    The gap is the group with the highest mean minus the group with the lowest (means over seeds on
    all test rows of the group); its interval is the 2.5 and 97.5 percentiles of the same difference
    in every replicate (both groups from the same draw of patients and seeds). Choosing the two groups
    on the test rows favours a larger gap a little; an interval that includes zero shows no gap.

    Returns
    -------
    list of dict
        ``model`` (None for the prevalence), ``grouping``, ``metric``, ``top`` and ``bottom`` (the groups
        with the highest and the lowest mean), their means ``top_mean``/``bottom_mean``, ``estimate`` (top
        minus bottom, >= 0), ``low``, ``high``, and ``label`` (``"top - bottom"``); in the order
        grouping, metric, model.
    """
    models = list(models or ev.models)
    out = []
    groupings = list(dict.fromkeys(g for g, _ in ev.cells if g != OVERALL))
    for metric in metrics:
        for model in ([None] if metric == "prevalence" else models):
            est, boot = _cell_boot(ev, model, metric)
            for grouping in groupings:
                where = [c for c, cell in enumerate(ev.cells) if cell[0] == grouping and np.isfinite(est[c])]
                if len(where) < 2:
                    continue
                top = max(where, key=lambda c: est[c])
                bottom = min(where, key=lambda c: est[c])
                low, high = percentile_interval(boot[:, top] - boot[:, bottom])
                out.append({"model": model, "grouping": grouping, "metric": metric, "top": ev.cells[top][1],
                            "bottom": ev.cells[bottom][1], "top_mean": float(est[top]),
                            "bottom_mean": float(est[bottom]), "estimate": float(est[top] - est[bottom]),
                            "low": float(low), "high": float(high),
                            "label": f"{ev.cells[top][1]} - {ev.cells[bottom][1]}"})
    order = {g: i for i, g in enumerate(groupings)}
    return sorted(out, key=lambda d: order[d["grouping"]])


def twin_differences(ev: SubgroupEvidence, metrics=("pr_auc", "recall"), a: str = NETWORKS[0],
                     b: str = NETWORKS[1]) -> list[dict]:
    """The paired difference ``a - b`` in every cell, per metric, with its 95 % interval.

    Returns
    -------
    list of dict
        Per cell and metric, as :func:`helpers.compare.evidence.paired` gives them (so
        :func:`helpers.compare.verdicts.diff_table` and :func:`~helpers.compare.verdicts.classify` read
        them): ``a``, ``b``, ``metric``, ``estimate`` (mean over seeds of the per-seed differences on the
        cell's rows), ``low``, ``high``, ``per_seed``, ``sd``, ``label`` (``"a - b"``), and ``grouping``,
        ``group``, ``cell`` (``"grouping: group"``).
    """
    out = []
    for metric in metrics:
        per_seed = ev.full[a][metric] - ev.full[b][metric]  # (n_seeds, k)
        low, high = percentile_interval(replicate_means(ev.boot[a][metric] - ev.boot[b][metric], ev.seed_draws))
        for c, (grouping, group) in enumerate(ev.cells):
            v = per_seed[:, c]
            out.append({"a": a, "b": b, "metric": metric, "estimate": float(v.mean()), "low": float(low[c]),
                        "high": float(high[c]), "per_seed": v.tolist(),
                        "sd": float(v.std(ddof=1)) if v.size > 1 else 0.0, "label": f"{a} - {b}",
                        "grouping": grouping, "group": group, "cell": f"{grouping}: {group}"})
    return out


def forest_cells(ev: SubgroupEvidence, models=NETWORKS, metrics=("pr_auc", "recall")) -> dict:
    """Plain data for :func:`helpers.compare.study_figures.subgroup_forest`:
    ``{model: {metric: [{"grouping", "group", "mean", "low", "high"}, ...]}}`` (cells in table order)."""
    return {m: {k: [{"grouping": g, "group": grp, **v} for (g, grp), v in group_intervals(ev, m, k).items()]
                for k in metrics} for m in models}


# =========================================================================== fairlearn cross-check
def metric_frame(y, p, threshold: float, labels):
    """One run's point values per group as a :class:`fairlearn.metrics.MetricFrame` (sklearn's metrics).

    Parameters
    ----------
    y : array-like of shape (n,)
        0/1 labels.
    p : array-like of shape (n,)
        Predicted no-show probabilities.
    threshold : float
        The run's tuned threshold (``p >= threshold`` flags a row for a call).
    labels : array-like of shape (n,)
        One grouping's label per row (``Groupings.labels[grouping]``).

    Returns
    -------
    MetricFrame
        Metrics ``rows``, ``no-show rate``, ``flagged`` (share of rows flagged), ``pr_auc``, ``recall``,
        ``precision``: ``.by_group`` per group, ``.overall``, ``.difference()``, ``.group_min()`` ...
        (point values of one run, no interval: the intervals come from :func:`subgroup_evidence`).
    """
    from fairlearn.metrics import MetricFrame, count, selection_rate
    from sklearn.metrics import average_precision_score, precision_score, recall_score

    y = np.asarray(y).astype(int)
    p = np.asarray(p, dtype=np.float64)

    def flagged(yt, pp):
        return selection_rate(yt, (pp >= threshold).astype(int))

    def ap(yt, pp):
        return average_precision_score(yt, pp) if 0 < yt.sum() < yt.size else np.nan

    def recall(yt, pp):
        return recall_score(yt, (pp >= threshold).astype(int), zero_division=0)

    def precision(yt, pp):
        return precision_score(yt, (pp >= threshold).astype(int), zero_division=0)

    return MetricFrame(metrics={"rows": count, "no-show rate": lambda yt, pp: float(np.mean(yt)), "flagged": flagged,
                                "pr_auc": ap, "recall": recall, "precision": precision},
                       y_true=y, y_pred=p, sensitive_features=pd.Series(np.asarray(labels), name="group"))


# =========================================================================== what the report shows
def _cell(v: dict, digits: int) -> str:
    if not np.isfinite(v["mean"]):
        return "-"
    if not (np.isfinite(v["low"]) and np.isfinite(v["high"])):
        return f"{v['mean']:.{digits}f}"
    return f"{v['mean']:.{digits}f} [{v['low']:.{digits}f}, {v['high']:.{digits}f}]"


def subgroup_table(ev: SubgroupEvidence, model: str, numeric: bool = False, digits: int = 3) -> pd.DataFrame:
    """One model's metrics per group (rows = grouping / group, the overall cell first when present).

    Parameters
    ----------
    ev : SubgroupEvidence
    model : str
    numeric : bool
        False: each metric one column of ``"mean [low, high]"`` strings; True: float columns ``metric``,
        ``metric 95 % low``, ``metric 95 % high`` (unrounded).
    digits : int

    Returns
    -------
    DataFrame of shape (k, 7) (``numeric``: (k, 17))
        Index (``grouping``, ``group``); columns ``rows``, ``patients``, ``no-show rate``, ``PR-AUC``,
        ``recall``, ``precision``, ``calibration intercept``; each metric is the mean over seeds on the
        group's test rows with its 95 % interval over seeds and test patients (recall and precision at
        each run's own tuned threshold; the intercept is 0 when the group's mean predicted risk equals
        its no-show rate, negative when the risks are too high on average, positive when too low).
    """
    columns = {"prevalence": "no-show rate", "pr_auc": "PR-AUC", "recall": "recall", "precision": "precision",
               "intercept": "calibration intercept"}
    values = {k: group_intervals(ev, model, k) for k in columns}
    rows = {}
    for c, cell in enumerate(ev.cells):
        row = {"rows": int(ev.rows[c]), "patients": int(ev.patients[c])}
        for k, label in columns.items():
            v = values[k][cell]
            if numeric:
                row[label], row[f"{label} 95 % low"], row[f"{label} 95 % high"] = v["mean"], v["low"], v["high"]
            else:
                row[label] = _cell(v, digits)
        rows[cell] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index = pd.MultiIndex.from_tuples(list(rows), names=["grouping", "group"])
    return table


def _gap_numbers(d: dict, digits: int = 3) -> str:
    return (f"{d['top']} {d['top_mean']:.{digits}f} against {d['bottom']} {d['bottom_mean']:.{digits}f}, gap "
            f"{d['estimate']:+.{digits}f} [{d['low']:+.{digits}f}, {d['high']:+.{digits}f}]")


#: How a sentence names the patients of a group: grouping -> group -> words.
_WHO = {SEX: {"female": "female patients", "male": "male patients"},
        AGE: {b[2]: f"patients aged {b[2]}" for b in AGE_BANDS},
        WELFARE: {"enrolled": "patients enrolled in Bolsa Familia", "not enrolled": "patients not enrolled in Bolsa Familia"},
        CHRONIC: {"one or more recorded": "patients with a recorded chronic condition or disability",
                  "none recorded": "patients with no chronic condition or disability recorded"},
        HOOD: {level: f"patients from neighbourhoods with a {level} no-show rate" for level in ("low", "middle", "high")}}


def _who(grouping: str, group: str) -> str:
    return _WHO.get(grouping, {}).get(group, f"the group '{group}' ({grouping})")


def _gap_meaning(d: dict) -> str:
    """What a gap shown (interval above zero) means for reminder calls, by metric."""
    top, bottom = _who(d["grouping"], d["top"]), _who(d["grouping"], d["bottom"])
    if d["metric"] == "recall":
        return f"a smaller share of the missed appointments of {bottom} would be flagged for a reminder call"
    if d["metric"] == "precision":
        return f"more of the calls to {bottom} would reach patients who would have attended anyway"
    if d["metric"] == "pr_auc":
        return (f"the model ranks the no-shows of {bottom} less well (PR-AUC also moves with a group's no-show "
                "rate, so part of this gap may be the rates' difference)")
    if d["metric"] == "intercept":
        return (f"the mean predicted risk fits the groups differently: relative to the observed rate, predicted risks "
                f"are lower for {top} than for {bottom}")
    return f"{top} miss a larger share of their appointments than {bottom}"


def subgroup_sentence(gaps: list[dict], model: str, margins: dict | None = None) -> str:
    """Whether ``model`` works as well for every group, from :func:`largest_gaps` (Markdown).

    Parameters
    ----------
    gaps : list of dict
        From :func:`largest_gaps` (the prevalence's gaps, ``model`` None, are read as context).
    model : str
    margins : dict, optional
        ``{metric: margin}``: a gap whose whole interval lies inside ``[-margin, margin]`` is said to be
        within the margin (the four-way rule of :func:`helpers.compare.verdicts.classify`); without one, a
        gap is shown when its interval excludes zero and not shown otherwise.

    Returns
    -------
    str
        One bullet per grouping: the gaps shown (their interval excludes zero) with what they mean for
        reminder calls, and the metrics without a shown gap; then a closing line on how a gap is used.
    """
    margins = margins or {}
    mine = [d for d in gaps if d["model"] == model]
    if not mine:
        raise ValueError(f"no gaps of {model!r} (models: {sorted({d['model'] for d in gaps if d['model']})})")
    rates = {d["grouping"]: d for d in gaps if d["model"] is None and d["metric"] == "prevalence"}
    intro = (f"**Does the {model} work for every group of patients?** Per grouping, the largest gap between its "
             "groups: the highest group's mean minus the lowest's (means over seeds on the test rows), with a 95 % "
             "interval over seeds and test patients (hierarchical bootstrap, both groups from the same draws). A gap "
             "is shown when its interval excludes zero.")
    lines = [intro, ""]
    shown_any = False
    for grouping in dict.fromkeys(d["grouping"] for d in mine):
        rows = [d for d in mine if d["grouping"] == grouping]
        shown, within, open_ = [], [], []
        for d in rows:
            margin = margins.get(d["metric"])
            verdict = classify(d, margin) if margin is not None else None
            if verdict == EQUIVALENT:
                within.append(f"{_NAMES[d['metric']]} ({_gap_numbers(d)}, inside ±{margin:g})")
            elif direction(d):
                extra = ("; by more than the margin" if verdict == BEYOND else
                         "; possibly by less than the margin" if verdict == WITHIN else "")
                shown.append(f"{_NAMES[d['metric']]}: {_gap_numbers(d)}{extra} -- {_gap_meaning(d)}")
            else:
                open_.append(f"{_NAMES[d['metric']]} ({_gap_numbers(d)})")
        text = f"- **{grouping}**: "
        if shown:
            shown_any = True
            text += "gap shown in " + "; ".join(shown) + "."
        else:
            text += "no gap shown."
        if within:
            text += " Within the margin: " + "; ".join(within) + "."
        if open_:
            text += (" Intervals including zero (which does not show that the groups are served equally): "
                     + "; ".join(open_) + ".")
        rate = rates.get(grouping)
        if rate is not None:
            text += (f" No-show rates: {_gap_numbers(rate)}"
                     + (" (the groups' rates differ)." if direction(rate) else "."))
        lines.append(text)
    lines.append("")
    if shown_any:
        lines.append(f"The gaps shown say for which patients the {model} works less well. Used to "
                     "prioritise reminder calls, a gap is a reason to review how calls reach the group it under-serves "
                     "(for instance, more calls there), never to reduce or deny anyone's care.")
    else:
        lines.append(f"No gap between groups is shown for the {model}: within the precision these runs allow, its "
                     "reminder list serves every group alike. The model is for prioritising reminder calls, never for "
                     "reducing or denying anyone's care.")
    return "\n".join(lines)


def twins_sentence(twins: list[dict], margins: dict, overall: dict | None = None) -> str:
    """Whether the twins' overall equivalence holds in every group, from :func:`twin_differences` (Markdown).

    Parameters
    ----------
    twins : list of dict
        From :func:`twin_differences`.
    margins : dict
        ``{metric: margin}`` of equivalence; metrics without a margin are left out.
    overall : dict, optional
        ``{metric: diff}``: the report's overall paired differences of the same two models
        (:func:`helpers.compare.evidence.paired`, e.g. from :func:`helpers.compare.evidence.comparisons`);
        default: the overall cell of ``twins`` (:data:`OVERALL`) when there is one. Without either, no
        overall verdict is stated.

    Returns
    -------
    str
        Per metric: the overall verdict, then either "equivalent in each of the N groups" or the groups
        where equivalence is not shown, split into inconclusive (too few rows to decide, which is not a
        difference) and different (which network is ahead, and whether by more than the margin).
    """
    metrics = [m for m in dict.fromkeys(d["metric"] for d in twins) if m in margins]
    if not metrics:
        raise ValueError(f"no margin for any metric of the differences ({sorted({d['metric'] for d in twins})})")
    a, b = twins[0]["a"], twins[0]["b"]
    parts = []
    for metric in metrics:
        margin = margins[metric]
        rows = [d for d in twins if d["metric"] == metric]
        whole = (overall or {}).get(metric) or next((d for d in rows if d["grouping"] == OVERALL), None)
        groups = [d for d in rows if d["grouping"] != OVERALL]
        name = _NAMES.get(metric, metric)
        head = f"**{name}** (margin ±{margin:g}): "
        if whole is not None:
            word = outcome(whole, margin, f"{a} ahead", f"{b} ahead")
            head += f"{word} overall ({_diff(whole)}); "
        verdicts = [classify(d, margin) for d in groups]
        if all(v == EQUIVALENT for v in verdicts):
            widest = max(groups, key=lambda d: d["high"] - d["low"])
            lead = ("the equivalence shown overall holds in each of the" if whole is not None
                    and classify(whole, margin) == EQUIVALENT else "equivalent in each of the")
            parts.append(head + f"{lead} {len(groups)} groups (widest interval: {widest['cell']}, {_diff(widest)}).")
            continue
        undecided = [d for d, v in zip(groups, verdicts) if v == INCONCLUSIVE]
        different = [d for d, v in zip(groups, verdicts) if v in (BEYOND, WITHIN)]
        n_eq = sum(v == EQUIVALENT for v in verdicts)
        text = (head + f"equivalent in {n_eq} of {len(groups)} groups; equivalence is not shown in "
                f"{len(groups) - n_eq}: ")
        pieces = []
        if undecided:
            pieces.append("inconclusive in " + "; ".join(f"{d['cell']} ({_diff(d)})" for d in undecided)
                          + " (the interval includes zero but reaches past the margin: the runs cannot decide there, "
                            "which is not a difference)")
        if different:
            pieces.append("different in " + "; ".join(
                f"{d['cell']} ({outcome(d, margin, f'{a} ahead', f'{b} ahead')}: {_diff(d)})" for d in different))
        parts.append(text + ", and ".join(pieces) + ".")
    return (f"**The twins in every group.** {a} minus {b}, paired per group, mean over seeds with a 95 % interval "
            "over seeds and test patients; verdicts by the report's four-way rule.\n\n- " + "\n- ".join(parts))


def _diff(d: dict, digits: int = 4) -> str:
    return f"{d['estimate']:+.{digits}f} [{d['low']:+.{digits}f}, {d['high']:+.{digits}f}]"
