"""The report in a real browser: notebook 01 run in JupyterLab, and an exported HTML opened offline.

Headless Chromium (the system's ``/usr/bin/chromium``, or ``$CHROMIUM``) driven by Playwright for
Python; no browser is downloaded. Skipped where either is missing, except under CI (``$CI`` set),
where that is a failure. Screenshots go to ``reports/browser/`` (git-ignored).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest

from helpers import paths
from helpers.publish.export import export
from tests.export_samples import sample_notebook

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = paths.REPORTS_DIR / "browser"
#: Parameters of the JupyterLab copy of notebook 01 (folders are set per test).
LAB_PARAMETERS = {"data_path": "synthetic", "sample_rows": 2000}


def need_browser():
    """Playwright's sync API, or skip (fail under CI) naming what is missing."""
    missing = []
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
        missing.append("the playwright package")
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests need {' and '.join(missing)}: .ci/run must install them")
        pytest.skip(f"browser tests need {' and '.join(missing)} (CI installs them)")
    return sync_playwright


@contextmanager
def chromium_page():
    """A headless Chromium page (system browser), closed afterwards."""
    sync_playwright = need_browser()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            yield page
        finally:
            browser.close()


def screenshot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    target = SHOTS / name
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 0
    return target


# ----------------------------------------------------------------------------- (a) JupyterLab
def lab_copy_of_01(folder: Path) -> Path:
    """Notebook 01 with its parameters set to the synthetic data, a small sample and ``folder``; no outputs."""
    nb = nbformat.read(paths.NOTEBOOKS_DIR / "01_data_and_imbalance.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    values = {**LAB_PARAMETERS, **{k: str(folder / k.removesuffix("_dir")) for k in
                                   ("processed_dir", "results_dir", "figures_dir")}}
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "notebook 01 needs exactly one cell tagged 'parameters'"
    lines = tagged[0].source.splitlines()
    for name, value in values.items():
        pattern = re.compile(rf"^{name}\s*=")
        hits = [i for i, line in enumerate(lines) if pattern.match(line)]
        assert hits, f"notebook 01's parameters cell has no `{name} = ...` line"
        lines[hits[0]] = f"{name} = {value!r}"
    tagged[0].source = "\n".join(lines)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    target = folder / "01_data_and_imbalance.ipynb"
    nbformat.write(nb, target)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyter_lab(root: Path):
    """JupyterLab on a free loopback port with a random token, serving ``root``; always shut down.

    Yields ``(base_url, token)``. The kernel inherits ``PYTHONPATH`` (this checkout's helpers).
    """
    port, token = free_port(), secrets.token_hex(16)
    jupyter = Path(sys.executable).with_name("jupyter")
    state = root / ".lab-state"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(paths.REPO_ROOT), os.environ.get("PYTHONPATH")])),
           "JUPYTER_RUNTIME_DIR": str(state / "runtime"), "JUPYTERLAB_SETTINGS_DIR": str(state / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces")}
    env.pop("NOSHOW_DATA", None)
    log = open(root / "jupyter-lab.log", "w")
    server = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"jupyter lab did not start:\n{(root / 'jupyter-lab.log').read_text()[-2000:]}")
            time.sleep(0.5)
        yield base, token
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(server.pid, signal.SIGKILL)  # the kernels too, whatever the server left
        except ProcessLookupError:
            pass
        server.wait(timeout=10)
        log.close()


def saved_and_executed(path: Path, n_code: int, timeout: float = 60) -> nbformat.NotebookNode:
    deadline = time.monotonic() + timeout
    while True:
        nb = nbformat.read(path, as_version=4)
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code" and c.source.strip()]
        if len(counts) == n_code and all(counts):
            return nb
        if time.monotonic() > deadline:
            pytest.fail(f"the saved notebook was not fully executed: execution counts {counts}")
        time.sleep(0.5)


