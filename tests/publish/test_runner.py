"""The report runner: parameters (parsing, per-notebook filtering, refusals), wall times, failing
cells, cleaning for publication and the ``pdf`` command. Runs tiny stand-in notebooks, not the report.
"""

from __future__ import annotations

import argparse
import json

import nbformat
import pytest

from helpers import paths
from helpers.data import splits
from helpers.publish import runner as report


def _notebook(parameters_source: str, *cells: str):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(parameters_source, metadata={"tags": ["parameters"]}),
        *(nbformat.v4.new_code_cell(src) for src in cells),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture
def stand_ins(tmp_path, monkeypatch):
    """Three small notebooks under the report's names in a temporary ``notebooks/`` folder."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    progress = ("from tqdm import tqdm\nimport sys\n"
                "for _ in tqdm(range(30), desc='fit', file=sys.stderr, mininterval=0, miniters=1):\n    pass")
    books = {
        "01_data_and_imbalance": _notebook('split = "stratified"  # the split\nseed = 42\nfigures_dir = "figures"',
                                           "print('split is', split)"),
        "02_numpy_model": _notebook('split = "stratified"        # the split\nseed = 42\n'
                                    'hidden_layer_sizes = [64, 32]\nfigures_dir = "figures"', progress, "seed + 1"),
        "04_comparison": _notebook('split = "stratified"\nn_bootstrap = 1000  # resamples', "print(split, n_bootstrap)"),
    }
    for name, nb in books.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    monkeypatch.setattr(paths, "NOTEBOOKS_DIR", folder)
    return folder


# ------------------------------------------------------------------------------ parsing
def test_parameters_parse_like_papermill():
    args = argparse.Namespace(param=[["seed", "7"], ["data_path", "x.csv"], ["sample_rows", "None"],
                                     ["learning_rate", "1e-3"], ["verbose", "false"]],
                              yaml=["hidden_layer_sizes: [32, 16]"])
    assert report._parameters(args) == {"seed": 7, "data_path": "x.csv", "sample_rows": None, "learning_rate": 1e-3,
                                        "verbose": False, "hidden_layer_sizes": [32, 16]}
    with pytest.raises(report.ParameterError, match="YAML mapping"):
        report._parameters(argparse.Namespace(param=None, yaml=["[1, 2]"]))


def test_parameters_cell_gives_names_and_defaults():
    source = ('data_path = None            # raw file\nsplit = "stratified"\nseed: int = 42\n'
              'grid = {"a": [1, 2]}\nrate = 1e-3\nstamp = compute()  # not a literal\n\n# a comment\nimport os')
    declared = report.parse_parameters(source)
    assert list(declared) == ["data_path", "split", "seed", "grid", "rate", "stamp"]
    assert declared["data_path"] is None and declared["split"] == "stratified" and declared["seed"] == 42
    assert declared["grid"] == {"a": [1, 2]} and declared["rate"] == 1e-3
    report.validate_parameters({"stamp": object()}, {"nb": declared})  # an expression accepts anything


def test_committed_notebooks_declare_their_parameters():
    declared = report.declared_parameters()
    assert list(declared) == report.available()
    for name, params in declared.items():
        assert {"split", "seed", "data_path", "figures_dir"} <= set(params), name
    assert "n_bootstrap" in declared["04_comparison"] and "n_bootstrap" not in declared["01_data_and_imbalance"]


# ------------------------------------------------------------------------------ refusals
DECLARED = {
    "01": {"data_path": None, "split": "stratified", "seed": 42, "sample_rows": None, "verbose": True},
    "02": {"seed": 42, "learning_rate": 1e-3, "hidden_layer_sizes": [64, 32], "class_weight": None,
           "cv_grid": {"weight_decay": [0.0]}},
}


def test_unknown_parameter_is_refused_naming_it_and_the_valid_names():
    with pytest.raises(report.ParameterError) as info:
        report.validate_parameters({"seed": 1, "sead": 7}, DECLARED)
    message = str(info.value)
    assert "'sead'" in message and "Valid names" in message
    assert all(name in message for name in ("seed", "learning_rate", "sample_rows"))


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("seed", "abc", "int"),
    ("sample_rows", 1.5, "int or None"),
    ("split", 3, "str"),
    ("verbose", 1, "bool"),
    ("learning_rate", "fast", "float or int"),
    ("hidden_layer_sizes", 32, "list"),
    ("cv_grid", [1], "dict"),
    ("seed", None, "int"),
])
def test_wrong_type_is_refused_naming_parameter_type_and_value(name, value, expected):
    with pytest.raises(report.ParameterError) as info:
        report.validate_parameters({name: value}, DECLARED)
    message = str(info.value)
    assert f"'{name}'" in message and f"expects {expected}" in message and repr(value) in message


@pytest.mark.parametrize("parameters", [
    {"learning_rate": 1},                # an int where the default is a float
    {"class_weight": "balanced"},        # one of its choices
    {"class_weight": None},
    {"sample_rows": 5000},
    {"sample_rows": None},
    {"hidden_layer_sizes": [32, 16]},
    {"data_path": "synthetic", "split": "temporal", "verbose": False},
])
def test_fitting_values_are_accepted(parameters):
    report.validate_parameters(parameters, DECLARED)


def test_unknown_split_is_refused_with_the_allowed_ones_read_at_run_time(monkeypatch):
    with pytest.raises(report.ParameterError, match="unknown split 'weekly'.*stratified"):
        report.validate_parameters({"split": "weekly"}, DECLARED)
    monkeypatch.setattr(splits, "SPLIT_KINDS", (*splits.SPLIT_KINDS, "weekly"))
    report.validate_parameters({"split": "weekly"}, DECLARED)


def test_a_refused_parameter_stops_the_run_before_anything_executes(monkeypatch, capsys):
    monkeypatch.setattr(report, "execute", lambda *a, **k: pytest.fail("a notebook ran"))
    assert report.main(["run", "-p", "no_such_parameter", "1"]) == 2
    assert "no_such_parameter" in capsys.readouterr().err
    assert report.main(["run", "-p", "seed", "abc"]) == 2
    assert "'seed' expects int" in capsys.readouterr().err
    assert report.main(["publish", "-p", "split", "3"]) == 2
    assert "'split' expects str" in capsys.readouterr().err


# ----------------------------------------------------------------- running stand-in notebooks
def test_split_reaches_every_notebook_and_each_gets_only_its_parameters(stand_ins, tmp_path, capfd):
    out = tmp_path / "out"
    executed = report.run_all({"split": "temporal", "n_bootstrap": 5, "hidden_layer_sizes": [8]}, out)
    assert [p.name for p in executed] == [f"{n}.ipynb" for n in report.available()]
    injected = {}
    for path in executed:
        nb = nbformat.read(path, as_version=4)
        cell = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
        injected[path.stem] = report.parse_parameters(cell.source)
    assert all(params["split"] == "temporal" for params in injected.values())
    assert injected["04_comparison"] == {"split": "temporal", "n_bootstrap": 5}  # no figures_dir: not declared
    assert injected["02_numpy_model"]["hidden_layer_sizes"] == [8]
    assert "n_bootstrap" not in injected["01_data_and_imbalance"]
    assert injected["01_data_and_imbalance"]["figures_dir"] == paths.portable(out / "figures")
    printed = capfd.readouterr()
    assert "split is temporal" in json.dumps(nbformat.read(executed[0], as_version=4).cells[-1].outputs)
    assert "wall time per notebook" in printed.out and "total" in printed.out
    for name in report.available():
        assert f"{name} " in printed.out.split("wall time per notebook")[1]
    assert "without encryption" not in printed.out + printed.err  # the kernel transport warning

    # the same executed notebook, cleaned for publication
    staged = report.clean_for_publish(executed[1])
    nb = nbformat.read(staged, as_version=4)
    assert not [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    assert params[0].source.splitlines()[0] == 'split = "temporal"          # the split'  # comment column kept
    assert report.parse_parameters(params[0].source)["hidden_layer_sizes"] == [8]
    streams = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "stream"]
    assert len(streams) == 1 and "\r" not in streams[0].text
    assert streams[0].text.count("\n") == 1 and "30/30" in streams[0].text
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2, 3]
    assert nb.cells[-1].outputs[0]["execution_count"] == 3


def test_a_failing_cell_names_the_notebook_and_cell(tmp_path, monkeypatch):
    folder = tmp_path / "nbs"
    folder.mkdir()
    nbformat.write(_notebook("x = 1", "raise ValueError('boom in cell two')"), folder / "99_broken.ipynb")
    monkeypatch.setattr(paths, "NOTEBOOKS_DIR", folder)
    out = tmp_path / "out" / "99_broken.ipynb"
    with pytest.raises(report.NotebookFailed) as info:
        report.execute("99_broken", out, {"x": 2})
    message = str(info.value)
    assert "99_broken.ipynb" in message and "cell" in message and "boom in cell two" in message
    assert out.is_file()  # kept for inspection


# ------------------------------------------------------------------------ cleaning, offline
def test_fold_parameters_keeps_comments_and_appends_the_undeclared():
    source = 'split = "stratified"   # kind\ncv_grid = {"a": [1,\n           2]}  # grid\nseed = 42\n'
    folded = report.fold_parameters(source, '# Parameters\nsplit = "temporal"\ncv_grid = {"a": [3]}\nextra = 1\n')
    assert folded.splitlines() == ['split = "temporal"     # kind', 'cv_grid = {"a": [3]}  # grid', "seed = 42",
                                   "extra = 1"]
    long = report.fold_parameters("x = 1  # c", "x = 'a much longer value'")
    assert long == "x = 'a much longer value' # c"


def test_trim_progress_outputs_keeps_each_bars_final_line_and_other_outputs():
    outputs = [{"output_type": "stream", "name": "stderr", "text": f"\rfit: {i}/3"} for i in range(4)]
    outputs += [{"output_type": "stream", "name": "stderr", "text": "\n"},
                {"output_type": "stream", "name": "stdout", "text": "kept as is\n"},
                {"output_type": "stream", "name": "stderr", "text": ["\rcv: 0/2", "\rcv: 2/2\n"]},
                {"output_type": "display_data", "data": {"text/plain": "x"}, "metadata": {}}]
    trimmed = report.trim_progress_outputs(outputs)
    assert [o.get("text") for o in trimmed] == ["fit: 3/3\n", "kept as is\n", "cv: 2/2\n", None]


# -------------------------------------------------------------------------------- pdf command
def test_pdf_writes_the_combined_report_code_hidden_unless_asked(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ("01_data_and_imbalance", "02_numpy_model"):
        nbformat.write(_notebook("x = 1"), reports / f"{name}.ipynb")
    monkeypatch.setattr(paths, "REPORTS_DIR", reports)
    monkeypatch.setattr(report, "export", lambda notebooks, to, **kw: [])
    calls = []

    def fake_combined(notebooks, target, include_code=False):
        calls.append(([p.name for p in notebooks], target, include_code))
        return target

    monkeypatch.setattr(report, "combined_pdf", fake_combined)  # the runner's own name for it
    assert report.main(["pdf"]) == 0
    assert report.main(["pdf", "--with-code"]) == 0
    names = ["01_data_and_imbalance.ipynb", "02_numpy_model.ipynb"]
    assert calls == [(names, reports / "report.pdf", False), (names, reports / "report.pdf", True)]


def test_choices_and_split_lists_of_the_real_notebooks():
    declared = report.declared_parameters()
    for ok in ({"class_weight": None}, {"class_weight": "balanced"}, {"weight_decay": 1e-3},
               {"validation_schemes": ["grouped", "temporal"]}, {"repeats": 3}):
        report.validate_parameters(ok, declared)
    for bad, words in (({"class_weight": "weird"}, "must be one of"), ({"weight_decay": "x"}, "expects int or float"),
                       ({"validation_schemes": ["nope"]}, "must list split kinds"), ({"repeats": "3"}, "expects int")):
        with pytest.raises(report.ParameterError, match=words):
            report.validate_parameters(bad, declared)


def test_remove_stale_figures_keeps_what_this_publish_wrote(tmp_path):
    import os
    import time as _time

    old, new, other = tmp_path / "04_old.png", tmp_path / "04_new.png", tmp_path / "notes.txt"
    for f in (old, new, other):
        f.write_text("x")
    os.utime(old, (1_000_000, 1_000_000))
    os.utime(other, (1_000_000, 1_000_000))
    assert report.remove_stale_figures(tmp_path, _time.time() - 60) == ["04_old.png"]
    assert new.exists() and other.exists() and not old.exists()


def test_python_m_helpers_publish_is_the_runners_command_line(monkeypatch, capsys):
    import runpy
    import sys

    monkeypatch.setattr(sys, "argv", ["python -m helpers.publish", "--help"])
    with pytest.raises(SystemExit) as stop:
        runpy.run_module("helpers.publish", run_name="__main__", alter_sys=False)
    assert stop.value.code == 0
    assert "{run,publish,html,pdf}" in capsys.readouterr().out
