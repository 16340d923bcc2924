"""What was given against what was recommended, the labs a recommendation used, and how its evidence
reads: through the real path (FHIR JSON text -> grades -> dose rules -> JSON document, text, cards)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import factories as fx
import pytest

from cds.document import to_document, to_text
from cds.dose.table import load_table
from cds.errors import ConfigurationError
from cds.evaluation import evaluate_paths
from cds.hooks.cards.dose_card import dose_cards
from cds.hooks.cards.orders import LutatheraOrder
from cds.hooks.cards.toxicity_card import toxicity_card

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "prrt_patient.json"
DOSE_TABLE = REPO / "rules" / "lutathera_dose.toml"
ORDER = LutatheraOrder(resource={"resourceType": "MedicationRequest", "id": "o1"}, kind="MedicationRequest",
                       id="o1", activity_gbq=7.4)


def _panel(day: str, platelets: Any = 250) -> list[dict[str, Any]]:
    when = f"{day}T08:00:00Z"
    return [
        fx.lab(f"hb-{day}", "hemoglobin", 13.0, "g/dL", low=12.0, high=16.0, when=when),
        fx.lab(f"wbc-{day}", "wbc", 6.0, "10*3/uL", low=4.0, high=10.0, when=when),
        fx.lab(f"plt-{day}", "platelets", platelets, "10*3/uL", low=150, high=400, when=when),
        fx.lab(f"cr-{day}", "creatinine", 0.8, "mg/dL", low=0.5, high=1.1, when=when),
        fx.lab(f"alt-{day}", "alt", 20, "U/L", low=7, high=41, when=when),
        fx.lab(f"ast-{day}", "ast", 20, "U/L", low=12, high=38, when=when),
        fx.lab(f"alb-{day}", "albumin", 4.2, "g/dL", low=3.5, high=5.0, when=when),
        fx.lab(f"bili-{day}", "bilirubin", 0.6, "mg/dL", low=0.3, high=1.2, when=when),
    ]


def _file(tmp_path: Path, resources: list[dict[str, Any]], replace: dict[str, str] | None = None) -> Path:
    """A Bundle written as JSON text; ``replace`` puts literals in it that Python would not write (7.40)."""
    text = json.dumps(fx.bundle(resources))
    for old, new in (replace or {}).items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "bundle.json"
    path.write_text(text)
    return path


def _record(activities: list[float], extra: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    days = ["2024-01-08", "2024-03-04", "2024-04-29", "2024-06-24"]
    resources = [fx.patient(gender="female", birth_date="1962-05-14"), fx.body_weight("w1", 70.0, when="2024-01-02")]
    for number, (day, gbq) in enumerate(zip(days, activities, strict=False), start=1):
        resources.append(fx.procedure(f"c{number}", day, activity=gbq))
    for day in ("2024-01-02", "2024-02-26"):
        resources += _panel(day)
    return resources + (extra or [])


def test_the_example_patient_says_cycle_3_was_given_at_full_activity_and_cycle_4_claims_no_reduction() -> None:
    """examples/prrt_patient.json: cycle 3 given at 7.4 GBq where 3.7 GBq was recommended (before: nothing
    said so, and cycle 4 read "The reduced dose caused no recurrence: return to 7.4 GBq")."""
    evaluation = evaluate_paths([EXAMPLE])
    alerts = {a["cycle"]: a for a in to_document(evaluation)["patients"][0]["alerts"]}
    assert alerts[3]["deviation"] == {
        "kind": "activity", "text": "7.4 GBq given where 3.7 GBq was recommended",
        "rule": "lutathera.deviation.activity", "source": alerts[3]["deviation"]["source"],
    }
    assert [alerts[n]["deviation"] for n in (1, 2, 4)] == [None, None, None]
    assert [r["rule"] for r in alerts[4]["reasons"]] == ["lutathera.proceed"]
    assert not any("reduced" in r["text"] for r in alerts[4]["reasons"])
    text = to_text(evaluation)
    assert "! deviation (activity): 7.4 GBq given where 3.7 GBq was recommended" in text
    assert "cycle 3 (given 2024-04-29, 7.4 GBq given): reduce at 3.7 GBq" in text
    assert "labs of 2024-04-22, 7 days old on 2024-04-29" in text


def test_an_activity_of_1e30_gbq_is_an_implausible_deviation(tmp_path: Path) -> None:
    resources = _record([7.4, 7.4], _panel("2024-04-22"))
    path = _file(tmp_path, resources, {'"value": 7.4, "unit": "GBq"': '"value": 1e+30, "unit": "GBq"'})
    alerts = to_document(evaluate_paths([path]))["patients"][0]["alerts"]
    deviation = alerts[0]["deviation"]
    assert deviation["kind"] == "implausible-activity"
    assert "not a plausible activity" in deviation["text"]
    assert alerts[0]["deviations"][0] == deviation  # not also an "activity" deviation: the value is no dose


def test_the_next_cycle_has_no_deviation_but_states_its_labs(tmp_path: Path) -> None:
    alerts = to_document(evaluate_paths([_file(tmp_path, _record([7.4, 7.4], _panel("2024-04-15")))],
                                        date(2024, 4, 29)))["patients"][0]["alerts"]
    following = alerts[-1]
    assert following["given"] is False and "deviation" not in following
    assert following["labs"]["oldest"] == "2024-04-15" and following["labs"]["age_days"] == 14
    assert following["labs"]["stale"] is False and len(following["labs"]["observations"]) == 8


def test_values_keep_the_digits_they_were_reported_with(tmp_path: Path) -> None:
    """A platelet count reported as 60.50 is shown as 60.50 (a float would print 60.5), in x10^3/uL."""
    resources = _record([7.4, 7.4], _panel("2024-04-22", platelets=60.5))
    path = _file(tmp_path, resources, {'"value": 60.5': '"value": 60.50'})
    evaluation = evaluate_paths([path], date(2024, 4, 29))
    result = evaluation.patients[0]
    withhold = result.alerts[-1]
    trigger = next(r for r in withhold.reasons if r.rule == "lutathera.thrombocytopenia.trigger")
    assert (trigger.value, trigger.value_text, trigger.unit) == (60.5, "60.50", "10*3/uL")
    [card] = dose_cards(result, [ORDER], evaluation.ruleset_version, date(2024, 4, 29), [], 4)
    assert "| 60.50 x10^3/uL | 2024-04-22 | 2 |" in card.card.detail
    assert "10\\*3" not in card.card.detail  # never the UCUM spelling
    patient_view = toxicity_card(result, evaluation.ruleset_version, date(2024, 4, 29), [], 4)
    assert patient_view is not None and "| Platelet count decreased | 2 | 60.50 x10^3/uL |" in patient_view.card.detail


def test_a_resolved_reason_cites_the_recovered_result_its_date_and_observation(tmp_path: Path) -> None:
    extra = [fx.lab("plt-low", "platelets", 70, "10*3/uL", low=150, high=400, when="2024-04-01T08:00:00Z"),
             *_panel("2024-04-22", platelets=120)]
    result = evaluate_paths([_file(tmp_path, _record([7.4, 7.4], extra))], date(2024, 4, 29)).patients[0]
    reduce = result.alerts[-1]
    resolved = reduce.reasons[0]
    assert resolved.rule == "lutathera.thrombocytopenia.reduce"
    assert (resolved.value, resolved.unit, resolved.observations) == (120, "10*3/uL", ("Observation/plt-2024-04-22",))
    assert resolved.detail == "latest result: Platelets 120 x10^3/uL on 2024-04-22"


def test_renal_reasons_show_the_clearance_in_ml_min_with_its_formula(tmp_path: Path) -> None:
    """Clearance 40% or more below baseline: the ratio, and beside it the clearances and Cockcroft-Gault:
    (140 - 61) x 70 / (72 x 0.8) x 0.85 = 81.6 mL/min at baseline, / (72 x 1.4) x 0.85 = 46.6 mL/min now."""
    extra = [r for r in _panel("2024-04-22") if not r["id"].startswith("cr-")]
    extra.append(fx.lab("cr-high", "creatinine", 1.4, "mg/dL", low=0.5, high=1.1, when="2024-04-22T08:00:00Z"))
    result = evaluate_paths([_file(tmp_path, _record([7.4, 7.4], extra))], date(2024, 4, 29)).patients[0]
    reasons = {r.rule: r for r in result.alerts[-1].reasons}
    fall = reasons["lutathera.renal.crcl_fall"]
    assert fall.unit == "x baseline clearance" and fall.value == round(0.8 / 1.4, 3)
    assert fall.detail is not None and fall.detail.startswith(
        "creatinine clearance 46.6 mL/min on 2024-04-22 vs 81.6 mL/min at baseline (2024-01-02); "
        "Cockcroft-Gault, actual body weight: (140 - 61 years) x 70 kg / (72 x 1.40 mg/dL creatinine) x 0.85")


def test_every_source_key_is_written_out_and_an_unknown_one_stops_the_table(tmp_path: Path) -> None:
    table = load_table(DOSE_TABLE)
    shown = [t.source for t in table.triggers] + [a.source for a in table.actions] + [table.exempt_source]
    assert all("S6" not in text and "S10" not in text and "US PI" not in text for text in shown), shown
    broken = tmp_path / "lutathera_dose.toml"
    broken.write_text(DOSE_TABLE.read_text().replace('source = "US PI 4/2024 section 2.3 (via S6)"',
                                                     'source = "US PI 4/2024 section 2.3 (via S99)"', 1))
    with pytest.raises(ConfigurationError, match="S99"):
        load_table(broken)


def test_a_dose_table_without_a_deviation_kind_or_with_an_implausible_maximum_is_refused(tmp_path: Path) -> None:
    text = DOSE_TABLE.read_text()
    cases = [text.replace('kind = "early"', 'kind = "late"'),
             text.replace("max_plausible_activity_factor = 1.5", "max_plausible_activity_factor = 0.9")]
    for number, case in enumerate(cases):
        path = tmp_path / f"t{number}.toml"
        path.write_text(case)
        with pytest.raises(ConfigurationError):
            load_table(path)


def test_a_course_complete_card_on_old_labs_says_so_in_its_summary() -> None:
    evaluation = evaluate_paths([EXAMPLE], date(2026, 12, 1))
    card = toxicity_card(evaluation.patients[0], evaluation.ruleset_version, date(2026, 12, 1), [], 4)
    assert card is not None
    assert card.card.summary.endswith("; labs 2.4 years old (2024-07-22)")
    assert "Best overall response: PR (confirmed)." in card.card.detail


@pytest.mark.parametrize("value", ["0", "6", "3.0", "true", '"3"'])
def test_an_after_course_warning_grade_that_is_no_ctcae_grade_is_refused(tmp_path: Path, value: str) -> None:
    path = tmp_path / "lutathera_dose.toml"
    setting = "after_course_warning_grade = "
    path.write_text(DOSE_TABLE.read_text().replace(f"{setting}3", f"{setting}{value}"))
    with pytest.raises(ConfigurationError, match="after_course_warning_grade must be a CTCAE grade"):
        load_table(path)
