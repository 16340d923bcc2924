"""Bulk input split by patient on disk, so that each patient is mapped from its own resources alone.

A bulk export writes one NDJSON file per resource type (Patient.ndjson, Observation.ndjson, ...), so a
patient's resources are spread over every file. ``partitioned`` reads the input once (NDJSON line by
line, a Bundle whole: it is one document) and files each resource under its patient
(``cds.mapping.patient_of``) in a temporary SQLite database; ``Partitioned.records`` then maps one
patient at a time. Memory holds the largest patient's resources, never the whole input.

What belongs to no patient stays in memory beside the partitions (it is little): Medications and
BodyStructures, which any patient's resources may reference, are given to every patient's mapping; the
rest is mapped once for its issues. The result equals mapping the whole input (``cds.mapping.map_collected``):
the same records in the same (sorted) order and the same issues of no patient in the same order. The
temporary database is removed when the ``partitioned`` block ends, by an error too.

Other processes may map ranges of patients from the same database (``Partitioned.share``, ``map_range``):
the cohort report spreads a bulk export over its worker processes so.
"""

from __future__ import annotations

import marshal
import pickle
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from cds.facts import Issue, PatientRecord
from cds.gc_pause import gc_paused
from cds.mapping import is_lookup, map_resources, patient_of
from cds.reading import Adding, Resource, stream_paths

_BATCH = 2000  # rows per executemany: fewer calls, little memory
_PROTOCOL = pickle.HIGHEST_PROTOCOL


def _key(patient: str) -> bytes:
    """A patient reference as the database key; its byte order is the str order (UTF-8 keeps code point
    order; ``surrogatepass`` lets an id with an escaped lone surrogate through)."""
    return patient.encode("utf-8", "surrogatepass")


def _dumps(resource: Resource) -> bytes:
    """A resource as bytes: marshal (the fastest) for plain JSON types, pickle when a number of its own
    type is inside (``cds.jsonio.ReportedFloat``, ``UnreadableNumber``), which marshal refuses."""
    try:
        return b"m" + marshal.dumps(resource)
    except ValueError:
        return b"p" + pickle.dumps(resource, _PROTOCOL)


def _loads(body: bytes) -> Any:
    return marshal.loads(body[1:]) if body[:1] == b"m" else pickle.loads(body[1:])


def _references(resource: Resource) -> tuple[bytes | None, bytes | None]:
    """The reference texts ``patient_of`` reads, to find again the rows that a later Bundle alias re-files."""
    found: list[bytes | None] = []
    for element in ("subject", "patient"):
        value = resource.get(element)
        text = value.get("reference") if isinstance(value, dict) else None
        found.append(_key(text) if isinstance(text, str) else None)
    return found[0], found[1]


class _Filing(Adding):
    """The reading sink of the bulk path: each resource is filed under its patient as it is read."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.aliases: dict[str, str] = {}
        self.issues: list[Issue] = []
        self.files_read = 0
        self.count = 0
        self.unowned: list[tuple[int, Resource]] = []  # (input position, resource) of no patient
        self.batch: list[tuple[int, bytes, bytes | None, bytes | None, bytes]] = []

    def resource(self, resource: Resource) -> None:
        position = self.count
        self.count += 1
        patient = patient_of(resource, self.aliases)
        if patient is None:
            self.unowned.append((position, resource))
            return
        self.batch.append((position, _key(patient), *_references(resource), _dumps(resource)))
        if len(self.batch) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        self.db.executemany("INSERT INTO part VALUES (?, ?, ?, ?, ?)", self.batch)
        self.batch.clear()

    def finish(self) -> None:
        """Re-file what a Bundle alias read after it ties to a patient (or to another), then index."""
        self.flush()
        if self.aliases or self.conflicting_urls():
            self._refile()
        self.db.execute("CREATE INDEX part_key ON part (key, position)")

    def _refile(self) -> None:
        still: list[tuple[int, Resource]] = []
        for position, resource in self.unowned:
            patient = patient_of(resource, self.aliases)
            if patient is None:
                still.append((position, resource))
            else:
                self.batch.append((position, _key(patient), *_references(resource), _dumps(resource)))
        self.unowned = still
        self.flush()
        self.db.execute("CREATE TEMP TABLE alias (text BLOB PRIMARY KEY)")
        # a fullUrl found to name two resources was an alias when earlier resources were filed by it
        self.db.executemany("INSERT INTO alias VALUES (?)",
                            ((_key(text),) for text in {*self.aliases, *self.conflicting_urls()}))
        rows = self.db.execute("SELECT position, key, body FROM part WHERE subject IN (SELECT text FROM alias) "
                               "OR patient IN (SELECT text FROM alias)").fetchall()
        for position, key, body in rows:
            patient = patient_of(_loads(body), self.aliases)
            if patient is None:  # an alias to no Patient: the resource is of no patient after all
                self.db.execute("DELETE FROM part WHERE position = ?", (position,))
                self.unowned.append((position, _loads(body)))
            elif _key(patient) != key:
                self.db.execute("UPDATE part SET key = ? WHERE position = ?", (_key(patient), position))
        self.unowned.sort(key=itemgetter(0))


Located = tuple[int, int, Issue]  # an issue of no patient with its place: (mapping step, input position)


@dataclass(frozen=True)
class Share:
    """What a process needs to map patients from a partition on its own: the database, the Bundle aliases
    and the resources of no patient that any patient's may reference (Medications, BodyStructures)."""

    path: str
    aliases: dict[str, str]
    lookups: list[Resource]


