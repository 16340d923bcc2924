"""The latest result is the one that counts for every analyte whose grade modifies the dose, not only for
the analytes the table requires before each cycle: a neutrophil count that cannot be used (no unit, not
final) newer than a usable normal one is not hidden behind it (labs-needed, never "proceed" on the older
count)."""

from __future__ import annotations

from datetime import date
from typing import Any

import factories as fx
import hooks_support as hs

from cds.evaluation import evaluate_collected
from cds.reading import from_objects


def _next_alert(when: str, analyte: str = "neutrophils", **lab: Any) -> tuple[str, list[str]]:
    resources, as_of = hs.scenario("proceed", "p1")  # the required labs of 2024-04-22, normal
    resources.append(fx.lab("usable", analyte, 3.9, "10*9/L", patient="Patient/p1", when="2024-04-22T08:00:00Z",
                            low=1.0, high=7.7))
    resources.append(fx.lab("newer", analyte, 0.3, patient="Patient/p1", when=when, low=1.0, high=7.7, **lab))
    evaluation = evaluate_collected(from_objects([fx.bundle(resources)]), as_of=date.fromisoformat(as_of))
    [patient] = evaluation.patients
    upcoming = next(a for a in patient.alerts if not a.given)
    return upcoming.action, [r.rule for r in upcoming.reasons]


def test_a_preliminary_neutrophil_count_newer_than_the_usable_one_asks_for_its_final_value() -> None:
    action, rules = _next_alert("2024-04-25T08:00:00Z", unit="10*9/L", status="preliminary")
    assert action == "labs-needed"  # before: proceed at 7.4 GBq on the 2024-04-22 count
    assert "lutathera.labs.neutrophils" in rules


def test_a_neutrophil_count_without_a_unit_newer_than_the_usable_one_asks_for_it_again() -> None:
    action, rules = _next_alert("2024-04-25T08:00:00Z", unit=None)
    assert action == "labs-needed"
    assert "lutathera.labs.neutrophils" in rules


def test_an_unusable_neutrophil_count_older_than_the_usable_one_changes_nothing() -> None:
    action, rules = _next_alert("2024-04-20T08:00:00Z", unit="10*9/L", status="preliminary")
    assert action == "proceed" and rules == ["lutathera.proceed"]


def test_an_unusable_lymphocyte_count_newer_than_the_usable_one_asks_for_its_final_value() -> None:
    """Lymphopenia does not modify the dose (exempt, S4), but a lymphocytosis grade 3 (Lymphocyte count
    increased, >20 x10^9/L) is "any other grade 3 or 4": the latest lymphocyte count is read by the rules.
    It was: proceed at 7.4 GBq on the older count, while lymphocytosis was exempted as if lymphopenia."""
    action, rules = _next_alert("2024-04-25T08:00:00Z", analyte="lymphocytes", unit="10*9/L", status="preliminary")
    assert action == "labs-needed"
    assert "lutathera.labs.lymphocytes" in rules


def _only_unusable(when: str, analyte: str = "neutrophils", **lab: Any) -> tuple[str, list[Any]]:
    resources, as_of = hs.scenario("proceed", "p1")  # cycles 2024-01-08 and 2024-03-04; required labs normal
    resources.append(fx.lab("only", analyte, 0.3, patient="Patient/p1", when=when, low=1.0, high=7.7, **lab))
    evaluation = evaluate_collected(from_objects([fx.bundle(resources)]), as_of=date.fromisoformat(as_of))
    [patient] = evaluation.patients
    upcoming = next(a for a in patient.alerts if not a.given)
    return upcoming.action, list(upcoming.reasons)


def test_the_only_neutrophil_count_since_the_last_cycle_unusable_asks_for_it_again() -> None:
    action, reasons = _only_unusable("2024-04-25T08:00:00Z", unit=None)
    assert action == "labs-needed"  # before: proceed at 7.4 GBq, as if no count had been taken
    [reason] = [r for r in reasons if r.rule == "lutathera.labs.neutrophils"]
    assert reason.text.startswith("no usable Neutrophils (absolute) result since 2024-03-04: Observation/only: ")
    assert reason.observations == ("Observation/only",)


def test_an_unusable_neutrophil_count_before_the_last_cycle_changes_nothing() -> None:
    action, reasons = _only_unusable("2024-02-20T08:00:00Z", unit=None)  # the window of cycle 2, decided then
    assert action == "proceed" and [r.rule for r in reasons] == ["lutathera.proceed"]


def test_the_only_lymphocyte_count_unusable_asks_for_it_again() -> None:
    """A lymphocyte count can give "any other grade 3 or 4" (lymphocytosis): one taken and unreadable is
    asked for again. It was: proceed, the count read as lymphopenia only (exempt)."""
    action, reasons = _only_unusable("2024-04-25T08:00:00Z", analyte="lymphocytes", unit=None)
    assert action == "labs-needed"
    assert "lutathera.labs.lymphocytes" in [r.rule for r in reasons]
