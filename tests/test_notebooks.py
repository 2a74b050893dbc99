"""The notebooks executed end to end with papermill on a small synthetic sample, and their export.

One module-scoped run of the whole report (notebooks 01-03 on two splits, then 04) into a
temporary folder; the tests then read what it produced. Nothing tracked is written.
"""

from __future__ import annotations

import json
import os
import shutil

import nbformat
import pytest

from helpers import paths, report

pytestmark = pytest.mark.notebook
NOTEBOOKS = report.PER_SPLIT + report.FINAL


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    params = {
        "sample_rows": 3000,
        "processed_dir": str(root / "processed"),
        "results_dir": str(root / "results"),
        "n_bootstrap": 200,
        "data_path": "synthetic",  # the embedded default, even where data/ holds the real file
    }
    before = _snapshot()
    # no real file: the embedded synthetic default must carry the whole report
    env_before = os.environ.pop("NOSHOW_DATA", None)
    try:
        notebooks = report.run_all(params, ["stratified", "original"], root / "reports")
    finally:
        if env_before is not None:
            os.environ["NOSHOW_DATA"] = env_before
    _SNAPSHOTS["before"], _SNAPSHOTS["after"] = before, _snapshot()
    return root, notebooks


_SNAPSHOTS: dict = {}


def _snapshot() -> dict:
    """Content hashes of the files a report run must never touch (notebooks, figures, README)."""
    import hashlib

    files = [*paths.NOTEBOOKS_DIR.glob("*.ipynb"), *paths.FIGURES_DIR.glob("*"), paths.REPO_ROOT / "README.md"]
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.is_file()}


def _outputs(nb_path):
    nb = nbformat.read(nb_path, as_version=4)
    return nb, [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def test_every_notebook_has_a_parameters_cell():
    for name in NOTEBOOKS:
        nb = nbformat.read(paths.NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, name


def test_all_notebooks_run_without_errors(executed):
    root, notebooks = executed
    assert len(notebooks) == 2 * len(report.PER_SPLIT) + len(report.FINAL)
    for nb_path in notebooks:
        nb, outputs = _outputs(nb_path)
        assert not [o for o in outputs if o.output_type == "error"], nb_path.name
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code" and c.source.strip()]
        assert all(counts), f"{nb_path.name} is only partly executed"


def test_synthetic_runs_carry_the_banner(executed):
    _, notebooks = executed
    for nb_path in notebooks:
        text = json.dumps(_outputs(nb_path)[1])
        assert "SYNTHETIC DATA" in text, nb_path.name


def test_results_and_figures_are_written(executed):
    root, _ = executed
    for split in ("stratified", "original"):
        folder = root / "results" / split
        for stem in ("numpy", "torch"):
            record = json.loads((folder / f"{stem}.json").read_text())
            assert record["data"]["synthetic"] is True
            assert 0 < record["threshold"] < 1
            assert (folder / f"{stem}_proba.npz").is_file()
    # the hyper-parameters are cross-validated once, on the main split's training rows
    grid = json.loads((root / "results" / "stratified" / "cv_grid.json").read_text())
    meta = json.loads((root / "processed" / "stratified" / "meta.json").read_text())
    assert grid["rows"] == meta["balance"]["train"]["rows"]  # training rows only, never val or test
    assert len(grid["table"]) == 12 and {r["rank"] for r in grid["table"]} >= {1}
    assert grid["used"] == {"weight_decay": 1e-3, "class_weight": None}
    assert not (root / "results" / "original" / "cv_grid.json").exists()
    figures = root / "reports" / "figures" / "stratified"
    for name in ("01_class_balance", "02_cv_grid", "02_training_curves", "03_training_curves", "04_confusion_counts",
                 "04_pr_roc_curves", "04_imbalance_study"):
        assert (figures / f"{name}.png").stat().st_size > 0, name
        assert (figures / f"{name}.pdf").stat().st_size > 0, name


def test_nothing_tracked_is_written(executed):
    assert _SNAPSHOTS["before"] == _SNAPSHOTS["after"]
    assert _SNAPSHOTS["before"], "the snapshot saw no files"


def test_html_and_pdf_export(executed, tmp_path):
    _, notebooks = executed
    first = notebooks[0]
    html = report.export([first], "html", out_dir=tmp_path)[0]
    assert "<html" in html.read_text(encoding="utf-8")[:2000].lower()
    if shutil.which("xelatex") is None:
        if os.environ.get("CI"):
            pytest.fail("xelatex missing in CI: .ci/run must install texlive-xetex")
        pytest.skip("xelatex not installed (CI installs it)")
    pdf = report.export([first], "pdf", no_input=True, out_dir=tmp_path)[0]
    assert pdf.read_bytes()[:4] == b"%PDF"


def test_a_failing_cell_names_the_notebook_and_cell(tmp_path, monkeypatch):
    broken = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("raise ValueError('boom in cell two')"),
    ])
    broken.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder = tmp_path / "nbs"
    folder.mkdir()
    nbformat.write(broken, folder / "99_broken.ipynb")
    monkeypatch.setattr(paths, "NOTEBOOKS_DIR", folder)
    out = tmp_path / "out" / "99_broken.ipynb"
    with pytest.raises(report.NotebookFailed) as info:
        report.execute("99_broken", out, {"x": 2})
    message = str(info.value)
    assert "99_broken.ipynb" in message and "cell" in message and "boom in cell two" in message
    assert out.is_file()  # kept for inspection


def test_parameters_parse_like_papermill():
    args = report.argparse.Namespace(param=[["seed", "7"], ["data_path", "x.csv"], ["sample_rows", "None"]],
                                      yaml=["hidden_layer_sizes: [32, 16]"])
    assert report._parameters(args) == {"seed": 7, "data_path": "x.csv", "sample_rows": None,
                                        "hidden_layer_sizes": [32, 16]}


def test_publish_refuses_synthetic_data(monkeypatch, tmp_path):
    monkeypatch.delenv("NOSHOW_DATA", raising=False)
    monkeypatch.setattr(paths, "DATA_DIR", tmp_path)
    import helpers.data as raw_data

    monkeypatch.setattr(raw_data.paths, "DATA_DIR", tmp_path)
    with pytest.warns(raw_data.SyntheticDataWarning), pytest.raises(SystemExit, match="real data"):
        report.publish({}, ["stratified"])
