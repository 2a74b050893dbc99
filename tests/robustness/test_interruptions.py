"""Stopped, resumed, never stuck: a study stopped mid-way (Ctrl-C, or its process killed outright) leaves no
worker behind and resumes to exactly the numbers of an uninterrupted run; the report runner, stopped,
prints two lines, ends by the same signal (status 128 + its number to a shell) and takes its kernel and
the kernel's workers with it; a dead kernel or a full disk is one line."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time

import nbformat
import pytest

from helpers import artifacts, paths
from helpers.publish import runner as report
from tests.robustness.processes import (
    N_RUNS,
    alive,
    descendants,
    finished_runs,
    launch,
    wait_for,
    workers,
)

#: Seconds within which every process of a stopped run must have ended (the issue's target).
GONE_WITHIN = 5.0


def study_args(processed, folder):
    return ["-m", "tests.robustness.processes", str(processed), str(folder / "results"), str(folder / "summary.json")]


@pytest.fixture(scope="module")
def uninterrupted(small_split, tmp_path_factory):
    """The summary of the small study run once without interruption, in its own process."""
    folder = tmp_path_factory.mktemp("uninterrupted")
    proc = launch(study_args(small_split, folder), folder / "output.txt")
    assert proc.wait(timeout=180) == 0, (folder / "output.txt").read_text()
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["trained"] == N_RUNS
    return summary


@pytest.mark.parametrize("signum, whom", [(signal.SIGINT, "group"), (signal.SIGKILL, "parent")],
                         ids=["ctrl-c", "sigkill"])
def test_a_study_stopped_mid_way_resumes_to_the_uninterrupted_numbers(small_split, uninterrupted, tmp_path, signum,
                                                                     whom):
    output = tmp_path / "output.txt"
    proc = launch(study_args(small_split, tmp_path), output)
    try:
        wait_for(lambda: finished_runs(tmp_path / "results"), 120, "the first finished run")
        pool = workers(descendants(proc.pid))
        (os.killpg if whom == "group" else os.kill)(proc.pid, signum)
        stopped = time.monotonic()
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert len(pool) == 2
    wait_for(lambda: not alive(pool), GONE_WITHIN - (time.monotonic() - stopped), "the workers to end")
    if signum == signal.SIGINT:
        assert code == 130 and output.read_text().strip() == "study interrupted"  # no worker said a word
    finished = len(finished_runs(tmp_path / "results"))
    assert 0 < finished < N_RUNS  # stopped mid-way

    resumed = launch(study_args(small_split, tmp_path), output)
    assert resumed.wait(timeout=180) == 0, output.read_text()
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["trained"] == N_RUNS - finished  # every run finished before the stop is kept
    assert summary["runs"] == uninterrupted["runs"]  # every number, to the last digit


# ------------------------------------------------------------------------------ the runner
#: ``python -m helpers.publish run`` on the notebooks of folder ARGV[1] (into ARGV[2], with marker_dir ARGV[3]).
RUNNER = ("import sys; from pathlib import Path; from helpers import paths; paths.NOTEBOOKS_DIR = Path(sys.argv[1]); "
          "from helpers.publish.runner import exit_as, main; "
          "exit_as(main(['run', '--out', sys.argv[2], '-p', 'marker_dir', sys.argv[3]]))")
BUSY = """import os, time
from pathlib import Path
from helpers.study.parallel import run_tasks

def busy(task):
    Path(task["dir"], f"started_{os.getpid()}").touch()
    end = time.time() + 120
    while time.time() < end:
        pass

