"""helpers.data.figures: the class balance and the rate-by-group bars with counts and the overall line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from helpers.data import figures as data_figures
from helpers.data.eda import rate_table
from helpers.metrics import wilson_interval
from tests.figure_checks import check_figure


def test_class_balance():
    fig = check_figure(data_figures.class_balance({"show": 800, "no-show": 200}))
    texts = " ".join(t.get_text() for t in fig.findobj(Text))
    assert "80.0%" in texts and "20.0%" in texts and "800" in texts


def test_rate_by_with_counts_and_overall_line():
    df = pd.DataFrame({
        "age_bin": pd.Categorical(["0-17", "18-39", "40+", "18-39", "40+", "40+"] * 50,
                                  categories=["0-17", "18-39", "40+"], ordered=True),
        "no_show": [1, 0, 0, 1, 0, 1] * 50,
    })
    table = rate_table(df, "age_bin")
    assert table["no_shows"].tolist() == [50, 50, 50] and table["rows"].tolist() == [50, 100, 150]
    low, high = wilson_interval(np.array([50, 50, 50]), np.array([50, 100, 150]))
    np.testing.assert_allclose(table["low"], low) and np.testing.assert_allclose(table["high"], high)
    fig = check_figure(data_figures.rate_by(table, "age_bin"))
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["0-17\n(n=50)", "18-39\n(n=100)", "40+\n(n=150)"]
    heights = [b.get_height() for b in ax.patches]
    np.testing.assert_allclose(heights, [100.0, 50.0, 100 / 3])
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert dashed and dashed[0].get_ydata()[0] == pytest.approx(50.0)
    fig2 = check_figure(data_figures.rate_by(table, "age_bin", order=["40+", "0-17"], overall_rate=0.2, ax_title="Age"))
    assert [t.get_text().split("\n")[0] for t in fig2.axes[0].get_xticklabels()] == ["40+", "0-17"]
    assert fig2.axes[0].get_title() == "Age"


def test_participant_flow_shows_every_count_of_the_ledger_and_the_parts():
    from helpers.data.figures import participant_flow

    ledger = [{"step": "rows read", "action": "-", "rows": 1000, "rows_left": 1000},
              {"step": "Age < 0", "action": "dropped", "rows": 3, "rows_left": 997},
              {"step": "rows kept", "action": "-", "rows": 997, "rows_left": 997}]
    balance = {"train": {"rows": 700, "no_show": 140}, "val": {"rows": 97, "no_show": 20},
               "test": {"rows": 200, "no_show": 41}}
    fig = participant_flow(ledger, balance, {"train": 500, "val": 80, "test": 150})
    texts = " | ".join(t.get_text() for t in fig.axes[0].texts)
    for expected in ("1,000 rows", "Excluded: Age < 0\n3 rows", "997 rows", "700 rows, 140 no-shows", "150 patients"):
        assert expected in texts
    import matplotlib.pyplot as plt

    plt.close(fig)
