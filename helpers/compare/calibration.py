"""Calibration of the test probabilities: intercept, slope and a smoothed curve, with intervals.

Whether a model's probabilities "can be read as risks" is judged here as Van Calster et al. ask
(B. Van Calster, D. J. McLernon, M. van Smeden, L. Wynants, E. W. Steyerberg, "Calibration: the
Achilles heel of predictive analytics", *BMC Medicine* 17:230, 2019), on the test rows only:

- **calibration-in-the-large** (the *intercept*): ``a`` in ``logit P(y=1) = a + logit(p)``, a
  logistic regression of the label on the offset ``logit(p)``; 0 when the mean predicted risk equals
  the observed rate, negative when the predictions are too high on average, positive when too low;
- **calibration slope**: ``b`` in ``logit P(y=1) = a' + b logit(p)``; 1 when the spread of the
  predictions is right, below 1 when they are too extreme (too close to 0 and 1), above 1 when too
  moderate;
- a **smoothed calibration curve**: a logistic regression of the label on a restricted cubic spline
  of ``logit(p)``, read on a grid of predicted probabilities (the flexible curve of the paper, which
  replaces a binned reliability diagram).

A point number on one seed's test rows says nothing about its own uncertainty, so every number has a
95 % interval over seeds and test patients from the hierarchical bootstrap of
:mod:`helpers.compare.evidence`, with the very same draws: the rows of
:func:`helpers.metrics.resample_weights` (whole patients when the patients of the test rows are
known), the seeds of ``np.random.default_rng(seed + 1)``; a model's value in a replicate is the mean
over the drawn seeds of each drawn seed's fit on the drawn rows. The estimate itself is the mean over
the seeds of each seed's fit on all test rows. The expected calibration error (10 equal-width bins)
and the Brier score stay as secondary numbers: neither says in which direction a model is off, and
the Brier score mixes calibration with discrimination.

The fits are Newton iterations of a weighted logistic regression written with NumPy, vectorised over
a block of bootstrap replicates given as row multiplicities of shape (m, n).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from helpers.artifacts import cached_arrays
from helpers.compare.evidence import (
    per_run,
    percentile_interval,
    replicate_means,
    replicates_path,
    row_weights,
    seed_draws,
)
from helpers.metrics import expected_calibration_error

if TYPE_CHECKING:
    from helpers.study.runs import Runs

__all__ = ["KNOT_QUANTILES", "calibration_evidence", "calibration_fit", "calibration_sentence", "calibration_table",
           "declaration", "smoothed_curves", "spline_basis"]

#: Where the knots of a restricted cubic spline go (quantiles of ``logit(p)``), by number of knots
#: (Harrell, *Regression Modeling Strategies*, section 2.4.6).
KNOT_QUANTILES = {3: (0.10, 0.50, 0.90), 4: (0.05, 0.35, 0.65, 0.95), 5: (0.05, 0.275, 0.50, 0.725, 0.95)}
_EPS = 1e-7  # probabilities are clipped to [_EPS, 1 - _EPS] before the logit (a dummy may predict 0 or 1)
_CHUNK = 8  # bootstrap replicates fitted at once (small blocks stay in the CPU cache: faster)
#: Newton tolerance of the bootstrap fits, which start from the fit on all rows: a replicate is done
#: once it applied a step below this, about the second step; its error is then of the order of the
#: square of the step (about 1e-5), far below the 3 decimals reported and the float32 arithmetic's noise.
_BOOT_TOL = 5e-3
#: The code whose changes invalidate a cached result.
_CODE = ("compare.calibration", "metrics")


# --------------------------------------------------------------------------- the fits
def _logit(p) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), _EPS, 1 - _EPS)
    return np.log(p) - np.log1p(-p)


def _check(y, p) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y)
    p = np.asarray(p, dtype=np.float64)
    if y.ndim != 1 or p.shape != y.shape:
        raise ValueError(f"y and p must be 1-D of the same length, got shapes {y.shape} and {p.shape}")
    if not np.all(np.isin(y, (0, 1))):
        raise ValueError("y must contain only 0/1 labels")
    if not np.all(np.isfinite(p)) or p.min(initial=0.0) < 0 or p.max(initial=0.0) > 1:
        raise ValueError("p must be probabilities in [0, 1]")
    return y.astype(np.float64), p


def _logistic(X: np.ndarray, y: np.ndarray, weights: np.ndarray, offset: np.ndarray | None = None,
              start: np.ndarray | None = None, dtype=np.float64, tol: float = 1e-10,
              max_iter: int = 50) -> np.ndarray:
    """Weighted logistic regressions of ``y`` on ``X`` (plus a fixed ``offset``), one per row of ``weights``.

    Parameters
    ----------
    X : ndarray of shape (n, k)
        Design matrix (its first column is usually the constant 1).
    y : ndarray of shape (n,)
        0/1 labels.
    weights : ndarray of shape (m, n)
        Non-negative weight of each row in each of the ``m`` fits (bootstrap multiplicities; any
        numeric dtype, e.g. uint8). The fits run in blocks of ``_CHUNK`` rows.
    offset : ndarray of shape (n,), optional
        Added to the linear predictor with coefficient fixed at 1.
    start : ndarray of shape (k,) or (m, k), optional
        Starting coefficients (default 0). One start for all fits makes the first step cheap (below).
    dtype : numpy dtype
        Precision of the (block, n) arrays; the coefficients, gradients and Hessians are float64.
    tol : float
        A fit stops once it applied a Newton step smaller than ``tol`` in every coefficient (its
        error is then of the order of ``tol**2``: Newton converges quadratically).
    max_iter : int

    Returns
    -------
    ndarray of shape (m, k), float64
        The maximum-likelihood coefficients; NaN for a fit that did not converge (e.g. a replicate
        whose labels are all 0: its intercept runs off to minus infinity).

    Notes
    -----
    Newton's method on the weighted log-likelihood ``sum_i w_i [y_i eta_i - log(1 + exp(eta_i))]`` with
    ``eta = X beta + offset``: gradient ``X^T (w (y - s))``, Hessian ``X^T diag(w s (1 - s)) X``,
    ``s = 1 / (1 + exp(-eta))``. The gradient is summed from the per-row residuals ``w (y - s)``, so the
    fixed point is accurate even in float32. When every fit starts from the same coefficients (e.g.
    bootstrap replicates started at the fit on all rows), ``s`` is the same for all of them in the
    first step, whose gradients and Hessians are then one matrix product ``weights @ F``.
    """
    X = np.asarray(X, dtype=np.float64)
    n, k = X.shape
    W = np.asarray(weights)
    m = W.shape[0]
    iu, ju = np.triu_indices(k)
    XX = X[:, iu] * X[:, ju]
    start = np.zeros(k) if start is None else np.asarray(start, dtype=np.float64)
    shared = start.ndim == 1
    starts = np.broadcast_to(start, (m, k))
    c = {"X": X.astype(dtype), "XX": XX.astype(dtype), "y": y.astype(dtype), "iu": iu, "ju": ju, "dtype": dtype,
         "tol": tol, "max_iter": max_iter, "shared": shared, "e_off": None, "neg_off": None,
         "off": None if offset is None else offset.astype(dtype),
         # a log-likelihood lower by more than this (relative) is a worse point, not rounding noise
         "margin": 1e-4 if np.dtype(dtype).itemsize < 8 else 1e-9}
    if offset is not None and k == 1 and np.all(X == 1.0):
        c["e_off"] = np.exp(-offset).astype(dtype)  # exp(-eta) = exp(-a) * exp(-offset): no (m, n) exp
    elif offset is not None:
        c["neg_off"] = (-offset).astype(dtype)
    if shared:
        eta1 = X @ start + (0.0 if offset is None else offset)
        s1 = 1.0 / (1.0 + np.exp(-eta1))
        c["F"] = np.column_stack([(y - s1)[:, None] * X, (s1 * (1 - s1))[:, None] * XX,
                                  y * eta1 - np.logaddexp(0.0, eta1)]).astype(dtype)
    # work arrays of one block, allocated once: fresh (block, n) temporaries in every step would be
    # mapped and unmapped by the allocator each time, and their page faults cost more than the arithmetic
    c["buf"] = np.empty((5, min(_CHUNK, m), n), dtype=dtype)
    out = np.empty((m, k))
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for first in range(0, m, _CHUNK):
            out[first:first + _CHUNK] = _newton_block(c, W[first:first + _CHUNK], starts[first:first + _CHUNK])
    return out


def _newton_block(c: dict, W: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Newton iterations of :func:`_logistic` on one block of weight rows (``c``: the prepared arrays).

    A step that lowers a fit's log-likelihood is halved until it does not (step halving, as R's
    ``glm.fit`` does): plain Newton can overshoot from a poor start, e.g. with extreme logits.
    """
    dtype, X, XX, iu, ju = c["dtype"], c["X"], c["XX"], c["iu"], c["ju"]
    m, k = start.shape
    Wd, Wy, e, s, P = c["buf"][:, :m]
    np.copyto(Wd, W, casting="unsafe")
    np.multiply(Wd, c["y"], out=Wy)
    # the log-likelihood is sum_i w_i ((y_i - 1) eta_i + log s_i); its first part is linear in beta
    np.subtract(Wy, Wd, out=P)
    lin = (P @ X).astype(np.float64)
    lin_off = np.zeros(m) if c["off"] is None else (P @ c["off"]).astype(np.float64)
    beta = np.array(start, dtype=np.float64)
    old_beta, old_ll, last = beta.copy(), np.full(m, -np.inf), np.zeros((m, k))
    done = np.zeros(m, dtype=bool)
    H = np.empty((m, k, k))
    eye = np.eye(k)
    for it in range(c["max_iter"]):
        if it == 0 and c["shared"]:  # the same s for every fit: one matrix product
            GH = (Wd @ c["F"]).astype(np.float64)
            g, Hf, ll = GH[:, :k], GH[:, k:-1], GH[:, -1]
        else:
            if c["e_off"] is not None:
                np.multiply.outer(np.exp(-beta[:, 0]).astype(dtype), c["e_off"], out=e)
            else:
                np.matmul((-beta).astype(dtype), X.T, out=e)
                if c["neg_off"] is not None:
                    e += c["neg_off"]
                np.exp(e, out=e)  # exp(-eta)
            np.add(e, 1, out=s)
            np.reciprocal(s, out=s)
            np.log(s, out=P)
            ll = np.einsum("ij,ij->i", Wd, P).astype(np.float64) + np.sum(lin * beta, axis=1) + lin_off
            np.multiply(Wd, s, out=P)
            s *= P
            s *= e  # w s^2 exp(-eta) = w s (1 - s)
            np.subtract(Wy, P, out=P)  # w (y - s)
            g = (P @ X).astype(np.float64)
            Hf = (s @ XX).astype(np.float64)
        worse = ~done & ~(ll >= old_ll - c["margin"] * (1.0 + np.abs(old_ll)))  # NaN counts as worse
        ok = ~done & ~worse
        H[:, iu, ju] = Hf
        H[:, ju, iu] = Hf
        H[~ok] = eye
        g = np.where(ok[:, None], g, 0.0)
        try:
            step = np.linalg.solve(H, g[..., None])[..., 0]
        except np.linalg.LinAlgError:
            step = (np.linalg.pinv(H) @ g[..., None])[..., 0]
        last[worse] /= 2
        beta[worse] = old_beta[worse] + last[worse]
        old_beta[ok], old_ll[ok], last[ok] = beta[ok], ll[ok], step[ok]
        beta[ok] += step[ok]
        done |= ok & np.all(np.abs(step) < c["tol"], axis=1)
        if done.all():
            break
    beta[~done | ~np.all(np.isfinite(beta), axis=1)] = np.nan
    return beta


