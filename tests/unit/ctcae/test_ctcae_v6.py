"""``rules/ctcae_v6.toml`` against its source, term by term, unit set by unit set and grade by grade.

The source is admiral's CTCAE v6.0 metadata re-expressed as data (tests/data/ctcae/ctcae_v6_criteria.json,
admiral commit 6eb5125a): per term the CTCAE v6.0 text, SOC, direction and the first-match-wins rules of
each criterion set. Each rule of grade 1-4 becomes the conditions it tests (``value < 0.5``,
``value > 3.0 x ULN``, the baseline flag); the table's criteria of that set and grade must be exactly
those, except where the table's header writes a reading of its own, listed here in ``READINGS`` with the
criteria the table has instead. A threshold mistyped, a grade dropped, a set forgotten or a reading not
written down fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cds.bootstrap import default_engine
from cds.cli import app
from cds.ctcae.conclusions import ToxicityGrade
from cds.ctcae.decide import grade_timeline
from cds.ctcae.table import CtcaeTable, Term, load_table
from cds.ctcae.table import table as ctcae_table
from cds.dose import table as dose_table
from cds.errors import ConfigurationError
from cds.facts import LabResult, Patient
from cds.timeline import Baseline, Timeline

ROOT = Path(__file__).resolve().parents[3]
SOURCE = ROOT / "tests" / "data" / "ctcae" / "ctcae_v6_criteria.json"
TABLE = ROOT / "rules" / "ctcae_v6.toml"

Atom = tuple[str, str, float]  # (kind of cds.ctcae.table.Condition, op, threshold)
Criterion = tuple[frozenset[Atom], str | None]  # conditions, baseline state ("normal", "abnormal", "low", ...)

# Terms of the source the table does not grade (rules/ctcae_v6.toml): none since HDL, LDL and fasting
# glucose are analytes of fhir_mappings/analytes.toml.
NOT_TRANSCRIBED: set[str] = set()
# admiral's US conventional unit -> the table's set; a unit that is the SI unit is the SI set again.
CONVENTIONAL = {"10^3/mL": "/mm3", "1/uL": "/mm3", "mg/dL": "mg/dL", "g/dL": "g/dL"}
SAME_AS_SI = {"10^3/uL", "10^9/L", "mL/min", "MMOL/L", None}
# Sets the table has that admiral does not (from the CTCAE text), and sets admiral has that the table
# leaves out (admiral's own conversion, not CTCAE): rules/ctcae_v6.toml, "How a term is graded".
EXTRA_SETS = {("Anemia", "mmol/L")}
LEFT_OUT_SETS = {("Hypercalcemia (Ionized)", "mg/dL"), ("Hypocalcemia (Ionized)", "mg/dL")}
# (term, set, grade) -> the criteria the table has instead of admiral's, each a reading its header writes.
READINGS: dict[tuple[str, str, int], set[Criterion]] = {
    # "10 - 25 ml/min": grade 3 at <= 25 including below 10 (admiral: null below 10).
    ("Creatinine clearance decreased", "si", 3): {(frozenset({("abs", "<=", 25.0)}), None)},
    # "26 - 49 ml/min": grade 2 below 50 (admiral: 25 < value <= 49, so 49.5 is 0).
    ("Creatinine clearance decreased", "si", 2): {(frozenset({("abs", "<", 50.0)}), None)},
    # "150 mg/dL - 300 mg/dL; 1.71 mmol/L - 3.42 mmol/L": the inclusive lower bound of the CTCAE text
    # (admiral: strict), as in v5.
    ("Hypertriglyceridemia", "si", 1): {(frozenset({("abs", ">=", 1.71)}), None)},
    ("Hypertriglyceridemia", "mg/dL", 1): {(frozenset({("abs", ">=", 150.0)}), None)},
}
# admiral's "baseline below LLN" flag (low_indicator), used by Creatinine increased only: the table's
# baseline states "low" / "not_low" (rules/ctcae_v6.toml, "Creatinine increased").
LOW_BASELINE_FLAG = {"Creatinine increased"}


def source() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SOURCE.read_text(encoding="utf-8"))
    return data


def source_terms() -> dict[str, dict[str, Any]]:
    return {t["term"]: t for t in source()["terms"]}


def _atoms(condition: Any, term: str) -> Iterator[Atom | tuple[str, str | None]]:
    """The conditions one admiral rule tests, flattened (``all_of`` only: a grade rule is a conjunction)."""
    if "all_of" in condition:
        for part in condition["all_of"]:
            yield from _atoms(part, term)
    elif "any_of" in condition:
        raise AssertionError(f"{term}: a grade rule with any_of is not one criterion")
    elif "present" in condition:
        return  # the table's criteria need their inputs: a missing one is never met
    elif "baseline_abnormal_high" in condition:
        yield ("baseline_state", "abnormal" if condition["baseline_abnormal_high"] else "normal")
    elif "baseline_abnormal_low" in condition:
        assert term in LOW_BASELINE_FLAG, f"{term}: a low-baseline flag the table does not read"
        yield ("baseline_state", "low" if condition["baseline_abnormal_low"] else "not_low")
    else:
        against, op = condition["against"], condition["op"]
        if condition["compare"] == "pct_change_from_baseline":
            yield ("pct", op, float(condition["threshold_value"]))
        elif against == "absolute":
            yield ("abs", op, float(condition["threshold_value"]))
        elif "threshold_offset" in condition:
            yield ("uln_plus", op, float(condition["threshold_offset"]))
        else:
            yield (against.lower(), op, float(condition["threshold_factor"]))


def admiral_criteria(rules: list[dict[str, Any]], term: str) -> dict[int, set[Criterion]]:
    """Grade -> the criteria of admiral's rules of that grade (the NA and "otherwise" rules left out)."""
    out: dict[int, set[Criterion]] = {}
    for rule in rules:
        grade = rule["then_grade"]
        if grade is None or grade == 0 or rule["if"] == "otherwise":
            continue
        state: str | None = None
        atoms: set[Atom] = set()
        for atom in _atoms(rule["if"], term):
            if atom[0] == "baseline_state":
                state = atom[1]
            else:
                atoms.add(atom)  # type: ignore[arg-type]
        out.setdefault(int(grade), set()).add((frozenset(atoms), state))
    return out


