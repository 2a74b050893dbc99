"""helpers.study.tuning: the cross-validated grid that chooses the networks' weight decay and class weighting."""

from __future__ import annotations

from typing import ClassVar

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import average_precision_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from helpers.compare import figures
from helpers.models.numpy_mlp import NumpyMLPClassifier
from helpers.study.tuning import best_setting, cross_validate_grid, describe_choice

GRID = {"C": [0.001, 1.0], "class_weight": ["balanced", None]}


@pytest.fixture
def table(skewed_binary_data):
    X, y = skewed_binary_data
    return cross_validate_grid(LogisticRegression(max_iter=500), GRID, X, y, n_splits=4, seed=3, progress=False)


def test_fold_scores_are_average_precision_on_the_same_folds(skewed_binary_data, table):
    X, y = skewed_binary_data
    folds = list(StratifiedKFold(n_splits=4, shuffle=True, random_state=3).split(X, y))
    assert len(table) == 4
    for _, row in table.iterrows():
        params = {"C": row["C"], "class_weight": row["class_weight"]}
        expected = []
        for train, test in folds:
            model = clone(LogisticRegression(max_iter=500)).set_params(**params).fit(X[train], y[train])
            expected.append(average_precision_score(y[test], model.predict_proba(X[test])[:, 1]))
        np.testing.assert_allclose(row[[f"fold_{k}" for k in range(1, 5)]].to_numpy(dtype=float), expected, rtol=1e-12)
        assert row["cv_pr_auc"] == pytest.approx(np.mean(expected))
        assert row["cv_std"] == pytest.approx(np.std(expected))


def test_ranks_and_paired_differences(table):
    best = table.loc[table["rank"] == 1].iloc[0]
    assert best["cv_pr_auc"] == table["cv_pr_auc"].max()
    assert best["diff_vs_best"] == 0.0
    folds = table[[f"fold_{k}" for k in range(1, 5)]].to_numpy()
    diffs = folds - folds[table.index.get_loc(best.name)]
    np.testing.assert_allclose(table["diff_vs_best"], diffs.mean(axis=1))
    np.testing.assert_allclose(table["diff_se"], diffs.std(axis=1, ddof=1) / 2.0)
    assert (table["diff_vs_best"] <= 0).all()
    assert sorted(table["rank"]) == sorted(table["cv_pr_auc"].rank(ascending=False, method="min").astype(int))


def test_best_setting_and_the_sentence(table):
    best = best_setting(table, ["C", "class_weight"])
    assert set(best) == {"C", "class_weight"}
    assert best["class_weight"] in ("balanced", None)
    assert "trains with that setting" in describe_choice(table, best)
    other = table.loc[table["rank"] == table["rank"].max()].iloc[0]
    used = {"C": other["C"], "class_weight": best_setting(table.loc[[other.name]], ["class_weight"])["class_weight"]}
    text = describe_choice(table, used)
    assert f"ranks {int(other['rank'])} of 4" in text and "±" in text
    assert "not in the grid" in describe_choice(table, {"C": 123.0, "class_weight": None})


def test_the_network_runs_through_the_grid_quietly(skewed_binary_data, capsys):
    X, y = skewed_binary_data
    model = NumpyMLPClassifier(hidden_layer_sizes=(4,), max_epochs=2, batch_size=64, random_state=0, verbose=True)
    table = cross_validate_grid(model, {"weight_decay": [0.0, 1e-2]}, X, y, n_splits=3, progress=False)
    assert list(table["weight_decay"]) == [0.0, 1e-2]
    assert table["cv_pr_auc"].between(0, 1).all()
    assert "epoch" not in capsys.readouterr().err  # the per-epoch bars are switched off inside the grid
    again = cross_validate_grid(model, {"weight_decay": [0.0, 1e-2]}, X, y, n_splits=3, progress=False)
    np.testing.assert_array_equal(table["cv_pr_auc"], again["cv_pr_auc"])  # same seed, same numbers


def test_empty_grid_is_rejected(skewed_binary_data):
    X, y = skewed_binary_data
    with pytest.raises(ValueError, match="param_grid is empty"):
        cross_validate_grid(LogisticRegression(), {}, X, y)


def test_heatmap_marks_best_and_used(table):
    from helpers.study.tuning import find_setting

    used = find_setting(table, {"C": 1.0, "class_weight": None})
    fig = figures.cv_grid_heatmap(table, "C", "class_weight", used=used)
    ax = fig.axes[0]
    annotations = [t.get_text() for t in ax.texts]
    assert sorted(annotations) == sorted(f"{v:.4f}" for v in table["cv_pr_auc"])
    assert len(ax.patches) == 2  # the best setting's box and the used setting's box
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["best by cross-validation", "used in this notebook"]
    # the used row as a boolean mask; a setting outside the grid (no row) gets no box
    mask = (table.index == used)
    assert len(figures.cv_grid_heatmap(table, "C", "class_weight", used=mask).axes[0].patches) == 2
    outside = find_setting(table, {"C": 5.0, "class_weight": None})
    assert len(figures.cv_grid_heatmap(table, "C", "class_weight", used=outside).axes[0].patches) == 1
    with pytest.raises(TypeError, match="find_setting"):
        figures.cv_grid_heatmap(table, "C", "class_weight", used={"C": 1.0, "class_weight": None})
    with pytest.raises(KeyError, match="weight_decay"):
        figures.cv_grid_heatmap(table, "weight_decay", "class_weight")


