"""Decision curves: is a model worth using to choose whom to call with a reminder, and over which thresholds?

A model here serves one purpose: ranking patients for a reminder call (never penalising anyone). Whether
using it beats the two strategies that need no model -- **remind everyone** and **remind no one** --
is judged by its *net benefit* (A. J. Vickers, E. B. Elkin, "Decision curve analysis: a novel method for
evaluating prediction models", *Medical Decision Making* 26(6):565-574, 2006), read as Vickers, Van
Calster and Steyerberg advise ("A simple, step-by-step guide to interpreting decision curve analysis",
*Diagnostic and Prognostic Research* 3:18, 2019): over a range of *threshold probabilities* ``t``, each
the risk of missing the appointment above which a reminder is judged worth its call. ``t`` fixes the
exchange rate between the two outcomes: one no-show caught is worth ``(1 - t) / t`` unneeded reminders
(4 at ``t = 0.2``). The strategy "remind if p >= t" then earns, per patient,

    NB(t) = TP / n - FP / n * t / (1 - t),

no-shows caught net of the unneeded calls. Remind everyone earns ``prevalence - (1 - prevalence) t/(1 - t)``,
remind no one 0. A model helps at ``t`` only if its net benefit beats both, i.e. the larger of the two
(:func:`decision_evidence` calls that difference the model's *gain over the defaults*). Net benefit
reads the probabilities as risks, so a miscalibrated model is penalised here (e.g. one trained with
class weights, whose risks are too high).

Everything is computed on the **test rows** only, the same rows for every seed. A curve is the mean
over seeds of each seed's net benefit on all test rows; its 95 % band, and the interval of every
difference, come from the hierarchical bootstrap of :mod:`helpers.compare.evidence` with the very same
draws as :mod:`helpers.compare.calibration`: the test rows of :func:`helpers.metrics.resample_weights`
(whole patients when the patients of the test rows are known) and the seeds of
``np.random.default_rng(seed + 1)``; a model's value in a replicate is the mean over the drawn seeds of
each drawn seed's net benefit on the drawn rows. Differences (model minus defaults, one model minus
another, reminders avoided) are *paired*: computed replicate by replicate, then summarised. A model is
called useful at ``t`` only when the whole interval of its gain over the defaults lies above 0.
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

if TYPE_CHECKING:
    from helpers.study.runs import Runs

__all__ = ["ALL", "NONE", "THRESHOLDS", "decision_evidence", "decision_sentence", "decision_table", "net_benefit",
           "treat_all", "useful_range_table", "useful_ranges"]

#: The name of the strategy "remind everyone" in the evidence and the tables.
ALL = "Remind everyone"
#: The name of the strategy "remind no one" in the tables (its net benefit is 0 at every threshold).
NONE = "Remind no one"
#: The default threshold probabilities: 0.05, 0.06, ..., 0.60.
THRESHOLDS = np.round(np.arange(0.05, 0.61, 0.01), 10)
#: The two networks the sentence compares (as named in :mod:`helpers.study.runs`).
_NETWORKS = ("NumPy MLP", "PyTorch MLP")
_CHUNK = 64  # bootstrap replicates counted at once: their (chunk, n) arrays stay small
#: The code whose changes invalidate a cached result (the draws come from helpers.metrics).
_CODE = ("compare.decision", "metrics")


# --------------------------------------------------------------------------- net benefit
def _check(y, p, thresholds) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = np.asarray(y)
    p = np.asarray(p, dtype=np.float64)
    t = np.atleast_1d(np.asarray(thresholds, dtype=np.float64))
    if y.ndim != 1 or p.shape != y.shape:
        raise ValueError(f"y and p must be 1-D of the same length, got shapes {y.shape} and {p.shape}")
    if not np.all(np.isin(y, (0, 1))):
        raise ValueError("y must contain only 0/1 labels")
    if not np.all(np.isfinite(p)):
        raise ValueError("p must be finite")
    if t.ndim != 1 or not np.all((t > 0) & (t < 1)):
        raise ValueError(f"thresholds must be probabilities strictly between 0 and 1, got {t}")
    return y.astype(np.int8), p, t


def _weights_matrix(weights, n: int) -> np.ndarray:
    W = np.asarray(weights)
    if W.ndim != 2 or W.shape[1] != n:
        raise ValueError(f"weights must have shape (m, {n}), got {W.shape}")
    if W.size and W.min() < 0:
        raise ValueError("weights must be non-negative")
    return W


def _counts(y: np.ndarray, p: np.ndarray, t: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted true and false positives of "p >= t" at each threshold, and the weighted row count.

    Returns ``TP`` (m, T), ``FP`` (m, T) and ``n`` (m,), as int64 for integer weights, else float64.
    The rows are sorted once by (label, p), so that the rows with ``p >= t`` of each class are a tail
    of that class's block; each block of weight rows is gathered in that order, summed between the
    cut points ``searchsorted(p, t)`` (``np.add.reduceat``) and the segment sums are accumulated.
    """
    order = np.lexsort((p, y))  # the shows (y = 0) first, each class by increasing p
    ps = p[order]
    n0 = int(np.count_nonzero(y == 0))
    n = y.size
    m, T = W.shape[0], t.size
    integer = np.issubdtype(W.dtype, np.integer) or W.dtype == bool
    dtype = np.int64 if integer else np.float64
    if n == 0:
        return np.zeros((m, T), dtype), np.zeros((m, T), dtype), np.zeros(m, dtype)
    k_neg = np.searchsorted(ps[:n0], t, side="left")  # shows with p < t
    k_pos = n0 + np.searchsorted(ps[n0:], t, side="left")  # no-shows before the first with p >= t
    # S(q) = the weight of the first q sorted rows, for every cut point q
    q = np.concatenate([k_neg, k_pos, [n0, n]])
    starts = np.unique(np.concatenate([[0], q[q < n]]))  # segments [starts[j], starts[j + 1]), none empty
    at = np.searchsorted(starts, q)  # S(q) = sum of the segments before position `at` (all of them for q = n)
    # one-byte multiplicities (the bootstrap's uint8) of n rows cannot overflow int32 sums
    running = np.int32 if integer and W.dtype.itemsize == 1 and n * 255 < 2**31 else dtype
    S = np.empty((m, q.size), dtype)
    for first in range(0, m, _CHUNK):
        block = np.take(W[first:first + _CHUNK], order, axis=1)
        seg = np.add.reduceat(block, starts, axis=1, dtype=running).astype(dtype)
        prefix = np.zeros((seg.shape[0], starts.size + 1), dtype)
        np.cumsum(seg, axis=1, out=prefix[:, 1:])
        S[first:first + _CHUNK] = prefix[:, at]
    s_neg, s_pos, s_n0, s_n = S[:, :T], S[:, T:2 * T], S[:, -2:-1], S[:, -1]
    return s_n[:, None] - s_pos, s_n0 - s_neg, s_n


