"""Stage 6, publishing: the runner that executes the notebooks, the export to HTML and PDF, and the README's summary."""
