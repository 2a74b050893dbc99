"""Run the report's notebooks in order, export them, and publish the real-data report.

Usage (``make report`` / ``make publish`` / ``make html`` / ``make pdf`` call these)::

    python -m helpers.publish run      [-p NAME VALUE]... [-y YAML]   # into reports/, with HTML
    python -m helpers.publish publish  [-p NAME VALUE]... [-y YAML]   # real data only; notebooks/, figures/
    python -m helpers.publish html     [--no-input] [--from reports|notebooks]
    python -m helpers.publish pdf      [--no-input] [--with-code] [--from reports|notebooks]

``run`` executes every notebook of :data:`NOTEBOOKS` that exists, once each and in order, with
papermill, into ``reports/`` (git-ignored), exports each to HTML there and prints each notebook's
wall time. It never writes a tracked file: figures go to ``reports/figures``. Each notebook receives
only the parameters its tagged ``parameters`` cell declares; a parameter that no notebook declares,
or a value whose type does not fit the declared default, stops the run before anything executes.
A failing cell is reported with the notebook's name and cell, and the failed notebook is kept.
Every executed notebook it writes keeps only the final line of each progress bar, as published ones do.

``publish`` runs on the real data into ``reports/publish``, then cleans each notebook for readers
(:func:`clean_for_publish`: papermill's injected parameters folded into the ``parameters`` cell,
progress bars reduced to their final line) and copies it into ``notebooks/``.

Stopping: Ctrl-C (SIGINT), SIGTERM or SIGHUP stop the run where it stands (:class:`Stopped`); the
kernel and its worker processes are shut down, and two lines say which notebook was stopped, that
everything finished is kept (the cached runs, tuning tables and bootstrap replicates), and the
command that resumes from there; the process then ends by that signal (:func:`exit_as`), which a shell
reports as status 128 + its number (130 for Ctrl-C).
A kernel that dies (killed, out of memory) is reported in one line, as a failing cell is.
"""

from __future__ import annotations

import argparse
import ast
import functools
import json
import logging
import os
import re
import shlex
import shutil
import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import yaml

from helpers import paths
from helpers.artifacts import atomic_write
from helpers.data import splits
from helpers.data.raw import find_data
from helpers.publish.export import (
    ExportError,
    combined_pdf,
    export,
    trim_progress_outputs,
)
from helpers.publish.summary import headline_markdown
from helpers.study.experiment import CLASS_WEIGHT_CHOICES

#: The report's notebooks, in reading and execution order (those not present are skipped).
NOTEBOOKS = [
    "01_data_and_imbalance",
    "02_numpy_model",
    "03_pytorch_model",
    "04_comparison",
    "05_validation_schemes",
    "06_cost",
    "07_clinical_use",
]
#: Parameters whose default is ``None`` but whose value, when given, has a known type.
TYPES_WHEN_NONE: dict[str, tuple[type, ...]] = {
    "sample_rows": (int,),
    "num_threads": (int,),
    "data_path": (str,),
    "compare_split": (str,),
    "weight_decay": (int, float),
}
#: Parameters holding a list of split kinds.
SPLIT_LIST_PARAMETERS = ("validation_schemes",)
#: Parameters naming a split: their values must be one of ``helpers.data.splits.SPLIT_KINDS``.
SPLIT_PARAMETERS = ("split", "compare_split")
#: Absolute locations that must never appear in a committed notebook.
MACHINE_PATH = re.compile(r"(/w[o]rk/|/t[m]p/[A-Za-z0-9_]|/r[o]ot/|/h[o]me/[a-z]|/U[s]ers/[A-Za-z]|[A-Z]:\\\\Users)")


class NotebookFailed(RuntimeError):
    """A notebook cell raised; the message names the notebook and the cell."""


class ParameterError(ValueError):
    """A ``-p``/``-y`` parameter that no notebook declares, or a value of the wrong type."""


#: The signals that stop a run quietly (Ctrl-C, ``kill``, a closed terminal), and how a message names them.
STOP_SIGNALS = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM", signal.SIGHUP: "SIGHUP"}
#: The make target of each command (what a user typed, and types again to resume).
MAKE_TARGETS = {"run": "report", "publish": "publish", "html": "html", "pdf": "pdf"}
#: Set while a stop signal is being handled (:func:`signals_stop_the_run`): kernels are then killed.
_STOPPING = threading.Event()


