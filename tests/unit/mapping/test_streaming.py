"""The bulk path (``cds.partition`` -> ``cds.evaluation.evaluation_stream``) gives what reading the whole
input gives: the same JSON document, patients in the same order, the same issues of no patient, the same
default "as of" day; its temporary partition is gone afterwards, after an error too."""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import factories as fx
import pytest

from cds.demo.cohort import patient_bundle
from cds.document import to_document
from cds.errors import InputError
from cds.evaluation import Evaluation, evaluate_collected, evaluation_stream
from cds.partition import partitioned
from cds.reading import read_paths

ROOT = Path(__file__).resolve().parents[3]
SYNTHEA = ROOT / "tests" / "data" / "synthea"
EXAMPLE = ROOT / "examples" / "prrt_patient.json"
SSA = "Medication/octreotide-lar"


def whole(paths: list[Path], **kw: Any) -> dict[str, Any]:
    return to_document(evaluate_collected(read_paths(paths), **kw))


def streamed(paths: list[Path], **kw: Any) -> dict[str, Any]:
    with evaluation_stream(paths, **kw) as stream:
        patients = tuple(stream.patients)
        evaluation = Evaluation(stream.ruleset_version, patients, stream.issues, stream.files_read)
    return to_document(evaluation)


@pytest.fixture
def own_tempdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory of its own for temporary files, to see what the partition leaves there."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    yield directory


def bulk_export(directory: Path, patients: int = 20, seed: int = 7) -> Path:
    """A demo cohort as a bulk export: its resources shuffled over one NDJSON file per type, the
    somatostatin analogue given through a Medication resource of its own file (medicationReference)."""
    resources: list[dict[str, Any]] = []
    code: Any = None
    for index in range(1, patients + 1):
        _, bundle = patient_bundle(index, patients, seed)
        for entry in bundle["entry"]:
            resource = entry["resource"]
            concept = resource.get("medicationCodeableConcept")
            if resource["resourceType"].startswith("Medication") and "Octreotide" in str(concept):
                code = resource.pop("medicationCodeableConcept")
                resource["medicationReference"] = {"reference": SSA}
            resources.append(resource)
    assert code is not None
    resources.append({"resourceType": "Medication", "id": SSA.split("/")[1], "code": code})
    random.Random(seed).shuffle(resources)
    export = directory / "export"
    export.mkdir()
    for resource in resources:
        with (export / f"{resource['resourceType']}.ndjson").open("a", encoding="utf-8") as out:
            out.write(json.dumps(resource) + "\n")
    return export


def test_synthea_bundles_evaluate_the_same_streamed() -> None:
    expected = whole([SYNTHEA])
    assert len(expected["patients"]) == 5
    assert streamed([SYNTHEA]) == expected


def test_a_shuffled_bulk_export_evaluates_the_same_streamed(tmp_path: Path) -> None:
    export = bulk_export(tmp_path)
    assert {p.name for p in export.iterdir()} >= {"Patient.ndjson", "Observation.ndjson", "Medication.ndjson",
                                                   "MedicationAdministration.ndjson", "Procedure.ndjson"}
    expected = whole([export])
    assert len(expected["patients"]) == 20
    assert [p["patient"] for p in expected["patients"]] == sorted(p["patient"] for p in expected["patients"])
    assert streamed([export]) == expected


def test_the_medication_of_another_file_resolves_for_every_patient(tmp_path: Path) -> None:
    export = bulk_export(tmp_path)
    with_medication = streamed([export])
    (export / "Medication.ndjson").unlink()
    without = streamed([export])
    assert without == whole([export])
    assert with_medication != without  # the analogue is only known through the Medication resource


def test_the_default_as_of_is_the_latest_date_of_the_whole_input(tmp_path: Path) -> None:
    """Patient p2's record ends a year after p1's: p1's next cycle is judged on p2's last day."""
    first = [fx.patient("p1"), fx.procedure("c1", "2024-01-08")]
    second = [fx.patient("p2"), {**fx.procedure("c2", "2025-01-08"), "subject": {"reference": "Patient/p2"}}]
    path = tmp_path / "two.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in [*second, *first]), encoding="utf-8")
    alone = tmp_path / "p1.ndjson"
    alone.write_text("".join(json.dumps(r) + "\n" for r in first), encoding="utf-8")
    expected = whole([path])
    assert streamed([path]) == expected
    p1 = next(p for p in expected["patients"] if p["patient"] == "Patient/p1")
    assert p1 != streamed([alone])["patients"][0]  # alone, p1 would be judged on its own last day


