"""A completed Lutathera administration dated after the day decided on (``--as-of``; the service's "today")
stays counted as given (leaving it out could recommend a cycle that may already have been given), and the
patient's ``issues`` name it. Before, it was counted without a word: evaluated as of 2024-03-10, a chart
of four cycles read "4 cycles given" and decided no next cycle, with nothing saying that cycles 3 and 4
lay after that day."""

from __future__ import annotations

from datetime import date
from typing import Any

import factories as fx
import hooks_support as hs
import pytest

from cds.document import patient_document, to_text
from cds.evaluation import Evaluation, evaluate_collected, evaluate_patient
from cds.mapping import map_collected
from cds.reading import from_objects
from cds.timeline import build_timeline

CYCLES = ("2024-01-08", "2024-03-04", "2024-04-29", "2024-06-24")


def _result(as_of: str | None, cycles: tuple[str, ...] = CYCLES, *extra: dict[str, Any]) -> Any:
    resources = [*hs.prrt_record("p1", cycles=cycles, panels=[("2024-02-26", {})]), *extra]
    mapped = map_collected(from_objects(resources))
    return evaluate_patient(build_timeline(mapped.records["Patient/p1"]),
                            None if as_of is None else date.fromisoformat(as_of))


def _after(result: Any) -> list[tuple[str | None, str]]:
    return [(i.resource, i.message) for i in result.issues if "after the day decided on" in i.message]


def test_each_administration_after_the_day_decided_on_is_an_issue_and_stays_counted() -> None:
    result = _result("2024-03-10")
    assert [c.number for c in result.timeline.cycles] == [1, 2, 3, 4]  # counted as given
    assert [a.cycle for a in result.alerts if not a.given] == []  # the course reads as complete
    assert _after(result) == [
        ("Procedure/p1-cycle-3", "cycle 3 administered on 2024-04-29, after the day decided on (2024-03-10): "
                                 "counted as given; verify its date"),
        ("Procedure/p1-cycle-4", "cycle 4 administered on 2024-06-24, after the day decided on (2024-03-10): "
                                 "counted as given; verify its date"),
    ]
    assert all(i.severity == "warning" and i.patient == "Patient/p1" for i in result.issues
               if "after the day decided on" in i.message)
    document = patient_document(result)
    assert {"severity": "warning", "resource": "Procedure/p1-cycle-3", "message": _after(result)[0][1]} \
        in document["issues"]


@pytest.mark.parametrize(("as_of", "after"), [
    ("2024-06-24", []),  # on the day of cycle 4: given that day, not after it
    ("2024-06-23", ["Procedure/p1-cycle-4"]),  # the day before cycle 4
])
def test_an_administration_on_the_day_decided_on_is_not_after_it(as_of: str, after: list[str]) -> None:
    assert [ref for ref, _ in _after(_result(as_of))] == after


@pytest.mark.parametrize(("month", "as_of", "after"), [
    ("2024-04", "2024-04-01", False),  # the month holds the day decided on: it may have been given by then
    ("2024-04", "2024-04-30", False),
    ("2024-04", "2024-03-31", True),  # its earliest possible day, 2024-04-01, is after the day decided on
])
def test_a_cycle_dated_by_a_month_is_after_only_when_its_first_possible_day_is(month: str, as_of: str,
                                                                                after: bool) -> None:
    result = _result(as_of, ("2024-01-08", "2024-03-04", month))
    messages = [message for _, message in _after(result)]
    assert messages == ([f"cycle 3 administered on a day from 2024-04-01 to 2024-04-30, after the day decided "
                         f"on ({as_of}): counted as given; verify its date"] if after else [])


def test_every_record_of_the_cycle_is_named() -> None:
    """A Procedure and the MedicationAdministration of the same infusion: each record's date is to verify."""
    administration = fx.medication_administration("ma-3", "2024-04-29", patient="Patient/p1")
    result = _result("2024-03-10", CYCLES[:3], administration)
    assert sorted(ref for ref, _ in _after(result)) == ["MedicationAdministration/ma-3", "Procedure/p1-cycle-3"]


def test_without_as_of_the_day_decided_on_is_the_latest_date_and_nothing_is_after_it() -> None:
    assert _after(_result(None)) == []
    evaluation = evaluate_collected(from_objects(hs.prrt_record("p1", cycles=CYCLES)))
    assert [i for p in evaluation.patients for i in p.issues if "after the day decided on" in i.message] == []


def test_the_text_output_shows_the_issues() -> None:
    result = _result("2024-03-10")
    text = to_text(Evaluation(ruleset_version="v", patients=(result,)))
    assert ("  [warning] Procedure/p1-cycle-3: cycle 3 administered on 2024-04-29, after the day decided on "
            "(2024-03-10): counted as given; verify its date") in text.splitlines()
