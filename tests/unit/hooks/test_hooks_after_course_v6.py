"""After the planned course, a severe grade since the last cycle makes the patient-view card a warning, on
the label's bands as the dose rules read them: a CTCAE v6.0 neutrophil count of 0.7 x10^9/L is v6.0 grade
2, which acts as grade 3 (rules/lutathera_dose.toml grade_shift), as v5.0 grades it.

It was: the card compared the v6.0 grade itself with after_course_warning_grade (3), so the same count gave
a warning under v5.0 and an info card under v6.0.
"""

from __future__ import annotations

from datetime import date

import factories as fx
import hooks_support as hs
import pytest

from cds.evaluation import evaluate_collected
from cds.hooks.cards.toxicity_card import toxicity_card
from cds.reading import from_objects

DAYS = ("2024-01-08", "2024-03-04", "2024-04-29", "2024-06-24")


@pytest.mark.parametrize(("version", "count", "grade", "indicator"), [
    ("5.0", 0.7, 3, "warning"), ("6.0", 0.7, 2, "warning"), ("6.0", 1.0, 1, "info"), ("5.0", 1.0, 2, "info")])
def test_a_neutrophil_count_after_the_course_is_severe_on_the_labels_bands(
        version: str, count: float, grade: int, indicator: str) -> None:
    resources = hs.prrt_record("p1", DAYS)
    resources.append(fx.lab("anc", "neutrophils", count, "10*9/L", low=1.8, high=7.7, patient="Patient/p1",
                            when="2024-07-15T08:00:00Z"))
    [result] = evaluate_collected(from_objects(resources), ctcae_version=version).patients
    [anc] = [g for g in result.toxicities if g.observation == "Observation/anc"]
    assert anc.grade == grade
    issued = toxicity_card(result, "test", date(2024, 7, 20), [], 4, ctcae_version=version)
    assert issued is not None
    assert issued.card.indicator == indicator
    detail = issued.card.detail or ""
    assert ("follow it up" in detail) is (indicator == "warning")
    if version == "6.0" and indicator == "warning":
        assert "grade 2 (CTCAE v6.0; acts as grade 3 of the label's bands)" in detail
