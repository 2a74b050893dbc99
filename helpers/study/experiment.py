"""What the model notebooks share: the checked data, the settings every model trains with, one run.

Notebooks 02-05 call these so that no notebook computes by its own copy what another computes:
:func:`load_checked` (the prepared split, refusing data made with other parameters),
:func:`network_choice` (the networks' settings: the cross-validated choice unless the user passed
values, which are honoured and named), :func:`reference_choices` (the same cross-validation for the
logistic regression and gradient boosting) and the displays of one run in notebooks 02 and 03.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import paths
from helpers.data.prepared import PARTS, PreparedData, load_prepared
from helpers.study import tuning
from helpers.study.runs import NETWORKS, Runs, repeated_runs, results_folder, seeds_for

__all__ = ["load_checked", "parts_table", "Choice", "network_choice", "reference_choices", "settings_table", "study",
           "period",
           "parse_class_weight", "single_run", "run_summary", "threshold_table", "threshold_sentence",
           "curves_sentence", "confusion_sentence"]

CV = "cv"  #: a notebook parameter value meaning "the cross-validated choice"


def load_checked(processed_dir, split: str, sample_rows, parts=PARTS) -> PreparedData:
    """The prepared arrays of ``split``, made with the same ``sample_rows`` as this notebook asks for.

    Raises
    ------
    ValueError
        If notebook 01 prepared the split with another ``sample_rows`` (re-run it first).
    """
    data = load_prepared(processed_dir, split, parts=parts)
    if data.meta.get("sample_rows") != sample_rows:
        raise ValueError(
            f"the prepared data for split {split!r} were made with sample_rows={data.meta.get('sample_rows')}, "
            f"not {sample_rows}: re-run notebook 01 with the same parameters first")
    return data


def parts_table(data: PreparedData) -> pd.DataFrame:
    """Rows and no-show rate of each part."""
    return pd.DataFrame({"rows": [int(len(data.y[p])) for p in data.y],
                         "no-show rate": [float(np.mean(data.y[p])) for p in data.y]}, index=list(data.y))


#: The values a notebook's ``class_weight`` parameter takes (the runner refuses others before anything runs).
CLASS_WEIGHT_CHOICES = (CV, "balanced", "none", None)


def parse_class_weight(value):
    """A notebook's ``class_weight`` parameter: ``"cv"``, ``"balanced"``, ``"none"`` (or None)."""
    if value not in CLASS_WEIGHT_CHOICES:
        raise ValueError(f"class_weight must be 'cv' (the cross-validated choice), 'balanced' or 'none'; got {value!r}")
    return None if value in ("none", None) else value


@dataclass
class Choice:
    """The network settings used, and how they were chosen."""
    params: dict  #: every network setting, as the estimators take them
    table: pd.DataFrame  #: the cross-validation table (one row per setting)
    meta: dict  #: from :func:`helpers.study.tuning.tune_split`
    from_user: dict  #: the tuned settings the user passed explicitly

    @property
    def used(self) -> dict:
        return {name: self.params[name] for name in self.meta["grid"]}

    @property
    def used_row(self):
        """Index label of the grid row holding the settings used (None when they are not in the grid)."""
        return tuning.find_setting(self.table, self.used)

    def sentence(self) -> str:
        """The cross-validation's verdict on the settings used (Markdown)."""
        text = tuning.describe_choice(self.table, self.used)
        if self.from_user:
            passed = ", ".join(f"`{k}={v!r}`" for k, v in self.from_user.items())
            text += f" Passed as parameters and used as given: {passed}."
        return text


def network_choice(data: PreparedData, split: str, seed: int, results_dir=None, n_jobs: int = 2,
                   progress: bool = True, *, hidden_layer_sizes, learning_rate, batch_size, max_epochs, patience,
                   weight_decay=None, class_weight=CV, cv_folds: int = tuning.cv.DEFAULT_FOLDS) -> Choice:
    """The networks' settings for ``split``: ``weight_decay``/``class_weight`` from cross-validation on
    the training rows (:func:`helpers.study.tuning.tune_split`) unless given (``None``/``"cv"`` mean: choose)."""
    class_weight = parse_class_weight(class_weight)
    if weight_decay is not None and (not isinstance(weight_decay, (int, float)) or weight_decay < 0):
        raise ValueError(f"weight_decay must be None (the cross-validated choice) or a number >= 0; got {weight_decay!r}")
    base = {"hidden_layer_sizes": tuple(int(s) for s in hidden_layer_sizes), "learning_rate": float(learning_rate),
            "batch_size": int(batch_size), "max_epochs": int(max_epochs), "patience": patience}
    table, meta = tuning.tune_split(data, split, "network", base_params=base, n_splits=cv_folds, seed=seed,
                                    results_dir=results_dir, n_jobs=n_jobs, progress=progress)
    from_user = {}
    params = {**base, **meta["best"]}
    if weight_decay is not None:
        params["weight_decay"] = from_user["weight_decay"] = float(weight_decay)
    if class_weight != CV:
        params["class_weight"] = from_user["class_weight"] = class_weight
    return Choice(params=params, table=table, meta=meta, from_user=from_user)