def test_saved_grid_round_trips_with_none(table, tmp_path):
    from helpers.study.tuning import load_grid, save_grid

    assert load_grid(tmp_path, "logistic") is None
    save_grid(table, tmp_path, "logistic", grid=GRID, folds=4, seed=3)
    loaded, meta = load_grid(tmp_path, "logistic")
    assert meta == {"grid": GRID, "folds": 4, "seed": 3}
    assert list(loaded["class_weight"]) == list(table["class_weight"])  # None survives, not NaN
    np.testing.assert_allclose(loaded["cv_pr_auc"], table["cv_pr_auc"])
    assert describe_choice(loaded, {"C": 1.0, "class_weight": None}) == describe_choice(table, {"C": 1.0, "class_weight": None})


def test_largest_effects_hold_the_other_parameter_fixed(table):
    from helpers.study.tuning import largest_effects

    effects = largest_effects(table, "C", "class_weight")
    by_c = [np.ptp(table.loc[table["class_weight"].map(repr) == repr(w), "cv_pr_auc"]) for w in ("balanced", None)]
    by_w = [np.ptp(table.loc[table["C"] == c, "cv_pr_auc"]) for c in GRID["C"]]
    assert effects == {"C": pytest.approx(max(by_c)), "class_weight": pytest.approx(max(by_w))}


# ------------------------------------------------- the folds' rules inside the grid, and the cache

def _visits(n_patients: int = 150, seed: int = 0):
    """``(X, y, patients, days)``: repeated patients over 20 days, the label partly in the features."""
    rng = np.random.default_rng(seed)
    patients = np.repeat(np.arange(n_patients), rng.integers(1, 6, n_patients))
    days = 16_900 + rng.integers(0, 20, len(patients))
    y = (rng.random(len(patients)) < 0.25).astype(np.int64)
    X = rng.normal(size=(len(patients), 4)) + y[:, None]
    return X, y, patients, days


@pytest.mark.parametrize("split", ["stratified", "grouped", "original", "temporal"])
def test_every_fold_stops_early_on_its_own_training_rows_by_the_folds_rule(split):
    from helpers.study.tuning import fold_rows

    _, y, patients, days = _visits()
    rows = fold_rows(split, y, patients, days, n_splits=3, seed=1, stop_fraction=0.1)
    assert len(rows) == 3
    for fold in rows:
        train, held_out, fit, stop = fold["train"], fold["held_out"], fold["fit"], fold["stop"]
        np.testing.assert_array_equal(np.union1d(fit, stop), train)  # the slice is cut from the training rows
        assert np.intersect1d(fit, stop).size == 0
        assert np.intersect1d(stop, held_out).size == 0 and np.intersect1d(fit, held_out).size == 0
        assert 0.03 < len(stop) / len(train) < 0.3
        if split == "temporal":
            assert days[fit].max() < days[stop].min() and days[stop].max() < days[held_out].min()
        else:
            assert np.intersect1d(patients[fit], patients[stop]).size == 0
            assert np.intersect1d(patients[train], patients[held_out]).size == 0
    assert all(f["stop"] is None for f in fold_rows(split, y, patients, days, 3, 1, stop_fraction=None))


class _Recorder(LogisticRegression):
    """A logistic regression that takes early-stopping rows and records what every fit was given."""

    calls: ClassVar[list] = []

    def fit(self, X, y, X_val=None, y_val=None):
        type(self).calls.append((len(X), None if X_val is None else len(X_val), X[:1].copy(),
                                 None if X_val is None else X_val[:1].copy()))
        return super().fit(X, y)