def _mapped_groups(rows: Iterable[tuple[bytes, int, bytes]], aliases: dict[str, str], lookups: list[Resource],
                   ) -> Iterator[tuple[list[tuple[str, PatientRecord]], list[Located]]]:
    """Each patient's rows (ordered by key, then position) mapped alone: its records by reference, sorted,
    and the issues of no patient its mapping raised, with their places."""
    for _, group in groupby(rows, key=itemgetter(0)):
        positions: list[int] = []
        resources: list[Resource] = []
        with gc_paused():  # once per patient: each resume collects the young objects again
            for _, position, body in group:
                positions.append(position)
                resources.append(_loads(body))
            mapped = map_resources(resources, aliases, lookups)
            del resources
        found = [(step, positions[index], issue)
                 for (step, index), issue in zip(mapped.origins, mapped.issues, strict=True)]
        yield sorted(mapped.records.items()), found


def map_range(share: Share, first: bytes, last: bytes,
              ) -> Iterator[tuple[list[tuple[str, PatientRecord]], list[Located]]]:
    """The patients whose keys lie from ``first`` to ``last`` (``Partitioned.keys``), mapped as
    ``Partitioned.records`` maps them, read from the partition by another process."""
    db = sqlite3.connect(Path(share.path).as_uri() + "?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT key, position, body FROM part WHERE key BETWEEN ? AND ? ORDER BY key, position",
                          (first, last))
        yield from _mapped_groups(rows, share.aliases, share.lookups)
    finally:
        db.close()


class Partitioned:
    """The input filed by patient: what was read, and each patient's record mapped on demand."""

    def __init__(self, db: sqlite3.Connection, filing: _Filing, path: str) -> None:
        self._db = db
        self._path = path
        self.aliases = filing.aliases
        self.files_read = filing.files_read
        self.resources = filing.count  # FHIR resources read
        self.reading_issues = list(filing.issues)
        self._unowned = filing.unowned
        self._mapping_issues: list[Located] | None = None
        self._spilled = 0

    def patients(self) -> int:
        """How many patients the input has resources of."""
        (count,) = self._db.execute("SELECT COUNT(DISTINCT key) FROM part").fetchone()
        return int(count)

    def records(self) -> Iterator[PatientRecord]:
        """Every patient's record, sorted by patient reference, each mapped from its own resources."""
        unowned_records, found = self.unowned()
        rows = self._db.execute("SELECT key, position, body FROM part ORDER BY key, position")
        for records, issues in _mapped_groups(rows, self.aliases, self._lookups()):
            found += issues
            for ref, record in records:
                while unowned_records and unowned_records[0][0] < ref:
                    yield unowned_records.pop(0)[1]
                yield record
        yield from (record for _, record in unowned_records)
        self.found(found)

    def unowned(self) -> tuple[list[tuple[str, PatientRecord]], list[Located]]:
        """The mapping of the resources of no patient: the records it makes (none in practice), by
        reference, and its issues with their place in the input (for ``found``)."""
        unowned = [position for position, _ in self._unowned]
        mapped = map_resources([resource for _, resource in self._unowned], self.aliases)
        found = [(step, unowned[index], issue) for (step, index), issue in zip(mapped.origins, mapped.issues,
                                                                               strict=True)]
        return sorted(mapped.records.items()), found

    def found(self, issues: Iterable[Located]) -> None:
        """The mapping's issues of no patient, from every patient's mapping and from ``unowned``, in any
        order: ``issues()`` gives them in the order of mapping the whole input."""
        self._mapping_issues = sorted(issues, key=lambda item: (item[0], item[1]))

    def keys(self) -> list[bytes]:
        """Every patient's key, in order: ``map_range`` maps the patients between two of them."""
        return [key for (key,) in self._db.execute("SELECT DISTINCT key FROM part ORDER BY key")]

    def share(self) -> Share:
        """What another process needs to map patients from this partition (``map_range``)."""
        return Share(self._path, dict(self.aliases), self._lookups())

    def _lookups(self) -> list[Resource]:
        return [resource for _, resource in self._unowned if is_lookup(resource)]

    def issues(self) -> list[Issue]:
        """The issues of no patient, reading's then mapping's: complete once ``records`` is exhausted."""
        mapping = [issue for _, _, issue in self._mapping_issues or ()]
        return [*self.reading_issues, *mapping]

    def spill(self, value: Any) -> None:
        """Keep a value (a record, a timeline) on disk until ``spilled`` gives it back, in the same order."""
        self._db.execute("INSERT INTO spill VALUES (?, ?)", (self._spilled, pickle.dumps(value, _PROTOCOL)))
        self._spilled += 1

    def spilled(self) -> Iterator[Any]:
        rows = self._db.execute("SELECT body FROM spill ORDER BY position")
        for (body,) in rows:
            with gc_paused():
                value = pickle.loads(body)
            yield value


@contextmanager
def partitioned(paths: Iterable[str | Path]) -> Iterator[Partitioned]:
    """Read ``paths`` into a temporary partition by patient (removed when the block ends). Raises InputError."""
    with tempfile.TemporaryDirectory(prefix="prrt-cds-") as directory:
        path = str(Path(directory) / "partition.sqlite3")
        db = sqlite3.connect(path, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.execute("PRAGMA temp_store = FILE")
            db.execute("CREATE TABLE part (position INTEGER PRIMARY KEY, key BLOB NOT NULL, subject BLOB, "
                       "patient BLOB, body BLOB NOT NULL)")
            db.execute("CREATE TABLE spill (position INTEGER PRIMARY KEY, body BLOB NOT NULL)")
            db.execute("BEGIN")
            filing = _Filing(db)
            with gc_paused():
                stream_paths(paths, filing)
            filing.finish()
            db.execute("COMMIT")  # readable by other processes (map_range) from here on
            db.execute("BEGIN")
            yield Partitioned(db, filing, path)
        finally:
            db.close()
