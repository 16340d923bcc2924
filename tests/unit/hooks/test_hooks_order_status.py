"""A Lutathera order that does not order an administration (doNotPerform, entered in error, cancelled,
revoked, completed, a proposal): not checked as a dose, offered no change, and never left silent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hooks_support as hs
import pytest

from cds.mapping.treatment import not_ordered, treatment_codes


def _cards(tmp_path: Path, scenario: str, *orders: dict[str, Any], amino: bool = True) -> list[dict[str, Any]]:
    return hs.dose_check_cards(tmp_path, scenario, list(orders), with_amino_acids=amino)


def _order(**changes: Any) -> dict[str, Any]:
    order = hs.medication_request("mr-1", "p1", 7.4)
    order.update(changes)
    return order


def _updates(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [a for c in cards for s in c.get("suggestions", []) for a in s["actions"] if a["type"] == "update"]


@pytest.mark.parametrize("status", ["entered-in-error", "cancelled", "revoked", "completed", "stopped", "on-hold"])
def test_an_order_that_gives_nothing_is_offered_no_reduction(tmp_path: Path, status: str) -> None:
    """Before: "Reduce Lutathera cycle 3 to 3.7 GBq" with its recommended change, for an order entered in
    error or cancelled, as if it ordered the activity."""
    [card] = _cards(tmp_path, "reduce", _order(status=status))
    assert card["summary"] == f"Lutathera order not checked as an order to give cycle 3: its status is {status}"
    assert card["indicator"] == "warning"  # the rules allow the cycle: the clinician may believe it ordered
    assert _updates([card]) == [] and "suggestions" not in card
    assert "No change of its activity is offered" in card["detail"]
    assert "reduced activity (3.7 GBq)" in card["detail"]  # the recommendation for the cycle


def test_an_order_with_do_not_perform_when_the_rules_allow_the_cycle_says_so(tmp_path: Path) -> None:
    """Before: no card, as for an order that agrees; the order says not to give a cycle the rules allow."""
    [card] = _cards(tmp_path, "proceed", _order(doNotPerform=True))
    assert card["summary"] == "Lutathera order says not to give cycle 3 (doNotPerform)"
    assert card["indicator"] == "warning"
    assert "The rules allow cycle 3 at 7.4 GBq: if the cycle is to be given, order it without doNotPerform" \
        in card["detail"]
    assert "suggestions" not in card


def test_an_order_with_do_not_perform_when_the_rules_withhold_is_information(tmp_path: Path) -> None:
    """Before: "Withhold ... remove the Lutathera order", for an order that already says not to give it."""
    [card] = _cards(tmp_path, "withhold", _order(doNotPerform=True))
    assert card["indicator"] == "info"
    assert card["summary"] == "Lutathera order says not to give cycle 3 (doNotPerform)"
    assert "suggestions" not in card and "The rules allow" not in card["detail"]


@pytest.mark.parametrize("intent", ["proposal", "plan"])
def test_a_proposal_or_plan_is_not_checked_as_an_order(tmp_path: Path, intent: str) -> None:
    [card] = _cards(tmp_path, "reduce", _order(intent=intent))
    assert card["summary"].endswith(f"its intent is {intent}")
    assert _updates([card]) == []


def test_a_cancelled_order_beside_the_order_to_give_is_not_a_second_order(tmp_path: Path) -> None:
    """Before: "2 Lutathera orders for cycle 3 (14.8 GBq together)" beside a cancelled draft."""
    cancelled = hs.medication_request("mr-0", "p1", 7.4)
    cancelled["status"] = "cancelled"
    cards = _cards(tmp_path, "proceed", cancelled, _order())
    assert [c["summary"] for c in cards] == [
        "Lutathera order not checked as an order to give cycle 3: its status is cancelled"]


def test_a_cancelled_order_gets_no_amino_acid_order_suggested(tmp_path: Path) -> None:
    """Before: the protocol card suggested adding the amino acids for the cancelled Lutathera order."""
    cards = _cards(tmp_path, "proceed", _order(status="cancelled"), amino=False)
    assert [c["summary"] for c in cards] == [
        "Lutathera order not checked as an order to give cycle 3: its status is cancelled"]


def test_the_reading_is_the_amino_acid_orders_one() -> None:
    table = treatment_codes()
    assert not_ordered(_order(), table) is None
    assert not_ordered(_order(status="active"), table) is None
    assert not_ordered(_order(status="<b>x</b>"), table) == "its status is not stated as a code"
    assert not_ordered(_order(doNotPerform="yes"), table) == "doNotPerform is set: the order is not to give it"
    no_status = _order()
    del no_status["status"]
    assert not_ordered(no_status, table) == "its status is not stated as a code"
