"""Export of executed notebooks: offline HTML, one PDF per notebook, and the whole report as one PDF.

``python -m helpers.publish html|pdf`` and ``make report`` call :func:`export`; ``make pdf`` also
calls :func:`combined_pdf` for ``reports/report.pdf``.

- HTML (nbconvert's ``lab`` template through ``templates/offline.html.j2``) loads nothing from the
  internet: no require.js, MathJax, widget manager or mermaid from a CDN; images stay embedded
  (base64). Widget views are removed before export (they cannot render without a kernel); notebooks
  show a static rendering beside every widget (:func:`helpers.compare.explorer.static_view`).
- PDF (LaTeX through ``templates/noshow_*.tex.j2``, then ``xelatex``): every image output is a
  numbered figure with a caption (the takeaway that follows it and the saved figure's name) and a
  short title for the list of figures (its section's heading, or its takeaway's leading statement:
  never a file name), pandoc pipe tables with a ``Table: caption`` line are typeset, captioned
  tables, long output lines wrap, and a glyph missing from the fonts fails the export
  (:class:`ExportError`) instead of vanishing.
- Both: progress bars keep only their final line (:func:`trim_progress`), whatever made the notebook.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat

from helpers import paths
from helpers.artifacts import atomic_write, cached_json

__all__ = [
    "TEMPLATES",
    "ExportError",
    "caption_figures",
    "combined_pdf",
    "export",
    "external_resources",
    "frame_markdown",
    "html_table_captions",
    "missing_glyphs",
    "report_facts",
    "tables_from_frames",
    "trim_progress",
    "trim_progress_outputs",
    "without_widgets",
]

#: The LaTeX / HTML templates of this package (``helpers/templates``).
TEMPLATES = Path(__file__).resolve().parent / "templates"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
IMAGE_TYPES = ("image/png", "image/jpeg", "application/pdf")
DEFAULT_TITLE = "NumPy from scratch vs PyTorch: predicting medical appointment no-shows"
_EXTERNAL = re.compile(r"<(script|link|img|iframe|audio|video|source)\b[^>]*?\b(src|href)\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)",
                       re.IGNORECASE)
_MISSING = re.compile(r"Missing character: There is no (\S+(?: \(U\+[0-9A-F]+\))?) in font ([^!]+?)!")
_RERUN = re.compile(r"Rerun to get|Label\(s\) may have changed|Table widths have changed|Rerun LaTeX")
_SAVE_FIG = re.compile(r"save_fig\(\s*[\w.\[\]'\"]+\s*,\s*f?[\"']([^\"']+)[\"']")
#: pandoc reads pipe tables up to this many characters wide at their natural width (wider ones wrap in cells)
PANDOC_COLUMNS = 100
_CAPTIONED_TABLE = re.compile(r"<table>((?:(?!<table\b).)*?)</table>\s*<p>Table:\s*(.*?)</p>", re.DOTALL)
_LONGTABLE = re.compile(r"\\begin\{longtable\}.*?\\end\{longtable\}", re.DOTALL)
_NUMBERED_TITLE = re.compile(r"^(#\s+)\d+\s*[·:.\-–—]\s*")


class ExportError(RuntimeError):
    """An export that would mislead a reader (missing glyphs, internet scripts) or a LaTeX failure."""


# ----------------------------------------------------------------------------- notebook edits
def without_widgets(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` without widget views (outputs) and widget state (metadata).

    A widget needs a live kernel; in HTML it would pull the widget manager from a CDN and in a PDF
    print its ``text/plain`` repr. Notebooks display a static view beside each widget instead.
    """
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if WIDGET_VIEW not in o.get("data", {})]
    return nb


def _text(output: dict) -> str:
    text = output.get("text", "")
    return "".join(text) if isinstance(text, list) else text


def _resolve_carriage_returns(text: str) -> str:
    """Each line as a terminal would leave it: the text after its last non-empty ``\\r`` segment."""
    out = []
    for line in text.split("\n"):
        segments = [s for s in line.split("\r") if s]
        out.append(segments[-1] if segments else "")
    return "\n".join(out)


