"""Evaluation of binary classifiers: point metrics, threshold choice, bootstrap, McNemar.

Point estimates come from :mod:`sklearn.metrics`. The bootstrap recomputes the same
metrics on ``n_resamples`` resamples of the test rows without a Python loop over the
resamples: a resample drawn with replacement is a vector of multiplicities (how often
each row was drawn), and every metric here -- including average precision and ROC-AUC,
which only depend on the *order* of the scores -- can be written as sums over the
groups of tied scores of the original data, weighted by those multiplicities. The
original scores are sorted once; each resample then costs one ``np.bincount`` and a few
cumulative sums, with no per-resample sort.

Conventions
-----------
- ``y_true`` holds 0/1 (or booleans); 1 is the positive class (no-show).
- ``proba`` is the 1-D positive-class probability (any real score works for the
  rank metrics).
- The decision rule everywhere is ``proba >= threshold``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence

import numpy as np
from scipy.stats import binomtest
from sklearn import metrics as skm

__all__ = [
    "METRIC_LABELS",
    "BOOTSTRAP_METRICS",
    "evaluate",
    "tune_threshold",
    "bootstrap_indices",
    "resample_metrics",
    "bootstrap_ci",
    "paired_bootstrap_diff",
    "mcnemar_exact",
    "resample_weights",
    "weighted_resample_metrics",
    "expected_calibration_error",
]

#: Display names for the keys returned by :func:`evaluate`.
METRIC_LABELS: dict[str, str] = {
    "accuracy": "Accuracy",
    "balanced_accuracy": "Balanced accuracy",
    "precision": "Precision",
    "recall": "Recall",
    "f1": "F1",
    "pr_auc": "PR-AUC",
    "roc_auc": "ROC-AUC",
    "brier": "Brier score",
    "prevalence": "Prevalence",
    "threshold": "Threshold",
    "n": "Rows",
    "confusion_matrix": "Confusion matrix",
}

#: The metrics the bootstrap can resample (all of :func:`evaluate` but the confusion
#: matrix and the constants ``threshold`` and ``n``).
BOOTSTRAP_METRICS: tuple[str, ...] = (
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "f1",
    "pr_auc",
    "roc_auc",
    "brier",
    "prevalence",
)

_CHUNK = 50  # resamples processed at once: peak memory ~ 60 * _CHUNK * n bytes (~65 MB for n = 22,000)


# --------------------------------------------------------------------------- inputs
def _check_binary(y_true, proba=None) -> tuple[np.ndarray, np.ndarray | None]:
    y = np.asarray(y_true)
    if y.ndim != 1:
        raise ValueError(f"y_true must be 1-D, got shape {y.shape}")
    if y.dtype != bool:
        if not np.all(np.isin(y, (0, 1))):
            raise ValueError("y_true must contain only 0/1 labels")
    y = y.astype(np.int64)
    if proba is None:
        return y, None
    p = np.asarray(proba)
    if p.ndim == 2 and p.shape[1] == 1:
        p = p[:, 0]
    if p.ndim != 1:
        raise ValueError(f"proba must be the 1-D positive-class probability, got shape {p.shape}")
    if p.shape[0] != y.shape[0]:
        raise ValueError(f"y_true has {y.shape[0]} rows but proba has {p.shape[0]}")
    if not np.all(np.isfinite(p)):
        raise ValueError("proba contains NaN or infinite values")
    return y, p


# --------------------------------------------------------------------- point metrics
def evaluate(y_true, proba, threshold: float) -> dict:
    """All report metrics of one model at one decision threshold.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels, 0/1 (1 = no-show).
    proba : array-like of shape (n,)
        Predicted probability of the positive class.
    threshold : float
        Decision threshold; a row is predicted positive when ``proba >= threshold``.

    Returns
    -------
    dict
        ``accuracy``, ``balanced_accuracy``, ``precision``, ``recall``, ``f1`` (at the
        threshold; ``zero_division=0``), ``pr_auc`` (average precision), ``roc_auc``,
        ``brier`` (threshold-free; the AUCs are NaN when ``y_true`` has a single class),
        ``confusion_matrix`` as ``[[tn, fp], [fn, tp]]`` (nested lists of ints),
        ``threshold`` (float), ``n`` (int) and ``prevalence`` (fraction of positives).
        All values are plain Python numbers, ready for JSON.
    """
    y, p = _check_binary(y_true, proba)
    threshold = float(threshold)
    pred = (p >= threshold).astype(np.int64)
    two_classes = np.unique(y).size == 2
    with warnings.catch_warnings():
        # balanced accuracy warns when a class is absent from y_true (tiny samples only)
        warnings.simplefilter("ignore", UserWarning)
        bal = skm.balanced_accuracy_score(y, pred)
    cm = skm.confusion_matrix(y, pred, labels=[0, 1])
    return {
        "accuracy": float(skm.accuracy_score(y, pred)),
        "balanced_accuracy": float(bal),
        "precision": float(skm.precision_score(y, pred, zero_division=0)),
        "recall": float(skm.recall_score(y, pred, zero_division=0)),
        "f1": float(skm.f1_score(y, pred, zero_division=0)),
        "pr_auc": float(skm.average_precision_score(y, p)) if two_classes else float("nan"),
        "roc_auc": float(skm.roc_auc_score(y, p)) if two_classes else float("nan"),
        "brier": float(skm.brier_score_loss(y, p)),
        "confusion_matrix": [[int(v) for v in row] for row in cm],
        "threshold": threshold,
        "n": int(y.size),
        "prevalence": float(y.mean()) if y.size else float("nan"),
    }


def tune_threshold(y_val, p_val) -> float:
    """The decision threshold that maximises F1 on the validation set.

    Parameters
    ----------
    y_val : array-like of shape (n,)
        Validation labels, 0/1.
    p_val : array-like of shape (n,)
        Validation positive-class probabilities.

    Returns
    -------
    float
        One of the values of ``p_val`` (a threshold of
        :func:`sklearn.metrics.precision_recall_curve`), so that ``p_val >= thr``
        reproduces the best F1 exactly. Among thresholds with the same F1 the lowest is
        returned.
    """
    y, p = _check_binary(y_val, p_val)
    if y.sum() == 0:
        raise ValueError("tune_threshold needs at least one positive in y_val")
    precision, recall, thresholds = skm.precision_recall_curve(y, p)
    precision, recall = precision[:-1], recall[:-1]  # the last point has no threshold
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(denom), where=denom > 0)
    return float(thresholds[int(np.argmax(f1))])


# ------------------------------------------------------------------------- bootstrap
def bootstrap_indices(
    n: int, n_resamples: int = 1000, seed: int = 0, chunk_size: int = _CHUNK
) -> Iterator[np.ndarray]:
    """The bootstrap index matrix, yielded in blocks of rows.

    The blocks are consecutive draws from one ``np.random.default_rng(seed)``; stacked
    they equal ``default_rng(seed).integers(0, n, size=(n_resamples, n))`` (the
    generator's stream does not depend on the block size), so results do not depend on
    ``chunk_size`` while memory stays at one block.

    Parameters
    ----------
    n : int
        Number of rows to resample.
    n_resamples : int
        Total number of resamples (rows of the index matrix).
    seed : int
        Seed of ``np.random.default_rng``.
    chunk_size : int
        Resamples per block.

    Yields
    ------
    ndarray of shape (min(chunk_size, remaining), n), int64
        Row indices drawn with replacement; one resample per row.
    """
    if n < 1 or n_resamples < 1 or chunk_size < 1:
        raise ValueError("n, n_resamples and chunk_size must be positive")
    rng = np.random.default_rng(seed)
    done = 0
    while done < n_resamples:
        m = min(chunk_size, n_resamples - done)
        yield rng.integers(0, n, size=(m, n))
        done += m


class _SortedScores:
    """One model's scores sorted once (descending), grouped into runs of tied values."""

    def __init__(self, y: np.ndarray, p: np.ndarray, threshold: float):
        order = np.argsort(p, kind="stable")[::-1]
        s = p[order]
        is_start = np.empty(s.size, dtype=bool)
        is_start[0] = True
        is_start[1:] = s[1:] != s[:-1]
        group_of_sorted = np.cumsum(is_start) - 1
        self.n = p.size
        self.n_groups = int(group_of_sorted[-1]) + 1
        # group id of each original row, times 2, plus its label: the bincount key
        key = np.empty(p.size, dtype=np.int64)
        key[order] = 2 * group_of_sorted + y[order]
        self.key = key
        self.values = s[is_start]  # distinct scores, descending
        # groups predicted positive are a prefix: scores >= threshold
        self.n_pred_pos_groups = int(np.count_nonzero(self.values >= threshold))

    def counts(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-group (positives, negatives) multiplicities, each of shape (m, n_groups)."""
        m = idx.shape[0]
        width = 2 * self.n_groups
        keys = self.key[idx]
        keys += (np.arange(m, dtype=np.int64) * width)[:, None]
        c = np.bincount(keys.ravel(), minlength=m * width).reshape(m, self.n_groups, 2)
        del keys
        pos = c[:, :, 1].astype(np.float64)  # contiguous copies; counts are exact in float64
        neg = c[:, :, 0].astype(np.float64)
        return pos, neg


def _metrics_from_counts(
    pos: np.ndarray, neg: np.ndarray, values: np.ndarray, k_pos: int, names: Sequence[str]
) -> dict[str, np.ndarray]:
    """Metrics of each resample from its per-tie-group positive/negative counts.

    ``pos``/``neg`` have shape (m, G), groups ordered by decreasing score ``values``
    (shape (G,)); the first ``k_pos`` groups are predicted positive.
    """
    names = set(names)
    out: dict[str, np.ndarray] = {}
    cum_tp = np.cumsum(pos, axis=1)
    cum_fp = np.cumsum(neg, axis=1)
    P = cum_tp[:, -1]
    N = cum_fp[:, -1]
    n = P + N
    both = (P > 0) & (N > 0)

    with np.errstate(divide="ignore", invalid="ignore"):
        if names & {"accuracy", "balanced_accuracy", "precision", "recall", "f1"}:
            tp = cum_tp[:, k_pos - 1] if k_pos > 0 else np.zeros_like(P)
            fp = cum_fp[:, k_pos - 1] if k_pos > 0 else np.zeros_like(N)
            fn = P - tp
            tn = N - fp
            recall = np.where(P > 0, tp / P, 0.0)
            specificity = np.where(N > 0, tn / N, 0.0)
            out["accuracy"] = (tp + tn) / n
            # sklearn averages the recalls of the classes present in y_true
            out["balanced_accuracy"] = np.where(
                both, (recall + specificity) / 2, np.where(P > 0, recall, specificity)
            )
            out["precision"] = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
            out["recall"] = recall
            out["f1"] = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
        if "pr_auc" in names:
            # sklearn's step-wise AP: sum over distinct thresholds of
            # (recall_k - recall_{k-1}) * precision_k, i.e. sum over tie groups of
            # positives_in_group * precision_at_group_end / P (empty groups add 0).
            tmp = np.add(cum_tp, cum_fp)
            np.divide(cum_tp, tmp, out=tmp, where=tmp > 0)  # precision (0/0 only if pos = 0)
            tmp *= pos
            ap = tmp.sum(axis=1) / P
            del tmp
            out["pr_auc"] = np.where(both, ap, np.nan)
        if "roc_auc" in names:
            # Mann-Whitney: P(score_pos > score_neg) + 0.5 * P(tie)
            tmp = np.subtract(N[:, None], cum_fp)  # negatives scored strictly lower
            tmp += 0.5 * neg  # ties count one half
            tmp *= pos
            u = tmp.sum(axis=1)
            del tmp
            out["roc_auc"] = np.where(both, u / (P * N), np.nan)
        if "brier" in names:
            v = values.astype(np.float64)
            out["brier"] = ((v - 1.0) ** 2 @ pos.T + (v**2) @ neg.T) / n
        if "prevalence" in names:
            out["prevalence"] = P / n
    return {k: out[k] for k in out if k in names}


def _check_metrics(metrics: Sequence[str]) -> tuple[str, ...]:
    metrics = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    unknown = [m for m in metrics if m not in BOOTSTRAP_METRICS]
    if unknown:
        raise ValueError(f"unknown bootstrap metric(s) {unknown}; choose from {BOOTSTRAP_METRICS}")
    return metrics


def resample_metrics(
    y_true, proba, threshold: float, indices, metrics: Sequence[str] = BOOTSTRAP_METRICS
) -> dict[str, np.ndarray]:
    """Metrics of many resamples at once, given their index matrix.

    Row ``r`` of the result equals :func:`evaluate` on ``y_true[indices[r]]``,
    ``proba[indices[r]]`` (up to floating-point rounding), without a loop over rows.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels, 0/1.
    proba : array-like of shape (n,)
        Positive-class probabilities (scores).
    threshold : float
        Decision threshold (``proba >= threshold`` is positive).
    indices : array-like of int, shape (m, k)
        One resample per row: indices into the ``n`` rows (``k`` need not equal ``n``).
    metrics : sequence of str
        Names from :data:`BOOTSTRAP_METRICS`.

    Returns
    -------
    dict[str, ndarray of shape (m,)]
        One value per resample. ``pr_auc`` and ``roc_auc`` are NaN for a resample with
        a single class.
    """
    metrics = _check_metrics(metrics)
    y, p = _check_binary(y_true, proba)
    idx = np.atleast_2d(np.asarray(indices, dtype=np.int64))
    ss = _SortedScores(y, p, float(threshold))
    pos, neg = ss.counts(idx)
    return _metrics_from_counts(pos, neg, ss.values, ss.n_pred_pos_groups, metrics)


def _interval(samples: np.ndarray, alpha: float) -> tuple[float, float]:
    finite = samples[~np.isnan(samples)]
    if finite.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(finite, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


def bootstrap_ci(
    y_true,
    proba,
    threshold: float,
    n_resamples: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
    metrics: Sequence[str] = BOOTSTRAP_METRICS,
    chunk_size: int = _CHUNK,
) -> dict[str, dict[str, float]]:
    """Percentile bootstrap confidence intervals of the metrics of one model.

    The test rows are resampled with replacement ``n_resamples`` times (the threshold
    stays fixed: it was chosen on validation data); each metric is recomputed on every
    resample, vectorised over resamples (see the module docstring).

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels, 0/1.
    proba : array-like of shape (n,)
        Positive-class probabilities.
    threshold : float
        Decision threshold (``proba >= threshold`` is positive).
    n_resamples : int
        Number of bootstrap resamples.
    seed : int
        Seed of the index matrix (see :func:`bootstrap_indices`).
    alpha : float
        ``1 - alpha`` is the coverage; the bounds are the ``alpha/2`` and
        ``1 - alpha/2`` quantiles of the resampled values.
    metrics : sequence of str
        Names from :data:`BOOTSTRAP_METRICS` (default: all of them).
    chunk_size : int
        Resamples processed at once (peak memory ~ ``60 * chunk_size * n`` bytes); the
        result does not depend on it.

    Returns
    -------
    dict[str, dict]
        ``{metric: {"estimate", "low", "high"}}``, where ``estimate`` is the value on the
        full data (:func:`evaluate`). Resamples with a single class are skipped for the
        AUCs.
    """
    metrics = _check_metrics(metrics)
    y, p = _check_binary(y_true, proba)
    point = evaluate(y, p, threshold)
    ss = _SortedScores(y, p, float(threshold))
    samples: dict[str, list[np.ndarray]] = {m: [] for m in metrics}
    for idx in bootstrap_indices(y.size, n_resamples, seed, chunk_size):
        pos, neg = ss.counts(idx)
        for k, v in _metrics_from_counts(pos, neg, ss.values, ss.n_pred_pos_groups, metrics).items():
            samples[k].append(v)
    result = {}
    for m in metrics:
        lo, hi = _interval(np.concatenate(samples[m]), alpha)
        result[m] = {"estimate": float(point[m]), "low": lo, "high": hi}
    return result


def paired_bootstrap_diff(
    y_true,
    proba_a,
    proba_b,
    threshold_a: float,
    threshold_b: float,
    n_resamples: int = 1000,
    seed: int = 0,
    metrics: Sequence[str] = ("pr_auc", "f1"),
    alpha: float = 0.05,
    chunk_size: int = _CHUNK,
) -> dict[str, dict[str, float]]:
    """Paired bootstrap of the difference of a metric between two models (a - b).

    Both models are evaluated on the *same* resampled rows, so the interval accounts for
    their correlation (they are scored on one test set).

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels, 0/1.
    proba_a, proba_b : array-like of shape (n,)
        Positive-class probabilities of model a and model b on the same rows.
    threshold_a, threshold_b : float
        Each model's own decision threshold.
    n_resamples, seed, alpha, chunk_size
        As in :func:`bootstrap_ci`; with the same ``seed`` the resamples are the same
        as there.
    metrics : sequence of str
        Names from :data:`BOOTSTRAP_METRICS`.

    Returns
    -------
    dict[str, dict]
        ``{metric: {"estimate", "low", "high", "p_value"}}``: ``estimate`` is
        ``metric(a) - metric(b)`` on the full data, ``low``/``high`` the percentile
        interval of the resampled differences. ``p_value`` is an *approximate*
        two-sided bootstrap p-value for "no difference": twice the fraction of
        resampled differences on the other side of 0 from the estimate (0 included),
        capped at 1; it is 1 when the estimate is 0. With ``n_resamples`` resamples it
        cannot resolve values below about ``2 / n_resamples`` (0 means "smaller than
        that"), and it inherits the bootstrap's approximations; quote the interval
        first.
    """
    metrics = _check_metrics(metrics)
    y, pa = _check_binary(y_true, proba_a)
    _, pb = _check_binary(y_true, proba_b)
    est_a = evaluate(y, pa, threshold_a)
    est_b = evaluate(y, pb, threshold_b)
    sa = _SortedScores(y, pa, float(threshold_a))
    sb = _SortedScores(y, pb, float(threshold_b))
    diffs: dict[str, list[np.ndarray]] = {m: [] for m in metrics}
    for idx in bootstrap_indices(y.size, n_resamples, seed, chunk_size):
        ma = _metrics_from_counts(*sa.counts(idx), sa.values, sa.n_pred_pos_groups, metrics)
        mb = _metrics_from_counts(*sb.counts(idx), sb.values, sb.n_pred_pos_groups, metrics)
        for m in metrics:
            diffs[m].append(ma[m] - mb[m])
    result = {}
    for m in metrics:
        d = np.concatenate(diffs[m])
        d = d[~np.isnan(d)]
        est = float(est_a[m] - est_b[m])
        lo, hi = _interval(d, alpha)
        if est == 0 or d.size == 0 or np.isnan(est):
            p_value = 1.0 if not np.isnan(est) else float("nan")
        else:
            other_side = np.mean(d <= 0) if est > 0 else np.mean(d >= 0)
            p_value = float(min(1.0, 2.0 * other_side))
        result[m] = {"estimate": est, "low": lo, "high": hi, "p_value": p_value}
    return result


# --------------------------------------------------------------- weighted resamples
def resample_weights(
    n: int, n_resamples: int = 1000, seed: int = 0, groups=None, chunk_size: int = _CHUNK
) -> Iterator[np.ndarray]:
    """Bootstrap resamples as row multiplicities, in blocks of shape (m, n).

    Without ``groups`` the rows are drawn with replacement (the same draws as
    :func:`bootstrap_indices`, counted per row). With ``groups`` (e.g. the patient of
    each row) the *groups* are drawn with replacement and a drawn group brings all its
    rows: the cluster bootstrap, for rows that are not independent (several appointments
    of one patient).

    Parameters
    ----------
    n : int
        Number of rows.
    n_resamples : int
        Total number of resamples.
    seed : int
        Seed of ``np.random.default_rng``.
    groups : array-like of shape (n,), optional
        Cluster label of each row.
    chunk_size : int
        Resamples per block.

    Yields
    ------
    ndarray of shape (min(chunk_size, remaining), n), float64
        How often each row is in each resample (whole numbers).
    """
    if groups is None:
        for idx in bootstrap_indices(n, n_resamples, seed, chunk_size):
            m = idx.shape[0]
            flat = (idx + (np.arange(m, dtype=np.int64) * n)[:, None]).ravel()
            yield np.bincount(flat, minlength=m * n).reshape(m, n).astype(np.float64)
        return
    groups = np.asarray(groups)
    if groups.shape != (n,):
        raise ValueError(f"groups must have one label per row ({n}), got shape {groups.shape}")
    if n_resamples < 1 or chunk_size < 1:
        raise ValueError("n_resamples and chunk_size must be positive")
    _, inverse = np.unique(groups, return_inverse=True)
    n_groups = int(inverse.max()) + 1
    rng = np.random.default_rng(seed)
    done = 0
    while done < n_resamples:
        m = min(chunk_size, n_resamples - done)
        draws = rng.integers(0, n_groups, size=(m, n_groups))
        flat = (draws + (np.arange(m, dtype=np.int64) * n_groups)[:, None]).ravel()
        per_group = np.bincount(flat, minlength=m * n_groups).reshape(m, n_groups)
        yield per_group[:, inverse].astype(np.float64)
        done += m


def weighted_resample_metrics(
    y_true, proba, threshold: float, weights, metrics: Sequence[str] = BOOTSTRAP_METRICS
) -> dict[str, np.ndarray]:
    """Metrics of resamples given as row multiplicities (rows of ``weights``).

    Row ``r`` equals :func:`evaluate` on the data with row ``i`` repeated
    ``weights[r, i]`` times (up to rounding); :func:`resample_metrics` is the same for
    index matrices.

    Parameters
    ----------
    y_true : array-like of shape (n,)
    proba : array-like of shape (n,)
    threshold : float
    weights : ndarray of shape (m, n)
        Non-negative multiplicities, e.g. from :func:`resample_weights`.
    metrics : sequence of str

    Returns
    -------
    dict[str, ndarray of shape (m,)]
    """
    metrics = _check_metrics(metrics)
    y, p = _check_binary(y_true, proba)
    w = np.atleast_2d(np.asarray(weights, dtype=np.float64))
    if w.shape[1] != y.size:
        raise ValueError(f"weights have {w.shape[1]} columns for {y.size} rows")
    ss = _SortedScores(y, p, float(threshold))
    m, width = w.shape[0], 2 * ss.n_groups
    keys = (ss.key[None, :] + (np.arange(m, dtype=np.int64) * width)[:, None]).ravel()
    c = np.bincount(keys, weights=w.ravel(), minlength=m * width).reshape(m, ss.n_groups, 2)
    pos, neg = np.ascontiguousarray(c[:, :, 1]), np.ascontiguousarray(c[:, :, 0])
    return _metrics_from_counts(pos, neg, ss.values, ss.n_pred_pos_groups, metrics)


def expected_calibration_error(y_true, proba, n_bins: int = 10) -> float:
    """Expected calibration error: the row-weighted mean gap between predicted and observed rates.

    ``ECE = sum_b (n_b / n) * |mean(proba in b) - mean(y in b)|`` over ``n_bins`` equal-width
    probability bins (empty bins add nothing); 0 for perfectly calibrated probabilities.

    Parameters
    ----------
    y_true : array-like of shape (n,)
    proba : array-like of shape (n,)
    n_bins : int

    Returns
    -------
    float
    """
    y, p = _check_binary(y_true, proba)
    if n_bins < 1:
        raise ValueError(f"n_bins must be positive, got {n_bins}")
    bins = np.minimum((p * n_bins).astype(np.int64), n_bins - 1)
    count = np.bincount(bins, minlength=n_bins)
    gap = np.abs(np.bincount(bins, weights=p, minlength=n_bins) - np.bincount(bins, weights=y, minlength=n_bins))
    return float(gap.sum() / max(count.sum(), 1))


# --------------------------------------------------------------------------- McNemar
def mcnemar_exact(y_true, pred_a, pred_b) -> dict:
    """Exact McNemar test of two classifiers' hard predictions on the same rows.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels, 0/1.
    pred_a, pred_b : array-like of shape (n,)
        Predicted labels (0/1) of model a and model b.

    Returns
    -------
    dict
        ``b`` (a right, b wrong), ``c`` (a wrong, b right), ``n_discordant`` (b + c) and
        ``p_value``: the exact two-sided binomial test of ``b`` successes in ``b + c``
        trials with probability 0.5 (:func:`scipy.stats.binomtest`); 1.0 when the
        models never disagree on correctness.
    """
    y, _ = _check_binary(y_true)
    a, _ = _check_binary(pred_a)
    bb, _ = _check_binary(pred_b)
    if not (a.shape == bb.shape == y.shape):
        raise ValueError("y_true, pred_a and pred_b must have the same length")
    right_a = a == y
    right_b = bb == y
    b = int(np.count_nonzero(right_a & ~right_b))
    c = int(np.count_nonzero(~right_a & right_b))
    p_value = 1.0 if b + c == 0 else float(binomtest(b, b + c, 0.5).pvalue)
    return {"b": b, "c": c, "p_value": p_value, "n_discordant": b + c}


# ------------------------------------------------- proportions and operating points
__all__ += ["wilson_interval", "operating_point"]


def wilson_interval(successes, trials, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of binomial proportions.

    Notes
    -----
    With ``p = k / n``: ``centre = (p + z^2 / 2n) / (1 + z^2 / n)`` and
    ``half = z * sqrt(p (1 - p) / n + z^2 / 4n^2) / (1 + z^2 / n)``; the interval is
    ``[centre - half, centre + half]``, always inside [0, 1], and not degenerate at ``k = 0``
    or ``k = n`` (unlike the normal approximation).

    Parameters
    ----------
    successes : array-like of shape (m,)
        Successes ``k`` per group (e.g. no-shows), ``0 <= k <= n``.
    trials : array-like of shape (m,)
        Trials ``n`` per group (e.g. appointments); a group with ``n = 0`` gives NaN.
    z : float, default 1.96
        Normal quantile (1.96: a 95 % interval).

    Returns
    -------
    low, high : ndarray of shape (m,)

    Raises
    ------
    ValueError
        If the shapes differ, or a count is negative or exceeds its trials.
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    if k.shape != n.shape:
        raise ValueError(f"wilson_interval: successes has shape {k.shape} but trials {n.shape}")
    if np.any(k < 0) or np.any(k > n):
        raise ValueError("wilson_interval: successes must lie between 0 and trials")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    # clipped: at k = 0 or k = n the bound is 0 or 1 up to rounding (e.g. -3e-17)
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def operating_point(y_true, proba, threshold: float, curve: str = "pr") -> tuple[float, float]:
    """Where the rule ``proba >= threshold`` sits on a precision-recall or ROC curve.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels, 0/1.
    proba : array-like of shape (n,)
        Positive-class probability.
    threshold : float
        Decision threshold.
    curve : {"pr", "roc"}
        ``"pr"``: returns ``(recall, precision)``; ``"roc"``: ``(false positive rate, recall)``,
        the axes of the two curves.

    Returns
    -------
    tuple of float
        Precision is 1.0 when nothing is predicted positive (the end point of
        :func:`sklearn.metrics.precision_recall_curve`); a rate with no rows to count is 0.0.
    """
    if curve not in ("pr", "roc"):
        raise ValueError(f"operating_point: curve must be 'pr' or 'roc', got {curve!r}")
    y, p = _check_binary(y_true, proba)
    pred = p >= threshold
    tp = np.count_nonzero(pred & (y == 1))
    fp = np.count_nonzero(pred & (y == 0))
    positives = np.count_nonzero(y == 1)
    negatives = y.size - positives
    recall = tp / positives if positives else 0.0
    if curve == "pr":
        return float(recall), float(tp / (tp + fp) if tp + fp else 1.0)
    return float(fp / negatives if negatives else 0.0), float(recall)
