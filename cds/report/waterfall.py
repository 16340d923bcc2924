"""Waterfall and spider data: the change of tumour burden per patient (RECIST 1.1 section 4.3.2).

For every patient with measurable disease (target lesions at baseline), the percentage change of the
sum of target diameters from baseline at each follow-up time point with a complete sum. The waterfall
bar is the best (most negative) change; bars are sorted from the largest increase to the largest
decrease, as PRRT series draw them. Patients with measurable disease but no such follow-up, and
patients without measurable disease, have no bar and are counted under the plot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cds.facts import Response
from cds.report.patient import PatientSummary

# RECIST 1.1 section 4.3.1: a decrease of at least 30% is a partial response, an increase of at least
# 20% (and 5 mm) progression; the waterfall draws both lines.
PR_LINE_PCT = -30.0
PD_LINE_PCT = 20.0


@dataclass(frozen=True)
class WaterfallBar:
    patient: str
    best_change_pct: float
    best_overall_response: Response | None


@dataclass(frozen=True)
class Waterfall:
    bars: tuple[WaterfallBar, ...]  # sorted: largest increase first
    no_follow_up: int  # measurable disease, no complete sum after baseline
    not_measurable: int  # no target lesion at baseline


def waterfall(patients: Sequence[PatientSummary]) -> Waterfall:
    bars, no_follow_up, not_measurable = [], 0, 0
    for p in patients:
        best = p.best_change_pct
        if not p.measurable:
            not_measurable += 1
        elif best is None:
            no_follow_up += 1
        else:
            bars.append(WaterfallBar(p.patient, best, p.best_response))
    bars.sort(key=lambda b: (-b.best_change_pct, b.patient))
    return Waterfall(tuple(bars), no_follow_up, not_measurable)
