"""The FHIR mapping of the treatment context checked before a cycle (docs/fhir-input-profile.md):
somatostatin analogues and the amino acids as given, taken or ordered, and pregnancy status and tests.
Bad input is kept with its problem (its check then reads "unknown") or reported; it never reads "ok"."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import factories as fx
import pytest
from protocol_support import MA, MR, MS, cycle_3_checks, messages, pregnancy, treatment

from cds.errors import ConfigurationError
from cds.mapping.treatment import load_treatment_codes

# --- which medication -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rxnorm", "agent", "acting"),
    [
        ("octreotide LAR 30 mg", None, "ssa", "long"),
        ("Sandostatin LAR Depot", None, "ssa", "long"),
        ("lanreotide 120 mg", None, "ssa", "long"),  # long-acting by name
        ("Somatuline Autogel", None, "ssa", "long"),
        ("octreotide acetate injectable suspension, extended-release", None, "ssa", "long"),
        ("pasireotide LAR", None, "ssa", "long"),
        ("octreotide 100 micrograms s.c.", None, "ssa", "short"),
        ("similar octreotide 50 mcg", None, "ssa", "short"),  # "lar" inside a word is not LAR
        (None, "7617", "ssa", None),  # RxNorm octreotide, no text: its form is not recorded (both checks read it)
        ("LysaKare", None, "amino-acids", None),
        ("L-lysine HCl 25 g / L-arginine HCl 25 g", None, "amino-acids", None),
        ("amino acid solution for renal protection", None, "amino-acids", None),
    ],
)
def test_medications_recognised_by_text_or_code(map_fhir: Any, text: str | None, rxnorm: str | None, agent: str,
                                                acting: str | None) -> None:
    mapped = map_fhir(fx.patient(), fx.medication_record("m1", MA, text, "2024-04-01T08:00:00Z", rxnorm=rxnorm))
    (fact,) = treatment(mapped)
    assert (fact.agent, fact.acting, fact.record, fact.day) == (agent, acting, "administration", date(2024, 4, 1))
    assert fact.problem is None and not messages(mapped)


@pytest.mark.parametrize(("atc", "acting"), [
    ("H01CB02", None),  # octreotide: its form is not recorded, so both checks read it
    ("H01CB03", "long"),  # lanreotide: long-acting by code, as by name
    ("H01CB05", None),  # pasireotide
])
def test_an_analogue_coded_by_atc_alone_is_recognised(map_fhir: Any, atc: str, acting: str | None) -> None:
    record = fx.medication_record("m1", MA, None, "2024-04-01T08:00:00Z", rxnorm=None)
    record["medicationCodeableConcept"] = {"coding": [{"system": "http://www.whocc.no/atc", "code": atc}]}
    mapped = map_fhir(fx.patient(), record)
    (fact,) = treatment(mapped)  # before: no fact, and the check read "no somatostatin analogue recorded"
    assert (fact.agent, fact.acting) == ("ssa", acting)


def test_a_long_acting_atc_code_that_is_no_analogue_code_is_a_configuration_error(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[3] / "fhir_mappings" / "treatment_context.toml"
    broken = tmp_path / "treatment_context.toml"
    broken.write_text(source.read_text(encoding="utf-8").replace('long_acting_atc = ["H01CB03"]',
                                                                 'long_acting_atc = ["H01CB04"]'), encoding="utf-8")
    with pytest.raises(ConfigurationError, match="long_acting_atc lists codes that atc does not: H01CB04"):
        load_treatment_codes(broken)


@pytest.mark.parametrize("text", ["paracetamol 1 g", "amino acid supplement", "granisetron 1 mg", None])
def test_other_medications_are_skipped_silently(map_fhir: Any, text: str | None) -> None:
    mapped = map_fhir(fx.patient(), fx.medication_record("m1", MA, text, "2024-04-01", rxnorm=None))
    assert not treatment(mapped) and not messages(mapped)


def test_a_referenced_medication_and_its_form_name_the_analogue(map_fhir: Any) -> None:
    medication = {"resourceType": "Medication", "id": "oct", "code": {"text": "octreotide 30 mg"},
                  "form": {"text": "injectable suspension, extended-release"}}
    record = fx.medication_record("m1", MS, None, "2024-04-01")
    del record["medicationCodeableConcept"]
    record["medicationReference"] = {"reference": "Medication/oct"}
    (fact,) = treatment(map_fhir(fx.patient(), medication, record))
    assert (fact.agent, fact.acting, fact.record) == ("ssa", "long", "statement")


def test_a_lutathera_administration_is_still_a_cycle(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(), fx.medication_administration("ma1"))
    assert mapped.records["Patient/p1"].administrations and not treatment(mapped)


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "timing", "when", "day", "local", "ongoing"),
    [
        (MA, "dateTime", "2024-04-01T09:30:00Z", date(2024, 4, 1), datetime(2024, 4, 1, 9, 30), False),
        (MA, "dateTime", "2024-04-01T09:30:00+02:00", date(2024, 4, 1), datetime(2024, 4, 1, 9, 30), False),
        (MA, "dateTime", "2024-04-01", date(2024, 4, 1), datetime(2024, 4, 2), False),  # end of the day
        (MS, "period-end", "2024-04-01", date(2024, 4, 1), datetime(2024, 4, 2), False),
        # an active order stands: ongoing, dated by when it was written
        (MR, "dateTime", "2024-04-01T10:00:00Z", date(2024, 4, 1), datetime(2024, 4, 1, 10), True),
    ],
)
def test_the_date_of_each_record(map_fhir: Any, kind: str, timing: str, when: str, day: date, local: datetime,
                                 ongoing: bool) -> None:
    (fact,) = treatment(map_fhir(fx.patient(), fx.medication_record("m1", kind, "octreotide", when, timing=timing)))
    assert (fact.day, fact.local, fact.ongoing, fact.problem) == (day, local, ongoing, None)


def test_an_open_period_of_an_active_statement_is_ongoing(map_fhir: Any) -> None:
    record = fx.medication_record("m1", MS, "lanreotide 120 mg", "2024-01-01", status="active", timing="period-open")
    (fact,) = treatment(map_fhir(fx.patient(), record))
    assert (fact.ongoing, fact.day) == (True, date(2024, 1, 1))


def test_a_statement_dated_only_by_date_asserted(map_fhir: Any) -> None:
    record = fx.medication_record("m1", MS, "octreotide LAR", None, dateAsserted="2024-04-02")
    (fact,) = treatment(map_fhir(fx.patient(), record))
    assert fact.day == date(2024, 4, 2)


# --- bad input: kept with its problem, never dropped into "none recorded" --------------------------


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        (fx.medication_record("m1", MA, "octreotide LAR", None), "no usable date"),
        (fx.medication_record("m1", MR, "octreotide LAR", None), "no authoredOn date"),
        (fx.medication_record("m1", MA, "octreotide LAR", "yesterday"), "not a valid FHIR date"),
        (fx.medication_record("m1", MA, "octreotide LAR", "2024-02-30"), "not a valid FHIR date"),
        (fx.medication_record("m1", MA, "octreotide LAR", "0001-01-01"), "outside the plausible window"),
        (fx.medication_record("m1", MA, "octreotide LAR", "2024-04-01", status="bogus"), "status bogus"),
        (fx.medication_record("m1", MA, "octreotide LAR", "2024-04-01", status=""), "status (none)"),
        (fx.medication_record("m1", MA, "LysaKare", "2024-04-01", effectiveDateTime=20240401), "date is not a string"),
        (fx.medication_record("m1", MS, "octreotide LAR", "2024-04-01", status="active", timing="period-open",
                              subject={"reference": "Patient/p1", "display": 7}), "fails FHIR R4B validation"),
    ],
)
def test_a_record_that_cannot_be_read_is_kept_with_its_problem(map_fhir: Any, record: dict[str, Any],
                                                               problem: str) -> None:
    mapped = map_fhir(fx.patient(), record)
    (fact,) = treatment(mapped)
    assert fact.day is None and fact.problem is not None and problem in fact.problem
    assert any("its check cannot be decided" in message for message in messages(mapped))


@pytest.mark.parametrize("status", ["not-done", "entered-in-error"])
def test_an_administration_not_given_is_ignored_with_an_issue(map_fhir: Any, status: str) -> None:
    mapped = map_fhir(fx.patient(), fx.medication_record("m1", MA, "octreotide LAR", "2024-04-01", status=status))
    assert not treatment(mapped)
    assert any("not given" in message for message in messages(mapped))


def test_a_record_without_a_patient_is_an_issue(map_fhir: Any) -> None:
    mapped = map_fhir(fx.medication_record("m1", MA, "octreotide LAR", "2024-04-01", patient=None))
    assert [i.message for i in mapped.issues] == ["no subject Patient reference"]


@pytest.mark.parametrize(
    ("volume", "unit", "expected"),
    [(1000, "mL", 1000.0), (1, "L", 1000.0), (500, "mL", 500.0), (500, "cc", 500.0), (5, "dL", 500.0)],
)
def test_the_amino_acid_volume(map_fhir: Any, volume: Any, unit: str, expected: float | None) -> None:
    record = fx.medication_record("m1", MR, "LysaKare", "2024-04-26",
                                  dosageInstruction=[{"doseAndRate": [{"doseQuantity": fx.quantity(volume, unit)}]}])
    (fact,) = treatment(map_fhir(fx.patient(), record))
    assert (fact.volume_ml, fact.problem) == (expected, None)


@pytest.mark.parametrize(("volume", "unit", "problem"), [
    (25, "g", "amino-acid volume in 'g', not a volume unit this check reads"),
    ("1000", "mL", "amino-acid volume cannot be read: quantity"),
])
def test_an_amino_acid_dose_that_is_no_readable_volume_cannot_be_read(map_fhir: Any, volume: Any, unit: str,
                                                                     problem: str) -> None:
    """Such a record counted as the full infusion: the check read "ok" for 12.5 g or 500 cc."""
    record = fx.medication_record("m1", MR, "LysaKare", "2024-04-26",
                                  dosageInstruction=[{"doseAndRate": [{"doseQuantity": fx.quantity(volume, unit)}]}])
    (fact,) = treatment(map_fhir(fx.patient(), record))
    assert fact.volume_ml is None and fact.problem is not None and fact.problem.startswith(problem)


# --- pregnancy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loinc", "elements", "test", "result"),
    [
        (fx.PREGNANCY_STATUS, {"valueCodeableConcept": fx.concept(fx.SNOMED, fx.PREGNANT)}, "status", "pregnant"),
        (fx.PREGNANCY_STATUS, {"valueCodeableConcept": fx.concept(fx.LOINC, "LA26683-5")}, "status", "not-pregnant"),
        (fx.PREGNANCY_STATUS, {"valueCodeableConcept": fx.concept(fx.SNOMED, "102874004")}, "status", "indeterminate"),
        (fx.URINE_HCG, {"valueCodeableConcept": fx.concept(fx.SNOMED, fx.NEGATIVE)}, "hcg-qualitative", "not-pregnant"),
        (fx.SERUM_HCG, {"valueCodeableConcept": fx.concept(fx.SNOMED, fx.POSITIVE)}, "hcg-qualitative", "pregnant"),
        (fx.URINE_HCG, {"valueString": " Negative "}, "hcg-qualitative", "not-pregnant"),
        (fx.URINE_HCG, {"valueString": "weakly positive?"}, "hcg-qualitative", "indeterminate"),
        (fx.URINE_HCG, {"valueCodeableConcept": {"coding": [fx.coding(fx.SNOMED, fx.POSITIVE),
                                                            fx.coding(fx.SNOMED, fx.NEGATIVE)]}},
         "hcg-qualitative", "indeterminate"),  # both answers: neither is taken
        (fx.URINE_HCG, {}, "hcg-qualitative", "indeterminate"),
        (fx.SERUM_BETA_HCG, {"valueQuantity": fx.quantity(4.9, "[IU]/L")}, "hcg-quantitative", "not-pregnant"),
        (fx.SERUM_BETA_HCG, {"valueQuantity": fx.quantity(5, "m[IU]/mL")}, "hcg-quantitative", "pregnant"),
        (fx.SERUM_BETA_HCG, {"valueQuantity": fx.quantity(2, "ng/mL")}, "hcg-quantitative", "indeterminate"),
        (fx.SERUM_BETA_HCG, {"valueQuantity": {"value": "2", "unit": "IU/L"}}, "hcg-quantitative", "indeterminate"),
        (fx.SERUM_BETA_HCG, {"valueQuantity": {"value": 3, "comparator": "<", "unit": "IU/L"}},
         "hcg-quantitative", "indeterminate"),
    ],
)
def test_pregnancy_status_and_tests(map_fhir: Any, loinc: str, elements: dict[str, Any], test: str,
                                    result: str) -> None:
    mapped = map_fhir(fx.patient(), fx.observation("o1", fx.concept(fx.LOINC, loinc), **elements))
    (fact,) = pregnancy(mapped)
    assert (fact.test, fact.result, fact.day) == (test, result, date(2024, 1, 2))
    if result == "indeterminate":
        assert fact.problem and any("pregnancy not excluded" in m for m in messages(mapped))


@pytest.mark.parametrize("elements", [
    {"valueCodeableConcept": fx.concept(fx.SNOMED, fx.NEGATIVE)},
    {"valueQuantity": fx.quantity(0, "[IU]/L")},
])
def test_a_pregnancy_answer_beside_a_data_absent_reason_does_not_exclude_pregnancy(
        map_fhir: Any, elements: dict[str, Any]) -> None:
    """FHIR obs-6: a value or a dataAbsentReason, never both; with both, "negative" or 0 IU/L may be a
    placeholder and must not exclude pregnancy. It was: read as not pregnant."""
    loinc = fx.URINE_HCG if "valueCodeableConcept" in elements else fx.SERUM_BETA_HCG
    observation = fx.observation("o1", fx.concept(fx.LOINC, loinc), **elements,
                                 dataAbsentReason=fx.concept(None, None, "error"))
    (fact,) = pregnancy(map_fhir(fx.patient(), observation))
    assert fact.result == "indeterminate"
    assert fact.problem == ("both a value and a dataAbsentReason (FHIR obs-6: one or the other), "
                            "the value may be a placeholder")


def test_a_preliminary_pregnancy_test_is_not_used(map_fhir: Any) -> None:
    observation = fx.pregnancy_observation("o1", fx.URINE_HCG, fx.NEGATIVE, status="preliminary")
    mapped = map_fhir(fx.patient(), observation)
    assert not pregnancy(mapped)
    assert any("not final" in message for message in messages(mapped))


def test_an_undated_pregnancy_test_is_an_issue(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(), fx.pregnancy_observation("o1", fx.URINE_HCG, fx.NEGATIVE, when=None))
    assert not pregnancy(mapped) and "no effective date" in messages(mapped)


# --- through the evaluation: never a silent ok ----------------------------------------------------


def _checks(*resources: dict[str, Any], as_of: date = date(2024, 4, 29)) -> dict[str, dict[str, Any]]:
    return {c.check: c.model_dump() for c in cycle_3_checks(*resources, as_of=as_of)}


def test_bad_input_never_reads_ok() -> None:
    checks = _checks(
        fx.medication_record("m1", MA, "octreotide LAR", None),
        fx.medication_record("m2", MA, "octreotide", "2024-04-01", status="bogus"),
        fx.pregnancy_observation("o1", fx.URINE_HCG, when="2024-04-28T08:00:00Z", valueString="?"),
        fx.medication_record("m3", MR, "LysaKare", "not a date"),
        fx.lab("k1", "potassium", 4.2, "g/dL", loinc="2823-3", when="2024-04-22T08:00:00Z"),
    )
    assert {check: c["status"] for check, c in checks.items()} == {
        "ssa-long-acting": "unknown", "ssa-short-acting": "unknown", "pregnancy": "unknown",
        "amino-acids": "unknown", "potassium": "unknown"}
    # m2, octreotide of unstated form, counts in both checks
    assert checks["ssa-long-acting"]["evidence"] == ("MedicationAdministration/m1", "MedicationAdministration/m2")


def test_an_empty_record_reads_unknown_everywhere_but_never_ok() -> None:
    assert {c["status"] for c in _checks().values()} == {"unknown"}


# --- the mapping table itself -----------------------------------------------------------------------


def test_a_malformed_mapping_table_is_a_configuration_error(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[3] / "fhir_mappings" / "treatment_context.toml"
    broken = tmp_path / "treatment_context.toml"
    broken.write_text(source.read_text(encoding="utf-8").replace('rxnorm = ["7617"]', 'rxnorm = [7617]'),
                      encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"treatment_context\.toml: malformed mapping table"):
        load_treatment_codes(broken)


def test_a_condition_the_site_lists_excludes_pregnancy_while_it_holds(map_fhir: Any,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    import cds.mapping
    from cds.mapping.treatment import treatment_codes

    assert treatment_codes().cannot_be_pregnant == frozenset()  # none by default: the safe reading
    listed = replace(treatment_codes(), cannot_be_pregnant=frozenset({"999999999"}))
    monkeypatch.setattr(cds.mapping, "treatment_codes", lambda: listed)
    mapped = map_fhir(
        fx.patient(),
        fx.condition("active", "999999999"),
        fx.condition("resolved", "999999999", clinical_status="resolved"),
        fx.condition("refuted", "999999999", verification="refuted"),
        fx.condition("no-status", "999999999", clinical_status=None),
        fx.condition("other", "123456789"),
    )
    assert [e.ref for e in mapped.records["Patient/p1"].pregnancy_excluded] == ["Condition/active"]


def _site_table(tmp_path: Path, timezone: str) -> Any:
    source = Path(__file__).resolve().parents[3] / "fhir_mappings" / "treatment_context.toml"
    table = tmp_path / "treatment_context.toml"
    table.write_text(source.read_text(encoding="utf-8").replace('timezone = ""', f'timezone = "{timezone}"'),
                     encoding="utf-8")
    return load_treatment_codes(table)


@pytest.mark.parametrize("written", ["2024-06-22T23:30:00Z", "2024-06-23T00:30:00+01:00"])
def test_with_the_sites_time_zone_one_instant_is_one_wall_clock_time(tmp_path: Path, written: str) -> None:
    """As written, these were 23:30 on the 22nd and 00:30 on the 23rd: 24.5 and 23.5 hours before a
    cycle at midnight on the 24th, an 'ok' and a 'warning' for one instant."""
    from cds.mapping.treatment import map_treatment
    from cds.tables import codes

    resource = fx.medication_record("m1", MA, "octreotide 100 micrograms s.c.", written)
    record, _ = map_treatment(resource, ("ssa", "short"), "Patient/p1", _site_table(tmp_path, "Africa/Lagos"),
                              codes().dates)
    assert record is not None and (record.day, record.local) == (date(2024, 6, 23), datetime(2024, 6, 23, 0, 30))
    as_written, _ = map_treatment(resource, ("ssa", "short"), "Patient/p1", load_treatment_codes(), codes().dates)
    assert as_written is not None and as_written.local == datetime.fromisoformat(written).replace(tzinfo=None)


def test_an_unknown_site_time_zone_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"treatment_context\.toml: \[site\] timezone 'Mars/Olympus'"):
        _site_table(tmp_path, "Mars/Olympus")
