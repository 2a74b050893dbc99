"""helpers.data.synthetic: schema, determinism, formats, dirty rows and signal."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.data import synthetic
from helpers.data.synthetic import (
    COLUMNS,
    N_ROWS_KAGGLE,
    make_synthetic,
    write_synthetic_csv,
)
from tests.data.shared import REAL_FILE

# what pandas.read_csv returns for the Kaggle file; "str" = pandas' default string dtype
EXPECTED_SCHEMA = [
    ("PatientId", "float64"),
    ("AppointmentID", "int64"),
    ("Gender", "str"),
    ("ScheduledDay", "str"),
    ("AppointmentDay", "str"),
    ("Age", "int64"),
    ("Neighbourhood", "str"),
    ("Scholarship", "int64"),
    ("Hipertension", "int64"),
    ("Diabetes", "int64"),
    ("Alcoholism", "int64"),
    ("Handcap", "int64"),
    ("SMS_received", "int64"),
    ("No-show", "str"),
]
DEFAULT_STRING_DTYPE = pd.Series(["x"]).dtype  # what read_csv infers for text columns

SCHEDULED_RE = r"^2016-(0[1-6])-\d\dT\d\d:\d\d:\d\dZ$|^2015-1[0-2]-\d\dT\d\d:\d\d:\d\dZ$"
APPOINTMENT_RE = r"^2016-0[4-6]-\d\dT00:00:00Z$"
FLAGS = ["Scholarship", "Hipertension", "Diabetes", "Alcoholism", "SMS_received"]


@pytest.fixture(scope="module")
def full() -> pd.DataFrame:
    return make_synthetic(N_ROWS_KAGGLE, seed=0)


def _lead_days(df: pd.DataFrame) -> pd.Series:
    sched = pd.to_datetime(df["ScheduledDay"]).dt.normalize()
    appt = pd.to_datetime(df["AppointmentDay"])
    return (appt - sched).dt.days


def _earlier_day_history(df: pd.DataFrame) -> pd.DataFrame:
    """Per row: had the patient an appointment / a no-show on an earlier day?"""
    d = pd.DataFrame(
        {
            "pid": df["PatientId"].to_numpy(),
            "day": df["AppointmentDay"].to_numpy(),
            "y": (df["No-show"] == "Yes").to_numpy().astype(int),
        }
    )
    per_day = d.groupby(["pid", "day"], as_index=False)["y"].max().sort_values(["pid", "day"])
    g = per_day.groupby("pid")["y"]
    per_day["earlier_no_shows"] = g.cumsum() - per_day["y"]
    per_day["earlier_days"] = per_day.groupby("pid").cumcount()
    out = d.merge(per_day[["pid", "day", "earlier_no_shows", "earlier_days"]], on=["pid", "day"], how="left")
    return out


# --- schema ------------------------------------------------------------------------------


def _check_dtype(actual, expected: str, column: str) -> None:
    if expected == "str":
        assert pd.api.types.is_string_dtype(actual), column
        assert actual == DEFAULT_STRING_DTYPE, (column, actual)
    else:
        assert actual == np.dtype(expected), (column, actual)


def test_schema_matches_hard_coded_expectation():
    df = make_synthetic(2000, seed=0)
    assert list(df.columns) == [name for name, _ in EXPECTED_SCHEMA]
    assert list(COLUMNS) == [name for name, _ in EXPECTED_SCHEMA]
    for name, expected in EXPECTED_SCHEMA:
        _check_dtype(df[name].dtype, expected, name)
    assert isinstance(df.index, pd.RangeIndex) and df.index.start == 0


@pytest.mark.realdata
@pytest.mark.skipif(not REAL_FILE.exists(), reason="real Kaggle file absent")
def test_schema_matches_real_file():
    real = pd.read_csv(REAL_FILE, nrows=1000)
    # the first 1,000 PatientIds happen to be whole numbers; the full column holds a
    # few written as '...E-5', which is what makes it float64: read that column whole
    real_pid = pd.read_csv(REAL_FILE, usecols=["PatientId"])["PatientId"]
    df = make_synthetic(2000, seed=0)
    assert list(df.columns) == list(real.columns)
    for name in real.columns:
        expected = real_pid.dtype if name == "PatientId" else real[name].dtype
        assert df[name].dtype == expected, (name, df[name].dtype, expected)
    for name, expected in EXPECTED_SCHEMA:
        _check_dtype(real_pid.dtype if name == "PatientId" else real[name].dtype, expected, name)


@pytest.mark.realdata
@pytest.mark.skipif(not REAL_FILE.exists(), reason="real Kaggle file absent")
def test_neighbourhood_names_are_invented():
    real = set(pd.read_csv(REAL_FILE, usecols=["Neighbourhood"])["Neighbourhood"])
    assert not set(synthetic.NEIGHBOURHOODS) & real


# --- determinism, size, speed --------------------------------------------------------------


def test_same_seed_gives_identical_frame():
    pd.testing.assert_frame_equal(make_synthetic(3000, seed=7), make_synthetic(3000, seed=7))


def test_different_seed_gives_different_frame():
    a, b = make_synthetic(3000, seed=7), make_synthetic(3000, seed=8)
    assert not a.equals(b)
    assert (a["PatientId"].to_numpy() != b["PatientId"].to_numpy()).mean() > 0.9


@pytest.mark.parametrize("n_rows", [1, 50, 500, 1000])
def test_small_sizes(n_rows):
    df = make_synthetic(n_rows, seed=1)
    assert df.shape == (n_rows, len(EXPECTED_SCHEMA))
    for name, expected in EXPECTED_SCHEMA:
        _check_dtype(df[name].dtype, expected, name)
    assert df["AppointmentID"].is_unique
    assert df.notna().all().all()


def test_invalid_size_rejected():
    with pytest.raises(ValueError):
        make_synthetic(0)


def test_full_size_has_the_kaggle_row_count(full):
    # the speed of building it is the benchmark's business, not a unit test's
    assert len(full) == N_ROWS_KAGGLE
    assert full.index.equals(pd.RangeIndex(N_ROWS_KAGGLE))


# --- formats and ranges ------------------------------------------------------------------


def test_appointment_day_is_midnight_on_weekdays(full):
    appt = full["AppointmentDay"]
    assert appt.str.endswith("T00:00:00Z").all()
    days = pd.to_datetime(appt)
    assert (days == days.dt.normalize()).all()
    assert (days.dt.day_of_week < 5).all()
    assert days.min() >= pd.Timestamp("2016-04-29", tz="UTC")
    assert days.max() <= pd.Timestamp("2016-06-08", tz="UTC")
    assert days.nunique() == 27


def test_formats_match_kaggle(full):
    assert full["ScheduledDay"].str.match(SCHEDULED_RE).all()
    assert full["AppointmentDay"].str.match(APPOINTMENT_RE).all()
    assert set(full["Gender"]) == {"F", "M"}
    assert 0.60 < (full["Gender"] == "F").mean() < 0.70
    assert set(full["No-show"]) == {"Yes", "No"}
    for col in FLAGS:
        assert set(full[col]) == {0, 1}, col
    assert full["Handcap"].between(0, 4).all() and full["Handcap"].max() >= 2
    assert full["Age"].between(-1, 110).all()
    assert full["AppointmentID"].is_unique
    assert full["AppointmentID"].between(5_000_000, 5_800_000).all()
    assert (full["PatientId"] > 0).all()
    whole = full["PatientId"] % 1 == 0
    assert (full.loc[whole, "PatientId"] >= 1e8).mean() > 0.99
    names = full["Neighbourhood"]
    assert (names == names.str.upper()).all()
    assert 70 <= names.nunique() <= 90
    shares = names.value_counts(normalize=True)
    assert shares.iloc[0] > 5 * shares.median()  # skewed frequencies


def test_booking_times_in_working_hours(full):
    hours = pd.to_datetime(full["ScheduledDay"]).dt.hour
    assert hours.between(6, 21).all()
    assert hours.between(7, 16).mean() > 0.8


def test_sms_only_for_longer_lead_times(full):
    lead = _lead_days(full)
    sms = full["SMS_received"] == 1
    assert not sms[lead.between(0, 2)].any()
    assert 0.5 < sms[lead >= 3].mean() < 0.75


# --- dirty rows ------------------------------------------------------------------------------


@pytest.mark.parametrize("n_rows", [1000, N_ROWS_KAGGLE])
def test_dirty_rows_present(n_rows, full):
    df = full if n_rows == N_ROWS_KAGGLE else make_synthetic(n_rows, seed=0)
    lead = _lead_days(df)
    scale = n_rows / N_ROWS_KAGGLE
    assert 1 <= (df["Age"] == -1).sum() <= max(1, round(3 * scale))
    assert (df["Age"] < -1).sum() == 0
    assert 1 <= (lead < 0).sum() <= max(1, round(20 * scale))
    assert 1 <= (df["Handcap"] >= 2).sum() <= max(2, round(500 * scale))
    if n_rows == N_ROWS_KAGGLE:
        assert (df["Handcap"] >= 2).sum() >= 100
    assert (df["PatientId"] % 1 != 0).sum() >= 1


def test_dirty_rows_deterministic():
    a, b = make_synthetic(5000, seed=11), make_synthetic(5000, seed=11)
    assert (a["Age"] == -1).equals(b["Age"] == -1)
    assert (_lead_days(a) < 0).equals(_lead_days(b) < 0)


# --- CSV ----------------------------------------------------------------------------------------


def test_csv_round_trip(tmp_path):
    path = write_synthetic_csv(tmp_path / "sub" / "synthetic.csv", n_rows=2500, seed=5)
    back = pd.read_csv(path)
    pd.testing.assert_frame_equal(back, make_synthetic(2500, seed=5))
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[0] == ",".join(COLUMNS)
    assert "\r" not in text and '"' not in text
    assert text.endswith("\n") and len(lines) == 2500 + 2
    pids = [line.split(",", 1)[0] for line in lines[1:-1]]
    assert all(p.isdigit() or (p.endswith("E-5") and p[:-3].isdigit()) for p in pids)
    assert any(p.endswith("E-5") for p in pids)


def test_csv_round_trip_zip(tmp_path):
    path = write_synthetic_csv(tmp_path / "synthetic.csv.zip", n_rows=300, seed=2)
    pd.testing.assert_frame_equal(pd.read_csv(path), make_synthetic(300, seed=2))


# --- structure and signal ------------------------------------------------------------------------


def test_no_show_rate(full):
    rate = (full["No-show"] == "Yes").mean()
    assert 0.17 <= rate <= 0.23


def test_patients_repeat(full):
    counts = full["PatientId"].value_counts()
    assert counts.size < 0.7 * len(full)
    assert counts.size > 0.45 * len(full)
    assert counts.max() >= 10
    # repeat visits spread over different days
    days_per_patient = full.groupby("PatientId")["AppointmentDay"].nunique()
    assert (days_per_patient >= 3).sum() > 0.05 * counts.size


def test_earlier_no_show_predicts_later(full):
    h = _earlier_day_history(full)
    with_prior = h["earlier_no_shows"] > 0
    rate_with = h.loc[with_prior, "y"].mean()
    rate_without = h.loc[~with_prior, "y"].mean()
    returning_without = h.loc[(h["earlier_days"] > 0) & ~with_prior, "y"].mean()
    assert rate_with > 1.5 * rate_without
    assert rate_with > 1.5 * returning_without


def test_rate_increases_with_lead_time(full):
    lead = _lead_days(full)
    y = full["No-show"] == "Yes"
    ok = lead >= 0
    buckets = pd.cut(lead[ok], [-1, 0, 3, 14, 1000])
    rates = y[ok].groupby(buckets, observed=True).mean().to_numpy()
    assert len(rates) == 4
    assert np.all(np.diff(rates) > 0.01), rates
    assert rates[0] < 0.10 and rates[-1] > 0.25
    assert (lead == 0).mean() > 0.25  # many same-day appointments
    assert lead.max() <= 185


def test_age_effect(full):
    y = full["No-show"] == "Yes"
    age = full["Age"]
    assert y[age.between(13, 30)].mean() > y[age >= 65].mean() + 0.05


# --- code hygiene -----------------------------------------------------------------------------------


def test_module_imports_only_numpy_and_pandas():
    tree = ast.parse(Path(synthetic.__file__).read_text(encoding="utf-8"))
    top = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            top |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            top.add(node.module.split(".")[0])
    assert top <= {"numpy", "pandas", "__future__", "os", "pathlib"}, top
    assert synthetic.__doc__ and "not findings" in synthetic.__doc__.replace("\n", " ")
