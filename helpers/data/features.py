"""Features known before the appointment day.

Everything here is computable the evening before the appointment: the booking (lead time,
weekday, scheduling hour), the patient (age, gender, health flags, ``Handcap`` count, SMS) and the
patient's history from **strictly earlier appointment days** (how many appointments, how many
missed). An outcome from the same appointment day or later never reaches a row's features.

The neighbourhood is encoded later, after the split, from training labels only
(:func:`helpers.data.pipeline.prepare`), so it lives outside this module.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

#: Features built here, in order (the neighbourhood columns are appended after the split).
FEATURE_NAMES = [
    "age",
    "female",
    "scholarship",
    "hipertension",
    "diabetes",
    "alcoholism",
    "handcap",
    "sms_received",
    "lead_days",
    "log1p_lead_days",
    "same_day",
    "scheduled_hour",
    *[f"weekday_{d}" for d in WEEKDAYS],
    "prior_appointments",
    "prior_no_shows",
    "prior_no_show_rate",
    "has_prior",
    "log1p_days_since_prior",
]


#: Columns of the cleaned frame that :func:`build_features` reads.
REQUIRED_COLUMNS = ["PatientId", "ScheduledDay", "AppointmentDay", "No-show", "Age", "Gender", "Scholarship",
                    "Hipertension", "Diabetes", "Alcoholism", "Handcap", "SMS_received"]


def _check_frame(frame: pd.DataFrame, columns: list[str], where: str) -> None:
    """Raise a ValueError naming the missing columns or the non-datetime date columns of ``frame``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{where}: the frame lacks the column(s) {missing}; pass the cleaned rows "
                         "(helpers.data.clean)")
    not_dates = [c for c in ("ScheduledDay", "AppointmentDay")
                 if c in columns and not pd.api.types.is_datetime64_any_dtype(frame[c])]
    if not_dates:
        raise ValueError(f"{where}: column(s) {not_dates} must hold datetimes (helpers.data.clean parses them)")


def patient_history(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row's patient history from strictly earlier appointment days.

    Parameters
    ----------
    frame : DataFrame with ``PatientId``, ``AppointmentDay`` (datetime) and ``No-show`` (0/1)

    Returns
    -------
    DataFrame of shape (n_rows, 3), same index
        ``prior_appointments``: the patient's appointments on earlier days;
        ``prior_no_shows``: how many of those were missed;
        ``days_since_prior``: days since the latest earlier appointment day (NaN if none).

    Notes
    -----
    Rows are grouped by (patient, day); per patient the day totals are summed cumulatively and
    shifted by one day-group, so ``prior_*`` of day ``d`` = sum over days ``< d`` only.

    Raises
    ------
    ValueError
        If a column is missing or ``AppointmentDay`` does not hold datetimes.
    """
    _check_frame(frame, ["PatientId", "AppointmentDay", "No-show"], "patient_history")
    day = frame["AppointmentDay"].dt.normalize()
    per_day = (
        pd.DataFrame({"patient": frame["PatientId"].to_numpy(), "day": day.to_numpy(), "y": frame["No-show"].to_numpy()})
        .groupby(["patient", "day"], sort=True)["y"]
        .agg(["size", "sum"])
        .reset_index()
    )
    grouped = per_day.groupby("patient", sort=False)
    per_day["prior_appointments"] = grouped["size"].cumsum() - per_day["size"]
    per_day["prior_no_shows"] = grouped["sum"].cumsum() - per_day["sum"]
    previous_day = grouped["day"].shift(1)
    per_day["days_since_prior"] = (per_day["day"] - previous_day).dt.days.astype(float)
    keys = pd.DataFrame({"patient": frame["PatientId"].to_numpy(), "day": day.to_numpy()})
    merged = keys.merge(per_day, on=["patient", "day"], how="left", validate="many_to_one")
    out = merged[["prior_appointments", "prior_no_shows", "days_since_prior"]]
    out.index = frame.index
    return out


def build_features(frame: pd.DataFrame) -> pd.DataFrame:
    """The numeric feature table, one row per appointment (same index as ``frame``).

    Parameters
    ----------
    frame : DataFrame
        Cleaned rows (:func:`helpers.data.clean`).

    Returns
    -------
    DataFrame of shape (n_rows, len(FEATURE_NAMES)), float64
        Columns :data:`FEATURE_NAMES`. ``lead_days`` = appointment date - scheduling date
        (calendar days, >= 0 after cleaning); ``scheduled_hour`` = hour of day of the booking
        (fractional); ``prior_no_show_rate`` = prior_no_shows / prior_appointments (0 if none).
    """
    _check_frame(frame, REQUIRED_COLUMNS, "build_features")
    scheduled = frame["ScheduledDay"]
    appointment = frame["AppointmentDay"].dt.normalize()
    lead = (appointment - scheduled.dt.normalize()).dt.days.to_numpy(dtype=float)
    weekday = appointment.dt.day_of_week.to_numpy()
    history = patient_history(frame)
    prior_n = history["prior_appointments"].to_numpy(dtype=float)
    prior_k = history["prior_no_shows"].to_numpy(dtype=float)
    since = history["days_since_prior"].to_numpy(dtype=float)

    columns = {
        "age": frame["Age"].to_numpy(dtype=float),
        "female": (frame["Gender"] == "F").to_numpy(dtype=float),
        "scholarship": frame["Scholarship"].to_numpy(dtype=float),
        "hipertension": frame["Hipertension"].to_numpy(dtype=float),
        "diabetes": frame["Diabetes"].to_numpy(dtype=float),
        "alcoholism": frame["Alcoholism"].to_numpy(dtype=float),
        "handcap": frame["Handcap"].to_numpy(dtype=float),
        "sms_received": frame["SMS_received"].to_numpy(dtype=float),
        "lead_days": lead,
        "log1p_lead_days": np.log1p(np.maximum(lead, 0.0)),
        "same_day": (lead == 0).astype(float),
        "scheduled_hour": (scheduled.dt.hour + scheduled.dt.minute / 60.0).to_numpy(dtype=float),
        **{f"weekday_{d}": (weekday == i).astype(float) for i, d in enumerate(WEEKDAYS)},
        "prior_appointments": prior_n,
        "prior_no_shows": prior_k,
        "prior_no_show_rate": np.divide(prior_k, prior_n, out=np.zeros_like(prior_k), where=prior_n > 0),
        "has_prior": (prior_n > 0).astype(float),
        "log1p_days_since_prior": np.log1p(np.nan_to_num(since, nan=0.0)),
    }
    table = pd.DataFrame(columns, index=frame.index)
    if list(table.columns) != FEATURE_NAMES:
        raise RuntimeError(f"build_features: built columns {list(table.columns)} differ from FEATURE_NAMES "
                           f"{FEATURE_NAMES}; update both together")
    return table
