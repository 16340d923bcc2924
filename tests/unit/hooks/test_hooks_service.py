"""The CDS Hooks service in this process (ASGI), on an emulated FHIR server: the answers a CDS client gets.

Every 200 answer is validated against the spec's response schema (tests/data/cds-hooks).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import hooks_support as hs
import pytest

from cds.hooks.app import create_app
from cds.hooks.store import CardRecord

TOXICITY = "/cds-services/prrt-toxicity"
DOSE = "/cds-services/prrt-dose-check"


@pytest.fixture
def data() -> hs.FhirData:
    return hs.FhirData()


@pytest.fixture
def service(tmp_path: Path, data: hs.FhirData) -> Iterator[hs.InProcess]:
    with hs.in_process(tmp_path, data) as running:
        yield running


def cards_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    document = response.json()
    assert hs.schema_errors("service-response", document) == []
    cards: list[dict[str, Any]] = document["cards"]
    return cards


def test_discovery_lists_both_services_valid_per_spec(service: hs.InProcess) -> None:
    response = service.get("/cds-services")
    assert response.status_code == 200
    document = response.json()
    assert hs.schema_errors("discovery-response", document) == []
    assert {(s["id"], s["hook"]) for s in document["services"]} == {
        ("prrt-toxicity", "patient-view"), ("prrt-dose-check", "order-select"), ("prrt-dose-check", "order-sign")}


@pytest.mark.parametrize(("name", "indicator"), [
    ("proceed", "info"), ("withhold", "critical"), ("reduce", "warning"), ("labs-needed", "warning"),
])
def test_patient_view_card_per_next_cycle_recommendation(tmp_path: Path, name: str, indicator: str) -> None:
    resources, as_of = hs.scenario(name, "p1")
    with hs.in_process(tmp_path, as_of=as_of) as running:
        body = hs.hook_request("patient-view", "p1", prefetch=hs.prefetch_for(resources))
        [card] = cards_of(running.post(TOXICITY, json=body))
        audit = running.components.store.cards(body["hookInstance"])
    assert card["indicator"] == indicator
    assert card["summary"].startswith("Lutathera cycle 3:")
    assert "cycle 2: " in card["summary"]
    # grade 0 terms are folded into one line; a table lists the terms graded 1 or higher
    assert "terms grade 0." in card["detail"] or "| Term | Grade |" in card["detail"]
    assert "Laboratory results used: labs of " in card["detail"]
    assert [row["card_uuid"] for row in audit] == [card["uuid"]]
    assert audit[0]["action"] == name and audit[0]["patient"] == "Patient/p1" and audit[0]["cycle"] == 3
    assert audit[0]["ruleset_version"].startswith("ctcae-5.0+lutathera-")


def test_patient_without_prrt_gets_no_card(service: hs.InProcess) -> None:
    resources = [r for r in hs.prrt_record("p2") if r["resourceType"] != "Procedure"]
    body = hs.hook_request("patient-view", "p2", prefetch=hs.prefetch_for(resources))
    assert cards_of(service.post(TOXICITY, json=body)) == []


def test_withhold_card_on_order_sign_suggests_removing_the_order(tmp_path: Path) -> None:
    resources, as_of = hs.scenario("withhold", "p1")
    order = hs.medication_request("mr-1", "p1")
    with hs.in_process(tmp_path, as_of=as_of) as running:
        body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources), orders=[order])
        [card] = cards_of(running.post(DOSE, json=body))
    assert card["indicator"] == "critical"
    assert card["summary"] == "Withhold Lutathera cycle 3: Platelet count decreased grade 2"
    assert card["selectionBehavior"] == "at-most-one"
    [suggestion] = card["suggestions"]
    assert suggestion["isRecommended"] is True
    assert suggestion["actions"] == [{"type": "delete", "description": "Remove the draft order MedicationRequest/mr-1",
                                      "resourceId": "MedicationRequest/mr-1"}]
    assert {r["system"] for r in card["overrideReasons"]} == {
        "http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes"}


def test_reduce_card_updates_the_order_to_the_reduced_activity(tmp_path: Path) -> None:
    resources, as_of = hs.scenario("reduce", "p1")
    order = hs.medication_request("mr-2", "p1", 7.4)
    with hs.in_process(tmp_path, as_of=as_of) as running:
        body = hs.hook_request("order-select", "p1", prefetch=hs.prefetch_for(resources), orders=[order])
        [card] = cards_of(running.post(DOSE, json=body))
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Reduce Lutathera cycle 3 to 3.7 GBq (ordered 7.4 GBq)")
    update, remove = card["suggestions"]
    [action] = update["actions"]
    assert action["type"] == "update" and update["isRecommended"] is True
    changed = action["resource"]
    assert changed["id"] == "mr-2"
    assert changed["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"] == {
        "value": 3.7, "unit": "GBq", "system": "http://unitsofmeasure.org", "code": "GBq"}
    assert changed["medicationCodeableConcept"] == order["medicationCodeableConcept"]
    assert remove["actions"][0]["type"] == "delete"


def test_an_order_already_at_the_reduced_activity_gets_no_card(tmp_path: Path) -> None:
    resources, as_of = hs.scenario("reduce", "p1")
    with hs.in_process(tmp_path, as_of=as_of) as running:
        body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources),
                               orders=[hs.service_request("sr-1", "p1", 3.7)])
        assert cards_of(running.post(DOSE, json=body)) == []


@pytest.mark.parametrize(("name", "action", "indicator"), [
    ("discontinue", "discontinue", "critical"), ("labs-needed", "labs-needed", "warning"),
])
def test_dose_check_cards(tmp_path: Path, name: str, action: str, indicator: str) -> None:
    resources, as_of = hs.scenario(name, "p1")
    with hs.in_process(tmp_path, as_of=as_of) as running:
        body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources),
                               orders=[hs.service_request("sr-2", "p1")])
        [card] = cards_of(running.post(DOSE, json=body))
        [row] = running.components.store.cards(body["hookInstance"])
    assert card["indicator"] == indicator
    assert row["action"] == action and row["order_ref"] == "ServiceRequest/sr-2"


def test_proceed_and_orders_without_lutathera_get_no_card(tmp_path: Path) -> None:
    resources, as_of = hs.scenario("proceed", "p1")
    with hs.in_process(tmp_path, as_of=as_of) as running:
        prefetch = hs.prefetch_for(resources)
        fine = hs.hook_request("order-sign", "p1", prefetch=prefetch, orders=[hs.medication_request("mr-3", "p1")])
        assert cards_of(running.post(DOSE, json=fine)) == []
        other = hs.hook_request("order-sign", "p1", orders=[hs.amoxicillin("mr-4", "p1")])  # no prefetch needed
        assert cards_of(running.post(DOSE, json=other)) == []


def test_order_select_looks_at_the_selected_orders_only(tmp_path: Path) -> None:
    resources, as_of = hs.scenario("withhold", "p1")
    orders = [hs.medication_request("mr-5", "p1"), hs.amoxicillin("mr-6", "p1")]
    with hs.in_process(tmp_path, as_of=as_of) as running:
        body = hs.hook_request("order-select", "p1", prefetch=hs.prefetch_for(resources), orders=orders,
                               selections=["MedicationRequest/mr-6"])
        assert cards_of(running.post(DOSE, json=body)) == []


def test_a_cycle_beyond_the_planned_course_is_flagged(tmp_path: Path) -> None:
    days = ("2024-01-08", "2024-03-04", "2024-04-29", "2024-06-24")
    resources = hs.prrt_record("p1", days, [("2024-08-12", {})])
    with hs.in_process(tmp_path, as_of="2024-08-19") as running:
        body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources),
                               orders=[hs.medication_request("mr-7", "p1")])
        [card] = cards_of(running.post(DOSE, json=body))
        toxicity = cards_of(running.post(TOXICITY, json=hs.hook_request(
            "patient-view", "p1", prefetch=hs.prefetch_for(resources))))
    assert card["summary"] == "Lutathera cycle 5 is beyond the planned 4 cycles"
    assert toxicity[0]["indicator"] == "info"
    assert toxicity[0]["summary"].startswith("Lutathera course complete (4 of 4 cycles given)")


def test_a_course_complete_card_says_which_results_are_dated_after_the_service_day(tmp_path: Path) -> None:
    """After the 4 planned cycles, results dated after the as-of day are graded on the card but are not
    the latest laboratory results it names: the card says so and is a warning, not an info card."""
    days = ("2024-01-08", "2024-03-04", "2024-04-29", "2024-06-24")
    resources = hs.prrt_record("p1", days, [("2024-07-15", {}), ("2024-07-25", {"platelets": 20.0})])
    with hs.in_process(tmp_path, as_of="2024-07-20") as running:
        [card] = cards_of(running.post(TOXICITY, json=hs.hook_request(
            "patient-view", "p1", prefetch=hs.prefetch_for(resources))))
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Lutathera course complete (4 of 4 cycles given)")
    assert card["summary"].endswith("8 laboratory results dated after 2024-07-20 not read")
    assert "Latest laboratory results: labs of 2024-07-15, 5 days old on 2024-07-20" in card["detail"]
    assert "Observation/p1-platelets-2024-07-25" in card["detail"]


def _chart_on(tmp_path: Path, resources: list[dict[str, Any]], moment: datetime) -> dict[str, Any]:
    """The patient-view card of a service whose clock reads ``moment`` (its "today" is the site's day)."""
    app = create_app(hs.service_settings(tmp_path, as_of=None), fhir_transport=hs.mock_transport(hs.FhirData(),
                                                                                                   hs.FHIR_BASE),
                     clock=lambda: moment)
    with hs.InProcess(app) as running:
        [card] = cards_of(running.post(TOXICITY, json=hs.hook_request("patient-view", "p1",
                                                                      prefetch=hs.prefetch_for(resources))))
    return card


@pytest.mark.parametrize(("cycle_4", "after"), [("2024-06-24", False), ("2024-06-25", True)])
def test_a_cycle_dated_after_the_service_day_is_counted_and_the_card_says_so(tmp_path: Path, cycle_4: str,
                                                                             after: bool) -> None:
    """A completed administration dated after the site's day (a date entered wrongly, a clock ahead, a planned
    one recorded as completed) stays counted as given: the card is a warning naming it. Before: "Lutathera
    course complete (4 of 4 cycles given)" as an info card, with no word of its date."""
    days = ("2024-01-08", "2024-03-04", "2024-04-29", cycle_4)
    resources = hs.prrt_record("p1", days, [("2024-06-17", {})])
    card = _chart_on(tmp_path, resources, datetime(2024, 6, 24, 12, 0, tzinfo=UTC))
    assert card["summary"].startswith("Lutathera course complete (4 of 4 cycles given)")
    notice = "1 Lutathera administration dated after 2024-06-24: counted as given; verify the date"
    if not after:
        assert card["indicator"] == "info"
        assert "dated after" not in card["summary"] and "dated after" not in card["detail"]
        return
    assert card["indicator"] == "warning" and "overrideReasons" in card
    assert card["summary"].endswith(notice)
    assert "**Lutathera administrations dated after 2024-06-24**" in card["detail"]
    assert "- cycle 4, 2024-06-25: Procedure/p1-cycle-4" in card["detail"]


def test_the_notice_of_cycles_dated_after_leads_the_summary_notices(tmp_path: Path) -> None:
    """As of 2024-03-10, cycles 3 and 4 (and the results after that day) lie ahead: the summary names the
    cycles first, within the 140 characters of a summary; the results not read are in the detail."""
    days = ("2024-01-08", "2024-03-04", "2024-04-29", "2024-06-24")
    resources = hs.prrt_record("p1", days, [("2024-02-26", {}), ("2024-04-22", {}), ("2024-06-17", {})])
    card = _chart_on(tmp_path, resources, datetime(2024, 3, 10, 9, 0, tzinfo=UTC))
    assert card["indicator"] == "warning"
    assert card["summary"] == ("Lutathera course complete (4 of 4 cycles given); 2 Lutathera administrations dated "
                               "after 2024-03-10: counted as given; verify the dates")
    assert "- cycle 3, 2024-04-29: Procedure/p1-cycle-3\n- cycle 4, 2024-06-24: Procedure/p1-cycle-4" in card["detail"]
    assert "**Laboratory results dated after 2024-03-10**" in card["detail"]


def _order_cards(tmp_path: Path, cycles: tuple[str, ...], panels: list[tuple[str, dict[str, float]]], as_of: str,
                 hook: str = "order-sign") -> list[dict[str, Any]]:
    resources = hs.prrt_record("p1", cycles, panels)
    selected = {"selections": ["MedicationRequest/mr-1"]} if hook == "order-select" else {}
    body = hs.hook_request(hook, "p1", prefetch=hs.prefetch_for(resources),
                           orders=[hs.medication_request("mr-1", "p1")], **selected)
    return hs.posted_cards(tmp_path, DOSE, body, as_of)


@pytest.mark.parametrize("hook", ["order-sign", "order-select"])
@pytest.mark.parametrize(("cycle_3", "after"), [("2024-04-29", False), ("2024-04-30", True)])
def test_an_order_the_rules_agree_with_in_a_chart_with_a_cycle_dated_after_today_gets_a_warning(
        tmp_path: Path, hook: str, cycle_3: str, after: bool) -> None:
    """Cycle 3 recorded as given on 2024-04-30, the order signed on 2024-04-29: the order is checked as cycle 4,
    and the card says on what. Before: no card, which reads as "the order agrees"."""
    cards = _order_cards(tmp_path, ("2024-01-08", "2024-03-04", cycle_3), [("2024-04-22", {}), ("2024-06-18", {})],
                         "2024-04-29", hook)
    if not after:
        assert cards == []
        return
    [card] = cards
    assert card["indicator"] == "warning"
    assert card["summary"] == ("Lutathera cycle 4 order: 1 Lutathera administration dated after 2024-04-29: counted "
                               "as given; verify the date")
    assert "- cycle 3, 2024-04-30: Procedure/p1-cycle-3" in card["detail"]
    assert [s["label"] for s in card["suggestions"]] == ["Remove the Lutathera order"]


@pytest.mark.parametrize(("cycles", "panels", "as_of", "indicator", "lead"), [
    (("2024-01-08", "2024-03-04", "2024-04-29", "2024-06-25"), [("2024-06-17", {})], "2024-06-24", "warning",
     "Lutathera cycle 5 is beyond the planned 4 cycles"),
    (("2024-01-08", "2024-03-04", "2024-04-30"), [("2024-06-18", {"platelets": 60.0})], "2024-04-29", "critical",
     "Withhold Lutathera cycle 4"),
])
def test_the_card_of_an_order_in_such_a_chart_says_so_and_keeps_its_colour(
        tmp_path: Path, cycles: tuple[str, ...], panels: list[tuple[str, dict[str, float]]], as_of: str,
        indicator: str, lead: str) -> None:
    [card] = _order_cards(tmp_path, cycles, panels, as_of)
    assert card["indicator"] == indicator
    assert card["summary"].startswith(lead)
    assert card["summary"].endswith(
        f"1 Lutathera administration dated after {as_of}: counted as given; verify the date")
    assert f"- cycle {len(cycles)}, {cycles[-1]}: Procedure/p1-cycle-{len(cycles)}" in card["detail"]


def test_results_up_to_the_day_decided_on_add_no_notice(tmp_path: Path) -> None:
    resources, as_of = hs.scenario("proceed", "p1")
    [card] = hs.posted_cards(tmp_path, TOXICITY, hs.hook_request("patient-view", "p1",
                                                                 prefetch=hs.prefetch_for(resources)), as_of)
    assert card["indicator"] == "info" and "not read" not in card["summary"]


# --- data the client did not prefetch ----------------------------------------------------------------


def test_missing_prefetch_is_fetched_from_the_fhir_server_with_the_token(service: hs.InProcess,
                                                                         data: hs.FhirData) -> None:
    resources, _ = hs.scenario("withhold", "p3")
    data.add("p3", resources)
    body = hs.hook_request("patient-view", "p3", fhir_server=hs.FHIR_BASE, token="secret-fhir-token")
    [card] = cards_of(service.post(TOXICITY, json=body))
    assert card["indicator"] == "critical"
    paths = [path for path, _ in data.requests]
    assert all(auth == "Bearer secret-fhir-token" for _, auth in data.requests)
    assert "/Patient/p3" in paths
    searches = [p for p in paths if p.startswith("/Observation?")]
    assert searches and all("_count=200" in p or "_page=" in p for p in searches)


def test_pages_of_a_search_are_followed(tmp_path: Path, data: hs.FhirData) -> None:
    resources, _ = hs.scenario("withhold", "p4")
    data.add("p4", resources)
    with hs.in_process(tmp_path, data, fhir_page_size=5) as running:
        body = hs.hook_request("patient-view", "p4", fhir_server=hs.FHIR_BASE)
        [card] = cards_of(running.post(TOXICITY, json=body))
    assert card["indicator"] == "critical"  # the thrombocytopenia is on a later page
    assert sum("_page=" in path for path, _ in data.requests) >= 3  # 16 labs, 5 a page


def test_null_prefetch_means_no_data(service: hs.InProcess, data: hs.FhirData) -> None:
    resources, _ = hs.scenario("withhold", "p5")
    prefetch = hs.prefetch_for(resources)
    prefetch.update(performanceStatus=None, tumourAssessments=None, medicationAdministrations=None)
    body = hs.hook_request("patient-view", "p5", prefetch=prefetch, fhir_server=hs.FHIR_BASE)
    [card] = cards_of(service.post(TOXICITY, json=body))
    assert card["indicator"] == "critical"
    assert data.requests == []  # nothing fetched: null is an answer
    assert "Data not available" not in card["detail"]


@pytest.mark.parametrize("labs", [None, {"resourceType": "Bundle", "type": "searchset", "total": 0, "entry": []}],
                         ids=["null", "empty-bundle"])
def test_a_prrt_patient_with_no_laboratory_result_on_record_needs_labs(service: hs.InProcess, labs: Any) -> None:
    """null (CDS Hooks 2.0: the client has no data) and an empty searchset say the same: no result on
    record. A patient in a PRRT course then gets "laboratory results needed", never the empty answer."""
    prefetch = hs.prefetch_for(hs.prrt_record("p1"))
    prefetch["labs"] = labs
    [card] = cards_of(service.post(TOXICITY, json=hs.hook_request("patient-view", "p1", prefetch=prefetch)))
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Lutathera cycle 3: laboratory results needed first")


def test_every_key_null_is_a_record_without_prrt_and_every_key_missing_is_412(service: hs.InProcess) -> None:
    """null is the client's answer "no data" (no administration: no card, usageRequirements); a key left
    out is data not had (required, no fhirServer: 412), never read as "no data"."""
    keys = ["patient", *hs.SEARCH_KEYS]
    nothing = service.post(TOXICITY, json=hs.hook_request("patient-view", "p1", prefetch=dict.fromkeys(keys)))
    assert cards_of(nothing) == []
    missing = service.post(TOXICITY, json=hs.hook_request("patient-view", "p1", prefetch={}))
    assert missing.status_code == 412
    assert missing.json()["detail"] == ("required data not available: patient, labs, procedures, "
                                        "medicationAdministrations")


def test_operation_outcome_for_required_data_is_412(service: hs.InProcess, data: hs.FhirData) -> None:
    resources, _ = hs.scenario("withhold", "p6")
    prefetch = hs.prefetch_for(resources)
    prefetch["labs"] = {"resourceType": "OperationOutcome",
                        "issue": [{"severity": "error", "code": "timeout", "diagnostics": "lab system down"}]}
    body = hs.hook_request("patient-view", "p6", prefetch=prefetch, fhir_server=hs.FHIR_BASE)
    response = service.post(TOXICITY, json=body)
    assert response.status_code == 412
    assert response.json()["detail"] == "required data not available: labs"
    assert data.requests == []  # the client said it could not: no follow-up query


def test_operation_outcome_for_optional_data_is_named_on_the_card(service: hs.InProcess) -> None:
    resources, _ = hs.scenario("withhold", "p7")
    prefetch = hs.prefetch_for(resources)
    prefetch["tumourAssessments"] = {"resourceType": "OperationOutcome", "issue": [{"severity": "error",
                                                                                   "code": "exception"}]}
    [card] = cards_of(service.post(TOXICITY, json=hs.hook_request("patient-view", "p7", prefetch=prefetch)))
    assert "**Data not available**" in card["detail"] and "tumour assessments" in card["detail"]


def test_missing_prefetch_without_a_fhir_server_is_412(service: hs.InProcess) -> None:
    resources, _ = hs.scenario("withhold", "p8")
    prefetch = hs.prefetch_for(resources)
    del prefetch["procedures"]
    response = service.post(TOXICITY, json=hs.hook_request("patient-view", "p8", prefetch=prefetch))
    assert response.status_code == 412
    assert "procedures" in response.json()["detail"]


@pytest.mark.parametrize("failure", [(500, "error"), (200, "outcome-200"), (200, "entry-outcome"), (401, "error")])
def test_fhir_server_failure_for_required_data_is_412(service: hs.InProcess, data: hs.FhirData,
                                                      failure: tuple[int, str]) -> None:
    resources, _ = hs.scenario("withhold", "p9")
    data.add("p9", resources)
    data.failures["p9:Observation"] = failure
    response = service.post(TOXICITY, json=hs.hook_request("patient-view", "p9", fhir_server=hs.FHIR_BASE))
    assert response.status_code == 412


def test_a_fhir_server_not_allowed_is_never_called(service: hs.InProcess, data: hs.FhirData) -> None:
    body = hs.hook_request("patient-view", "p10", fhir_server="https://elsewhere.example.test/fhir")
    assert service.post(TOXICITY, json=body).status_code == 412
    assert data.requests == []


def test_a_next_link_to_another_server_is_not_followed(service: hs.InProcess, data: hs.FhirData) -> None:
    resources, _ = hs.scenario("withhold", "p11")
    prefetch = hs.prefetch_for(resources)
    prefetch["labs"]["link"] = [{"relation": "next", "url": "https://elsewhere.example.test/fhir/Observation?p=2"}]
    body = hs.hook_request("patient-view", "p11", prefetch=prefetch, fhir_server=hs.FHIR_BASE)
    assert service.post(TOXICITY, json=body).status_code == 412
    assert data.requests == []


def test_a_paginated_prefetch_is_completed_from_the_fhir_server(service: hs.InProcess, data: hs.FhirData) -> None:
    resources, _ = hs.scenario("withhold", "p12")
    data.add("p12", resources)
    prefetch = hs.prefetch_for(resources)
    labs = prefetch["labs"]["entry"]
    low = [e for e in labs if e["resource"]["id"] == "p12-platelets-2024-04-22"]
    prefetch["labs"]["entry"] = [e for e in labs if e not in low]  # the grade 2 result is on the next page
    query = "&".join(f"code={c}" for c in ("777-3",))
    prefetch["labs"]["link"] = [{"relation": "next", "url": f"{hs.FHIR_BASE}/Observation?patient=p12&{query}"}]
    body = hs.hook_request("patient-view", "p12", prefetch=prefetch, fhir_server=hs.FHIR_BASE)
    [card] = cards_of(service.post(TOXICITY, json=body))
    assert card["indicator"] == "critical"


def _truncated_labs(pid: str) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    """A record whose latest panel (platelets grade 2: withhold) is missing from the labs prefetch, which
    still says how many results the search matched (``total``) and has no ``next`` link."""
    resources, as_of = hs.scenario("proceed", pid)
    resources += hs.panel(pid, "2024-04-27", platelets=60.0)
    prefetch = hs.prefetch_for(resources)
    labs = prefetch["labs"]["entry"]
    prefetch["labs"]["total"] = len(labs)
    prefetch["labs"]["entry"] = [e for e in labs if not e["resource"]["id"].endswith("2024-04-27")]
    return resources, prefetch, as_of


@pytest.mark.parametrize(("hook", "path", "orders"), [
    ("patient-view", TOXICITY, False), ("order-sign", DOSE, True)])
def test_a_prefetch_bundle_short_of_its_total_is_not_read_as_the_whole_record(
        tmp_path: Path, hook: str, path: str, orders: bool) -> None:
    """It answered "proceed" (patient-view) and no card (order-sign: "the order agrees") from the labs
    the truncated Bundle held: the missing results are data not available, never "none on record"."""
    _, prefetch, as_of = _truncated_labs("p14")
    body = hs.hook_request(hook, "p14", prefetch=prefetch,
                           orders=[hs.medication_request("lu-1", "p14")] if orders else ())
    with hs.in_process(tmp_path, as_of=as_of) as running:
        response = running.post(path, json=body)
    assert response.status_code == 412, response.text
    assert "labs" in response.json()["detail"]


def test_a_prefetch_bundle_short_of_its_total_is_fetched_whole_from_the_fhir_server(tmp_path: Path) -> None:
    resources, prefetch, as_of = _truncated_labs("p15")
    data = hs.FhirData()
    data.add("p15", resources)
    body = hs.hook_request("order-sign", "p15", prefetch=prefetch, orders=[hs.medication_request("lu-1", "p15")],
                           fhir_server=hs.FHIR_BASE)
    with hs.in_process(tmp_path, data, as_of=as_of) as running:
        cards = cards_of(running.post(DOSE, json=body))
    assert any(path.startswith("/Observation?") for path, _ in data.requests)
    assert [c["indicator"] for c in cards if c["summary"].startswith("Withhold")] == ["critical"]


def test_a_fhir_search_answering_fewer_entries_than_its_total_is_not_available(tmp_path: Path) -> None:
    resources, as_of = hs.scenario("withhold", "p16")
    data = hs.FhirData()
    data.add("p16", resources)
    data.failures["p16:Observation"] = (200, "truncated")  # one entry of the search's total, no next link
    body = hs.hook_request("patient-view", "p16", fhir_server=hs.FHIR_BASE)
    with hs.in_process(tmp_path, data, as_of=as_of) as running:
        response = running.post(TOXICITY, json=body)
    assert response.status_code == 412, response.text
    assert "labs" in response.json()["detail"]


def test_a_total_counting_another_patients_entries_left_out_is_still_the_whole_record(tmp_path: Path) -> None:
    resources, as_of = hs.scenario("withhold", "p17")
    prefetch = hs.prefetch_for(resources)
    other = hs.panel("p18", "2024-04-22")
    prefetch["labs"]["entry"] += [{"resource": r} for r in other]
    prefetch["labs"]["total"] = len(prefetch["labs"]["entry"])
    body = hs.hook_request("patient-view", "p17", prefetch=prefetch)
    with hs.in_process(tmp_path, as_of=as_of) as running:
        cards = cards_of(running.post(TOXICITY, json=body))
    assert [c["indicator"] for c in cards] == ["critical"]


# --- requests a client must not send ------------------------------------------------------------------


@pytest.mark.parametrize(("body", "message"), [
    (b"{not json", "the body is not JSON"),
    (b"", "the body is not JSON"),
    (b'{"hook": NaN}', "the body is not acceptable JSON: NaN is not JSON"),
    (b'{"hook": "patient-view", "hook": "order-sign"}',
     "the body is not acceptable JSON: duplicate key in a JSON object"),
    (b"[1, 2]", "the body must be a JSON object"),
    (b'{"hook": "patient-view", "context": {}}', "hookInstance: Field required"),
])
def test_malformed_requests_are_400(service: hs.InProcess, body: bytes, message: str) -> None:
    response = service.post(TOXICITY, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["detail"] == message


def test_wrong_hook_and_bad_context_are_400_with_a_short_message(service: hs.InProcess) -> None:
    wrong = service.post(TOXICITY, json=hs.hook_request("order-sign", "p1"))
    assert wrong.status_code == 400
    assert wrong.json()["detail"] == "service prrt-toxicity answers the hook(s) patient-view"
    bad = hs.hook_request("patient-view", "p1")
    bad["context"]["patientId"] = "p1&_include=*"
    response = service.post(TOXICITY, json=bad)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("context.patientId:")
    assert "_include" not in response.text


def test_unknown_service_is_404(service: hs.InProcess) -> None:
    assert service.post("/cds-services/no-such", json=hs.hook_request("patient-view", "p1")).status_code == 404
    assert service.post("/cds-services/no-such/feedback", json={"feedback": []}).status_code == 404


def test_a_body_over_the_limit_is_413(tmp_path: Path) -> None:
    with hs.in_process(tmp_path, max_body_bytes=2048) as running:
        response = running.post(TOXICITY, content=b" " * 4096, headers={"Content-Type": "application/json"})
    assert response.status_code == 413


# --- feedback -----------------------------------------------------------------------------------------


def issued(service: hs.InProcess, card_uuid: str, service_id: str = "prrt-toxicity") -> None:
    """Put a card in the audit as if the service had issued it (the spec's examples name their own uuids)."""
    service.components.store.record_cards([CardRecord(
        card_uuid=card_uuid, hook_instance="h-1", service_id=service_id, hook="patient-view", patient="Patient/p1",
        ruleset_version="test", issued_at=datetime.now(UTC), indicator="info", action="proceed")])


def test_spec_feedback_examples_are_stored_once(service: hs.InProcess) -> None:
    for name in ("24-feedback-accepted.json", "25-feedback-overridden-no-reason.json",
                 "26-feedback-overridden-with-reason.json"):
        body = hs.reference_json(f"spec-2.0.1/{name}")
        known = {c["card_uuid"] for c in service.components.store.cards()}
        for card in {item["card"] for item in body["feedback"]} - known:
            issued(service, card)
        first = service.post(f"{TOXICITY}/feedback", json=body)
        again = service.post(f"{TOXICITY}/feedback", json=body)
        assert (first.status_code, first.json()) == (200, {"stored": 1, "alreadyStored": 0})
        assert (again.status_code, again.json()) == (200, {"stored": 0, "alreadyStored": 1})
    rows = service.components.store.feedback()
    assert [r["outcome"] for r in rows] == ["accepted", "overridden", "overridden"]
    assert rows[0]["accepted_suggestions"] == ["e56e1945-20b3-4393-8503-a1a20fd73152"]
    assert rows[2]["override_code"] == "d7ecf885" and rows[2]["user_comment"] == "A comment entered by the clinician."


@pytest.mark.parametrize(("item", "message"), [
    ({"card": "c", "outcome": "accepted", "outcomeTimestamp": "2021-12-11T10:05:31Z"},
     "an accepted outcome needs acceptedSuggestions"),
    ({"card": "c", "outcome": "accepted", "acceptedSuggestions": [], "outcomeTimestamp": "2021-12-11T10:05:31Z"},
     "at least 1 item"),
    ({"card": "c", "outcome": "ignored", "outcomeTimestamp": "2021-12-11T10:05:31Z"}, "outcome"),
    ({"card": "c", "outcome": "overridden", "outcomeTimestamp": "2021-12-11T10:05:31"}, "timezone"),
    ({"card": "c", "outcome": "overridden", "outcomeTimestamp": "2021-12-11T10:05:31Z", "overrideReason": {}},
     "overrideReason needs a reason or a userComment"),
])
def test_invalid_feedback_is_400(service: hs.InProcess, item: dict[str, Any], message: str) -> None:
    response = service.post(f"{DOSE}/feedback", json={"feedback": [item]})
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_feedback_on_an_issued_card(tmp_path: Path) -> None:
    resources, as_of = hs.scenario("reduce", "p1")
    with hs.in_process(tmp_path, as_of=as_of) as running:
        body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources),
                               orders=[hs.medication_request("mr-8", "p1")])
        [card] = cards_of(running.post(DOSE, json=body))
        feedback = {"feedback": [{"card": card["uuid"], "outcome": "accepted",
                                  "acceptedSuggestions": [{"id": card["suggestions"][0]["uuid"]}],
                                  "outcomeTimestamp": "2024-04-29T10:00:00Z"}]}
        assert hs.schema_errors("feedback-request", feedback) == []
        assert running.post(f"{DOSE}/feedback", json=feedback).json() == {"stored": 1, "alreadyStored": 0}
        [row] = running.components.store.feedback(card["uuid"])
    assert row["service_id"] == "prrt-dose-check"


