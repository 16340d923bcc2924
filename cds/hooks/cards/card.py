"""CDS Hooks 2.0.1 cards as typed values that can only be built valid, and what they share.

"CDS Service Response": ``summary`` is one sentence of fewer than 140 characters; optional members are
omitted rather than null or empty; ``suggestions`` need ``selectionBehavior``; an ``overrideReasons``
Coding needs a ``display``; a suggestion's action needs a ``description``, ``create``/``update``
carry the whole resource and ``delete`` a ``resourceId``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cds.ctcae.table import table as ctcae_table
from cds.dose.schedule import planned_course
from cds.evaluation import DEFAULT_CTCAE_VERSION
from cds.facts import Indicator

SUMMARY_MAX = 139
# what a summary keeps of its first part beside its notices ("Lutathera course complete (4 of 4 cycles given)")
NOTICE_LEAD = 47
TOPIC_SYSTEM = "urn:prrt-cds:card-topic"
# HL7 CDS "non-adherence reason" codes (tests/data/cds-hooks/vocabulary), those that fit
# overriding a PRRT dose recommendation, with the CodeSystem's display texts.
OVERRIDE_SYSTEM = "http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes"
OVERRIDE_CODES = (
    ("recipient-disagrees-evidence", "Recipient disagrees with recommendation because of issues with the evidence"),
    ("risk-benefit-ratio", "Recipient assessment of risk/benefit ratio"),
    ("expert-contradicts", "Advice from expert contradicts the recommended action"),
    ("policy-contradicts", "Institutional policy/guideline contradicts the recommended action"),
    ("need-more-info", "Could not address recommended action due to need for more information/pending results/"
                       "pending consult"),
    ("action-completed", "Recommended action was already completed"),
)
CTCAE_URL = "https://ctep.cancer.gov/protocolDevelopment/electronic_applications/ctc.htm"
LUTATHERA_URL = "https://lutathera-hcp.com/dosing-administration/dose-modifications"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class Coding(_Spec):
    system: str = Field(min_length=1)
    code: str = Field(min_length=1)
    display: str | None = Field(default=None, min_length=1)


class Source(_Spec):
    label: str = Field(min_length=1)
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    topic: Coding | None = None


class Action(_Spec):
    type: Literal["create", "update", "delete"]
    description: str = Field(min_length=1)
    resource: dict[str, Any] | None = None
    resourceId: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _shape(self) -> Action:
        if self.type == "delete" and (self.resourceId is None or self.resource is not None):
            raise ValueError("a delete action names a resourceId and carries no resource")
        if self.type != "delete" and not (self.resource and isinstance(self.resource.get("resourceType"), str)):
            raise ValueError(f"a {self.type} action carries a FHIR resource")
        return self


class Suggestion(_Spec):
    label: str = Field(min_length=1)
    uuid: str = Field(default_factory=lambda: str(uuid.uuid4()))
    isRecommended: bool | None = None
    actions: list[Action] | None = Field(default=None, min_length=1)


class Card(_Spec):
    uuid: str = Field(default_factory=lambda: str(uuid.uuid4()))
    summary: str = Field(min_length=1, max_length=SUMMARY_MAX)
    detail: str | None = Field(default=None, min_length=1)
    indicator: Indicator
    source: Source
    suggestions: list[Suggestion] | None = Field(default=None, min_length=1)
    selectionBehavior: Literal["at-most-one", "any"] | None = None
    overrideReasons: list[Coding] | None = Field(default=None, min_length=1)
    # CDS Hooks 2.0 "Extensions": reverse-domain keys (the protocol checks, cds.hooks.cards.protocol_card)
    extension: dict[str, Any] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _conditional(self) -> Card:
        if self.suggestions and self.selectionBehavior is None:
            raise ValueError("suggestions need a selectionBehavior")
        if any(reason.display is None for reason in self.overrideReasons or []):
            raise ValueError("override reasons need a display")
        return self


@dataclass(frozen=True)
class IssuedCard:
    """A card and what the audit records of it (the recommended action, the order it is about)."""

    card: Card
    action: str
    cycle: int | None = None
    order: str | None = None


def override_reasons() -> list[Coding]:
    return [Coding(system=OVERRIDE_SYSTEM, code=code, display=display) for code, display in OVERRIDE_CODES]


def toxicity_source(ctcae_version: str = DEFAULT_CTCAE_VERSION) -> Source:
    ctcae, dose = ctcae_table(ctcae_version), planned_course()
    return Source(label=f"prrt-cds: NCI CTCAE v{ctcae.version} and Lutathera label {dose.label_version}", url=CTCAE_URL,
                  topic=Coding(system=TOPIC_SYSTEM, code="prrt-toxicity", display="PRRT toxicity and next cycle"))


def dose_source() -> Source:
    dose = planned_course()
    return Source(label=f"prrt-cds: Lutathera dose modification (label {dose.label_version})", url=LUTATHERA_URL,
                  topic=Coding(system=TOPIC_SYSTEM, code="prrt-dose-check", display="Lutathera dose check"))


def order_card(summary: str, detail: str, indicator: Indicator, suggestions: Sequence[Suggestion | None]) -> Card:
    """A card on a Lutathera order: the dose check's source and override reasons, and the suggestions
    that could be made (None: none for this order), of which the clinician takes at most one."""
    kept = [s for s in suggestions if s is not None]
    return Card(summary=summary, detail=detail, indicator=indicator, source=dose_source(), suggestions=kept or None,
                selectionBehavior="at-most-one" if kept else None, overrideReasons=override_reasons())


def summary_of(parts: list[str], joiner: str = "; ", limit: int = SUMMARY_MAX) -> str:
    """Join the parts while they fit, most important first; the first is clipped if it must."""
    text = ""
    for part in parts:
        candidate = f"{text}{joiner}{part}" if text else part
        if len(candidate) > limit:
            break
        text = candidate
    return text or parts[0][: limit - 1].rstrip() + "…"


def notices_after(first: str | None, others: Sequence[str | None], lead: int = NOTICE_LEAD) -> str | None:
    """The notices a summary ends with (``summary_noting``): ``first``, then those of ``others`` that fit
    beside it and ``lead`` characters of the summary's first part (the card's detail states every one);
    without ``first``, the first of ``others`` leads: notices that all kept would not fit beside the
    recommendation crowded it out ("Lutat…") or made the summary longer than allowed."""
    kept = [notice for notice in others if notice]
    if first is None:
        if not kept:
            return None
        first, kept = kept[0], kept[1:]
    notices = [first]
    for notice in kept:
        if len("; ".join([*notices, notice])) + 2 + lead <= SUMMARY_MAX:
            notices.append(notice)
    return "; ".join(notices)


def summary_noting(parts: list[str], notice: str | None, joiner: str = "; ") -> str:
    """``summary_of`` that always keeps ``notice`` (e.g. stale labs) at its end, whatever else is dropped.

    The notice is clipped ("…") where it would leave the first part fewer than ``NOTICE_LEAD`` characters:
    however many notices reach a summary, it stays one a card may carry (never a failed answer) and still
    leads with what to do; the card's detail states every notice in full."""
    if not notice:
        return summary_of(parts, joiner)
    room = SUMMARY_MAX - NOTICE_LEAD - 2
    if len(notice) > room:
        notice = notice[: room - 1].rstrip() + "…"
    return f"{summary_of(parts, joiner, SUMMARY_MAX - len(notice) - 2)}; {notice}"
