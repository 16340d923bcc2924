"""Small readers of FHIR R4 datatypes (references, dates, codings, quantities).

They read only the elements the mapping uses and check their JSON types, so a malformed element
becomes an ``Unusable`` with a reason instead of an exception deep in the mapping.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson

from cds.errors import InvalidInput
from cds.jsonio import UnreadableNumber
from cds.tables import UnitTable, codes

Resource = Mapping[str, Any]

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class Unusable(InvalidInput):  # a value, not an error of the program (hence no "Error" suffix)
    """A resource cannot be mapped; the message names the reason (never a value from the resource)."""


VALUE_AND_ABSENT_REASON = ("both a value and a dataAbsentReason (FHIR obs-6: one or the other), the value may be a "
                           "placeholder")


def value_and_absent_reason(resource: Resource) -> bool:
    """Whether an Observation carries a value[x] and a dataAbsentReason together, which FHIR R4 forbids
    (invariant obs-6): its number or answer may be a placeholder (0 for "error"), never a measurement."""
    return "dataAbsentReason" in resource and any(name.startswith("value") for name in resource)


def refuse_value_and_absent_reason(resource: Resource) -> None:
    """``Unusable`` for an Observation with a value[x] beside a dataAbsentReason (``value_and_absent_reason``)."""
    if value_and_absent_reason(resource):
        raise Unusable(VALUE_AND_ABSENT_REASON)


def items(value: Any) -> list[Any]:
    """The elements of a FHIR array; ``[]`` when it is absent or not a JSON array."""
    return value if isinstance(value, list) else []


def canonical_json(resource: Resource) -> bytes:
    """The resource's JSON with sorted keys, the same however its keys were ordered (any JSON value: an
    integer beyond 64 bits that orjson refuses is written by the standard encoder)."""
    try:
        return orjson.dumps(resource, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return json.dumps(resource, sort_keys=True, default=repr).encode()


def ref_of(resource: Resource) -> str:
    """``Type/id``; for a resource without an id, ``Type/?`` and the first 16 hex digits of the SHA-256 of
    its JSON (``canonical_json``): a reference of its own, the same wherever the resource is read, which
    no FHIR id can be (an id has no "?"). Two resources without an id are never taken for one (the
    withdrawal of an entered-in-error version, a grade looked up by its result)."""
    rid = resource.get("id")
    if isinstance(rid, str):
        return f"{resource.get('resourceType')}/{rid}"
    return f"{resource.get('resourceType')}/?{hashlib.sha256(canonical_json(resource)).hexdigest()[:16]}"


def normalise_reference(reference: str, aliases: Mapping[str, str]) -> str:
    """``urn:uuid:x`` -> ``Type/id`` via the Bundle aliases; absolute URLs -> ``Type/id``."""
    if reference in aliases:
        return aliases[reference]
    parts = reference.split("/")
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) >= 2:
        return f"{parts[-2]}/{parts[-1]}"
    return reference


def reference(value: Any, aliases: Mapping[str, str]) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("reference"), str):
        return normalise_reference(value["reference"], aliases)
    return None


def subject(resource: Resource, aliases: Mapping[str, str]) -> str:
    patient = reference(resource.get("subject"), aliases) or reference(resource.get("patient"), aliases)
    if patient is None or not patient.startswith("Patient/"):
        raise Unusable("no subject Patient reference")
    return patient


def parse_instant(text: Any) -> tuple[datetime, date]:
    """A FHIR date or dateTime -> (aware UTC instant, calendar day as written).

    A date without a time is taken as midnight UTC; a dateTime without a zone as UTC.
    """
    if not isinstance(text, str):
        raise Unusable("date is not a string")
    try:
        if _DATE.match(text):
            parts = [int(p) for p in text.split("-")] + [1, 1]
            day = date(parts[0], parts[1], parts[2])
            return datetime(day.year, day.month, day.day, tzinfo=UTC), day
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise Unusable("date is not a valid FHIR date or dateTime") from exc
    day = moment.date()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC), day
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the first day the calendar can hold
        raise Unusable("date lies outside the plausible window") from None


def parse_date(text: Any) -> date | None:
    if text is None:
        return None
    return parse_instant(text)[1]


def partial_end(text: Any) -> date | None:
    """The last calendar day a partial FHIR date can be ("2024-05" -> 2024-05-31, "2024" -> 2024-12-31;
    ``parse_instant`` reads it as its first day); None for a full date or a dateTime."""
    if not isinstance(text, str) or not _DATE.match(text) or len(text) == len("2024-05-17"):
        return None
    parts = [int(p) for p in text.split("-")]
    year, month = parts[0], parts[1] if len(parts) > 1 else 12
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def _effective_value(resource: Resource, names: tuple[str, ...]) -> Any:
    for name in names:
        value = resource.get(name)
        if value is None:
            continue
        if name.endswith("Period"):
            if isinstance(value, dict) and value.get("start") is not None:
                return value["start"]
            continue
        return value
    raise Unusable("no effective date")


def effective(resource: Resource, *names: str) -> tuple[datetime, date]:
    """The first present of ``names`` (``xDateTime`` or ``xPeriod.start``), as ``parse_instant``."""
    return parse_instant(_effective_value(resource, names))


def has_time(resource: Resource, *names: str) -> bool:
    """Whether the first present of ``names`` (as ``effective``) gives a time of day, not a date alone."""
    value = _effective_value(resource, names)
    return isinstance(value, str) and _DATE.match(value) is None


def effective_span(resource: Resource, *names: str) -> tuple[datetime, date, date | None]:
    """As ``effective``, with the last day a partial date (a month or a year) can be (``partial_end``)."""
    value = _effective_value(resource, names)
    at, day = parse_instant(value)
    return at, day, partial_end(value)


def codings(concept: Any) -> Iterator[tuple[str | None, str]]:
    """(system, code) pairs of a CodeableConcept; malformed codings are skipped."""
    if not isinstance(concept, dict):
        return
    for coding in items(concept.get("coding")):
        if isinstance(coding, dict) and isinstance(coding.get("code"), str):
            system = coding.get("system")
            yield (system if isinstance(system, str) else None), coding["code"]


def concept_text(concept: Any) -> str:
    """All human text of a CodeableConcept (text and displays), lower-cased."""
    if not isinstance(concept, dict):
        return ""
    texts = [concept.get("text")]
    texts += [c.get("display") for c in items(concept.get("coding")) if isinstance(c, dict)]
    return " ".join(t for t in texts if isinstance(t, str)).lower()


UCUM = codes().system("ucum")  # fhir_mappings/codes.toml [systems], the one home of the URI


def _number(value: Any) -> float:
    """A Quantity's ``value`` as a finite float; anything else is ``Unusable`` with the reason.

    The readers (cds/jsonio.py) bound a number's length: an overlong literal arrives as an
    ``UnreadableNumber`` (a str that says so). json accepts NaN, Infinity and integers beyond float;
    none is a measurement, and NaN would compare false to every limit (graded as normal).
    """
    if isinstance(value, UnreadableNumber):
        raise Unusable(f"quantity value is {value}, not read")
    if isinstance(value, bool):
        raise Unusable("quantity value is true or false, not a number")
    if isinstance(value, str):
        raise Unusable("quantity value is a string, not a number")
    if not isinstance(value, int | float):
        raise Unusable("quantity has no numeric value")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise Unusable("quantity value is not a finite number")
    return number


@dataclass(frozen=True)
class Unit:
    """A Quantity's unit: a UCUM code (case-sensitive: "Mmol/L" is not "mmol/L") or free unit text."""

    text: str | None
    ucum: bool = False
    # the Quantity's ``unit`` text when it differs from the code read: a reader checks that the two
    # agree (``disagrees``), so that a code and a display naming different units are never graded
    shown: str | None = None

    def factor(self, table: UnitTable) -> float | None:
        return table.factor(self.text, exact=self.ucum)

    def disagrees(self, table: UnitTable) -> bool:
        """Whether the unit text names a listed unit other than the code's (by its factor): "/uL" beside
        the code "10*9/L" is a million-fold apart. A text the table does not list says nothing."""
        if self.shown is None:
            return False
        code, text = self.factor(table), table.factor(self.shown)
        return code is not None and text is not None and abs(code - text) > 1e-9 * max(abs(code), abs(text))


