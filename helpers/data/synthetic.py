"""A synthetic stand-in for the Kaggle "Medical Appointment No Shows" file.

The report runs on the public Kaggle file ``KaggleV2-May-2016.csv`` when it is
present. When it is absent (a fresh clone, CI, the tests) it runs on the data set
made here instead, so that every notebook executes end to end.

What is synthetic
-----------------
Everything. No row of the real file is embedded or copied: patients, identifiers,
dates, ages, neighbourhoods (invented names), conditions and outcomes are drawn
from a small hand-written generative model whose *marginal* shapes were set to
resemble the published data set (about 110k appointments, about 62k patients,
about 20 % no-shows, lead times from same day to about six months).

The outcome follows a logistic model with effects chosen by hand:

- lead time (days from scheduling to the appointment day): same-day bookings
  rarely miss (about 5 %), longer lead times miss more (about 30 %);
- age: teenagers and young adults miss more, older people less;
- a small reminder (``SMS_received``) benefit, a small ``Scholarship`` penalty,
  small neighbourhood and weekday offsets;
- a persistent latent propensity per patient, so that a patient's no-shows on
  earlier appointment days predict later ones, plus a shared effect for
  appointments of one patient on one day.

A few dirty rows are planted so that the cleaning step has work to do: an age of
-1, appointments scheduled *after* their appointment day, ``Handcap`` counts of
2 to 4, and non-integer ``PatientId`` values written as ``...E-5`` (the real
file has these too, which is why pandas reads ``PatientId`` as ``float64``).

Numbers computed from this data set (rates, model scores, effect sizes) describe
the generator's assumptions, **not** the real clinics. They are not findings.

The frame returned by :func:`make_synthetic` has the columns, order and dtypes
that ``pandas.read_csv`` returns for the Kaggle file, and :func:`write_synthetic_csv`
writes it in the Kaggle file's text format, so reading it back gives the same frame.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["COLUMNS", "NEIGHBOURHOODS", "N_ROWS_KAGGLE", "make_synthetic", "write_synthetic_csv"]

#: Row count of the real Kaggle file, the default size of the synthetic one.
N_ROWS_KAGGLE = 110_527

#: Column names, in the Kaggle file's order (including its spellings).
COLUMNS = (
    "PatientId",
    "AppointmentID",
    "Gender",
    "ScheduledDay",
    "AppointmentDay",
    "Age",
    "Neighbourhood",
    "Scholarship",
    "Hipertension",
    "Diabetes",
    "Alcoholism",
    "Handcap",
    "SMS_received",
    "No-show",
)

#: Invented neighbourhood names (none is a neighbourhood of the real file),
#: most frequent first.
NEIGHBOURHOODS = (
    "JARDIM DAS ACÁCIAS", "MORADA DO VENTO", "VALE DAS ROSAS", "PRAIA DOS COQUEIROS",
    "NOVA AURORA", "ALTO DO MIRANTE", "VILA ESMERALDA", "SÃO BRÁULIO",
    "RECANTO DAS ÁGUAS", "COLINA AZUL", "PARQUE DOS PINHEIROS", "BELA ALVORADA",
    "LAGOA SERENA", "CAMPO DAS FLORES", "SANTA ROSALINA", "TRÊS FONTES",
    "PORTO DAS CANOAS", "MONTE CLARO", "VILA DAS CAMÉLIAS", "JARDIM DOS CORAIS",
    "BOSQUE DOS IPÊS", "ESTRELA DO NORTE", "PEDRA ALTA", "VARGEM ALEGRE",
    "RESIDENCIAL DAS GAIVOTAS", "SÃO FLORIANO", "CANTO DOS PÁSSAROS", "TERRA FIRME",
    "QUINTA DAS MANGUEIRAS", "FAROL VELHO", "ENSEADA CLARA", "SERRA DO CEDRO",
    "CHÁCARA DO SOL", "VALE DO SOSSEGO", "SANTO ANSELMO", "BAIXA DAS GARÇAS",
    "COSTA DOURADA", "LARGO DAS PALMAS", "RIBEIRA DO ARVOREDO", "CÓRREGO FUNDO",
    "SOLAR DA BAÍA", "MORRO DAS ANDORINHAS", "VILA DOS MARINHEIROS", "BOA SOMBRA",
    "PARQUE DAS ORQUÍDEAS", "RECANTO DO SABIÁ", "SÍTIO DAS AMÊNDOAS", "VISTA DO CANAL",
    "CAMPO VERDE", "SANTA HELENA DO MAR", "ENGENHO VELHO DO NORTE", "OLARIA VELHA",
    "JACARANDÁ", "PITANGUEIRAS DO SUL", "BURITI GRANDE", "CAJUEIRO DA BARRA",
    "CONCHAL", "LAJEDO", "MANGUEZAL", "GUARAPÉ", "ITAPEBA", "TABOCAL",
    "JATOBÁ DO ALTO", "FAZENDINHA NOVA", "ARAÇÁ DO BREJO", "CASCALHO",
    "RIO DAS PEDRAS MIÚDAS", "PRAIA MANSA", "PEDREGAL", "MARAVISTA",
    "NOVA BETÂNIA", "SÃO CAETANO DA ILHA", "MARAMBAIA DO LESTE", "RECREIO DOS PESCADORES",
    "CIDADE JARDIM NOVA", "PONTA DA AREIA BRANCA", "ILHOTA DAS GARÇAS", "JARDIM PRIMAVERA DO SUL",
    "ARQUIPÉLAGO DAS TRÊS IRMÃS", "DISTRITO FABRIL",
)

# --- structural knobs (hand-set; see the module docstring) -----------------------------

# Appointments per patient: 1 + NegativeBinomial(r, p), plus for a few frequent
# attenders another NegativeBinomial. Mean about 1.78, so about 56 % as many
# patients as rows, with a long tail.
_APPTS_NB_R = 0.7
_APPTS_NB_P = 0.5
_P_FREQUENT = 0.01
_FREQUENT_NB_R = 1.0
_FREQUENT_NB_P = 0.1
# Probability that a patient's further appointment falls on the same day as the previous one.
_SAME_DAY_REPEAT = 0.08

# Appointment days: weekdays 2016-04-29 .. 2016-06-08 without 26-27 May (a holiday
# and its bridge day), 27 days in all.
_FIRST_DAY = np.datetime64("2016-04-29", "D")
_LAST_DAY = np.datetime64("2016-06-08", "D")
_CLOSED_DAYS = np.array(["2016-05-26", "2016-05-27"], dtype="datetime64[D]")

# Lead time in days: 0 with probability _P_SAME_DAY, else 1 + Gamma(shape, scale),
# some rounded to whole weeks, clipped; scheduling dates falling on a weekend move
# back to the Friday before.
_P_SAME_DAY = 0.35
_LEAD_GAMMA_SHAPE = 0.75
_LEAD_GAMMA_SCALE = 19.0
_P_WEEK_ROUNDING = 0.3
_MAX_LEAD = 174

# Hour at which an appointment was booked (working hours, morning peak).
_BOOKING_HOURS = np.arange(6, 21)
_BOOKING_HOUR_WEIGHTS = np.array(
    [1.5, 17.0, 14.0, 12.0, 10.0, 8.0, 5.0, 8.0, 8.0, 7.0, 5.0, 2.7, 1.2, 0.4, 0.1]
)

# Age: weights of 5-year bands 0-4, 5-9, ..., 95-99, with extra mass at age 0.
_AGE_BAND_WEIGHTS = np.array(
    [60, 65, 52, 65, 62, 62, 68, 69, 62, 67, 73, 70, 61, 46, 30, 23, 17, 9, 3, 1], dtype=float
)
_P_AGE_ZERO = 0.032
_P_AGE_100_PLUS = 0.0001
_P_FEMALE = 0.65

# Patient conditions: probability as a piecewise-linear function of age.
_HIPERTENSION = ([0, 20, 38, 52, 67, 85], [0.0, 0.01, 0.12, 0.34, 0.53, 0.62])
_DIABETES = ([0, 20, 38, 52, 67, 85], [0.0, 0.005, 0.036, 0.11, 0.22, 0.22])
_ALCOHOLISM = ([0, 15, 25, 38, 52, 67, 85], [0.0, 0.002, 0.015, 0.045, 0.06, 0.047, 0.01])
_ALCOHOLISM_SEX = {"F": 0.55, "M": 1.8}
_SCHOLARSHIP = ([0, 1, 6, 15, 25, 38, 52, 67, 85],
                [0.015, 0.1, 0.12, 0.15, 0.12, 0.155, 0.07, 0.035, 0.004])
_SCHOLARSHIP_SEX = {"F": 1.25, "M": 0.5}
_HANDCAP = ([0, 10, 20, 40, 60, 80], [0.001, 0.01, 0.018, 0.021, 0.03, 0.07])

# SMS reminders: only for lead times of at least 3 days.
_SMS_MIN_LEAD = 3
_SMS_P = (0.55, 0.12)  # p = 0.55 + 0.12 * min(lead, 60) / 60

# Outcome: logit of a no-show.
_LOGIT_BASE = -1.72
_LOGIT_SAME_DAY = -2.0          # extra for lead time 0
_LOGIT_LOG_LEAD = 0.22          # times log1p(lead) for lead > 0
_LOGIT_AGE = ([0, 5, 15, 22, 35, 50, 65, 80, 100],
              [-0.15, 0.05, 0.45, 0.4, 0.1, -0.15, -0.45, -0.4, -0.35])
_LOGIT_SCHOLARSHIP = 0.2
_LOGIT_HIPERTENSION = -0.05
_LOGIT_DIABETES = -0.05
_LOGIT_SMS = -0.25
_LOGIT_WEEKDAY = np.array([0.05, 0.0, -0.02, -0.05, 0.08])  # Monday .. Friday
_SD_NEIGHBOURHOOD = 0.15
_SD_PATIENT = 1.4               # persistent latent propensity per patient
_SD_PATIENT_DAY = 0.6           # shared by one patient's appointments on one day

# Identifiers.
_APPOINTMENT_ID_START = 5_030_000
_APPOINTMENT_ID_SPAN = 760_000
_PATIENT_ID_DIGITS = np.arange(9, 16)
_PATIENT_ID_DIGIT_WEIGHTS = np.array([0.001, 0.008, 0.036, 0.116, 0.256, 0.358, 0.225])

# Dirty rows per 110,527 rows (at least one of each kind from 1,000 rows on).
_DIRTY_PER_KAGGLE = {"age_minus_one": 1, "scheduled_after": 5, "handcap_multi": 200,
                     "fractional_patient_id": 5}


def _n_dirty(kind: str, n_rows: int) -> int:
    """Number of planted dirty rows of one kind for a frame of ``n_rows`` rows."""
    k = int(round(_DIRTY_PER_KAGGLE[kind] * n_rows / N_ROWS_KAGGLE))
    if n_rows >= 1000:
        k = max(k, 1)
    if kind == "fractional_patient_id":
        # at least one, always: it is what makes read_csv parse PatientId as float64
        k = max(k, 1)
    return min(k, n_rows)


def _appointment_days() -> np.ndarray:
    """The 27 possible appointment days as ``datetime64[D]``."""
    days = np.arange(_FIRST_DAY, _LAST_DAY + 1)
    weekday = _weekday(days)
    return days[(weekday < 5) & ~np.isin(days, _CLOSED_DAYS)]


def _weekday(days: np.ndarray) -> np.ndarray:
    """Day of week (Monday = 0) of ``datetime64[D]`` values."""
    return (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday


def _appointments_per_patient(rng: np.random.Generator, n_rows: int) -> np.ndarray:
    """Appointment counts per patient, summing to exactly ``n_rows``."""
    counts = 1 + rng.negative_binomial(_APPTS_NB_R, _APPTS_NB_P, size=n_rows)
    frequent = rng.random(n_rows) < _P_FREQUENT
    counts[frequent] += rng.negative_binomial(
        _FREQUENT_NB_R, _FREQUENT_NB_P, size=int(frequent.sum())
    )
    total = np.cumsum(counts)
    k = int(np.searchsorted(total, n_rows))  # first patient reaching n_rows
    counts = counts[: k + 1].copy()
    counts[-1] -= total[k] - n_rows
    return counts


def _patient_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct integer-valued patient identifiers (float64, 9 to 15 digits)."""
    out = np.empty(0, dtype=np.int64)
    while out.size < n:
        m = n - out.size + 16
        digits = rng.choice(_PATIENT_ID_DIGITS, size=m, p=_PATIENT_ID_DIGIT_WEIGHTS)
        draw = rng.integers(10 ** (digits - 1), 10**digits, dtype=np.int64)
        both = np.concatenate([out, draw])
        _, first = np.unique(both, return_index=True)
        out = both[np.sort(first)]
    return out[:n].astype(np.float64)