def net_benefit(y, p, thresholds, weights=None) -> np.ndarray:
    """Net benefit of "remind if p >= t" at each threshold probability ``t``.

    Parameters
    ----------
    y : array-like of shape (n,)
        0/1 labels (1: the patient missed the appointment).
    p : array-like of shape (n,)
        Predicted probabilities of a no-show.
    thresholds : array-like of shape (T,)
        Threshold probabilities, each strictly between 0 and 1 (any order).
    weights : array-like of shape (m, n), optional
        Row multiplicities of ``m`` bootstrap replicates (any non-negative numeric dtype, e.g. uint8):
        row ``r`` of the result equals the net benefit on the data with row ``i`` repeated
        ``weights[r, i]`` times.

    Returns
    -------
    ndarray of shape (T,), or (m, T) with ``weights``, float64
        NaN for a replicate without rows.

    Notes
    -----
    ``NB(t) = TP(t) / n - FP(t) / n * t / (1 - t)`` (Vickers & Elkin 2006), where ``TP(t)`` and
    ``FP(t)`` count the no-shows and the shows with ``p >= t`` and ``n`` all rows (weighted counts with
    ``weights``). The rows are sorted once; the counts of all thresholds and replicates come from
    cumulative sums of the weight rows in that order, taken between the thresholds' cut points (no
    loop over rows or thresholds; replicates go in blocks of 64).
    """
    y, p, t = _check(y, p, thresholds)
    W = np.ones((1, y.size), dtype=np.uint8) if weights is None else _weights_matrix(weights, y.size)
    TP, FP, n = _counts(y, p, t, W)
    with np.errstate(divide="ignore", invalid="ignore"):
        nb = (TP - FP * (t / (1 - t))) / n[:, None].astype(np.float64)
    return nb[0] if weights is None else nb


