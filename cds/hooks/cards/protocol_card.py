"""The protocol checks on the ``prrt-dose-check`` cards (order-select, order-sign) of a Lutathera order.

The checks of the next cycle due (cds.protocol) are decided again with the orders being signed: an
amino-acid MedicationRequest among ``draftOrders`` counts for this cycle, and none there (nor in the
record) is a warning. Every card of the service carries the checks under its ``extension``
(``PROTOCOL_EXTENSION``, CDS Hooks 2.0 "Extensions": a reverse-domain key); when a check is not ``ok``,
one more card per Lutathera order says so (indicator warning), with a ``create`` suggestion of the
site's amino-acid order (rules/protocol_checks.toml ``order_template``) when the orders lack it. No
suggestion here ever changes the Lutathera order or an amino-acid order: the Lutathera order is changed
only by the dose card's ``update``, which rewrites its activity and nothing of the amino acids.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import date
from typing import Any

from cds import bootstrap
from cds.evaluation import PatientEvaluation
from cds.facts import TreatmentRecord
from cds.hooks.cards import markdown as md
from cds.hooks.cards.card import Action, Card, Coding, IssuedCard, Source, Suggestion, override_reasons, summary_of
from cds.hooks.cards.orders import LutatheraOrder, for_patient, removal
from cds.hooks.cards.protocol_notice import LABELS, hold_summary, open_checks, to_verify
from cds.hooks.cards.toxicity_card import next_alert
from cds.mapping.treatment import draft_order_record, treatment_codes
from cds.protocol import table as protocol_table
from cds.protocol.concern import checks_with_orders
from cds.protocol.conclusions import ProtocolChecks
from cds.protocol.document import checks_document

PROTOCOL_EXTENSION = "org.prrt-cds.protocol-checks"
TOPIC_SYSTEM = "urn:prrt-cds:card-topic"



def amino_acid_orders(entries: Sequence[Any], patient_id: str, day: date) -> tuple[TreatmentRecord, ...]:
    """The amino-acid MedicationRequests among ``draftOrders`` entries (of this patient), as records of this
    cycle's amino acids dated ``day``."""
    table = treatment_codes()
    found = []
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or not for_patient(resource, patient_id):
            continue
        record = draft_order_record(resource, f"Patient/{patient_id}", day, table)
        if record is not None:
            found.append(record)
    return tuple(found)


def order_checks(result: PatientEvaluation, drafts: Sequence[TreatmentRecord], ctcae_version: str
                 ) -> ProtocolChecks | None:
    """The checks of the next cycle due with the orders being signed; None when no cycle is due."""
    upcoming = next_alert(result)
    if upcoming is None:
        return None
    return checks_with_orders(result.timeline, result.toxicities, upcoming, ctcae_version, bootstrap.default_engine(),
                              drafts, result.kidney_dosimetry)


def extension(checks: ProtocolChecks | None) -> dict[str, Any] | None:
    """The card ``extension`` holding ``protocol_checks`` (docs/outputs.md), or None."""
    if checks is None:
        return None
    return {PROTOCOL_EXTENSION: {"cycle": checks.cycle, "decision_date": checks.decision_date.isoformat(),
                                 "protocol_checks": checks_document(checks.checks)}}


def with_checks(issued: IssuedCard, checks: ProtocolChecks | None) -> IssuedCard:
    found = extension(checks)
    if found is None:
        return issued
    card = issued.card.model_copy(update={"extension": {**(issued.card.extension or {}), **found}})
    return IssuedCard(card=card, action=issued.action, cycle=issued.cycle, order=issued.order)


def _source() -> Source:
    table = protocol_table.table()
    return Source(label=f"prrt-cds: checks before a Lutathera cycle ({table.file}, {table.version})",
                  topic=Coding(system=TOPIC_SYSTEM, code="prrt-protocol-checks", display="Checks before a PRRT cycle"))


