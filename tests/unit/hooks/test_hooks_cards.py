"""Cards can only be built valid (CDS Hooks 2.0.1 "Card Attributes"), and read well."""

from __future__ import annotations

import json

import hooks_support as hs
import pytest
from pydantic import ValidationError

from cds.hooks.cards import markdown as md
from cds.hooks.cards.card import (
    NOTICE_LEAD,
    OVERRIDE_CODES,
    OVERRIDE_SYSTEM,
    SUMMARY_MAX,
    Action,
    Card,
    Suggestion,
    dose_source,
    notices_after,
    override_reasons,
    summary_noting,
    summary_of,
    toxicity_source,
)


def test_override_reasons_are_the_hl7_codes_with_their_displays() -> None:
    system = hs.reference_json("vocabulary/CodeSystem-non-adherence-reason-codes.json")
    displays: dict[str, str] = {}

    def walk(concepts: list[dict[str, object]]) -> None:
        for concept in concepts:
            displays[str(concept["code"])] = str(concept["display"])
            walk(concept.get("concept", []))  # type: ignore[arg-type]

    walk(system["concept"])
    assert system["url"] == OVERRIDE_SYSTEM
    for code, display in OVERRIDE_CODES:
        assert displays[code] == display


def test_a_minimal_card_is_spec_valid_and_omits_empty_members() -> None:
    card = Card(summary="x", indicator="info", source=toxicity_source()).to_json()
    assert set(card) == {"uuid", "summary", "indicator", "source"}
    assert hs.schema_errors("service-response", {"cards": [card]}) == []


def test_a_full_card_is_spec_valid() -> None:
    suggestion = Suggestion(label="Remove", isRecommended=True, actions=[
        Action(type="delete", description="Remove the order", resourceId="MedicationRequest/1"),
        Action(type="update", description="Set the dose", resource={"resourceType": "MedicationRequest", "id": "1"}),
    ])
    card = Card(summary="s", detail="**d**", indicator="critical", source=dose_source(), suggestions=[suggestion],
                selectionBehavior="at-most-one", overrideReasons=override_reasons())
    assert hs.schema_errors("service-response", {"cards": [card.to_json()]}) == []


@pytest.mark.parametrize("change", [
    {"summary": "x" * (SUMMARY_MAX + 1)},
    {"summary": ""},
    {"indicator": "hard-stop"},
    {"suggestions": [Suggestion(label="a")]},  # without selectionBehavior
    {"suggestions": []},
    {"detail": ""},
])
def test_invalid_cards_cannot_be_built(change: dict[str, object]) -> None:
    values: dict[str, object] = {"summary": "s", "indicator": "info", "source": toxicity_source(), **change}
    with pytest.raises(ValidationError):
        Card(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("values", [
    {"type": "delete", "description": "d"},
    {"type": "delete", "description": "d", "resourceId": "X/1", "resource": {"resourceType": "X"}},
    {"type": "update", "description": "d"},
    {"type": "create", "description": "", "resource": {"resourceType": "X"}},
])
def test_invalid_actions_cannot_be_built(values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Action(**values)  # type: ignore[arg-type]


def test_summaries_keep_the_important_part_and_fit() -> None:
    assert summary_of(["first", "second"]) == "first; second"
    assert summary_of(["first", "x" * 200]) == "first"
    clipped = summary_of(["y" * 300])
    assert len(clipped) == SUMMARY_MAX and clipped.endswith("…")


def test_the_notice_of_cycles_dated_after_comes_first_and_the_others_follow_where_they_fit() -> None:
    """Without it the notices are as before; with it, the others are kept while the summary's first part keeps
    NOTICE_LEAD characters, so that a summary with every notice stays a valid one."""
    stale, unread = "labs 4 months old (2024-01-01)", "8 laboratory results dated after 2024-07-20 not read"
    after = "2 Lutathera administrations dated after 2024-03-10: counted as given; verify the dates"
    assert notices_after(None, [stale, None, unread]) == f"{stale}; {unread}"
    assert notices_after(None, [None]) is None
    assert notices_after(after, [stale, unread]) == after
    assert notices_after("1 Lutathera administration dated after 2024-03-10", [stale, unread]) == \
        f"1 Lutathera administration dated after 2024-03-10; {stale}"
    lead = "Lutathera course complete (4 of 4 cycles given)"
    summary = summary_noting([lead, "cycle 4: worst CTCAE grade 1 Anemia"], notices_after(after, [stale, unread]))
    assert summary == f"{lead}; {after}" and len(summary) <= SUMMARY_MAX


def test_a_summary_with_a_notice_of_any_length_is_a_valid_summary_that_leads_with_the_recommendation() -> None:
    """However long the notices that reach it (a new notice, several joined), ``summary_noting`` gives a
    summary a card may carry, never a 500, and the recommendation keeps its first NOTICE_LEAD characters."""
    lead = "Lutathera cycle 3: withhold (grade 3 Platelet count decreased); re-check in 2 weeks"
    for size in range(0, 400, 7):
        notice = ("n" * size) or None
        summary = summary_noting([lead, "cycle 2: worst CTCAE grade 1 Anemia"], notice)
        assert len(summary) <= SUMMARY_MAX, size
        assert summary.startswith(lead[: NOTICE_LEAD - 1].rstrip()), size  # clipped: the rest is "…"
        Card(summary=summary, indicator="warning", source=dose_source(), overrideReasons=override_reasons())


def test_markdown_escapes_record_text() -> None:
    assert md.text("a|b <img src=x> [link](http://x) *b* _i_") == r"a\|b \<img src=x\> \[link\](http://x) \*b\* \_i\_"
    assert md.text(None) == "—" and md.text(2.50) == "2.5"
    table = md.table(["A", "B"], [["x|y", None]])
    assert table.splitlines() == ["| A | B |", "|---|---|", r"| x\|y | — |"]


def test_json_of_cards_has_no_null() -> None:
    card = Card(summary="s", indicator="warning", source=dose_source(), overrideReasons=override_reasons())
    assert "null" not in json.dumps(card.to_json())
