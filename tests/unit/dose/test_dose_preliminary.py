"""A laboratory result not yet final (status preliminary) is never graded, and never hidden: newer than
the final result the dose rules would use, the cycle waits for its final value (labs-needed)."""

from __future__ import annotations

from datetime import date

import factories as fx
import hooks_support as hs

from cds.evaluation import evaluate_collected
from cds.reading import from_objects


def _next_alert(when: str) -> tuple[str, list[str], list[tuple[str | None, str | None]]]:
    resources, as_of = hs.scenario("proceed", "p1")
    resources.append(fx.lab("pre", "platelets", 40, "10*9/L", low=150, high=400, when=when, status="preliminary",
                            patient="Patient/p1"))
    evaluation = evaluate_collected(from_objects([fx.bundle(resources)]), as_of=date.fromisoformat(as_of))
    [patient] = evaluation.patients
    upcoming = next(a for a in patient.alerts if not a.given)
    graded = [(g.observation, g.reason) for g in patient.toxicities if g.observation == "Observation/pre"]
    return upcoming.action, [r.rule for r in upcoming.reasons], graded


def test_a_preliminary_count_newer_than_the_final_one_asks_for_the_final_value() -> None:
    action, rules, graded = _next_alert("2024-04-25T08:00:00Z")  # the final labs are of 2024-04-22
    assert action == "labs-needed"  # before: proceed at 7.4 GBq on the final 2024-04-22 count
    assert "lutathera.labs.platelets" in rules
    assert graded == [("Observation/pre", "status preliminary: not a final result, not graded until its final value")]


def test_a_preliminary_count_older_than_the_final_one_changes_nothing() -> None:
    action, rules, _ = _next_alert("2024-04-20T08:00:00Z")
    assert action == "proceed" and rules == ["lutathera.proceed"]
