"""helpers.data.features: the patient history uses strictly earlier days only, and bad frames raise naming
the missing or mistyped columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.data import raw as raw_data
from helpers.data.features import FEATURE_NAMES, build_features, patient_history
from helpers.data.raw import (
    clean,
    validate,
)


def test_features_name_missing_or_mistyped_columns():
    from helpers.data.features import build_features, patient_history
    from helpers.data.synthetic import make_synthetic

    frame, _ = clean(validate(make_synthetic(n_rows=300, seed=0).astype(str), "synthetic"))
    assert build_features(frame).shape[0] == len(frame)
    with pytest.raises(ValueError, match=r"build_features.*\['SMS_received'\]"):
        build_features(frame.drop(columns=["SMS_received"]))
    with pytest.raises(ValueError, match="AppointmentDay.*datetimes"):
        patient_history(frame.assign(AppointmentDay=frame["AppointmentDay"].astype(str)))


def _history_frame(rng, n=400, patients=40):
    days = pd.Timestamp("2016-05-02") + pd.to_timedelta(rng.integers(0, 20, n), unit="D")
    return pd.DataFrame({
        "PatientId": rng.integers(0, patients, n),
        "AppointmentDay": days,
        "ScheduledDay": days - pd.to_timedelta(rng.integers(0, 30, n), unit="D") + pd.Timedelta(hours=9),
        "No-show": rng.integers(0, 2, n),
        "Age": rng.integers(0, 90, n), "Gender": np.where(rng.random(n) < 0.6, "F", "M"),
        **{c: rng.integers(0, 2, n) for c in raw_data.BINARY_FLAGS}, "Handcap": rng.integers(0, 3, n),
    })


def test_history_uses_only_strictly_earlier_days():
    rng = np.random.default_rng(0)
    frame = _history_frame(rng)
    history = patient_history(frame)
    # brute force, row by row
    for i in rng.choice(len(frame), 60, replace=False):
        same = frame["PatientId"] == frame["PatientId"].iloc[i]
        earlier = same & (frame["AppointmentDay"] < frame["AppointmentDay"].iloc[i])
        assert history["prior_appointments"].iloc[i] == earlier.sum()
        assert history["prior_no_shows"].iloc[i] == frame.loc[earlier, "No-show"].sum()


def test_no_same_day_or_later_outcome_reaches_features():
    """Leakage test: flipping every outcome on or after a day leaves features before it unchanged,
    and flipping outcomes on a day leaves that day's features unchanged."""
    rng = np.random.default_rng(1)
    frame = _history_frame(rng)
    before = build_features(frame)
    cut = pd.Timestamp("2016-05-12")
    flipped = frame.copy()
    later = flipped["AppointmentDay"] >= cut
    flipped.loc[later, "No-show"] = 1 - flipped.loc[later, "No-show"]
    after = build_features(flipped)
    on_or_before_cut = frame["AppointmentDay"] <= cut
    pd.testing.assert_frame_equal(before[on_or_before_cut], after[on_or_before_cut])
    # ... and the test can fail: the later rows' histories do change
    assert not before[~on_or_before_cut].equals(after[~on_or_before_cut])
    assert list(before.columns) == FEATURE_NAMES
