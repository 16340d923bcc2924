"""Impossible values are never graded, never used by the dose rules, and never end an evaluation.

fhir_mappings/analytes.toml gives every analyte plausible limits, codes.toml the plausible weights,
heights, dates and ages; outside them a value is a per-resource issue ("cannot grade: implausible
value ..." for a laboratory result) and no age, clearance or interval is derived from it. Each test
here failed before those limits existed: haemoglobin -5 g/dL was graded "Anemia grade 3", platelets
1e308 grade 0, creatinine 0 made Cockcroft-Gault raise (the service answered 500), a Procedure dated
0001-01-01 or 9999-12-20 overflowed the date arithmetic, and birthDate 0001-01-01 gave a clearance of
-1679.6 mL/min as evidence for withhold.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import factories as fx
import hooks_support as hs
import pytest
from typer.testing import CliRunner

from cds.cli import app
from cds.document import to_document
from cds.dose.renal import cockcroft_gault
from cds.errors import ConfigurationError
from cds.evaluation import evaluate_collected
from cds.mapping.fhir import Unusable, parse_instant
from cds.reading import from_objects
from cds.rulebook.files import mappings_dir
from cds.tables import load_analytes, load_codes

P1 = "Patient/p1"


def evaluate(resources: list[dict[str, Any]], as_of: str | None = None) -> dict[str, Any]:
    evaluation = evaluate_collected(from_objects(resources), None if as_of is None else date.fromisoformat(as_of))
    document = to_document(evaluation)
    [patient] = document["patients"]
    patient["run_issues"] = document["issues"]
    result: dict[str, Any] = patient
    return result


def toxicities(patient: dict[str, Any], observation: str) -> list[dict[str, Any]]:
    return [t for t in patient["toxicities"] if t["observation"] == f"Observation/{observation}"]


def messages(patient: dict[str, Any], resource: str | None = None) -> list[str]:
    return [i["message"] for i in patient["issues"] if resource is None or i["resource"] == resource]


# --- the table ---------------------------------------------------------------------------------------


def test_every_analyte_has_plausible_limits_in_its_canonical_unit() -> None:
    table = load_analytes()
    for analyte in table.analytes.values():
        limits = analyte.plausible
        assert 0 <= limits.low < limits.high, analyte.key
        assert limits.unit == analyte.canonical_unit and limits.source, analyte.key
    # Where 0 cannot occur in a living patient the lower limit is above 0.
    for key in ("creatinine", "hemoglobin", "sodium", "glucose", "inr", "ph"):
        assert table.analytes[key].plausible.low > 0, key


def _analytes_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (mappings_dir() / "analytes.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "analytes.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


CREATININE = 'plausible = { low = 5, high = 10000, unit = "umol/L", source = "prrt-cds choice" }'


@pytest.mark.parametrize(("entry", "message"), [
    ('plausible = { low = 10000, high = 5, unit = "umol/L", source = "x" }', "0 <= low < high"),
    ('plausible = { low = -1, high = 5, unit = "umol/L", source = "x" }', "0 <= low < high"),
    ('plausible = { low = 5, high = 5, unit = "umol/L", source = "x" }', "0 <= low < high"),
    ('plausible = { low = 5, high = 10000, unit = "furlong", source = "x" }', "not a listed unit"),
    ('plausible = { low = 5, high = 10000, unit = "umol/L" }', "need a unit and a source"),
    ('plausible = { low = "5", high = 10000, unit = "umol/L", source = "x" }', "must be numbers"),
    ('plausible = { low = 5, high = 100, unit = "umol/L", source = "x" }', "default_range"),
    ("", "no plausible"),
])
def test_the_loader_refuses_bad_plausible_limits(tmp_path: Path, entry: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        load_analytes(_analytes_with(tmp_path, CREATININE, entry))


def test_limits_written_in_another_listed_unit_are_converted(tmp_path: Path) -> None:
    entry = 'plausible = { low = 0.1, high = 100, unit = "mg/dL", source = "x" }'
    limits = load_analytes(_analytes_with(tmp_path, CREATININE, entry)).analytes["creatinine"].plausible
    assert (limits.low, limits.high, limits.unit) == (pytest.approx(8.842), pytest.approx(8842), "umol/L")


@pytest.mark.parametrize(("old", "new"), [
    ("earliest_date = 1900-01-01", 'earliest_date = "1900"'),
    ("years_ahead = 1", "years_ahead = -1"),
    ("age_years = [0, 120]", "age_years = [120, 0]"),
    ('plausible = { low = 0.2, high = 700, unit = "kg"', 'plausible = { low = 700, high = 0.2, unit = "kg"'),
])
def test_the_loader_refuses_a_bad_plausibility_section(tmp_path: Path, old: str, new: str) -> None:
    text = (mappings_dir() / "codes.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "codes.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigurationError):
        load_codes(path)


def test_the_date_window_runs_from_1900_to_a_year_from_today() -> None:
    dates = load_codes().dates
    assert dates.earliest == date(1900, 1, 1)
    assert dates.latest(date(2024, 4, 29)) == date(2025, 4, 29)
    assert dates.latest(date(2024, 2, 29)) == date(2025, 2, 28)
    assert (dates.min_age_years, dates.max_age_years) == (0, 120)


# --- laboratory values -------------------------------------------------------------------------------


@pytest.mark.parametrize(("analyte", "value", "unit", "shown"), [
    ("hemoglobin", -5, "g/dL", "-5 g/dL"),  # was "Anemia grade 3"
    ("platelets", 1e308, "10*9/L", "1e+308 10*9/L"),  # was grade 0
    ("creatinine", 0, "mg/dL", "0 mg/dL"),
    ("creatinine", -1.2, "mg/dL", "-1.2 mg/dL"),
    ("wbc", -0.5, "10*9/L", "-0.5 10*9/L"),
    ("glucose", 0, "mmol/L", "0 mmol/L"),
])
def test_an_implausible_result_is_not_graded_and_says_why(analyte: str, value: float, unit: str, shown: str) -> None:
    patient = evaluate([fx.patient(), fx.lab("o1", analyte, value, unit)])
    entries = toxicities(patient, "o1")
    assert entries and all(t["grade"] is None for t in entries)
    for entry in entries:
        assert entry["reason"].startswith(f"cannot grade: implausible value {shown} (plausible ")
    [message] = messages(patient, "Observation/o1")
    assert message.startswith(f"cannot grade: implausible value {shown}")


@pytest.mark.parametrize(("value", "graded"), [(5.0, True), (4.99, False), (10000.0, True), (10000.5, False)])
def test_both_sides_of_the_creatinine_limits(value: float, graded: bool) -> None:
    patient = evaluate([fx.patient(), fx.lab("o1", "creatinine", value, "umol/L", low=44, high=80)])
    [entry] = toxicities(patient, "o1")
    assert (entry["grade"] is not None) == graded, entry


def test_a_reference_range_outside_the_plausible_values_is_replaced_by_the_default() -> None:
    patient = evaluate([fx.patient(), fx.lab("o1", "platelets", 60, "10*9/L", low=-150, high=400)])
    [entry] = toxicities(patient, "o1")
    assert (entry["grade"], entry["range_source"], entry["lln"]) == (2, "default", 165)
    assert messages(patient, "Observation/o1") == [
        "reference range limit outside the plausible values; default range used"]


@pytest.mark.parametrize(("low", "high"), [(400, 150), (150.1, 150)])
def test_a_range_whose_low_is_above_its_high_is_replaced_by_the_default(low: float, high: float) -> None:
    """Before: a swapped range was the laboratory's, and a normal count of 220 was 'grade 1' below an LLN
    of 400. The other side of the threshold (limits that meet) is the laboratory's, in the test below."""
    patient = evaluate([fx.patient(), fx.lab("o1", "platelets", 220, "10*9/L", low=low, high=high)])
    [entry] = toxicities(patient, "o1")
    assert (entry["grade"], entry["range_source"], entry["lln"]) == (0, "default", 165)
    assert messages(patient, "Observation/o1") == [
        f"reference range {low:g} to {high:g} 10*9/L has its low above its high; default range used"]


