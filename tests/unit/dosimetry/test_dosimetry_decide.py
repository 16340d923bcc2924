"""From a patient's dosimetry to ``kidney_dosimetry`` (cds/dosimetry/prepare.py, decide.py): which cycle a
dose belongs to, which dose of a cycle counts, what cannot be evaluated, whose kinetics project the next
cycle and which activity is planned."""

from __future__ import annotations

from typing import Any

import factories as fx

from cds.document import to_document, to_text
from cds.evaluation import evaluate_collected
from cds.reading import from_objects


def _evaluate(*resources: Any) -> tuple[dict[str, Any], list[str], str]:
    evaluation = evaluate_collected(from_objects([fx.patient(), *resources]))
    patient = to_document(evaluation)["patients"][0]
    return patient["kidney_dosimetry"], [i["message"] for i in patient["issues"]], to_text(evaluation)


def _cycles(*days: str) -> list[dict[str, Any]]:
    return [fx.procedure(f"c{n}", day) for n, day in enumerate(days, start=1)]


def test_no_dosimetry_no_kidney_dosimetry() -> None:
    doc, _, text = _evaluate(*_cycles("2024-01-08"))
    assert doc is None and "kidney dosimetry" not in text


def test_a_dose_without_partof_belongs_to_the_latest_cycle_on_or_before_it() -> None:
    doc, _, _ = _evaluate(*_cycles("2024-01-08", "2024-03-04"),
                          fx.dosimetry("d1", 4, half_life=50, when="2024-01-12T08:00:00Z"),
                          fx.dosimetry("d2", 5, half_life=50, when="2024-03-04T15:00:00Z"))
    assert [(c["cycle"], c["observation"]) for c in doc["cycles"]] == [(1, "Observation/d1"), (2, "Observation/d2")]
    assert doc["cumulative_absorbed_gy"] == 9.0


def test_partof_wins_over_the_date() -> None:
    doc, _, _ = _evaluate(*_cycles("2024-01-08", "2024-03-04"),
                          fx.dosimetry("d1", 4, half_life=50, when="2024-03-10T08:00:00Z", part_of="Procedure/c1"),
                          fx.dosimetry("d2", 5, half_life=50, when="2024-03-10T08:00:00Z", part_of="Procedure/c2"))
    assert [c["observation"] for c in doc["cycles"]] == ["Observation/d1", "Observation/d2"]


def test_a_dose_before_the_first_cycle_is_not_used() -> None:
    doc, issues, _ = _evaluate(*_cycles("2024-01-08"), fx.dosimetry("d0", 4, when="2024-01-01T08:00:00Z"),
                               fx.dosimetry("d1", 4, half_life=50, when="2024-01-12T08:00:00Z"))
    assert doc["cycles"][0]["observations"] == ["Observation/d1"]
    assert "dosimetry dated before the first PRRT administration: in no cycle, not used" in issues


def test_partof_naming_no_cycle_places_the_dose_by_date_with_a_warning() -> None:
    doc, issues, _ = _evaluate(*_cycles("2024-01-08"),
                               fx.dosimetry("d1", 4, when="2024-01-12T08:00:00Z", part_of="Procedure/elsewhere"))
    assert doc["cycles"][0]["observation"] == "Observation/d1"
    assert any("names Procedure/elsewhere, not a PRRT cycle" in m for m in issues)


def test_the_mean_of_both_kidneys_wins_else_the_higher_side() -> None:
    left, right = fx.concept(fx.SNOMED, "18639004"), fx.concept(fx.SNOMED, "9846003")
    doc, issues, _ = _evaluate(
        *_cycles("2024-01-08", "2024-03-04"),
        fx.dosimetry("l1", 5, half_life=50, body_site=left, part_of="Procedure/c1"),
        fx.dosimetry("m1", 4, half_life=50, part_of="Procedure/c1"),
        fx.dosimetry("l2", 3, half_life=50, body_site=left, part_of="Procedure/c2"),
        fx.dosimetry("r2", 3.5, half_life=50, body_site=right, part_of="Procedure/c2"),
    )
    assert [(c["absorbed_gy"], c["side"]) for c in doc["cycles"]] == [(4.0, "mean"), (3.5, "right")]
    assert "cycle 2: 2 kidney doses (side); the highest is used" in issues


