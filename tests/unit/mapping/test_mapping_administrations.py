"""PRRT administrations: Procedure (shape a), MedicationAdministration (shape b), and both together."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import factories as fx
import pytest

from cds.facts import Administration
from cds.mapping import Mapped


def admins(mapped: Mapped, patient: str = "Patient/p1") -> dict[str, Administration]:
    return {a.ref: a for a in mapped.records[patient].administrations}


def issues(mapped: Mapped, patient: str = "Patient/p1") -> list[tuple[str | None, str]]:
    return [(i.resource, i.message) for i in mapped.records[patient].issues]


# --- Procedure ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("snomed", "text"),
    [
        ("399315003", None),  # Radionuclide therapy
        ("440252007", None),  # Administration of radiopharmaceutical
        (None, "177Lu-DOTATATE infusion"),
        (None, "Lu-177 oxodotreotide"),
        (None, "LUTETIUM Lu 177 DOTATATE"),
        (None, "Lutathera"),
    ],
)
def test_procedure_recognised_by_code_or_text(map_fhir: Any, snomed: str | None, text: str | None) -> None:
    mapped = map_fhir(fx.patient(), fx.procedure("c1", "2024-01-08", snomed=snomed, text=text))
    admin = admins(mapped)["Procedure/c1"]
    assert (admin.day, admin.activity_gbq, admin.activity_reported) == (date(2024, 1, 8), 7.4, "7.4 GBq")
    assert admin.sources == ("Procedure/c1",)
    assert mapped.records["Patient/p1"].issues == []


@pytest.mark.parametrize("text", ["Lutetium-177 PSMA-617", "Octreotide LAR injection", "Radiotherapy"])
def test_other_procedures_are_skipped(map_fhir: Any, text: str) -> None:
    mapped = map_fhir(fx.patient(), fx.procedure("x", snomed=None, text=text))
    assert admins(mapped) == {}
    assert mapped.records["Patient/p1"].issues == [] and mapped.issues == []  # skipped silently


def test_procedure_performed_period_start(map_fhir: Any) -> None:
    procedure = fx.procedure("c1", "2024-01-08T09:00:00+01:00", timing="period")
    admin = admins(map_fhir(fx.patient(), procedure))["Procedure/c1"]
    assert (admin.at, admin.day) == (datetime(2024, 1, 8, 8, 0, tzinfo=UTC), date(2024, 1, 8))


def test_procedure_without_activity_extension_has_unknown_activity(map_fhir: Any) -> None:
    admin = admins(map_fhir(fx.patient(), fx.procedure("c1", activity=None)))["Procedure/c1"]
    assert (admin.activity_gbq, admin.activity_reported) == (None, None)


@pytest.mark.parametrize(
    ("value", "unit", "gbq"),
    [
        (7.4, "GBq", 7.4),
        (7400, "MBq", 7.4),
        (7_400_000, "kBq", 7.4),
        (200, "mCi", 7.4),
        (0.1, "Ci", 3.7),
        (3700, "MBq", 3.7),
        (100, "mCi", 3.7),
    ],
)
def test_activity_units(map_fhir: Any, value: float, unit: str, gbq: float) -> None:
    admin = admins(map_fhir(fx.patient(), fx.procedure("c1", activity=value, activity_unit=unit)))[
        "Procedure/c1"
    ]
    assert admin.activity_gbq == pytest.approx(gbq, rel=1e-12)
    assert admin.activity_reported == f"{value:g} {unit}"


@pytest.mark.parametrize("unit", ["mSv", "millicurie"])
def test_an_activity_in_an_unknown_unit_leaves_the_cycle_without_an_activity(map_fhir: Any, unit: str) -> None:
    """The cycle was given: dropping it made a fifth cycle read as the fourth, and left its kidney dose
    out of the cumulative."""
    mapped = map_fhir(
        fx.patient(), fx.procedure("c1", activity=200, activity_unit=unit), fx.procedure("c2", "2024-03-04")
    )
    assert list(admins(mapped)) == ["Procedure/c1", "Procedure/c2"]
    assert (admins(mapped)["Procedure/c1"].activity_gbq, admins(mapped)["Procedure/c1"].activity_reported) == (
        None, None)
    assert issues(mapped) == [("Procedure/c1", f"activity unit {unit!r} is not convertible to GBq: the cycle is "
                                               "kept with its activity not recorded")]


def test_a_medication_administration_in_an_unknown_unit_is_kept_too(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(), fx.medication_administration("m1", dose=200, dose_unit="millicurie"))
    assert admins(mapped)["MedicationAdministration/m1"].activity_gbq is None
    assert issues(mapped) == [("MedicationAdministration/m1", "activity unit 'millicurie' is not convertible to "
                                                              "GBq: the cycle is kept with its activity not recorded")]


@pytest.mark.parametrize("status", ["in-progress", "not-done", "entered-in-error"])
def test_procedure_not_completed_is_ignored_with_an_issue(map_fhir: Any, status: str) -> None:
    mapped = map_fhir(fx.patient(), fx.procedure("c1", status=status))
    assert admins(mapped) == {}
    assert issues(mapped) == [("Procedure/c1", "administration not completed: ignored")]


STOPPED = ("administration stopped before completion: counted as a cycle given, with the activity recorded "
           "(check what was delivered)")


def test_an_infusion_stopped_before_completion_counts_as_a_cycle_given_with_a_warning(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(), fx.procedure("c1", status="stopped", activity=3.1),
                      fx.medication_administration("m1", dose=2.5, dose_unit="GBq", status="stopped"))
    given = admins(mapped)
    assert (given["Procedure/c1"].activity_gbq, given["MedicationAdministration/m1"].activity_gbq) == (3.1, 2.5)
    assert issues(mapped) == [("Procedure/c1", STOPPED), ("MedicationAdministration/m1", STOPPED)]


# --- MedicationAdministration ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rxnorm", "text"),
    [
        ("1999682", None),
        ("1999687", None),
        (None, "Lutetium Lu 177 dotatate 370 MBq/mL"),
        (None, "LUTATHERA"),
    ],
)
def test_medication_administration_by_code_or_text(
    map_fhir: Any, rxnorm: str | None, text: str | None
) -> None:
    mapped = map_fhir(
        fx.patient(), fx.medication_administration("m1", "2024-01-08T09:30:00Z", rxnorm=rxnorm, text=text)
    )
    admin = admins(mapped)["MedicationAdministration/m1"]
    assert (admin.day, admin.activity_gbq, admin.sources) == (
        date(2024, 1, 8),
        7.4,
        ("MedicationAdministration/m1",),
    )


def test_medication_administration_effective_period_start_and_mci_dose(map_fhir: Any) -> None:
    ma = fx.medication_administration(
        "m1", "2024-01-08T10:00:00Z", timing="period", dose=200, dose_unit="mCi"
    )
    admin = admins(map_fhir(fx.patient(), ma))["MedicationAdministration/m1"]
    assert admin.at == datetime(2024, 1, 8, 10, tzinfo=UTC)
    assert admin.activity_gbq == pytest.approx(7.4)
    assert admin.activity_reported == "200 mCi"


def test_medication_via_medication_reference(map_fhir: Any) -> None:
    med = fx.medication("lutathera", rxnorm="1999687", text=None)
    ma = fx.medication_administration("m1", medication_ref="Medication/lutathera", dose=7400, dose_unit="MBq")
    admin = admins(map_fhir(fx.patient(), ma, med))["MedicationAdministration/m1"]  # Medication after the MA
    assert admin.activity_gbq == pytest.approx(7.4)


def test_medication_reference_to_another_drug_is_skipped(map_fhir: Any) -> None:
    med = fx.medication("octreotide", rxnorm="7617", text="octreotide")
    mapped = map_fhir(
        fx.patient(), fx.medication_administration("m1", medication_ref="Medication/octreotide"), med
    )
    assert admins(mapped) == {}


UNRESOLVED = ("its medication Medication/elsewhere is not in the input: it cannot be told to be a Lutathera cycle "
              "or a somatostatin analogue, and is not used (send the Medication with it)")


def test_unresolvable_medication_reference_is_not_used_and_says_so(map_fhir: Any) -> None:
    """A patient-level export leaves the Medication out (it is outside the patient compartment): before,
    the administration vanished without a word, and the cycle it gave with it."""
    mapped = map_fhir(fx.patient(), fx.medication_administration("m1", medication_ref="Medication/elsewhere"))
    assert admins(mapped) == {}
    assert issues(mapped) == [("MedicationAdministration/m1", UNRESOLVED)]


def test_a_contained_medication_is_resolved(map_fhir: Any) -> None:
    contained = {**fx.medication("lutathera", rxnorm="1999687", text=None), "id": "lu"}
    ma = fx.medication_administration("m1", medication_ref="#lu", contained=[contained])
    assert admins(map_fhir(fx.patient(), ma))["MedicationAdministration/m1"].activity_gbq == pytest.approx(7.4)


def test_medication_administration_without_dose(map_fhir: Any) -> None:
    admin = admins(map_fhir(fx.patient(), fx.medication_administration("m1", dose=None)))[
        "MedicationAdministration/m1"
    ]
    assert admin.activity_gbq is None


# --- both shapes: partOf -------------------------------------------------------------------------------


def test_part_of_gives_the_procedure_its_activity(map_fhir: Any) -> None:
    procedure = fx.procedure("c1", "2024-01-08", activity=None)
    ma = fx.medication_administration(
        "m1", "2024-01-08T09:30:00Z", dose=7400, dose_unit="MBq", part_of="Procedure/c1"
    )
    mapped = map_fhir(fx.patient(), ma, procedure)  # order does not matter
    assert list(admins(mapped)) == ["Procedure/c1"]
    admin = admins(mapped)["Procedure/c1"]
    assert admin.activity_gbq == pytest.approx(7.4)
    assert admin.activity_reported == "7400 MBq"
    assert admin.sources == ("Procedure/c1", "MedicationAdministration/m1")
    assert admin.day == date(2024, 1, 8)
    assert issues(mapped) == []


def test_part_of_with_a_different_activity_uses_the_dose_and_says_so(map_fhir: Any) -> None:
    procedure = fx.procedure("c1", activity=7.4)
    ma = fx.medication_administration("m1", dose=3.7, part_of="Procedure/c1")
    mapped = map_fhir(fx.patient(), procedure, ma)
    assert admins(mapped)["Procedure/c1"].activity_gbq == 3.7
    assert issues(mapped) == [
        (
            "MedicationAdministration/m1",
            "activity differs from Procedure/c1; the MedicationAdministration dose is used",
        )
    ]


def test_part_of_without_a_dose_keeps_the_procedure_activity(map_fhir: Any) -> None:
    mapped = map_fhir(
        fx.patient(),
        fx.procedure("c1", activity=7.4),
        fx.medication_administration("m1", dose=None, part_of="Procedure/c1"),
    )
    assert admins(mapped)["Procedure/c1"].activity_gbq == 7.4


def test_part_of_an_unknown_procedure_stands_on_its_own(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(), fx.medication_administration("m1", part_of="Procedure/not-here"))
    assert list(admins(mapped)) == ["MedicationAdministration/m1"]


@pytest.mark.parametrize("text", ["177Lu-PSMA-617 radioligand therapy", "Iodine-131 therapy", "Radium-223 dichloride"])
def test_generic_radionuclide_code_naming_another_agent_is_not_a_prrt_cycle(map_fhir: Any, text: str) -> None:
    procedure = fx.procedure("x1", "2024-01-08", activity=7.4, snomed="399315003", text=text)
    mapped = map_fhir(fx.patient(), procedure)
    record = mapped.records["Patient/p1"]
    assert record.administrations == []
    assert [i.message for i in record.issues] == ["radionuclide therapy of another agent: not a PRRT cycle"]


@pytest.mark.parametrize("text", [
    "Lutathera cycle 3, restaging CT at day-90",  # "day-90" is not Y-90
    "Lu-177 DOTATATE after Y-90 radioembolisation",  # names 177Lu-DOTATATE itself
    "Radionuclide therapy, then iodinated-contrast-free imaging",  # "iodinated" is not the word "iodine"
])
def test_generic_code_whose_text_names_prrt_or_no_other_agent_is_a_cycle(map_fhir: Any, text: str) -> None:
    procedure = fx.procedure("c1", "2024-01-08", activity=7.4, snomed="399315003", text=text)
    mapped = map_fhir(fx.patient(), procedure)
    assert list(admins(mapped)) == ["Procedure/c1"]
    assert issues(mapped) == []


@pytest.mark.parametrize("text", ["lutetium Lu 177 dotatate; no iodine contrast", "Lutathera after Y-90 SIRT"])
def test_the_product_code_decides_whatever_the_text_says(map_fhir: Any, text: str) -> None:
    """An RxNorm code of Lutathera names the product: a word in the text cannot drop the cycle."""
    mapped = map_fhir(fx.patient(), fx.medication_administration("m1", text=text))
    assert list(admins(mapped)) == ["MedicationAdministration/m1"]


# --- partOf a record entered in error ------------------------------------------------------------------


PART_OF_RETRACTED = ("partOf Procedure/c1, which is entered-in-error: a Lutathera administration recorded as "
                     "given that cannot be read is not counted as a cycle (the cycles given, their numbers and the "
                     "cumulative activity may be short by it)")


@pytest.mark.parametrize("versions", [("entered-in-error",), ("completed", "entered-in-error")])
def test_an_administration_part_of_a_procedure_entered_in_error_is_no_cycle(
        map_fhir: Any, versions: tuple[str, ...]) -> None:
    """Before: with only the retracted version in the input the MedicationAdministration stood alone as a
    cycle given (7.4 GBq counted), with an older completed version beside it it vanished without a word
    of its own. Neither record can be told right: it is not counted, and is named as unread."""
    procedures = [fx.procedure("c1", "2024-01-08", status=status) for status in versions]
    mapped = map_fhir(fx.patient(), *procedures, fx.medication_administration("m1", part_of="Procedure/c1"))
    record = mapped.records["Patient/p1"]
    assert admins(mapped) == {}
    assert [(u.ref, u.part_of) for u in record.unread_administrations] == [
        ("MedicationAdministration/m1", "Procedure/c1")]
    assert ("MedicationAdministration/m1", PART_OF_RETRACTED) in issues(mapped)


def test_a_retracted_administration_gives_its_procedure_no_activity(map_fhir: Any) -> None:
    """Before: a completed version of the MedicationAdministration beside its entered-in-error version
    still gave the Procedure its 7.4 GBq."""
    mapped = map_fhir(
        fx.patient(), fx.procedure("c1", "2024-01-08", activity=None),
        fx.medication_administration("m1", part_of="Procedure/c1"),
        fx.medication_administration("m1", status="entered-in-error", part_of="Procedure/c1"),
    )
    admin = admins(mapped)["Procedure/c1"]
    assert (admin.activity_gbq, admin.sources) == (None, ("Procedure/c1",))
    assert ("MedicationAdministration/m1", "a version of this administration is entered-in-error: none of its "
                                           "versions is used") in issues(mapped)
