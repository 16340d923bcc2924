"""One evaluation path for the CLI, the CDS Hooks service and the cohort report.

collected resources -> mapping -> per-patient timeline -> rulesets -> ``Evaluation``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cds import rulesets
from cds.ctcae.conclusions import ToxicityGrade
from cds.ctcae.decide import grade_timeline
from cds.ctcae.table import table
from cds.dose.conclusions import DoseAlert
from cds.dose.decide import dose_alerts
from cds.dose.table import table as dose_table
from cds.facts import Issue
from cds.mapping import map_collected
from cds.reading import Collected, read_paths
from cds.recist.conclusions import RecistAssessment
from cds.recist.decide import assess_responses
from cds.timeline import Timeline, build_timeline

DEFAULT_CTCAE_VERSION = "5.0"


@dataclass(frozen=True)
class PatientEvaluation:
    """Everything concluded for one patient, with the timeline it was drawn from."""

    timeline: Timeline
    toxicities: tuple[ToxicityGrade, ...] = ()
    alerts: tuple[DoseAlert, ...] = ()
    issues: tuple[Issue, ...] = ()
    recist: RecistAssessment | None = None

    @property
    def patient(self) -> str:
        return self.timeline.patient.ref


@dataclass(frozen=True)
class Evaluation:
    ruleset_version: str
    patients: tuple[PatientEvaluation, ...]
    issues: tuple[Issue, ...] = field(default_factory=tuple)
    files_read: int = 0


def evaluate_patient(
    timeline: Timeline, as_of: date | None = None, ctcae_version: str = DEFAULT_CTCAE_VERSION
) -> PatientEvaluation:
    """Run every ruleset over one patient's timeline. Raises EvaluationError if the engine fails.

    ``as_of`` is "today" for the next-cycle decision (default: the patient's latest date).
    """
    engine = rulesets.engine()
    toxicities = grade_timeline(timeline, table(ctcae_version), engine)
    today = as_of or timeline.latest_day() or date.today()
    alerts = dose_alerts(timeline, toxicities, today, dose_table(), engine)
    recist = assess_responses(timeline, engine)
    return PatientEvaluation(timeline=timeline, toxicities=tuple(toxicities), alerts=tuple(alerts),
                             issues=timeline.issues + recist.issues, recist=recist)


def evaluate_collected(
    collected: Collected, as_of: date | None = None, ctcae_version: str = DEFAULT_CTCAE_VERSION
) -> Evaluation:
    version = rulesets.ruleset_version(ctcae_version)  # checks the tables' links before any grade
    mapped = map_collected(collected)
    timelines = [build_timeline(mapped.records[ref]) for ref in sorted(mapped.records)]
    if as_of is None:  # docs/outputs.md: default "today" is the latest date in the input
        days = [day for t in timelines if (day := t.latest_day()) is not None]
        as_of = max(days) if days else None
    patients = tuple(evaluate_patient(timeline, as_of, ctcae_version) for timeline in timelines)
    return Evaluation(
        ruleset_version=version, patients=patients,
        issues=tuple(mapped.issues), files_read=collected.files_read,
    )


def evaluate_paths(
    paths: Iterable[str | Path], as_of: date | None = None, ctcae_version: str = DEFAULT_CTCAE_VERSION
) -> Evaluation:
    """Read, map and evaluate FHIR files, NDJSON files or directories. Raises InputError."""
    return evaluate_collected(read_paths(paths), as_of, ctcae_version)
