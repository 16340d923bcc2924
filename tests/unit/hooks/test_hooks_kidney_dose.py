"""The kidney dosimetry on the cards: the patient-view card shows it and warns when a kidney limit holds
the next activity down; an order above the largest activity within the kidney limits gets a warning card
that offers that activity. Every response validates against the CDS Hooks 2.0 schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import factories as fx
import hooks_support as hs

from cds.dosimetry import decide
from cds.dosimetry.table import load_table
from cds.engine.reference import ReferenceEngine
from cds.hooks.cards.kidney_dose import kidney_dose_section
from cds.mapping import map_collected
from cds.reading import from_objects
from cds.rulebook.files import rules_dir
from cds.timeline import build_timeline

TOXICITY = "/cds-services/prrt-toxicity"
DOSE = "/cds-services/prrt-dose-check"


def record(pid: str, gy: float = 9) -> tuple[list[dict[str, Any]], str]:
    """Cycle 3 due with normal labs (proceed at 7.4 GBq); two cycles of 9 Gy at T_eff 20 h with
    hypertension: BED 25.65 Gy of 28, the largest next activity 1.7 GBq, set by the BED (worked in
    tests/unit/dosimetry/test_dosimetry_bed.py)."""
    resources, as_of = hs.scenario("proceed", pid)
    subject = f"Patient/{pid}"
    resources += [
        fx.condition(f"{pid}-htn", fx.HYPERTENSION, patient=subject),
        fx.dosimetry(f"{pid}-d1", gy, half_life=20, part_of=f"Procedure/{pid}-cycle-1", patient=subject,
                     when="2024-01-12T08:00:00Z"),
        fx.dosimetry(f"{pid}-d2", gy, half_life=20, part_of=f"Procedure/{pid}-cycle-2", patient=subject,
                     when="2024-03-08T08:00:00Z"),
    ]
    return resources, as_of


def call(tmp_path: Path, path: str, body: dict[str, Any], as_of: str) -> tuple[list[dict[str, Any]], list[Any]]:
    with hs.in_process(tmp_path, as_of=as_of) as running:
        response = running.post(path, json=body)
        audit = running.components.store.cards(body["hookInstance"])
    assert response.status_code == 200, response.text
    assert hs.schema_errors("service-response", response.json()) == []
    return response.json()["cards"], audit


def test_discovery_asks_for_dosimetry_and_kidney_risk_factors(tmp_path: Path) -> None:
    with hs.in_process(tmp_path) as running:
        discovery = running.get("/cds-services").json()
    assert hs.schema_errors("discovery-response", discovery) == []
    for service in discovery["services"]:
        prefetch = service["prefetch"]
        assert prefetch["dosimetry"] == ("Observation?patient={{context.patientId}}&code="
                                         "urn:prrt-cds:dosimetry|kidney-absorbed-dose,"
                                         "urn:prrt-cds:dosimetry|bone-marrow-absorbed-dose")
        assert prefetch["kidneyRiskFactors"] == ("Condition?patient={{context.patientId}}&code="
                                                 "http://snomed.info/sct|38341003,http://snomed.info/sct|73211009")


def test_the_patient_view_card_shows_the_kidney_dose_and_warns(tmp_path: Path) -> None:
    resources, as_of = record("p7")
    body = hs.hook_request("patient-view", "p7", prefetch=hs.prefetch_for(resources))
    [card], _ = call(tmp_path, TOXICITY, body, as_of)
    assert card["indicator"] == "warning"  # proceed alone is info; the kidney limit asks for attention
    assert card["summary"].startswith(  # the lower figure leads: never read as "give 7.4 GBq"
        "Lutathera cycle 3: at most 1.7 GBq within the kidney dose limits (laboratory rules: proceed at 7.4 GBq)")
    assert "proceed at 7.4 GBq;" not in card["summary"]
    assert "- kidney BED: `██████████████████░░` 25.65 of 28 Gy (92%)" in card["detail"]
    assert "- kidney absorbed dose: `███████████████░░░░░` 18 of 23 Gy (78%)" in card["detail"]
    assert "BED: room 28 - 25.65 = 2.35 Gy" in card["detail"]
    assert "gives D <= 2.13 Gy, A <= 1.75 GBq" in card["detail"]
    assert "- the smallest, 1.75 GBq, rounded down to a step of 0.1 GBq (never above the planned 7.4 GBq): 1.7 GBq" in (
        card["detail"])
    assert "**Kidney dosimetry**: cumulative absorbed dose 18 Gy, BED 25.65 Gy" in card["detail"]
    assert "**Largest next activity within the limits: 1.7 GBq** (set by the kidney BED limit" in card["detail"]
    assert "dosimetry.kidney.bed\\_risk\\_factors" in card["detail"]  # the rule, escaped for Markdown


def test_without_dosimetry_the_patient_view_card_is_unchanged(tmp_path: Path) -> None:
    resources, as_of = hs.scenario("proceed", "p8")
    body = hs.hook_request("patient-view", "p8", prefetch=hs.prefetch_for(resources))
    [card], _ = call(tmp_path, TOXICITY, body, as_of)
    assert card["indicator"] == "info" and "Kidney dosimetry" not in card["detail"]


def test_an_order_above_the_kidney_limit_gets_a_warning_offering_the_largest_activity(tmp_path: Path) -> None:
    resources, as_of = record("p9")
    body = hs.hook_request("order-sign", "p9", prefetch=hs.prefetch_for(resources),
                           orders=[hs.medication_request("mr-1", "p9", 7.4)])
    [card], audit = call(tmp_path, DOSE, body, as_of)
    assert card["indicator"] == "warning"
    assert card["summary"] == "Lutathera cycle 3: at most 1.7 GBq within the kidney dose limits (7.4 GBq ordered)"
    change, remove = card["suggestions"]
    assert change["label"] == "Change the order to 1.7 GBq" and change["actions"][0]["type"] == "update"
    dose = change["actions"][0]["resource"]["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]
    assert dose["value"] == 1.7 and dose["code"] == "GBq"
    assert remove["actions"][0]["type"] == "delete" and remove["isRecommended"] is False
    assert [row["action"] for row in audit] == ["kidney-dose"]  # the kidney-dose check adds no second card
    checks = {c["check"]: c for c in card["extension"]["org.prrt-cds.protocol-checks"]["protocol_checks"]}
    assert (checks["kidney-dose"]["status"], checks["kidney-dose"]["rule"]) == (
        "warning", "protocol.kidney_dose.planned_over")
    assert "at most 1.7 GBq keeps every limit" in checks["kidney-dose"]["text"]


def test_an_order_within_the_kidney_limit_gets_no_card(tmp_path: Path) -> None:
    resources, as_of = record("p10")
    body = hs.hook_request("order-sign", "p10", prefetch=hs.prefetch_for(resources),
                           orders=[hs.medication_request("mr-2", "p10", 1.7)])
    cards, _ = call(tmp_path, DOSE, body, as_of)
    assert cards == []


def test_the_arithmetic_shows_every_limit_in_force_the_bone_marrow_one_included(tmp_path: Path) -> None:
    """A site bone marrow limit of 1.5 Gy sets the next activity (0.7 Gy left at 0.10811 Gy/GBq: 6.47 GBq,
    6.4 GBq; worked in tests/unit/dosimetry/test_dosimetry_table.py). The card's arithmetic is the
    decision's: it shows the bone marrow's room, and its smallest activity is the one that was rounded to
    6.4 GBq. It used to list the kidney limits only and read "the smallest, 35.15 GBq, rounded down ...:
    6.4 GBq", which contradicts itself."""
    text = (rules_dir() / "kidney_dosimetry.toml").read_text()
    assert "# bone_marrow_absorbed_gy = 2.0" in text
    path = tmp_path / "kidney_dosimetry.toml"
    path.write_text(text.replace("# bone_marrow_absorbed_gy = 2.0", "bone_marrow_absorbed_gy = 1.5", 1))
    site = load_table(path)
    resources = [fx.patient(), fx.procedure("c1", "2024-01-08"),
                 fx.dosimetry("d1", 4, half_life=50, part_of="Procedure/c1"),
                 fx.dosimetry("m1", 0.8, organ="bone-marrow-absorbed-dose", part_of="Procedure/c1")]
    timeline = build_timeline(map_collected(from_objects(resources)).records["Patient/p1"])
    result = decide.assess(timeline, (), 7.4, site, ReferenceEngine(decide.compile_rulesets(site)))
    section = kidney_dose_section(result)
    assert section is not None
    assert "- BED: room 40 - 4.33 = 35.67 Gy; D + 0.0204 x D^2 <= 35.67 gives D <= 23.96 Gy, A <= 44.33 GBq" in section
    assert "- absorbed dose: room 23 - 4 = 19 Gy, A <= 35.15 GBq" in section
    assert "- bone marrow absorbed dose: room 1.5 - 0.8 = 0.7 Gy at 0.108108 Gy/GBq, A <= 6.47 GBq" in section
    assert ("- the smallest, 6.47 GBq, rounded down to a step of 0.1 GBq (never above the planned 7.4 GBq): 6.4 GBq"
            in section)
    assert "the smallest, 35.15 GBq" not in section


