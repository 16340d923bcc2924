"""Which draft orders are Lutathera orders and what activity they ask for (the update: test_hooks_order_update)."""

from __future__ import annotations

from typing import Any

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


UUID = "urn:uuid:11111111-1111-1111-1111-111111111111"


def _by_urn(order_id: str) -> dict[str, object]:
    order = hs.medication_request(order_id, "p1")
    del order["medicationCodeableConcept"]
    order["medicationReference"] = {"reference": UUID}
    return order


@pytest.mark.parametrize("with_id", [True, False])
def test_medication_reference_to_the_full_url_of_a_drafted_medication(with_id: bool) -> None:
    """An order naming its Medication by the draftOrders entry's fullUrl (urn:uuid) was no Lutathera order."""
    medication = fx.medication("lu")
    if not with_id:
        del medication["id"]
    found = lutathera_orders([{"resource": _by_urn("a")}, {"fullUrl": UUID, "resource": medication}], "p1")
    assert [(o.ref, o.activity_gbq) for o in found] == [("MedicationRequest/a", 7.4)]


@pytest.mark.parametrize("named", [
    {"resourceType": "Medication", "id": "amox", "code": fx.concept(hs.RXNORM, "617993", "Amoxicillin")},
    {"resourceType": "Substance", "id": "lu", "code": fx.concept(None, None, "Lutathera")}])
def test_a_full_url_naming_another_medication_or_no_medication_is_no_lutathera_order(named: dict[str, object]) -> None:
    assert lutathera_orders([{"resource": _by_urn("a")}, {"fullUrl": UUID, "resource": named}], "p1") == []


def _by_absent_medication(display: str | None) -> dict[str, Any]:
    order = hs.medication_request("mr-1", "p1", 7.4)
    del order["medicationCodeableConcept"]
    order["medicationReference"] = {"reference": "Medication/not-sent"}
    if display is not None:
        order["medicationReference"]["display"] = display
    return order


@pytest.mark.parametrize(("scenario", "summary"), [
    ("proceed", "Lutathera cycle 3 order not fully checked: its Medication was not read"),
    ("withhold", "Withhold Lutathera cycle 3: Platelet count decreased grade 2")])
def test_a_medication_not_sent_whose_reference_names_lutathera_is_checked_and_said_unread(
        tmp_path: Any, scenario: str, summary: str) -> None:
    """An order naming "Lutathera" by a reference to a Medication not in the call was no Lutathera order: no card."""
    order = _by_absent_medication("Lutathera 370 MBq/mL")
    [found] = lutathera_orders(entries(order), "p1")
    assert found.medication_unread
    [card] = _sign(tmp_path, scenario, order)
    assert card["summary"] == summary
    assert "The order's medication was not read" in card["detail"]


@pytest.mark.parametrize("display", ["Amoxicillin 500 mg", "Lu-177 PSMA"])
def test_a_medication_not_sent_whose_reference_names_another_medication_is_no_lutathera_order(
        tmp_path: Any, display: str) -> None:
    order = _by_absent_medication(display)
    assert lutathera_orders(entries(order), "p1") == []
    assert _sign(tmp_path, "proceed", order) == []


def test_a_medication_not_sent_whose_reference_names_nothing_is_not_fully_checked(tmp_path: Any) -> None:
    """Before: ``[]``, as for an unrelated order, in a patient due for cycle 3 (the order may be Lutathera)."""
    order = _by_absent_medication(None)
    assert lutathera_orders(entries(order), "p1") == []
    [card] = _sign(tmp_path, "proceed", order)
    assert card["summary"].startswith("Order MedicationRequest/mr-1 not fully checked")


def test_a_drafted_medication_decides_whatever_the_reference_display_says() -> None:
    order = _by_absent_medication("Lutathera")
    order["medicationReference"]["reference"] = "Medication/amox"
    amoxicillin = {"resourceType": "Medication", "id": "amox", "code": fx.concept(hs.RXNORM, "617993", "Amoxicillin")}
    assert lutathera_orders(entries(order, amoxicillin), "p1") == []
    [found] = lutathera_orders(entries(order | {"medicationReference": {"reference": "Medication/lu"}},
                                       fx.medication("lu")), "p1")
    assert not found.medication_unread


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


