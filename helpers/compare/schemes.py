"""The same study under every validation scheme (notebook 05).

A clinic would use the model on *future* appointments, often of patients it has already seen. Each
scheme holds out test rows differently (:mod:`helpers.data.splits`): ``stratified`` (random rows, the
headline), ``grouped`` (no patient in two parts), ``temporal`` (train on the earliest days, test on
the last) and ``original`` (the week-1 report's test rows). Every scheme gets the whole treatment on
its own rows: its own data preparation (scaler and encoders fitted on its training rows), its own
cross-validated settings for every model (the same number of folds in every scheme: grouped by patient,
or forward-chaining by day in the temporal scheme), repeated seeds with each seed's own train /
validation partition where the scheme allows one, and intervals that resample test patients.

Whether a finding depends on the scheme is measured, not read off differing labels: for two schemes the
contrast is the difference of their paired differences, and its interval comes from the two schemes'
independent resamples (:func:`scheme_contrasts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from helpers.compare import evidence
from helpers.compare.evidence import first_seed_confusions
from helpers.compare.verdicts import FINDINGS, diff_table
from helpers.data.pipeline import prepare
from helpers.data.prepared import source_banner
from helpers.study.experiment import (
    Choice,
    load_checked,
    network_choice,
    reference_choices,
)
from helpers.study.runs import NETWORKS, REFERENCES, Runs, repeated_runs, results_folder, seeds_for

__all__ = ["SCHEMES", "SchemeResult", "run_scheme", "scheme_cells", "scheme_table", "scheme_diffs", "scheme_contrasts",
           "contrasts_table"]

SCHEMES = ("stratified", "grouped", "temporal", "original")
#: The models notebook 05 trains under every scheme: the twins and the references. scikit-learn's MLP
#: (notebook 04's third contestant) is left out to keep the report within its time budget.
SCHEME_MODELS = NETWORKS + REFERENCES
#: The metrics notebook 05 resamples (its tables, differences and the week-1 comparison read no others).
SCHEME_METRICS = ("pr_auc", "roc_auc", "f1")


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
               repeats: int, network: dict, n_bootstrap: int, cv_folds: int, n_jobs: int = 2,
               progress: bool = True, redraw_validation: bool = True) -> SchemeResult:
    """Prepare (unless it is the main split, prepared by notebook 01), tune, train and resample one scheme.

    ``network`` holds the notebook's network parameters (``weight_decay``/``class_weight`` may be
    ``None``/``"cv"``: chosen by this scheme's own cross-validation). Every scheme is tuned with ``cv_folds``
    folds, as notebooks 02-04 tuned the main split (whose cached tables and runs are reused).
    """
    folds = cv_folds
    if split != main_split:
        prepare(data_path=data_path, split=split, seed=seed, sample_rows=sample_rows, processed_dir=processed_dir)
    data = load_checked(processed_dir, split, sample_rows)
    choice = network_choice(data, split, seed, results_dir, n_jobs, progress, **network, cv_folds=folds)
    references = reference_choices(data, split, seed, results_dir, n_jobs, progress, cv_folds=folds)
    runs = repeated_runs(data, split, seeds_for(seed, repeats), choice.params,
                         {name: params for name, (params, _, _) in references.items()},
                         processed_dir, results_dir, models=SCHEME_MODELS, n_jobs=n_jobs, progress=progress,
                         redraw_validation=redraw_validation)
    res = evidence.resample_runs(runs, n_bootstrap, seed, clustered=True, metrics=SCHEME_METRICS, n_jobs=n_jobs,
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
    """Per scheme the paired differences the conclusions judge: ``{scheme: {"frameworks": NumPy - PyTorch,
    "boosting": chosen network - GB, "logistic": chosen network - LR}}``, the network chosen on each scheme's
    validation rows (:func:`helpers.compare.evidence.best_network`)."""
    out = {}
    for scheme, r in results.items():
        best = evidence.best_network(r.runs, metric)
        out[scheme] = {"best_network": best,
                       "frameworks": evidence.paired(r.runs, r.resamples, *NETWORKS, metric),
                       "boosting": {**evidence.paired(r.runs, r.resamples, best, "Gradient boosting", metric),
                                    "chosen_on": "validation"},
                       "logistic": {**evidence.paired(r.runs, r.resamples, best, "Logistic regression", metric),
                                    "chosen_on": "validation"}}
    return out


def scheme_contrasts(results: dict[str, SchemeResult], diffs: dict, metric: str = "pr_auc", alpha: float = 0.05,
                     seed: int = 0) -> dict:
    """Between-scheme contrasts of every finding: for schemes ``a``, ``b`` the difference of their paired
    differences, ``{finding: [{"a", "b", "estimate", "low", "high", "level"}, ...]}``.

    The schemes have their own test rows and their own resamples, so their replicates are independent
    draws; to keep them so (every scheme draws its seeds with the same generator), scheme ``b``'s
    replicates are taken in a seeded random order before the differences are formed. The intervals
    are percentile intervals at level ``1 - alpha / (number of pairs)`` (Bonferroni over the pairs), so
    that a dependence is not found by looking at many pairs.
    """
    schemes = list(results)
    pairs = list(combinations(schemes, 2))
    level = 1 - alpha / max(len(pairs), 1)
    rng = np.random.default_rng(seed)
    out = {}
    for key in ("frameworks", "boosting", "logistic"):
        boots = {}
        for scheme, r in results.items():
            d = diffs[scheme][key]
            boots[scheme] = evidence.paired_replicates(r.resamples, d["a"], d["b"], metric)
        found = []
        for a, b in pairs:
            other = boots[b][rng.permutation(len(boots[b]))]
            n = min(len(boots[a]), len(other))
            low, high = np.nanquantile(boots[a][:n] - other[:n], [(1 - level) / 2, (1 + level) / 2])
            found.append({"a": a, "b": b, "metric": metric, "estimate": diffs[a][key]["estimate"] - diffs[b][key]["estimate"],
                          "low": float(low), "high": float(high), "level": level})
        out[key] = found
    return out


def contrasts_table(contrasts: dict, margin: float) -> pd.DataFrame:
    """The contrasts of :func:`scheme_contrasts` as one table (a row per finding and pair of schemes)."""
    rows = [(f"{FINDINGS[key]}: {c['a']} - {c['b']}", c) for key, found in contrasts.items() for c in found]
    if not rows:
        return pd.DataFrame(columns=["contrast", "low", "high", "interval", "excludes zero"])
    table = diff_table([{**c, "sd": np.nan} for _, c in rows], {rows[0][1]["metric"]: margin} if rows else {},
                       names=[name for name, _ in rows]).drop(columns=["SD over seeds"])
    table = table.rename(columns={"95 % low": "low", "95 % high": "high", "mean difference": "contrast"})
    table["interval"] = [f"{c['level']:.1%}" for _, c in rows]
    table["excludes zero"] = [bool(c["low"] > 0 or c["high"] < 0) for _, c in rows]
    return table.drop(columns=["verdict", "margin"])


def week1_rows(result: SchemeResult) -> dict:
    """Our networks on the week-1 test rows: mean over seeds of PR-AUC, ROC-AUC, F1 and accuracy, and the
    F1 mean's 95 % interval (``f1_low``, ``f1_high``: seeds and test patients resampled)."""
    runs = result.runs
    out = {}
    for m in NETWORKS:
        f1 = evidence.spread(runs, result.resamples, m, "f1")
        out[m] = {**{k: float(runs.metric(m, k).mean()) for k in ("pr_auc", "roc_auc", "f1", "accuracy")},
                  "f1_low": f1["low"], "f1_high": f1["high"]}
    return out


