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
unit, and a text that may record an earlier cycle rather than order this one: a note carrying an author
or a time (someone's statement, never rewritten in their name), or a text naming an activity beside words
of an earlier administration ("previous", "prior", "was", "were", "had", "received", "last cycle" ...).
Rewritten, "Previous cycle: 7.4 GBq" would state a history that did not happen; left, the order would
state two activities: the change is made by hand. Concentrations ("370 MBq/mL") are not activities and
are left as they are, unless they state the ordered activity itself. A rate of infusion in an activity
unit (``rateRatio`` 7.4 GBq / 30 min, ``rateQuantity`` or ``rateRange`` in GBq/h) is scaled with the
activity, so that the infusion keeps its duration (cds.hooks.cards.activity_rates); one in a text
("14.8 GBq/h"), or any other activity per something (a ``quantityRatio`` of 7.4 GBq per 1 dose), is not
rewritable. A rate in another unit (250 mL/h) states no activity: it stays, beside the dose the change
adds to an order that had none.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cds.dose.conclusions import DoseAlert
from cds.hooks.cards.activity_rates import RateUnits, rate_units, scaled, text_rate
from cds.hooks.cards.activity_statements import (
    Mention,
    Uncertain,
    activity_quantity,
    identity,
    mentions,
    place_of,
    same,
    unit_factor,
    walk,
)
from cds.hooks.cards.orders import LutatheraOrder
from cds.mapping.fhir import UCUM, items
from cds.tables import CodeTable, UnitTable, codes

Resource = dict[str, Any]

# Words that make a text naming an activity the record of an earlier administration, not this order's.
_EARLIER = re.compile(r"(?<![^\W\d_])(?:previous(?:ly)?|prior|was|were|had|received|last\s+(?:cycle|infusion|dose|"
                      r"administration|treatment|time))(?![^\W\d_])", re.IGNORECASE)
_ATTRIBUTION = ("authorString", "authorReference", "time")  # an Annotation's author and time


@dataclass(frozen=True)
class Rewritten:
    resource: Resource


@dataclass(frozen=True)
class NotRewritable:
    reason: str  # names the element ("dosageInstruction[0].text"), never its text


Rewrite = Rewritten | NotRewritable


def _format(value: Decimal, decimal_comma: bool = False) -> str:
    text = format(round(value, 6).normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if decimal_comma else text


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
        found = activity_quantity(value, units)
        if found is not None:
            return found
    for path, container, key in walk(order.resource):
        found = activity_quantity(container[key], units)
        if found is not None and path[-1] not in ("numerator", "denominator", "low", "high"):
            return found
    for path, container, key in walk(order.resource):
        text = container[key]
        if isinstance(text, str) and not identity(path):
            for mention in mentions(text, units):
                if not mention.ratio:
                    return mention.gbq, mention.code
    return None, None


def _new_quantity(gbq: Decimal, code: str, units: UnitTable) -> Resource:
    factor = unit_factor(code, units) or Decimal(1)
    value = gbq / factor
    return {"value": float(_format(value)), "unit": code, "system": UCUM, "code": code}


def _rewrite_text(text: str, old: Decimal | None, new: Decimal, units: UnitTable) -> str:
    pieces, last = [], 0
    for mention in mentions(text, units):
        if old is None or not same(mention.gbq, old):
            if mention.ratio and text_rate(text[mention.end:]):
                raise Uncertain("names a rate of infusion in an activity unit, which the change would leave wrong")
            if mention.ratio:
                continue  # a concentration other than the ordered activity: not an activity
            raise Uncertain("names an activity other than the ordered one")
        if mention.ratio:
            raise Uncertain("states the ordered activity as a rate or concentration")
        factor = unit_factor(mention.code, units)
        assert factor is not None
        pieces += [text[last:mention.start], _format(new / factor, mention.decimal_comma), mention.gap,
                   mention.unit_text]
        last = mention.end
    return "".join(pieces) + text[last:]


def _scale(value: Resource, old: Decimal | None, new: Decimal) -> Resource:
    """A rate of activity (14.8 GBq/h, the numerator of 7.4 GBq / 30 min) scaled with the activity."""
    if old is None or old <= 0:
        raise Uncertain("states a rate of infusion in an activity unit, and the order no activity to scale it by")
    if "comparator" in value:
        raise Uncertain("states a rate of infusion with a comparator")
    return scaled(value, new / old)


def _rewrite_all(changed: Resource, old: Decimal | None, new: Decimal, units: UnitTable, rates: RateUnits) -> None:
    """Every quantity and text stating ``old`` set to ``new``, and every rate of activity scaled with it
    (cds.hooks.cards.activity_rates), in place; raises Uncertain (with the place)."""
    for path, container, key in list(walk(changed)):
        value = container[key]
        place = place_of(path)
        try:
            found = activity_quantity(value, units)
            per = rates.per(container.get("denominator")) if found is not None and path[-1] == "numerator" else None
            if per == "rate":
                container[key] = _scale(value, old, new)
                continue
            if found is None and (per := rates.per_unit(value)) is not None:
                if per == "rate":
                    container[key] = _scale(value, old, new)
                elif per == "other":
                    raise Uncertain("states an activity per a unit that is not a time or a volume")
                continue
            if found is not None:
                gbq, code = found
                if path[-1] in ("low", "high"):
                    raise Uncertain("states a range of activities")
                in_ratio = path[-1] in ("numerator", "denominator")
                if per == "other" and old is None:
                    raise Uncertain("states an activity per a unit that is not a time or a volume")
                if old is None or not same(gbq, old):
                    if in_ratio:
                        continue
                    raise Uncertain("states an activity other than the ordered one")
                if per == "other":
                    raise Uncertain("states the ordered activity per a unit that is not a time or a volume")
                if in_ratio:
                    raise Uncertain("states the ordered activity as a rate or concentration")
                if "comparator" in value:
                    raise Uncertain("states the activity with a comparator")
                container[key] = {**{k: v for k, v in value.items() if k not in ("unit", "code", "system")},
                                  **_new_quantity(new, code, units)}
            elif isinstance(value, str):
                if identity(path):
                    if any(True for _ in mentions(value, units)):
                        raise Uncertain("is an identifier that names an activity")
                    continue
                if any(not m.ratio for m in mentions(value, units)):
                    if key == "text" and any(k in container for k in _ATTRIBUTION):
                        raise Uncertain("is a note by an author or at a time that names an activity: it is "
                                        "their statement, which the change must not rewrite")
                    if _EARLIER.search(value):
                        raise Uncertain("names an activity beside words of an earlier administration: it may "
                                        "record a cycle given, which the change must not rewrite")
                container[key] = _rewrite_text(value, old, new, units)
        except Uncertain as blocked:
            raise Uncertain(f"{place} {blocked}") from None


def _set_dose(changed: Resource, order: LutatheraOrder, dose: Resource, table: CodeTable) -> None:
    """An order that states no dose quantity gets one (a dose the radiopharmacy can read)."""
    if order.kind == "MedicationRequest":
        instructions = [i for i in items(changed.get("dosageInstruction")) if isinstance(i, dict)] or [{}]
        # beside the rates it states (a rate of 250 mL/h stays): the first doseAndRate without a dose
        rates = [r for r in items(instructions[0].get("doseAndRate")) if isinstance(r, dict)]
        free = next((r for r in rates if not any(k.startswith("dose") for k in r)), None)
        if free is not None:
            free["doseQuantity"] = dose
        else:
            rates.insert(0, {"doseQuantity": dose})
        instructions[0]["doseAndRate"] = rates
        changed["dosageInstruction"] = instructions
    else:
        url = table.section("administration")["activity_extension_url"]
        extensions = [e for e in items(changed.get("extension")) if not (isinstance(e, dict) and e.get("url") == url)]
        changed["extension"] = [*extensions, {"url": url, "valueQuantity": dose}]


def activity_text(gbq: float, code: str | None = None, table: CodeTable | None = None) -> str:
    """``gbq`` as a clinician reads it in the order's unit: "3.7 GBq", "100 mCi (3.7 GBq)"."""
    table = table or codes()
    value = Decimal(str(gbq))
    factor = unit_factor(code, table.activity_units) if code else None
    if code is None or code == "GBq" or factor is None:
        return f"{_format(value)} GBq"
    return f"{_format(value / factor)} {code} ({_format(value)} GBq)"


def rewrite_order(order: LutatheraOrder, gbq: float, why: str, table: CodeTable | None = None) -> Rewrite:
    """The whole order stating ``gbq`` wherever it stated an activity, with a note saying what and why."""
    table = table or codes()
    units = table.activity_units
    new = Decimal(str(gbq))
    try:
        for _ in walk(order.resource):  # bounded depth, checked before anything copies or recurses
            pass
        changed = copy.deepcopy(order.resource)
        old, code = _stated(order, table)
        for path, value in _dose_places(order, table):
            if activity_quantity(value, units) is None:
                raise Uncertain(f"{place_of(path)} is not a quantity in an activity unit")
        _rewrite_all(changed, old, new, units, rate_units(table))
    except Uncertain as blocked:
        return NotRewritable(str(blocked))
    if not any(True for _ in _dose_places(LutatheraOrder(changed, order.kind, order.id, order.activity_gbq), table)):
        _set_dose(changed, order, _new_quantity(new, code or "GBq", units), table)
    stated = activity_text(gbq, code, table)
    note = (f"Activity changed to {stated} by the prrt-cds Lutathera dose check: {why}. Every dose and text of "
            f"this order that stated the activity now states {stated}.")
    if any(not same(m.gbq, new) for m in _safe_mentions(note, units)):
        note = f"Activity changed to {stated} by the prrt-cds Lutathera dose check."
    changed["note"] = [*[n for n in items(changed.get("note")) if isinstance(n, dict)], {"text": note}]
    return Rewritten(changed)


def _safe_mentions(text: str, units: UnitTable) -> list[Mention]:
    try:
        return [m for m in mentions(text, units) if not m.ratio]
    except Uncertain:
        return [Mention(0, 0, Decimal(-1), "", "", "", False, False)]  # unreadable: treated as different


def ordered_unit(order: LutatheraOrder, table: CodeTable | None = None) -> str | None:
    """The UCUM code of the unit the order states its dose in (None: no dose in an activity unit)."""
    table = table or codes()
    try:
        for _, value in _dose_places(order, table):
            found = activity_quantity(value, table.activity_units)
            if found is not None:
                return found[1]
        found = activity_quantity(order.resource.get("quantityQuantity"), table.activity_units)
    except Uncertain:
        return None
    return None if found is None else found[1]


def change_reason(alert: DoseAlert) -> str:
    """Why the activity changes, for the order's note: the deciding action rule with its source."""
    deciding = [r for r in alert.reasons if r.kind == "action"] or list(alert.reasons[:1])
    findings = [f"{r.term} grade {r.grade}" for r in alert.reasons if r.term is not None and r.grade is not None]
    after = f" after {', '.join(findings)}" if findings else ""
    return "; ".join(f"{r.text} for Lutathera cycle {alert.cycle}{after} (rule {r.rule}"
                     + (f"; {r.source})" if r.source else ")") for r in deciding)
