"""The change of an order's activity and its rates of infusion, ratios and ranges: accepted, the order
states no old activity anywhere, and a rate in an activity unit keeps the infusion's duration; where
that cannot be done with certainty no change is offered, and the card says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import factories as fx
import hooks_support as hs
import pytest
from test_hooks_order_update import actions_of, assert_states_only, order_of, reduce_card, rewritten

from cds.hooks.cards.order_update import NotRewritable, rewrite_order


def _with_rate(**rate: Any) -> dict[str, Any]:
    order = hs.medication_request("mr-1", "p1", 7.4)
    order["dosageInstruction"][0]["doseAndRate"][0].update(rate)
    return order


def test_a_rate_ratio_of_the_ordered_activity_over_30_min_becomes_the_new_activity_over_30_min() -> None:
    """Before: "states the ordered activity as a rate": no change offered for an ordinary infusion order."""
    order = _with_rate(rateRatio={"numerator": fx.quantity(7.4, "GBq"), "denominator": fx.quantity(30, "min")})
    rate = rewritten(order)["dosageInstruction"][0]["doseAndRate"][0]["rateRatio"]
    assert rate["numerator"]["value"] == 3.7 and rate["numerator"]["code"] == "GBq"
    assert rate["denominator"] == fx.quantity(30, "min")


@pytest.mark.parametrize(("rate", "expected"), [
    ({"rateQuantity": fx.quantity(14.8, "GBq/h")}, {"rateQuantity": 7.4}),
    ({"rateQuantity": fx.quantity(400, "mCi/h")}, {"rateQuantity": 200.0}),
    ({"rateRange": {"low": fx.quantity(10, "GBq/h"), "high": fx.quantity(20, "GBq/h")}},
     {"rateRange": (5.0, 10.0)}),
])
def test_a_rate_in_an_activity_unit_per_time_is_scaled_with_the_activity(rate: dict[str, Any],
                                                                         expected: dict[str, Any]) -> None:
    """Before: 3.7 GBq at 14.8 GBq/h, the rate of the 7.4 GBq order (half the infusion time)."""
    changed = rewritten(_with_rate(**rate))["dosageInstruction"][0]["doseAndRate"][0]
    [(key, value)] = expected.items()
    if key == "rateRange":
        assert (changed[key]["low"]["value"], changed[key]["high"]["value"]) == value
        assert changed[key]["low"]["code"] == "GBq/h"
    else:
        assert changed[key]["value"] == value and changed[key]["code"] == rate[key]["code"]


def test_a_rate_in_ml_per_hour_stays_when_the_change_adds_the_dose() -> None:
    """Before: an order stating its activity in its text and its rate in doseAndRate lost the rate: the
    added dose replaced the whole doseAndRate."""
    order = hs.medication_request("mr-1", "p1", None)
    order["dosageInstruction"] = [{"text": "7.4 GBq IV", "doseAndRate": [{"rateQuantity": fx.quantity(250, "mL/h")}]}]
    [rate] = rewritten(order)["dosageInstruction"][0]["doseAndRate"]
    assert rate["rateQuantity"] == fx.quantity(250, "mL/h")
    assert rate["doseQuantity"]["value"] == 3.7


def test_a_service_request_stating_its_activity_only_as_a_quantity_ratio_is_not_rewritten() -> None:
    """Before: the change added the 3.7 GBq activity extension and left quantityRatio 7.4 GBq per dose."""
    order = hs.service_request("s", "p1", None)
    order["quantityRatio"] = {"numerator": fx.quantity(7.4, "GBq"), "denominator": fx.quantity(1, "{dose}")}
    change = rewrite_order(order_of(order), 3.7, "r")
    assert isinstance(change, NotRewritable), change
    assert change.reason.startswith("quantityRatio.numerator states an activity per a unit")


@pytest.mark.parametrize("where", ["quantityRatio", "quantityRange"])
def test_a_service_request_beside_its_activity_extension(where: str) -> None:
    order = hs.service_request("s", "p1", 7.4)
    order[where] = ({"numerator": fx.quantity(7.4, "GBq"), "denominator": fx.quantity(1, "{dose}")}
                    if where == "quantityRatio" else {"low": fx.quantity(7.4, "GBq"), "high": fx.quantity(7.4, "GBq")})
    change = rewrite_order(order_of(order), 3.7, "r")
    assert isinstance(change, NotRewritable) and change.reason.startswith(where), change


@pytest.mark.parametrize("text", ["7.4 GBq IV at 14.8 GBq/h", "7.4 GBq, 14.8 GBq per hour",
                                  "7.4 GBq at 0.25 GBq/min"])
def test_a_rate_of_activity_in_a_text_is_not_rewritten(text: str) -> None:
    """Before: "3.7 GBq IV at 14.8 GBq/h", the old rate left in the text."""
    order = hs.medication_request("mr-1", "p1", 7.4)
    order["dosageInstruction"][0]["text"] = text
    change = rewrite_order(order_of(order), 3.7, "r")
    assert isinstance(change, NotRewritable), change
    assert change.reason == ("dosageInstruction[0].text names a rate of infusion in an activity unit, which the "
                             "change would leave wrong")


def test_a_rate_without_an_activity_to_scale_it_by_is_not_rewritten() -> None:
    order = hs.medication_request("mr-1", "p1", None)
    order["dosageInstruction"] = [{"doseAndRate": [{"rateQuantity": fx.quantity(14.8, "GBq/h")}]}]
    change = rewrite_order(order_of(order), 3.7, "r")
    assert isinstance(change, NotRewritable) and "no activity to scale it by" in change.reason, change


def test_the_accepted_change_of_an_infusion_with_its_rate_states_3_7_gbq_over_30_min(tmp_path: Path) -> None:
    draft = _with_rate(rateRatio={"numerator": fx.quantity(7.4, "GBq"), "denominator": fx.quantity(30, "min")})
    [update] = actions_of(reduce_card(tmp_path, draft), "update")
    [order] = hs.apply_update([draft], update)
    assert_states_only(order, 3.7)
    assert order["dosageInstruction"][0]["doseAndRate"][0]["rateRatio"]["denominator"]["value"] == 30


def test_the_card_for_a_quantity_ratio_says_why_no_change_is_offered(tmp_path: Path) -> None:
    draft = hs.service_request("s", "p1", 7.4)
    draft["quantityRatio"] = {"numerator": fx.quantity(7.4, "GBq"), "denominator": fx.quantity(1, "{dose}")}
    card = reduce_card(tmp_path, draft)
    assert actions_of(card, "update") == []
    assert "cannot be changed to 3.7 GBq automatically" in card["detail"]
    assert "quantityRatio.numerator states the ordered activity per a unit that is not a time" in card["detail"]
