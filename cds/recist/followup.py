"""The numbers of each RECIST 1.1 follow-up time point, prepared for the rules.

- Target lesions (RECIST 1.1 §4.3.1-4.3.2): which baseline targets were assessed, their sum (nodes by
  short axis), the largest non-nodal lesion and node, the nadir (smallest complete sum so far,
  baseline included) and the changes from baseline and from the nadir. A target with no measurement,
  or with conflicting ones, is not assessed (§4.4.2: NE unless the assessed lesions show PD); an
  incomplete sum never becomes the nadir.
- Non-target lesions (§4.3.3): per baseline non-target lesion, unequivocal progression, present,
  absent or not assessed. A status and a measurement may both speak; present wins over absent (no CR
  is claimed from contradictory records). A node is present at a short axis >= 10 mm; whether a lesion
  is a node is the baseline's say, as for targets (a follow-up that records it otherwise is a warning).
- New lesions (§4.3.5): a new-lesion observation or a measurement with role "new".
- A lesion not in the baseline assessment and not declared new cannot be placed: "ambiguous"; so is
  every time point of a baseline that may not hold the whole tumour burden (``incomplete``).
- Disease seen (for RECIST 1.1 Table 3 footnote a, disease after a CR): a non-nodal target above 0 mm,
  a target node at >= 10 mm short axis (a smaller node is normal), a non-target lesion present or
  progressing, a new lesion, or a lesion of the time point that cannot be placed (not a baseline that
  may not hold the whole tumour burden: that shows no disease).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

from cds.facts import LesionMeasurement, NonTargetStatus
from cds.numbers import signif
from cds.recist.baseline import Lesion, RecistBaseline
from cds.recist.table import BaselineLimits
from cds.recist.timepoints import IssueLog, TimePoint


@dataclass(frozen=True)
class TargetNumbers:
    complete: bool
    sum_mm: float
    non_nodal_remaining: int  # non-nodal targets measured above 0 mm
    node_max_mm: float
    nadir_mm: float
    pct_from_baseline: float
    pct_from_nadir: float | None  # None: the nadir is 0 mm
    increase_from_nadir_mm: float
    missing: tuple[str, ...]


@dataclass(frozen=True)
class NonTargetCounts:
    progressing: int
    not_assessed: int
    present: int
    missing: tuple[str, ...]


@dataclass(frozen=True)
class FollowUp:
    point: TimePoint
    target: TargetNumbers | None  # None: no target lesion at baseline (RECIST 1.1 Table 2)
    selection_valid: bool
    non_target: NonTargetCounts | None  # None: no non-target lesion at baseline
    new_lesions: bool
    ambiguous: bool
    disease_seen: bool = False  # any lesion seen now (RECIST 1.1 Table 3 footnote a: disease after a CR)


def _percent(change: float, reference: float) -> float:
    """change / reference x 100 at 12 significant digits, kept finite: a sum of a few thousandths of a
    millimetre can make the ratio overflow, and the engine takes finite numbers only."""
    value = change / reference * 100.0  # reference > 0 and both finite: never NaN, at worst +-inf
    return signif(max(-sys.float_info.max, min(sys.float_info.max, value)))


def _state(measurement: LesionMeasurement, limits: BaselineLimits, node: bool | None = None) -> str:
    """present / absent as a measured size says (a node is pathological at >= 10 mm short axis).
    ``node``: the baseline's lymph-node flag of the lesion, which decides when known."""
    if measurement.lymph_node if node is None else node:
        return "present" if measurement.size_mm >= limits.pathological_node_min_mm else "absent"
    return "present" if measurement.size_mm > 0 else "absent"


