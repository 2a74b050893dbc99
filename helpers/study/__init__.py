"""Stage 3, the study: cross-validated tuning, independent fits in worker processes, and the repeated, cached runs."""
