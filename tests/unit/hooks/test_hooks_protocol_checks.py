"""The protocol checks on the ``prrt-dose-check`` cards (cds.hooks.cards.protocol_card): every card carries
them in its extension, a warning adds a protocol card, a missing amino-acid order is offered from the
site's template, the Lutathera order's update never touches the amino acids, and every answer validates
against the CDS Hooks 2.0 service-response schema."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import factories as fx
import hooks_support as hs
import pytest

from cds.hooks.api.discovery import templates
from cds.hooks.cards.protocol_card import PROTOCOL_EXTENSION, amino_acid_orders
from cds.protocol.table import table as protocol_table

DOSE = "/cds-services/prrt-dose-check"


def answer(tmp_path: Path, scenario: str, orders: list[dict[str, Any]], *, extra: tuple[dict[str, Any], ...] = (),
           with_amino_acids: bool = True, hook: str = "order-sign") -> list[dict[str, Any]]:
    resources, as_of = hs.scenario(scenario, "p1")
    with hs.in_process(tmp_path, as_of=as_of) as running:
        body = hs.hook_request(hook, "p1", prefetch=hs.prefetch_for([*resources, *extra]), orders=orders,
                               with_amino_acids=with_amino_acids)
        response = running.post(DOSE, json=body)
    assert response.status_code == 200, response.text
    document = response.json()
    assert hs.schema_errors("service-response", document) == []
    cards: list[dict[str, Any]] = document["cards"]
    return cards


def checks_of(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = card["extension"][PROTOCOL_EXTENSION]
    assert found["cycle"] == 3 and found["decision_date"] == "2024-04-29"
    return {c["check"]: c for c in found["protocol_checks"]}


def test_without_an_amino_acid_order_a_warning_card_offers_the_sites_order(tmp_path: Path) -> None:
    [card] = answer(tmp_path, "proceed", [hs.medication_request("mr-1", "p1", 7.4)], with_amino_acids=False)
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Before Lutathera cycle 3: check amino acids")
    checks = checks_of(card)
    assert (checks["amino-acids"]["status"], checks["amino-acids"]["rule"]) == (
        "warning", "protocol.amino_acids.not_ordered")
    assert list(checks) == ["ssa-long-acting", "ssa-short-acting", "pregnancy", "amino-acids", "potassium"]
    [suggestion] = card["suggestions"]
    [action] = suggestion["actions"]
    assert action["type"] == "create" and suggestion["isRecommended"] is True
    created = action["resource"]
    template = protocol_table().amino_acid_order
    assert created["medicationCodeableConcept"] == template["medicationCodeableConcept"]
    assert created["dosageInstruction"] == template["dosageInstruction"]
    assert (created["status"], created["intent"], created["subject"], created["authoredOn"]) == (
        "draft", "order", {"reference": "Patient/p1"}, "2024-04-29")
    assert "amino-acids" in card["detail"] and "protocol.amino_acids.not_ordered" not in card["summary"]


def test_with_the_amino_acids_ordered_and_nothing_else_to_warn_no_card(tmp_path: Path) -> None:
    assert answer(tmp_path, "proceed", [hs.medication_request("mr-1", "p1", 7.4)]) == []


@pytest.mark.parametrize(("element", "value"), [
    ("status", "entered-in-error"), ("status", "cancelled"), ("status", "revoked"), ("status", "on-hold"),
    ("status", None), ("intent", "proposal"), ("intent", "plan"), ("intent", "option"), ("doNotPerform", True),
    ("doNotPerform", "true")])
def test_an_amino_acid_order_that_does_not_order_them_is_not_the_renal_protection(
        tmp_path: Path, element: str, value: Any) -> None:
    """An amino-acid order entered in error (or cancelled, a proposal, doNotPerform) counted as ordered: no card."""
    amino_acids = hs.amino_acids("aa-1", "p1")
    amino_acids[element] = value
    assert amino_acid_orders([{"resource": amino_acids}], "p1", date(2024, 4, 29)) == ()
    [card] = answer(tmp_path, "proceed", [hs.medication_request("mr-1", "p1", 7.4), amino_acids],
                    with_amino_acids=False)
    amino = checks_of(card)["amino-acids"]
    assert (amino["status"], amino["rule"]) == ("warning", "protocol.amino_acids.not_ordered")
    assert [s["label"] for s in card["suggestions"]] == ["Add the amino-acid renal protection order"]


@pytest.mark.parametrize(("element", "value"), [("status", "draft"), ("status", "active"), ("intent", "order"),
                                                ("intent", "original-order"), ("doNotPerform", False)])
def test_a_draft_or_active_amino_acid_order_is_the_renal_protection(element: str, value: Any) -> None:
    amino_acids = hs.amino_acids("aa-1", "p1")
    amino_acids[element] = value
    [record] = amino_acid_orders([{"resource": amino_acids}], "p1", date(2024, 4, 29))
    assert (record.ref, record.volume_ml) == ("MedicationRequest/aa-1", 1000)


def test_a_reduced_amino_acid_order_warns_without_offering_another(tmp_path: Path) -> None:
    orders = [hs.medication_request("mr-1", "p1", 7.4), hs.amino_acids("aa-1", "p1", volume_ml=500)]
    [card] = answer(tmp_path, "proceed", orders, with_amino_acids=False)
    amino = checks_of(card)["amino-acids"]
    assert (amino["status"], amino["rule"], amino["evidence"]) == (
        "warning", "protocol.amino_acids.reduced", ["MedicationRequest/aa-1"])
    assert "suggestions" not in card


def test_a_reduced_cycle_updates_the_lutathera_order_and_never_the_amino_acids(tmp_path: Path) -> None:
    lutathera = hs.medication_request("mr-2", "p1", 7.4)
    lutathera["note"] = [{"text": "with LysaKare 1000 mL from 30 minutes before"}]
    amino = hs.amino_acids("aa-1", "p1")
    [dose] = answer(tmp_path, "reduce", [lutathera, amino], with_amino_acids=False, hook="order-select")
    assert dose["summary"].startswith("Reduce Lutathera cycle 3 to 3.7 GBq")
    assert checks_of(dose)["amino-acids"]["status"] == "ok"  # the dose card carries the checks too
    actions = [a for s in dose["suggestions"] for a in s["actions"]]
    updates = [a for a in actions if a["type"] == "update"]
    assert [a["resource"]["id"] for a in updates] == ["mr-2"]
    assert all(a.get("resourceId") != "MedicationRequest/aa-1" for a in actions)
    changed = updates[0]["resource"]
    assert changed["note"][0]["text"].startswith("with LysaKare 1000 mL from 30 minutes before")
    assert changed["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 3.7


def test_a_reduce_card_and_a_protocol_card_when_the_amino_acids_are_missing(tmp_path: Path) -> None:
    dose, protocol = answer(tmp_path, "reduce", [hs.medication_request("mr-2", "p1", 7.4)], with_amino_acids=False)
    assert dose["summary"].startswith("Reduce") and protocol["summary"].startswith("Before Lutathera cycle 3")
    assert checks_of(dose) == checks_of(protocol)
    assert [a["type"] for s in protocol["suggestions"] for a in s["actions"]] == ["create"]


def test_a_high_potassium_warns_on_the_order(tmp_path: Path) -> None:
    potassium = fx.lab("k-1", "potassium", 5.6, "mmol/L", loinc="2823-3", low=3.5, high=5.0, patient="Patient/p1",
                       when="2024-04-22T08:00:00Z")
    [card] = answer(tmp_path, "proceed", [hs.medication_request("mr-1", "p1", 7.4)], extra=(potassium,))
    assert card["summary"].startswith("Before Lutathera cycle 3: check potassium")
    checks = checks_of(card)
    assert (checks["potassium"]["status"], checks["potassium"]["evidence"]) == ("warning", ["Observation/k-1"])
    assert "suggestions" not in card  # the amino acids are ordered: nothing to add


def test_a_long_acting_analogue_from_the_prefetch_warns(tmp_path: Path) -> None:
    lar = fx.medication_record("lar-1", "MedicationStatement", "octreotide LAR 30 mg", "2024-04-15",
                               patient="Patient/p1")
    [card] = answer(tmp_path, "proceed", [hs.medication_request("mr-1", "p1", 7.4)], extra=(lar,))
    long_acting = checks_of(card)["ssa-long-acting"]
    assert (long_acting["status"], long_acting["evidence"]) == ("warning", ["MedicationStatement/lar-1"])


def test_the_prefetch_asks_for_the_treatment_context() -> None:
    queries = {t.key: t.query for t in templates()}
    assert queries["medicationStatements"] == "MedicationStatement?patient={{context.patientId}}"
    assert queries["medicationRequests"] == "MedicationRequest?patient={{context.patientId}}&status=active"
    for code in ("82810-3", "2106-3", "2118-8", "21198-7"):
        assert f"http://loinc.org|{code}" in queries["pregnancy"]
    assert not any(t.required for t in templates() if t.key in ("medicationStatements", "medicationRequests",
                                                                  "pregnancy"))


VIEW = "/cds-services/prrt-toxicity"


def _young_woman(scenario: str, hcg: str | None) -> tuple[list[dict[str, Any]], Any]:
    """The scenario's patient at 30 years old, with a urine hCG the day before the cycle (or none)."""
    resources, as_of = hs.scenario(scenario, "p1")
    for resource in resources:
        if resource["resourceType"] == "Patient":
            assert resource["gender"] == "female"
            resource["birthDate"] = "1994-02-01"
    if hcg is not None:
        resources.append(fx.pregnancy_observation("p1-hcg", fx.URINE_HCG, hcg, patient="Patient/p1",
                                                  when="2024-04-28T08:00:00Z"))
    return resources, as_of


