"""The Spark backend of the cohort report: ``prrt-cds report --backend spark`` (docs/outputs.md).

For registries (10^5-10^6 patients) that one machine's memory and one process pool cannot hold. The
result is the local backend's ``CohortData``, so the report is the same; only where the work runs differs:

1. The driver lists the input files (``collect.input_files``) and cuts NDJSON files into byte ranges
   (``SPLIT_BYTES``); a JSON file (a Bundle) is one piece. A first small job counts the line ends of
   the ranges of files cut in more than one, so every line keeps its number (issues name ``file:line``).
2. The executors read the pieces and key every resource by ``cds.mapping.patient_of`` (a Bundle's
   resources with its ``fullUrl`` aliases resolved), with its place in the input (file, line, entry);
   the shuffle sorts them by patient within each partition (spilling to disk), so an executor holds one
   patient's resources at a time. Resources of no patient, the aliases of no patient and the reading
   issues go to one partition of their own.
3. That partition is evaluated first, in an executor: its issues (a resource without a usable subject,
   say) and the ``Medication`` and ``BodyStructure`` resources of no patient come back to the driver,
   which broadcasts those resources, so every patient resolves its ``medicationReference``.
4. Each patient is evaluated in the executors with the local path (``summarize_collected`` on that
   patient's resources, in input order, with the broadcast ones): one durable_rules engine per executor
   Python process (``cds.bootstrap.default_engine``; PySpark runs one task at a time per Python worker,
   never threads). Only the summaries and issues come back to the driver, which sorts them as the local
   backend orders them.

Limitation: a ``urn:uuid:`` reference resolves against the Bundle (or NDJSON line) that defines it, and
against the ``fullUrl`` of a resource of no patient anywhere; a reference to another Bundle's
``urn:uuid:`` entry of a patient is not resolved (the local backend merges every Bundle's aliases).
The executors read the input with Python's own file functions: on a cluster the paths must be on a file
system every executor mounts at the same place, and prrt-cds must be installed in their Python.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cds.bootstrap import ruleset_version
from cds.errors import CdsError, InputError
from cds.facts import Issue
from cds.gc_pause import gc_paused
from cds.input_checks import no_patients, no_resources
from cds.jsonio import JsonInputError, loads
from cds.mapping import patient_of, ref_of
from cds.reading import Collected, read_paths, suffix_of, unreadable_message
from cds.report.collect import CohortData, Progress, Settings, input_files, summarize_collected
from cds.report.patient import PatientSummary

if TYPE_CHECKING:
    from pyspark import SparkContext
    from pyspark.core.broadcast import Broadcast
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[2]"
SPLIT_BYTES = 32 * 1024 * 1024  # an NDJSON file is read in pieces of about this size
TASK_BYTES = 64 * 1024 * 1024  # about this much input per reading task and per patient partition, at most
NO_PATIENT = ""  # the key of what belongs to no patient (a patient's key is "Patient/<id>")
BROADCAST_KINDS = frozenset({"Medication", "BodyStructure"})  # read by reference from other resources
LOG4J = Path(__file__).with_name("spark-log4j2.properties")
NDJSON_SUFFIXES = (".ndjson", ".jsonl")

Position = tuple[int, int, int]  # (file index, line number or 0, entry within the line or file)
Item = tuple[Any, ...]  # ("resource", position, dict) | ("alias", position, fullUrl, target) | ("issue", ...)


class SparkUnavailable(CdsError):
    """Spark cannot run here: pyspark not installed, no Java, or the session did not start. One line."""


class SparkJobFailed(CdsError):
    """A Spark job of the report failed (an executor without prrt-cds, a file gone, ...). One line: the
    executors' tracebacks are in Spark's log, which is kept and named."""


@dataclass(frozen=True)
class SparkRun:
    """Where and how the Spark backend runs.

    ``master``: a Spark master URL (``local[2]``, ``local[*]``, ``spark://host:7077``, ``yarn``);
    ``conf``: further Spark settings (``spark.executor.memory``, ...); ``session``: an active
    ``SparkSession`` to use and leave running (tests, notebooks) instead of starting one;
    ``partitions``: patient partitions of the shuffle (default: ``spark.sql.shuffle.partitions`` when
    set, else four per core of the cluster or one per ``TASK_BYTES`` of input if more);
    ``split_bytes``: the size of the pieces NDJSON files are read in.
    """

    master: str = DEFAULT_MASTER
    conf: Mapping[str, str] = field(default_factory=dict)
    session: Any = None
    partitions: int | None = None
    split_bytes: int = SPLIT_BYTES


def spark_problem() -> str | None:
    """Why the Spark backend cannot run here (one line), or None."""
    try:
        import pyspark  # noqa: F401  (the backend is chosen: its import is due)
    except ImportError:
        return "the Spark backend needs pyspark: pip install 'prrt-cds[spark]'"
    home = os.environ.get("JAVA_HOME")
    if home:
        java = Path(home) / "bin" / "java"
        if not (java.is_file() and os.access(java, os.X_OK)):
            return f"the Spark backend needs Java 17 or later: JAVA_HOME ({home}) has no bin/java"
    elif shutil.which("java") is None:
        return "the Spark backend needs Java 17 or later: java not found (install it or set JAVA_HOME)"
    return None


def is_local(master: str) -> bool:
    return master == "local" or master.startswith("local[")


def spark_conf(run: SparkRun) -> dict[str, str]:
    """The settings a session is started with: quiet, no UI for a local master, the user's on top."""
    conf = {
        "spark.master": run.master,
        "spark.app.name": "prrt-cds report",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={LOG4J.as_uri()}",
    }
    if is_local(run.master):
        conf["spark.ui.enabled"] = "false"
    conf.update(run.conf)
    return conf


@contextmanager
def _jvm_stderr_to(log: Path) -> Iterator[None]:
    """The JVM started in this block writes its stderr (JVM warnings, log4j) to ``log``, not the terminal."""
    sys.stderr.flush()
    saved = os.dup(2)
    target = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.dup2(target, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(target)


@contextmanager
def spark_session(run: SparkRun) -> Iterator[SparkSession]:
    """A SparkSession started with ``spark_conf(run)`` and stopped at the end; Spark's own log goes to a
    temporary file (removed after a run that started), not the terminal."""
    problem = spark_problem()
    if problem is not None:
        raise SparkUnavailable(problem)
    from pyspark.sql import SparkSession

    if is_local(run.master):
        os.environ["PYSPARK_PYTHON"] = sys.executable
    handle, name = tempfile.mkstemp(prefix="prrt-cds-spark-", suffix=".log")
    os.close(handle)
    log = Path(name)
    builder = SparkSession.builder
    for key, value in spark_conf(run).items():
        builder = builder.config(key, value)
    try:
        with _jvm_stderr_to(log):
            session = builder.getOrCreate()
    except Exception as exc:  # the gateway did not start (Java too old, a bad master URL): said in one line
        raise SparkUnavailable(f"Spark did not start ({type(exc).__name__}); its log: {log}") from None
    session.sparkContext.setLogLevel("ERROR")
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    failed = False
    try:
        yield session
    except (Py4JError, PySparkException) as exc:  # its text holds executors' tracebacks, which may quote input
        failed = True
        raise SparkJobFailed(f"the Spark job failed ({type(exc).__name__}); Spark's log: {log}") from None
    finally:
        session.stop()
        if not failed:
            log.unlink(missing_ok=True)


@contextmanager
def spark_context(run: SparkRun) -> Iterator[SparkContext]:
    """The run's SparkContext: its session's, else one of a session started here and stopped at the end."""
    if run.session is not None:
        yield run.session.sparkContext
        return
    with spark_session(run) as session:
        yield session.sparkContext


# --- reading, in the executors ------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A byte range of one input file; a JSON file is one piece, read whole."""

    index: int  # the file's place in the input
    path: str
    start: int
    end: int
    ndjson: bool
    first_line: int = 1  # the number of the first line that starts at or after ``start``
    whole_file: bool = True


def _keyed(collected: Collected, index: int, line: int) -> Iterator[tuple[str, Item]]:
    """The resources, aliases and issues of one file or NDJSON line, keyed by their patient."""
    owner: dict[str, str] = {}
    for entry, resource in enumerate(collected.resources):
        key = patient_of(resource, collected.aliases) or NO_PATIENT
        owner[ref_of(resource)] = key
        yield key, ("resource", (index, line, entry), resource)
    for number, (url, target) in enumerate(collected.aliases.items()):
        yield owner.get(target, NO_PATIENT), ("alias", (index, line, number), url, target)
    for number, issue in enumerate(collected.issues):
        yield NO_PATIENT, ("issue", (index, line, number), issue)


def _line_start(handle: Any, start: int) -> int:
    """Move to the first line that starts at or after ``start``; how many line ends were skipped."""
    if start == 0:
        return 0
    handle.seek(start - 1)
    if handle.read(1) == b"\n":
        return 0
    handle.readline()
    return 1


def _read_ndjson(piece: Piece) -> Iterator[tuple[str, Item]]:
    name = piece.path
    content = False
    with open(piece.path, "rb") as handle:
        number = piece.first_line + _line_start(handle, piece.start)
        offset = handle.tell()
        while offset < piece.end:
            line = handle.readline()
            if not line:
                break
            offset += len(line)
            if line.strip():
                content = True
                collected = Collected()
                try:
                    collected.add(loads(line, strict=False), f"{name}:{number}")
                except JsonInputError as exc:
                    collected.issues.append(Issue(severity="error", resource=f"{name}:{number}",
                                                  message=unreadable_message(exc)))
                yield from _keyed(collected, piece.index, number)
            number += 1
    if piece.whole_file and not content:
        yield NO_PATIENT, ("issue", (piece.index, 0, 0), Issue(severity="error", resource=name, message="empty file"))


def read_piece(piece: Piece) -> Iterator[tuple[str, Item]]:
    """Every resource, alias and reading issue of one piece, keyed by patient (``NO_PATIENT``: of none)."""
    with gc_paused():
        if piece.ndjson:
            yield from _read_ndjson(piece)
        else:
            yield from _keyed(read_paths([piece.path]), piece.index, 0)


def count_lines(piece: Piece) -> tuple[int, bool]:
    """The line ends in the piece's byte range, and whether it holds anything but white space."""
    ends, content, left = 0, False, piece.end - piece.start
    with open(piece.path, "rb") as handle:
        handle.seek(piece.start)
        while left > 0:
            block = handle.read(min(left, 1 << 20))
            if not block:
                break
            left -= len(block)
            ends += block.count(b"\n")
            content = content or bool(block.strip())
    return ends, content


def pieces(files: Sequence[Path], split_bytes: int = SPLIT_BYTES) -> list[Piece]:
    """The files cut into pieces (line numbers still to be set for files cut in more than one)."""
    out: list[Piece] = []
    for index, path in enumerate(files):
        if not os.access(path, os.R_OK):
            raise InputError(f"cannot read {path}: Permission denied")
        size = path.stat().st_size
        if suffix_of(path) not in NDJSON_SUFFIXES or size <= split_bytes:
            out.append(Piece(index, str(path), 0, size, suffix_of(path) in NDJSON_SUFFIXES))
            continue
        out += [Piece(index, str(path), start, min(size, start + split_bytes), True, whole_file=False)
                for start in range(0, size, split_bytes)]
    return out


def _slices(sc: SparkContext, items: int, size: int = 0) -> int:
    """The tasks a job over this many pieces (of ``size`` bytes in all) runs in: four per core, or one per
    ``TASK_BYTES`` of input if that is more, never more than the pieces."""
    return max(1, min(items, max(sc.defaultParallelism * 4, -(-size // TASK_BYTES))))


def number_lines(sc: SparkContext, cut: list[Piece]) -> tuple[list[Piece], list[tuple[Position, Issue]]]:
    """Set the first line number of every piece of a file cut in several (a small job that counts line
    ends); the "empty file" issue of such a file that holds only white space."""
    split = [p for p in cut if not p.whole_file]
    if not split:
        return cut, []
    counts = sc.parallelize(split, _slices(sc, len(split))).map(count_lines).collect()
    first: dict[tuple[int, int], int] = {}
    content: dict[int, bool] = {}
    seen: dict[int, int] = {}
    for piece, (ends, has_content) in zip(split, counts, strict=True):
        first[piece.index, piece.start] = seen.get(piece.index, 0) + 1
        seen[piece.index] = seen.get(piece.index, 0) + ends
        content[piece.index] = content.get(piece.index, False) or has_content
    numbered = [p if p.whole_file else Piece(p.index, p.path, p.start, p.end, True, first[p.index, p.start], False)
                for p in cut]
    empty = [((p.index, 0, 0), Issue(severity="error", resource=p.path, message="empty file"))
             for p in split if p.start == 0 and not content[p.index]]
    return numbered, empty


# --- evaluation, in the executors ---------------------------------------------------------------------


class PatientPartitions:
    """Partition 0 for what belongs to no patient; the patients hashed over the others (stable hash)."""

    def __init__(self, patients: int) -> None:
        self.patients = patients

    def __call__(self, key: str) -> int:
        return 0 if key == NO_PATIENT else 1 + zlib.crc32(key.encode()) % self.patients


@dataclass(frozen=True)
class Shared:
    """What the driver broadcasts to every patient: the resources and aliases of no patient."""

    resources: tuple[tuple[Position, dict[str, Any]], ...] = ()
    aliases: tuple[tuple[Position, str, str], ...] = ()


@dataclass
class Evaluated:
    """One partition's result, sent back to the driver."""

    summaries: list[PatientSummary] = field(default_factory=list)
    issues: list[tuple[tuple[int, Position], Issue]] = field(default_factory=list)  # sort key, issue
    reading_issues: list[tuple[Position, Issue]] = field(default_factory=list)
    shared: Shared = field(default_factory=Shared)
    resources: int = 0


def _evaluate(items: Iterable[Item], shared: Shared, settings: Settings, out: Evaluated) -> None:
    """Evaluate one group (one patient, or everything of no patient) as the local backend would."""
    resources: list[tuple[Position, dict[str, Any]]] = list(shared.resources)
    aliases: list[tuple[Position, str, str]] = list(shared.aliases)
    for item in items:
        if item[0] == "resource":
            resources.append((item[1], item[2]))
            out.resources += 1
        elif item[0] == "alias":
            aliases.append((item[1], item[2], item[3]))
        else:
            out.reading_issues.append((item[1], item[2]))
    resources.sort(key=lambda pair: pair[0])
    aliases.sort(key=lambda alias: alias[0])
    collected = Collected(resources=[r for _, r in resources], aliases={url: target for _, url, target in aliases})
    where: dict[str, Position] = {}
    for position, resource in resources:
        where.setdefault(ref_of(resource), position)
    summaries, issues = summarize_collected(collected, settings)
    out.summaries += summaries
    for issue in issues:  # the mapping reads Patients first, then everything else, each in input order
        ref = issue.resource or ""
        out.issues.append(((0 if ref.startswith("Patient/") else 1, where.get(ref, (-1, 0, 0))), issue))


Keyed = Iterable[tuple[str, Item]]  # a partition, sorted by key: each patient's items one after the other


def _groups(partition: Keyed) -> Iterator[Iterator[Item]]:
    """The items of each key in turn: one patient's resources in memory at a time."""
    for _, pairs in groupby(partition, key=itemgetter(0)):
        yield (item for _, item in pairs)


def evaluate_unowned(settings: Settings) -> Callable[[Keyed], list[Evaluated]]:
    """Partition 0: evaluate what belongs to no patient, and set aside what every patient needs."""

    def run(partition: Keyed) -> list[Evaluated]:
        out = Evaluated()
        for values in _groups(partition):
            items = list(values)
            _evaluate(items, Shared(), settings, out)
            out.shared = Shared(
                resources=tuple(sorted(((item[1], item[2]) for item in items if item[0] == "resource"
                                        and item[2].get("resourceType") in BROADCAST_KINDS),
                                       key=lambda pair: pair[0])),
                aliases=tuple(sorted((item[1], item[2], item[3]) for item in items if item[0] == "alias")),
            )
        return [out]

    return run


def evaluate_patients(shared: Broadcast[Shared], settings: Settings) -> Callable[[Keyed], list[Evaluated]]:
    """A patient partition: evaluate each patient's group with the resources every patient needs."""

    def run(partition: Keyed) -> list[Evaluated]:
        out = Evaluated()
        common = shared.value
        for values in _groups(partition):
            _evaluate(values, common, settings, out)
        return [out]

    return run


# --- the driver -----------------------------------------------------------------------------------------


class TaskProgress:
    """Advances a ``Progress`` by the Spark tasks of this report's jobs as they finish (polled from
    Spark's status tracker in a thread of the driver; the evaluation itself never runs in threads)."""

    def __init__(self, sc: SparkContext, progress: Progress, interval: float = 0.5) -> None:
        self.sc, self.progress, self.interval = sc, progress, interval
        self.group = f"prrt-cds-report-{uuid.uuid4().hex}"
        self.done = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="spark-progress", daemon=True)
        self._previous: str | None = None

    def _poll(self) -> None:
        tracker = self.sc.statusTracker()
        stages = {stage for job in tracker.getJobIdsForGroup(self.group)
                  for stage in getattr(tracker.getJobInfo(job), "stageIds", ())}
        done = sum(getattr(tracker.getStageInfo(stage), "numCompletedTasks", 0) for stage in stages)
        if done > self.done:
            self.progress.advance(done - self.done)
            self.done = done

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._poll()

    def __enter__(self) -> TaskProgress:
        self._previous = self.sc.getLocalProperty("spark.jobGroup.id")
        self.sc.setJobGroup(self.group, "prrt-cds report")
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if exc[0] is None:
            self._poll()
        self.sc.setLocalProperty("spark.jobGroup.id", self._previous)  # type: ignore[arg-type]  # None: unset


def _partitions(sc: SparkContext, run: SparkRun, size: int) -> int:
    """Patient partitions: as asked, else ``spark.sql.shuffle.partitions`` if set, else four per core or one
    per ``TASK_BYTES`` of input, whichever is more."""
    if run.partitions is not None:
        return max(1, run.partitions)
    configured = sc.getConf().get("spark.sql.shuffle.partitions")
    return max(1, int(configured)) if configured else max(sc.defaultParallelism * 4, -(-size // TASK_BYTES))


def collect_spark(paths: Iterable[str | Path], settings: Settings, run: SparkRun,
                  progress: Progress | None = None) -> CohortData:
    """``collect.collect`` on Spark: the same ``CohortData`` for the same input. Raises InputError for a
    missing path, NoFhirResources when nothing read is a FHIR resource, NoPatients when the FHIR resources
    make no patient, SparkUnavailable when Spark cannot run, SparkJobFailed when a job fails. ``progress``
    counts Spark tasks."""
    paths = list(paths)
    files = input_files(paths)
    if not files:
        raise no_resources(paths, 0, [])
    cut = pieces(files, run.split_bytes)
    with spark_context(run) as sc:
        size = sum(p.end - p.start for p in cut)
        patients = _partitions(sc, run, size)
        slices = _slices(sc, len(cut), size)
        split = sum(1 for p in cut if not p.whole_file)
        if progress is not None:  # the tasks of the jobs below: line count, reading, partition 0, patients
            progress.start((_slices(sc, split) if split else 0) + slices + 1 + patients, "Spark tasks")
        with TaskProgress(sc, progress) if progress is not None else nullcontext():
            cut, empty = number_lines(sc, cut)
            # sorted by patient within each partition (Spark's external sort spills to disk): an executor
            # holds one patient's resources at a time, however large its partition
            grouped = (sc.parallelize(cut, slices).flatMap(read_piece)
                       .repartitionAndSortWithinPartitions(patients + 1, PatientPartitions(patients)))
            unowned = sc.runJob(grouped, evaluate_unowned(settings), [0])[0]
            shared = sc.broadcast(unowned.shared)
            try:
                done: list[Evaluated] = sc.runJob(grouped, evaluate_patients(shared, settings),
                                                  list(range(1, patients + 1)))
            finally:
                shared.unpersist()
    reading = [issue for _, issue in sorted((*unowned.reading_issues, *empty), key=lambda pair: pair[0])]
    resources = unowned.resources + sum(part.resources for part in done)
    if not resources:
        raise no_resources(paths, len(files), reading)
    mapped = sorted((*unowned.issues, *(i for part in done for i in part.issues)), key=lambda pair: pair[0])
    issues = (*reading, *(issue for _, issue in mapped))
    summaries = sorted((s for part in (unowned, *done) for s in part.summaries), key=lambda s: s.patient)
    if not summaries:  # FHIR resources, none of them a patient's: no report of nobody (as evaluate)
        raise no_patients(paths, resources, issues)
    return CohortData(tuple(summaries), issues,
                      ruleset_version(settings.ctcae_version), len(files), settings.ctcae_version)
