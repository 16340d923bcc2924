"""ECOG and Karnofsky performance status before the first cycle and after the last, compared in the
patients who have both with the Wilcoxon signed-rank test (scipy, two-sided, zero differences dropped:
Wilcoxon's method; exact or normal approximation as scipy chooses for the sample).

The test is only run where it can mean something. Zero differences are dropped, so what counts is the
patients whose score changed: with ``k`` of them the smallest two-sided p-value the exact test can give is
2 / 2^k (every change in one direction), 0.0625 at k = 5 and 0.03125 at k = 6. Below ``MIN_CHANGED`` (the
smallest k at which p < ``ALPHA`` is possible at all) any p-value would read as a result it cannot be, and
at one patient scipy returns p = 1. There the comparison carries no p-value and no statistic but a reason
(``not_computed``) that every rendering of the report shows instead.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from scipy.stats import wilcoxon

TEST = "wilcoxon signed-rank"
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
    min_changed: int = MIN_CHANGED


def signed_rank(before: Sequence[float], after: Sequence[float]) -> tuple[float | None, float | None]:
    """scipy's Wilcoxon signed-rank statistic and p-value; ``None`` when every difference is zero.

    No minimum sample size here: ``compare`` decides whether the result may be reported."""
    if len(before) != len(after):
        raise ValueError("paired samples differ in length")
    if not any(b != a for b, a in zip(before, after, strict=True)):
        return None, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = wilcoxon(before, after)
    statistic, p_value = float(result.statistic), float(result.pvalue)
    return (statistic if math.isfinite(statistic) else None), (p_value if math.isfinite(p_value) else None)


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


def compare(scale: str, pairs: Sequence[tuple[int, int]], higher_is_better: bool) -> PairedComparison:
    """Compare (before, after) scores; ``higher_is_better`` is False for ECOG, True for Karnofsky."""
    if not pairs:
        return PairedComparison(scale, 0, None, None, 0, 0, None, None, not_computed=not_computed_reason(0, 0))
    before = [float(b) for b, _ in pairs]
    after = [float(a) for _, a in pairs]
    changed = sum(1 for b, a in pairs if a != b)
    better = sum(1 for b, a in pairs if (a > b) == higher_is_better and a != b)
    worse = changed - better
    reason = not_computed_reason(len(pairs), changed)
    statistic, p_value = (None, None) if reason else signed_rank(before, after)
    if reason is None and p_value is None:
        reason = "not computed: scipy gave no finite p-value"
    return PairedComparison(scale, len(pairs), median(before), median(after), better, worse, statistic, p_value,
                            not_computed=reason)