@pytest.mark.notebook
def test_notebook_01_runs_all_cells_in_jupyterlab(tmp_path):
    need_browser()
    notebook = lab_copy_of_01(tmp_path)
    n_code = sum(1 for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code" and c.source.strip())
    with jupyter_lab(tmp_path) as (base, token), chromium_page() as page:
        page.set_default_timeout(60_000)
        page.goto(f"{base}/lab/tree/{notebook.name}?token={token}")
        page.locator(".jp-NotebookPanel .jp-Notebook .jp-CodeCell").first.wait_for()
        kernel_idle = page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"\|\s*Idle"))
        kernel_idle.first.wait_for(timeout=120_000)  # the notebook's kernel has started ("Python 3 ... | Idle")
        page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()
        # every code cell gets an execution count, then the kernel goes idle
        page.wait_for_function(
            """n => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                       .map(e => e.textContent.trim());
                      return p.length >= n && p.every(t => /^\\[\\d+\\]:$/.test(t)); }""",
            arg=n_code, timeout=240_000)
        kernel_idle.first.wait_for()
        images = page.locator(".jp-OutputArea-output img").count()
        news = page.locator(".jp-toast-button", has_text=re.compile(r"^No$"))  # "get Jupyter news?" toast
        if news.count():
            news.first.click()
        screenshot(page, "jupyterlab_01_data_and_imbalance.png")
        page.keyboard.press("Control+s")
        nb = saved_and_executed(notebook, n_code)
    errors = [f"{o.ename}: {o.evalue}" for c in nb.cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, f"error outputs in JupyterLab: {errors}"
    assert images >= 1, "no figure rendered in JupyterLab"
    assert "SYNTHETIC DATA" in json.dumps([c.get("outputs", []) for c in nb.cells])
    assert (tmp_path / "processed" / "stratified" / "meta.json").is_file()  # wrote into the temp folder
    assert (tmp_path / "figures" / "01_class_balance.png").is_file()


# ----------------------------------------------------------------------------- (b) offline HTML
def open_offline(html: Path, shot: str) -> dict:
    """Open ``html`` with every non-``file://`` request blocked; what the page loaded and logged."""
    seen = {"blocked": [], "console_errors": [], "images": []}
    with chromium_page() as page:
        def gate(route):
            if route.request.url.startswith(("file://", "data:")):
                route.continue_()
            else:
                seen["blocked"].append(route.request.url)
                route.abort()

        page.route("**/*", gate)
        page.on("console", lambda msg: seen["console_errors"].append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: seen["console_errors"].append(str(exc)))
        page.goto(html.resolve().as_uri(), wait_until="load")
        page.wait_for_timeout(500)  # late scripts would log by now
        seen["images"] = page.evaluate(
            "() => [...document.images].map(i => ({src: i.src.slice(0, 30), complete: i.complete, width: i.naturalWidth}))")
        seen["text"] = page.inner_text("body")
        screenshot(page, shot)
    return seen


def assert_displays_offline(seen: dict, min_images: int = 1):
    assert len(seen["images"]) >= min_images, f"expected at least {min_images} images, found {len(seen['images'])}"
    broken = [img for img in seen["images"] if not img["complete"] or img["width"] == 0]
    assert not broken, f"images that did not load: {broken}"
    assert not seen["console_errors"], f"console errors: {seen['console_errors']}"
    assert not seen["blocked"], f"the page tried the network: {seen['blocked']}"
    assert "A Jupyter widget could not be displayed" not in seen["text"]


def test_exported_sample_displays_offline_and_the_check_can_fail(tmp_path):
    need_browser()
    notebook = sample_notebook(tmp_path / "sample")
    html = export([notebook], "html", out_dir=tmp_path)[0]
    seen = open_offline(html, "export_sample_offline.png")
    assert_displays_offline(seen)
    assert "the widget below is live" in seen["text"] and "JupyterLab" in seen["text"]
    assert "reminders per catch" in seen["text"]  # the static view stands in for the widget

    from nbconvert import (
        HTMLExporter,  # nbconvert's stock template fetches require.js: the check must see it
    )

    stock = tmp_path / "stock.html"
    stock.write_text(HTMLExporter(template_name="lab").from_filename(str(notebook))[0], encoding="utf-8")
    seen = open_offline(stock, "export_sample_stock_template.png")
    assert seen["blocked"] and seen["console_errors"]


@pytest.mark.notebook
def test_exported_04_displays_offline(request, tmp_path):
    need_browser()
    try:
        _, notebooks = request.getfixturevalue("executed_report")
    except pytest.FixtureLookupError:
        pytest.skip("the executed_report fixture (tests/conftest.py) is not available in this checkout")
    if "04_comparison" not in notebooks:
        pytest.skip(f"executed_report has no 04_comparison (it has {sorted(notebooks)})")
    html = export([notebooks["04_comparison"]], "html", out_dir=tmp_path)[0]
    seen = open_offline(html, "04_comparison_offline.png")
    assert_displays_offline(seen, min_images=5)
