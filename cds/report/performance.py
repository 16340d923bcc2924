"""ECOG and Karnofsky performance status before the first cycle and after the last, compared in the
patients who have both with the Wilcoxon signed-rank test (scipy, two-sided, zero differences dropped:
Wilcoxon's method; exact or normal approximation as scipy chooses for the sample).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from scipy.stats import wilcoxon

TEST = "wilcoxon signed-rank"


@dataclass(frozen=True)
class PairedComparison:
    """Medians before and after, and the signed-rank test, on ``n`` patients with both scores."""

    scale: str
    n: int
    before_median: float | None
    after_median: float | None
    improved: int
    worsened: int
    statistic: float | None
    p_value: float | None
    test: str = TEST


def signed_rank(before: Sequence[float], after: Sequence[float]) -> tuple[float | None, float | None]:
    """scipy's Wilcoxon signed-rank statistic and p-value; ``None`` when every difference is zero."""
    if len(before) != len(after):
        raise ValueError("paired samples differ in length")
    if not any(b != a for b, a in zip(before, after, strict=True)):
        return None, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = wilcoxon(before, after)
    statistic, p_value = float(result.statistic), float(result.pvalue)
    return (statistic if math.isfinite(statistic) else None), (p_value if math.isfinite(p_value) else None)


def compare(scale: str, pairs: Sequence[tuple[int, int]], higher_is_better: bool) -> PairedComparison:
    """Compare (before, after) scores; ``higher_is_better`` is False for ECOG, True for Karnofsky."""
    if not pairs:
        return PairedComparison(scale, 0, None, None, 0, 0, None, None)
    before = [float(b) for b, _ in pairs]
    after = [float(a) for _, a in pairs]
    better = sum(1 for b, a in pairs if (a > b) == higher_is_better and a != b)
    worse = sum(1 for b, a in pairs if a != b) - better
    statistic, p_value = signed_rank(before, after)
    return PairedComparison(scale, len(pairs), median(before), median(after), better, worse, statistic, p_value)
