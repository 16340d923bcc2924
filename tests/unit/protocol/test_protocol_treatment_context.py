"""The treatment context read for the checks before a cycle, where a record's status, its kind of date or
the system of its codes changes what it says: a medication still being taken or ordered is ongoing on
the cycle day, whatever date element it carries; an answer code is read only in its own code system."""

from __future__ import annotations

from datetime import date
from typing import Any

import factories as fx
import pytest
from protocol_support import MA, MR, MS, cycle_3_checks, messages, pregnancy, treatment

from cds.facts import PregnancyEvidence
from cds.mapping import Mapped
from cds.reading import from_objects


def _checks(*resources: dict[str, Any], as_of: date = date(2024, 4, 29)) -> dict[str, tuple[str, str]]:
    return {c.check: (c.status, c.text) for c in cycle_3_checks(*resources, as_of=as_of)}


# --- a medication still being taken or ordered ----------------------------------------------------


@pytest.mark.parametrize(("record", "check"), [
    (fx.medication_record("m1", MR, "octreotide LAR 30 mg", "2023-10-01"), "ssa-long-acting"),
    (fx.medication_record("m1", MR, "octreotide 100 micrograms s.c. three times daily", "2024-02-01"),
     "ssa-short-acting"),
    (fx.medication_record("m1", MA, "octreotide 50 micrograms/h infusion", "2024-04-27T08:00:00Z",
                          status="in-progress"), "ssa-short-acting"),
])
def test_an_analogue_still_ordered_or_given_is_ongoing_whatever_its_date(record: dict[str, Any], check: str) -> None:
    """It was: an active order, dated by authoredOn (when it was written), read as a dose given on that
    date: "ok, last long-acting somatostatin analogue 211 days before the cycle" for a patient whose
    monthly depot order stands, and "ok" for short-acting octreotide three times a day."""
    status, text = _checks(record)[check]
    assert status == "warning" and "ongoing" in text


def test_a_statement_whose_period_runs_past_the_cycle_is_ongoing() -> None:
    """It was: the period's end (after the decision date) dated the record, so it was left out as a record
    of the future, and the check read "no somatostatin analogue recorded" (no card on the order hooks)."""
    record = fx.medication_record("m1", MS, "octreotide LAR 30 mg", None, status="active",
                                  effectivePeriod={"start": "2023-10-01", "end": "2024-12-31"})
    (fact,) = treatment(map_collected_one(record))
    assert (fact.day, fact.since) == (date(2024, 12, 31), date(2023, 10, 1))
    status, text = _checks(record)["ssa-long-acting"]
    assert status == "warning" and "ongoing since 2023-10-01" in text


@pytest.mark.parametrize("status", ["active", "completed"])
def test_a_statement_whose_period_ended_before_the_cycle_is_dated_by_its_end(status: str) -> None:
    """An active statement's period end is when the analogue was last taken (FHIR input profile)."""
    record = fx.medication_record("m1", MS, "octreotide LAR 30 mg", None, status=status,
                                  effectivePeriod={"start": "2023-10-01", "end": "2024-03-01"})
    (fact,) = treatment(map_collected_one(record))
    assert (fact.ongoing, fact.day) == (False, date(2024, 3, 1))
    assert _checks(record)["ssa-long-acting"][0] == "ok"


@pytest.mark.parametrize(("record", "check", "since"), [
    (fx.medication_record("m1", MS, "octreotide LAR 30 mg", "2023-09-20", status="active"),
     "ssa-long-acting", "2023-09-20"),
    (fx.medication_record("m1", MS, "lanreotide 120 mg", None, status="active", dateAsserted="2023-11-02"),
     "ssa-long-acting", "2023-11-02"),
    (fx.medication_record("m1", MS, "octreotide 100 micrograms s.c. three times daily", "2024-03-20T08:00:00Z",
                          status="active"), "ssa-short-acting", "2024-03-20"),
])
def test_an_active_statement_dated_by_one_moment_is_still_taken(record: dict[str, Any], check: str,
                                                                 since: str) -> None:
    """An active MedicationStatement says the analogue is still being taken (FHIR R4 status "active"); a
    single date (effectiveDateTime, dateAsserted) says since when, not when it was last taken. It was: the
    date was read as the last dose, so a medication list still showing monthly octreotide LAR since
    September read "ok, last long-acting somatostatin analogue 222 days before the cycle"."""
    (fact,) = treatment(map_collected_one(record))
    assert fact.ongoing
    status, text = _checks(record)[check]
    assert status == "warning" and f"ongoing since {since}" in text


def test_a_completed_statement_dated_by_one_moment_is_the_last_dose() -> None:
    record = fx.medication_record("m1", MS, "octreotide LAR 30 mg", "2023-09-20", status="completed")
    (fact,) = treatment(map_collected_one(record))
    assert not fact.ongoing
    assert _checks(record)["ssa-long-acting"][0] == "ok"


def map_collected_one(*resources: dict[str, Any]) -> Mapped:
    from cds.mapping import map_collected

    return map_collected(from_objects([fx.patient(), *resources]))


# --- an imaging radiotracer is no analogue dose -----------------------------------------------------


