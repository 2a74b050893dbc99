"""helpers.models.sklearn_mlp: scikit-learn's MLPClassifier as the third contestant.

Its configuration follows the twins' network parameters (and the notebooks' parameters cells), its L2
penalty equals the twins' on a full batch (shown on the gradients), what UNMATCHED says cannot be matched
holds of the code, and the estimator keeps the twins' contract: early stopping restores the best epoch,
class weights become sample weights, the same seed gives the same numbers, bad parameters are refused.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import average_precision_score
from sklearn.neural_network import MLPClassifier
from sklearn.neural_network import _multilayer_perceptron as sk_mlp
from sklearn.utils.estimator_checks import parametrize_with_checks

from helpers.models import sklearn_mlp
from helpers.models.base import init_weights
from helpers.models.layers import Adam
from helpers.models.numpy_mlp import mlp_loss_and_grads, params_from_weights
from helpers.models.sklearn_mlp import NAME, SklearnMLPClassifier, mlp_classifier_kwargs
from helpers.publish.runner import declared_parameters
from helpers.study import runs as study
from helpers.study.experiment import parse_class_weight
from helpers.study.tuning import DEFAULT_GRIDS

pytestmark = pytest.mark.usefixtures("one_blas_thread")

#: Small settings for scikit-learn's estimator checks (float64, as the spec asks). No early stopping: on the
#: checks' 20-row validation slices the PR-AUC of its first epoch is rarely beaten, and a network stopped there
#: fails the checks' accuracy bar; early stopping has its own test below.
CHECK_PARAMS = dict(hidden_layer_sizes=(16,), learning_rate=1e-2, batch_size=32, max_epochs=20, patience=None,
                    random_state=0, dtype="float64")
SMALL = dict(hidden_layer_sizes=(8, 4), learning_rate=1e-2, batch_size=64, max_epochs=15, random_state=0)


def sklearn_expected_failures(estimator):
    """Checks this binary classifier is known to fail, each with its reason (the twins' own)."""
    return {
        "check_class_weight_classifiers": (
            "class_weight accepts only 'balanced' or None (it becomes the positive rows' sample weight); "
            "the check passes a per-class dict, which is rejected on purpose."
        ),
    }


@parametrize_with_checks([SklearnMLPClassifier(**CHECK_PARAMS)], expected_failed_checks=sklearn_expected_failures)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# ------------------------------------------------------------------ the configuration
def test_kwargs_take_the_twins_settings_and_adam():
    kwargs = mlp_classifier_kwargs([64, 32], 2e-3, 256, 1e-3, random_state=7)
    assert kwargs["hidden_layer_sizes"] == (64, 32) and kwargs["activation"] == "relu" and kwargs["solver"] == "adam"
    assert kwargs["learning_rate_init"] == 2e-3 and kwargs["batch_size"] == 256 and kwargs["random_state"] == 7
    assert kwargs["alpha"] == pytest.approx(1e-3 * 256)
    assert kwargs["shuffle"] is True and kwargs["early_stopping"] is False and kwargs["max_iter"] == 1
    betas, eps = inspect.signature(Adam).parameters["betas"].default, inspect.signature(Adam).parameters["eps"].default
    assert (kwargs["beta_1"], kwargs["beta_2"], kwargs["epsilon"]) == (*betas, eps)
    torch = pytest.importorskip("torch")
    adam = inspect.signature(torch.optim.Adam).parameters
    assert (kwargs["beta_1"], kwargs["beta_2"]) == adam["betas"].default and kwargs["epsilon"] == adam["eps"].default
    MLPClassifier(**kwargs)._validate_params()  # scikit-learn accepts every value


def _network_settings():
    """Every network setting the notebooks 02-05 can train the contestant with: their parameters cells, the
    cross-validated values where a cell leaves the choice to cross-validation."""
    out = []
    for name, declared in declared_parameters(["02_numpy_model", "03_pytorch_model", "04_comparison",
                                               "05_validation_schemes"]).items():
        decays = DEFAULT_GRIDS["network"]["weight_decay"] if declared["weight_decay"] is None else [declared["weight_decay"]]
        weights = (DEFAULT_GRIDS["network"]["class_weight"] if declared["class_weight"] == "cv"
                   else [parse_class_weight(declared["class_weight"])])
        for decay in decays:
            for weight in weights:
                out.append((name, {k: declared[k] for k in ("hidden_layer_sizes", "learning_rate", "batch_size",
                                                              "max_epochs", "patience")}
                            | {"weight_decay": decay, "class_weight": weight}))
    return out


@pytest.mark.parametrize("notebook, network", _network_settings(), ids=lambda v: v if isinstance(v, str) else None)
def test_the_contestant_follows_the_notebooks_network_parameters(notebook, network):
    """The study builds the contestant from the same settings as the twins: a change of layers, learning rate,
    batch size or L2 in a notebook's parameters cell reaches its MLPClassifier."""
    twin = study.build_model("NumPy MLP", network, seed=0)
    contestant = study.build_model(NAME, network, seed=0)
    X, y = make_blobs(n_samples=80, centers=2, n_features=3, random_state=0)
    contestant.train_epoch(X.astype(np.float32), y)
    built = contestant.estimator_.get_params()
    assert built["hidden_layer_sizes"] == tuple(network["hidden_layer_sizes"]) == twin.hidden_layer_sizes
    assert built["learning_rate_init"] == network["learning_rate"] == twin.learning_rate
    assert built["batch_size"] == network["batch_size"] == twin.batch_size
    assert built["alpha"] == pytest.approx(network["weight_decay"] * network["batch_size"])
    assert twin.weight_decay == network["weight_decay"]
    for key in ("max_epochs", "patience", "class_weight"):
        assert getattr(contestant, key) == getattr(twin, key) == network[key]


# ------------------------------------------------------------------ the penalty, on the gradients
def _sklearn_gradients(X, y, coefs, intercepts, alpha, sample_weight=None):
    """scikit-learn's own gradients (``_backprop``) at given weights, as ``partial_fit`` computes them."""
    clf = MLPClassifier(**mlp_classifier_kwargs([c.shape[1] for c in coefs[:-1]], 1e-3, len(y), 0.0))
    clf.partial_fit(X, y, classes=[0, 1])  # sets up the layers; the weights are overwritten below
    clf.set_params(alpha=alpha)
    clf.coefs_, clf.intercepts_ = [c.copy() for c in coefs], [b.copy() for b in intercepts]
    n_layers = len(coefs) + 1
    coef_grads = [np.empty_like(c) for c in coefs]
    intercept_grads = [np.empty_like(b) for b in intercepts]
    _, coef_grads, intercept_grads = clf._backprop(
        X, y.reshape(-1, 1).astype(bool), sample_weight, [X] + [None] * (n_layers - 1), [None] * (n_layers - 1),
        coef_grads, intercept_grads)
    return coef_grads, intercept_grads


@pytest.fixture
def batch():
    """A float64 batch of 64 rows and the twins' initial weights of a (5, 3) network."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 6))
    y = (rng.random(64) < 0.25).astype(int)
    coefs, intercepts = init_weights((6, 5, 3, 1), np.random.default_rng(1), "float64")
    intercepts = [b + 0.1 for b in intercepts]  # non-zero biases, to see whether they are decayed
    return X, y, coefs, intercepts


def test_alpha_gives_the_twins_penalty_on_a_full_batch(batch):
    """alpha = weight_decay * batch_size: scikit-learn's weight gradient equals the twins' loss gradient plus
    weight_decay * W (the ``torch.optim.Adam(weight_decay=...)`` rule); its bias gradient has no penalty."""
    X, y, coefs, intercepts = batch
    decay = 0.01
    alpha = mlp_classifier_kwargs((5, 3), 1e-3, len(y), decay)["alpha"]
    sk_coef, sk_bias = _sklearn_gradients(X, y, coefs, intercepts, alpha)
    _, grads, _ = mlp_loss_and_grads(X, y.astype(np.float64), params_from_weights(coefs, intercepts))
    for i, (W, g, gb) in enumerate(zip(coefs, sk_coef, sk_bias), start=1):
        np.testing.assert_allclose(g, grads[f"W{i}"] + decay * W, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(gb, grads[f"b{i}"], rtol=1e-10, atol=1e-14)  # biases: not decayed
    without, _ = _sklearn_gradients(X, y, coefs, intercepts, 0.0)
    assert not np.allclose(sk_coef[0], without[0])  # the penalty is really there


def test_a_smaller_last_batch_is_penalised_more(batch):
    X, y, coefs, intercepts = batch
    decay, batch_size, last = 0.01, 64, 16
    alpha = mlp_classifier_kwargs((5, 3), 1e-3, batch_size, decay)["alpha"]
    with_penalty, _ = _sklearn_gradients(X[:last], y[:last], coefs, intercepts, alpha)
    without, _ = _sklearn_gradients(X[:last], y[:last], coefs, intercepts, 0.0)
    np.testing.assert_allclose(with_penalty[0] - without[0], decay * batch_size / last * coefs[0], rtol=1e-10)


def test_class_weights_scale_the_whole_gradient_by_rows_over_weights(batch):
    """With sample weights scikit-learn's gradient is the twins' (pos_weight in the loss, the same decay) times
    n / sum(weights): the same direction, a scale that depends on the batch's positives."""
    X, y, coefs, intercepts = batch
    decay, pos_weight = 0.01, 3.0
    weights = np.where(y == 1, pos_weight, 1.0)
    alpha = mlp_classifier_kwargs((5, 3), 1e-3, len(y), decay)["alpha"]
    sk_coef, _ = _sklearn_gradients(X, y, coefs, intercepts, alpha, sample_weight=weights)
    _, grads, _ = mlp_loss_and_grads(X, y.astype(np.float64), params_from_weights(coefs, intercepts), pos_weight)
    scale = len(y) / weights.sum()
    for i, (W, g) in enumerate(zip(coefs, sk_coef), start=1):
        np.testing.assert_allclose(g, scale * (grads[f"W{i}"] + decay * W), rtol=1e-10, atol=1e-14)
    assert scale != pytest.approx(1.0)


def test_what_cannot_be_matched_holds_of_the_code():
    """Spot checks of UNMATCHED: non-zero initial biases of its own; Adam's epsilon enters differently."""
    assert any(t.startswith("Initial weights") for t in sklearn_mlp.UNMATCHED)
    X, y = make_blobs(n_samples=60, centers=2, n_features=4, random_state=0)
    clf = MLPClassifier(**mlp_classifier_kwargs((5,), 1e-12, 60, 0.0, random_state=0))
    clf.partial_fit(X, y, classes=[0, 1])
    assert all(np.any(b != 0) for b in clf.intercepts_)  # the twins start from zero biases
    # one Adam step on a tiny gradient: scikit-learn's epsilon weighs more (it is added before the bias
    # correction of the second moment)
    g = np.array([1e-7])
    sk = sk_mlp.AdamOptimizer([np.zeros(1)], 1e-3)._get_updates([g])[0]
    ours = {"p": np.zeros(1)}
    Adam(ours, lr=1e-3).step(ours, {"p": g})
    assert abs(sk[0]) < abs(ours["p"][0])


# ------------------------------------------------------------------ the estimator
def test_fits_and_predicts_like_the_twins(skewed_binary_data):
    X, y = skewed_binary_data
    clf = SklearnMLPClassifier(**SMALL, patience=None).fit(X, y)
    assert clf.n_iter_ == len(clf.history_) == 15 and [h["epoch"] for h in clf.history_] == list(range(1, 16))
    assert set(clf.history_[0]) == {"epoch", "train_loss", "val_pr_auc", "seconds"}
    assert all(h["seconds"] > 0 for h in clf.history_)
    assert [W.shape for W in clf.coefs_] == [(8, 8), (8, 4), (4, 1)]  # one output unit, like the twins
    assert all(W.dtype == np.float32 for W in clf.coefs_ + clf.estimator_.coefs_)
    proba = clf.predict_proba(X)
    assert proba.shape == (400, 2) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    clf.set_params(threshold=0.3)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[(proba[:, 1] >= 0.3).astype(int)])
    X64 = SklearnMLPClassifier(**SMALL, dtype="float64").fit(X, y)
    assert all(W.dtype == np.float64 for W in X64.coefs_ + X64.estimator_.coefs_)


