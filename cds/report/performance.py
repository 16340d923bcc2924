"""ECOG and Karnofsky performance status before the first cycle and after the last, compared in the
patients who have both with the Wilcoxon signed-rank test (scipy, two-sided, zero differences dropped:
Wilcoxon's method).

Two ways to its p-value, a report setting (``ReportSettings.performance_test``), the method used named
with the result (``PairedComparison.method``):
- ``exact`` (the default, the conservative reading): the exact distribution of the statistic over the
  patients whose score changed; with tied differences (ECOG and Karnofsky scores almost always tie) the
  exact permutation distribution conditional on the ties, up to ``EXACT_MAX_CHANGED`` changed patients
  (2^13 sign patterns, enumerated); beyond that, the normal approximation, which is then close.
- ``asymptotic``: the normal approximation, tie-corrected, without continuity correction (SPSS's
  "asymptotic significance", the test small clinical series usually report).
Unchanged patients are dropped before the test, so they never move the p-value (scipy's own automatic
choice switched method on the number of pairs including them: 7 improved and 1 worsened read p = 0.070
alone and 0.034 beside 8 unchanged patients).

The test is only run where it can mean something. With ``k`` changed patients the smallest two-sided
p-value the exact test can give is 2 / 2^k (every change in one direction), 0.0625 at k = 5 and 0.03125 at
k = 6. Below ``MIN_CHANGED`` (the smallest k at which p < ``ALPHA`` is possible at all) any p-value would
read as a result it cannot be, and at one patient scipy returns p = 1. There the comparison carries no
p-value and no statistic but a reason (``not_computed``) that every rendering of the report shows instead.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median
from typing import Literal

from scipy.stats import PermutationMethod, wilcoxon

TEST = "wilcoxon signed-rank"
PerformanceTest = Literal["exact", "asymptotic"]
PERFORMANCE_TESTS: tuple[PerformanceTest, ...] = ("exact", "asymptotic")
DEFAULT_PERFORMANCE_TEST: PerformanceTest = "exact"
EXACT_MAX_CHANGED = 13  # 2^13 = 8,192 sign patterns: below scipy's 9,999 resamples, so enumerated exactly
EXACT, PERMUTATION, ASYMPTOTIC = ("exact", "exact permutation (tied differences)",
                                  "normal approximation (tie-corrected, no continuity correction)")
ALPHA = 0.05  # the conventional two-sided significance level; a statistical convention, not a clinical threshold


def _min_changed(alpha: float) -> int:
    """The smallest number of non-zero differences for which the exact two-sided p (at least 2 / 2^k)
    can fall below ``alpha``."""
    k = 1
    while 2.0 ** (1 - k) >= alpha:
        k += 1
    return k


MIN_CHANGED = _min_changed(ALPHA)  # 6


@dataclass(frozen=True)
class PairedComparison:
    """Medians before and after, and the signed-rank test, on ``n`` patients with both scores.

    ``statistic`` and ``p_value`` are ``None`` when the test was not run; ``not_computed`` then says why
    ("not computed: 1 paired patient; at least 6 with a change needed")."""

    scale: str
    n: int
    before_median: float | None
    after_median: float | None
    improved: int
    worsened: int
    statistic: float | None
    p_value: float | None
    test: str = TEST
    not_computed: str | None = None
    method: str | None = None  # how the p-value was computed (EXACT, PERMUTATION, ASYMPTOTIC); None: not run
    min_changed: int = MIN_CHANGED


def signed_rank(before: Sequence[float], after: Sequence[float], test: PerformanceTest = DEFAULT_PERFORMANCE_TEST,
                ) -> tuple[float | None, float | None, str | None]:
    """scipy's Wilcoxon signed-rank statistic, p-value and the method used (see the module); ``None``s when
    every difference is zero. Zero differences are dropped first.

    No minimum sample size here: ``compare`` decides whether the result may be reported."""
    if len(before) != len(after):
        raise ValueError("paired samples differ in length")
    differences = [a - b for b, a in zip(before, after, strict=True) if a != b]
    if not differences:
        return None, None, None
    tied = len({abs(d) for d in differences}) < len(differences)
    if test == "asymptotic" or (len(differences) > EXACT_MAX_CHANGED and tied):
        method: str | PermutationMethod = "asymptotic"
        used = ASYMPTOTIC
    elif tied:
        method, used = PermutationMethod(), PERMUTATION
    else:
        method, used = "exact", EXACT
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = wilcoxon(differences, method=method)
    statistic, p_value = float(result.statistic), float(result.pvalue)
    return (statistic if math.isfinite(statistic) else None), (p_value if math.isfinite(p_value) else None), used


def not_computed_reason(n: int, changed: int) -> str | None:
    """Why the test is not run on ``n`` pairs of which ``changed`` differ; ``None`` when it is run."""
    if n == 0:
        return "not computed: no paired patient"
    if changed >= MIN_CHANGED:
        return None
    patients = f"{n} paired {'patient' if n == 1 else 'patients'}"
    if changed < n:
        patients += f", {changed or 'none'} with a change"
    return f"not computed: {patients}; at least {MIN_CHANGED} with a change needed"


def compare(scale: str, pairs: Sequence[tuple[int, int]], higher_is_better: bool,
            test: PerformanceTest = DEFAULT_PERFORMANCE_TEST) -> PairedComparison:
    """Compare (before, after) scores; ``higher_is_better`` is False for ECOG, True for Karnofsky; ``test``
    the way to the p-value (see the module)."""
    if not pairs:
        return PairedComparison(scale, 0, None, None, 0, 0, None, None, not_computed=not_computed_reason(0, 0))
    before = [float(b) for b, _ in pairs]
    after = [float(a) for _, a in pairs]
    changed = sum(1 for b, a in pairs if a != b)
    better = sum(1 for b, a in pairs if (a > b) == higher_is_better and a != b)
    worse = changed - better
    reason = not_computed_reason(len(pairs), changed)
    statistic, p_value, method = (None, None, None) if reason else signed_rank(before, after, test)
    if reason is None and p_value is None:
        reason = "not computed: scipy gave no finite p-value"
    return PairedComparison(scale, len(pairs), median(before), median(after), better, worse, statistic, p_value,
                            not_computed=reason, method=method if reason is None else None)