def test_a_cycle_given_without_a_dose_makes_the_cumulative_dose_cannot_evaluate() -> None:
    doc, _, text = _evaluate(*_cycles("2024-01-08", "2024-03-04"),
                             fx.dosimetry("d1", 4, half_life=50, when="2024-01-12T08:00:00Z"))
    assert doc["cumulative_absorbed_gy"] is None and doc["cumulative_bed_gy"] is None
    assert doc["cycles"][1]["reason"] == "no usable absorbed dose (no dosimetry)"
    assert doc["cumulative_reasons"][0].startswith("cycle 2: no usable kidney absorbed dose")
    assert doc["next"]["max_activity_gbq"] is None and "cannot be projected" in doc["next"]["reason"]
    assert "largest next activity: cannot evaluate" in text


def test_gy_per_gbq_from_the_observation_else_from_the_recorded_activity() -> None:
    doc, _, _ = _evaluate(fx.procedure("c1", "2024-01-08", activity=7.4),
                          fx.procedure("c2", "2024-03-04", activity=None),
                          fx.dosimetry("d1", 4, half_life=50, part_of="Procedure/c1"),
                          fx.dosimetry("d2", 4, half_life=50, per_activity=0.6, part_of="Procedure/c2"))
    assert [(c["gy_per_gbq"], c["gy_per_gbq_from"]) for c in doc["cycles"]] == [(0.5405, "activity"),
                                                                             (0.6, "observation")]


def test_a_stated_gy_per_gbq_far_below_the_cycles_own_arithmetic_is_not_used() -> None:
    """6 Gy after 7.4 GBq is 0.81 Gy/GBq; written as 0.81 mGy/GBq it projected 6,172.8 GBq within the
    limits. The larger figure projects, with a warning."""
    doc, messages, _ = _evaluate(fx.procedure("c1", "2024-01-08", activity=7.4),
                                 fx.dosimetry("d1", 6, half_life=50, per_activity=0.81, per_activity_unit="mGy/GBq",
                                              part_of="Procedure/c1"))
    assert [(c["gy_per_gbq"], c["gy_per_gbq_from"]) for c in doc["cycles"]] == [(0.8108, "activity")]
    assert "cycle 1: stated 0.00081 Gy/GBq is below the 0.8108 Gy/GBq of its dose and activity; the larger is used" \
        in messages


def test_a_stated_gy_per_gbq_within_a_tenth_of_the_arithmetic_or_above_it_is_used() -> None:
    for stated in (0.74, 0.9):  # 6 Gy / 7.4 GBq = 0.8108: 0.74 is 8.7% below it, 0.9 above
        doc, messages, _ = _evaluate(fx.procedure("c1", "2024-01-08", activity=7.4),
                                     fx.dosimetry("d1", 6, half_life=50, per_activity=stated, part_of="Procedure/c1"))
        assert [(c["gy_per_gbq"], c["gy_per_gbq_from"]) for c in doc["cycles"]] == [(stated, "observation")]
        assert not any("Gy/GBq is below" in m for m in messages)


def test_the_projection_uses_the_highest_gy_per_gbq_the_patient_has_shown() -> None:
    """Kinetics that worsen (0.5 then 0.8 Gy/GBq) were projected from cycle 1: 13.7 Gy where cycle 2's
    kinetics give 15.92 Gy."""
    doc, _, _ = _evaluate(*_cycles("2024-01-08", "2024-03-04"),
                          fx.dosimetry("d1", 4, half_life=50, per_activity=0.5, part_of="Procedure/c1"),
                          fx.dosimetry("d2", 6, half_life=40, per_activity=0.8, part_of="Procedure/c2"))
    assert doc["next"]["kinetics"] == {"cycle": 2, "gy_per_gbq": 0.8, "t_eff_h": 40.0}
    assert doc["next"]["projected_absorbed_gy"] == round(10 + 7.4 * 0.8, 2)