def _interp(table: tuple[list, list], x: np.ndarray) -> np.ndarray:
    """Piecewise-linear lookup of ``(knots, values)`` at ``x``."""
    return np.interp(x, table[0], table[1])


def make_synthetic(n_rows: int = N_ROWS_KAGGLE, seed: int = 0) -> pd.DataFrame:
    """Generate a synthetic appointments table with the Kaggle file's schema.

    Parameters
    ----------
    n_rows : int, default 110_527
        Number of appointments (rows). Any positive size works; the dirty rows
        (see the module docstring) are guaranteed from 1,000 rows on, except one
        non-integer ``PatientId``, which is always present (it keeps the column
        float64 when the CSV is read back).
    seed : int, default 0
        Seed of the NumPy random generator. The same ``(n_rows, seed)`` always
        gives an identical frame.

    Returns
    -------
    pandas.DataFrame
        One row per appointment, columns :data:`COLUMNS` with the dtypes that
        ``pandas.read_csv`` gives the Kaggle file: ``PatientId`` float64,
        ``AppointmentID``, ``Age`` and the 0/1 flags int64, ``Handcap`` int64
        (0 to 4), ``Gender``, ``ScheduledDay``, ``AppointmentDay``, ``Neighbourhood``
        and ``No-show`` strings. Timestamps are ISO strings such as
        ``"2016-04-29T18:38:08Z"``; appointment days are always at midnight.
        Rows are ordered by appointment day.

    Raises
    ------
    ValueError
        If ``n_rows`` is smaller than 1.

    Notes
    -----
    The data are invented; statistics computed from them are properties of the
    generator, not findings about the real clinics.

    Examples
    --------
    >>> df = make_synthetic(500, seed=1)
    >>> df.shape
    (500, 14)
    """
    n_rows = int(n_rows)
    if n_rows < 1:
        raise ValueError(f"n_rows must be at least 1, got {n_rows}")
    rng = np.random.default_rng(seed)

    # --- patients and their persistent attributes -----------------------------------
    counts = _appointments_per_patient(rng, n_rows)
    n_pat = counts.size
    pid = _patient_ids(rng, n_pat)
    female = rng.random(n_pat) < _P_FEMALE

    band = rng.choice(_AGE_BAND_WEIGHTS.size, size=n_pat, p=_AGE_BAND_WEIGHTS / _AGE_BAND_WEIGHTS.sum())
    age = 5 * band + rng.integers(0, 5, size=n_pat)
    age[rng.random(n_pat) < _P_AGE_ZERO] = 0
    old = rng.random(n_pat) < _P_AGE_100_PLUS
    age[old] = rng.integers(100, 103, size=int(old.sum()))

    sex_alc = np.where(female, _ALCOHOLISM_SEX["F"], _ALCOHOLISM_SEX["M"])
    sex_sch = np.where(female, _SCHOLARSHIP_SEX["F"], _SCHOLARSHIP_SEX["M"])
    hip = rng.random(n_pat) < _interp(_HIPERTENSION, age)
    dia = rng.random(n_pat) < _interp(_DIABETES, age)
    alc = rng.random(n_pat) < _interp(_ALCOHOLISM, age) * sex_alc
    sch = rng.random(n_pat) < _interp(_SCHOLARSHIP, age) * sex_sch
    hcp = (rng.random(n_pat) < _interp(_HANDCAP, age)).astype(np.int64)

    n_nb = len(NEIGHBOURHOODS)
    nb_w = (np.arange(n_nb) + 3.0) ** -1.2
    nb_w[-6:] *= [0.3, 0.1, 0.05, 0.02, 0.01, 0.004]  # a few tiny neighbourhoods
    nb = rng.choice(n_nb, size=n_pat, p=nb_w / nb_w.sum())
    nb_effect = rng.normal(0.0, _SD_NEIGHBOURHOOD, size=n_nb)
    propensity = rng.normal(0.0, _SD_PATIENT, size=n_pat)

    # --- appointments -------------------------------------------------------------------
    pat = np.repeat(np.arange(n_pat), counts)
    first_of_patient = np.r_[True, pat[1:] != pat[:-1]]

    days = _appointment_days()
    day_w = np.where(_weekday(days) == 4, 0.9, 1.0)
    day_w[0] = 0.75
    day_idx = rng.choice(days.size, size=n_rows, p=day_w / day_w.sum())
    repeat = (rng.random(n_rows) < _SAME_DAY_REPEAT) & ~first_of_patient
    src = np.maximum.accumulate(np.where(repeat, 0, np.arange(n_rows)))
    day_idx = day_idx[src]
    appt_day = days[day_idx]

    lead = 1 + np.floor(rng.gamma(_LEAD_GAMMA_SHAPE, _LEAD_GAMMA_SCALE, size=n_rows)).astype(np.int64)
    weekly = (rng.random(n_rows) < _P_WEEK_ROUNDING) & (lead >= 5)
    lead[weekly] = 7 * np.rint(lead[weekly] / 7).astype(np.int64)
    lead = np.clip(lead, 1, _MAX_LEAD)
    lead[rng.random(n_rows) < _P_SAME_DAY] = 0
    # a booking date on a weekend moves back to one of the five weekdays before it
    sched_wd = _weekday(appt_day - lead)
    lead += np.where(sched_wd >= 5, sched_wd - 4 + rng.integers(0, 5, size=n_rows), 0)
    sched_day = appt_day - lead

    hour = rng.choice(_BOOKING_HOURS, size=n_rows, p=_BOOKING_HOUR_WEIGHTS / _BOOKING_HOUR_WEIGHTS.sum())
    sec_of_day = 3600 * hour + rng.integers(0, 3600, size=n_rows)

    p_sms = _SMS_P[0] + _SMS_P[1] * np.minimum(lead, 60) / 60
    sms = (lead >= _SMS_MIN_LEAD) & (rng.random(n_rows) < p_sms)

    # --- outcome ------------------------------------------------------------------------
    _, pat_day = np.unique(pat * days.size + day_idx, return_inverse=True)
    pat_day_effect = rng.normal(0.0, _SD_PATIENT_DAY, size=int(pat_day.max()) + 1)[pat_day]
    a_age = age[pat]
    logit = (
        _LOGIT_BASE
        + np.where(lead == 0, _LOGIT_SAME_DAY, _LOGIT_LOG_LEAD * np.log1p(lead))
        + _interp(_LOGIT_AGE, a_age)
        + _LOGIT_SCHOLARSHIP * sch[pat]
        + _LOGIT_HIPERTENSION * hip[pat]
        + _LOGIT_DIABETES * dia[pat]
        + _LOGIT_SMS * sms
        + _LOGIT_WEEKDAY[_weekday(appt_day)]
        + nb_effect[nb[pat]]
        + propensity[pat]
        + pat_day_effect
    )
    no_show = rng.random(n_rows) < 1.0 / (1.0 + np.exp(-logit))

    # --- planted dirty rows ---------------------------------------------------------------
    a_pid = pid[pat]
    a_hcp = hcp[pat]
    perm = rng.permutation(n_rows)
    k_age = _n_dirty("age_minus_one", n_rows)
    k_late = _n_dirty("scheduled_after", n_rows)
    rows_age = perm[:k_age]
    rows_late = perm[k_age : k_age + k_late]
    a_age = a_age.copy()
    a_age[rows_age] = -1
    # scheduled one (rarely up to six) days after the appointment day; these are all no-shows
    sched_day[rows_late] = appt_day[rows_late] + rng.geometric(0.6, size=rows_late.size).clip(1, 6)
    no_show[rows_late] = True

    # Handcap counts 2..4: whole patients, in random order, until enough rows
    k_hcp = _n_dirty("handcap_multi", n_rows)
    if k_hcp:
        order = rng.permutation(n_pat)
        reached = np.searchsorted(np.cumsum(counts[order]), k_hcp)
        chosen = order[: reached + 1]
        hcp_level = np.array([2, 3, 4])[rng.choice(3, size=chosen.size, p=[0.9, 0.08, 0.02])]
        hcp_patient = hcp.copy()
        hcp_patient[chosen] = hcp_level
        a_hcp = hcp_patient[pat]

    # non-integer PatientId on a few rows, preferably of one-visit patients
    k_frac = _n_dirty("fractional_patient_id", n_rows)
    single = np.flatnonzero(counts[pat] == 1)
    pool = single if single.size >= k_frac else np.arange(n_rows)
    rows_frac = rng.choice(pool, size=k_frac, replace=False)
    mantissa = rng.integers(3_000_000_000, 60_000_000_000, size=k_frac, dtype=np.int64)
    a_pid = a_pid.copy()
    a_pid[rows_frac] = mantissa / 1e5

    # --- identifiers, strings, row order ------------------------------------------------
    sched_ts = sched_day.astype("datetime64[s]") + sec_of_day.astype("timedelta64[s]")
    mean_gap = max(_APPOINTMENT_ID_SPAN / n_rows, 1.0)
    gaps = 1 + np.floor(rng.exponential(mean_gap - 0.5, size=n_rows)).astype(np.int64)
    appt_id = np.empty(n_rows, dtype=np.int64)
    appt_id[np.argsort(sched_ts, kind="stable")] = (
        _APPOINTMENT_ID_START + rng.integers(0, 1000) + np.cumsum(gaps)
    )

    row_order = rng.permutation(n_rows)
    row_order = row_order[np.argsort(day_idx[row_order], kind="stable")]

    def strings(values: np.ndarray) -> pd.Series:
        return pd.Series(values[row_order], dtype="str")

    def ints(values: np.ndarray) -> pd.Series:
        return pd.Series(np.asarray(values)[row_order].astype(np.int64))

    names = np.array(NEIGHBOURHOODS, dtype=object)
    frame = pd.DataFrame(
        {
            "PatientId": pd.Series(a_pid[row_order].astype(np.float64)),
            "AppointmentID": ints(appt_id),
            "Gender": strings(np.where(female[pat], "F", "M").astype(object)),
            "ScheduledDay": strings(np.datetime_as_string(sched_ts, unit="s", timezone="UTC").astype(object)),
            "AppointmentDay": strings(
                np.datetime_as_string(appt_day.astype("datetime64[s]"), unit="s", timezone="UTC").astype(object)
            ),
            "Age": ints(a_age),
            "Neighbourhood": strings(names[nb[pat]]),
            "Scholarship": ints(sch[pat]),
            "Hipertension": ints(hip[pat]),
            "Diabetes": ints(dia[pat]),
            "Alcoholism": ints(alc[pat]),
            "Handcap": ints(a_hcp),
            "SMS_received": ints(sms),
            "No-show": strings(np.where(no_show, "Yes", "No").astype(object)),
        },
        columns=list(COLUMNS),
    )
    return frame


