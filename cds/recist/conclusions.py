"""RECIST 1.1 conclusions and settings: immutable values that carry the numbers and rules behind them.

``TimepointResponse`` is one assessment date after baseline (RECIST 1.1 §4.4.1); ``BestOverallResponse``
is the best response over them, unconfirmed and confirmed (RECIST 1.1 §4.4.3, Table 3, §4.6.1).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Literal

from pydantic import Field

from cds.facts import Fact, Issue, Response
from cds.recist.table import NonTargetCategory, OverallCategory, TargetCategory, table

Source = Literal["measured", "investigator"]


class RecistSettings(Fact):
    """Protocol parameters of the best overall response and of the baseline checks.

    Defaults come from ``[settings]`` of ``rules/recist_1_1.toml``, where each one is explained and
    sourced; ``RecistSettings.defaults().model_copy(update={...})`` changes one for a protocol.
    """

    confirmation_days: int = Field(ge=1)
    sd_minimum_days: int = Field(ge=0)
    max_ne_between_confirmation: int = Field(ge=0)
    cr_followed_by_pr: Literal["progression", "partial-response"]
    lymph_nodes_one_organ: bool
    non_measurable_target: Literal["non-target", "keep"]
    target_limits: Literal["not-evaluable", "keep"]

    @classmethod
    def defaults(cls) -> RecistSettings:
        return _defaults()


@cache
def _defaults() -> RecistSettings:
    return RecistSettings.model_validate(table().settings)


class TimepointResponse(Fact):
    """The RECIST 1.1 response at one assessment date after baseline.

    ``overall`` is the RECIST category, Table 2's "non-CR/non-PD" for non-target disease only included
    (docs/outputs.md). Percent changes are those the rules compared (12 significant digits); null
    where undefined.
    """

    day: date
    source: Source
    overall: OverallCategory
    target: TargetCategory | None = None
    non_target: NonTargetCategory | None = None
    new_lesions: bool | None = None
    ambiguous: bool = False
    sum_mm: float | None = None
    sum_complete: bool | None = None
    baseline_sum_mm: float | None = None
    nadir_mm: float | None = None
    change_from_baseline_pct: float | None = None
    change_from_nadir_pct: float | None = None
    change_from_nadir_mm: float | None = None
    missing_lesions: tuple[str, ...] = ()
    target_rule: str | None = None
    non_target_rule: str | None = None
    overall_rule: str | None = None
    reported: Response | None = None
    observations: tuple[str, ...] = ()

    @property
    def overall_for_best(self) -> Response:
        """The response the best overall response, the document and the cards read: the RECIST category
        itself. RECIST 1.1 Table 2 footnote: non-CR/non-PD is preferred over SD and is never shown as SD."""
        return self.overall


class BestOverallResponse(Fact):
    """Best overall response up to the first progression, unconfirmed and confirmed (RECIST 1.1 §4.4.3).

    ``unconfirmed_day``: the time point that gave the unconfirmed response. ``confirmed_days``: the
    response and its confirmation (CR, PR), or the qualifying time point (SD, non-CR/non-PD, PD). Null
    responses: no time point after baseline. ``non_target_only``: the patient has non-target disease
    only, so the stable category is non-CR/non-PD, never SD (RECIST 1.1 Table 2 footnote).
    """

    unconfirmed: Response | None = None
    confirmed: Response | None = None
    unconfirmed_day: date | None = None
    confirmed_days: tuple[date, ...] = ()
    non_target_only: bool = False
    settings: RecistSettings


class RecistAssessment(Fact):
    """Everything RECIST 1.1 concluded for one patient."""

    baseline_day: date | None = None
    baseline_sum_mm: float | None = None
    responses: tuple[TimepointResponse, ...] = ()
    best: BestOverallResponse
    issues: tuple[Issue, ...] = ()
