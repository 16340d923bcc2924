"""Generated RECIST lesion time series: hypothesis strategies, FHIR resources, and the real path.

A ``Series`` (tests/oracle_recist.py) is drawn with sizes in tenths of a millimetre, as radiology
reports them, and written as FHIR R4 resources with ``tests/factories.py``: one PRRT administration on
2024-01-08, a baseline on 2024-01-02, follow-ups 14-70 days apart, each size in mm or in cm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import factories as fx
from hypothesis import strategies as st
from oracle_recist import Series, Target, Visit

from cds.document import to_document
from cds.engine import Engine
from cds.evaluation import evaluate_collected
from cds.reading import from_objects

FIRST_DAY = date(2024, 1, 8)
BASELINE_DAY = date(2024, 1, 2)
TENTH = Decimal("0.1")
Resource = dict[str, Any]


def _tenths(low: float, high: float) -> st.SearchStrategy[Decimal]:
    return st.integers(int(low * 10), int(high * 10)).map(lambda n: Decimal(n) * TENTH)


@st.composite
def series(draw: st.DrawFn, max_visits: int = 5, non_target_only: bool = False) -> Series:
    """A lesion time series; ``non_target_only``: always non-target disease only (RECIST 1.1 Table 2),
    else now and then."""
    n_nodes = draw(st.integers(0, 2))
    n_other = draw(st.integers(0 if n_nodes else 1, 5 - n_nodes))
    if non_target_only or (draw(st.booleans()) and n_nodes + n_other > 0 and draw(st.integers(0, 4)) == 0):
        n_nodes, n_other = 0, 0  # non-target disease only (RECIST 1.1 Table 2)
    targets = {f"N{i}": Target(True, draw(_tenths(15, 60))) for i in range(n_nodes)}
    targets |= {f"T{i}": Target(False, draw(_tenths(10, 150))) for i in range(n_other)}
    non_targets = [f"B{i}" for i in range(draw(st.integers(0 if targets else 1, 3)))]
    out = Series(targets=targets, non_targets=non_targets)
    day = BASELINE_DAY
    nadir = sum((t.baseline for t in targets.values()), Decimal(0))
    for _ in range(draw(st.integers(1, max_visits))):
        day += timedelta(days=draw(st.integers(14, 70)))
        sizes: dict[str, Decimal | None] = {}
        for name, target in targets.items():
            if draw(st.integers(0, 9)) == 0:
                sizes[name] = None
                continue
            if len(targets) == 1:  # aim at the thresholds of a single lesion now and then
                edge = draw(st.sampled_from([None, Decimal("0.7") * target.baseline, Decimal("1.2") * nadir,
                                             nadir + 5, nadir + Decimal("4.9"), Decimal(0)]))
                if edge is not None:
                    sizes[name] = edge.quantize(TENTH)
                    continue
            kind = draw(st.sampled_from(["scaled", "scaled", "scaled", "gone", "node edge", "any"]))
            if kind == "scaled":  # shrinking, stable or growing, often near the 30% / 20% thresholds
                factor = draw(st.sampled_from(["0.5", "0.69", "0.7", "0.71", "0.9", "1", "1.1", "1.19", "1.2", "1.5"]))
                sizes[name] = (target.baseline * Decimal(factor)).quantize(TENTH)
            elif kind == "gone":
                sizes[name] = Decimal(0)
            elif kind == "node edge":  # a node is normal below 10 mm short axis
                sizes[name] = draw(st.sampled_from([Decimal("9.9"), Decimal(10), Decimal(5)]))
            else:
                sizes[name] = draw(_tenths(0, 300))
        states = {b: draw(st.sampled_from(["present"] * 4 + ["absent"] * 4 + ["progressing", None]))
                  for b in non_targets}
        visit = Visit(day=day, sizes=sizes, non_target=states, new_lesion=draw(st.integers(0, 14)) == 0)
        out.visits.append(visit)
        measured = [s for s in sizes.values() if s is not None]
        if len(measured) == len(targets) and targets:
            nadir = min(nadir, sum(measured, Decimal(0)))
    return out


@dataclass
class Written:
    """The FHIR resources of a series, and which visits left any trace (a visit with nothing recorded
    is no time point at all)."""

    resources: list[Resource]
    visits: list[Visit]
    units: dict[str, str] = field(default_factory=dict)


def size_resource(oid: str, size: Decimal, unit: str, lesion: str, node: bool, role: str, day: date,
                  both_axes: bool = False) -> Resource:
    """``both_axes``: a node written as mCODE does, a longest dimension (33728-7, here twice the short
    axis plus 1 mm) and the short axis in the other-dimension component (33729-5)."""
    value = float(size / 10) if unit == "cm" else float(size)
    if unit == "cm" and Decimal(repr(value)) * 10 != size:
        raise AssertionError(f"{size} mm is not exactly {value} cm")
    shown = float((2 * size + 1) / 10) if unit == "cm" else float(2 * size + 1)
    resource = fx.lesion(oid, shown if node and both_axes else value, unit, focus=f"BodyStructure/{lesion}",
                         role=role, lymph_node=node or None, when=f"{day.isoformat()}T08:00:00Z")
    if node and both_axes:
        resource["component"].append({"code": fx.concept(fx.LOINC, "33729-5"),
                                      "valueQuantity": fx.quantity(value, unit)})
    return resource


STATUS = {"present": "present", "absent": "absent", "progressing": "unequivocal-progression"}


SPLIT_BASELINE_DAY = BASELINE_DAY - timedelta(days=3)


def write(s: Series, unit_of: dict[str, str] | None = None, *, mixed: bool = False, split: bool = False,
          both_axes: bool = False) -> Written:
    """``unit_of``: lesion -> "mm" | "cm" (default mm); ``mixed``: every other measurement in cm;
    ``split``: the baseline over two days, every other lesion measured on SPLIT_BASELINE_DAY (a baseline
    assessment spanning two scans a few days apart is one assessment, RECIST 1.1 §3.2.1); ``both_axes``:
    nodes written with both axes (``size_resource``)."""
    units = unit_of or {}
    resources: list[Resource] = [
        fx.patient("p1"),
        fx.procedure("c1", FIRST_DAY.isoformat(), patient="Patient/p1", activity=7.4, activity_unit="GBq"),
    ]
    count = 0

    def oid() -> str:
        nonlocal count
        count += 1
        return f"o{count}"

    def unit(lesion: str) -> str:
        if mixed:
            return "cm" if count % 2 else "mm"
        return units.get(lesion, "mm")

    def baseline_day(i: int) -> date:
        return SPLIT_BASELINE_DAY if split and i % 2 else BASELINE_DAY

    for i, (name, target) in enumerate(s.targets.items()):
        resources.append(size_resource(oid(), target.baseline, unit(name), name, target.node, "target",
                                       baseline_day(i), both_axes))
    for i, name in enumerate(s.non_targets, start=len(s.targets)):
        resources.append(fx.non_target_status(oid(), "present", f"BodyStructure/{name}",
                                              when=f"{baseline_day(i).isoformat()}T08:00:00Z"))
    kept = []
    for visit in s.visits:
        when = f"{visit.day.isoformat()}T08:00:00Z"
        written = []
        for name, size in visit.sizes.items():
            if size is not None:
                target = s.targets[name]
                written.append(size_resource(oid(), size, unit(name), name, target.node, "target", visit.day,
                                             both_axes))
        for name, state in visit.non_target.items():
            if state is not None:
                written.append(fx.non_target_status(oid(), STATUS[state], f"BodyStructure/{name}", when=when))
        if visit.new_lesion:
            written.append(fx.new_lesion(oid(), True, when=when))
        if written:
            resources += written
            kept.append(visit)
    return Written(resources=resources, visits=kept, units=units)


def evaluate(resources: list[Resource], engine: Engine | None = None) -> dict[str, Any]:
    """The patient's part of the JSON document, through the real path (on ``engine``, default the service's)."""
    document = to_document(evaluate_collected(from_objects(resources), engine=engine))
    [patient] = document["patients"]
    result: dict[str, Any] = patient
    return result
