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

One resource (one ``Type/id``) may be filed in more than one place: its versions name different patients
(a result moved to the right patient by a later version), or one names none (an entered-in-error version
without its subject). The whole read weighs every copy together (``cds.mapping.versions``, the retraction
of an entered-in-error version), so each place's mapping is given the copies filed elsewhere too; what it
concludes about them (another patient's record, their issues) is left to their own place's mapping.

Other processes may map ranges of patients from the same database (``Partitioned.share``, ``map_range``):
the cohort report spreads a bulk export over its worker processes so.
"""

from __future__ import annotations

import marshal
import pickle
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from cds.facts import Issue, PatientRecord
from cds.gc_pause import gc_paused
from cds.mapping import is_lookup, map_resources, one_version_each, patient_of
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


def _ident(resource: Resource) -> bytes | None:
    """The ``Type/id`` that ``cds.mapping.versions`` groups the copies of a resource by (none without an id)."""
    rid = resource.get("id")
    return _key(f"{resource['resourceType']}/{rid}") if isinstance(rid, str) else None


def _ref(key: bytes) -> str:
    """A database key as the patient reference it was made of."""
    return key.decode("utf-8", "surrogatepass")


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
        # copies filed under a patient of a resource that also has a copy of no patient: (position, patient
        # key, resource), for the mapping of what is of no patient (``_share_copies``)
        self.unowned_copies: list[tuple[int, bytes | None, Resource]] = []
        self.shared_keys: set[bytes] = set()  # the patients given copies filed elsewhere (table ``copy``)
        self.batch: list[tuple[int, bytes, bytes | None, bytes | None, bytes | None, bytes]] = []

    def resource(self, resource: Resource) -> None:
        position = self.count
        self.count += 1
        patient = patient_of(resource, self.aliases)
        if patient is None:
            self.unowned.append((position, resource))
            return
        self.batch.append((position, _key(patient), *_references(resource), _ident(resource), _dumps(resource)))
        if len(self.batch) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        self.db.executemany("INSERT INTO part VALUES (?, ?, ?, ?, ?, ?)", self.batch)
        self.batch.clear()

    def finish(self) -> None:
        """Re-file what a Bundle alias read after it ties to a patient (or to another), share the copies of a
        resource filed in more than one place, then index."""
        self.flush()
        if self.aliases or self.conflicting_urls():
            self._refile()
        self._share_copies()
        self.db.execute("CREATE INDEX part_key ON part (key, position)")

    def _share_copies(self) -> None:
        """Each resource (``Type/id``) with copies in more than one place (under two patients, or under a
        patient and of no patient): every place is given the copies of the others (the table ``copy`` for a
        patient, ``unowned_copies`` for what is of no patient), so that its mapping weighs all of them as the
        whole read does. Rare: the versions of one resource name one patient, as a rule."""
        lone: dict[bytes, list[tuple[int, Resource]]] = {}
        for position, resource in self.unowned:
            ident = _ident(resource)
            if ident is not None:
                lone.setdefault(ident, []).append((position, resource))
        db = self.db
        db.execute("CREATE TEMP TABLE shared (ident BLOB PRIMARY KEY)")
        db.execute("INSERT INTO shared SELECT ident FROM part WHERE ident IS NOT NULL "
                   "GROUP BY ident HAVING MIN(key) < MAX(key)")
        if lone:
            db.execute("CREATE TEMP TABLE lone (ident BLOB PRIMARY KEY)")
            db.executemany("INSERT INTO lone VALUES (?)", ((ident,) for ident in lone))
            db.execute("INSERT OR IGNORE INTO shared SELECT ident FROM part WHERE ident IN (SELECT ident FROM lone)")
        filed: dict[bytes, list[tuple[int, bytes, bytes]]] = {}
        if db.execute("SELECT 1 FROM shared LIMIT 1").fetchone() is not None:
            for ident, position, key, body in db.execute(
                    "SELECT ident, position, key, body FROM part WHERE ident IN (SELECT ident FROM shared)"):
                filed.setdefault(ident, []).append((position, key, body))
        for ident, copies in filed.items():
            of_no_patient = lone.get(ident, [])
            places = {key for _, key, _ in copies}
            for place in places:
                db.executemany("INSERT INTO copy VALUES (?, ?, ?, ?)", [
                    *((place, position, key, body) for position, key, body in copies if key != place),
                    *((place, position, None, _dumps(resource)) for position, resource in of_no_patient)])
            self.shared_keys |= places
            if of_no_patient:
                self.unowned_copies += [(position, key, _loads(body)) for position, key, body in copies]
        self.unowned_copies.sort(key=itemgetter(0))
        db.execute("CREATE INDEX copy_key ON copy (key, position)")

    def _refile(self) -> None:
        still: list[tuple[int, Resource]] = []
        for position, resource in self.unowned:
            patient = patient_of(resource, self.aliases)
            if patient is None:
                still.append((position, resource))
            else:
                self.batch.append((position, _key(patient), *_references(resource), _ident(resource),
                                   _dumps(resource)))
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
    """What a process needs to map patients from a partition on its own: the database, the Bundle aliases,
    the resources of no patient that any patient's may reference (Medications, BodyStructures) and the
    patients given copies filed elsewhere (``_Filing._share_copies``)."""

    path: str
    aliases: dict[str, str]
    lookups: list[Resource]
    shared_keys: frozenset[bytes] = frozenset()


Copy = tuple[int, bytes | None, Resource]  # a copy filed elsewhere: (input position, its patient key, resource)
Placed = tuple[list[tuple[str, PatientRecord]], list[Located]]  # records by reference, issues of no patient


def _copies(db: sqlite3.Connection, shared_keys: frozenset[bytes]) -> Callable[[bytes], list[Copy]]:
    """The copies filed elsewhere that a patient's mapping is given, by patient key, in input order."""
    def of(key: bytes) -> list[Copy]:
        if key not in shared_keys:
            return []
        rows = db.execute("SELECT position, place, body FROM copy WHERE key = ? ORDER BY position", (key,))
        return [(position, place, _loads(body)) for position, place, body in rows]
    return of


def _map_place(own: list[tuple[int, Resource]], copies: list[Copy], aliases: dict[str, str],
               lookups: list[Resource], *, of_patient: bool) -> Placed:
    """The resources of one place (a patient's, or those of no patient) mapped with the copies of them filed
    elsewhere: its records by reference, sorted, and the issues of no patient, with their places. What the
    copies give (the records of their patients, their issues) is their own place's to give."""
    entries = [(position, True, resource) for position, resource in own]
    if copies:
        entries += [(position, False, resource) for position, _, resource in copies]
        entries.sort(key=itemgetter(0))
    mapped = map_resources([resource for _, _, resource in entries], aliases, lookups)
    found: list[Located] = []
    for (step, index), issue in zip(mapped.origins, mapped.issues, strict=True):
        position, owned, _ = entries[index]
        if step < 0 and of_patient and copies:
            continue  # versions of which the current one is of no patient: the mapping of those gives it
        if step >= 0 and not owned:
            continue
        found.append((step, position, issue))
    elsewhere = {_ref(place) for _, place, _ in copies if place is not None}
    return sorted((ref, record) for ref, record in mapped.records.items() if ref not in elsewhere), found


def _mapped_groups(rows: Iterable[tuple[bytes, int, bytes]], aliases: dict[str, str], lookups: list[Resource],
                   copies: Callable[[bytes], list[Copy]]) -> Iterator[Placed]:
    """Each patient's rows (ordered by key, then position) mapped alone (with the copies filed elsewhere of
    its resources): its records by reference, sorted, and the issues of no patient its mapping raised, with
    their places."""
    for key, group in groupby(rows, key=itemgetter(0)):
        with gc_paused():  # once per patient: each resume collects the young objects again
            own = [(position, _loads(body)) for _, position, body in group]
            mapped = _map_place(own, copies(key), aliases, lookups, of_patient=True)
            del own
        yield mapped


def map_range(share: Share, first: bytes, last: bytes,
              ) -> Iterator[tuple[list[tuple[str, PatientRecord]], list[Located]]]:
    """The patients whose keys lie from ``first`` to ``last`` (``Partitioned.keys``), mapped as
    ``Partitioned.records`` maps them, read from the partition by another process."""
    db = sqlite3.connect(Path(share.path).as_uri() + "?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT key, position, body FROM part WHERE key BETWEEN ? AND ? ORDER BY key, position",
                          (first, last))
        yield from _mapped_groups(rows, share.aliases, share.lookups, _copies(db, share.shared_keys))
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
        self._unowned_copies = filing.unowned_copies
        self._shared_keys = frozenset(filing.shared_keys)
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
        copies = _copies(self._db, self._shared_keys)
        for records, issues in _mapped_groups(rows, self.aliases, self._lookups(), copies):
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
        return _map_place(self._unowned, self._unowned_copies, self.aliases, [], of_patient=False)

    def found(self, issues: Iterable[Located]) -> None:
        """The mapping's issues of no patient, from every patient's mapping and from ``unowned``, in any
        order: ``issues()`` gives them in the order of mapping the whole input."""
        self._mapping_issues = sorted(issues, key=lambda item: (item[0], item[1]))

    def keys(self) -> list[bytes]:
        """Every patient's key, in order: ``map_range`` maps the patients between two of them."""
        return [key for (key,) in self._db.execute("SELECT DISTINCT key FROM part ORDER BY key")]

    def share(self) -> Share:
        """What another process needs to map patients from this partition (``map_range``)."""
        return Share(self._path, dict(self.aliases), self._lookups(), self._shared_keys)

    def _lookups(self) -> list[Resource]:
        """The Medications and BodyStructures of no patient, one version of each (as the whole read reads
        them: the newest, when the versions say which it is)."""
        return one_version_each([resource for _, resource in self._unowned if is_lookup(resource)])

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
                       "patient BLOB, ident BLOB, body BLOB NOT NULL)")
            # a copy filed elsewhere (``place``: its patient key, NULL when of no patient) that the mapping of
            # the patient ``key`` is given
            db.execute("CREATE TABLE copy (key BLOB NOT NULL, position INTEGER NOT NULL, place BLOB, "
                       "body BLOB NOT NULL)")
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
