"""Lutathera dose advice as the composition root lists it (``cds.concern.Concern``); it reads the CTCAE
grades concluded before it (``Context.earlier["ctcae"]``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cds.concern import Context, Selection
from cds.ctcae.table import table as ctcae_table
from cds.dose import table as dose_table
from cds.dose.conclusions import DoseAlert
from cds.dose.decide import compile_rulesets, dose_alerts
from cds.dose.document import alerts_document
from cds.engine import Ruleset
from cds.facts import Issue


class DoseConcern:
    """The recommendation for every cycle given and for the next cycle due."""

    name = "dose"

    def rulesets(self) -> list[Ruleset]:
        return compile_rulesets(dose_table.table())

    def check(self, selection: Selection) -> None:
        """The dose table's CTCAE terms against the selected CTCAE table; raises ConfigurationError
        naming the table, the class and the term."""
        dose_table.term_classes(dose_table.table(), ctcae_table(selection.ctcae_version))

    def version(self, selection: Selection) -> tuple[str, str]:
        dose = dose_table.table()
        return f"lutathera-{dose.version}", dose.digest

    def evaluate(self, context: Context) -> tuple[DoseAlert, ...]:
        grades = context.earlier["ctcae"]
        return tuple(dose_alerts(context.timeline, grades, context.today, dose_table.table(), context.engine))

    def issues(self, conclusions: Any) -> tuple[Issue, ...]:
        return ()

    def document(self, conclusions: Any) -> Mapping[str, Any]:
        return {"alerts": alerts_document(conclusions)}


CONCERN = DoseConcern()