def _sign(tmp_path: Any, scenario: str, order: dict[str, Any]) -> list[dict[str, Any]]:
    return hs.dose_check_cards(tmp_path, scenario, [order])


@pytest.mark.parametrize("unit", ["gigabecquerel", "GBQ"])
def test_an_activity_the_service_cannot_read_is_said_not_left_silent(tmp_path: Any, unit: str) -> None:
    """74 'gigabecquerel' (ten times the dose) was answered with no card at all."""
    [card] = _sign(tmp_path, "proceed", hs.medication_request("mr-1", "p1", 74, unit=unit))
    assert card["indicator"] == "warning"
    assert card["summary"] == "Lutathera cycle 3: the ordered activity cannot be verified; the rules allow 7.4 GBq"
    assert "it states no activity in a unit the service reads" in card["detail"]


def test_an_order_stating_two_activities_is_said(tmp_path: Any) -> None:
    order = hs.medication_request("mr-1", "p1", 3.7)
    order["dosageInstruction"][0]["doseAndRate"].append({"doseQuantity": fx.quantity(7.4, "GBq")})
    [card] = _sign(tmp_path, "reduce", order)
    assert card["summary"].startswith("Lutathera cycle 3: the ordered activity cannot be verified")
    assert "it states different activities (3.7 GBq and 7.4 GBq)" in card["detail"]


@pytest.mark.parametrize(("scenario", "value", "code", "text"), [
    ("reduce", 3.7, "GBq", "mCi"), ("proceed", 7.4, "GBq", "mCi"), ("proceed", 200, "mCi", "GBq")])
def test_a_dose_whose_unit_code_and_unit_text_disagree_cannot_be_verified(tmp_path: Any, scenario: str, value: float,
                                                                           code: str, text: str) -> None:
    """{3.7, code "GBq", unit "mCi"} was read as 3.7 GBq, and answered with no card: 3.7 mCi is 0.137 GBq."""
    order = hs.medication_request("mr-1", "p1", None)
    order["dosageInstruction"] = [{"doseAndRate": [{"doseQuantity": fx.quantity(value, code, text=text)}]}]
    [found] = lutathera_orders(entries(order), "p1")
    assert (found.activity_gbq, found.activities, len(found.unreadable)) == (None, (), 1)
    [card] = _sign(tmp_path, scenario, order)
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Lutathera cycle 3: the ordered activity cannot be verified")
    assert "a dose states its unit twice, as different units" in card["detail"]
    assert [s["label"] for s in card["suggestions"]] == ["Remove the Lutathera order"]


@pytest.mark.parametrize("text", ["GBq", "gbq", "gigabecquerel"])
def test_a_unit_text_naming_the_codes_unit_or_no_listed_unit_is_read_as_the_code(text: str) -> None:
    order = hs.medication_request("mr-1", "p1", None)
    order["dosageInstruction"] = [{"doseAndRate": [{"doseQuantity": fx.quantity(7.4, "GBq", text=text)}]}]
    [found] = lutathera_orders(entries(order), "p1")
    assert (found.activity_gbq, found.unreadable) == (7.4, ())


def _with(order: dict[str, Any], where: str, text: str) -> dict[str, Any]:
    if where == "note":
        order["note"] = [{"text": text}]
    elif where == "orderDetail":
        order["orderDetail"] = [{"text": text}]
    else:
        order["dosageInstruction"][0][where] = text
    return order


@pytest.mark.parametrize(("scenario", "gbq", "where", "text"), [
    ("reduce", 3.7, "text", "Lutathera 7.4 GBq (200 mCi) IV over 30 min"),
    ("reduce", 3.7, "note", "Lutathera 7.4 GBq (200 mCi) IV over 30 min"),
    ("reduce", 3.7, "patientInstruction", "7.4 GBq"),
    ("proceed", 7.4, "text", "Lutathera 11.1 GBq IV"),  # 740 GBq: implausible (test_hooks_implausible_order)
    ("proceed", 7.4, "note", "3.7 GBq (100 mCi) IV")])