class Stopped(KeyboardInterrupt):
    """The run was stopped by a signal (:data:`STOP_SIGNALS`), in ``notebook`` when one was running.

    A ``KeyboardInterrupt``, so that papermill and the kernel client clean up as for Ctrl-C.
    """

    def __init__(self, signum: int = signal.SIGINT, notebook: str | None = None):
        super().__init__(STOP_SIGNALS.get(signum, f"signal {signum}"))
        self.signum, self.notebook = int(signum), notebook


@contextmanager
def signals_stop_the_run():
    """Inside, SIGINT, SIGTERM and SIGHUP raise :class:`Stopped` where the run stands (main thread only).

    A signal ignored when the runner started (a background job's SIGINT) stays ignored. The first
    signal also silences asyncio's log: papermill abandons the running cell's task, whose exception
    (the kernel's coloured traceback) asyncio would otherwise print when the task is collected; and
    from then on a kernel is killed rather than shut down (:func:`kernel_manager_class`).
    """
    def stop(signum, frame):
        _STOPPING.set()
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        raise Stopped(signum)

    previous = {}
    for signum in STOP_SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _STOPPING.clear()


@functools.cache
def kernel_manager_class() -> type:
    """The kernel manager of the report's notebooks: jupyter_client's, except when the run is being stopped.

    Then (:func:`signals_stop_the_run`) shutting the kernel down kills its process group at once: the
    kernel, its worker processes and their resource tracker. The usual shutdown asks the interrupted
    kernel to wind down, which takes seconds and lets it print asyncio's complaints about the tasks it
    abandons; a kill loses nothing, as every result is written atomically.
    """
    from jupyter_client.manager import AsyncKernelManager

    class StoppableKernelManager(AsyncKernelManager):
        async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
            await super().shutdown_kernel(now=now or _STOPPING.is_set(), restart=restart)

    return StoppableKernelManager


def stop_message(stop: KeyboardInterrupt, command: str, rest: list[str]) -> str:
    """The two lines printed when a run is stopped: where, what is kept, and the command that resumes.

    Parameters
    ----------
    stop : KeyboardInterrupt
        A :class:`Stopped` (or a plain ``KeyboardInterrupt``: Ctrl-C outside a notebook).
    command : str
        The runner's command (``run``, ``publish``, ``html``, ``pdf``).
    rest : list of str
        The command line after the command (``-p seed 7``...), passed on to ``make`` as ``ARGS``.
    """
    how = STOP_SIGNALS.get(getattr(stop, "signum", signal.SIGINT), "a signal")
    where = getattr(stop, "notebook", None)
    target = MAKE_TARGETS.get(command, "report")
    joined = shlex.join(rest)
    plain = not any(c in joined for c in '"$`\\')  # then double quotes read best: ARGS="-p seed 7"
    again = f"make {target}" + ((f' ARGS="{joined}"' if plain else f" ARGS={shlex.quote(joined)}") if rest else "")
    kept = ("the notebooks before it, and every finished run, tuning table and bootstrap are kept"
            if where else "every finished notebook, run, tuning table and bootstrap is kept")
    return (f"[report] stopped by {how}{f' in {where}' if where else ''}; {kept}.\n"
            f"[report] `{again}` resumes from there (cached results are reused, not recomputed).")


# ------------------------------------------------------------------------------ parameters
def _parse_value(text: str):
    """A ``-p`` value typed as papermill does (int, float, bool, None, list, dict, else string)."""
    if text.strip() in ("None", "none", "null", "~"):
        return None
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, str):
        try:  # YAML 1.1 reads "1e-3" as a string; papermill reads it as a float
            return float(value) if value.strip().lower() not in ("nan", "inf", "-inf", "infinity") else value
        except ValueError:
            return value
    return value if isinstance(value, (int, float, bool, type(None), list, dict)) else text


