"""helpers.compare.subgroups: the groups come from training-row cut points, the per-group numbers agree
with sklearn (via fairlearn's MetricFrame), calibration_fit and the report's own bootstrap, and the
sentences' words flip with the numbers."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.compare import evidence
from helpers.compare import subgroups as sg
from helpers.compare.calibration import calibration_fit
from helpers.compare.verdicts import diff_table
from helpers.data.features import FEATURE_NAMES
from helpers.data.prepared import PreparedData
from helpers.metrics import resample_weights
from tests.fakes import fake_runs

NAMES = FEATURE_NAMES + ["neighbourhood_no_show_rate", "log1p_neighbourhood_count"]


# --------------------------------------------------------------------------- the groups
def _part(rng, n, age=None, rate=None, **flags):
    """Unscaled features of ``n`` rows (FEATURE_NAMES order) and their neighbourhood rates."""
    F = np.zeros((n, len(FEATURE_NAMES)))
    F[:, 0] = rng.integers(0, 100, n) if age is None else age
    for name, value in flags.items():
        F[:, FEATURE_NAMES.index(name)] = value
    rate = rng.uniform(0.1, 0.3, n) if rate is None else np.asarray(rate, dtype=float)
    return F, rate


def _prepared(train, test, mean=0.2, scale=0.05):
    """A PreparedData with the given (features, rate) parts; the rate stored scaled in X, as the pipeline does."""
    means, scales = np.zeros(len(NAMES)), np.ones(len(NAMES))
    means[-2], scales[-2] = mean, scale
    X, F, y, groups = {}, {}, {}, {}
    for part, (feat, rate) in (("train", train), ("test", test)):
        n = len(rate)
        X[part] = np.column_stack([feat, (rate - mean) / scale, np.zeros(n)]).astype(np.float32)
        F[part], y[part], groups[part] = feat, np.arange(n) % 2, np.arange(n) // 2
    meta = {"feature_names": NAMES, "scaler": {"mean": means.tolist(), "scale": scales.tolist()}}
    return PreparedData(X=X, y=y, rows={p: np.arange(len(y[p])) for p in X}, meta=meta, groups=groups, features=F,
                        hoods={p: np.zeros(len(y[p]), dtype=np.int64) for p in X})


def test_the_groups_of_each_test_row_and_the_cut_points_from_training_rows_only():
    rng = np.random.default_rng(0)
    ages = np.array([0, 17, 18, 39, 40, 64, 65, 101])
    test = _part(rng, 8, age=ages, rate=np.array([0.0, 0.09, 0.11, 0.15, 0.19, 0.21, 0.3, 0.9]),
                 female=[1, 0, 1, 0, 1, 0, 1, 0], scholarship=[1, 1, 0, 0, 0, 0, 0, 0],
                 hipertension=[1, 0, 0, 0, 0, 0, 0, 0], diabetes=[0, 1, 0, 0, 0, 0, 0, 0],
                 alcoholism=[0, 0, 1, 0, 0, 0, 0, 0], handcap=[0, 0, 0, 2, 0, 0, 0, 0])
    train = _part(rng, 301, rate=rng.permutation(np.linspace(0.0, 0.3, 301)))
    groups = sg.define_groups(_prepared(train, test))
    assert list(groups.labels) == list(sg.GROUPINGS)
    assert list(groups.labels[sg.AGE]) == ["0-17", "0-17", "18-39", "18-39", "40-64", "40-64", "65+", "65+"]
    assert list(groups.labels[sg.SEX]) == ["female", "male"] * 4
    assert list(groups.labels[sg.WELFARE]) == ["enrolled"] * 2 + ["not enrolled"] * 6
    assert list(groups.labels[sg.CHRONIC]) == ["one or more recorded"] * 4 + ["none recorded"] * 4
    # training rows' rates 0.000, 0.001, ..., 0.300: tertiles 0.1 and 0.2 (up to the float32 of the scaled X)
    low, high = groups.cuts[sg.HOOD]
    assert low == pytest.approx(0.1, abs=1e-6) and high == pytest.approx(0.2, abs=1e-6)
    assert list(groups.labels[sg.HOOD]) == ["low"] * 2 + ["middle"] * 3 + ["high"] * 3
    # the test rows' own rates never move the cut points
    other = sg.define_groups(_prepared(train, _part(rng, 8, age=ages, rate=np.full(8, 0.9))))
    assert other.cuts == groups.cuts and set(other.labels[sg.HOOD]) == {"high"}
    assert [(g, grp) for g, grp, _ in groups.cells()][:2] == [(sg.SEX, "female"), (sg.SEX, "male")]
    text = sg.definitions_sentence(groups)
    assert "0.100 and 0.200" in text and "no cut point is read from the test rows" in text


def test_the_groups_need_the_unscaled_features():
    rng = np.random.default_rng(0)
    data = _prepared(_part(rng, 30), _part(rng, 10))
    data.features = {}
    with pytest.raises(ValueError, match="sources=True"):
        sg.define_groups(data)


# --------------------------------------------------------------------------- the bootstrap
N, R = 240, 60


@pytest.fixture(scope="module")
def study():
    rng = np.random.default_rng(3)
    runs = fake_runs(n=N, groups=np.arange(N) // 2)
    labels = {sg.SEX: np.where(rng.random(N) < 0.6, "female", "male").astype(object),
              sg.AGE: np.array(["0-17", "18-39", "40-64", "65+"], dtype=object)[rng.integers(0, 4, N)]}
    groups = sg.Groupings(labels, {sg.SEX: ("female", "male"), sg.AGE: tuple(b[2] for b in sg.AGE_BANDS)},
                          {sg.HOOD: [0.1, 0.2]}, y=runs.y_test)
    ev = sg.subgroup_evidence(runs, groups, n_resamples=R, overall=True, n_jobs=1, progress=False)
    return runs, groups, ev


def test_the_evidence_holds_every_cell_in_table_order(study):
    runs, _groups, ev = study
    assert ev.models == [m for m in runs.models if m != "Always show (dummy)"]
    assert ev.cells[0] == (sg.OVERALL, "all") and ev.cells[1:3] == [(sg.SEX, "female"), (sg.SEX, "male")]
    assert ev.rows[0] == N and ev.rows[1] + ev.rows[2] == N and ev.patients[0] == N // 2
    for m in ev.models:
        for k in sg.METRICS:
            assert ev.full[m][k].shape == (3, len(ev.cells)) and ev.boot[m][k].shape == (3, R, len(ev.cells))
    assert ev.prevalence_boot.shape == (R, len(ev.cells))


def test_point_values_per_group_are_sklearns_via_fairlearn(study):
    runs, groups, ev = study
    for model in ("NumPy MLP", "Gradient boosting"):
        for i, s in enumerate(runs.seeds):
            frame = sg.metric_frame(runs.y_test, runs.proba(model, s), runs.records[model][s]["threshold"],
                                    groups.labels[sg.AGE]).by_group
            for group in groups.order[sg.AGE]:
                c = ev.index(sg.AGE, group)
                for k in ("pr_auc", "recall", "precision"):
                    assert ev.full[model][k][i, c] == pytest.approx(frame.loc[group, k], abs=1e-12)
                assert frame.loc[group, "rows"] == ev.rows[c]
    # the overall cell is each run's recorded test score
    assert np.allclose(ev.full["NumPy MLP"]["pr_auc"][:, 0], runs.metric("NumPy MLP", "pr_auc"))


def test_the_replicates_are_the_reports_bootstrap(study):
    runs, groups, ev = study
    res = evidence.resample_runs(runs, R, 0, metrics=("pr_auc", "recall"), n_jobs=1, progress=False)
    for m in ("NumPy MLP", "PyTorch MLP"):
        for k in ("pr_auc", "recall"):
            assert np.allclose(ev.boot[m][k][:, :, 0], res.scores[m][k], atol=1e-12)
    assert np.array_equal(ev.seed_draws, res.seed_draws)
    # so the overall twins' difference is evidence.paired's
    overall = next(d for d in sg.twin_differences(ev) if d["grouping"] == sg.OVERALL and d["metric"] == "pr_auc")
    ref = evidence.paired(runs, res, "NumPy MLP", "PyTorch MLP", "pr_auc")
    assert (overall["estimate"], overall["low"], overall["high"]) == pytest.approx((ref["estimate"], ref["low"], ref["high"]))
    # the prevalence of a group in a replicate is the weighted no-show rate of its drawn rows
    W = np.concatenate(list(resample_weights(N, R, 0, runs.groups_test)))
    rows = groups.labels[sg.SEX] == "male"
    c = ev.index(sg.SEX, "male")
    assert np.allclose(ev.prevalence_boot[:, c], (W[:, rows] @ runs.y_test[rows]) / W[:, rows].sum(axis=1))


def test_the_intercept_per_group_is_calibration_fits(study):
    runs, groups, ev = study
    W = np.concatenate(list(resample_weights(N, R, 0, runs.groups_test)))
    rows = groups.labels[sg.SEX] == "female"
    c = ev.index(sg.SEX, "female")
    s = runs.seeds[1]
    y, p = runs.y_test[rows], runs.proba("Logistic regression", s)[rows]
    assert ev.full["Logistic regression"]["intercept"][1, c] == pytest.approx(calibration_fit(y, p)[0], abs=1e-9)
    boot, _ = calibration_fit(y, p, W[:, rows])
    assert np.allclose(ev.boot["Logistic regression"]["intercept"][1, :, c], boot, atol=1e-4)


def test_each_distinct_run_is_scored_once_and_the_result_is_cached(study, tmp_path, monkeypatch):
    runs, groups, _ = study
    calls = []

    def counting(function, tasks, **kwargs):
        calls.append(len(tasks))
        return [function(t) for t in tasks]

    monkeypatch.setattr(evidence, "run_tasks", counting)
    first = sg.subgroup_evidence(runs, groups, ["NumPy MLP"], n_resamples=10, n_jobs=1, cache_dir=tmp_path,
                                 progress=False)
    assert calls == [3] and len(list(tmp_path.glob("subgroups_*.npz"))) == 1
    monkeypatch.setattr(evidence, "run_tasks", lambda *a, **k: pytest.fail("the cached replicates were not reused"))
    again = sg.subgroup_evidence(runs, groups, ["NumPy MLP"], n_resamples=10, n_jobs=1, cache_dir=tmp_path,
                                 progress=False)
    assert np.array_equal(first.boot["NumPy MLP"]["recall"], again.boot["NumPy MLP"]["recall"])
    assert np.array_equal(first.prevalence_boot, again.prevalence_boot)


def test_groups_of_other_rows_are_refused(study):
    runs, groups, _ = study
    wrong = sg.Groupings(groups.labels, groups.order, groups.cuts, y=1 - runs.y_test)
    with pytest.raises(ValueError, match="not the runs' .* test rows"):
        sg.subgroup_evidence(runs, wrong, n_resamples=5, n_jobs=1, progress=False)


def test_the_table_has_one_row_per_group_and_intervals(study):
    _, _, ev = study
    table = sg.subgroup_table(ev, "NumPy MLP")
    assert table.shape == (len(ev.cells), 7)
    assert list(table.columns) == ["rows", "patients", "no-show rate", "PR-AUC", "recall", "precision",
                                   "calibration intercept"]
    assert table.index.names == ["grouping", "group"]
    assert all(" [" in v and v.endswith("]") for v in table["PR-AUC"])
    numeric = sg.subgroup_table(ev, "NumPy MLP", numeric=True)
    assert numeric.shape == (len(ev.cells), 17)
    assert (numeric["recall 95 % low"] <= numeric["recall 95 % high"]).all()
    # the twins' differences read as the report's diff table
    twins = sg.twin_differences(ev)
    assert len(twins) == 2 * len(ev.cells)
    assert set(diff_table(twins, {"pr_auc": 0.05, "recall": 0.05}, names=[f"{d['cell']}, {d['metric']}" for d in twins])
               ["verdict"]) <= {"equivalent", "different by more than the margin",
                                "different, possibly by less than the margin", "inconclusive"}
    cells = sg.forest_cells(ev)
    assert set(cells) == {"NumPy MLP", "PyTorch MLP"} and len(cells["NumPy MLP"]["recall"]) == len(ev.cells)


# --------------------------------------------------------------------------- gaps, from fabricated evidence
def _evidence(top_boot, bottom_boot, top=0.5, bottom=0.4):
    """Two groups of one grouping, one model, two seeds; the replicates given per group."""
    R_ = len(top_boot)
    full = {k: np.array([[top, bottom], [top, bottom]]) for k in sg.METRICS}
    boot = {k: np.stack([np.column_stack([top_boot, bottom_boot])] * 2) for k in sg.METRICS}
    return sg.SubgroupEvidence(cells=[(sg.AGE, "18-39"), (sg.AGE, "65+")], rows=np.array([100, 50]),
                               patients=np.array([90, 45]), no_shows=np.array([20, 10]), models=["NumPy MLP"],
                               seeds=[0, 1], full={"NumPy MLP": full}, boot={"NumPy MLP": boot},
                               prevalence_boot=np.column_stack([np.full(R_, 0.2), np.full(R_, 0.2)]),
                               seed_draws=np.zeros((R_, 2), dtype=int), clustered=True, n_resamples=R_)


def test_the_largest_gap_is_top_minus_bottom_in_the_same_replicate():
    shared = np.linspace(-0.2, 0.2, 101)  # a common noise: the paired gap is exactly 0.1 in every replicate
    ev = _evidence(0.5 + shared, 0.4 + shared)
    gaps = [d for d in sg.largest_gaps(ev) if d["metric"] == "recall"]
    assert len(gaps) == 1
    d = gaps[0]
    assert (d["top"], d["bottom"], d["model"]) == ("18-39", "65+", "NumPy MLP")
    assert d["estimate"] == pytest.approx(0.1) and d["low"] == pytest.approx(0.1) and d["high"] == pytest.approx(0.1)
    prevalence = [d for d in sg.largest_gaps(ev) if d["metric"] == "prevalence"]
    assert prevalence[0]["model"] is None and prevalence[0]["estimate"] == pytest.approx(0.0)


def _gap(metric, low, high, top="18-39", bottom="65+", model="NumPy MLP", grouping=sg.AGE):
    return {"model": model, "grouping": grouping, "metric": metric, "top": top, "bottom": bottom, "top_mean": 0.5,
            "bottom_mean": 0.5 - (low + high) / 2, "estimate": (low + high) / 2, "low": low, "high": high,
            "label": f"{top} - {bottom}"}


SHOWN = "gap shown in"
NONE = "no gap shown"


def test_the_gap_words_flip_with_the_interval():
    shown = sg.subgroup_sentence([_gap("recall", 0.05, 0.15), _gap("prevalence", 0.01, 0.03, model=None)], "NumPy MLP")
    assert SHOWN in shown and NONE not in shown
    assert "a smaller share of the missed appointments of patients aged 65+ would be flagged for a reminder call" in shown
    assert "(the groups' rates differ)" in shown
    assert "reason to review how calls reach the group it under-serves" in shown
    assert "serves every group alike" not in shown
    open_ = sg.subgroup_sentence([_gap("recall", -0.02, 0.12), _gap("prevalence", -0.01, 0.03, model=None)], "NumPy MLP")
    assert NONE in open_ and SHOWN not in open_ and "would be flagged" not in open_
    assert "which does not show that the groups are served equally" in open_ and "(the groups' rates differ)" not in open_
    assert "serves every group alike" in open_ and "under-serves" not in open_
    # with a margin, a gap inside it is named as such
    within = sg.subgroup_sentence([_gap("pr_auc", 0.001, 0.004)], "NumPy MLP", margins={"pr_auc": 0.01})
    assert "Within the margin: PR-AUC" in within and SHOWN not in within
    beyond = sg.subgroup_sentence([_gap("pr_auc", 0.02, 0.04)], "NumPy MLP", margins={"pr_auc": 0.01})
    assert "by more than the margin" in beyond and "Within the margin" not in beyond
    for text in (shown, open_, within, beyond):  # the use: prioritising calls, never less care
        assert "never to reduce or deny anyone's care" in text or "never for reducing or denying" in text
        assert "penal" not in text.lower()


def test_the_gap_meaning_follows_the_metric():
    prec = sg.subgroup_sentence([_gap("precision", 0.02, 0.05, "enrolled", "not enrolled", grouping=sg.WELFARE)],
                                "NumPy MLP")
    assert "more of the calls to patients not enrolled in Bolsa Familia would reach patients who would have attended" in prec
    cal = sg.subgroup_sentence([_gap("intercept", 0.1, 0.3, "high", "low", grouping=sg.HOOD)], "NumPy MLP")
    assert "predicted risks are lower for patients from neighbourhoods with a high no-show rate" in cal
    with pytest.raises(ValueError, match="no gaps of"):
        sg.subgroup_sentence([_gap("recall", 0.05, 0.15)], "PyTorch MLP")


# --------------------------------------------------------------------------- the twins in every group
def _twin(metric, low, high, grouping=sg.AGE, group="65+"):
    return {"a": "NumPy MLP", "b": "PyTorch MLP", "metric": metric, "estimate": (low + high) / 2, "low": low,
            "high": high, "grouping": grouping, "group": group, "cell": f"{grouping}: {group}", "per_seed": [],
            "sd": 0.0, "label": "NumPy MLP - PyTorch MLP"}


MARGINS = {"pr_auc": 0.01, "recall": 0.02}
HOLDS = "the equivalence shown overall holds in each of the"


def _twins(odd=None):
    cells = [(sg.SEX, "female"), (sg.SEX, "male"), (sg.AGE, "0-17"), (sg.AGE, "65+")]
    out = [_twin(m, -0.004, 0.004, sg.OVERALL, "all") for m in MARGINS]
    for m in MARGINS:
        for g, grp in cells:
            low, high = odd if (odd is not None and m == "pr_auc" and grp == "65+") else (-0.005, 0.005)
            out.append(_twin(m, low, high, g, grp))
    return out


def test_the_twins_sentence_says_where_equivalence_does_not_hold():
    everywhere = sg.twins_sentence(_twins(), MARGINS)
    assert everywhere.count(HOLDS) == 2 and "4 groups" in everywhere
    assert "not shown in" not in everywhere and "inconclusive" not in everywhere and "different in" not in everywhere
    undecided = sg.twins_sentence(_twins(odd=(-0.003, 0.02)), MARGINS)
    assert undecided.count(HOLDS) == 1  # recall still holds everywhere
    assert "equivalent in 3 of 4 groups; equivalence is not shown in 1: inconclusive in Age band: 65+" in undecided
    assert "not a difference" in undecided and "different in" not in undecided
    different = sg.twins_sentence(_twins(odd=(0.012, 0.03)), MARGINS)
    assert "different in Age band: 65+ (NumPy MLP ahead by more than the margin" in different
    assert "inconclusive in" not in different
    within = sg.twins_sentence(_twins(odd=(-0.015, -0.002)), MARGINS)
    assert "different in Age band: 65+ (PyTorch MLP ahead, possibly by less than the margin" in within


def test_the_twins_overall_verdict_comes_from_the_report_when_given():
    twins = [d for d in _twins() if d["grouping"] != sg.OVERALL]
    bare = sg.twins_sentence(twins, MARGINS)
    assert "overall" not in bare.split("four-way rule.")[1] and "equivalent in each of the 4 groups" in bare
    report = {"pr_auc": {"estimate": 0.0, "low": -0.02, "high": 0.02}}
    text = sg.twins_sentence(twins, MARGINS, overall=report)
    assert "inconclusive overall (+0.0000 [-0.0200, +0.0200])" in text
    assert "equivalent in each of the 4 groups" in text and text.count(HOLDS) == 0
    with pytest.raises(ValueError, match="no margin"):
        sg.twins_sentence(twins, {"f1": 0.02})
