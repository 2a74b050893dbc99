"""scikit-learn's ``MLPClassifier`` as a third contestant, set up as close to the twins as its API allows.

A NumPy user who does not write a network from scratch reaches for
:class:`sklearn.neural_network.MLPClassifier` (pure NumPy/SciPy, Adam on mini-batches).
:func:`mlp_classifier_kwargs` turns the twins' network parameters into its keyword
arguments; :class:`SklearnMLPClassifier` trains it one epoch at a time with ``partial_fit``
and early-stops on the twins' rule (validation PR-AUC, the same patience, the best epoch's
weights restored), with the twins' class weighting given as ``sample_weight``.
:data:`UNMATCHED` lists what cannot be matched; the pairing with the twins is by seed only.

How the L2 penalties relate (scikit-learn 1.9, ``BaseMultilayerPerceptron._backprop``): for a
batch of ``n`` rows with weights ``w_i`` (all 1 without ``sample_weight``) and ``S = sum(w_i)``,
scikit-learn's weight gradient is ``(sum_i w_i * dloss_i + alpha * W) / S`` and its biases get no
penalty. The twins' gradient is ``sum_i w_i * dloss_i / n + weight_decay * W`` (the loss is a mean
over the rows, ``torch.optim.Adam(weight_decay=...)`` adds the decay to the gradient of every
parameter). With ``alpha = weight_decay * batch_size`` the two are equal on every full,
unweighted batch; with class weights they differ by the factor ``n / S`` of the whole gradient,
whose constant part Adam's normalisation removes.
"""

from __future__ import annotations

import inspect
import math
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import average_precision_score
from sklearn.neural_network import MLPClassifier
from sklearn.utils.validation import check_is_fitted, validate_data

from helpers.models.base import BaseMLPClassifier, binary_classifier_tags, seed_streams
from helpers.models.layers import Adam

__all__ = ["NAME", "UNMATCHED", "SklearnMLPClassifier", "mlp_classifier_kwargs"]

#: The model's name in the study.
NAME = "scikit-learn MLP"

#: What cannot be set to match the twins, one short sentence each (true of scikit-learn 1.9's code).
UNMATCHED = (
    "Initial weights: scikit-learn draws every weight and bias from a Glorot uniform distribution "
    "with its own generator; the twins use He normal weights for the ReLU layers, Glorot uniform "
    "for the output and zero biases.",
    "Batch order: scikit-learn shuffles the rows each epoch with its own generator, so the batches "
    "differ from the twins' even for the same seed.",
    "Biases: scikit-learn's L2 penalty leaves the biases alone; the twins decay every parameter.",
    "Last batch: scikit-learn divides the penalty by the rows of each batch, so when the rows are "
    "not a multiple of the batch size the last, smaller batch of an epoch is penalised more strongly.",
    "Class weights: scikit-learn divides a batch's gradient by the batch's sum of sample weights S, "
    "the twins by its row count n, so its whole gradient is the twins' times n / S, a factor that "
    "varies from batch to batch with the positives in it (Adam removes a constant factor, not a "
    "varying one).",
    "Loss: scikit-learn computes the loss from probabilities clipped to [eps, 1 - eps] and adds the "
    "penalty to it; the twins' loss is on the logit and leaves the penalty to the optimiser (the "
    "gradients agree, the reported training losses do not).",
    "Adam's epsilon: scikit-learn adds it before the second moment's bias correction, the twins "
    "after, which weighs it more in the first steps.",
    "Probabilities: scikit-learn computes them in the network's own precision (``dtype``), the "
    "twins in float64 from the logits.",
)

_ADAM_DEFAULTS = inspect.signature(Adam).parameters  # the twins' Adam (NumPy; PyTorch's defaults agree)


def mlp_classifier_kwargs(hidden_layer_sizes, learning_rate, batch_size, weight_decay, random_state=None) -> dict:
    """Keyword arguments of :class:`sklearn.neural_network.MLPClassifier` that match the twins.

    ReLU hidden layers, Adam with the twins' learning rate, betas and epsilon, the twins' batch
    size, ``alpha = weight_decay * batch_size`` (see the module docstring: scikit-learn divides
    its penalty by the batch's rows), a fresh shuffle every epoch, and no stopping rule of its
    own (the caller early-stops on validation rows, one ``partial_fit`` epoch at a time;
    ``max_iter=1`` makes ``fit`` one epoch too).

    Parameters
    ----------
    hidden_layer_sizes : sequence of int
        Units of each hidden layer.
    learning_rate : float
        Adam's learning rate.
    batch_size : int
        Rows per optimisation step.
    weight_decay : float
        The twins' L2 coefficient (``torch.optim.Adam(weight_decay=...)``).
    random_state : int, numpy.random.RandomState or None, default=None
        Passed through. An int re-seeds every ``partial_fit`` call, which would repeat one batch
        order in every epoch; :class:`SklearnMLPClassifier` passes a ``RandomState``.

    Returns
    -------
    dict
        The keyword arguments.
    """
    beta_1, beta_2 = _ADAM_DEFAULTS["betas"].default
    return {
        "hidden_layer_sizes": tuple(int(s) for s in hidden_layer_sizes),
        "activation": "relu",
        "solver": "adam",
        "learning_rate_init": float(learning_rate),
        "beta_1": float(beta_1),
        "beta_2": float(beta_2),
        "epsilon": float(_ADAM_DEFAULTS["eps"].default),
        "batch_size": int(batch_size),
        "alpha": float(weight_decay) * int(batch_size),
        "shuffle": True,
        "random_state": random_state,
        "early_stopping": False,
        "tol": 0.0,
        "n_iter_no_change": np.inf,
        "max_iter": 1,
        "warm_start": False,
    }


