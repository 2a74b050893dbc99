"""Run the report's notebooks in order, export them, and publish the real-data report.

Usage (``make report`` / ``make publish`` / ``make html`` / ``make pdf`` call these)::

    python -m helpers.report run      [-p NAME VALUE]... [-y YAML] [--splits stratified,original]
    python -m helpers.report publish  [-p NAME VALUE]...      # real data only; writes notebooks/ and figures/
    python -m helpers.report html     [--no-input] [--from reports|notebooks]
    python -m helpers.report pdf      [--no-input] [--from reports|notebooks]

``run`` executes notebooks 01-03 once per split (default: the stratified split and the week-1
report's ``original`` test rows), then notebook 04, with papermill, into ``reports/`` (git-ignored),
and exports each executed notebook to HTML there. It never writes a tracked file: figures go to
``reports/figures``. A failing cell is reported with the notebook's name and cell, and the failed
notebook is kept for inspection.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import yaml

from . import paths
from .export import export

PER_SPLIT = ["01_data_and_imbalance", "02_numpy_model", "03_pytorch_model"]
FINAL = ["04_comparison"]
#: Defaults for the secondary splits' notebooks (overridden by parameters passed explicitly).
SECONDARY_SPLIT_PARAMETERS = {"02_numpy_model": {"cv_folds": 0}}
DEFAULT_SPLITS = ["stratified", "original"]
#: Absolute locations that must never appear in a committed notebook.
MACHINE_PATH = re.compile(r"(/w[o]rk/|/t[m]p/[A-Za-z0-9_]|/r[o]ot/|/h[o]me/[a-z]|/U[s]ers/[A-Za-z]|[A-Z]:\\\\Users)")


class NotebookFailed(RuntimeError):
    """A notebook cell raised; the message names the notebook and the cell."""


def _parse_value(text: str):
    """A ``-p`` value typed as papermill does (int, float, bool, None, else string)."""
    if text.strip() in ("None", "none", "null", "~"):
        return None
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if isinstance(value, (int, float, bool, type(None), list, dict)) else text


def _parameters(args) -> dict:
    params: dict = {}
    for name, value in args.param or []:
        params[name] = _parse_value(value)
    for text in args.yaml or []:
        loaded = yaml.safe_load(text)
        if not isinstance(loaded, dict):
            raise SystemExit(f"-y expects a YAML mapping such as 'hidden_layer_sizes: [32, 16]', got {text!r}")
        params.update(loaded)
    return params


def available(names: list[str]) -> list[str]:
    """Those notebooks of ``names`` that exist in ``notebooks/``, in order."""
    return [n for n in names if (paths.NOTEBOOKS_DIR / f"{n}.ipynb").is_file()]


def _relativise_metadata(output: Path) -> None:
    """Replace papermill's absolute input/output paths in the notebook metadata by file names."""
    nb = json.loads(output.read_text(encoding="utf-8"))
    pm = nb.get("metadata", {}).get("papermill", {})
    for key in ("input_path", "output_path"):
        if pm.get(key):
            pm[key] = paths.display_path(pm[key])
    output.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def execute(name: str, output: Path, parameters: dict) -> Path:
    """Execute ``notebooks/<name>.ipynb`` into ``output`` with papermill.

    Raises
    ------
    NotebookFailed
        Naming the notebook, the failing cell and the error; the partial notebook stays at ``output``.
    """
    import papermill as pm

    source = paths.NOTEBOOKS_DIR / f"{name}.ipynb"
    output.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    print(f"[report] {name}: running ({', '.join(f'{k}={v}' for k, v in parameters.items())})", flush=True)
    try:
        pm.execute_notebook(
            str(source), str(output), parameters=parameters, cwd=str(paths.NOTEBOOKS_DIR),
            kernel_name="python3", progress_bar=False, log_output=False,
        )
    except pm.PapermillExecutionError as exc:
        raise NotebookFailed(
            f"notebook {name}.ipynb failed in cell {exc.cell_index} (execution count {exc.exec_count}): "
            f"{exc.ename}: {exc.evalue}\n  the partial notebook is kept at {paths.display_path(output)}"
        ) from None
    finally:
        if output.exists():
            _relativise_metadata(output)
    print(f"[report] {name}: done in {time.perf_counter() - started:.0f} s -> {paths.display_path(output)}", flush=True)
    return output


