"""Then steps: the CTCAE grades and issues of the JSON document (docs/outputs.md).

"the grade for <term>" looks at the latest graded laboratory result for that term (or the one of the
stated day) and makes it the focus of the steps that follow: "the rule is ...", "the criterion set is
...", "the range source is ...", "the lab is in cycle ...", "a note says ...".
"""

from __future__ import annotations

import json
from typing import Any

from pytest_bdd import parsers, then

from steps.chart import Outcome
from steps.patterns import TERM


def _describe(entry: dict[str, Any]) -> str:
    return json.dumps(entry, indent=1, default=str)


def _entry(outcome: Outcome, term: str, day: str | None) -> dict[str, Any]:
    """The toxicity entry for ``term``: of ``day`` when given, else the latest one."""
    entries = [t for t in outcome.patient["toxicities"] if t["term"] == term]
    if not entries:
        terms = sorted({t["term"] for t in outcome.patient["toxicities"]})
        raise AssertionError(f'no result for "{term}"; the results are for {terms}')
    if day is not None:
        entries = [t for t in entries if t["effective"][:10] == day]
        assert len(entries) == 1, f'expected one result for "{term}" on {day}, found {len(entries)}'
    # The document lists toxicities by (effective, observation): the last one is the latest.
    entry: dict[str, Any] = entries[-1]
    outcome.focus = entry
    return entry


def _focus(outcome: Outcome) -> dict[str, Any]:
    assert outcome.focus is not None, 'say which result first: "Then the grade for "<CTCAE term>" is ..."'
    return outcome.focus


@then(parsers.re(rf"the grade for {TERM} is (?P<grade>[0-4])"), converters={"grade": int})
def grade_is(outcome: Outcome, term: str, day: str | None, grade: int) -> None:
    entry = _entry(outcome, term, day)
    assert entry["grade"] == grade, f'"{term}": expected grade {grade}, got {entry["grade"]}:\n{_describe(entry)}'


@then(parsers.re(rf'(?:the grade for )?{TERM} is not gradable because "(?P<reason>[^"]+)"'))
def not_gradable(outcome: Outcome, term: str, day: str | None, reason: str) -> None:
    entry = _entry(outcome, term, day)
    assert entry["grade"] is None, f'"{term}": expected no grade, got {entry["grade"]}:\n{_describe(entry)}'
    assert reason in entry["reason"], f'"{term}": the reason is {entry["reason"]!r}, not about {reason!r}'


@then(parsers.re(r'the rule is "(?P<rule>[^"]+)"'))
def rule_is(outcome: Outcome, rule: str) -> None:
    entry = _focus(outcome)
    assert entry.get("rule") == rule, f"expected rule {rule}, got {entry.get('rule')}:\n{_describe(entry)}"


@then(parsers.re(r'the criterion set is "(?P<unit_set>[^"]+)"'))
def criterion_set_is(outcome: Outcome, unit_set: str) -> None:
    entry = _focus(outcome)
    assert entry.get("criterion_set") == unit_set, (
        f"expected criterion set {unit_set}, got {entry.get('criterion_set')}:\n{_describe(entry)}"
    )


@then(parsers.re(r'the range source is "(?P<source>observation|default|mixed|none)"'))
def range_source_is(outcome: Outcome, source: str) -> None:
    entry = _focus(outcome)
    assert entry.get("range_source") == source, (
        f"expected range source {source}, got {entry.get('range_source')}:\n{_describe(entry)}"
    )


@then(parsers.re(r"the lab is in cycle (?P<cycle>\d+)"), converters={"cycle": int})
def lab_in_cycle(outcome: Outcome, cycle: int) -> None:
    entry = _focus(outcome)
    assert entry["cycle"] == cycle, f"expected cycle {cycle}, got {entry['cycle']}:\n{_describe(entry)}"


@then(parsers.re(r'a note says "(?P<text>[^"]+)"'))
def note_says(outcome: Outcome, text: str) -> None:
    entry = _focus(outcome)
    assert any(text in note for note in entry.get("notes", [])), f"no note about {text!r}:\n{_describe(entry)}"


@then(parsers.re(r'no note says "(?P<text>[^"]+)"'))
def no_note_says(outcome: Outcome, text: str) -> None:
    entry = _focus(outcome)
    assert not any(text in note for note in entry.get("notes", [])), f"a note is about {text!r}:\n{_describe(entry)}"


@then(parsers.re(r'there is an issue mentioning "(?P<text>[^"]+)"'))
def issue_mentioning(outcome: Outcome, text: str) -> None:
    issues = outcome.issues
    assert any(text.lower() in issue["message"].lower() for issue in issues), (
        f"no issue mentions {text!r}; the issues are {[i['message'] for i in issues]}"
    )


@then(parsers.re(r'there is no issue mentioning "(?P<text>[^"]+)"'))
def no_issue_mentioning(outcome: Outcome, text: str) -> None:
    issues = [i["message"] for i in outcome.issues if text.lower() in i["message"].lower()]
    assert not issues, f"issues mention {text!r}: {issues}"


@then("there are no issues")
def no_issues(outcome: Outcome) -> None:
    assert outcome.issues == [], f"unexpected issues: {outcome.issues}"


@then(parsers.re(r'the value was converted from "(?P<unit>[^"]+)" to be graded'))
def converted_from(outcome: Outcome, unit: str) -> None:
    """CTCAE gives no criteria in the reported unit: the value was graded on the SI set, and says so."""
    entry = _focus(outcome)
    assert entry.get("converted_from") == unit, f"expected converted_from {unit}:\n{_describe(entry)}"


@then("the value was graded in the unit it was reported in")
def graded_as_reported(outcome: Outcome) -> None:
    entry = _focus(outcome)
    assert "converted_from" not in entry, f"expected no conversion:\n{_describe(entry)}"
