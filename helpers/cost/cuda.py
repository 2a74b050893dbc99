"""The PyTorch twin on a GPU (``device="cuda"``): float64 agreement with NumPy, and epoch times.

Run on a machine with CUDA, from the repository root, with the real file at ``data/`` (or
``NOSHOW_DATA``)::

    python -m helpers.cost.cuda

Measured once on an NVIDIA H200 (torch 2.11.0+cu130, 2026-11-30): after 5 epochs the float64 weights
of the GPU twin agree with NumPy's to 3.3e-16 and the test probabilities to 1.9e-15; a float32 epoch
at batch 512 took 0.35 s on the GPU against 0.27 s for the twin on that machine's 16 CPU cores and
0.10 s for NumPy (a network this small is bound by kernel launches, not arithmetic), and at batch
4,096 0.047, 0.046 and 0.054 s.

It prepares the headline split, trains the NumPy network and the PyTorch twin on the CPU and on the GPU
in float64 from the same initial weights in the same batch order (a fixed number of epochs, no early
stopping), and prints how far their weights and test probabilities end apart; then it times float32
epochs on the GPU at the report's batch sizes. Nothing is written to the repository.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import tempfile
import time

import numpy as np


def main() -> dict:
    import torch

    from helpers.data.pipeline import prepare
    from helpers.models.numpy_mlp import NumpyMLPClassifier
    from helpers.models.torch_mlp import TorchMLPClassifier

    out: dict = {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
                 "cuda_available": torch.cuda.is_available()}
    if torch.cuda.is_available():
        out["gpu"] = torch.cuda.get_device_name(0)
    with tempfile.TemporaryDirectory() as folder:
        data = prepare(split="stratified", seed=42, processed_dir=folder).prepared
    X, y, Xv, yv, Xt = (data.X["train"], data.y["train"], data.X["val"], data.y["val"], data.X["test"])
    out["source"] = data.meta["source"]["source_name"]
    params = dict(hidden_layer_sizes=(64, 32), learning_rate=1e-3, batch_size=512, max_epochs=5, patience=None,
                  weight_decay=1e-3, class_weight="balanced", random_state=42)
    fitted = {"numpy": NumpyMLPClassifier(**params, dtype="float64").fit(X, y, X_val=Xv, y_val=yv),
              "torch cpu": TorchMLPClassifier(**params, dtype="float64", device="cpu").fit(X, y, X_val=Xv, y_val=yv)}
    if torch.cuda.is_available():
        fitted["torch cuda"] = TorchMLPClassifier(**params, dtype="float64", device="cuda").fit(X, y, X_val=Xv, y_val=yv)
    ref = fitted["numpy"]
    out["float64"] = {}
    for name, model in fitted.items():
        if model is ref:
            continue
        w = max(float(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))))
                for a, b in zip(ref.coefs_ + ref.intercepts_, model.coefs_ + model.intercepts_))
        p = float(np.max(np.abs(ref.predict_proba(Xt)[:, 1] - model.predict_proba(Xt)[:, 1])))
        out["float64"][name] = {"max_weight_diff": w, "max_proba_diff": p, "epochs": model.n_iter_}
    out["epoch_seconds"] = {}
    for device in (["cuda"] if torch.cuda.is_available() else []) + ["cpu"]:
        for batch in (512, 4096):
            model = TorchMLPClassifier(**{**params, "batch_size": batch, "max_epochs": 4}, device=device)
            model.fit(X, y, X_val=Xv, y_val=yv)
            seconds = [h["seconds"] for h in model.history_]
            out["epoch_seconds"][f"torch {device} float32, batch {batch}"] = statistics.median(seconds[1:])
    for batch in (512, 4096):
        model = NumpyMLPClassifier(**{**params, "batch_size": batch, "max_epochs": 4}).fit(X, y, X_val=Xv, y_val=yv)
        out["epoch_seconds"][f"numpy float32, batch {batch}"] = statistics.median(h["seconds"] for h in model.history_[1:])
    return out


if __name__ == "__main__":
    started = time.perf_counter()
    result = main()
    result["wall_seconds"] = time.perf_counter() - started
    json.dump(result, sys.stdout, indent=1)
    print()
