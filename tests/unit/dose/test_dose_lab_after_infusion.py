"""A laboratory result drawn on the day of a cycle but after its infusion (both times recorded) is not a
result before that cycle: it belongs to the time after it, and counts for the next cycle.

Before: the dose rules read the labs of a cycle as those dated after the previous cycle's day up to the
cycle's day, by date alone. A grade 2 thrombocytopenia measured at 14:00, after the 09:30 infusion of
cycle 2, was read as a finding before cycle 2 (given "despite" it: withhold, critical), and never for
cycle 3, which read "proceed" at the full activity; drawn the next morning, it gave cycle 3 "reduce".
Where a time is not recorded (a date alone, on the cycle or the result), a result of the cycle's day is
still read as one before it."""

from __future__ import annotations

from datetime import date
from typing import Any

import factories as fx
import hooks_support as hs
import pytest

from cds.evaluation import evaluate_collected
from cds.reading import from_objects

PID = "p1"


def _panel(day: str, when: str | None, **values: float) -> list[dict[str, Any]]:
    """The required labs of ``day``, at ``when`` (a dateTime, or a date alone)."""
    return [{**lab, "effectiveDateTime": when} for lab in hs.panel(PID, day, **values)]


def _alerts(cycles: tuple[str, ...], *panels: list[dict[str, Any]]) -> dict[int, Any]:
    resources = hs.prrt_record(PID, cycles=cycles)
    for labs in panels:
        resources += labs
    (patient,) = evaluate_collected(from_objects(resources), date(2024, 4, 29), "5.0").patients
    return {alert.cycle: alert for alert in patient.alerts}


TIMED = ("2024-01-08T09:30:00Z", "2024-03-04T09:30:00Z")


def test_a_result_after_the_infusion_counts_for_the_next_cycle() -> None:
    alerts = _alerts(TIMED, _panel("2024-03-04", "2024-03-04T14:00:00Z", platelets=60.0), hs.panel(PID, "2024-04-22"))
    assert alerts[2].action == "labs-needed"  # cycle 2 was given with no result before it
    assert alerts[3].action == "reduce"  # the thrombocytopenia after cycle 2 has resolved: 3.7 GBq
    assert alerts[3].reasons[0].rule == "lutathera.thrombocytopenia.reduce"


def test_a_result_before_the_infusion_on_its_day_counts_for_that_cycle() -> None:
    alerts = _alerts(TIMED, _panel("2024-03-04", "2024-03-04T08:00:00Z"), hs.panel(PID, "2024-04-22"))
    assert (alerts[2].action, alerts[3].action) == ("proceed", "proceed")


def test_a_result_at_the_infusion_time_counts_for_that_cycle() -> None:
    alerts = _alerts(TIMED, _panel("2024-03-04", "2024-03-04T09:30:00Z"), hs.panel(PID, "2024-04-22"))
    assert alerts[2].action == "proceed"


def test_times_on_other_offsets_are_compared_as_instants() -> None:
    """10:00+01:00 is 09:00 UTC: before the 09:30 UTC infusion."""
    alerts = _alerts(TIMED, _panel("2024-03-04", "2024-03-04T10:00:00+01:00", platelets=60.0),
                     hs.panel(PID, "2024-04-22"))
    assert alerts[2].action == "withhold"


@pytest.mark.parametrize(("cycles", "when"), [
    (("2024-01-08", "2024-03-04"), "2024-03-04T14:00:00Z"),  # the cycle's time is not recorded
    (TIMED, "2024-03-04"),  # the result's time is not recorded
])
def test_without_both_times_a_result_of_the_cycles_day_is_read_as_before_it(cycles: tuple[str, ...],
                                                                               when: str) -> None:
    alerts = _alerts(cycles, _panel("2024-03-04", when, platelets=60.0), hs.panel(PID, "2024-04-22"))
    assert alerts[2].action == "withhold"
    assert alerts[3].action == "proceed"


def test_a_medication_administration_gives_its_procedure_the_infusion_time() -> None:
    """A Procedure dated by its day, its MedicationAdministration (partOf it) by the time of the infusion."""
    resources = hs.prrt_record(PID)
    resources.append(fx.medication_administration("ma-2", "2024-03-04T09:30:00Z", part_of=f"Procedure/{PID}-cycle-2",
                                                  patient=f"Patient/{PID}"))
    resources += _panel("2024-03-04", "2024-03-04T14:00:00Z", platelets=60.0) + hs.panel(PID, "2024-04-22")
    (patient,) = evaluate_collected(from_objects(resources), date(2024, 4, 29), "5.0").patients
    alerts = {alert.cycle: alert for alert in patient.alerts}
    assert (alerts[2].action, alerts[3].action) == ("labs-needed", "reduce")
