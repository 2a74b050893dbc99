"""The same network in PyTorch, on the shared training loop.

``nn.Sequential`` of ``nn.Linear`` + ``nn.ReLU`` layers initialised by copying the
shared initial weights, ``BCEWithLogitsLoss(pos_weight=...)`` and
``torch.optim.Adam``. The batch order comes from the shared schedule of
:mod:`helpers.models.base`, so with ``dtype="float64"`` the fitted weights match
:class:`helpers.models.numpy_mlp.NumpyMLPClassifier` to rounding error.
This is the only module of the package that imports torch.
"""

from __future__ import annotations

import os

import numpy as np
import torch
from torch import nn

from helpers.models.base import BaseMLPClassifier

__all__ = ["TorchMLPClassifier", "TorchMLPVariantClassifier", "build_sequential", "resolve_device"]

_TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}


def resolve_device(device):
    """``torch.device`` for ``"cpu"``, ``"cuda"`` or ``"auto"`` (CUDA when available).

    Parameters
    ----------
    device : str or torch.device
        Requested device.

    Returns
    -------
    torch.device
    """
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    resolved = torch.device(device)
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was requested but CUDA is not available")
    return resolved


def build_sequential(coefs, intercepts, dtype=torch.float32, device="cpu"):
    """``nn.Sequential`` of Linear (+ ReLU but after the last) holding given weights.

    Parameters
    ----------
    coefs : list of ndarray of shape (n_in, n_out)
        Weights per layer (copied transposed into ``nn.Linear.weight``).
    intercepts : list of ndarray of shape (n_out,)
        Biases per layer.
    dtype : torch.dtype, default=torch.float32
        Parameter dtype.
    device : str or torch.device, default="cpu"
        Parameter device.

    Returns
    -------
    torch.nn.Sequential
    """
    layers = []
    for i, W in enumerate(coefs):
        n_in, n_out = W.shape
        layers.append(nn.Linear(n_in, n_out, dtype=dtype, device=device))
        if i < len(coefs) - 1:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    _copy_weights_into(model, coefs, intercepts)
    return model


def _linear_layers(model):
    return [m for m in model if isinstance(m, nn.Linear)]


def _copy_weights_into(model, coefs, intercepts):
    """Overwrite the Linear layers of ``model`` with ``W.T`` / ``b`` (no autograd)."""
    with torch.no_grad():
        for layer, W, b in zip(_linear_layers(model), coefs, intercepts):
            layer.weight.copy_(torch.as_tensor(np.ascontiguousarray(W.T)))
            layer.bias.copy_(torch.as_tensor(np.asarray(b)))


def _to_tensor(array, dtype, device):
    """Tensor from a NumPy array (shares memory on CPU when the array is writable)."""
    if array.flags.writeable and array.flags.c_contiguous:
        tensor = torch.from_numpy(array)
    else:
        tensor = torch.tensor(array)
    return tensor.to(device=device, dtype=dtype)