def test_models_that_stop_early_get_the_slice_explicitly_and_others_all_training_rows():
    from sklearn.ensemble import HistGradientBoostingClassifier

    from helpers.study.tuning import fold_rows, takes_validation_rows

    assert takes_validation_rows(NumpyMLPClassifier()) and takes_validation_rows(HistGradientBoostingClassifier())
    assert not takes_validation_rows(HistGradientBoostingClassifier(early_stopping=False))
    assert not takes_validation_rows(LogisticRegression())
    X, y, patients, days = _visits()
    expected = fold_rows("grouped", y, patients, days, 3, 2, stop_fraction=0.1)
    _Recorder.calls = []
    cross_validate_grid(_Recorder(), {"C": [1.0]}, X, y, n_splits=3, seed=2, progress=False, groups=patients,
                        split="grouped", days=days, stop_fraction=0.1)
    assert [(n, n_val) for n, n_val, _, _ in _Recorder.calls] == [(len(f["fit"]), len(f["stop"])) for f in expected]
    for (_, _, first_fit, first_stop), fold in zip(_Recorder.calls, expected, strict=True):
        np.testing.assert_array_equal(first_fit, X[fold["fit"][:1]])
        np.testing.assert_array_equal(first_stop, X[fold["stop"][:1]])
    # the logistic regression takes no validation rows: it fits on every training row of the fold
    table = cross_validate_grid(LogisticRegression(), {"C": [1.0]}, X, y, n_splits=3, seed=2, progress=False,
                                groups=patients, split="grouped", days=days)
    scores = []
    for fold in expected:
        model = LogisticRegression().fit(X[fold["train"]], y[fold["train"]])
        scores.append(average_precision_score(y[fold["held_out"]], model.predict_proba(X[fold["held_out"]])[:, 1]))
    np.testing.assert_allclose(table[["fold_1", "fold_2", "fold_3"]].to_numpy(dtype=float)[0], scores, rtol=1e-12)


def test_tune_split_records_the_fold_kind_and_retunes_when_the_folds_change(prepared, tmp_path):
    import json

    from helpers.data import folds
    from helpers.study import tuning

    _, data = prepared
    grid = {"C": [0.1, 1.0]}
    table, meta = tuning.tune_split(data, "stratified", "logistic", grid=grid, seed=0, results_dir=tmp_path,
                                    n_jobs=1, progress=False)
    assert meta["fold_kind"] == "grouped" and meta["folds_described"] == "grouped by patient"
    assert meta["folds"] == folds.DEFAULT_FOLDS and meta["cache_key"]["fold_kind"] == "grouped"
    # the table is the patient-grouped folds' (the training rows repeat patients in this split)
    cut = folds.for_split("stratified", data.y["train"], data.groups["train"], folds.DEFAULT_FOLDS, 0)
    train, held_out = cut[0]
    model = LogisticRegression(max_iter=2000, C=0.1).fit(data.X["train"][train], data.y["train"][train])
    assert table.loc[0, "fold_1"] == pytest.approx(
        average_precision_score(data.y["train"][held_out], model.predict_proba(data.X["train"][held_out])[:, 1]))

    path = tmp_path / "stratified" / "tuning_logistic.json"
    saved = json.loads(path.read_text())
    for row in saved["table"]:
        row["cv_pr_auc"] = -1.0  # a marker: is the file reused?
    path.write_text(json.dumps(saved))
    reused, _ = tuning.tune_split(data, "stratified", "logistic", grid=grid, seed=0, results_dir=tmp_path,
                                  n_jobs=1, progress=False)
    assert (reused["cv_pr_auc"] == -1.0).all()
    # a table cached from the old folds (random rows for this split: no fold kind in its key) is not reused
    for name in ("fold_kind", "stop_fraction"):
        del saved["cache_key"][name], saved[name]
    saved["cache_key"]["grouped"] = saved["grouped"] = False
    path.write_text(json.dumps(saved))
    again, meta_again = tuning.tune_split(data, "stratified", "logistic", grid=grid, seed=0, results_dir=tmp_path,
                                          n_jobs=1, progress=False)
    np.testing.assert_allclose(again["cv_pr_auc"], table["cv_pr_auc"])
    assert meta_again["fold_kind"] == "grouped"

    # the temporal split gets forward-chaining folds, cached apart
    forward, meta_forward = tuning.tune_split(data, "temporal", "logistic", grid=grid, seed=0, results_dir=tmp_path,
                                              n_jobs=1, progress=False)
    assert meta_forward["fold_kind"] == "forward" and meta_forward["folds_described"] == "forward-chaining by day"
    assert meta_forward["cache_key"] != meta["cache_key"]
    assert not np.allclose(forward["cv_pr_auc"], table["cv_pr_auc"])


def test_tune_split_needs_the_patients_and_the_days(prepared, tmp_path):
    import dataclasses

    from helpers.study import tuning

    _, data = prepared
    with pytest.raises(ValueError, match="grouped by patient and need the patients"):
        tuning.tune_split(dataclasses.replace(data, groups={}), "original", "logistic", grid={"C": [1.0]},
                          results_dir=tmp_path, n_jobs=1, progress=False)
    with pytest.raises(ValueError, match="forward-chaining by day and need the days"):
        tuning.tune_split(dataclasses.replace(data, days={}), "temporal", "logistic", grid={"C": [1.0]},
                          results_dir=tmp_path, n_jobs=1, progress=False)
