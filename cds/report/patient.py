"""One patient's evaluation reduced to what the cohort report counts: small, immutable, picklable.

A cohort job evaluates patients in worker processes and sends back only these summaries, so memory
stays flat however large the cohort. Every figure of the report is computed from them.

Definitions (each is stated in the report too):
- age at the first cycle in completed years; cumulative activity is the sum over cycles, unknown when
  any cycle's activity is unknown;
- the best overall response is RECIST 1.1's (confirmed by default; ``best_overall_response`` below is
  the one place that reads it); no assessment after baseline counts as NE;
- toxicity: the worst CTCAE grade per term over laboratory results from the first cycle on (cycle >= 1:
  baseline values are not treatment-emergent);
- performance status: "before" is the latest score on or before the day of the first cycle, "after"
  the first score dated after the day of the last cycle (the post-treatment assessment);
- follow-up: the latest date of any of the patient's facts (labs, performance, body, tumour, cycles).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from math import fsum

from cds.evaluation import PatientEvaluation
from cds.facts import PerformanceScore, Response, Sex, age_years


@dataclass(frozen=True)
class ResponsePoint:
    day: date
    overall: Response


@dataclass(frozen=True)
class PatientSummary:
    """What the cohort report needs of one patient."""

    patient: str
    sex: Sex | None
    birth_date: date | None
    cycle_days: tuple[date, ...]
    activities_gbq: tuple[float | None, ...]
    deceased: bool
    death_date: date | None
    last_day: date | None
    best_response: Response | None
    responses: tuple[ResponsePoint, ...]
    worst_grades: dict[str, int] = field(default_factory=dict)
    ecog: tuple[int | None, int | None] = (None, None)
    kps: tuple[int | None, int | None] = (None, None)
    issue_counts: dict[str, int] = field(default_factory=dict)

    @property
    def first_day(self) -> date | None:
        return self.cycle_days[0] if self.cycle_days else None

    @property
    def n_cycles(self) -> int:
        return len(self.cycle_days)

    @property
    def cumulative_activity_gbq(self) -> float | None:
        if not self.activities_gbq or any(a is None for a in self.activities_gbq):
            return None
        return round(fsum(a for a in self.activities_gbq if a is not None), 9)

    @property
    def age_at_first_cycle(self) -> int | None:
        first, born = self.first_day, self.birth_date
        if first is None or born is None or born > first:
            return None
        return age_years(born, first)


def best_overall_response(result: PatientEvaluation, confirmed: bool = True) -> Response | None:
    """RECIST 1.1 best overall response of one evaluation: the report's only reading of it."""
    if result.recist is None:
        return None
    best = result.recist.best
    return best.confirmed if confirmed else best.unconfirmed


def _responses(result: PatientEvaluation) -> tuple[ResponsePoint, ...]:
    if result.recist is None:
        return ()
    return tuple(ResponsePoint(day=r.day, overall=r.overall_for_best) for r in result.recist.responses)


def _before_after(scores: tuple[PerformanceScore, ...], scale: str, first: date | None,
                  last: date | None) -> tuple[int | None, int | None]:
    if first is None or last is None:
        return None, None
    series = [s for s in scores if s.scale == scale]  # in time order (timeline)
    before = [s.score for s in series if s.day <= first]
    after = [s.score for s in series if s.day > last]
    return (before[-1] if before else None), (after[0] if after else None)


def _counts(result: PatientEvaluation) -> dict[str, int]:
    counts: dict[str, int] = {}
    for issue in result.issues:
        counts[issue.severity] = counts.get(issue.severity, 0) + 1
    return counts


def summarize(result: PatientEvaluation, confirmed: bool = True) -> PatientSummary:
    """Reduce one patient's evaluation to its summary."""
    timeline = result.timeline
    cycles = timeline.cycles
    worst: dict[str, int] = {}
    for grade in result.toxicities:
        if grade.grade is not None and grade.cycle >= 1:
            worst[grade.term] = max(worst.get(grade.term, 0), grade.grade)
    first = cycles[0].date if cycles else None
    last = cycles[-1].date if cycles else None
    return PatientSummary(
        patient=timeline.patient.ref,
        sex=timeline.patient.sex,
        birth_date=timeline.patient.birth_date,
        cycle_days=tuple(c.date for c in cycles),
        activities_gbq=tuple(c.activity_gbq for c in cycles),
        deceased=timeline.patient.deceased,
        death_date=timeline.patient.death_date,
        last_day=timeline.last_contact_day(),
        best_response=best_overall_response(result, confirmed),
        responses=_responses(result),
        worst_grades=worst,
        ecog=_before_after(timeline.performance, "ecog", first, last),
        kps=_before_after(timeline.performance, "karnofsky", first, last),
        issue_counts=_counts(result),
    )
