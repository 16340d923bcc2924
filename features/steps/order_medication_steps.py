"""Steps for draft orders that name their Medication by a reference the call does not send: the EHR's FHIR
server may hold it (the service reads it there), or not (the order is then "not fully checked").

    When a Lutathera order of 7.4 GBq naming its Medication by a reference without a name is signed on 2024-04-29,
         with the Medication on the FHIR server | with a FHIR server that does not hold it
    (one line in a scenario)
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import factories as fx
import hooks_support as hs
from pytest_bdd import parsers, when

from steps.chart import PATIENT, Chart
from steps.hooks_steps import HookOutcome
from steps.patterns import DATE


@when(parsers.re(r"a Lutathera order of (?P<gbq>\d+(?:\.\d+)?) GBq naming its Medication by a reference without a "
                 rf"name is signed on (?P<day>{DATE}), with (?P<where>the Medication on the FHIR server|a FHIR "
                 r"server that does not hold it)"), target_fixture="hook_outcome")
def order_by_unnamed_reference(chart: Chart, gbq: str, day: str, where: str) -> HookOutcome:
    """order-sign with a MedicationRequest whose ``medicationReference`` is "Medication/lu-177" without a
    ``display``; the request names the FHIR server (with a token), which holds the Lutathera Medication or not."""
    pid = PATIENT.split("/")[1]
    order = hs.medication_request("lutathera-order", pid, float(gbq))
    del order["medicationCodeableConcept"]
    order["medicationReference"] = {"reference": "Medication/lu-177"}
    data = hs.FhirData()
    if where.startswith("the Medication"):
        data.add("medications", [{**fx.medication("lutathera"), "id": "lu-177"}])
    body = hs.hook_request("order-sign", pid, prefetch=hs.prefetch_for(chart.resources()), orders=[order],
                           fhir_server=hs.FHIR_BASE)
    with tempfile.TemporaryDirectory() as folder, hs.in_process(Path(folder), data, as_of=day) as running:
        response = running.post("/cds-services/prrt-dose-check", json=body)
        audit = running.components.store.cards(body["hookInstance"])
    assert response.status_code == 200, response.text
    document = response.json()
    assert hs.schema_errors("service-response", document) == [], "the answer is not a valid CDS Hooks response"
    assert any(path.startswith("/Medication?_id=lu-177") for path, _ in data.requests), data.requests
    return HookOutcome(status=response.status_code, cards=document["cards"], audit=audit)
