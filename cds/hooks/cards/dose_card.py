"""The ``prrt-dose-check`` cards (order-select, order-sign): one per Lutathera order that should change.

The recommendation for the next cycle due decides (cds.dose). A card is issued when it is to
withhold, discontinue, reduce (and the order asks for more than the reduced activity, or does not
say), or when laboratory results are needed first; also when the order would give a cycle beyond
the planned course, when its activity cannot be verified (none the service reads, or different
ones in its doses), and when it is not the activity the rules allow (above it, or below it by more
than the deviations' tolerance), and when the order's Medication was not read (an order taken as a
Lutathera order from its reference's name only). In a chart whose cycles counted as given include some
dated after the day decided on, every card of an order says so and is at least a warning, and an order
that had no card gets one. Suggestions are spec actions on the draft order:
``update`` it to the reduced activity (the whole resource, changed) or ``delete`` it. No card when the
order agrees and no cycle is dated after the day decided on.

An order that orders no administration (doNotPerform, cancelled, entered in error ...) gets only the
card of cds.hooks.cards.order_status; one that orders several gets the card of
cds.hooks.cards.order_administrations beside its others, none of which then offers a change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from cds.dose.conclusions import DoseAlert
from cds.dose.labs_used import labs_text, latest_labs, measured_to, stale_notice
from cds.dose.schedule import planned_course
from cds.evaluation import PatientEvaluation
from cds.facts import Indicator, lutathera_administrations
from cds.hooks.cards import markdown as md
from cds.hooks.cards.activity_statements import uncertain_places
from cds.hooks.cards.card import (
    Action,
    Card,
    IssuedCard,
    Suggestion,
    dose_source,
    order_card,
    override_reasons,
    summary_noting,
    summary_of,
)
from cds.hooks.cards.evidence import (
    alert_section,
    deceased_text,
    footer,
    given_after_notice,
    given_after_section,
    headline_reason,
)
from cds.hooks.cards.implausible_order import implausible_card
from cds.hooks.cards.kidney_dose import allowed_text, kidney_cap, kidney_dose_section, kidney_dose_unknown
from cds.hooks.cards.order_administrations import NO_CHANGE, administrations, several_administrations_card
from cds.hooks.cards.order_labs import for_order, labs_day, stale_on_planned_day
from cds.hooks.cards.order_status import not_an_administration, not_ordered_card
from cds.hooks.cards.order_timing import early_card
from cds.hooks.cards.order_update import NotRewritable, change_reason, rewrite_order
from cds.hooks.cards.orders import LutatheraOrder, different_activities, removal
from cds.hooks.cards.toxicity_card import next_alert, response_section, worst_per_term
from cds.tables import codes

TOLERANCE = 0.005  # an ordered activity within 0.5 % of the recommended one agrees with it
MEDICATION_UNREAD = ("**The order's medication was not read**: the order names its Medication by a reference "
                     "whose name reads Lutathera, and that Medication was neither in the order, among the draft orders "
                     "nor in the prefetch, and could not be read from the EHR's FHIR server. The order was checked "
                     "as a Lutathera order from that name; verify the medication (send the Medication with the "
                     "order, or name it by its code).")
PLACES_SHOWN = 3  # elements named on a card for an order stating different activities


def exceeds(ordered: float, allowed: float) -> bool:
    """Whether an ordered activity is above the allowed one by more than TOLERANCE, compared at 9 decimals
    (7.437 GBq is 0.5 % above 7.4 GBq, although 7.4 x 1.005 computes 7.436999...)."""
    return round(ordered - allowed * (1 + TOLERANCE), 9) > 0


def companions(order: LutatheraOrder, orders: Sequence[LutatheraOrder],
               drafted: Sequence[LutatheraOrder] = ()) -> tuple[LutatheraOrder, ...]:
    """The other orders of the infusion ``order`` orders: the patient's Lutathera orders of the other kind
    among the call's (a MedicationRequest and a ServiceRequest drafted together are one infusion, selected or
    not) that order an administration and state an activity. A change of the activity of one must change
    them too, or the cycle's orders state two activities once it is accepted."""
    found: dict[str, LutatheraOrder] = {}
    for other in (*orders, *drafted):
        if other.kind != order.kind and other.other_patient is None and other.ref != order.ref \
                and not_an_administration(other) is None \
                and (other.activity_gbq is not None or other.stated or other.unreadable):
            found.setdefault(other.ref, other)
    return tuple(found.values())


