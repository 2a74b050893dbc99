"""Export: offline HTML, per-notebook PDF and the combined report PDF, on a small executed notebook
(figures, captioned Markdown tables, non-ASCII text, the threshold explorer with its live widget)."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from helpers.publish import export as ex
from tests.export_samples import sample_notebook
from tests.publish.pdf_tools import need_xelatex, pdf_text

WIDGET_PLACEHOLDER = "A Jupyter widget could not be displayed"






@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_notebook(tmp_path_factory.mktemp("sample"))


def test_templates_ship_with_the_package():
    import tomllib
    from fnmatch import fnmatch

    patterns = tomllib.loads((ex.paths.REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["helpers.publish"]
    shipped = sorted(p.relative_to(ex.TEMPLATES.parent).as_posix() for p in ex.TEMPLATES.iterdir())
    assert {"templates/offline.html.j2", "templates/noshow_report.tex.j2", "templates/noshow_notebook.tex.j2"} <= set(shipped)
    assert all(any(fnmatch(f, pattern) for pattern in patterns) for f in shipped), (shipped, patterns)


# ----------------------------------------------------------------------------- HTML
def test_html_loads_nothing_from_the_internet_and_keeps_images(sample, tmp_path):
    raw = nbformat.read(sample, as_version=4)
    assert "widgets" in raw.metadata  # the widget state is there to be dropped
    html = ex.export([sample], "html", out_dir=tmp_path)[0].read_text(encoding="utf-8")
    assert ex.external_resources(html) == []
    assert "require.min.js" not in html and "mathjax" not in html.lower() and "embed-amd" not in html
    assert WIDGET_PLACEHOLDER not in html and "widget-view+json" not in html and "widget-state" not in html
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', html)) == 1
    assert "reminders per catch" in html  # the static view, as a real table with its caption
    assert "<caption>Sample metrics − rounded (≤ 3 decimals)</caption>" in html and "<p>Table:" not in html
    assert "live" in html and "JupyterLab" in html


def test_the_stock_template_would_fetch_scripts(sample):
    """The check above can fail: nbconvert's own lab template loads require.js (and widgets) from a CDN."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_filename(str(sample))
    fetched = ex.external_resources(body)
    assert any("require" in url for url in fetched), fetched


def test_external_resources_finds_scripts_styles_and_images():
    page = ('<script src="https://cdn.example/x.js"></script><link rel="stylesheet" href="//cdn.example/y.css">'
            '<img src="http://example.org/z.png"><img src="data:image/png;base64,AAAA"><a href="https://kaggle.com">k</a>'
            "<script>var u = 'https://not.loaded';</script>")
    assert ex.external_resources(page) == ["https://cdn.example/x.js", "//cdn.example/y.css", "http://example.org/z.png"]


def test_table_captions_move_into_their_tables():
    page = ("<table>\n<thead><tr><th>a</th></tr></thead></table>\n<p>Table: Metrics (test split)</p>"
            "<table><tr><td>1</td></tr></table><p>Other text</p>")
    out = ex.html_table_captions(page)
    assert out.startswith("<table><caption>Metrics (test split)</caption>\n<thead>")
    assert "<p>Table:" not in out and out.endswith("<table><tr><td>1</td></tr></table><p>Other text</p>")


def test_displayed_frames_become_markdown_tables_for_latex():
    import pandas as pd

    frame = pd.DataFrame({"rows": [1399, 201], "rate": [0.2087, 0.209]}, index=pd.Index(["train", "val"], name="part"))
    assert ex.frame_markdown(frame._repr_html_()).splitlines() == [
        "| part | rows | rate |", "|-----|----|------|", "| train | 1399 | 0.2087 |", "| val | 201 | 0.2090 |"]
    two_level = frame.set_index("rows", append=True)
    assert ex.frame_markdown(two_level._repr_html_()).splitlines()[0] == "| part | rows | rate |"
    spanning = pd.DataFrame({"v": [1, 2, 3]}, index=pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1)]))
    assert ex.frame_markdown(spanning._repr_html_()) is None  # rowspans: keep the text repr
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("frame", outputs=[nbformat.v4.new_output(
        "execute_result", data={"text/html": frame._repr_html_(), "text/plain": repr(frame)}, execution_count=1)])])
    assert ex.tables_from_frames(nb).cells[0].outputs[0].data["text/markdown"].startswith("| part |")


def test_without_widgets_drops_views_and_state(sample):
    nb = ex.without_widgets(nbformat.read(sample, as_version=4))
    text = json.dumps(nb)
    assert "widget-view+json" not in text and "widgets" not in nb.metadata
    assert "reminders per catch" in text  # the static view stays


def test_export_rejects_unknown_formats_and_missing_files(sample, tmp_path):
    with pytest.raises(ValueError, match="'html' or 'pdf'"):
        ex.export([sample], "docx")
    with pytest.raises(ex.ExportError, match="not found"):
        ex.export([tmp_path / "nope.ipynb"], "html")


# ----------------------------------------------------------------------------- captions and facts
def _figure_notebook(next_markdown: str) -> nbformat.NotebookNode:
    image = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("fig = figures.rate_by(x)\nstyle.save_fig(fig, '01_rate_by_age', figures_dir)\nplt.show()",
                                  outputs=[image]),
        nbformat.v4.new_markdown_cell(next_markdown),
    ])