def treat_all(y, thresholds, weights=None) -> np.ndarray:
    """Net benefit of reminding everyone at each threshold probability ``t``.

    Parameters
    ----------
    y : array-like of shape (n,)
        0/1 labels.
    thresholds : array-like of shape (T,)
        Threshold probabilities strictly between 0 and 1.
    weights : array-like of shape (m, n), optional
        Row multiplicities of ``m`` bootstrap replicates.

    Returns
    -------
    ndarray of shape (T,), or (m, T) with ``weights``, float64

    Notes
    -----
    ``NB_all(t) = pi - (1 - pi) * t / (1 - t)`` with ``pi`` the (weighted) share of no-shows: every
    no-show is caught, every show gets an unneeded call. It is 0 at ``t = pi``. Reminding no one has
    net benefit 0 at every threshold.
    """
    y, _, t = _check(y, np.zeros(np.shape(y)), thresholds)
    if weights is None:
        pi = np.array([y.mean()]) if y.size else np.array([np.nan])
    else:
        W = _weights_matrix(weights, y.size)
        with np.errstate(divide="ignore", invalid="ignore"):
            pi = np.asarray(W[:, y == 1].sum(axis=1), dtype=np.float64) / W.sum(axis=1)
    nb = pi[:, None] - (1 - pi[:, None]) * (t / (1 - t))
    return nb[0] if weights is None else nb


# --------------------------------------------------------------------------- the bootstrap
def _run_net_benefit(task: dict) -> dict:
    """Worker: one run's net benefit on all test rows (T,) and on every replicate (R, T)."""
    y, p, t = task["y"], task["p"], task["thresholds"]
    return {"full": net_benefit(y, p, t), "boot": net_benefit(y, p, t, task["weights"])}












def _summary(estimate: np.ndarray, boot: np.ndarray) -> dict:
    low, high = percentile_interval(boot)
    return {"estimate": np.asarray(estimate, dtype=np.float64), "low": low, "high": high}


def useful_ranges(thresholds, low) -> list[tuple[float, float]]:
    """The runs of consecutive thresholds where an interval's lower bound is above 0.

    Parameters
    ----------
    thresholds : array-like of shape (T,)
        Increasing threshold probabilities (a grid).
    low : array-like of shape (T,)
        Lower bound of the interval of a difference at each threshold (NaN counts as not above 0).

    Returns
    -------
    list of (float, float)
        ``(first, last)`` threshold of each run of consecutive grid points with ``low > 0``, in order;
        empty when there is none.
    """
    t = np.asarray(thresholds, dtype=np.float64)
    above = np.asarray(low, dtype=np.float64) > 0
    return _runs_of(t, above)


def _runs_of(t: np.ndarray, mask: np.ndarray) -> list[tuple[float, float]]:
    edges = np.flatnonzero(np.diff(np.concatenate([[False], mask, [False]]).astype(np.int8)))
    return [(float(t[a]), float(t[b - 1])) for a, b in zip(edges[::2], edges[1::2])]