def calibration_fit(y, p, weights=None):
    """Calibration-in-the-large (intercept) and calibration slope of probabilities ``p`` for labels ``y``.

    Parameters
    ----------
    y : array-like of shape (n,)
        0/1 labels.
    p : array-like of shape (n,)
        Predicted probabilities of label 1 (clipped to ``[1e-7, 1 - 1e-7]`` before the logit).
    weights : array-like of shape (m, n), optional
        Row weights of ``m`` separate fits, e.g. bootstrap multiplicities (row ``r`` equals the fit on
        the data with row ``i`` repeated ``weights[r, i]`` times).

    Returns
    -------
    intercept : float, or ndarray of shape (m,) with ``weights``
        ``a`` in ``logit P(y=1) = a + logit(p)``; ideal 0.
    slope : float, or ndarray of shape (m,) with ``weights``
        ``b`` in ``logit P(y=1) = a' + b logit(p)``; ideal 1. NaN when ``p`` is constant (the slope is
        undefined).

    Notes
    -----
    Both are maximum-likelihood logistic regressions (Van Calster et al., BMC Medicine 2019): the
    intercept with ``logit(p)`` as an offset (its coefficient fixed at 1), the slope with ``logit(p)``
    as the one covariate beside a free intercept ``a'``. A negative intercept means the predicted
    risks are too high on average; a slope below 1, predictions too extreme.
    """
    y, p = _check(y, p)
    o = _logit(p)
    W = np.ones((1, y.size)) if weights is None else np.asarray(weights, dtype=np.float64)
    if W.ndim != 2 or W.shape[1] != y.size:
        raise ValueError(f"weights must have shape (m, {y.size}), got {W.shape}")
    intercept, ab = _fit_both(y, o, W, dtype=np.float64, tol=1e-10)
    if weights is None:
        return float(intercept[0]), float(ab[0, 1])
    return intercept, ab[:, 1]