def _states_only(order: LutatheraOrder, gbq: float) -> bool:
    """Whether the order states ``gbq`` (within TOLERANCE) and no other activity."""
    return order.activity_gbq is not None and not order.unreadable and not different_activities(order)[0] \
        and not exceeds(order.activity_gbq, gbq) and not exceeds(gbq, order.activity_gbq)


def _change(order: LutatheraOrder, gbq: float, why: str, recommended: bool,
            others: Sequence[LutatheraOrder] = ()) -> tuple[Suggestion | None, str]:
    """The suggestion that changes the whole order to ``gbq`` (cds.hooks.cards.order_update), with every
    other order of its infusion (``companions``) that does not state ``gbq`` already; or none and the
    card's explanation when one of them cannot be rewritten safely: changed alone, the order would leave
    the other stating the old activity for the same cycle."""
    actions = []
    for changed in (order, *(o for o in others if not _states_only(o, gbq))):
        named = "it" if changed is order else f"{md.text(changed.ref)}, ordered with it for the same infusion,"
        if changed.id is None:  # an update the EHR cannot match to its draft would stand beside the old order
            reason = f"{named} has no id"
        elif changed is not order and administrations(changed) is not None:  # (its own: order_administrations)
            reason = f"{named} orders more than one administration"
        elif isinstance(rewrite := rewrite_order(changed, gbq, why), NotRewritable):
            reason = md.text(rewrite.reason) if changed is order else f"{named} {md.text(rewrite.reason)}"
        else:
            actions.append(Action(type="update", description=f"Set the activity of {changed.ref} to {gbq:g} GBq "
                                                             "in every dose and text", resource=rewrite.resource))
            continue
        what = "the order" if changed is order else "every order of the infusion"
        return None, (f"**The order cannot be changed to {gbq:g} GBq automatically**: {reason}. Change every "
                      f"dose and text of {what} to {gbq:g} GBq by hand, or remove it.")
    return Suggestion(label=f"Change the order to {gbq:g} GBq", isRecommended=recommended, actions=actions), ""


def _update(order: LutatheraOrder, alert: DoseAlert, others: Sequence[LutatheraOrder] = ()
            ) -> tuple[Suggestion | None, str]:
    """The suggestion that changes the order (and the other orders of its infusion) to the recommended
    activity, or none and the card's explanation."""
    gbq = alert.recommended_activity_gbq
    assert gbq is not None
    return _change(order, gbq, change_reason(alert), True, others)


def _card(order: LutatheraOrder, summary: str, indicator: Indicator, suggestions: Sequence[Suggestion | None],
          body: str, result: PatientEvaluation, footer_text: str) -> Card:
    detail = [f"**Lutathera order {md.text(order.ref)}**: {order.ordered}.",
              MEDICATION_UNREAD if order.medication_unread else "", body, response_section(result), footer_text]
    return order_card(summary, "\n\n".join(part for part in detail if part), indicator, suggestions)


