"""Unit conversion of laboratory values and reference ranges, over every row of analytes.toml.

The parametrized tests read ``fhir_mappings/analytes.toml`` themselves (with tomllib, not through
``cds.tables``), so a unit added to the table is covered without touching this file, and a factor
mis-read by the loader would show up here. The worked examples state the clinically important
conversions with numbers worked out by hand.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

import factories as fx
import pytest

from cds.facts import LabResult, UngradableLab
from cds.mapping import Mapped
from cds.rulebook.files import mappings_dir

TABLE: dict[str, Any] = tomllib.loads((mappings_dir() / "analytes.toml").read_text(encoding="utf-8"))
ANALYTES = {key: entry for key, entry in TABLE.items() if key != "meta"}
ABSOLUTE = {key: entry for key, entry in ANALYTES.items() if "percent_of" not in entry}
PERCENT = {key: entry for key, entry in ANALYTES.items() if "percent_of" in entry}

UNIT_ROWS = [
    pytest.param(key, unit, float(factor), id=f"{key}-{unit or 'no-unit'}")
    for key, entry in ABSOLUTE.items()
    for unit, factor in entry["units"].items()
]


def typical(key: str) -> float:
    """A value in the canonical unit that every analyte can have: the middle of its default range,
    else of its plausible limits (a result outside those is "implausible", not converted)."""
    entry = ANALYTES[key]
    pairs = list(entry.get("default_range", {}).values())
    if pairs:
        return sum(low + high for low, high in pairs) / (2 * len(pairs))
    return (entry["plausible"]["low"] + entry["plausible"]["high"]) / 2


def only_lab(mapped: Mapped) -> LabResult:
    labs = [lab for record in mapped.records.values() for lab in record.labs]
    assert len(labs) == 1, mapped
    return labs[0]


def test_the_table_is_not_empty() -> None:
    # Guards the parametrization below against silently testing nothing.
    assert len(UNIT_ROWS) > 150
    assert {"hemoglobin", "wbc", "neutrophils", "platelets", "creatinine", "bilirubin"} <= set(ABSOLUTE)
    assert set(PERCENT) == {"neutrophils_pct", "lymphocytes_pct"}


@pytest.mark.parametrize(("key", "unit", "factor"), UNIT_ROWS)
def test_every_unit_converts_value_and_range(map_fhir: Any, key: str, unit: str, factor: float) -> None:
    entry = ABSOLUTE[key]
    value = float(f"{typical(key) / factor:.6g}")  # written in this unit, as a laboratory would
    observation = fx.lab(
        "o1",
        key,
        value,
        unit or None,
        loinc=entry["loinc"][0],
        low=0.9 * value,
        high=1.1 * value,
    )
    mapped = map_fhir(fx.patient(), observation)
    lab = only_lab(mapped)
    assert lab.analyte == key
    assert lab.unit == entry["canonical_unit"]
    assert lab.value == pytest.approx(value * factor, rel=1e-12)
    assert lab.low == pytest.approx(0.9 * value * factor, rel=1e-12)
    assert lab.high == pytest.approx(1.1 * value * factor, rel=1e-12)
    assert lab.range_source == "observation"
    assert lab.reported_value == value
    assert lab.reported_unit == unit
    assert mapped.records["Patient/p1"].issues == []


@pytest.mark.parametrize(("key", "unit", "factor"), [r for r in UNIT_ROWS if r.values[1]])
def test_every_unit_as_plain_unit_text(map_fhir: Any, key: str, unit: str, factor: float) -> None:
    # No UCUM code: the `unit` string is used when it is a listed spelling.
    value = float(f"{typical(key) / factor:.6g}")
    observation = fx.lab("o1", key, value, unit, loinc=ABSOLUTE[key]["loinc"][0], ucum=False)
    lab = only_lab(map_fhir(fx.patient(), observation))
    assert lab.value == pytest.approx(value * factor, rel=1e-12)


LITRE_ROWS = [r for r in UNIT_ROWS if re.search(r"(?<![A-Za-z\[])[dcmunpf]?L(?![A-Za-z\]])", r.values[1])]


@pytest.mark.parametrize(("key", "unit", "factor"), LITRE_ROWS)
def test_every_ucum_code_with_the_litre_written_l(map_fhir: Any, key: str, unit: str, factor: float) -> None:
    """UCUM writes the litre "l" or "L", one unit: 10*9/l, g/dl and 10*3/ul are the codes 10*9/L, g/dL and
    10*3/uL. It was: a UCUM code with "l" that the table lists only with "L" could not be graded."""
    code = re.sub(r"(?<![A-Za-z\[])([dcmunpf]?)L(?![A-Za-z\]])", r"\1l", unit)
    value = float(f"{typical(key) / factor:.6g}")
    lab = only_lab(map_fhir(fx.patient(), fx.lab("o1", key, value, code, loinc=ABSOLUTE[key]["loinc"][0])))
    assert lab.value == pytest.approx(value * factor, rel=1e-12)
    assert lab.reported_unit == code


def test_the_litre_rule_changes_no_other_atom(map_fhir: Any) -> None:
    """Only the litre: a code whose "l" belongs to another atom (mol, [lb_av]) is left as written."""
    lab = only_lab(map_fhir(fx.patient(), fx.lab("o1", "platelets", 150, "10*9/l", loinc="777-3")))
    assert lab.value == 150
    mapped = map_fhir(fx.patient(), fx.lab("o1", "creatinine", 80, "umoL/L", loinc="14682-9"))
    assert not mapped.records["Patient/p1"].labs  # "umoL" is no UCUM code: cannot grade, never guessed


@pytest.mark.parametrize("key", sorted(ABSOLUTE))
def test_every_loinc_code_of_an_analyte_maps_to_it(map_fhir: Any, key: str) -> None:
    canonical = ABSOLUTE[key]["canonical_unit"]
    observations = [
        fx.lab(f"o{i}", key, typical(key), canonical or None, loinc=code)
        for i, code in enumerate(ABSOLUTE[key]["loinc"])
    ]
    labs = map_fhir(fx.patient(), *observations).records["Patient/p1"].labs
    assert sorted((lab.loinc, lab.analyte) for lab in labs) == sorted(
        (c, key) for c in ABSOLUTE[key]["loinc"]
    )


@pytest.mark.parametrize("key", sorted(ABSOLUTE))
@pytest.mark.parametrize("sex", ["female", "male"])
def test_default_range_by_analyte_and_sex(map_fhir: Any, key: str, sex: str) -> None:
    entry = ABSOLUTE[key]
    limits = entry["default_range"].get(sex, entry["default_range"].get("any"))
    observation = fx.lab("o1", key, typical(key), entry["canonical_unit"] or None, loinc=entry["loinc"][0])
    lab = only_lab(map_fhir(fx.patient(gender=sex), observation))
    assert (lab.low, lab.high, lab.range_source) == (limits[0], limits[1], "default")


@pytest.mark.parametrize("key", sorted(PERCENT))
def test_every_percent_differential_becomes_an_absolute_count(map_fhir: Any, key: str) -> None:
    entry = PERCENT[key]
    absolute = ANALYTES[entry["absolute_analyte"]]
    pct = fx.lab("pct", key, 60, "%", loinc=entry["loinc"][0], low=40, high=75)
    wbc = fx.lab("wbc", "wbc", 5.0, "10*3/uL")
    labs = {lab.ref: lab for lab in map_fhir(fx.patient(), pct, wbc).records["Patient/p1"].labs}
    derived = labs["Observation/pct"]
    assert derived.analyte == entry["absolute_analyte"]
    assert derived.value == pytest.approx(3.0)
    assert derived.unit == "10*9/L"
    # A percent range says nothing about the absolute count: the absolute analyte's default is used.
    assert (derived.low, derived.high) == tuple(absolute["default_range"]["any"])
    assert derived.range_source == "default"
    assert derived.derived_from == ("Observation/pct", "Observation/wbc")


def test_molar_factors_agree_with_the_stated_molar_mass() -> None:
    # mg/dL -> umol/L is 10 000 / M; mg/dL -> mmol/L is 10 / M (M in g/mol). Hemoglobin's mmol/L -> g/L
    # factor is M / 1000 (Hb(Fe) monomer). A factor more than 0.1 % off its molar mass is a typo.
    checked = 0
    for key, entry in ABSOLUTE.items():
        mass = entry.get("molar_mass")
        if mass is None:
            continue
        canonical, units = entry["canonical_unit"], entry["units"]
        if canonical == "g/L":
            expected = {"mmol/L": mass / 1000}
        elif canonical == "umol/L":
            expected = {"mg/dL": 10_000 / mass, "mg/L": 1_000 / mass}
        else:
            assert canonical == "mmol/L", key
            expected = {"mg/dL": 10 / mass}
        for unit, factor in expected.items():
            if unit in units:
                assert units[unit] == pytest.approx(factor, rel=1e-3), (key, unit)
                checked += 1
    assert checked >= 10


# --- worked examples ----------------------------------------------------------------------------------
# (analyte, value, unit, low, high, expected value, expected low, expected high) in the canonical unit.
WORKED = [
    # Hemoglobin, canonical g/L: 9.1 g/dL = 91 g/L; 1 mmol/L Hb(Fe) = 16.1145 g/L.
    ("hemoglobin", 9.1, "g/dL", 12.0, 15.5, 91.0, 120.0, 155.0),
    ("hemoglobin", 91, "g/L", 120, 155, 91.0, 120.0, 155.0),
    ("hemoglobin", 5.6, "mmol/L", 7.4, 9.6, 90.2412, 119.2473, 154.6992),
    # Counts, canonical 10*9/L: 10*3/uL and K/uL are the same number; /uL is 1000 times larger.
    ("platelets", 70, "10*9/L", 150, 400, 70.0, 150.0, 400.0),
    ("platelets", 70, "10*3/uL", 150, 400, 70.0, 150.0, 400.0),
    ("platelets", 70000, "/uL", 150000, 400000, 70.0, 150.0, 400.0),
    ("platelets", 70, "K/uL", 150, 400, 70.0, 150.0, 400.0),
    ("wbc", 2900, "/uL", 4000, 11000, 2.9, 4.0, 11.0),
    ("neutrophils", 0.9, "10*3/uL", 1.8, 7.7, 0.9, 1.8, 7.7),
    ("lymphocytes", 450, "/uL", 1000, 4800, 0.45, 1.0, 4.8),
    # Creatinine, canonical umol/L: 1 mg/dL = 88.42 umol/L.
    ("creatinine", 1.2, "mg/dL", 0.5, 1.1, 106.104, 44.21, 97.262),
    ("creatinine", 106, "umol/L", 44, 97, 106.0, 44.0, 97.0),
    # Bilirubin, canonical umol/L: 1 mg/dL = 17.104 umol/L.
    ("bilirubin", 1.5, "mg/dL", 0.1, 1.2, 25.656, 1.7104, 20.5248),
    # Calcium, canonical mmol/L: 1 mg/dL = 0.2495 mmol/L.
    ("calcium", 9.5, "mg/dL", 8.5, 10.5, 2.37025, 2.12075, 2.61975),
    # Glucose, canonical mmol/L: 1 mg/dL = 0.05551 mmol/L.
    ("glucose", 100, "mg/dL", 70, 99, 5.551, 3.8857, 5.49549),
]


@pytest.mark.parametrize(("key", "value", "unit", "low", "high", "exp_value", "exp_low", "exp_high"), WORKED)
def test_worked_conversions(
    map_fhir: Any,
    key: str,
    value: float,
    unit: str,
    low: float,
    high: float,
    exp_value: float,
    exp_low: float,
    exp_high: float,
) -> None:
    lab = only_lab(map_fhir(fx.patient(), fx.lab("o1", key, value, unit, low=low, high=high)))
    assert (lab.value, lab.low, lab.high) == pytest.approx((exp_value, exp_low, exp_high), rel=1e-9)


def test_range_in_another_unit_than_the_value_is_converted_on_its_own(map_fhir: Any) -> None:
    observation = fx.lab("o1", "hemoglobin", 9.1, "g/dL", low=120, high=155, range_unit="g/L")
    lab = only_lab(map_fhir(fx.patient(), observation))
    assert (lab.value, lab.low, lab.high) == pytest.approx((91.0, 120.0, 155.0))


def test_range_without_a_unit_is_in_the_value_unit(map_fhir: Any) -> None:
    observation = fx.lab("o1", "creatinine", 1.2, "mg/dL", low=0.5, high=1.1, range_unit=None)
    lab = only_lab(map_fhir(fx.patient(), observation))
    assert (lab.low, lab.high) == pytest.approx((44.21, 97.262))
    assert lab.range_source == "observation"


def test_unit_text_spelling_is_matched_case_insensitively(map_fhir: Any) -> None:
    observation = fx.lab("o1", "platelets", 70, "k/ul", ucum=False)
    assert only_lab(map_fhir(fx.patient(), observation)).value == 70.0


def test_ucum_code_is_case_sensitive(map_fhir: Any) -> None:
    # In UCUM "Mmol/L" is megamole per litre: a UCUM code is matched exactly, never case-folded.
    mapped = map_fhir(fx.patient(), fx.lab("o1", "potassium", 4.0, "Mmol/L", loinc="2823-3"))
    record = mapped.records["Patient/p1"]
    assert record.labs == []
    assert [u.reason for u in record.ungradable] == ["unit 'Mmol/L' is not convertible to mmol/L: cannot grade"]


def test_a_unit_text_that_disagrees_with_the_ucum_code_is_not_overruled(map_fhir: Any) -> None:
    """It was: the code won, silently (1.0 read as mg/dL, 88.42 umol/L, where the text said umol/L)."""
    observation = fx.lab("o1", "creatinine", 1.0, "mg/dL")
    observation["valueQuantity"]["unit"] = "umol/L"  # a display text that disagrees with the code
    record = map_fhir(fx.patient(), observation).records["Patient/p1"]
    assert record.labs == []
    assert [u.reason for u in record.ungradable] == [
        "unit code 'mg/dL' and unit text 'umol/L' name different units: cannot grade"]


@pytest.mark.parametrize(
    ("key", "unit"),
    [("platelets", "K/mm"), ("hemoglobin", "%"), ("creatinine", "mg"), ("wbc", "10*6/uL"), ("glucose", "")],
)
def test_unlisted_unit_is_not_convertible_and_never_guessed(map_fhir: Any, key: str, unit: str) -> None:
    mapped = map_fhir(fx.patient(), fx.lab("o1", key, 5, unit or None))
    record = mapped.records["Patient/p1"]
    assert record.labs == []
    [ungradable] = record.ungradable
    assert isinstance(ungradable, UngradableLab)
    assert ungradable.analyte == key
    canonical = ABSOLUTE[key]["canonical_unit"]
    shown = repr(unit) if unit else "None"
    assert ungradable.reason == f"unit {shown} is not convertible to {canonical}: cannot grade"
    assert [(i.resource, i.message) for i in record.issues] == [("Observation/o1", ungradable.reason)]


def test_unconvertible_range_unit_falls_back_to_the_default_range_with_an_issue(map_fhir: Any) -> None:
    observation = fx.lab("o1", "platelets", 70, "10*3/uL", low=150, high=400, range_unit="K/mm")
    mapped = map_fhir(fx.patient(), observation)
    lab = only_lab(mapped)
    assert (lab.value, lab.low, lab.high, lab.range_source) == (70.0, 165.0, 415.0, "default")
    [issue] = mapped.records["Patient/p1"].issues
    assert issue.resource == "Observation/o1"
    assert issue.message == "reference range unit 'K/mm' is not convertible to 10*9/L; default range used"


@pytest.mark.parametrize("system", ["http://unitsofmeasure.org", "urn:example:local-units"])
def test_a_code_and_a_unit_text_naming_different_units_cannot_be_graded(map_fhir: Any, system: str) -> None:
    """ANC 400 "/uL" coded 10*9/L was read as 400 x10^9/L (grade 0); 400/uL is 0.4 x10^9/L (grade 4)."""
    observation = fx.lab("o1", "neutrophils", 400, "10*9/L")
    observation["valueQuantity"].update({"unit": "/uL", "system": system})
    [lab] = map_fhir(fx.patient(), observation).records["Patient/p1"].ungradable
    assert isinstance(lab, UngradableLab)
    assert lab.reason == "unit code '10*9/L' and unit text '/uL' name different units: cannot grade"


@pytest.mark.parametrize("text", ["10^9/L", "x10E9/L", "10*9/L", "cells"])  # spellings of one unit, or unlisted
def test_a_unit_text_that_agrees_with_the_code_or_says_nothing_is_graded(map_fhir: Any, text: str) -> None:
    observation = fx.lab("o1", "neutrophils", 0.4, "10*9/L")
    observation["valueQuantity"]["unit"] = text
    assert only_lab(map_fhir(fx.patient(), observation)).value == pytest.approx(0.4)


def test_a_range_whose_unit_text_disagrees_with_its_code_falls_back_to_the_default_range(map_fhir: Any) -> None:
    """It was: the range's code won over its text ("10*9/L" beside "/uL", a million-fold apart), so a
    platelet count of 140 was read against a lower limit of 100 and graded 0; the default lower limit
    (165) grades it 1."""
    observation = fx.lab("o1", "platelets", 140, "10*9/L", low=100, high=400)
    for side in ("low", "high"):
        observation["referenceRange"][0][side]["unit"] = "/uL"
    mapped = map_fhir(fx.patient(), observation)
    lab = only_lab(mapped)
    assert (lab.low, lab.high, lab.range_source) == (165.0, 415.0, "default")
    [issue] = mapped.records["Patient/p1"].issues
    assert issue.message == ("reference range unit code '10*9/L' and unit text '/uL' name different units; "
                             "default range used")
