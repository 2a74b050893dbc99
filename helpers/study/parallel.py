"""Independent trainings in parallel worker processes, one thread each, and the cache keys they share.

Repeated seeds and cross-validation folds are independent fits: :func:`run_tasks` runs them in
``n_jobs`` joblib (loky) worker processes, each limited to one BLAS/OpenMP thread and one torch
thread, so two workers on two cores do not fight over threads. A worker reads the prepared
arrays itself (:func:`worker_data`), once per process.

A worker never outlives the process that started it (:func:`watch_parent`): when that process
ends without stopping its pool (SIGKILL, the out-of-memory killer, a closed remote session), each
worker ends itself within about a second. Ctrl-C is left to the parent, which stops the pool, so
the workers print nothing; finished tasks have saved their results, an unfinished one saved nothing.

:func:`data_fingerprint` (the bytes of the prepared arrays) goes into every cache key beside
:func:`helpers.fingerprint.source_fingerprint` (the code), so a cached result is reused only when
nothing that produced it changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable

import numpy as np
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from helpers.artifacts import process_exists
from helpers.data.prepared import PARTS, PreparedData, load_prepared
from helpers.data.redraw import redraw

__all__ = ["data_fingerprint", "run_tasks", "worker_data", "one_thread", "watch_parent"]

_DATA: dict = {}
#: Seconds between two looks of a worker at its parent.
WATCH_INTERVAL = 0.5
_WATCHED: list[int] = []


def data_fingerprint(data: PreparedData) -> str:
    """SHA-256 (first 16 hex digits) of the prepared arrays' bytes (features and labels of every part)."""
    h = hashlib.sha256()
    for part in PARTS:
        if part in data.X:
            h.update(part.encode())
            h.update(np.ascontiguousarray(data.X[part]).tobytes())
            h.update(np.ascontiguousarray(data.y[part]).tobytes())
    return h.hexdigest()[:16]


def worker_data(processed_dir: str, split: str, fingerprint: str, partition: int | None = None) -> PreparedData:
    """The prepared data of ``split`` in this process (loaded once), checked against ``fingerprint``.

    With ``partition`` other than the split's own seed, the train / validation partition of that seed
    (:func:`helpers.data.redraw.redraw`, kept for the next task of the same partition).

    Raises
    ------
    RuntimeError
        If the arrays on disk are not the ones the parent process planned with (they were
        rewritten meanwhile).
    """
    key = (processed_dir, split)
    cached = _DATA.get(key)
    if cached is None or cached[0] != fingerprint:
        data = load_prepared(processed_dir, split, sources=True)
        found = data_fingerprint(data)
        if found != fingerprint:
            raise RuntimeError(
                f"the prepared data of split {split!r} changed while the study ran (fingerprint {found} "
                f"instead of {fingerprint}): re-run notebook 01 and then this notebook"
            )
        _DATA[key] = (fingerprint, data)
        _DATA.pop((processed_dir, split, "partition"), None)
    data = _DATA[key][1]
    if partition is None or int(partition) == int(data.meta["split"]["seed"]):
        return data
    held = _DATA.get((processed_dir, split, "partition"))
    if held is None or held[0] != (fingerprint, int(partition)):
        held = ((fingerprint, int(partition)), redraw(data, int(partition)))
        _DATA[(processed_dir, split, "partition")] = held
    return held[1]


class one_thread:
    """Context manager: one BLAS/OpenMP thread and one torch thread (if torch is loaded) inside."""

    def __enter__(self):


        self._limits = threadpool_limits(limits=1)
        torch = sys.modules.get("torch")
        self._torch = (torch, torch.get_num_threads()) if torch is not None else None
        if torch is not None:
            torch.set_num_threads(1)
        return self

    def __exit__(self, *exc):
        self._limits.restore_original_limits()
        if self._torch is not None:
            self._torch[0].set_num_threads(self._torch[1])
        return False


def run_tasks(function: Callable[[dict], object], tasks: list[dict], n_jobs: int = 2, desc: str = "fits",
              progress: bool = True) -> list:
    """``[function(task) for task in tasks]``, in ``n_jobs`` worker processes (1: in this process).

    Results come back in the order of ``tasks``. A tqdm bar counts finished tasks.
    """
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive int, got {n_jobs!r}")
    if not tasks:
        return []

    bar = tqdm(total=len(tasks), desc=desc, unit="fit", disable=not progress, ascii=True)
    try:
        if n_jobs == 1:
            results = []
            for task in tasks:
                with one_thread():
                    results.append(function(task))
                bar.update()
            return results


        results = []
        parallel = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator", initializer=_worker_started,
                            initargs=(os.getpid(),))
        with warnings.catch_warnings():
            # loky replaces a worker whose memory grew (importing torch does that) and says so; the
            # task is not lost, so the message is noise in a report
            warnings.filterwarnings("ignore", message="A worker stopped while some jobs were given")
            for result in parallel(delayed(_in_one_thread)(function, task) for task in tasks):
                results.append(result)
                bar.update()
        return results
    finally:
        bar.close()


def _in_one_thread(function, task):
    with one_thread():
        return function(task)


def _worker_started(parent_pid: int) -> None:
    """What every worker of :func:`run_tasks` does first (loky's ``initializer``).

    It watches its parent (:func:`watch_parent`); it ignores SIGINT, since a terminal's Ctrl-C reaches
    every process of its group and the parent, interrupted, stops the pool (joblib kills the workers),
    so no worker prints a traceback; and its progress bars share a thread lock instead of tqdm's
    default inter-process one, a semaphore that a killed worker could not release (the resource
    tracker would then warn about it at exit).
    """
    watch_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    tqdm.set_lock(threading.RLock())


def watch_parent(parent_pid: int, interval: float = WATCH_INTERVAL) -> None:
    """In a worker process: end it soon after process ``parent_pid`` (the one that started it) has ended.

    A daemon thread looks every ``interval`` seconds whether ``parent_pid`` is still this process's
    parent (a process re-parents when its parent dies, whatever killed it: SIGKILL, the out-of-memory
    killer) and otherwise ends the process at once (``os._exit``: an unfinished task saves nothing, as
    writes are atomic). ``PR_SET_PDEATHSIG`` would not do: Linux ties it to the *thread* that forked
    the worker, which in loky need not live as long as the process. Does nothing in ``parent_pid``
    itself, and starts one thread per process.
    """
    if _WATCHED or os.getpid() == parent_pid:
        return
    _WATCHED.append(parent_pid)
    threading.Thread(target=_watch, args=(parent_pid, interval), name="parent-watch", daemon=True).start()


def _watch(parent_pid: int, interval: float) -> None:
    """Return never; ``os._exit(1)`` once ``parent_pid`` has ended."""
    direct = os.getppid() == parent_pid  # loky forks its workers itself; else watch the pid directly
    while (os.getppid() == parent_pid) if direct else process_exists(parent_pid):
        time.sleep(interval)
    os._exit(1)


def stable_hash(obj) -> str:
    """First 10 hex digits of the SHA-256 of ``obj`` as canonical JSON (a cache file name part)."""
    text = json.dumps(obj, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:10]
