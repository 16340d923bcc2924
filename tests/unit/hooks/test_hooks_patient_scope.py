"""Never an answer about the wrong patient: resources not of ``context.patientId`` are left out and counted,
and a prefetch key holding only another patient's data is treated as not prefetched (issue 10, section 9)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import factories as fx
import hooks_support as hs
import pytest

from cds.hooks.fhir.patient_scope import PatientScope

TOXICITY = "/cds-services/prrt-toxicity"
DOSE = "/cds-services/prrt-dose-check"
AS_OF = "2024-04-29"  # the day the "withhold" scenario decides cycle 3


def others_prefetch() -> dict[str, Any]:
    """Every template key filled with another patient's record, whose labs say withhold."""
    resources, _ = hs.scenario("withhold", "pf-owner")
    return hs.prefetch_for(resources)


def request(hook: str, prefetch: dict[str, Any] | None, fhir_server: str | None = None) -> dict[str, Any]:
    orders = [] if hook == "patient-view" else [hs.medication_request("mr-c", "ctx-c")]
    return hs.hook_request(hook, "ctx-c", prefetch=prefetch, orders=orders, fhir_server=fhir_server)


def post(tmp_path: Path, body: dict[str, Any], data: hs.FhirData | None = None) -> Any:
    with hs.in_process(tmp_path, data, as_of=AS_OF) as running:
        return running.post(TOXICITY if body["hook"] == "patient-view" else DOSE, json=body)


@pytest.mark.parametrize("hook", ["order-sign", "order-select", "patient-view"])
def test_a_prefetch_of_another_patient_without_a_fhir_server_is_412_never_all_is_well(tmp_path: Path,
                                                                                       hook: str) -> None:
    response = post(tmp_path, request(hook, others_prefetch()))  # before: 200 {"cards": []}
    assert response.status_code == 412, response.text
    assert "patient" in response.text and "labs" in response.text and "pf-owner" not in response.text


def test_the_control_with_every_prefetch_key_null_asks_for_labs(tmp_path: Path) -> None:
    nulls = dict.fromkeys(others_prefetch())
    card, pregnancy = post(tmp_path, request("order-sign", nulls)).json()["cards"]
    assert card["summary"].startswith("Laboratory results needed before Lutathera cycle 1")
    assert pregnancy["summary"].startswith("Before Lutathera cycle 1: verify pregnancy status")  # not excluded


@pytest.mark.parametrize("hook", ["order-sign", "order-select", "patient-view"])
def test_a_prefetch_of_another_patient_is_fetched_for_the_context_patient(tmp_path: Path, hook: str) -> None:
    data = hs.FhirData()
    own, _ = hs.scenario("reduce", "ctx-c")
    data.add("ctx-c", own)
    response = post(tmp_path, request(hook, others_prefetch(), fhir_server=hs.FHIR_BASE), data)
    assert response.status_code == 200, response.text
    [card] = response.json()["cards"]
    # the context patient's own record decides (reduce), not the other patient's (withhold)
    assert card["indicator"] == "warning" and "3.7 GBq" in card["summary"], card["summary"]
    fetched = {path.split("?")[0] for path, _ in data.requests}
    assert {"/Patient/ctx-c", "/Observation", "/Procedure"} <= fetched  # (no administration was prefetched)
    assert "resource(s) sent with this request do not belong to this patient" in card["detail"]


