"""What the data tests share: where the real file lies, the synthetic file's size and a split of its cleaned frame."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import paths
from helpers.data.splits import make_split, patient_codes

#: The real Kaggle file: $NOSHOW_DATA (as .ci/run sets it), else the shared copy beside the clone.
REAL_FILE = Path(os.environ.get("NOSHOW_DATA") or paths.REPO_ROOT.parent / "shared" / "data" / "KaggleV2-May-2016.csv.zip")
#: Rows of the synthetic file the split and pipeline tests read (``synthetic_csv`` in conftest.py).
N_ROWS = 3000


def split_of(cleaned: pd.DataFrame, kind: str, seed: int = 0) -> dict[str, np.ndarray]:
    return make_split(cleaned["No-show"].to_numpy(), kind, seed=seed,
                      appointment_day=cleaned["AppointmentDay"].to_numpy(), raw_row=cleaned["row"].to_numpy(),
                      n_raw=N_ROWS, groups=patient_codes(cleaned["PatientId"]))
