"""The training loop shared by the NumPy and the PyTorch networks.

:class:`BaseMLPClassifier` is a scikit-learn binary classifier that owns everything
except the arithmetic: input validation, the validation slice, the initial weights,
the batch order of every epoch, early stopping on validation PR-AUC, the history
and the prediction methods. A backend subclass implements five hooks (set weights,
one optimisation step, logits, get weights back, overwrite weights).

The initial weights and the batch schedule come from NumPy generators seeded by
``random_state`` (see :func:`seed_streams`, :func:`init_weights` and
:func:`batch_indices`), so both backends consume identical inputs.
"""

from __future__ import annotations

import math
import numbers
import time
from abc import ABCMeta, abstractmethod

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data
from tqdm import tqdm  # plain text bar: readable in executed and exported notebooks

from helpers.models.losses import bce_with_logits_loss, sigmoid

__all__ = [
    "BaseMLPClassifier",
    "VALIDATION_FRACTION",
    "batch_indices",
    "binary_classifier_tags",
    "init_weights",
    "seed_streams",
]

#: Share of the training rows held out (stratified) when no validation set is given.
VALIDATION_FRACTION = 0.1

#: Rows per forward pass at prediction time (bounds the memory of large inputs).
PREDICT_CHUNK_ROWS = 8_192


def seed_streams(random_state):
    """Three independent random streams derived from one seed.

    Parameters
    ----------
    random_state : int, numpy.random.SeedSequence or None
        The seed (``None``: fresh entropy from the operating system).

    Returns
    -------
    init_rng : numpy.random.Generator
        Stream for the initial weights.
    batch_rng : numpy.random.Generator
        Stream for the per-epoch batch order.
    split_seed : int
        Seed in ``[0, 2**32)`` for the stratified validation split.
    """
    if isinstance(random_state, np.random.SeedSequence):
        root = random_state
    elif random_state is None or isinstance(random_state, numbers.Integral):
        root = np.random.SeedSequence(None if random_state is None else int(random_state))
    else:
        raise ValueError(
            f"random_state must be None, an int or a numpy SeedSequence; got {random_state!r}"
        )
    init_seq, batch_seq, split_seq = root.spawn(3)
    split_seed = int(split_seq.generate_state(1, dtype=np.uint32)[0])
    return np.random.default_rng(init_seq), np.random.default_rng(batch_seq), split_seed


def init_weights(layer_sizes, rng, dtype="float32"):
    """Initial weights: He normal for the ReLU layers, Glorot uniform for the output.

    Hidden layers: ``W ~ N(0, 2 / n_in)``; output layer:
    ``W ~ U(-a, a)`` with ``a = sqrt(6 / (n_in + n_out))``; all biases zero. The draws
    are made in float64 and then cast, so float32 and float64 runs start from the
    same (rounded) values.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_features, *hidden_layer_sizes, n_outputs)``.
    rng : numpy.random.Generator
        Source of randomness (consumed layer by layer).
    dtype : str or numpy.dtype, default="float32"
        Dtype of the returned arrays.

    Returns
    -------
    coefs : list of ndarray of shape (n_in, n_out)
        One weight matrix per layer.
    intercepts : list of ndarray of shape (n_out,)
        One bias vector per layer (zeros).
    """
    dtype = np.dtype(dtype)
    sizes = [int(s) for s in layer_sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"layer_sizes needs at least two positive sizes, got {layer_sizes!r}")
    coefs, intercepts = [], []
    n_layers = len(sizes) - 1
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        if i < n_layers - 1:
            W = rng.normal(0.0, math.sqrt(2.0 / n_in), size=(n_in, n_out))
        else:
            limit = math.sqrt(6.0 / (n_in + n_out))
            W = rng.uniform(-limit, limit, size=(n_in, n_out))
        coefs.append(W.astype(dtype))
        intercepts.append(np.zeros(n_out, dtype=dtype))
    return coefs, intercepts


def batch_indices(n_samples, batch_size, rng):
    """Row indices of each batch of one epoch (a fresh permutation).

    Parameters
    ----------
    n_samples : int
        Number of training rows.
    batch_size : int
        Rows per batch; the last batch holds the remainder.
    rng : numpy.random.Generator
        Source of the permutation (one draw per call).

    Returns
    -------
    list of ndarray of shape (batch_size,)
        ``ceil(n_samples / batch_size)`` index arrays (views of one permutation), the
        last one possibly shorter.
    """
    order = rng.permutation(n_samples)
    return [order[start : start + batch_size] for start in range(0, n_samples, batch_size)]


