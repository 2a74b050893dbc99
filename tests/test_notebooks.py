"""The whole report executed once on a small synthetic sample (the ``executed_report`` fixture of
``conftest.py``), and what it must and must not produce. Nothing tracked is written.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from helpers import paths
from helpers.publish import runner as report

pytestmark = pytest.mark.notebook


def _outputs(nb_path):
    nb = nbformat.read(nb_path, as_version=4)
    return nb, [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _injected(nb) -> dict:
    """Papermill's injected parameters of an executed notebook, as ``{name: value}``."""
    cells = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    return report.parse_parameters(cells[0].source)


def test_every_notebook_has_one_parameters_cell():
    names = report.available()
    assert names[:4] == report.NOTEBOOKS[:4], "notebooks 01-04 must exist"
    for name in names:
        nb = nbformat.read(paths.NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, name


def test_every_notebook_ran_once_fully_without_errors(executed_report):
    root, executed = executed_report
    assert list(executed) == report.available()  # each once, in order
    for name, nb_path in executed.items():
        assert nb_path.parent == root / "reports"
        nb, outputs = _outputs(nb_path)
        errors = [f"{o.ename}: {o.evalue}" for o in outputs if o.output_type == "error"]
        assert not errors, f"{name}: {errors}"
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code" and c.source.strip()]
        assert all(counts), f"{name} is only partly executed"


def test_each_notebook_got_only_the_parameters_it_declares(executed_report):
    _, executed = executed_report
    declared = report.declared_parameters()
    for name, nb_path in executed.items():
        injected = _injected(nbformat.read(nb_path, as_version=4))
        assert set(injected) <= set(declared[name]), name
        assert injected["data_path"] == "synthetic" and injected["sample_rows"] == 3000, name
    assert "n_bootstrap" not in _injected(nbformat.read(executed["01_data_and_imbalance"], as_version=4))
    assert _injected(nbformat.read(executed["04_comparison"], as_version=4))["n_bootstrap"] == 100
    for name in executed:
        for optional in ("repeats", "scheme_repeats", "imbalance_repeats"):
            if optional in declared[name]:
                assert _injected(nbformat.read(executed[name], as_version=4))[optional] == 2, (name, optional)


def test_synthetic_runs_carry_the_banner(executed_report):
    _, executed = executed_report
    for name, nb_path in executed.items():
        assert "SYNTHETIC DATA" in json.dumps(_outputs(nb_path)[1]), name


def test_no_folder_of_this_machine_in_any_output(executed_report):
    import tempfile

    root, executed = executed_report
    folders = {str(paths.REPO_ROOT), str(root), str(Path.home()), tempfile.gettempdir()}
    for name, nb_path in executed.items():
        texts = [o.get("text", "") for o in _outputs(nb_path)[1]]  # streams; then what displays as text (no images)
        texts += [str(v) for o in _outputs(nb_path)[1] for mime, v in o.get("data", {}).items() if mime.startswith("text/")]
        texts += ["\n".join(o.get("traceback", [])) for o in _outputs(nb_path)[1]]
        found = [f for f in folders for t in texts if f in t]
        assert not found, (name, found)  # file names and project-relative paths only


def test_results_and_figures_are_written(executed_report):
    root, executed = executed_report
    folder = root / "results" / "stratified"
    records = [json.loads(p.read_text()) for p in (folder / "runs").glob("*.json")]
    by_model = {}
    for record in records:
        by_model.setdefault(record["model"], set()).add(record["seed"])
        assert 0 < record["threshold"] <= 1 and record["cache_key"]["data"] and record["cache_key"]["code"]
    if "04_comparison" in executed:  # repeats=2: both networks twice, seeds 42 and 43
        assert {42, 43} <= by_model["NumPy MLP"] and {42, 43} <= by_model["PyTorch MLP"]
        study = json.loads((folder / "summary_study.json").read_text())
        assert study["seeds"] == [42, 43] and study["conclusions"]
    meta = json.loads((root / "processed" / "stratified" / "meta.json").read_text())
    for family in ("network", "logistic", "boosting"):  # every model tuned on the training rows only
        tuned = json.loads((folder / f"tuning_{family}.json").read_text())
        assert tuned["rows"] == meta["balance"]["train"]["rows"]
    if "05_validation_schemes" in executed:  # every scheme prepared, tuned and run on its own rows
        schemes = json.loads((root / "results" / "summary_schemes.json").read_text())
        assert list(schemes["cells"]) == ["stratified", "grouped", "temporal", "original"]
        for scheme in schemes["cells"]:
            assert (root / "results" / scheme / "tuning_network.json").is_file()
    figures = root / "reports" / "figures"
    for name, nb_path in executed.items():
        saves = sum(c.source.count("save_fig(") for c in nbformat.read(nb_path, as_version=4).cells
                    if c.cell_type == "code")
        if saves:
            prefix = name[:3]
            assert [f for f in figures.glob(f"{prefix}*.png") if f.stat().st_size > 0], name
            assert [f for f in figures.glob(f"{prefix}*.pdf") if f.stat().st_size > 0], name


def test_nothing_tracked_is_written(executed_report):
    root, _ = executed_report
    before = json.loads((root / "tracked_before.json").read_text())
    after = json.loads((root / "tracked_after.json").read_text())
    assert before, "the snapshot saw no files"
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"a report run changed tracked files: {changed}"


def test_html_beside_every_notebook_and_pdf_export(executed_report, tmp_path):
    _, executed = executed_report
    for name, nb_path in executed.items():
        html = nb_path.with_suffix(".html")
        assert "<html" in html.read_text(encoding="utf-8")[:2000].lower(), name
    if shutil.which("xelatex") is None:
        if os.environ.get("CI"):
            pytest.fail("xelatex missing in CI: .ci/run must install texlive-xetex")
        pytest.skip("xelatex not installed (CI installs it)")
    first = executed[report.available()[0]]
    pdf = report.export([first], "pdf", no_input=True, out_dir=tmp_path)[0]
    assert pdf.read_bytes()[:4] == b"%PDF"


def test_publish_refuses_synthetic_data(monkeypatch, tmp_path):
    monkeypatch.delenv("NOSHOW_DATA", raising=False)
    import helpers.data.raw as raw_data

    monkeypatch.setattr(paths, "DATA_DIR", tmp_path)
    monkeypatch.setattr(raw_data.paths, "DATA_DIR", tmp_path)
    monkeypatch.setattr(report, "run_all", lambda *a, **k: pytest.fail("publish ran notebooks on synthetic data"))
    with pytest.warns(raw_data.SyntheticDataWarning), pytest.raises(SystemExit, match="real data"):
        report.publish({})
    with pytest.warns(raw_data.SyntheticDataWarning), pytest.raises(SystemExit, match="real data"):
        report.publish({"data_path": "synthetic"})


def test_every_figure_is_shown_in_its_own_section(executed_report):
    from tests.test_notebook_hygiene import misplaced_figures

    _, executed = executed_report
    for name, path in executed.items():
        assert misplaced_figures(nbformat.read(path, as_version=4)) == [], name
