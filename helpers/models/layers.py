"""Layers and optimiser of the from-scratch network, in pure NumPy.

Each layer is a pair of functions in the CS231n style: ``*_forward`` returns the
output and a ``cache``; ``*_backward`` takes the upstream gradient and that cache
and returns the gradients of the inputs and parameters. Everything is vectorised
over the rows of a batch. This module imports NumPy only.

The optimiser reproduces ``torch.optim.Adam`` (the default single-tensor CPU path)
operation for operation, so that the two implementations can be compared to rounding
error. The loss and the sigmoid live in :mod:`helpers.models.losses` (the shared training loop
needs them too) and are re-exported here, so ``from helpers.models.layers import
bce_with_logits`` keeps working.
"""

import numpy as np

from helpers.models.losses import bce_with_logits, bce_with_logits_loss, sigmoid

__all__ = [
    "Adam",
    "bce_with_logits",
    "bce_with_logits_loss",
    "column_sums",
    "dense_backward",
    "dense_forward",
    "input_gradient",
    "relu_backward",
    "relu_forward",
    "sigmoid",
]


def dense_forward(x, W, b):
    """Affine layer ``out = x @ W + b``.

    Parameters
    ----------
    x : ndarray of shape (n, n_in)
        Input rows.
    W : ndarray of shape (n_in, n_out)
        Weights.
    b : ndarray of shape (n_out,)
        Biases.

    Returns
    -------
    out : ndarray of shape (n, n_out)
        ``x @ W + b``.
    cache : tuple of (ndarray of shape (n, n_in), ndarray of shape (n_in, n_out))
        ``(x, W)``, what :func:`dense_backward` needs.
    """
    out = x @ W
    out += b
    return out, (x, W)


def dense_backward(dout, cache):
    """Gradients of the affine layer.

    ``dx = dout @ W.T``, ``dW = x.T @ dout``, ``db = sum_rows(dout)`` (:func:`column_sums`).

    Parameters
    ----------
    dout : ndarray of shape (n, n_out)
        Gradient of the loss with respect to the layer's output.
    cache : tuple of (ndarray of shape (n, n_in), ndarray of shape (n_in, n_out))
        ``(x, W)`` from :func:`dense_forward`.

    Returns
    -------
    dx : ndarray of shape (n, n_in)
        Gradient with respect to ``x``.
    dW : ndarray of shape (n_in, n_out)
        Gradient with respect to ``W``.
    db : ndarray of shape (n_out,)
        Gradient with respect to ``b``.
    """
    x, W = cache
    return input_gradient(dout, W), x.T @ dout, column_sums(dout)


def input_gradient(dout, W):
    """``dout @ W.T``, the gradient of an affine layer's input.

    With one output unit the product is an outer product, which broadcasting computes faster
    than a matrix product with an inner dimension of 1.

    Parameters
    ----------
    dout : ndarray of shape (n, n_out)
    W : ndarray of shape (n_in, n_out)

    Returns
    -------
    ndarray of shape (n, n_in)
    """
    return dout * W.T if W.shape[1] == 1 else dout @ W.T


def column_sums(a):
    """``a.sum(axis=0)`` of a C-ordered 2-D array, as a matrix-vector product ``ones @ a``.

    The bias gradient. BLAS sums the rows of a tall, narrow array several times faster than
    ``ndarray.sum(axis=0)`` (about 10 x at 4,096 x 64 float32 on one thread in our measurement),
    and the result differs only by rounding.

    Parameters
    ----------
    a : ndarray of shape (n, d)

    Returns
    -------
    ndarray of shape (d,)
    """
    return np.ones(a.shape[0], dtype=a.dtype) @ a


def relu_forward(x, out=None):
    """Rectified linear unit ``out = max(x, 0)``.

    Parameters
    ----------
    x : ndarray of shape (n, d)
        Pre-activations.
    out : ndarray of shape (n, d), optional
        Where to write the result; ``out=x`` overwrites the pre-activations in place (no new
        array: the network does this, since nothing else holds them). Default: a new array.

    Returns
    -------
    out : ndarray of shape (n, d)
        ``max(x, 0)`` element-wise.
    cache : ndarray of shape (n, d)
        ``out`` itself: ``out > 0`` is the mask of active units.
    """
    out = np.maximum(x, 0, out=out)
    return out, out


