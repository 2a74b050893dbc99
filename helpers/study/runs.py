"""Repeated, paired runs: every model trained once per seed on one split, evaluated the same way, cached.

Seed ``s`` gives both networks the same initial weights and the same batch order (the shared loop
of :mod:`helpers.models.base` draws both from ``random_state=s``) and seeds gradient boosting's own
randomness. The contestant, scikit-learn's ``MLPClassifier`` (:mod:`helpers.models.sklearn_mlp`), takes
the twins' network settings and early-stops on the same validation rows by the same rule; its initial
weights and batch order come from its own generator, so its pairing with the twins is by seed (and
partition) only. With ``redraw_validation`` (the default) seed ``s`` also trains on its own train /
validation partition of the non-test rows (:mod:`helpers.data.redraw`: the scheme's rule, encoders and
scaler refitted on that seed's training rows, the test rows unchanged), shared by every model of that
seed, so the pairing holds and the spread over seeds includes which rows validate. Every run early-stops on the validation split (the networks on validation PR-AUC,
gradient boosting on its validation loss: it is given the validation rows explicitly) and picks its
own decision threshold on the validation split (maximum F1); the test split is read only to score
the finished run. The logistic regression and the dummy have no randomness, and neither has gradient
boosting here: it early-stops on the given validation rows (no internal random split) and uses every
feature and row in every tree, so ``random_state`` changes nothing (a test checks it). These are
fitted once per partition: once for every seed when the partition is fixed (the temporal scheme, or
``redraw_validation=False``), else once per seed.

Each run is saved atomically under ``<results_dir>/<split>/runs/`` as ``<stem>.json`` (parameters,
threshold, metrics, history, the cache key) and ``<stem>.npz`` (validation and test probabilities,
and a network's fitted weights). The cache key holds the model, its parameters, the seed, the
prepared arrays' fingerprint and a fingerprint of the code that trains and scores; a run is reused
only when all of them match. Missing runs are trained in parallel worker processes
(:func:`helpers.study.parallel.run_tasks`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from helpers import paths
from helpers.artifacts import cached_json, cached_npz, save_npz, to_jsonable, write_json
from helpers.data.prepared import PreparedData
from helpers.data.redraw import partition_seed
from helpers.fingerprint import source_fingerprint
from helpers.metrics import evaluate, tune_threshold
from helpers.models.numpy_mlp import NumpyMLPClassifier
from helpers.models.sklearn_mlp import NAME as SKLEARN_MLP, SklearnMLPClassifier
from helpers.study.parallel import (
    data_fingerprint,
    run_tasks,
    stable_hash,
    worker_data,
)

__all__ = [
    "NETWORKS", "CONTESTANTS", "REFERENCES", "MODELS", "SEED_FREE", "Runs", "seeds_for", "network_params",
    "repeated_runs", "run_key", "build_model",
]

#: The twins: the same network, initial weights and batch order in NumPy and in PyTorch.
NETWORKS = ("NumPy MLP", "PyTorch MLP")
#: Other networks trained with the twins' settings, paired with them by seed only.
CONTESTANTS = (SKLEARN_MLP,)
REFERENCES = ("Logistic regression", "Gradient boosting", "Always show (dummy)")
#: Every model of the study (the default of :func:`repeated_runs`).
MODELS = NETWORKS + CONTESTANTS + REFERENCES
#: Models without randomness: one fit stands for every seed.
SEED_FREE = frozenset({"Logistic regression", "Gradient boosting", "Always show (dummy)"})
#: The modules whose code decides a run's numbers (their source is in every cache key).
CODE_MODULES = ("study.runs", "study.parallel", "data.redraw", "data.splits", "data.pipeline", "models.base",
                "models.layers", "models.numpy_mlp", "models.torch_mlp", "models.sklearn_mlp", "models.losses",
                "metrics")
#: The network settings a run takes from the notebook parameters.
NETWORK_KEYS = ("hidden_layer_sizes", "learning_rate", "batch_size", "max_epochs", "weight_decay",
                "class_weight", "patience", "dtype")


def seeds_for(seed: int, repeats: int) -> list[int]:
    """The seeds of ``repeats`` runs: ``seed, seed + 1, ...``.

    Raises
    ------
    ValueError
        If ``repeats`` is not a positive int.
    """
    if not isinstance(repeats, (int, np.integer)) or isinstance(repeats, bool) or repeats < 1:
        raise ValueError(f"repeats must be a positive int, got {repeats!r}")
    return [int(seed) + k for k in range(int(repeats))]


def network_params(**params) -> dict:
    """The network settings as the estimators take them (``hidden_layer_sizes`` as a tuple)."""
    unknown = set(params) - set(NETWORK_KEYS)
    if unknown:
        raise ValueError(f"unknown network parameter(s) {sorted(unknown)}; known: {NETWORK_KEYS}")
    out = dict(params)
    if "hidden_layer_sizes" in out:
        out["hidden_layer_sizes"] = tuple(int(s) for s in out["hidden_layer_sizes"])
    return out


class AlwaysShow:
    """The dummy baseline: the training no-show rate as every row's probability, and always "show".

    Its ``fixed_threshold`` of 1.0 keeps it a true always-"show" model: an F1-tuned threshold on a
    constant score would flip it into always-"no-show".
    """
    fixed_threshold = 1.0

    def fit(self, X, y):
        self.rate_ = float(np.mean(y))
        return self

    def predict_proba(self, X):
        p = np.full(len(X), self.rate_)
        return np.column_stack([1 - p, p])


def build_model(name: str, params: dict, seed: int):
    """A fresh, unfitted model ``name`` with ``params`` and randomness seeded by ``seed``.

    The PyTorch network trains on one thread (the caller runs one fit per core); the contestant takes the
    twins' network settings.
    """
    if name == "NumPy MLP":
        return NumpyMLPClassifier(**network_params(**params), random_state=seed)
    if name == SKLEARN_MLP:
        return SklearnMLPClassifier(**network_params(**params), random_state=seed)
    if name == "PyTorch MLP":
        from helpers.models.torch_mlp import TorchMLPClassifier

        return TorchMLPClassifier(**network_params(**params), random_state=seed, num_threads=1)
    if name == "Gradient boosting":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(random_state=seed, early_stopping=True, **params)
    if name == "Logistic regression":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(max_iter=2000, **params)
    if name == "Always show (dummy)":
        return AlwaysShow()
    raise ValueError(f"unknown model {name!r}; choose one of {MODELS}")


def _fit(model, name: str, data: PreparedData) -> None:
    """Fit on train; the networks (the contestant too) and gradient boosting early-stop on the validation split."""
    X, y = data.X["train"], data.y["train"]
    if name in NETWORKS + CONTESTANTS or name == "Gradient boosting":
        model.fit(X, y, X_val=data.X["val"], y_val=data.y["val"])
    else:
        model.fit(X, y)


def run_key(name: str, params: dict, seed: int, fingerprint: str, partition: int) -> dict:
    """What identifies one run: model, parameters, seed, partition (the seed of its train / validation
    partition, :func:`helpers.data.redraw.partition_seed`), data and code."""
    return to_jsonable({"model": name, "params": params, "seed": None if name in SEED_FREE else int(seed),
                        "partition": int(partition), "data": fingerprint, "code": source_fingerprint(CODE_MODULES)})


def _stem(key: dict) -> str:
    slug = key["model"].split(" ")[0].lower()
    seed = f"p{key['partition']}" if key["seed"] is None else f"s{key['seed']}"
    return f"{slug}_{seed}_{stable_hash(key)}"


def _train_and_save(task: dict) -> str:
    """Worker: fit one model, score it on validation and test, save it; returns the stem."""
    data = worker_data(task["processed_dir"], task["split"], task["fingerprint"], task["partition"])
    name, params, seed = task["name"], task["params"], task["seed"]
    model = build_model(name, params, seed)
    started = time.perf_counter()
    _fit(model, name, data)
    seconds = time.perf_counter() - started
    proba = {part: model.predict_proba(data.X[part])[:, 1] for part in ("val", "test")}
    fixed = getattr(model, "fixed_threshold", None)
    threshold = float(fixed) if fixed is not None else float(tune_threshold(data.y["val"], proba["val"]))
    record = {
        "model": name, "seed": seed, "partition": task["partition"], "params": params, "threshold": threshold,
        "threshold_rule": "fixed (always 'show')" if fixed is not None else "maximise F1 on the validation split",
        "metrics": {"test": evaluate(data.y["test"], proba["test"], threshold),
                    "test_at_0.5": evaluate(data.y["test"], proba["test"], 0.5),
                    "val": evaluate(data.y["val"], proba["val"], threshold)},
        "fit_seconds": seconds,
        "n_epochs": getattr(model, "n_iter_", None), "best_epoch": getattr(model, "best_epoch_", None),
        "history": getattr(model, "history_", None), "cache_key": task["key"],
    }
    arrays = {"proba_val": proba["val"], "proba_test": proba["test"]}
    if name in NETWORKS + CONTESTANTS:
        for i, (W, b) in enumerate(zip(model.coefs_, model.intercepts_), start=1):
            arrays[f"W{i}"], arrays[f"b{i}"] = W, b
    folder = Path(task["folder"])
    save_npz(folder / f"{task['stem']}.npz", **arrays)
    write_json(folder / f"{task['stem']}.json", record)  # written last: its presence marks a finished run
    return task["stem"]


@dataclass
class Runs:
    """The runs of every model and seed on one split (what :func:`repeated_runs` returns)."""
    split: str
    seeds: list[int]
    records: dict[str, dict[int, dict]]  #: model -> seed -> saved record
    arrays: dict[str, dict[int, dict[str, np.ndarray]]]  #: model -> seed -> proba_val, proba_test (+ weights)
    y_val: np.ndarray  #: validation labels of the split's own partition (a redrawn seed has its own)
    y_test: np.ndarray
    groups_test: np.ndarray | None = None
    trained: int = 0  #: how many runs were trained now (the rest came from the cache)
    meta: dict = field(default_factory=dict)

    @property
    def models(self) -> list[str]:
        return list(self.records)

    def proba(self, model: str, seed: int, part: str = "test") -> np.ndarray:
        return self.arrays[model][seed][f"proba_{part}"]

    def metric(self, model: str, name: str, which: str = "test") -> np.ndarray:
        """One metric of ``model`` per seed (in the order of ``seeds``)."""
        return np.array([self.records[model][s]["metrics"][which][name] for s in self.seeds], dtype=float)

    def thresholds(self, model: str) -> np.ndarray:
        return np.array([self.records[model][s]["threshold"] for s in self.seeds], dtype=float)


def repeated_runs(data: PreparedData, split: str, seeds: list[int], network: dict, references: dict,
                  processed_dir=None, results_dir=None, models=MODELS, n_jobs: int = 2,
                  progress: bool = True, verbose: bool = False, redraw_validation: bool = True) -> Runs:
    """Train (or load from the cache) every model in ``models`` once per seed on ``split``.

    Parameters
    ----------
    data : PreparedData
        The split's prepared arrays (as :func:`helpers.data.prepared.load_prepared` gives them).
    split : str
    seeds : list of int
        See :func:`seeds_for`.
    network : dict
        Settings of both networks and of the contestants (:data:`NETWORK_KEYS`), e.g. the cross-validated choice.
    references : dict
        ``{"Logistic regression": {...}, "Gradient boosting": {...}}``: each model's settings.
    processed_dir, results_dir : path, optional
        Defaults ``data/processed``, ``data/results``.
    models : sequence of str
    n_jobs : int
        Worker processes for the runs that are not cached.
    redraw_validation : bool
        Give each seed its own train / validation partition (:func:`helpers.data.redraw.partition_seed`);
        False: every seed trains on notebook 01's partition.

    Returns
    -------
    Runs
    """
    processed = str(paths.resolve(processed_dir, paths.PROCESSED_DIR))
    folder = results_folder(results_dir, split) / "runs"
    fingerprint = data_fingerprint(data)
    network = to_jsonable(network_params(**network))
    plan: dict[tuple[str, int], dict] = {}
    for name in models:
        if name not in MODELS:
            raise ValueError(f"unknown model {name!r}; choose from {MODELS}")
        params = network if name in NETWORKS + CONTESTANTS else to_jsonable(references.get(name, {}))
        for seed in seeds:
            partition = partition_seed(data.meta, seed, redraw_validation)
            key = run_key(name, params, seed, fingerprint, partition)
            plan[(name, seed)] = {"name": name, "params": params, "seed": int(seed), "partition": partition,
                                  "key": key, "stem": _stem(key),
                                  "folder": str(folder), "processed_dir": processed, "split": split,
                                  "fingerprint": fingerprint}
    missing, seen, loaded = [], set(), {}  # loaded: stem -> (record, arrays) of the finished runs found intact
    for task in plan.values():
        if task["stem"] not in seen:
            found = _load_run(folder, task["stem"], task["key"], len(data.y["test"]))
            if found is None:
                missing.append(task)
            else:
                loaded[task["stem"]] = found
        seen.add(task["stem"])
    missing.sort(key=lambda t: (t["partition"], "PyTorch" not in t["name"], "NumPy" not in t["name"]))  # a worker
    # rebuilds a partition only when it changes; within one, the longest fits first
    if verbose and missing:
        print(f"training {len(missing)} run(s) of split {split!r} in {min(n_jobs, len(missing))} process(es); "
              f"{len(plan) - len(missing)} taken from the cache", flush=True)
    run_tasks(_train_and_save, missing, n_jobs=n_jobs, desc=f"runs ({split})", progress=progress)
    for task in missing:
        loaded[task["stem"]] = _load_run(folder, task["stem"], task["key"], len(data.y["test"]))
        if loaded[task["stem"]] is None:
            raise RuntimeError(f"run {task['stem']} of split {split!r} was trained now but cannot be read back from "
                               f"{paths.display_path(folder)} (see the warning above)")
    records: dict = {name: {} for name in models}
    arrays: dict = {name: {} for name in models}
    for (name, seed), task in plan.items():
        records[name][seed], arrays[name][seed] = loaded[task["stem"]]
    groups = getattr(data, "groups", None)
    return Runs(split=split, seeds=[int(s) for s in seeds], records=records, arrays=arrays, y_val=data.y["val"],
                y_test=data.y["test"], groups_test=None if not groups else groups.get("test"),
                trained=len(missing), meta={"fingerprint": fingerprint, "code": source_fingerprint(CODE_MODULES),
                                            "redraw_validation": bool(redraw_validation),
                                            "partitions": {int(s): partition_seed(data.meta, s, redraw_validation)
                                                           for s in seeds}})


def _load_run(folder: Path, stem: str, key: dict, n_test: int) -> tuple[dict, dict] | None:
    """The record and arrays of the finished run ``stem``, or None when it must be trained.

    A run is finished when its record (written last) and its arrays are both there; a file that cannot
    be read, a record whose cache key is not ``key`` (the one its name stands for) or arrays without
    one probability per test row are damaged: moved aside with a one-line warning
    (:func:`helpers.artifacts.read_cached`), and the run is trained again.
    """
    record_path, arrays_path = folder / f"{stem}.json", folder / f"{stem}.npz"
    if not (record_path.is_file() and arrays_path.is_file()):
        return None
    record = cached_json(record_path, check=lambda r: None if r.get("cache_key") == key
                         else "its cache key is not the one its name stands for")
    arrays = None if record is None else cached_npz(
        arrays_path, require=("proba_val", "proba_test"),
        check=lambda a: None if a["proba_test"].shape == (n_test,)
        else f"{a['proba_test'].shape} test probabilities for {n_test} test rows")
    return None if arrays is None else (record, arrays)


def results_folder(results_dir, split: str) -> Path:
    """``<results_dir>/<split>`` (default ``data/results/<split>``): where a split's results live."""
    return paths.resolve(results_dir, paths.RESULTS_DIR) / split
