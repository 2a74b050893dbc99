"""The loss of both networks and the sigmoid, in pure NumPy.

Weighted binary cross-entropy on logits, written to match ``torch.nn.BCEWithLogitsLoss``
(``pos_weight``, mean over the rows) operation for operation, and an overflow-free
sigmoid. The NumPy network (:mod:`helpers.models.numpy_mlp`) trains with the loss and its
gradient; the shared training loop (:mod:`helpers.models.base`) uses the loss value for
validation and the sigmoid for ``predict_proba``, whichever backend computed the logits.
This module imports NumPy only.
"""

import numpy as np

__all__ = ["bce_with_logits", "bce_with_logits_loss", "sigmoid"]


def sigmoid(z):
    """Logistic function, without overflow for large ``|z|``.

    Parameters
    ----------
    z : ndarray of shape (n,)
        Logits.

    Returns
    -------
    ndarray of shape (n,)
        ``1 / (1 + exp(-z))``, evaluated as ``e / (1 + e)`` with ``e = exp(z)`` for
        negative ``z`` so that ``exp`` never overflows.
    """
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def _log_weight(y, pos_weight):
    """Per-row weight of the log-sigmoid term, ``1 + (pos_weight - 1) * y``."""
    if pos_weight == 1.0:
        return None
    lw = (pos_weight - 1.0) * y
    lw += 1.0
    return lw


def bce_with_logits_loss(logits, y, pos_weight=1.0):
    """Weighted binary cross-entropy on logits, loss value only.

    ``loss = mean_i[(1 - y_i) * z_i - (1 + (w - 1) * y_i) * log_sigmoid(z_i)]``, which is
    ``mean_i[-w * y_i * log(sigmoid(z_i)) - (1 - y_i) * log(1 - sigmoid(z_i))]``, with
    ``log_sigmoid(z) = min(z, 0) - log1p(exp(-|z|))`` so that no ``exp`` overflows.
    Same arithmetic as ``torch.nn.BCEWithLogitsLoss(pos_weight=w)``.

    Parameters
    ----------
    logits : ndarray of shape (n,)
        Logits ``z``.
    y : ndarray of shape (n,)
        Targets in {0, 1}, same dtype as ``logits``.
    pos_weight : float, default=1.0
        Weight ``w`` of the positive rows.

    Returns
    -------
    float
        The mean loss over the ``n`` rows.
    """
    loss, _ = _bce_terms(logits, y, pos_weight, with_gradient=False)
    return loss


def bce_with_logits(logits, y, pos_weight=1.0):
    """Weighted binary cross-entropy on logits and its gradient.

    ``loss = mean_i[(1 - y_i) * z_i - (1 + (w - 1) * y_i) * log_sigmoid(z_i)]``;
    ``dloss/dz_i = [(1 - y_i) - (1 + (w - 1) * y_i) * sigmoid(-z_i)] / n``.
    Equals ``torch.nn.BCEWithLogitsLoss(pos_weight=w)`` (mean reduction) and its
    autograd gradient; stable for any finite ``z`` (e.g. ``|z| = 50``).

    Parameters
    ----------
    logits : ndarray of shape (n,)
        Logits ``z``.
    y : ndarray of shape (n,)
        Targets in {0, 1}, same dtype as ``logits``.
    pos_weight : float, default=1.0
        Weight ``w`` of the positive rows.

    Returns
    -------
    loss : float
        The mean loss over the ``n`` rows.
    dlogits : ndarray of shape (n,)
        Gradient of ``loss`` with respect to ``logits``.
    """
    return _bce_terms(logits, y, pos_weight, with_gradient=True)


def _bce_terms(logits, y, pos_weight, with_gradient):
    """Shared body of :func:`bce_with_logits` and :func:`bce_with_logits_loss`."""
    z = logits
    n = z.shape[0]
    exp_neg_abs = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    # log_sigmoid(z) = min(z, 0) - log1p(exp(-|z|))
    log_sig = np.minimum(z, 0)
    log_sig -= np.log1p(exp_neg_abs)
    lw = _log_weight(y, pos_weight)
    if lw is not None:
        log_sig *= lw
    one_minus_y = 1.0 - y
    terms = one_minus_y * z
    terms -= log_sig
    loss = float(terms.mean())
    if not with_gradient:
        return loss, None
    # sigmoid(-z) = exp(-|z|) / (1 + exp(-|z|)) if z >= 0 else 1 / (1 + exp(-|z|))
    sig_neg = np.where(z >= 0, exp_neg_abs, 1.0) / (1.0 + exp_neg_abs)
    if lw is not None:
        sig_neg *= lw
    dlogits = one_minus_y
    dlogits -= sig_neg
    dlogits /= n
    return loss, dlogits
