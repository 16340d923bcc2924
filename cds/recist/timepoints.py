"""RECIST 1.1 time points: the tumour observations of one patient grouped by date, and the issue log.

FHIR input profile, "Tumour assessments": observations of one patient with the same effective date
form one time point.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from cds.facts import (
    Issue,
    LesionMeasurement,
    NewLesion,
    NonTargetStatus,
    ReportedResponse,
    Severity,
    Tumour,
    UnreadableLesion,
)


@dataclass(frozen=True)
class TimePoint:
    """Every tumour observation of one date."""

    day: date
    measurements: tuple[LesionMeasurement, ...] = ()
    statuses: tuple[NonTargetStatus, ...] = ()
    new_lesions: tuple[NewLesion, ...] = ()
    reported: tuple[ReportedResponse, ...] = ()
    unreadable: tuple[UnreadableLesion, ...] = ()  # lesion measurements that cannot be used (each an issue)

    @property
    def has_lesions(self) -> bool:
        """Lesions were recorded (measured, given a status, or measured unreadably): it can be a baseline
        assessment."""
        return bool(self.measurements or self.statuses or self.unreadable)

    @property
    def measured(self) -> bool:
        """Imaging findings were recorded (lesions or new lesions), not only a reported response. A date
        with only measurements that cannot be used is no follow-up time point (each is an issue)."""
        return bool(self.measurements or self.statuses or self.new_lesions)

    @property
    def observations(self) -> tuple[str, ...]:
        facts: Iterable[Tumour] = (*self.measurements, *self.statuses, *self.new_lesions, *self.unreadable)
        return tuple(dict.fromkeys(f.ref for f in facts))

    @property
    def latest_day(self) -> date | None:
        """The last day this time point can be when one of its observations is dated by a month or a
        year (a partial FHIR date: ``day`` is then its first day); None when every date is a full day."""
        facts: Iterable[Tumour] = (*self.measurements, *self.statuses, *self.new_lesions, *self.reported,
                                   *self.unreadable)
        return max((f.latest_day for f in facts if f.latest_day is not None), default=None)

    def measurements_of(self) -> dict[str, list[LesionMeasurement]]:
        found: dict[str, list[LesionMeasurement]] = defaultdict(list)
        for measurement in self.measurements:
            found[measurement.lesion].append(measurement)
        return dict(found)

    def statuses_of(self) -> dict[str, list[NonTargetStatus]]:
        found: dict[str, list[NonTargetStatus]] = defaultdict(list)
        for status in self.statuses:
            found[status.lesion].append(status)
        return dict(found)


def group_time_points(tumour: Iterable[Tumour]) -> list[TimePoint]:
    """Time points in date order (the facts keep their order within a date)."""
    by_day: dict[date, list[Tumour]] = defaultdict(list)
    for fact in tumour:
        by_day[fact.day].append(fact)
    return [
        TimePoint(
            day=day,
            measurements=tuple(f for f in facts if isinstance(f, LesionMeasurement)),
            statuses=tuple(f for f in facts if isinstance(f, NonTargetStatus)),
            new_lesions=tuple(f for f in facts if isinstance(f, NewLesion)),
            reported=tuple(f for f in facts if isinstance(f, ReportedResponse)),
            unreadable=tuple(f for f in facts if isinstance(f, UnreadableLesion)),
        )
        for day, facts in sorted(by_day.items())
    ]


@dataclass
class IssueLog:
    """The RECIST issues of one patient (reported in the output, never logged)."""

    patient: str
    issues: list[Issue] = field(default_factory=list)

    def add(self, severity: Severity, resource: str | None, message: str) -> None:
        self.issues.append(Issue(severity=severity, resource=resource, message=message, patient=self.patient))