def decision_evidence(runs: Runs, models, thresholds=THRESHOLDS, n_resamples: int = 1000, seed: int = 0,
                      n_jobs: int = 2, cache_dir=None, progress: bool = True) -> dict:
    """Decision curves of ``models`` on the test rows, with hierarchical 95 % bands and paired differences.

    Parameters
    ----------
    runs : Runs
        The repeated runs (:func:`helpers.study.runs.repeated_runs`); the test rows are the same for every seed.
    models : sequence of str
        The models to draw.
    thresholds : array-like of shape (T,)
        Increasing threshold probabilities (default 0.05, 0.06, ..., 0.60).
    n_resamples : int
        Bootstrap replicates ``R`` (the same draws as :func:`helpers.compare.evidence.resample_runs` and
        :func:`helpers.compare.calibration.calibration_evidence` with the same ``n_resamples`` and ``seed``).
    seed : int
    n_jobs : int
        Worker processes; one task per distinct run (a model whose runs share a cache key is evaluated once).
    cache_dir : path, optional
        Folder of the cached per-run replicates (default: no cache); the file name holds a hash of the
        runs' cache keys, the arguments and this module's code.
    progress : bool

    Returns
    -------
    dict
        One entry per model, then ``"Remind everyone"`` (:data:`ALL`), each with

        - ``"thresholds"`` (T,);
        - ``"net_benefit"`` (T,): the mean over seeds of each seed's net benefit on all test rows
          (reminding everyone: its net benefit on all test rows);
        - ``"low"``, ``"high"`` (T,): the 2.5 and 97.5 percentiles over the replicates.

        ``"Remind everyone"`` also holds ``"prevalence"`` (float, the test rows' no-show rate). Each
        model's entry also holds

        - ``"versus_defaults"``: ``{"estimate", "low", "high"}`` (T,) of the paired gain
          ``NB(model) - max(NB(all), 0)`` over the better of the two defaults;
        - ``"useful"``: list of ``(first, last)`` threshold ranges where that gain's whole interval lies
          above 0 (:func:`useful_ranges`);
        - ``"reminders_avoided"``: ``{"estimate", "low", "high"}`` (T,), reminders saved per 100 patients
          compared with reminding everyone, at as many no-shows caught;
        - ``"versus"``: ``{other model: {"estimate", "low", "high"}}`` (T,), the paired difference
          ``NB(model) - NB(other)``.

    Notes
    -----
    Replicate ``r`` draws test patients (rows, when the patients are unknown) and seeds with replacement;
    a model's net benefit is ``mean_{s in drawn seeds} NB(y, p_s, t; weights_r)``. Reminding everyone
    does not depend on the seed: its replicate is ``NB_all(y, t; weights_r)``. Every difference is formed
    replicate by replicate before its percentiles are taken. Reminders avoided per 100 patients:
    ``(NB(model) - NB(all)) / (t / (1 - t)) * 100`` (Vickers & Elkin 2006: the net reduction in
    interventions).
    """
    models = list(models)
    seeds = runs.seeds
    t = np.asarray(thresholds, dtype=np.float64)
    if t.ndim != 1 or t.size == 0 or np.any(np.diff(t) <= 0) or not np.all((t > 0) & (t < 1)):
        raise ValueError("thresholds must be a non-empty, increasing grid strictly between 0 and 1")
    y = np.asarray(runs.y_test)

    def compute() -> dict:
        weights = row_weights(runs, n_resamples, seed)
        return {f"{ALL}|boot": treat_all(y, t, weights), f"{ALL}|full": treat_all(y, t),
                **per_run(runs, models, _run_net_benefit, weights, lambda m, s: {"thresholds": t}, n_jobs=n_jobs,
                          desc="decision curves", progress=progress)}

    grid = [round(float(v), 10) for v in t]
    flat = cached_arrays(replicates_path(cache_dir, "decision", runs, models, _CODE, grid, n_resamples, seed),
                         [f"{m}|{k}" for m in (ALL, *models) for k in ("boot", "full")], compute)
    draws = seed_draws(len(seeds), n_resamples, seed)
    all_boot, all_full = flat[f"{ALL}|boot"], flat[f"{ALL}|full"]
    best_default_boot, best_default = np.maximum(all_boot, 0.0), np.maximum(all_full, 0.0)
    odds = t / (1 - t)
    boots = {m: replicate_means(flat[f"{m}|boot"], draws) for m in models}
    fulls = {m: flat[f"{m}|full"].mean(axis=0) for m in models}
    out = {}
    for m in models:
        low, high = percentile_interval(boots[m])
        gain = _summary(fulls[m] - best_default, boots[m] - best_default_boot)
        out[m] = {"thresholds": t, "net_benefit": fulls[m], "low": low, "high": high,
                  "versus_defaults": gain, "useful": useful_ranges(t, gain["low"]),
                  "reminders_avoided": _summary((fulls[m] - all_full) / odds * 100,
                                                (boots[m] - all_boot) / odds * 100),
                  "versus": {o: _summary(fulls[m] - fulls[o], boots[m] - boots[o]) for o in models if o != m}}
    low, high = percentile_interval(all_boot)
    out[ALL] = {"thresholds": t, "net_benefit": all_full, "low": low, "high": high,
                "prevalence": float(np.mean(y))}
    return out


# --------------------------------------------------------------------------- what the report shows
def _index(thresholds: np.ndarray, at: float) -> int:
    """The grid index of threshold ``at``."""
    hit = np.flatnonzero(np.isclose(thresholds, at, rtol=0, atol=1e-9))
    if hit.size == 0:
        raise ValueError(f"threshold {at:g} is not on the evidence's grid ({thresholds[0]:g} to {thresholds[-1]:g})")
    return int(hit[0])


def _models(evidence: dict) -> list[str]:
    return [m for m in evidence if m != ALL]


