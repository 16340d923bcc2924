"""Cycles recorded as MedicationAdministrations that name their medication by reference (as many EHRs
write them). The Medication is outside the patient compartment, so no prefetch template of the
recommended subset can ask for it: the service reads the Medications it lacks from the FHIR server in one
search, and where it cannot, the answer is "not fully checked", never an answer that forgot the cycles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import factories as fx
import hooks_support as hs

DOSE = "/cds-services/prrt-dose-check"
TOXICITY = "/cds-services/prrt-toxicity"


def _record(pid: str) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    """Cycle 3 due with normal labs; cycles 1 and 2 given as MedicationAdministrations of Medication/lu."""
    resources, as_of = hs.scenario("proceed", pid)
    resources = [r for r in resources if r["resourceType"] != "Procedure"]
    for number, day in ((1, "2024-01-08T09:30:00Z"), (2, "2024-03-04T09:30:00Z")):
        resources.append(fx.medication_administration(f"{pid}-ma-{number}", day, patient=f"Patient/{pid}",
                                                      medication_ref="Medication/lu"))
    medication = {**fx.medication("lutathera", rxnorm="1999687", text=None), "id": "lu"}
    return resources, medication, as_of


def _post(tmp_path: Path, data: hs.FhirData, body: dict[str, Any], path: str, as_of: str) -> list[dict[str, Any]]:
    return hs.posted_cards(tmp_path, path, body, as_of, data)


def test_the_medication_is_read_from_the_fhir_server_and_the_cycles_count(tmp_path: Path) -> None:
    """Before: the administrations were not recognised, and patient-view had no card at all (no cycle)."""
    resources, medication, as_of = _record("p1")
    data = hs.FhirData()
    data.add("p1", [medication])
    body = hs.hook_request("patient-view", "p1", prefetch=hs.prefetch_for(resources), fhir_server=hs.FHIR_BASE)
    [card] = _post(tmp_path, data, body, TOXICITY, as_of)
    assert card["summary"].startswith("Lutathera cycle 3: proceed at 7.4 GBq")
    assert [path for path, _ in data.requests if path.startswith("/Medication")] == ["/Medication?_id=lu&_count=200"]


def test_without_the_medication_an_order_is_not_fully_checked(tmp_path: Path) -> None:
    """No FHIR server to read it from: before, the order read as cycle 1 and could get the empty answer."""
    resources, _, as_of = _record("p1")
    body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources),
                           orders=[hs.medication_request("mr-1", "p1", 7.4)])
    cards = _post(tmp_path, hs.FhirData(), body, DOSE, as_of)
    assert [c["summary"] for c in cards][-1].endswith(
        "not fully checked: the Medications the medication records name not available")


def test_patient_view_without_the_medication_says_the_history_is_not_fully_checked(tmp_path: Path) -> None:
    """Every cycle recorded by reference and no FHIR server to read the Medication from: before, no
    card at all, which reads as "this patient has no PRRT course" for a patient due for cycle 3."""
    resources, _, as_of = _record("p1")
    body = hs.hook_request("patient-view", "p1", prefetch=hs.prefetch_for(resources))
    [card] = _post(tmp_path, hs.FhirData(), body, TOXICITY, as_of)
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("PRRT course not fully checked")
    assert "the Medications the medication records name not available" in card["summary"]
    assert "which administrations are Lutathera cycles" in card["detail"]


def test_patient_view_of_a_patient_without_medication_records_still_has_no_card(tmp_path: Path) -> None:
    """The other side: no medication record names a Medication, nothing is missing, no PRRT course."""
    resources, _, as_of = _record("p1")
    resources = [r for r in resources if r["resourceType"] != "MedicationAdministration"]
    body = hs.hook_request("patient-view", "p1", prefetch=hs.prefetch_for(resources))
    assert _post(tmp_path, hs.FhirData(), body, TOXICITY, as_of) == []