def _format_patient_ids(values: np.ndarray) -> np.ndarray:
    """Write PatientId as the Kaggle file does: integers plain, fractions as ``mantissaE-5``."""
    values = np.asarray(values, dtype=np.float64)
    whole = values == np.floor(values)
    out = np.empty(values.size, dtype=object)
    out[whole] = values[whole].astype(np.int64).astype(str)
    mantissa = np.rint(values[~whole] * 1e5).astype(np.int64).astype(str)
    out[~whole] = np.char.add(mantissa, "E-5")
    return out


def write_synthetic_csv(
    path: str | os.PathLike, n_rows: int = N_ROWS_KAGGLE, seed: int = 0
) -> Path:
    """Write :func:`make_synthetic` output as a CSV formatted like the Kaggle file.

    Comma-separated, UTF-8, ``\\n`` line endings, no index, no quoting, integer
    ``PatientId`` values without a decimal point and the non-integer ones as
    ``mantissaE-5`` (as in the real file). ``pandas.read_csv(path)`` returns a
    frame equal to ``make_synthetic(n_rows, seed)``. A path ending in ``.zip``
    (or another extension pandas recognises) is compressed accordingly.

    Parameters
    ----------
    path : str or PathLike
        Destination file; parent folders are created.
    n_rows : int, default 110_527
        Number of rows, passed to :func:`make_synthetic`.
    seed : int, default 0
        Random seed, passed to :func:`make_synthetic`.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = make_synthetic(n_rows=n_rows, seed=seed)
    text = frame.astype({"PatientId": object})
    text["PatientId"] = _format_patient_ids(frame["PatientId"].to_numpy())
    text.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path