def dose_cards(result: PatientEvaluation, orders: Sequence[LutatheraOrder], ruleset_version: str, as_of: date,
               unavailable: list[str], planned_cycles: int,
               drafted: Sequence[LutatheraOrder] = ()) -> list[IssuedCard]:
    """``orders``: the orders to check (order-select: the selected ones); ``drafted``: every Lutathera order
    of the patient among the draft orders, selected or not, for the check of one infusion ordered twice."""
    alert = next_alert(result)
    closing = footer(ruleset_version, as_of, unavailable)
    cards = []
    checked = {order.ref for order in orders}
    crowded: set[str] = set()  # orders beside another of their kind: no change of one of them is offered
    repeated: set[str] = set()  # orders of more than one administration: no change of them is offered
    for kind in ("MedicationRequest", "ServiceRequest"):  # a medication and a procedure order: one infusion
        own = [order for order in orders if order.other_patient is None and order.kind == kind
               and not_an_administration(order) is None]
        own += [order for order in drafted if order.kind == kind and order.ref not in checked
                and not_an_administration(order) is None]
        if len(own) > 1 and any(order.ref in checked for order in own):
            cards.append(_several_orders_card(own, alert, result, closing))
            crowded.update(order.ref for order in own)
    for order in orders:
        if order.other_patient is not None:
            cards.append(_other_patient_card(order, result, closing))
            continue
        why_not = not_an_administration(order)
        if why_not is not None:  # cancelled, doNotPerform ...: checked as no dose, offered no change of it
            cards.append(not_ordered_card(order, why_not, result, closing))
            continue
        deceased = deceased_text(result.timeline)
        if deceased is not None:  # no cycle is decided for the patient: a wrong chart, or a wrong record
            cards.append(_deceased_card(order, deceased, result, closing))
            continue
        if result.timeline.unread_administrations:  # the course is short by records that cannot be read
            cards.append(_unread_course_card(order, result, closing))
        several = administrations(order)
        if several is not None:  # the rules check one cycle: the card for the order's other administrations
            cards.append(several_administrations_card(order, several, alert, result, closing))
            repeated.add(order.ref)
        implausible = implausible_card(order, result, closing)
        if implausible is not None:  # whatever the labs say: the order cannot be a cycle (issue 10, section 9)
            cards.append(implausible)
            continue
        if alert is None:
            given = len(result.timeline.cycles)
            labs = latest_labs(result.timeline, as_of)
            day = labs_day(order, as_of)
            labs = labs if day is None else measured_to(labs, *day)
            worst = [g for g in worst_per_term(result, given) if g.grade]
            graded = (f"cycle {given}: worst CTCAE grade {worst[0].grade} {worst[0].term}"
                      + (f" (+{len(worst) - 1} more)" if len(worst) > 1 else "")) if worst else None
            body = (f"{given} cycles are recorded; the Lutathera label plans a total of {planned_cycles}. This order "
                    "would be a further cycle, outside the dose-modification rules, which therefore do not say "
                    "whether the laboratory results allow it."
                    + (f" Since cycle {given}: " + md.text("; ".join(f"{g.term} grade {g.grade} ({g.effective})"
                                                                 for g in worst)) + "." if worst else "")
                    + f"\n\nLatest laboratory results: {md.text(labs_text(labs, as_of.isoformat()))}.")
            card = _card(order, summary_noting([
                f"Lutathera cycle {given + 1} is beyond the planned {planned_cycles} cycles",
                *([graded] if graded else [])], stale_notice(labs)),
                "warning",
                [removal(order, "Remove the Lutathera order", False)], body, result, closing)
            cards.append(IssuedCard(card=card, action="beyond-course", cycle=given + 1, order=order.ref))
            continue
        order_alert = for_order(alert, order, as_of)  # its labs' age measured to the order's planned day
        unclear = _unclear_activity(order, order_alert, result, closing)
        if unclear is not None:  # the rules cannot agree with an activity they cannot read
            cards.append(unclear)
            continue
        issued = _for_alert(order, order_alert, result, closing, companions(order, orders, drafted)) or \
            stale_on_planned_day(order, alert, order_alert, result, closing)
        if issued is not None:
            cards.append(issued)
        early = early_card(order, order_alert, result, closing) \
            if alert.action in ("proceed", "reduce", "labs-needed") else None
        if early is not None:  # beside the activity's card: a second problem of the same order
            cards.append(early)
    answered = {card.order for card in cards}
    cards += [_medication_unread_card(order, result, closing) for order in orders
              if order.medication_unread and order.other_patient is None and order.ref not in answered]
    cards = [_without_changes(card, NO_CHANGE) if card.order in repeated and card.action != "several-administrations"
             else _without_changes(card) if card.order in crowded or _changes(card) & crowded else card
             for card in cards]
    return _given_after(cards, orders, result, as_of, closing)


def _changes(issued: IssuedCard) -> set[str]:
    """The orders the card's suggestions update ("MedicationRequest/mr-1")."""
    return {f"{a.resource['resourceType']}/{a.resource.get('id')}" for s in issued.card.suggestions or ()
            for a in s.actions or () if a.type == "update" and a.resource is not None}