def _fit_both(y, o, W, dtype, tol, start=None) -> tuple[np.ndarray, np.ndarray]:
    """The intercept model's ``a`` (m,) and the slope model's ``(a', b)`` (m, 2) of the rows of ``W``.

    ``start``: ``(a, (a', b))`` to start from (default: the perfectly calibrated 0 and (0, 1)). The slope
    model is NaN when ``o`` is constant.
    """
    ones = np.ones((y.size, 1))
    a0, ab0 = (np.zeros(1), np.array([0.0, 1.0])) if start is None else start
    intercept = _logistic(ones, y, W, offset=o, start=a0, dtype=dtype, tol=tol)[:, 0]
    if np.ptp(o) == 0:
        return intercept, np.full((W.shape[0], 2), np.nan)
    return intercept, _logistic(np.column_stack([ones[:, 0], o]), y, W, start=ab0, dtype=dtype, tol=tol)


def spline_basis(x, knots) -> np.ndarray:
    """Restricted (natural) cubic spline basis of ``x``: ``x`` itself and ``len(knots) - 2`` cubic terms.

    Parameters
    ----------
    x : array-like of shape (n,)
    knots : array-like of shape (K,), K >= 3, increasing

    Returns
    -------
    ndarray of shape (n, K - 1)

    Notes
    -----
    Harrell's parametrisation: for ``j = 1 .. K-2``,
    ``((x - t_j)_+^3 - (x - t_{K-1})_+^3 (t_K - t_j) / (t_K - t_{K-1})
    + (x - t_K)_+^3 (t_{K-1} - t_j) / (t_K - t_{K-1})) / (t_K - t_1)^2``;
    the function is cubic between the knots and linear beyond the outer ones.
    """
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(knots, dtype=np.float64)
    if t.ndim != 1 or t.size < 3 or np.any(np.diff(t) <= 0):
        raise ValueError(f"need at least 3 increasing knots, got {t}")

    def cube(v):
        return np.maximum(v, 0.0) ** 3

    K = t.size
    cols = [x]
    for j in range(K - 2):
        cols.append((cube(x - t[j]) - cube(x - t[K - 2]) * (t[K - 1] - t[j]) / (t[K - 1] - t[K - 2])
                     + cube(x - t[K - 1]) * (t[K - 2] - t[j]) / (t[K - 1] - t[K - 2])) / (t[K - 1] - t[0]) ** 2)
    return np.column_stack(cols)


