"""The service registry: every CDS service of prrt-cds is one entry of ``SERVICES``.

An entry says what discovery lists (id, hooks, title, description, usage; CDS Hooks 2.0.1
"Discovery"), which prefetch templates it asks for, whether it reads the Lutathera orders of
``draftOrders``, and the function that turns an evaluation into its cards. Discovery, the hook route
and the feedback route iterate or look up this table; a new service or card is one more entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from cds.evaluation import PatientEvaluation
from cds.facts import TreatmentRecord
from cds.hooks.api.discovery import Template, templates
from cds.hooks.cards.card import IssuedCard
from cds.hooks.cards.dose_card import dose_cards, on_hold
from cds.hooks.cards.evidence import footer
from cds.hooks.cards.incomplete import incomplete_cards
from cds.hooks.cards.order_status import not_an_administration
from cds.hooks.cards.orders import LutatheraOrder
from cds.hooks.cards.protocol_card import order_checks, protocol_cards, with_checks
from cds.hooks.cards.protocol_notice import hold_summary
from cds.hooks.cards.toxicity_card import next_alert, toxicity_card
from cds.hooks.cards.unresolved_orders import UnresolvedOrder, unresolved_cards

TOXICITY = "prrt-toxicity"
DOSE_CHECK = "prrt-dose-check"
# Dose cards that say the ordered cycle is not to be given now (besides every critical one): the protocol
# card then suggests no amino-acid order for it.
HELD = frozenset({"withhold", "discontinue", "labs-needed", "implausible-activity", "beyond-course"})


@dataclass(frozen=True)
class CardInputs:
    """What a service's card builder reads: the patient's evaluation and the call's circumstances."""

    result: PatientEvaluation
    orders: Sequence[LutatheraOrder]  # the call's Lutathera orders (empty unless ``reads_orders``)
    ruleset_version: str
    as_of: date
    unavailable: list[str]  # labels of the prefetch data that could not be had
    planned_cycles: int
    ctcae_version: str
    # the amino-acid orders among the call's draftOrders (order hooks), for the protocol checks
    amino_acid_orders: Sequence[TreatmentRecord] = ()
    # "label: what it decides" of the optional data the rules need that could not be had
    # (discovery ``Template.decides``): the answer is "not fully checked"
    incomplete: tuple[str, ...] = ()
    # every Lutathera order of the patient in draftOrders, selected or not (order-select: the other
    # unsigned orders of the session count when one infusion is ordered twice)
    drafted: Sequence[LutatheraOrder] = ()
    # the Medications that medication records name could not be read: which of them are Lutathera cycles
    # is unknown (patient-view without a known cycle says so rather than giving no card)
    history_incomplete: bool = False
    # the draft MedicationRequests whose Medication could not be read and whose reference names none
    # (cds.hooks.cards.unresolved_orders): "not fully checked" in a patient who is or may be in a PRRT course
    unresolved: Sequence[UnresolvedOrder] = ()


CardBuilder = Callable[[CardInputs], list[IssuedCard]]


@dataclass(frozen=True)
class CdsService:
    """One CDS service: its discovery entry, its prefetch, and how it builds its cards."""

    id: str
    hooks: tuple[str, ...]
    title: str
    description: str  # ``{ctcae_version}`` is replaced by the version the service grades with
    usage: str
    cards: CardBuilder
    reads_orders: bool = False  # an order hook: no Lutathera order in draftOrders, no card
    prefetch: Callable[[str], tuple[Template, ...]] = templates  # CTCAE version -> templates

    def describe(self, ctcae_version: str) -> str:
        return self.description.format(ctcae_version=ctcae_version)


def _toxicity(inputs: CardInputs) -> list[IssuedCard]:
    card = toxicity_card(inputs.result, inputs.ruleset_version, inputs.as_of, inputs.unavailable,
                         inputs.planned_cycles, ctcae_version=inputs.ctcae_version, incomplete=inputs.incomplete,
                         history_incomplete=inputs.history_incomplete)
    return [] if card is None else [card]


def _dose_check(inputs: CardInputs) -> list[IssuedCard]:
    """The dose cards and, when a check before the cycle is not ok, the protocol card of each order; every
    card carries the protocol checks (docs/outputs.md)."""
    cards = dose_cards(inputs.result, inputs.orders, inputs.ruleset_version, inputs.as_of, inputs.unavailable,
                       inputs.planned_cycles, inputs.drafted)
    checks = order_checks(inputs.result, inputs.amino_acid_orders, inputs.ctcae_version)
    hold = hold_summary(checks) if checks is not None else None
    if hold is not None:  # the protocol card recommends removing the order: no card offers to change it
        cards = on_hold(cards, hold)
    patient_id = inputs.result.patient.partition("/")[2]
    held = frozenset(card.order for card in cards
                     if card.order is not None and (card.action in HELD or card.card.indicator == "critical"))
    closing = footer(inputs.ruleset_version, inputs.as_of, inputs.unavailable)
    # an order that gives nothing (cancelled, doNotPerform ...) has its own card, and no protocol card
    giving = [order for order in inputs.orders if not_an_administration(order) is None]
    cards += protocol_cards(inputs.result, giving, checks, patient_id, inputs.as_of, closing, held)
    cards += incomplete_cards(inputs.result, next_alert(inputs.result), giving, inputs.incomplete, held,
                              closing)
    cards += unresolved_cards(inputs.result, inputs.unresolved, inputs.amino_acid_orders, inputs.history_incomplete,
                              closing)
    return [with_checks(card, checks) for card in cards]


SERVICES: dict[str, CdsService] = {service.id: service for service in (
    CdsService(
        id=TOXICITY, hooks=("patient-view",), title="PRRT toxicity and next-cycle recommendation",
        description="For a patient treated with 177Lu-DOTATATE (Lutathera): the current cycle, the worst CTCAE "
                    "v{ctcae_version} grade per laboratory term in it, the latest RECIST 1.1 response, and the dose "
                    "recommendation for the next cycle, with the evidence.",
        usage="Answers with no card for a patient without a recorded PRRT administration.",
        cards=_toxicity,
    ),
    CdsService(
        id=DOSE_CHECK, hooks=("order-select", "order-sign"), title="Lutathera dose check",
        description="When a Lutathera order (MedicationRequest or ServiceRequest) is drafted: whether the cycle "
                    "should be withheld, reduced to 3.7 GBq or discontinued, or needs laboratory results first, "
                    "with suggestions that change or remove the order.",
        usage="No card when the order agrees with the Lutathera dose-modification rules.",
        cards=_dose_check, reads_orders=True,
    ),
)}
