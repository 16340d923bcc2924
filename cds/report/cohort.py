"""The cohort figures of a PRRT series, from every patient's summary (docs/outputs.md, ``report.json``).

The series is every patient with at least one PRRT cycle; others are listed as issues. Times run from
the first administration (day 0) and are reported in months of 30.4375 days.

- Overall survival: an event at death; a living patient is censored at the data cut-off, by default
  the latest date of any of that patient's facts (FHIR input profile, "Follow-up and survival"). A
  patient known to be dead without a date is left out, with an issue.
- Progression-free survival, when the input has RECIST time points (so that progression can be
  known): an event at the first time point with PD or at death, whichever is first; otherwise
  censored at the last tumour assessment (at day 0 with none after baseline).
- A death dated before the first cycle, or before any later cycle given, leaves the patient out of both
  analyses with an issue: the dates contradict each other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from cds.concern import DEFAULT_CTCAE_VERSION
from cds.dose.schedule import planned_course
from cds.dose.table import table as dose_table
from cds.facts import Issue, lutathera_administrations
from cds.report.collect import CohortData
from cds.report.modifications import DEFAULT_ACTIVITY_TOLERANCE, DoseModifications, summarize_modifications
from cds.report.patient import PatientSummary
from cds.report.performance import DEFAULT_PERFORMANCE_TEST, PairedComparison, PerformanceTest, compare
from cds.report.response import ResponseSummary, summarize_responses
from cds.report.survival import DEFAULT_CI_METHOD, CiMethod, SurvivalSummary, kaplan_meier
from cds.report.toxicity import ToxicityTable, worst_grade_table
from cds.report.waterfall import Waterfall, waterfall

MONTH_DAYS = 30.4375
LANDMARK_MONTHS = (12.0, 24.0)


@dataclass(frozen=True)
class Range:
    """Median and range of a per-patient figure over the ``n`` patients that have it."""

    n: int
    median: float
    min: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Range | None:
        return cls(len(values), median(values), min(values), max(values)) if values else None


@dataclass(frozen=True)
class TimeToEvent:
    """The per-patient input of one survival analysis, in months."""

    patients: tuple[str, ...] = ()
    months: tuple[float, ...] = ()
    observed: tuple[bool, ...] = ()


@dataclass(frozen=True)
class ReportSettings:
    ci_method: CiMethod = DEFAULT_CI_METHOD
    data_cutoff: date | None = None
    confirmed: bool = True
    activity_tolerance: float = DEFAULT_ACTIVITY_TOLERANCE  # a cycle's activity counts as full / reduced
    performance_test: PerformanceTest = DEFAULT_PERFORMANCE_TEST  # the signed-rank p-value (cds.report.performance)


@dataclass(frozen=True)
class CohortReport:
    """Every figure of the cohort report, and the per-patient summaries the plots are drawn from."""

    settings: ReportSettings
    ruleset_version: str
    n_patients: int
    sex: dict[str, int]
    age_years: Range | None
    cycles: Range | None
    cumulative_activity_gbq: Range | None
    responses: ResponseSummary
    deaths: int
    overall_survival: SurvivalSummary | None
    progression_free_survival: SurvivalSummary | None
    toxicity: ToxicityTable
    ecog: PairedComparison
    kps: PairedComparison
    patients: tuple[PatientSummary, ...]
    dose_modifications: DoseModifications
    waterfall: Waterfall
    os_data: TimeToEvent = field(default_factory=TimeToEvent)
    pfs_data: TimeToEvent = field(default_factory=TimeToEvent)
    issues: tuple[Issue, ...] = ()
    evaluation_issues: dict[str, int] = field(default_factory=dict)
    files_read: int = 0
    ctcae_version: str = DEFAULT_CTCAE_VERSION


def _issue(patient: str, message: str, severity: str = "warning") -> Issue:
    return Issue(severity=severity, resource=patient, message=message, patient=patient)


def _months(start: date, end: date) -> float:
    return (end - start).days / MONTH_DAYS


def _dead_before_a_cycle(p: PatientSummary) -> bool:
    """The recorded death precedes a cycle given (the first or a later one): the dates contradict each other,
    so no survival time can be read from them. A death on the day of a cycle is not a contradiction."""
    return p.death_date is not None and bool(p.cycle_days) and p.death_date < p.cycle_days[-1]


def overall_survival_data(patients: Sequence[PatientSummary], cutoff: date | None,
                          issues: list[Issue]) -> TimeToEvent:
    refs, months, observed = [], [], []
    for p in patients:
        first = p.first_day
        assert first is not None
        if p.deceased and p.death_date is None:
            issues.append(_issue(p.patient, "deceased without a date of death: excluded from overall survival"))
            continue
        if p.death_date is not None:
            if p.death_date < first:
                issues.append(_issue(p.patient, "date of death before the first PRRT cycle: excluded from survival"))
                continue
            if _dead_before_a_cycle(p):
                issues.append(_issue(p.patient, "date of death before a later PRRT cycle (the date of death or of "
                                                "the cycle is wrong): excluded from survival"))
                continue
            end, event = p.death_date, True
        else:
            end, event = (cutoff if cutoff is not None else (p.last_day or first)), False
        refs.append(p.patient)
        months.append(_months(first, end))
        observed.append(event)
    return TimeToEvent(tuple(refs), tuple(months), tuple(observed))


def progression_free_data(patients: Sequence[PatientSummary], issues: list[Issue]) -> TimeToEvent:
    """From the first cycle to the first progression on or after it, or death, whichever comes first; else
    censored at the latest assessment. A death before the first (or a later) cycle excludes the patient, as
    from overall survival; a death without a date excludes only a patient with no progression to end the time on."""
    refs, months, observed = [], [], []
    for p in patients:
        first = p.first_day
        assert first is not None
        if _dead_before_a_cycle(p):
            continue  # the issue is written once, by overall_survival_data
        progression = next((r.day for r in p.responses if r.overall == "PD" and r.day >= first), None)
        if p.deceased and p.death_date is None and progression is None:
            issues.append(_issue(p.patient, "deceased without a date of death and no progression recorded: "
                                            "excluded from progression-free survival"))
            continue
        events = [d for d in (progression, p.death_date) if d is not None and d >= first]
        if events:
            end, event = min(events), True
        else:
            assessed = [r.day for r in p.responses if r.day >= first]
            end, event = (max(assessed) if assessed else first), False
        refs.append(p.patient)
        months.append(_months(first, end))
        observed.append(event)
    return TimeToEvent(tuple(refs), tuple(months), tuple(observed))


def _survival(data: TimeToEvent, settings: ReportSettings) -> SurvivalSummary | None:
    return kaplan_meier(data.months, data.observed, settings.ci_method, LANDMARK_MONTHS)


def _silent(name: str) -> None:
    pass


def build_report(data: CohortData, settings: ReportSettings | None = None,
                 phase: Callable[[str], None] = _silent) -> CohortReport:
    """The cohort figures of everything collected; ``phase`` is told each step's name (for progress)."""
    settings = settings or ReportSettings()
    phase("statistics: demographics")
    issues = list(data.issues)
    treated = []
    cutoff = settings.data_cutoff
    by_cutoff = f" on or before the data cut-off {cutoff.isoformat()}" if cutoff is not None else ""
    for p in data.summaries:
        unread = p.unread_administrations
        records = f"{lutathera_administrations(unread)} recorded as given"
        if p.n_cycles:
            treated.append(p)
            if unread:
                issues.append(_issue(p.patient, f"{records} could not be read (see the evaluation's issues): not "
                                                "counted, so this patient's cycles, cumulative activity, dose "
                                                "modifications and survival from the first cycle may be short by it"))
        elif unread:
            issues.append(_issue(p.patient, f"no PRRT administration that could be read{by_cutoff} ({records} "
                                            "could not be: see the evaluation's issues): not part of the series"))
        else:
            issues.append(_issue(p.patient, f"no PRRT administration{by_cutoff}: not part of the series", "info"))
    sex: dict[str, int] = {"female": 0, "male": 0}
    for p in treated:
        key = p.sex or "unknown"
        sex[key] = sex.get(key, 0) + 1
    ages = [a for p in treated if (a := p.age_at_first_cycle) is not None]
    activities = []
    for p in treated:
        total = p.cumulative_activity_gbq
        if total is None:
            issues.append(_issue(p.patient, "a cycle's administered activity is unknown: "
                                            "left out of cumulative activity"))
        else:
            activities.append(total)
    phase("statistics: survival")
    os_data = overall_survival_data(treated, settings.data_cutoff, issues)
    has_pfs_dates = any(p.responses for p in treated)
    pfs_data = progression_free_data(treated, issues) if has_pfs_dates else TimeToEvent()
    overall_survival = _survival(os_data, settings)
    progression_free_survival = _survival(pfs_data, settings) if has_pfs_dates else None
    phase("statistics: response")
    responses = summarize_responses([p.best_response for p in treated], settings.confirmed)
    fall = waterfall(treated)
    phase("statistics: toxicity")
    toxicity = worst_grade_table([p.worst_grades for p in treated], [p.nadir_days for p in treated],
                                 [p.not_graded for p in treated])
    phase("statistics: performance status")
    ecog = compare("ecog", [(b, a) for p in treated if (b := p.ecog[0]) is not None
                            and (a := p.ecog[1]) is not None], higher_is_better=False,
                   test=settings.performance_test)
    kps = compare("karnofsky", [(b, a) for p in treated if (b := p.kps[0]) is not None
                                and (a := p.kps[1]) is not None], higher_is_better=True,
                  test=settings.performance_test)
    phase("statistics: dose modifications")
    modifications = summarize_modifications(treated, planned_course(), dose_table().interval_days,
                                            settings.activity_tolerance)
    evaluation_issues: dict[str, int] = {}
    for p in data.summaries:
        for severity, count in p.issue_counts.items():
            evaluation_issues[severity] = evaluation_issues.get(severity, 0) + count
    return CohortReport(
        settings=settings,
        ruleset_version=data.ruleset_version,
        n_patients=len(treated),
        sex=sex,
        age_years=Range.of([float(a) for a in ages]),
        cycles=Range.of([float(p.n_cycles) for p in treated]),
        cumulative_activity_gbq=Range.of(activities),
        responses=responses,
        deaths=sum(1 for p in treated if p.deceased),
        overall_survival=overall_survival,
        progression_free_survival=progression_free_survival,
        toxicity=toxicity,
        ecog=ecog,
        kps=kps,
        patients=tuple(treated),
        dose_modifications=modifications,
        waterfall=fall,
        os_data=os_data,
        pfs_data=pfs_data,
        issues=tuple(issues),
        evaluation_issues=evaluation_issues,
        files_read=data.files_read,
        ctcae_version=data.ctcae_version,
    )
