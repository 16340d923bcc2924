"""Post-therapy kidney dosimetry as the composition root lists it (``cds.concern.Concern``); it reads the
dose advice concluded before it (``Context.earlier["dose"]``) for the activity planned next."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cds.concern import Context, Selection
from cds.dose import table as dose_table
from cds.dosimetry import table as dosimetry_table
from cds.dosimetry.conclusions import KidneyDosimetry
from cds.dosimetry.decide import assess, compile_rulesets
from cds.dosimetry.document import dosimetry_document
from cds.engine import Ruleset
from cds.facts import Issue


class DosimetryConcern:
    """The cumulative kidney dose, the limits in force and the largest next activity within them."""

    name = "dosimetry"

    def rulesets(self) -> list[Ruleset]:
        return compile_rulesets(dosimetry_table.table())

    def check(self, selection: Selection) -> None:
        dosimetry_table.table()  # loading checks the table; it links to no other

    def version(self, selection: Selection) -> tuple[str, str]:
        table = dosimetry_table.table()
        return f"dosimetry-{table.version}", table.digest

    def evaluate(self, context: Context) -> KidneyDosimetry | None:
        alerts = context.earlier.get("dose", ())
        return assess(context.timeline, alerts, dose_table.table().full_activity_gbq, dosimetry_table.table(),
                      context.engine)

    def issues(self, conclusions: Any) -> tuple[Issue, ...]:
        result: KidneyDosimetry | None = conclusions
        return () if result is None else result.issues

    def document(self, conclusions: Any) -> Mapping[str, Any]:
        return {"kidney_dosimetry": dosimetry_document(conclusions)}


CONCERN = DosimetryConcern()
