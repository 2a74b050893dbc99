"""Export of executed notebooks to HTML and PDF (nbconvert).

``python -m helpers.report html|pdf`` and ``make report`` call :func:`export`.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import paths

__all__ = ["export"]


def export(notebooks: list[Path], to: str, no_input: bool = False, out_dir: Path | None = None) -> list[Path]:
    """Export executed notebooks with nbconvert (``html`` or ``pdf``) into ``out_dir`` (default: beside each)."""
    from nbconvert import HTMLExporter, PDFExporter

    exporter = HTMLExporter() if to == "html" else PDFExporter()
    exporter.exclude_input = no_input
    exporter.exclude_input_prompt = no_input
    exporter.exclude_output_prompt = no_input
    written = []
    for nb_path in notebooks:
        body, _ = exporter.from_filename(str(nb_path), resources={"metadata": {"path": str(nb_path.parent)}})
        target = (out_dir or nb_path.parent) / f"{nb_path.stem}.{to}"
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = "w" if isinstance(body, str) else "wb"
        tmp = target.with_name(f".{target.name}.tmp")
        with open(tmp, mode, **({"encoding": "utf-8"} if mode == "w" else {})) as fh:
            fh.write(body)
        os.replace(tmp, target)
        written.append(target)
        print(f"[report] {to}: {paths.display_path(target)}", flush=True)
    return written