def table_criteria(term: Term, unit_set: str) -> dict[int, set[Criterion]]:
    out: dict[int, set[Criterion]] = {}
    for criterion in term.sets[unit_set]:
        atoms = frozenset((c.kind, c.op, c.threshold) for c in criterion.conditions)
        out.setdefault(criterion.grade, set()).add((atoms, criterion.baseline_state))
    return out


def expected_sets(entry: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The table's set name -> admiral's rules for it; admiral's sets in the SI unit must be the SI rules."""
    sets = {"si": entry["si"]["rules_first_match_wins"]}
    for conventional in entry.get("uscv", []):
        unit = conventional["unit"]
        if unit in SAME_AS_SI or unit == entry["si"]["unit"]:
            assert conventional["rules_first_match_wins"] == sets["si"], f"{entry['term']}: {unit} is not the SI set"
        elif (entry["term"], CONVENTIONAL[unit]) not in LEFT_OUT_SETS:
            sets[CONVENTIONAL[unit]] = conventional["rules_first_match_wins"]
    return sets


@pytest.fixture(scope="module")
def table() -> CtcaeTable:
    return load_table(TABLE)


def test_the_table_is_the_v6_table_of_the_source(table: CtcaeTable) -> None:
    assert (table.version, table.prefix) == ("6.0", "ctcae6")
    assert source()["source"]["commit"].startswith("6eb5125a")
    assert "6eb5125a" in table.source


def test_every_term_of_the_source_is_in_the_table_or_listed(table: CtcaeTable) -> None:
    names = {t.name for t in table.terms}
    assert names == set(source_terms()) - NOT_TRANSCRIBED
    assert set(source_terms()) >= NOT_TRANSCRIBED


def test_the_v5_to_v6_changes_are_in_the_table(table: CtcaeTable) -> None:
    counts = source()["changes_from_v5"]["counts"]
    names = {t.name for t in table.terms}
    assert set(counts["removed"]) == {"CPK increased", "Lymphocyte count decreased"}
    assert not names & set(counts["removed"])
    assert set(counts["added"]) - NOT_TRANSCRIBED <= names
    assert counts["renamed"] == [{"v5": "Platelet count decreased", "v6": "Thrombocytopenia"}]
    assert "Thrombocytopenia" in names and "Platelet count decreased" not in names
    assert set(counts["rules_changed"]) <= names


def _cases() -> Iterator[tuple[str, str, int]]:
    for name, entry in sorted(source_terms().items()):
        if name in NOT_TRANSCRIBED:
            continue
        for unit_set, rules in expected_sets(entry).items():
            for grade in range(1, 5):
                if grade in admiral_criteria(rules, name) or (name, unit_set, grade) in READINGS:
                    yield name, unit_set, grade


def test_there_are_cases() -> None:
    assert len(list(_cases())) > 150


@pytest.mark.parametrize(("name", "unit_set", "grade"), list(_cases()))
def test_each_grade_of_each_set_is_transcribed(table: CtcaeTable, name: str, unit_set: str, grade: int) -> None:
    (term,) = [t for t in table.terms if t.name == name]
    assert unit_set in term.sets, f"{name}: no {unit_set} set"
    rules = expected_sets(source_terms()[name])[unit_set]
    expected = READINGS.get((name, unit_set, grade), admiral_criteria(rules, name).get(grade, set()))
    assert table_criteria(term, unit_set).get(grade, set()) == expected


@pytest.mark.parametrize("name", sorted(set(source_terms()) - NOT_TRANSCRIBED))
def test_each_term_has_no_other_grade_or_set_and_its_v6_text(table: CtcaeTable, name: str) -> None:
    entry = source_terms()[name]
    (term,) = [t for t in table.terms if t.name == name]
    sets = expected_sets(entry)
    assert set(term.sets) == set(sets) | {u for n, u in EXTRA_SETS if n == name}
    for unit_set, rules in sets.items():
        graded = set(admiral_criteria(rules, name)) | {g for n, u, g in READINGS if (n, u) == (name, unit_set)}
        assert set(table_criteria(term, unit_set)) == graded, f"{name} {unit_set}: grades"
    text = {int(k.removeprefix("grade_")): v for k, v in entry["ctcae_v6_text"].items() if v not in (None, "-")}
    text.pop(5, None)
    assert term.text == text
    assert term.soc == entry["soc"]
    assert term.direction == {"L": "low", "H": "high"}[entry["direction"]]


def test_the_readings_are_written_in_the_table_header() -> None:
    header = TABLE.read_text(encoding="utf-8").split("[meta]")[0]
    for phrase in ("Creatinine clearance decreased", "grade 2 below 50 mL/min", "including below 10",
                   "Creatinine increased", 'baseline = "low"', "both apply", "HDL decreased", "LDL increased",
                   "Hyperglycemia (Fasting)", "up to 5 x ULN", "CPK increased", "Lymphocyte count decreased"):
        assert phrase in header, phrase


def test_demo_names_the_versions_there_are_for_an_unknown_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "d"), "--ctcae-version", "4.03"])
    assert result.exit_code == 2
    message = " ".join(result.stderr.replace("│", " ").split())
    assert "--ctcae-version" in message and "no CTCAE table for version '4.03'; available: 5.0, 6.0" in message
    assert not (tmp_path / "d").exists()