def test_a_kidney_limit_already_exceeded_recommends_removing_the_order(tmp_path: Path) -> None:
    """Two cycles of 14 Gy with hypertension: BED above its 28 Gy limit, no activity keeps it. The card
    was a warning whose only suggestion, removal, was not recommended."""
    resources, as_of = record("p11", gy=14)
    body = hs.hook_request("order-sign", "p11", prefetch=hs.prefetch_for(resources),
                           orders=[hs.medication_request("mr-3", "p11", 7.4)])
    [card], _ = call(tmp_path, DOSE, body, as_of)
    assert card["indicator"] == "critical"
    assert card["summary"] == "Lutathera cycle 3: at most 0 GBq within the kidney dose limits (7.4 GBq ordered)"
    [remove] = card["suggestions"]
    assert (remove["actions"][0]["type"], remove["isRecommended"]) == ("delete", True)


def test_the_patient_view_card_of_a_kidney_limit_already_exceeded_is_critical(tmp_path: Path) -> None:
    """Two cycles of 14 Gy with hypertension: no activity keeps the BED limit. The order card is critical
    and recommends removing the order; the patient-view card of the same record was a warning."""
    resources, as_of = record("p14", gy=14)
    body = hs.hook_request("patient-view", "p14", prefetch=hs.prefetch_for(resources))
    [card], audit = call(tmp_path, TOXICITY, body, as_of)
    assert card["indicator"] == "critical"
    assert card["summary"].startswith(
        "Lutathera cycle 3: at most 0 GBq within the kidney dose limits (laboratory rules: proceed at 7.4 GBq)")
    assert card["overrideReasons"]
    assert [row["indicator"] for row in audit] == ["critical"]


