"""The five Synthea bundles of tests/data/synthea: every CBC / BMP / CMP result maps to a LabResult.

The expected Observations are found here from the raw JSON (DiagnosticReport.result of reports coded
58410-2 CBC, 51990-0 BMP, 24323-8 CMP), independently of the mapping under test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cds.cli import app
from cds.mapping import map_collected
from cds.reading import read_paths

SYNTHEA = Path(__file__).resolve().parents[3] / "tests" / "data" / "synthea"  # vendored: see its README
PANELS = {"58410-2", "51990-0", "24323-8"}  # CBC, BMP, CMP
# Distinct Observations referenced by those reports, per bundle (counted once, by hand, with jq/python).
EXPECTED_COUNTS = {
    "healthwallet_1055645-bundle.json": 324,
    "healthwallet_1143529-bundle.json": 264,
    "healthwallet_1195532-bundle.json": 102,
    "wasee11_Alvin56_Jerde200_53917de0-aa0c-0700-105a-4f7f893c62f6.json": 72,
    "wasee11_Daniel959_Villasenor332_2286ee8d-2dc3-2284-6b5b-1b7756957399.json": 113,
}



def test_the_vendored_bundles_are_all_present() -> None:
    """The records are part of the repository: a missing one is a failure, never a skip."""
    assert sorted(p.name for p in SYNTHEA.glob("*.json")) == sorted(EXPECTED_COUNTS)


def panel_results(bundle: dict[str, Any]) -> dict[str, str]:
    """``Observation/id`` -> LOINC code of every Observation a CBC/BMP/CMP report references."""
    by_url = {entry["fullUrl"]: entry["resource"] for entry in bundle["entry"]}
    found: dict[str, str] = {}
    for entry in bundle["entry"]:
        report = entry["resource"]
        if report["resourceType"] != "DiagnosticReport":
            continue
        codes = {
            c.get("code") for c in report["code"].get("coding", []) if c.get("system") == "http://loinc.org"
        }
        if not codes & PANELS:
            continue
        for result in report.get("result", []):
            observation = by_url[result["reference"]]
            assert observation["resourceType"] == "Observation"
            rid = observation.get("id") or result["reference"].rsplit(":", 1)[-1]
            found[f"Observation/{rid}"] = observation["code"]["coding"][0]["code"]
    return found


# Synthea writes values no patient can have: every platelet distribution width (32207-3) in hundreds of
# fL (platelets are about 10 fL), and most total proteins (2885-2) as g/L numbers labelled g/dL (63 g/dL).
# Those are "cannot grade: implausible value" (fhir_mappings/analytes.toml, plausible), never graded.
SYNTHEA_IMPLAUSIBLE = {"pdw": 28, "total_protein": 15}


def implausible(value: float, loinc: str) -> bool:
    """Synthea's impossible values, judged here from the raw JSON: PDW above 100 fL, total protein
    above 25 g/dL."""
    return (loinc == "32207-3" and value > 100) or (loinc == "2885-2" and value > 25)


def raw_values(bundle: dict[str, Any]) -> dict[str, float]:
    return {f"Observation/{e['resource']['id']}": e["resource"]["valueQuantity"]["value"]
            for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"
            and "id" in e["resource"] and "valueQuantity" in e["resource"]}


@pytest.mark.parametrize("name", sorted(EXPECTED_COUNTS))
def test_every_panel_result_is_a_lab_result(name: str) -> None:
    path = SYNTHEA / name
    bundle = json.loads(path.read_text(encoding="utf-8"))
    expected = panel_results(bundle)
    assert len(expected) == EXPECTED_COUNTS[name]
    values = raw_values(bundle)
    impossible = {ref for ref, loinc in expected.items() if implausible(values[ref], loinc)}

    mapped = map_collected(read_paths([path]))
    [record] = mapped.records.values()
    labs = {lab.ref: lab for lab in record.labs}
    mapped_panel = {ref for ref in expected if ref in labs}
    assert mapped_panel == set(expected) - impossible, sorted(set(expected) - mapped_panel - impossible)[:5]
    for ref in mapped_panel:
        assert labs[ref].loinc == expected[ref]
    refused = {u.ref: u.reason for u in record.ungradable if u.ref in expected}
    assert set(refused) == impossible
    assert all(reason.startswith("cannot grade: implausible value") for reason in refused.values())
    assert record.seen_patient_resource and record.patient.sex in ("male", "female")
    assert mapped.issues == []


def test_total_panel_results_across_all_five_bundles_read_as_a_directory() -> None:
    expected: set[str] = set()
    for name in EXPECTED_COUNTS:
        expected |= set(panel_results(json.loads((SYNTHEA / name).read_text(encoding="utf-8"))))
    mapped = map_collected(read_paths([SYNTHEA]))
    lab_refs = {lab.ref for record in mapped.records.values() for lab in record.labs}
    refused = [u for record in mapped.records.values() for u in record.ungradable if u.ref in expected]
    assert len(expected) == 875
    assert len(expected & lab_refs) == 875 - sum(SYNTHEA_IMPLAUSIBLE.values())
    assert {a: sum(1 for u in refused if u.analyte == a) for a in SYNTHEA_IMPLAUSIBLE} == SYNTHEA_IMPLAUSIBLE


def test_spot_checks_of_converted_synthea_values() -> None:
    # Synthea writes hemoglobin in g/dL, platelets in 10*3/uL and creatinine (38483-4) in mg/dL.
    mapped = map_collected(read_paths([SYNTHEA / "healthwallet_1055645-bundle.json"]))
    [record] = mapped.records.values()
    by_analyte: dict[str, list[Any]] = {}
    for lab in record.labs:
        by_analyte.setdefault(lab.analyte, []).append(lab)
    for lab in by_analyte["hemoglobin"]:
        assert (lab.unit, lab.reported_unit) == ("g/L", "g/dL")
        assert lab.value == pytest.approx(lab.reported_value * 10)
        assert lab.range_source == "default"  # Synthea labs carry no referenceRange
    for lab in by_analyte["creatinine"]:
        assert lab.value == pytest.approx(lab.reported_value * 88.42)
    assert all(lab.unit == "10*9/L" for lab in by_analyte["platelets"])


def test_evaluate_prints_the_contract_json_for_the_synthea_bundles() -> None:
    result = CliRunner().invoke(app, ["evaluate", *(str(SYNTHEA / n) for n in sorted(EXPECTED_COUNTS))])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {"ruleset_version", "patients", "issues"} <= set(document)
    assert len(document["patients"]) == 5
    for patient in document["patients"]:
        assert {
            "patient",
            "cycles",
            "toxicities",
            "responses",
            "best_overall_response",
            "alerts",
            "issues",
        } <= set(patient)
        assert patient["patient"].startswith("Patient/")
        assert all(issue["severity"] != "error" for issue in patient["issues"])
