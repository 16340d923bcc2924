"""A draft Lutathera order changed to a new activity everywhere it states one, or why that is not safe.

CDS Hooks 2.0.1 "Action": an ``update`` action "holds the updated resource in its entirety"; the EHR
replaces the draft order by it. A radiopharmacy may read any part of that order (the dose quantity, the
dosage text, the medication text, a note), so every part that states the old activity must state the
new one, or the accepted suggestion leaves an order that says two different things (issue 10, section 1).

- Every Quantity in an activity unit (``doseQuantity``, the activity extension, ``quantityQuantity``,
  ``maxDosePerAdministration`` ...) that states the old activity is set to the new one in its own unit
  (100 mCi where the draft ordered 200 mCi), with a coherent UCUM ``unit`` / ``code`` / ``system``.
- Every free text that names an activity ("7.4 GBq (200 mCi) IV over 30 min", "7,4 GBq", "7400 MBq",
  "200mCi", "gigabecquerels" ...) has each mention replaced, keeping its unit spelling and its decimal
  separator.
- A ``note`` says what changed and why (the rule and its source).

Where that cannot be done with certainty, nothing is rewritten and the reason (naming the element, never
quoting its text) is returned instead: a mention of another activity, a range or a product of
activities, a number whose separator is ambiguous ("7,400 MBq"), a unit written before its number or a
number in words, an activity in a unit without a conversion factor, a dose quantity in a non-activity
unit. Concentrations and rates ("370 MBq/mL") are not activities and are left as they are, unless they
state the ordered activity itself ("7.4 GBq/30 min" would then be wrong: not rewritable).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from cds.dose.conclusions import DoseAlert
from cds.hooks.cards.orders import LutatheraOrder
from cds.mapping.fhir import UCUM, Unusable, items, quantity
from cds.tables import CodeTable, UnitTable, codes

Resource = dict[str, Any]
MAX_DEPTH = 32  # levels of an order's JSON that are checked; a FHIR order needs fewer than 10
TOLERANCE = Decimal("0.005")  # two statements of an activity within 0.5 % of each other state the same one
# Strings that identify rather than describe: never rewritten (an activity named there is not rewritable).
UCUM_ACTIVITY = ("GBq", "MBq", "kBq", "mCi", "Ci")  # the UCUM codes of free-text unit spellings
IDENTITY_ELEMENTS = frozenset({"identifier", "groupIdentifier", "instantiatesUri", "instantiatesCanonical"})
IDENTITY_KEYS = IDENTITY_ELEMENTS | {"id", "url", "system", "reference", "fullUrl", "version", "code", "resourceType"}

# Spellings of activity units in free text (case-insensitive) -> UCUM code. The factor to GBq is the
# mapping's (fhir_mappings/codes.toml, administration.activity_units); a unit without one is not rewritable.
_SPELLINGS: tuple[tuple[str, str], ...] = (
    (r"giga-?becquerels?", "GBq"), (r"mega-?becquerels?", "MBq"), (r"kilo-?becquerels?", "kBq"),
    (r"milli-?curies?", "mCi"), (r"micro-?curies?", "uCi"), (r"becquerels?", "Bq"), (r"curies?", "Ci"),
    (r"g\s?bq", "GBq"), (r"m\s?bq", "MBq"), (r"k\s?bq", "kBq"), (r"[uµμ]\s?ci", "uCi"), (r"m\s?ci", "mCi"),
    (r"bq", "Bq"), (r"ci", "Ci"),
)
_UNIT = re.compile("(?<![^\\W\\d_])(?:" + "|".join(f"(?P<u{i}>{p})" for i, (p, _) in enumerate(_SPELLINGS))
                   + ")(?![^\\W\\d_])", re.IGNORECASE)
# The gap may be a hyphen ("a 7.4-GBq dose") or an HTML space in a narrative ``div`` (&nbsp;, &#160;, &#8239;).
_NUMBER_BEFORE = re.compile(r"(?P<number>\d+(?:[.,]\d+)?)(?P<gap>(?:\s|-|&nbsp;|&#160;|&#x[aA]0;|&#8239;)*)$")
# Before the number: part of a longer token (1.7.4, e3), a range (6-7.4, 6 to 7.4, 3.7 or 7.4, 3.7/7.4),
# a sign, bound, approximation or product (-7.4, <7.4, ~7.4, +/-, 2 x 3.7).
_BLOCKED_BEFORE = re.compile(
    r"(?:[\w.,]|\d\s*(?:[-\u2010-\u2015\u2212/]|to|or|and|bis)\s*|[-\u2010-\u2015\u2212~\u2248\u00b1<>"
    r"\u2264\u2265\u00d7*+]\s*|(?:^|[\s\d])x\s*)$", re.IGNORECASE)
# After the unit: "/mL", "per hour", "/30 min" make a concentration or a rate; "/200 mCi" is a separator.
_TAG_BEFORE = re.compile(r"<[A-Za-z/][^<>]*>\s*$")
_RATIO_AFTER = re.compile(r"^\s*(?:/\s*[^\W\d_]|per\b|/\s*\d+(?:[.,]\d+)?\s*(?P<then>\S*))", re.IGNORECASE)
_PRODUCT_AFTER = re.compile(r"^\s*[x\u00d7*]\s*\d", re.IGNORECASE)
_NUMBER_AFTER = re.compile(r"^\s*[:=]?\s*\d")
_NUMBER_WORD = re.compile(r"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
                          r"hundred|thousand|point|half)\s*-?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Rewritten:
    resource: Resource


@dataclass(frozen=True)
class NotRewritable:
    reason: str  # names the element ("dosageInstruction[0].text"), never its text


Rewrite = Rewritten | NotRewritable


@dataclass(frozen=True)
class _Mention:
    """One activity named in a text: where, its value in GBq, and how it is written."""

    start: int
    end: int
    gbq: Decimal
    unit_text: str  # the unit as written ("mCi", "GBq", "gigabecquerels")
    gap: str  # what stands between the number and the unit ("", " ")
    code: str  # its UCUM code
    decimal_comma: bool
    ratio: bool  # a concentration or rate ("370 MBq/mL"), not an activity


class _Blocked(Exception):  # a value: the order cannot be rewritten safely (hence no "Error" suffix)
    pass


def _identity(path: tuple[str | int, ...]) -> bool:
    """A string that identifies (an id, a URL, a code, an identifier's parts) rather than describes."""
    return path[-1] in IDENTITY_KEYS or any(part in IDENTITY_ELEMENTS for part in path)


def _place(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(the order)"


def _factor(code: str, units: UnitTable) -> Decimal | None:
    factor = units.factor(code, exact=True)
    return None if factor is None else Decimal(str(factor))


def _same(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= TOLERANCE * abs(b)


def _format(value: Decimal, decimal_comma: bool = False) -> str:
    text = format(round(value, 6).normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if decimal_comma else text


def _unit_code(match: re.Match[str]) -> str:
    for index, (_, code) in enumerate(_SPELLINGS):
        if match.group(f"u{index}") is not None:
            return code
    raise AssertionError("a unit alternative matched")


def _ratio(suffix: str) -> bool:
    after = _RATIO_AFTER.match(suffix)
    if after is None:
        return False
    then = after.group("then")
    return then is None or _UNIT.match(then) is None


def mentions(text: str, units: UnitTable) -> Iterator[_Mention]:
    """The activities a text names. Raises _Blocked for a mention that cannot be read with certainty."""
    for match in _UNIT.finditer(text):
        prefix, suffix = text[: match.start()], text[match.end():]
        number = _NUMBER_BEFORE.search(prefix)
        if number is None:
            if _NUMBER_AFTER.match(suffix) or _NUMBER_WORD.search(prefix):
                raise _Blocked("names an activity in a form that cannot be read with certainty")
            continue  # the unit named as a word ("dose in GBq"), no activity
        before = _TAG_BEFORE.sub("", prefix[: number.start()])  # "<td>7.4 GBq": a tag, not a bound
        if re.fullmatch(r"\d{3}", number["number"]) and re.search(r"(?<!\d)\d{1,3}\s+$", before):
            raise _Blocked("names an activity whose digits are grouped ambiguously")  # "7 400 MBq"
        if _BLOCKED_BEFORE.search(before) or _PRODUCT_AFTER.match(suffix):
            raise _Blocked("names a range, a bound or a product of activities")
        digits = number["number"]
        separator = next((c for c in digits if c in ".,"), None)
        whole, _, fraction = digits.replace(",", ".").partition(".")
        if separator is not None and len(fraction) == 3 and whole.strip("0"):
            raise _Blocked("names an activity whose decimal or thousands separator is ambiguous")
        code = _unit_code(match)
        factor = _factor(code, units)
        if factor is None:
            raise _Blocked(f"names an activity in {code}, a unit without a conversion factor")
        try:
            value = Decimal(f"{whole}.{fraction}" if fraction else whole)
        except InvalidOperation:
            raise _Blocked("names an activity that cannot be read") from None
        yield _Mention(start=number.start(), end=match.end(), gbq=value * factor, unit_text=match.group(0),
                       gap=number["gap"], code=code, decimal_comma=separator == ",",
                       ratio=_ratio(suffix))


def _walk(value: Any) -> Iterator[tuple[tuple[str | int, ...], Any, Any]]:
    """(path, container, key) of every member and array item below ``value``, in document order.

    Iterative, and bounded: an order nested deeper than MAX_DEPTH cannot be checked (not rewritable)."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while stack:
        path, node = stack.pop()
        if len(path) > MAX_DEPTH:
            raise _Blocked("nests too deeply to be checked")
        members: list[tuple[str | int, Any]] = []
        if isinstance(node, dict):
            members = list(node.items())
        elif isinstance(node, list):
            members = list(enumerate(node))
        below = []
        for key, member in members:
            yield (*path, key), node, key
            below.append(((*path, key), member))
        stack.extend(reversed(below))


def _activity_quantity(value: Any, units: UnitTable) -> tuple[Decimal, str] | None:
    """(value in GBq, UCUM code) of a Quantity in an activity unit; None for any other value."""
    if not isinstance(value, dict) or "value" not in value or not ({"unit", "code"} & value.keys()):
        return None
    try:
        number, unit = quantity(value)
    except Unusable:
        return None
    factor = unit.factor(units)
    if factor is None or unit.text is None:
        return None
    written = unit.text.strip()
    code = written if unit.ucum else next((c for c in UCUM_ACTIVITY if c.lower() == written.lower()), written)
    return Decimal(str(number)) * Decimal(str(factor)), code


def _dose_places(order: LutatheraOrder, table: CodeTable) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Where the order states its dose (as cds.hooks.cards.orders reads it)."""
    resource = order.resource
    if order.kind == "MedicationRequest":
        for i, instruction in enumerate(items(resource.get("dosageInstruction"))):
            if not isinstance(instruction, dict):
                continue
            for j, rate in enumerate(items(instruction.get("doseAndRate"))):
                if isinstance(rate, dict) and "doseQuantity" in rate:
                    yield ("dosageInstruction", i, "doseAndRate", j, "doseQuantity"), rate["doseQuantity"]
            if "doseQuantity" in instruction:
                yield ("dosageInstruction", i, "doseQuantity"), instruction["doseQuantity"]
    else:
        url = table.section("administration")["activity_extension_url"]
        for i, extension in enumerate(items(resource.get("extension"))):
            if isinstance(extension, dict) and extension.get("url") == url:
                yield ("extension", i, "valueQuantity"), extension.get("valueQuantity")


def _stated(order: LutatheraOrder, table: CodeTable) -> tuple[Decimal | None, str | None]:
    """The old activity (GBq) and the unit the order states it in: its dose, else its texts."""
    units = table.activity_units
    for _, value in _dose_places(order, table):
        found = _activity_quantity(value, units)
        if found is not None:
            return found
    for path, container, key in _walk(order.resource):
        found = _activity_quantity(container[key], units)
        if found is not None and path[-1] not in ("numerator", "denominator", "low", "high"):
            return found
    for path, container, key in _walk(order.resource):
        text = container[key]
        if isinstance(text, str) and not _identity(path):
            for mention in mentions(text, units):
                if not mention.ratio:
                    return mention.gbq, mention.code
    return None, None


def _new_quantity(gbq: Decimal, code: str, units: UnitTable) -> Resource:
    factor = _factor(code, units) or Decimal(1)
    value = gbq / factor
    return {"value": float(_format(value)), "unit": code, "system": UCUM, "code": code}


def _rewrite_text(text: str, old: Decimal | None, new: Decimal, units: UnitTable) -> str:
    pieces, last = [], 0
    for mention in mentions(text, units):
        if old is None or not _same(mention.gbq, old):
            if mention.ratio:
                continue  # a concentration or rate other than the ordered activity: not an activity
            raise _Blocked("names an activity other than the ordered one")
        if mention.ratio:
            raise _Blocked("states the ordered activity as a rate or concentration")
        factor = _factor(mention.code, units)
        assert factor is not None
        pieces += [text[last:mention.start], _format(new / factor, mention.decimal_comma), mention.gap,
                   mention.unit_text]
        last = mention.end
    return "".join(pieces) + text[last:]


def _rewrite_all(changed: Resource, old: Decimal | None, new: Decimal, units: UnitTable) -> None:
    """Every quantity and text stating ``old`` set to ``new``, in place; raises _Blocked (with the place)."""
    for path, container, key in list(_walk(changed)):
        value = container[key]
        place = _place(path)
        try:
            found = _activity_quantity(value, units)
            if found is not None:
                gbq, code = found
                if path[-1] in ("low", "high"):
                    raise _Blocked("states a range of activities")
                in_ratio = path[-1] in ("numerator", "denominator")
                if old is None or not _same(gbq, old):
                    if in_ratio:
                        continue
                    raise _Blocked("states an activity other than the ordered one")
                if in_ratio:
                    raise _Blocked("states the ordered activity as a rate or concentration")
                if "comparator" in value:
                    raise _Blocked("states the activity with a comparator")
                container[key] = {**{k: v for k, v in value.items() if k not in ("unit", "code", "system")},
                                  **_new_quantity(new, code, units)}
            elif isinstance(value, str):
                if _identity(path):
                    if any(True for _ in mentions(value, units)):
                        raise _Blocked("is an identifier that names an activity")
                    continue
                container[key] = _rewrite_text(value, old, new, units)
        except _Blocked as blocked:
            raise _Blocked(f"{place} {blocked}") from None


def _set_dose(changed: Resource, order: LutatheraOrder, dose: Resource, table: CodeTable) -> None:
    """An order that states no dose quantity gets one (a dose the radiopharmacy can read)."""
    if order.kind == "MedicationRequest":
        instructions = [i for i in items(changed.get("dosageInstruction")) if isinstance(i, dict)] or [{}]
        instructions[0]["doseAndRate"] = [{"doseQuantity": dose}]
        changed["dosageInstruction"] = instructions
    else:
        url = table.section("administration")["activity_extension_url"]
        extensions = [e for e in items(changed.get("extension")) if not (isinstance(e, dict) and e.get("url") == url)]
        changed["extension"] = [*extensions, {"url": url, "valueQuantity": dose}]


def activity_text(gbq: float, code: str | None = None, table: CodeTable | None = None) -> str:
    """``gbq`` as a clinician reads it in the order's unit: "3.7 GBq", "100 mCi (3.7 GBq)"."""
    table = table or codes()
    value = Decimal(str(gbq))
    factor = _factor(code, table.activity_units) if code else None
    if code is None or code == "GBq" or factor is None:
        return f"{_format(value)} GBq"
    return f"{_format(value / factor)} {code} ({_format(value)} GBq)"


def rewrite_order(order: LutatheraOrder, gbq: float, why: str, table: CodeTable | None = None) -> Rewrite:
    """The whole order stating ``gbq`` wherever it stated an activity, with a note saying what and why."""
    table = table or codes()
    units = table.activity_units
    new = Decimal(str(gbq))
    try:
        for _ in _walk(order.resource):  # bounded depth, checked before anything copies or recurses
            pass
        changed = copy.deepcopy(order.resource)
        old, code = _stated(order, table)
        for path, value in _dose_places(order, table):
            if _activity_quantity(value, units) is None:
                raise _Blocked(f"{_place(path)} is not a quantity in an activity unit")
        _rewrite_all(changed, old, new, units)
    except _Blocked as blocked:
        return NotRewritable(str(blocked))
    if not any(True for _ in _dose_places(LutatheraOrder(changed, order.kind, order.id, order.activity_gbq), table)):
        _set_dose(changed, order, _new_quantity(new, code or "GBq", units), table)
    stated = activity_text(gbq, code, table)
    note = (f"Activity changed to {stated} by the prrt-cds Lutathera dose check: {why}. Every dose and text of "
            f"this order that stated the activity now states {stated}.")
    if any(not _same(m.gbq, new) for m in _safe_mentions(note, units)):
        note = f"Activity changed to {stated} by the prrt-cds Lutathera dose check."
    changed["note"] = [*[n for n in items(changed.get("note")) if isinstance(n, dict)], {"text": note}]
    return Rewritten(changed)


def _safe_mentions(text: str, units: UnitTable) -> list[_Mention]:
    try:
        return [m for m in mentions(text, units) if not m.ratio]
    except _Blocked:
        return [_Mention(0, 0, Decimal(-1), "", "", "", False, False)]  # unreadable: treated as different


def ordered_unit(order: LutatheraOrder, table: CodeTable | None = None) -> str | None:
    """The UCUM code of the unit the order states its dose in (None: no dose in an activity unit)."""
    table = table or codes()
    for _, value in _dose_places(order, table):
        found = _activity_quantity(value, table.activity_units)
        if found is not None:
            return found[1]
    found = _activity_quantity(order.resource.get("quantityQuantity"), table.activity_units)
    return None if found is None else found[1]


def change_reason(alert: DoseAlert) -> str:
    """Why the activity changes, for the order's note: the deciding action rule with its source."""
    deciding = [r for r in alert.reasons if r.kind == "action"] or list(alert.reasons[:1])
    findings = [f"{r.term} grade {r.grade}" for r in alert.reasons if r.term is not None and r.grade is not None]
    after = f" after {', '.join(findings)}" if findings else ""
    return "; ".join(f"{r.text} for Lutathera cycle {alert.cycle}{after} (rule {r.rule}"
                     + (f"; {r.source})" if r.source else ")") for r in deciding)