def _logits_in_chunks(logits_fn, X):
    """Apply ``logits_fn`` to ``X`` in slices of :data:`PREDICT_CHUNK_ROWS` rows."""
    if X.shape[0] <= PREDICT_CHUNK_ROWS:
        return np.asarray(logits_fn(X)).reshape(-1)
    parts = [
        np.asarray(logits_fn(X[start : start + PREDICT_CHUNK_ROWS])).reshape(-1)
        for start in range(0, X.shape[0], PREDICT_CHUNK_ROWS)
    ]
    return np.concatenate(parts)


def binary_classifier_tags(tags):
    """scikit-learn's estimator ``tags`` set for a binary-only, single-output classifier of dense, finite inputs."""
    tags.classifier_tags.multi_class = False
    tags.classifier_tags.multi_label = False
    tags.target_tags.single_output = True
    tags.input_tags.allow_nan = False
    tags.input_tags.sparse = False
    return tags


def _ignore_phase(name: str) -> None:
    """The training step's clock callback when nothing is timed."""


class BaseMLPClassifier(ClassifierMixin, BaseEstimator, metaclass=ABCMeta):
    """Binary MLP classifier (ReLU hidden layers, one logit output), backend-agnostic.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(64, 32)
        Units of each ReLU hidden layer.
    learning_rate : float, default=1e-3
        Adam learning rate.
    batch_size : int, default=512
        Rows per optimisation step.
    max_epochs : int, default=200
        Maximum number of passes over the training rows.
    weight_decay : float, default=1e-3
        L2 penalty added to the gradient (``torch.optim.Adam(weight_decay=...)``).
    class_weight : {"balanced"} or None, default=None
        ``"balanced"``: positive rows weigh ``n_negative / n_positive`` (counted on
        the rows trained on) in the loss; ``None``: weight 1.

        The defaults of ``weight_decay`` and ``class_weight`` are the best of a 5-fold
        cross-validation on the real training split (notebook 02, :mod:`helpers.study.tuning`);
        the others are the course assignment's.
    patience : int or None, default=10
        Stop after this many epochs without a better validation PR-AUC and restore
        the best epoch's weights. ``None`` trains ``max_epochs`` epochs and keeps the
        last weights.
    threshold : float, default=0.5
        :meth:`predict` says positive when ``predict_proba[:, 1] >= threshold``.
    random_state : int or None, default=None
        Seed of the initial weights, batch order and validation slice.
    dtype : {"float32", "float64"}, default="float32"
        Precision of the inputs, weights and arithmetic.
    verbose : bool, default=False
        Show a progress bar over epochs (train loss and val PR-AUC).

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The labels; ``classes_[1]`` is the positive class.
    n_features_in_ : int
        Number of input columns.
    coefs_ : list of ndarray of shape (n_in, n_out)
        Fitted weights, one per layer (the last has one output unit: the logit).
    intercepts_ : list of ndarray of shape (n_out,)
        Fitted biases, one per layer.
    pos_weight_ : float
        Weight of the positive rows in the loss.
    history_ : list of dict
        Per epoch: ``epoch`` (1-based), ``train_loss`` (row-weighted mean of the
        batch losses), ``val_loss`` (same weighting), ``val_pr_auc``, ``seconds``
        (time of the epoch's training steps).
    n_iter_ : int
        Epochs run.
    best_epoch_ : int
        Epoch with the best validation PR-AUC (1-based).
    best_score_ : float
        That PR-AUC.
    """

    def __init__(
        self,
        hidden_layer_sizes=(64, 32),
        learning_rate=1e-3,
        batch_size=512,
        max_epochs=200,
        weight_decay=1e-3,
        class_weight=None,
        patience=10,
        threshold=0.5,
        random_state=None,
        dtype="float32",
        verbose=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.weight_decay = weight_decay
        self.class_weight = class_weight
        self.patience = patience
        self.threshold = threshold
        self.random_state = random_state
        self.dtype = dtype
        self.verbose = verbose

    # ----------------------------------------------------------------- backend hooks
    @abstractmethod
    def _backend_init(self, coefs, intercepts, pos_weight):
        """Create the model from ``coefs`` / ``intercepts`` and fresh optimiser state."""

    @abstractmethod
    def _backend_step(self, X_batch, y_batch, on_phase):
        """One optimisation step on a batch; return the batch loss as a float.

        ``on_phase(name)`` is called as each phase ends, with ``"forward"``, ``"loss"``,
        ``"backward"`` and ``"optimizer"`` (see :meth:`train_step`).
        """

    @abstractmethod
    def _backend_logits(self, X):
        """Logits of shape (n,) for the validated NumPy array ``X``, as NumPy."""

    @abstractmethod
    def _backend_get_weights(self):
        """Current ``(coefs, intercepts)`` as lists of NumPy arrays (copies)."""

    @abstractmethod
    def _backend_set_weights(self, coefs, intercepts):
        """Overwrite the model's weights (optimiser state is left as it is)."""

    def _backend_prepare(self, X, y):
        """``(X, y)`` (all validated rows, 0/1 labels) in the backend's form, once per fit.

        The base picks the training rows by index, so they are never copied here.
        """
        return X, y

    def _backend_rows(self, data, idx):
        """Rows ``idx`` (ndarray of int) of the prepared data: ``(X_batch, y_batch)``."""
        X, y = data
        return np.take(X, idx, axis=0), np.take(y, idx)  # a faster row gather than X[idx]

    # ------------------------------------------------------------------ training step
    def training_data(self, X, y):
        """``(X, y)`` in the form :meth:`train_step` takes (a fitted estimator's dtype and device)."""
        dtype = np.dtype(self.dtype)
        return self._backend_prepare(np.ascontiguousarray(X, dtype=dtype), np.asarray(y, dtype=dtype))

    def train_step(self, data, rows, on_phase=None):
        """One optimisation step on rows ``rows`` of ``data``: the step :meth:`fit` runs for every batch.

        Parameters
        ----------
        data : object
            The training rows in the backend's form (:meth:`training_data`).
        rows : ndarray of int
            Indices of the batch's rows.
        on_phase : callable, optional
            A clock callback: called with the phase's name as each phase of the step ends --
            ``"gather"`` (the batch's rows), ``"forward"``, ``"loss"``, ``"backward"`` and
            ``"optimizer"`` (the update, and zeroing the gradients where the backend does that).
            The cost study times each phase with it (:func:`helpers.cost.profiling.phase_times`);
            ``None`` (training) calls nothing.

        Returns
        -------
        float
            The batch's loss.
        """
        on_phase = on_phase or _ignore_phase
        X_batch, y_batch = self._backend_rows(data, rows)
        on_phase("gather")
        return self._backend_step(X_batch, y_batch, on_phase)

    # -------------------------------------------------------------------- sklearn API
    def __sklearn_tags__(self):
        """Tags: a binary-only, single-output classifier of dense, finite inputs."""
        return binary_classifier_tags(super().__sklearn_tags__())

    def fit(self, X, y, X_val=None, y_val=None):
        """Train with Adam on mini-batches, early stopping on validation PR-AUC.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,)
            Binary labels (exactly two classes).
        X_val : array-like of shape (n_val, n_features), default=None
            Validation rows; when omitted a stratified
            :data:`VALIDATION_FRACTION` of ``X`` is held out.
        y_val : array-like of shape (n_val,), default=None
            Validation labels (required with ``X_val``).

        Returns
        -------
        self : BaseMLPClassifier
            The fitted estimator.
        """
        self._check_hyperparameters()
        dtype = np.dtype(self.dtype)
        X, y = validate_data(self, X, y, dtype=dtype, order="C")
        y01 = self._encode_labels(y)
        init_rng, batch_rng, split_seed = seed_streams(self.random_state)
        train_rows, X_val, y_val = self._split_rows(X, y01, X_val, y_val, split_seed, dtype)
        y01 = y01.astype(dtype)
        self.pos_weight_ = self._compute_pos_weight(
            y01 if train_rows is None else y01[train_rows]
        )
        layer_sizes = (self.n_features_in_, *self.hidden_layer_sizes, 1)
        coefs, intercepts = init_weights(layer_sizes, init_rng, dtype)
        self._backend_init(coefs, intercepts, self.pos_weight_)
        self._train(X, y01, train_rows, X_val, y_val, batch_rng)
        self.coefs_, self.intercepts_ = self._backend_get_weights()
        return self

    def decision_function(self, X):
        """Logits of the positive class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        ndarray of shape (n_samples,)
            Logits ``z``; ``predict_proba(X)[:, 1] == sigmoid(z)``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.dtype(self.dtype), order="C")
        return _logits_in_chunks(self._backend_logits, X)

    def predict_proba(self, X):
        """Class probabilities, from a numerically stable sigmoid of the logits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        ndarray of shape (n_samples, 2), float64
            Columns follow ``classes_``: ``[P(classes_[0]), P(classes_[1])]``; rows
            sum to 1 to float64 rounding (the sigmoid is evaluated in float64).
        """
        logits = self.decision_function(X).astype(np.float64)
        return np.column_stack([sigmoid(-logits), sigmoid(logits)])

    def predict(self, X):
        """Labels: ``classes_[1]`` where ``predict_proba(X)[:, 1] >= threshold``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to classify.

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        positive = self.predict_proba(X)[:, 1] >= self.threshold
        return self.classes_[positive.astype(np.intp)]

    # ----------------------------------------------------------------------- helpers
    def _check_hyperparameters(self):
        """Raise ValueError for hyper-parameters outside their domain."""
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral):
            raise ValueError("hidden_layer_sizes must be a tuple of ints, e.g. (64, 32)")
        if not all(isinstance(s, numbers.Integral) and s > 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must hold positive ints, got {sizes!r}")
        positive_ints = {"batch_size": self.batch_size, "max_epochs": self.max_epochs}
        for name, value in positive_ints.items():
            if not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.patience is not None and (
            not isinstance(self.patience, numbers.Integral) or self.patience < 1
        ):
            raise ValueError(f"patience must be a positive int or None, got {self.patience!r}")
        if not (isinstance(self.learning_rate, numbers.Real) and self.learning_rate > 0):
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate!r}")
        if not (isinstance(self.weight_decay, numbers.Real) and self.weight_decay >= 0):
            raise ValueError(f"weight_decay must be >= 0, got {self.weight_decay!r}")
        if self.class_weight not in ("balanced", None):
            raise ValueError(
                f"class_weight must be 'balanced' or None, got {self.class_weight!r}"
            )
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {self.dtype!r}")

    def _encode_labels(self, y):
        """Set ``classes_`` and return ``y`` as 0/1 (``classes_[1]`` is 1)."""
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y", raise_unknown=True)
        classes, y01 = np.unique(y, return_inverse=True)
        n_classes = classes.shape[0]
        if y_type != "binary" or n_classes != 2:
            raise ValueError(
                "Only binary classification is supported. The type of the target is "
                f"{y_type}: {type(self).__name__} needs exactly 2 classes, got "
                f"{n_classes} class{'es' if n_classes != 1 else ''} ({classes[:5].tolist()})."
            )
        self.classes_ = classes
        return y01.reshape(-1)

    def _split_rows(self, X, y01, X_val, y_val, split_seed, dtype):
        """Training rows of ``X`` and the validation arrays (labels in ``dtype``).

        Returns ``(train_rows, X_val, y_val)``: ``train_rows`` indexes the rows of
        ``X`` trained on (None: all of them), so the training rows are never copied.
        """
        if (X_val is None) != (y_val is None):
            raise ValueError("pass both X_val and y_val, or neither")
        if X_val is None:
            n_val = max(2, math.ceil(VALIDATION_FRACTION * X.shape[0]))
            if np.bincount(y01, minlength=2).min() < 2 or X.shape[0] - n_val < 2:
                raise ValueError(
                    "holding out a stratified validation slice needs at least 2 rows of "
                    f"each class and more than {n_val + 1} rows in total; got "
                    f"{X.shape[0]} rows. Pass X_val and y_val explicitly."
                )
            train_rows, val_rows = train_test_split(
                np.arange(X.shape[0]), test_size=n_val, stratify=y01, random_state=split_seed
            )
            X_val, y_val01 = X[val_rows], y01[val_rows]
        else:
            train_rows = None
            X_val = validate_data(self, X_val, reset=False, dtype=dtype, order="C")
            y_val = np.asarray(y_val).reshape(-1)
            if y_val.shape[0] != X_val.shape[0]:
                raise ValueError("X_val and y_val have different numbers of rows")
            unknown = ~np.isin(y_val, self.classes_)
            if unknown.any():
                raise ValueError(f"y_val has labels not seen in y: {np.unique(y_val[unknown])}")
            y_val01 = np.searchsorted(self.classes_, y_val)
        return train_rows, X_val, y_val01.astype(dtype)

    def _compute_pos_weight(self, y_train):
        """``n_negative / n_positive`` on the training rows, or 1.0."""
        if self.class_weight is None:
            return 1.0
        n_pos = float(np.count_nonzero(y_train))
        if n_pos == 0:
            raise ValueError("the training rows contain no positive class")
        return (y_train.shape[0] - n_pos) / n_pos

    def _train(self, X, y01, train_rows, X_val, y_val, batch_rng):
        """The epoch loop: batches, history, early stopping, best-weight restore."""
        data = self._backend_prepare(X, y01)
        n_train = X.shape[0] if train_rows is None else train_rows.shape[0]
        self.history_ = []
        self.best_score_, self.best_epoch_, best_weights = -np.inf, 0, None
        epochs = tqdm(
            range(1, self.max_epochs + 1),
            disable=not self.verbose,
            desc=type(self).__name__,
            unit="epoch",
            ascii=True,  # '#' bars: no block glyphs that a LaTeX (PDF) export would drop
        )
        with epochs, np.errstate(over="ignore", invalid="ignore"):
            for epoch in epochs:
                train_loss, seconds = self._run_epoch(data, train_rows, n_train, batch_rng, epoch)
                val_loss, val_pr_auc = self._evaluate(X_val, y_val, epoch)
                self.history_.append(
                    {
                        "epoch": epoch,
                        "train_loss": train_loss,
                        "val_loss": val_loss,
                        "val_pr_auc": val_pr_auc,
                        "seconds": seconds,
                    }
                )
                epochs.set_postfix(train_loss=f"{train_loss:.4f}", val_pr_auc=f"{val_pr_auc:.4f}")
                if val_pr_auc > self.best_score_:
                    self.best_score_, self.best_epoch_ = val_pr_auc, epoch
                    if self.patience is not None:
                        best_weights = self._backend_get_weights()
                elif self.patience is not None and epoch - self.best_epoch_ >= self.patience:
                    break
        self.n_iter_ = len(self.history_)
        if self.patience is not None and self.best_epoch_ != self.n_iter_:
            self._backend_set_weights(*best_weights)

    def _run_epoch(self, data, train_rows, n_train, batch_rng, epoch):
        """One pass over the batches; ``(row-weighted mean loss, seconds)``."""
        loss_sum = 0.0
        start = time.perf_counter()
        for idx in batch_indices(n_train, self.batch_size, batch_rng):
            rows = idx if train_rows is None else train_rows[idx]
            loss = self.train_step(data, rows)
            if not math.isfinite(loss):
                self._raise_diverged(epoch, f"training batch loss = {loss}")
            loss_sum += loss * idx.shape[0]
        seconds = time.perf_counter() - start
        return loss_sum / n_train, seconds

    def _evaluate(self, X_val, y_val, epoch):
        """Validation loss (weighted like training) and PR-AUC of the current weights."""
        logits = _logits_in_chunks(self._backend_logits, X_val)
        if not np.all(np.isfinite(logits)):
            self._raise_diverged(epoch, "validation logits are not finite")
        val_loss = bce_with_logits_loss(logits, y_val, self.pos_weight_)
        if not math.isfinite(val_loss):
            self._raise_diverged(epoch, f"validation loss = {val_loss}")
        return val_loss, float(average_precision_score(y_val, logits))

    def _raise_diverged(self, epoch, detail):
        """Stop training: FloatingPointError naming the epoch and the remedy."""
        raise FloatingPointError(
            f"{type(self).__name__}: training diverged at epoch {epoch} ({detail}); "
            f"try a smaller learning_rate (now {self.learning_rate!r})."
        )
