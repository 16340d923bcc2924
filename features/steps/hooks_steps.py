"""Steps for the CDS Hooks cards: the chart the Given steps built is sent to the service as an EHR would
(every prefetch key filled), on the day the scenario names, and the cards that come back are read.
The chart is built with the shared Given steps (patient, cycles, labs, "the pre-cycle labs of <day>
are normal", tumour measurements).

    When the clinician opens the patient's chart on 2024-04-29
    When a Lutathera order of 7.4 GBq is signed on 2024-04-29
    When a Lutathera order of 7.4 GBq is selected on 2024-04-29
    When a Lutathera order of 7.4 GBq planned for 2024-04-21 is signed on 2024-04-18
    When a Lutathera order of 7.4 GBq naming its Medication by the draft entry's fullUrl is signed on 2024-04-29
    When a Lutathera order of 7.4 with the unit code "GBq" and the unit text "mCi" is signed on 2024-04-29
    Then the service shows one card | no card
    Then the card is critical | warning | info
    Then the card says "..."                       (its one-line summary contains the text)
    Then the card never says "..."                 (its one-line summary does not contain the text)
    Then the card's details show "..."             (its Markdown detail contains the text)
    Then the card suggests "<label>"               (a suggestion with that label)
    Then the suggested order has an activity of 3.7 GBq
    Then the suggestion removes the order
    Then the card offers reasons to override it
    Then the card is recorded in the audit
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import factories as fx
import hooks_support as hs
from pytest_bdd import parsers, then, when

from steps.chart import PATIENT, Chart
from steps.patterns import DATE


@dataclass
class HookOutcome:
    """The cards the service answered with, and what its audit recorded for the call."""

    status: int
    cards: list[dict[str, Any]]
    audit: list[dict[str, Any]] = field(default_factory=list)

    @property
    def card(self) -> dict[str, Any]:
        assert len(self.cards) == 1, f"expected one card, got {len(self.cards)}: {[c['summary'] for c in self.cards]}"
        return self.cards[0]


def _call(chart: Chart, hook: str, day: str, orders: list[dict[str, Any]] | None = None, *,
          with_amino_acids: bool = True, entries: list[dict[str, Any]] | None = None) -> HookOutcome:
    """``entries``: more ``draftOrders`` entries, as given (with their ``fullUrl``)."""
    assert chart.patient is not None, "the scenario needs a patient"
    pid = PATIENT.split("/")[1]
    body = hs.hook_request(hook, pid, prefetch=hs.prefetch_for(chart.resources()), orders=orders or [],
                           with_amino_acids=with_amino_acids)
    if entries:
        body["context"]["draftOrders"]["entry"] += entries
    service = "/cds-services/prrt-toxicity" if hook == "patient-view" else "/cds-services/prrt-dose-check"
    with tempfile.TemporaryDirectory() as folder, hs.in_process(Path(folder), as_of=day) as running:
        response = running.post(service, json=body)
        audit = running.components.store.cards(body["hookInstance"])
    assert response.status_code == 200, response.text
    document = response.json()
    assert hs.schema_errors("service-response", document) == [], "the answer is not a valid CDS Hooks response"
    return HookOutcome(status=response.status_code, cards=document["cards"], audit=audit)


call_service = _call  # the protocol-check steps call the service the same way


@when(parsers.re(rf"the clinician opens the patient's chart on (?P<day>{DATE})"), target_fixture="hook_outcome")
def chart_opened(chart: Chart, day: str) -> HookOutcome:
    """patient-view, with the chart as prefetch; ``day`` is "today" for the next-cycle decision."""
    return _call(chart, "patient-view", day)


@when(parsers.re(rf"a Lutathera order of (?P<gbq>\d+(?:\.\d+)?) GBq is (?P<how>signed|selected) on (?P<day>{DATE})"),
      target_fixture="hook_outcome")
def order_drafted(chart: Chart, gbq: str, how: str, day: str) -> HookOutcome:
    """order-sign or order-select with a MedicationRequest for Lutathera (RxNorm 1999682) at ``gbq``."""
    order = hs.medication_request("lutathera-order", PATIENT.split("/")[1], float(gbq))
    return _call(chart, "order-sign" if how == "signed" else "order-select", day, [order])


@when(parsers.re(rf"a Lutathera order of (?P<gbq>\d+(?:\.\d+)?) GBq planned for (?P<planned>{DATE}) is signed on "
                 rf"(?P<day>{DATE})"), target_fixture="hook_outcome")
def order_planned(chart: Chart, gbq: str, planned: str, day: str) -> HookOutcome:
    """order-sign with a MedicationRequest whose ``dosageInstruction.timing.event`` is ``planned``."""
    order = hs.medication_request("lutathera-order", PATIENT.split("/")[1], float(gbq))
    order["dosageInstruction"][0]["timing"] = {"event": [planned]}
    return _call(chart, "order-sign", day, [order])


@then(parsers.re(r"the service shows (?P<count>one card|no card)"))
def cards_shown(hook_outcome: HookOutcome, count: str) -> None:
    expected = 1 if count == "one card" else 0
    assert len(hook_outcome.cards) == expected, [c["summary"] for c in hook_outcome.cards]


@then(parsers.re(r"the card is (?P<indicator>critical|warning|info)"))
def card_indicator(hook_outcome: HookOutcome, indicator: str) -> None:
    assert hook_outcome.card["indicator"] == indicator, hook_outcome.card["summary"]


@then(parsers.re(r'the card says "(?P<text>[^"]+)"'))
def card_says(hook_outcome: HookOutcome, text: str) -> None:
    assert text in hook_outcome.card["summary"], hook_outcome.card["summary"]


@then(parsers.re(r'the card never says "(?P<text>[^"]+)"'))
def card_never_says(hook_outcome: HookOutcome, text: str) -> None:
    assert text not in hook_outcome.card["summary"], hook_outcome.card["summary"]


@then(parsers.re(r"the card's details show \"(?P<text>[^\"]+)\""))
def card_details(hook_outcome: HookOutcome, text: str) -> None:
    assert text in hook_outcome.card["detail"], hook_outcome.card["detail"]


@then(parsers.re(r"the card's details never show \"(?P<text>[^\"]+)\""))
def card_details_never(hook_outcome: HookOutcome, text: str) -> None:
    assert text not in hook_outcome.card["detail"], hook_outcome.card["detail"]


@then(parsers.re(r'the card suggests "(?P<label>[^"]+)"'))
def card_suggests(hook_outcome: HookOutcome, label: str) -> None:
    labels = [s["label"] for s in hook_outcome.card.get("suggestions", [])]
    assert label in labels, labels


@then(parsers.re(r"the suggested order has an activity of (?P<gbq>\d+(?:\.\d+)?) GBq"))
def suggested_activity(hook_outcome: HookOutcome, gbq: str) -> None:
    actions = [a for s in hook_outcome.card.get("suggestions", []) for a in s.get("actions", [])]
    updates = [a for a in actions if a["type"] == "update"]
    assert updates, "no suggestion updates the order"
    dose = updates[0]["resource"]["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]
    assert (dose["value"], dose["code"]) == (float(gbq), "GBq"), dose


@then("the suggestion removes the order")
def suggestion_removes(hook_outcome: HookOutcome) -> None:
    actions = [a for s in hook_outcome.card.get("suggestions", []) for a in s.get("actions", [])]
    deletes = [a for a in actions if a["type"] == "delete"]
    assert [a["resourceId"] for a in deletes] == ["MedicationRequest/lutathera-order"], deletes


@then("the card offers reasons to override it")
def override_reasons(hook_outcome: HookOutcome) -> None:
    reasons = hook_outcome.card.get("overrideReasons", [])
    assert reasons and all(r.get("display") for r in reasons), reasons


@then("the card is recorded in the audit")
def card_audited(hook_outcome: HookOutcome) -> None:
    assert [row["card_uuid"] for row in hook_outcome.audit] == [hook_outcome.card["uuid"]], hook_outcome.audit


@when(parsers.re(r"a Lutathera order of (?P<gbq>\d+(?:\.\d+)?) GBq naming its Medication by the draft entry's "
                 rf"fullUrl is (?P<how>signed|selected) on (?P<day>{DATE})"), target_fixture="hook_outcome")
def order_by_full_url(chart: Chart, gbq: str, how: str, day: str) -> HookOutcome:
    """A MedicationRequest whose ``medicationReference`` is the "urn:uuid:..." ``fullUrl`` of a Lutathera
    Medication sent beside it in ``draftOrders`` (as in a Bundle)."""
    order = hs.medication_request("lutathera-order", PATIENT.split("/")[1], float(gbq))
    del order["medicationCodeableConcept"]
    url = "urn:uuid:5d1c1b3e-7d1f-4b8e-9a52-1f0c2c1f7a10"
    order["medicationReference"] = {"reference": url}
    medication = {"fullUrl": url, "resource": fx.medication("lutathera")}
    return _call(chart, "order-sign" if how == "signed" else "order-select", day, [order], entries=[medication])


@when(parsers.re(r'a Lutathera order of (?P<gbq>\d+(?:\.\d+)?) GBq naming "(?P<display>[^"]+)" by a reference to a '
                 rf"Medication not sent is (?P<how>signed|selected) on (?P<day>{DATE})"), target_fixture="hook_outcome")
def order_by_absent_medication(chart: Chart, gbq: str, display: str, how: str, day: str) -> HookOutcome:
    """A MedicationRequest whose ``medicationReference`` names a Medication that is not in the call, with
    ``display`` as the reference's name."""
    order = hs.medication_request("lutathera-order", PATIENT.split("/")[1], float(gbq))
    del order["medicationCodeableConcept"]
    order["medicationReference"] = {"reference": "Medication/not-sent", "display": display}
    return _call(chart, "order-sign" if how == "signed" else "order-select", day, [order])