def _call(tmp_path: Path, path: str, body: dict[str, Any], as_of: Any) -> list[dict[str, Any]]:
    return hs.posted_cards(tmp_path, path, body, as_of)


def test_a_positive_pregnancy_test_holds_the_order_instead_of_only_naming_the_check(tmp_path: Path) -> None:
    """The laboratory rules say proceed; the card said "check pregnancy status" (warning) with no
    suggestion, and the 7.4 GBq order stood. Now: critical, and the recommended suggestion removes it."""
    resources, as_of = _young_woman("proceed", fx.POSITIVE)
    body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources),
                           orders=[hs.medication_request("mr-1", "p1", 7.4)], with_amino_acids=False)
    [card] = _call(tmp_path, DOSE, body, as_of)
    assert card["indicator"] == "critical"
    assert card["summary"].startswith("Hold Lutathera cycle 3: pregnancy status says the cycle must not be given")
    [suggestion] = card["suggestions"]
    assert suggestion["isRecommended"] is True
    assert [(a["type"], a.get("resourceId")) for a in suggestion["actions"]] == [
        ("delete", "MedicationRequest/mr-1")]  # no amino-acid order for a cycle on hold
    pregnancy = checks_of(card)["pregnancy"]
    assert (pregnancy["status"], pregnancy["stops_cycle"]) == ("warning", True)


