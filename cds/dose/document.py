"""The dose part of the output contract (docs/outputs.md): ``alerts``, one entry per cycle given and
for the next cycle due, with its reasons, deviations and the labs used; and the text output's lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cds.dose.conclusions import Deviation, DoseAlert, DoseReason, LabsUsed
from cds.dose.labs_used import labs_text
from cds.tables import shown_value


def _reason(reason: DoseReason) -> dict[str, Any]:
    entry: dict[str, Any] = {"rule": reason.rule, "text": reason.text}
    for key in ("term", "grade", "value", "unit", "value_text", "detail", "source", "status"):
        value = getattr(reason, key)
        if value is not None:
            entry[key] = value
    entry["observations"] = list(reason.observations)
    return entry


def _deviation(deviation: Deviation) -> dict[str, Any]:
    return {"kind": deviation.kind, "text": deviation.text, "rule": deviation.rule, "source": deviation.source}


def _labs(labs: LabsUsed | None) -> dict[str, Any] | None:
    if labs is None:
        return None
    return {
        "oldest": labs.oldest.isoformat() if labs.oldest else None,
        "latest": labs.latest.isoformat() if labs.latest else None,
        "age_days": labs.age_days, "max_age_days": labs.max_age_days, "stale": labs.stale,
        "observations": list(labs.observations),
    }


def _alert(alert: DoseAlert) -> dict[str, Any]:
    entry = {
        "cycle": alert.cycle,
        "due": alert.due.isoformat(),
        "decision_date": alert.decision_date.isoformat(),
        "given": alert.given,
        "given_activity_gbq": alert.given_activity_gbq,
        "action": alert.action,
        "indicator": alert.indicator,
        "recommended_activity_gbq": alert.recommended_activity_gbq,
        "reasons": [_reason(reason) for reason in alert.reasons],
        "labs": _labs(alert.labs),
    }
    if alert.laboratory_action is not None:  # a protocol check holds the cycle (cds.protocol.hold)
        entry["laboratory_action"] = alert.laboratory_action
    if alert.given:  # docs/outputs.md: a cycle given says where it departs from the recommendation
        entry["deviation"] = _deviation(alert.deviation) if alert.deviation else None
        entry["deviations"] = [_deviation(d) for d in alert.deviations]
    return entry


def _reason_text(reason: DoseReason) -> str:
    found = []
    if reason.value is not None:
        value = shown_value(reason.value, reason.unit, reason.value_text) or ""
        if value not in (reason.detail or ""):
            found.append(value)
    if reason.detail:
        found.append(reason.detail)
    if reason.observations:
        found.append(", ".join(reason.observations))
    return f"{reason.text}" + (f" ({'; '.join(found)})" if found else "") + f" [{reason.rule}]"


def alerts_document(alerts: Sequence[DoseAlert]) -> list[dict[str, Any]]:
    """The patient's ``alerts`` key, in cycle order."""
    return [_alert(alert) for alert in alerts]


def alerts_text(alerts: Sequence[DoseAlert]) -> list[str]:
    """The text output's lines of the dose recommendations, indented under the patient."""
    lines: list[str] = []
    for alert in alerts:
        activity = "" if alert.recommended_activity_gbq is None else f" at {alert.recommended_activity_gbq:g} GBq"
        if alert.given:
            given = "activity not recorded" if alert.given_activity_gbq is None else \
                f"{alert.given_activity_gbq:g} GBq given"
            state = f"given {alert.decision_date.isoformat()}, {given}"
        else:
            state = f"due {alert.due.isoformat()}"
        held = "" if alert.laboratory_action is None else f" (laboratory rules: {alert.laboratory_action})"
        lines.append(f"  cycle {alert.cycle} ({state}): {alert.action}{activity}{held}")
        lines.append(f"    {labs_text(alert.labs, alert.decision_date.isoformat())}")
        for deviation in alert.deviations:
            lines.append(f"    ! deviation ({deviation.kind}): {deviation.text} [{deviation.rule}]")
        for reason in alert.reasons:
            lines.append(f"    - {_reason_text(reason)}")
    return lines
