"""RECIST 1.1 Table 2's non-CR/non-PD reaches the patient-view card as such, never as SD.

The card's wording is the cards' own; this checks only that the values flow through: the latest time
point and the best overall response of a patient with non-target disease only.
"""

from __future__ import annotations

import re
from datetime import date

import factories as fx

from cds.evaluation import evaluate_collected
from cds.hooks.cards.toxicity_card import toxicity_card
from cds.reading import from_objects


def test_the_patient_view_card_shows_non_cr_non_pd_for_non_target_disease_only() -> None:
    resources = [fx.patient("p1"), fx.procedure("c1", "2024-01-08", patient="Patient/p1")]
    for oid, day in (("n0", "2024-01-02"), ("n1", "2024-03-04"), ("n2", "2024-04-29")):
        resources.append(fx.non_target_status(oid, "present", "BodyStructure/bone-1", patient="Patient/p1",
                                              when=f"{day}T08:00:00Z"))
    [result] = evaluate_collected(from_objects(resources)).patients
    issued = toxicity_card(result, "test", date(2024, 5, 1), [], 4)
    assert issued is not None
    text = f"{issued.card.summary}\n{issued.card.detail or ''}"
    assert "non-CR/non-PD" in text
    assert not re.search(r"\bSD\b", text), text
