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

SYNTHEA = Path(__file__).resolve().parents[2] / "tests" / "data" / "synthea"  # vendored: see its README
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


@pytest.mark.parametrize("name", sorted(EXPECTED_COUNTS))
def test_every_panel_result_is_a_lab_result(name: str) -> None:
    path = SYNTHEA / name
    expected = panel_results(json.loads(path.read_text(encoding="utf-8")))
    assert len(expected) == EXPECTED_COUNTS[name]

    mapped = map_collected(read_paths([path]))
    [record] = mapped.records.values()
    labs = {lab.ref: lab for lab in record.labs}
    mapped_panel = {ref for ref in expected if ref in labs}
    assert len(mapped_panel) == len(expected), sorted(set(expected) - mapped_panel)[:5]
    for ref, loinc in expected.items():
        assert labs[ref].loinc == loinc
    assert not [u for u in record.ungradable if u.ref in expected]
    assert record.seen_patient_resource and record.patient.sex in ("male", "female")
    assert mapped.issues == []


def test_total_panel_results_across_all_five_bundles_read_as_a_directory() -> None:
    expected: set[str] = set()
    for name in EXPECTED_COUNTS:
        expected |= set(panel_results(json.loads((SYNTHEA / name).read_text(encoding="utf-8"))))
    mapped = map_collected(read_paths([SYNTHEA]))
    lab_refs = {lab.ref for record in mapped.records.values() for lab in record.labs}
    assert len(expected) == 875
    assert len(expected & lab_refs) == 875


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
