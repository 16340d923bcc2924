"""Inputs: Bundles of any type, transaction Bundles with urn:uuid references, NDJSON, directories,
lists of resources and CDS Hooks prefetch objects."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import factories as fx
import pytest

from cds.errors import InputError
from cds.mapping import map_collected
from cds.reading import Collected, from_objects, from_prefetch, read_paths, stream_paths


def a_patient_record() -> list[dict[str, Any]]:
    """One patient with a Patient, an administration, a lab and a lesion (each of a different mapper)."""
    return [
        fx.patient("p1"),
        fx.procedure("c1", "2024-01-08"),
        fx.lab("o1", "platelets", 70, "10*3/uL", low=150, high=400, specimen="Specimen/s1"),
        fx.lesion("t1", 42, focus="BodyStructure/b1"),
    ]


def summary(collected: Any) -> dict[str, Any]:
    mapped = map_collected(collected)
    return {
        ref: {
            "sex": record.patient.sex,
            "admins": sorted(a.ref for a in record.administrations),
            "labs": sorted(lab.ref for lab in record.labs),
            "tumour": sorted(t.ref for t in record.tumour),
        }
        for ref, record in mapped.records.items()
    }


EXPECTED = {
    "Patient/p1": {
        "sex": "female",
        "admins": ["Procedure/c1"],
        "labs": ["Observation/o1"],
        "tumour": ["Observation/t1"],
    }
}


@pytest.mark.parametrize("kind", ["collection", "searchset", "batch", "transaction", "document", "message"])
def test_bundle_of_any_type(kind: str) -> None:
    collected = from_objects([fx.bundle(a_patient_record(), kind)])
    assert collected.issues == []
    assert summary(collected) == EXPECTED


def test_bundle_without_full_urls() -> None:
    assert summary(from_objects([fx.bundle(a_patient_record(), full_urls=False)])) == EXPECTED


def test_transaction_bundle_urn_uuid_references_are_resolved() -> None:
    resources = a_patient_record()
    bundle = fx.transaction_bundle(resources)  # ids removed, every reference an urn:uuid
    patient_uuid = fx.uuid_for(resources[0])
    assert bundle["entry"][2]["resource"]["subject"] == {"reference": f"urn:uuid:{patient_uuid}"}
    collected = from_objects([bundle])
    assert collected.aliases[f"urn:uuid:{patient_uuid}"] == f"Patient/{patient_uuid}"
    mapped = map_collected(collected)
    assert list(mapped.records) == [f"Patient/{patient_uuid}"]
    record = mapped.records[f"Patient/{patient_uuid}"]
    assert record.patient.sex == "female" and record.seen_patient_resource
    assert [a.ref for a in record.administrations] == [f"Procedure/{fx.uuid_for(resources[1])}"]
    assert [lab.ref for lab in record.labs] == [f"Observation/{fx.uuid_for(resources[2])}"]
    assert record.issues == [] and mapped.issues == []


def test_transaction_bundle_keeping_ids_resolves_urn_uuid_to_the_id() -> None:
    resources = a_patient_record()
    mapped = map_collected(from_objects([fx.transaction_bundle(resources, keep_ids=True)]))
    assert summary(from_objects([fx.transaction_bundle(resources, keep_ids=True)])) == EXPECTED
    assert mapped.issues == []


def test_transaction_bundle_medication_reference_and_part_of_by_urn_uuid() -> None:
    procedure = fx.procedure("c1", activity=None)
    medication = fx.medication("med")
    ma = fx.medication_administration(
        "m1", medication_ref="Medication/med", part_of="Procedure/c1", dose=7400, dose_unit="MBq"
    )
    mapped = map_collected(from_objects([fx.transaction_bundle([fx.patient(), procedure, medication, ma])]))
    [record] = mapped.records.values()
    [admin] = record.administrations
    assert admin.activity_gbq == pytest.approx(7.4)
    assert admin.sources == (
        f"Procedure/{fx.uuid_for(procedure)}",
        f"MedicationAdministration/{fx.uuid_for(ma)}",
    )


def test_several_patients_mixed_in_one_bundle() -> None:
    resources = [
        fx.patient("p1", gender="female"),
        fx.patient("p2", gender="male"),
        fx.lab("o1", "alt", 20, "U/L", patient="Patient/p2"),
        fx.lab("o2", "alt", 30, "U/L"),
    ]
    mapped = map_collected(from_objects([fx.bundle(resources)]))
    assert {ref: [lab.ref for lab in r.labs] for ref, r in mapped.records.items()} == {
        "Patient/p1": ["Observation/o2"],
        "Patient/p2": ["Observation/o1"],
    }
    assert mapped.records["Patient/p2"].patient.sex == "male"


def test_list_of_resources_and_nested_lists() -> None:
    resources = a_patient_record()
    assert summary(from_objects([resources[:2], resources[2:]])) == EXPECTED
    assert summary(from_objects(resources)) == EXPECTED


def test_prefetch_with_a_null_value() -> None:
    resources = a_patient_record()
    prefetch = {
        "patient": resources[0],
        "labs": fx.bundle(resources[2:], "searchset"),
        "procedures": fx.bundle(resources[1:2], "searchset"),
        "medications": None,  # CDS Hooks 2.0: the EHR could not or would not prefetch this
    }
    collected = from_prefetch(prefetch)
    assert collected.issues == []
    assert summary(collected) == EXPECTED


def test_prefetch_entry_that_is_not_a_resource_is_an_issue() -> None:
    collected = from_prefetch({"patient": fx.patient(), "odd": {"total": 0}})
    assert [(i.resource, i.message) for i in collected.issues] == [("prefetch.odd", "not a FHIR resource")]
    assert len(collected.resources) == 1


# --- files -----------------------------------------------------------------------------------------


def write_json(path: Path, obj: Any) -> Path:
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def write_ndjson(path: Path, resources: list[dict[str, Any]], blank_lines: bool = False) -> Path:
    sep = "\n\n" if blank_lines else "\n"
    path.write_text(sep.join(json.dumps(r) for r in resources) + "\n", encoding="utf-8")
    return path


def test_bundle_file(tmp_path: Path) -> None:
    collected = read_paths([write_json(tmp_path / "b.json", fx.bundle(a_patient_record()))])
    assert (collected.files_read, collected.issues) == (1, [])
    assert summary(collected) == EXPECTED


def test_single_resource_file(tmp_path: Path) -> None:
    collected = read_paths([write_json(tmp_path / "p.json", fx.patient())])
    assert [r["id"] for r in collected.resources] == ["p1"]


@pytest.mark.parametrize("suffix", [".ndjson", ".jsonl", ".json"])
def test_ndjson_file(tmp_path: Path, suffix: str) -> None:
    # Bulk Data $export writes .ndjson; a .json name holding one resource a line is read the same way.
    path = write_ndjson(tmp_path / f"Observation{suffix}", a_patient_record(), blank_lines=True)
    collected = read_paths([path])
    assert collected.issues == []
    assert summary(collected) == EXPECTED


def test_ndjson_bad_line_is_an_issue_with_its_line_number(tmp_path: Path) -> None:
    path = tmp_path / "export.ndjson"
    lines = [json.dumps(r) for r in a_patient_record()]
    lines.insert(2, "{not json")
    path.write_text("\n".join(lines), encoding="utf-8")
    collected = read_paths([path])
    assert [(i.severity, i.resource, i.message) for i in collected.issues] == [
        ("error", f"{path}:3", "not JSON")
    ]
    assert summary(collected) == EXPECTED


def test_directory_is_read_recursively_and_other_files_are_ignored(tmp_path: Path) -> None:
    resources = a_patient_record()
    (tmp_path / "sub").mkdir()
    write_json(tmp_path / "patient.json", resources[0])
    write_ndjson(tmp_path / "sub" / "Procedure.ndjson", resources[1:2])
    write_json(tmp_path / "sub" / "labs.json", fx.bundle(resources[2:], "searchset"))
    (tmp_path / "notes.txt").write_text("not FHIR", encoding="utf-8")
    collected = read_paths([tmp_path])
    assert (collected.files_read, collected.issues) == (3, [])
    assert summary(collected) == EXPECTED


def test_several_paths(tmp_path: Path) -> None:
    resources = a_patient_record()
    first = write_json(tmp_path / "a.json", fx.bundle(resources[:2]))
    second = write_ndjson(tmp_path / "b.ndjson", resources[2:])
    assert summary(read_paths([first, str(second)])) == EXPECTED


def test_missing_path_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        read_paths([write_json(tmp_path / "ok.json", fx.patient()), tmp_path / "missing.json"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<Bundle xmlns='http://hl7.org/fhir'/>", "not JSON (line 1, column 1)"),
        (b'{"resourceType": "Bundle",\n  "entry": [', "not JSON (line 2, column 13)"),
        (b"", "empty file"),
        (b" \n\t\n", "empty file"),
        (b'{"resourceType": "Patient", "id": "\xff"}', "not UTF-8 JSON"),
    ],
)
def test_file_that_is_not_json_is_an_issue_and_the_rest_is_read(
    tmp_path: Path, content: bytes, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    good = write_json(tmp_path / "good.json", fx.bundle(a_patient_record()))
    collected = read_paths([bad, good])
    assert [(i.severity, i.resource, i.message) for i in collected.issues] == [("error", str(bad), message)]
    assert collected.files_read == 2
    assert summary(collected) == EXPECTED


def test_json_that_is_not_fhir_is_an_issue(tmp_path: Path) -> None:
    path = write_json(tmp_path / "x.json", {"hello": "world"})
    collected = read_paths([path])
    assert [(i.resource, i.message) for i in collected.issues] == [(str(path), "not a FHIR resource")]


def test_bundle_entries_without_a_resource_are_issues() -> None:
    bundle = fx.bundle([fx.patient()])
    bundle["entry"].append({"fullUrl": "urn:uuid:1", "request": {"method": "DELETE", "url": "Patient/x"}})
    collected = from_objects([bundle], origin="upload")
    assert [(i.resource, i.message) for i in collected.issues] == [
        ("upload entry 1", "entry without resource")
    ]
    assert len(collected.resources) == 1


def test_nan_in_a_file_is_read_but_never_becomes_a_value(tmp_path: Path) -> None:
    path = tmp_path / "labs.json"
    path.write_text(
        json.dumps(fx.bundle([fx.patient(), fx.lab("o1", "platelets", 70, "10*3/uL")])).replace(
            '"value": 70', '"value": NaN'
        ),
        encoding="utf-8",
    )
    record = map_collected(read_paths([path])).records["Patient/p1"]
    assert record.labs == []
    assert [u.reason for u in record.ungradable] == ["quantity value is not a finite number: cannot grade"]


def test_a_compressed_export_file_in_a_directory_is_named_not_skipped_silently(tmp_path: Path) -> None:
    """A bulk export with Observation.ndjson.gz beside plain files: before, the laboratory results were left
    out with exit 0 and no issue, and every cycle read 'labs needed'."""
    (tmp_path / "Patient.ndjson").write_text(json.dumps(fx.patient()) + "\n")
    (tmp_path / "Observation.ndjson.gz").write_bytes(gzip.compress(b"{}\n"))
    (tmp_path / "notes.txt.gz").write_bytes(gzip.compress(b"not FHIR"))
    streamed = Collected()
    stream_paths([tmp_path], streamed)
    for collected in (read_paths([tmp_path]), streamed):
        assert [(i.resource, i.message) for i in collected.issues] == [
            (str(tmp_path / "Observation.ndjson.gz"),
             "compressed file not read: decompress it to read its resources")]


def test_a_fhir_file_name_linking_to_nothing_is_named_not_skipped_silently(tmp_path: Path) -> None:
    """Observation.ndjson a symbolic link to a file that is gone (an export moved): before, its results
    were left out with exit 0 and no issue."""
    (tmp_path / "Patient.ndjson").write_text(json.dumps(fx.patient()) + "\n")
    (tmp_path / "Observation.ndjson").symlink_to(tmp_path / "gone" / "Observation.ndjson")
    (tmp_path / "notes.txt").symlink_to(tmp_path / "gone" / "notes.txt")
    streamed = Collected()
    stream_paths([tmp_path], streamed)
    for collected in (read_paths([tmp_path]), streamed):
        assert [(i.resource, i.message) for i in collected.issues] == [
            (str(tmp_path / "Observation.ndjson"), "symbolic link to nothing: not read")]


def test_files_named_in_capitals_are_read_as_their_lower_case_kind(tmp_path: Path) -> None:
    """PATIENT.JSON, Procedure.NDJSON, LABS.JSONL and Observation.NDJSON.GZ from a system that names its
    files in capitals. Before, a directory read left all of them out without a word (the patient's cycles
    and results gone, exit 0), and an NDJSON file named so was not read line by line."""
    resources = a_patient_record()
    write_json(tmp_path / "PATIENT.JSON", resources[0])
    (tmp_path / "Procedure.NDJSON").write_text("{bad\n" + json.dumps(resources[1]) + "\n", encoding="utf-8")
    write_ndjson(tmp_path / "LABS.JSONL", resources[2:])
    (tmp_path / "Observation.NDJSON.GZ").write_bytes(gzip.compress(b"{}\n"))
    streamed = Collected()
    stream_paths([tmp_path], streamed)
    for collected in (read_paths([tmp_path]), streamed):
        assert collected.files_read == 3
        assert [(i.resource, i.message) for i in collected.issues] == [
            (str(tmp_path / "Observation.NDJSON.GZ"), "compressed file not read: decompress it to read its resources"),
            (f"{tmp_path / 'Procedure.NDJSON'}:1", "not JSON")]
        assert summary(collected) == EXPECTED


@pytest.mark.parametrize("first", ['{"resourceType": "Observation", "id": "cut',
                                   '{"resourceType": "Patient", "id": "a", "id": "b"}'],
                         ids=["cut-short", "duplicate-key"])
def test_ndjson_under_a_json_name_whose_first_line_is_bad_is_read_line_by_line(tmp_path: Path, first: str) -> None:
    """Before, only an error after the first line sent a .json file to the NDJSON reader: a bad first line
    lost every resource of the file in one issue, where its .ndjson twin lost that line only."""
    lines = [first, *(json.dumps(r) for r in a_patient_record())]
    for suffix in (".json", ".ndjson"):
        path = tmp_path / f"export{suffix}"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        collected = read_paths([path])
        assert [(i.severity, i.resource) for i in collected.issues] == [("error", f"{path}:1")]
        assert summary(collected) == EXPECTED


def test_a_bundle_over_many_lines_that_is_not_json_stays_one_issue_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(fx.bundle(a_patient_record()), indent=2).replace('"Patient",', '"Patient"', 1),
                    encoding="utf-8")
    collected = read_paths([path])
    assert [(i.resource, i.message.split(" (")[0]) for i in collected.issues] == [(str(path), "not JSON")]
    assert collected.resources == []