def test_issues_of_no_patient_are_kept_in_the_order_of_reading_whole(tmp_path: Path) -> None:
    lines = [
        json.dumps(fx.patient("p1")),
        "not json",
        json.dumps({"hello": "world"}),
        json.dumps({**fx.procedure("c0", "2024-01-01"), "subject": {"reference": "Group/g1"}}),
        json.dumps({"resourceType": "Patient", "id": 7}),  # fails validation: an issue of no patient
        json.dumps(fx.procedure("c1", "2024-01-08")),
        json.dumps({**fx.lab("o1", "platelets", 70, "10*3/uL"), "subject": None}),
    ]
    path = tmp_path / "mixed.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = whole([path])
    assert len(expected["issues"]) >= 4
    assert streamed([path]) == expected


def test_a_transaction_bundle_whose_patient_comes_last_is_filed_under_that_patient(tmp_path: Path) -> None:
    """``urn:uuid:`` references resolve through aliases read after the resources that use them."""
    record = [fx.procedure("c1", "2024-01-08"), fx.lab("o1", "platelets", 70, "10*3/uL"), fx.patient("p1")]
    path = tmp_path / "tx.json"
    path.write_text(json.dumps(fx.transaction_bundle(record)), encoding="utf-8")
    extra = tmp_path / "extra.ndjson"  # an NDJSON file read first, referring to the Bundle's fullUrl
    lab = fx.lab("o2", "platelets", 60, "10*3/uL")
    lab["subject"] = {"reference": f"urn:uuid:{fx.uuid_for(fx.patient('p1'))}"}
    extra.write_text(json.dumps(lab) + "\n", encoding="utf-8")
    expected = whole([extra, path])
    assert len(expected["patients"]) == 1 and len(expected["patients"][0]["toxicities"]) == 2
    assert streamed([extra, path]) == expected


def test_the_partition_is_removed_after_success(tmp_path: Path, own_tempdir: Path) -> None:
    export = bulk_export(tmp_path, patients=3)
    with partitioned([export]) as parts:
        assert any(own_tempdir.iterdir())  # the partition is on disk while it is used
        assert sum(1 for _ in parts.records()) == 3
    assert not any(own_tempdir.iterdir())


def test_the_partition_is_removed_after_an_error(tmp_path: Path, own_tempdir: Path) -> None:
    export = bulk_export(tmp_path, patients=3)
    with pytest.raises(InputError), partitioned([export, tmp_path / "missing.ndjson"]):
        pass
    assert not any(own_tempdir.iterdir())
    with pytest.raises(RuntimeError), evaluation_stream([export]) as stream:
        next(iter(stream.patients))
        raise RuntimeError("stopped while evaluating")
    assert not any(own_tempdir.iterdir())


def test_an_ndjson_file_is_read_line_by_line_with_the_same_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "lines.ndjson"
    path.write_bytes(b"\n".join([json.dumps(fx.patient("p1")).encode(), b"{bad", b"", b"[1]\r{also bad"]) + b"\n")
    with partitioned([path]) as parts:
        reading = parts.reading_issues
    assert reading == read_paths([path]).issues
    assert [i.resource for i in reading] == [f"{path}:2", f"{path}:4", f"{path}:5"]


def test_the_cohort_report_reads_ndjson_through_the_partition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The serial branch of the report's collection: the same summaries as reading whole, without it."""
    from cds.report import collect as report_collect

    export = bulk_export(tmp_path, patients=4)
    expected, issues = report_collect.summarize_collected(read_paths([export]), report_collect.Settings())

    def whole_input(*_: Any) -> Any:
        raise AssertionError("the NDJSON input was read whole")

    monkeypatch.setattr(report_collect, "read_paths", whole_input)
    data = report_collect.collect([export], jobs=1)
    assert list(data.summaries) == expected
    assert list(data.issues) == issues


