"""helpers.data.raw: the loader, validation, cleaning ledger and source precedence, on small CSV files the
tests write (and the real file when present)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.data import raw as raw_data
from helpers.data.raw import (
    EXPECTED_COLUMNS,
    DataError,
    clean,
    find_data,
    read_csv_strict,
    validate,
)
from helpers.data.splits import original_test_rows
from tests.data.shared import REAL_FILE as REAL_ZIP

GOOD_ROWS = [
    # PatientId, AppointmentID, Gender, ScheduledDay, AppointmentDay, Age, Neighbourhood, 5 flags..., Handcap, SMS, No-show
    ["29872499824296.0", "5642903", "F", "2016-04-29T18:38:08Z", "2016-04-29T00:00:00Z", "62", "JARDIM", "0", "1", "0", "0", "0", "0", "No"],
    ["558997776694438.0", "5642503", "M", "2016-04-29T16:08:27Z", "2016-05-02T00:00:00Z", "56", "JARDIM", "0", "0", "0", "0", "0", "0", "Yes"],
    ["4262962299951.0", "5642549", "F", "2016-04-29T16:19:04Z", "2016-05-03T00:00:00Z", "-1", "PRAIA", "0", "0", "0", "0", "0", "0", "No"],
    ["867951213174.0", "5642828", "F", "2016-05-10T17:29:31Z", "2016-05-03T00:00:00Z", "8", "PRAIA", "0", "0", "0", "0", "2", "0", "No"],
    ["8841186448183.0", "5642494", "F", "2016-04-29T16:07:23Z", "2016-05-09T00:00:00Z", "56", "CENTRO", "0", "1", "1", "0", "0", "1", "Yes"],
]


def write_csv(path: Path, rows, header=EXPECTED_COLUMNS) -> Path:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load(path: Path) -> pd.DataFrame:
    return validate(read_csv_strict(path), path.name)


@pytest.fixture
def good_csv(tmp_path) -> Path:
    return write_csv(tmp_path / "good.csv", GOOD_ROWS)


def test_good_file_loads_with_types(good_csv):
    frame = load(good_csv)
    assert len(frame) == 5
    assert frame["No-show"].tolist() == [0, 1, 0, 0, 1]
    assert frame["PatientId"].dtype == np.int64 and frame["PatientId"].iloc[0] == 29872499824296
    assert frame["AppointmentDay"].dt.hour.eq(0).all()
    assert frame["row"].tolist() == [0, 1, 2, 3, 4]


def test_zip_is_read_directly(tmp_path, good_csv):
    archive = tmp_path / "good.csv.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(good_csv, arcname="KaggleV2-May-2016.csv")
    pd.testing.assert_frame_equal(load(archive), load(good_csv))


def _mutate(rows, index, column, value):
    rows = [list(r) for r in rows]
    rows[index][EXPECTED_COLUMNS.index(column)] = value
    return rows


BAD_CASES = {
    "renamed column": (lambda p: write_csv(p, GOOD_ROWS, [c if c != "No-show" else "NoShow" for c in EXPECTED_COLUMNS]), ["No-show", "NoShow", "bad.csv"]),
    "missing column": (lambda p: write_csv(p, [r[:-1] for r in GOOD_ROWS], EXPECTED_COLUMNS[:-1]), ["missing column", "No-show"]),
    "empty file": (lambda p: p.write_text(""), ["empty"]),
    "header only": (lambda p: write_csv(p, []), ["no data rows"]),
    "unknown labels": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 1, "No-show", "Maybe")), ["No-show", "1 rows", "Maybe"]),
    "unparseable dates": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 2, "AppointmentDay", "31/02/2016")), ["AppointmentDay", "1 row", "line 4"]),
    "non-numeric age": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 0, "Age", "sixty")), ["'Age'", "numeric", "1 row"]),
    "fractional age": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 0, "Age", "6.5")), ["'Age'", "whole numbers"]),
    "non-numeric flag": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 0, "Diabetes", "yes")), ["'Diabetes'", "numeric"]),
    "flag out of range": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 0, "SMS_received", "3")), ["'SMS_received'", "0 or 1"]),
    "duplicated AppointmentID": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 4, "AppointmentID", "5642903")), ["AppointmentID", "unique", "1 row"]),
    "single class": (lambda p: write_csv(p, [_mutate(GOOD_ROWS, i, "No-show", "No")[i] for i in range(5)]), ["single class", "5 rows"]),
    "empty cell": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 3, "Neighbourhood", "")), ["'Neighbourhood'", "1 empty cell"]),
    "bad gender": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 3, "Gender", "X")), ["'Gender'"]),
    "negative handcap": (lambda p: write_csv(p, _mutate(GOOD_ROWS, 3, "Handcap", "-2")), ["'Handcap'"]),
    "ragged rows": (lambda p: p.write_text(",".join(EXPECTED_COLUMNS) + "\n" + ",".join(GOOD_ROWS[0]) + ",x,y,z\n"), ["CSV"]),
    "binary file": (lambda p: p.write_bytes(b"\x00\x01\x02PK garbage" * 50), ["binary"]),
    "not a csv at all": (lambda p: p.write_text("hello world\n"), ["missing column"]),
    "duplicated column names": (lambda p: write_csv(p, [r + ["1"] for r in GOOD_ROWS], EXPECTED_COLUMNS + ["Age"]), ["duplicated column"]),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_raises_clear_data_error(tmp_path, case):
    make, expected = BAD_CASES[case]
    path = tmp_path / "bad.csv"
    make(path)
    with pytest.raises(DataError) as info:
        load(path)
    message = str(info.value)
    assert "bad.csv" in message, message
    for fragment in expected:
        assert fragment in message, f"{case}: {fragment!r} not in {message!r}"
    assert isinstance(info.value, ValueError)


def test_bad_zip_raises_data_error(tmp_path, good_csv):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(DataError, match="broken.zip"):
        load(broken)
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as zf:
        zf.write(good_csv, arcname="a.csv")
        zf.write(good_csv, arcname="b.csv")
    with pytest.raises(DataError, match="exactly one .csv"):
        load(two)


def test_missing_explicit_path_is_an_error_not_a_fallback(tmp_path, monkeypatch):
    monkeypatch.delenv(raw_data.ENV_VAR, raising=False)
    with pytest.raises(DataError, match="not_here.csv"):
        find_data(tmp_path / "not_here.csv")
    monkeypatch.setenv(raw_data.ENV_VAR, str(tmp_path / "also_missing.zip"))
    with pytest.raises(DataError, match="NOSHOW_DATA"):
        find_data()


def test_source_precedence(tmp_path, good_csv, monkeypatch):
    other = write_csv(tmp_path / "other.csv", GOOD_ROWS)
    monkeypatch.setenv(raw_data.ENV_VAR, str(other))
    assert find_data(good_csv).path == good_csv  # parameter beats environment
    assert find_data().path == other  # environment beats data folder
    monkeypatch.delenv(raw_data.ENV_VAR)
    monkeypatch.setattr(raw_data.paths, "DATA_DIR", tmp_path / "empty")
    with pytest.warns(raw_data.SyntheticDataWarning) as caught:
        assert find_data().is_synthetic
    # it points at the caller (this file), by its path inside the project: no folder of this machine
    assert caught[0].filename == "tests/data/test_raw.py"
    # "synthetic" asks for the embedded default even when a file would be found
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / raw_data.KAGGLE_NAME).write_bytes(good_csv.read_bytes())
    assert find_data().path.name == raw_data.KAGGLE_NAME
    with pytest.warns(raw_data.SyntheticDataWarning, match="parameter asked"):
        assert find_data("synthetic").is_synthetic


def test_ledger_accounts_for_every_row(good_csv):
    frame = load(good_csv)
    kept, ledger = clean(frame)
    table = {e["step"]: e["rows"] for e in ledger}
    assert table["rows read"] == 5
    assert table["Age < 0"] == 1
    assert table["scheduled after the appointment day"] == 1
    assert table["rows kept"] == len(kept) == 3
    dropped = sum(e["rows"] for e in ledger if e["action"] == "dropped")
    assert table["rows read"] == table["rows kept"] + dropped
    assert kept["row"].tolist() == [0, 1, 4]


@pytest.mark.realdata
@pytest.mark.skipif(not REAL_ZIP.is_file(), reason="real Kaggle file not present")
def test_real_file_loads_with_known_counts(tmp_path):
    frame = validate(read_csv_strict(REAL_ZIP), REAL_ZIP.name)
    assert len(frame) == 110_527
    assert frame["No-show"].sum() == 22_319
    kept, ledger = clean(frame)
    steps = {e["step"]: e["rows"] for e in ledger}
    assert steps["Age < 0"] == 1 and steps["scheduled after the appointment day"] == 5
    # the week-1 report's test rows: 22,106 with 4,437 no-shows
    assert frame["No-show"].to_numpy()[original_test_rows(len(frame))].sum() == 4_437
