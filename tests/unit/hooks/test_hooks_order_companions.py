"""A change of the activity of one Lutathera order changes the other order of the same infusion too: a
MedicationRequest and a ServiceRequest drafted together for one cycle are one infusion, and an accepted
update of one of them must not leave the other stating the old activity."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hooks_support as hs
import pytest

DOSE = "/cds-services/prrt-dose-check"
MR, SR = "MedicationRequest/mr-1", "ServiceRequest/sr-1"


def cards_for(tmp_path: Path, name: str, orders: list[dict[str, Any]], hook: str,
              selections: list[str] | None = None) -> list[dict[str, Any]]:
    resources, as_of = hs.scenario(name, "p1")
    body = hs.hook_request(hook, "p1", prefetch=hs.prefetch_for(resources), orders=orders, selections=selections)
    return hs.posted_cards(tmp_path, DOSE, body, as_of)


def changes(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in card.get("suggestions", []) if any(a["type"] == "update" for a in s["actions"])]


def accepted(drafts: list[dict[str, Any]], suggestion: dict[str, Any]) -> list[dict[str, Any]]:
    """The drafts after the EHR applies every action of the suggestion."""
    for action in suggestion["actions"]:
        assert action["type"] == "update", action
        drafts = hs.apply_update(drafts, action)
    return drafts


def activities(drafts: list[dict[str, Any]]) -> dict[str, set[float]]:
    return {f"{d['resourceType']}/{d['id']}": {round(gbq, 6) for where, gbq in hs.activities_named(d)
                                                if not where.startswith("note")} for d in drafts}


@pytest.mark.parametrize(("scenario", "ordered", "allowed"), [("reduce", 7.4, 3.7), ("proceed", 11.1, 7.4)])
def test_the_change_of_the_selected_order_changes_the_unselected_order_of_the_infusion(
        tmp_path: Path, scenario: str, ordered: float, allowed: float) -> None:
    """It was: on order-select of the MedicationRequest only, its card's update set it to 3.7 GBq and left
    the ServiceRequest drafted with it for the same cycle at 7.4 GBq: accepted, the cycle's orders said both."""
    drafts = [hs.medication_request("mr-1", "p1", ordered), hs.service_request("sr-1", "p1", ordered)]
    [card] = cards_for(tmp_path, scenario, drafts, "order-select", [MR])
    [change] = changes(card)
    assert activities(accepted(drafts, change)) == {MR: {allowed}, SR: {allowed}}


def test_on_order_sign_each_card_s_change_changes_both_orders_of_the_infusion(tmp_path: Path) -> None:
    """It was: each of the two reduce cards changed its own order only; accepting one left the other at 7.4 GBq."""
    drafts = [hs.medication_request("mr-1", "p1", 7.4), hs.service_request("sr-1", "p1", 7.4)]
    cards = cards_for(tmp_path, "reduce", drafts, "order-sign")
    assert len(cards) == 2
    for card in cards:
        [change] = changes(card)
        assert activities(accepted(drafts, change)) == {MR: {3.7}, SR: {3.7}}


def test_an_order_of_the_infusion_already_at_the_new_activity_or_stating_none_is_left_as_drafted(
        tmp_path: Path) -> None:
    for other in (hs.service_request("sr-1", "p1", 3.7), hs.service_request("sr-1", "p1", None)):
        drafts = [hs.medication_request("mr-1", "p1", 7.4), other]
        [card] = cards_for(tmp_path, "reduce", drafts, "order-select", [MR])
        [change] = changes(card)
        assert [a["resource"]["id"] for a in change["actions"]] == ["mr-1"]


def test_no_change_is_offered_when_the_other_order_of_the_infusion_cannot_be_changed(tmp_path: Path) -> None:
    """The other order states its activity where it cannot be rewritten with certainty: changing the selected
    order alone would leave them stating two activities, so no change is offered, and the card says why."""
    other = hs.service_request("sr-1", "p1", 7.4)
    other["note"] = [{"text": "Previous cycle: 7.4 GBq"}]
    drafts = [hs.medication_request("mr-1", "p1", 7.4), other]
    [card] = cards_for(tmp_path, "reduce", drafts, "order-select", [MR])
    assert changes(card) == []
    assert "ServiceRequest/sr-1" in card["detail"] and "cannot be changed to 3.7 GBq automatically" in card["detail"]


def test_a_cancelled_order_or_another_patient_s_order_is_not_changed_with_it(tmp_path: Path) -> None:
    cancelled = hs.service_request("sr-1", "p1", 7.4)
    cancelled["status"] = "cancelled"
    for other in (cancelled, hs.service_request("sr-1", "p2", 7.4)):
        drafts = [hs.medication_request("mr-1", "p1", 7.4), other]
        [card] = cards_for(tmp_path, "reduce", drafts, "order-select", [MR])
        [change] = changes(card)
        assert [a["resource"]["id"] for a in change["actions"]] == ["mr-1"]


def test_no_change_is_offered_when_the_infusion_s_other_order_is_drafted_twice(tmp_path: Path) -> None:
    """Two ServiceRequests of the cycle beside the MedicationRequest: which one stays is the clinician's to say
    (the several-orders card); a change of the MedicationRequest must not rewrite both."""
    drafts = [hs.medication_request("mr-1", "p1", 7.4), hs.service_request("sr-1", "p1", 7.4),
              hs.service_request("sr-2", "p1", 7.4)]
    cards = cards_for(tmp_path, "reduce", drafts, "order-sign")
    assert [c for c in cards if changes(c)] == []
