"""The package layout: stages import one way (import-linter's layers contract), and no module cycle."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from helpers import paths

LINT = [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"]
STAGES = ["data", "models", "study", "compare", "cost", "publish"]


def lint(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` run on the ``helpers`` package found in ``root``, with the contract in its pyproject."""
    return subprocess.run(LINT, cwd=root, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
                          capture_output=True, text=True)


def test_the_layers_contract_is_kept():
    result = lint(paths.REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.fixture(scope="module")
def copy_of_repo(tmp_path_factory):
    root = tmp_path_factory.mktemp("layout")
    shutil.copytree(paths.REPO_ROOT / "helpers", root / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(paths.REPO_ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.mark.parametrize("module, upward", [
    ("data/raw.py", "from helpers.study import runs"),                 # data -> a later stage
    ("models/base.py", "from helpers.compare import evidence"),        # models -> a later stage
    ("metrics.py", "from helpers.data import splits"),                 # the foundation -> a stage
    ("study/runs.py", "def f():\n    from helpers.publish import runner"),  # a function-level import counts too
])
def test_an_import_against_the_pipeline_order_breaks_the_contract(copy_of_repo, module, upward):
    path = copy_of_repo / "helpers" / module
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original + "\n" + upward + "\n", encoding="utf-8")
        result = lint(copy_of_repo)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


def test_every_module_belongs_to_a_stage_or_the_foundation():
    flat = sorted(p.stem for p in (paths.REPO_ROOT / "helpers").glob("*.py") if p.stem != "__init__")
    packages = sorted(p.parent.name for p in (paths.REPO_ROOT / "helpers").glob("*/__init__.py"))
    assert packages == sorted(STAGES)
    assert len(flat) <= 7, flat  # with __init__.py at most eight files directly inside helpers/


def _cycles(graph) -> list[tuple[str, str]]:
    """Each direct import A -> B such that B also reaches A (a cycle through that import)."""
    found = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported != importer and graph.chain_exists(imported, importer):
                found.append((importer, imported))
    return found


def test_no_module_is_part_of_an_import_cycle():
    graph = grimp.build_graph("helpers")
    cycles = _cycles(graph)
    assert not cycles, f"import cycles through: {cycles}"


def test_the_cycle_check_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("helpers", "helpers.a", "helpers.b", "helpers.c"):
        graph.add_module(name)
    graph.add_import(importer="helpers.a", imported="helpers.b")
    graph.add_import(importer="helpers.b", imported="helpers.c")
    assert _cycles(graph) == []
    graph.add_import(importer="helpers.c", imported="helpers.a")
    assert set(_cycles(graph)) == {("helpers.a", "helpers.b"), ("helpers.b", "helpers.c"), ("helpers.c", "helpers.a")}
