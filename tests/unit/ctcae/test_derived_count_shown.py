"""A count derived from a percent differential, on the patient-view card, in its dose reasons and in the
text output: the count that was graded, with the share it came from, beside the count's own normal range.

It was: the row showed "20 %" as the value and the count's range rescaled into percent (0.71 to 4.53
x10^9/L read "35.5 to 226.5 %"), a range no laboratory gives for a differential, beside thresholds in
x10^9/L.
"""

from __future__ import annotations

from datetime import date

import factories as fx

from cds.document import to_text
from cds.evaluation import evaluate_collected
from cds.hooks.cards.toxicity_card import toxicity_card
from cds.reading import Collected, from_objects


def with_share(oid: str, analyte: str, percent: float) -> Collected:
    """One cycle given, then a WBC of 2.0 x10^9/L and a percent differential of the same time."""
    return from_objects([
        fx.patient("p1"),
        fx.procedure("c1", "2024-01-08", patient="Patient/p1"),
        fx.lab("w1", "wbc", 2.0, "10*9/L", when="2024-02-05T08:00:00Z"),
        fx.lab(oid, analyte, percent, "%", when="2024-02-05T08:00:00Z"),
    ])


def test_a_derived_lymphocyte_count_is_shown_as_the_count_with_the_count_range() -> None:
    [result] = evaluate_collected(with_share("l1", "lymphocytes_pct", 20)).patients
    [grade] = [g for g in result.toxicities if g.term_id == "lymphocyte_count_decreased"]
    assert (grade.value_canonical, grade.lln, grade.uln) == (0.4, 0.71, 4.53)
    issued = toxicity_card(result, "test", date(2024, 2, 6), [], 4)
    assert issued is not None
    detail = (issued.card.detail or "").splitlines()
    rows = [line for line in detail if line.startswith("| Lymphocyte count decreased |")]
    assert len(rows) == 2  # the course's table and the current cycle's
    for row in rows:
        assert "0.4 x10^9/L (20 % of the WBC)" in row
        assert "0.71 to 4.53 x10^9/L (default range)" in row
        assert " %" not in row.replace("20 % of the WBC", "")


def test_a_dose_reason_from_a_derived_neutrophil_count_names_the_count_graded() -> None:
    """It was: the withhold reason's value read "40 %" alone, beside a grade 3 of a count."""
    [result] = evaluate_collected(with_share("n1", "neutrophils_pct", 40)).patients
    [reason] = [r for alert in result.alerts for r in alert.reasons if r.observations == ("Observation/n1",)]
    assert (reason.grade, reason.value, reason.unit) == (3, 40.0, "%")
    assert reason.detail == "graded as the count 0.8 x10^9/L, this share of the WBC"


def test_the_text_output_gives_a_derived_count_as_the_count_graded() -> None:
    """It was: "(20 %; <500 - 200/mm3; <0.5 - 0.2 x 10e9 /L)", a percentage beside a count's criterion."""
    text = to_text(evaluate_collected(with_share("l1", "lymphocytes_pct", 20)))
    [line] = [line for line in text.splitlines() if "Lymphocyte count decreased: grade 3" in line]
    assert "(0.4 x10^9/L (20 % of the WBC); " in line
