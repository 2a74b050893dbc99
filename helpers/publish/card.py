"""The model card and the TRIPOD+AI checklist of notebook 07, written from the results.

- :func:`model_card` follows Mitchell et al., "Model Cards for Model Reporting" (FAT* 2019): what the
  model is, its intended and out-of-scope uses, the data and its period, the metrics with their
  intervals, the subgroup and usefulness findings, and the known limits. Every number comes from the
  saved study (notebook 04's ``summary_study.json``), the prepared data's metadata and the sentences
  notebook 07 generated; nothing is typed in.
- :data:`CHECKLIST` maps each item of TRIPOD+AI (Collins et al., BMJ 2024; item topics paraphrased)
  to where the report answers it -- a notebook and one of its section headings, or the README -- or
  says why it does not apply. A test reads every notebook and checks that each named section exists,
  so the checklist cannot point at a section that is not there.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["CHECKLIST", "NOTEBOOK_TITLES", "checklist_table", "model_card", "locations"]

#: The report's notebooks by short name, as the checklist names them.
NOTEBOOK_TITLES = {"01": "01_data_and_imbalance", "02": "02_numpy_model", "03": "03_pytorch_model",
                   "04": "04_comparison", "05": "05_validation_schemes", "07": "07_clinical_use"}

#: TRIPOD+AI items: (item, topic, where answered as [(notebook or "README", section heading)], or the reason it does
#: not apply). The topics paraphrase the checklist of Collins et al., BMJ 2024;385:e078378.
CHECKLIST = [
    ("1", "Title: a prediction model, its population and outcome", [("07", "Model card")], None),
    ("2", "Abstract: a structured summary", [("README", "Results"), ("07", "Conclusions")], None),
    ("3a", "Health-care context and rationale", [("07", "Model card"), ("01", "Who misses appointments?")], None),
    ("3b", "Target population, place in the care pathway, intended users", [("07", "Model card")], None),
    ("3c", "Known health inequalities across groups", [("07", "Does it work for everyone? Subgroups")], None),
    ("4", "Objectives (development, evaluation or both)", [("04", "What is decided, and how")], None),
    ("5a", "Source of data, and its representativeness", [("01", "The file that was read"), ("07", "Model card")], None),
    ("5b", "Dates of the data", [("07", "Model card")], None),
    ("6a", "Setting: care level, number and location of centres", [("07", "Model card")], None),
    ("6b", "Eligibility: inclusion and exclusion", [("01", "Cleaning ledger"), ("07", "The participant flow")], None),
    ("6c", "Treatments received", None, "no treatment is studied; whether an SMS reminder was sent is a recorded "
     "predictor (`sms_received`), not an intervention of the study"),
    ("7", "Data preparation and quality checks", [("01", "Load, validate, clean and split")], None),
    ("8a", "Outcome: definition, how and when assessed", [("07", "Model card")], None),
    ("8b", "Blinding of the outcome assessment", None, "the outcome (attended or not) is recorded by the clinics' "
     "booking system, not assessed by a person who could know the predictors"),
    ("9a", "Choice of predictors", [("01", "Load, validate, clean and split")], None),
    ("9b", "Predictors: definition, how and when measured", [("01", "Load, validate, clean and split")], None),
    ("10", "Sample size", [("07", "The participant flow")], None),
    ("11", "Missing data and its handling", [("01", "Cleaning ledger")], None),
    ("12a", "How the data were used: development and evaluation", [("01", "The split every model uses"),
                                                                 ("05", "Every scheme, the whole treatment")], None),
    ("12b", "Handling of predictors (scaling, encoding)", [("01", "Load, validate, clean and split")], None),
    ("12c", "Model type, building, hyper-parameter tuning, internal validation",
     [("02", "Weight decay and class weighting, chosen without the test split"), ("04", "Repeated runs")], None),
    ("12d", "Heterogeneity across clusters (centres)", [("05", "Which findings hold in every scheme")], None),
    ("12e", "Performance measures: discrimination, calibration, clinical utility",
     [("04", "What is decided, and how"), ("04", "Calibration: can the probabilities be read as risks?"),
      ("07", "Is it worth using? Decision curves")], None),
    ("12f", "Model updating or recalibration", None, "the report evaluates the models as trained; none is updated "
     "or recalibrated (notebook 04 measures calibration and says which models need it)"),
    ("12g", "How predictions and thresholds are computed", [("02", "Choosing the threshold on validation, judging on test")],
     None),
    ("13", "Class imbalance", [("04", "The imbalance study: what class weighting and the threshold do")], None),
    ("14", "Fairness", [("07", "Does it work for everyone? Subgroups"), ("07", "The twins in every subgroup")], None),
    ("15", "Model output and the decision threshold", [("04", "Explore the threshold")], None),
    ("16", "Differences between development and evaluation data", [("05", "Every scheme, the whole treatment")], None),
    ("17", "Ethics approval and consent", None, "a public, de-identified data set (Kaggle, CC BY-NC-SA 4.0) is "
     "re-analysed; no data were collected for this report"),
    ("18a", "Funding", None, "no funding"),
    ("18b", "Conflicts of interest", None, "none"),
    ("18c", "Protocol", [("04", "What is decided, and how")], None),
    ("18d", "Registration", None, "the study is not registered"),
    ("18e", "Data availability", [("README", "The data")], None),
    ("18f", "Code availability", [("README", "Two commands")], None),
    ("19", "Patient and public involvement", None, "none: no patients or members of the public took part in "
     "designing or reading this report"),
    ("20a", "Flow of participants", [("07", "The participant flow")], None),
    ("20b", "Characteristics of the participants", [("01", "Who misses appointments?"),
                                                    ("07", "Does it work for everyone? Subgroups")], None),
    ("20c", "Development and evaluation data compared", [("05", "Every scheme, the whole treatment")], None),
    ("21", "Numbers of participants and outcome events", [("07", "The participant flow")], None),
    ("22", "The full model (code and weights)", [("02", "Saved for the comparison"), ("03", "Saved for the comparison")],
     None),
    ("23a", "Performance with confidence intervals, in key subgroups too", [("04", "Repeated runs"),
                                                                           ("07", "Does it work for everyone? Subgroups")], None),
    ("23b", "Heterogeneity of performance across clusters", [("05", "Which findings hold in every scheme")], None),
    ("24", "Results of model updating", None, "no model is updated (item 12f)"),
    ("25", "Interpretation, fairness included", [("04", "Conclusions"), ("07", "Conclusions")], None),
    ("26", "Limitations", [("07", "Model card")], None),
    ("27a", "Handling of poor-quality or missing input data in use", [("01", "Load, validate, clean and split")], None),
    ("27b", "User interaction and expertise needed", [("04", "Explore the threshold"), ("07", "Model card")], None),
    ("27c", "Generalisability and future research", [("07", "Model card")], None),
]


def locations() -> list[tuple[str, str]]:
    """Every (notebook short name or ``"README"``, section heading) the checklist points at."""
    return sorted({loc for _, _, where, _ in CHECKLIST if where for loc in where})


def checklist_table() -> pd.DataFrame:
    """The checklist as a table: item, topic, and where the report answers it (or why it does not apply)."""
    rows = []
    for item, topic, where, reason in CHECKLIST:
        answered = ("; ".join(f"{'README' if nb == 'README' else 'notebook ' + nb}, \u201c{section}\u201d"
                              for nb, section in where) if where else f"not applicable: {reason}")
        rows.append({"item": item, "topic": topic, "where it is answered": answered})
    return pd.DataFrame(rows).set_index("item")


def _cell(d: dict) -> str:
    return f"{d['mean']:.3f} [{d['low']:.3f}, {d['high']:.3f}]"


def model_card(meta: dict, study: dict, period: tuple[str, str], settings: dict, findings: dict) -> str:
    """The model card (Markdown), from the results.

    Parameters
    ----------
    meta : dict
        The prepared data's metadata (source, rows, balance, split).
    study : dict
        Notebook 04's saved summary (``summary_study.json``): ``table`` (model -> metric -> spread with
        ``mean``, ``low``, ``high``), ``seeds``, ``margins``, ``conclusions``, ``test_rows``.
    period : (str, str)
        First and last appointment day in the data (ISO dates).
    settings : dict
        The networks' settings as trained (e.g. ``choice.used`` and the architecture).
    findings : dict
        Sentences generated in notebook 07: ``"usefulness"`` (decision curves), ``"subgroups"`` and
        ``"twins"``, and notebook 04's ``"calibration"`` verdict if at hand.
    """
    source = meta["source"]
    table = study["table"]
    networks = [m for m in ("NumPy MLP", "PyTorch MLP") if m in table]
    metrics = "; ".join(f"{m}: PR-AUC {_cell(table[m]['pr_auc'])}, ROC-AUC {_cell(table[m]['roc_auc'])}, "
                        f"recall {_cell(table[m]['recall'])} at the validation-tuned threshold" for m in networks)
    refs = "; ".join(f"{m} PR-AUC {_cell(table[m]['pr_auc'])}" for m in ("Logistic regression", "Gradient boosting")
                     if m in table)
    frameworks = next((c for c in study.get("conclusions", []) if c.startswith("**Frameworks.**")), "")
    first, last = period
    days = (pd.Timestamp(last) - pd.Timestamp(first)).days + 1
    synthetic = bool(source.get("synthetic"))
    data = (f"`{source['source_name']}` (sha256 `{str(source.get('sha256'))[:12]}…`){' -- SYNTHETIC DATA' if synthetic else ''}: "
            f"{meta['rows']['read']:,} appointments read, {meta['rows']['kept']:,} analysed, "
            f"{meta['balance']['all']['no_show_rate']:.1%} no-shows; appointment days {first} to {last} "
            f"({days} days); split `{meta['split']['kind']}`: {meta['balance']['train']['rows']:,} training, "
            f"{meta['balance']['val']['rows']:,} validation and {meta['balance']['test']['rows']:,} test rows.")
    lines = [
        "**Model.** A feed-forward network (" + ", ".join(f"`{k}={v!r}`" for k, v in settings.items())
        + "), trained twice -- from scratch in NumPy and in PyTorch -- with the same initial weights, batch order, "
        "loss and optimiser; the probability that a patient misses a booked medical appointment. " + frameworks,
        "",
        "**Intended use.** Prioritising reminder calls or messages: a clinic that can contact only some patients "
        "contacts those with the highest predicted risk first, at a threshold it chooses from the decision "
        "curves in this notebook. Intended users: clinic staff who plan reminders, with an analyst who can "
        "re-run this report on their own data.",
        "",
        "**Out of scope.** Denying, delaying or penalising care, overbooking a patient's slot, or any decision "
        "about an individual beyond offering a reminder; use on other cities, periods or health systems without "
        "re-running the evaluation on their data; reading the networks' outputs as calibrated risks where notebook "
        "04 finds them miscalibrated.",
        "",
        f"**Data.** {data}",
        "",
        "**Outcome and predictors.** The outcome is the data set's `No-show` field (the patient did not attend). "
        "The predictors are known before the appointment day: age, sex, the welfare flag, recorded conditions, "
        "whether an SMS was sent, the lead time, the weekday and hour booked, the patient's own earlier "
        "appointments, and the neighbourhood's no-show rate fitted on training rows.",
        "",
        f"**Metrics** (test rows, mean over {len(study['seeds'])} seeds [95 % interval over seeds and test "
        f"patients]). {metrics}. References: {refs}.",
        "",
        f"**Is it worth using?** {findings.get('usefulness', 'Not evaluated.')}",
        "",
        f"**Subgroups.** {findings.get('subgroups', 'Not evaluated.')} {findings.get('twins', '')}".rstrip(),
    ]
    if findings.get("calibration"):
        lines += ["", f"**Calibration.** {findings['calibration']}"]
    lines += [
        "",
        f"**Known limits.** One data source -- appointments in the public health system of one Brazilian city "
        f"(the neighbourhoods in the file are those of Vitória, Espírito Santo) -- over {days} days ({first} to {last}), in "
        f"{first[:4]}; no external validation on another city or period; the outcome and predictors are what the "
        "booking system recorded (no reason for a missed appointment); the models are evaluated, not deployed, "
        "and a clinic would need to check them on its own, later data before relying on them.",
    ]
    if synthetic or meta.get("sample_rows"):
        lines = ["> **These numbers come from synthetic or sampled data: this card describes no real model.**", ""] + lines
    return "\n".join(lines)
