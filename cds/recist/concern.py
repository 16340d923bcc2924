"""RECIST 1.1 tumour response as the composition root lists it (``cds.concern.Concern``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cds.concern import Context, Selection
from cds.engine import Ruleset
from cds.facts import Issue
from cds.recist import table as recist_table
from cds.recist.conclusions import RecistAssessment
from cds.recist.decide import assess_responses, compile_rulesets
from cds.recist.document import best_document, responses_document


class RecistConcern:
    """The time-point responses and the best overall response of one patient."""

    name = "recist"

    def rulesets(self) -> list[Ruleset]:
        return compile_rulesets(recist_table.table())

    def check(self, selection: Selection) -> None:
        recist_table.table()  # loading checks the table; it links to no other

    def version(self, selection: Selection) -> tuple[str, str]:
        recist = recist_table.table()
        return f"recist-{recist.version}", recist.digest

    def evaluate(self, context: Context) -> RecistAssessment:
        return assess_responses(context.timeline, context.engine)

    def issues(self, conclusions: Any) -> tuple[Issue, ...]:
        assessment: RecistAssessment = conclusions
        return tuple(assessment.issues)

    def document(self, conclusions: Any) -> Mapping[str, Any]:
        return {"responses": responses_document(conclusions), "best_overall_response": best_document(conclusions)}


CONCERN = RecistConcern()