def _parameters(args) -> dict:
    """The ``-p NAME VALUE`` and ``-y YAML`` options of the command line as one dict."""
    params: dict = {}
    for name, value in args.param or []:
        params[name] = _parse_value(value)
    for text in args.yaml or []:
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ParameterError(f"-y expects a YAML mapping such as 'hidden_layer_sizes: [32, 16]'; "
                                 f"{text!r} is not valid YAML ({exc.__class__.__name__})") from None
        if not isinstance(loaded, dict):
            raise ParameterError(f"-y expects a YAML mapping such as 'hidden_layer_sizes: [32, 16]', got {text!r}")
        params.update(loaded)
    return params


def parameters_cell(notebook: Path):
    """The one code cell of ``notebook`` tagged ``parameters``.

    Raises
    ------
    ParameterError
        If the notebook has no such cell, or more than one.
    """
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    tagged = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"
              and "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise ParameterError(f"{Path(notebook).name} must have exactly one code cell tagged 'parameters', "
                             f"found {len(tagged)}")
    return tagged[0]


_NOT_LITERAL = object()


def parse_parameters(source: str) -> dict:
    """Names and default values assigned in a ``parameters`` cell's source.

    Parameters
    ----------
    source : str
        Python source of top-level assignments such as ``seed = 42  # comment``.

    Returns
    -------
    dict
        ``{name: default}`` in source order; a default that is not a Python literal (an
        expression) maps to a marker that accepts any value.
    """
    declared: dict = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            value = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            targets, value = [node.target.id], node.value
        else:
            continue
        try:
            default = ast.literal_eval(value)
        except ValueError:
            default = _NOT_LITERAL
        for name in targets:
            declared[name] = default
    return declared


def declared_parameters(names: list[str] | None = None, folder: Path | None = None) -> dict[str, dict]:
    """``{notebook: {parameter: default}}`` for the notebooks ``names`` (default: all available)."""
    folder = Path(folder or paths.NOTEBOOKS_DIR)
    names = available(names, folder)
    return {name: parse_parameters("".join(parameters_cell(folder / f"{name}.ipynb")["source"])) for name in names}


def _type_name(types: tuple[type, ...]) -> str:
    return " or ".join(t.__name__ for t in types)


def _expected_types(name: str, default) -> tuple[type, ...] | None:
    """The types a value of parameter ``name`` may have given its default; None: anything."""
    if default is _NOT_LITERAL:
        return None
    if default is None:
        return TYPES_WHEN_NONE.get(name)
    if isinstance(default, bool):
        return (bool,)
    if isinstance(default, int):
        return (int,)
    if isinstance(default, float):
        return (float, int)
    for kind in (str, list, dict, tuple):
        if isinstance(default, kind):
            return (list, tuple) if kind in (list, tuple) else (kind,)
    return (type(default),)


def _fits(value, types: tuple[type, ...] | None, default) -> bool:
    """Whether ``value`` may replace ``default`` (``types`` from :func:`_expected_types`)."""
    if types is None:
        return True
    if value is None:
        return default is None
    if isinstance(value, bool) and bool not in types:
        return False  # True is an int to Python, not to a reader
    return isinstance(value, types)


def _choices() -> dict[str, tuple]:
    """Parameters whose value must be one of a few, from the helpers that read them."""
    return {"class_weight": CLASS_WEIGHT_CHOICES}