def test_labels_other_than_zero_and_one():
    X, y = make_blobs(n_samples=300, centers=[[-2, -2], [2, 2]], random_state=0)
    labels = np.array(["show", "no-show"])[y]
    clf = SklearnMLPClassifier(**SMALL, patience=None).fit(X, labels)
    assert list(clf.classes_) == ["no-show", "show"] and clf.score(X, labels) > 0.95
    assert set(clf.predict(X)) == {"no-show", "show"}


def test_early_stopping_restores_the_best_epoch():
    X, y = make_blobs(n_samples=600, centers=[[-1, -1], [1, 1]], cluster_std=2.0, random_state=1)
    X_val, y_val = X[400:], y[400:]
    clf = SklearnMLPClassifier(hidden_layer_sizes=(32, 16), learning_rate=5e-2, batch_size=32, max_epochs=60,
                               patience=3, random_state=0).fit(X[:400], y[:400], X_val, y_val)
    assert clf.best_epoch_ < clf.n_iter_ == clf.best_epoch_ + 3  # stopped 3 epochs after the best
    assert clf.best_score_ == max(h["val_pr_auc"] for h in clf.history_)
    assert average_precision_score(y_val, clf.predict_proba(X_val)[:, 1]) == clf.best_score_  # its weights
    for mine, its in zip(clf.coefs_, clf.estimator_.coefs_):
        np.testing.assert_array_equal(mine, its)


