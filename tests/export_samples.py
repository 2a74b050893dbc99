"""A small executed notebook for the export and browser tests: figures, captioned Markdown tables,
non-ASCII text, and the threshold explorer (static view and live widget).

It stands in for the full report where a test needs only the export's behaviour (seconds, not minutes).
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from helpers import paths

CELLS = [
    ("markdown", "# 99 · Export sample\n\nA notebook with every kind of output the report shows: ≤ 12 lines, × 2, → done."),
    ("code", "figures_dir = 'figures'  # replaced by the folder's own figures/ (parameters)", ["parameters"]),
    ("code", "import matplotlib.pyplot as plt\nimport numpy as np\nimport pandas as pd\n"
             "from IPython.display import Markdown, display\nfrom helpers import style, tables\nfrom helpers.compare import explorer"),
    ("markdown", "## Figures and tables"),
    ("code", "rng = np.random.default_rng(0)\ny = (rng.random(400) < 0.2).astype(int)\n"
             "probas = {'NumPy MLP': np.clip(0.3 * y + rng.random(400) * 0.7, 0, 1),\n"
             "          'PyTorch MLP': np.clip(0.25 * y + rng.random(400) * 0.75, 0, 1)}\n"
             "fig, ax = plt.subplots(figsize=(5, 3))\nax.hist(probas['NumPy MLP'], bins=20)\n"
             "style.save_fig(fig, 'sample_histogram', figures_dir)\nplt.show()\n"
             "Markdown(f'**Takeaway:** the sample holds {y.sum()} no-shows among {y.size} rows.')"),
    ("code", "frame = pd.DataFrame({'precision': [0.31234, 0.3291], 'recall': [0.765, 0.669], 'rows': [22105, 22105]},\n"
             "                     index=['NumPy MLP', 'PyTorch MLP'])\n"
             "tables.show(frame, caption='Sample metrics − rounded (≤ 3 decimals)')"),
    ("code", "frame.rename_axis('model').T  # a raw DataFrame: typeset as a table in the PDF too"),
    ("code", "print('progress 100% ██████████ 34/34 epochs; weight ≥ 0.5 → flagged')"),
    ("markdown", "## Threshold explorer"),
    ("code", "thresholds = {'NumPy MLP': 0.5, 'PyTorch MLP': 0.45}\n"
             "display(*explorer.static_view(y, probas, thresholds))\n"
             "explorer.threshold_explorer(y, probas, thresholds)"),
]


def sample_notebook(folder: Path, name: str = "99_export_sample") -> Path:
    """Write and execute the sample notebook into ``folder`` (figures under ``folder/figures``); returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    cells = []
    for kind, source, *tags in CELLS:
        if tags:  # figures go beside the notebook, never into the repository's figures/
            source = f"figures_dir = {str(folder / 'figures')!r}"
        if kind == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(source))
        else:
            cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": tags[0]} if tags else {}))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    env_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(paths.REPO_ROOT), env_path]))
    try:
        NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        if env_path is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = env_path
    target = folder / f"{name}.ipynb"
    nbformat.write(nb, target)
    return target