def relu_backward(dout, cache, out=None):
    """Gradient of the ReLU: ``dx = dout * [x > 0]``.

    The gradient at exactly ``x = 0`` is taken as 0, as in PyTorch.

    Parameters
    ----------
    dout : ndarray of shape (n, d)
        Gradient of the loss with respect to the ReLU's output.
    cache : ndarray of shape (n, d)
        The forward output (from :func:`relu_forward`).
    out : ndarray of shape (n, d), optional
        Where to write ``dx``; ``out=dout`` reuses the upstream gradient's memory, only safe when
        the caller owns ``dout`` (the network passes it a gradient it has just computed).
        Default: a new array, ``dout`` untouched.

    Returns
    -------
    dx : ndarray of shape (n, d)
        Gradient with respect to the ReLU's input.
    """
    # A multiplication by the boolean mask: much faster than np.where on random masks.
    return np.multiply(dout, cache > 0, out=out)


class Adam:
    """Adam with L2 weight decay, numerically as ``torch.optim.Adam``.

    For each parameter ``p`` with gradient ``g`` at step ``t``:

    ``g <- g + weight_decay * p``;
    ``m <- m + (1 - beta1) * (g - m)``;
    ``v <- beta2 * v + (1 - beta2) * g * g``;
    ``denom = sqrt(v) / sqrt(1 - beta2**t) + eps``;
    ``p <- p - (lr / (1 - beta1**t)) * (m / denom)``.

    This is PyTorch's default (non-amsgrad, single-tensor) update, including where
    ``eps`` is added. Parameters are updated in place and the state buffers are
    allocated once, so a step allocates no arrays.

    Parameters
    ----------
    params : dict of str to ndarray
        The parameters to optimise, e.g. ``{"W1": ..., "b1": ..., ...}``. Only the
        shapes and dtypes are read here.
    lr : float, default=1e-3
        Learning rate.
    betas : tuple of (float, float), default=(0.9, 0.999)
        Decay rates of the first and second moment estimates.
    eps : float, default=1e-8
        Added to the denominator.
    weight_decay : float, default=0.0
        L2 penalty coefficient, added to the gradient before the moments.

    Attributes
    ----------
    t : int
        Number of steps taken.
    m, v : dict of str to ndarray
        First and second moment estimates, shaped like the parameters.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.lr = float(lr)
        self.beta1, self.beta2 = (float(b) for b in betas)
        self.eps = float(eps)
        self.weight_decay = float(weight_decay)
        self.t = 0
        self.m = {k: np.zeros_like(p) for k, p in params.items()}
        self.v = {k: np.zeros_like(p) for k, p in params.items()}
        self._scratch = {k: np.empty_like(p) for k, p in params.items()}
        self._grad = {k: np.empty_like(p) for k, p in params.items()}

    def step(self, params, grads):
        """Apply one Adam update to ``params`` in place.

        Parameters
        ----------
        params : dict of str to ndarray
            Parameters, updated in place.
        grads : dict of str to ndarray
            Gradients with the same keys and shapes as ``params``; not modified.
        """
        self.t += 1
        beta1, beta2 = self.beta1, self.beta2
        bias_correction1 = 1 - beta1**self.t
        bias_correction2 = 1 - beta2**self.t
        step_size = self.lr / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5
        for key, param in params.items():
            grad = grads[key]
            if self.weight_decay:
                grad = np.multiply(param, self.weight_decay, out=self._grad[key])
                grad += grads[key]
            m, v, buf = self.m[key], self.v[key], self._scratch[key]
            # m.lerp_(grad, 1 - beta1)  ==  m + (1 - beta1) * (grad - m)
            np.subtract(grad, m, out=buf)
            buf *= 1 - beta1
            m += buf
            # v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            v *= beta2
            np.multiply(grad, 1 - beta2, out=buf)
            buf *= grad
            v += buf
            # denom = (v.sqrt() / bias_correction2_sqrt).add_(eps)
            np.sqrt(v, out=buf)
            buf /= bias_correction2_sqrt
            buf += self.eps
            # param.addcdiv_(m, denom, value=-step_size)
            np.divide(m, buf, out=buf)
            buf *= -step_size
            param += buf