def test_a_site_may_project_from_cycle_1_kinetics() -> None:
    from cds.dosimetry.conclusions import CycleDose
    from cds.dosimetry.prepare import kinetics

    doses = [CycleDose(cycle=1, absorbed_gy=4, gy_per_gbq=0.5, t_eff_h=50.0),
             CycleDose(cycle=2, absorbed_gy=6, gy_per_gbq=0.8, t_eff_h=40.0)]
    chosen_1, chosen_0 = kinetics(doses, 1), kinetics(doses, 0)
    assert chosen_1 is not None and chosen_0 is not None and (chosen_1.cycle, chosen_0.cycle) == (1, 2)


def test_without_cycle_1_kinetics_the_earliest_cycle_with_them_projects() -> None:
    doc, _, _ = _evaluate(fx.procedure("c1", "2024-01-08", activity=None), fx.procedure("c2", "2024-03-04"),
                          fx.dosimetry("d1", 4, half_life=50, part_of="Procedure/c1"),
                          fx.dosimetry("d2", 4.4, half_life=40, part_of="Procedure/c2"))
    assert doc["next"]["kinetics"]["cycle"] == 2 and doc["cycles"][0]["gy_per_gbq"] is None


def test_the_planned_activity_is_the_dose_advice_recommendation_when_it_gives_one() -> None:
    """Cycle 2 due with normal labs: the dose advice says proceed at 7.4 GBq."""
    labs = [fx.lab(f"l{i}", analyte, value, unit, low=low, high=high, when="2024-02-26T08:00:00Z")
            for i, (analyte, value, unit, low, high) in enumerate([
                ("hemoglobin", 13.0, "g/dL", 12, 16), ("wbc", 6.0, "10*9/L", 4, 10),
                ("platelets", 250, "10*9/L", 150, 400), ("creatinine", 0.8, "mg/dL", 0.5, 1.1),
                ("alt", 20, "U/L", 7, 40), ("ast", 20, "U/L", 10, 35), ("albumin", 42, "g/L", 35, 50),
                ("bilirubin", 0.6, "mg/dL", 0.3, 1.2)])]
    weight = fx.body_weight("w1", 70, when="2024-02-26T08:00:00Z")
    doc, _, _ = _evaluate(*_cycles("2024-01-08"), *labs, weight, fx.dosimetry("d1", 4, half_life=50))
    assert doc["next"]["cycle"] == 2
    assert doc["next"]["planned_from"] == "dose-recommendation" and doc["next"]["planned_activity_gbq"] == 7.4


def test_the_text_output_shows_the_doses_and_the_limits() -> None:
    _, _, text = _evaluate(*_cycles("2024-01-08"), fx.condition("c9", fx.DIABETES),
                           fx.dosimetry("d1", 4, half_life=50, part_of="Procedure/c1"),
                           fx.dosimetry("m1", 0.25, organ="bone-marrow-absorbed-dose", part_of="Procedure/c1"))
    assert "  kidney dosimetry (alpha/beta 2.6 Gy, T_rep 2.8 h):" in text
    assert "    cycle 1: 4 Gy absorbed, BED 4.33 Gy (0.541 Gy/GBq, T_eff 50 h) [Observation/d1]" in text
    assert "limits BED 28 Gy, absorbed 23 Gy (diabetes (Condition/c9))" in text
    assert "    next cycle 2 at 7.4 GBq: 8 Gy absorbed, BED 8.65 Gy" in text
    assert "bone marrow absorbed dose: 0.25 Gy (2 Gy often quoted, unverified: information only)" in text


def test_a_cycle_1_without_half_life_gives_way_to_the_earliest_cycle_with_both() -> None:
    doc, _, _ = _evaluate(*_cycles("2024-01-08", "2024-03-04"),
                          fx.dosimetry("d1", 4, part_of="Procedure/c1"),
                          fx.dosimetry("d2", 4.4, half_life=40, part_of="Procedure/c2"))
    assert doc["next"]["kinetics"]["cycle"] == 2 and doc["next"]["kinetics"]["t_eff_h"] == 40.0
    assert doc["next"]["projected_cumulative_bed_gy"] is None  # cycle 1's BED is unknown, so is the sum