def _knots(o: np.ndarray, n_knots: int) -> np.ndarray:
    if n_knots not in KNOT_QUANTILES:
        raise ValueError(f"n_knots must be one of {sorted(KNOT_QUANTILES)}, got {n_knots}")
    return np.unique(np.quantile(o, KNOT_QUANTILES[n_knots]))


def _curve_design(o: np.ndarray, knots: np.ndarray, center: np.ndarray | None = None, scale: np.ndarray | None = None):
    """Intercept column plus the (standardised) spline basis; linear only when fewer than 3 distinct knots."""
    B = spline_basis(o, knots) if knots.size >= 3 else o[:, None]
    if center is None:
        center, scale = B.mean(axis=0), B.std(axis=0)
        scale[scale == 0] = 1.0
    return np.column_stack([np.ones(o.size), (B - center) / scale]), center, scale


# --------------------------------------------------------------------------- workers
def _fit_run(task: dict) -> dict:
    """Worker: one run's intercept and slope on all test rows and on every replicate (uint8 weights)."""
    y, o = task["y"].astype(np.float64), _logit(task["p"])
    a, ab = _fit_both(y, o, np.ones((1, y.size)), dtype=np.float64, tol=1e-10)
    start = (a, ab[0] if np.all(np.isfinite(ab)) else np.array([0.0, 1.0]))
    intercepts, slopes = _fit_both(y, o, task["weights"], dtype=np.float32, tol=_BOOT_TOL, start=start)
    return {"intercept": intercepts, "slope": slopes[:, 1], "intercept_full": float(a[0]), "slope_full": float(ab[0, 1])}


