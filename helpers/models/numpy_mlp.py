"""The network written from scratch in NumPy, on the shared training loop.

A stack of Dense + ReLU layers with one logit output, trained with the weighted
binary cross-entropy and Adam of :mod:`helpers.models.layers`. Parameters live in a
dict keyed ``"W1", "b1", "W2", "b2", ...`` (layer ``i`` is ``W{i}``, ``b{i}``).
Pure NumPy: this module never imports torch or pandas.
"""

from __future__ import annotations

import numpy as np

from helpers.models.base import BaseMLPClassifier
from helpers.models.layers import (
    Adam,
    bce_with_logits,
    column_sums,
    dense_backward,
    dense_forward,
    relu_backward,
    relu_forward,
)

__all__ = [
    "NumpyMLPClassifier",
    "mlp_backward",
    "mlp_forward",
    "mlp_loss_and_grads",
    "params_from_weights",
    "weights_from_params",
]


def params_from_weights(coefs, intercepts):
    """Parameter dict ``{"W1": coefs[0], "b1": intercepts[0], ...}`` (copies).

    Parameters
    ----------
    coefs : list of ndarray of shape (n_in, n_out)
        Weights per layer.
    intercepts : list of ndarray of shape (n_out,)
        Biases per layer.

    Returns
    -------
    dict of str to ndarray
        Contiguous copies keyed ``W{i}`` / ``b{i}``, ``i`` from 1.
    """
    params = {}
    for i, (W, b) in enumerate(zip(coefs, intercepts), start=1):
        params[f"W{i}"] = np.array(W, order="C", copy=True)
        params[f"b{i}"] = np.array(b, order="C", copy=True)
    return params


def weights_from_params(params):
    """Inverse of :func:`params_from_weights`: ``(coefs, intercepts)`` as copies.

    Parameters
    ----------
    params : dict of str to ndarray
        Keyed ``W{i}`` / ``b{i}``.

    Returns
    -------
    coefs : list of ndarray of shape (n_in, n_out)
    intercepts : list of ndarray of shape (n_out,)
    """
    n_layers = len(params) // 2
    coefs = [params[f"W{i}"].copy() for i in range(1, n_layers + 1)]
    intercepts = [params[f"b{i}"].copy() for i in range(1, n_layers + 1)]
    return coefs, intercepts


def mlp_forward(X, params):
    """Forward pass: ReLU after every layer but the last, which gives the logit.

    Parameters
    ----------
    X : ndarray of shape (n, n_features)
        Input rows.
    params : dict of str to ndarray
        ``W{i}`` of shape (n_in, n_out) and ``b{i}`` of shape (n_out,); the last layer
        has ``n_out = 1``.

    Returns
    -------
    logits : ndarray of shape (n,)
        Output of the last layer.
    caches : list of tuple
        Per layer ``(dense_cache, relu_cache)`` (``relu_cache`` is None for the last
        layer), for :func:`mlp_backward`.
    """
    n_layers = len(params) // 2
    caches = []
    h = X
    for i in range(1, n_layers + 1):
        h, dense_cache = dense_forward(h, params[f"W{i}"], params[f"b{i}"])
        relu_cache = None
        if i < n_layers:
            h, relu_cache = relu_forward(h, out=h)  # h is this pass's own array: no copy
        caches.append((dense_cache, relu_cache))
    return h.reshape(-1), caches