def amino_acid_order(patient_id: str, day: date) -> dict[str, Any]:
    """The site's amino-acid order (rules/protocol_checks.toml ``order_template``) for this patient, as a draft."""
    resource = copy.deepcopy(dict(protocol_table.table().amino_acid_order))
    resource.update({"status": "draft", "intent": "order", "subject": {"reference": f"Patient/{patient_id}"},
                     "authoredOn": day.isoformat()})
    return resource


def protocol_cards(result: PatientEvaluation, orders: Sequence[LutatheraOrder], checks: ProtocolChecks | None,
                   patient_id: str, as_of: date, closing: str, held: frozenset[str] = frozenset()) -> list[IssuedCard]:
    """One card per Lutathera order when a check of the next cycle warns, or is unknown where the table
    says an unknown asks for a card (``card_when_unknown``: pregnancy not excluded); the checks that are
    unknown are named on it too. Otherwise no card is added: every card of the service lists the checks
    in its extension, unknown ones included.

    A warning that stops the cycle (a positive pregnancy test: ``stops_cycle`` in
    rules/protocol_checks.toml) makes the card critical, and its suggestion is to hold the cycle by
    removing the Lutathera order. The amino-acid order is suggested only for a cycle that is to be
    given: never beside such a warning, nor for an order in ``held`` (the dose card of that order says
    withhold, discontinue, labs needed, or an implausible activity)."""
    if checks is None:
        return []
    remaining = open_checks(checks)
    asking = {c.check for c in to_verify(checks)}
    if not any(c.status == "warning" for c in remaining) and not asking:
        return []
    warned = [LABELS[c.check] for c in remaining if c.status == "warning"]
    # the unknown checks that ask for a card lead (pregnancy status first when it is not excluded)
    unknown = [LABELS[c.check] for c in sorted((c for c in remaining if c.status == "unknown"),
                                               key=lambda c: c.check not in asking)]
    hold = hold_summary(checks)
    parts = [f"Before Lutathera cycle {checks.cycle}: " + (f"check {', '.join(warned)}" if warned else
                                                          f"verify {', '.join(unknown)}")]
    if warned and unknown:
        parts.append(f"verify {', '.join(unknown)}")
    if hold is not None:
        parts.insert(0, hold)
    rows = [[c.check, c.status, c.text, ", ".join(c.evidence) or None, f"{c.source} ({c.verification})"]
            for c in checks.checks]
    body = "\n\n".join([
        f"**Checks before Lutathera cycle {checks.cycle}** (decided for {md.text(checks.decision_date)}; "
        "unknown: the record does not say).",
        md.table(["check", "status", "found", "evidence", "source"], rows), closing])
    amino = next((c for c in checks.checks if c.check == "amino-acids"), None)
    cards = []
    offered = False  # one amino-acid order per cycle, however many Lutathera orders carry the card
    for order in orders:
        if order.other_patient is not None:  # not checked against this record (its own card says so)
            continue
        suggestions = None
        if hold is not None:
            removed = removal(order, "Hold the cycle: remove the Lutathera order", True)
            suggestions = [removed] if removed is not None else None
        elif (amino is not None and amino.rule == "protocol.amino_acids.not_ordered" and order.ref not in held
              and not offered):
            offered = True
            suggestions = [Suggestion(label="Add the amino-acid renal protection order", isRecommended=True, actions=[
                Action(type="create", description="Order the amino-acid solution (L-lysine and L-arginine) with this "
                                                  "cycle, at the full dose", resource=amino_acid_order(patient_id,
                                                                                                      as_of)),
            ])]
        card = Card(summary=summary_of(parts), detail=body, indicator="critical" if hold else "warning",
                    source=_source(), suggestions=suggestions,
                    selectionBehavior="at-most-one" if suggestions else None,
                    overrideReasons=override_reasons(), extension=extension(checks))
        cards.append(IssuedCard(card=card, action="protocol-hold" if hold else "protocol-checks",
                                cycle=checks.cycle, order=order.ref))
    return cards