def test_the_cohort_report_spreads_a_bulk_export_over_worker_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ranges of patients from the partition, evaluated by two spawned workers: the same summaries in the
    same order, and the same issues of no patient in the same order, as one process gives."""
    from cds.report import collect as report_collect

    export = bulk_export(tmp_path, patients=24)
    with (export / "Observation.ndjson").open("a", encoding="utf-8") as out:  # issues of no patient
        out.write("not json\n")
        out.write(json.dumps({"resourceType": "Patient", "id": 7}) + "\n")
        out.write(json.dumps({**fx.lab("o-nobody", "platelets", 70, "10*3/uL"), "subject": None}) + "\n")
    serial = report_collect.collect([export], jobs=1)
    assert len(serial.summaries) == 24 and len(serial.issues) >= 3

    calls: list[int] = []
    original = report_collect._parallel_partition

    def watched(parts: Any, *args: Any) -> Any:
        calls.append(len(parts.keys()))
        return original(parts, *args)

    monkeypatch.setattr(report_collect, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(report_collect, "_parallel_partition", watched)
    parallel = report_collect.collect([export], jobs=2)
    assert calls == [24], "the workers were not used"
    assert parallel == serial


def test_a_full_url_naming_two_resources_resolves_no_reference_read_whole_or_streamed(tmp_path: Path) -> None:
    """Two Bundles reuse urn:uuid:1 for Patient/a and Patient/b. Before, the last Bundle read won: the
    platelet count of Patient a was graded as Patient b's, who then had two. Now neither is attributed,
    and a warning names the fullUrl; the whole read and the partition agree."""
    url = "urn:uuid:00000000-0000-0000-0000-000000000001"
    paths = []
    for pid, oid, value in (("a", "o1", 60), ("b", "o2", 70)):
        lab = fx.lab(oid, "platelets", value, "10*3/uL")
        lab["subject"] = {"reference": url}
        bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
            {"fullUrl": url, "resource": fx.patient(pid)}, {"fullUrl": f"urn:uuid:{oid}", "resource": lab}]}
        path = tmp_path / f"{pid}.json"
        path.write_text(json.dumps(bundle), encoding="utf-8")
        paths.append(path)
    expected = whole(paths)
    assert all(p["toxicities"] == [] for p in expected["patients"])
    messages = [i["message"] for i in expected["issues"]]
    assert any(m.startswith(f"the fullUrl {url} names two resources (Patient/a and Patient/b)") for m in messages)
    assert streamed(paths) == expected


def _write_ndjson(path: Path, resources: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(resource) + "\n" for resource in resources), encoding="utf-8")
    return path


def _course(pid: str) -> list[dict[str, Any]]:
    return [fx.patient(pid), {**fx.procedure(f"c-{pid}", "2024-01-08"), "subject": {"reference": f"Patient/{pid}"}}]


def _platelets(document: dict[str, Any]) -> dict[str, list[tuple[str, int | None]]]:
    return {p["patient"]: [(t["observation"], t["grade"]) for t in p["toxicities"]] for p in document["patients"]}


def test_the_newest_medication_is_read_streamed_though_an_older_version_comes_after_it(tmp_path: Path) -> None:
    """Medication/m1 was corrected to Lutathera (versionId 2); an older export (versionId 1, saline) is read
    after it. Before, the bulk path gave every patient the last copy read: the cycle was not a cycle, while
    the issues said the newest version was used."""
    newest = {**fx.medication("m1"), "meta": {"versionId": "2"}}
    older = {**fx.medication("m1", rxnorm=None, text="saline"), "meta": {"versionId": "1"}}
    given = fx.medication_administration("ma1", "2024-01-08", medication_ref="Medication/m1")
    paths = [_write_ndjson(tmp_path / "a.ndjson", [fx.patient("p1"), given, newest]),
             _write_ndjson(tmp_path / "b.ndjson", [older])]
    expected = whole(paths)
    assert [c["sources"] for c in expected["patients"][0]["cycles"]] == [["MedicationAdministration/ma1"]]
    assert streamed(paths) == expected


def test_a_result_moved_to_another_patient_by_its_newer_version_is_only_that_patients(tmp_path: Path) -> None:
    """Observation/o1 was filed under Patient/a, and its versionId 2 moved it to Patient/b. Before, the bulk
    path filed each version apart and graded both: Patient a's next cycle was withheld for a platelet count
    of 30 that is Patient b's."""
    moved = fx.lab("o1", "platelets", 30, "10*3/uL", low=150, high=400, when="2024-02-20")
    paths = [_write_ndjson(tmp_path / "old.ndjson", [*_course("a"), {**moved, "meta": {"versionId": "1"},
                                                                     "subject": {"reference": "Patient/a"}}]),
             _write_ndjson(tmp_path / "new.ndjson", [*_course("b"), {**moved, "meta": {"versionId": "2"},
                                                                     "subject": {"reference": "Patient/b"}}])]
    for order in (paths, paths[::-1]):
        expected = whole(order)
        assert _platelets(expected) == {"Patient/a": [], "Patient/b": [("Observation/o1", 3)]}
        a = next(p for p in expected["patients"] if p["patient"] == "Patient/a")
        assert a["alerts"][-1]["action"] != "withhold"
        assert streamed(order) == expected