def _curve_run(task: dict) -> dict:
    """Worker: one run's smoothed calibration curve on the grid, on all test rows and on every replicate."""
    y, o = task["y"].astype(np.float64), _logit(task["p"])
    knots = _knots(o, task["n_knots"])
    X, center, scale = _curve_design(o, knots)
    G = _curve_design(_logit(task["grid"]), knots, center, scale)[0]
    start = np.zeros(X.shape[1])
    start[0] = _logit(np.mean(y))[()]
    full = _logistic(X, y, np.ones((1, y.size)), start=start)[0]
    beta = _logistic(X, y, task["weights"], start=full, dtype=np.float32, tol=_BOOT_TOL)
    return {"curve_full": _expit(G @ full), "curves": _expit(beta @ G.T)}


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


# --------------------------------------------------------------------------- the study










def calibration_evidence(runs: Runs, models, n_resamples: int = 1000, seed: int = 0, n_jobs: int = 2,
                         cache_dir=None, progress: bool = True) -> dict:
    """Each model's calibration intercept and slope on the test rows, with hierarchical 95 % intervals.

    Parameters
    ----------
    runs : Runs
        The repeated runs (:func:`helpers.study.runs.repeated_runs`); the test rows are the same for
        every seed.
    models : sequence of str
        The models to judge (a model with constant probabilities gets a NaN slope).
    n_resamples : int
        Bootstrap replicates (the same draws as :func:`helpers.compare.evidence.resample_runs` with
        the same ``n_resamples`` and ``seed``).
    seed : int
    n_jobs : int
        Worker processes; one task per distinct run (a model whose runs share a cache key is fitted once).
    cache_dir : path, optional
        Folder of the cached replicates (default: no cache); the file name holds a hash of the runs'
        cache keys, the arguments and this module's code.
    progress : bool

    Returns
    -------
    dict
        ``{model: {"intercept": {"mean", "low", "high"}, "slope": {"mean", "low", "high"}, "ece": float,
        "brier": float}}``: ``mean`` is the mean over seeds of each seed's fit on all test rows,
        ``low``/``high`` the 2.5 and 97.5 percentiles over the replicates; ``ece`` (10 equal-width bins)
        and ``brier`` are means over seeds.

    Notes
    -----
    Replicate ``r`` draws test patients (rows, without known patients) with replacement and seeds with
    replacement; a model's value is ``mean_{s in drawn seeds} fit(y, p_s; weights_r)``.
    """
    models = list(models)
    seeds = runs.seeds
    flat = cached_arrays(
        replicates_path(cache_dir, "calibration", runs, models, _CODE, n_resamples, seed),
        [f"{m}|{k}{full}" for m in models for k in ("intercept", "slope") for full in ("", "_full")],
        lambda: per_run(runs, models, _fit_run, row_weights(runs, n_resamples, seed), n_jobs=n_jobs,
                        desc="calibration bootstrap", progress=progress))
    draws = seed_draws(len(seeds), n_resamples, seed)
    out = {}
    for m in models:
        entry = {}
        for k in ("intercept", "slope"):
            low, high = percentile_interval(replicate_means(flat[f"{m}|{k}"], draws))
            entry[k] = {"mean": float(np.mean(flat[f"{m}|{k}_full"])), "low": float(low), "high": float(high)}
        entry["ece"] = float(np.mean([expected_calibration_error(runs.y_test, runs.proba(m, s)) for s in seeds]))
        entry["brier"] = float(runs.metric(m, "brier").mean())
        out[m] = entry
    return out


