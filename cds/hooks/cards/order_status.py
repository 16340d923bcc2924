"""The card for a Lutathera order that does not order an administration: ``doNotPerform``, or a status or
intent other than those of a draft order to carry out.

The statuses and intents are the ones that make a drafted amino-acid order count as ordered
(fhir_mappings/treatment_context.toml, [medication_status] ``draft_order`` and ``draft_order_intent``;
cds.mapping.treatment.not_ordered): one reading of "this draft orders what it names" for both. Such an
order (entered in error, cancelled, revoked, completed, on hold, a proposal or a plan, or one saying not
to give Lutathera) is not checked as a dose, and no change of its activity is offered: changed, it would
still give nothing, or a change the clinician did not order. It is never left silent, which reads as "the
order agrees": a card says it was not checked as an order to give, with the recommendation for the cycle.
The card is a warning when the rules allow the cycle (proceed, reduce: the clinician may believe it
ordered), information when they do not (the order then agrees with not giving it).
"""

from __future__ import annotations

from cds.evaluation import PatientEvaluation
from cds.hooks.cards import markdown as md
from cds.hooks.cards.card import Card, IssuedCard, dose_source, override_reasons, summary_of
from cds.hooks.cards.evidence import alert_section
from cds.hooks.cards.orders import LutatheraOrder
from cds.hooks.cards.toxicity_card import next_alert
from cds.mapping.treatment import not_ordered, treatment_codes


def not_an_administration(order: LutatheraOrder) -> str | None:
    """Why the order orders no administration (cds.mapping.treatment.not_ordered), or None."""
    return not_ordered(order.resource, treatment_codes())


def not_ordered_card(order: LutatheraOrder, why: str, result: PatientEvaluation, closing: str) -> IssuedCard:
    alert = next_alert(result)
    cycle = alert.cycle if alert is not None else len(result.timeline.cycles) + 1
    allowed = alert is not None and alert.action in ("proceed", "reduce")
    do_not = why.startswith("doNotPerform")
    if do_not:
        said = f"**The order says not to give Lutathera** ({md.text(why)})."
        if allowed:
            assert alert is not None and alert.recommended_activity_gbq is not None
            said += (f" The rules allow cycle {cycle} at {alert.recommended_activity_gbq:g} GBq: if the cycle is "
                     "to be given, order it without doNotPerform; if it is not, record why.")
    else:
        said = (f"**The order does not order an administration**: {md.text(why)}. It was not checked as an order "
                f"to give Lutathera cycle {cycle}. If the cycle is to be given, order it as a draft or active "
                "order (intent order), and it is checked when selected or signed.")
    said += " No change of its activity is offered."
    detail = [f"**Lutathera order {md.text(order.ref)}**: {order.ordered}.", said]
    if alert is not None:
        detail.append(alert_section(alert, result.timeline, "Recommendation"))
    detail.append(closing)
    summary = (f"Lutathera order says not to give cycle {cycle} (doNotPerform)" if do_not else
               f"Lutathera order not checked as an order to give cycle {cycle}: {why}")
    card = Card(summary=summary_of([summary]), detail="\n\n".join(part for part in detail if part),
                indicator="warning" if allowed else "info", source=dose_source(),
                overrideReasons=override_reasons() if allowed else None)
    return IssuedCard(card=card, action="not-ordered", cycle=cycle, order=order.ref)
