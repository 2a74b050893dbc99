"""Where the training time and memory go: phase timers, FLOP counts, the GEMM rate, memory by import.

Everything here runs inside the benchmark's fresh worker processes (:mod:`helpers.cost.measure`) and
returns plain dicts; nothing is imported at module level beyond the standard library, so a NumPy
process never loads torch and no process loads pandas unless a measurement asks for it.

- :func:`flops_per_epoch` counts the multiply-adds of one epoch from the layer sizes.
- :func:`gemm_rate` measures this machine's float32 matrix-multiply rate (one large GEMM).
- :func:`products_time` times one epoch's matrix products alone, with the network's own shapes.
- :func:`phase_times` times one training step split into batch gathering, forward, loss,
  backward, optimiser step and the rest, next to the same steps timed without the timers.
- :func:`sklearn_epoch_parts` splits an epoch of scikit-learn's ``MLPClassifier`` into its parts
  (timers around the scikit-learn functions it calls), next to the same epoch untimed, and
  :func:`same_work` times two of its operations its way and the NumPy twin's on the same arrays.
- :func:`staged_imports` reads a fresh training process's resident memory as its libraries
  arrive (the benchmark adds the data and the training peak); :func:`week1_process` reproduces
  the week-1 report's measurement (one process holding every library and both models).

Times come from ``time.perf_counter``. PyTorch on the CPU runs its operations synchronously in
eager mode, so timers around each call measure that call (no ``torch.profiler`` overhead).
"""

from __future__ import annotations

import math
import os
import platform
import re
import resource
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path

from helpers.fingerprint import source_fingerprint

#: The modules whose source determines the benchmark's numbers (the cache's code fingerprint).
MEASURING_MODULES = ("cost.record", "cost.measure", "cost.profiling", "data.prepared", "models.base", "models.layers",
                     "models.numpy_mlp", "models.torch_mlp", "models.losses", "models.sklearn_mlp")
#: The memory stack's step that imports scikit-learn's network (the contestant's process only).
SKLEARN_NETWORK_STEP = "+ sklearn.neural_network"
#: Training phases, in the order they run within one step.
PHASES = ("gather", "forward", "loss", "backward", "optimizer", "rest")
PHASE_LABELS = {"gather": "batch gathering", "forward": "forward", "loss": "loss",
                "backward": "backward", "optimizer": "optimiser step", "rest": "rest (Python, framework)"}


# ----------------------------------------------------------------------------- environment
def code_fingerprint(modules=MEASURING_MODULES) -> str:
    """The benchmark cache's code fingerprint: :func:`helpers.fingerprint.source_fingerprint` of ``modules``."""
    return source_fingerprint(modules)


