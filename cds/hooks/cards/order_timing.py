"""The day a Lutathera order plans its infusion, and the card for an infusion planned too early.

An order may state when it is to be given: a MedicationRequest in ``dosageInstruction.timing``
(``event``, or ``repeat.boundsPeriod.start``), a ServiceRequest in ``occurrenceDateTime``,
``occurrencePeriod.start`` or ``occurrenceTiming``. Planned sooner after the previous cycle than the
label's interval allows (8 weeks - 1 week: ``min_interval_days`` of rules/lutathera_dose.toml), the
cycle would be the deviation "early" of the course review: a warning card says so before it is given.
A previous cycle dated only by a month or a year counts from its last possible day, and the card says so.
An order that states no day (or only a month) is not judged: signing ahead of the due date is usual.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from cds.dose.conclusions import DoseAlert
from cds.dose.labs_used import stale_notice
from cds.dose.schedule import planned_course
from cds.evaluation import PatientEvaluation
from cds.hooks.cards import markdown as md
from cds.hooks.cards.card import IssuedCard, order_card, summary_noting
from cds.hooks.cards.evidence import alert_section
from cds.hooks.cards.orders import LutatheraOrder, removal

_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})")


def _day(value: Any) -> date | None:
    match = _DAY.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _timing_days(timing: Any) -> Iterator[Any]:
    if not isinstance(timing, dict):
        return
    yield from timing.get("event") or () if isinstance(timing.get("event"), list) else ()
    repeat = timing.get("repeat")
    bounds = repeat.get("boundsPeriod") if isinstance(repeat, dict) else None
    if isinstance(bounds, dict):
        yield bounds.get("start")


def planned_day(order: LutatheraOrder) -> date | None:
    """The earliest full day the order states for the infusion, or None."""
    resource = order.resource
    stated: list[Any] = []
    if order.kind == "MedicationRequest":
        for instruction in resource.get("dosageInstruction") or ():
            if isinstance(instruction, dict):
                stated += _timing_days(instruction.get("timing"))
    else:
        period = resource.get("occurrencePeriod")
        stated += [resource.get("occurrenceDateTime"), period.get("start") if isinstance(period, dict) else None,
                   *_timing_days(resource.get("occurrenceTiming"))]
    days = [day for day in map(_day, stated) if day is not None]
    return min(days) if days else None


def _apart(days: int, cycle: int, summary: bool = False) -> str:
    """"12 days after cycle 2", "1 day after", "on the day of" or "3 days before" cycle 2: an order can be
    planned on or before the day of the last cycle given (a date entered wrongly)."""
    if days == 0:
        return f"the day cycle {cycle} was given" if summary else f"on the day of cycle {cycle}"
    count = f"{abs(days)} day" + ("" if abs(days) == 1 else "s")
    return f"{count} {'after' if days > 0 else 'before'} cycle {cycle}"


def early_card(order: LutatheraOrder, alert: DoseAlert, result: PatientEvaluation, closing: str) -> IssuedCard | None:
    """A warning card for an order planning its infusion before the earliest day after the previous
    cycle; None when it plans none, or not too early, or there is no previous cycle."""
    minimum = planned_course().min_interval_days
    day = planned_day(order)
    cycles = result.timeline.cycles
    if minimum is None or day is None or not cycles:
        return None
    previous = cycles[-1]
    last = previous.last_possible_day
    earliest = last + timedelta(days=minimum)
    if day >= earliest:
        return None
    days = (day - last).days
    given = f"given {previous.date.isoformat()}"
    if previous.latest_date is not None:
        given = (f"dated only by a month or a year, so given on a day from {previous.date.isoformat()} to "
                 f"{last.isoformat()}: counted from {last.isoformat()}")
    summary = summary_noting([f"Lutathera cycle {alert.cycle} planned on {day.isoformat()}, "
                              f"{_apart(days, previous.number, summary=True)}: earliest {earliest.isoformat()}"],
                             stale_notice(alert.labs))
    body = "\n\n".join(part for part in (
        f"**Lutathera order {md.text(order.ref)}**: {order.ordered}, planned on {day.isoformat()}.",
        f"**Planned too early**: {_apart(days, previous.number)} ({given}); "
        f"the label gives every 8 weeks (+/- 1 week), so the earliest day is {earliest.isoformat()} "
        f"({minimum} days). Given on the planned day, the cycle would be recorded as given early. Change the "
        "order's day, or remove it.",
        alert_section(alert, result.timeline, "Recommendation"), closing) if part)
    suggestion = removal(order, "Remove the Lutathera order", False)
    card = order_card(summary, body, "warning", [suggestion])
    return IssuedCard(card=card, action="early", cycle=alert.cycle, order=order.ref)
