"""``cds.ctcae``: what a ``ToxicityGrade`` carries, beyond the grade the Gherkin scenarios check.

Provenance fields (observation, cycle, value and unit as reported, canonical value, range source, rule,
criterion text, criterion set), null grades with their reason (unconvertible unit, missing input),
notes on higher criteria that could not be evaluated, and when a conventional criterion set applies.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import factories as fx
import pytest

from cds.bootstrap import default_engine as engine
from cds.ctcae.conclusions import ToxicityGrade
from cds.ctcae.decide import grade_timeline
from cds.ctcae.table import table
from cds.evaluation import evaluate_collected
from cds.facts import LabResult, Patient
from cds.reading import from_objects
from cds.timeline import Baseline, Timeline

TWO_CYCLES = [fx.procedure("c1", "2024-01-08"), fx.procedure("c2", "2024-03-04")]


def grades(*resources: dict[str, Any], gender: str = "female") -> dict[tuple[str, str], ToxicityGrade]:
    """(observation id, term id) -> grade, through the public evaluation path."""
    (patient,) = evaluate_collected(from_objects([fx.patient(gender=gender), *resources])).patients
    return {(t.observation.split("/", 1)[1], t.term_id): t for t in patient.toxicities}


def lab_result(
    analyte: str, value: float, unit: str, low: float | None, high: float | None, ref: str = "Observation/x",
    day: date = date(2024, 2, 1),
) -> LabResult:
    return LabResult(
        ref=ref, patient="Patient/p1", at=datetime(day.year, day.month, day.day, 8, tzinfo=UTC), day=day,
        analyte=analyte, loinc="0-0", value=value, unit=unit, reported_value=value, reported_unit=unit,
        low=low, high=high, range_source="observation" if low is not None and high is not None else "none",
    )


def grade_labs(
    *labs: LabResult, baseline: LabResult | None = None, abnormal: bool = False
) -> dict[tuple[str, str], ToxicityGrade]:
    """Grade a timeline built from facts: here a limit or the baseline can be missing."""
    baselines = {}
    if baseline is not None:
        baselines[baseline.analyte] = Baseline(
            analyte=baseline.analyte, lab=baseline, abnormal_high=abnormal, abnormal_low=False
        )
    timeline = Timeline(
        patient=Patient(ref="Patient/p1"), cycles=(), labs=labs, ungradable=(), performance=(), body=(), tumour=(),
        issues=(), baselines=baselines,
    )
    return {(g.observation.split("/", 1)[1], g.term_id): g for g in grade_timeline(timeline, table("5.0"), engine())}


# --- provenance ----------------------------------------------------------------------------------


def test_a_grade_carries_its_evidence_and_the_rule_that_decided_it() -> None:
    got = grades(
        *TWO_CYCLES,
        fx.lab("h0", "hemoglobin", 13.0, "g/dL", low=12.0, high=16.0, when="2024-01-02T08:00:00Z"),
        fx.lab("h1", "hemoglobin", 7.5, "g/dL", low=12.0, high=16.0, when="2024-03-10T08:00:00Z"),
    )
    anemia = got[("h1", "anemia")]
    assert anemia.grade == 3
    assert anemia.term == "Anemia" and anemia.ctcae_version == "5.0"
    assert anemia.observation == "Observation/h1"
    assert anemia.effective == datetime(2024, 3, 10, 8, tzinfo=UTC)
    assert anemia.cycle == 2  # after the second administration
    assert anemia.analyte == "hemoglobin"
    assert (anemia.value, anemia.unit) == (7.5, "g/dL")  # as the laboratory reported it
    assert (anemia.value_canonical, anemia.unit_canonical) == (75.0, "g/L")
    assert (anemia.lln, anemia.uln) == (120.0, 160.0)  # canonical unit
    assert anemia.baseline == 130.0
    assert anemia.range_source == "observation"
    assert anemia.rule == "ctcae5.anemia.g3.g_dl"  # CTCAE writes anemia in g/dL too: graded as reported
    assert anemia.criterion == table("5.0").for_analyte("hemoglobin")[0].text[3]
    assert anemia.criterion == "Hgb <8.0 g/dL; <4.9 mmol/L; <80 g/L; transfusion indicated"
    assert (anemia.criterion_set, anemia.converted_from) == ("g/dL", None)
    assert anemia.reason is None and anemia.notes == () and anemia.derived_from == ()

    baseline = got[("h0", "anemia")]
    assert (baseline.grade, baseline.cycle, baseline.rule) == (0, 0, "ctcae5.anemia.g0")
    assert baseline.criterion == "no grade 1-4 criterion met"

    increased = got[("h1", "hemoglobin_increased")]
    assert (increased.grade, increased.rule, increased.criterion_set) == (0, "ctcae5.hemoglobin_increased.g0", "g/dL")


@pytest.mark.parametrize(("low", "high", "source", "lln", "uln"), [
    (None, None, "default", 120.0, 158.0),  # female default range
    (None, 170.0, "mixed", 120.0, 170.0),
    (110.0, 170.0, "observation", 110.0, 170.0),
])
def test_the_range_source_and_limits_are_reported(
    low: float | None, high: float | None, source: str, lln: float, uln: float
) -> None:
    got = grades(fx.lab("h1", "hemoglobin", 115, "g/L", low=low, high=high))[("h1", "anemia")]
    assert (got.range_source, got.lln, got.uln) == (source, lln, uln)
    assert got.grade == (1 if lln > 115 else 0)


def test_a_unit_given_as_free_text_is_reported_as_written() -> None:
    lab = fx.lab("p1", "platelets", 40, "K/uL", ucum=False, low=150, high=400)
    got = grades(lab)[("p1", "platelet_count_decreased")]
    assert (got.value, got.unit, got.value_canonical, got.unit_canonical) == (40, "K/uL", 40.0, "10*9/L")
    assert (got.grade, got.rule) == (3, "ctcae5.platelet_count_decreased.g3")


def test_the_rule_of_an_abnormal_baseline_is_cited_with_that_baseline() -> None:
    abnormal = grades(
        fx.procedure("c1", "2024-01-08"),
        fx.lab("a0", "alt", 60, "U/L", low=7, high=40, when="2024-01-02T08:00:00Z"),  # above ULN: abnormal
        fx.lab("a1", "alt", 200, "U/L", low=7, high=40, when="2024-01-20T08:00:00Z"),
    )[("a1", "alanine_aminotransferase_increased")]
    assert (abnormal.grade, abnormal.rule, abnormal.baseline) == (
        2, "ctcae5.alanine_aminotransferase_increased.g2.baseline", 60.0
    )  # 3.3 x baseline
    normal = grades(
        fx.procedure("c1", "2024-01-08"),
        fx.lab("a0", "alt", 60, "U/L", low=7, high=40, interpretation="N", when="2024-01-02T08:00:00Z"),
        fx.lab("a1", "alt", 200, "U/L", low=7, high=40, when="2024-01-20T08:00:00Z"),
    )[("a1", "alanine_aminotransferase_increased")]
    # the laboratory called the baseline normal: x ULN criteria, and 200 = 5.0 x ULN is not > 5.0
    assert (normal.grade, normal.rule) == (2, "ctcae5.alanine_aminotransferase_increased.g2.uln")


def test_a_baseline_whose_high_limit_is_zero_is_not_abnormal() -> None:
    """It was: a high limit of 0 (no ULN) made the baseline "abnormal", and 60 U/L after a baseline of
    50 was graded 0 (1.2 x baseline); against its own ULN of 41 it is 1.46 x ULN, grade 1."""
    got = grades(
        fx.procedure("c1", "2024-01-08"),
        fx.lab("a0", "alt", 50, "U/L", low=0, high=0, when="2024-01-02T08:00:00Z"),
        fx.lab("a1", "alt", 60, "U/L", low=7, high=41, when="2024-01-20T08:00:00Z"),
    )[("a1", "alanine_aminotransferase_increased")]
    assert (got.grade, got.rule) == (1, "ctcae5.alanine_aminotransferase_increased.g1.uln")


# --- null grades ---------------------------------------------------------------------------------


def test_a_lab_whose_unit_cannot_be_converted_has_a_null_grade_with_its_reason_for_every_term() -> None:
    got = grades(*TWO_CYCLES, fx.lab("h1", "hemoglobin", 7.5, "furlong/L", when="2024-03-10T08:00:00Z"))
    assert {key[1] for key in got} == {"anemia", "hemoglobin_increased"}
    for grade in got.values():
        assert grade.grade is None
        assert grade.reason == "unit 'furlong/L' is not convertible to g/L: cannot grade"
        assert (grade.observation, grade.cycle, grade.analyte) == ("Observation/h1", 2, "hemoglobin")
        assert grade.value is None and grade.rule is None and grade.criterion is None


def test_a_lab_without_a_value_has_a_null_grade_with_its_reason() -> None:
    got = grades(fx.lab("h1", "hemoglobin"))[("h1", "anemia")]
    assert (got.grade, got.reason) == (None, "no valueQuantity: cannot grade")


def test_a_missing_limit_gives_a_null_grade_only_where_it_decides() -> None:
    got = grade_labs(
        lab_result("hemoglobin", 110.0, "g/L", None, None, "Observation/mild"),
        lab_result("hemoglobin", 70.0, "g/L", None, None, "Observation/severe"),
    )
    assert (got[("mild", "anemia")].grade, got[("mild", "anemia")].reason) == (
        None, "no lower limit of normal: cannot grade"
    )  # grade 1 or 0: only the LLN can tell
    assert (got[("severe", "anemia")].grade, got[("severe", "anemia")].rule) == (3, "ctcae5.anemia.g3")
    assert got[("severe", "anemia")].notes == ()  # the criterion not evaluated is of a lower grade
    for ref in ("mild", "severe"):  # requires = ["ULN"]: not graded at all
        assert got[(ref, "hemoglobin_increased")].grade is None
        assert got[(ref, "hemoglobin_increased")].reason == "no upper limit of normal: cannot grade"


def test_a_null_grade_names_every_missing_input_and_notes_the_criteria_not_evaluated() -> None:
    got = grade_labs(lab_result("creatinine", 150.0, "umol/L", None, None))[("x", "creatinine_increased")]
    assert got.grade is None
    assert got.reason == "no upper limit of normal: cannot grade"  # only g1 is not optional
    assert "grade 4 criterion not evaluable: no upper limit of normal" in got.notes
    assert "grade 3 criterion not evaluable: no baseline" in got.notes


# --- notes -------------------------------------------------------------------------------------


def test_a_higher_criterion_that_cannot_be_evaluated_is_noted() -> None:
    creatinine = grade_labs(lab_result("creatinine", 150.0, "umol/L", 45.0, 90.0))[("x", "creatinine_increased")]
    assert (creatinine.grade, creatinine.rule) == (2, "ctcae5.creatinine_increased.g2.uln")  # 1.67 x ULN
    assert creatinine.notes == ("grade 3 criterion not evaluable: no baseline",)

    fibrinogen = grade_labs(lab_result("fibrinogen", 1.0, "g/L", 2.0, 4.0))[("x", "fibrinogen_decreased")]
    assert (fibrinogen.grade, fibrinogen.rule) == (2, "ctcae5.fibrinogen_decreased.g2.lln")  # 0.5 x LLN
    assert fibrinogen.notes == (
        "grade 3 criterion not evaluable: no baseline",
        "grade 4 criterion not evaluable: no baseline",
    )


def test_no_note_when_the_baseline_is_there() -> None:
    base = lab_result("creatinine", 40.0, "umol/L", 45.0, 90.0, "Observation/base", date(2024, 1, 2))
    got = grade_labs(lab_result("creatinine", 150.0, "umol/L", 45.0, 90.0), baseline=base)
    assert (got[("x", "creatinine_increased")].grade, got[("x", "creatinine_increased")].rule) == (
        3, "ctcae5.creatinine_increased.g3.baseline"
    )  # 3.75 x baseline
    assert got[("x", "creatinine_increased")].notes == ()
    assert got[("x", "creatinine_increased")].baseline == 40.0


# --- conventional criterion sets ----------------------------------------------------------------------


def calcium(oid: str, value: float, unit: str, low: float, high: float, **kw: Any) -> dict[str, Any]:
    return fx.lab(oid, "calcium", value, unit, low=low, high=high, **kw)


def test_a_conventional_set_applies_when_the_value_is_reported_in_its_unit() -> None:
    # 11.6 mg/dL: above CTCAE's 11.5 mg/dL (grade 2), though 2.894 mmol/L is under 2.9 mmol/L
    got = grades(calcium("mg", 11.6, "mg/dL", 8.8, 10.4))[("mg", "hypercalcemia")]
    assert (got.grade, got.rule, got.criterion_set) == (2, "ctcae5.hypercalcemia.g2.mg_dl", "mg/dL")
    assert (got.value, got.unit) == (11.6, "mg/dL")
    assert got.value_canonical == pytest.approx(2.8942)


def test_another_spelling_of_the_same_unit_selects_the_set() -> None:
    got = grades(calcium("mg", 11.6, "mg/dl", 8.8, 10.4, ucum=False))[("mg", "hypercalcemia")]
    assert (got.grade, got.criterion_set, got.unit) == (2, "mg/dL", "mg/dl")


@pytest.mark.parametrize(("value", "unit", "low", "high"), [
    (2.8942, "mmol/L", 2.2, 2.6),  # the same calcium, reported in mmol/L: SI criteria only
    (5.7884, "mEq/L", 4.4, 5.2),  # and in mEq/L (not the mg/dL set's unit)
])
def test_a_conventional_set_does_not_apply_to_other_units(value: float, unit: str, low: float, high: float) -> None:
    got = grades(calcium("o", value, unit, low, high))[("o", "hypercalcemia")]
    assert (got.grade, got.rule, got.criterion_set) == (1, "ctcae5.hypercalcemia.g1", "si")
    assert got.value_canonical == pytest.approx(2.8942)


def test_a_value_in_a_conventional_unit_is_graded_by_that_set_only() -> None:
    # 12.45 mg/dL: under 12.5 mg/dL (grade 2 as CTCAE writes it in mg/dL), though 3.106 mmol/L is above
    # the rounded 3.1 mmol/L; the mmol/L column does not grade a result reported in mg/dL
    got = grades(calcium("mg", 12.45, "mg/dL", 8.8, 10.4))[("mg", "hypercalcemia")]
    assert (got.grade, got.rule, got.criterion_set, got.converted_from) == (
        2, "ctcae5.hypercalcemia.g2.mg_dl", "mg/dL", None)


def test_hemoglobin_in_mmol_l_is_graded_by_the_mmol_l_set() -> None:
    got = grades(fx.lab("h", "hemoglobin", 4.8, "mmol/L", low=7.4, high=9.9))[("h", "anemia")]
    assert (got.grade, got.rule, got.criterion_set) == (3, "ctcae5.anemia.g3.mmol_l", "mmol/L")


def test_a_grade_0_names_the_set_it_was_graded_in() -> None:
    got = grades(calcium("mg", 9.5, "mg/dL", 8.8, 10.4))
    assert (got[("mg", "hypercalcemia")].grade, got[("mg", "hypercalcemia")].criterion_set) == (0, "mg/dL")
    assert got[("mg", "hypocalcemia")].rule == "ctcae5.hypocalcemia.g0"


def test_the_baseline_itself_is_graded_by_uln_multiples_not_against_itself() -> None:
    """An abnormal baseline is not "1.0 x baseline" (grade 0 however high): it is graded as if the
    baseline were normal, and "x baseline" criteria neither apply to it nor make it ungradable."""
    got = grades(
        fx.procedure("c1", "2024-01-08"),
        fx.lab("a0", "alt", 250, "U/L", low=7, high=40, when="2024-01-02T08:00:00Z"),  # 6.25 x ULN
        fx.lab("i0", "inr", 1.1, "{INR}", when="2024-01-02T08:00:00Z"),
    )
    alt = got[("a0", "alanine_aminotransferase_increased")]
    assert (alt.grade, alt.rule, alt.baseline) == (3, "ctcae5.alanine_aminotransferase_increased.g3.uln", None)
    inr = got[("i0", "inr_increased")]
    assert (inr.grade, inr.reason, inr.notes) == (0, None, ())


def test_a_result_without_any_baseline_is_not_graded_where_only_the_baseline_could_tell() -> None:
    got = grade_labs(lab_result("inr", 1.1, "{INR}", 0.9, 1.13))[("x", "inr_increased")]
    assert (got.grade, got.reason) == (None, "no baseline: cannot grade")  # 1.1 x baseline would be grade 1
    got = grade_labs(lab_result("inr", 1.3, "{INR}", 0.9, 1.13))[("x", "inr_increased")]
    assert (got.grade, got.rule) == (1, "ctcae5.inr_increased.g1.abs")
    assert got.notes == ("grade 2 criterion not evaluable: no baseline", "grade 3 criterion not evaluable: no baseline")


# --- an analyte also graded as a broader one (fhir_mappings/analytes.toml also_graded_as) -----------


@pytest.mark.parametrize("version", ["5.0", "6.0"])
def test_a_low_fasting_glucose_is_graded_as_hypoglycemia(version: str) -> None:
    """A glucose reported under the fasting code (LOINC 1558-6) is a glucose: Hypoglycemia grades it,
    so that a hypoglycaemic fasting sample is never left without a grade."""
    fasting = fx.lab("f1", "glucose", 2.0, "mmol/L", loinc="1558-6", low=3.9, high=5.5, when="2024-02-01T08:00:00Z")
    (patient,) = evaluate_collected(from_objects([fx.patient(), *TWO_CYCLES, fasting]), ctcae_version=version).patients
    by_term = {t.term_id: t for t in patient.toxicities if t.observation == "Observation/f1"}
    assert by_term["hypoglycemia"].grade == 3  # CTCAE Hypoglycemia grade 3: <2.2 - 1.7 mmol/L
    assert by_term["hypoglycemia"].analyte == "glucose_fasting"
    if version == "6.0":
        assert by_term["hyperglycemia_fasting"].grade == 0