def reference_choices(data: PreparedData, split: str, seed: int, results_dir=None, n_jobs: int = 2,
                      progress: bool = True, cv_folds: int = tuning.cv.DEFAULT_FOLDS) -> dict:
    """``{model: (chosen params, table, meta)}`` for the logistic regression and gradient boosting."""
    out = {}
    for family in ("logistic", "boosting"):
        table, meta = tuning.tune_split(data, split, family, n_splits=cv_folds, seed=seed, results_dir=results_dir,
                                        n_jobs=n_jobs, progress=progress)
        out[tuning.FAMILIES[family]] = (meta["best"], table, meta)
    return out


def settings_table(choice: Choice, references: dict) -> pd.DataFrame:
    """One row per model: the settings trained with, the grid size and the setting's CV PR-AUC."""
    rows = {}
    for model, (params, table, meta) in {"NumPy and PyTorch MLP": (choice.used, choice.table, choice.meta),
                                         **references}.items():
        found = tuning.find_setting(table, params)
        rows[model] = {"settings": ", ".join(f"{k}={v!r}" for k, v in params.items()),
                       "settings tried": len(table), "folds": meta["folds"],
                       "CV PR-AUC": np.nan if found is None else float(table.loc[found, "cv_pr_auc"]),
                       "rank": np.nan if found is None else int(table.loc[found, "rank"])}
    return pd.DataFrame.from_dict(rows, orient="index")


def study(data: PreparedData, split: str, seed: int, processed_dir=None, results_dir=None, n_jobs: int = 2,
          progress: bool = True, *, network: dict, repeats: int, cv_folds: int = tuning.cv.DEFAULT_FOLDS,
          redraw_validation: bool = True) -> tuple[Choice, dict, Runs]:
    """Notebook 04's study in one call, for the notebooks that read it (07): the networks' and references'
    cross-validated settings and the repeated runs -- all from the caches when notebook 04 has run.

    ``network`` holds the network parameters of :func:`network_choice`.
    """
    choice = network_choice(data, split, seed, results_dir, n_jobs, progress, **network, cv_folds=cv_folds)
    references = reference_choices(data, split, seed, results_dir, n_jobs, progress, cv_folds=cv_folds)
    runs = repeated_runs(data, split, seeds_for(seed, repeats), choice.params,
                         {name: params for name, (params, _, _) in references.items()}, processed_dir, results_dir,
                         n_jobs=n_jobs, progress=progress, redraw_validation=redraw_validation)
    return choice, references, runs


def period(data: PreparedData) -> tuple[str, str]:
    """The first and last appointment day of the loaded parts (ISO dates)."""
    days = np.concatenate([np.asarray(d) for d in data.days.values()])
    return str(np.datetime64(int(days.min()), "D")), str(np.datetime64(int(days.max()), "D"))


# ------------------------------------------------------------------ one run (notebooks 02 and 03)
def single_run(data: PreparedData, split: str, seed: int, model: str, choice: Choice, processed_dir=None,
               results_dir=None) -> Runs:
    """``model`` trained once with seed ``seed`` (the first run of notebook 04's repeated study, cached)."""
    if model not in NETWORKS:
        raise ValueError(f"model must be one of {NETWORKS}, got {model!r}")
    return repeated_runs(data, split, [seed], choice.params, {}, processed_dir, results_dir, models=[model], n_jobs=1)


def run_summary(runs: Runs, model: str) -> pd.Series:
    """Epochs, best epoch, best validation PR-AUC and training time of the run."""
    record = runs.records[model][runs.seeds[0]]
    best = max(h["val_pr_auc"] for h in record["history"])
    return pd.Series({"epochs run": record["n_epochs"], "best epoch (weights restored)": record["best_epoch"],
                      "best validation PR-AUC": best, "training time (s)": record["fit_seconds"]}, name=model, dtype=object)


def curves_sentence(runs: Runs, model: str) -> str:
    """What the training curves show, from the history."""
    record = runs.records[model][runs.seeds[0]]
    h = record["history"]
    best = record["best_epoch"]
    val_loss = [e["val_loss"] for e in h]
    low = int(np.argmin(val_loss)) + 1
    text = (f"The training loss falls from {h[0]['train_loss']:.4f} to {h[-1]['train_loss']:.4f}; the validation "
            f"PR-AUC peaks at {h[best - 1]['val_pr_auc']:.4f} in epoch {best} and training stops "
            f"{record['n_epochs'] - best} epochs later with those weights restored. ")
    if low < best:
        text += (f"The validation loss is lowest in epoch {low}, before the PR-AUC peak: later epochs make the "
                 "probabilities more confident without ranking worse.")
    else:
        text += f"The validation loss is lowest in epoch {low}, no earlier than the PR-AUC peak: no sign of overfitting before the stop."
    return text


