"""Best overall response counts, objective response rate and disease control rate with exact intervals.

    ORR = (CR + PR) / n        DCR = (CR + PR + SD + non-CR/non-PD) / n

non-CR/non-PD is RECIST 1.1 Table 2's stable category for non-target disease only (docs/outputs.md):
counted in its own column, and in disease control as SD is. n is every treated patient: a patient with
no assessment after baseline counts as NE (RECIST 1.1 section 4.4.3; intention to treat). The
Clopper-Pearson (exact) interval of k successes in n trials at level 1 - alpha, with B(q; a, b) the
q-quantile of the Beta(a, b) distribution:

    low  = B(alpha / 2; k, n - k + 1)        (0 when k = 0)
    high = B(1 - alpha / 2; k + 1, n - k)    (1 when k = n)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import beta

from cds.facts import Response

CATEGORIES: tuple[Response, ...] = ("CR", "PR", "SD", "non-CR/non-PD", "PD", "NE")
OBJECTIVE_RESPONSE: tuple[Response, ...] = ("CR", "PR")
DISEASE_CONTROL: tuple[Response, ...] = ("CR", "PR", "SD", "non-CR/non-PD")


@dataclass(frozen=True)
class Proportion:
    """k of n with its exact interval; ``value`` and the limits are ``None`` when n = 0."""

    successes: int
    n: int
    value: float | None
    ci_low: float | None
    ci_high: float | None
    conf_level: float = 0.95
    method: str = "clopper-pearson"


def clopper_pearson(successes: int, n: int, alpha: float = 0.05) -> Proportion:
    """The proportion k / n with its Clopper-Pearson (exact) interval.

    Parameters
    ----------
    successes
        k, 0 <= k <= n.
    n
        Number of trials (patients).
    alpha
        1 - confidence level.

    Returns
    -------
    Proportion
        low = B(alpha/2; k, n-k+1) (0 for k = 0), high = B(1-alpha/2; k+1, n-k) (1 for k = n); value
        and limits ``None`` for n = 0.
    """
    if not 0 <= successes <= n:
        raise ValueError("successes must lie in [0, n]")
    if n == 0:
        return Proportion(successes, n, None, None, None, 1 - alpha)
    low = 0.0 if successes == 0 else float(beta.ppf(alpha / 2, successes, n - successes + 1))
    high = 1.0 if successes == n else float(beta.ppf(1 - alpha / 2, successes + 1, n - successes))
    return Proportion(successes, n, successes / n, low, high, 1 - alpha)


@dataclass(frozen=True)
class ResponseSummary:
    """Counts of best overall response (``NE`` includes no assessment), ORR and DCR."""

    counts: dict[Response, int]
    orr: Proportion
    dcr: Proportion
    confirmed: bool


def summarize_responses(best: Sequence[Response | None], confirmed: bool = True,
                        alpha: float = 0.05) -> ResponseSummary:
    """Counts, ORR and DCR of the best overall responses of every treated patient."""
    counts: dict[Response, int] = dict.fromkeys(CATEGORIES, 0)
    for response in best:
        counts[response or "NE"] += 1
    n = len(best)
    return ResponseSummary(
        counts=counts,
        orr=clopper_pearson(sum(counts[k] for k in OBJECTIVE_RESPONSE), n, alpha),
        dcr=clopper_pearson(sum(counts[k] for k in DISEASE_CONTROL), n, alpha),
        confirmed=confirmed,
    )
