"""Read FHIR JSON from files, NDJSON, directories, lists and CDS Hooks prefetch objects.

Every input is turned into resource dicts plus an alias map from each Bundle entry's ``fullUrl`` to
``ResourceType/id`` (so ``urn:uuid:`` references resolve). A file that is not JSON is an ``Issue``; only a
path that does not exist or cannot be opened raises ``InputError``.

What is read goes to a ``Sink``: ``Collected`` keeps everything in one list (``read_paths``); the bulk
path (``cds.partition``) files each resource away as it comes (``stream_paths``), NDJSON line by line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cds.errors import InputError
from cds.facts import Issue
from cds.gc_pause import gc_paused
from cds.jsonio import JsonInputError, loads

Resource = dict[str, Any]
SUFFIXES = (".json", ".ndjson", ".jsonl")
# A FHIR file compressed (a bulk export's Observation.ndjson.gz) is not read: in a directory it is named in
# an issue, never left out without a word (a directory of only such files has no FHIR resource: exit 1).
COMPRESSED = (".gz", ".bz2", ".xz", ".zip", ".zst")
NOT_READ = "compressed file not read: decompress it to read its resources"
BROKEN_LINK = "symbolic link to nothing: not read"
NDJSON = (".ndjson", ".jsonl")


def suffix_of(path: Path) -> str:
    """A file's suffix in lower case: a system that names its files in capitals (PATIENT.JSON,
    Observation.NDJSON) writes the same JSON, and a file of it is never left out of a directory unread."""
    return path.suffix.lower()


class Sink(Protocol):
    """Where reading puts what it finds: resources, Bundle aliases, issues of no patient, files read."""

    aliases: dict[str, str]
    issues: list[Issue]
    files_read: int

    def add(self, obj: Any, origin: str) -> None: ...


class Adding:
    """Turns parsed JSON (a resource, a Bundle, a list of either) into resources, aliases and issues."""

    aliases: dict[str, str]
    issues: list[Issue]
    files_read: int

    def resource(self, resource: Resource) -> None:
        raise NotImplementedError

    def add(self, obj: Any, origin: str) -> None:
        """Add a resource, a Bundle, or a list of either."""
        if isinstance(obj, list):
            for item in obj:
                self.add(item, origin)
            return
        if not isinstance(obj, dict) or not isinstance(obj.get("resourceType"), str):
            self.issues.append(Issue(severity="warning", resource=origin, message="not a FHIR resource"))
            return
        if obj["resourceType"] == "Bundle":
            self._add_bundle(obj, origin)
            return
        self.resource(obj)

    def _add_bundle(self, bundle: Resource, origin: str) -> None:
        entries = bundle.get("entry") or []
        if not isinstance(entries, list):
            self.issues.append(Issue(severity="warning", resource=origin, message="Bundle.entry is not a list"))
            return
        for index, entry in enumerate(entries):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict):
                where = f"{origin} entry {index}"
                self.issues.append(Issue(severity="warning", resource=where, message="entry without resource"))
                continue
            full_url = entry.get("fullUrl")
            rtype = resource.get("resourceType")
            if isinstance(full_url, str) and isinstance(rtype, str):
                if not isinstance(resource.get("id"), str):
                    # A transaction entry may carry its identity only in fullUrl (urn:uuid:...).
                    resource = {**resource, "id": full_url.rsplit(":", 1)[-1].rsplit("/", 1)[-1]}
                self._alias(full_url, f"{rtype}/{resource['id']}", origin)
            self.add(resource, origin)

    def conflicting_urls(self) -> set[str]:
        """The fullUrls that named two different resources: not aliases of either."""
        found: set[str] = self.__dict__.setdefault("_conflicting_urls", set())
        return found

    def _alias(self, full_url: str, target: str, origin: str) -> None:
        """Remember ``fullUrl -> Type/id``, unless that fullUrl already names another resource (two
        Bundles reusing one ``urn:uuid``): then no reference through it is resolved, and a warning says so;
        a reference that resolved to the last one read would move a result to another patient or make one
        medication another."""
        conflicting = self.conflicting_urls()
        if full_url in conflicting:
            return
        known = self.aliases.get(full_url)
        if known is None or known == target:
            self.aliases[full_url] = target
            return
        del self.aliases[full_url]
        conflicting.add(full_url)
        self.issues.append(Issue(severity="warning", resource=origin, message=(
            f"the fullUrl {full_url[:100]} names two resources ({known} and {target}): references through it "
            "are not resolved (the records naming it are reported as without a patient or medication)")))


@dataclass
class Collected(Adding):
    """Resources gathered from inputs, ready for mapping."""

    resources: list[Resource] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    files_read: int = 0

    def resource(self, resource: Resource) -> None:
        self.resources.append(resource)


def unreadable_message(error: JsonInputError) -> str:
    """The issue text for JSON that cannot be read (the same words whichever reader meets it)."""
    if error.reason in ("not JSON", "Extra data", "not UTF-8 JSON"):
        return "not UTF-8 JSON" if error.reason == "not UTF-8 JSON" else "not JSON"
    return f"not acceptable JSON: {error.reason}"


def _parse_file(path: Path, collected: Sink, *, stream: bool = False) -> None:
    if stream and suffix_of(path) in NDJSON:
        _stream_ndjson(path, collected)
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from exc
    collected.files_read += 1
    name = str(path)
    if not data.strip():  # said as such: "not JSON (line 1, column 1)" would send the reader looking
        collected.issues.append(Issue(severity="error", resource=name, message="empty file"))
        return
    if suffix_of(path) in NDJSON:
        _parse_ndjson(data, name, collected)
        return
    try:
        collected.add(loads(data, strict=False), name)
    except JsonInputError as exc:
        if exc.reason == "Extra data" or _resource_a_line(data):  # NDJSON with a .json name
            _parse_ndjson(data, name, collected)
            return
        where = f" (line {exc.line}, column {exc.column})" if exc.line is not None else ""
        collected.issues.append(Issue(severity="error", resource=name, message=f"{unreadable_message(exc)}{where}"))


def _resource_a_line(data: bytes) -> bool:
    """Whether text that is not one JSON value has a FHIR resource on a line of its own, beside other
    lines: NDJSON under a .json name whose first line cannot be read (cut short, a key given twice), which
    is read line by line as its .ndjson twin is, rather than lost whole. A Bundle written over many lines
    has no such line (its lines are parts of one value), so that its error stays one issue of the file."""
    lines = [line for line in data.splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    for line in lines:
        try:
            value = loads(line, strict=False)
        except JsonInputError:
            continue
        if isinstance(value, dict) and isinstance(value.get("resourceType"), str):
            return True
    return False


def _parse_ndjson(data: bytes, name: str, collected: Sink) -> None:
    for number, line in enumerate(data.splitlines(), start=1):
        if line.strip():
            _parse_line(line, name, number, collected)


def _parse_line(line: bytes, name: str, number: int, collected: Sink) -> None:
    try:
        collected.add(loads(line, strict=False), f"{name}:{number}")
    except JsonInputError as exc:
        collected.issues.append(Issue(severity="error", resource=f"{name}:{number}", message=unreadable_message(exc)))


def _stream_ndjson(path: Path, collected: Sink) -> None:
    """An NDJSON file line by line, never whole: the same resources, issues and line numbers as
    ``_parse_file`` (``bytes.splitlines`` also ends a line at a lone carriage return)."""
    name = str(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from exc
    collected.files_read += 1
    number = 0
    seen = False
    with handle:
        try:
            for chunk in handle:
                for line in chunk.splitlines() if b"\r" in chunk else (chunk,):
                    number += 1
                    if line.strip():
                        seen = True
                        _parse_line(line, name, number, collected)
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror}") from exc
    if not seen:
        collected.issues.append(Issue(severity="error", resource=name, message="empty file"))


def _files(path: Path, sink: Sink | None = None) -> Iterator[Path]:
    """The FHIR files of ``path`` (itself, or those in a directory), in name order; a compressed FHIR file
    in a directory, and a FHIR file name that is a symbolic link to nothing, are named in an issue of ``sink``."""
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if not child.is_file():
                if sink is not None and child.is_symlink() and not child.exists() and suffix_of(child) in SUFFIXES:
                    sink.issues.append(Issue(severity="warning", resource=str(child), message=BROKEN_LINK))
                continue
            if suffix_of(child) in SUFFIXES:
                yield child
            elif sink is not None and suffix_of(child) in COMPRESSED and suffix_of(Path(child.stem)) in SUFFIXES:
                sink.issues.append(Issue(severity="warning", resource=str(child), message=NOT_READ))
    else:
        yield path


def read_paths(paths: Iterable[str | Path]) -> Collected:
    """Read every file (or directory of files) named. Raises InputError for a missing path."""
    collected = Collected()
    with gc_paused():
        for raw in paths:
            for file in _files(_existing(raw), collected):
                _parse_file(file, collected)
    return collected


def stream_paths(paths: Iterable[str | Path], sink: Sink) -> None:
    """Read every file (or directory of files) named into ``sink``, in ``read_paths``' order, NDJSON
    files line by line. Raises InputError for a missing path."""
    for raw in paths:
        for file in _files(_existing(raw), sink):
            _parse_file(file, sink, stream=True)


def _existing(raw: str | Path) -> Path:
    path = Path(raw)
    if not path.exists():
        raise InputError(f"no such file or directory: {path}")
    return path


def from_objects(objects: Iterable[Any], origin: str = "input") -> Collected:
    """Collect resources, Bundles or lists already parsed from JSON."""
    collected = Collected()
    for obj in objects:
        collected.add(obj, origin)
    return collected


def from_prefetch(prefetch: Mapping[str, Any]) -> Collected:
    """Collect a CDS Hooks ``prefetch`` object; a ``null`` value means "no data" (CDS Hooks 2.0 §prefetch)."""
    collected = Collected()
    for key, value in prefetch.items():
        if value is not None:
            collected.add(value, f"prefetch.{key}")
    return collected
