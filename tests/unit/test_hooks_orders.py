"""Which draft orders are Lutathera orders, what activity they ask for, and the order changed to 3.7 GBq."""

from __future__ import annotations

import factories as fx
import hooks_support as hs
import pytest

from cds.hooks.orders import lutathera_orders, with_activity


def entries(*resources: dict[str, object]) -> list[dict[str, object]]:
    return [{"resource": r} for r in resources]


def test_medication_request_by_rxnorm_and_by_text() -> None:
    coded = hs.medication_request("a", "p1", 7.4)
    text_only = hs.medication_request("b", "p1", 200, rxnorm=None, text="lutetium Lu-177 DOTATATE", unit="mCi")
    found = lutathera_orders(entries(coded, text_only, hs.amoxicillin("c", "p1")), "p1")
    assert [(o.ref, o.activity_gbq) for o in found] == [("MedicationRequest/a", 7.4),
                                                        ("MedicationRequest/b", pytest.approx(7.4))]


def test_medication_reference_to_a_contained_or_drafted_medication() -> None:
    contained = hs.medication_request("a", "p1")
    del contained["medicationCodeableConcept"]
    contained["medicationReference"] = {"reference": "#lu"}
    contained["contained"] = [fx.medication("lu")]
    drafted = hs.medication_request("b", "p1")
    del drafted["medicationCodeableConcept"]
    drafted["medicationReference"] = {"reference": "Medication/lu2"}
    found = lutathera_orders(entries(contained, drafted, fx.medication("lu2")), "p1")
    assert [o.ref for o in found] == ["MedicationRequest/a", "MedicationRequest/b"]


def test_service_request_for_the_procedure_but_not_for_another_radioligand() -> None:
    prrt = hs.service_request("s1", "p1", 7.4)
    psma = hs.service_request("s2", "p1")
    psma["code"] = fx.concept(fx.SNOMED, "399315003", "Lu-177 PSMA radioligand therapy")
    found = lutathera_orders(entries(prrt, psma), "p1")
    assert [(o.ref, o.activity_gbq) for o in found] == [("ServiceRequest/s1", 7.4)]


def test_orders_of_another_patient_and_unselected_orders_are_left_out() -> None:
    mine, theirs = hs.medication_request("a", "p1"), hs.medication_request("b", "p2")
    assert [o.ref for o in lutathera_orders(entries(mine, theirs), "p1")] == ["MedicationRequest/a"]
    assert lutathera_orders(entries(mine), "p1", selections=["MedicationRequest/other"]) == []


def test_odd_draft_orders_are_ignored() -> None:
    odd = [{"resource": None}, "x", {"resource": {"resourceType": "MedicationRequest"}},
           {"resource": {"resourceType": "MedicationRequest", "id": "1", "medicationCodeableConcept": "x",
                         "dosageInstruction": "x"}}]
    assert lutathera_orders(odd, "p1") == []


def test_an_update_changes_only_the_activity_and_keeps_the_rest() -> None:
    order = hs.medication_request("a", "p1", 7.4)
    [found] = lutathera_orders(entries(order), "p1")
    changed = with_activity(found, 3.7, "reduced")
    assert changed["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 3.7
    assert changed["dosageInstruction"][0]["text"] == order["dosageInstruction"][0]["text"]
    assert changed["note"] == [{"text": "reduced"}]
    assert order["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 7.4  # not changed in place


def test_an_update_of_an_order_without_a_dose_or_of_a_service_request() -> None:
    [bare] = lutathera_orders(entries(hs.medication_request("a", "p1", None)), "p1")
    assert with_activity(bare, 3.7, "n")["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["code"] == "GBq"
    [service] = lutathera_orders(entries(hs.service_request("s", "p1", 7.4)), "p1")
    extensions = with_activity(service, 3.7, "n")["extension"]
    assert [e["valueQuantity"]["value"] for e in extensions if e["url"] == fx.ACTIVITY_URL] == [3.7]
