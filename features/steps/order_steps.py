"""Steps for what a Lutathera order states beyond its dose: its rate of infusion, how many administrations
it orders, its status and doNotPerform. The chart is built with the shared Given steps; the service is
called as in hooks_steps.

    When a Lutathera order of 7.4 GBq infused at 14.8 GBq/h is selected on 2024-04-29
    When a Lutathera order of 7.4 GBq for 4 administrations every 8 weeks is selected on 2024-04-29
    When a Lutathera order of 7.4 GBq with status "cancelled" is signed on 2024-04-29
    When a Lutathera order of 7.4 GBq marked doNotPerform is signed on 2024-04-29
    Then the service shows 2 cards
    Then a card says "..."                         (one card's summary contains the text)
    Then no card offers a change of the order
    Then the accepted suggestion leaves an order infused at 7.4 GBq/h
"""

from __future__ import annotations

from typing import Any

import factories as fx
import hooks_support as hs
from pytest_bdd import parsers, then, when

from steps.chart import PATIENT, Chart
from steps.hooks_steps import OrderOutcome, _order_call
from steps.patterns import DATE


def _draft(gbq: str) -> dict[str, Any]:
    return hs.medication_request("lutathera-order", PATIENT.split("/")[1], float(gbq))


@when(parsers.re(rf"a Lutathera order of (?P<gbq>\d+(?:\.\d+)?) GBq infused at (?P<rate>\d+(?:\.\d+)?) GBq/h is "
                 rf"(?P<how>signed|selected) on (?P<day>{DATE})"), target_fixture="hook_outcome")
def order_with_rate(chart: Chart, gbq: str, rate: str, how: str, day: str) -> OrderOutcome:
    """The order's ``doseAndRate`` states the rate as a ``rateQuantity`` in GBq/h."""
    order = _draft(gbq)
    order["dosageInstruction"][0]["doseAndRate"][0]["rateQuantity"] = fx.quantity(float(rate), "GBq/h")
    return _order_call(chart, how, day, order)


@when(parsers.re(rf"a Lutathera order of (?P<gbq>\d+(?:\.\d+)?) GBq for (?P<count>\d+) administrations every "
                 rf"(?P<weeks>\d+) weeks is (?P<how>signed|selected) on (?P<day>{DATE})"),
      target_fixture="hook_outcome")
def order_repeated(chart: Chart, gbq: str, count: str, weeks: str, how: str, day: str) -> OrderOutcome:
    """The order's ``dosageInstruction.timing.repeat`` is ``count`` times, every ``weeks`` weeks."""
    order = _draft(gbq)
    order["dosageInstruction"][0]["timing"] = {"repeat": {"count": int(count), "period": int(weeks),
                                                          "periodUnit": "wk"}}
    return _order_call(chart, how, day, order)


@when(parsers.re(rf'a Lutathera order of (?P<gbq>\d+(?:\.\d+)?) GBq with status "(?P<status>[a-z-]+)" is '
                 rf"(?P<how>signed|selected) on (?P<day>{DATE})"), target_fixture="hook_outcome")
def order_with_status(chart: Chart, gbq: str, status: str, how: str, day: str) -> OrderOutcome:
    order = _draft(gbq)
    order["status"] = status
    return _order_call(chart, how, day, order)


@when(parsers.re(rf"a Lutathera order of (?P<gbq>\d+(?:\.\d+)?) GBq marked doNotPerform is "
                 rf"(?P<how>signed|selected) on (?P<day>{DATE})"), target_fixture="hook_outcome")
def order_not_to_perform(chart: Chart, gbq: str, how: str, day: str) -> OrderOutcome:
    order = _draft(gbq)
    order["doNotPerform"] = True
    return _order_call(chart, how, day, order)


@then(parsers.re(r"the service shows (?P<count>\d+) cards"))
def cards_counted(hook_outcome: OrderOutcome, count: str) -> None:
    assert len(hook_outcome.cards) == int(count), [c["summary"] for c in hook_outcome.cards]


@then(parsers.re(r'a card says "(?P<text>[^"]+)"'))
def a_card_says(hook_outcome: OrderOutcome, text: str) -> None:
    summaries = [c["summary"] for c in hook_outcome.cards]
    assert any(text in s for s in summaries), summaries


@then("no card offers a change of the order")
def no_card_changes(hook_outcome: OrderOutcome) -> None:
    actions = [a for c in hook_outcome.cards for s in c.get("suggestions", []) for a in s.get("actions", [])]
    assert [a for a in actions if a["type"] == "update"] == [], actions


@then(parsers.re(r"the accepted suggestion leaves an order infused at (?P<rate>\d+(?:\.\d+)?) GBq/h"))
def accepted_rate(hook_outcome: OrderOutcome, rate: str) -> None:
    actions = [a for s in hook_outcome.card.get("suggestions", []) for a in s.get("actions", [])]
    [update] = [a for a in actions if a["type"] == "update"]
    [order] = hs.apply_update(hook_outcome.orders, update)
    given = order["dosageInstruction"][0]["doseAndRate"][0]["rateQuantity"]
    assert (given["value"], given["code"]) == (float(rate), "GBq/h"), given
