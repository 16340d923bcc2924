"""The age of the laboratory results for a draft order that plans its infusion, and the card for results
that will be too old on the planned day.

The rules decide the next cycle on its decision date: its due date, or today when that is later
(cds.dose.schedule). An order that states its day (cds.hooks.cards.order_timing.planned_day) will be
given then: its cards measure the age of the results to that day (labs of 2024-04-12 are 3 days old on
the 2024-04-15 of an order, not the 17 days they are on the due date 2024-04-29). A planned day already
past is measured to today: the infusion cannot be earlier. An order that states no day is measured to
the decision date, as before: it is given no earlier than its due date, nor earlier than today, and the
later of the two is the conservative reading of the age.

The rules' decision itself stays the one of the decision date. When it lets the cycle pass (proceed,
reduce) while the results will be older than ``labs_max_age_days`` on the planned day (an order signed
ahead for a day after the due date), a warning card says so: never the empty answer.
"""

from __future__ import annotations

from datetime import date

from cds.dose.conclusions import DoseAlert
from cds.dose.labs_used import labs_text, measured_to, stale_notice
from cds.evaluation import PatientEvaluation
from cds.hooks.cards import markdown as md
from cds.hooks.cards.card import IssuedCard, order_card, summary_noting
from cds.hooks.cards.evidence import alert_section, recommendation
from cds.hooks.cards.order_timing import planned_day
from cds.hooks.cards.orders import LutatheraOrder, removal


def labs_day(order: LutatheraOrder, as_of: date) -> tuple[date, str] | None:
    """The day the order's labs are measured to and what it is; None when the order states no day."""
    planned = planned_day(order)
    if planned is None:
        return None
    if planned >= as_of:
        return planned, "the order's planned day"
    return as_of, f"today, after the day the order planned ({planned.isoformat()})"


def for_order(alert: DoseAlert, order: LutatheraOrder, as_of: date) -> DoseAlert:
    """``alert`` with its labs measured to the order's day (``labs_day``); unchanged without one."""
    day = labs_day(order, as_of)
    if day is None or alert.labs is None:
        return alert
    return alert.model_copy(update={"labs": measured_to(alert.labs, *day)})


def stale_on_planned_day(order: LutatheraOrder, alert: DoseAlert, checked: DoseAlert, result: PatientEvaluation,
                         closing: str) -> IssuedCard | None:
    """A warning card when the rules let the cycle pass on the decision date (``alert``) but its results
    will be too old on the day the order plans it (``checked``: the alert measured to that day)."""
    labs = checked.labs
    if alert.action not in ("proceed", "reduce") or labs is None or labs.measured_on is None:
        return None
    if not labs.stale or (alert.labs is not None and alert.labs.stale):
        return None
    day = labs.measured_on.isoformat()
    summary = summary_noting([f"Laboratory results needed before Lutathera cycle {alert.cycle} on {day}"],
                             stale_notice(labs) or f"labs older than {labs.max_age_days} days")
    body = "\n\n".join([
        f"**Lutathera order {md.text(order.ref)}**: {order.ordered}, planned on {day}.",
        f"**The laboratory results will be too old on the planned day**: "
        f"{md.text(labs_text(labs, alert.decision_date.isoformat()))}. On {alert.decision_date.isoformat()} the "
        f"rules say {md.text(recommendation(alert))}; given on {day}, the cycle would rest on results older than "
        f"{labs.max_age_days} days. Obtain new results before the infusion, or change the order's day.",
        alert_section(checked, result.timeline, "Recommendation"), closing])
    suggestion = removal(order, "Remove the order until the results are available", False)
    card = order_card(summary, body, "warning", [suggestion])
    return IssuedCard(card=card, action="labs-needed", cycle=alert.cycle, order=order.ref)
