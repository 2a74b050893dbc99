"""The same study under every validation scheme (notebook 05).

A clinic would use the model on *future* appointments, often of patients it has already seen. Each
scheme holds out test rows differently (:mod:`helpers.splits`): ``stratified`` (random rows, the
headline), ``grouped`` (no patient in two parts), ``temporal`` (train on the earliest days, test on
the last) and ``original`` (the week-1 report's test rows). Every scheme gets the whole treatment on
its own rows: its own data preparation (scaler and encoders fitted on its training rows), its own
cross-validated settings for every model, repeated seeds, and intervals that resample test patients.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import evidence
from .dataset import prepare
from .experiment import Choice, load_checked, network_choice, reference_choices
from .study import NETWORKS, Runs, repeated_runs, results_folder, seeds_for

__all__ = ["SCHEMES", "SchemeResult", "run_scheme", "scheme_cells", "scheme_table", "scheme_diffs"]

SCHEMES = ("stratified", "grouped", "temporal", "original")


@dataclass
class SchemeResult:
    """Everything one scheme produced."""

    split: str
    meta: dict  #: the prepared data's metadata (source, split diagnostics, ...)
    choice: Choice
    references: dict
    runs: Runs
    resamples: evidence.Resamples


def run_scheme(split: str, *, main_split: str, data_path, seed: int, sample_rows, processed_dir, results_dir,
               repeats: int, network: dict, n_bootstrap: int, n_jobs: int = 2, progress: bool = True) -> SchemeResult:
    """Prepare (unless it is the main split, prepared by notebook 01), tune, train and resample one scheme.

    ``network`` holds the notebook's network parameters (``weight_decay``/``class_weight`` may be
    ``None``/``"cv"``: chosen by this scheme's own cross-validation).
    """
    if split != main_split:
        prepare(data_path=data_path, split=split, seed=seed, sample_rows=sample_rows, processed_dir=processed_dir)
    data = load_checked(processed_dir, split, sample_rows)
    choice = network_choice(data, split, seed, results_dir, n_jobs, progress, **network)
    references = reference_choices(data, split, seed, results_dir, n_jobs, progress)
    runs = repeated_runs(data, split, seeds_for(seed, repeats), choice.params,
                         {name: params for name, (params, _, _) in references.items()},
                         processed_dir, results_dir, n_jobs=n_jobs, progress=progress)
    res = evidence.resample_runs(runs, n_bootstrap, seed, clustered=True, n_jobs=n_jobs,
                                 cache_dir=results_folder(results_dir, split), progress=progress)
    return SchemeResult(split, data.meta, choice, references, runs, res)


def scheme_cells(results: dict[str, SchemeResult], metrics=("pr_auc", "roc_auc", "f1")) -> dict:
    """``{scheme: {model: {metric: spread}}}`` (mean over seeds, hierarchical interval)."""
    models = [m for m in results[next(iter(results))].runs.models if m != "Always show (dummy)"]
    return {s: {m: {k: evidence.spread(r.runs, r.resamples, m, k) for k in metrics} for m in models}
            for s, r in results.items()}


def scheme_table(cells: dict, digits: int = 3) -> pd.DataFrame:
    """Rows = (scheme, model), one column per metric: 'mean [low, high]'."""
    rows = {}
    for scheme, by_model in cells.items():
        for model, by_metric in by_model.items():
            rows[(scheme, model)] = {k: f"{v['mean']:.{digits}f} [{v['low']:.{digits}f}, {v['high']:.{digits}f}]"
                                     for k, v in by_metric.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index = [f"{s}: {m}" for s, m in table.index]
    return table


def scheme_diffs(results: dict[str, SchemeResult], metric: str = "pr_auc") -> dict:
    """Per scheme the paired differences the conclusions judge:
    ``{scheme: {"frameworks": NumPy - PyTorch, "boosting": best network - GB, "logistic": best network - LR}}``."""
    out = {}
    for scheme, r in results.items():
        best = evidence.best_network(r.runs, metric)
        out[scheme] = {"best_network": best,
                       "frameworks": evidence.paired(r.runs, r.resamples, *NETWORKS, metric),
                       "boosting": evidence.paired(r.runs, r.resamples, best, "Gradient boosting", metric),
                       "logistic": evidence.paired(r.runs, r.resamples, best, "Logistic regression", metric)}
    return out


def week1_rows(result: SchemeResult) -> dict:
    """Our networks on the week-1 test rows: mean over seeds of PR-AUC, ROC-AUC, F1 and accuracy."""
    runs = result.runs
    return {m: {k: float(runs.metric(m, k).mean()) for k in ("pr_auc", "roc_auc", "f1", "accuracy")} for m in NETWORKS}
