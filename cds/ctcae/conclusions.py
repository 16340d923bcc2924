"""The conclusion of CTCAE grading: one grade (or "cannot grade") per laboratory Observation and term.

It names the rule that decided it, the criterion and its source, and the Observation it was drawn from.
"""

from __future__ import annotations

from datetime import datetime

from cds.facts import Derivation, Fact, RangeSource


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
    derivation: Derivation | None = None  # how the value graded was read (cds.facts.Derivation)
    # The reported unit, when CTCAE gives no criteria in it and the value was converted to the term's
    # SI unit to be graded (rules/ctcae_v5.toml, "How a term is graded"); None: graded as reported.
    converted_from: str | None = None