def decision_table(evidence: dict, at=(0.1, 0.2, 0.3, 0.4)) -> pd.DataFrame:
    """Net benefit of every model and of the two defaults at a few threshold probabilities.

    Parameters
    ----------
    evidence : dict
        From :func:`decision_evidence`.
    at : sequence of float
        Threshold probabilities on the evidence's grid.

    Returns
    -------
    DataFrame
        Rows: the models, ``"Remind everyone"``, ``"Remind no one"`` (0 at every threshold). For each
        ``t`` in ``at`` three numeric columns (unrounded): ``"NB at t"``, ``"NB at t 95 % low"``,
        ``"NB at t 95 % high"`` (``t`` written as ``:g``, e.g. ``"NB at 0.2"``).
    """
    rows = {}
    for name in [*_models(evidence), ALL]:
        e, row = evidence[name], {}
        for v in at:
            i = _index(np.asarray(e["thresholds"]), v)
            row[f"NB at {v:g}"] = e["net_benefit"][i]
            row[f"NB at {v:g} 95 % low"] = e["low"][i]
            row[f"NB at {v:g} 95 % high"] = e["high"][i]
        rows[name] = row
    rows[NONE] = {k: 0.0 for k in rows[ALL]}
    return pd.DataFrame.from_dict(rows, orient="index", dtype=float)


def _range_text(ranges, digits: int = 2) -> str:
    return "; ".join(f"{a:.{digits}f}" if a == b else f"{a:.{digits}f} to {b:.{digits}f}" for a, b in ranges)


def useful_range_table(evidence: dict) -> pd.DataFrame:
    """Per model, the threshold probabilities where it beats both reminding everyone and reminding no one.

    Parameters
    ----------
    evidence : dict
        From :func:`decision_evidence`.

    Returns
    -------
    DataFrame
        Rows = models; columns ``"beats both defaults at"`` (text: the ranges, ``"nowhere"`` if none),
        ``"lowest"`` and ``"highest"`` (the smallest and largest such threshold, NaN if none) and
        ``"thresholds"`` (how many grid thresholds qualify, of ``"of"``). A threshold qualifies when the
        95 % interval of the paired gain ``NB(model) - max(NB(all), 0)`` lies wholly above 0.
    """
    rows = {}
    for m in _models(evidence):
        e = evidence[m]
        t = np.asarray(e["thresholds"])
        mask = np.asarray(e["versus_defaults"]["low"]) > 0
        ranges = _runs_of(t, mask)
        rows[m] = {"beats both defaults at": _range_text(ranges) if ranges else "nowhere",
                   "lowest": float(t[mask].min()) if mask.any() else np.nan,
                   "highest": float(t[mask].max()) if mask.any() else np.nan,
                   "thresholds": int(mask.sum()), "of": int(t.size)}
    return pd.DataFrame.from_dict(rows, orient="index")


def _cell(est: float, low: float, high: float, digits: int) -> str:
    return f"{est:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def _reminders_words(e: dict, i: int, t: float) -> str:
    r = e["reminders_avoided"]
    est, low, high = r["estimate"][i], r["low"][i], r["high"][i]
    cell = _cell(est, low, high, 1)
    head = f"At t = {t:.2f} (one caught no-show worth {(1 - t) / t:.3g} unneeded calls), "
    if not (np.isfinite(low) and np.isfinite(high)):
        return head + "the reminders it saves cannot be estimated."
    if low > 0:
        return (head + f"it **avoids {cell} reminders per 100 patients** compared with reminding everyone, "
                "for as many no-shows caught.")
    if high < 0:
        return (head + f"it does worse than reminding everyone: {cell} reminders per 100 patients saved "
                "(negative: it would need more calls, or catch fewer no-shows).")
    return (head + f"the reminders it saves per 100 patients compared with reminding everyone, {cell}, "
            "are not shown to differ from 0.")


