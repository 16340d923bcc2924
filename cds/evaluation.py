"""One evaluation path for the CLI, the CDS Hooks service and the cohort report.

collected resources -> mapping -> per-patient timeline -> every concern of ``cds.bootstrap.CONCERNS``
(on the engine given, or the composition root's default) -> ``Evaluation``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from cds import bootstrap
from cds.concern import DEFAULT_CTCAE_VERSION, Context, Selection
from cds.ctcae.conclusions import ToxicityGrade
from cds.dose.conclusions import DoseAlert
from cds.dosimetry.conclusions import KidneyDosimetry
from cds.engine import Engine
from cds.facts import Issue, PatientRecord
from cds.mapping import map_collected
from cds.partition import Partitioned, partitioned
from cds.protocol.conclusions import ProtocolChecks
from cds.reading import Collected
from cds.recist.conclusions import RecistAssessment
from cds.timeline import Timeline, build_timeline, given_after_issues

__all__ = ["DEFAULT_CTCAE_VERSION", "Evaluation", "EvaluationStream", "PatientEvaluation", "evaluate_collected",
           "evaluate_paths", "evaluate_patient", "evaluation_stream"]


@dataclass(frozen=True)
class PatientEvaluation:
    """Everything concluded for one patient, with the timeline it was drawn from."""

    timeline: Timeline
    issues: tuple[Issue, ...] = ()
    conclusions: Mapping[str, Any] = field(default_factory=dict)  # by concern name, in registry order

    @property
    def patient(self) -> str:
        return self.timeline.patient.ref

    @property
    def toxicities(self) -> tuple[ToxicityGrade, ...]:
        """The CTCAE grades of every laboratory result (``cds.ctcae``)."""
        grades: tuple[ToxicityGrade, ...] = self.conclusions.get("ctcae", ())
        return grades

    @property
    def alerts(self) -> tuple[DoseAlert, ...]:
        """The dose recommendation of every cycle given and of the next one due (``cds.dose``)."""
        alerts: tuple[DoseAlert, ...] = self.conclusions.get("dose", ())
        return alerts

    @property
    def kidney_dosimetry(self) -> KidneyDosimetry | None:
        """The cumulative kidney dose after post-therapy dosimetry, when the record has any (``cds.dosimetry``)."""
        result: KidneyDosimetry | None = self.conclusions.get("dosimetry")
        return result

    @property
    def recist(self) -> RecistAssessment | None:
        """The RECIST 1.1 assessment (``cds.recist``)."""
        assessment: RecistAssessment | None = self.conclusions.get("recist")
        return assessment

    @property
    def protocol_checks(self) -> ProtocolChecks | None:
        """The checks before the next cycle due other than laboratory toxicity (``cds.protocol``)."""
        checks: ProtocolChecks | None = self.conclusions.get("protocol")
        return checks


@dataclass(frozen=True)
class Evaluation:
    ruleset_version: str
    patients: tuple[PatientEvaluation, ...]
    issues: tuple[Issue, ...] = field(default_factory=tuple)
    files_read: int = 0


def evaluate_patient(
    timeline: Timeline, as_of: date | None = None, ctcae_version: str = DEFAULT_CTCAE_VERSION,
    *, engine: Engine | None = None,
) -> PatientEvaluation:
    """Run every concern over one patient's timeline. Raises EvaluationError if the engine fails.

    ``as_of`` is "today" for the next-cycle decision (default: the patient's latest date). A cycle dated
    after it stays counted as given, and an issue names each of its records (``given_after_issues``).
    """
    engine = engine if engine is not None else bootstrap.default_engine()
    today = as_of or timeline.latest_day() or date.today()
    selection = Selection(ctcae_version=ctcae_version)
    conclusions: dict[str, Any] = {}
    issues = timeline.issues + given_after_issues(timeline, today)
    for concern in bootstrap.CONCERNS:
        context = Context(timeline=timeline, today=today, selection=selection, engine=engine, earlier=dict(conclusions))
        conclusions[concern.name] = concern.evaluate(context)
        issues += concern.issues(conclusions[concern.name])
    return PatientEvaluation(timeline=timeline, issues=issues, conclusions=conclusions)


def evaluate_collected(
    collected: Collected, as_of: date | None = None, ctcae_version: str = DEFAULT_CTCAE_VERSION,
    *, engine: Engine | None = None, risk_factors_unknown: bool = False,
) -> Evaluation:
    """``risk_factors_unknown``: the kidney risk factors could not be retrieved (the CDS Hooks service, when
    their prefetch and the FHIR server both failed): the limits of a patient with risk factors apply."""
    version = bootstrap.ruleset_version(ctcae_version)  # checks the tables' links before any grade
    engine = engine if engine is not None else bootstrap.default_engine()
    mapped = map_collected(collected)
    timelines = [build_timeline(mapped.records[ref]) for ref in sorted(mapped.records)]
    if risk_factors_unknown:
        timelines = [replace(t, risk_factors_unknown=True) for t in timelines]
    if as_of is None:  # docs/outputs.md: default "today" is the latest date in the input
        days = [day for t in timelines if (day := t.latest_day()) is not None]
        as_of = max(days) if days else None
    patients = tuple(evaluate_patient(timeline, as_of, ctcae_version, engine=engine) for timeline in timelines)
    return Evaluation(
        ruleset_version=version, patients=patients,
        issues=tuple(mapped.issues), files_read=collected.files_read,
    )


class EvaluationStream:
    """An evaluation given patient by patient (``patients``), with what belongs to no patient after it.

    ``issues`` (those of no patient) is complete once ``patients`` is exhausted; ``files_read`` and
    ``resources`` (FHIR resources read) are known from the start."""

    def __init__(self, ruleset_version: str, parts: Partitioned, patients: Iterator[PatientEvaluation]) -> None:
        self.ruleset_version = ruleset_version
        self.files_read = parts.files_read
        self.resources = parts.resources
        self.patients = patients
        self._parts = parts

    @property
    def issues(self) -> tuple[Issue, ...]:
        return tuple(self._parts.issues())


@contextmanager
def evaluation_stream(
    paths: Iterable[str | Path], as_of: date | None = None, ctcae_version: str = DEFAULT_CTCAE_VERSION,
    *, engine: Engine | None = None,
) -> Iterator[EvaluationStream]:
    """Read FHIR files, NDJSON files or directories partitioned by patient (``cds.partition``) and evaluate
    one patient at a time: the same patients, conclusions and issues as ``evaluate_collected`` of the whole
    input, in the same order. Raises InputError (on entry).

    Without ``as_of``, "today" is the latest date of the whole input (docs/outputs.md), so every patient is
    mapped first and kept on disk, and evaluated after; with it, each patient is evaluated as mapped."""
    version = bootstrap.ruleset_version(ctcae_version)  # checks the tables' links before any grade
    engine = engine if engine is not None else bootstrap.default_engine()
    with partitioned(paths) as parts:
        yield EvaluationStream(version, parts, _stream(parts, as_of, ctcae_version, engine))


def _stream(parts: Partitioned, as_of: date | None, ctcae_version: str, engine: Engine) -> Iterator[PatientEvaluation]:
    records: Iterable[PatientRecord] = parts.records()
    if as_of is None:
        days = []
        for record in records:
            day = build_timeline(record).latest_day()
            if day is not None:
                days.append(day)
            parts.spill(record)
        as_of = max(days) if days else None
        records = parts.spilled()
    for record in records:
        yield evaluate_patient(build_timeline(record), as_of, ctcae_version, engine=engine)


def evaluate_paths(
    paths: Iterable[str | Path], as_of: date | None = None, ctcae_version: str = DEFAULT_CTCAE_VERSION,
    *, engine: Engine | None = None,
) -> Evaluation:
    """Read, map and evaluate FHIR files, NDJSON files or directories (patient by patient,
    ``evaluation_stream``). Raises InputError."""
    with evaluation_stream(paths, as_of, ctcae_version, engine=engine) as stream:
        patients = tuple(stream.patients)
        return Evaluation(ruleset_version=stream.ruleset_version, patients=patients, issues=stream.issues,
                          files_read=stream.files_read)