def blas_library(backend: str) -> str:
    """The BLAS that does a backend's matrix products, as its build reports it.

    NumPy: the ``blas`` build dependency (name and version; read without running anything).
    torch: ``BLAS_INFO`` of :func:`torch.__config__.show` (``mkl`` for the x86 CPU wheels).
    """
    if backend == "numpy":
        import numpy as np

        try:
            blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
            return f"{blas.get('name', 'unknown')} {blas.get('version', '')}".strip()
        except (KeyError, TypeError, ValueError):
            return "unknown"
    if backend == "torch":
        import torch

        found = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
        return ("MKL" if found.group(1) == "mkl" else found.group(1)) if found else "unknown"
    raise ValueError(f"backend must be 'numpy' or 'torch', got {backend!r}")


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``, else :func:`platform.processor`)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def library_versions(names=("numpy", "scipy", "sklearn", "torch", "memory_profiler")) -> dict:
    """Installed versions of ``names`` (read from package metadata: nothing is imported)."""

    dist = {"sklearn": "scikit-learn"}
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(dist.get(name, name))
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def current_rss_mb() -> float:
    """This process's resident set size now, in MB (MiB), from ``/proc/self/statm`` (Linux)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        import psutil

        return psutil.Process().memory_info().rss / 2**20


def memory_now() -> dict:
    """This process's resident memory now, split by what backs it (MB).

    ``rss_mb`` is the resident set size. On Linux it is the sum of ``anon_mb``, the private
    memory the process allocated (heap, arrays, Python objects), and ``file_mb``, pages of files
    mapped into it (shared libraries' code and data, counted as resident when mapped). File-backed
    pages are shared with every process that maps the same library, and how many of them a
    process maps depends on what the kernel holds in its page cache (a just-installed library's
    pages are all cached), so only ``anon_mb`` is fully determined by the process itself.
    Elsewhere ``anon_mb`` and ``file_mb`` are None.
    """
    fields = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("RssAnon", "RssFile", "RssShmem"):
                fields[key] = int(value.split()[0]) / 1024  # kB
    except (OSError, ValueError):
        pass
    anon = fields.get("RssAnon")
    file = fields["RssFile"] + fields.get("RssShmem", 0.0) if "RssFile" in fields else None
    return {"rss_mb": current_rss_mb(), "anon_mb": anon, "file_mb": file}


def private_memory() -> dict:
    """This process's own memory now (MB): ``uss_mb`` and ``pss_mb`` (psutil's ``memory_full_info``).

    USS (unique set size) counts the pages only this process holds -- what it would give back on
    exit, the measure psutil's documentation calls the most representative of a process's own
    memory; PSS adds each shared page divided by the number of processes sharing it. USS holds the
    process's anonymous memory (heap, arrays) plus the pages of library files that no other process
    maps, so unlike the anonymous part it still moves a little with what the page cache holds,
    though far less than the resident set size does. NaN where the platform does not provide them.
    """
    import psutil

    try:
        info = psutil.Process().memory_full_info()
    except (psutil.Error, OSError):
        return {"uss_mb": float("nan"), "pss_mb": float("nan")}
    return {"uss_mb": info.uss / 2**20, "pss_mb": getattr(info, "pss", float("nan")) / 2**20}


def compiler_stack() -> list[str]:
    """Which of PyTorch's compiler modules (``torch._dynamo``, ``torch._inductor``, SymPy) are loaded."""
    return sorted(name for name in ("torch._dynamo", "torch._inductor", "sympy") if name in sys.modules)


def memory_step(step: str) -> dict:
    """One step of a memory stack: its name, :func:`memory_now` and how many modules are loaded."""
    return {"step": step, **memory_now(), "modules": len(sys.modules)}


