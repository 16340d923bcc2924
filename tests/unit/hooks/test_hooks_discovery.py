"""Discovery and the prefetch templates: what is asked for, and in the spec's recommended query subset."""

from __future__ import annotations

from urllib.parse import parse_qs

import hooks_support as hs

from cds.ctcae.table import table as ctcae_table
from cds.dose.table import table as dose_table
from cds.hooks.api.discovery import discovery_document, lab_analytes, templates
from cds.hooks.fhir.prefetch import render
from cds.tables import analytes


def test_discovery_is_valid_per_the_spec_schema() -> None:
    assert hs.schema_errors("discovery-response", discovery_document()) == []


def test_labs_bring_every_loinc_code_the_rules_read() -> None:
    needed = {t.analyte for t in ctcae_table("5.0").terms} | set(dose_table().required_analytes)
    needed |= {"creatinine_clearance", "inr", "neutrophils_pct", "lymphocytes_pct"}
    needed |= {"glucose_fasting"}  # also graded as glucose (Hypoglycemia): its code is fetched too
    needed |= {"calcium_corrected"}  # a laboratory's corrected calcium, also graded as calcium
    assert set(lab_analytes()) == needed
    labs = next(t for t in templates() if t.key == "labs")
    codes = set(parse_qs(labs.query.split("?", 1)[1])["code"][0].split(","))
    assert codes == {f"http://loinc.org|{code}" for key in needed for code in analytes().analytes[key].loinc}


def test_templates_stay_in_the_recommended_subset() -> None:
    for template in templates():
        if template.is_read:
            assert template.query == "Patient/{{context.patientId}}"
            continue
        kind, query = template.query.split("?", 1)
        params = parse_qs(query)
        assert kind in ("Observation", "Procedure", "MedicationAdministration", "Condition", "MedicationStatement",
                        "MedicationRequest")
        assert params["patient"] == ["{{context.patientId}}"]
        assert set(params) <= {"patient", "code", "status"}  # token equality, reference
        assert template.query.count("{{") == 1


def test_required_and_optional_data() -> None:
    required = {t.key for t in templates() if t.required}
    assert required == {"patient", "labs", "procedures", "medicationAdministrations"}


def test_the_patient_id_is_quoted_into_the_query() -> None:
    assert render("Patient/{{context.patientId}}", "a.b-1") == "Patient/a.b-1"
    assert render("Observation?patient={{context.patientId}}", "x&y") == "Observation?patient=Patient/x%26y"
    assert render("Observation?subject={{context.patientId}}", "x&y") == "Observation?subject=x%26y"


def test_administrations_are_asked_for_in_every_status_that_counts() -> None:
    """A cycle stopped before completion counts (fhir_mappings/codes.toml stopped_status), and an analogue
    being given counts for the washout: a prefetch of completed records alone hid both."""
    queries = {t.key: parse_qs(t.query.split("?", 1)[1]) for t in templates() if "?" in t.query}
    assert queries["procedures"]["status"] == ["completed,stopped"]
    assert set(queries["medicationAdministrations"]["status"][0].split(",")) == {"completed", "stopped", "in-progress"}