def validate_parameters(parameters: dict, declared: dict[str, dict]) -> None:
    """Refuse parameters no notebook declares, values of the wrong type and unknown splits.

    Parameters
    ----------
    parameters : dict
        The user's parameters (``-p``/``-y``).
    declared : dict
        ``{notebook: {parameter: default}}`` from :func:`declared_parameters`.

    Raises
    ------
    ParameterError
        Naming the parameter and what to use instead: the valid names, the expected type
        and the value given, or the allowed splits.
    """
    valid = sorted({p for params in declared.values() for p in params})
    unknown = [name for name in parameters if name not in valid]
    if unknown:
        raise ParameterError(
            f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(repr(u) for u in unknown)}: "
            f"no notebook ({', '.join(declared) or 'none found'}) declares "
            f"{'them' if len(unknown) > 1 else 'it'}. Valid names: {', '.join(valid)}"
        )
    for name, value in parameters.items():
        for notebook, params in declared.items():
            if name not in params:
                continue
            default = params[name]
            types = _expected_types(name, default)
            if name in _choices():
                if value not in _choices()[name]:
                    raise ParameterError(f"parameter {name!r} must be one of {', '.join(map(repr, _choices()[name]))}; "
                                         f"got {value!r}")
                continue
            if not _fits(value, types, default):
                expected = _type_name(types) + (" or None" if default is None else "")
                raise ParameterError(
                    f"parameter {name!r} expects {expected} (default {default!r} in {notebook}), "
                    f"got {value!r} ({type(value).__name__})"
                )
        if name in SPLIT_PARAMETERS and value is not None and value not in splits.SPLIT_KINDS:
            raise ParameterError(f"parameter {name!r}: unknown split {value!r}; choose one of "
                                 f"{', '.join(splits.SPLIT_KINDS)}")
        if name in SPLIT_LIST_PARAMETERS and (not value or any(v not in splits.SPLIT_KINDS for v in value)):
            raise ParameterError(f"parameter {name!r} must list split kinds from {', '.join(splits.SPLIT_KINDS)}; "
                                 f"got {value!r}")


def parameters_for(name: str, parameters: dict, declared: dict[str, dict]) -> dict:
    """Those of ``parameters`` that notebook ``name`` declares (papermill would inject the rest blindly)."""
    return {k: v for k, v in parameters.items() if k in declared.get(name, {})}


def available(names: list[str] | None = None, folder: Path | None = None) -> list[str]:
    """Those notebooks of ``names`` (default :data:`NOTEBOOKS`) that exist in ``folder``, in order."""
    folder = Path(folder or paths.NOTEBOOKS_DIR)
    return [n for n in (NOTEBOOKS if names is None else names) if (folder / f"{n}.ipynb").is_file()]


# ------------------------------------------------------------------------------- execution
def _tidy_executed(output: Path) -> None:
    """Papermill's absolute input/output paths in the metadata replaced by file names, and every
    progress bar reduced to its final line (:func:`trim_progress_outputs`), in the executed notebook."""
    nb = json.loads(output.read_text(encoding="utf-8"))
    pm = nb.get("metadata", {}).get("papermill", {})
    for key in ("input_path", "output_path"):
        if pm.get(key):
            pm[key] = paths.display_path(pm[key])
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = trim_progress_outputs(cell.get("outputs", []))
    text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    atomic_write(output, lambda fh: fh.write(text.encode("utf-8")))


def kernel_config():
    """Kernel-manager settings that keep the kernel's channels off plain TCP.

    ipykernel warns "Kernel is running over TCP without encryption" for every notebook unless the
    kernel manager provisions CurveZMQ keys (the project's kernelspec declares ``supported_encryption:
    curve``) or the kernel talks over IPC sockets. CurveZMQ when pyzmq has it, else IPC.
    """
    import zmq
    from traitlets.config import Config

    config = Config()
    if zmq.has("curve"):
        config.KernelManager.transport_encryption = "auto"
    else:
        config.KernelManager.transport = "ipc"
    return config


def execute(name: str, output: Path, parameters: dict) -> Path:
    """Execute ``notebooks/<name>.ipynb`` into ``output`` with papermill.

    Raises
    ------
    NotebookFailed
        Naming the notebook, the failing cell and the error (or that the kernel died); the partial
        notebook stays at ``output``.
    Stopped
        When a signal (Ctrl-C) stopped it: papermill has shut the kernel down, and the exception
        names the notebook.
    """
    import papermill as pm
    from nbclient.exceptions import DeadKernelError

    source = paths.NOTEBOOKS_DIR / f"{name}.ipynb"
    output.parent.mkdir(parents=True, exist_ok=True)
    print(f"[report] {name}: running ({', '.join(f'{k}={v}' for k, v in parameters.items())})", flush=True)
    try:
        pm.execute_notebook(
            str(source), str(output), parameters=parameters, cwd=str(paths.NOTEBOOKS_DIR),
            kernel_name="python3", progress_bar=False, log_output=False, config=kernel_config(),
            kernel_manager_class=kernel_manager_class(),
        )
    except pm.PapermillExecutionError as exc:
        raise NotebookFailed(
            f"notebook {name}.ipynb failed in cell {exc.cell_index} (execution count {exc.exec_count}): "
            f"{exc.ename}: {exc.evalue}\n  the partial notebook is kept at {paths.display_path(output)}"
        ) from None
    except DeadKernelError:
        raise NotebookFailed(
            f"notebook {name}.ipynb stopped: its kernel died (killed, or out of memory); finished runs are kept, "
            "run the same command again to resume"
        ) from None
    except KeyboardInterrupt as stop:
        raise Stopped(getattr(stop, "signum", signal.SIGINT), name) from None
    finally:
        if output.exists():
            _tidy_executed(output)
    return output