def mlp_backward(dlogits, caches):
    """Backward pass: gradients of every parameter from the gradient of the logits.

    ``dh_{i-1} = (dz_i @ W_i.T) * [h_{i-1} > 0]``, ``dW_i = h_{i-1}.T @ dz_i``,
    ``db_i = sum_rows(dz_i)``.

    Parameters
    ----------
    dlogits : ndarray of shape (n,)
        Gradient of the loss with respect to the logits.
    caches : list of tuple
        From :func:`mlp_forward`.

    Returns
    -------
    dict of str to ndarray
        ``dW{i}`` of shape (n_in, n_out) and ``db{i}`` of shape (n_out,) under the
        parameter names ``W{i}``, ``b{i}``.
    """
    grads = {}
    dout = dlogits.reshape(-1, 1)
    for i in range(len(caches), 0, -1):
        dense_cache, relu_cache = caches[i - 1]
        if relu_cache is not None:
            dout = relu_backward(dout, relu_cache, out=dout)  # dout was just allocated here
        if i > 1:
            dout, grads[f"W{i}"], grads[f"b{i}"] = dense_backward(dout, dense_cache)
        else:  # the input needs no gradient: skip dx = dout @ W.T
            x, _ = dense_cache
            grads["W1"], grads["b1"] = x.T @ dout, column_sums(dout)
    return grads


def mlp_loss_and_grads(X, y, params, pos_weight=1.0):
    """Loss of a batch and the gradient of every parameter.

    Parameters
    ----------
    X : ndarray of shape (n, n_features)
        Batch rows.
    y : ndarray of shape (n,)
        Targets in {0, 1}, in the dtype of ``X``.
    params : dict of str to ndarray
        Network parameters (see :func:`mlp_forward`).
    pos_weight : float, default=1.0
        Weight of the positive rows (as ``BCEWithLogitsLoss(pos_weight=...)``).

    Returns
    -------
    loss : float
        Mean weighted binary cross-entropy.
    grads : dict of str to ndarray
        Gradients keyed like ``params``.
    logits : ndarray of shape (n,)
        The network's logits.
    """
    logits, caches = mlp_forward(X, params)
    loss, dlogits = bce_with_logits(logits, y, pos_weight)
    return loss, mlp_backward(dlogits, caches), logits


class NumpyMLPClassifier(BaseMLPClassifier):
    """Binary MLP classifier written from scratch in NumPy.

    Same parameters, attributes and training loop as
    :class:`helpers.models.base.BaseMLPClassifier`; the arithmetic is
    :mod:`helpers.models.layers`.

    Notes
    -----
    The BLAS thread pool is used as the process sets it (``OPENBLAS_NUM_THREADS``,
    ``threadpoolctl``). For hidden layers of tens of units one thread is as fast as
    two on an idle machine (about 0.05 s per epoch of 77k x 25 rows on 2 cores)
    and far more robust on a busy one, where spinning BLAS threads made epochs
    20-40 times slower in our measurements::

        from threadpoolctl import threadpool_limits
        with threadpool_limits(limits=1, user_api="blas"):
            clf.fit(X, y)

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(n_samples=500, weights=[0.8], random_state=0)
    >>> clf = NumpyMLPClassifier(hidden_layer_sizes=(16,), max_epochs=5, random_state=0)
    >>> clf.fit(X, y).predict_proba(X).shape
    (500, 2)
    """

    def _backend_init(self, coefs, intercepts, pos_weight):
        self._params = params_from_weights(coefs, intercepts)
        self._optimizer = Adam(
            self._params, lr=self.learning_rate, weight_decay=self.weight_decay
        )
        self._loss_pos_weight = float(pos_weight)

    def _backend_step(self, X_batch, y_batch, on_phase):
        # mlp_loss_and_grads's three calls, one phase each (the same arithmetic)
        logits, caches = mlp_forward(X_batch, self._params)
        on_phase("forward")
        loss, dlogits = bce_with_logits(logits, y_batch, self._loss_pos_weight)
        on_phase("loss")
        grads = mlp_backward(dlogits, caches)
        on_phase("backward")
        self._optimizer.step(self._params, grads)
        on_phase("optimizer")
        return loss

    def _backend_logits(self, X):
        logits, _ = mlp_forward(X, self._params)
        return logits

    def _backend_get_weights(self):
        return weights_from_params(self._params)

    def _backend_set_weights(self, coefs, intercepts):
        for i, (W, b) in enumerate(zip(coefs, intercepts), start=1):
            np.copyto(self._params[f"W{i}"], W)
            np.copyto(self._params[f"b{i}"], b)