def _given_after(cards: list[IssuedCard], orders: Sequence[LutatheraOrder], result: PatientEvaluation, as_of: date,
                 closing: str) -> list[IssuedCard]:
    """The cards of the orders of a chart whose cycles counted as given include some dated after the day
    decided on (``Timeline.given_after``): each card of such an order says so (``_noting_given_after``), and
    an order that had no card gets a warning of its own, never an empty answer, which reads as "the order
    agrees". The order of another patient, and one that orders no administration, are not checked as a cycle."""
    cycles = result.timeline.given_after(as_of)
    notice = given_after_notice(cycles, as_of)
    if notice is None:
        return cards
    section = given_after_section(cycles, as_of)
    checked = [order for order in orders if order.other_patient is None and not_an_administration(order) is None]
    refs = {order.ref for order in checked}
    answered = {card.order for card in cards}
    noted = [_noting_given_after(card, notice, section) if card.order in refs else card for card in cards]
    return noted + [_given_after_card(order, notice, section, result, closing) for order in checked
                    if order.ref not in answered]


def _noting_given_after(issued: IssuedCard, notice: str, section: str) -> IssuedCard:
    """The card with the notice of the cycles dated after the day decided on at the end of its summary (what
    the summary said before kept while it fits), their section after the order's line, and at least a
    warning (same uuid: the audit names this card)."""
    card = issued.card
    head, _, rest = (card.detail or "").partition("\n\n")
    update: dict[str, object] = {"summary": summary_noting(card.summary.split("; "), notice),
                                 "detail": "\n\n".join(part for part in (head, section, rest) if part)}
    if card.indicator == "info":
        update.update(indicator="warning", overrideReasons=card.overrideReasons or override_reasons())
    return replace(issued, card=card.model_copy(update=update))


def _given_after_card(order: LutatheraOrder, notice: str, section: str, result: PatientEvaluation,
                      closing: str) -> IssuedCard:
    """A warning card for an order the checks let pass in a chart with cycles dated after the day decided on:
    the cycle the order is checked as depends on them."""
    alert = next_alert(result)
    cycle = alert.cycle if alert is not None else len(result.timeline.cycles) + 1
    body = "\n\n".join(part for part in (
        section, alert_section(alert, result.timeline, "Recommendation") if alert is not None else "",
        kidney_dose_section(result.kidney_dosimetry)) if part)
    card = _card(order, summary_of([f"Lutathera cycle {cycle} order: {notice}"]), "warning",
                 [removal(order, "Remove the Lutathera order", False)], body, result, closing)
    return IssuedCard(card=card, action="dated-after", cycle=cycle, order=order.ref)


CROWDED = ("**No change of this order is offered** while another Lutathera order of its kind is drafted for "
           "the cycle: keep one order, remove the others, and check it again.")


def _without_changes(issued: IssuedCard, note: str = CROWDED) -> IssuedCard:
    """The card of an order drafted beside another Lutathera order of its kind, without its suggestions
    that change the order: each card changing its own order (3.7 GBq twice, each to 7.4 GBq) would,
    accepted together, give the cycle twice over. The several-orders card says to keep one; removal
    stays offered. Also the card of an order of several administrations (``note`` says why): a change
    of its activity would change every administration (cds.hooks.cards.order_administrations)."""
    card = issued.card
    kept = [s for s in card.suggestions or () if not any(a.type == "update" for a in s.actions or ())]
    if len(kept) == len(card.suggestions or ()):
        return issued
    body, _, closing = (card.detail or "").rpartition("\n\n")  # the note goes before the closing footer
    changed = card.model_copy(update={"suggestions": kept or None,
                                      "selectionBehavior": card.selectionBehavior if kept else None,
                                      "detail": "\n\n".join(part for part in (body, note, closing) if part)})
    return IssuedCard(card=changed, action=issued.action, cycle=issued.cycle, order=issued.order)


def on_hold(cards: list[IssuedCard], hold: str) -> list[IssuedCard]:
    """The cards without their suggestions that change an order's activity, when a check before the cycle
    holds it (``hold``: "Hold Lutathera cycle 3: pregnancy status says the cycle must not be given"): beside
    the card recommending to remove the order, a recommended change to 3.7 GBq says to give the cycle."""
    note = f"**No change of this order is offered**: {md.text(hold)} (the checks before the cycle)."
    return [_without_changes(card, note) for card in cards]


def _medication_unread_card(order: LutatheraOrder, result: PatientEvaluation, closing: str) -> IssuedCard:
    """A warning card for an order taken as a Lutathera order from its reference's display only (the
    Medication it names was not in the call): the checks agree with it, but its medication was not read.
    Without it the answer was empty, which reads as "the order agrees"."""
    alert = next_alert(result)
    cycle = alert.cycle if alert is not None else len(result.timeline.cycles) + 1
    body = alert_section(alert, result.timeline, "Recommendation") if alert is not None else ""
    card = _card(order, summary_of([f"Lutathera cycle {cycle} order not fully checked: its Medication was not "
                                    "read"]), "warning", [removal(order, "Remove the Lutathera order", False)],
                 body, result, closing)
    return IssuedCard(card=card, action="medication-unread", cycle=cycle, order=order.ref)


