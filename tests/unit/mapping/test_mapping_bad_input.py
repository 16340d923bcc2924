"""Bad input is never fatal: each unusable resource gives an issue naming it and the reason, and the rest
of the input is still mapped."""

from __future__ import annotations

from typing import Any

import factories as fx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cds.mapping import NO_PATIENT_RESOURCE, Mapped


def good_rest() -> list[dict[str, Any]]:
    """What must still be mapped beside the bad resource."""
    return [
        fx.procedure("c1", "2024-01-08"),
        fx.lab("good-lab", "platelets", 70, "10*3/uL", low=150, high=400),
        fx.ecog("good-ecog", 1),
    ]


def assert_rest_mapped(mapped: Mapped, patient: str = "Patient/p1") -> None:
    record = mapped.records[patient]
    assert "Procedure/c1" in [a.ref for a in record.administrations]
    assert "Observation/good-lab" in [lab.ref for lab in record.labs]
    assert "Observation/good-ecog" in [p.ref for p in record.performance]


def all_issues(mapped: Mapped) -> list[tuple[str, str | None, str]]:
    found = [(i.severity, i.resource, i.message) for i in mapped.issues]
    for record in mapped.records.values():
        found += [(i.severity, i.resource, i.message) for i in record.issues]
    return found


def test_patient_failing_validation(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(birth_date="yesterday"), *good_rest())
    assert all_issues(mapped) == [("warning", "Patient/p1", "fails FHIR R4B validation at birthDate"),
                                  ("warning", "Patient/p1", NO_PATIENT_RESOURCE)]
    assert_rest_mapped(mapped)
    assert mapped.records["Patient/p1"].patient.birth_date is None  # nothing of it is used


def test_a_patient_known_only_from_its_resources_is_never_silent(map_fhir: Any) -> None:
    # No Patient resource: whether the patient died cannot be known, so the record says so (a next cycle
    # could otherwise be recommended, and a report count the patient alive, with nothing to tell why).
    mapped = map_fhir(*good_rest())
    assert ("warning", "Patient/p1", NO_PATIENT_RESOURCE) in all_issues(mapped)
    with_patient = map_fhir(fx.patient(), *good_rest())
    assert NO_PATIENT_RESOURCE not in [message for _, _, message in all_issues(with_patient)]


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"performedDateTime": "last week"}, "performedDateTime"),
        ({"status": 5}, "status"),
        ({"subject": {"reference": "Patient/p1"}, "bodySite": "liver"}, "bodySite"),
        (
            {
                "extension": [
                    {"url": "urn:prrt-cds:administered-activity", "valueQuantity": {"value": "7.4 GBq"}}
                ]
            },
            "extension.0.valueQuantity.value",
        ),
    ],
)
def test_prrt_procedure_failing_validation(map_fhir: Any, changes: dict[str, Any], where: str) -> None:
    bad = fx.procedure("bad", "2024-03-04", **changes)
    mapped = map_fhir(fx.patient(), bad, *good_rest())
    [(severity, resource, message)] = all_issues(mapped)
    assert (severity, resource) == ("warning", "Procedure/bad")
    assert message.startswith("fails FHIR R4B validation at ") and where in message
    assert_rest_mapped(mapped)


def test_prrt_medication_administration_failing_validation(map_fhir: Any) -> None:
    bad = fx.medication_administration("bad", "2024-03-04", dosage={"dose": {"value": "lots", "unit": "GBq"}})
    mapped = map_fhir(fx.patient(), bad, *good_rest())
    [(_, resource, message)] = all_issues(mapped)
    assert resource == "MedicationAdministration/bad"
    assert message.startswith("fails FHIR R4B validation at ") and "dosage.dose.value" in message
    assert_rest_mapped(mapped)


def test_validation_messages_do_not_quote_the_input(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(birth_date="SECRET-1962"), fx.procedure("c1", "SECRET-DATE"))
    assert all("SECRET" not in message for _, _, message in all_issues(mapped))


def test_missing_value(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(), fx.lab("bad", "hemoglobin"), *good_rest())
    assert all_issues(mapped) == [("warning", "Observation/bad", "no valueQuantity: cannot grade")]
    [ungradable] = mapped.records["Patient/p1"].ungradable
    assert (ungradable.ref, ungradable.analyte) == ("Observation/bad", "hemoglobin")
    assert_rest_mapped(mapped)


def test_unknown_unit(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(), fx.lab("bad", "wbc", 4.1, "K/mm"), *good_rest())
    assert all_issues(mapped) == [
        ("warning", "Observation/bad", "unit 'K/mm' is not convertible to 10*9/L: cannot grade")
    ]
    assert_rest_mapped(mapped)


def test_non_loinc_code_under_the_loinc_system(map_fhir: Any) -> None:
    # OpenMRS CIEL ids under http://loinc.org (google/fhir-data-pipes synthea-hiv bundles).
    code = "5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    bad = fx.lab("bad", "platelets", 62.0, "kg", loinc=code)
    mapped = map_fhir(fx.patient(), bad, *good_rest())
    assert all_issues(mapped) == [
        ("warning", "Observation/bad", f"code {code!r} under http://loinc.org is not a LOINC code")
    ]
    assert_rest_mapped(mapped)


