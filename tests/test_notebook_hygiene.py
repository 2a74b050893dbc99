"""The committed notebooks as readers meet them: one parameters cell, thin code cells, no raw
placeholders, no errors, fully executed or fully cleared, and no path of the machine they ran on.

These read the files in ``notebooks/`` only (nothing is executed).
"""

from __future__ import annotations

import io
import re
import tokenize

import nbformat
import pytest

from helpers import paths
from helpers.publish.runner import MACHINE_PATH

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
MAX_CODE_LINES = 12
#: ``{name}``, ``{x:.3f}``, ``{row['f1']}``, ``{value!r}``: an f-string field that was never formatted.
PLACEHOLDER = re.compile(r"\{[A-Za-z_][\w.]*(?:\[[^\]{}]*\])*(?:![rsa])?(?::[^{}\s]*)?\}")
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.DOTALL)
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)


def _read(path):
    return nbformat.read(path, as_version=4)


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _is_parameters(cell) -> bool:
    return "parameters" in cell.get("metadata", {}).get("tags", [])


def misplaced_figures(nb) -> list[str]:
    """Code cells whose images are not the figures they save: a figure shown away from its section.

    Every figure is saved through ``plots.save_fig`` in the cell that shows it, so a cell shows
    exactly as many images as it has ``save_fig`` calls; a cell with a loop saves as many as the
    loop draws, so it needs a ``save_fig`` call and nothing more.
    """
    bad = []
    for cell in _code_cells(nb):
        images = sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
        saves = cell.source.count("save_fig(")
        looped = "for " in cell.source and saves > 0
        if images != saves and not looped:
            bad.append(f"{cell.source.splitlines()[0][:70]!r}: {images} image(s), {saves} save_fig call(s)")
    return bad


def placeholders(markdown: str) -> list[str]:
    """Unformatted ``{...}`` fields in Markdown text, outside LaTeX math and code."""
    return PLACEHOLDER.findall(_CODE.sub(" ", _MATH.sub(" ", markdown)))


def keyword_lines(source: str, keyword: str) -> list[int]:
    """Line numbers (1-based) where ``keyword`` is used as a Python keyword (not in strings or comments)."""
    lines = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        return [tok.start[0] for tok in tokenize.generate_tokens(io.StringIO(lines).readline)
                if tok.type == tokenize.NAME and tok.string == keyword]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [i for i, line in enumerate(lines.splitlines(), 1) if re.match(rf"\s*{keyword}\b", line.split("#")[0])]


def test_there_are_notebooks():
    assert NOTEBOOKS, f"no notebooks in {paths.display_path(paths.NOTEBOOKS_DIR)}"


# ----------------------------------------------------------------- the checks themselves can fail
def test_placeholder_pattern_finds_raw_fields_only():
    assert placeholders("{n} resamples, F1 {f1:.3f}, {row['f1']:.2%}, {value!r}") == [
        "{n}", "{f1:.3f}", "{row['f1']:.2%}", "{value!r}"]
    assert placeholders("sets {no class weight, balanced} x {0.5, tuned}; $\\frac{a}{b}$; `f'{x}'`") == []


def test_keyword_finder_ignores_strings_and_comments():
    assert keyword_lines("x = 1\nif x:\n    raise ValueError('no')", "raise") == [3]
    assert keyword_lines("print('raise the threshold')  # raise", "raise") == []


# ----------------------------------------------------------------- the committed notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exactly_one_parameters_cell(path):
    tagged = [c for c in _read(path).cells if _is_parameters(c)]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters'"
    assert tagged[0].cell_type == "code", f"{path.name}: the 'parameters' cell is not a code cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_unformatted_placeholder_in_markdown(path):
    found = {i: placeholders(c.source) for i, c in enumerate(_read(path).cells) if c.cell_type == "markdown"}
    found = {i: p for i, p in found.items() if p}
    assert not found, f"{path.name}: raw {{...}} placeholders in markdown cells (cell index: fields) {found}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_cells_are_short(path):
    long = {i: len(c.source.strip().splitlines()) for i, c in enumerate(_read(path).cells)
            if c.cell_type == "code" and not _is_parameters(c) and len(c.source.strip().splitlines()) > MAX_CODE_LINES}
    assert not long, f"{path.name}: code cells over {MAX_CODE_LINES} lines (cell index: lines) {long}"


@pytest.mark.parametrize("keyword", ["raise", "def"])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_raise_or_def_in_code_cells(path, keyword):
    found = {i: keyword_lines(c.source, keyword) for i, c in enumerate(_read(path).cells) if c.cell_type == "code"}
    found = {i: lines for i, lines in found.items() if lines}
    assert not found, f"{path.name}: `{keyword}` in code cells (cell index: lines) {found}; it belongs in helpers/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_error_outputs(path):
    errors = {i: [f"{o.ename}: {o.evalue}" for o in c.get("outputs", []) if o.output_type == "error"]
              for i, c in enumerate(_code_cells(_read(path)))}
    errors = {i: e for i, e in errors.items() if e}
    assert not errors, f"{path.name}: error outputs (code cell: error) {errors}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_fully_executed_or_fully_cleared(path):
    cells = [c for c in _code_cells(_read(path)) if c.source.strip()]
    counts = [c.execution_count for c in cells]
    if all(n is None for n in counts):
        with_outputs = [i for i, c in enumerate(cells) if c.get("outputs")]
        assert not with_outputs, f"{path.name}: cleared execution counts but outputs in code cells {with_outputs}"
        return
    missing = [i for i, n in enumerate(counts) if n is None]
    assert not missing, f"{path.name}: partly executed, code cells {missing} (of {len(cells)}) never ran"
    assert counts == sorted(counts) and len(set(counts)) == len(counts), \
        f"{path.name}: execution counts {counts} are not one run from top to bottom"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_absolute_machine_path(path):
    leaks = [line.strip()[:120] for line in path.read_text(encoding="utf-8").splitlines() if MACHINE_PATH.search(line)]
    assert not leaks, f"{path.name}: absolute paths of a machine: {leaks[:5]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_is_shown_where_it_is_saved(path):
    assert misplaced_figures(_read(path)) == []