def _several_orders_card(orders: Sequence[LutatheraOrder], alert: DoseAlert | None, result: PatientEvaluation,
                         closing: str) -> IssuedCard:
    """A warning card for more than one Lutathera order of one kind in one call (two MedicationRequests):
    one cycle is one infusion, and two orders that each agree with the rules (3.7 GBq twice) add up to
    more than the cycle allows. A MedicationRequest beside a ServiceRequest is the usual pair for one
    infusion, not two."""
    cycle = alert.cycle if alert is not None else len(result.timeline.cycles) + 1
    stated = [o.activity_gbq for o in orders]
    total = f"{sum(a for a in stated if a is not None):g} GBq" + ("" if None not in stated else " and more")
    rows = "\n".join(f"- {md.text(o.ref)}: {o.ordered}" for o in orders)
    allowed = "" if alert is None or alert.recommended_activity_gbq is None else \
        f" The rules allow {alert.recommended_activity_gbq:g} GBq for this cycle."
    body = (f"**{len(orders)} Lutathera {orders[0].kind}s for cycle {cycle}**, together {md.text(total)}: "
            f"one cycle is one infusion.{allowed} Keep one order and remove the others.\n\n{rows}")
    card = order_card(summary_of([f"{len(orders)} Lutathera orders for cycle {cycle} ({total} together): "
                                  "one cycle is one order"]),
                      "\n\n".join([body, closing]), "warning", [removal(o, f"Remove {o.ref}", False) for o in orders])
    return IssuedCard(card=card, action="several-orders", cycle=cycle, order=None)


def _deceased_card(order: LutatheraOrder, deceased: str, result: PatientEvaluation, closing: str) -> IssuedCard:
    """A critical card, its removal recommended, for a Lutathera order in the chart of a patient recorded as
    deceased: the rules decide no cycle for such a patient, so the order is checked against none."""
    body = (f"**{deceased}.** The dose rules decide no further cycle for this patient, so this order was not "
            "checked as a cycle. Verify the patient and the record of death before anything else; remove the "
            "order if it is in the wrong chart.")
    death = result.timeline.patient.death_date
    when = f"on {death.isoformat()}" if death is not None else "no date of death"
    card = _card(order, summary_of([f"Lutathera order for a patient recorded as deceased ({when}): not checked"]),
                 "critical", [removal(order, "Remove the Lutathera order", True)], body, result, closing)
    return IssuedCard(card=card, action="deceased", cycle=None, order=order.ref)


def _unread_course_card(order: LutatheraOrder, result: PatientEvaluation, closing: str) -> IssuedCard:
    """A warning card, removal offered, for a Lutathera order in a chart whose Lutathera administrations
    recorded as given could not all be read as cycles: the order may be a later cycle than the one it is
    checked as (beyond the planned course), and the interval and cumulative activity cannot be checked."""
    unread = result.timeline.unread_administrations
    given = len(result.timeline.cycles)
    count = lutathera_administrations(len(unread))
    rows = "\n".join(f"- {md.text(u.ref)}: {md.text(u.reason)}" for u in unread)
    body = (f"**{count} recorded as given could not be read as cycles** and {'are' if len(unread) > 1 else 'is'} "
            f"not counted:\n{rows}\n\n{given} cycle{'' if given == 1 else 's'} could be read, so this order is "
            f"checked as cycle {given + 1}; counting the others, it may be a later cycle, beyond the planned "
            "course, and the interval since the last cycle and the cumulative activity cannot be checked. Record "
            "the administration's date (or correct the record) before signing.")
    card = _card(order, summary_of([f"Lutathera order not fully checked: {count} recorded as given could not "
                                    "be read"]),
                 "warning", [removal(order, "Remove the Lutathera order", False)], body, result, closing)
    return IssuedCard(card=card, action="course-unread", cycle=given + 1, order=order.ref)


