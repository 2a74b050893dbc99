"""Small tables for the data notebook: display bins and no-show rates per group."""

from __future__ import annotations

import numpy as np
import pandas as pd

LEAD_BINS = [-0.5, 0.5, 3.5, 7.5, 14.5, 30.5, 60.5, np.inf]
LEAD_LABELS = ["same day", "1-3", "4-7", "8-14", "15-30", "31-60", "61+"]
AGE_BINS = [-0.5, 5.5, 17.5, 29.5, 44.5, 59.5, 74.5, np.inf]
AGE_LABELS = ["0-5", "6-17", "18-29", "30-44", "45-59", "60-74", "75+"]
WEEKDAY_LABELS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def with_display_bins(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the prepared frame with readable groups for plotting.

    Adds ``no_show`` (0/1), ``lead_time`` (days, binned), ``age_group``, ``sms``,
    ``weekday`` (of the appointment) and ``prior_no_show_group`` (earlier-day no-shows: none,
    first visit, 1, 2+).
    """
    out = frame.copy()
    out["no_show"] = out["No-show"].astype(int)
    out["lead_time"] = pd.cut(out["lead_days"], LEAD_BINS, labels=LEAD_LABELS)
    out["age_group"] = pd.cut(out["Age"], AGE_BINS, labels=AGE_LABELS)
    out["sms"] = pd.Categorical(np.where(out["SMS_received"] == 1, "SMS sent", "no SMS"), ["no SMS", "SMS sent"])
    out["weekday"] = pd.Categorical(
        np.array(WEEKDAY_LABELS)[out["AppointmentDay"].dt.day_of_week.to_numpy()],
        [d for d in WEEKDAY_LABELS if d in set(np.array(WEEKDAY_LABELS)[out["AppointmentDay"].dt.day_of_week.unique()])],
    )
    prior = out["prior_no_shows"].to_numpy()
    group = np.where(out["prior_appointments"].to_numpy() == 0, "first visit",
                     np.where(prior == 0, "0 missed", np.where(prior == 1, "1 missed", "2+ missed")))
    out["prior_no_show_group"] = pd.Categorical(group, ["first visit", "0 missed", "1 missed", "2+ missed"])
    return out


def rate_table(frame: pd.DataFrame, column: str, target: str = "no_show") -> pd.DataFrame:
    """Rows and no-show rate per group of ``column`` (empty groups left out)."""
    table = frame.groupby(column, observed=True)[target].agg(rows="size", no_show_rate="mean")
    return table[table["rows"] > 0]


def spread(table: pd.DataFrame, min_rows: int = 100) -> tuple[str, float, str, float]:
    """(lowest group, its rate, highest group, its rate) among groups with at least ``min_rows``."""
    big = table[table["rows"] >= min_rows] if (table["rows"] >= min_rows).any() else table
    lo, hi = big["no_show_rate"].idxmin(), big["no_show_rate"].idxmax()
    return str(lo), float(big.loc[lo, "no_show_rate"]), str(hi), float(big.loc[hi, "no_show_rate"])