def test_a_text_naming_another_activity_than_the_dose_cannot_be_verified(tmp_path: Any, scenario: str, gbq: float,
                                                                          where: str, text: str) -> None:
    """A dose of 3.7 GBq whose text read "7.4 GBq (200 mCi)" was answered with no card: the text was never read."""
    [card] = _sign(tmp_path, scenario, _with(hs.medication_request("mr-1", "p1", gbq), where, text))
    assert card["summary"].startswith("Lutathera cycle 3: the ordered activity cannot be verified")
    assert "it states different activities" in card["detail"]
    assert [s["label"] for s in card["suggestions"]] == ["Remove the Lutathera order"]


def _dose_range(order: dict[str, Any], low: float, high: float) -> dict[str, Any]:
    order["dosageInstruction"][0]["doseAndRate"].append(
        {"doseRange": {"low": fx.quantity(low, "GBq"), "high": fx.quantity(high, "GBq")}})
    return order


@pytest.mark.parametrize(("scenario", "order"), [
    ("proceed", _dose_range(hs.medication_request("mr-1", "p1", 7.4), 7.4, 11.1)),  # above 11.1: implausible
    ("reduce", _dose_range(hs.medication_request("mr-1", "p1", 3.7), 3.7, 7.4)),
    ("proceed", {**hs.medication_request("mr-1", "p1", 7.4),
                 "dispenseRequest": {"quantity": fx.quantity(11.1, "GBq")}}),
    ("reduce", {**hs.medication_request("mr-1", "p1", 3.7), "dosageInstruction": [
        {"doseAndRate": [{"doseQuantity": fx.quantity(3.7, "GBq")}],
         "maxDosePerAdministration": fx.quantity(7.4, "GBq")}]}),
    ("reduce", _with(hs.service_request("sr-1", "p1", 3.7), "orderDetail", "7.4 GBq IV")),
])
def test_another_activity_in_a_dose_range_dispense_maximum_or_order_detail_cannot_be_verified(
        tmp_path: Any, scenario: str, order: dict[str, Any]) -> None:
    [card] = _sign(tmp_path, scenario, order)
    assert card["summary"].startswith("Lutathera cycle 3: the ordered activity cannot be verified")
    assert "it states different activities" in card["detail"]


@pytest.mark.parametrize(("scenario", "order"), [
    ("reduce", _with(hs.medication_request("mr-1", "p1", 3.7), "text", "3.7 GBq (100 mCi) IV over 30 min")),
    ("proceed", _with(hs.medication_request("mr-1", "p1", 7.4), "note", "7437 MBq")),
    ("proceed", _with(hs.medication_request("mr-1", "p1", 7.4), "text", "Lutathera 370 MBq/mL, 7.4 GBq")),
    ("proceed", _dose_range(hs.medication_request("mr-1", "p1", 7.4), 7.4, 7.4)),
    ("proceed", _with(hs.service_request("sr-1", "p1", 7.4), "orderDetail", "7400 MBq IV")),
])
def test_statements_of_the_dose_activity_elsewhere_in_the_order_agree(tmp_path: Any, scenario: str,
                                                                      order: dict[str, Any]) -> None:
    assert _sign(tmp_path, scenario, order) == []


def test_the_card_names_where_the_order_states_another_activity(tmp_path: Any) -> None:
    order = _with(hs.medication_request("mr-1", "p1", 3.7), "text", "7.4 GBq")
    [found] = lutathera_orders(entries(order), "p1")
    assert ("dosageInstruction[0].text", 7.4) in found.stated
    [card] = _sign(tmp_path, "reduce", order)
    assert "it states different activities (3.7 GBq and 7.4 GBq); stated otherwise in" in card["detail"]


