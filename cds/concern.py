"""What a clinical concern provides, so that the composition root lists it in one line.

A concern (CTCAE grading, RECIST 1.1 response, Lutathera dose advice, kidney dosimetry) is a subpackage of ``cds`` with
the same inside:

    table.py        load and check its ``rules/*.toml`` (through ``cds.rulebook``)
    prepare.py      timeline -> engine facts
    decide.py       its engine rulesets, and engine hits -> conclusions
    conclusions.py  its immutable result values
    document.py     its part of the output contract (docs/outputs.md), JSON and text
    concern.py      ``CONCERN``: the one object ``cds.bootstrap.CONCERNS`` lists

``cds.evaluation`` runs the concerns in the order the registry gives; a concern reads the
conclusions of the concerns before it from ``Context.earlier`` (the dose advice reads the CTCAE grades).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from cds.engine import Engine, Ruleset
    from cds.facts import Issue
    from cds.timeline import Timeline

DEFAULT_CTCAE_VERSION = "5.0"


@dataclass(frozen=True)
class Selection:
    """What a site chose among the tables shipped (today: the CTCAE version)."""

    ctcae_version: str = DEFAULT_CTCAE_VERSION


@dataclass(frozen=True)
class Context:
    """What one concern evaluates for one patient."""

    timeline: Timeline
    today: date  # the decision date for the next cycle (docs/outputs.md: ``--as-of``)
    selection: Selection
    engine: Engine
    earlier: Mapping[str, Any]  # the conclusions of the concerns evaluated before, by concern name


class Concern(Protocol):
    """One clinical concern, as the composition root, the evaluation and the document see it."""

    @property
    def name(self) -> str:
        """The key of its conclusions in ``PatientEvaluation.conclusions`` ("ctcae", "recist", "dose")."""
        ...

    def rulesets(self) -> list[Ruleset]:
        """Every engine ruleset it can run, for every selectable table version (durable_rules registers
        a ruleset name once per process, so all are built when the engine is)."""
        ...

    def check(self, selection: Selection) -> None:
        """Check its tables against the others in force; raises ``ConfigurationError``."""
        ...

    def version(self, selection: Selection) -> tuple[str, str]:
        """Its part of the ruleset version: a label ("ctcae-5.0") and the digest of its tables."""
        ...

    def evaluate(self, context: Context) -> Any:
        """Its conclusions for one patient (raises ``EvaluationError`` if the engine fails)."""
        ...

    def issues(self, conclusions: Any) -> tuple[Issue, ...]:
        """The issues its evaluation raised, for the patient's ``issues`` list."""
        ...

    def document(self, conclusions: Any) -> Mapping[str, Any]:
        """Its keys of the patient's JSON document, in contract order."""
        ...
