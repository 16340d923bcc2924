"""The Lutathera course in time: the cycles given and the next one due, each a decision point, and what
the cycles given so far carry forward to the next (reductions, a discontinuation).

A cycle is due ``interval_days`` after the previous one (rules/lutathera_dose.toml ``[settings]``), after
the last day it can have been given when its date is a month or a year; the labs of a decision point are
those after the previous administration's first day, up to the decision date (``DecisionPoint.holds``).
On the day of an administration, a result drawn after its infusion, both times recorded, is a result after
that cycle, not before it; with a date alone on either, a result of that day is read as one before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from cds.dose.conclusions import DoseCourse
from cds.dose.table import DoseTable
from cds.dose.table import table as dose_table
from cds.facts import Timed
from cds.timeline import Timeline


@dataclass(frozen=True)
class DecisionPoint:
    cycle: int
    due: date
    decision: date
    after: date | None  # labs strictly after this day count (the previous administration)
    given: bool
    given_activity_gbq: float | None = None
    previous: tuple[int, date] | None = None  # the cycle given before this one (number, day)
    # the infusion times, where a record gives one (``Cycle.at``): of the previous cycle, and of this one given
    after_at: datetime | None = None
    given_at: datetime | None = None

    def holds(self, fact: Timed) -> bool:
        """Whether a result is one of this decision point's: dated after the previous administration's day
        (or on it, drawn after its infusion) up to the decision date (and not after this cycle's infusion,
        on its day). A result's time counts only beside a recorded infusion time."""
        if self.after is not None and fact.day <= self.after and not (
                fact.day == self.after and _later(fact, self.after_at)):
            return False
        return fact.day < self.decision or (fact.day == self.decision and not _later(fact, self.given_at))


def _later(fact: Timed, infusion: datetime | None) -> bool:
    """Whether the result was drawn after the infusion, both times recorded."""
    return infusion is not None and fact.time_known and fact.at > infusion


@dataclass
class History:
    """What the cycles given so far carry forward: the classes a reduced cycle was actually given for
    (by its recorded activity, not by what was recommended), and a permanent discontinuation."""

    reduced: set[str] = field(default_factory=set)
    last_reduced: set[str] = field(default_factory=set)
    last_reduced_cycle: tuple[int, date, float] | None = None  # (number, day, GBq) of the last reduced cycle
    discontinued_at: int | None = None


def decision_points(timeline: Timeline, table: DoseTable, as_of: date) -> list[DecisionPoint]:
    """Every cycle given, then the next cycle due unless the planned course is complete or the patient is
    recorded as deceased by its decision day."""
    cycles = timeline.cycles
    interval = timedelta(days=table.interval_days)
    points = [
        DecisionPoint(
            cycle=c.number, due=c.date if i == 0 else cycles[i - 1].last_possible_day + interval, decision=c.date,
            after=None if i == 0 else cycles[i - 1].date, given=True, given_activity_gbq=c.activity_gbq,
            previous=None if i == 0 else (cycles[i - 1].number, cycles[i - 1].date),
            after_at=None if i == 0 else cycles[i - 1].at, given_at=c.at,
        )
        for i, c in enumerate(cycles)
    ]
    due = cycles[-1].last_possible_day + interval if cycles else as_of
    # no next cycle for a patient recorded as deceased by the day it would be decided (the document's `deceased`)
    if len(cycles) < table.planned_cycles and not timeline.deceased_by(max(due, as_of)):
        points.append(DecisionPoint(
            cycle=len(cycles) + 1, due=due, decision=max(due, as_of), after=cycles[-1].date if cycles else None,
            given=False, after_at=cycles[-1].at if cycles else None,
        ))
    return points


def planned_course(table: DoseTable | None = None) -> DoseCourse:
    """The course the dose table in force plans (``[settings]``), for the cards and the discovery."""
    table = table or dose_table()
    return DoseCourse(
        label_version=table.version, planned_cycles=table.planned_cycles, full_activity_gbq=table.full_activity_gbq,
        reduced_activity_gbq=table.reduced_activity_gbq,
        max_plausible_activity_factor=table.max_plausible_activity_factor,
        max_plausible_activity_gbq=table.max_plausible_activity_gbq, required_analytes=table.required_analytes,
        activity_tolerance=table.deviations.activity_tolerance if table.deviations else 0.0,
        min_interval_days=table.deviations.min_interval_days if table.deviations else None,
        after_course_warning_grade=table.after_course_warning_grade,
        grade_shifts={version: dict(terms.grade_shift) for version, terms in table.versions.items()},
    )