def trim_progress_outputs(outputs: list[dict]) -> list[dict]:
    """Outputs with progress bars reduced to their final line.

    Consecutive stream outputs of one stream (papermill stores every tqdm refresh as its own
    ``\\r``-prefixed output) are merged; a line left unfinished that a later output of the same
    stream overwrites (``\\r`` first, after other outputs came between) is dropped; a stream that
    carries ``\\r`` updates keeps, for each bar, only its last state. Other outputs pass unchanged.
    Idempotent.

    Parameters
    ----------
    outputs : list of dict
        A code cell's outputs (nbformat v4 JSON or nodes).

    Returns
    -------
    list of dict
    """
    merged: list[dict] = []
    for out in outputs:
        if (out.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == out.get("name")):
            merged[-1] = {**merged[-1], "text": _text(merged[-1]) + _text(out)}
        else:
            merged.append(dict(out))
    open_line: dict[str, dict] = {}  # per stream: the output whose last line is unfinished
    for out in merged:
        if out.get("output_type") != "stream":
            continue
        text, name = _text(out), out.get("name")
        before = open_line.pop(name, None)
        if before is not None and text.startswith("\r"):  # it overwrites the unfinished line
            kept = _text(before).rsplit("\n", 1)
            before["text"] = kept[0] + "\n" if len(kept) == 2 else ""
        if text and not text.endswith("\n"):
            open_line[name] = out
    for out in merged:
        if out.get("output_type") == "stream" and "\r" in _text(out):
            lines = [line for line in _resolve_carriage_returns(_text(out)).split("\n") if line.strip()]
            out["text"] = "\n".join(lines) + "\n" if lines else ""
    return [o for o in merged if not (o.get("output_type") == "stream" and not _text(o))]


