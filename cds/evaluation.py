"""One evaluation path for the CLI, the CDS Hooks service and the cohort report.

collected resources -> mapping -> per-patient timeline -> rulesets -> ``Evaluation``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cds import rulesets
from cds.conclusions import ToxicityGrade
from cds.ctcae import grade_timeline
from cds.ctcae_table import table
from cds.facts import Issue
from cds.mapping import map_collected
from cds.reading import Collected, read_paths
from cds.timeline import Timeline, build_timeline

DEFAULT_CTCAE_VERSION = "5.0"


@dataclass(frozen=True)
class PatientEvaluation:
    """Everything concluded for one patient, with the timeline it was drawn from."""

    timeline: Timeline
    toxicities: tuple[ToxicityGrade, ...] = ()
    issues: tuple[Issue, ...] = ()

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
    """Run every ruleset over one patient's timeline. Raises EvaluationError if the engine fails."""
    toxicities = grade_timeline(timeline, table(ctcae_version), rulesets.engine())
    return PatientEvaluation(timeline=timeline, toxicities=tuple(toxicities), issues=timeline.issues)


def evaluate_collected(
    collected: Collected, as_of: date | None = None, ctcae_version: str = DEFAULT_CTCAE_VERSION
) -> Evaluation:
    mapped = map_collected(collected)
    patients = tuple(
        evaluate_patient(build_timeline(mapped.records[ref]), as_of, ctcae_version)
        for ref in sorted(mapped.records)
    )
    return Evaluation(
        ruleset_version=rulesets.ruleset_version(ctcae_version), patients=patients,
        issues=tuple(mapped.issues), files_read=collected.files_read,
    )


def evaluate_paths(
    paths: Iterable[str | Path], as_of: date | None = None, ctcae_version: str = DEFAULT_CTCAE_VERSION
) -> Evaluation:
    """Read, map and evaluate FHIR files, NDJSON files or directories. Raises InputError."""
    return evaluate_collected(read_paths(paths), as_of, ctcae_version)