def test_a_figure_is_captioned_by_its_takeaway_and_name():
    nb = ex.caption_figures(_figure_notebook("**Takeaway:** by age, the rate ranges from 9% to 25%. More text follows."))
    meta = nb.cells[0].outputs[0].metadata
    assert meta["caption"] == "By age, the rate ranges from 9% to 25%. More text follows. [01_rate_by_age]"
    assert meta["caption_short"] == "By age, the rate ranges from 9% to 25%"  # the takeaway's leading statement
    listed = ex.caption_figures(_figure_notebook("- At batch 64 a step takes 0.97 ms and more words here.\n- Second."))
    assert listed.cells[0].outputs[0].metadata["caption"].startswith("At batch 64 a step takes 0.97 ms")
    headed = ex.caption_figures(_figure_notebook("## Next section"))  # a heading is no takeaway
    assert headed.cells[0].outputs[0].metadata["caption"] == "01 rate by age"


def test_title_page_facts_come_from_the_prepared_split(tmp_path, monkeypatch):
    meta = {"source": {"source_name": "KaggleV2-May-2016.csv.zip", "sha256": "ab" * 32, "synthetic": False}}
    (tmp_path / "processed" / "original").mkdir(parents=True)
    (tmp_path / "processed" / "original" / "meta.json").write_text(json.dumps(meta))
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"parameters": {"processed_dir": str(tmp_path / "processed"), "split": "original"},
                                "end_time": "2026-11-26T20:31:16.804965+00:00"}
    path = tmp_path / "01.ipynb"
    nbformat.write(nb, path)
    facts = ex.report_facts([path])
    assert facts["data_name"] == "KaggleV2-May-2016.csv.zip" and facts["sha256"] == "ab" * 32
    assert facts["date"] == "2026-11-26" and facts["note"] == ""
    assert re.fullmatch(r"[0-9a-f]{7,12}( \(uncommitted changes\))?|unknown \(not a git checkout\)", facts["commit"])
    # a record in the notebook's metadata wins over meta.json
    nb.metadata["noshow"] = {"data": {"source_name": "synthetic", "sha256": None, "synthetic": True}}
    nbformat.write(nb, path)
    facts = ex.report_facts([path])
    assert facts["data_name"] == "synthetic" and "synthetic" in facts["sha256"] and "SYNTHETIC" in facts["note"]


def test_missing_glyphs_are_read_from_the_log():
    log = ("Missing character: There is no 漢 (U+6F22) in font DejaVu Serif/OT:script=latn;language=dflt;!\n"
           "Missing character: There is no 漢 (U+6F22) in font DejaVu Serif/OT:script=latn;language=dflt;!\n")
    assert ex.missing_glyphs(log) == ["漢 (U+6F22) (DejaVuSerif/OT:script=latn;language=dflt;)"]
    wrapped = "Missing character: There is no 無 (U+7121) in font DejaVu Serif/OT:script=latn;l\nanguage=dflt;!"
    assert ex.missing_glyphs(wrapped) == ["無 (U+7121) (DejaVuSerif/OT:script=latn;language=dflt;)"]
    assert ex.missing_glyphs("Overfull \\hbox") == []


# ----------------------------------------------------------------------------- PDF
def test_notebook_pdf_has_numbered_figures_and_typeset_tables(sample, tmp_path):
    need_xelatex()
    pdf = ex.export([sample], "pdf", no_input=True, out_dir=tmp_path)[0]
    assert pdf.read_bytes()[:4] == b"%PDF"
    text = pdf_text(pdf)
    assert re.search(r"Figure 1:\s+The sample holds \d+ no-shows among 400 rows", text)
    assert "Table 1: Sample metrics − rounded (≤ 3 decimals)" in text
    assert re.search(r"NumPy MLP\s+0\.312\s+0\.765\s+22,105", text)  # a table row, cells in columns
    assert re.search(r"recall\s+0\.765\d*\s+0\.669", text)  # the raw DataFrame, typeset as a table
    assert "█" in text and "≥ 0.5 → flagged" in text  # no glyph dropped
    assert "style.save_fig" not in text  # code hidden with no_input


def test_combined_pdf_is_one_document_with_chapters_contents_and_numbering(sample, tmp_path):
    need_xelatex()
    second = tmp_path / "98_second.ipynb"
    nb = nbformat.read(sample, as_version=4)
    nb.cells[0].source = "# 98 · Second chapter\n\nThe second notebook."
    nbformat.write(nb, second)
    target = tmp_path / "out" / "report.pdf"
    assert ex.combined_pdf([sample, second], target) == target
    text = pdf_text(target)
    assert "Contents" in text and "List of Figures" in text and "List of Tables" in text
    assert re.search(r"1\s+Export sample", text) and re.search(r"2\s+Second chapter", text)
    assert "99 · Export sample" not in text  # the notebook number became the chapter number
    for label in ("Figure 1.1:", "Figure 2.1:", "Table 1.1:", "Table 1.2:", "Table 2.1:", "Table 2.2:"):
        assert label in text, label
    assert "Table 1.3:" not in text  # the uncaptioned (raw DataFrame) table takes no number
    assert re.search(r"commit\s+[0-9a-f]{7}", text) and "sha256" in text and "executed" in text
    assert "style.save_fig" not in text and "import matplotlib" not in text  # code hidden by default
    assert not [p for p in target.parent.iterdir() if p.name != "report.pdf"]  # nothing left beside it

    with_code = ex.combined_pdf([sample], tmp_path / "with_code.pdf", include_code=True)
    assert "style.save_fig" in pdf_text(with_code)


def test_a_missing_glyph_fails_the_export_and_writes_nothing(sample, tmp_path):
    need_xelatex()
    nb = nbformat.read(sample, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("No-show in Japanese: 無断キャンセル"))
    broken = tmp_path / "97_glyphs.ipynb"
    nbformat.write(nb, broken)
    target = tmp_path / "report.pdf"
    with pytest.raises(ex.ExportError, match=r"glyph.*無"):
        ex.combined_pdf([broken], target)
    assert not target.exists()