@pytest.mark.parametrize("text", [
    "octreotide scan", "Indium-111 DTPA-octreotide (OctreoScan) imaging", "In-111 octreotide scintigraphy",
    "68Ga-DOTA-octreotide PET/CT",
])
def test_an_octreotide_scan_is_no_analogue_dose(text: str) -> None:
    """It was: the tracer's name holds "octreotide", so a scan 9 days before the cycle read as a
    long-acting analogue given 9 days before: a warning that the cycle needs 4 weeks after it."""
    record = fx.medication_record("m1", MA, text, "2024-04-20T08:00:00Z")
    mapped = map_collected_one(record)
    assert not treatment(mapped)
    assert any("radiotracer" in m for m in messages(mapped))
    assert _checks(record)["ssa-long-acting"][0] == "unknown"  # no analogue recorded: never "ok"


def test_a_record_coded_as_the_analogue_stays_an_analogue_whatever_its_text() -> None:
    record = fx.medication_record("m1", MA, "octreotide before the scan", "2024-04-20T08:00:00Z", rxnorm="7617")
    (fact,) = treatment(map_collected_one(record))
    assert fact.agent == "ssa"


# --- pregnancy answers: a code in its own system, a text that contradicts it ----------------------


def _answer(loinc: str, value: dict[str, Any]) -> PregnancyEvidence:
    (fact,) = pregnancy(map_collected_one(fx.observation("o1", fx.concept(fx.LOINC, loinc),
                                                         valueCodeableConcept=value)))
    return fact


@pytest.mark.parametrize(("loinc", "code"), [
    (fx.URINE_HCG, fx.NEGATIVE), (fx.SERUM_HCG, "LA6577-6"), (fx.PREGNANCY_STATUS, fx.NOT_PREGNANT),
])
def test_an_answer_code_of_another_system_is_not_read(loinc: str, code: str) -> None:
    """It was: the answer's code was compared whatever its system, so a local laboratory code that spells
    260385009 read as SNOMED CT "negative", and the check read "ok, not pregnant"."""
    fact = _answer(loinc, {"coding": [{"system": "http://lab.example.org/results", "code": code}]})
    assert fact.result == "indeterminate" and fact.problem


@pytest.mark.parametrize(("loinc", "code", "system"), [
    (fx.URINE_HCG, fx.NEGATIVE, fx.SNOMED), (fx.URINE_HCG, "LA6577-6", fx.LOINC),
    (fx.PREGNANCY_STATUS, "LA26683-5", fx.LOINC),
])
def test_an_answer_code_in_its_own_system_is_read(loinc: str, code: str, system: str) -> None:
    assert _answer(loinc, {"coding": [{"system": system, "code": code}]}).result == "not-pregnant"


@pytest.mark.parametrize("value", [
    {"coding": [{"system": fx.SNOMED, "code": fx.NEGATIVE}], "text": "Positive"},
    {"coding": [{"system": fx.SNOMED, "code": fx.NEGATIVE, "display": "Positive"}]},
])
def test_a_negative_code_whose_text_says_positive_is_indeterminate(value: dict[str, Any]) -> None:
    """It was: the code alone decided, so a result shown to the clinician as "Positive" read "ok, not
    pregnant"."""
    fact = _answer(fx.URINE_HCG, value)
    assert fact.result == "indeterminate" and fact.problem


def test_a_code_and_a_text_that_agree_are_read() -> None:
    value = {"coding": [{"system": fx.SNOMED, "code": fx.POSITIVE, "display": "Positive"}], "text": "positive"}
    assert _answer(fx.URINE_HCG, value).result == "pregnant"


# --- an amino-acid infusion stopped before its end ------------------------------------------------


def test_an_amino_acid_infusion_stopped_before_its_end_is_no_full_protection() -> None:
    """It was: an administration "stopped" (halted before all of it was given) counted as the renal
    protection of the cycle: "ok, amino-acid renal protection recorded", whatever share was infused."""
    record = fx.medication_record("m1", MA, "LysaKare", "2024-04-29T08:00:00Z", status="stopped")
    status, text = _checks(record)["amino-acids"]
    assert status == "unknown" and "stopped" in text


def test_a_stopped_amino_acid_infusion_that_states_its_volume_is_read_by_it() -> None:
    record = fx.medication_record("m1", MA, "LysaKare", "2024-04-29T08:00:00Z", status="stopped",
                                  dosage={"dose": fx.quantity(400, "mL")})
    assert _checks(record)["amino-acids"][0] == "warning"  # less than a full infusion


# --- beta-hCG units -------------------------------------------------------------------------------


def _hcg(quantity: dict[str, Any]) -> PregnancyEvidence:
    (fact,) = pregnancy(map_collected_one(fx.observation("o1", fx.concept(fx.LOINC, fx.SERUM_BETA_HCG),
                                                         valueQuantity=quantity)))
    return fact


def test_a_beta_hcg_whose_unit_text_and_code_disagree_is_indeterminate() -> None:
    """It was: the UCUM code alone was read, so 4 with the code m[IU]/mL and the unit "IU/mL" (4000 IU/L)
    read "not pregnant"."""
    fact = _hcg({"value": 4, "unit": "IU/mL", "system": "http://unitsofmeasure.org", "code": "m[IU]/mL"})
    assert fact.result == "indeterminate" and fact.problem


@pytest.mark.parametrize(("value", "unit", "result"), [
    (0.004, "[IU]/mL", "not-pregnant"), (0.006, "[IU]/mL", "pregnant"), (4900, "m[IU]/L", "not-pregnant"),
    (6000, "m[IU]/L", "pregnant"),
])
def test_beta_hcg_in_iu_per_ml_and_miu_per_l_is_converted(value: float, unit: str, result: str) -> None:
    assert _hcg(fx.quantity(value, unit)).result == result