# --- the ordered activity: units other than GBq, texts, implausible values, an accepted update ---------

@dataclass
class OrderOutcome(HookOutcome):
    """The cards, and the draft orders they were about (to apply an accepted suggestion to)."""

    orders: list[dict[str, Any]] = field(default_factory=list)


def _order(value: str, unit: str, text: str | None = None) -> dict[str, Any]:
    order = hs.medication_request("lutathera-order", PATIENT.split("/")[1], float(value), unit=unit)
    if text is not None:
        order["dosageInstruction"][0]["text"] = text
    return order


def _order_call(chart: Chart, how: str, day: str, order: dict[str, Any]) -> OrderOutcome:
    outcome = _call(chart, "order-sign" if how == "signed" else "order-select", day, [order])
    return OrderOutcome(status=outcome.status, cards=outcome.cards, audit=outcome.audit, orders=[order])


# Disjoint from "a Lutathera order of 7.4 GBq is signed": a negative activity, or one in MBq or mCi.
@when(parsers.re(r"a Lutathera order of (?P<value>-\d+(?:\.\d+)?|\d+(?:\.\d+)?(?= (?:MBq|mCi))) "
                 rf"(?P<unit>GBq|MBq|mCi) is (?P<how>signed|selected) on (?P<day>{DATE})"),
      target_fixture="hook_outcome")
