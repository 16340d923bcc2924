"""The card for a Lutathera order whose activity cannot be one cycle: at or below 0, or above the maximum.

An order for 740 GBq (a decimal error) or -7.4 GBq is not a dose the rules can agree or disagree with:
whatever the laboratory results say, and even with none, it gets one critical card "implausible ordered
activity" that recommends removing the order (issue 10, section 9). So does an order that states such an
activity anywhere else (its maximum dose per administration, a dose range, its dosage text or a note),
beside a plausible dose or without one: the radiopharmacy may read that element. The maximum is the dose table's
``max_plausible_activity_factor`` times its full activity (rules/lutathera_dose.toml; 1.5 x 7.4 GBq =
11.1 GBq by default, this plugin's choice). The recommendation for the next cycle, if there is one, is
shown beside it, so the clinician re-entering the order sees what to order.
"""

from __future__ import annotations

from decimal import Decimal

from cds.dose.conclusions import DoseCourse
from cds.dose.schedule import planned_course
from cds.evaluation import PatientEvaluation
from cds.hooks.cards import markdown as md
from cds.hooks.cards.card import (
    SUMMARY_MAX,
    IssuedCard,
    order_card,
    summary_of,
)
from cds.hooks.cards.evidence import alert_section
from cds.hooks.cards.orders import LutatheraOrder, removal
from cds.hooks.cards.toxicity_card import next_alert

RELATIVE_EPSILON = 1e-9  # 300 mCi is 11.1 GBq, whatever the binary rounding of 300 x 0.037


def _number(value: float) -> str:
    if abs(value) >= 1e9:
        return f"{value:.6g}"
    text = format(Decimal(repr(value)).normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _as_ordered(gbq: float, number: float, unit: str) -> str:
    if unit == "GBq":
        return f"{_number(number)} GBq"
    return f"{_number(number)} {unit} ({_number(round(gbq, 6))} GBq)"


def _implausible(order: LutatheraOrder, course: DoseCourse) -> tuple[str, str, str | None] | None:
    """(the activity as stated, why it is implausible, the element stating it when not a dose) for the first
    implausible activity the order states: its doses first, then every other statement of an activity (a
    maximum dose, a dose range, a dispense quantity, a text or note: ``LutatheraOrder.stated``), so that 740 GBq
    written only in ``maxDosePerAdministration`` or the dosage text is not taken for a plausible order."""
    maximum = course.max_plausible_activity_gbq

    def why(gbq: float) -> str | None:
        if gbq <= 0:
            return "an activity must be above 0"
        if gbq > maximum * (1 + RELATIVE_EPSILON):
            return (f"above the plausibility maximum of {_number(round(maximum, 6))} GBq "
                    f"({_number(course.max_plausible_activity_factor)} x the full activity of "
                    f"{_number(course.full_activity_gbq)} GBq)")
        return None

    for gbq, number, unit in order.activities:
        if (reason := why(gbq)) is not None:
            return _as_ordered(gbq, number, unit), reason, None
    for place, gbq in order.stated:
        if (reason := why(gbq)) is not None:
            return f"{_number(round(gbq, 6))} GBq", reason, place
    return None


def implausible_activity(order: LutatheraOrder, course: DoseCourse | None = None) -> tuple[str, str] | None:
    """(the activity as ordered, why it is implausible) for the first implausible activity the order
    states (its doses, then anywhere else it states one); None when every stated activity is above 0 and at
    most the maximum."""
    found = _implausible(order, course or planned_course())
    return None if found is None else found[:2]


def implausible_card(order: LutatheraOrder, result: PatientEvaluation, closing: str,
                     course: DoseCourse | None = None) -> IssuedCard | None:
    """The critical card for an order with an implausible activity; None for any other order."""
    course = course or planned_course()
    found = _implausible(order, course)
    if found is None:
        return None
    ordered, why, place = found
    alert = next_alert(result)
    cycle = alert.cycle if alert is not None else len(result.timeline.cycles) + 1
    stated = f"{md.text(ordered)} ordered" if place is None else \
        f"{order.ordered}; {md.text(ordered)} stated in {md.text(place)}"
    detail = [
        f"**Lutathera order {md.text(order.ref)}**: {stated}.",
        f"**Implausible ordered activity**: {md.text(why)}. No Lutathera cycle can be this activity: a unit "
        f"or decimal error is likely. The label's activity is {_number(course.full_activity_gbq)} GBq per cycle, "
        f"{_number(course.reduced_activity_gbq)} GBq after a dose reduction (Lutathera label "
        f"{md.text(course.label_version)}"
        f", section 2). The maximum is the setting max_plausible_activity_factor of the dose table (this "
        "plugin's choice). Remove the order and enter the intended activity.",
    ]
    if alert is not None:
        detail.append(alert_section(alert, result.timeline, "Recommendation"))
    detail.append(closing)
    removed = removal(order, "Remove the order and re-enter the activity", True)
    summary = f"Implausible ordered activity: {ordered} of Lutathera (cycle {cycle})"
    if len(summary) > SUMMARY_MAX:
        summary = summary_of([f"Implausible ordered activity: {ordered}"])
    card = order_card(summary, "\n\n".join(detail), "critical", [removed])
    return IssuedCard(card=card, action="implausible-activity", cycle=cycle, order=order.ref)
