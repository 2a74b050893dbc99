"""Fixtures of the data tests: one synthetic file per module and its cleaned frame."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.data import raw as raw_data
from helpers.data.synthetic import write_synthetic_csv
from tests.data.shared import N_ROWS


@pytest.fixture(scope="module")
def synthetic_csv(tmp_path_factory):
    return write_synthetic_csv(tmp_path_factory.mktemp("splits") / "synthetic.csv", n_rows=N_ROWS, seed=1)


@pytest.fixture(scope="module")
def cleaned(synthetic_csv) -> pd.DataFrame:
    frame = raw_data.validate(raw_data.read_csv_strict(synthetic_csv), synthetic_csv.name)
    return raw_data.clean(frame)[0]
