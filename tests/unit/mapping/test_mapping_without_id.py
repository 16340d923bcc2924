"""Resources without an id (and without a fullUrl to take one from) are each cited by a reference of their
own: ``Type/?`` followed by a digest of the resource's JSON. Before, every one of them was ``Observation/?``:
one entered-in-error Observation without an id withdrew every other Observation without an id (a grade 3
thrombocytopenia went unread), an entered-in-error Procedure without an id withdrew every cycle without
an id (a patient given two cycles read as untreated), and the rules that look a grade's result up by its
reference found another result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import factories as fx

from cds.evaluation import evaluate_paths


def without_id(resource: dict[str, Any]) -> dict[str, Any]:
    resource = dict(resource)
    del resource["id"]
    return resource


def platelets(value: float, when: str, status: str = "final") -> dict[str, Any]:
    return without_id(fx.lab("x", "platelets", value, "10*9/L", low=150, high=400, when=when, status=status))


def test_each_resource_without_an_id_has_a_reference_of_its_own(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(), platelets(40, "2024-01-02T08:00:00Z"), platelets(200, "2024-01-03T08:00:00Z"))
    refs = [lab.ref for lab in mapped.records["Patient/p1"].labs]
    assert len(refs) == 2
    assert len(set(refs)) == 2
    assert all(ref.startswith("Observation/?") and len(ref) > len("Observation/?") for ref in refs)


def test_the_reference_depends_on_the_resource_only(map_fhir: Any) -> None:
    """The same resource gets the same reference wherever it is read (whole input, a patient's partition)."""
    lab = platelets(40, "2024-01-02T08:00:00Z")
    reordered = dict(reversed(list(lab.items())))
    first = map_fhir(fx.patient(), lab).records["Patient/p1"].labs[0].ref
    again = map_fhir(platelets(200, "2024-01-05T08:00:00Z"), reordered, fx.patient()).records["Patient/p1"].labs
    assert first in [x.ref for x in again]


def test_a_retracted_observation_without_an_id_withdraws_no_other(map_fhir: Any) -> None:
    mapped = map_fhir(
        fx.patient(),
        platelets(40, "2024-01-02T08:00:00Z"),
        platelets(300, "2024-01-02T08:00:00Z", status="entered-in-error"),
    )
    labs = mapped.records["Patient/p1"].labs
    assert [lab.value for lab in labs] == [40.0]


def test_a_retracted_procedure_without_an_id_withdraws_no_cycle(map_fhir: Any) -> None:
    mapped = map_fhir(
        fx.patient(),
        without_id(fx.procedure("x", "2024-01-08")),
        without_id(fx.procedure("x", "2024-03-04")),
        without_id(fx.procedure("x", "2024-05-01", status="entered-in-error")),
    )
    record = mapped.records["Patient/p1"]
    assert [a.day.isoformat() for a in record.administrations] == ["2024-01-08", "2024-03-04"]
    assert len({a.ref for a in record.administrations}) == 2


def test_an_exact_copy_without_an_id_is_read_once(map_fhir: Any) -> None:
    """As for copies of one Type/id: the same JSON read twice (the same file given twice) is one result,
    not a doubled toxicity count."""
    lab = platelets(40, "2024-01-02T08:00:00Z")
    mapped = map_fhir(fx.patient(), lab, json.loads(json.dumps(lab)))
    assert len(mapped.records["Patient/p1"].labs) == 1


def test_the_grade_names_its_own_result(tmp_path: Path) -> None:
    """Grades of results without an id name the result they were drawn from, in the document too."""
    entries = [fx.patient(), fx.procedure("c1", "2024-01-08"),
               platelets(40, "2024-02-20T08:00:00Z"), platelets(200, "2024-02-27T08:00:00Z")]
    path = tmp_path / "idless.ndjson"
    path.write_text("".join(json.dumps(e) + "\n" for e in entries))
    evaluation = evaluate_paths([path], as_of=None, ctcae_version="5.0")
    (patient,) = evaluation.patients
    grades = {g.observation: g.grade for g in patient.toxicities if g.term_id == "platelet_count_decreased"}
    assert sorted(grades.values()) == [0, 3]
    labs = {lab.ref: lab.value for lab in patient.timeline.labs}
    assert {labs[ref] for ref, grade in grades.items() if grade == 3} == {40.0}
