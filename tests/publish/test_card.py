"""helpers.publish.card: the checklist points only at sections that exist, and the model card is written from
the numbers (it changes when they change)."""

from __future__ import annotations

import json
import re

import pytest

from helpers import paths
from helpers.publish import card

META = {"source": {"source_name": "KaggleV2-May-2016.csv.zip", "sha256": "ab" * 32, "synthetic": False},
        "sample_rows": None, "rows": {"read": 1000, "kept": 990},
        "balance": {"all": {"no_show_rate": 0.2}, "train": {"rows": 700}, "val": {"rows": 100}, "test": {"rows": 190}},
        "split": {"kind": "stratified"}}


def spread(mean):
    return {"mean": mean, "low": mean - 0.01, "high": mean + 0.01}


def study(pr_auc=0.37):
    models = ("NumPy MLP", "PyTorch MLP", "Logistic regression", "Gradient boosting")
    return {"table": {m: {"pr_auc": spread(pr_auc), "roc_auc": spread(0.73), "recall": spread(0.7)} for m in models},
            "seeds": [42, 43], "conclusions": ["**Frameworks.** On the primary metric they are equivalent."]}


def headings(name: str) -> set[str]:
    if name == "README":
        text = (paths.REPO_ROOT / "README.md").read_text(encoding="utf-8")
        return {m.group(1).strip() for m in re.finditer(r"^#{1,3} (.+)$", text, re.M)}
    nb = json.loads((paths.NOTEBOOKS_DIR / f"{card.NOTEBOOK_TITLES[name]}.ipynb").read_text(encoding="utf-8"))
    return {m.group(1).strip() for c in nb["cells"] if c["cell_type"] == "markdown"
            for m in re.finditer(r"^#{1,3} (.+)$", "".join(c["source"]), re.M)}


@pytest.mark.parametrize("where", card.locations(), ids=lambda w: f"{w[0]}: {w[1]}")
def test_every_location_of_the_checklist_is_a_section_of_the_report(where):
    name, section = where
    assert section in headings(name), f"{name} has no section {section!r}"


def test_the_checklist_answers_or_explains_every_item():
    table = card.checklist_table()
    assert len(table) == len(card.CHECKLIST) and table.index.is_unique
    for item, _, where, reason in card.CHECKLIST:
        assert bool(where) != bool(reason), item  # a place, or a reason it does not apply: never both, never neither
    assert "not applicable: no funding" in table.loc["18a", "where it is answered"]
    assert "notebook 07, \u201cThe participant flow\u201d" in table.loc["20a", "where it is answered"]


def test_the_model_card_is_written_from_the_numbers():
    findings = {"usefulness": "Useful from 0.15 to 0.40.", "subgroups": "Recall is lower for 65+.", "twins": "Twins agree."}
    one = card.model_card(META, study(0.37), ("2016-04-29", "2016-06-08"), {"hidden_layer_sizes": (64, 32)}, findings)
    two = card.model_card(META, study(0.41), ("2016-04-29", "2016-06-08"), {"hidden_layer_sizes": (64, 32)}, findings)
    assert "PR-AUC 0.370 [0.360, 0.380]" in one and "PR-AUC 0.410 [0.400, 0.420]" in two
    assert "41 days" in one and "2016-04-29 to 2016-06-08" in one and "Useful from 0.15 to 0.40." in one
    assert "Prioritising reminder" in one and "penalising" in one  # the intended and the out-of-scope uses
    assert "SYNTHETIC" not in one and "synthetic or sampled" not in one
    fake = card.model_card({**META, "source": {**META["source"], "synthetic": True}}, study(), ("2016-04-29", "2016-05-01"),
                           {}, findings)
    assert fake.startswith("> **These numbers come from synthetic or sampled data") and "3 days" in fake