def smoothed_curves(runs: Runs, models, grid=None, n_resamples: int = 200, seed: int = 0, n_knots: int = 4,
                    n_jobs: int = 2, cache_dir=None, progress: bool = True) -> dict:
    """Each model's smoothed calibration curve on the test rows, with a hierarchical 95 % band.

    Parameters
    ----------
    runs : Runs
    models : sequence of str
        Models with constant probabilities have no curve and are left out of the result.
    grid : array-like of shape (G,), optional
        Predicted probabilities to read the curves at; default per model 100 points from the 1st to
        the 99th percentile of its test probabilities (pooled over seeds), where the curve is fitted
        from data rather than extrapolated.
    n_resamples : int
        Bootstrap replicates for the band (the first ``n_resamples`` draws of the hierarchical bootstrap).
    seed : int
    n_knots : int
        Knots of the restricted cubic spline (3, 4 or 5), at quantiles of each run's ``logit(p)``.
    n_jobs, cache_dir, progress
        As in :func:`calibration_evidence`.

    Returns
    -------
    dict
        ``{model: {"grid": (G,), "curve": (G,), "low": (G,), "high": (G,)}}``: the observed rate the
        model's predictions stand for at each grid value (mean over seeds of each seed's fit on all
        test rows), and the 2.5 and 97.5 percentiles over the replicates.

    Notes
    -----
    Per run, ``logit P(y=1) = beta_0 + sum_j beta_j B_j(logit(p))`` with ``B`` the restricted cubic
    spline basis of :func:`spline_basis`, fitted by maximum likelihood; the curve is
    ``expit(beta_0 + sum_j beta_j B_j(logit(grid)))``. A perfectly calibrated model's curve is the diagonal.
    """
    models = [m for m in models if all(np.ptp(runs.proba(m, s)) > 0 for s in runs.seeds)]
    seeds = runs.seeds
    grids = {}
    for m in models:
        if grid is not None:
            grids[m] = np.asarray(grid, dtype=np.float64)
        else:
            lo, hi = np.quantile(np.concatenate([runs.proba(m, s) for s in seeds]), [0.01, 0.99])
            grids[m] = np.linspace(lo, hi, 100)
    flat = cached_arrays(
        replicates_path(cache_dir, "calibration_curves", runs, models, _CODE, n_resamples, seed, n_knots,
                        {m: g.tolist() for m, g in grids.items()}),
        [f"{m}|{k}" for m in models for k in ("curves", "curve_full")],
        lambda: per_run(runs, models, _curve_run, row_weights(runs, n_resamples, seed),
                        lambda m, s: {"grid": grids[m], "n_knots": n_knots}, n_jobs=n_jobs, desc="calibration curves",
                        progress=progress))
    draws = seed_draws(len(seeds), n_resamples, seed)
    out = {}
    for m in models:
        low, high = percentile_interval(replicate_means(flat[f"{m}|curves"], draws))
        out[m] = {"grid": grids[m], "curve": flat[f"{m}|curve_full"].mean(axis=0), "low": low, "high": high}
    return out


# --------------------------------------------------------------------------- what the report shows
def calibration_table(evidence: dict) -> pd.DataFrame:
    """Rows = models; numeric columns: intercept and slope with their 95 % bounds, ECE, Brier.

    Parameters
    ----------
    evidence : dict
        From :func:`calibration_evidence`.

    Returns
    -------
    DataFrame
        Columns ``intercept``, ``intercept 95 % low``, ``intercept 95 % high``, ``slope``,
        ``slope 95 % low``, ``slope 95 % high``, ``ECE``, ``Brier`` (unrounded).
    """
    rows = {}
    for m, e in evidence.items():
        row = {}
        for k in ("intercept", "slope"):
            row[k], row[f"{k} 95 % low"], row[f"{k} 95 % high"] = e[k]["mean"], e[k]["low"], e[k]["high"]
        row["ECE"], row["Brier"] = e["ece"], e["brier"]
        rows[m] = row
    return pd.DataFrame.from_dict(rows, orient="index", dtype=float)


def _where(d: dict, lo: float, hi: float) -> str:
    """'inside', 'below', 'above' (the whole interval), 'unclear' or 'undefined' relative to [lo, hi]."""
    if not all(np.isfinite(d[k]) for k in ("mean", "low", "high")):
        return "undefined"
    if d["low"] >= lo and d["high"] <= hi:
        return "inside"
    if d["high"] < lo:
        return "below"
    if d["low"] > hi:
        return "above"
    return "unclear"


def _fmt(d: dict, digits: int = 3) -> str:
    if not np.isfinite(d["mean"]):
        return "undefined"
    if not (np.isfinite(d["low"]) and np.isfinite(d["high"])):
        return f"{d['mean']:.{digits}f}"
    return f"{d['mean']:.{digits}f} [{d['low']:.{digits}f}, {d['high']:.{digits}f}]"