def test_a_negative_pregnancy_test_holds_nothing(tmp_path: Path) -> None:
    resources, as_of = _young_woman("proceed", fx.NEGATIVE)
    body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources),
                           orders=[hs.medication_request("mr-1", "p1", 7.4)])
    assert _call(tmp_path, DOSE, body, as_of) == []


def test_patient_view_never_reads_proceed_beside_a_positive_pregnancy_test(tmp_path: Path) -> None:
    resources, as_of = _young_woman("proceed", fx.POSITIVE)
    [card] = _call(tmp_path, VIEW, hs.hook_request("patient-view", "p1", prefetch=hs.prefetch_for(resources)), as_of)
    assert card["indicator"] == "critical"
    assert card["summary"].startswith("Hold Lutathera cycle 3: pregnancy status says the cycle must not be given "
                                      "(laboratory rules: proceed")
    assert "**Checks before Lutathera cycle 3**" in card["detail"]
    assert "pregnancy status**: warning (the cycle must not be given)" in card["detail"]


def test_patient_view_with_a_negative_test_proceeds(tmp_path: Path) -> None:
    resources, as_of = _young_woman("proceed", fx.NEGATIVE)
    [card] = _call(tmp_path, VIEW, hs.hook_request("patient-view", "p1", prefetch=hs.prefetch_for(resources)), as_of)
    assert card["summary"].startswith("Lutathera cycle 3: proceed")
    assert "Hold" not in card["summary"]


def test_a_withheld_cycle_is_not_offered_its_amino_acid_order(tmp_path: Path) -> None:
    """Accepting the withhold and the amino-acid order left a 1000 mL infusion ordered for a cycle
    that is not to be given."""
    withhold, protocol = answer(tmp_path, "withhold", [hs.medication_request("mr-1", "p1", 7.4)],
                                with_amino_acids=False)
    assert withhold["summary"].startswith("Withhold Lutathera cycle 3")
    assert protocol["summary"].startswith("Before Lutathera cycle 3: check amino acids")
    assert "suggestions" not in protocol