def trim_progress(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose code cells' progress bars are reduced to their final line (:func:`trim_progress_outputs`).

    The runner trims every notebook it executes; the exporters trim again, so that a notebook from any
    source (an older run, JupyterLab) exports without a progress bar's intermediate states.
    """
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.from_dict(o) for o in trim_progress_outputs(cell.get("outputs", []))]
    return nb


def _readable(nb_path) -> nbformat.NotebookNode:
    """The notebook at ``nb_path`` as every exporter starts from it: widgets dropped, progress bars trimmed."""
    return trim_progress(without_widgets(nbformat.read(nb_path, as_version=4)))


def _plain(markdown: str) -> str:
    """Markdown reduced to one line of plain text (no list markers, emphasis, code marks, links or HTML tags)."""
    text = re.sub(r"(?m)^\s*(?:[-+*]|\d+\.)\s+", "", markdown)  # list markers: a caption is prose
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"`+|\*{1,3}|(?<!\w)_{1,3}|_{1,3}(?!\w)", "", text)  # class_weight keeps its underscore
    text = re.sub(r"^\s*(Takeaway|Reading)\s*:\s*", "", " ".join(text.split()), flags=re.IGNORECASE)
    return text.strip()


def _first_sentences(text: str, limit: int = 320) -> str:
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z(])", text)
    caption = sentences[0]
    for more in sentences[1:]:
        if len(caption) >= 60 or len(caption) + len(more) > limit:
            break
        caption += " " + more
    caption = caption[:1].upper() + caption[1:]
    return caption if len(caption) <= limit else caption[: limit - 1].rsplit(" ", 1)[0] + "…"


def _markdown_after(cells: list, cell_index: int, output_index: int) -> str | None:
    """The first Markdown a reader meets after output ``output_index`` of cell ``cell_index``, if no heading comes first."""
    cell = cells[cell_index]
    for output in cell.get("outputs", [])[output_index + 1:]:
        if "text/markdown" in output.get("data", {}):
            return output["data"]["text/markdown"]
    for cell in cells[cell_index + 1:]:
        if cell.cell_type == "markdown":
            return None if cell.source.lstrip().startswith("#") else cell.source
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if IMAGE_TYPES[0] in output.get("data", {}):
                    return None  # another figure comes first
                if "text/markdown" in output.get("data", {}):
                    return output["data"]["text/markdown"]
    return None


def _short_title(text: str, limit: int = 100) -> str | None:
    """A takeaway's leading statement as a title: its first sentence, or that sentence up to its first
    ``;``, if it fits in ``limit`` characters, has four words or more and closes its brackets; else None.

    Never cut mid-phrase: a sentence that cannot be shortened at such a boundary gives no title.
    """
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z(])", " ".join(text.split()))[0]
    for candidate in (sentence, sentence.split(";", 1)[0]):
        candidate = candidate.strip().rstrip(".:,;").strip()
        if (len(candidate) <= limit and len(candidate.split()) >= 4
                and candidate.count("(") == candidate.count(")") and candidate.count("[") == candidate.count("]")):
            return candidate[:1].upper() + candidate[1:]
    return None


def _clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary (no ellipsis)."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0].rstrip(",;:")


def _heading_text(source: str) -> str | None:
    """The last Markdown heading of a cell, as plain text (its "NN ·" notebook number dropped)."""
    heads = [line for line in source.splitlines() if re.match(r"#{1,6}\s+\S", line.lstrip())]
    if not heads:
        return None
    text = _plain(re.sub(r"^#+\s*", "", heads[-1].strip()).rstrip("#").strip())
    return _NUMBERED_TITLE.sub("", "# " + text)[2:] if text else None


def caption_figures(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Give every image output a caption (``output.metadata['caption']``) and a short title for the
    list of figures (``['caption_short']``).

    The caption is the first sentence(s) of the Markdown that follows the figure (its takeaway), and
    the name the cell saved it under (``style.save_fig(fig, "name", ...)``, in order). The short title
    is never a file name: it is the heading of the section the figure sits in; where a section holds
    several figures, each takes its takeaway's leading statement (:func:`_short_title`) when all of
    them have a distinct one, else the heading numbered "— k of n". Edits ``nb`` in place.
    """
    figures = []  # (output, section heading, takeaway)
    heading = None
    for ci, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            heading = _heading_text(cell.source) or heading
            continue
        if cell.cell_type != "code":
            continue
        names = _SAVE_FIG.findall(cell.source)
        images = [(oi, o) for oi, o in enumerate(cell.get("outputs", [])) if any(t in o.get("data", {}) for t in IMAGE_TYPES)]
        for k, (oi, output) in enumerate(images):
            name = names[k] if k < len(names) else None
            after = _markdown_after(nb.cells, ci, oi)
            takeaway = _first_sentences(_plain(after)) if after and _plain(after) else ""
            if takeaway and name:
                caption = f"{takeaway} [{name}]"
            else:
                caption = takeaway or (name.replace("_", " ") if name else "")
            output.setdefault("metadata", {})["caption"] = caption
            figures.append((output, heading, _plain(after) if after else ""))
    sections: dict = {}
    for output, heading, takeaway in figures:
        sections.setdefault(heading, []).append((output, takeaway))
    for heading, members in sections.items():
        if len(members) == 1:
            output, takeaway = members[0]
            titles = [heading or _short_title(takeaway) or _clip(output.metadata["caption"], 100)]
        else:
            leads = [_short_title(takeaway) for _, takeaway in members]
            if all(leads) and len(set(leads)) == len(leads):
                titles = leads
            else:
                base = heading or "Figure"
                titles = [f"{base} — {k} of {len(members)}" for k in range(1, len(members) + 1)]
        for (output, _), title in zip(members, titles):
            output["metadata"]["caption_short"] = title
    return nb


class _FrameTable(HTMLParser):
    """Rows of header and body cells of the first pandas ``<table class="dataframe">`` in an HTML repr."""

    def __init__(self):
        super().__init__()
        self.head, self.body, self.spans = [], [], False
        self._section, self._row, self._cell, self._done = None, None, None, False

    def handle_starttag(self, tag, attrs):
        if self._done:
            return
        if tag in ("thead", "tbody"):
            self._section = tag
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []
            self.spans |= any(k in ("rowspan", "colspan") for k, _ in attrs)

    def handle_endtag(self, tag):
        if self._done:
            return
        if tag in ("th", "td") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            (self.head if self._section == "thead" else self.body).append(self._row)
            self._row = None
        elif tag == "table":
            self._done = True

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def frame_markdown(html: str) -> str | None:
    """A pandas DataFrame's HTML repr as a Markdown pipe table (None for MultiIndex / spanning cells)."""
    if 'class="dataframe"' not in html:
        return None
    parser = _FrameTable()
    parser.feed(html)
    if parser.spans or not parser.head or not parser.body:
        return None
    header = list(parser.head[0])
    if len(parser.head) == 2:  # pandas adds a row with the index name(s) under the column names
        names = parser.head[1]
        if len(names) != len(header) or any(a and b for a, b in zip(header, names)):
            return None
        header = [a or b for a, b in zip(header, names)]
    elif len(parser.head) > 2:
        return None
    if any(len(row) != len(header) for row in parser.body):
        return None

    def line(cells):
        return "| " + " | ".join(c.replace("|", "/") or " " for c in cells) + " |"

    # dashes as wide as each column's longest cell: pandoc sizes wide tables' columns by them
    widths = [max(3, *(len(row[i]) for row in [header, *parser.body])) for i in range(len(header))]
    return "\n".join([line(header), "|" + "|".join("-" * w for w in widths) + "|", *map(line, parser.body)])


def tables_from_frames(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Give every displayed DataFrame (HTML repr) a Markdown table, which LaTeX typesets instead of its text.

    The LaTeX exporter otherwise prints the frame's ``text/plain`` repr, wrapped with ``\\``
    continuation lines. Frames with a MultiIndex keep their text. Edits ``nb`` in place.
    """
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data", {})
            if "text/html" in data and "text/markdown" not in data and "text/latex" not in data:
                table = frame_markdown(data["text/html"])
                if table:
                    data["text/markdown"] = table
    return nb


# ----------------------------------------------------------------------------- checks
def external_resources(html: str) -> list[str]:
    """URLs that an HTML page would fetch from the network (scripts, stylesheets, images, frames)."""
    return [m.group(3) for m in _EXTERNAL.finditer(html)]


def missing_glyphs(log: str) -> list[str]:
    """Characters xelatex dropped, as ``"<char> (font)"``, from its log (``\\tracinglostchars``)."""
    seen: dict[str, None] = {}
    for char, font in _MISSING.findall(log):
        seen.setdefault(f"{char} ({''.join(font.split())})")
    return list(seen)


# ----------------------------------------------------------------------------- title page facts
def _git_commit() -> str:
    """Short hash of HEAD, with "(uncommitted changes)" when tracked files differ from it."""
    try:
        head = subprocess.run(["git", "-C", str(paths.REPO_ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(paths.REPO_ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{head} (uncommitted changes)" if dirty else head


def _data_source(nb: nbformat.NotebookNode) -> dict | None:
    """``{"source_name", "sha256", "synthetic"}`` of the data a notebook ran on, if it can be found.

    First ``nb.metadata["noshow"]["data"]`` (written by the runner), else ``meta.json`` of the
    prepared split named by papermill's parameters (``processed_dir``, ``split``).
    """
    recorded = nb.metadata.get("noshow", {}).get("data")
    if recorded and recorded.get("source_name"):
        return dict(recorded)
    params = nb.metadata.get("papermill", {}).get("parameters", {})
    folder = paths.resolve(params.get("processed_dir"), paths.PROCESSED_DIR) / params.get("split", "stratified")
    meta = cached_json(folder / "meta.json", check=lambda m: None if isinstance(m.get("source", {}), dict)
                       else "its source is not a mapping")  # damaged: moved aside with a warning
    if meta is not None:
        source = meta.get("source", {})
        return {k: source.get(k) for k in ("source_name", "sha256", "synthetic")}
    return None


def report_facts(notebooks: list[Path], title: str = DEFAULT_TITLE) -> dict:
    """What the title page states: title, data file name and sha256, execution date, commit.

    The date is the last papermill ``end_time`` among the notebooks (else today, UTC).
    """
    source, ends = None, []
    for nb_path in notebooks:
        nb = nbformat.read(nb_path, as_version=4)
        source = source or _data_source(nb)
        end = nb.metadata.get("papermill", {}).get("end_time")
        if end:
            ends.append(end)
    source = source or {}
    synthetic = bool(source.get("synthetic"))
    date = max(ends)[:10] if ends else dt.datetime.now(dt.timezone.utc).date().isoformat()
    return {
        "title": title,
        "data_name": source.get("source_name") or "unknown (no data record found)",
        "sha256": source.get("sha256") or ("none: generated synthetic data" if synthetic else "unknown"),
        "date": date,
        "commit": _git_commit(),
        "note": "SYNTHETIC DATA: these numbers are not findings." if synthetic else "",
        "chapters": "Notebooks: " + ", ".join(p.stem for p in notebooks),
    }


# ----------------------------------------------------------------------------- LaTeX
def _latex(nb: nbformat.NotebookNode, name: str, template: str, hide_code: bool, facts: dict,
           pandoc_args: list[str]) -> tuple[str, dict]:
    from nbconvert import LatexExporter

    exporter = LatexExporter(template_file=template, extra_template_paths=[str(TEMPLATES)])
    exporter.exclude_input = hide_code
    exporter.exclude_input_prompt = hide_code
    exporter.exclude_output_prompt = hide_code
    args = [f"--columns={PANDOC_COLUMNS}", *pandoc_args]
    resources = {"metadata": {"name": name}, "noshow": {**facts, "pandoc_args": args}}
    tex, resources = exporter.from_notebook_node(nb, resources=resources)
    return _LONGTABLE.sub(_number_captioned_only, tex), resources


def _number_captioned_only(match: re.Match) -> str:
    """longtable steps the table counter even without a caption: give it back, so numbers run 1, 2, 3."""
    block = match.group(0)
    return block if "\\caption" in block else block + "\n\\addtocounter{table}{-1}"


def _log_errors(log: str) -> str:
    lines = log.splitlines()
    hits = [i for i, line in enumerate(lines) if line.startswith("!")]
    return "\n".join("\n".join(lines[i:i + 3]) for i in hits[:3]) or "\n".join(lines[-15:])


def run_xelatex(tex: str, files: dict[str, bytes], texinputs: list[Path], name: str, min_runs: int = 1) -> bytes:
    """Compile ``tex`` with xelatex in a temporary folder (re-run while references settle).

    Raises
    ------
    ExportError
        xelatex missing or failing (with the log's error lines), or glyphs missing from the fonts.
    """
    if shutil.which("xelatex") is None:
        raise ExportError("xelatex not found: PDF export needs texlive-xetex, texlive-fonts-recommended, "
                          "texlive-plain-generic and pandoc (see README)")
    with tempfile.TemporaryDirectory(prefix="noshow-pdf-") as tmp:
        work = Path(tmp)
        (work / f"{name}.tex").write_text(tex, encoding="utf-8")
        for filename, data in files.items():
            (work / filename).parent.mkdir(parents=True, exist_ok=True)
            (work / filename).write_bytes(data)
        env = {**os.environ, "TEXINPUTS": os.pathsep.join([".", *(str(p) for p in texinputs), ""]),
               "max_print_line": "100000"}  # unwrapped log lines
        for run in range(1, 5):
            proc = subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
                                  cwd=work, env=env, capture_output=True, timeout=900)
            log_file = work / f"{name}.log"
            log = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
            if proc.returncode != 0:
                raise ExportError(f"xelatex failed on {name}.tex (run {run}):\n{_log_errors(log)}")
            if run >= min_runs and not _RERUN.search(log):
                break
        dropped = missing_glyphs(log)
        if dropped:
            raise ExportError(f"{name}.pdf would drop {len(dropped)} glyph(s) missing from its fonts: "
                              + ", ".join(dropped[:20]))
        return (work / f"{name}.pdf").read_bytes()


def _pdf_of(nb_path: Path, hide_code: bool) -> bytes:
    nb = tables_from_frames(caption_figures(_readable(nb_path)))
    tex, resources = _latex(nb, nb_path.stem, "noshow_notebook.tex.j2", hide_code, {}, [])
    return run_xelatex(tex, resources.get("outputs", {}), [nb_path.parent.resolve()], nb_path.stem)


def _chapter(nb: nbformat.NotebookNode, stem: str, number: int) -> list:
    """The notebook's cells with its first level-1 heading as the chapter title (its "NN ·" prefix dropped)."""
    cells = []
    titled = False
    for j, cell in enumerate(nb.cells):
        cell = copy.deepcopy(cell)
        cell.id = f"nb{number}-{j}"
        if cell.cell_type == "markdown" and not titled and cell.source.lstrip().startswith("# "):
            cell.source = _NUMBERED_TITLE.sub(r"\1", cell.source.lstrip(), count=1)
            titled = True
        cells.append(cell)
    if not titled:
        cells.insert(0, nbformat.v4.new_markdown_cell(f"# {stem.replace('_', ' ')}", id=f"nb{number}-title"))
    return cells


def combined_pdf(notebooks: list[Path], target: Path, include_code: bool = False,
                 title: str = DEFAULT_TITLE) -> Path:
    """The executed notebooks, in order, as the chapters of ONE PDF, written atomically to ``target``.

    Parameters
    ----------
    notebooks : list of Path
        Executed notebooks, in reading order; each becomes a chapter titled by its first ``#`` heading.
    target : Path
        The PDF to write (e.g. ``reports/report.pdf``).
    include_code : bool
        Keep the code cells (hidden by default: a report for readers).
    title : str
        The title page's title.

    Returns
    -------
    Path
        ``target``. The document has a title page (data file and sha256 from :func:`report_facts`,
        execution date, commit), a table of contents, lists of figures and tables, numbered figures
        (every image output, captioned by its takeaway) and numbered tables (pandoc pipe tables).

    Raises
    ------
    ExportError
        No notebooks, xelatex missing or failing, or a glyph missing from the fonts.
    """
    notebooks = [Path(p) for p in notebooks]
    if not notebooks:
        raise ExportError("combined_pdf needs at least one executed notebook")
    missing = [p.name for p in notebooks if not p.is_file()]
    if missing:
        raise ExportError(f"executed notebook(s) not found: {missing}")
    cells, first = [], None
    for number, nb_path in enumerate(notebooks, start=1):
        nb = tables_from_frames(caption_figures(_readable(nb_path)))
        first = first or nb
        cells += _chapter(nb, nb_path.stem, number)
    merged = nbformat.v4.new_notebook(cells=cells, metadata={k: first.metadata[k] for k in ("kernelspec", "language_info")
                                                             if k in first.metadata})
    facts = report_facts(notebooks, title)
    name = Path(target).stem
    tex, resources = _latex(merged, name, "noshow_report.tex.j2", not include_code, facts,
                            ["--top-level-division=chapter"])
    texinputs = list(dict.fromkeys(p.parent.resolve() for p in notebooks))
    pdf = run_xelatex(tex, resources.get("outputs", {}), texinputs, name, min_runs=2)
    atomic_write(Path(target), lambda fh: fh.write(pdf))
    print(f"[report] pdf: {paths.display_path(target)} ({len(notebooks)} chapters, commit {facts['commit']})", flush=True)
    return Path(target)


# ----------------------------------------------------------------------------- HTML
def html_table_captions(html: str) -> str:
    """Turn pandoc's ``Table: caption`` paragraph after a Markdown table into that table's ``<caption>``.

    In the PDF pandoc makes it a numbered caption; in HTML the paragraph would otherwise read as
    stray text under the table.
    """
    return _CAPTIONED_TABLE.sub(lambda m: f"<table><caption>{m.group(2)}</caption>{m.group(1)}</table>", html)


def _html_of(nb_path: Path, no_input: bool) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", template_file="offline.html.j2", extra_template_paths=[str(TEMPLATES)],
                            embed_images=True)
    exporter.exclude_input = no_input
    exporter.exclude_input_prompt = no_input
    exporter.exclude_output_prompt = no_input
    nb = _readable(nb_path)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": nb_path.stem,
                                                                       "path": str(nb_path.parent)}})
    body = html_table_captions(body)
    fetched = external_resources(body)
    if fetched:
        raise ExportError(f"{nb_path.name}: the HTML would fetch {fetched[:5]} from the internet")
    return body