def decision_sentence(evidence: dict, margin: float = 0.005, at: float = 0.2, networks=_NETWORKS) -> str:
    """Which models are worth using for reminder calls, over which thresholds, and whether the networks differ.

    Parameters
    ----------
    evidence : dict
        From :func:`decision_evidence`.
    margin : float
        Net benefit difference below which the two networks' curves count as practically equal (the
        same units as net benefit: no-shows caught per patient).
    at : float
        The typical threshold probability at which the reminders avoided are reported (on the grid).
    networks : (str, str)
        The two networks compared (skipped unless both are in ``evidence``).

    Returns
    -------
    str
        Markdown: a paragraph on what is shown, one bullet per model and one on the networks.

        - A model "beats both reminding everyone and reminding no one" over the threshold ranges where
          the 95 % interval of its paired gain over the better default lies wholly above 0; otherwise
          it "beats both defaults at no threshold probability" of the grid. Thresholds where the whole
          interval lies below 0 are named as worse than the better default.
        - The reminders avoided per 100 patients at ``at``, with their interval, and in words whether
          they are above 0, below 0, or not shown to differ from 0.
        - The networks' curves "can be told apart" at thresholds where the interval of
          ``NB(first) - NB(second)`` excludes 0 and reaches past ``±margin``; they are called
          "indistinguishable" only when no threshold is like that (every interval contains 0 or lies
          within ``±margin``), "practically equal" when in addition every interval lies within ``±margin``.
    """
    models = _models(evidence)
    t = np.asarray(evidence[ALL]["thresholds"]) if ALL in evidence else np.asarray(evidence[models[0]]["thresholds"])
    grid = f"{t[0]:.2f} to {t[-1]:.2f}"
    i_at = _index(t, at)
    lines = [("Decision curves on the test rows (Vickers & Elkin, Medical Decision Making 2006): the net benefit "
              "of reminding the patients whose predicted risk of missing is at least a threshold probability t, in "
              "no-shows caught per patient after charging each unneeded reminder t/(1-t) of a caught no-show; a "
              "threshold t says that one caught no-show is worth (1-t)/t unneeded calls. Each curve is the mean over "
              "seeds with a 95 % interval over seeds and test patients (hierarchical bootstrap). A model is useful "
              "at t only when the interval of its net benefit minus the better of reminding everyone and reminding "
              f"no one lies wholly above 0 (thresholds {grid} examined)."), ""]
    for m in models:
        e = evidence[m]
        gain = e["versus_defaults"]
        useful = useful_ranges(t, gain["low"])
        worse = _runs_of(t, np.asarray(gain["high"]) < 0)
        if useful:
            best = int(np.nanargmax(np.where(np.asarray(gain["low"]) > 0, gain["estimate"], -np.inf)))
            text = (f"beats both reminding everyone and reminding no one for threshold probabilities "
                    f"{_range_text(useful)} (largest gain {_cell(gain['estimate'][best], gain['low'][best], gain['high'][best], 4)} "
                    f"net benefit at t = {t[best]:.2f}).")
        else:
            text = (f"beats both defaults at no threshold probability from {grid} (the interval of its gain over the "
                    "better default reaches 0 or below at every threshold), so reminding everyone or no one does as well.")
        if worse:
            text += f" It does worse than the better default at {_range_text(worse)}."
        lines.append(f"- **{m}**: {text} {_reminders_words(e, i_at, float(t[i_at]))}")
    a, b = networks
    if a in evidence and b in evidence and b in evidence[a].get("versus", {}):
        lines.append(_networks_words(evidence[a]["versus"][b], t, a, b, margin))
    return "\n".join(lines)


def _networks_words(d: dict, t: np.ndarray, a: str, b: str, margin: float) -> str:
    est, low, high = (np.asarray(d[k], dtype=np.float64) for k in ("estimate", "low", "high"))
    inside = (low >= -margin) & (high <= margin)
    apart = ~((low <= 0) & (high >= 0)) & ~inside
    head = f"- **{a} vs {b}**: "
    if apart.any():
        parts = []
        for mask, who in ((apart & (low > 0), a), (apart & (high < 0), b)):
            ranges = _runs_of(t, mask)
            if ranges:
                parts.append(f"{who} higher at {_range_text(ranges)}")
        j = int(np.argmax(np.where(apart, np.abs(est), -np.inf)))
        return (head + f"the two networks' curves **can be told apart**: the interval of NB({a}) - NB({b}) excludes 0 "
                f"and reaches past ±{margin:g} net benefit ({'; '.join(parts)}; largest difference "
                f"{_cell(est[j], low[j], high[j], 4)} at t = {t[j]:.2f}).")
    j = int(np.argmax(np.maximum(np.abs(low), np.abs(high))))
    widest = f"widest interval {_cell(est[j], low[j], high[j], 4)} at t = {t[j]:.2f}"
    if inside.all():
        return (head + f"the two networks' curves are **indistinguishable** and practically equal: at every threshold "
                f"the interval of NB({a}) - NB({b}) lies within ±{margin:g} net benefit ({widest}).")
    return (head + f"the two networks' curves are **indistinguishable**: at every threshold the interval of "
            f"NB({a}) - NB({b}) contains 0 or lies within ±{margin:g}, though at some it reaches past ±{margin:g} "
            f"({widest}), so their equality is not shown either.")
