"""An infusion stopped before completion delivered part of the activity: it is a cycle given (the course,
the interval to the next cycle, the kidney dose), never a cycle still due."""

from __future__ import annotations

from datetime import date

import factories as fx
import hooks_support as hs

from cds.evaluation import evaluate_collected
from cds.reading import from_objects


def test_a_stopped_infusion_is_a_cycle_given_and_the_next_cycle_is_due_eight_weeks_after_it() -> None:
    resources, _ = hs.scenario("proceed", "p1")  # cycles 1 and 2 given; normal labs of 2024-04-22
    resources.append(fx.procedure("p1-cycle-3", "2024-04-29", patient="Patient/p1", activity=3.1, status="stopped"))
    evaluation = evaluate_collected(from_objects([fx.bundle(resources)]), as_of=date(2024, 5, 6))
    [patient] = evaluation.patients
    assert [c.number for c in patient.timeline.cycles] == [1, 2, 3]
    given = {a.cycle: a for a in patient.alerts if a.given}
    assert given[3].given_activity_gbq == 3.1 and given[3].deviation is not None
    [upcoming] = [a for a in patient.alerts if not a.given]
    # before: cycle 3 read as still due, so a second infusion a week after the stopped one read as on time
    assert (upcoming.cycle, upcoming.due) == (4, date(2024, 6, 24))
