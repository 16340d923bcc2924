"""The per-patient timeline: cycles numbered by date, labs placed in cycle windows, baselines.

FHIR input profile, "PRRT administration" and "Baseline":
- records of one patient on the same day are one cycle; cycles are numbered 1, 2, ... by date;
- a cycle's window runs from its administration day to the day before the next administration;
  anything before the first administration is in cycle 0;
- an analyte's baseline is its latest result dated on or before the day of the first administration;
  with no administration, its earliest result;
- the baseline is abnormal (high) when its interpretation says high, or, with no interpretation, when
  its value is above its ULN (abnormal low likewise with LLN).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from cds.facts import (
    Administration,
    BodyMeasure,
    DosimetryResult,
    Fact,
    Issue,
    LabResult,
    Patient,
    PatientRecord,
    PerformanceScore,
    RiskFactor,
    Tumour,
    UngradableLab,
    UnreadAdministration,
)

if TYPE_CHECKING:
    from cds.facts import PregnancyEvidence, PregnancyExclusion, TreatmentRecord


class Cycle(Fact):
    number: int
    date: date
    activity_gbq: float | None
    sources: tuple[str, ...]
    latest_date: dt.date | None = None  # a record of the cycle is dated by a month or a year: its last day
    # the earliest time of day a record of the cycle gives (the infusion had begun by then); None when every
    # record gives a date alone
    at: dt.datetime | None = None

    @property
    def last_possible_day(self) -> dt.date:
        """The last day the cycle can have been given: ``latest_date`` for a partial date, else its day. The
        next cycle's due date, the earliest day an order may plan it and the next cycle's amino-acid
        orders count from it, so that none of them can fall too soon after the cycle."""
        return self.latest_date or self.date


class Baseline(Fact):
    analyte: str
    lab: LabResult
    abnormal_high: bool
    abnormal_low: bool
    # results of the analyte after ``lab`` and before the first cycle that cannot be graded (no unit, not
    # final, implausible ...): the baseline is the last usable one, and the grades reading it say so
    passed_over: tuple[str, ...] = ()

    def passed_over_note(self) -> str | None:
        """"baseline Observation/b1 (2024-01-02): the later result before the first cycle, Observation/b2,
        cannot be graded"; None when the baseline is the last result before the first cycle."""
        if not self.passed_over:
            return None
        later = "result" if len(self.passed_over) == 1 else "results"
        return (f"baseline {self.lab.ref} ({self.lab.day.isoformat()}): the later {later} before the first "
                f"cycle, {', '.join(self.passed_over)}, cannot be graded")


def _is_high(lab: LabResult) -> bool:
    """Whether a baseline result is above normal: its interpretation flag, else its value above its ULN.
    A high limit of 0 is no ULN (``cds.mapping.labs._ordered``), so it makes no result abnormal: read as
    a ULN it made every baseline "abnormal" and graded later rises against the baseline instead."""
    if lab.flag is not None:
        return lab.flag == "high"
    return lab.high is not None and lab.high > 0 and lab.value > lab.high


def _is_low(lab: LabResult) -> bool:
    if lab.flag is not None:
        return lab.flag == "low"
    return lab.low is not None and lab.value < lab.low


def _cycles(administrations: list[Administration], issues: list[Issue]) -> tuple[Cycle, ...]:
    by_day: dict[date, list[Administration]] = defaultdict(list)
    for admin in administrations:
        by_day[admin.day].append(admin)
    cycles = []
    for number, day in enumerate(sorted(by_day), start=1):
        records = sorted(by_day[day], key=lambda a: a.ref)
        activities = {round(a.activity_gbq, 9) for a in records if a.activity_gbq is not None}
        if len(activities) > 1:
            issues.append(Issue(
                severity="warning", resource=records[0].ref, patient=records[0].patient,
                message=f"cycle {number}: records of the same day give different activities; the largest is used",
            ))
        sources = tuple(dict.fromkeys(s for a in records for s in a.sources))
        latest = max((a.latest_day for a in records if a.latest_day is not None), default=None)
        at = min((a.at for a in records if a.time_known), default=None)
        cycles.append(Cycle(number=number, date=day, activity_gbq=max(activities) if activities else None,
                            sources=sources, latest_date=latest, at=at))
    return tuple(cycles)


