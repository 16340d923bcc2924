"""Which draft orders are Lutathera orders and what activity they ask for (the update: test_hooks_order_update)."""

from __future__ import annotations

import factories as fx
import hooks_support as hs
import pytest

from cds.hooks.cards.orders import lutathera_orders


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


@pytest.mark.parametrize("text", ["Lutathera (lutetium Lu 177 dotatate), restaging CT at day-90",
                                  "Lutathera, no iodine contrast", "Lutathera after Y-90 radioembolisation"])
def test_a_coded_lutathera_order_is_one_whatever_its_text_adds(text: str) -> None:
    """These orders (RxNorm 1999682) were not Lutathera orders: a cycle to withhold got no card."""
    found = lutathera_orders(entries(hs.medication_request("a", "p1", 7.4, text=text)), "p1")
    assert [(o.ref, o.activity_gbq) for o in found] == [("MedicationRequest/a", 7.4)]
