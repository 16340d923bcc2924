"""The linear-quadratic arithmetic of the kidney dose (rules/kidney_dosimetry.toml, B08 and C06).

Per cycle, with absorbed dose D (Gy), effective half-life T_eff (h), repair half-time T_rep (h) and
alpha/beta (Gy):

    BED = D + D^2 * T_rep / ((alpha/beta) * (T_rep + T_eff))

Cycles weeks apart repair fully in between, so BEDs add: BED_cum = sum of BED_i. The largest dose D that
keeps BED_cum + BED(D) within a limit L is the positive root of k D^2 + D - R = 0 with R = L - BED_cum
and k = T_rep / ((alpha/beta) (T_rep + T_eff)): D = 2R / (1 + sqrt(1 + 4kR)) (the form without
cancellation). An activity A gives D = A * (Gy/GBq).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cds.numbers import signif


@dataclass(frozen=True)
class Radiobiology:
    """The kidney's linear-quadratic parameters (rules/kidney_dosimetry.toml [settings])."""

    alpha_beta_gy: float
    t_rep_h: float

    def k(self, t_eff_h: float) -> float:
        """The quadratic coefficient of one cycle: T_rep / ((alpha/beta) (T_rep + T_eff)), per Gy."""
        return self.t_rep_h / (self.alpha_beta_gy * (self.t_rep_h + t_eff_h))

    def bed(self, dose_gy: float, t_eff_h: float) -> float:
        """BED of one cycle (Gy)."""
        return dose_gy + dose_gy * dose_gy * self.k(t_eff_h)

    def max_dose(self, remaining_bed_gy: float, t_eff_h: float) -> float:
        """The largest absorbed dose of one cycle whose BED is at most ``remaining_bed_gy`` (0 if none)."""
        if remaining_bed_gy <= 0:
            return 0.0
        k = self.k(t_eff_h)
        return 2 * remaining_bed_gy / (1 + math.sqrt(1 + 4 * k * remaining_bed_gy))


@dataclass(frozen=True)
class Budget:
    """One limit in force for the next cycle: ``projected(activity)`` is the cumulative value after a
    next cycle of that activity, and ``limit`` the most it may be (inclusive)."""

    name: str  # the document key of the limit: "bed_gy", "absorbed_gy", "bone_marrow_absorbed_gy"
    limit: float
    projected: Callable[[float], float]
    estimate: float  # the exact largest activity (GBq) from the closed form, before rounding
    cumulative: float  # the value delivered so far (Gy)
    gy_per_gbq: float  # the organ's dose per activity


def steps_within(budget: Budget, step: float) -> int:
    """The largest whole number n of steps with ``projected(n * step) <= limit`` (0 when even a step
    does not fit). Starts from the closed form and corrects by single steps for floating point, so the
    answer is exact for the projection as computed, rounded as the limits are compared (``signif``:
    22.2 Gy and 0.8 Gy more are 23 Gy, within 23 Gy, not 23.000000000000004)."""
    def within(activity: float) -> bool:
        return signif(budget.projected(activity)) <= budget.limit
    n = max(0, math.floor(budget.estimate / step)) if math.isfinite(budget.estimate) else 0
    while n > 0 and not within(n * step):
        n -= 1
    while within((n + 1) * step):
        n += 1
    return n


def largest_activity(budgets: Sequence[Budget], step: float) -> tuple[float, str | None, int]:
    """The largest activity, a whole number of steps, that keeps every budget within its limit; the
    budget that sets it (the one with the fewest steps; the first of equals), and that number of steps.
    ``budgets`` must not be empty."""
    counts = [(steps_within(budget, step), index) for index, budget in enumerate(budgets)]
    n, index = min(counts)
    return round(n * step, 10), budgets[index].name, n
