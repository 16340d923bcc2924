"""The conclusions of the protocol checks: one status per check for the next cycle due, with the rule
that decided it, its source and verification status, and the FHIR resources it was drawn from."""

from __future__ import annotations

from datetime import date

from cds.facts import Fact
from cds.protocol.table import CheckId, Outcome


class ProtocolCheck(Fact):
    """One check before a cycle: ``ok``, ``warning`` or ``unknown`` (the record does not say)."""

    check: CheckId
    status: Outcome
    text: str
    rule: str
    source: str | None = None
    verification: str | None = None  # the rule's verification status (verified, unverified ...)
    evidence: tuple[str, ...] = ()
    stops_cycle: bool = False  # a warning that means the cycle must not be given (rules/protocol_checks.toml)


class ProtocolChecks(Fact):
    """Every check of the next cycle due, in the order of the output contract."""

    cycle: int
    decision_date: date
    checks: tuple[ProtocolCheck, ...]

    @property
    def worst(self) -> Outcome:
        """``warning`` if any check warns, else ``unknown`` if any is unknown, else ``ok``."""
        statuses = {check.status for check in self.checks}
        return "warning" if "warning" in statuses else "unknown" if "unknown" in statuses else "ok"

    @property
    def stopping(self) -> tuple[ProtocolCheck, ...]:
        """The warnings that mean the cycle must not be given as ordered."""
        return tuple(check for check in self.checks if check.status == "warning" and check.stops_cycle)
