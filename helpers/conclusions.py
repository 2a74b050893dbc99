"""The report's conclusions, worded by code from the numbers.

Every sentence a notebook shows as a finding comes from a function here: it takes results (plain
dicts and numbers, never model objects) and returns Markdown. Nothing here is a fixed verdict: the
tests feed fabricated results and assert that the words flip with the numbers.

Sections: quality verdicts (paired differences against declared margins), the reference models,
calibration, imbalance and thresholds, rounding, validation schemes, and cost (speed and memory).
"""

from __future__ import annotations

# ============================================================================ quality verdicts
# (issue 11: paired differences over seeds, equivalence margins, calibration, rounding)


# ============================================================================ validation schemes
# (issue 12: which findings hold in every scheme)


# ============================================================================ cost
# (issue 13: speed and memory sentences from bench.json; functions below this line only)
