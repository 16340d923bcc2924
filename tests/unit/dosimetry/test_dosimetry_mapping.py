"""FHIR -> dosimetry facts (cds/mapping/dosimetry.py, fhir_mappings/codes.toml [dosimetry] and
[kidney_risk_factors]): units by UCUM (mGy and cGy to Gy, days to hours), the cycle reference, the
kidney side, and bad input, which never becomes a number."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import factories as fx
import pytest

from cds.facts import DosimetryResult
from cds.mapping import Mapped

MapFhir = Callable[..., Mapped]


def _one(map_fhir: MapFhir, *resources: Any) -> tuple[DosimetryResult, list[str]]:
    mapped = map_fhir(fx.patient(), fx.procedure("c1", "2024-01-08"), *resources)
    record = mapped.records["Patient/p1"]
    assert len(record.dosimetry) == 1, record.dosimetry
    return record.dosimetry[0], [issue.message for issue in record.issues]


@pytest.mark.parametrize(("value", "unit", "gy"), [(4, "Gy", 4.0), (4000, "mGy", 4.0), (400, "cGy", 4.0),
                                                   (4.25, "Gy", 4.25)])
def test_a_kidney_dose_is_read_in_gy(map_fhir: MapFhir, value: float, unit: str, gy: float) -> None:
    fact, issues = _one(map_fhir, fx.dosimetry("d1", value, unit, half_life=50, part_of="Procedure/c1"))
    assert fact.organ == "kidney" and fact.absorbed_gy == pytest.approx(gy) and fact.problem is None
    assert fact.t_eff_h == 50.0 and fact.administration == "Procedure/c1" and fact.side == "mean"
    assert issues == []


def test_half_life_in_days_and_dose_per_activity_in_mgy_per_mbq(map_fhir: MapFhir) -> None:
    fact, _ = _one(map_fhir, fx.dosimetry("d1", 4, half_life=2.5, half_life_unit="d", per_activity=0.54,
                                          per_activity_unit="mGy/MBq", derived_from="Procedure/c1"))
    assert fact.t_eff_h == pytest.approx(60.0) and fact.gy_per_gbq == pytest.approx(0.54)
    assert fact.administration == "Procedure/c1"


def test_bone_marrow_dose(map_fhir: MapFhir) -> None:
    fact, _ = _one(map_fhir, fx.dosimetry("m1", 300, "mGy", organ="bone-marrow-absorbed-dose"))
    assert fact.organ == "bone-marrow" and fact.absorbed_gy == pytest.approx(0.3)


@pytest.mark.parametrize(("site", "side"), [
    (fx.concept(fx.SNOMED, "18639004"), "left"), (fx.concept(fx.SNOMED, "9846003"), "right"),
    ({"text": "Right kidney"}, "right"), ({"text": "both kidneys, left and right"}, "mean"),
])
def test_the_kidney_side_from_body_site(map_fhir: MapFhir, site: dict[str, Any], side: str) -> None:
    fact, _ = _one(map_fhir, fx.dosimetry("d1", 4, body_site=site))
    assert fact.side == side


@pytest.mark.parametrize(("kwargs", "problem"), [
    ({"dose": -4}, "kidney absorbed dose is not positive"),
    ({"dose": 0}, "kidney absorbed dose is not positive"),
    ({"dose": 4, "unit": "mSv"}, "kidney absorbed dose unit 'mSv' is not convertible to Gy"),
    ({"dose": 4, "unit": "MGy"}, "kidney absorbed dose unit 'MGy' is not convertible to Gy"),  # UCUM: mega
    ({"dose": 4, "unit": None}, "kidney absorbed dose unit (none) is not convertible to Gy"),
    ({"dose": "4"}, "quantity value is a string, not a number"),
    ({"dose": 250}, "kidney absorbed dose is implausible: 250 Gy (plausible 1e-06 to 100 Gy)"),
    ({"dose": 4, "half_life": 200}, "effective half-life is implausible: 200 h (plausible 0.01 to 160 h)"),
    ({"dose": 4, "half_life": 50, "half_life_unit": "Gy"}, "effective half-life unit 'Gy' is not convertible to h"),
    ({"dose": 4, "per_activity": -0.5}, "absorbed dose per activity is not positive"),
])
def test_bad_input_is_kept_without_a_dose_and_with_the_reason(map_fhir: MapFhir, kwargs: dict[str, Any],
                                                             problem: str) -> None:
    dose = kwargs.pop("dose")
    fact, issues = _one(map_fhir, fx.dosimetry("d1", dose, kwargs.pop("unit", "Gy"), **kwargs))
    assert fact.absorbed_gy is None and fact.t_eff_h is None and fact.gy_per_gbq is None
    assert fact.problem is not None and problem in fact.problem
    assert any(problem in message and message.endswith("cannot evaluate") for message in issues), issues


def test_a_dose_with_a_comparator_is_refused(map_fhir: MapFhir) -> None:
    resource = fx.dosimetry("d1", 4)
    resource["valueQuantity"]["comparator"] = "<"
    fact, _ = _one(map_fhir, resource)
    assert fact.absorbed_gy is None and "comparator" in (fact.problem or "")


def test_a_missing_dose_is_refused(map_fhir: MapFhir) -> None:
    resource = fx.dosimetry("d1", 4)
    del resource["valueQuantity"]
    fact, _ = _one(map_fhir, resource)
    assert fact.absorbed_gy is None and fact.problem == "no quantity"


def test_a_missing_half_life_is_no_problem_for_the_absorbed_dose(map_fhir: MapFhir) -> None:
    fact, issues = _one(map_fhir, fx.dosimetry("d1", 4))
    assert fact.absorbed_gy == 4.0 and fact.t_eff_h is None and fact.problem is None and issues == []


def test_a_preliminary_dose_and_another_code_are_not_used(map_fhir: MapFhir) -> None:
    other = fx.observation("x1", fx.concept(fx.DOSIMETRY, "liver-absorbed-dose"), valueQuantity=fx.quantity(4, "Gy"))
    mapped = map_fhir(fx.patient(), fx.dosimetry("d1", 4, status="preliminary"), other)
    record = mapped.records["Patient/p1"]
    assert record.dosimetry == []
    assert [i.message for i in record.issues] == ["status preliminary is not final, amended or corrected: ignored"]


def test_a_dose_without_a_date_or_a_subject_is_an_issue(map_fhir: MapFhir) -> None:
    mapped = map_fhir(fx.patient(), fx.dosimetry("d1", 4, when=None), fx.dosimetry("d2", 4, patient=None))
    messages = [i.message for i in mapped.issues] + [i.message for i in mapped.records["Patient/p1"].issues]
    assert mapped.records["Patient/p1"].dosimetry == []
    assert "no effective date" in messages and "no subject Patient reference" in messages


# --- kidney risk factors ----------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "factor"), [(fx.HYPERTENSION, "hypertension"), (fx.DIABETES, "diabetes")])
@pytest.mark.parametrize("status", ["active", "recurrence", "relapse"])
def test_an_active_condition_is_a_risk_factor(map_fhir: MapFhir, code: str, factor: str, status: str) -> None:
    record = map_fhir(fx.patient(), fx.condition("c1", code, clinical_status=status)).records["Patient/p1"]
    assert [(r.factor, r.ref, r.code) for r in record.risk_factors] == [(factor, "Condition/c1", code)]
    assert record.issues == []


@pytest.mark.parametrize("status", ["inactive", "remission", "resolved"])
def test_a_condition_no_longer_present_is_not(map_fhir: MapFhir, status: str) -> None:
    record = map_fhir(fx.patient(), fx.condition("c1", fx.HYPERTENSION, clinical_status=status)).records["Patient/p1"]
    assert record.risk_factors == [] and record.issues == []


@pytest.mark.parametrize("verification", ["refuted", "entered-in-error"])
def test_a_refuted_condition_is_not(map_fhir: MapFhir, verification: str) -> None:
    resource = fx.condition("c1", fx.DIABETES, verification=verification)
    assert map_fhir(fx.patient(), resource).records["Patient/p1"].risk_factors == []


def test_a_condition_without_clinical_status_counts_with_a_warning(map_fhir: MapFhir) -> None:
    record = map_fhir(fx.patient(), fx.condition("c1", fx.DIABETES, clinical_status=None)).records["Patient/p1"]
    assert [r.factor for r in record.risk_factors] == ["diabetes"]
    assert [i.message for i in record.issues] == [
        "diabetes without a clinical status: counted as a kidney risk factor (the stricter limit)"]


def test_other_conditions_are_skipped_silently(map_fhir: MapFhir) -> None:
    mapped = map_fhir(fx.patient(), fx.condition("c1", "195967001"))
    assert mapped.records["Patient/p1"].risk_factors == [] and mapped.issues == []


def test_a_risk_factor_without_a_subject_is_an_issue(map_fhir: MapFhir) -> None:
    mapped = map_fhir(fx.condition("c1", fx.HYPERTENSION, patient=None))
    assert [i.message for i in mapped.issues] == ["no subject Patient reference"]
