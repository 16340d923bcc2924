"""Laboratory Observation shapes of the FHIR input profile, with and without their optional parts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import factories as fx
import pytest

from cds.facts import LabResult
from cds.jsonio import UnreadableNumber
from cds.mapping import Mapped, map_collected
from cds.reading import from_objects


def labs_of(mapped: Mapped, patient: str = "Patient/p1") -> dict[str, LabResult]:
    return {lab.ref: lab for lab in mapped.records[patient].labs}


def messages(mapped: Mapped, patient: str = "Patient/p1") -> list[tuple[str, str | None, str]]:
    return [(i.severity, i.resource, i.message) for i in mapped.records[patient].issues]


# --- time -------------------------------------------------------------------------------------------


def test_effective_date_time_gives_instant_and_day_as_written(map_fhir: Any) -> None:
    observation = fx.lab("o1", "platelets", 70, "10*3/uL", when="2024-03-31T23:30:00-05:00")
    lab = labs_of(map_fhir(fx.patient(), observation))["Observation/o1"]
    assert lab.at == datetime(2024, 4, 1, 4, 30, tzinfo=UTC)
    assert lab.day == date(2024, 3, 31)  # the calendar day as written, not the UTC day


def test_effective_period_start(map_fhir: Any) -> None:
    observation = fx.lab("o1", "platelets", 70, "10*3/uL", when="2024-02-05T07:45:00Z", timing="period")
    lab = labs_of(map_fhir(fx.patient(), observation))["Observation/o1"]
    assert (lab.at, lab.day) == (datetime(2024, 2, 5, 7, 45, tzinfo=UTC), date(2024, 2, 5))


def test_issued_is_the_fallback_when_there_is_no_effective_time(map_fhir: Any) -> None:
    observation = fx.lab("o1", "platelets", 70, "10*3/uL", when="2024-02-06T10:00:00Z", timing="issued")
    lab = labs_of(map_fhir(fx.patient(), observation))["Observation/o1"]
    assert lab.day == date(2024, 2, 6)


def test_effective_wins_over_issued(map_fhir: Any) -> None:
    observation = fx.lab("o1", "platelets", 70, "10*3/uL", when="2024-02-05", issued="2024-02-07T10:00:00Z")
    lab = labs_of(map_fhir(fx.patient(), observation))["Observation/o1"]
    assert (lab.at, lab.day) == (datetime(2024, 2, 5, tzinfo=UTC), date(2024, 2, 5))


def test_a_lab_without_any_date_is_an_issue(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(), fx.lab("o1", "platelets", 70, "10*3/uL", when=None))
    assert mapped.records["Patient/p1"].labs == []
    assert messages(mapped) == [("warning", "Observation/o1", "no effective date")]


# --- reference ranges -------------------------------------------------------------------------------


def test_full_reference_range_comes_from_the_observation(map_fhir: Any) -> None:
    observation = fx.lab("o1", "hemoglobin", 9.1, "g/dL", low=12.0, high=15.5)
    lab = labs_of(map_fhir(fx.patient(), observation))["Observation/o1"]
    assert (lab.low, lab.high, lab.range_source) == (120.0, 155.0, "observation")


@pytest.mark.parametrize(("gender", "limits"), [("female", (120.0, 158.0)), ("male", (133.0, 162.0))])
def test_no_reference_range_uses_the_default_table_by_sex(
    map_fhir: Any, gender: str, limits: tuple[float, float]
) -> None:
    lab = labs_of(map_fhir(fx.patient(gender=gender), fx.lab("o1", "hemoglobin", 9.1, "g/dL")))[
        "Observation/o1"
    ]
    assert (lab.low, lab.high, lab.range_source) == (*limits, "default")


def test_unknown_sex_gets_the_narrowest_sex_specific_default(map_fhir: Any) -> None:
    # Hemoglobin's default range is by sex only: without the sex, the highest LLN (male 133 g/L) and
    # the lowest ULN (female 158 g/L), so no abnormal value is missed for want of the sex.
    mapped = map_fhir(fx.lab("o1", "hemoglobin", 9.1, "g/dL"))  # no Patient resource
    lab = labs_of(mapped)["Observation/o1"]
    assert (lab.low, lab.high, lab.range_source) == (133.0, 158.0, "default")
    # ... whereas a sex-independent default applies to everybody.
    lab = labs_of(map_fhir(fx.lab("o2", "platelets", 70, "10*3/uL")))["Observation/o2"]
    assert (lab.low, lab.high, lab.range_source) == (165.0, 415.0, "default")


def test_only_a_low_limit_is_completed_from_the_default_as_mixed(map_fhir: Any) -> None:
    observation = fx.lab("o1", "platelets", 70, "10*3/uL", low=150)
    lab = labs_of(map_fhir(fx.patient(), observation))["Observation/o1"]
    assert (lab.low, lab.high, lab.range_source) == (150.0, 415.0, "mixed")


def test_only_a_high_limit_is_completed_from_the_default_as_mixed(map_fhir: Any) -> None:
    observation = fx.lab("o1", "creatinine", 1.2, "mg/dL", high=1.1)
    lab = labs_of(map_fhir(fx.patient(gender="female"), observation))["Observation/o1"]
    assert (lab.low, lab.high, lab.range_source) == pytest.approx((44.0, 97.262, "mixed"))


def test_one_sided_range_for_an_unknown_sex_takes_the_narrowest_default_side(map_fhir: Any) -> None:
    mapped = map_fhir(fx.lab("o1", "hemoglobin", 9.1, "g/dL", low=12))  # sex unknown
    lab = labs_of(mapped)["Observation/o1"]
    assert (lab.low, lab.high, lab.range_source) == (120.0, 158.0, "mixed")


MALE, FEMALE, PREGNANT = "248153007", "248152002", "77386006"  # SNOMED CT, FHIR R4 referencerange-appliesto
MEANING = "http://terminology.hl7.org/CodeSystem/referencerange-meaning"


def _entry(low: float | None, high: float | None, unit: str = "g/dL", **qualifiers: Any) -> dict[str, Any]:
    entry: dict[str, Any] = dict(qualifiers)
    if low is not None:
        entry["low"] = fx.quantity(low, unit)
    if high is not None:
        entry["high"] = fx.quantity(high, unit)
    return entry


def _sex(code: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": "http://snomed.info/sct", "code": code}]}]


def _ages(low: float | None, high: float | None, unit: str = "a") -> dict[str, Any]:
    return {side: fx.quantity(value, unit) for side, value in (("low", low), ("high", high)) if value is not None}


def _hemoglobin(*entries: dict[str, Any], gender: str = "male", birth_date: str | None = "1962-05-14",
                when: str = "2024-01-02T08:00:00Z") -> tuple[LabResult, list[tuple[str, str | None, str]]]:
    observation = fx.lab("o1", "hemoglobin", 12.5, "g/dL", when=when)
    observation["referenceRange"] = list(entries)
    mapped = map_collected(from_objects((fx.patient(gender=gender, birth_date=birth_date), observation)))
    return labs_of(mapped)["Observation/o1"], messages(mapped)


def test_the_range_of_the_patients_sex_is_used_not_the_first_one() -> None:
    # A man's 12.5 g/dL is below his LLN of 13.3 (grade 1 anaemia); the women's range listed first said normal.
    lab, issues = _hemoglobin(_entry(12.0, 15.8, appliesTo=_sex(FEMALE)), _entry(13.3, 16.2, appliesTo=_sex(MALE)))
    assert (lab.low, lab.high, lab.range_source) == (133.0, 162.0, "observation")
    assert issues == []


def test_a_range_for_the_other_sex_alone_is_not_used() -> None:
    lab, issues = _hemoglobin(_entry(12.0, 15.8, appliesTo=_sex(FEMALE)))
    assert (lab.low, lab.high, lab.range_source) == (133.0, 162.0, "default")
    assert issues == [("warning", "Observation/o1", "none of the 1 reference ranges is known to be the range of "
                                                    "normal of this patient; default range used")]


def test_a_range_for_a_sex_is_not_used_when_the_sex_is_unknown() -> None:
    lab, _ = _hemoglobin(_entry(13.3, 16.2, appliesTo=_sex(MALE)), gender="unknown")
    assert lab.range_source == "default"


def test_a_range_for_pregnancy_is_never_taken_to_apply() -> None:
    lab, _ = _hemoglobin(_entry(11.0, 15.0, appliesTo=_sex(PREGNANT)), gender="female")
    assert (lab.low, lab.high, lab.range_source) == (120.0, 158.0, "default")


def test_a_childs_range_listed_first_is_not_used_for_an_adult() -> None:
    lab, issues = _hemoglobin(_entry(11.0, 14.0, age=_ages(1, 12)), _entry(13.3, 16.2))
    assert (lab.low, lab.high, lab.range_source) == (133.0, 162.0, "observation")
    assert issues == []


def test_an_age_range_holds_from_the_birthday_it_names_on() -> None:
    # born 1962-05-14: completed 61 years until 2024-05-13, 62 from 2024-05-14 (both limits included)
    entries = (_entry(13.3, 16.2, age=_ages(18, 61)), _entry(12.6, 17.4, age=_ages(62, None)))
    before, _ = _hemoglobin(*entries, when="2024-05-13T08:00:00Z")
    on, _ = _hemoglobin(*entries, when="2024-05-14T08:00:00Z")
    assert (before.low, on.low) == (133.0, 126.0)


def test_an_age_range_in_months_reads_completed_months() -> None:
    entries = (_entry(13.3, 16.2, age=_ages(None, 743, "mo")),)  # 61 years and 11 months
    last, _ = _hemoglobin(*entries, when="2024-05-13T08:00:00Z")  # 743 completed months
    next_day, _ = _hemoglobin(*entries, when="2024-05-14T08:00:00Z")  # 744
    assert (last.range_source, next_day.range_source) == ("observation", "default")


def test_an_age_range_is_not_used_without_a_birth_date_or_with_an_unknown_age_unit() -> None:
    no_birth, _ = _hemoglobin(_entry(13.3, 16.2, age=_ages(18, None)), birth_date=None)
    odd_unit, _ = _hemoglobin(_entry(13.3, 16.2, age=_ages(18, None, "kg")))
    assert (no_birth.range_source, odd_unit.range_source) == ("default", "default")


def test_an_age_range_is_not_chosen_by_an_impossible_age() -> None:
    # A birth date after the lab (typed 2024 for 1924) makes the age on that day negative, and one of 1900 an
    # age of 123: neither is an age (the record's age becomes unknown, codes.toml [plausibility]), so neither
    # may pick a child's range (a lower ULN hides nothing here, but a child's ALP ULN hides a grade) nor an
    # elderly one.
    child = (_entry(11.0, 14.0, age=_ages(None, 12)),)
    elderly = (_entry(12.0, 17.0, age=_ages(90, None)),)
    unborn, unborn_issues = _hemoglobin(*child, birth_date="2024-06-01")
    ancient, _ = _hemoglobin(*elderly, birth_date="1900-05-14")
    assert (unborn.range_source, ancient.range_source) == ("default", "default")
    assert any("age unknown" in message for _, _, message in unborn_issues)


def test_a_range_of_another_meaning_than_normal_is_not_an_lln_or_uln() -> None:
    therapeutic = {"coding": [{"system": MEANING, "code": "therapeutic"}]}
    normal = {"coding": [{"system": MEANING, "code": "normal"}]}
    lab, _ = _hemoglobin(_entry(10.0, 12.0, type=therapeutic), _entry(13.3, 16.2, type=normal))
    alone, issues = _hemoglobin(_entry(10.0, 12.0, type=therapeutic))
    assert (lab.low, lab.range_source) == (133.0, "observation")
    assert (alone.low, alone.range_source) == (133.0, "default")
    assert "default range used" in issues[0][2]


def test_two_ranges_that_both_apply_with_different_limits_give_the_default_with_a_warning() -> None:
    lab, issues = _hemoglobin(_entry(13.3, 16.2), _entry(1.0, 2.0))
    assert (lab.low, lab.high, lab.range_source) == (133.0, 162.0, "default")
    assert issues == [("warning", "Observation/o1", "2 reference ranges with different limits apply to this "
                                                    "patient; default range used")]


def test_the_same_range_sent_twice_is_used() -> None:
    lab, issues = _hemoglobin(_entry(13.3, 16.2), _entry(13.3, 16.2))
    assert (lab.low, lab.range_source, issues) == (133.0, "observation", [])


def test_a_range_given_only_as_text_gives_the_default_with_a_warning() -> None:
    lab, issues = _hemoglobin({"text": "13.3-16.2 g/dL"})
    assert lab.range_source == "default"
    assert issues == [("warning", "Observation/o1", "reference range given only as text; default range used")]


def test_a_one_sided_range_is_not_completed_by_a_default_that_would_invert_it() -> None:
    # a low of 17 g/dL beside the default ULN of 16.2 would be a range with no value inside it: the
    # laboratory's LLN stands alone, and no ULN is made up for it
    lab, issues = _hemoglobin(_entry(17.0, None))
    assert (lab.low, lab.high, lab.range_source, issues) == (170.0, None, "observation", [])
    below, _ = _hemoglobin(_entry(16.2, None))  # meets the default ULN: still completed by it
    assert (below.low, below.high, below.range_source) == (162.0, 162.0, "mixed")


# --- interpretation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "flag"),
    [
        ("H", "high"),
        ("HH", "high"),
        ("HU", "high"),
        ("L", "low"),
        ("LL", "low"),
        ("LU", "low"),
        ("N", "normal"),
        ("A", None),
    ],
)
def test_interpretation_codes(map_fhir: Any, code: str, flag: str | None) -> None:
    observation = fx.lab("o1", "alt", 90, "U/L", interpretation=code)
    assert labs_of(map_fhir(fx.patient(), observation))["Observation/o1"].flag == flag


def test_no_interpretation_gives_no_flag(map_fhir: Any) -> None:
    assert labs_of(map_fhir(fx.patient(), fx.lab("o1", "alt", 90, "U/L")))["Observation/o1"].flag is None


# --- status -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["final", "amended", "corrected"])
def test_usable_statuses(map_fhir: Any, status: str) -> None:
    assert "Observation/o1" in labs_of(map_fhir(fx.patient(), fx.lab("o1", "alt", 9, "U/L", status=status)))


@pytest.mark.parametrize("status", ["registered", "cancelled", "entered-in-error", "unknown"])
def test_other_statuses_are_ignored_and_counted_as_info(map_fhir: Any, status: str) -> None:
    mapped = map_fhir(
        fx.patient(), fx.lab("o1", "alt", 9, "U/L", status=status), fx.lab("o2", "alt", 10, "U/L")
    )
    assert list(labs_of(mapped)) == ["Observation/o2"]
    assert messages(mapped) == [
        ("info", "Observation/o1", f"status {status} is not final, amended or corrected: ignored")
    ]


def test_a_preliminary_result_is_kept_ungraded_not_ignored(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(), fx.lab("o1", "alt", 9, "U/L", status="preliminary"), fx.lab("o2", "alt", 10, "U/L"))
    assert list(labs_of(mapped)) == ["Observation/o2"]
    reason = "status preliminary: not a final result, not graded until its final value"
    assert [(u.ref, u.reason) for u in mapped.records["Patient/p1"].ungradable] == [("Observation/o1", reason)]
    assert messages(mapped) == [("info", "Observation/o1", reason)]


@pytest.mark.parametrize("order", ["final first", "retraction first"])
def test_an_entered_in_error_version_retracts_every_version_of_the_observation(map_fhir: Any, order: str) -> None:
    """A platelet count of 180 and its entered-in-error version (same id, an older export beside a newer
    one): the 180 stayed in use, and the cycle proceeded on a result the laboratory had withdrawn."""
    final = fx.lab("o1", "platelets", 180, "10*9/L")
    retracted = fx.lab("o1", "platelets", 180, "10*9/L", status="entered-in-error")
    versions = [final, retracted] if order == "final first" else [retracted, final]
    mapped = map_fhir(fx.patient(), *versions, fx.lab("o2", "alt", 10, "U/L"))
    assert list(labs_of(mapped)) == ["Observation/o2"]
    assert ("warning", "Observation/o1", "a version of this Observation is entered-in-error: none of its versions "
                                         "is used") in messages(mapped)


def test_an_entered_in_error_observation_retracts_only_itself(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(), fx.lab("o1", "platelets", 180, "10*9/L", status="entered-in-error"),
                      fx.lab("o2", "platelets", 170, "10*9/L"))
    assert list(labs_of(mapped)) == ["Observation/o2"]


# --- specimen and percent differentials ----------------------------------------------------------------


def test_specimen_reference_is_kept(map_fhir: Any) -> None:
    observation = fx.lab("o1", "wbc", 5, "10*3/uL", specimen="Specimen/s1")
    assert labs_of(map_fhir(fx.patient(), observation))["Observation/o1"].specimen == "Specimen/s1"


def test_percent_differential_with_a_wbc_of_the_same_specimen(map_fhir: Any) -> None:
    # Different times, same specimen: the specimen links them.
    wbc = fx.lab("wbc", "wbc", 4.0, "10*3/uL", specimen="Specimen/s1", when="2024-02-05T08:00:00Z")
    other = fx.lab("wbc-other", "wbc", 9.0, "10*3/uL", when="2024-02-05T09:00:00Z")
    pct = fx.lab("neut", "neutrophils_pct", 45, "%", specimen="Specimen/s1", when="2024-02-05T09:00:00Z")
    mapped = map_fhir(fx.patient(), other, pct, wbc)
    derived = labs_of(mapped)["Observation/neut"]
    assert derived.analyte == "neutrophils"
    assert derived.value == pytest.approx(1.8)  # 4.0 x 45 %
    assert derived.derived_from == ("Observation/neut", "Observation/wbc")
    assert (derived.reported_value, derived.reported_unit, derived.loinc) == (45.0, "%", "770-8")


def test_percent_differential_with_a_wbc_of_the_same_time(map_fhir: Any) -> None:
    wbc = fx.lab("wbc", "wbc", 3500, "/uL", when="2024-02-05T08:00:00Z")
    pct = fx.lab("lymph", "lymphocytes_pct", 20, "%", when="2024-02-05T08:00:00Z")
    derived = labs_of(map_fhir(fx.patient(), pct, wbc))["Observation/lymph"]
    assert (derived.analyte, derived.value, derived.unit) == ("lymphocytes", pytest.approx(0.7), "10*9/L")
    assert (derived.low, derived.high, derived.range_source) == (0.71, 4.53, "default")


def test_percent_differential_without_a_matching_wbc_is_not_gradable(map_fhir: Any) -> None:
    wbc = fx.lab("wbc", "wbc", 4.0, "10*3/uL", when="2024-02-05T08:00:00Z")
    pct = fx.lab("neut", "neutrophils_pct", 45, "%", when="2024-02-05T08:05:00Z")
    mapped = map_fhir(fx.patient(), wbc, pct)
    record = mapped.records["Patient/p1"]
    assert list(labs_of(mapped)) == ["Observation/wbc"]
    [ungradable] = record.ungradable
    assert (ungradable.ref, ungradable.analyte) == ("Observation/neut", "neutrophils")
    reason = "percent differential without a WBC of the same specimen or time: cannot grade"
    assert ungradable.reason == reason
    assert messages(mapped) == [("warning", "Observation/neut", reason)]


def test_percent_differential_never_uses_another_patients_wbc(map_fhir: Any) -> None:
    wbc = fx.lab("wbc", "wbc", 4.0, "10*3/uL", patient="Patient/p2", when="2024-02-05T08:00:00Z")
    pct = fx.lab("neut", "neutrophils_pct", 45, "%", when="2024-02-05T08:00:00Z")
    mapped = map_fhir(fx.patient(), fx.patient("p2"), wbc, pct)
    assert [u.ref for u in mapped.records["Patient/p1"].ungradable] == ["Observation/neut"]


# --- value absent or unusable ------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 250])
def test_a_value_beside_a_data_absent_reason_is_not_graded(map_fhir: Any, value: int) -> None:
    """FHIR obs-6: a result has a value or a dataAbsentReason, never both. With both, the number may be a
    placeholder (0 for "error", a normal-looking default): grading it would be a silent wrong grade (a
    grade 4 from a 0, or grade 0 from a default). It was: graded as if the value were measured."""
    observation = fx.lab("o1", "platelets", value, "10*9/L", dataAbsentReason=fx.concept(None, None, "error"))
    mapped = map_fhir(fx.patient(), observation)
    assert not labs_of(mapped)
    [ungradable] = mapped.records["Patient/p1"].ungradable
    assert ungradable.reason == ("both a value and a dataAbsentReason (FHIR obs-6: one or the other), the value may "
                                 "be a placeholder: cannot grade")
    assert ("warning", "Observation/o1", ungradable.reason) in messages(mapped)


def test_data_absent_reason_is_not_gradable(map_fhir: Any) -> None:
    observation = fx.lab("o1", "platelets", dataAbsentReason=fx.concept(None, None, "clotted"))
    mapped = map_fhir(fx.patient(), observation)
    [ungradable] = mapped.records["Patient/p1"].ungradable
    assert ungradable.reason == "data absent: cannot grade"


@pytest.mark.parametrize(
    ("quantity", "reason"),
    [
        ({"value": "70", "unit": "10*3/uL"}, "quantity value is a string, not a number: cannot grade"),
        ({"value": True, "unit": "10*3/uL"}, "quantity value is true or false, not a number: cannot grade"),
        ({"value": UnreadableNumber("a number longer than 32 characters"), "unit": "10*3/uL"},
         "quantity value is a number longer than 32 characters, not read: cannot grade"),
        ({"unit": "10*3/uL"}, "quantity has no numeric value: cannot grade"),
        (
            {"value": 20, "comparator": "<", "code": "10*3/uL"},
            "quantity has a comparator (< <= >= >): an inexact value is not graded: cannot grade",
        ),
        ("70", "no quantity: cannot grade"),
        # json.loads reads NaN, Infinity and integers too large for a float: none is a measurement.
        ({"value": float("nan"), "code": "10*3/uL"}, "quantity value is not a finite number: cannot grade"),
        ({"value": float("inf"), "code": "10*3/uL"}, "quantity value is not a finite number: cannot grade"),
        ({"value": 10**400, "code": "10*3/uL"}, "quantity value is not a finite number: cannot grade"),
    ],
)
def test_unusable_value_quantity(map_fhir: Any, quantity: Any, reason: str) -> None:
    observation = fx.lab("o1", "platelets", valueQuantity=quantity)
    mapped = map_fhir(fx.patient(), observation, fx.lab("o2", "platelets", 70, "10*3/uL"))
    record = mapped.records["Patient/p1"]
    assert [u.reason for u in record.ungradable] == [reason]
    assert list(labs_of(mapped)) == ["Observation/o2"]


def test_value_string_instead_of_quantity_is_not_gradable(map_fhir: Any) -> None:
    observation = fx.lab("o1", "platelets", valueString="70")
    [ungradable] = map_fhir(fx.patient(), observation).records["Patient/p1"].ungradable
    assert ungradable.reason == "no valueQuantity: cannot grade"


# --- code selection ---------------------------------------------------------------------------------


def test_an_unmapped_loinc_is_skipped_silently(map_fhir: Any) -> None:
    heart_rate = fx.observation("hr", fx.concept(fx.LOINC, "8867-4"), valueQuantity=fx.quantity(80, "/min"))
    mapped = map_fhir(fx.patient(), heart_rate)
    assert mapped.records["Patient/p1"].labs == [] and mapped.records["Patient/p1"].issues == []
    assert mapped.issues == []


def test_the_first_mapped_loinc_among_several_codings_is_used(map_fhir: Any) -> None:
    observation = fx.lab("o1", "platelets", 70, "10*3/uL")
    observation["code"]["coding"] = [
        fx.coding("http://acme.example/lab", "PLT"),
        fx.coding(fx.LOINC, "8867-4"),
        fx.coding(fx.LOINC, "26515-7"),
    ]
    lab = labs_of(map_fhir(fx.patient(), observation))["Observation/o1"]
    assert (lab.analyte, lab.loinc) == ("platelets", "26515-7")


def test_a_loinc_code_under_another_system_is_not_trusted(map_fhir: Any) -> None:
    observation = fx.lab("o1", "platelets", 70, "10*3/uL")
    observation["code"]["coding"] = [fx.coding("http://acme.example/lab", "777-3")]
    mapped = map_fhir(fx.patient(), observation)
    assert mapped.records["Patient/p1"].labs == [] and mapped.issues == []


def test_absolute_subject_url_is_reduced_to_the_patient_reference(map_fhir: Any) -> None:
    observation = fx.lab("o1", "alt", 30, "U/L", patient="https://ehr.example.org/fhir/Patient/p1/_history/3")
    assert "Observation/o1" in labs_of(map_fhir(fx.patient(), observation))


@pytest.mark.parametrize("status", [None, ["final"], {"code": "final"}])
def test_a_status_that_is_not_a_code_is_ignored_as_info(map_fhir: Any, status: Any) -> None:
    observation = fx.lab("o1", "alt", 9, "U/L")
    if status is None:
        del observation["status"]
    else:
        observation["status"] = status
    mapped = map_fhir(fx.patient(), observation)
    assert labs_of(mapped) == {}
    assert messages(mapped) == [
        ("info", "Observation/o1", "status (not a code) is not final, amended or corrected: ignored")
    ]


def test_percent_differential_never_uses_a_wbc_of_another_specimen_of_the_same_time(map_fhir: Any) -> None:
    # The percentage names its specimen; a WBC drawn at the same minute from another specimen is another
    # sample (another tube, another patient's tube mislabelled in time): never the count's base.
    wbc = fx.lab("wbc", "wbc", 1.0, "10*3/uL", specimen="Specimen/s2", when="2024-02-05T08:00:00Z")
    pct = fx.lab("neut", "neutrophils_pct", 50, "%", specimen="Specimen/s1", when="2024-02-05T08:00:00Z")
    mapped = map_fhir(fx.patient(), wbc, pct)
    assert list(labs_of(mapped)) == ["Observation/wbc"]
    [ungradable] = mapped.records["Patient/p1"].ungradable
    reason = "percent differential: the WBC of the same time is of another specimen: cannot grade"
    assert (ungradable.ref, ungradable.reason) == ("Observation/neut", reason)
    assert ("warning", "Observation/neut", reason) in messages(mapped)


def test_percent_differential_with_two_different_wbcs_of_the_same_time_is_not_gradable(map_fhir: Any) -> None:
    # Two WBCs at the same instant (10.0 and 1.0): which one the percentage belongs to cannot be told;
    # the last read gave an ANC of 0.5 (grade 3) where the other gives 5.0 (normal).
    high = fx.lab("wbc-a", "wbc", 10.0, "10*3/uL", when="2024-02-05T08:00:00Z")
    low = fx.lab("wbc-b", "wbc", 1.0, "10*3/uL", when="2024-02-05T08:00:00Z")
    pct = fx.lab("neut", "neutrophils_pct", 50, "%", when="2024-02-05T08:00:00Z")
    mapped = map_fhir(fx.patient(), high, low, pct)
    assert "Observation/neut" not in labs_of(mapped)
    [ungradable] = mapped.records["Patient/p1"].ungradable
    reason = "percent differential with WBCs of different values for the same specimen or time: cannot grade"
    assert (ungradable.ref, ungradable.analyte, ungradable.reason) == ("Observation/neut", "neutrophils", reason)


def test_percent_differential_with_two_different_wbcs_of_the_same_specimen_is_not_gradable(map_fhir: Any) -> None:
    first = fx.lab("wbc-a", "wbc", 10.0, "10*3/uL", specimen="Specimen/s1", when="2024-02-05T08:00:00Z")
    second = fx.lab("wbc-b", "wbc", 1.0, "10*3/uL", specimen="Specimen/s1", when="2024-02-05T08:10:00Z")
    pct = fx.lab("neut", "neutrophils_pct", 50, "%", specimen="Specimen/s1", when="2024-02-05T08:05:00Z")
    mapped = map_fhir(fx.patient(), first, second, pct)
    assert "Observation/neut" not in labs_of(mapped)
    [ungradable] = mapped.records["Patient/p1"].ungradable
    assert ungradable.reason.startswith("percent differential with WBCs of different values")


def test_percent_differential_with_a_repeated_identical_wbc_of_the_same_time_is_graded(map_fhir: Any) -> None:
    one = fx.lab("wbc-a", "wbc", 4.0, "10*3/uL", when="2024-02-05T08:00:00Z")
    again = fx.lab("wbc-b", "wbc", 4000, "/uL", when="2024-02-05T08:00:00Z")  # the same count, another unit
    pct = fx.lab("neut", "neutrophils_pct", 45, "%", when="2024-02-05T08:00:00Z")
    derived = labs_of(map_fhir(fx.patient(), one, again, pct))["Observation/neut"]
    assert derived.value == pytest.approx(1.8)


def test_percent_differential_without_a_specimen_uses_the_wbc_of_the_same_time_with_one(map_fhir: Any) -> None:
    wbc = fx.lab("wbc", "wbc", 4.0, "10*3/uL", specimen="Specimen/s1", when="2024-02-05T08:00:00Z")
    pct = fx.lab("neut", "neutrophils_pct", 45, "%", when="2024-02-05T08:00:00Z")
    derived = labs_of(map_fhir(fx.patient(), wbc, pct))["Observation/neut"]
    assert derived.derived_from == ("Observation/neut", "Observation/wbc")


# --- a value beside a dataAbsentReason, in every kind of Observation read ------------------------------

ABSENT = {"dataAbsentReason": fx.concept(None, None, "error")}


@pytest.mark.parametrize("resource", [
    fx.ecog("e1", 0, **ABSENT), fx.karnofsky("k1", 90, **ABSENT), fx.body_weight("w1", 70, **ABSENT),
    fx.body_height("h1", 170, **ABSENT), fx.timepoint_response("r1", "PR", **ABSENT),
    fx.non_target_status("n1", "absent", **ABSENT),
], ids=lambda r: r["id"])
def test_a_score_or_measure_beside_a_data_absent_reason_is_not_used(map_fhir: Any, resource: Any) -> None:
    """FHIR obs-6: such a value may be a placeholder. It was: an ECOG 0, a weight for Cockcroft-Gault or a
    reported PR read as measured."""
    mapped = map_fhir(fx.patient(), resource)
    record = mapped.records["Patient/p1"]
    assert not record.performance and not record.body and not record.tumour
    reason = "both a value and a dataAbsentReason (FHIR obs-6: one or the other), the value may be a placeholder"
    assert ("warning", f"Observation/{resource['id']}", reason) in messages(mapped)


def test_a_lesion_size_beside_a_data_absent_reason_is_an_unreadable_lesion(map_fhir: Any) -> None:
    """A target size that may be a placeholder (0 mm would read CR) makes the lesion unreadable, so RECIST
    never reads a response from the other lesions alone. It was: a measured 0 mm."""
    mapped = map_fhir(fx.patient(), fx.lesion("l1", 0, shape="direct", **ABSENT))
    (fact,) = mapped.records["Patient/p1"].tumour
    assert type(fact).__name__ == "UnreadableLesion"


def test_a_kidney_dose_beside_a_data_absent_reason_has_no_dose(map_fhir: Any) -> None:
    """A placeholder absorbed dose would lower the cumulative kidney dose: the result is kept without a
    dose, with the reason. It was: 0.5 Gy counted."""
    mapped = map_fhir(fx.patient(), fx.dosimetry("d1", 0.5, **ABSENT))
    (fact,) = mapped.records["Patient/p1"].dosimetry
    assert fact.absorbed_gy is None
    assert fact.problem == ("both a value and a dataAbsentReason (FHIR obs-6: one or the other), the value may be a "
                            "placeholder")
