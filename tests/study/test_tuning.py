"""helpers.study.tuning: the cross-validated grid that chooses the networks' weight decay and class weighting."""

from __future__ import annotations

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
