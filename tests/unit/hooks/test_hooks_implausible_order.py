"""An ordered activity at or below 0, or above the plausibility maximum (1.5 x 7.4 GBq = 11.1 GBq by
default), gets one critical card whatever the labs say (issue 10, section 9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hooks_support as hs
import pytest

from cds.dose.table import load_table
from cds.dose.table import table as dose_table
from cds.errors import ConfigurationError
from cds.hooks.cards.implausible_order import implausible_activity
from cds.hooks.cards.orders import LutatheraOrder, lutathera_orders

DOSE = "/cds-services/prrt-dose-check"
RULES = Path(__file__).resolve().parents[3] / "rules" / "lutathera_dose.toml"


def order(value: float, unit: str = "GBq") -> LutatheraOrder:
    [found] = lutathera_orders([{"resource": hs.medication_request("mr-9", "p3", value, unit=unit)}], "p3")
    return found


def sign(tmp_path: Path, prefetch: dict[str, Any], value: float, unit: str = "GBq",
         as_of: str = "2024-04-29") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    body = hs.hook_request("order-sign", "p3", prefetch=prefetch,
                           orders=[hs.medication_request("mr-9", "p3", value, unit=unit)])
    with hs.in_process(tmp_path, as_of=as_of) as running:
        response = running.post(DOSE, json=body)
        audit = running.components.store.cards(body["hookInstance"])
    assert response.status_code == 200, response.text
    assert hs.schema_errors("service-response", response.json()) == []
    return response.json()["cards"], audit


@pytest.mark.parametrize(("value", "summary"), [
    (740.0, "Implausible ordered activity: 740 GBq of Lutathera (cycle 3)"),  # F-order-740-GBq
    (-7.4, "Implausible ordered activity: -7.4 GBq of Lutathera (cycle 3)"),  # F-order-minus-7.4-GBq
])
def test_the_reproducers_get_a_critical_card_that_removes_the_order(tmp_path: Path, value: float,
                                                                    summary: str) -> None:
    resources, as_of = hs.scenario("proceed", "p3")  # labs normal: before the fix, no card at all
    [card], audit = sign(tmp_path, hs.prefetch_for(resources), value, as_of=as_of)
    assert card["indicator"] == "critical"
    assert card["summary"] == summary
    assert "**Implausible ordered activity**" in card["detail"]
    assert "proceed at 7.4 GBq" in card["detail"]  # what to order instead
    [suggestion] = card["suggestions"]
    assert suggestion["isRecommended"] is True
    assert suggestion["actions"] == [{"type": "delete", "description": "Remove the draft order MedicationRequest/mr-9",
                                      "resourceId": "MedicationRequest/mr-9"}]
    assert [(row["action"], row["order_ref"]) for row in audit] == [("implausible-activity", "MedicationRequest/mr-9")]


@pytest.mark.parametrize("scenario", ["withhold", "reduce", "labs-needed", "discontinue"])
def test_whatever_the_labs_say_the_implausible_order_is_the_card(tmp_path: Path, scenario: str) -> None:
    resources, as_of = hs.scenario(scenario, "p3")
    [card], audit = sign(tmp_path, hs.prefetch_for(resources), 740.0, as_of=as_of)
    assert card["summary"].startswith("Implausible ordered activity: 740 GBq") and card["indicator"] == "critical"
    assert audit[0]["action"] == "implausible-activity"


def test_even_with_no_laboratory_results_at_all(tmp_path: Path) -> None:
    resources = [r for r in hs.prrt_record("p3") if r["resourceType"] != "Observation"]
    [card], _ = sign(tmp_path, hs.prefetch_for(resources), 200 * 1.5 + 1, unit="mCi")
    assert card["summary"] == "Implausible ordered activity: 301 mCi (11.137 GBq) of Lutathera (cycle 3)"
    assert "laboratory results needed first" in card["detail"]  # the recommendation shown beside it


@pytest.mark.parametrize(("value", "unit", "implausible"), [
    (11.1, "GBq", False), (11.2, "GBq", True),
    (0.001, "GBq", False), (0.0, "GBq", True), (-0.001, "GBq", True),
    (300.0, "mCi", False), (301.0, "mCi", True), (0.0, "mCi", True), (0.03, "mCi", False),
    (11100.0, "MBq", False), (11101.0, "MBq", True),
    (7.4, "GBq", False), (3.7, "GBq", False),
])
def test_both_sides_of_the_maximum_and_of_zero(value: float, unit: str, implausible: bool) -> None:
    assert (implausible_activity(order(value, unit)) is not None) is implausible


def test_the_reason_names_the_maximum_and_its_setting() -> None:
    found = implausible_activity(order(11.2))
    assert found == ("11.2 GBq", "above the plausibility maximum of 11.1 GBq (1.5 x the full activity of 7.4 GBq)")
    assert implausible_activity(order(-200, "mCi")) == ("-200 mCi (-7.4 GBq)", "an activity must be above 0")
    assert dose_table().max_plausible_activity_gbq == pytest.approx(11.1)


def test_a_maximum_below_the_full_activity_is_a_configuration_error(tmp_path: Path) -> None:
    changed = tmp_path / "lutathera_dose.toml"
    changed.write_text(RULES.read_text().replace("max_plausible_activity_factor = 1.5",
                                                 "max_plausible_activity_factor = 0.9"))
    with pytest.raises(ConfigurationError, match="max_plausible_activity_factor must be at least 1"):
        load_table(changed)
    changed.write_text(RULES.read_text().replace("max_plausible_activity_factor = 1.5",
                                                 "max_plausible_activity_factor = 2.0"))
    assert load_table(changed).max_plausible_activity_gbq == pytest.approx(14.8)


def stating_elsewhere(where: str, gbq: float = 740.0, dose: float | None = None) -> dict[str, Any]:
    """A Lutathera order (``dose``: its dose, None for none) that states ``gbq`` only in ``where``."""
    resource: dict[str, Any] = hs.medication_request("mr-9", "p3", dose)
    activity = {"value": gbq, "unit": "GBq", "system": "http://unitsofmeasure.org", "code": "GBq"}
    instruction: dict[str, Any] = resource.get("dosageInstruction", [{}])[0]
    if where == "maxDosePerAdministration":
        instruction["maxDosePerAdministration"] = activity
    elif where == "doseRange":
        instruction.setdefault("doseAndRate", []).append({"doseRange": {"low": activity, "high": activity}})
    elif where == "text":
        instruction["text"] = f"{gbq:g} GBq IV over 30 min"
    resource["dosageInstruction"] = [instruction]
    return resource


@pytest.mark.parametrize("scenario", ["proceed", "reduce", "withhold", "labs-needed"])
@pytest.mark.parametrize("where", ["maxDosePerAdministration", "doseRange", "text"])
@pytest.mark.parametrize("dose", [None, 7.4])
def test_an_implausible_activity_stated_only_outside_the_dose_is_critical(
        tmp_path: Path, scenario: str, where: str, dose: float | None) -> None:
    """740 GBq (100 x the label's 7.4 GBq) in the maximum dose, a dose range or the dosage text, with no dose or
    beside a dose of 7.4 GBq: before, a warning ("cannot be verified", "reduce to 3.7 GBq", offering an update
    that set the 740 GBq maximum to 3.7 GBq) or a withhold card silent about the activity."""
    resources, as_of = hs.scenario(scenario, "p3")
    body = hs.hook_request("order-sign", "p3", prefetch=hs.prefetch_for(resources),
                           orders=[stating_elsewhere(where, dose=dose)])
    cards = hs.posted_cards(tmp_path, DOSE, body, as_of)
    [card] = [c for c in cards if c["summary"].startswith("Implausible ordered activity")]
    assert card["indicator"] == "critical"
    assert card["summary"] == "Implausible ordered activity: 740 GBq of Lutathera (cycle 3)"
    assert "dosageInstruction\\[0\\]" in card["detail"]  # where the order states it
    assert [a["type"] for s in card["suggestions"] for a in s["actions"]] == ["delete"]


def test_a_plausible_activity_stated_outside_the_dose_is_not_implausible() -> None:
    [found] = lutathera_orders([{"resource": stating_elsewhere("maxDosePerAdministration", 7.4, dose=7.4)}], "p3")
    assert implausible_activity(found) is None
    [found] = lutathera_orders([{"resource": stating_elsewhere("text", 0.0, dose=7.4)}], "p3")
    assert implausible_activity(found) is not None
