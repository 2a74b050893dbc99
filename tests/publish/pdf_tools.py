"""What the PDF export tests share: skip (or, in CI, fail) without the tools, and read a PDF's text."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def need_xelatex():
    """Skip the test unless xelatex and pandoc are installed (fail in CI, which must have them)."""
    if shutil.which("xelatex") is None or shutil.which("pandoc") is None:
        if os.environ.get("CI"):
            pytest.fail("xelatex or pandoc missing in CI: .ci/run must install texlive-xetex and pandoc")
        pytest.skip("xelatex or pandoc not installed (CI installs them)")


def pdf_text(pdf) -> str:
    """The text of a PDF as ``pdftotext -layout`` reads it (skip without poppler-utils; fail in CI)."""
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext missing in CI: .ci/run must install poppler-utils")
        pytest.skip("pdftotext (poppler-utils) not installed (CI installs it)")
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