def test_mixed_prefetch_evaluates_only_the_patient_and_counts_the_others(tmp_path: Path,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    own, as_of = hs.scenario("proceed", "mix-me")
    prefetch = hs.prefetch_for(own)
    # another patient's panel (platelets 60 x10^9/L) and cycle, beside the patient's own normal record:
    # before, they were evaluated too (as that other patient); now they are left out and counted
    theirs = hs.panel("mix-other", "2024-04-23", platelets=60.0)
    prefetch["labs"]["entry"] += [{"resource": r} for r in theirs]
    prefetch["procedures"]["entry"].append({"resource": fx.procedure("other-cycle", "2024-03-20",
                                                                     patient="Patient/mix-other")})
    body = hs.hook_request("patient-view", "mix-me", prefetch=prefetch)
    with caplog.at_level(logging.INFO), hs.in_process(tmp_path, as_of=as_of) as running:
        response = running.post(TOXICITY, json=body)
    [card] = response.json()["cards"]
    assert card["indicator"] == "info" and "proceed" in card["summary"], card["summary"]
    assert f"**Not evaluated**: {len(theirs) + 1} resource(s)" in card["detail"]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"{len(theirs) + 1} resource(s) not of the context patient left out" in logged
    assert "mix-other" not in logged and "other-cycle" not in logged


def test_a_fhir_server_answering_with_another_patient_is_412(tmp_path: Path) -> None:
    data = hs.FhirData()
    data.add("ctx-c", [fx.patient("pf-owner", gender="female", birth_date=hs.PATIENT_BORN)])
    response = post(tmp_path, request("patient-view", None, fhir_server=hs.FHIR_BASE), data)
    assert response.status_code == 412, response.text
    assert "patient" in response.json().get("detail", response.text)


# --- what belongs to the patient ----------------------------------------------------------------------

SERVER = "https://ehr.example.test/fhir"


def observation(subject: Any = None, **members: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Observation", "id": "o", **members}
    if subject is not None:
        resource["subject"] = subject if isinstance(subject, dict) else {"reference": subject}
    return resource


@pytest.mark.parametrize(("resource", "server", "verdict"), [
    (observation("Patient/p1"), SERVER, True),
    (observation(f"{SERVER}/Patient/p1"), SERVER, True),
    (observation("HTTPS://EHR.example.test/fhir/Patient/p1"), SERVER + "/", True),
    (observation("Patient/p1/_history/3"), SERVER, True),
    (observation("https://elsewhere.test/fhir/Patient/p1"), SERVER, False),  # the same id on another server
    (observation("https://elsewhere.test/fhir/Patient/p1"), None, True),
    (observation("Patient/p2"), SERVER, False),
    (observation("Group/p1"), SERVER, False),
    (observation("#p1"), SERVER, False),
    (observation("urn:uuid:6d3c0f5e-0000-4000-8000-000000000001"), SERVER, False),  # no Bundle defines it
    (observation({"identifier": {"system": "urn:mrn", "value": "p1"}}), SERVER, False),
    (observation({"display": "p1"}), SERVER, False),
    (observation(), SERVER, False),
    (observation("Patient/p1", patient={"reference": "Patient/p2"}), SERVER, False),
    ({"resourceType": "Patient", "id": "p1"}, SERVER, True),
    ({"resourceType": "Patient", "id": "p2"}, SERVER, False),
    ({"resourceType": "Patient"}, SERVER, False),
    (fx.body_structure("b", "liver", patient="Patient/p1"), SERVER, True),
    (fx.body_structure("b", "liver", patient="Patient/p2"), SERVER, False),
    (fx.medication("lu"), SERVER, None),
])
def test_what_belongs_to_the_patient(resource: dict[str, Any], server: str | None, verdict: bool | None) -> None:
    assert PatientScope("p1", server).belongs(resource) is verdict


def test_a_urn_uuid_alias_of_a_transaction_bundle_resolves_to_the_patient() -> None:
    bundle = fx.transaction_bundle([fx.patient("p1"), fx.lab("l1", "platelets", 200, "10*9/L", patient="Patient/p1")],
                                   keep_ids=True)
    scope = PatientScope.of("p1", None, {"labs": bundle})
    lab = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation")
    assert lab["subject"]["reference"].startswith("urn:uuid:")
    assert scope.belongs(lab) is True
    assert PatientScope.of("p2", None, {"labs": bundle}).belongs(lab) is False


def test_prefetch_keys_filtered_kept_or_treated_as_missing() -> None:
    mine, theirs = fx.lab("m", "platelets", 200, "10*9/L", patient="Patient/p1"), \
        fx.lab("t", "platelets", 60, "10*9/L", patient="Patient/p2")
    outcome = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "processing"}]}
    scope = PatientScope("p1", None)
    scoped = scope.prefetch({
        "patient": fx.patient("p2"), "labs": fx.bundle([mine, theirs], "searchset"),
        "procedures": fx.bundle([fx.procedure("x", "2024-01-08", patient="Patient/p2")], "searchset"),
        "bodyWeight": fx.bundle([], "searchset"), "performanceStatus": None, "tumourAssessments": outcome,
    })
    assert scoped is not None
    assert "patient" not in scoped and "procedures" not in scoped  # only another patient's: not prefetched
    assert [e["resource"]["id"] for e in scoped["labs"]["entry"]] == ["m"]
    assert scoped["bodyWeight"]["entry"] == [] and scoped["performanceStatus"] is None
    assert scoped["tumourAssessments"] == outcome
    assert scope.dropped == 3
    assert scope.note() is not None and "3 resource(s)" in scope.note()  # type: ignore[operator]


def test_prefetched_data_is_not_filtered_again_unless_fetched_data_changes_an_alias() -> None:
    from cds.hooks.fhir.prefetch import Resolved

    mine = fx.lab("m", "platelets", 200, "10*9/L", patient="urn:uuid:who")
    patients = {"resourceType": "Bundle", "type": "searchset",
                "entry": [{"fullUrl": "urn:uuid:who", "resource": fx.patient("p1")}]}
    prefetch = {"patient": patients, "labs": fx.bundle([mine], "searchset")}
    scope = PatientScope.of("p1", None, prefetch)
    scoped = scope.prefetch(prefetch)
    assert scoped is not None and [e["resource"]["id"] for e in scoped["labs"]["entry"]] == ["m"]

    # nothing fetched: the prefetched data stays as it was scoped, the very same objects
    resolved = Resolved(data=dict(scoped))
    scope.resolved(resolved, [])
    assert resolved.data["labs"] is scoped["labs"] and scope.dropped == 0

    # the FHIR server's answer says urn:uuid:who is another patient: the lab is no longer the patient's
    other = {"resourceType": "Bundle", "type": "searchset",
             "entry": [{"fullUrl": "urn:uuid:who", "resource": fx.patient("p2")}]}
    resolved = Resolved(data={**scoped, "bodyWeight": other}, fetched={"bodyWeight"})
    scope.resolved(resolved, [])
    assert "labs" not in resolved.data and scope.dropped == 2  # the lab, and the other Patient fetched
