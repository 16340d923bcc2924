"""Where a cycle given departs from the recommendation at that point (rules/lutathera_dose.toml
``[deviations]``, docs/outputs.md): an implausible or unrecorded activity, a cycle given while withheld,
after a discontinuation or without the labs it needs, too early, or at another activity.
"""

from __future__ import annotations

from cds.dose.conclusions import Decision, Deviation
from cds.dose.schedule import DecisionPoint, History
from cds.dose.table import DEVIATION_KINDS, DeviationKind, DoseTable


def deviations(table: DoseTable, point: DecisionPoint, action: Decision, recommended: float | None,
               history: History) -> tuple[Deviation, ...]:
    """Where the cycle given departs from the recommendation at that point, most severe first."""
    rules = table.deviations
    if rules is None:
        return ()
    given = point.given_activity_gbq
    found: list[Deviation] = []

    def add(kind: DeviationKind, **values: object) -> None:
        rule = rules.rules[kind]
        found.append(Deviation(kind=kind, text=rule.text.format(**values), rule=rule.rule, source=rule.source))

    maximum = table.max_plausible_activity_gbq
    implausible = given is not None and not 0 < given <= round(maximum, 9)
    if implausible:
        add("implausible-activity", given=f"{given:g}", maximum=f"{maximum:.6g}")
    if action == "discontinue":
        add("given-after-discontinue", discontinued_at=history.discontinued_at or point.cycle)
    if action == "withhold":
        add("given-while-withheld")
    if action == "labs-needed":  # no decision was possible: the cycle was given without the labs it needs
        add("given-without-labs")
    if point.previous is not None:
        days = (point.decision - point.previous[1]).days
        if days < rules.min_interval_days:
            add("early", days=days, previous=point.previous[0], minimum=rules.min_interval_days)
    if (given is not None and recommended is not None and not implausible
            and not table.within_tolerance(given, recommended)):
        add("activity", given=f"{given:g}", recommended=f"{recommended:g}")
    if given is None:  # neither a full nor a reduced cycle: never read as "given as recommended"
        add("activity-not-recorded")
    order = {kind: index for index, kind in enumerate(DEVIATION_KINDS)}
    return tuple(sorted(found, key=lambda d: order[d.kind]))

