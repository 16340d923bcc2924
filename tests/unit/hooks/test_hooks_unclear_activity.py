"""The card of an order whose activity cannot be verified: what it asks for when a kidney dose limit
allows less than the dose rules, and an activity stated in a form the service cannot read with
certainty (a range "6-7.4 GBq" in a note or text) beside a dose the rules would let pass."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hooks_support as hs
import pytest
from test_hooks_kidney_dose import DOSE, call, record

from cds.hooks.cards import markdown as md

UNCLEAR = "the ordered activity cannot be verified"


def _order(gbq: float, *, text: str | None = None, note: str | None = None) -> dict[str, Any]:
    order = hs.medication_request("mr-1", "p1", gbq)
    if text is not None:
        order["dosageInstruction"][0]["text"] = text
    if note is not None:
        order["note"] = [{"text": note}]
    return order


def _sign(tmp_path: Path, order: dict[str, Any], resources: list[dict[str, Any]], as_of: str) -> list[dict[str, Any]]:
    body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources), orders=[order])
    cards, _ = call(tmp_path, DOSE, body, as_of)
    return cards


def test_under_a_kidney_limit_the_card_asks_for_the_lower_activity_and_says_why(tmp_path: Path) -> None:
    """Before: "Correct the order so that every dose states one activity, at most 7.4 GBq" and "the
    rules allow 7.4 GBq", where the kidney BED limit allows 1.7 GBq."""
    resources, as_of = record("p1")
    [card] = _sign(tmp_path, _order(1.7, text="Lutathera 3.7 GBq IV"), resources, as_of)
    assert UNCLEAR in card["summary"]
    assert "the rules allow 1.7 GBq" in card["summary"]
    assert "7.4 GBq" not in card["summary"]
    assert ("states one activity, at most 1.7 GBq: the largest activity within the kidney dose limits (set by "
            "the kidney BED limit), below the 7.4 GBq of the dose rules") in card["detail"]


def test_without_a_kidney_limit_the_card_asks_for_the_dose_rules_activity(tmp_path: Path) -> None:
    resources, as_of = hs.scenario("proceed", "p1")
    [card] = _sign(tmp_path, _order(7.4, text="Lutathera 3.7 GBq IV"), resources, as_of)
    assert "the rules allow 7.4 GBq" in card["summary"]
    assert "states one activity, at most 7.4 GBq, or remove it" in card["detail"]


@pytest.mark.parametrize(("text", "note"), [(None, "6-7.4 GBq as tolerated"), ("6 to 7.4 GBq IV", None),
                                            (None, "up to <7.4 GBq"), ("7.4 GBq IV", "3.7/7.4 GBq")])
def test_an_activity_stated_uncertainly_beside_an_agreeing_dose_cannot_be_verified(
        tmp_path: Path, text: str | None, note: str | None) -> None:
    """Before: no card under proceed: the statement that could not be read was left out of the comparison,
    although "6-7.4 GBq" may mean 6 GBq."""
    resources, as_of = hs.scenario("proceed", "p1")
    [card] = _sign(tmp_path, _order(7.4, text=text, note=note), resources, as_of)
    assert card["indicator"] == "warning"
    assert f"Lutathera cycle 3: {UNCLEAR}" in card["summary"]
    assert "an activity the service cannot read with certainty" in card["detail"]
    assert md.text("note[0].text" if note else "dosageInstruction[0].text") in card["detail"]
    assert "6-7.4" not in card["detail"] and "6 to 7.4" not in card["detail"]  # the place, never the text


@pytest.mark.parametrize("text", ["forty GBq", "Lutathera fifteen mCi", "seventy-four hundred MBq",
                                  "eighteen GBq"])
def test_an_activity_in_words_beside_an_agreeing_dose_cannot_be_verified(tmp_path: Path, text: str) -> None:
    """Before: no card under proceed for a dose of 7.4 GBq whose text read "forty GBq": only some number words
    were known, and a unit after any other word was taken for a unit named without an activity."""
    resources, as_of = hs.scenario("proceed", "p1")
    [card] = _sign(tmp_path, _order(7.4, text=text), resources, as_of)
    assert f"Lutathera cycle 3: {UNCLEAR}" in card["summary"]
    assert md.text("dosageInstruction[0].text") in card["detail"]


def test_a_reduced_dose_beside_a_range_cannot_be_verified(tmp_path: Path) -> None:
    resources, as_of = hs.scenario("reduce", "p1")
    [card] = _sign(tmp_path, _order(3.7, note="3.7-7.4 GBq"), resources, as_of)
    assert UNCLEAR in card["summary"] and "the rules allow 3.7 GBq" in card["summary"]


def test_a_dose_above_the_reduced_one_keeps_the_reduce_card_beside_a_range(tmp_path: Path) -> None:
    """The reduce card says the order must change anyway (and that it cannot be changed automatically)."""
    resources, as_of = hs.scenario("reduce", "p1")
    [card] = _sign(tmp_path, _order(7.4, note="6-7.4 GBq"), resources, as_of)
    assert card["summary"].startswith("Reduce Lutathera cycle 3 to 3.7 GBq")


def test_a_concentration_is_still_no_activity_of_the_order(tmp_path: Path) -> None:
    resources, as_of = hs.scenario("proceed", "p1")
    assert _sign(tmp_path, _order(7.4, note="370 MBq/mL at calibration"), resources, as_of) == []