def run_all(parameters: dict, out_dir: Path, figures_dir: str | None = None) -> list[Path]:
    """Every available notebook once, in order, into ``out_dir``; returns the executed notebooks.

    Parameters
    ----------
    parameters : dict
        The user's parameters; validated against the notebooks' ``parameters`` cells before
        anything runs, then each notebook gets only those it declares.
    out_dir : Path
        Where the executed notebooks go.
    figures_dir : str, optional
        Where the notebooks save figures (default: a ``figures_dir`` parameter, else
        ``<out_dir>/figures``).

    Raises
    ------
    ParameterError
        Before any notebook runs, for an unknown parameter, a wrong type or an unknown split.
    NotebookFailed
        When a cell raises.
    """
    declared = declared_parameters()
    validate_parameters(parameters, declared)
    base = dict(parameters)
    figures = figures_dir or base.pop("figures_dir", None) or paths.portable(Path(out_dir) / "figures")
    base["figures_dir"] = figures
    executed, times = [], {}
    started = time.perf_counter()
    for name in declared:
        t0 = time.perf_counter()
        executed.append(execute(name, Path(out_dir) / f"{name}.ipynb", parameters_for(name, base, declared)))
        times[name] = time.perf_counter() - t0
        print(f"[report] {name}: done in {times[name]:.1f} s -> {paths.display_path(executed[-1])}", flush=True)
    print(wall_time_summary(times, time.perf_counter() - started), flush=True)
    return executed


def wall_time_summary(times: dict[str, float], total: float) -> str:
    """One line per notebook with its wall time in seconds, and the total."""
    width = max((len(n) for n in times), default=5)
    lines = ["[report] wall time per notebook:"]
    lines += [f"[report]   {name:<{width}}  {seconds:7.1f} s" for name, seconds in times.items()]
    lines.append(f"[report]   {'total':<{width}}  {total:7.1f} s")
    return "\n".join(lines)


# ------------------------------------------------------------------------ publish cleaning
def _assignment_spans(source: str) -> dict[str, tuple[int, int, int, int]]:
    """``{name: (line, col, end_line, end_col)}`` of each top-level assignment's value (0-based lines)."""
    spans = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            names = [node.target.id]
        else:
            continue
        v = node.value
        for name in names:
            spans[name] = (v.lineno - 1, v.col_offset, v.end_lineno - 1, v.end_col_offset)
    return spans


