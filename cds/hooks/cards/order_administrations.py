"""How many administrations a Lutathera order orders, and the card for one that orders more than one.

The dose rules decide one cycle at a time: the next cycle's activity (full, reduced, withheld) depends
on the laboratory results before each cycle. An order for several administrations (four cycles of
7.4 GBq every 8 weeks) can be checked for its first only; accepted, a change to 3.7 GBq would reduce
all four. Read conservatively, an order orders more than one administration when any of these says so:

- a Timing (MedicationRequest ``dosageInstruction.timing``, ServiceRequest ``occurrenceTiming``) with
  ``repeat.count`` or ``countMax`` above 1, more than one ``event``, a ``frequency`` or
  ``frequencyMax`` above 1, or a ``period`` the repetition is not bounded to one of (no count, and no
  ``boundsPeriod`` / ``boundsDuration`` shorter than the period);
- two or more ``dosageInstruction`` that state a dose;
- ``dispenseRequest.numberOfRepeatsAllowed`` above 0 (each repeat another dispense).
A ``repeat`` that only states the day (``boundsPeriod.start``) is one administration.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from cds.dose.conclusions import DoseAlert
from cds.evaluation import PatientEvaluation
from cds.hooks.cards import markdown as md
from cds.hooks.cards.card import IssuedCard, order_card, summary_of
from cds.hooks.cards.evidence import alert_section
from cds.hooks.cards.orders import LutatheraOrder, removal
from cds.mapping.fhir import items

# FHIR R4 Timing.repeat.periodUnit (UnitsOfTime, a required binding) and the UCUM time codes of a
# boundsDuration, in days; a month and a year at their shortest, so that a period is never overestimated.
_DAYS = {"s": 1 / 86400, "min": 1 / 1440, "h": 1 / 24, "d": 1, "wk": 7, "mo": 28, "a": 365}


@dataclass(frozen=True)
class Administrations:
    count: int | None  # how many the order orders, when it says; None: more than one, the number not stated
    where: tuple[str, ...]  # the elements that say so ("dosageInstruction[0].timing.repeat.count 4")

    @property
    def text(self) -> str:
        return "more than one administration" if self.count is None else f"{self.count} administrations"


def _is_dose(key: str) -> bool:
    """A dose element: R4 ``doseAndRate.dose[x]``, STU3 ``dosageInstruction.dose[x]``."""
    return key.startswith("dose") and key != "doseAndRate"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _days(value: Any, unit: Any) -> float | None:
    number = _number(value)
    return None if number is None or not isinstance(unit, str) or unit not in _DAYS else number * _DAYS[unit]


def _bounds_days(repeat: dict[str, Any]) -> float | None:
    """The length of the repetition's bounds in days, or None when it states none (or only its start)."""
    period = repeat.get("boundsPeriod")
    if isinstance(period, dict):
        try:
            start, end = (date.fromisoformat(str(period.get(k))[:10]) for k in ("start", "end"))
        except ValueError:
            return None
        return float((end - start).days)
    duration = repeat.get("boundsDuration")
    if isinstance(duration, dict):
        return _days(duration.get("value"), duration.get("code") or duration.get("unit"))
    return None


def _timing(timing: Any, place: str) -> Iterator[tuple[str, int | None]]:
    """(where, how many) for each element of a Timing that orders more than one administration."""
    if not isinstance(timing, dict):
        return
    events = {e for e in items(timing.get("event")) if isinstance(e, str)}
    if len(events) > 1:
        yield f"{place}.event ({len(events)} days)", len(events)
    repeat = timing.get("repeat")
    if not isinstance(repeat, dict):
        return
    counts = [n for n in (_number(repeat.get("count")), _number(repeat.get("countMax"))) if n is not None]
    if counts:
        if max(counts) > 1:
            key = "count" if _number(repeat.get("count")) == max(counts) else "countMax"
            yield f"{place}.repeat.{key} {max(counts):g}", int(max(counts))
        return  # a count is the total number of repetitions
    frequency = max((n for n in (_number(repeat.get("frequency")), _number(repeat.get("frequencyMax")))
                     if n is not None), default=None)
    if frequency is not None and frequency > 1:
        yield f"{place}.repeat.frequency {frequency:g}", None
        return
    period = _days(repeat.get("period"), repeat.get("periodUnit"))
    if "period" not in repeat and frequency is None:
        return  # no repetition stated: the repeat states the day
    bounds = _bounds_days(repeat)
    if period is None or bounds is None or bounds >= period:
        yield f"{place}.repeat.period", None


def administrations(order: LutatheraOrder) -> Administrations | None:
    """The administrations the order orders when more than one; None for an order of one."""
    resource = order.resource
    found: list[tuple[str, int | None]] = []
    if order.kind == "MedicationRequest":
        dosed = 0
        for i, instruction in enumerate(items(resource.get("dosageInstruction"))):
            if not isinstance(instruction, dict):
                continue
            found += _timing(instruction.get("timing"), f"dosageInstruction[{i}].timing")
            rates = [r for r in items(instruction.get("doseAndRate")) if isinstance(r, dict)]
            if any(_is_dose(k) for k in instruction) or any(_is_dose(k) for r in rates for k in r):
                dosed += 1
        if dosed > 1:
            found.append((f"dosageInstruction ({dosed} with a dose)", dosed))
        dispense = resource.get("dispenseRequest")
        repeats = _number(dispense.get("numberOfRepeatsAllowed")) if isinstance(dispense, dict) else None
        if repeats is not None and repeats > 0:
            found.append((f"dispenseRequest.numberOfRepeatsAllowed {repeats:g}", int(repeats) + 1))
    else:
        found += _timing(resource.get("occurrenceTiming"), "occurrenceTiming")
    if not found:
        return None
    counts = [n for _, n in found]
    return Administrations(count=None if None in counts or len(found) > 1 else counts[0],
                           where=tuple(where for where, _ in found))


NO_CHANGE = ("**No change of this order is offered**: it orders more than one administration, and a change "
             "accepted would change every one of them. Order each cycle as one administration.")


def several_administrations_card(order: LutatheraOrder, found: Administrations, alert: DoseAlert | None,
                                 result: PatientEvaluation, closing: str) -> IssuedCard:
    """A warning card for an order of more than one administration: each cycle needs its own check."""
    cycle = alert.cycle if alert is not None else len(result.timeline.cycles) + 1
    shown = ", ".join(md.text(w) for w in found.where)
    body = (f"**This order orders {found.text}** ({shown}). The dose rules decide one cycle at a time: each "
            f"cycle's activity depends on the laboratory results before it, so only cycle {cycle} was checked, "
            "and each later cycle needs its own check. Order cycle "
            f"{cycle} as a single administration, and each later cycle when it is due; remove this order.")
    detail = [f"**Lutathera order {md.text(order.ref)}**: {order.ordered}.", body, NO_CHANGE]
    if alert is not None:
        detail.append(alert_section(alert, result.timeline, "Recommendation"))
    detail.append(closing)
    suggestion = removal(order, "Remove the Lutathera order", False)
    card = order_card(summary_of([f"Lutathera order for {found.text}: each cycle needs its own check "
                                  f"(cycle {cycle} checked)"]),
                      "\n\n".join(part for part in detail if part), "warning", [suggestion])
    return IssuedCard(card=card, action="several-administrations", cycle=cycle, order=order.ref)
