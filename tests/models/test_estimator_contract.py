"""The estimator contract both networks keep: NumPy from scratch and its PyTorch twin run through
the same checks (scikit-learn's estimator checks, fitting, seeds, thresholds, labels, errors, early
stopping), so a check added for one backend holds for the other."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import average_precision_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from helpers.models.numpy_mlp import NumpyMLPClassifier
from helpers.models.torch_mlp import TorchMLPClassifier

pytestmark = pytest.mark.usefixtures("one_blas_thread")

BACKENDS = [NumpyMLPClassifier, TorchMLPClassifier]

#: Small, fast settings for scikit-learn's estimator checks (float64 as the spec asks).
CHECK_PARAMS = dict(
    hidden_layer_sizes=(16,),
    learning_rate=1e-2,
    batch_size=32,
    max_epochs=20,
    random_state=0,
    dtype="float64",
)


def make(cls, **params):
    """An estimator of ``cls`` with ``params``; the torch twin on one thread (robust on a busy machine)."""
    if cls is TorchMLPClassifier:
        params.setdefault("num_threads", 1)
    return cls(**params)


def sklearn_expected_failures(estimator):
    """Checks this binary classifier is known to fail, each with its reason."""
    return {
        "check_class_weight_classifiers": (
            "class_weight accepts only 'balanced' or None (it becomes the pos_weight of "
            "the loss); the check passes a per-class dict, which is rejected on purpose."
        ),
    }


def weights(clf):
    return clf.coefs_ + clf.intercepts_


@parametrize_with_checks([make(cls, **CHECK_PARAMS) for cls in BACKENDS],
                         expected_failed_checks=sklearn_expected_failures)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("cls", BACKENDS)
def test_learns_a_separable_problem(cls):
    X, y = make_blobs(n_samples=600, centers=[[-2, -2], [2, 2]], cluster_std=0.8, random_state=0)
    clf = make(cls, hidden_layer_sizes=(16,), learning_rate=1e-2, batch_size=64, max_epochs=30,
               random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.95
    losses = [h["train_loss"] for h in clf.history_]
    assert losses[-1] < losses[0]


@pytest.mark.parametrize("cls", BACKENDS)
def test_fitted_attributes_and_history(cls, skewed_binary_data):
    X, y = skewed_binary_data
    clf = make(cls, hidden_layer_sizes=(8, 4), max_epochs=15, patience=None, class_weight="balanced",
               learning_rate=1e-2, batch_size=64, random_state=0).fit(X, y)
    assert clf.n_iter_ == len(clf.history_) == 15
    assert [h["epoch"] for h in clf.history_] == list(range(1, 16))
    assert set(clf.history_[0]) == {"epoch", "train_loss", "val_loss", "val_pr_auc", "seconds"}
    losses = [h["train_loss"] for h in clf.history_]
    assert losses[-1] < 0.8 * losses[0]
    assert [W.shape for W in clf.coefs_] == [(8, 8), (8, 4), (4, 1)]
    assert [b.shape for b in clf.intercepts_] == [(8,), (4,), (1,)]
    assert all(isinstance(W, np.ndarray) and W.dtype == np.float32 for W in weights(clf))
    n_train = len(y) - int(np.ceil(0.1 * len(y)))
    n_pos = round(y.mean() * len(y) - y.mean() * len(y) * 0.1)  # stratified hold-out
    assert clf.pos_weight_ == pytest.approx((n_train - n_pos) / n_pos, rel=0.05)
    assert 1 <= clf.best_epoch_ <= 15
    assert clf.best_score_ == max(h["val_pr_auc"] for h in clf.history_)
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    assert clf.predict_proba(X).shape == (len(y), 2)
    assert clf.decision_function(X).shape == (len(y),)


@pytest.mark.parametrize("cls", BACKENDS)
@pytest.mark.parametrize("class_weight", [None, "default"])
def test_no_class_weight_gives_unit_pos_weight(cls, class_weight, skewed_binary_data):
    X, y = skewed_binary_data
    params = {} if class_weight == "default" else {"class_weight": None}
    clf = make(cls, hidden_layer_sizes=(4,), max_epochs=1, random_state=0, **params).fit(X, y)
    assert clf.pos_weight_ == 1.0


@pytest.mark.parametrize("cls", BACKENDS)
def test_same_seed_same_weights_other_seed_other_weights(cls, skewed_binary_data):
    X, y = skewed_binary_data
    params = dict(hidden_layer_sizes=(8,), max_epochs=3, batch_size=64)
    a = make(cls, random_state=3, **params).fit(X, y)
    b = make(cls, random_state=3, **params).fit(X, y)
    c = make(cls, random_state=4, **params).fit(X, y)
    for Wa, Wb in zip(weights(a), weights(b), strict=True):
        np.testing.assert_array_equal(Wa, Wb)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


@pytest.mark.parametrize("cls", BACKENDS)
@pytest.mark.parametrize("threshold", [0.5, 0.3, 0.8])
def test_predict_agrees_with_predict_proba_at_threshold(cls, skewed_binary_data, threshold):
    X, y = skewed_binary_data
    labels = np.where(y == 1, "yes", "no")  # string labels: classes_ maps back to them
    clf = make(cls, threshold=threshold, max_epochs=5, batch_size=64, class_weight="balanced",
               random_state=0).fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, ["no", "yes"])
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    expected = np.where(proba[:, 1] >= threshold, "yes", "no")
    np.testing.assert_array_equal(clf.predict(X), expected)
    assert 0 < np.mean(proba[:, 1] >= threshold) < 1  # both sides of the threshold are exercised


@pytest.mark.parametrize("cls", BACKENDS)
@pytest.mark.parametrize(
    ("scale", "learning_rate"), [(1e36, 1e-3), (1.0, 1e30)], ids=["huge-inputs", "huge-lr"]
)
def test_non_finite_loss_raises_naming_the_epoch(cls, skewed_binary_data, scale, learning_rate):
    X, y = skewed_binary_data
    clf = make(cls, learning_rate=learning_rate, random_state=0)
    with pytest.raises(FloatingPointError, match=r"epoch 1\b.*smaller learning_rate"):
        clf.fit(X * scale, y)


@pytest.mark.parametrize("cls", BACKENDS)
def test_early_stopping_restores_the_best_weights(cls):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((600, 10)), (rng.random(600) < 0.3).astype(int)  # pure noise
    X_val, y_val = rng.standard_normal((200, 10)), (rng.random(200) < 0.3).astype(int)
    params = dict(hidden_layer_sizes=(32,), learning_rate=3e-2, batch_size=32, random_state=0)
    clf = make(cls, patience=3, max_epochs=100, **params).fit(X, y, X_val, y_val)
    assert clf.best_epoch_ < clf.n_iter_ == clf.best_epoch_ + 3 < 100
    # the restored weights are the best epoch's: same PR-AUC, same weights as a run stopped there by hand
    assert average_precision_score(y_val, clf.decision_function(X_val)) == pytest.approx(
        clf.best_score_, abs=1e-12
    )
    stopped = make(cls, patience=None, max_epochs=clf.best_epoch_, **params).fit(X, y, X_val, y_val)
    for W_best, W_stopped in zip(clf.coefs_, stopped.coefs_, strict=True):
        np.testing.assert_array_equal(W_best, W_stopped)


@pytest.mark.parametrize("cls", BACKENDS)
def test_validation_set_checks(cls, skewed_binary_data):
    X, y = skewed_binary_data
    clf = make(cls, max_epochs=1)
    with pytest.raises(ValueError, match="both X_val and y_val"):
        clf.fit(X, y, X_val=X)
    with pytest.raises(ValueError, match="not seen"):
        clf.fit(X, y, X_val=X[:10], y_val=np.full(10, 5))


@pytest.mark.parametrize("cls", BACKENDS)
@pytest.mark.parametrize("n_classes", [1, 3])
def test_not_binary_raises(cls, n_classes):
    X = np.random.default_rng(0).standard_normal((30, 3))
    y = np.arange(30) % n_classes
    with pytest.raises(ValueError, match=f"exactly 2 classes, got {n_classes} class"):
        make(cls).fit(X, y)