def fold_parameters(parameters_source: str, injected_source: str) -> str:
    """The ``parameters`` cell's source with the values of papermill's injected cell written in.

    Comments and alignment are kept: a value is replaced in place, and a trailing comment keeps
    its column where the new value leaves room. Injected names the cell does not assign are
    appended, one line each.

    Parameters
    ----------
    parameters_source : str
        Source of the tagged ``parameters`` cell (the defaults).
    injected_source : str
        Source of papermill's ``injected-parameters`` cell (``name = value`` lines).

    Returns
    -------
    str
    """
    injected = {}
    for node in ast.parse(injected_source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            injected[node.targets[0].id] = ast.get_source_segment(injected_source, node.value)
    lines = parameters_source.split("\n")
    spans = _assignment_spans(parameters_source)
    # replace from the bottom up so that earlier spans stay valid
    for name, (line, col, end_line, end_col) in sorted(spans.items(), key=lambda kv: kv[1], reverse=True):
        if name not in injected:
            continue
        rest = lines[end_line][end_col:]
        comment = rest.lstrip()
        new_head = lines[line][:col] + injected[name]
        if not comment:
            new_line = new_head
        elif line == end_line:  # keep the comment's column where the new value leaves room
            new_line = new_head + " " * max(1, end_col + len(rest) - len(comment) - len(new_head)) + comment
        else:
            new_line = new_head + "  " + comment
        lines[line:end_line + 1] = [new_line]
    missing = [f"{name} = {value}" for name, value in injected.items() if name not in spans]
    text = "\n".join(lines)
    if missing:
        text = text.rstrip("\n") + "\n" + "\n".join(missing)
    return text


def clean_for_publish(path: Path) -> Path:
    """Clean an executed notebook for readers, in place (atomically).

    Papermill's ``injected-parameters`` cell is folded into the tagged ``parameters`` cell (the
    reader sees the parameters once, with the values used) and removed; execution counts are
    renumbered; progress-bar outputs are reduced to their final line (:func:`trim_progress_outputs`).

    Parameters
    ----------
    path : Path
        An executed notebook (papermill output).

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb.get("cells", [])

    def tagged(tag):
        return [c for c in cells if tag in c.get("metadata", {}).get("tags", [])]

    injected, params = tagged("injected-parameters"), tagged("parameters")
    if injected and params:
        params[0]["source"] = fold_parameters(_join(params[0]["source"]), _join(injected[0]["source"]))
        cells = [c for c in cells if c is not injected[0]]
    count = 0
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        cell["outputs"] = trim_progress_outputs(cell.get("outputs", []))
        if cell.get("execution_count") is not None:
            count += 1
            cell["execution_count"] = count
            for out in cell["outputs"]:
                if out.get("output_type") == "execute_result":
                    out["execution_count"] = count
    nb["cells"] = cells
    text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    return atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))


def _join(source) -> str:
    return "".join(source) if isinstance(source, list) else source


def find_machine_paths(notebook: Path) -> list[str]:
    """Lines of a notebook that mention an absolute path of this machine."""
    return [line.strip()[:160] for line in notebook.read_text(encoding="utf-8").splitlines() if MACHINE_PATH.search(line)]


def publish(parameters: dict) -> None:
    """Execute on the real data into ``reports/publish``; if all succeed, clean and copy into ``notebooks/``."""
    validate_parameters(parameters, declared_parameters())
    source = find_data(parameters.get("data_path"))
    if source.is_synthetic:
        raise SystemExit(
            "publish needs the real data: put KaggleV2-May-2016.csv(.zip) into data/ or set NOSHOW_DATA "
            "(see data/README.md). The committed report never shows synthetic results."
        )
    staging = paths.REPORTS_DIR / "publish"
    if staging.exists():
        shutil.rmtree(staging)
    started = time.time()
    committed = run_all({**parameters, "sample_rows": None}, staging, figures_dir="figures")
    for nb in committed:
        clean_for_publish(nb)
    leaks = {nb.name: find_machine_paths(nb) for nb in committed}
    leaks = {k: v for k, v in leaks.items() if v}
    if leaks:
        raise SystemExit(f"refusing to publish: absolute machine paths in outputs: {leaks}")
    for nb in committed:
        target = paths.NOTEBOOKS_DIR / nb.name
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(nb, tmp)
        os.replace(tmp, target)
        print(f"[report] published {paths.display_path(target)}", flush=True)
    stale = remove_stale_figures(paths.FIGURES_DIR, started)
    if stale:
        print(f"[report] removed {len(stale)} figure file(s) this publish no longer draws: {', '.join(stale)}", flush=True)
    export(committed, "html")  # into reports/publish, beside the staged copies

    update_readme(headline_markdown(parameters.get("split", "stratified"), parameters.get("results_dir"),
                                    parameters.get("processed_dir"), parameters.get("batch_size", 512)))


def remove_stale_figures(folder: Path, since: float) -> list[str]:
    """Delete the figure files in ``folder`` not written since ``since`` (a publish's start); their names."""
    stale = sorted(f.name for f in Path(folder).glob("*") if f.suffix in (".png", ".pdf") and f.stat().st_mtime < since)
    for name in stale:
        (Path(folder) / name).unlink()
    return stale


README_START, README_END = "<!-- results:start -->", "<!-- results:end -->"


def update_readme(markdown: str) -> None:
    """Replace the README's results section (between the markers), atomically."""
    readme = paths.REPO_ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    updated = text[:start] + "\n" + markdown + "\n" + text[end:]
    atomic_write(readme, lambda fh: fh.write(updated.encode("utf-8")))
    print("[report] README results section updated", flush=True)


def _export_command(args) -> None:
    """``html`` / ``pdf``: export the executed notebooks; ``pdf`` also writes the combined report."""
    folder = paths.REPORTS_DIR if args.source == "reports" else paths.NOTEBOOKS_DIR
    notebooks = [folder / f"{n}.ipynb" for n in available(folder=folder)]
    if not notebooks:
        raise SystemExit(f"no executed notebooks in {paths.display_path(folder)}: run `make report` first")
    out = paths.REPORTS_DIR if folder == paths.REPORTS_DIR else paths.REPORTS_DIR / "export"
    export(notebooks, args.command, no_input=args.no_input, out_dir=None if folder == paths.REPORTS_DIR else out)
    if args.command == "pdf":
        target = combined_pdf(notebooks, out / "report.pdf", include_code=args.with_code)
        print(f"[report] combined pdf: {paths.display_path(target)}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.publish", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["run", "publish", "html", "pdf"])
    parser.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                        help="papermill parameter, passed to every notebook that declares it (default: none)")
    parser.add_argument("-y", "--yaml", action="append", help="parameters as a YAML mapping (default: none)")
    parser.add_argument("--out", default="reports", help="output folder for run (default: reports)")
    parser.add_argument("--from", dest="source", default="reports", choices=["reports", "notebooks"],
                        help="which executed notebooks html/pdf export (default: reports)")
    parser.add_argument("--no-input", action="store_true", help="hide code cells in html/pdf (default: shown)")
    parser.add_argument("--with-code", action="store_true",
                        help="keep the code cells in the combined reports/report.pdf (default: hidden)")
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        with signals_stop_the_run():
            if args.command == "run":
                out = paths.resolve(args.out, paths.REPORTS_DIR)
                executed = run_all(_parameters(args), out)
                export(executed, "html")
            elif args.command == "publish":
                publish(_parameters(args))
            else:
                _export_command(args)
    except KeyboardInterrupt as stop:  # Ctrl-C, SIGTERM, SIGHUP: two lines, no traceback
        rest = argv[argv.index(args.command) + 1:] if args.command in argv else []
        try:
            print(stop_message(stop, args.command, rest), file=sys.stderr, flush=True)
        except OSError:  # the terminal is gone (SIGHUP)
            pass
        return 128 + getattr(stop, "signum", signal.SIGINT)
    except ParameterError as exc:
        print(f"[report] refused: {exc}", file=sys.stderr)
        return 2
    except NotebookFailed as exc:
        print(f"[report] FAILED: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # e.g. no space left for the executed notebooks (the message names the file)
        where = f" ({paths.display_path(exc.filename)})" if getattr(exc, "filename", None) else ""
        print(f"[report] FAILED: {exc if exc.filename is None else exc.strerror}{where}", file=sys.stderr)
        return 1
    except Exception as exc:  # an export that cannot be made says why, without a traceback

        if not isinstance(exc, ExportError):
            raise
        print(f"[report] export FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


def exit_as(code: int):
    """End the process with ``code`` (from :func:`main`); a run stopped by a signal ends by that signal.

    A shell, and ``make``, see a command stopped by Ctrl-C (status 130, make's one line "Interrupt")
    rather than one that failed with status 130, and stop whatever was to follow it.
    """
    signum = code - 128
    if signum in STOP_SIGNALS:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except OSError:  # the terminal is gone (SIGHUP)
                pass
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    sys.exit(code)


if __name__ == "__main__":
    exit_as(main())
