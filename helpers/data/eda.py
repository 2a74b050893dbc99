"""What notebook 01 shows: display bins, no-show rates per group, the hold-out schemes, and the
sentences that read them (every number in a sentence comes from the arguments)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.data import figures as data_figures
from helpers.data.prepared import PARTS
from helpers.data.raw import EXPECTED_COLUMNS
from helpers.data.splits import describe_schemes
from helpers.metrics import wilson_interval

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
    """Rows, no-shows, no-show rate and its 95 % Wilson interval per group of ``column`` (empty groups
    left out; groups in the column's categorical order, else sorted)."""
    table = frame.groupby(column, observed=True, sort=True)[target].agg(rows="size", no_shows="sum")
    table = table[table["rows"] > 0]
    table["no_show_rate"] = table["no_shows"] / table["rows"]
    table["low"], table["high"] = wilson_interval(table["no_shows"].to_numpy(), table["rows"].to_numpy())
    return table


def spread(table: pd.DataFrame, min_rows: int = 100) -> tuple[str, float, str, float]:
    """(lowest group, its rate, highest group, its rate) among groups with at least ``min_rows``."""
    big = table[table["rows"] >= min_rows] if (table["rows"] >= min_rows).any() else table
    lo, hi = big["no_show_rate"].idxmin(), big["no_show_rate"].idxmax()
    return str(lo), float(big.loc[lo, "no_show_rate"]), str(hi), float(big.loc[hi, "no_show_rate"])


def rate_figure(frame: pd.DataFrame, column: str, title: str):
    """The no-show rate per group of ``column`` as a figure, and as a table.

    Parameters
    ----------
    frame : DataFrame
        :func:`with_display_bins` output (one row per appointment, ``no_show`` 0/1).
    column : str
        A binned column of ``frame``.
    title : str

    Returns
    -------
    fig : Figure
        Bars with 95 % Wilson intervals and the overall rate as a dashed line
        (:func:`helpers.data.figures.rate_by`).
    table : DataFrame
        :func:`rate_table` of the same groups.
    """
    table = rate_table(frame, column)
    return data_figures.rate_by(table, column, overall_rate=frame["no_show"].mean(), ax_title=title), table


def rate_takeaway(table: pd.DataFrame, what: str, min_rows: int = 100) -> str:
    """One sentence reading a :func:`rate_table`: the lowest and highest group.

    Groups of at least ``min_rows`` rows are compared; when fewer than two groups are that large
    (small samples), all groups are, and the sentence says so.
    """
    big_enough = int((table["rows"] >= min_rows).sum())
    lo, lo_rate, hi, hi_rate = spread(table, min_rows=min_rows if big_enough >= 2 else 1)
    caveat = "" if big_enough >= 2 else f" (fewer than two groups have {min_rows} rows: read with care)"
    return (f"**Takeaway:** by {what}, the no-show rate ranges from {lo_rate:.1%} ({lo}) to "
            f"{hi_rate:.1%} ({hi}){caveat}.")


def balance_takeaway(balance: dict) -> str:
    """One sentence on the class balance (``meta["balance"]["all"]`` of :func:`helpers.data.pipeline.prepare`)."""
    rate = balance["no_show_rate"]
    return (f"**Takeaway:** **{rate:.2%}** of the {balance['rows']:,} appointments kept are no-shows "
            f"({balance['no_show']:,} against {balance['show']:,} shows): about one in {1 / rate:.0f}.")


def sms_takeaway(sms: pd.DataFrame, frame: pd.DataFrame) -> str:
    """The SMS sentence: raw rates with and without, and why they are confounded by lead time.

    Parameters
    ----------
    sms : DataFrame
        :func:`rate_table` by ``sms`` (index ``"no SMS"``, ``"SMS sent"``).
    frame : DataFrame
        The rows, with ``lead_days`` and ``SMS_received``.
    """
    with_sms, without = sms.loc["SMS sent", "no_show_rate"], sms.loc["no SMS", "no_show_rate"]
    same_day = frame.loc[frame["lead_days"] == 0, "SMS_received"]
    ahead = frame.loc[frame["lead_days"] > 0, "SMS_received"]
    higher = "higher" if with_sms > without else "lower"
    return (f"**Takeaway:** rows with an SMS have a {higher} no-show rate ({with_sms:.1%}) than rows without "
            f"({without:.1%}); but {same_day.mean():.1%} of same-day bookings got an SMS against "
            f"{ahead.mean():.1%} of bookings made days ahead, so this raw comparison is confounded by lead time.")


def always_show_takeaway(metrics: dict) -> str:
    """What the 'always show' baseline scores (``metrics`` from :func:`helpers.metrics.evaluate`)."""
    return (f"Always predicting *show* scores accuracy **{metrics['accuracy']:.3f}** with recall "
            f"**{metrics['recall']:.0f}**; its PR-AUC **{metrics['pr_auc']:.3f}** equals the test no-show rate. "
            "Any model must be judged against these, not against 0.")


def full_real_file(meta: dict) -> bool:
    """Whether ``meta`` describes a run on the whole real file (where the ``original`` split is defined)."""
    return (not meta["source"]["synthetic"]) and not meta.get("sample_rows")


def scheme_table(frame: pd.DataFrame, meta: dict, seed: int) -> pd.DataFrame:
    """:func:`helpers.data.splits.describe_schemes` of the prepared rows, with ``original`` on the full real file."""
    return describe_schemes(frame, seed=seed, n_raw=meta["rows"]["read"] if full_real_file(meta) else None)


#: Columns of :func:`scheme_display`: (column of the scheme table, shown name, as a percentage).
SCHEME_COLUMNS = [
    ("train_rows", "train rows", False),
    ("val_rows", "validation rows", False),
    ("test_rows", "test rows", False),
    ("test_no_show_rate", "test no-show rate (%)", True),
    ("same_patient_same_day_rows", "test rows with a same-patient same-day training row (%)", True),
    ("same_day_outcome_agreement", "... whose outcome it shares (%)", True),
    ("patients_in_train", "test patients also in training (%)", True),
    ("rows_with_patient_in_train", "test rows whose patient is in training (%)", True),
    ("train_rows_with_held_out_outcome_in_history", "training rows with a test outcome in their history (%)", True),
    ("latest_train_day", "latest training day", False),
    ("earliest_held_out_day", "earliest test day", False),
    ("train_rows_after_earliest_held_out_day", "training rows after the earliest test day", False),
]


def scheme_display(table: pd.DataFrame) -> pd.DataFrame:
    """The scheme table for reading: one column per scheme, shares in %, readable row names."""
    shown = pd.DataFrame({label: table[column] * 100 if percent else table[column]
                          for column, label, percent in SCHEME_COLUMNS})
    return shown.T.rename_axis("")


def _share(value: float) -> str:
    return f"{value:.1%}"


def schemes_takeaway(table: pd.DataFrame) -> str:
    """What each hold-out scheme lets the training rows know about the test rows, read from ``table``.

    Parameters
    ----------
    table : DataFrame
        :func:`helpers.data.splits.describe_schemes` output (index: scheme names; must hold
        ``stratified``, ``grouped`` and ``temporal``).
    """
    s, g, t = table.loc["stratified"], table.loc["grouped"], table.loc["temporal"]
    same_day = int(s["same_patient_same_day_row_count"])
    outcome = (f" ({_share(s['same_day_outcome_agreement'])} of the time sharing its outcome)" if same_day else "")
    parts = [
        f"**Takeaway:** {_share(s['same_patient_same_day_rows'])} of the stratified split's test rows have an "
        f"appointment of the same patient on the same day in the training rows{outcome}, "
        f"{_share(s['patients_in_train'])} of its test patients ({_share(s['rows_with_patient_in_train'])} of "
        f"its test rows) also appear in training, and {_share(s['train_rows_with_held_out_outcome_in_history'])} "
        f"of its training rows carry a test row's outcome in their history features."
    ]
    if "original" in table.index:
        o = table.loc["original"]
        parts.append(f"The original (week-1) split: {_share(o['same_patient_same_day_rows'])} same-day rows, "
                     f"{_share(o['patients_in_train'])} of its test patients in training.")
    grouped_shared = g["patients_in_train"]
    if grouped_shared == 0 and g["same_patient_same_day_row_count"] == 0:
        parts.append("The grouped split has none of these: no test patient has a training row.")
    else:
        parts.append(f"The grouped split still shares {_share(grouped_shared)} of its test patients with training.")
    after = int(t["train_rows_after_earliest_held_out_day"])
    if after == 0:
        parts.append(f"The temporal split trains only on days up to {t['latest_train_day']} and tests from "
                     f"{t['earliest_held_out_day']} on, so no training row comes after a test row; but "
                     f"{_share(t['rows_with_patient_in_train'])} of its test rows belong to patients seen in "
                     "training, as they would in a clinic.")
    else:
        parts.append(f"The temporal split has {after:,} training rows after its earliest test day.")
    parts.append(f"The random splits train on days up to {s['latest_train_day']} while testing from "
                 f"{s['earliest_held_out_day']}: {int(s['train_rows_after_earliest_held_out_day']):,} training "
                 "rows come after the earliest test day.")
    return " ".join(parts)


def fitted_on_training_sentence(meta: dict, split: str, seed: int) -> str:
    """The closing sentence of notebook 01: what was fitted on which rows, checked against ``meta``.

    The scaler's, the neighbourhood rate's and the neighbourhood count's training-row claim is
    checked: the counts saved with the encoder must add up to the training rows.
    """
    train_rows = meta["balance"]["train"]["rows"]
    counted = sum(meta["neighbourhood_encoding"]["train_count"].values())
    if counted == train_rows:
        fitted = (f"the scaler, the neighbourhood no-show rate (target encoder, training labels only) and the "
                  f"neighbourhood count were fitted on the {train_rows:,} training rows only")
    else:
        fitted = (f"the neighbourhood counts add up to {counted:,} rows, not the {train_rows:,} training rows: "
                  "they were NOT computed from the training rows only")
    return f"Split **{split}** with seed {seed}; {fitted}. Arrays saved for notebooks 02-04."


def encoder_folds_takeaway(report: dict) -> str:
    """How far the tuning folds' held-out labels moved the cross-fitted neighbourhood rate.

    Parameters
    ----------
    report : dict
        ``meta["encoder_vs_tuning_folds"]`` (:func:`helpers.data.pipeline.encoder_vs_tuning_folds`).
    """
    reference = report["reshuffled_cv_reference"]
    ratio = report["fit_rows_mean_abs"] / reference["mean_abs"] if reference["mean_abs"] > 0 else float("inf")
    verdict = ("about as much as" if ratio < 1.5 else f"{ratio:.1f} times as much as")
    return (
        f"**Takeaway:** refitting the neighbourhood rate encoder on each of the {report['tuning_folds']} tuning "
        f"folds' training rows only (so that no held-out label enters it) moves that feature on those rows by "
        f"{report['fit_rows_mean_abs']:.2f} training standard deviations on average (99th percentile "
        f"{report['fit_rows_p99_abs']:.2f}, largest {report['fit_rows_max_abs']:.1f}, in a neighbourhood with "
        f"{report['fit_rows_max_neighbourhood_train_rows']:,} training rows); merely reshuffling the encoder's own "
        f"{report['encoder_folds']} cross-fitting folds, withholding no label, moves it by "
        f"{reference['mean_abs']:.2f} on average. The held-out labels (and the {1 / report['tuning_folds']:.0%} "
        f"fewer rows) thus move it {verdict} the noise of the cross-fitting itself."
    )


def source_summary(meta: dict) -> pd.Series:
    """File name, SHA-256, rows read and column count of the raw file (never a path)."""
    return pd.Series({
        "file": meta["source"]["source_name"],
        "sha256": meta["source"]["sha256"] or "(generated)",
        "rows read": int(meta["rows"]["read"]),
        "columns": len(EXPECTED_COLUMNS),
    }, name="value")


def column_types(frame: pd.DataFrame) -> pd.DataFrame:
    """The dtype of every raw column (and ``row``) after validation, one row per column."""
    columns = EXPECTED_COLUMNS + ["row"]
    return frame[columns].dtypes.astype(str).to_frame("dtype")


def metric_row(metrics: dict, name: str) -> pd.DataFrame:
    """One row of the usual metrics (accuracy ... ROC-AUC) from :func:`helpers.metrics.evaluate`."""
    keys = ["accuracy", "balanced_accuracy", "precision", "recall", "f1", "pr_auc", "roc_auc"]
    return pd.DataFrame([{k: metrics[k] for k in keys}], index=[name])


def split_table(meta: dict) -> pd.DataFrame:
    """Rows, no-shows, shows, no-show rate, share of rows and patients per part of the saved split."""
    table = pd.DataFrame({part: meta["balance"][part] for part in PARTS}).T
    table["share_of_rows"] = table["rows"] / table["rows"].sum()
    table["patients"] = [meta["split"]["patients"][part] for part in PARTS]
    return table.astype({c: int for c in ("rows", "no_show", "show", "patients")})


def original_rows(meta: dict) -> pd.Series:
    """What happened to the week-1 report's test rows (``meta["split"]["original"]``)."""
    return pd.Series(meta["split"]["original"], name="value")


def flow_sentence(meta: dict) -> str:
    """The participant flow in words, from the cleaning ledger and the split (every count from the data)."""
    ledger = meta["ledger"]
    drops = [e for e in ledger if e["action"] == "dropped"]
    dropped = "; ".join(f"{e['step']}: {e['rows']:,}" for e in drops) or "none"
    balance, patients = meta["balance"], meta["split"].get("patients", {})
    parts = "; ".join(f"{p} {balance[p]['rows']:,} rows ({balance[p]['no_show']:,} no-shows"
                      + (f", {patients[p]:,} patients" if p in patients else "") + ")" for p in ("train", "val", "test"))
    return (f"{ledger[0]['rows']:,} appointments were read and {sum(e['rows'] for e in drops):,} excluded ({dropped}), "
            f"leaving {meta['rows']['kept']:,} with {balance['all']['no_show']:,} no-shows "
            f"({balance['all']['no_show_rate']:.1%}). The `{meta['split']['kind']}` split holds: {parts}. The loader "
            "refuses a file with an empty or unreadable value, so nothing is imputed; every excluded row is counted above.")