def data_banner(results: dict[str, SchemeResult], main_split: str) -> str:
    """Which data the schemes ran on (the banner of notebook 01's split, else of the first scheme)."""
    return source_banner((results.get(main_split) or next(iter(results.values()))).meta)


def diagnostics_table(results: dict[str, SchemeResult]) -> pd.DataFrame:
    """What each scheme's training rows reveal about its test rows (from the prepared data's metadata)."""
    rows = {}
    for scheme, r in results.items():
        d = r.meta["split"].get("diagnostics", {})
        balance = r.meta["balance"]
        rows[scheme] = {"train rows": balance["train"]["rows"], "test rows": balance["test"]["rows"],
                        "test no-show rate": balance["test"]["no_show_rate"],
                        "test rows: same patient, same day in train": d.get("same_patient_same_day_rows"),
                        "test patients seen in train": d.get("patients_in_train"),
                        "train rows on days after the first test day": d.get("train_rows_after_earliest_held_out_day")}
    return pd.DataFrame.from_dict(rows, orient="index")


def diagnostics_sentence(results: dict[str, SchemeResult]) -> str:
    """The diagnostics in words, scheme by scheme (from the numbers)."""
    parts = []
    for scheme, r in results.items():
        d = r.meta["split"].get("diagnostics", {})
        if not d:
            continue
        parts.append(f"{scheme}: {d['same_patient_same_day_rows']:.1%} of the test rows have an appointment of the same "
                     f"patient on the same day among the training rows (their outcomes agree {d['same_day_outcome_agreement']:.0%} "
                     f"of the time)" if d["same_patient_same_day_rows"] > 0 else
                     f"{scheme}: no test row has a same-day appointment of its patient in the training rows")
        parts[-1] += (f", {d['patients_in_train']:.1%} of the test patients appear in training, and "
                      f"{d['train_rows_after_earliest_held_out_day']:,} training rows lie after the first test day")
    return "; ".join(parts) + "." if parts else ""