def order_in_unit(chart: Chart, value: str, unit: str, how: str, day: str) -> OrderOutcome:
    return _order_call(chart, how, day, _order(value, unit))


@when(parsers.re(r'a Lutathera order of (?P<value>\d+(?:\.\d+)?) (?P<unit>GBq|MBq|mCi) reading "(?P<text>[^"]+)" '
                 rf"is (?P<how>signed|selected) on (?P<day>{DATE})"), target_fixture="hook_outcome")
def order_with_text(chart: Chart, value: str, unit: str, text: str, how: str, day: str) -> OrderOutcome:
    """The order's dosage instruction text is ``text``."""
    return _order_call(chart, how, day, _order(value, unit, text))


@when(parsers.re(r'a Lutathera order of (?P<value>\d+(?:\.\d+)?) with the unit code "(?P<code>[^"]+)" and the unit '
                 rf'text "(?P<text>[^"]+)" is (?P<how>signed|selected) on (?P<day>{DATE})'),
      target_fixture="hook_outcome")
def order_with_unit_text(chart: Chart, value: str, code: str, text: str, how: str, day: str) -> OrderOutcome:
    """The dose quantity's UCUM ``code`` is ``code`` and its ``unit`` (the text shown) is ``text``."""
    order = _order(value, code)
    order["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["unit"] = text
    return _order_call(chart, how, day, order)


@then(parsers.re(r"the accepted suggestion leaves an order that states (?P<value>\d+(?:\.\d+)?) (?P<unit>GBq|mCi) "
                 r"wherever it stated the activity"))
def accepted_update(hook_outcome: OrderOutcome, value: str, unit: str) -> None:
    """The update action applied as an EHR would (the draft replaced by the action's resource): every
    quantity and text that names an activity names the new one, the dose in the order's unit."""
    actions = [a for s in hook_outcome.card.get("suggestions", []) for a in s.get("actions", [])]
    [update] = [a for a in actions if a["type"] == "update"]
    [order] = hs.apply_update(hook_outcome.orders, update)
    expected = float(value) * hs.ACTIVITY_FACTORS[unit.lower()]
    named = hs.activities_named(order)
    assert named and all(abs(gbq - expected) < 1e-9 for _, gbq in named), named
    dose = order["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]
    assert (dose["value"], dose["code"]) == (float(value), unit), dose


@then("the card offers no change of the order")
def no_update(hook_outcome: HookOutcome) -> None:
    actions = [a for s in hook_outcome.card.get("suggestions", []) for a in s.get("actions", [])]
    assert [a for a in actions if a["type"] == "update"] == [], actions
