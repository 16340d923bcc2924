"""Evaluate FHIR input for the cohort report, patient by patient, into ``PatientSummary`` values.

The same path as ``prrt-cds evaluate``: ``cds.reading`` -> ``cds.mapping.map_collected`` ->
``cds.timeline.build_timeline`` -> ``cds.evaluation.evaluate_patient``; each evaluation is reduced to its
summary at once, so memory holds one patient's evaluation at a time.

Large inputs are spread over processes (docs/rule-engine.md, "Batch cohorts": one engine per
process, never threads). The files are split into chunks and each worker reads, maps and evaluates
its chunks. That is exact when each patient's resources lie in one chunk (a Bundle per patient or per
group of patients, as the demo, Synthea and per-patient exports write). A patient found in more than one
chunk is detected, and the files of every chunk holding such a patient are read and evaluated again
together, so the result equals a serial run. NDJSON input (bulk exports split by resource type) is
first partitioned by patient on disk (``cds.partition``) in this process; then each worker maps and
evaluates ranges of patients from the partition, and the issues of no patient are put back in the order
of a serial run. Limitation: a ``Medication`` resource in one chunk referenced by a
``MedicationAdministration`` in another is not resolved; keep such resources in one Bundle.

Data cut-off: facts dated after it are dropped before the timeline is built, and a death after it is
unknown at the cut-off, so the report describes the cohort as it was known on that day.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import Protocol

from cds.bootstrap import ruleset_version
from cds.errors import InputError
from cds.evaluation import DEFAULT_CTCAE_VERSION, evaluate_patient
from cds.facts import Issue, PatientRecord
from cds.gc_pause import frozen_scope
from cds.input_checks import no_patients, no_resources
from cds.mapping import map_collected
from cds.partition import Located, Partitioned, Share, map_range, partitioned
from cds.reading import SUFFIXES, Collected, read_paths, suffix_of
from cds.report.heap import untracked
from cds.report.patient import PatientSummary, summarize
from cds.timeline import build_timeline

PARALLEL_MIN_BYTES = 4 * 1024 * 1024  # below this, starting processes costs more than it saves


class Progress(Protocol):
    """What a progress display needs: a total, then steps; and the name of each later phase of the run."""

    def start(self, total: int, unit: str) -> None: ...

    def advance(self, steps: int = 1) -> None: ...

    def phase(self, name: str) -> None: ...


class _NoProgress:
    def start(self, total: int, unit: str) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass

    def phase(self, name: str) -> None:
        pass


@dataclass(frozen=True)
class Settings:
    """How patients are evaluated and summarized for the report."""

    data_cutoff: date | None = None
    ctcae_version: str = DEFAULT_CTCAE_VERSION
    confirmed: bool = True


@dataclass(frozen=True)
class CohortData:
    """Every patient's summary (sorted by reference) and the issues not tied to a patient."""

    summaries: tuple[PatientSummary, ...]
    issues: tuple[Issue, ...]
    ruleset_version: str
    files_read: int
    ctcae_version: str = DEFAULT_CTCAE_VERSION


def _until(record: PatientRecord, cutoff: date) -> PatientRecord:
    """The record as known at the data cut-off: later facts dropped, a later death not yet known."""
    patient = record.patient
    if patient.death_date is not None and patient.death_date > cutoff:
        patient = patient.model_copy(update={"deceased": False, "death_date": None})
    return replace(
        record,
        patient=patient,
        administrations=[f for f in record.administrations if f.day <= cutoff],
        labs=[f for f in record.labs if f.day <= cutoff],
        ungradable=[f for f in record.ungradable if f.day <= cutoff],
        performance=[f for f in record.performance if f.day <= cutoff],
        body=[f for f in record.body if f.day <= cutoff],
        tumour=[f for f in record.tumour if f.day <= cutoff],
    )