def test_balanced_class_weight_becomes_the_positive_rows_sample_weight(skewed_binary_data, monkeypatch):
    X, y = skewed_binary_data
    seen = []
    original = MLPClassifier.partial_fit

    def spy(self, X, y, sample_weight=None, classes=None):
        seen.append((np.asarray(y).copy(), None if sample_weight is None else np.asarray(sample_weight).copy()))
        return original(self, X, y, sample_weight=sample_weight, classes=classes)

    monkeypatch.setattr(MLPClassifier, "partial_fit", spy)
    X_val, y_val = X[300:], y[300:]
    clf = SklearnMLPClassifier(**SMALL, class_weight="balanced").fit(X[:300], y[:300], X_val, y_val)
    n_pos = int(np.count_nonzero(y[:300]))
    assert clf.pos_weight_ == pytest.approx((300 - n_pos) / n_pos)
    assert len(seen) == clf.n_iter_
    for labels, weights in seen:
        np.testing.assert_allclose(weights, np.where(labels == 1, clf.pos_weight_, 1.0), rtol=1e-6)
    seen.clear()
    plain = SklearnMLPClassifier(**SMALL).fit(X[:300], y[:300], X_val, y_val)
    assert plain.pos_weight_ == 1.0 and all(w is None for _, w in seen)
    assert not np.allclose(plain.predict_proba(X_val), clf.predict_proba(X_val))