@pytest.mark.parametrize(("low", "high", "grade"), [(5, 5, 4), (5, 40, 2)])
def test_a_range_whose_limits_meet_or_are_ordered_is_the_laboratorys(low: float, high: float, grade: int) -> None:
    patient = evaluate([fx.patient(), fx.lab("o1", "bilirubin", 68, "umol/L", low=low, high=high)])
    [entry] = toxicities(patient, "o1")
    assert (entry["grade"], entry["range_source"]) == (grade, "observation")
    assert messages(patient, "Observation/o1") == []


def test_a_five_thousand_digit_value_is_an_issue_not_a_traceback(tmp_path: Path) -> None:
    bundle = fx.bundle([fx.patient(), fx.lab("o1", "platelets", 70, "10*3/uL"),
                        fx.lab("o2", "platelets", 60, "10*3/uL")])
    text = json.dumps(bundle).replace('"value": 70', '"value": ' + "9" * 5000, 1)
    path = tmp_path / "record.json"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", str(path)])
    assert result.exit_code == 0, result.output
    [patient] = json.loads(result.stdout)["patients"]
    assert "quantity value is a number longer than 32 characters, not read: cannot grade" in messages(patient)
    assert [t["grade"] for t in toxicities(patient, "o2")] == [2]


def test_a_huge_ratio_to_a_tiny_limit_still_reaches_the_engine_safely() -> None:
    """Haemoglobin 300 g/L over a ULN of 1e-14 g/L is 3e16 x ULN: a fact magnitude that json.dumps writes
    in exponent form, which made durable_rules crash the process (cds/engine/values.py maps it to 1e15). The
    plausible limits keep values, not ratios, in range; this path must stay safe."""
    script = (
        "import sys; sys.path.insert(0, %r)\n"
        "import factories as fx\n"
        "from cds.evaluation import evaluate_collected\n"
        "from cds.reading import from_objects\n"
        "resources = [fx.patient(), fx.lab('o1', 'hemoglobin', 300, 'g/L', low=1e-14, high=1e-14)]\n"
        "(patient,) = evaluate_collected(from_objects(resources)).patients\n"
        "print(sorted((t.term_id, t.grade) for t in patient.toxicities))\n"
    ).replace("%r", repr(str(Path(__file__).resolve().parents[2])))
    done = subprocess.run([sys.executable, "-X", "faulthandler", "-c", script], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-1500:]
    assert "('hemoglobin_increased', 3)" in done.stdout


