"""The protocol checks' part of the output contract (docs/outputs.md): ``protocol_checks`` on the alert of
the next cycle due, and the text output's lines."""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import Any

from cds.protocol.conclusions import ProtocolCheck, ProtocolChecks


def check_document(check: ProtocolCheck) -> dict[str, Any]:
    entry: dict[str, Any] = {"check": check.check, "status": check.status, "text": check.text, "rule": check.rule,
                             "evidence": list(check.evidence)}
    if check.source is not None:
        entry["source"] = check.source
    if check.verification is not None:
        entry["verification"] = check.verification
    if check.stops_cycle:
        entry["stops_cycle"] = True
    return entry


def checks_document(checks: Sequence[ProtocolCheck]) -> list[dict[str, Any]]:
    return [check_document(check) for check in checks]


def attach(alerts: Sequence[MutableMapping[str, Any]], checks: ProtocolChecks | None) -> None:
    """Put ``protocol_checks`` on the alert of the next cycle due (the one not given)."""
    if checks is None:
        return
    for alert in alerts:
        if not alert.get("given") and alert.get("cycle") == checks.cycle:
            alert["protocol_checks"] = checks_document(checks.checks)


def protocol_text(checks: ProtocolChecks | None) -> list[str]:
    """The text output's lines, indented under the patient."""
    if checks is None:
        return []
    lines = [f"  protocol checks before cycle {checks.cycle} ({checks.decision_date.isoformat()}):"]
    for check in checks.checks:
        evidence = f" ({', '.join(check.evidence)})" if check.evidence else ""
        stops = " (the cycle must not be given)" if check.stops_cycle else ""
        lines.append(f"    {check.status:<7} {check.check}: {check.text}{stops}{evidence} [{check.rule}]")
    return lines
