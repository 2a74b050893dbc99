"""What a reader of an exported document sees: no progress bar beyond its final line, a short title
(never a file name) for every figure in the list of figures, and section numbers apart from their
titles, checked in the PDF's text (pdftotext) of a small fabricated notebook (no kernel: seconds)."""

from __future__ import annotations

import base64
import io
import re

import matplotlib
import nbformat
import pytest

from helpers import style
from helpers.publish import export as ex
from helpers.publish import runner
from tests.publish.pdf_tools import need_xelatex, pdf_text

matplotlib.use("Agg")

#: a progress bar caught between its first and last state ("cross-validation:  5%|5  | 1/20")
UNFINISHED_BAR = re.compile(r"(?<!\d)(?!100%)\d{1,3}%\|")
#: a saved figure's file name ("01_rate_by_age") where a title should be
FILE_NAME = re.compile(r"\b\d\d_[a-z_]+\b")
SECTIONS = ["Setup", "Class balance", "Who misses appointments?", *(f"Topic number {n}" for n in range(4, 10)),
            "Explore the threshold", "Conclusions"]  # eleven: the tenth is numbered 1.10


def _bar(desc: str, total: int) -> list[dict]:
    """tqdm's refreshes as papermill stores them: one ``\\r``-prefixed stderr output each, then a newline."""
    states = [f"\r{desc}: {100 * i // total:3d}%|{'#' * (10 * i // total):<10}| {i}/{total} [00:0{i % 10}<00:00]"
              for i in range(total + 1)]
    return [{"output_type": "stream", "name": "stderr", "text": s} for s in states] + [
        {"output_type": "stream", "name": "stderr", "text": "\n"}]