def run_all(parameters: dict, splits: list[str], out_dir: Path, figures_dir: str | None = None) -> list[Path]:
    """Notebooks 01-03 once per split, then 04; returns the executed notebooks.

    The main split's figures go to ``figures_dir`` (or a ``figures_dir`` parameter, else
    ``<out_dir>/figures/<split>``); the other splits' always to ``<out_dir>/figures/<split>``,
    so they never overwrite the main ones. Hyper-parameters are chosen once, on the main split:
    the other splits skip notebook 02's cross-validation unless ``cv_folds`` is passed.
    """
    base = dict(parameters)
    primary = splits[0]
    primary_figures = figures_dir or base.pop("figures_dir", None) or paths.portable(out_dir / "figures" / primary)

    def figures_for(split: str) -> str:
        return primary_figures if split == primary else paths.portable(out_dir / "figures" / split)

    executed = []
    for split in splits:
        params = {**base, "split": split, "figures_dir": figures_for(split)}
        folder = out_dir if split == primary else out_dir / split
        for name in available(PER_SPLIT):
            extra = SECONDARY_SPLIT_PARAMETERS.get(name, {}) if split != primary else {}
            executed.append(execute(name, folder / f"{name}.ipynb", {**extra, **params}))
    params = {**base, "split": primary, "compare_split": splits[1] if len(splits) > 1 else None,
              "figures_dir": primary_figures}
    for name in available(FINAL):
        executed.append(execute(name, out_dir / f"{name}.ipynb", params))
    return executed


def find_machine_paths(notebook: Path) -> list[str]:
    """Lines of a notebook that mention an absolute path of this machine."""
    return [line.strip()[:160] for line in notebook.read_text(encoding="utf-8").splitlines() if MACHINE_PATH.search(line)]


def publish(parameters: dict, splits: list[str]) -> None:
    """Execute on the real data into ``reports/publish`` and, if all succeed, copy into ``notebooks/``."""
    from .data import find_data

    source = find_data(parameters.get("data_path"))
    if source.is_synthetic:
        raise SystemExit(
            "publish needs the real data: put KaggleV2-May-2016.csv(.zip) into data/ or set NOSHOW_DATA "
            "(see data/README.md). The committed report never shows synthetic results."
        )
    staging = paths.REPORTS_DIR / "publish"
    if staging.exists():
        shutil.rmtree(staging)
    executed = run_all({**parameters, "sample_rows": None}, splits, staging, figures_dir="figures")
    committed = [nb for nb in executed if nb.parent == staging]
    leaks = {nb.name: find_machine_paths(nb) for nb in committed}
    leaks = {k: v for k, v in leaks.items() if v}
    if leaks:
        raise SystemExit(f"refusing to publish: absolute machine paths in outputs: {leaks}")
    for nb in committed:
        target = paths.NOTEBOOKS_DIR / nb.name
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(nb, tmp)
        os.replace(tmp, target)
        print(f"[report] published {paths.display_path(target)}", flush=True)
    export(committed, "html")  # into reports/publish, beside the staged copies
    update_readme(results_markdown(splits[0], seed=int(parameters.get("seed", 42))))


README_START, README_END = "<!-- results:start -->", "<!-- results:end -->"