class FollowUpTracker:
    """Walks the follow-up time points in date order, keeping the nadir."""

    def __init__(self, baseline: RecistBaseline, limits: BaselineLimits, log: IssueLog) -> None:
        self.baseline, self.limits, self.log = baseline, limits, log
        self.nadir = baseline.sum_mm

    def follow_up(self, point: TimePoint) -> FollowUp:
        measurements = point.measurements_of()
        statuses = point.statuses_of()
        new = bool(point.new_lesions)
        ambiguous = False  # a lesion of this time point that cannot be placed (disease seen)
        usable: dict[str, list[LesionMeasurement]] = {}
        for lesion_id, records in measurements.items():
            known = lesion_id in self.baseline.known
            if any(m.role == "new" for m in records):
                if known:
                    ambiguous = True
                    self.log.add("warning", records[0].ref,
                                 f"baseline lesion {lesion_id} is recorded as new on {point.day}: the time point is "
                                 "NE unless PD is shown")
                else:
                    new = True
                continue
            usable[lesion_id] = records
        for lesion_id in sorted((set(usable) | set(statuses)) - self.baseline.known):
            states = {_state(m, self.limits) for m in usable.get(lesion_id, [])}
            states |= {s.status for s in statuses.get(lesion_id, [])}
            if states == {"absent"}:
                continue
            ambiguous = True
            refs = [r.ref for r in (*usable.get(lesion_id, []), *statuses.get(lesion_id, []))]
            self.log.add("warning", refs[0],
                         f"lesion {lesion_id} on {point.day} is not in the baseline assessment of {self.baseline.day} "
                         "and not recorded as new: the time point is NE unless PD is shown")
        for lesion in self.baseline.targets:
            for status in statuses.get(lesion.id, []):
                # RECIST 1.1 §4.3.1: a target lesion is followed by its measurement; the measured target
                # response stands and the conflict is named for review.
                self.log.add("warning", status.ref,
                             f"target lesion {lesion.id} has a non-target status {status.status!r} on {point.day}: "
                             "the status is not used, the target response is read from the measurements "
                             "(RECIST 1.1 §4.3.1); please review")
        target = self._targets(point, usable) if self.baseline.targets else None
        non_target = self._non_targets(point, usable, statuses) if self.baseline.non_targets else None
        seen = new or ambiguous or bool(target and (
            target.non_nodal_remaining > 0 or target.node_max_mm >= self.limits.pathological_node_min_mm)) or bool(
            non_target and (non_target.present > 0 or non_target.progressing > 0))
        # A baseline that may not hold the whole tumour burden makes the time point NE unless PD, but it
        # shows no disease at this time point: it is no disease seen after a CR.
        return FollowUp(point=point, target=target, selection_valid=self.baseline.selection_valid,
                        non_target=non_target, new_lesions=new, ambiguous=ambiguous or self.baseline.incomplete,
                        disease_seen=seen)

    def _target_size(self, target: Lesion, records: list[LesionMeasurement], point: TimePoint) -> float | None:
        sizes = {signif(m.size_mm) for m in records}
        if len(sizes) > 1:
            self.log.add("warning", records[0].ref,
                         f"target lesion {target.id} has conflicting measurements on {point.day}: not assessed")
            return None
        if any(m.lymph_node != target.node for m in records):
            kind = "a lymph node" if not target.node else "not a lymph node"
            self.log.add("warning", records[0].ref,
                         f"target lesion {target.id} is recorded as {kind} on {point.day}, unlike at baseline: "
                         "not assessed")
            return None
        return sizes.pop()

    def _targets(self, point: TimePoint, usable: dict[str, list[LesionMeasurement]]) -> TargetNumbers:
        sizes: dict[str, float] = {}
        missing: list[str] = []
        for target in self.baseline.targets:
            records = usable.get(target.id, [])
            size = self._target_size(target, records, point) if records else None
            if size is None:
                missing.append(target.id)
            else:
                sizes[target.id] = size
        nodes = {t.id: bool(t.node) for t in self.baseline.targets}
        total = signif(math.fsum(sizes.values()))
        base, nadir = self.baseline.sum_mm, self.nadir
        numbers = TargetNumbers(
            complete=not missing, sum_mm=total,
            non_nodal_remaining=sum(1 for i, s in sizes.items() if not nodes[i] and s > 0),
            node_max_mm=max((s for i, s in sizes.items() if nodes[i]), default=0.0),
            nadir_mm=nadir,
            pct_from_baseline=_percent(total - base, base) if base > 0 else 0.0,
            pct_from_nadir=_percent(total - nadir, nadir) if nadir > 0 else None,
            increase_from_nadir_mm=signif(total - nadir),
            missing=tuple(missing),
        )
        if numbers.complete:
            self.nadir = min(self.nadir, total)
        return numbers

    def _non_targets(self, point: TimePoint, usable: dict[str, list[LesionMeasurement]],
                     statuses: dict[str, list[NonTargetStatus]]) -> NonTargetCounts:
        progressing = present = 0
        missing: list[str] = []
        for lesion in self.baseline.non_targets:
            records = usable.get(lesion.id, [])
            if lesion.node is not None and any(m.lymph_node != lesion.node for m in records):
                kind = "a lymph node" if not lesion.node else "not a lymph node"
                self.log.add("warning", records[0].ref,
                             f"non-target lesion {lesion.id} is recorded as {kind} on {point.day}, unlike at "
                             "baseline: read as at baseline")
            states = {_state(m, self.limits, lesion.node) for m in records}
            states |= {s.status for s in statuses.get(lesion.id, [])}
            if not states:
                missing.append(lesion.id)
            elif "unequivocal-progression" in states:
                progressing += 1
            elif "present" in states:
                present += 1
                if "absent" in states:
                    self.log.add("info", None, f"non-target lesion {lesion.id} is recorded both present and absent "
                                               f"on {point.day}: read as present")
        return NonTargetCounts(progressing=progressing, not_assessed=len(missing), present=present,
                               missing=tuple(missing))
