"""One patient's evaluation reduced to what the cohort report counts: small, immutable, picklable.

A cohort job evaluates patients in worker processes and sends back only these summaries, so memory
stays flat however large the cohort. Every figure of the report is computed from them.

Definitions (each is stated in the report too):
- age at the first cycle in completed years; cumulative activity is the sum over cycles, unknown when
  any cycle's activity is unknown;
- the best overall response is RECIST 1.1's (confirmed by default; ``best_overall_response`` below is
  the one place that reads it); no assessment after baseline counts as NE;
- toxicity: the worst CTCAE grade per term over laboratory results after the day of the first cycle
  (baseline values, the latest on or before that day, are not treatment-emergent, even in cycle 1's
  window when drawn that morning);
- performance status: "before" is the latest score on or before the day of the first cycle, "after"
  the first score dated after the day of the last cycle (the post-treatment assessment);
- follow-up: the latest date of any of the patient's facts (labs, performance, body, tumour, cycles);
- dose: the recommendation in force when each cycle was given (its action and deviations, aligned with
  the cycles), and the discontinuation, if any recommendation of the course says so, with its reasons;
- tumour burden: the percentage change of the sum of target diameters from baseline at each follow-up
  time point where the sum is complete (RECIST 1.1 section 4.3.2);
- haematological nadir: per cycle, the lowest platelet and neutrophil count after the administration and
  up to the next one (after the last cycle: within the planned interval of 8 weeks); the counts are in
  the analyte's canonical unit, so one cycle's values compare; kept as the days from that administration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from math import fsum

from cds.dose.conclusions import DoseAlert
from cds.dose.table import table as dose_table
from cds.evaluation import PatientEvaluation
from cds.facts import PerformanceScore, Response, Sex, age_years
from cds.timeline import Timeline


@dataclass(frozen=True)
class ResponsePoint:
    day: date
    overall: Response


@dataclass(frozen=True)
class ChangePoint:
    """The sum of target diameters at one follow-up time point, as a percentage change from baseline."""

    day: date
    change_pct: float


NADIR_ANALYTES = ("platelets", "neutrophils")


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
    cycle_actions: tuple[str, ...] = ()  # the recommendation in force at each cycle given
    cycle_deviations: tuple[tuple[str, ...], ...] = ()  # the deviation kinds of each cycle given
    discontinued: tuple[str, ...] = ()  # why the course was stopped (empty: never recommended)
    measurable: bool = False  # target lesions at baseline (RECIST 1.1 measurable disease)
    changes: tuple[ChangePoint, ...] = ()
    nadir_days: dict[str, tuple[int, ...]] = field(default_factory=dict)  # analyte -> per cycle
    not_graded: dict[str, int] = field(default_factory=dict)  # analyte -> results from cycle 1 on not graded
    # Lutathera administrations recorded as given that could not be read as cycles (cds.facts.UnreadAdministration)
    unread_administrations: int = 0

    @property
    def best_change_pct(self) -> float | None:
        """The largest decrease (or smallest increase) of the sum of diameters from baseline."""
        return min((c.change_pct for c in self.changes), default=None)

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


def _changes(result: PatientEvaluation) -> tuple[ChangePoint, ...]:
    if result.recist is None:
        return ()
    return tuple(ChangePoint(r.day, r.change_from_baseline_pct) for r in result.recist.responses
                 if r.change_from_baseline_pct is not None and r.sum_complete is not False)


def _why(alert: DoseAlert) -> tuple[str, ...]:
    """Why a recommendation stands: the rule that set the action, with the findings behind it in
    parentheses ("Toxicity requires a delay of 16 weeks or more (Platelet count decreased grade 2)"), so
    a grade that alone would not stop the course is never read as the reason."""
    def named(kinds: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(
            f"{r.term} grade {r.grade}" if r.term is not None and r.grade is not None else r.text
            for r in alert.reasons if r.kind in kinds))

    found = named(("finding", "eligibility")) or named(("labs",))
    rules = tuple(dict.fromkeys(r.text.rstrip(".") for r in alert.reasons if r.kind in ("action", "discontinued")))
    if not rules:
        return found or tuple(dict.fromkeys(r.text for r in alert.reasons if r.kind != "proceed"))
    behind = f" ({', '.join(found)})" if found else ""
    return tuple(f"{rule}{behind}" for rule in rules)


def _discontinued(alerts: tuple[DoseAlert, ...]) -> tuple[str, ...]:
    stop = next((a for a in alerts if a.action == "discontinue"), None)
    return () if stop is None else (_why(stop) or ("discontinue",))


def _nadir_days(timeline: Timeline, interval_days: int) -> dict[str, tuple[int, ...]]:
    """Per cycle, the days from the administration to the lowest count up to the next one (after the
    last cycle: within one planned interval)."""
    days = [c.date for c in timeline.cycles]
    out: dict[str, tuple[int, ...]] = {}
    for analyte in NADIR_ANALYTES:
        series = [lab for lab in timeline.labs if lab.analyte == analyte]
        found = []
        for i, given in enumerate(days):
            end = days[i + 1] if i + 1 < len(days) else given + timedelta(days=interval_days)
            after = [lab for lab in series if given < lab.day <= end]
            if after:
                lowest = min(after, key=lambda lab: (lab.value, lab.day))
                found.append((lowest.day - given).days)
        if found:
            out[analyte] = tuple(found)
    return out


def summarize(result: PatientEvaluation, confirmed: bool = True) -> PatientSummary:
    """Reduce one patient's evaluation to its summary."""
    timeline = result.timeline
    cycles = timeline.cycles
    first = cycles[0].date if cycles else None
    day_of = {lab.ref: lab.day for lab in timeline.labs}
    worst: dict[str, int] = {}
    graded: set[str] = set()
    # observation -> analyte of the results no term could grade (an unusable value is a null grade too)
    ungraded: dict[str, str] = {}
    for grade in result.toxicities:
        day = day_of.get(grade.observation, grade.effective.date())
        if grade.cycle < 1 or first is None or day <= first:
            continue
        if grade.grade is None:
            ungraded[grade.observation] = grade.analyte
        else:
            graded.add(grade.observation)
            worst[grade.term] = max(worst.get(grade.term, 0), grade.grade)
    not_graded: dict[str, int] = {}
    for ref, analyte in ungraded.items():
        if ref not in graded:
            not_graded[analyte] = not_graded.get(analyte, 0) + 1
    last = cycles[-1].date if cycles else None
    given = [a for a in result.alerts if a.given]
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
        not_graded=not_graded,
        ecog=_before_after(timeline.performance, "ecog", first, last),
        kps=_before_after(timeline.performance, "karnofsky", first, last),
        issue_counts=_counts(result),
        unread_administrations=len(timeline.unread_administrations),
        cycle_actions=tuple(a.action for a in given),
        cycle_deviations=tuple(tuple(d.kind for d in a.deviations) for a in given),
        discontinued=_discontinued(result.alerts),
        measurable=result.recist is not None and result.recist.baseline_sum_mm is not None,
        changes=_changes(result),
        nadir_days=_nadir_days(timeline, dose_table().interval_days),
    )