def export(notebooks: list[Path], to: str, no_input: bool = False, out_dir: Path | None = None) -> list[Path]:
    """Export executed notebooks, one file each, into ``out_dir`` (default: beside each notebook).

    Parameters
    ----------
    notebooks : list of Path
        Executed notebooks.
    to : {"html", "pdf"}
        HTML that works offline, or a PDF through xelatex (numbered figures, typeset tables).
    no_input : bool
        Hide code cells and prompts.
    out_dir : Path, optional
        Output folder; created if missing.

    Returns
    -------
    list of Path
        The written files, each written atomically.
    """
    if to not in ("html", "pdf"):
        raise ValueError(f"export to 'html' or 'pdf', not {to!r}")
    written = []
    for nb_path in map(Path, notebooks):
        if not nb_path.is_file():
            raise ExportError(f"executed notebook not found: {paths.display_path(nb_path)}")
        target = Path(out_dir or nb_path.parent) / f"{nb_path.stem}.{to}"
        if to == "html":
            data = _html_of(nb_path, no_input).encode("utf-8")
        else:
            data = _pdf_of(nb_path, no_input)
        atomic_write(target, lambda fh, data=data: fh.write(data))
        written.append(target)
        print(f"[report] {to}: {paths.display_path(target)}", flush=True)
    return written