@pytest.mark.parametrize(("scenario", "gbq"), [("proceed", 7.4), ("reduce", 3.7)])
def test_an_order_stating_one_readable_activity_that_agrees_gets_no_card(tmp_path: Any, scenario: str,
                                                                        gbq: float) -> None:
    assert _sign(tmp_path, scenario, hs.medication_request("mr-1", "p1", gbq)) == []


def test_an_order_naming_another_patient_gets_a_critical_card_not_silence(tmp_path: Any) -> None:
    """In p1's chart, a draft order for Patient/p2 was left out and the answer was empty."""
    [card] = _sign(tmp_path, "withhold", hs.medication_request("mr-2", "p2", 7.4))
    assert card["indicator"] == "critical"
    assert card["summary"] == "Lutathera order for Patient/p2, not this chart's patient: not checked"
    assert "suggestions" not in card  # another patient's order is not this chart's to change


def test_beside_the_charts_own_order_the_other_patients_order_is_named_too(tmp_path: Any) -> None:
    resources, as_of = hs.scenario("withhold", "p1")
    orders = [hs.medication_request("mr-1", "p1", 7.4), hs.medication_request("mr-2", "p2", 7.4)]
    body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources), orders=orders)
    with hs.in_process(tmp_path, as_of=as_of) as running:
        cards = running.post("/cds-services/prrt-dose-check", json=body).json()["cards"]
    assert [c["summary"].split(":")[0] for c in cards] == [
        "Withhold Lutathera cycle 3", "Lutathera order for Patient/p2, not this chart's patient"]


def test_two_orders_of_the_reduced_activity_are_one_cycle_too_many(tmp_path: Any) -> None:
    """Two 3.7 GBq orders each agree with "reduce to 3.7 GBq": the answer was empty, for 7.4 GBq in all."""
    resources, as_of = hs.scenario("reduce", "p1")
    orders = [hs.medication_request("mr-1", "p1", 3.7), hs.medication_request("mr-2", "p1", 3.7)]
    body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources), orders=orders)
    with hs.in_process(tmp_path, as_of=as_of) as running:
        [card] = running.post("/cds-services/prrt-dose-check", json=body).json()["cards"]
    assert card["summary"] == "2 Lutathera orders for cycle 3 (7.4 GBq together): one cycle is one order"
    assert card["indicator"] == "warning"
    assert [s["actions"][0]["resourceId"] for s in card["suggestions"]] == [
        "MedicationRequest/mr-1", "MedicationRequest/mr-2"]


@pytest.mark.parametrize(("scenario", "gbq"), [("reduce", 7.4), ("proceed", 3.7)])
def test_two_orders_are_offered_no_change_that_accepted_twice_gives_the_cycle_twice(
        tmp_path: Any, scenario: str, gbq: float) -> None:
    """Before: beside the several-orders card, each order's card offered its own change (to 3.7 GBq in
    reduce, recommended; to 7.4 GBq in proceed): accepted on both, 7.4 GBq for a reduced cycle, 14.8 GBq
    for a full one. Now only removal is offered on them; the several-orders card says to keep one."""
    resources, as_of = hs.scenario(scenario, "p1")
    orders = [hs.medication_request("mr-1", "p1", gbq), hs.medication_request("mr-2", "p1", gbq)]
    body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources), orders=orders)
    with hs.in_process(tmp_path, as_of=as_of) as running:
        cards = running.post("/cds-services/prrt-dose-check", json=body).json()["cards"]
    assert cards[0]["summary"].endswith("one cycle is one order")
    per_order = cards[1:]
    assert len(per_order) == 2
    actions = [a["type"] for c in per_order for s in c.get("suggestions", []) for a in s["actions"]]
    assert actions == ["delete", "delete"]
    assert all("No change of this order is offered" in c["detail"] for c in per_order)
    assert all(c["detail"].rstrip().endswith(cards[0]["detail"].rpartition("\n\n")[2]) for c in per_order)


def test_one_order_is_still_offered_its_change(tmp_path: Any) -> None:
    """The other side: a single 7.4 GBq order in reduce keeps its recommended change to 3.7 GBq."""
    [card] = _sign(tmp_path, "reduce", hs.medication_request("mr-1", "p1", 7.4))
    assert [a["type"] for s in card["suggestions"] for a in s["actions"]] == ["update", "delete"]


