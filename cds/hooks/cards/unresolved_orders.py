"""Draft MedicationRequests whose medication cannot be told, and the "not fully checked" card for them.

A MedicationRequest may name its medication only by ``medicationReference``. When the Medication it names
is not contained in it, not among ``draftOrders``, not in the prefetch, and cannot be read from the FHIR
server either (no ``fhirServer``, an error, a timeout, a Medication the server does not have), the order
may or may not be a Lutathera order:

- a reference whose ``display`` names Lutathera: checked as a Lutathera order from that name, and said
  not fully checked (cds.hooks.cards.orders, ``medication_unread``);
- a reference whose ``display`` names another medication: taken as that medication, as the EHR names it;
- a reference without a ``display``: nothing tells what the order is. Before, it was no Lutathera order,
  and the answer was the empty one that reads as "the order agrees", even for a Lutathera cycle to be
  withheld. Now, in a patient who is in a PRRT course, or may be (a cycle recorded, an amino-acid renal
  protection order drafted with it, or medication records the service could not read), it gets a warning
  card saying that the order could not be checked. In a patient with no sign of PRRT such an order
  stays without a card: every unrelated order of the hospital would otherwise carry one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cds.evaluation import PatientEvaluation
from cds.facts import TreatmentRecord
from cds.hooks.api.models import FHIR_ID
from cds.hooks.cards import markdown as md
from cds.hooks.cards.card import Card, IssuedCard, dose_source, override_reasons, summary_of
from cds.hooks.cards.evidence import alert_section, recommendation
from cds.hooks.cards.orders import draft_resources, for_patient, full_urls, medication_concept
from cds.hooks.cards.toxicity_card import next_alert
from cds.mapping.fhir import normalise_reference

ACTION = "medication-unresolved"
_ID = re.compile(FHIR_ID)


@dataclass(frozen=True)
class UnresolvedOrder:
    """A draft MedicationRequest of the context patient whose ``medicationReference`` the call does not resolve."""

    ref: str  # "MedicationRequest/{id}", or "MedicationRequest" without an id
    reference: str | None  # the reference as written ("Medication/med-1", "#med"), None when it has none
    medication_id: str | None  # the id of the Medication to read from the FHIR server, when it names one
    named: bool  # the reference has a ``display`` (the EHR's name for the medication)


def unresolved_orders(entries: Sequence[Any], patient_id: str,
                      selections: Sequence[str] | None = None) -> list[UnresolvedOrder]:
    """The MedicationRequests among ``draftOrders`` entries (only the selected ones when ``selections``) of
    the patient whose ``medicationReference`` names a Medication neither contained nor in the entries (a
    Medication there without a ``code`` cannot be told either)."""
    resources = list(draft_resources(entries))
    by_url = full_urls(entries)
    found = []
    for resource in resources:
        if resource["resourceType"] != "MedicationRequest" or "medicationCodeableConcept" in resource:
            continue
        target = resource.get("medicationReference")
        if not isinstance(target, dict) or not for_patient(resource, patient_id):
            continue
        rid = resource.get("id") if isinstance(resource.get("id"), str) and resource.get("id") else None
        ref = f"MedicationRequest/{rid}" if rid else "MedicationRequest"
        if selections is not None and ref not in selections:
            continue
        if medication_concept(resource, resources, by_url) is not None:
            continue
        reference = target.get("reference") if isinstance(target.get("reference"), str) else None
        medication_id = None
        if reference is not None and not reference.startswith("#"):
            kind, _, mid = normalise_reference(reference, {}).partition("/")
            medication_id = mid if kind == "Medication" and _ID.fullmatch(mid) else None
        display = target.get("display")
        found.append(UnresolvedOrder(ref=ref, reference=reference, medication_id=medication_id,
                                     named=isinstance(display, str) and bool(display.strip())))
    return found


def prrt_signs(result: PatientEvaluation, amino_acids: Sequence[TreatmentRecord],
               history_incomplete: bool) -> str | None:
    """Why the patient is, or may be, in a PRRT course, as a card says it; None when nothing says so."""
    cycles = len(result.timeline.cycles)
    if cycles:
        return f"this patient has {cycles} Lutathera cycle{'s' if cycles > 1 else ''} recorded"
    if amino_acids:
        return "an amino-acid renal protection order, given with each Lutathera cycle, is drafted with it"
    if history_incomplete:
        return ("medication records of this patient name Medications that could not be read either: any of "
                "them may be a Lutathera cycle")
    return None


def unresolved_cards(result: PatientEvaluation, unresolved: Sequence[UnresolvedOrder],
                     amino_acids: Sequence[TreatmentRecord], history_incomplete: bool,
                     closing: str) -> list[IssuedCard]:
    """One warning card per order whose medication cannot be told (no ``display`` either), in a patient
    who is or may be in a PRRT course; the recommendation the order would be checked against, if it is
    Lutathera, is shown. No suggestion: the order may be any medication."""
    why = prrt_signs(result, amino_acids, history_incomplete)
    if why is None:
        return []
    alert = next_alert(result)
    cards = []
    for order in unresolved:
        if order.named:
            continue
        named = f"the reference {md.text(order.reference)}" if order.reference else "a reference without a target"
        body = [f"**Order {md.text(order.ref)}: its medication could not be read.** The order names its Medication "
                f"only by {named}, without a name, and that Medication was neither in the order, among the draft "
                "orders nor in the prefetch, and could not be read from the EHR's FHIR server. "
                f"{md.text(why[0].upper() + why[1:])}: if this order is Lutathera, it was **not checked** against "
                "the dose-modification rules.",
                "Verify the medication before signing (send the Medication with the order, or name it by its "
                "code), and check it again."]
        if alert is not None:
            body.append(alert_section(alert, result.timeline, "Recommendation if this is a Lutathera cycle"))
        if_lutathera = [] if alert is None else [f"if Lutathera, cycle {alert.cycle}: {recommendation(alert)}"]
        card = Card(summary=summary_of([f"Order {order.ref} not fully checked: its Medication could not be read",
                                        *if_lutathera]),
                    detail="\n\n".join([*body, closing]), indicator="warning", source=dose_source(),
                    overrideReasons=override_reasons())
        cards.append(IssuedCard(card=card, action=ACTION, cycle=None, order=order.ref))
    return cards
