"""Conclusions drawn by the rules: immutable values that carry their provenance.

Every conclusion names the rule that decided it, the source the rule encodes, and the FHIR resources
it was drawn from, so a clinician can always see why.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from cds.facts import Fact, RangeSource


class ToxicityGrade(Fact):
    """The CTCAE grade of one laboratory Observation for one term (null grade: cannot grade, with reason)."""

    term: str
    term_id: str
    ctcae_version: str
    grade: int | None
    observation: str
    effective: datetime
    cycle: int
    analyte: str
    value: float | None = None
    unit: str | None = None
    value_canonical: float | None = None
    unit_canonical: str | None = None
    lln: float | None = None
    uln: float | None = None
    baseline: float | None = None
    range_source: RangeSource | None = None
    criterion: str | None = None
    rule: str | None = None
    criterion_set: str | None = None
    reason: str | None = None
    notes: tuple[str, ...] = ()
    derived_from: tuple[str, ...] = ()
    # The reported unit, when CTCAE gives no criteria in it and the value was converted to the term's
    # SI unit to be graded (rules/ctcae_v5.toml, "How a term is graded"); None: graded as reported.
    converted_from: str | None = None


class DoseReason(Fact):
    """One reason of a dose recommendation: the rule, what it found, and its source."""

    rule: str
    text: str
    term: str | None = None
    grade: int | None = None
    value: float | None = None
    unit: str | None = None
    observations: tuple[str, ...] = ()
    source: str | None = None
    status: str | None = None


class DoseAlert(Fact):
    """The recommendation for one PRRT cycle: given (checked after the fact) or the next one due."""

    cycle: int
    due: date
    decision_date: date
    given: bool
    given_activity_gbq: float | None = None
    action: Literal["proceed", "reduce", "withhold", "discontinue", "labs-needed"]
    indicator: Literal["info", "warning", "critical"]
    recommended_activity_gbq: float | None = None
    reasons: tuple[DoseReason, ...] = ()
