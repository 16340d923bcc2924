"""The protocol checks as the composition root lists them (``cds.concern.Concern``); they read the dose
advice's next cycle due (``Context.earlier["dose"]``), the CTCAE grades (``Context.earlier["ctcae"]``)
and the kidney dosimetry (``Context.earlier["dosimetry"]``, for the kidney-dose check)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cds.concern import Context, Selection
from cds.ctcae.conclusions import ToxicityGrade
from cds.ctcae.table import table as ctcae_table
from cds.dose.conclusions import DoseAlert
from cds.dosimetry.conclusions import KidneyDosimetry
from cds.engine import Engine, Ruleset
from cds.facts import Issue, TreatmentRecord
from cds.protocol import table as protocol_table
from cds.protocol.conclusions import ProtocolChecks
from cds.protocol.decide import compile_rulesets, decide
from cds.protocol.prepare import prepare
from cds.timeline import Timeline


class ProtocolConcern:
    """The label's and the guidelines' checks before the next cycle due, other than laboratory toxicity."""

    name = "protocol"

    def rulesets(self) -> list[Ruleset]:
        return compile_rulesets(protocol_table.table())

    def check(self, selection: Selection) -> None:
        """The potassium check's CTCAE term against the selected CTCAE table."""
        protocol_table.check_links(protocol_table.table(), ctcae_table(selection.ctcae_version))

    def version(self, selection: Selection) -> tuple[str, str]:
        table = protocol_table.table()
        return f"protocol-{table.version}", table.digest

    def evaluate(self, context: Context) -> ProtocolChecks | None:
        alerts: tuple[DoseAlert, ...] = context.earlier["dose"]
        upcoming = next((alert for alert in alerts if not alert.given), None)
        if upcoming is None:  # the planned course is complete: no cycle to check
            return None
        table = protocol_table.table()
        prepared = prepare(context.timeline, context.earlier["ctcae"], upcoming.cycle, upcoming.decision_date, table,
                           context.selection.ctcae_version, kidney=context.earlier.get("dosimetry"))
        return ProtocolChecks(cycle=upcoming.cycle, decision_date=upcoming.decision_date,
                              checks=decide(prepared, table, context.engine))

    def issues(self, conclusions: Any) -> tuple[Issue, ...]:
        return ()

    def document(self, conclusions: Any) -> Mapping[str, Any]:
        """No key of its own: ``protocol_checks`` goes on the next cycle's alert (``cds.protocol.document.attach``)."""
        return {}


def checks_with_orders(timeline: Timeline, grades: Sequence[ToxicityGrade], upcoming: DoseAlert, ctcae_version: str,
                       engine: Engine, ordered: Sequence[TreatmentRecord],
                       kidney: KidneyDosimetry | None = None) -> ProtocolChecks:
    """The checks of the next cycle due as an order hook sees them: the orders being signed count for the
    amino acids, and their absence there is a warning (rules/protocol_checks.toml, in_orders)."""
    table = protocol_table.table()
    prepared = prepare(timeline, grades, upcoming.cycle, upcoming.decision_date, table, ctcae_version, ordered, kidney)
    return ProtocolChecks(cycle=upcoming.cycle, decision_date=upcoming.decision_date,
                          checks=decide(prepared, table, engine))


CONCERN = ProtocolConcern()
