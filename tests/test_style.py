"""The helpers' layout: statistics in ``metrics`` (checked against scipy / scikit-learn), ``plots``
free of ``tuning``, the loss in ``losses``, one colour per model for any label naming it, data
errors as exceptions with messages, and a package docstring that lists every module.
"""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
from scipy.stats import binomtest
from sklearn import metrics as skm

from helpers import metrics as M
from helpers import paths, style


# --------------------------------------------------------------------------- statistics
@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (217, 1093), (1, 2)])
def test_wilson_interval_matches_scipy(k, n):
    low, high = M.wilson_interval(np.array([k]), np.array([n]))
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    np.testing.assert_allclose([low[0], high[0]], [ci.low, ci.high], atol=1e-4)  # z = 1.96 vs 1.95996...
    assert 0.0 <= low[0] <= k / n <= high[0] <= 1.0


def test_wilson_interval_refuses_impossible_counts():
    with pytest.raises(ValueError, match="between 0 and trials"):
        M.wilson_interval([5], [3])
    with pytest.raises(ValueError, match="shape"):
        M.wilson_interval([1, 2], [3])


def test_operating_point_matches_scikit_learn():
    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.2).astype(int)
    p = np.clip(0.2 + 0.3 * y + rng.normal(0, 0.2, 400), 0, 1)
    for threshold in (0.1, 0.35, 0.6):
        pred = (p >= threshold).astype(int)
        recall, precision = M.operating_point(y, p, threshold, "pr")
        assert recall == pytest.approx(skm.recall_score(y, pred))
        assert precision == pytest.approx(skm.precision_score(y, pred))
        fpr, tpr = M.operating_point(y, p, threshold, "roc")
        tn, fp, fn, tp = skm.confusion_matrix(y, pred).ravel()
        assert (fpr, tpr) == pytest.approx((fp / (fp + tn), tp / (tp + fn)))
    # nothing predicted positive: precision 1 (the end of sklearn's PR curve), recall 0
    assert M.operating_point(y, p, 2.0, "pr") == (0.0, 1.0)
    with pytest.raises(ValueError, match="curve"):
        M.operating_point(y, p, 0.5, "det")


# ------------------------------------------------------------------------------ layout
def test_plots_does_not_import_tuning():
    code = "import sys, helpers.plots; print('helpers.tuning' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=paths.REPO_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert not hasattr(P, "_wilson") and not hasattr(P, "_operating_point")


def test_loss_and_sigmoid_live_in_losses_and_are_reexported():
    from helpers.models import base as mlp_base
    from helpers.models import layers as numpy_layers
    from helpers.models import losses

    for name in ("bce_with_logits", "bce_with_logits_loss", "sigmoid"):
        assert getattr(numpy_layers, name) is getattr(losses, name)
    assert mlp_base.sigmoid is losses.sigmoid and mlp_base.bce_with_logits_loss is losses.bce_with_logits_loss
    z = np.array([-800.0, -1.0, 0.0, 1.0, 800.0])
    np.testing.assert_allclose(losses.sigmoid(z), [0.0, 1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-1)), 1.0])


def test_unused_metrics_table_is_gone():
    from helpers.study import experiment

    assert not hasattr(experiment, "metrics_table")


def test_package_docstring_lists_every_module():
    import helpers

    listed = set(re.findall(r"``(\w+)``", helpers.__doc__))
    modules = {f.stem for f in (paths.REPO_ROOT / "helpers").glob("*.py") if f.stem != "__init__"}
    assert modules <= listed, f"not in helpers/__init__.py's docstring: {sorted(modules - listed)}"


# ------------------------------------------------------------------------------ colours
@pytest.mark.parametrize(("label", "model"), [
    ("NumPy MLP, 2 thr", "NumPy MLP"),
    ("numpy/1", "NumPy MLP"),
    ("NumpyMLPClassifier", "NumPy MLP"),
    ("PyTorch MLP, 1 thr", "PyTorch MLP"),
    ("PyTorch (float64)", "PyTorch MLP"),
    ("torch/2", "PyTorch MLP"),
    ("Logistic regression (tuned)", "Logistic regression"),
    ("Gradient boosting, temporal", "Gradient boosting"),
    ("Always show (dummy)", "Always show (dummy)"),
])
def test_labels_naming_a_model_get_its_colour(label, model):
    assert style.model_of(label) == model
    assert style.color_for(label) == style.MODEL_COLORS[model]


def test_benchmark_series_get_one_colour_per_backend():
    labels = ["NumPy MLP, 1 thr", "NumPy MLP, 2 thr", "PyTorch MLP, 1 thr", "PyTorch MLP, 2 thr"]
    colours = [style.color_for(label) for label in labels]
    assert colours[0] == colours[1] != colours[2] == colours[3]


@pytest.mark.parametrize("label", ["Some other model", "NumPy - PyTorch difference", "x", "random forest"])
def test_unknown_names_never_take_a_model_colour(label):
    assert style.model_of(label) is None
    assert style.color_for(label) not in style.MODEL_COLORS.values()
    assert style.color_for(label) == style.color_for(label)  # the same in every call


# -------------------------------------------------------------------------- data errors
def test_features_name_missing_or_mistyped_columns():
    from helpers.data.features import build_features, patient_history
    from helpers.data.raw import clean, validate
    from helpers.data.synthetic import make_synthetic

    frame, _ = clean(validate(make_synthetic(n_rows=300, seed=0).astype(str), "synthetic"))
    assert build_features(frame).shape[0] == len(frame)
    with pytest.raises(ValueError, match=r"build_features.*\['SMS_received'\]"):
        build_features(frame.drop(columns=["SMS_received"]))
    with pytest.raises(ValueError, match="AppointmentDay.*datetimes"):
        patient_history(frame.assign(AppointmentDay=frame["AppointmentDay"].astype(str)))