def _other_patient_card(order: LutatheraOrder, result: PatientEvaluation, closing: str) -> IssuedCard:
    """A critical card for a Lutathera order that names another patient than the chart's: it is checked
    against no record, and signing it in this chart is likely an error. No suggestion: another patient's
    order is not this chart's to change."""
    other = order.other_patient or "another patient"
    body = (f"**This order names {md.text(other)}**, not {md.text(result.patient)}, the patient of this chart. "
            "It was not checked against any record. Verify the patient before signing; check the order in "
            f"the chart of {md.text(other)}.")
    card = Card(summary=summary_of([f"Lutathera order for {other}, not this chart's patient: not checked"]),
                detail="\n\n".join([f"**Lutathera order {md.text(order.ref)}**: {order.ordered}.", body, closing]),
                indicator="critical", source=dose_source(), overrideReasons=override_reasons())
    return IssuedCard(card=card, action="other-patient", cycle=None, order=order.ref)


def _unclear_activity(order: LutatheraOrder, alert: DoseAlert, result: PatientEvaluation,
                      closing: str) -> IssuedCard | None:
    """A warning card for an order the rules would let pass (proceed, or reduce with an activity at the
    reduced one) whose activity cannot be verified: it states none the service can read, a dose the
    service cannot read (its unit code and unit text disagree), or different activities (in its doses,
    or a text, dose range or dispense quantity naming another than its dose). Without it the answer was
    empty, which reads as "the order agrees"."""
    if alert.action not in ("proceed", "reduce"):
        return None  # those cards are issued whatever the order states
    target = alert.recommended_activity_gbq
    assert target is not None
    cap = kidney_cap(result, alert)
    allowed = target if cap is None or cap >= target else max(cap, 0.0)
    distinct, elsewhere = different_activities(order)
    if order.unreadable:
        problem = "; ".join(dict.fromkeys(order.unreadable))
    elif distinct:
        problem = f"it states different activities ({' and '.join(f'{g:g} GBq' for g in distinct)})"
        if elsewhere:
            shown = ", ".join(f"{md.text(where)} ({gbq:g} GBq)" for where, gbq in elsewhere[:PLACES_SHOWN])
            more = f" and {len(elsewhere) - PLACES_SHOWN} more" if len(elsewhere) > PLACES_SHOWN else ""
            problem += f"; stated otherwise in {shown}{more}"
    elif order.activity_gbq is None and alert.action == "proceed" and cap is None:
        # (under a kidney cap the kidney card says "activity not stated" and offers the largest activity)
        problem = "it states no activity in a unit the service reads (GBq, MBq, kBq, mCi, Ci)"
    elif order.activity_gbq is not None and _agrees(order.activity_gbq, allowed) and (
            uncertain := uncertain_places(order.resource, codes().activity_units)):
        # A dose the rules let pass, beside a text the service cannot read ("6-7.4 GBq" may mean 6 GBq):
        # the order does not say one activity. (A dose that must change anyway keeps its own card.)
        shown = ", ".join(md.text(where) for where in uncertain[:PLACES_SHOWN])
        more = f" and {len(uncertain) - PLACES_SHOWN} more" if len(uncertain) > PLACES_SHOWN else ""
        problem = (f"beside its dose of {order.activity_gbq:g} GBq it states an activity the service cannot read with "
                   f"certainty (a range, a bound, a product, or an ambiguous number or unit) in {shown}{more}")
    else:
        return None
    summary = summary_noting([f"Lutathera cycle {alert.cycle}: the ordered activity cannot be verified",
                              f"the rules allow {allowed:g} GBq"], stale_notice(alert.labs))
    body = "\n\n".join(part for part in (
        f"**The ordered activity cannot be verified**: {problem}. Correct the order so that every dose "
        f"states one activity, at most {md.text(allowed_text(result, target, cap))}, or remove it.",
        alert_section(alert, result.timeline, "Recommendation"), kidney_dose_section(result.kidney_dosimetry))
        if part)
    card = _card(order, summary, "warning", [removal(order, "Remove the Lutathera order", False)], body, result,
                 closing)
    return IssuedCard(card=card, action="activity-unclear", cycle=alert.cycle, order=order.ref)


def _agrees(ordered: float, allowed: float) -> bool:
    """Whether an ordered activity is the allowed one: not above it beyond TOLERANCE, not below it beyond
    the deviations' activity tolerance (the bounds of ``_off_activity``)."""
    return not exceeds(ordered, allowed) and (ordered >= allowed or planned_course().within_tolerance(ordered,
                                                                                                       allowed))