def peak_rss_mb() -> float:
    """This process's lifetime peak resident set size, in MB (``getrusage``; KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


# ----------------------------------------------------------------------------- arithmetic
def flops_per_epoch(layer_sizes, n_rows: int) -> dict:
    """Floating-point operations of the matrix products in one training epoch.

    A dense layer ``(n_in -> n_out)`` on ``n`` rows costs ``2 n n_in n_out`` FLOPs in the forward
    product ``x @ W``, the same for ``dW = x.T @ dout`` and, except for the first layer (the input
    needs no gradient), the same again for ``dx = dout @ W.T``. Element-wise work (bias, ReLU,
    loss, Adam) is left out: it is a few FLOPs per number, not per multiply.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_features, *hidden_layer_sizes, 1)``.
    n_rows : int
        Training rows in one epoch.

    Returns
    -------
    dict
        ``forward``, ``backward`` and ``total`` FLOPs (floats).
    """
    sizes = [int(s) for s in layer_sizes]
    pairs = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    forward = 2.0 * n_rows * sum(pairs)
    backward = 2.0 * n_rows * (sum(pairs) + sum(pairs[1:]))
    return {"forward": forward, "backward": backward, "total": forward + backward}


def gemm_rate(backend: str, n: int = 2048, repeats: int = 5) -> dict:
    """Measured rate of one large float32 matrix product ``(n, n) @ (n, n)`` on this machine.

    Uses the threads the process was started with (BLAS variables, ``torch.set_num_threads``).

    Parameters
    ----------
    backend : {"numpy", "torch"}
    n : int
        Matrix size; ``2 n**3`` FLOPs per product.
    repeats : int
        Timed products after one warm-up; the fastest is used: a rate the CPU can reach, which
        another tenant of a shared machine can only lower.

    Returns
    -------
    dict
        ``n``, ``seconds`` (fastest), ``gflops`` (``2 n**3 / seconds / 1e9``).
    """
    import numpy as np

    rng = np.random.default_rng(0)
    A = rng.standard_normal((n, n), dtype=np.float32)
    B = rng.standard_normal((n, n), dtype=np.float32)
    if backend == "numpy":
        C = np.empty((n, n), dtype=np.float32)

        def product():
            np.matmul(A, B, out=C)
    elif backend == "torch":
        import torch

        At, Bt, Ct = torch.from_numpy(A), torch.from_numpy(B), torch.empty((n, n), dtype=torch.float32)

        def product():
            torch.mm(At, Bt, out=Ct)
    else:
        raise ValueError(f"backend must be 'numpy' or 'torch', got {backend!r}")
    product()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        product()
        times.append(time.perf_counter() - started)
    seconds = min(times)
    return {"n": n, "seconds": seconds, "gflops": 2.0 * n**3 / seconds / 1e9}


def products_time(backend: str, layer_sizes, n_rows: int, batch_size: int, repeats: int = 3) -> dict:
    """Time of one epoch's matrix products alone: the floor of any training loop that calls this BLAS.

    Runs exactly the products :func:`flops_per_epoch` counts, with the network's own shapes and
    the same operand layouts as the training step (``x @ W`` forward, ``x.T @ dout`` and
    ``dout @ W.T`` backward), on random float32 operands made beforehand: no element-wise work,
    no batch gathering, no Python beyond the calls. NumPy makes the calls of
    :mod:`helpers.models.layers` (``numpy.matmul``; broadcasting for the outer product of a
    one-unit layer's input gradient), torch ``torch.mm``, on the threads the process was started
    with.

    Parameters
    ----------
    backend : {"numpy", "torch"}
    layer_sizes : sequence of int
        ``(n_features, *hidden_layer_sizes, 1)``.
    n_rows : int
        Training rows in one epoch (full batches plus the remainder).
    batch_size : int
        Rows per step.
    repeats : int
        Timed epochs after one warm-up; the fastest is used, like :func:`gemm_rate`'s, so that the
        floor and the bound are measured alike.

    Returns
    -------
    dict
        ``batch_size``, ``seconds`` (fastest epoch), ``gflops`` (the epoch's FLOPs / ``seconds``).
    """
    import numpy as np

    sizes = [int(s) for s in layer_sizes]
    rng = np.random.default_rng(0)
    full, rest = divmod(int(n_rows), int(batch_size))
    steps = [batch_size] * full + ([rest] if rest else [])
    products = {}  # rows -> list of zero-argument calls, one per product of a step
    for m in set(steps):
        calls = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            x, W, dout = (rng.standard_normal(shape, dtype=np.float32) for shape in ((m, n_in), (n_in, n_out), (m, n_out)))
            if backend == "torch":
                import torch

                x, W, dout = torch.from_numpy(x), torch.from_numpy(W), torch.from_numpy(dout)
                calls += [lambda x=x, W=W: torch.mm(x, W), lambda x=x, d=dout: torch.mm(x.t(), d)]
                if i:
                    calls.append(lambda d=dout, W=W: torch.mm(d, W.t()))
            elif backend == "numpy":  # the calls numpy_layers makes
                from helpers.models.layers import input_gradient

                calls += [lambda x=x, W=W: np.matmul(x, W), lambda x=x, d=dout: np.matmul(x.T, d)]
                if i:
                    calls.append(lambda d=dout, W=W: input_gradient(d, W))
            else:
                raise ValueError(f"backend must be 'numpy' or 'torch', got {backend!r}")
        products[m] = calls
    times = []
    for r in range(repeats + 1):
        started = time.perf_counter()
        for m in steps:
            for call in products[m]:
                call()
        if r:  # the first epoch warms the caches up
            times.append(time.perf_counter() - started)
    seconds = min(times)
    return {"batch_size": int(batch_size), "seconds": seconds,
            "gflops": flops_per_epoch(sizes, n_rows)["total"] / seconds / 1e9}


# ----------------------------------------------------------------------------- phase timers
def _full_batches(n, batch_size, rng, max_rows, min_steps):
    """Full-size batches of successive permutations: ``max(min_steps, max_rows / batch_size)`` of them
    (default one epoch's), an even number >= 2 so that plain and timed steps pair up."""

    from helpers.models.base import batch_indices

    per_epoch = max(1, n // batch_size)
    want = per_epoch if max_rows is None else math.ceil(max_rows / batch_size)
    want = max(want, min_steps, 2)
    want += want % 2
    batches = []
    while len(batches) < want:
        epoch = batch_indices(n, batch_size, rng)
        batches += [b for b in epoch if b.shape[0] == batch_size] or epoch[:1]
    return batches[:want]


class PhaseClock:
    """The training step's clock callback (:meth:`helpers.models.base.BaseMLPClassifier.train_step`):
    adds the time since the previous mark to the phase that just ended."""

    def __init__(self):
        self.seconds = dict.fromkeys(PHASES[:-1], 0.0)
        self._last = 0.0

    def start(self) -> None:
        """Start a step: the next mark measures from now."""
        self._last = time.perf_counter()

    def __call__(self, phase: str) -> None:
        now = time.perf_counter()
        self.seconds[phase] += now - self._last
        self._last = now


def phase_times(model, X, y, X_val, y_val, batch_size: int, max_rows: int | None = None, repeats: int = 3,
                seed: int = 0, min_steps: int = 40) -> dict:
    """Per-step time of each training phase, and the same steps timed without phase timers.

    The model is first fitted for one epoch (warm-up; it creates the weights and the optimiser
    state). Then, ``repeats`` times, the full batches of a fresh permutation (the first
    ``max_rows`` rows' worth) are run alternately: even batches exactly as the training loop runs
    them (the backend's row gather, then the backend's step: the *step time*), odd batches with a
    the step's clock callback marking each phase (:class:`PhaseClock`): both run the estimator's own
    :meth:`~helpers.models.base.BaseMLPClassifier.train_step`, the one ``fit`` runs. Interleaving
    makes both see the same load on a shared machine. The *rest* is the instrumented steps' wall
    time outside the named phases (the loss's conversion to a Python float, the finiteness check,
    the marks themselves). Medians over repeats.

    Parameters
    ----------
    model : NumpyMLPClassifier or TorchMLPClassifier
        Unfitted; ``batch_size`` is set here.
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    X_val : ndarray of shape (n_val, n_features)
        Validation rows (used by the warm-up fit only).
    y_val : ndarray of shape (n_val,)
    batch_size : int
    max_rows : int, optional
        Rows per timed pass (``None``: one epoch's full batches).
    min_steps : int
        At least this many steps per pass (drawn from further permutations if needed), so that
        large batches are timed over more than a handful of steps.
    repeats : int
    seed : int
        Seeds the permutations.

    Returns
    -------
    dict
        ``batch_size``, ``steps`` (per pass, both kinds), ``step_seconds`` (plain loop, per step),
        ``phases`` (seconds per step for each of :data:`PHASES`), ``instrumented_step_seconds``
        (their sum) and ``phase_sum_error`` (``|instrumented / plain - 1|``).
    """

    import numpy as np

    model.set_params(batch_size=batch_size, max_epochs=1, patience=None)
    warm = slice(0, min(X.shape[0], 8192))  # the warm-up only creates the weights and optimiser state
    model.fit(X[warm], y[warm], X_val=X_val, y_val=y_val)
    data = model.training_data(X, y)
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    plain_runs, phased_runs = [], []
    clock = time.perf_counter
    for _ in range(repeats):
        batches = _full_batches(n, batch_size, rng, max_rows, min_steps)
        plain_seconds, marks, wall = 0.0, PhaseClock(), 0.0
        n_plain = n_phased = 0
        for i, idx in enumerate(batches):
            started = clock()
            if i % 2 == 0:  # the training loop's own step, exactly as fit runs it
                loss = model.train_step(data, idx)
                plain_seconds += clock() - started
                n_plain += 1
            else:  # the same step, with the clock callback marking each phase
                marks.start()
                loss = model.train_step(data, idx, on_phase=marks)
                wall += clock() - started
                n_phased += 1
            if not math.isfinite(loss):
                raise FloatingPointError(f"the loss became non-finite while timing batch size {batch_size}")
        acc = dict(marks.seconds)
        acc["rest"] = wall - sum(acc.values())
        plain_runs.append(plain_seconds / n_plain)
        phased_runs.append({k: v / n_phased for k, v in acc.items()})
        n_steps = n_plain + n_phased
    step = statistics.median(plain_runs)
    phases = {k: statistics.median(run[k] for run in phased_runs) for k in PHASES}
    instrumented = sum(phases.values())
    return {"batch_size": batch_size, "steps": n_steps, "step_seconds": step, "phases": phases,
            "instrumented_step_seconds": instrumented, "phase_sum_error": abs(instrumented / step - 1.0)}


# ----------------------------------------------------------------------------- scikit-learn's epoch, by part
#: The parts of one ``MLPClassifier.partial_fit`` epoch that :func:`sklearn_epoch_parts` times, each the
#: exclusive time of the scikit-learn functions named in :data:`SKLEARN_PART_LABELS`.
SKLEARN_PARTS = ("checks", "loop", "gather", "forward_products", "forward", "loss", "backward_products",
                 "relu_derivative", "backward", "adam", "packing")
SKLEARN_PART_LABELS = {
    "checks": "checks and setup of each partial_fit call",
    "loop": "per-batch Python of the training loop",
    "gather": "batch gathering",
    "forward_products": "forward matrix products",
    "forward": "forward element-wise (bias, ReLU, sigmoid)",
    "loss": "loss (log loss)",
    "backward_products": "backward matrix products",
    "relu_derivative": "ReLU derivative",
    "backward": "backward element-wise (output error, L2 penalty, scaling)",
    "adam": "Adam update",
    "packing": "packing and unpacking parameters",
}
#: Each part as one of the twins' training phases (:data:`PHASES`): the side-by-side comparison.
SKLEARN_PHASE_OF = {"checks": "rest", "loop": "rest", "gather": "gather", "forward_products": "forward",
                    "forward": "forward", "loss": "loss", "backward_products": "backward",
                    "relu_derivative": "backward", "backward": "backward", "adam": "optimizer", "packing": "rest"}


class _PartClock:
    """Exclusive time and calls per part: a call's time, less that of the timed calls it makes itself."""

    def __init__(self):
        self.seconds = dict.fromkeys(SKLEARN_PARTS, 0.0)
        self.calls = dict.fromkeys(SKLEARN_PARTS, 0)
        self.dtypes: dict[str, str] = {}
        self._stack: list[list] = []  # [part, seconds of the timed calls made from it]

    def wrap(self, part: str | None, function, observe: str | None = None):
        """``function`` with its calls timed as ``part``.

        ``part=None`` times the matrix products: ``forward_products`` when called from the forward pass,
        else ``backward_products``. ``observe`` names the dtype of the first call's result (of its first
        item, for a list) to keep in :attr:`dtypes`. The wrapper does its bookkeeping inline, so that
        the timers add as little as they can to the calls they time (the profile's check measures it).
        """
        stack, seconds, calls, dtypes, clock = self._stack, self.seconds, self.calls, self.dtypes, time.perf_counter

        def timed(*args, **kwargs):
            name = part or ("forward_products" if stack and stack[-1][0] == "forward" else "backward_products")
            frame = [name, 0.0]
            stack.append(frame)
            started = clock()
            try:
                result = function(*args, **kwargs)
            finally:
                elapsed = clock() - started
                stack.pop()
                seconds[name] += elapsed - frame[1]
                calls[name] += 1
                if stack:
                    stack[-1][1] += elapsed
            if observe and observe not in dtypes:
                first = result[0] if isinstance(result, list) else result
                dtypes[observe] = str(getattr(first, "dtype", type(first).__name__))
            return result

        return timed

    def run(self, part: str, function, *args, **kwargs):
        """Call ``function`` once, timed as ``part``."""
        return self.wrap(part, function)(*args, **kwargs)


def _sklearn_timed(clock: _PartClock):
    """The scikit-learn functions to wrap: ``(owner, name, original, wrapper)``, owner a module, class or dict.

    Every function is looked up where scikit-learn's training code looks it up when it runs (a
    module's global, the class that defines the method, an entry of its loss and derivative tables),
    so wrapping it there times the calls an epoch makes and nothing else. A function scikit-learn no
    longer has there is a RuntimeError naming it (before anything is wrapped).
    """
    from sklearn.neural_network import _multilayer_perceptron as mlp
    from sklearn.neural_network import _stochastic_optimizers as optimizers

    base, adam = mlp.BaseMultilayerPerceptron, optimizers.AdamOptimizer
    wanted = [(mlp, "_safe_indexing", "gather", None), (mlp, "safe_sparse_dot", None, None),
              (mlp, "_pack", "packing", None), (base, "_unpack", "packing", None),
              (base, "_fit_stochastic", "loop", None), (base, "_forward_pass", "forward", None),
              (base, "_backprop", "backward", None),
              (optimizers.BaseOptimizer, "update_params", "adam", None), (adam, "_get_updates", "adam", "adam_update"),
              (mlp.LOSS_FUNCTIONS, "binary_log_loss", "loss", "loss"), (mlp.DERIVATIVES, "relu", "relu_derivative", None)]
    out = []
    for owner, name, part, observe in wanted:
        original = owner.get(name) if isinstance(owner, dict) else owner.__dict__.get(name)
        if original is None:
            import sklearn

            where = getattr(owner, "__name__", "a loss or derivative table")
            raise RuntimeError(f"scikit-learn {sklearn.__version__} has no {name!r} in {where}: the epoch profile "
                               "knows the training code of scikit-learn 1.9 (helpers.cost.profiling)")
        out.append((owner, name, original, clock.wrap(part, original, observe)))
    return out


def _timed_epoch(model, X, y) -> _PartClock:
    """One ``train_epoch`` of ``model`` with every part timed; the wrappers are removed afterwards."""
    clock = _PartClock()
    patches = _sklearn_timed(clock)
    try:
        for owner, name, _, function in patches:
            _put(owner, name, function)
        clock.run("checks", model.train_epoch, X, y)
    finally:
        for owner, name, original, _ in patches:
            _put(owner, name, original)
    return clock


def _put(owner, name: str, function) -> None:
    """``owner[name] = function`` for a table, ``setattr`` for a module or class."""
    if isinstance(owner, dict):
        owner[name] = function
    else:
        setattr(owner, name, function)


def sklearn_epoch_parts(model, X, y, X_val, y_val, batch_size: int, repeats: int = 3) -> dict:
    """Where one epoch of scikit-learn's ``MLPClassifier`` goes: each part's time, and the plain epoch's.

    The contestant (:class:`helpers.models.sklearn_mlp.SklearnMLPClassifier`) is first fitted for one
    epoch (warm-up: weights and Adam's state). Then, ``repeats`` times, one epoch runs exactly as
    ``fit`` runs it (``train_epoch``, one ``partial_fit`` over every training row: the *epoch time*),
    and one with scikit-learn's own functions wrapped by timers (:func:`_sklearn_timed`), each
    part's time its functions' time less that of the timed functions they call: the
    ``partial_fit`` call's own checks and setup (parameters, input, labels, sample weights, the
    weights' finiteness), the epoch loop's per-batch Python (shuffle, slices, the gradient lists),
    batch gathering, the matrix products of the forward and the backward pass (``safe_sparse_dot``),
    the element-wise rest of each pass (the backward's includes the L2 penalty's value), the log
    loss, the ReLU derivative, the Adam update, and packing or unpacking the parameters into one
    vector. Plain and timed epochs alternate, so both see the same load on a shared machine.

    Parameters
    ----------
    model : SklearnMLPClassifier
        Unfitted; ``batch_size`` is set here.
    X : ndarray of shape (n_samples, n_features)
        Training rows, in the model's dtype.
    y : ndarray of shape (n_samples,)
        0/1 labels.
    X_val : ndarray of shape (n_val, n_features)
        Validation rows (used by the warm-up fit only).
    y_val : ndarray of shape (n_val,)
    batch_size : int
    repeats : int
        Plain and timed epochs each; medians over them.

    Returns
    -------
    dict
        ``batch_size``, ``rows``, ``steps`` (batches per epoch), ``epoch_seconds`` (plain),
        ``parts`` (seconds per epoch, by :data:`SKLEARN_PARTS`), ``calls`` (per epoch, by part),
        ``instrumented_epoch_seconds`` (the parts' sum), ``phase_sum_error``
        (``|instrumented / plain - 1|``) and ``dtypes`` (of the weights, of Adam's updates and
        of the loss scikit-learn returns).
    """
    model.set_params(batch_size=batch_size, max_epochs=1, patience=None)
    model.fit(X, y, X_val=X_val, y_val=y_val)
    plain, clocks = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        model.train_epoch(X, y)
        plain.append(time.perf_counter() - started)
        clocks.append(_timed_epoch(model, X, y))
    parts = {k: statistics.median(c.seconds[k] for c in clocks) for k in SKLEARN_PARTS}
    epoch, instrumented = statistics.median(plain), sum(parts.values())
    return {"batch_size": int(batch_size), "rows": int(X.shape[0]), "steps": math.ceil(X.shape[0] / batch_size),
            "epoch_seconds": epoch, "parts": parts, "calls": clocks[-1].calls,
            "instrumented_epoch_seconds": instrumented, "phase_sum_error": abs(instrumented / epoch - 1.0),
            "dtypes": {"weights": str(model.estimator_.coefs_[0].dtype), **clocks[-1].dtypes}}


#: The operations :func:`same_work` times both ways: scikit-learn's and the NumPy twin's.
SAME_WORK = ("relu_derivative", "gather")


def same_work(layer_sizes, batch_size: int, n_rows: int, repeats: int = 5, calls: int = 20, seed: int = 0) -> dict:
    """Two of a training step's operations done scikit-learn's way and the NumPy twin's way, on the same arrays.

    - ``relu_derivative``: the gradient through every hidden layer's ReLU, scikit-learn's
      ``inplace_relu_derivative(Z, delta)`` (the function its backward pass calls) against the twin's
      :func:`helpers.models.layers.relu_backward` (``out=delta``, as the twin calls it);
    - ``gather``: one batch's rows of the training matrix, scikit-learn's ``_safe_indexing`` (what its
      epoch loop calls) against the twin's ``np.take(X, rows, axis=0)``.

    The arrays are float32 with the network's shapes: ReLU outputs with about half their entries
    zero, gradients and a training matrix drawn at random, each call's batch of rows a fresh draw
    without replacement. Each way runs ``calls`` times back to back, the two ways alternating, ``repeats``
    times; the fastest round is kept for each (contention only ever adds time).

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_features, *hidden_layer_sizes, 1)``.
    batch_size : int
    n_rows : int
        Rows of the training matrix the batch is gathered from.
    repeats, calls : int
    seed : int

    Returns
    -------
    dict
        Per operation of :data:`SAME_WORK`: ``{"sklearn": seconds, "numpy": seconds}`` per training step.
    """
    import numpy as np
    from sklearn.neural_network._base import DERIVATIVES
    from sklearn.utils import _safe_indexing

    from helpers.models.layers import relu_backward

    rng = np.random.default_rng(seed)
    sizes = [int(s) for s in layer_sizes]
    hidden = [(np.maximum(rng.standard_normal((batch_size, h), dtype=np.float32), 0),
               rng.standard_normal((batch_size, h), dtype=np.float32)) for h in sizes[1:-1]]
    X = rng.standard_normal((int(n_rows), sizes[0]), dtype=np.float32)
    batches = [rng.permutation(int(n_rows))[:batch_size] for _ in range(calls)]  # fresh rows for every call
    relu_derivative = DERIVATIVES["relu"]
    ways = {"relu_derivative": {"sklearn": lambda i: [relu_derivative(Z, d) for Z, d in hidden],
                                "numpy": lambda i: [relu_backward(d, Z, out=d) for Z, d in hidden]},
            "gather": {"sklearn": lambda i: _safe_indexing(X, batches[i]),
                       "numpy": lambda i: np.take(X, batches[i], axis=0)}}
    best = {op: {way: math.inf for way in per} for op, per in ways.items()}
    for _ in range(repeats + 1):  # the first round warms up
        for op, per in ways.items():
            for way, call in per.items():
                started = time.perf_counter()
                for i in range(calls):
                    call(i)
                best[op][way] = min(best[op][way], (time.perf_counter() - started) / calls)
    return best


# ----------------------------------------------------------------------------- memory
def staged_imports(backend: str) -> list[dict]:
    """Import what a training process needs, one library at a time, reading the RSS after each.

    Called first thing in a fresh benchmark process (which keeps pandas out): the interpreter
    (with the benchmark's standard-library modules), ``+ NumPy``, ``+ scikit-learn`` (with SciPy:
    the twins' estimator base class, PR-AUC and validation split), for scikit-learn's own network
    ``+ sklearn.neural_network``, and for PyTorch ``+ torch`` and ``+ torch.optim.Adam``: constructing the optimiser, which
    training does anyway, makes torch import its compiler stack (``torch._dynamo``, which brings
    ``torch._inductor`` and SymPy) even though nothing is compiled. The caller appends
    ``+ data arrays`` and ``+ training (peak)``.

    Returns
    -------
    list of dict
        ``{"step", "rss_mb", "anon_mb", "file_mb", "modules"}`` in order: :func:`memory_now` after
        each step and how many modules are loaded.
    """
    steps = [memory_step("interpreter")]
    import numpy  # noqa: F401

    steps.append(memory_step("+ NumPy"))
    import sklearn.base  # noqa: F401
    import sklearn.metrics  # noqa: F401
    import sklearn.model_selection  # noqa: F401

    steps.append(memory_step("+ scikit-learn (with SciPy)"))
    if backend == "sklearn":  # what the NumPy twin's process does not import: scikit-learn's network
        import sklearn.neural_network  # noqa: F401

        steps.append(memory_step(SKLEARN_NETWORK_STEP))
    if backend == "torch":
        import torch

        steps.append(memory_step("+ torch"))
        torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])
        steps.append({**memory_step("+ torch.optim.Adam"), "compiler_stack": compiler_stack()})
    return steps


def week1_process(processed_dir, split: str, seed: int = 42, max_epochs: int | None = None) -> dict:
    """The week-1 report's way of measuring: one process that holds everything.

    Imports pandas, scikit-learn, matplotlib and torch (what a notebook kernel had loaded), loads
    the data, then fits the NumPy network and then the PyTorch network, each under
    ``memory_profiler.memory_usage(max_usage=True)``, which reports the peak *resident size of
    the whole process* during the fit: what the week-1 report printed as each model's memory.

    Returns
    -------
    dict
        ``steps`` (RSS after each addition), ``numpy_fit_peak_mb``, ``torch_fit_peak_mb`` (the
        memory_profiler readings) and ``before_numpy_fit_mb`` / ``before_torch_fit_mb``.
    """
    steps = [{"step": "interpreter", "rss_mb": current_rss_mb()}]
    import pandas  # noqa: F401

    steps.append({"step": "+ pandas", "rss_mb": current_rss_mb()})
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import sklearn.linear_model  # noqa: F401

    steps.append({"step": "+ scikit-learn, matplotlib", "rss_mb": current_rss_mb()})
    import torch  # noqa: F401

    steps.append({"step": "+ torch", "rss_mb": current_rss_mb()})
    from memory_profiler import memory_usage

    from helpers.data.prepared import load_prepared

    data = load_prepared(processed_dir, split)
    steps.append({"step": "+ data arrays", "rss_mb": current_rss_mb()})
    out: dict = {"steps": steps}
    extra = {} if max_epochs is None else {"max_epochs": max_epochs, "patience": None}
    for backend in ("numpy", "torch"):
        model = estimator(backend, 1, random_state=seed, **extra)
        out[f"before_{backend}_fit_mb"] = current_rss_mb()
        peak = memory_usage((model.fit, (data.X["train"], data.y["train"]),
                             {"X_val": data.X["val"], "y_val": data.y["val"]}),
                            max_usage=True, max_iterations=1, interval=0.05, include_children=False)
        out[f"{backend}_fit_peak_mb"] = float(peak)
        steps.append({"step": f"+ {backend} model fitted", "rss_mb": current_rss_mb()})
    return out


def estimator(backend: str, threads: int, variant: dict | None = None, **params):
    """A fresh NumPy or PyTorch classifier (PyTorch with ``threads`` and optional variant switches), or
    scikit-learn's ``MLPClassifier`` as the study trains it (``backend="sklearn"``; its BLAS threads are the
    process's, like the NumPy twin's)."""
    if backend == "numpy":
        from helpers.models.numpy_mlp import NumpyMLPClassifier

        return NumpyMLPClassifier(**params)
    if backend == "sklearn":
        if variant:
            raise ValueError(f"scikit-learn's MLPClassifier has no variants; got {variant!r}")
        from helpers.models.sklearn_mlp import SklearnMLPClassifier

        return SklearnMLPClassifier(**params)
    if variant:
        from helpers.models.torch_mlp import TorchMLPVariantClassifier

        return TorchMLPVariantClassifier(num_threads=threads, **variant, **params)
    from helpers.models.torch_mlp import TorchMLPClassifier

    return TorchMLPClassifier(num_threads=threads, **params)
