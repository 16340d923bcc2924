"""The age of the laboratory results on the cards of an order that plans its infusion: measured to its
planned day (today when that day has passed), not to the cycle's due date; an order that states no day
is measured to the decision date (the due date, or today when later) as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hooks_support as hs

DOSE = "/cds-services/prrt-dose-check"


def _sign(tmp_path: Path, panels: list[tuple[str, dict[str, float]]], planned: str | None,
          signed: str) -> list[dict[str, Any]]:
    resources = hs.prrt_record("p1", panels=panels)  # cycle 2 on 2024-03-04: cycle 3 due 2024-04-29
    order = hs.medication_request("mr-1", "p1", 7.4)
    if planned is not None:
        order["dosageInstruction"][0]["timing"] = {"event": [planned]}
    body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources), orders=[order])
    return hs.posted_cards(tmp_path, DOSE, body, signed)


REDUCE = [("2024-04-01", {"platelets": 60.0}), ("2024-04-19", {})]  # resolved grade 2: reduce to 3.7 GBq


def test_the_labs_age_is_measured_to_the_orders_planned_day(tmp_path: Path) -> None:
    """Before: "labs of 2024-04-19, 10 days old on 2024-04-29" for an order planned on 2024-04-22."""
    [card] = _sign(tmp_path, REDUCE, "2024-04-22", "2024-04-20")
    assert card["summary"].startswith("Reduce Lutathera cycle 3 to 3.7 GBq")
    assert ("labs of 2024-04-19, 3 days old on 2024-04-22, the order's planned day (10 days old on 2024-04-29, "
            "the date the rules decide on)") in card["detail"]


def test_an_order_stating_no_day_is_measured_to_the_due_date_as_before(tmp_path: Path) -> None:
    [card] = _sign(tmp_path, REDUCE, None, "2024-04-20")
    assert "labs of 2024-04-19, 10 days old on 2024-04-29." in card["detail"]


def test_a_planned_day_that_has_passed_is_measured_to_today(tmp_path: Path) -> None:
    """The infusion cannot be before today: an order still planned for 2024-04-18, signed on 2024-04-20."""
    card, early = _sign(tmp_path, REDUCE, "2024-04-18", "2024-04-20")
    assert card["summary"].startswith("Reduce Lutathera cycle 3 to 3.7 GBq")
    assert ("labs of 2024-04-19, 1 day old on 2024-04-20, today, after the day the order planned (2024-04-18) "
            "(10 days old on 2024-04-29, the date the rules decide on)") in card["detail"]
    assert early["summary"].startswith("Lutathera cycle 3 planned on 2024-04-18")


def test_labs_fresh_on_an_early_planned_day_are_not_said_17_days_old(tmp_path: Path) -> None:
    """Labs drawn 3 days before an order planned on 2024-04-15. Before: "...; labs 17 days old
    (2024-04-12)" (their age on the due date 2024-04-29), and no word that the order is early. The rules
    still decide on the due date (labs needed there); the card says both ages, and the early card comes."""
    labs, early = _sign(tmp_path, [("2024-04-12", {})], "2024-04-15", "2024-04-14")
    assert labs["summary"].startswith("Laboratory results needed before Lutathera cycle 3")
    assert "17 days" not in labs["summary"]
    assert ("labs of 2024-04-12, 3 days old on 2024-04-15, the order's planned day (17 days old on 2024-04-29, "
            "the date the rules decide on)") in labs["detail"]
    assert early["summary"].startswith("Lutathera cycle 3 planned on 2024-04-15, 42 days after cycle 2")


def test_labs_that_will_be_too_old_on_a_later_planned_day_get_a_card(tmp_path: Path) -> None:
    """Signed ahead for 2024-05-06 with labs of 2024-04-20: 9 days old on the due date, 16 on the planned
    day. Before: no card (proceed on the due date)."""
    [card] = _sign(tmp_path, [("2024-04-20", {})], "2024-05-06", "2024-04-25")
    assert card["indicator"] == "warning"
    assert card["summary"] == ("Laboratory results needed before Lutathera cycle 3 on 2024-05-06; labs 16 days old "
                               "(2024-04-20)")
    assert "**The laboratory results will be too old on the planned day**" in card["detail"]
    assert "On 2024-04-29 the rules say proceed at 7.4 GBq" in card["detail"]
    assert [s["label"] for s in card["suggestions"]] == ["Remove the order until the results are available"]


def test_labs_still_recent_on_a_later_planned_day_get_no_card(tmp_path: Path) -> None:
    assert _sign(tmp_path, [("2024-04-20", {})], "2024-05-04", "2024-04-25") == []


def test_the_early_card_counts_days_as_said(tmp_path: Path) -> None:
    """Before: "1 days after cycle 2", "0 days after cycle 2" and "-1 days after cycle 2" for an order
    planned the day after, on the day of, and the day before cycle 2 (given 2024-03-04)."""
    cards = _sign(tmp_path, [], "2024-03-05", "2024-03-05")
    assert next(c["summary"] for c in cards if "planned on" in c["summary"]).startswith(
        "Lutathera cycle 3 planned on 2024-03-05, 1 day after cycle 2: earliest")
    cards = _sign(tmp_path, [], "2024-03-04", "2024-03-04")
    early = next(c for c in cards if "planned on" in c["summary"])
    assert early["summary"].startswith("Lutathera cycle 3 planned on 2024-03-04, the day cycle 2 was given: earliest")
    assert "**Planned too early**: on the day of cycle 2 (given 2024-03-04)" in early["detail"]
    cards = _sign(tmp_path, [], "2024-03-03", "2024-03-04")
    early = next(c for c in cards if "planned on" in c["summary"])
    assert early["summary"].startswith("Lutathera cycle 3 planned on 2024-03-03, 1 day before cycle 2: earliest")
    assert "**Planned too early**: 1 day before cycle 2 (given 2024-03-04)" in early["detail"]