def _above_kidney_cap(order: LutatheraOrder, alert: DoseAlert, result: PatientEvaluation, cap: float,
                      closing: str, others: Sequence[LutatheraOrder] = ()) -> IssuedCard:
    """A warning card for an order that would pass a kidney dose limit (rules/kidney_dosimetry.toml)."""
    dosimetry = result.kidney_dosimetry
    assert dosimetry is not None and dosimetry.next is not None
    ordered = "activity not stated" if order.activity_gbq is None else f"{order.activity_gbq:g} GBq ordered"
    summary = summary_of([f"Lutathera cycle {alert.cycle}: at most {cap:g} GBq within the kidney dose limits "
                          f"({ordered})"], ": ")
    why = (f"Largest activity of Lutathera cycle {alert.cycle} within the kidney dose limits "
           f"(binding limit {dosimetry.next.binding_limit}; rules/kidney_dosimetry.toml)")
    # No activity keeps every limit: the cycle is not to be given, and removing the order is recommended.
    suggestions: list[Suggestion | None] = [removal(order, "Remove the Lutathera order", cap <= 0)]
    cannot = ""
    if cap > 0 and order.id is not None:
        change, cannot = _change(order, cap, why, False, others)
        if change is not None:
            suggestions.insert(0, change)
    body = "\n\n".join(part for part in (alert_section(alert, result.timeline, "Recommendation"),
                                          kidney_dose_section(dosimetry), cannot) if part)
    card = _card(order, summary, "critical" if cap <= 0 else "warning", suggestions, body, result, closing)
    return IssuedCard(card=card, action="kidney-dose", cycle=alert.cycle, order=order.ref)


def _kidney_dose_unknown(order: LutatheraOrder, alert: DoseAlert, result: PatientEvaluation,
                         closing: str) -> IssuedCard | None:
    """A warning card for an order the laboratory rules let pass while the record's dosimetry cannot say
    whether the cycle keeps the kidney dose limits (a cycle without a usable dose, kinetics unknown).
    Without it the answer was empty, which reads as "within the limits". None when the limits can be
    checked, or the record has no dosimetry."""
    dosimetry = result.kidney_dosimetry
    if not kidney_dose_unknown(dosimetry, alert.cycle):
        return None
    assert dosimetry is not None and dosimetry.next is not None
    summary = summary_noting([f"Lutathera cycle {alert.cycle}: cumulative kidney dose cannot be evaluated "
                              f"({order.ordered})"], stale_notice(alert.labs))
    why = (f"**The kidney dose limits cannot be checked for cycle {alert.cycle}**: "
           f"{md.text(dosimetry.next.reason or 'the next cycle cannot be projected')}. The laboratory rules "
           "allow the order; obtain the missing dosimetry, or confirm the kidney dose otherwise, before signing.")
    body = "\n\n".join(part for part in (why, alert_section(alert, result.timeline, "Recommendation"),
                                          kidney_dose_section(dosimetry)) if part)
    card = _card(order, summary, "warning", [removal(order, "Remove the Lutathera order", False)], body, result,
                 closing)
    return IssuedCard(card=card, action="kidney-dose-unknown", cycle=alert.cycle, order=order.ref)