def test_order_select_counts_the_other_unsigned_lutathera_orders(tmp_path: Any) -> None:
    """order-select's draftOrders hold every unsigned order of the session: selecting the second 3.7 GBq
    order beside the first is one infusion ordered twice. Before, order-select answered [] where
    order-sign, on the same drafts, warned."""
    resources, as_of = hs.scenario("reduce", "p1")
    orders = [hs.medication_request("mr-1", "p1", 3.7), hs.medication_request("mr-2", "p1", 3.7)]
    body = hs.hook_request("order-select", "p1", prefetch=hs.prefetch_for(resources), orders=orders,
                           selections=["MedicationRequest/mr-2"])
    with hs.in_process(tmp_path, as_of=as_of) as running:
        [card] = running.post("/cds-services/prrt-dose-check", json=body).json()["cards"]
    assert card["summary"] == "2 Lutathera orders for cycle 3 (7.4 GBq together): one cycle is one order"


def test_order_select_of_one_lutathera_order_beside_an_amino_acid_order_is_quiet(tmp_path: Any) -> None:
    resources, as_of = hs.scenario("proceed", "p1")
    body = hs.hook_request("order-select", "p1", prefetch=hs.prefetch_for(resources),
                           orders=[hs.medication_request("mr-1", "p1", 7.4)], selections=["MedicationRequest/mr-1"])
    with hs.in_process(tmp_path, as_of=as_of) as running:
        assert running.post("/cds-services/prrt-dose-check", json=body).json()["cards"] == []


@pytest.mark.parametrize(("occurrence", "early"), [
    ({"occurrenceDateTime": "2024-04-21T09:00:00Z"}, True),
    ({"occurrencePeriod": {"start": "2024-04-21", "end": "2024-04-23"}}, True),
    ({"occurrenceDateTime": "2024-04-22T09:00:00Z"}, False),
    ({"occurrenceDateTime": "2024-04"}, False),  # a month only: the day is not known, not judged
])
def test_a_service_request_planned_too_early_gets_a_warning(tmp_path: Any, occurrence: dict[str, Any],
                                                            early: bool) -> None:
    """Cycle 2 on 2024-03-04: the earliest day of cycle 3 is 2024-04-22 (49 days)."""
    resources = hs.prrt_record("p1", panels=[("2024-04-18", {})])
    order = {**hs.service_request("sr-1", "p1", 7.4), **occurrence}
    body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources), orders=[order])
    with hs.in_process(tmp_path, as_of="2024-04-18") as running:
        cards = running.post("/cds-services/prrt-dose-check", json=body).json()["cards"]
    assert [c["summary"].split(",")[0] for c in cards] == (
        ["Lutathera cycle 3 planned on 2024-04-21"] if early else [])


@pytest.mark.parametrize(("values", "named"), [({"platelets": 20.0}, True), ({}, False)])
def test_an_order_beyond_the_course_names_the_worst_grade_since_the_last_cycle(
        tmp_path: Any, values: dict[str, float], named: bool) -> None:
    """Before: a fifth cycle ordered with grade 4 thrombocytopenia read only 'beyond the planned 4 cycles'."""
    resources = hs.prrt_record("p1", ("2024-01-08", "2024-03-04", "2024-04-29", "2024-06-24"),
                               panels=[("2024-08-12", values)])
    body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources),
                           orders=[hs.medication_request("mr-1", "p1", 7.4)])
    with hs.in_process(tmp_path, as_of="2024-08-19") as running:
        [card] = running.post("/cds-services/prrt-dose-check", json=body).json()["cards"]
    suffix = "; cycle 4: worst CTCAE grade 4 Platelet count decreased"
    assert card["summary"] == "Lutathera cycle 5 is beyond the planned 4 cycles" + (suffix if named else "")
    assert ("Platelet count decreased grade 4" in card["detail"]) is named