def _figure_cell(name: str, title: str, figures_dir) -> nbformat.NotebookNode:
    """A code cell that drew and saved a figure (``style.save_fig``), with the figure as its output."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["show", "no-show"], [80, 20])
    ax.set_title(title)
    style.save_fig(fig, name, figures_dir, formats=("png",))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40)
    plt.close(fig)
    image = nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(buffer.getvalue()).decode(),
                                                         "text/plain": "<Figure size 300x200 with 1 Axes>"})
    return nbformat.v4.new_code_cell(f'fig = figures.draw()\nstyle.save_fig(fig, "{name}", figures_dir)\nplt.show()',
                                     outputs=[image])


def _notebook(folder) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_markdown_cell("# 04 · Export text sample\n\nA chapter with more than ten sections.")]
    for number, title in enumerate(SECTIONS, start=1):
        cells.append(nbformat.v4.new_markdown_cell(f"## {title}"))
        if number == 1:  # progress bars: refreshes, one interrupted by a print to stdout
            outputs = [*_bar("cross-validation", 20), *_bar("runs (stratified)", 4)[:3],
                       {"output_type": "stream", "name": "stdout", "text": "fold 1 done\n"},
                       *_bar("runs (stratified)", 4)[3:], *_bar("bootstrap", 10)]
            cells.append(nbformat.v4.new_code_cell("study.run(progress=True)",
                                                   outputs=[nbformat.from_dict(o) for o in outputs]))
        elif number == 2:  # one figure in its section: titled by the section
            cells += [_figure_cell("01_class_balance", "Appointments kept", folder),
                      nbformat.v4.new_markdown_cell("**Takeaway:** **20.19%** of the appointments are no-shows: "
                                                    "about one in 5. " + "A long explanation follows. " * 20)]
        elif number == 3:  # two figures in one section: each titled by its takeaway's leading statement
            for name, group, low, high in (("01_rate_by_lead_time", "lead time", "4.6%", "34.2%"),
                                           ("01_rate_by_age", "age", "15.0%", "24.6%")):
                cells += [_figure_cell(name, f"No-show rate by {group}", folder),
                          nbformat.v4.new_markdown_cell(f"**Takeaway:** by {group}, the no-show rate ranges from "
                                                        f"{low} to {high}; the groups overlap " + "widely " * 40)]
        else:
            cells.append(nbformat.v4.new_markdown_cell(f"Text of section {number}."))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exported_text")
    path = folder / "04_export_text.ipynb"
    nbformat.write(_notebook(folder / "figures"), path)
    return path


def _list_of_figures(text: str) -> str:
    return text.split("List of Figures", 1)[1].split("List of Tables", 1)[0]


def _no_unfinished_bars(text: str) -> None:
    assert not UNFINISHED_BAR.search(text), UNFINISHED_BAR.search(text).group(0)
    for desc in ("cross-validation", "runs (stratified)", "bootstrap"):
        assert len(re.findall(rf"{re.escape(desc)}:\s+100%\|", text)) == 1, desc  # its final line, once


def test_trimming_keeps_each_bars_final_line_even_across_other_output(sample):
    nb = ex.trim_progress(nbformat.read(sample, as_version=4))
    streams = [o for o in nb.cells[2].outputs]
    assert [(o.name, o.text) for o in streams] == [
        ("stderr", "cross-validation: 100%|##########| 20/20 [00:00<00:00]\n"),
        ("stdout", "fold 1 done\n"),
        ("stderr", ("runs (stratified): 100%|##########| 4/4 [00:04<00:00]\n"
                    "bootstrap: 100%|##########| 10/10 [00:00<00:00]\n"))]
    again = ex.trim_progress(nb)
    assert [o.text for o in again.cells[2].outputs] == [o.text for o in streams]  # idempotent


def test_html_export_shows_only_final_progress_lines(sample, tmp_path):
    html = ex.export([sample], "html", out_dir=tmp_path)[0].read_text(encoding="utf-8")
    _no_unfinished_bars(html)


def test_combined_pdf_reads_like_the_published_one(sample, tmp_path):
    need_xelatex()
    target = ex.combined_pdf([sample], tmp_path / "report.pdf", include_code=True)
    text = pdf_text(target)
    _no_unfinished_bars(text)
    figures = _list_of_figures(text)
    assert not FILE_NAME.search(figures), FILE_NAME.search(figures).group(0)
    assert "…" not in figures
    assert re.search(r"1\.1\s+Class balance", figures)  # alone in its section: the section's title
    assert re.search(r"1\.2\s+By lead time, the no-show rate ranges from 4\.6% to 34\.2%", figures)
    assert re.search(r"1\.3\s+By age, the no-show rate ranges from 15\.0% to 24\.6%", figures)
    contents = text.split("Contents", 1)[1].split("List of Figures", 1)[0]
    assert re.search(r"1\.10 +Explore the threshold", contents) and re.search(r"1\.11 +Conclusions", contents)
    assert not re.search(r"\b\d+\.\d+[A-Za-z]", contents), contents  # "4.10Explore the threshold"
    # below each figure: its takeaway, and the file it was saved as
    assert re.search(r"Figure 1\.1:\s+20\.19% of the appointments are no-shows: about one in 5\.", text)


def test_notebook_pdf_shows_only_final_progress_lines(sample, tmp_path):
    need_xelatex()
    text = pdf_text(ex.export([sample], "pdf", out_dir=tmp_path)[0])
    _no_unfinished_bars(text)
    assert re.search(r"Figure 1:\s+20\.19%", text)


def test_the_runner_trims_what_it_executes(tmp_path, monkeypatch):
    """An executed notebook in reports/ keeps each bar's final line, as a published one does."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    progress = ("from tqdm import tqdm\nimport sys\n"
                "for _ in tqdm(range(30), desc='cross-validation', file=sys.stderr, mininterval=0, miniters=1):\n"
                "    print('', end='', flush=True)")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("seed = 1", metadata={"tags": ["parameters"]}),
                                         nbformat.v4.new_code_cell(progress)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "99_progress.ipynb")
    monkeypatch.setattr(runner.paths, "NOTEBOOKS_DIR", folder)
    out = runner.execute("99_progress", tmp_path / "reports" / "99_progress.ipynb", {"seed": 2})
    streams = [o for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code"
               for o in c.outputs if o.output_type == "stream"]
    assert len(streams) == 1 and "\r" not in streams[0].text
    assert re.fullmatch(r"cross-validation: 100%\|\S+\| 30/30 \[[^\]]*\]\n", streams[0].text), streams[0].text
