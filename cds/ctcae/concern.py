"""CTCAE laboratory grading as the composition root lists it (``cds.concern.Concern``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cds.concern import Context, Selection
from cds.ctcae.conclusions import ToxicityGrade
from cds.ctcae.decide import compile_ruleset, grade_timeline
from cds.ctcae.document import toxicities_document
from cds.ctcae.table import available_versions, table
from cds.engine import Ruleset
from cds.facts import Issue


class CtcaeConcern:
    """The grades of every laboratory result, by the CTCAE version the site selected."""

    name = "ctcae"

    def rulesets(self) -> list[Ruleset]:
        return [compile_ruleset(table(version)) for version in sorted(available_versions())]

    def check(self, selection: Selection) -> None:
        table(selection.ctcae_version)  # loading checks the table; the dose concern checks its links

    def version(self, selection: Selection) -> tuple[str, str]:
        ctcae = table(selection.ctcae_version)
        return f"ctcae-{ctcae.version}", ctcae.digest

    def evaluate(self, context: Context) -> tuple[ToxicityGrade, ...]:
        return tuple(grade_timeline(context.timeline, table(context.selection.ctcae_version), context.engine))

    def issues(self, conclusions: Any) -> tuple[Issue, ...]:
        return ()

    def document(self, conclusions: Any) -> Mapping[str, Any]:
        return {"toxicities": toxicities_document(conclusions)}


CONCERN = CtcaeConcern()
