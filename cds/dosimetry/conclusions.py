"""The conclusions of the kidney dosimetry: per-cycle doses, the cumulative dose, the limits in force and
why, what the engine found against them, and the largest next activity within them."""

from __future__ import annotations

from typing import Literal

from cds.facts import Fact, Issue, RiskFactor

Scope = Literal["delivered", "projected"]


class CycleDose(Fact):
    """One cycle's dose to one organ, from its dosimetry Observation; a value that cannot be known is
    None and ``reason`` says why."""

    cycle: int
    absorbed_gy: float | None = None
    bed_gy: float | None = None  # kidney only
    gy_per_gbq: float | None = None
    gy_per_gbq_from: Literal["observation", "activity"] | None = None
    t_eff_h: float | None = None
    side: Literal["mean", "left", "right"] | None = None
    observation: str | None = None  # the Observation whose dose is used
    observations: tuple[str, ...] = ()  # every dosimetry Observation of the cycle and organ
    reason: str | None = None


class LimitInForce(Fact):
    """A limit that holds for this patient (the rule that put it in force, with its source)."""

    key: str  # "bed_gy", "absorbed_gy", "bone_marrow_absorbed_gy"
    value_gy: float
    rule: str
    text: str
    source: str
    status: str


class Finding(Fact):
    """A limit exceeded by the dose delivered so far, or by the dose projected after the next cycle."""

    rule: str
    limit: str
    scope: Scope
    value_gy: float
    limit_gy: float
    text: str
    source: str
    status: str


class LimitRoom(Fact):
    """One limit in force for the next cycle: the dose left under it and the largest activity that fits
    (before rounding to the step), as the decision worked them out: what a card shows as its arithmetic."""

    limit: str  # "bed_gy", "absorbed_gy" (kidney) or "bone_marrow_absorbed_gy"
    limit_gy: float
    cumulative_gy: float  # delivered so far
    gy_per_gbq: float  # of the organ the limit is about
    activity_gbq: float  # the largest activity within this limit, unrounded (0 when there is no room)

    @property
    def room_gy(self) -> float:
        """The dose left under the limit (below 0: the limit is already exceeded)."""
        return self.limit_gy - self.cumulative_gy


class NextCycle(Fact):
    """The next cycle projected with the patient's own kinetics, and the largest activity within the limits."""

    cycle: int
    planned_activity_gbq: float
    planned_from: Literal["dose-recommendation", "full-activity"]
    kinetics_cycle: int | None = None
    gy_per_gbq: float | None = None
    t_eff_h: float | None = None
    projected_absorbed_gy: float | None = None
    projected_cumulative_bed_gy: float | None = None
    max_activity_gbq: float | None = None
    max_activity_within_limits_gbq: float | None = None  # before the cap at the planned activity
    binding_limit: str | None = None
    step_gbq: float
    reason: str | None = None  # why no largest activity can be given
    rooms: tuple[LimitRoom, ...] = ()  # every limit in force, when the largest activity could be worked out


class BoneMarrow(Fact):
    """The bone marrow absorbed dose, information only unless the site set a limit."""

    cycles: tuple[CycleDose, ...]
    cumulative_absorbed_gy: float | None
    reason: str | None
    limit_gy: float | None
    reference_gy: float
    reference_source: str
    reference_status: str


class KidneyDosimetry(Fact):
    """The kidney dosimetry of one patient (present when dosimetry Observations exist)."""

    cycles: tuple[CycleDose, ...]
    cumulative_absorbed_gy: float | None
    cumulative_bed_gy: float | None
    absorbed_reason: str | None = None
    bed_reason: str | None = None
    risk_factors: tuple[RiskFactor, ...] = ()
    limits: tuple[LimitInForce, ...] = ()
    why: str
    alpha_beta_gy: float
    t_rep_h: float
    parameters_source: str
    next: NextCycle | None = None
    findings: tuple[Finding, ...] = ()
    bone_marrow: BoneMarrow | None = None
    issues: tuple[Issue, ...] = ()