def quantity(value: Any) -> tuple[float, Unit]:
    """(number, unit) of a Quantity: the UCUM ``code`` when its system is UCUM, else the ``unit`` text."""
    if not isinstance(value, dict):
        raise Unusable("no quantity")
    number = _number(value.get("value"))
    if value.get("comparator") is not None:
        raise Unusable("quantity has a comparator (< <= >= >): an inexact value is not graded")
    code, text = value.get("code"), value.get("unit")
    shown = text if isinstance(code, str) and isinstance(text, str) and text.strip() != code.strip() else None
    if isinstance(code, str) and value.get("system") == UCUM:
        return number, Unit(code, ucum=True, shown=shown)
    unit = code if isinstance(code, str) else text
    return number, Unit(unit if isinstance(unit, str) else None, shown=shown)


def number_text(value: Any) -> str | None:
    """The digits a Quantity's value was reported with ("7.40"): the literal the reader kept
    (``cds.jsonio.ReportedFloat``), else the number as JSON writes it (a float read from "0.37" prints
    as 0.37); None when it is no finite number."""
    number = value.get("value") if isinstance(value, dict) else None
    text = getattr(number, "text", None)
    if isinstance(text, str):
        return text
    if isinstance(number, bool) or not isinstance(number, int | float):
        return None
    return repr(number) if isinstance(number, int) or math.isfinite(number) else None