class TorchMLPClassifier(BaseMLPClassifier):
    """Binary MLP classifier in PyTorch, same loop and initial weights as the NumPy one.

    Parameters
    ----------
    hidden_layer_sizes, learning_rate, batch_size, max_epochs, weight_decay, \
class_weight, patience, threshold, random_state, dtype, verbose
        As in :class:`helpers.models.base.BaseMLPClassifier`.
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train and predict; ``"auto"`` is CUDA when available, else CPU.
    num_threads : int or None, default=None
        Intra-op CPU threads, set with ``torch.set_num_threads`` in ``fit`` (a
        process-wide setting, left in place); ``None`` means ``os.cpu_count()``.

    Attributes
    ----------
    device_ : str
        Device used.
    num_threads_ : int
        Threads set for training.
    torch_version_ : str
        ``torch.__version__`` at fit time.
    (and those of BaseMLPClassifier: ``coefs_``, ``intercepts_``, ``history_``, ...)
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
        device="cpu",
        num_threads=None,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            learning_rate=learning_rate,
            batch_size=batch_size,
            max_epochs=max_epochs,
            weight_decay=weight_decay,
            class_weight=class_weight,
            patience=patience,
            threshold=threshold,
            random_state=random_state,
            dtype=dtype,
            verbose=verbose,
        )
        self.device = device
        self.num_threads = num_threads

    def fit(self, X, y, X_val=None, y_val=None):
        """Train on ``device`` with ``num_threads`` threads; see ``BaseMLPClassifier.fit``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        X_val : array-like of shape (n_val, n_features), default=None
        y_val : array-like of shape (n_val,), default=None

        Returns
        -------
        self : TorchMLPClassifier
        """
        if self.num_threads is not None and (
            not isinstance(self.num_threads, (int, np.integer)) or self.num_threads < 1
        ):
            raise ValueError(
                f"num_threads must be a positive int or None, got {self.num_threads!r}"
            )
        self.device_ = str(resolve_device(self.device))
        self.num_threads_ = int(self.num_threads or os.cpu_count() or 1)
        torch.set_num_threads(self.num_threads_)
        self.torch_version_ = torch.__version__
        return super().fit(X, y, X_val=X_val, y_val=y_val)

    # ---------------------------------------------------------------- backend hooks
    def _torch_dtype(self):
        return _TORCH_DTYPES[self.dtype]

    def _backend_init(self, coefs, intercepts, pos_weight):
        dtype, device = self._torch_dtype(), torch.device(self.device_)
        self._model = build_sequential(coefs, intercepts, dtype=dtype, device=device)
        self._loss_fn = nn.BCEWithLogitsLoss(
            pos_weight=torch.tensor(pos_weight, dtype=dtype, device=device)
        )
        self._optimizer = torch.optim.Adam(
            self._model.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay
        )
        self._train_model = self._model  # what the step calls (a variant may compile it)

    def _backend_prepare(self, X, y):
        dtype, device = self._torch_dtype(), torch.device(self.device_)
        return _to_tensor(X, dtype, device), _to_tensor(y, dtype, device)

    def _backend_rows(self, data, idx):
        X, y = data
        rows = torch.from_numpy(idx).to(X.device)
        return X[rows], y[rows]

    def _backend_step(self, X_batch, y_batch, on_phase):
        self._model.train()
        self._optimizer.zero_grad(set_to_none=True)
        on_phase("optimizer")  # zeroing the gradients counts with the update
        logits = self._train_model(X_batch).squeeze(1)
        on_phase("forward")
        loss = self._loss_fn(logits, y_batch)
        on_phase("loss")
        loss.backward()
        on_phase("backward")
        self._optimizer.step()
        on_phase("optimizer")
        return loss.item()

    def _backend_logits(self, X):
        self._model.eval()
        with torch.no_grad():
            X_t = _to_tensor(X, self._torch_dtype(), torch.device(self.device_))
            return self._model(X_t).squeeze(1).cpu().numpy()

    def _backend_get_weights(self):
        layers = _linear_layers(self._model)
        coefs = [layer.weight.detach().cpu().numpy().T.copy() for layer in layers]
        intercepts = [layer.bias.detach().cpu().numpy().copy() for layer in layers]
        return coefs, intercepts

    def _backend_set_weights(self, coefs, intercepts):
        _copy_weights_into(self._model, coefs, intercepts)


# ----------------------------------------------------------------------------- variants
class TorchMLPVariantClassifier(TorchMLPClassifier):
    """The PyTorch twin with the switches a PyTorch user would try first.

    Same network, initial weights, batch order, loss and Adam arithmetic as
    :class:`TorchMLPClassifier` (``float64`` is its ``dtype`` parameter); only how the
    work is executed changes, so the fitted weights agree with the plain twin's to
    rounding error (tested).

    Parameters
    ----------
    hidden_layer_sizes, learning_rate, batch_size, max_epochs, weight_decay, \
class_weight, patience, threshold, random_state, dtype, verbose, device, num_threads
        As in :class:`TorchMLPClassifier`.
    fused_adam : bool, default=False
        Use ``torch.optim.Adam(fused=True)``: one fused kernel updates all parameters
        instead of a chain of element-wise operations per tensor.
    compile_model : bool, default=False
        Train through ``torch.compile(model)`` (TorchInductor: generated C++ kernels).
        The first steps pay a one-off compilation (tens of seconds on a CPU), and a
        recompilation when the epoch's last, shorter batch arrives.
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
        device="cpu",
        num_threads=None,
        fused_adam=False,
        compile_model=False,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            learning_rate=learning_rate,
            batch_size=batch_size,
            max_epochs=max_epochs,
            weight_decay=weight_decay,
            class_weight=class_weight,
            patience=patience,
            threshold=threshold,
            random_state=random_state,
            dtype=dtype,
            verbose=verbose,
            device=device,
            num_threads=num_threads,
        )
        self.fused_adam = fused_adam
        self.compile_model = compile_model

    def _backend_init(self, coefs, intercepts, pos_weight):
        super()._backend_init(coefs, intercepts, pos_weight)
        if self.fused_adam:
            self._optimizer = torch.optim.Adam(
                self._model.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay,
                fused=True,
            )
        # the compiled module shares its parameters with self._model
        self._train_model = torch.compile(self._model) if self.compile_model else self._model