@pytest.mark.parametrize("scenario", ["reduce", "proceed"])
def test_feedback_accepting_a_suggestion_the_card_did_not_offer_is_400_and_not_stored(
        tmp_path: Path, scenario: str) -> None:
    """Before: any suggestion id was stored as accepted, so the audit could say a clinician accepted a
    change no card offered. reduce: the card offers its own suggestions, another id is refused; proceed:
    the patient-view card offers none, so no acceptance of it can be true."""
    resources, as_of = hs.scenario(scenario, "p1")
    with hs.in_process(tmp_path, as_of=as_of) as running:
        if scenario == "reduce":
            body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources),
                                   orders=[hs.medication_request("mr-8", "p1")])
            path = DOSE
        else:
            body = hs.hook_request("patient-view", "p1", prefetch=hs.prefetch_for(resources))
            path = TOXICITY
        [card] = cards_of(running.post(path, json=body))
        offered = [s["uuid"] for s in card.get("suggestions", [])]
        feedback = {"feedback": [{"card": card["uuid"], "outcome": "accepted",
                                  "acceptedSuggestions": [{"id": i} for i in [*offered[:1], str(uuid.uuid4())]],
                                  "outcomeTimestamp": "2024-04-29T10:00:00Z"}]}
        response = running.post(f"{path}/feedback", json=feedback)
        assert (response.status_code, response.json()["detail"]) == (
            400, "an accepted suggestion was not offered on its card")
        assert running.components.store.feedback() == []
        [row] = running.components.store.cards(body["hookInstance"])
    assert row["suggestions"] == offered