def test_non_loinc_code_beside_a_real_loinc_code_is_not_an_issue(map_fhir: Any) -> None:
    bad = fx.lab("lab", "platelets", 70, "10*3/uL")
    bad["code"]["coding"].insert(0, fx.coding(fx.LOINC, "5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
    mapped = map_fhir(fx.patient(), bad)
    assert all_issues(mapped) == [] and [lab.ref for lab in mapped.records["Patient/p1"].labs] == [
        "Observation/lab"
    ]


@pytest.mark.parametrize(
    "subject",
    [None, {"display": "somebody"}, {"reference": "Group/g1"}, {"reference": 42}, "Patient/p1"],
)
def test_observation_without_a_subject_patient(map_fhir: Any, subject: Any) -> None:
    bad = fx.lab("bad", "platelets", 70, "10*3/uL", patient=None)
    if subject is not None:
        bad["subject"] = subject
    mapped = map_fhir(fx.patient(), bad, *good_rest())
    assert all_issues(mapped) == [("warning", "Observation/bad", "no subject Patient reference")]
    assert [i.resource for i in mapped.issues] == ["Observation/bad"]  # not filed under any patient
    assert_rest_mapped(mapped)


def test_procedure_without_a_subject(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(), fx.procedure("bad", patient=None), *good_rest())
    assert all_issues(mapped) == [("warning", "Procedure/bad", "no subject Patient reference")]
    assert_rest_mapped(mapped)


def test_non_final_status_is_ignored_and_counted(map_fhir: Any) -> None:
    pending = [fx.lab(f"pending-{i}", "alt", 30, "U/L", status="registered") for i in range(3)]
    mapped = map_fhir(fx.patient(), *pending, *good_rest())
    issues = all_issues(mapped)
    assert len(issues) == 3
    assert {(severity, message) for severity, _, message in issues} == {
        ("info", "status registered is not final, amended or corrected: ignored")
    }
    assert sorted(resource for _, resource, _ in issues) == [f"Observation/pending-{i}" for i in range(3)]
    assert_rest_mapped(mapped)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"effectiveDateTime": "yesterday"}, "date is not a valid FHIR date or dateTime"),
        ({"effectiveDateTime": 20240102}, "date is not a string"),
        ({"effectiveDateTime": "2024-02-30"}, "date is not a valid FHIR date or dateTime"),
    ],
)
def test_observation_with_a_malformed_date(map_fhir: Any, changes: dict[str, Any], message: str) -> None:
    mapped = map_fhir(fx.patient(), fx.lab("bad", "alt", 30, "U/L", **changes), *good_rest())
    assert all_issues(mapped) == [("warning", "Observation/bad", message)]
    assert_rest_mapped(mapped)


def test_resource_without_an_id_is_named_by_type(map_fhir: Any) -> None:
    bad = fx.lab("x", "alt", 30, "U/L", patient=None)
    del bad["id"]
    ((severity, resource, message),) = all_issues(map_fhir(bad))
    assert (severity, message) == ("warning", "no subject Patient reference")
    assert resource is not None and resource.startswith("Observation/?")


# --- any JSON in any element read: never an exception ----------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
TEMPLATES = {
    "lab": fx.lab(
        "bad", "platelets", 70, "10*3/uL", low=150, high=400, interpretation="L", specimen="Specimen/s1"
    ),
    "pct": fx.lab("bad", "neutrophils_pct", 45, "%", specimen="Specimen/s1"),
    "ecog": fx.ecog("bad", 1, "mcode"),
    "weight": fx.body_weight("bad", 70),
    "lesion": fx.lesion("bad", 20, lymph_node=True),
    "direct": fx.lesion("bad", 20, shape="direct", body_site="liver"),
    "non-target": fx.non_target_status("bad", "present"),
    "new": fx.new_lesion("bad", focus="BodyStructure/n"),
    "response": fx.timepoint_response("bad", "PR"),
    "procedure": fx.procedure("bad"),
    "ma": fx.medication_administration("bad", part_of="Procedure/c1"),
    "ma-ref": fx.medication_administration("bad", medication_ref="Medication/med"),
    "patient": fx.patient("p1"),
}
ELEMENTS = [
    "status",
    "code",
    "subject",
    "effectiveDateTime",
    "effectivePeriod",
    "issued",
    "valueQuantity",
    "valueInteger",
    "valueCodeableConcept",
    "valueBoolean",
    "referenceRange",
    "interpretation",
    "specimen",
    "component",
    "focus",
    "bodySite",
    "performedDateTime",
    "extension",
    "medicationCodeableConcept",
    "medicationReference",
    "dosage",
    "partOf",
    "gender",
    "birthDate",
    "deceasedBoolean",
    "deceasedDateTime",
    "dataAbsentReason",
]


@settings(max_examples=400, deadline=None)
@given(
    template=st.sampled_from(sorted(TEMPLATES)),
    element=st.sampled_from(ELEMENTS),
    value=JSON,
    deep=st.booleans(),
)
def test_any_json_in_any_element_read_is_never_an_exception(
    template: str, element: str, value: Any, deep: bool
) -> None:
    from cds.mapping import map_collected
    from cds.reading import from_objects

    bad = dict(TEMPLATES[template])
    if deep and isinstance(bad.get(element), dict):
        bad[element] = {**bad[element], "value": value, "reference": value, "coding": value, "start": value}
    elif deep and isinstance(bad.get(element), list):
        bad[element] = [value, *bad[element]]
    else:
        bad[element] = value
    resources = [fx.patient("p1"), fx.medication("med"), *good_rest(), bad]
    mapped = map_collected(from_objects(resources))
    assert_rest_mapped(mapped)
