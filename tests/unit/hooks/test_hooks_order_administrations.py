"""An order of several administrations: the rules check one cycle, so such an order is said to order N
administrations, each cycle needing its own check, and no change of its activity is offered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import factories as fx
import hooks_support as hs
import pytest

from cds.hooks.cards.order_administrations import administrations
from cds.hooks.cards.orders import lutathera_orders


def _order(**timing: Any) -> dict[str, Any]:
    order = hs.medication_request("mr-1", "p1", 7.4)
    if timing:
        order["dosageInstruction"][0]["timing"] = timing
    return order


def _read(resource: dict[str, Any]) -> Any:
    [order] = lutathera_orders([{"resource": resource}], "p1")
    return administrations(order)


def _cards(tmp_path: Path, scenario: str, order: dict[str, Any], hook: str = "order-select") -> list[dict[str, Any]]:
    return hs.dose_check_cards(tmp_path, scenario, [order], hook)


def _actions(cards: list[dict[str, Any]]) -> list[str]:
    return [a["type"] for c in cards for s in c.get("suggestions", []) for a in s["actions"]]


@pytest.mark.parametrize(("timing", "count"), [
    ({"repeat": {"count": 4, "period": 8, "periodUnit": "wk"}}, 4),
    ({"repeat": {"count": 1, "countMax": 4, "period": 8, "periodUnit": "wk"}}, 4),
    ({"event": ["2024-04-29", "2024-06-24"]}, 2),
    ({"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}}, None),
    ({"repeat": {"period": 8, "periodUnit": "wk"}}, None),  # every 8 weeks, no end
    ({"repeat": {"period": 8, "periodUnit": "wk", "boundsPeriod": {"start": "2024-04-29", "end": "2024-10-14"}}},
     None),
    ({"repeat": {"period": 56, "periodUnit": "d", "boundsDuration": {"value": 24, "code": "wk"}}}, None),
])
def test_an_order_of_several_administrations_is_read_as_such(timing: dict[str, Any], count: int | None) -> None:
    found = _read(_order(**timing))
    assert found is not None and found.count == count, found


@pytest.mark.parametrize("timing", [
    {}, {"event": ["2024-04-29"]}, {"repeat": {"count": 1}}, {"repeat": {"boundsPeriod": {"start": "2024-04-29"}}},
    {"repeat": {"count": 1, "period": 8, "periodUnit": "wk"}},
    {"repeat": {"period": 8, "periodUnit": "wk", "boundsPeriod": {"start": "2024-04-29", "end": "2024-05-01"}}},
])
def test_an_order_of_one_administration_is_read_as_one(timing: dict[str, Any]) -> None:
    assert _read(_order(**timing)) is None


def test_two_dosage_instructions_with_doses_and_refills_are_several() -> None:
    order = _order()
    order["dosageInstruction"].append({"doseAndRate": [{"doseQuantity": fx.quantity(7.4, "GBq")}]})
    found = _read(order)
    assert found is not None and found.count == 2 and found.where == ("dosageInstruction (2 with a dose)",)
    refills = _order()
    refills["dispenseRequest"] = {"numberOfRepeatsAllowed": 3}
    found = _read(refills)
    assert found is not None and found.count == 4


def test_a_second_instruction_stating_only_a_rate_is_no_second_administration() -> None:
    order = _order()
    order["dosageInstruction"].append({"doseAndRate": [{"rateQuantity": fx.quantity(250, "mL/h")}]})
    assert _read(order) is None


def test_a_service_request_occurrence_timing() -> None:
    order = hs.service_request("s", "p1", 7.4)
    order["occurrenceTiming"] = {"repeat": {"count": 4, "period": 8, "periodUnit": "wk"}}
    found = _read(order)
    assert found is not None and found.count == 4


def test_a_reduce_card_for_four_administrations_offers_no_change_and_a_warning_says_why(tmp_path: Path) -> None:
    """Before: one card "Reduce Lutathera cycle 3 to 3.7 GBq", its change kept count 4: accepted, four
    cycles of 3.7 GBq were ordered on the labs before cycle 3 alone."""
    order = _order(repeat={"count": 4, "period": 8, "periodUnit": "wk"})
    cards = _cards(tmp_path, "reduce", order)
    assert len(cards) == 2, [c["summary"] for c in cards]
    assert cards[0]["summary"] == \
        "Lutathera order for 4 administrations: each cycle needs its own check (cycle 3 checked)"
    assert cards[1]["summary"].startswith("Reduce Lutathera cycle 3 to 3.7 GBq (ordered 7.4 GBq)")
    assert cards[0]["indicator"] == "warning"
    assert "dosageInstruction\\[0\\].timing.repeat.count 4" in cards[0]["detail"]
    assert "each later cycle needs its own check" in cards[0]["detail"]
    assert _actions(cards) == ["delete", "delete"]
    assert "No change of this order is offered" in cards[1]["detail"]


def test_an_order_of_four_full_administrations_that_proceed_allows_is_not_silent(tmp_path: Path) -> None:
    """Before: no card at all, which reads as "the order agrees" with four cycles at once."""
    cards = _cards(tmp_path, "proceed", _order(repeat={"count": 4, "period": 8, "periodUnit": "wk"}), "order-sign")
    [card] = [c for c in cards if "administrations" in c["summary"]]
    assert card["summary"].startswith("Lutathera order for 4 administrations")
    assert _actions([card]) == ["delete"]