#: How a model is off when a whole interval lies outside its band: (quantity, where) -> words.
_OFF = {("intercept", "below"): "predicted risks too high on average (intercept below 0)",
        ("intercept", "above"): "predicted risks too low on average (intercept above 0)",
        ("slope", "below"): "predictions too extreme (slope below 1: high risks overestimated, low ones underestimated)",
        ("slope", "above"): "predictions too moderate (slope above 1: high risks underestimated, low ones overestimated)"}
#: What is left open beside a miscalibration: (quantity, where) -> words.
_OPEN = {("intercept", "unclear"): "the intercept's interval reaches past its band",
         ("slope", "unclear"): "the slope's interval reaches past its band",
         ("slope", "undefined"): "the slope is undefined (every row gets the same probability)"}


def declaration(intercept_margin: float = 0.1, slope_margin: float = 0.1) -> str:
    """The calibration rule, stated before any result (Markdown)."""
    return (f"**Calibration, declared before the results.** A model's probabilities are read as risks only when "
            f"the 95 % interval of its calibration intercept lies wholly inside ±{intercept_margin:g} (logit scale) "
            f"and that of its calibration slope inside 1 ± {slope_margin:g}; an interval wholly outside its band "
            "means miscalibrated; anything else is not shown either way.")


def calibration_sentence(evidence: dict, intercept_margin: float = 0.1, slope_margin: float = 0.1,
                         weighted=()) -> str:
    """Which models' probabilities can be read as risks, judged by intercept and slope with their intervals.

    Parameters
    ----------
    evidence : dict
        From :func:`calibration_evidence`.
    intercept_margin : float
        The intercept's band is ``[-intercept_margin, intercept_margin]``.
    slope_margin : float
        The slope's band is ``[1 - slope_margin, 1 + slope_margin]``.
    weighted : sequence of str
        Models trained with class weights: when their risks come out too high on average, the bullet
        names the cause (weighting the no-shows up in training raises every predicted risk).

    Returns
    -------
    str
        Markdown: one bullet per model, then the secondary numbers (ECE, Brier). A model "can be read
        as risks" only when both whole intervals lie inside their bands; it is "miscalibrated" when one
        whole interval lies outside its band (the bullet says how); otherwise its calibration is "not
        shown either way". A NaN slope (constant predictions) is said to be undefined.
    """
    lo_a, hi_a = -intercept_margin, intercept_margin
    lo_b, hi_b = 1 - slope_margin, 1 + slope_margin
    intro = (f"Calibration on the test rows (Van Calster et al., BMC Medicine 2019): calibration-in-the-large "
             f"(intercept, ideal 0, band ±{intercept_margin:g}) and calibration slope (ideal 1, band "
             f"[{lo_b:g}, {hi_b:g}]), each the mean over seeds with a 95 % interval over seeds and test patients "
             "(hierarchical bootstrap).")
    lines = [intro, ""]
    for m, e in evidence.items():
        a, b = _where(e["intercept"], lo_a, hi_a), _where(e["slope"], lo_b, hi_b)
        head = f"- **{m}**: intercept {_fmt(e['intercept'])}, slope {_fmt(e['slope'])}: "
        how = [_OFF[k] for k in (("intercept", a), ("slope", b)) if k in _OFF]
        if how:
            rest = [_OPEN[k] for k in (("intercept", a), ("slope", b)) if k in _OPEN]
            text = "miscalibrated: " + "; ".join(how) + (f" ({'; '.join(rest)})" if rest else "") + "."
            if a == "below" and m in weighted:
                text += (" It was trained with class weights, which count each no-show more than once and so "
                         "raise every predicted risk by design: its ranking and its tuned threshold are unaffected, "
                         "but its probabilities need recalibrating before they are read as risks.")
        elif b == "undefined":
            text = ("every row gets the same probability, so there are no individual risks to read"
                    + ("; the average risk is right (intercept inside its band)." if a == "inside" else "."))
        elif a == "inside" and b == "inside":
            text = "both intervals inside their bands: the probabilities can be read as risks."
        else:
            text = "calibration not shown either way (the interval reaches past the band)."
        lines.append(head + text)
    lines.append("")
    ece = ", ".join(f"{m} {e['ece']:.3f}" for m, e in evidence.items())
    brier = ", ".join(f"{m} {e['brier']:.4f}" for m, e in evidence.items())
    lines.append(f"Secondary numbers (means over seeds, no verdict drawn from them): expected calibration error "
                 f"(10 equal-width bins) {ece}; Brier score {brier}.")
    return "\n".join(lines)