# --- the dose rules ----------------------------------------------------------------------------------


def _next_cycle(**values: float) -> dict[str, Any]:
    """Cycles on 2024-01-08 and 2024-03-04; the panel of 2024-04-22 (``values`` change it); cycle 3
    decided on 2024-04-29."""
    return evaluate(hs.prrt_record("p1", panels=[("2024-04-22", values)]), as_of="2024-04-29")


def _alert(patient: dict[str, Any], cycle: int) -> dict[str, Any]:
    [alert] = [a for a in patient["alerts"] if a["cycle"] == cycle]
    return alert


def test_the_control_panel_proceeds() -> None:
    assert _alert(_next_cycle(), 3)["action"] == "proceed"


@pytest.mark.parametrize(("analyte", "value"), [("creatinine", 0.0), ("creatinine", -1.0), ("platelets", 1e308),
                                                ("hemoglobin", -5.0)])
def test_an_implausible_only_recent_result_asks_for_labs_and_says_why(analyte: str, value: float) -> None:
    alert = _alert(_next_cycle(**{analyte: value}), 3)
    assert alert["action"] == "labs-needed" and alert["recommended_activity_gbq"] is None
    [reason] = [r for r in alert["reasons"] if r["rule"] == f"lutathera.labs.{analyte}"]
    assert "cannot grade: implausible value" in reason["text"]
    assert reason["observations"] == [f"Observation/p1-{analyte}-2024-04-22"]


def test_creatinine_0_gives_no_clearance() -> None:
    alert = _alert(_next_cycle(creatinine=0.0), 3)
    rules = [r["rule"] for r in alert["reasons"]]
    assert "lutathera.labs.crcl" in rules
    assert not [r for r in alert["reasons"] if r.get("unit", "").startswith("mL/min")]


