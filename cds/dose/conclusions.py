"""The conclusions of the dose advice: one recommendation per PRRT cycle, its reasons and deviations.

Every reason names the rule that decided it, what it found and the source it encodes.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from cds.facts import Fact, Indicator

Decision = Literal["proceed", "reduce", "labs-needed", "withhold", "discontinue"]
# What a reason is, for whoever shows it (the cards): a finding of a trigger rule before cycles 2+, an
# eligibility finding before cycle 1, a laboratory result needed, an exempt term, the class action rule
# that decided, a discontinuation carried forward, nothing dose-modifying, or a protocol check that stops
# the cycle (cds.protocol.hold).
ReasonKind = Literal["finding", "eligibility", "labs", "exempt", "action", "discontinued", "proceed", "protocol",
                     "course"]


class DoseReason(Fact):
    """One reason of a dose recommendation: the rule, what it found, and its source."""

    kind: ReasonKind
    rule: str
    text: str
    term: str | None = None
    grade: int | None = None
    value: float | None = None
    unit: str | None = None
    observations: tuple[str, ...] = ()
    source: str | None = None
    status: str | None = None
    value_text: str | None = None  # the value with the digits it was reported with ("7.40")
    detail: str | None = None  # how a derived value was found (formula, inputs), beside the value


class Deviation(Fact):
    """Where a cycle given departs from the recommendation at that point (docs/outputs.md)."""

    kind: Literal["activity", "given-while-withheld", "given-after-discontinue", "early", "implausible-activity",
                  "given-without-labs", "activity-not-recorded"]
    text: str
    rule: str
    source: str | None = None


class LabsUsed(Fact):
    """The laboratory results a recommendation rests on: the latest of each analyte the table requires
    before every cycle, taken after the previous administration and up to the decision date."""

    oldest: date | None  # the day of the least recent of them (None: none at all)
    latest: date | None
    age_days: int | None  # decision date - oldest
    max_age_days: int
    stale: bool  # a required result is missing, or older than max_age_days before the decision
    observations: tuple[str, ...] = ()
    # The day ``age_days`` and ``stale`` are measured to when it is not the decision date, and what that day
    # is ("the order's planned day"): a draft order that plans its infusion (cds.dose.labs_used.measured_to).
    measured_on: date | None = None
    measured_as: str | None = None


class DoseAlert(Fact):
    """The recommendation for one PRRT cycle: given (checked after the fact) or the next one due."""

    cycle: int
    due: date
    decision_date: date
    given: bool
    given_activity_gbq: float | None = None
    action: Decision
    indicator: Indicator
    recommended_activity_gbq: float | None = None
    reasons: tuple[DoseReason, ...] = ()
    deviations: tuple[Deviation, ...] = ()  # every deviation of a cycle given, most severe first
    labs: LabsUsed | None = None
    # What the laboratory rules alone said, when a protocol check that stops the cycle holds it
    # (cds.protocol.hold); None otherwise.
    laboratory_action: Decision | None = None

    @property
    def deviation(self) -> Deviation | None:
        """The most severe deviation of a cycle given, or None (also for the next cycle due)."""
        return self.deviations[0] if self.deviations else None


def same_activity(given: float, target: float, tolerance: float) -> bool:
    """Whether an activity is the target activity within ``tolerance`` (a fraction, inclusive), compared
    at 9 decimals: the deviations' reading of "given as recommended" (rules/lutathera_dose.toml)."""
    return round(abs(given - target) / target, 9) <= tolerance


def shifted_grade(grade: int, shift: int) -> int:
    """A CTCAE grade g >= 1 of a version whose bands sit ``shift`` grades below the label's, on the label's
    bands: g + shift, at most 4 (rules/lutathera_dose.toml ``grade_shift``); grade 0 stays 0."""
    return grade if grade < 1 or shift == 0 else min(grade + shift, 4)


class DoseCourse(Fact):
    """The course the dose table plans, as the cards cite it: the label, the cycles and activities, the
    plausibility maximum of an ordered activity, the deviations' activity tolerance, and the analytes
    required before every cycle."""

    label_version: str  # the Lutathera label version the table encodes ("2024-04")
    planned_cycles: int
    full_activity_gbq: float
    reduced_activity_gbq: float
    max_plausible_activity_factor: float
    max_plausible_activity_gbq: float  # above it, or at or below 0, an activity cannot be one cycle
    required_analytes: tuple[str, ...]
    activity_tolerance: float = 0.0  # [deviations] activity_tolerance: given within it is as recommended
    min_interval_days: int | None = None  # [deviations] min_interval_days: given sooner after the last cycle is early
    # [settings] after_course_warning_grade: after the planned course, a CTCAE grade at or above it since the
    # last cycle makes the chart's card a warning
    after_course_warning_grade: int = 3
    # CTCAE version -> term -> how many grades its bands sit below the label's (the dose table's grade_shift)
    grade_shifts: dict[str, dict[str, int]] = Field(default_factory=dict)

    def label_grade(self, term: str, grade: int, ctcae_version: str) -> int:
        """The grade a CTCAE grade acts as on the label's bands, as the dose rules read it
        (``cds.dose.table.DoseTable.dose_grade``): a CTCAE v6.0 neutrophil grade 2 acts as grade 3."""
        return shifted_grade(grade, self.grade_shifts.get(ctcae_version, {}).get(term, 0))

    def within_tolerance(self, given: float, target: float) -> bool:
        return same_activity(given, target, self.activity_tolerance)