class SklearnMLPClassifier(ClassifierMixin, BaseEstimator):
    """``MLPClassifier`` trained epoch by epoch with the twins' early stopping and class weighting.

    Parameters
    ----------
    hidden_layer_sizes, learning_rate, batch_size, max_epochs, weight_decay, class_weight, \
patience, threshold, random_state, dtype, verbose
        As in :class:`helpers.models.base.BaseMLPClassifier` (and checked by the same rules).
        ``class_weight="balanced"`` gives positive rows the sample weight ``n_negative /
        n_positive`` of the rows trained on; ``random_state`` seeds scikit-learn's generator
        (initial weights and batch order) and the validation slice held out when ``X_val`` is
        not given; ``verbose`` prints one line per epoch.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The labels; ``classes_[1]`` is the positive class.
    n_features_in_ : int
        Number of input columns.
    estimator_ : sklearn.neural_network.MLPClassifier
        The fitted network (the best epoch's weights when ``patience`` is set).
    coefs_, intercepts_ : list of ndarray
        Copies of its weights and biases (the last layer has one output unit).
    pos_weight_ : float
        Sample weight of the positive rows (1.0 without class weighting).
    history_ : list of dict
        Per epoch: ``epoch`` (1-based), ``train_loss`` (scikit-learn's ``loss_``: sample-weighted
        mean log loss plus its penalty), ``val_pr_auc`` and ``seconds`` (the epoch's ``partial_fit``).
    n_iter_ : int
        Epochs run.
    best_epoch_ : int
        Epoch with the best validation PR-AUC (1-based).
    best_score_ : float
        That PR-AUC.
    """

    # the twins' parameters, checks and rules, shared rather than copied (plain functions of self; scikit-learn
    # reads the parameters from __init__'s signature)
    __init__ = BaseMLPClassifier.__init__
    predict = BaseMLPClassifier.predict
    _check_hyperparameters = BaseMLPClassifier._check_hyperparameters
    _encode_labels = BaseMLPClassifier._encode_labels
    _split_rows = BaseMLPClassifier._split_rows
    _compute_pos_weight = BaseMLPClassifier._compute_pos_weight

    def __sklearn_tags__(self):
        """Tags: a binary-only, single-output classifier of dense, finite inputs."""
        return binary_classifier_tags(super().__sklearn_tags__())

    def fit(self, X, y, X_val=None, y_val=None):
        """Train one ``partial_fit`` epoch at a time, early stopping on validation PR-AUC.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,)
            Binary labels (exactly two classes).
        X_val : array-like of shape (n_val, n_features), default=None
            Validation rows; when omitted a stratified share of ``X`` is held out, as the twins do.
        y_val : array-like of shape (n_val,), default=None
            Validation labels (required with ``X_val``).

        Returns
        -------
        self : SklearnMLPClassifier
            The fitted estimator.
        """
        self._check_hyperparameters()
        dtype = np.dtype(self.dtype)
        X, y = validate_data(self, X, y, dtype=dtype, order="C")
        y01 = self._encode_labels(y)
        init_rng, _, split_seed = seed_streams(self.random_state)
        train_rows, X_val, y_val = self._split_rows(X, y01, X_val, y_val, split_seed, dtype)
        if train_rows is not None:
            X, y01 = X[train_rows], y01[train_rows]
        self.pos_weight_ = self._compute_pos_weight(y01)
        self.estimator_ = self._new_estimator(init_rng)
        sample_weight = self._sample_weight(y01, dtype)
        self._train(X, y01, sample_weight, X_val, y_val)
        self.coefs_ = [W.copy() for W in self.estimator_.coefs_]
        self.intercepts_ = [b.copy() for b in self.estimator_.intercepts_]
        return self

    def train_epoch(self, X, y, sample_weight=None):
        """One ``partial_fit`` pass over ``(X, y)``: the work of one epoch of :meth:`fit`.

        Starts a fresh ``MLPClassifier`` (seeded by ``random_state``) when none is fitted yet; this
        is what the cost study times.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Training rows, already in ``dtype`` (as :meth:`fit` passes them).
        y : ndarray of shape (n_samples,)
            Labels in {0, 1}.
        sample_weight : ndarray of shape (n_samples,), default=None
            ``None``: the estimator's own rule (``class_weight``) applied to ``y``.

        Returns
        -------
        float
            scikit-learn's training loss of the epoch (``loss_``).
        """
        if not hasattr(self, "estimator_"):
            self._check_hyperparameters()
            self.estimator_ = self._new_estimator(seed_streams(self.random_state)[0])
        if sample_weight is None and self.class_weight is not None:
            self.pos_weight_ = self._compute_pos_weight(np.asarray(y))
            sample_weight = self._sample_weight(np.asarray(y), np.asarray(X).dtype)
        return self._partial_fit(X, y, sample_weight)

    def _partial_fit(self, X, y, sample_weight):
        """``estimator_.partial_fit`` once; scikit-learn's training loss of the pass."""
        with warnings.catch_warnings():
            # a batch larger than the data is one batch of all rows, as in the twins
            warnings.filterwarnings("ignore", message="Got `batch_size` less than 1 or larger than sample size")
            self.estimator_.partial_fit(X, y, sample_weight=sample_weight, classes=np.array([0, 1]))
        return float(self.estimator_.loss_)

    def predict_proba(self, X):
        """Class probabilities from scikit-learn's network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        ndarray of shape (n_samples, 2), float64
            Columns follow ``classes_``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.dtype(self.dtype), order="C")
        return self.estimator_.predict_proba(X).astype(np.float64)

    # ----------------------------------------------------------------------- helpers
    def _new_estimator(self, init_rng):
        """A fresh ``MLPClassifier`` whose generator is drawn from ``init_rng``.

        A ``RandomState`` (not an int) so that its state advances across ``partial_fit`` calls and
        every epoch gets a new batch order, as in ``MLPClassifier.fit``.
        """
        generator = np.random.RandomState(int(init_rng.integers(2**32)))
        return MLPClassifier(**mlp_classifier_kwargs(
            self.hidden_layer_sizes, self.learning_rate, self.batch_size, self.weight_decay, generator))

    def _sample_weight(self, y01, dtype):
        """Per-row weights: ``pos_weight_`` on positives, 1 elsewhere; None without class weighting."""
        if self.class_weight is None:
            return None
        return np.where(np.asarray(y01) == 1, self.pos_weight_, 1.0).astype(dtype)

    def _train(self, X, y01, sample_weight, X_val, y_val):
        """The epoch loop: ``partial_fit``, validation PR-AUC, early stopping, best-weight restore."""
        self.history_ = []
        self.best_score_, self.best_epoch_, best_weights = -np.inf, 0, None
        for epoch in range(1, self.max_epochs + 1):
            with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported below, by epoch
                train_loss, seconds, val_pr_auc = self._epoch(X, y01, sample_weight, X_val, y_val, epoch)
            self.history_.append({"epoch": epoch, "train_loss": train_loss, "val_pr_auc": val_pr_auc,
                                  "seconds": seconds})
            if self.verbose:
                print(f"{type(self).__name__} epoch {epoch}: train_loss={train_loss:.4f} "
                      f"val_pr_auc={val_pr_auc:.4f}", flush=True)
            if val_pr_auc > self.best_score_:
                self.best_score_, self.best_epoch_ = val_pr_auc, epoch
                if self.patience is not None:
                    best_weights = [p.copy() for p in (*self.estimator_.coefs_, *self.estimator_.intercepts_)]
            elif self.patience is not None and epoch - self.best_epoch_ >= self.patience:
                break
        self.n_iter_ = len(self.history_)
        if self.patience is not None and self.best_epoch_ != self.n_iter_:
            for param, best in zip((*self.estimator_.coefs_, *self.estimator_.intercepts_), best_weights):
                np.copyto(param, best)

    def _epoch(self, X, y01, sample_weight, X_val, y_val, epoch):
        """One ``partial_fit`` pass and its validation PR-AUC: ``(train_loss, seconds, val_pr_auc)``."""
        started = time.perf_counter()
        try:
            train_loss = self._partial_fit(X, y01, sample_weight)
        except ValueError as error:
            if "non-finite parameter weights" not in str(error):
                raise
            self._raise_diverged(epoch, str(error))
        seconds = time.perf_counter() - started
        if not math.isfinite(train_loss):
            self._raise_diverged(epoch, f"training loss = {train_loss}")
        scores = self.estimator_.predict_proba(X_val)[:, 1]
        if not np.all(np.isfinite(scores)):
            self._raise_diverged(epoch, "validation probabilities are not finite")
        return train_loss, seconds, float(average_precision_score(y_val, scores))

    def _raise_diverged(self, epoch, detail):
        """Stop training: FloatingPointError naming the epoch and the remedy."""
        raise FloatingPointError(
            f"{type(self).__name__}: training diverged at epoch {epoch} ({detail}); "
            f"try a smaller learning_rate (now {self.learning_rate!r})."
        )
