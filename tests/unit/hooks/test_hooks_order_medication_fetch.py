"""Draft orders that name their Medication by a reference the call does not send (neither contained, nor
among ``draftOrders``, nor in the prefetch): the service reads it from ``fhirServer`` with the prefetch's
client, and checks the order as it would with the Medication sent. When it cannot be read, the answer is
"not fully checked", never the empty one that reads as "the order agrees"."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import factories as fx
import hooks_support as hs
import httpx

from cds.hooks.fhir.client import FhirClient
from cds.hooks.fhir.order_medications import order_medications

DOSE = "/cds-services/prrt-dose-check"
NOT_CHECKED = "not fully checked: its Medication could not be read"


def _order(display: str | None = None, reference: str = "Medication/med-1") -> dict[str, Any]:
    order = hs.medication_request("lutathera-order", "p1", 7.4)
    del order["medicationCodeableConcept"]
    order["medicationReference"] = {"reference": reference} | ({"display": display} if display else {})
    return order


def _lutathera(mid: str = "med-1") -> dict[str, Any]:
    return {**fx.medication("lutathera"), "id": mid}


def _call(tmp_path: Path, name: str, order: dict[str, Any], *, data: hs.FhirData | None = None,
          server: bool = True, resources: list[dict[str, Any]] | None = None,
          with_amino_acids: bool = True, prefetched: tuple[dict[str, Any], ...] = ()) -> list[dict[str, Any]]:
    """``prefetched``: Medications the prefetch's medicationRequests Bundle holds besides the record."""
    record, as_of = hs.scenario(name, "p1")
    prefetch = hs.prefetch_for(resources if resources is not None else record)
    prefetch["medicationRequests"]["entry"] += [{"resource": m} for m in prefetched]
    body = hs.hook_request("order-sign", "p1", prefetch=prefetch, orders=[order],
                           fhir_server=hs.FHIR_BASE if server else None, with_amino_acids=with_amino_acids)
    return hs.posted_cards(tmp_path, DOSE, body, as_of, data)


def _server_with(*medications: dict[str, Any]) -> hs.FhirData:
    data = hs.FhirData()
    data.add("medications", medications)
    return data


def _medication_searches(data: hs.FhirData) -> list[tuple[str, str | None]]:
    return [(path, auth) for path, auth in data.requests if path.startswith("/Medication")]


def test_a_reference_without_a_name_is_read_from_the_fhir_server_and_the_order_checked(tmp_path: Path) -> None:
    """Before: no card at all for a cycle to withhold (the order was no Lutathera order)."""
    data = _server_with(_lutathera())
    [card] = _call(tmp_path, "withhold", _order(), data=data)
    assert card["indicator"] == "critical"
    assert card["summary"].startswith("Withhold Lutathera cycle 3")
    assert _medication_searches(data) == [("/Medication?_id=med-1&_count=200", "Bearer fhir-access-token-for-tests")]


def test_a_reference_named_lutathera_and_read_from_the_server_is_checked_fully(tmp_path: Path) -> None:
    """Before: "not fully checked: its Medication was not read" although the server had it; now the
    order agrees with the rules, and there is no card."""
    data = _server_with(_lutathera())
    assert _call(tmp_path, "proceed", _order("Lutathera"), data=data) == []


def test_a_medication_the_server_reads_as_another_one_is_not_a_lutathera_order(tmp_path: Path) -> None:
    amoxicillin = {**fx.medication("x", rxnorm="617993", text="Amoxicillin 500 MG"), "id": "med-1"}
    assert _call(tmp_path, "withhold", _order(), data=_server_with(amoxicillin)) == []


def test_a_medication_in_the_prefetch_is_used_without_asking_the_server(tmp_path: Path) -> None:
    data = hs.FhirData()
    [card] = _call(tmp_path, "withhold", _order(), data=data, prefetched=(_lutathera(),))
    assert card["summary"].startswith("Withhold Lutathera cycle 3")
    assert _medication_searches(data) == []


def test_without_a_fhir_server_the_order_is_not_fully_checked(tmp_path: Path) -> None:
    """Before: ``[]`` for a PRRT patient whose cycle 3 is to be withheld."""
    [card] = _call(tmp_path, "withhold", _order(), server=False)
    assert card["indicator"] == "warning"
    assert card["summary"] == (f"Order MedicationRequest/lutathera-order {NOT_CHECKED}; if Lutathera, cycle 3: "
                               "withhold")
    assert "This patient has 2 Lutathera cycles recorded" in card["detail"]
    assert "Recommendation if this is a Lutathera cycle: cycle 3" in card["detail"]
    assert "suggestions" not in card


def test_a_server_error_or_a_medication_it_lacks_leaves_the_order_not_fully_checked(tmp_path: Path) -> None:
    failing = hs.FhirData()
    failing.failures[":Medication"] = (500, "error")
    for number, data in enumerate((failing, hs.FhirData())):
        folder = tmp_path / str(number)
        folder.mkdir()
        [card] = _call(folder, "withhold", _order(), data=data)
        assert NOT_CHECKED in card["summary"]
        assert len(_medication_searches(data)) == 1


def test_a_reference_named_lutathera_that_cannot_be_read_keeps_its_not_fully_checked_card(tmp_path: Path) -> None:
    [card] = _call(tmp_path, "proceed", _order("Lutathera"), data=hs.FhirData())
    assert card["summary"].startswith("Lutathera cycle 3 order not fully checked")


def test_a_contained_reference_that_resolves_to_nothing_is_not_fully_checked(tmp_path: Path) -> None:
    [card] = _call(tmp_path, "proceed", _order(reference="#med"), data=hs.FhirData())
    assert NOT_CHECKED in card["summary"]
    assert "proceed at 7.4 GBq" in card["summary"]


def test_in_a_patient_with_no_sign_of_prrt_such_an_order_gets_no_card(tmp_path: Path) -> None:
    """No cycle recorded, no amino-acid order drafted with it, every medication record read: an order
    for any medication of any patient would otherwise carry the card."""
    record, _ = hs.scenario("proceed", "p1")
    without_cycles = [r for r in record if r["resourceType"] != "Procedure"]
    assert _call(tmp_path, "proceed", _order(), server=False, resources=without_cycles,
                 with_amino_acids=False) == []


def test_an_amino_acid_order_beside_it_is_a_sign_of_prrt(tmp_path: Path) -> None:
    record, _ = hs.scenario("proceed", "p1")
    without_cycles = [r for r in record if r["resourceType"] != "Procedure"]
    [card] = _call(tmp_path, "proceed", _order(), server=False, resources=without_cycles)
    assert NOT_CHECKED in card["summary"]
    assert "amino-acid renal protection order" in card["detail"]


def test_an_unrelated_order_with_its_medication_code_still_gets_no_card_and_no_fhir_call(tmp_path: Path) -> None:
    data = hs.FhirData()
    assert _call(tmp_path, "withhold", hs.amoxicillin("amox-1", "p1"), data=data, with_amino_acids=False) == []
    assert data.requests == []


def test_a_server_slower_than_the_timeout_gives_no_medication() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, json={"resourceType": "Bundle", "type": "searchset", "entry": [
            {"resource": _lutathera()}]})

    async def run() -> list[dict[str, Any]]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(slow)) as http:
            client = FhirClient(http, page_size=50, max_pages=5, allowed=[hs.FHIR_BASE], allow_private=True)
            return await order_medications(client, 0.05, None, hs.FHIR_BASE, "token", ["med-1"])

    assert asyncio.run(run()) == []
