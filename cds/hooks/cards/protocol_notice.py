"""What the cards of both services say about the checks before the next cycle (cds.protocol): the names
of the checks, which of them ask for a card, and the words of the summary when one stops the cycle."""

from __future__ import annotations

from cds.hooks.cards import markdown as md
from cds.protocol import table as protocol_table
from cds.protocol.conclusions import ProtocolCheck, ProtocolChecks

LABELS = {
    "ssa-long-acting": "long-acting somatostatin analogue", "ssa-short-acting": "short-acting somatostatin analogue",
    "pregnancy": "pregnancy status", "amino-acids": "amino acids", "potassium": "potassium",
    "kidney-dose": "cumulative kidney dose",
}
# Checks whose warning is carried by another part of the cards: the kidney dose is weighed against the
# activity actually ordered by the dose card (cds.hooks.cards.dose_card, kidney cap) and summarised on
# the patient-view card by its kidney dose notice; the check stays in every card's extension.
CARRIED_ELSEWHERE = frozenset({"kidney-dose"})


def open_checks(checks: ProtocolChecks | None) -> list[ProtocolCheck]:
    """The checks that are not ok, less those another part of the card carries."""
    if checks is None:
        return []
    return [c for c in checks.checks if c.status != "ok" and c.check not in CARRIED_ELSEWHERE]


def to_verify(checks: ProtocolChecks | None) -> list[ProtocolCheck]:
    """The open checks that are unknown where the table says an unknown alone asks for attention
    (``card_when_unknown`` of rules/protocol_checks.toml: pregnancy not excluded): both services then warn."""
    asking = protocol_table.table().card_when_unknown
    return [c for c in open_checks(checks) if c.status == "unknown" and c.check in asking]


def hold_summary(checks: ProtocolChecks) -> str | None:
    """"Hold Lutathera cycle 3: pregnancy status says the cycle must not be given", or None when no
    check stops the cycle."""
    stopping = [LABELS[c.check] for c in checks.stopping if c.check not in CARRIED_ELSEWHERE]
    if not stopping:
        return None
    return f"Hold Lutathera cycle {checks.cycle}: {', '.join(stopping)} says the cycle must not be given"


def checks_lines(checks: ProtocolChecks) -> str:
    """A short detail section: every check that is not ok, with what was found."""
    rows = [f"- **{md.text(LABELS[c.check])}**: {c.status}"
            f"{' (the cycle must not be given)' if c.stops_cycle and c.status == 'warning' else ''}: {md.text(c.text)}"
            for c in open_checks(checks)]
    if not rows:
        return ""
    return "\n".join([f"**Checks before Lutathera cycle {checks.cycle}** (decided for "
                      f"{md.text(checks.decision_date)}; unknown: the record does not say)", "", *rows])