def summarize_collected(collected: Collected, settings: Settings,
                        progress: Progress | None = None) -> tuple[list[PatientSummary], list[Issue]]:
    """Map, build timelines and evaluate every patient of ``collected``; their summaries and the input issues.

    The mapped records are kept out of the cyclic collector's way while the patients are evaluated
    (``cds.report.heap``).
    """
    with frozen_scope():
        mapped = untracked(lambda: map_collected(collected))
        progress = progress or _NoProgress()
        progress.start(len(mapped.records), "patients")
        summaries = []
        for ref in sorted(mapped.records):
            summaries.append(_summary(mapped.records.pop(ref), settings))
            progress.advance()
        return summaries, list(mapped.issues)


@dataclass(frozen=True)
class _Chunk:
    summaries: tuple[PatientSummary, ...]
    issues: tuple[Issue, ...]
    files_read: int
    resources: int = 0  # FHIR resources read: none in the whole input is an error, not an empty report


def _evaluate_files(files: Sequence[str], settings: Settings) -> _Chunk:
    """One worker's job: read, map, evaluate and summarize the patients of these files."""
    with frozen_scope():
        collected = untracked(lambda: read_paths(files))
        resources = len(collected.resources)
        summaries, issues = summarize_collected(collected, settings)
        return _Chunk(tuple(summaries), tuple(issues), collected.files_read, resources)


def input_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files ``read_paths`` would read, in its order. Raises InputError for a missing path."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"no such file or directory: {path}")
        if path.is_dir():
            files += [f for f in sorted(path.rglob("*")) if f.is_file() and suffix_of(f) in SUFFIXES]
        else:
            files.append(path)
    return files


TAPER = 4  # the last chunks are this many times smaller