run_tasks(busy, [{"dir": marker_dir}] * 4, n_jobs=2, progress=False)"""


@pytest.fixture
def busy_report(tmp_path):
    """A stand-in ``04_comparison`` whose one cell keeps two workers busy for two minutes, started by the
    runner in its own session; yields ``(process, output file, marker folder)`` once both workers work."""
    folder, markers = tmp_path / "notebooks", tmp_path / "markers"
    folder.mkdir()
    markers.mkdir()
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('marker_dir = ""', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(BUSY)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "04_comparison.ipynb")
    output = tmp_path / "output.txt"
    proc = launch(["-c", RUNNER, str(folder), str(tmp_path / "reports"), str(markers)], output)
    try:
        wait_for(lambda: len(list(markers.iterdir())) >= 2, 120, "both workers to start")
        yield proc, output
    finally:
        if proc.poll() is None:
            proc.kill()


def test_ctrl_c_stops_the_report_in_two_lines_by_sigint_and_nothing_left_running(busy_report):
    proc, output = busy_report
    tree = descendants(proc.pid)  # the kernel, its two workers and loky's resource tracker
    assert len(workers(tree)) == 2
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    stopped = time.monotonic()
    assert proc.wait(timeout=30) == -signal.SIGINT  # ended by SIGINT: status 130 to a shell, "Interrupt" to make
    wait_for(lambda: not alive(tree), GONE_WITHIN - (time.monotonic() - stopped), "the kernel and workers to end")
    printed = [line for line in output.read_text().splitlines() if line.strip()]
    after = printed[1:]  # the first: "[report] 04_comparison: running (...)"
    assert printed[0].startswith("[report] 04_comparison: running")
    assert len(after) == 2, printed
    assert "stopped by Ctrl-C in 04_comparison" in after[0] and "kept" in after[0]
    assert after[1].startswith("[report] `make report ARGS=") and "resumes" in after[1]


def test_a_killed_runner_takes_its_kernel_and_workers_with_it(busy_report):
    proc, _ = busy_report
    tree = descendants(proc.pid)
    assert len(workers(tree)) == 2 and len(tree) >= 3
    proc.kill()  # SIGKILL: no chance to clean up
    stopped = time.monotonic()
    proc.wait(timeout=10)
    wait_for(lambda: not alive(tree), GONE_WITHIN - (time.monotonic() - stopped), "the kernel and workers to end")


# ------------------------------------------------------------------- the runner, in-process
@pytest.mark.parametrize("signum, code, name", [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGHUP, 129, "SIGHUP"),
                                                (signal.SIGINT, 130, "Ctrl-C")])
def test_each_stop_signal_gives_two_lines_and_128_plus_its_number(monkeypatch, capsys, signum, code, name):
    def stopped_in_03(parameters, out_dir, figures_dir=None):
        try:
            os.kill(os.getpid(), signum)
            time.sleep(5)
        except KeyboardInterrupt as stop:  # as report.execute turns it
            raise report.Stopped(getattr(stop, "signum", signal.SIGINT), "03_pytorch_model") from None
        pytest.fail("the signal did not stop the run")

    monkeypatch.setattr(report, "run_all", stopped_in_03)
    before = {s: signal.getsignal(s) for s in report.STOP_SIGNALS}
    assert report.main(["run", "-p", "seed", "7", "-y", "hidden_layer_sizes: [32, 16]"]) == code
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"[report] stopped by {name} in 03_pytorch_model; the notebooks before it, and every finished run, tuning "
        "table and bootstrap are kept.",
        "[report] `make report ARGS=\"-p seed 7 -y 'hidden_layer_sizes: [32, 16]'\"` resumes from there (cached "
        "results are reused, not recomputed).",
    ]
    assert {s: signal.getsignal(s) for s in report.STOP_SIGNALS} == before  # the handlers are put back


def test_a_dead_kernel_is_one_line_naming_the_notebook(monkeypatch, tmp_path):
    import papermill
    from nbclient.exceptions import DeadKernelError

    def dies(*args, **kwargs):
        raise DeadKernelError("Kernel died")

    monkeypatch.setattr(papermill, "execute_notebook", dies)
    with pytest.raises(report.NotebookFailed, match=r"notebook 04_comparison\.ipynb stopped: its kernel died"):
        report.execute("04_comparison", tmp_path / "04_comparison.ipynb", {})


def test_a_full_disk_is_one_line_naming_the_file(monkeypatch, capsys):
    def full(parameters, out_dir, figures_dir=None):
        raise artifacts.WriteFailed(out_dir / "never_written.ipynb", OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))

    monkeypatch.setattr(report, "run_all", full)
    assert report.main(["run"]) == 1
    assert capsys.readouterr().err == ("[report] FAILED: could not write reports/never_written.ipynb: No space left "
                                       "on device (ENOSPC); nothing was written\n")


def test_the_worker_watch_ends_a_process_whose_parent_is_gone():
    code = ("import os, sys, time; from helpers.study.parallel import watch_parent; "
            "watch_parent(int(sys.argv[1]), 0.1); time.sleep(30)")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process id that no process holds now
    for parent, ends in ((os.getpid(), False), (gone.pid, True)):
        child = subprocess.Popen([sys.executable, "-c", code, str(parent)], cwd=paths.REPO_ROOT)
        try:
            if ends:  # not its parent, and no such process: the watch ends it at once
                assert child.wait(timeout=10) == 1
            else:
                with pytest.raises(subprocess.TimeoutExpired):
                    child.wait(timeout=1)
        finally:
            child.kill()
            child.wait()
