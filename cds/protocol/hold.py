"""A check that stops the cycle (rules/protocol_checks.toml ``stops_cycle``: a positive pregnancy test) on
the recommendation of the next cycle due, for the JSON and text outputs.

The laboratory rules may say "proceed at 7.4 GBq" while a check says the cycle must not be given. An
integrator who reads only ``action`` must not read "proceed": the alert of that cycle reads ``withhold``
(critical, no activity), the stopping checks lead its reasons, and ``laboratory_action`` keeps what the
laboratory rules alone said. A withhold or a discontinue of the laboratory rules stays as it is. The cards
combine the two themselves (cds.hooks.cards.protocol_notice).
"""

from __future__ import annotations

from collections.abc import Sequence

from cds.dose.conclusions import DoseAlert, DoseReason
from cds.protocol.conclusions import ProtocolCheck, ProtocolChecks

HELD_FROM = frozenset({"proceed", "reduce", "labs-needed"})  # what a stopping check turns into a withhold


def _reason(check: ProtocolCheck) -> DoseReason:
    return DoseReason(kind="protocol", rule=check.rule, text=f"{check.text}: the cycle must not be given",
                      observations=check.evidence, source=check.source, status=check.verification)


def held(alerts: Sequence[DoseAlert], checks: ProtocolChecks | None) -> tuple[DoseAlert, ...]:
    """``alerts`` with the next cycle's held when a check stops it; the same alerts otherwise."""
    stopping = checks.stopping if checks is not None else ()
    if not stopping or checks is None:
        return tuple(alerts)
    return tuple(
        alert.model_copy(update={
            "action": "withhold", "indicator": "critical", "recommended_activity_gbq": None,
            "reasons": tuple(_reason(check) for check in stopping) + alert.reasons,
            "laboratory_action": alert.action})
        if not alert.given and alert.cycle == checks.cycle and alert.action in HELD_FROM else alert
        for alert in alerts)