# --- the spec's own examples ---------------------------------------------------------------------------


def test_spec_patient_view_example_gets_a_spec_answer(service: hs.InProcess, data: hs.FhirData) -> None:
    """04-request-patient-view: our keys are not prefetched and its fhirServer is not allowed: 412."""
    body = hs.reference_json("spec-2.0.1/04-request-patient-view.json")
    response = service.post(TOXICITY, json=body)
    assert response.status_code == 412
    assert data.requests == []


def test_spec_patient_view_example_on_an_allowed_empty_server(tmp_path: Path) -> None:
    body = hs.reference_json("spec-2.0.1/04-request-patient-view.json")
    data = hs.FhirData()
    server = body["fhirServer"]
    app = create_app(hs.service_settings(tmp_path, fhir_servers=[server]),
                     fhir_transport=hs.mock_transport(data, server))
    with hs.InProcess(app) as app:
        response = app.post(TOXICITY, json=body)
    assert cards_of(response) == []  # no PRRT administration on record: no card
    assert {auth for _, auth in data.requests} == {"Bearer some-opaque-fhir-access-token"}


def test_spec_extension_example_lacks_the_patient_and_is_400(service: hs.InProcess) -> None:
    body = hs.reference_json("spec-2.0.1/37-request-with-extension.json")
    response = service.post(TOXICITY, json=body)
    assert response.status_code == 400
    assert response.json()["detail"] == "context.patientId: Field required"


