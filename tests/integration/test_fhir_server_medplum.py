"""The FHIR fallback against a real FHIR server: Medplum's FHIR router over its in-memory repository
(tests/fhir_server/, exact versions in its package-lock.json), started on a free loopback port and
loaded with the test patient through FHIR POSTs.

What the hand-written emulation cannot show comes from a real server's search semantics: the
service's own prefetch templates as searches (token lists, status, the patient reference), ``_count``,
paging through ``next`` links, a 404 read, and an OperationOutcome. The first run installs the
server's packages with ``npm ci``; skipped, with the reason, only where Node.js is absent (or older
than Medplum supports).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import factories as fx
import hooks_support as hs
import httpx
import pytest

from cds.hooks.api.discovery import templates
from cds.hooks.app import create_app
from cds.hooks.fhir.client import DataUnavailable, FhirClient
from cds.hooks.fhir.prefetch import render

SERVER = Path(__file__).resolve().parents[1] / "fhir_server"
NODE, NPM = shutil.which("node"), shutil.which("npm")
NODE_AT_LEAST = (20, 19)  # @medplum/fhir-router 4.5.2: engines node ^20.19.0 || >=22.12.0
TOXICITY = "/cds-services/prrt-toxicity"
PAGE = 3  # a small _count, so that every search of the record spans several pages


def _node_reason() -> str | None:
    if NODE is None or NPM is None:
        return "Node.js (node and npm) is not installed"
    version = subprocess.run([NODE, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    parts = tuple(int(p) for p in version.lstrip("v").split(".")[:2])
    if parts < NODE_AT_LEAST:
        return f"Node.js {version} is older than Medplum 4.5.2 supports (20.19)"
    return None


def _install() -> None:
    """``npm ci`` from the committed lock file, when the packages are not there yet (a fresh clone)."""
    if (SERVER / "node_modules" / "@medplum" / "fhir-router" / "package.json").exists():
        return
    assert NPM is not None
    done = subprocess.run([NPM, "ci", "--no-audit", "--no-fund"], cwd=SERVER, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"npm ci failed:\n{done.stderr[-3000:]}"


class MedplumServer:
    def __init__(self) -> None:
        assert NODE is not None
        self.port = hs.free_port()
        self.base = f"http://127.0.0.1:{self.port}/fhir"
        self.output = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop); a pipe nobody reads could block
        self.process = subprocess.Popen([NODE, "--import", "./ws-global.mjs", "server.mjs", str(self.port)],
                                        cwd=SERVER, stdout=self.output, stderr=subprocess.STDOUT,
                                        preexec_fn=hs._die_with_parent)  # gone with the test run, even killed
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.output.seek(0)
                output = self.output.read().decode(errors="replace")
                raise RuntimeError(f"the FHIR server exited {self.process.returncode}:\n{output[-3000:]}")
            try:
                if httpx.get(f"{self.base}/metadata", timeout=1).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("the FHIR server did not answer in 60 s")

    def post(self, resource: dict[str, Any]) -> dict[str, Any]:
        response = httpx.post(f"{self.base}/{resource['resourceType']}", json=resource,
                              headers={"Content-Type": "application/fhir+json"}, timeout=10)
        assert response.status_code in (200, 201), response.text
        created: dict[str, Any] = response.json()
        return created

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.output.close()


@pytest.fixture(scope="module")
def medplum() -> Iterator[MedplumServer]:
    reason = _node_reason()
    if reason:
        pytest.skip(reason)
    _install()
    server = MedplumServer()
    try:
        yield server
    finally:
        server.stop()


def _load(server: MedplumServer, resources: list[dict[str, Any]]) -> None:
    for resource in resources:
        created = server.post(resource)
        assert created["id"] == resource["id"]  # the references between them still hold


@pytest.fixture(scope="module")
def withhold_patient(medplum: MedplumServer) -> str:
    pid = hs.distinct("medplum")
    resources, _ = hs.scenario("withhold", pid)
    _load(medplum, resources)
    return pid


def _service(folder: Path, base: str, **settings: Any) -> hs.InProcess:
    values = {"fhir_servers": [base], "fhir_allow_private_networks": True, "fhir_page_size": PAGE, **settings}
    return hs.InProcess(create_app(hs.service_settings(folder, **values)))  # real HTTP, no mock transport


def test_the_service_finds_the_record_through_its_own_templates(tmp_path: Path, medplum: MedplumServer,
                                                                 withhold_patient: str) -> None:
    body = hs.hook_request("patient-view", withhold_patient, fhir_server=medplum.base)
    with _service(tmp_path, medplum.base) as service:
        response = service.post(TOXICITY, json=body)
    assert response.status_code == 200, response.text
    [card] = response.json()["cards"]
    assert card["indicator"] == "critical"  # the platelets of 60 of the last panel: withhold
    assert "Data not available" not in card["detail"]


def _client(http: httpx.AsyncClient, **options: Any) -> FhirClient:
    return FhirClient(http, page_size=options.pop("page_size", PAGE), max_pages=options.pop("max_pages", 50),
                      allowed=[options.pop("base")], allow_private=True)


def test_every_template_search_pages_through_next_links_to_the_servers_total(medplum: MedplumServer,
                                                                             withhold_patient: str) -> None:
    async def run() -> dict[str, tuple[int, int, int]]:
        found = {}
        async with httpx.AsyncClient(timeout=10) as http:
            client = _client(http, base=medplum.base)
            for template in templates():
                if template.is_read:
                    continue
                relative = render(template.query, withhold_patient)
                first = (await http.get(f"{medplum.base}/{relative}&_count={PAGE}")).json()
                merged = await client.search(medplum.base, relative, None)
                found[template.key] = (len(merged["entry"]), first["total"], len(first.get("entry", [])))
        return found

    found = asyncio.run(run())
    resources, _ = hs.scenario("withhold", withhold_patient)
    expected = {key: len(bundle["entry"]) for key, bundle in hs.prefetch_for(resources).items() if key != "patient"}
    assert {key: merged for key, (merged, _, _) in found.items()} == expected
    assert all(merged == total for merged, total, _ in found.values())
    assert all(first_page <= PAGE for _, _, first_page in found.values())  # _count honoured
    assert found["labs"][0] > 2 * PAGE  # the labs took three pages at least


def test_a_page_limit_stops_a_search_of_a_real_server(medplum: MedplumServer, withhold_patient: str) -> None:
    async def run() -> None:
        async with httpx.AsyncClient(timeout=10) as http:
            client = _client(http, base=medplum.base, max_pages=1)
            labs = next(t for t in templates() if t.key == "labs")
            await client.search(medplum.base, render(labs.query, withhold_patient), None)

    with pytest.raises(DataUnavailable, match="more pages than allowed"):
        asyncio.run(run())


def test_a_read_of_a_patient_the_server_does_not_hold_is_no_data(medplum: MedplumServer) -> None:
    async def run() -> Any:
        async with httpx.AsyncClient(timeout=10) as http:
            raw = await http.get(f"{medplum.base}/Patient/no-such-patient")
            assert raw.status_code == 404 and raw.json()["resourceType"] == "OperationOutcome"
            return await _client(http, base=medplum.base).read(medplum.base, "Patient/no-such-patient", None)

    assert asyncio.run(run()) is None


def test_an_unknown_patient_gets_no_card_and_no_error(tmp_path: Path, medplum: MedplumServer) -> None:
    body = hs.hook_request("patient-view", "no-such-patient", fhir_server=medplum.base)
    with _service(tmp_path, medplum.base) as service:
        response = service.post(TOXICITY, json=body)
    assert (response.status_code, response.json()) == (200, {"cards": []})  # no PRRT on record: no card


def test_an_operation_outcome_from_the_server_makes_required_data_unavailable(
        tmp_path: Path, medplum: MedplumServer, withhold_patient: str) -> None:
    resources, _ = hs.scenario("withhold", withhold_patient)
    prefetch = hs.prefetch_for(resources)
    # A page the client began; its next link asks the server something it refuses with an OperationOutcome.
    prefetch["labs"]["link"] = [{"relation": "next", "url": f"{medplum.base}/Observation?patient=Patient/"
                                 f"{withhold_patient}&date=not-a-date"}]
    refused = httpx.get(prefetch["labs"]["link"][0]["url"], timeout=10)
    assert refused.status_code == 400 and refused.json()["resourceType"] == "OperationOutcome"
    body = hs.hook_request("patient-view", withhold_patient, prefetch=prefetch, fhir_server=medplum.base)
    with _service(tmp_path, medplum.base) as service:
        response = service.post(TOXICITY, json=body)
    assert response.status_code == 412
    assert response.json()["detail"] == "required data not available: labs"


def test_the_real_server_is_not_called_without_private_networks_allowed(tmp_path: Path, medplum: MedplumServer,
                                                                        withhold_patient: str) -> None:
    body = hs.hook_request("patient-view", withhold_patient, fhir_server=medplum.base)
    with _service(tmp_path, medplum.base, fhir_allow_private_networks=False) as service:
        response = service.post(TOXICITY, json=body)
    assert response.status_code == 412  # loopback: refused before any connection


DOSE = "/cds-services/prrt-dose-check"


def _order_by_reference(pid: str, reference: str) -> dict[str, Any]:
    order = hs.medication_request("lutathera-order", pid, 7.4)
    del order["medicationCodeableConcept"]
    order["medicationReference"] = {"reference": reference}  # no display: only the Medication tells
    return order


def test_an_orders_medication_not_sent_is_read_from_a_real_server(tmp_path: Path, medplum: MedplumServer,
                                                                    withhold_patient: str) -> None:
    """The order's Medication is on the server only: it is read there, and the cycle to withhold is said.
    Before, the Medication was not read and the answer was no card."""
    mid = hs.distinct("lutathera")
    medplum.post({**fx.medication("lutathera"), "id": mid})
    body = hs.hook_request("order-sign", withhold_patient, fhir_server=medplum.base,
                           orders=[_order_by_reference(withhold_patient, f"Medication/{mid}")])
    with _service(tmp_path, medplum.base) as service:
        response = service.post(DOSE, json=body)
    assert response.status_code == 200, response.text
    [card] = response.json()["cards"]
    assert (card["indicator"], card["summary"]) == ("critical",
                                                    "Withhold Lutathera cycle 3: Platelet count decreased grade 2")


def test_an_orders_medication_a_real_server_lacks_leaves_it_not_fully_checked(tmp_path: Path, medplum: MedplumServer,
                                                                              withhold_patient: str) -> None:
    body = hs.hook_request("order-sign", withhold_patient, fhir_server=medplum.base,
                           orders=[_order_by_reference(withhold_patient, "Medication/no-such-medication")])
    with _service(tmp_path, medplum.base) as service:
        response = service.post(DOSE, json=body)
    assert response.status_code == 200, response.text
    [card] = response.json()["cards"]
    assert card["indicator"] == "warning"
    assert card["summary"] == ("Order MedicationRequest/lutathera-order not fully checked: its Medication could not "
                               "be read; if Lutathera, cycle 3: withhold")
