"""The activities a draft order states, wherever it states them: its quantities in an activity unit and
the activities its free texts name ("7.4 GBq (200 mCi) IV over 30 min", "7,4 GBq", "7400 MBq").

One reading for the two uses: the dose check compares every activity an order states with its dose
(cds.hooks.cards.orders), and the change of an order rewrites each of them (cds.hooks.cards.order_update).
A statement that cannot be read with certainty (a range in a text, an ambiguous separator, a number in
words, a quantity whose unit code and unit text name different units) raises ``Uncertain``, with the
reason (never the text).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from cds.mapping.fhir import Unusable, quantity
from cds.tables import UnitTable

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
# A number in words just before a unit (every English cardinal word: "forty GBq" is not "GBq" named as a word).
_NUMBER_WORD = re.compile(r"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
                          r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fourty|fifty|"
                          r"sixty|seventy|eighty|ninety|hundred|thousand|million|point|half)\s*-?\s*$",
                          re.IGNORECASE)



@dataclass(frozen=True)
class Mention:
    """One activity named in a text: where, its value in GBq, and how it is written."""

    start: int
    end: int
    gbq: Decimal
    unit_text: str  # the unit as written ("mCi", "GBq", "gigabecquerels")
    gap: str  # what stands between the number and the unit ("", " ")
    code: str  # its UCUM code
    decimal_comma: bool
    ratio: bool  # a concentration or rate ("370 MBq/mL"), not an activity


class Uncertain(Exception):  # a value: a statement not read with certainty (hence no "Error" suffix)
    pass


def identity(path: tuple[str | int, ...]) -> bool:
    """A string that identifies (an id, a URL, a code, an identifier's parts) rather than describes."""
    return path[-1] in IDENTITY_KEYS or any(part in IDENTITY_ELEMENTS for part in path)


def place_of(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(the order)"


def unit_factor(code: str, units: UnitTable) -> Decimal | None:
    factor = units.factor(code, exact=True)
    return None if factor is None else Decimal(str(factor))


def same(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= TOLERANCE * abs(b)

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


def mentions(text: str, units: UnitTable) -> Iterator[Mention]:
    """The activities a text names. Raises Uncertain for a mention that cannot be read with certainty."""
    for match in _UNIT.finditer(text):
        prefix, suffix = text[: match.start()], text[match.end():]
        number = _NUMBER_BEFORE.search(prefix)
        if number is None:
            if _NUMBER_AFTER.match(suffix) or _NUMBER_WORD.search(prefix):
                raise Uncertain("names an activity in a form that cannot be read with certainty")
            continue  # the unit named as a word ("dose in GBq"), no activity
        before = _TAG_BEFORE.sub("", prefix[: number.start()])  # "<td>7.4 GBq": a tag, not a bound
        if re.fullmatch(r"\d{3}", number["number"]) and re.search(r"(?<!\d)\d{1,3}\s+$", before):
            raise Uncertain("names an activity whose digits are grouped ambiguously")  # "7 400 MBq"
        if _BLOCKED_BEFORE.search(before) or _PRODUCT_AFTER.match(suffix):
            raise Uncertain("names a range, a bound or a product of activities")
        digits = number["number"]
        separator = next((c for c in digits if c in ".,"), None)
        whole, _, fraction = digits.replace(",", ".").partition(".")
        if separator is not None and len(fraction) == 3 and whole.strip("0"):
            raise Uncertain("names an activity whose decimal or thousands separator is ambiguous")
        code = _unit_code(match)
        factor = unit_factor(code, units)
        if factor is None:
            raise Uncertain(f"names an activity in {code}, a unit without a conversion factor")
        try:
            value = Decimal(f"{whole}.{fraction}" if fraction else whole)
        except InvalidOperation:
            raise Uncertain("names an activity that cannot be read") from None
        yield Mention(start=number.start(), end=match.end(), gbq=value * factor, unit_text=match.group(0),
                       gap=number["gap"], code=code, decimal_comma=separator == ",",
                       ratio=_ratio(suffix))


def walk(value: Any) -> Iterator[tuple[tuple[str | int, ...], Any, Any]]:
    """(path, container, key) of every member and array item below ``value``, in document order.

    Iterative, and bounded: an order nested deeper than MAX_DEPTH cannot be checked (not rewritable)."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while stack:
        path, node = stack.pop()
        if len(path) > MAX_DEPTH:
            raise Uncertain("nests too deeply to be checked")
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


def activity_quantity(value: Any, units: UnitTable) -> tuple[Decimal, str] | None:
    """(value in GBq, UCUM code) of a Quantity in an activity unit; None for any other value. Raises
    Uncertain for one whose UCUM code and unit text name different units (cds.mapping.fhir.Unit.disagrees)."""
    if not isinstance(value, dict) or "value" not in value or not ({"unit", "code"} & value.keys()):
        return None
    try:
        number, unit = quantity(value)
    except Unusable:
        return None
    factor = unit.factor(units)
    if factor is None or unit.text is None:
        return None
    if unit.disagrees(units):
        raise Uncertain("states its unit twice, as different units (its UCUM code and its unit text)")
    written = unit.text.strip()
    code = written if unit.ucum else next((c for c in UCUM_ACTIVITY if c.lower() == written.lower()), written)
    return Decimal(str(number)) * Decimal(str(factor)), code


@dataclass(frozen=True)
class Statement:
    """One activity an order states: where (an element path, "dosageInstruction[0].text") and in GBq."""

    place: str
    gbq: Decimal


def statements(resource: Any, units: UnitTable) -> tuple[list[Statement], list[str]]:
    """Every activity ``resource`` states (each quantity in an activity unit, a range's low and high
    included; each activity a descriptive text names), and the places of those that cannot be read with
    certainty. A ratio's parts and a text's concentrations or rates ("370 MBq/mL") are not activities;
    identifiers, codes and URLs are not read. An order nested deeper than MAX_DEPTH: nothing is read, and
    the whole order is the uncertain place."""
    found: list[Statement] = []
    uncertain: list[str] = []
    try:
        for path, container, key in walk(resource):
            value, where = container[key], place_of(path)
            try:
                activity = activity_quantity(value, units)
                if activity is not None:
                    if path[-1] not in ("numerator", "denominator"):
                        found.append(Statement(where, activity[0]))
                elif isinstance(value, str) and not identity(path):
                    found += [Statement(where, m.gbq) for m in mentions(value, units) if not m.ratio]
            except Uncertain:
                uncertain.append(where)
    except Uncertain:
        return [], [place_of(())]
    return found, uncertain


def uncertain_places(resource: Any, units: UnitTable) -> list[str]:
    """The places where ``resource`` states an activity that cannot be read with certainty (``statements``):
    a range or bound in a text ("6-7.4 GBq", "<7.4 GBq"), an ambiguous separator, a number in words, a
    quantity whose unit code and unit text disagree. The dose check does not take such an order to state
    one activity (cds.hooks.cards.dose_card), as it does not take a text naming another activity."""
    return statements(resource, units)[1]