@dataclass(frozen=True)
class Timeline:
    patient: Patient
    cycles: tuple[Cycle, ...]
    labs: tuple[LabResult, ...]
    ungradable: tuple[UngradableLab, ...]
    performance: tuple[PerformanceScore, ...]
    body: tuple[BodyMeasure, ...]
    tumour: tuple[Tumour, ...]
    issues: tuple[Issue, ...]
    # the treatment context checked before a cycle (somatostatin analogues, amino acids; pregnancy), by date
    treatment: tuple[TreatmentRecord, ...] = ()
    pregnancy: tuple[PregnancyEvidence, ...] = ()
    pregnancy_excluded: tuple[PregnancyExclusion, ...] = ()
    baselines: dict[str, Baseline] = field(default_factory=dict)
    dosimetry: tuple[DosimetryResult, ...] = ()  # in time order
    risk_factors: tuple[RiskFactor, ...] = ()
    # the kidney risk factors could not be retrieved (a CDS Hooks prefetch or FHIR read that failed): not
    # "none recorded"; the kidney dose limits of a patient with risk factors apply
    risk_factors_unknown: bool = False
    # Lutathera administrations recorded as given that could not be read as cycles (no usable date, a record
    # failing validation): the cycles above may be short by them (``cds.facts.UnreadAdministration``)
    unread_administrations: tuple[UnreadAdministration, ...] = ()

    @property
    def first_day(self) -> date | None:
        return self.cycles[0].date if self.cycles else None

    @property
    def first_day_latest(self) -> date | None:
        """The last day the first administration can have been: its date is a month or a year (a partial
        FHIR date); None when its date is a full day or there is no administration."""
        return self.cycles[0].latest_date if self.cycles else None

    def given_after(self, day: date) -> tuple[Cycle, ...]:
        """The cycles dated after ``day``, the day decided on: their first possible day is later (a cycle
        dated by a month that holds ``day`` may have been given by then, and is not). They stay counted as
        given, since leaving one out could recommend a cycle that may already have been given; the
        patient's issues name each record (``given_after_issues``) and the cards say so."""
        return tuple(cycle for cycle in self.cycles if cycle.date > day)

    def cycle_of(self, day: date) -> int:
        """The cycle whose window holds ``day``; 0 before the first administration."""
        return bisect_right([c.date for c in self.cycles], day)

    def baseline(self, analyte: str) -> Baseline | None:
        return self.baselines.get(analyte)

    def last_contact_day(self) -> date | None:
        """The latest day the record shows the patient alive and seen: any cycle, laboratory result
        (usable or not), performance score, body measure or tumour assessment. Survival censors on it."""
        days = [f.day for group in (self.labs, self.ungradable, self.performance, self.body, self.tumour)
                for f in group]
        days += [c.date for c in self.cycles]
        return max(days) if days else None

    def deceased_by(self, day: date) -> bool:
        """Whether the patient is recorded as deceased on or before ``day`` (deceased with no date: always):
        no cycle is decided for that day (cds.dose.schedule); the document says so under ``deceased``."""
        patient = self.patient
        return patient.deceased and (patient.death_date is None or patient.death_date <= day)

    def latest_day(self) -> date | None:
        """The latest day of anything in the record, the death date included: the default "today" of the
        next-cycle decision (docs/outputs.md, ``--as-of``)."""
        days = [day for day in (self.last_contact_day(), self.patient.death_date) if day is not None]
        return max(days) if days else None


def given_after_issues(timeline: Timeline, day: date) -> tuple[Issue, ...]:
    """A warning for each record of a cycle dated after ``day``, the day decided on (``Timeline.given_after``):
    "cycle 3 administered on 2024-04-29, after the day decided on (2024-03-10): counted as given; verify its
    date". A decision cannot follow an administration after it: a date entered wrongly, a clock ahead of the
    service's, or a planned administration recorded as completed."""
    issues = []
    for cycle in timeline.given_after(day):
        when = f"on {cycle.date.isoformat()}" if cycle.latest_date is None else \
            f"on a day from {cycle.date.isoformat()} to {cycle.latest_date.isoformat()}"
        issues += [Issue(severity="warning", resource=ref, patient=timeline.patient.ref,
                         message=f"cycle {cycle.number} administered {when}, after the day decided on "
                                 f"({day.isoformat()}): counted as given; verify its date")
                   for ref in cycle.sources]
    return tuple(issues)


def _baselines(labs: tuple[LabResult, ...], ungradable: tuple[UngradableLab, ...],
               first_day: date | None) -> dict[str, Baseline]:
    chosen: dict[str, LabResult] = {}
    for lab in labs:  # sorted by time
        if first_day is None:
            chosen.setdefault(lab.analyte, lab)
        elif lab.day <= first_day:
            chosen[lab.analyte] = lab
    passed: dict[str, list[str]] = {}
    for unusable in ungradable:
        before = chosen.get(unusable.analyte)
        if before is not None and first_day is not None and before.at < unusable.at and unusable.day <= first_day:
            passed.setdefault(unusable.analyte, []).append(unusable.ref)
    return {
        analyte: Baseline(analyte=analyte, lab=lab, abnormal_high=_is_high(lab), abnormal_low=_is_low(lab),
                          passed_over=tuple(passed.get(analyte, ())))
        for analyte, lab in chosen.items()
    }


def build_timeline(record: PatientRecord) -> Timeline:
    issues = list(record.issues)
    cycles = _cycles(record.administrations, issues)

    def by_time(fact: LabResult | UngradableLab | PerformanceScore | BodyMeasure | Tumour | DosimetryResult
                ) -> tuple[object, str]:
        return fact.at, fact.ref

    labs = tuple(sorted(record.labs, key=by_time))
    ungradable = tuple(sorted(record.ungradable, key=by_time))
    first = cycles[0].date if cycles else None
    return Timeline(
        patient=record.patient,
        cycles=cycles,
        labs=labs,
        ungradable=ungradable,
        performance=tuple(sorted(record.performance, key=by_time)),
        body=tuple(sorted(record.body, key=by_time)),
        tumour=tuple(sorted(record.tumour, key=by_time)),
        issues=tuple(issues),
        treatment=tuple(sorted(record.treatment, key=lambda t: (t.local is None, str(t.local), t.ref))),
        pregnancy=tuple(sorted(record.pregnancy, key=lambda p: (p.at, p.ref))),
        pregnancy_excluded=tuple(sorted(record.pregnancy_excluded, key=lambda p: p.ref)),
        baselines=_baselines(labs, ungradable, first),
        dosimetry=tuple(sorted(record.dosimetry, key=by_time)),
        risk_factors=tuple(sorted(record.risk_factors, key=lambda r: r.ref)),
        unread_administrations=_unread(record.unread_administrations, cycles),
    )


def _unread(unread: list[UnreadAdministration], cycles: tuple[Cycle, ...]) -> tuple[UnreadAdministration, ...]:
    """The unread administrations that are not part of a cycle read: a MedicationAdministration ``partOf``
    a Procedure that was read as a cycle is that cycle's record, not another cycle."""
    read = {source for cycle in cycles for source in cycle.sources}
    return tuple(sorted((u for u in unread if u.part_of is None or u.part_of not in read), key=lambda u: u.ref))