def test_the_dose_table_classes_the_v6_terms_as_its_ctcae_versions_entry_says(table: CtcaeTable) -> None:
    dose = dose_table.load_table(ROOT / "rules" / "lutathera_dose.toml")
    links = dose_table.term_classes(dose, table)
    assert links["Thrombocytopenia"] == "thrombocytopenia"
    assert links["Neutrophil count decreased"] == links["Anemia"] == "anemia_neutropenia"
    assert links["Creatinine clearance decreased"] == "renal"
    assert links["Hyperglycemia"] == links["Hyperglycemia (Fasting)"] == "other"
    assert links["HDL decreased"] is None and links["LDL increased"] is None  # grade 1 only in v6.0
    assert links["Alkaline phosphatase increased"] is None  # grade 1 only in v6.0
    assert links["CD4 lymphocytes decreased"] is None and dose.is_exempt("CD4 lymphocytes decreased", "6.0")
    assert "Lymphocyte count decreased" not in links and "CPK increased" not in links
    # a lymphocytosis (grade 3 >20 x10^9/L) is not lymphopenia: "any other grade 3 or 4" (it was: exempt)
    assert links["Lymphocyte count increased"] == "other"
    assert not dose.is_exempt("Lymphocyte count increased", "6.0")
    v5 = dose_table.term_classes(dose, load_table(ROOT / "rules" / "ctcae_v5.toml"))
    assert v5["Alkaline phosphatase increased"] == "other" and v5["Platelet count decreased"] == "thrombocytopenia"
    assert v5["Lymphocyte count increased"] == "other" and v5["Lymphocyte count decreased"] is None