def test_a_woman_who_could_be_pregnant_without_a_status_gets_a_card_to_verify_it(tmp_path: Path) -> None:
    """The EU SmPC contraindicates Lutathera while pregnancy has not been excluded; the answer was empty."""
    resources, as_of = _young_woman("proceed", None)
    body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources),
                           orders=[hs.medication_request("mr-1", "p1", 7.4)])
    [card] = _call(tmp_path, DOSE, body, as_of)
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Before Lutathera cycle 3: verify pregnancy status")
    assert checks_of(card)["pregnancy"]["status"] == "unknown"
    assert "suggestions" not in card  # the amino acids are ordered


def test_patient_view_of_a_woman_who_could_be_pregnant_without_a_status_asks_to_verify_it(tmp_path: Path) -> None:
    """The order card warns "verify pregnancy status" (card_when_unknown); the patient-view card of the same
    record was an info card "Lutathera cycle 3: proceed at 7.4 GBq", the unknown status in its detail only."""
    resources, as_of = _young_woman("proceed", None)
    [card] = _call(tmp_path, VIEW, hs.hook_request("patient-view", "p1", prefetch=hs.prefetch_for(resources)), as_of)
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Lutathera cycle 3: proceed at 7.4 GBq; verify pregnancy status;")
    assert "pregnancy status**: unknown" in card["detail"]
    assert card["overrideReasons"]


def test_patient_view_names_a_warning_check_before_the_pregnancy_status_to_verify(tmp_path: Path) -> None:
    resources, as_of = _young_woman("proceed", None)
    resources.append(fx.lab("p1-k", "potassium", 5.6, "mmol/L", loinc="2823-3", low=3.5, high=5.0, patient="Patient/p1",
                            when="2024-04-22T08:00:00Z"))
    [card] = _call(tmp_path, VIEW, hs.hook_request("patient-view", "p1", prefetch=hs.prefetch_for(resources)), as_of)
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Lutathera cycle 3: proceed at 7.4 GBq; check potassium; verify pregnancy "
                                      "status;")


def test_the_scenario_patient_past_the_ages_who_could_be_pregnant_gets_no_card(tmp_path: Path) -> None:
    resources, as_of = hs.scenario("proceed", "p1")
    body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources),
                           orders=[hs.medication_request("mr-1", "p1", 7.4)])
    assert _call(tmp_path, DOSE, body, as_of) == []


def test_two_lutathera_orders_are_offered_one_amino_acid_order(tmp_path: Path) -> None:
    """A MedicationRequest and a ServiceRequest for one cycle: each protocol card offered a 1000 mL
    amino-acid order, and accepting both created two."""
    orders = [hs.medication_request("mr-1", "p1", 7.4), hs.service_request("sr-1", "p1", 7.4)]
    cards = answer(tmp_path, "proceed", orders, with_amino_acids=False)
    creates = [a for c in cards for s in c.get("suggestions", []) for a in s["actions"] if a["type"] == "create"]
    assert len(creates) == 1
    assert len(cards) == 2 and all(c["summary"].startswith("Before Lutathera cycle 3") for c in cards)


@pytest.mark.parametrize(("scenario", "gbq"), [("reduce", 7.4), ("proceed", 11.1)])
def test_a_cycle_on_hold_is_offered_no_change_of_its_activity_beside_the_hold(
        tmp_path: Path, scenario: str, gbq: float) -> None:
    """It was: beside the critical card recommending to remove the order (positive pregnancy test), the dose
    card recommended "Change the order to 3.7 GBq" for the same draft: two opposite recommendations, and the
    one accepted could leave a cycle ordered that must not be given."""
    resources, as_of = _young_woman(scenario, fx.POSITIVE)
    body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources),
                           orders=[hs.medication_request("mr-1", "p1", gbq)])
    cards = _call(tmp_path, DOSE, body, as_of)
    assert any(c["summary"].startswith("Hold Lutathera cycle 3") for c in cards)
    for card in cards:
        actions = [(s.get("isRecommended"), a["type"]) for s in card.get("suggestions", []) for a in s["actions"]]
        assert all(kind == "delete" for _, kind in actions), (card["summary"], actions)
    dose = next(c for c in cards if not c["summary"].startswith("Hold"))
    assert "No change of this order is offered" in dose["detail"] and "pregnancy status" in dose["detail"]
