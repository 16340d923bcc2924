"""The "not fully checked" card and notice: optional data the rules decide from could not be had.

A prefetch template that is not required (discovery ``Template.decides``: the somatostatin analogues,
pregnancy, body weight, dosimetry, kidney risk factors) may be missing from the prefetch, or answered
with an OperationOutcome, while the FHIR server cannot be read either. The rules then decide without
that data, and an answer drawn from less data than the rules need must never read as "the order agrees"
(an empty answer) or "proceed" (an info card): each Lutathera order gets a warning card naming what is
missing and what it decides, and the patient-view card says "not fully checked" in its summary.
When the Medications the medication records name could not be read, those records cannot be told to
be Lutathera cycles: a patient-view without any known cycle then gets a warning that the course is not
fully checked, never the no-card answer of a patient without a PRRT course.
"""

from __future__ import annotations

from collections.abc import Sequence

from cds.dose.conclusions import DoseAlert
from cds.evaluation import PatientEvaluation
from cds.hooks.cards import markdown as md
from cds.hooks.cards.card import (
    NOTICE_LEAD,
    SUMMARY_MAX,
    Card,
    IssuedCard,
    Source,
    order_card,
    override_reasons,
    summary_noting,
)
from cds.hooks.cards.evidence import alert_section
from cds.hooks.cards.orders import LutatheraOrder, removal

ACTION = "data-unavailable"
# the notice leaves a summary's first part room (the recommendation, "Lutathera cycle 3: withhold ...")
NOTICE_MAX = SUMMARY_MAX - NOTICE_LEAD - 2


def incomplete_notice(incomplete: Sequence[str]) -> str | None:
    """The summary's notice, kept whatever else is dropped: "not fully checked: dosimetry not available".
    Names that do not fit in ``NOTICE_MAX`` are counted ("medication statements (+5 more)"): a client that
    prefetches none of the optional data must not crowd the recommendation out of the summary, nor make it
    longer than a summary may be; the detail names every one (``incomplete_section``)."""
    if not incomplete:
        return None
    names = [item.partition(":")[0] for item in incomplete]
    for shown in range(len(names), 0, -1):
        more = f" (+{len(names) - shown} more)" if shown < len(names) else ""
        notice = f"not fully checked: {', '.join(names[:shown])}{more} not available"
        if len(notice) <= NOTICE_MAX:
            break
    return notice


def incomplete_section(incomplete: Sequence[str]) -> str:
    """What could not be had and what the rules decide from it, one line each."""
    rows = "\n".join(f"- {md.text(item)}" for item in incomplete)
    return ("**Not fully checked**: the EHR did not send, and its FHIR server did not give, data the rules "
            f"decide from. The recommendation is drawn without it:\n{rows}")


def incomplete_cards(result: PatientEvaluation, alert: DoseAlert | None, orders: Sequence[LutatheraOrder],
                     incomplete: Sequence[str], held: frozenset[str], closing: str) -> list[IssuedCard]:
    """One warning card per Lutathera order of the patient that no card already holds, when ``incomplete``
    names data that could not be had (``alert``: the next cycle's recommendation, drawn without it);
    removing the order is offered, not recommended."""
    if not incomplete:
        return []
    cycle = alert.cycle if alert is not None else len(result.timeline.cycles) + 1
    notice = incomplete_notice(incomplete)
    cards = []
    for order in orders:
        if order.other_patient is not None or order.ref in held:
            continue
        body = [f"**Lutathera order {md.text(order.ref)}**", incomplete_section(incomplete),
                "Obtain the missing data, or check it in the record, before signing."]
        if alert is not None:
            body.append(alert_section(alert, result.timeline, "Recommendation without it"))
        suggestion = removal(order, "Remove the Lutathera order", False)
        card = order_card(summary_noting([f"Lutathera cycle {cycle} ({order.ordered})"], notice),
                          "\n\n".join([*body, closing]), "warning", [suggestion])
        cards.append(IssuedCard(card=card, action=ACTION, cycle=cycle, order=order.ref))
    return cards


def history_card(incomplete: Sequence[str], closing: str, source: Source) -> IssuedCard:
    """patient-view without a known cycle while the medication records could not all be read (``incomplete``
    names the Medications): the patient may be in a PRRT course the service cannot see."""
    card = Card(summary=summary_noting(["PRRT course not fully checked"], incomplete_notice(incomplete)),
                detail="\n\n".join([
                    "**No Lutathera cycle could be read**, and medication records name a Medication that "
                    "neither the EHR nor its FHIR server gave: any of them may be a Lutathera cycle.",
                    incomplete_section(incomplete),
                    "Check the administrations in the record before relying on the absence of a PRRT course.",
                    closing]),
                indicator="warning", source=source, overrideReasons=override_reasons())
    return IssuedCard(card=card, action=ACTION, cycle=None, order=None)