def test_every_epoch_gets_a_new_batch_order(skewed_binary_data, monkeypatch):
    """An int random_state would re-seed scikit-learn at every partial_fit call and repeat one order."""
    X, y = skewed_binary_data
    orders = []
    original = sk_mlp.shuffle

    def spy(*arrays, **kwargs):
        out = original(*arrays, **kwargs)
        orders.append(np.asarray(out).copy())
        return out

    monkeypatch.setattr(sk_mlp, "shuffle", spy)
    SklearnMLPClassifier(**{**SMALL, "max_epochs": 4}, patience=None).fit(X, y)
    assert len(orders) == 4
    assert len({o.tobytes() for o in orders}) == 4


def test_same_seed_same_numbers_other_seed_other_numbers(skewed_binary_data):
    X, y = skewed_binary_data
    a, b = (SklearnMLPClassifier(**SMALL).fit(X, y) for _ in range(2))
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.history_ == [{**h, "seconds": a.history_[i]["seconds"]} for i, h in enumerate(b.history_)]
    c = SklearnMLPClassifier(**{**SMALL, "random_state": 1}).fit(X, y)
    assert not np.allclose(a.predict_proba(X), c.predict_proba(X))


def test_train_epoch_is_one_partial_fit_pass(skewed_binary_data):
    X, y = skewed_binary_data
    X = X.astype(np.float32)
    clf = SklearnMLPClassifier(**SMALL, class_weight="balanced")
    first = clf.train_epoch(X, y)
    assert isinstance(first, float) and clf.estimator_.n_iter_ == 1
    assert clf.pos_weight_ == pytest.approx((y == 0).sum() / (y == 1).sum())
    second = clf.train_epoch(X, y)
    assert second < first and clf.estimator_.t_ == 2 * len(y)


@pytest.mark.parametrize("param, value", [
    ("hidden_layer_sizes", 5), ("hidden_layer_sizes", (0,)), ("batch_size", 0), ("max_epochs", 0),
    ("patience", 0), ("learning_rate", 0.0), ("weight_decay", -1.0), ("class_weight", {0: 1.0}),
    ("dtype", "float16"),
])
def test_bad_parameters_are_refused_by_name(skewed_binary_data, param, value):
    X, y = skewed_binary_data
    with pytest.raises(ValueError, match=param):
        SklearnMLPClassifier(**{**SMALL, param: value}).fit(X, y)


def test_bad_data_is_refused(skewed_binary_data):
    X, y = skewed_binary_data
    with pytest.raises(ValueError, match="binary"):
        SklearnMLPClassifier(**SMALL).fit(X, np.arange(400) % 3)
    with pytest.raises(ValueError, match="X_val and y_val"):
        SklearnMLPClassifier(**SMALL).fit(X, y, X_val=X[:10])
    with pytest.raises(ValueError, match="features"):
        SklearnMLPClassifier(**SMALL).fit(X, y).predict_proba(X[:, :3])


def test_divergence_names_the_epoch():
    X, y = make_blobs(n_samples=200, centers=2, random_state=0)
    with pytest.raises(FloatingPointError, match="epoch 1 .*learning_rate"):
        SklearnMLPClassifier(**{**SMALL, "learning_rate": 1e30}).fit(X * 1e20, y)