def test_spec_order_contexts_without_lutathera_get_no_cards(service: hs.InProcess) -> None:
    for name, hook in (("order-sign-context-0-r4.json", "order-sign"), ("order-select-context-0-r4.json",
                                                                         "order-select")):
        context = hs.reference_json(f"hook-library/{name}")["context"]
        body = {"hook": hook, "hookInstance": f"spec-{hook}", "context": context}
        assert cards_of(service.post(DOSE, json=body)) == []


# --- what the log holds --------------------------------------------------------------------------------


def test_logs_hold_no_patient_data_and_no_token(service: hs.InProcess, data: hs.FhirData,
                                                caplog: pytest.LogCaptureFixture) -> None:
    resources, _ = hs.scenario("withhold", "secret-patient-42")
    data.add("secret-patient-42", resources)
    caplog.set_level(logging.DEBUG)
    body = hs.hook_request("patient-view", "secret-patient-42", fhir_server=hs.FHIR_BASE, token="tok-very-secret")
    assert service.post(TOXICITY, json=body).status_code == 200
    service.post(TOXICITY, content=json.dumps({"hook": "patient-view", "x": "secret-patient-42"}).encode())
    text = caplog.text
    assert "prrt-toxicity patient-view: 1 card(s)" in text
    assert "secret-patient-42" not in text and "tok-very-secret" not in text