def test_the_patient_view_card_of_a_kidney_limit_that_leaves_some_activity_stays_a_warning(tmp_path: Path) -> None:
    resources, as_of = record("p15", gy=9)
    body = hs.hook_request("patient-view", "p15", prefetch=hs.prefetch_for(resources))
    [card], _ = call(tmp_path, TOXICITY, body, as_of)
    assert card["indicator"] == "warning"


def record_without_cycle_2_dosimetry(pid: str) -> tuple[list[dict[str, Any]], str]:
    """Cycle 3 due with normal labs (proceed at 7.4 GBq); dosimetry after cycle 1 only: the cumulative
    kidney dose, and so the limits for cycle 3, cannot be evaluated."""
    resources, as_of = hs.scenario("proceed", pid)
    resources.append(fx.dosimetry(f"{pid}-d1", 4, half_life=50, part_of=f"Procedure/{pid}-cycle-1",
                                  patient=f"Patient/{pid}", when="2024-01-12T08:00:00Z"))
    return resources, as_of


def test_an_order_whose_kidney_dose_cannot_be_evaluated_gets_a_warning_not_an_empty_answer(tmp_path: Path) -> None:
    resources, as_of = record_without_cycle_2_dosimetry("p12")
    body = hs.hook_request("order-sign", "p12", prefetch=hs.prefetch_for(resources),
                           orders=[hs.medication_request("mr-4", "p12", 7.4)])
    [card], audit = call(tmp_path, DOSE, body, as_of)
    assert card["indicator"] == "warning"
    assert card["summary"] == "Lutathera cycle 3: cumulative kidney dose cannot be evaluated (7.4 GBq ordered)"
    assert "**The kidney dose limits cannot be checked for cycle 3**" in card["detail"]
    [remove] = card["suggestions"]
    assert remove["actions"][0]["type"] == "delete" and remove["isRecommended"] is False
    assert [row["action"] for row in audit] == ["kidney-dose-unknown"]


def test_the_patient_view_card_says_the_kidney_dose_cannot_be_evaluated(tmp_path: Path) -> None:
    resources, as_of = record_without_cycle_2_dosimetry("p13")
    body = hs.hook_request("patient-view", "p13", prefetch=hs.prefetch_for(resources))
    [card], _ = call(tmp_path, TOXICITY, body, as_of)
    assert card["indicator"] == "warning"  # proceed alone is info; limits that cannot be checked are not
    assert card["summary"].startswith(
        "Lutathera cycle 3: proceed at 7.4 GBq; cumulative kidney dose cannot be evaluated;")