def test_a_term_listed_unclassed_that_the_version_grades_3_is_a_configuration_error(
        table: CtcaeTable, tmp_path: Path) -> None:
    text = (ROOT / "rules" / "lutathera_dose.toml").read_text(encoding="utf-8")
    old = 'unclassed = ["Alkaline phosphatase increased"]'
    assert old in text
    path = tmp_path / "lutathera_dose.toml"
    path.write_text(text.replace(old, 'unclassed = ["Alkaline phosphatase increased", "Lipase increased"]'),
                    encoding="utf-8")
    dose = dose_table.load_table(path)
    with pytest.raises(ConfigurationError, match=r"'Lipase increased' is listed as unclassed in the CTCAE v6\.0"):
        dose_table.term_classes(dose, table)


def _creatinine_v6(baseline_low: float | None, baseline_flag: str | None, value_mg_dl: float) -> ToxicityGrade:
    """A creatinine (mg/dL, range 0.5 - 1.2) after a baseline of 0.6 mg/dL whose LLN and flag are given."""
    def lab(ref: str, day: date, mg_dl: float, low: float | None, flag: str | None) -> LabResult:
        return LabResult(
            ref=ref, patient="Patient/p1", at=datetime(day.year, day.month, day.day, 8, tzinfo=UTC), day=day,
            analyte="creatinine", loinc="2160-0", value=mg_dl * 88.42, unit="umol/L", reported_value=mg_dl,
            reported_unit="mg/dL", low=low, high=1.2 * 88.42, range_source="observation", flag=flag)

    base = lab("Observation/b", date(2024, 1, 5), 0.6, baseline_low, baseline_flag)
    later = lab("Observation/x", date(2024, 2, 1), value_mg_dl, 0.5 * 88.42, None)
    timeline = Timeline(
        patient=Patient(ref="Patient/p1"), cycles=(), labs=(base, later), ungradable=(), performance=(), body=(),
        tumour=(), issues=(), baselines={"creatinine": Baseline(
            analyte="creatinine", lab=base, abnormal_high=False,
            abnormal_low=baseline_flag == "low")},
    )
    grades = grade_timeline(timeline, ctcae_table("6.0"), default_engine())
    (grade,) = [g for g in grades if g.observation == "Observation/x" and g.term_id == "creatinine_increased"]
    return grade


def test_creatinine_after_a_baseline_whose_lln_is_not_recorded_takes_the_higher_grade_and_says_so() -> None:
    """0.91 mg/dL is below the ULN but 1.52 x the baseline: with no LLN and no flag on the baseline, whether
    it was below the LLN is unknown, so the low-baseline multiples apply too (grade 2), with a note."""
    grade = _creatinine_v6(None, None, 0.91)
    assert (grade.grade, grade.rule) == (2, "ctcae6.creatinine_increased.g2.baseline")
    assert any("not recorded" in n and "higher grade" in n for n in grade.notes)


def test_creatinine_after_a_baseline_flagged_normal_is_graded_by_the_uln_only() -> None:
    grade = _creatinine_v6(None, "normal", 0.91)
    assert (grade.grade, grade.rule, grade.notes) == (0, "ctcae6.creatinine_increased.g0", ())


def test_creatinine_after_a_baseline_flagged_low_is_graded_by_the_baseline_without_a_note() -> None:
    grade = _creatinine_v6(None, "low", 0.91)
    assert (grade.grade, grade.rule) == (2, "ctcae6.creatinine_increased.g2.baseline")
    assert not any("not recorded" in n for n in grade.notes)


def test_every_criterion_set_cites_its_source() -> None:
    """Each term's SI criteria (the term's ``source``) and each conventional set cite CTCAE v6.0 and the
    transcription they were checked against. It was: the mg/dL sets of cholesterol, triglycerides,
    corrected calcium, glucose and magnesium, and every SI set, cited only the file's header."""
    import tomllib

    raw = tomllib.loads(TABLE.read_text(encoding="utf-8"))
    uncited = []
    for term in raw["term"]:
        for where, entry in [("si", term), *((c["unit"], c) for c in term.get("conventional", []))]:
            cited = str(entry.get("source", ""))
            if "CTCAE v6.0" not in cited or ("admiral" not in cited and "not in the admiral" not in cited):
                uncited.append(f"{term['name']} ({where})")
    assert not uncited