@pytest.mark.parametrize(("args", "problem"), [
    ((62, 70.0, 0.0, "female"), "creatinine"),
    ((62, 70.0, -88.42, "female"), "creatinine"),
    ((62, 70.0, 4.0, "female"), "creatinine"),
    ((62, 0.0, 88.42, "female"), "weight"),
    ((62, -70.0, 88.42, "male"), "weight"),
    ((62, 900.0, 88.42, "male"), "weight"),
    ((2023, 70.0, 88.42, "female"), "age"),  # birthDate 0001-01-01: (140 - 2023) x ... < 0
    ((-1, 70.0, 88.42, "female"), "age"),
    ((121, 70.0, 88.42, "female"), "age"),
])
def test_cockcroft_gault_refuses_implausible_inputs(args: tuple[int, float, float, str], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        cockcroft_gault(*args)


def test_cockcroft_gault_refuses_a_clearance_no_kidney_has() -> None:
    # 0.1 mg/dL: (140 - 61) x 70 / (72 x 0.1) x 0.85 = 652.8
    assert cockcroft_gault(61, 70.0, 8.842, "female") == pytest.approx(652.8, abs=0.1)
    with pytest.raises(ValueError, match="clearance"):
        cockcroft_gault(61, 70.0, 5.305, "female")  # 0.06 mg/dL: (140 - 61) x 70 / (72 x 0.06) x 0.85 = 1088


def test_cockcroft_gault_accepts_the_limits_themselves() -> None:
    assert cockcroft_gault(0, 0.2, 5.0, "male") > 0
    assert cockcroft_gault(120, 700.0, 10000.0, "female") > 0


# --- dates and ages ----------------------------------------------------------------------------------


def test_a_birth_date_of_0001_01_01_gives_no_age_and_no_negative_clearance() -> None:
    resources = hs.prrt_record("p1", panels=[("2024-04-22", {})])
    resources[0] = fx.patient("p1", gender="female", birth_date="0001-01-01")
    patient = evaluate(resources, as_of="2024-04-29")
    assert any(m.startswith("birthDate outside the plausible window 1900-01-01 to ") for m in messages(patient, P1))
    values = [r.get("value") for a in patient["alerts"] for r in a["reasons"] if r["rule"].endswith("crcl")]
    assert all(v is None or v > 0 for v in values), values
    alert = _alert(patient, 3)
    assert alert["action"] == "labs-needed"  # no clearance can be known: never "withhold" on -1679.6 mL/min
    assert "lutathera.labs.crcl" in [r["rule"] for r in alert["reasons"]]


@pytest.mark.parametrize(("born", "refused"), [
    ("1903-04-23", False),  # 120 on 2024-04-22, the last day of the record
    ("1903-04-22", True),  # 121 on 2024-04-22
    ("2024-01-02", False),  # 0 on 2024-01-02, the first day of the record
    ("2024-01-03", True),  # the record begins before the birth: age -1
])
def test_an_age_outside_0_to_120_makes_the_age_unknown(born: str, refused: bool) -> None:
    """The record runs from 2024-01-02 (weight, baseline panel) to 2024-04-22 (the last panel)."""
    resources = hs.prrt_record("p1", panels=[("2024-04-22", {})])
    resources[0] = fx.patient("p1", gender="female", birth_date=born)
    patient = evaluate(resources, as_of="2024-04-29")
    message = "birthDate gives an age outside 0-120 years on the dates of this record: age unknown"
    assert (message in messages(patient, P1)) == refused
    crcl = [r for r in _alert(patient, 3)["reasons"] if r["rule"] == "lutathera.labs.crcl"]
    assert bool(crcl) == refused  # no age: no Cockcroft-Gault clearance, so labs needed


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-20", "1899-12-31"])
def test_a_procedure_at_the_ends_of_the_calendar_is_an_issue(day: str) -> None:
    resources = hs.prrt_record("p1", ("2024-01-08", "2024-03-04"), [("2024-04-22", {})])
    resources.append(fx.procedure("odd", day, patient=P1))
    patient = evaluate(resources, as_of="2024-04-29")
    assert [c["date"] for c in patient["cycles"]] == ["2024-01-08", "2024-03-04"]
    [message] = messages(patient, "Procedure/odd")
    assert message.startswith("date outside the plausible window 1900-01-01 to ")
    assert _alert(patient, 3)["action"] == "proceed"


def test_the_window_includes_its_ends() -> None:
    latest = load_codes().dates.latest()
    resources = [fx.patient(), fx.lab("first", "platelets", 70, "10*9/L", when="1900-01-01"),
                 fx.lab("last", "platelets", 70, "10*9/L", when=latest.isoformat()),
                 fx.lab("after", "platelets", 70, "10*9/L", when=(latest + timedelta(days=1)).isoformat())]
    patient = evaluate(resources)
    assert [t["grade"] for t in toxicities(patient, "first")] == [2]
    assert [t["grade"] for t in toxicities(patient, "last")] == [2]
    assert toxicities(patient, "after") == []
    assert messages(patient, "Observation/after")[0].startswith("date outside the plausible window")


@pytest.mark.parametrize("kind", ["lab", "weight", "ecog", "lesion", "administration"])
def test_every_dated_fact_is_checked(kind: str) -> None:
    day = "9999-12-20T08:00:00Z"
    build = {
        "lab": lambda: fx.lab("x", "platelets", 70, "10*9/L", when=day),
        "weight": lambda: fx.body_weight("x", 70, "kg", when=day),
        "ecog": lambda: fx.ecog("x", 1, when=day),
        "lesion": lambda: fx.lesion("x", 20, "mm", focus="BodyStructure/l1", role="target", when=day),
        "administration": lambda: fx.medication_administration("x", "9999-12-20T09:30:00Z"),
    }[kind]
    resource = build()
    patient = evaluate([fx.patient(), fx.procedure("c1", "2024-01-08", patient=P1), resource])
    ref = f"{resource['resourceType']}/x"
    assert [m[:34] for m in messages(patient, ref)] == ["date outside the plausible window "]


def test_a_datetime_before_the_first_day_of_the_calendar_in_utc_is_an_issue() -> None:
    with pytest.raises(Unusable, match="plausible window"):
        parse_instant("0001-01-01T00:00:00+01:00")


def test_a_death_date_outside_the_window_leaves_the_patient_deceased_without_a_date() -> None:
    patient = evaluate([fx.patient(deceased_date="9999-12-20"), fx.lab("o1", "platelets", 70, "10*9/L")])
    issued = messages(patient, P1)
    assert any(m.startswith("deceasedDateTime outside the plausible window") for m in issued)
    assert "deceased without a date of death: excluded from survival time" in issued


# --- body measures -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("build", "message"), [
    (lambda: fx.body_weight("b", 0, "kg"), "weight is not positive"),
    (lambda: fx.body_weight("b", 1000, "kg"), "weight is implausible: 1000 kg (plausible 0.2 to 700 kg)"),
    (lambda: fx.body_weight("b", 70, "g"), "weight is implausible: 70 g (plausible 0.2 to 700 kg)"),
    (lambda: fx.body_height("b", -170, "cm"), "height is not positive"),
    (lambda: fx.body_height("b", 17, "m"), "height is implausible: 17 m (plausible 20 to 300 cm)"),
])
def test_an_implausible_body_measure_is_an_issue(build: Any, message: str) -> None:
    patient = evaluate([fx.patient(), build()])
    [issue] = patient["issues"]
    assert issue["message"] == message