def test_an_entered_in_error_version_without_its_subject_retracts_streamed(tmp_path: Path) -> None:
    """The laboratory retracted Observation/o1 with a version that names no patient. Read whole, no version
    of it is used; before, the bulk path graded the final version (the retraction was of no patient)."""
    final = fx.lab("o1", "platelets", 30, "10*3/uL", low=150, high=400, when="2024-02-20")
    retracted = {key: value for key, value in final.items() if key != "subject"} | {"status": "entered-in-error"}
    path = _write_ndjson(tmp_path / "lab.ndjson", [*_course("p1"), final, retracted])
    expected = whole([path])
    assert _platelets(expected) == {"Patient/p1": []}
    assert streamed([path]) == expected


def test_copies_filed_elsewhere_reach_the_report_workers_too(tmp_path: Path) -> None:
    """``map_range`` (a worker process of the cohort report) maps with the copies filed elsewhere as
    ``Partitioned.records`` does."""
    from cds.partition import map_range

    moved = fx.lab("o1", "platelets", 30, "10*3/uL", low=150, high=400, when="2024-02-20")
    path = _write_ndjson(tmp_path / "all.ndjson", [
        *_course("a"), *_course("b"), {**moved, "meta": {"versionId": "1"}, "subject": {"reference": "Patient/a"}},
        {**moved, "meta": {"versionId": "2"}, "subject": {"reference": "Patient/b"}}])
    with partitioned([path]) as parts:
        serial = {record.patient.ref: [lab.ref for lab in record.labs] for record in parts.records()}
        keys = parts.keys()
        ranged = {ref: [lab.ref for lab in record.labs]
                  for records, _ in map_range(parts.share(), keys[0], keys[-1]) for ref, record in records}
    assert serial == ranged == {"Patient/a": [], "Patient/b": ["Observation/o1"]}


def _copies_everywhere(seed: int, directory: Path) -> list[Path]:
    """Three patients and copies of three Observations and a Medication, each copy under any patient or
    none, in any status, with or without a version, over NDJSON files, Bundles and transaction Bundles."""
    rnd = random.Random(seed)
    resources = [resource for pid in "abc" for resource in _course(pid)]
    for oid in ("o1", "o2", "o3"):
        for _ in range(rnd.randint(1, 3)):
            lab = fx.lab(oid, rnd.choice(["platelets", "neutrophils"]), rnd.choice([30, 70, 200]), "10*3/uL",
                         low=150, high=400, when=rnd.choice(["2024-02-20", "2024-02-21"]))
            owner = rnd.choice(["a", "b", "c", None])
            if owner is None:
                del lab["subject"]
            else:
                lab["subject"] = {"reference": f"Patient/{owner}"}
            lab["status"] = rnd.choice(["final", "final", "entered-in-error", "preliminary"])
            meta = {"versionId": str(rnd.randint(1, 3))} if rnd.random() < 0.5 else {}
            if rnd.random() < 0.3:
                meta["lastUpdated"] = f"2024-03-0{rnd.randint(1, 3)}T00:00:00Z"
            resources.append({**lab, "meta": meta} if meta else lab)
    for _ in range(rnd.randint(0, 3)):
        medication = fx.medication("m1") if rnd.random() < 0.5 else fx.medication("m1", rxnorm=None, text="saline")
        resources.append({**medication, "meta": {"versionId": str(rnd.randint(1, 3))}} if rnd.random() < 0.7
                         else medication)
    resources.append(fx.medication_administration("ma1", "2024-03-04", medication_ref="Medication/m1",
                                                  patient=f"Patient/{rnd.choice('abc')}"))
    rnd.shuffle(resources)
    files: list[list[dict[str, Any]]] = [[] for _ in range(rnd.randint(1, 3))]
    for resource in resources:
        files[rnd.randrange(len(files))].append(resource)
    paths = []
    for index, part in enumerate(files):
        kind = rnd.choice(["ndjson", "bundle", "transaction"])
        if kind == "ndjson":
            paths.append(_write_ndjson(directory / f"f{index}.ndjson", part))
            continue
        body = fx.bundle(part, full_urls=False) if kind == "bundle" else fx.transaction_bundle(part, keep_ids=True)
        paths.append(directory / f"f{index}.json")
        paths[-1].write_text(json.dumps(body), encoding="utf-8")
    return paths


@pytest.mark.parametrize("seed", range(60))
def test_copies_of_one_resource_anywhere_evaluate_the_same_streamed(seed: int, tmp_path: Path) -> None:
    paths = _copies_everywhere(seed, tmp_path)
    assert streamed(paths) == whole(paths)