def test_a_fhir_server_that_times_out_is_412_and_never_a_5xx(tmp_path: Path) -> None:
    import httpx

    def slow(request: httpx.Request) -> httpx.Response:
        if "/Observation" in str(request.url):
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(200, json={"resourceType": "Bundle", "type": "searchset"})

    app = create_app(hs.service_settings(tmp_path), fhir_transport=httpx.MockTransport(slow))
    with hs.InProcess(app) as running:
        response = running.post(TOXICITY, json=hs.hook_request("patient-view", "p1", fhir_server=hs.FHIR_BASE))
    assert response.status_code == 412
    assert response.json()["detail"] == "required data not available: labs"


@pytest.mark.parametrize("patient", [
    {"resourceType": "Patient", "id": "p9", "birthDate": "1961-13-45"},  # fails FHIR R4B validation
    {"resourceType": "Patient", "id": "p9", "gender": 5},
])
def test_an_order_for_a_patient_whose_only_resource_is_unusable_gets_labs_needed_not_an_empty_answer(
        tmp_path: Path, patient: dict[str, Any]) -> None:
    from cds.hooks.api.discovery import templates

    prefetch: dict[str, Any] = {t.key: None for t in templates()}
    prefetch["patient"] = patient
    body = hs.hook_request("order-sign", "p9", prefetch=prefetch, orders=[hs.medication_request("mr-9", "p9")])
    with hs.in_process(tmp_path) as running:
        card, pregnancy = cards_of(running.post(DOSE, json=body))
        audit = running.components.store.cards(body["hookInstance"])
    assert card["summary"].startswith("Laboratory results needed before Lutathera cycle 1")
    assert card["indicator"] == "warning"
    # sex and age unknown: pregnancy is not excluded, which asks for a card of its own
    assert pregnancy["summary"].startswith("Before Lutathera cycle 1: verify pregnancy status")
    assert [row["card_uuid"] for row in audit] == [card["uuid"], pregnancy["uuid"]]