def results_markdown(split: str = "stratified", n_resamples: int = 1000, seed: int = 42) -> str:
    """The README's results section, generated from the saved results of ``split``."""
    from .bench import load_bench
    from .comparison import SUMMARY_METRICS, load_all, with_intervals
    from .experiment import results_dir
    from .prepared import load_prepared
    from .tuning import best_setting, load_grid

    data = load_prepared(None, split)
    runs = load_all(None, split, data, seed)
    intervals = with_intervals(runs, data.y["test"], n_resamples=n_resamples, seed=seed)
    source = data.meta["source"]
    lines = [
        f"From `make publish` on `{source['source_name']}` (sha256 `{source['sha256'][:12]}...`), split "
        f"`{split}`: {len(data.y['test']):,} test rows, threshold tuned for F1 on validation, 95 % bootstrap "
        f"intervals ({n_resamples} resamples).",
        "",
        "| model | PR-AUC | ROC-AUC | F1 | precision | recall | threshold |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, ci in intervals.items():
        cell = {m: f"{ci[m]['estimate']:.3f} [{ci[m]['low']:.3f}, {ci[m]['high']:.3f}]" for m in SUMMARY_METRICS}
        lines.append(f"| {name} | {cell['pr_auc']} | {cell['roc_auc']} | {cell['f1']} | {ci['precision']['estimate']:.3f} "
                     f"| {ci['recall']['estimate']:.3f} | {runs[name][0]['threshold']:.3f} |")
    grid = load_grid(results_dir(None, split))
    if grid is not None:
        table, meta = grid
        best = best_setting(table, list(meta["grid"]))
        score = table.loc[table["rank"].idxmin(), "cv_pr_auc"]
        lines += ["", f"Hyper-parameters: of the {len(table)} settings in notebook 02's grid, {meta['folds']}-fold "
                  f"cross-validation on the {meta['rows']:,} training rows (no validation or test rows) ranks "
                  + ", ".join(f"`{k}={v!r}`" for k, v in best.items()) + f" first (mean PR-AUC {score:.4f}); "
                  "the networks above were trained with " + ", ".join(f"`{k}={v!r}`" for k, v in meta["used"].items())
                  + ".", "", "![cross-validation](figures/02_cv_grid.png)"]
    bench = load_bench()
    if bench is not None:
        lines += ["", "Speed and memory (`make bench`, fresh processes):", "", bench["summary_markdown"]]
    lines += ["", "![metrics](figures/04_metrics_with_ci.png)", "", "![curves](figures/04_pr_roc_curves.png)", "",
              "![confusion](figures/04_confusion_counts.png)", "", "![imbalance](figures/04_imbalance_study.png)"]
    if bench is not None:
        lines += ["", "![epoch vs batch](figures/04_bench_epoch_vs_batch.png)"]
    return "\n".join(lines)


def update_readme(markdown: str) -> None:
    """Replace the README's results section (between the markers), atomically."""
    readme = paths.REPO_ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    tmp = readme.with_name(".README.md.tmp")
    tmp.write_text(text[:start] + "\n" + markdown + "\n" + text[end:], encoding="utf-8")
    os.replace(tmp, readme)
    print("[report] README results section updated", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.report", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["run", "publish", "html", "pdf"])
    parser.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                        help="papermill parameter for every notebook (default: none)")
    parser.add_argument("-y", "--yaml", action="append", help="parameters as a YAML mapping (default: none)")
    parser.add_argument("--splits", default=",".join(DEFAULT_SPLITS),
                        help=f"comma-separated splits, the first is the main one (default: {','.join(DEFAULT_SPLITS)})")
    parser.add_argument("--out", default="reports", help="output folder for run (default: reports)")
    parser.add_argument("--from", dest="source", default="reports", choices=["reports", "notebooks"],
                        help="which executed notebooks html/pdf export (default: reports)")
    parser.add_argument("--no-input", action="store_true", help="hide code cells in html/pdf (default: shown)")
    args = parser.parse_args(argv)
    splits = [s.strip() for s in args.splits.split(",") if s.strip()]
    try:
        if args.command == "run":
            out = paths.resolve(args.out, paths.REPORTS_DIR)
            executed = run_all(_parameters(args), splits, out)
            export(executed, "html")
        elif args.command == "publish":
            publish(_parameters(args), splits)
        else:
            folder = paths.REPORTS_DIR if args.source == "reports" else paths.NOTEBOOKS_DIR
            notebooks = [folder / f"{n}.ipynb" for n in PER_SPLIT + FINAL if (folder / f"{n}.ipynb").is_file()]
            if not notebooks:
                raise SystemExit(f"no executed notebooks in {paths.display_path(folder)}: run `make report` first")
            out = None if folder == paths.REPORTS_DIR else paths.REPORTS_DIR / "export"
            export(notebooks, args.command, no_input=args.no_input, out_dir=out)
    except NotebookFailed as exc:
        print(f"[report] FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