def _off_activity(order: LutatheraOrder, alert: DoseAlert, result: PatientEvaluation, cap: float | None,
                  closing: str, others: Sequence[LutatheraOrder] = ()) -> IssuedCard | None:
    """A warning card for an order whose activity is not the one the rules allow (the recommended one, or
    the kidney dose limit's when lower): above it by more than TOLERANCE when the rules say proceed (an
    order of 11.1 GBq for 7.4 GBq; the reduce card and the kidney card speak for an order above their
    activity), or below it by more than the deviations' activity tolerance (an order of 0.74 GBq, a
    decimal slip, which given would be the deviation "given where ... was recommended" of the course
    review). Changing the order is recommended when it is above, only offered when it is below: a lower
    activity may be meant."""
    target = alert.recommended_activity_gbq
    ordered = order.activity_gbq
    if ordered is None or target is None:
        return None
    allowed = target if cap is None else min(target, cap)
    course = planned_course()
    above = alert.action == "proceed" and exceeds(ordered, allowed)
    below = ordered < allowed and not course.within_tolerance(ordered, allowed)
    if allowed <= 0 or not (above or below):
        return None
    side = "above" if above else "below"
    basis = "within the kidney dose limits" if cap is not None and cap < target else "recommended"
    summary = summary_noting([f"Lutathera cycle {alert.cycle}: {ordered:g} GBq ordered, {side} the {allowed:g} GBq "
                              "the rules allow"], stale_notice(alert.labs))
    if above:
        why = (f"**The ordered activity is above the one the rules allow**: {ordered:g} GBq ordered, {allowed:g} GBq "
               f"{basis}. Correct the order to {allowed:g} GBq, or remove it.")
    else:
        why = (f"**The ordered activity is below the one the rules allow**: {ordered:g} GBq ordered, {allowed:g} "
               f"GBq {basis} (more than {course.activity_tolerance:.0%} below it). Given, the cycle would be "
               "recorded as given otherwise than recommended. Check the activity (a unit or decimal slip), or "
               "record the reason for the lower activity.")
    suggestions: list[Suggestion | None] = [removal(order, "Remove the Lutathera order", False)]
    cannot = ""
    if order.id is not None:
        change, cannot = _change(order, allowed, f"Activity of Lutathera cycle {alert.cycle} the rules allow "
                                                 f"({basis})", above, others)
        if change is not None:
            suggestions.insert(0, change)
    body = "\n\n".join(part for part in (why, cannot, alert_section(alert, result.timeline, "Recommendation"),
                                          kidney_dose_section(result.kidney_dosimetry)) if part)
    card = _card(order, summary, "warning", suggestions, body, result, closing)
    return IssuedCard(card=card, action=f"activity-{side}", cycle=alert.cycle, order=order.ref)


def _for_alert(order: LutatheraOrder, alert: DoseAlert, result: PatientEvaluation, closing: str,
               others: Sequence[LutatheraOrder] = ()) -> IssuedCard | None:
    """The card of the recommendation for the order; ``others``: the other orders of its infusion
    (``companions``), changed with it by any change of its activity."""
    headline = headline_reason(alert)
    body = alert_section(alert, result.timeline, "Recommendation")
    target = alert.recommended_activity_gbq
    cap = kidney_cap(result, alert)
    if cap is not None and alert.action in ("proceed", "reduce") and (
            order.activity_gbq is None or exceeds(order.activity_gbq, cap)):
        return _above_kidney_cap(order, alert, result, cap, closing, others)
    if alert.action in ("proceed", "reduce"):
        off = _off_activity(order, alert, result, cap, closing, others)
        if off is not None:
            return off
    if alert.action == "proceed":
        return _kidney_dose_unknown(order, alert, result, closing)
    if alert.action == "reduce":
        assert target is not None
        if order.activity_gbq is not None and not exceeds(order.activity_gbq, target):
            return _kidney_dose_unknown(order, alert, result, closing)
        ordered = "" if order.activity_gbq is None else f" (ordered {order.activity_gbq:g} GBq)"
        summary = summary_of([f"Reduce Lutathera cycle {alert.cycle} to {target:g} GBq{ordered}",
                              *([f"{headline} has resolved"] if headline else [])], ": ")
        update, cannot = _update(order, alert, others)
        body = "\n\n".join(part for part in (body, cannot) if part)
        suggestions = [update, removal(order, "Remove the Lutathera order", False)]
    elif alert.action == "labs-needed":
        summary = summary_of([f"Laboratory results needed before Lutathera cycle {alert.cycle}",
                              *([headline] if headline else [])], ": ")
        suggestions = [removal(order, "Remove the order until the results are available", False)]
    else:
        verb = "Withhold" if alert.action == "withhold" else "Discontinue"
        what = f"Withhold Lutathera cycle {alert.cycle}" if verb == "Withhold" else \
            f"Discontinue Lutathera (cycle {alert.cycle} not to be given)"
        summary = summary_of([what, *([headline] if headline else [])], ": ")
        suggestions = [removal(order, f"{verb}: remove the Lutathera order", True)]
    summary = summary_noting([summary], stale_notice(alert.labs))  # stale labs are said in the summary
    body = "\n\n".join(part for part in (body, kidney_dose_section(result.kidney_dosimetry)) if part)
    card = _card(order, summary, alert.indicator, suggestions, body, result, closing)
    return IssuedCard(card=card, action=alert.action, cycle=alert.cycle, order=order.ref)
