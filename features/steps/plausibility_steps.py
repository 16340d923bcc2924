"""Steps of the plausibility scenarios (features/input/plausibility.feature): an administration the scenario
does not number (its date is impossible, so it is no cycle), and issues that must not be there."""

from __future__ import annotations

import factories as fx
from pytest_bdd import given, parsers, then

from steps.chart import PATIENT, Chart, Outcome
from steps.patterns import DATE


@given(parsers.re(rf"a PRRT administration recorded on (?P<day>{DATE})"))
def administration_recorded(chart: Chart, day: str) -> None:
    """A completed PRRT Procedure of 7.4 GBq that the scenario does not count as a cycle: the
    evaluation checks that the cycles it numbers are exactly the ones the scenario gives."""
    chart.administrations.append(fx.procedure(chart.next_id("administration"), day, patient=PATIENT))


@then(parsers.re(r'no issue mentions "(?P<text>[^"]+)"'))
def no_issue_mentions(outcome: Outcome, text: str) -> None:
    found = [i["message"] for i in outcome.issues if text.lower() in i["message"].lower()]
    assert not found, f"issues mention {text!r}: {found}"