def _slices(count: int, jobs: int, largest: int) -> Iterator[tuple[int, int]]:
    """(start, stop) of chunks of ``count`` items: up to ``largest``, about 8 per worker; the last ``jobs``
    chunks' worth in chunks ``TAPER`` times smaller, so that the workers run out of work together rather
    than one finishing a whole chunk while the others wait."""
    size = max(1, min(largest, count // (jobs * 8)))
    tail_start = max(0, count - jobs * size)
    tail_start -= tail_start % size
    for start in range(0, tail_start, size):
        yield start, start + size
    small = max(1, size // TAPER)
    for start in range(tail_start, count, small):
        yield start, min(count, start + small)


def _chunks(files: list[Path], jobs: int) -> Iterator[list[str]]:
    """Chunks of up to 64 files (``_slices``)."""
    for start, stop in _slices(len(files), jobs, 64):
        yield [str(f) for f in files[start:stop]]


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def _parallel(paths: list[str | Path], files: list[Path], settings: Settings, jobs: int,
              progress: Progress) -> CohortData:
    chunks = list(_chunks(files, jobs))
    results: list[_Chunk | None] = [None] * len(chunks)
    progress.start(len(files), "files")
    with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(_evaluate_files, chunk, settings): index for index, chunk in enumerate(chunks)}
        for future in as_completed(futures):
            index = futures[future]
            results[index] = future.result()
            progress.advance(len(chunks[index]))
    done = [r for r in results if r is not None]
    if not any(chunk.resources for chunk in done):
        raise no_resources(files, sum(c.files_read for c in done), [i for c in done for i in c.issues])
    owner: dict[str, int] = {}
    shared: set[str] = set()
    for index, chunk in enumerate(done):
        for summary in chunk.summaries:
            if owner.setdefault(summary.patient, index) != index:
                shared.add(summary.patient)
    involved = {i for i, chunk in enumerate(done) if any(s.patient in shared for s in chunk.summaries)}
    kept = [chunk for i, chunk in enumerate(done) if i not in involved]
    if involved:  # patients split over chunks: evaluate all of their chunks' files together
        kept.append(_evaluate_files([f for i in sorted(involved) for f in chunks[i]], settings))
    summaries = sorted((s for chunk in kept for s in chunk.summaries), key=lambda s: s.patient)
    if not summaries:  # FHIR resources, none of them a patient's: no report of nobody (as evaluate)
        raise no_patients(paths, sum(c.resources for c in done), [i for c in done for i in c.issues])
    return CohortData(tuple(summaries), tuple(i for chunk in kept for i in chunk.issues),
                      ruleset_version(settings.ctcae_version), sum(chunk.files_read for chunk in kept),
                      settings.ctcae_version)


def collect(paths: Iterable[str | Path], settings: Settings | None = None, jobs: int | None = None,
            progress: Progress | None = None) -> CohortData:
    """Evaluate and summarize every patient of the FHIR input. Raises InputError for a missing path,
    NoFhirResources when nothing read is a FHIR resource, NoPatients when the FHIR resources make no patient.

    ``jobs``: worker processes (default: the CPUs this process may use); for large inputs only.
    """
    paths = list(paths)
    settings = settings or Settings()
    progress = progress or _NoProgress()
    files = input_files(paths)
    jobs = default_jobs() if jobs is None else max(1, jobs)
    size = sum(f.stat().st_size for f in files)
    bundles_only = all(suffix_of(f) == ".json" for f in files)
    if jobs > 1 and bundles_only and len(files) >= 2 * jobs and size >= PARALLEL_MIN_BYTES:
        return _parallel(paths, files, settings, jobs, progress)
    with partitioned(files) as parts:  # NDJSON line by line, by patient on disk: one patient in memory at a time
        if not parts.resources:
            raise no_resources(list(paths), parts.files_read, parts.issues())
        patients = parts.patients()
        progress.start(patients, "patients")
        if jobs > 1 and patients >= 2 * jobs and size >= PARALLEL_MIN_BYTES:
            summaries = _parallel_partition(parts, settings, jobs, progress)
        else:
            summaries = []
            for record in parts.records():
                summaries.append(_summary(record, settings))
                progress.advance()
        if not summaries:  # FHIR resources, none of them a patient's: no report of nobody (as evaluate)
            raise no_patients(paths, parts.resources, parts.issues())
        return CohortData(tuple(summaries), tuple(parts.issues()), ruleset_version(settings.ctcae_version),
                          parts.files_read, settings.ctcae_version)


def _summary(record: PatientRecord, settings: Settings) -> PatientSummary:
    if settings.data_cutoff is not None:
        record = _until(record, settings.data_cutoff)
    result = evaluate_patient(build_timeline(record), settings.data_cutoff, settings.ctcae_version)
    return summarize(result, settings.confirmed)


@dataclass(frozen=True)
class _Range:
    summaries: tuple[PatientSummary, ...]
    found: tuple[Located, ...]  # the mapping's issues of no patient, with their places in the input


def _evaluate_range(share: Share, first: bytes, last: bytes, settings: Settings) -> _Range:
    """One worker's job: map, evaluate and summarize the patients from ``first`` to ``last`` of a partition."""
    summaries: list[PatientSummary] = []
    found: list[Located] = []
    for records, issues in map_range(share, first, last):
        found += issues
        summaries += [_summary(record, settings) for _, record in records]
    return _Range(tuple(summaries), tuple(found))


def _parallel_partition(parts: Partitioned, settings: Settings, jobs: int, progress: Progress) -> list[PatientSummary]:
    """Every patient of the partition evaluated by ``jobs`` worker processes, ranges of patients each; the
    summaries sorted by patient as a serial run gives them, and the issues of no patient given back to
    ``parts`` in a serial run's order."""
    keys = parts.keys()
    share = parts.share()
    unowned, found = parts.unowned()
    summaries = [_summary(record, settings) for _, record in unowned]  # none in practice
    progress.advance(len(summaries))
    ranges = [(keys[start], keys[stop - 1], stop - start) for start, stop in _slices(len(keys), jobs, 500)]
    with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(_evaluate_range, share, first, last, settings): count for first, last, count in ranges}
        for future in as_completed(futures):
            done = future.result()
            summaries += done.summaries
            found += done.found
            progress.advance(futures[future])
    parts.found(found)
    summaries.sort(key=lambda summary: summary.patient)
    return summaries