def threshold_table(runs: Runs, model: str) -> pd.DataFrame:
    """Test metrics at 0.5 and at the validation-tuned threshold."""
    metrics = runs.records[model][runs.seeds[0]]["metrics"]
    cols = ["threshold", "accuracy", "balanced_accuracy", "precision", "recall", "f1", "pr_auc", "roc_auc", "brier"]
    return pd.DataFrame({"threshold 0.5": {c: metrics["test_at_0.5"][c] for c in cols},
                         "threshold tuned on validation": {c: metrics["test"][c] for c in cols}}).T


def threshold_sentence(runs: Runs, model: str) -> str:
    """The tuned threshold against 0.5, in numbers."""
    record = runs.records[model][runs.seeds[0]]
    tuned, half = record["metrics"]["test"], record["metrics"]["test_at_0.5"]
    return (f"On the test split the validation-tuned threshold **{record['threshold']:.3f}** gives F1 "
            f"**{tuned['f1']:.3f}** (precision {tuned['precision']:.3f}, recall {tuned['recall']:.3f}) against F1 "
            f"{half['f1']:.3f} (recall {half['recall']:.3f}) at 0.5. PR-AUC ({tuned['pr_auc']:.3f}) and ROC-AUC "
            f"({tuned['roc_auc']:.3f}) do not depend on the threshold. Notebook 04 repeats this run over seeds: one "
            "run's threshold is not a finding.")


def confusion_sentence(matrices: dict) -> str:
    """Recall and precision read off confusion matrices ``{label: [[tn, fp], [fn, tp]]}``."""
    parts = []
    for label, cm in matrices.items():
        (tn, fp), (fn, tp) = np.asarray(cm)
        parts.append(f"{label}: {tp:,} of {tp + fn:,} no-shows caught ({tp / max(tp + fn, 1):.1%}), "
                     f"{fp:,} of {tn + fp:,} shows flagged, precision {tp / max(tp + fp, 1):.1%}")
    return "; ".join(parts) + "."


def curves_input(runs: Runs, models) -> tuple[dict, dict]:
    """``(histories, best_epochs)`` of the first seed's runs of ``models`` (for ``plots.training_curves``)."""
    models = [models] if isinstance(models, str) else list(models)
    seed = runs.seeds[0]
    return ({m: runs.records[m][seed]["history"] for m in models},
            {m: runs.records[m][seed]["best_epoch"] for m in models})


def confusions(runs: Runs, model: str) -> dict:
    """The run's test confusion matrices at its tuned threshold and at 0.5, keyed by a label."""
    record = runs.records[model][runs.seeds[0]]
    return {f"threshold {record['threshold']:.3f} (tuned)": record["metrics"]["test"]["confusion_matrix"],
            "threshold 0.5": record["metrics"]["test_at_0.5"]["confusion_matrix"]}


def saved_sentence(runs: Runs, model: str, results_dir=None) -> str:
    """Where the run is cached (relative to the repository, never an absolute path) and who reads it."""
    record = runs.records[model][runs.seeds[0]]
    folder = paths.display_path(results_folder(results_dir, runs.split) / "runs")
    return (f"The run (seed {runs.seeds[0]}, split `{runs.split}`) is cached in `{folder}` "
            f"with its parameters, data and code fingerprints (code `{record['cache_key']['code']}`); notebook 04 "
            "reuses it as the first of its repeated runs instead of training it again.")


def grid_view(table: pd.DataFrame) -> pd.DataFrame:
    """The cross-validation table without the per-fold columns, best first."""
    shown = table.drop(columns=[c for c in table if c.startswith("fold_")]).sort_values("rank")
    params = [c for c in shown.columns if c not in ("cv_pr_auc", "cv_std", "diff_vs_best", "diff_se", "fit_seconds", "rank")]
    shown.index = [", ".join(f"{p}={row[p]!r}" for p in params) for _, row in shown.iterrows()]
    return shown.drop(columns=params)


def grid_sentence(choice: Choice) -> str:
    """How far each tuned setting moves the cross-validated PR-AUC (the other held fixed)."""
    names = list(choice.meta["grid"])
    if len(names) != 2:
        return ""
    effects = tuning.largest_effects(choice.table, *names)
    a, b = names
    return (f"With `{b}` held fixed, `{a}` moves the mean cross-validated PR-AUC by up to **{effects[a]:.4f}**; with "
            f"`{a}` held fixed, `{b}` moves it by up to **{effects[b]:.4f}**. The fold-by-fold difference to the best "
            "setting (`diff_vs_best`, with its standard error `diff_se`) is the fair comparison: every setting saw "
            "the same folds.")