@pytest.mark.parametrize(("platelets", "grade", "indicator"), [
    (60.0, 2, "info"), (50.0, 2, "info"), (49.9, 3, "warning"), (20.0, 4, "warning")])
def test_after_the_course_a_severe_grade_since_the_last_cycle_makes_the_card_a_warning(
        tmp_path: Path, platelets: float, grade: int, indicator: str) -> None:
    """No cycle decides anything after the planned course, so no recommendation raises the card; a CTCAE
    grade 3 or 4 since the last cycle (after_course_warning_grade) still does. Before: grade 4
    thrombocytopenia after cycle 4 was an info card."""
    days = ("2024-01-08", "2024-03-04", "2024-04-29", "2024-06-24")
    resources = hs.prrt_record("p1", days, [("2024-07-15", {"platelets": platelets})])
    [card] = hs.posted_cards(tmp_path, TOXICITY, hs.hook_request("patient-view", "p1",
                                                                 prefetch=hs.prefetch_for(resources)), "2024-07-20")
    assert card["indicator"] == indicator
    assert card["summary"].startswith(f"Lutathera course complete (4 of 4 cycles given); cycle 4: worst CTCAE grade "
                                      f"{grade} Platelet count decreased")
    assert ("follow it up" in card["detail"]) is (indicator == "warning")
