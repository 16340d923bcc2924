"""The RECIST 1.1 baseline assessment: which time point, its target and non-target lesions, its sum.

- The baseline is the latest time point with lesions on or before the first administration (RECIST
  1.1 §3.2.1: "as close as possible to the treatment start"; the same reading as the laboratory
  baseline of the FHIR input profile); with no administration, the earliest such time point.
- A baseline assessment may span several days (lesions measured on scans a few days apart): every
  time point with lesions within ``max_days_before_treatment`` before the first administration is
  part of it, each lesion by its latest records, and the baseline is dated by its latest day (an info
  names the days). A lesion recorded only earlier than that window cannot be in the baseline (§3.2.1:
  never more than 4 weeks before treatment), so the baseline may not hold the whole tumour burden:
  every time point is then NE unless PD is shown (``incomplete``, as a lesion that cannot be placed),
  with a warning naming the lesions and dates.
- Target lesions are kept as the investigator recorded them, checked, never re-selected: a lesion
  that is not measurable (RECIST 1.1 §3.1.1) or a selection over the limits (§4.2) is an issue, and
  the settings say what follows from it.
- The organ of a lesion is the ``location`` of its BodyStructure (mCODE Tumor); all lymph nodes are
  one organ (EORTC RECIST FAQ "Paired organs"). A lesion known only by a body site has no organ: when
  such lesions could exceed the per-organ limit, an issue says it was not checked rather than guessing.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date

from cds.facts import UnreadableLesion
from cds.numbers import signif
from cds.recist.conclusions import RecistSettings
from cds.recist.table import BaselineLimits
from cds.recist.timepoints import IssueLog, TimePoint


@dataclass(frozen=True)
class Lesion:
    """A baseline lesion. ``node`` is None for a lesion known only by its non-target status."""

    id: str
    node: bool | None
    size_mm: float | None
    refs: tuple[str, ...]
    organ: str | None = None


@dataclass(frozen=True)
class RecistBaseline:
    """The RECIST 1.1 baseline assessment (§3.2.1, §4.2): the lesions followed and the sum compared to."""

    day: date
    targets: tuple[Lesion, ...]
    non_targets: tuple[Lesion, ...]
    selection_valid: bool  # the target lesions can be summed and compared (no conflict, limits kept)
    sum_mm: float
    refs: tuple[str, ...]
    incomplete: bool = False  # a lesion was recorded only before the baseline window: NE unless PD

    @property
    def known(self) -> frozenset[str]:
        return frozenset(lesion.id for lesion in (*self.targets, *self.non_targets))


@dataclass(frozen=True)
class BaselineChoice:
    """The baseline assessment (one time point, the days it spans merged) and the lesions recorded only
    before its window (lesion -> the latest day it was recorded)."""

    point: TimePoint
    days: tuple[date, ...]
    outside: dict[str, date]

    @property
    def unreadable(self) -> tuple[UnreadableLesion, ...]:
        """Lesion measurements of the baseline assessment that cannot be used (each an issue already)."""
        return self.point.unreadable


def _merged(points: list[TimePoint]) -> TimePoint:
    """Time points in date order as one assessment, dated by the last: each lesion's records from the
    latest of them that records it; the new lesions of all (each is an issue at baseline)."""
    latest: dict[str, date] = {}
    for point in points:
        latest.update({m.lesion: point.day for m in point.measurements})
        latest.update({s.lesion: point.day for s in point.statuses})
    return TimePoint(
        day=points[-1].day,
        measurements=tuple(m for p in points for m in p.measurements if latest[m.lesion] == p.day),
        statuses=tuple(s for p in points for s in p.statuses if latest[s.lesion] == p.day),
        new_lesions=tuple(n for p in points for n in p.new_lesions),
        reported=points[-1].reported,
        unreadable=tuple(u for p in points for u in p.unreadable),
    )


def _recorded(point: TimePoint) -> set[str]:
    """The lesions a time point shows as disease: measured (not as new) or given a status other than absent."""
    return ({m.lesion for m in point.measurements if m.role != "new"}
            | {s.lesion for s in point.statuses if s.status != "absent"})


def choose_baseline(points: list[TimePoint], first_day: date | None, limits: BaselineLimits,
                    log: IssueLog) -> BaselineChoice | None:
    with_lesions = [p for p in points if p.has_lesions]
    candidates = with_lesions if first_day is None else [p for p in with_lesions if p.day <= first_day]
    if not candidates:
        if any(p.measured for p in points):
            where = "with lesions" if first_day is None else f"on or before the first administration ({first_day})"
            log.add("warning", None, f"no baseline tumour assessment {where}: RECIST responses cannot be measured")
        return None
    base = candidates[0] if first_day is None else candidates[-1]
    used = [base]
    window = limits.max_days_before_treatment
    if first_day is not None:
        used = [p for p in candidates if (first_day - p.day).days <= window] or [base]
    earlier = [p for p in points if p.day < base.day and p.measured and p not in used]
    for point in earlier:
        log.add("info", point.observations[0],
                f"tumour assessment of {point.day} precedes the baseline assessment of {base.day}: not used")
    merged = _merged(used)
    if len(used) > 1:
        days = ", ".join(str(p.day) for p in used)
        log.add("info", used[0].observations[0],
                f"the baseline tumour assessment spans {days} (within {window} days before the first "
                f"administration of {first_day}): the lesions of every day are kept, each by its latest record")
    known = set(merged.measurements_of()) | set(merged.statuses_of())
    outside: dict[str, date] = {}
    for point in earlier:
        outside.update({lesion: point.day for lesion in _recorded(point) - known})
    if outside:
        named = ", ".join(f"{lesion} ({day})" for lesion, day in sorted(outside.items()))
        log.add("warning", earlier[-1].observations[0],
                f"lesion(s) {named} recorded more than {window} days before the first administration "
                f"({first_day}) are not in the baseline assessment of {base.day} (RECIST 1.1 §3.2.1: never more "
                "than 4 weeks before treatment): the baseline may not hold the whole tumour burden, so every time "
                "point is NE unless PD is shown")
    if merged.unreadable:
        named = ", ".join(sorted({u.lesion or "a lesion without an identity" for u in merged.unreadable}))
        log.add("warning", merged.unreadable[0].ref,
                f"a measurement of {named} in the baseline assessment of {base.day} cannot be used: the baseline "
                "may not hold the whole tumour burden, so every time point is NE unless PD is shown")
    if first_day is not None and (first_day - base.day).days > window:
        log.add("warning", base.observations[0],
                f"baseline tumour assessment of {base.day} is more than {window} days "
                f"before the first administration (RECIST 1.1 §3.2.1: never more than 4 weeks)")
    return BaselineChoice(point=merged, days=tuple(p.day for p in used), outside=outside)


def _measurable(lesion: Lesion, limits: BaselineLimits) -> bool:
    assert lesion.size_mm is not None
    minimum = limits.measurable_node_min_mm if lesion.node else limits.measurable_min_mm
    return lesion.size_mm >= minimum


def _describe(lesion: Lesion) -> str:
    axis = "short axis" if lesion.node else "longest diameter"
    return f"{lesion.id} ({lesion.size_mm:g} mm {axis})"


class _Builder:
    def __init__(self, point: TimePoint, limits: BaselineLimits, settings: RecistSettings, log: IssueLog) -> None:
        self.point, self.limits, self.settings, self.log = point, limits, settings, log
        self.targets: list[Lesion] = []
        self.non_targets: list[Lesion] = []
        self.valid = True

    def measured_lesions(self) -> None:
        for lesion_id, records in self.point.measurements_of().items():
            day = records[0].day
            roles = {m.role for m in records}
            sizes = {signif(m.size_mm) for m in records}
            nodes = {m.lymph_node for m in records}
            organ = next((m.organ for m in records if m.organ is not None), None)
            lesion = Lesion(lesion_id, node=any(nodes), size_mm=max(sizes), refs=tuple(m.ref for m in records),
                            organ=organ)
            if "target" in roles and (len(roles) > 1 or len(sizes) > 1 or len(nodes) > 1):
                self.valid = False
                self.targets.append(lesion)
                self.log.add("warning", records[0].ref,
                             f"target lesion {lesion_id} has conflicting records at baseline ({day}): "
                             "the target lesions cannot be summed, the target response is NE")
            elif "target" in roles:
                self.targets.append(lesion)
            else:
                if "new" in roles:
                    self.log.add("warning", records[0].ref,
                                 f"lesion {lesion_id} is recorded as new at baseline ({day}): followed as non-target")
                self.non_targets.append(lesion)

    def status_lesions(self) -> None:
        measured = {lesion.id for lesion in (*self.targets, *self.non_targets)}
        targets = {lesion.id for lesion in self.targets}
        for lesion_id, records in self.point.statuses_of().items():
            states = {s.status for s in records}
            if lesion_id in targets:
                self.log.add("warning", records[0].ref, f"target lesion {lesion_id} also has a non-target status "
                                                         "at baseline: the status is not used")
            elif lesion_id in measured:
                continue
            elif states == {"absent"}:
                self.log.add("info", records[0].ref,
                             f"non-target lesion {lesion_id} is recorded absent at baseline: not followed")
            else:
                self.non_targets.append(Lesion(lesion_id, node=None, size_mm=None, refs=tuple(s.ref for s in records)))

    def measurability(self) -> None:
        kept = []
        for lesion in self.targets:
            if lesion.size_mm is None or _measurable(lesion, self.limits):
                kept.append(lesion)
                continue
            rule = "RECIST 1.1 §3.1.1: >= 10 mm, a lymph node >= 15 mm short axis"
            if self.settings.non_measurable_target == "non-target":
                self.non_targets.append(lesion)
                self.log.add("warning", lesion.refs[0],
                             f"target lesion {_describe(lesion)} is not measurable ({rule}): followed as non-target")
            else:
                kept.append(lesion)
                self.log.add("warning", lesion.refs[0],
                             f"target lesion {_describe(lesion)} is not measurable ({rule}): kept as recorded")
        self.targets = kept

    def limits_kept(self) -> None:
        limits, targets = self.limits, self.targets
        problems = []
        if len(targets) > limits.max_targets:
            problems.append(f"{len(targets)} target lesions (at most {limits.max_targets})")
        nodes = [t for t in targets if t.node]
        if self.settings.lymph_nodes_one_organ and len(nodes) > limits.max_targets_per_organ:
            problems.append(f"{len(nodes)} target lymph nodes (lymph nodes are one organ: at most "
                            f"{limits.max_targets_per_organ})")
        organ_lesions = [t for t in targets if not (t.node and self.settings.lymph_nodes_one_organ)]
        per_organ = Counter(t.organ for t in organ_lesions if t.organ is not None)
        for organ, count in sorted(per_organ.items()):
            if count > limits.max_targets_per_organ:
                most = limits.max_targets_per_organ
                problems.append(f"{count} target lesions in one organ ({organ}; at most {most})")
        unplaced = [t for t in organ_lesions if t.organ is None]
        if len(unplaced) > limits.max_targets_per_organ:
            self.log.add("info", unplaced[0].refs[0],
                         f"the organ of {len(unplaced)} target lesions is not known (lesion identities do not "
                         f"name it): the limit of {limits.max_targets_per_organ} per organ (RECIST 1.1 §4.2) "
                         "was not checked")
        if not problems:
            return
        text = "; ".join(problems)
        if self.settings.target_limits == "not-evaluable":
            self.valid = False
            self.log.add("warning", targets[0].refs[0],
                         f"baseline target selection exceeds RECIST 1.1 §4.2: {text}; prrt-cds does not choose "
                         "targets, so the target response is NE")
        else:
            self.log.add("warning", targets[0].refs[0],
                         f"baseline target selection exceeds RECIST 1.1 §4.2: {text}; all are summed as recorded")


def build_baseline(point: TimePoint, limits: BaselineLimits, settings: RecistSettings, log: IssueLog,
                   incomplete: bool = False) -> RecistBaseline:
    for new in point.new_lesions:
        log.add("warning", new.ref, f"a new lesion is recorded at baseline ({new.day}): not used")
    builder = _Builder(point, limits, settings, log)
    builder.measured_lesions()
    builder.status_lesions()
    builder.measurability()
    if builder.targets:
        builder.limits_kept()
    total = signif(math.fsum(t.size_mm or 0.0 for t in builder.targets))
    if builder.targets and builder.valid and total <= 0:
        builder.valid = False
        log.add("warning", builder.targets[0].refs[0],
                "baseline sum of target diameters is 0 mm: the target response is NE")
    return RecistBaseline(
        day=point.day, targets=tuple(builder.targets), non_targets=tuple(builder.non_targets),
        selection_valid=builder.valid, sum_mm=total, refs=point.observations, incomplete=incomplete,
    )
