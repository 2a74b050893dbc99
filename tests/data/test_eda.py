"""helpers.data.eda: notebook 01's sentences read their numbers from the tables (schemes, rates, takeaways)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.data.pipeline import prepare
from helpers.data.synthetic import write_synthetic_csv


def _scheme_rows(changes: dict | None = None) -> pd.DataFrame:
    """A fabricated :func:`helpers.data.splits.describe_schemes` table; ``changes``: {(scheme, column): value}."""
    base = {"train_rows": 700, "val_rows": 100, "test_rows": 200, "test_no_show_rate": 0.2,
            "same_patient_same_day_rows": 0.11, "same_patient_same_day_row_count": 22,
            "same_day_outcome_agreement": 0.83, "patients_in_train": 0.52, "rows_with_patient_in_train": 0.56,
            "train_rows_with_held_out_outcome_in_history": 0.14, "latest_train_day": "2016-06-08",
            "earliest_held_out_day": "2016-04-29", "train_rows_after_earliest_held_out_day": 650}
    grouped = {**base, "same_patient_same_day_rows": 0.0, "same_patient_same_day_row_count": 0,
               "same_day_outcome_agreement": np.nan, "patients_in_train": 0.0, "rows_with_patient_in_train": 0.0,
               "train_rows_with_held_out_outcome_in_history": 0.0}
    temporal = {**base, "same_patient_same_day_rows": 0.0, "same_patient_same_day_row_count": 0,
                "train_rows_with_held_out_outcome_in_history": 0.0, "latest_train_day": "2016-05-30",
                "earliest_held_out_day": "2016-06-02", "train_rows_after_earliest_held_out_day": 0}
    table = pd.DataFrame({"stratified": base, "grouped": grouped, "temporal": temporal}).T
    for (scheme, column), value in (changes or {}).items():
        table.loc[scheme, column] = value
    return table


def test_schemes_takeaway_reads_the_table():
    from helpers.data.eda import schemes_takeaway

    text = schemes_takeaway(_scheme_rows())
    assert "11.0% of the stratified split's test rows" in text and "83.0% of the time" in text
    assert "grouped split has none" in text
    assert "up to 2016-05-30 and tests from 2016-06-02" in text
    assert "original" not in text
    leaky = schemes_takeaway(_scheme_rows({("grouped", "patients_in_train"): 0.05,
                                           ("temporal", "train_rows_after_earliest_held_out_day"): 12}))
    assert "grouped split still shares 5.0%" in leaky and "none" not in leaky
    assert "12 training rows after its earliest test day" in leaky
    with_original = _scheme_rows()
    with_original.loc["original"] = with_original.loc["stratified"]
    assert "original (week-1) split" in schemes_takeaway(with_original)


def test_rate_takeaway_names_extremes_and_warns_on_small_groups():
    from helpers.data.eda import rate_takeaway

    table = pd.DataFrame({"rows": [500, 400, 50], "no_show_rate": [0.1, 0.3, 0.9]}, index=["a", "b", "c"])
    assert "from 10.0% (a) to 30.0% (b)." in rate_takeaway(table, "x")  # c has < 100 rows
    small = table.assign(rows=[500, 40, 50])
    text = rate_takeaway(small, "x")
    assert "from 10.0% (a) to 90.0% (c)" in text and "read with care" in text


def test_other_takeaways_flip_with_their_numbers():
    from helpers.data.eda import (
        balance_takeaway,
        encoder_folds_takeaway,
        fitted_on_training_sentence,
        sms_takeaway,
    )

    assert "**25.00%** of the 400" in balance_takeaway({"rows": 400, "no_show": 100, "show": 300, "no_show_rate": 0.25})
    frame = pd.DataFrame({"lead_days": [0, 0, 3, 5], "SMS_received": [0, 0, 1, 0]})
    sms = pd.DataFrame({"no_show_rate": [0.1, 0.3]}, index=["no SMS", "SMS sent"])
    assert "higher" in sms_takeaway(sms, frame) and "0.0% of same-day" in sms_takeaway(sms, frame)
    assert "lower" in sms_takeaway(sms.iloc[::-1].set_axis(["no SMS", "SMS sent"]), frame)
    meta = {"balance": {"train": {"rows": 10}}, "neighbourhood_encoding": {"train_count": {"A": 6, "B": 4}}}
    assert "fitted on the 10 training rows only" in fitted_on_training_sentence(meta, "grouped", 1)
    meta["neighbourhood_encoding"]["train_count"]["C"] = 5
    assert "NOT computed from the training rows only" in fitted_on_training_sentence(meta, "grouped", 1)
    report = {"tuning_folds": 3, "encoder_folds": 5, "fit_rows_mean_abs": 0.2, "fit_rows_p99_abs": 1.0,
              "fit_rows_max_abs": 9.0, "fit_rows_max_neighbourhood_train_rows": 2,
              "reshuffled_cv_reference": {"mean_abs": 0.2}}
    assert "about as much as" in encoder_folds_takeaway(report)
    assert "3.0 times as much as" in encoder_folds_takeaway({**report, "fit_rows_mean_abs": 0.6})


def test_scheme_display_and_rate_figure(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from helpers.data.eda import (
        rate_figure,
        rate_table,
        scheme_display,
        with_display_bins,
    )

    shown = scheme_display(_scheme_rows())
    assert list(shown.columns) == ["stratified", "grouped", "temporal"]
    assert shown.loc["test rows with a same-patient same-day training row (%)", "stratified"] == pytest.approx(11.0)
    csv = write_synthetic_csv(tmp_path / "s.csv", n_rows=1500, seed=4)
    rows = with_display_bins(prepare(csv, save=False).frame)
    fig, table = rate_figure(rows, "lead_time", "t")
    pd.testing.assert_frame_equal(table, rate_table(rows, "lead_time"))
    assert fig.axes and fig.axes[0].get_title() == "t"


def test_flow_sentence_counts_every_exclusion_and_part():
    from helpers.data.eda import flow_sentence

    meta = {"ledger": [{"step": "rows read", "action": "-", "rows": 1000, "rows_left": 1000},
                       {"step": "Age < 0", "action": "dropped", "rows": 3, "rows_left": 997}],
            "rows": {"kept": 997}, "split": {"kind": "grouped", "patients": {"train": 500, "val": 80, "test": 150}},
            "balance": {"all": {"no_show": 201, "no_show_rate": 201 / 997}, "train": {"rows": 700, "no_show": 140},
                        "val": {"rows": 97, "no_show": 20}, "test": {"rows": 200, "no_show": 41}}}
    text = flow_sentence(meta)
    assert text.startswith("1,000 appointments were read and 3 excluded (Age < 0: 3)")
    assert "leaving 997 with 201 no-shows (20.2%)" in text and "test 200 rows (41 no-shows, 150 patients)" in text
    meta["ledger"] = meta["ledger"][:1]
    assert "excluded (none)" in flow_sentence(meta)
