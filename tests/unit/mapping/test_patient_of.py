"""``cds.mapping.patient_of``: the partition key of bulk input agrees with the patient the mapping files
each resource under."""

from __future__ import annotations

import json
from pathlib import Path

from cds.mapping import map_collected, patient_of
from cds.reading import read_paths

EXAMPLE = Path(__file__).resolve().parents[3] / "examples"


def test_every_resource_of_a_patient_is_keyed_to_that_patient() -> None:
    collected = read_paths([EXAMPLE])
    mapped = map_collected(collected)
    keys = {patient_of(resource, collected.aliases) for resource in collected.resources}
    assert set(mapped.records) <= keys
    for record in mapped.records.values():
        for lab in record.labs:
            assert lab.patient == record.patient.ref


def test_patient_subject_patient_element_and_none() -> None:
    assert patient_of({"resourceType": "Patient", "id": "p1"}) == "Patient/p1"
    assert patient_of({"resourceType": "Observation", "subject": {"reference": "Patient/p1"}}) == "Patient/p1"
    assert patient_of({"resourceType": "BodyStructure", "patient": {"reference": "Patient/p2"}}) == "Patient/p2"
    assert patient_of({"resourceType": "Observation", "subject": {"reference": "urn:uuid:u"}},
                      {"urn:uuid:u": "Patient/p3"}) == "Patient/p3"
    assert patient_of({"resourceType": "Medication", "id": "m"}) is None
    assert patient_of({"resourceType": "Observation", "subject": {"reference": "Group/g"}}) is None
    assert patient_of({"resourceType": "Patient"}) is None
    assert patient_of(json.loads('{"resourceType": "Observation", "subject": "Patient/x"}')) is None
