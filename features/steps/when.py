"""When steps: evaluate the scenario's FHIR record through the real path (optionally on a stated day)."""

from __future__ import annotations

from datetime import date

from pytest_bdd import parsers, when

from steps.chart import Chart, Outcome, evaluate
from steps.patterns import DATE


def _checked(chart: Chart, outcome: Outcome) -> Outcome:
    """The cycles the scenario numbers must be the cycles the engine numbers by date: a scenario that
    says "PRRT cycle 2 was given on ..." before the date of cycle 1 is a mistake in the scenario."""
    if chart.cycles:
        numbered = {c["number"]: c["date"] for c in outcome.patient["cycles"]}
        stated = {n: d.isoformat() for n, d in chart.cycles.items()}
        assert numbered == stated, f"the scenario's cycles {stated} are numbered by date as {numbered}"
    return outcome


@when("the rules are evaluated", target_fixture="outcome")
def rules_are_evaluated(chart: Chart) -> Outcome:
    """``evaluate_collected(from_objects(resources))``, rendered with ``to_document``; "today" (for the
    next cycle's dose decision) is the latest date of the record."""
    return _checked(chart, evaluate(chart))


@when(parsers.re(rf"the rules are evaluated on (?P<day>{DATE})"), target_fixture="outcome")
def rules_are_evaluated_on(chart: Chart, day: str) -> Outcome:
    """The same, with that day as "today" (``as_of``): the next cycle due is decided on it, or on its
    due date when that is later."""
    return _checked(chart, evaluate(chart, as_of=date.fromisoformat(day)))