# --- the service ---------------------------------------------------------------------------------------


def _hostile(kind: str) -> list[dict[str, Any]]:
    """The record of the reproducers: one cycle on 2024-03-04, a weight and a creatinine of 2024-04-22
    (0 mg/dL for ``creatinine-0``), and for a date a second Procedure on that day."""
    resources: list[dict[str, Any]] = [
        fx.patient("p1", gender="female", birth_date="0001-01-01" if kind == "birth-0001" else "1962-05-14"),
        fx.procedure("c1", "2024-03-04", patient=P1),
        fx.body_weight("wt", 68, "kg", patient=P1, when="2024-04-22T08:00:00Z"),
        fx.lab("cr", "creatinine", 0 if kind == "creatinine-0" else 0.9, "mg/dL", patient=P1,
               when="2024-04-22T08:00:00Z"),
    ]
    if kind[0].isdigit():
        resources.append(fx.procedure("c0", kind, patient=P1))
    return resources


@pytest.mark.parametrize("kind", ["creatinine-0", "0001-01-01", "9999-12-20", "birth-0001"])
@pytest.mark.parametrize("hook", ["patient-view", "order-sign"])
def test_the_service_answers_200_with_cards_for_impossible_values(tmp_path: Path, kind: str, hook: str) -> None:
    """The reproducers answered 500 on every call; now 200 with the "labs needed" card (the record
    has only a creatinine), valid per the CDS Hooks response schema."""
    prefetch = hs.prefetch_for(_hostile(kind))
    with hs.in_process(tmp_path, as_of="2024-04-29") as running:
        if hook == "patient-view":
            body = hs.hook_request(hook, "p1", prefetch=prefetch)
            response = running.post("/cds-services/prrt-toxicity", json=body)
        else:
            body = hs.hook_request(hook, "p1", prefetch=prefetch, orders=[hs.medication_request("mr-1", "p1")])
            response = running.post("/cds-services/prrt-dose-check", json=body)
    assert response.status_code == 200, response.text
    document = response.json()
    assert hs.schema_errors("service-response", document) == []
    assert [card["indicator"] for card in document["cards"]][:1] == ["warning"], document["cards"]