def settings_by_scheme(results: dict[str, SchemeResult]) -> pd.DataFrame:
    """The settings every model trained with, per scheme (each chosen on that scheme's training rows)."""
    rows = {}
    for scheme, r in results.items():
        rows[scheme] = {"networks": ", ".join(f"{k}={v!r}" for k, v in r.choice.used.items()),
                        **{m: ", ".join(f"{k}={v!r}" for k, v in params.items())
                           for m, (params, _, _) in r.references.items()}}
    return pd.DataFrame.from_dict(rows, orient="index")


def diffs_table(diffs: dict, margin: float, metric: str = "pr_auc") -> pd.DataFrame:
    """The paired differences of :func:`scheme_diffs` per scheme, with verdicts (:func:`verdicts.diff_table`)."""
    rows = [(f"{scheme}: {by_key[key]['a']} - {by_key[key]['b']}", by_key[key])
            for scheme, by_key in diffs.items() for key in FINDINGS]
    return diff_table([d for _, d in rows], {metric: margin}, names=[name for name, _ in rows])


def ranking_sentence(cells: dict, metric: str = "pr_auc") -> str:
    """Which model has the highest mean ``metric`` in each scheme, and by how much."""
    parts = []
    for scheme, by_model in cells.items():
        order = sorted(by_model, key=lambda m: by_model[m][metric]["mean"], reverse=True)
        top, second = order[0], order[1]
        gap = by_model[top][metric]["mean"] - by_model[second][metric]["mean"]
        parts.append(f"{scheme}: {top} first ({by_model[top][metric]['mean']:.3f}), {gap:.3f} ahead of {second}")
    return (f"Highest mean PR-AUC per scheme -- {'; '.join(parts)}. Whether such a gap is more than noise is judged "
            "from the paired differences below, not from this ranking.")


def comparable_to_week1(result: SchemeResult) -> bool:
    """True when the scheme's test rows are the week-1 report's (the full real file, not a sample)."""
    return bool(result.meta["split"].get("original", {}).get("comparable_to_week1_report"))


def first_seed_matrices(result: SchemeResult) -> dict:
    """The networks' first-seed test confusion matrices (``[[tn, fp], [fn, tp]]``), labelled "ours"."""
    return {f"{m} (ours)": cm for m, cm in first_seed_confusions(result.runs).items()}

