"""Benchmark of the FHIR mapping path: reading -> ``map_collected`` -> ``build_timeline``.

Run by hand (never part of the test suite)::

    python benchmarks/bench_mapping.py [--synthea DIR] [--observations N] [--profile]

1. Synthea bundles: for each bundle in tests/data/synthea, the best-of-N time of plain
   ``json.loads`` of the file's bytes and of the full mapping path from the same bytes
   (``json.loads`` + ``from_objects`` + ``map_collected`` + one ``build_timeline`` per patient).
   Target: mapping / json.loads <= 3.0, per bundle and in total.
2. Bulk NDJSON: a generated file (fixed seed) of N lab Observations (CBC and chemistry, UCUM codes
   and non-UCUM unit text, with and without referenceRange) for a few hundred patients, plus their
   Patients and PRRT Procedures; the best-of-N time of ``read_paths`` + ``map_collected`` + timelines
   on one core, against plain ``json.loads`` of the same lines. Target: >= 20,000 lab Observations/s.
3. A table of the figures with PASS / MISS, and the machine they were measured on.

``--profile`` adds a cProfile run over the NDJSON mapping (top 25 functions by cumulative time).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import random
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from host import describe, peak_rss_mib, pin_one_core

from cds.mapping import map_collected
from cds.reading import Collected, from_objects, read_paths
from cds.tables import AnalyteTable, analytes, codes
from cds.timeline import build_timeline

T = TypeVar("T")

DEFAULT_SYNTHEA = Path(__file__).resolve().parents[1] / "tests" / "data" / "synthea"
SYNTHEA_RATIO_TARGET = 3.0
NDJSON_RATE_TARGET = 20_000.0
SEED = 20261124

UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
LOCAL_CODES = "urn:oid:2.16.840.1.113883.3.4711.1.2"  # a laboratory's own test codes
LAB_PROFILE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-lab"


# ---------------------------------------------------------------------------------------------------
# Timing helpers
# ---------------------------------------------------------------------------------------------------
def best_of(repeats: int, work: Callable[[], T]) -> tuple[float, T]:
    """Best wall time (s) of ``repeats`` calls and the last result. GC stays on (it is part of the cost)."""
    best = float("inf")
    result: T | None = None
    for _ in range(repeats):
        result = None  # drop the previous result before the next run, as a fresh process would
        gc.collect()
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


class GcMeter:
    """Collections and pause time of the cyclic garbage collector while the ``with`` block runs."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = [0, 0, 0]
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections[info["generation"]] += 1

    def __enter__(self) -> GcMeter:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)


@dataclass(frozen=True)
class PathRun:
    """One timed run of the mapping path: phase times, GC pauses, and what came out (counts only)."""

    resources: int
    labs: int
    ungradable: int
    issues: int
    timelines: int
    cycles: int
    skipped: int
    read_s: float
    map_s: float
    timeline_s: float
    gc_s: float
    gc_collections: tuple[int, ...]

    @property
    def total_s(self) -> float:
        return self.read_s + self.map_s + self.timeline_s


def run_path(collect: Callable[[], Collected]) -> PathRun:
    """Time ``collect`` (read + parse + collect), ``map_collected`` and one ``build_timeline`` per patient.

    The big objects die after the clock stops, so their deallocation is not timed (as in ``best_of``).
    """
    with GcMeter() as meter:
        start = time.perf_counter()
        collected = collect()
        read = time.perf_counter()
        mapped = map_collected(collected)
        mapped_at = time.perf_counter()
        timelines = [build_timeline(record) for record in mapped.records.values()]
        done = time.perf_counter()
    return PathRun(
        resources=len(collected.resources),
        labs=sum(len(t.labs) for t in timelines),
        ungradable=sum(len(t.ungradable) for t in timelines),
        issues=len(mapped.issues) + sum(len(t.issues) for t in timelines),
        timelines=len(timelines),
        cycles=sum(len(t.cycles) for t in timelines),
        skipped=mapped.skipped,
        read_s=read - start,
        map_s=mapped_at - read,
        timeline_s=done - mapped_at,
        gc_s=meter.seconds,
        gc_collections=tuple(meter.collections),
    )


def best_run(repeats: int, work: Callable[[], PathRun]) -> PathRun:
    """The fastest of ``repeats`` self-timed runs."""
    runs = []
    for _ in range(repeats):
        gc.collect()
        runs.append(work())
    return min(runs, key=lambda run: run.total_s)


def map_bytes(data: bytes, origin: str) -> PathRun:
    """The full mapping path from the bytes of one JSON file (a Bundle)."""
    return run_path(lambda: from_objects([json.loads(data)], origin))


def map_files(path: Path) -> PathRun:
    """The full public path from a file on disk (read, parse, collect, map, timelines)."""
    return run_path(lambda: read_paths([path]))


def loads_lines(path: Path) -> int:
    """Plain ``json.loads`` of every non-blank line of an NDJSON file, one at a time (the parse cost)."""
    count = 0
    for line in path.read_bytes().splitlines():
        if line.strip():
            json.loads(line)
            count += 1
    return count


def loads_lines_kept(path: Path) -> list[Any]:
    """``json.loads`` of every line, all results kept alive, as ``read_paths`` must keep them."""
    return [json.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


# ---------------------------------------------------------------------------------------------------
# Synthea bundles
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BundleFigures:
    name: str
    resources: int
    loads_s: float
    mapping_s: float

    @property
    def ratio(self) -> float:
        return self.mapping_s / self.loads_s


def bench_synthea(directory: Path, repeats: int) -> list[BundleFigures]:
    bundles = sorted(p for p in directory.iterdir() if p.suffix == ".json")
    if not bundles:
        raise SystemExit(f"no .json bundles in {directory}")
    map_bytes(bundles[0].read_bytes(), bundles[0].name)  # warm-up: lazy imports of fhir.resources models
    figures = []
    print(f"\n== Synthea bundles ({directory}), best of {repeats} ==")
    print(f"{'bundle':<46} {'MB':>6} {'res':>6} {'loads ms':>9} {'map ms':>9} {'res/s':>10} {'ratio':>6}")
    for path in bundles:
        data = path.read_bytes()
        loads_s, bundle = best_of(repeats, partial(json.loads, data))
        del bundle
        run = best_run(repeats, partial(map_bytes, data, path.name))
        fig = BundleFigures(path.name, run.resources, loads_s, run.total_s)
        mapping_s = run.total_s
        figures.append(fig)
        print(
            f"{_short(path.name, 46):<46} {len(data) / 1e6:>6.2f} {fig.resources:>6} {loads_s * 1e3:>9.2f} "
            f"{mapping_s * 1e3:>9.2f} {fig.resources / mapping_s:>10,.0f} {fig.ratio:>5.2f}x"
        )
    total = _total(figures)
    print(
        f"{'TOTAL':<46} {'':>6} {total.resources:>6} {total.loads_s * 1e3:>9.2f} "
        f"{total.mapping_s * 1e3:>9.2f} {total.resources / total.mapping_s:>10,.0f} {total.ratio:>5.2f}x"
    )
    print(f"target: mapping / json.loads <= {SYNTHEA_RATIO_TARGET:.1f}")
    return figures


def _total(figures: list[BundleFigures]) -> BundleFigures:
    return BundleFigures(
        "TOTAL",
        sum(f.resources for f in figures),
        sum(f.loads_s for f in figures),
        sum(f.mapping_s for f in figures),
    )


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


# ---------------------------------------------------------------------------------------------------
# Generated bulk NDJSON
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LabSpec:
    """One analyte as a feed sends it: LOINC and local code, UCUM codes, non-UCUM unit spellings."""

    key: str
    loinc: str
    display: str
    local_code: str
    ucum: tuple[str, ...]
    text: tuple[str, ...]


CBC = (
    LabSpec("hemoglobin", "718-7", "Hemoglobin [Mass/volume] in Blood", "HGB", ("g/dL", "g/L"), ("gm/dL",)),
    LabSpec("hematocrit", "4544-3", "Hematocrit [Volume Fraction] of Blood by Automated count", "HCT",
            ("%",), ("l/l",)),
    LabSpec("rbc", "789-8", "Erythrocytes [#/volume] in Blood by Automated count", "RBC",
            ("10*6/uL", "10*12/L"), ("M/uL", "10^6/uL")),
    LabSpec("mcv", "787-2", "MCV [Entitic volume] by Automated count", "MCV", ("fL",), ("fl",)),
    LabSpec("wbc", "6690-2", "Leukocytes [#/volume] in Blood by Automated count", "WBC",
            ("10*3/uL", "10*9/L"), ("K/uL", "x10E3/uL", "thou/uL")),
    LabSpec("platelets", "777-3", "Platelets [#/volume] in Blood by Automated count", "PLT",
            ("10*3/uL", "10*9/L"), ("K/uL", "x10E3/uL")),
    LabSpec("neutrophils", "751-8", "Neutrophils [#/volume] in Blood by Automated count", "NEUT#",
            ("10*3/uL", "10*9/L"), ("K/uL", "x10E3/uL")),
    LabSpec("lymphocytes", "731-0", "Lymphocytes [#/volume] in Blood by Automated count", "LYMPH#",
            ("10*3/uL", "10*9/L"), ("K/uL",)),
)
NEUTROPHILS_PCT = LabSpec(
    "neutrophils_pct", "770-8", "Neutrophils/100 leukocytes in Blood by Automated count", "NEUT%",
    ("%",), ("%",),
)
CHEMISTRY = (
    LabSpec("creatinine", "2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "CREA",
            ("mg/dL", "umol/L"), ("mg/dl", "µmol/L")),
    LabSpec("urea_nitrogen", "6299-2", "Urea nitrogen [Mass/volume] in Blood", "BUN", ("mg/dL",), ("mg/dl",)),
    LabSpec("egfr", "33914-3", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum",
            "EGFR", ("mL/min/{1.73_m2}",), ("mL/min/1.73m2", "mL/min")),
    LabSpec("bilirubin", "1975-2", "Bilirubin.total [Mass/volume] in Serum or Plasma", "TBIL",
            ("mg/dL", "umol/L"), ("mg/dl",)),
    LabSpec("ast", "1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
            "AST", ("U/L",), ("IU/L",)),
    LabSpec("alt", "1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
            "ALT", ("U/L",), ("IU/L",)),
    LabSpec("alp", "6768-6", "Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma",
            "ALP", ("U/L",), ("IU/L",)),
    LabSpec("albumin", "1751-7", "Albumin [Mass/volume] in Serum or Plasma", "ALB", ("g/dL", "g/L"),
            ("gm/dL",)),
    LabSpec("sodium", "2951-2", "Sodium [Moles/volume] in Serum or Plasma", "NA", ("mmol/L",), ("mEq/L",)),
    LabSpec("potassium", "2823-3", "Potassium [Moles/volume] in Serum or Plasma", "K", ("mmol/L",),
            ("mEq/L",)),
    LabSpec("glucose", "2345-7", "Glucose [Mass/volume] in Serum or Plasma", "GLU", ("mg/dL", "mmol/L"),
            ("mg/dl",)),
    LabSpec("calcium", "17861-6", "Calcium [Mass/volume] in Serum or Plasma", "CA", ("mg/dL", "mmol/L"),
            ("mg/dl",)),
    LabSpec("ldh", "2532-0", "Lactate dehydrogenase [Enzymatic activity/volume] in Serum or Plasma", "LDH",
            ("U/L",), ("IU/L",)),
)


@dataclass(frozen=True)
class Generated:
    path: Path
    observations: int
    patients: int
    procedures: int
    lines: int
    size_bytes: int


def _sig3(number: float) -> float:
    """A value as a laboratory reports it: three significant digits."""
    return float(f"{number:.3g}")


class NdjsonWriter:
    """Writes realistic lab Observations for a cohort of PRRT patients, deterministic for a seed."""

    def __init__(self, table: AnalyteTable, seed: int) -> None:
        self.table = table
        self.rng = random.Random(seed)
        self.count = 0
        for spec in (*CBC, NEUTROPHILS_PCT, *CHEMISTRY):  # the specs must name listed units, or the
            analyte = table.analytes[spec.key]          # benchmark would time "cannot grade" paths
            assert spec.loinc in analyte.loinc, spec
            for unit in spec.ucum:  # a UCUM code matches only as spelled (case-sensitive)
                assert analyte.units.factor(unit, exact=True) is not None, (spec.key, unit)
            for unit in spec.text:
                assert analyte.units.factor(unit) is not None, (spec.key, unit)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _quantity(self, value: float, unit: str, coded: bool) -> dict[str, Any]:
        if coded:
            return {"value": value, "unit": unit, "system": UCUM, "code": unit}
        return {"value": value, "unit": unit}

    def observation(
        self,
        spec: LabSpec,
        patient: str,
        sex: str,
        when: datetime,
        specimen: str | None,
        value: float | None = None,
    ) -> dict[str, Any]:
        """One lab Observation; ``value`` in the canonical unit (drawn around the default range if None)."""
        rng = self.rng
        analyte = self.table.analytes[spec.key]
        limits = analyte.default_limits(sex) or (0.0, 100.0)
        if value is None:
            mid, spread = (limits[0] + limits[1]) / 2, (limits[1] - limits[0]) / 4
            outlier = rng.choice((0.45, 0.7, 1.6, 2.5)) if rng.random() < 0.1 else 1.0  # 10 % abnormal
            value = max(rng.gauss(mid, spread) * outlier, 0.01)
        coded = rng.random() < 0.6  # 60 % UCUM-coded quantities, 40 % unit text only (HL7 v2 feeds)
        unit = rng.choice(spec.ucum if coded else spec.text)
        factor = analyte.units.factor(unit, exact=coded)
        assert factor is not None
        shown = _sig3(value / factor)
        self.count += 1
        obs: dict[str, Any] = {
            "resourceType": "Observation",
            "id": self.uuid(),
            "meta": {"profile": [LAB_PROFILE]},
            "status": "final" if rng.random() < 0.995 else rng.choice(("preliminary", "amended")),
            "category": [{"coding": [{"system": CATEGORY, "code": "laboratory", "display": "Laboratory"}]}],
            "code": {"coding": [{"system": LOINC, "code": spec.loinc, "display": spec.display}],
                     "text": spec.display},
            "subject": {"reference": f"Patient/{patient}"},
            "effectiveDateTime": when.isoformat(timespec="seconds"),
            "issued": (when + timedelta(minutes=rng.randrange(40, 240))).isoformat(timespec="milliseconds"),
            "valueQuantity": self._quantity(shown, unit, coded),
        }
        if rng.random() < 0.3:  # the laboratory's own code first, LOINC second
            obs["code"]["coding"].insert(0, {"system": LOCAL_CODES, "code": spec.local_code})
        if specimen is not None:
            obs["specimen"] = {"reference": f"Specimen/{specimen}"}
        if rng.random() < 0.65 and analyte.default_range:
            low, high = (_sig3(v / factor) for v in limits)
            ref: dict[str, Any] = {
                "low": self._quantity(low, unit, coded),
                "high": self._quantity(high, unit, coded),
            }
            if rng.random() < 0.1:
                del ref["low"]  # upper limit only, as many chemistry reports give it
            obs["referenceRange"] = [ref]
            if rng.random() < 0.8:
                flag = "H" if value > limits[1] else "L" if value < limits[0] else "N"
                obs["interpretation"] = [{"coding": [{"system": INTERPRETATION, "code": flag}]}]
        return obs


def generate_ndjson(directory: Path, observations: int, patients: int, seed: int) -> Generated:
    """A bulk-export-like NDJSON file: Patients, then PRRT Procedures, then lab Observations by patient."""
    writer = NdjsonWriter(analytes(), seed)
    rng = writer.rng
    path = directory / "bulk-labs.ndjson"
    share, extra = divmod(observations, patients)
    per_patient = [share + (1 if i < extra else 0) for i in range(patients)]
    cohort = [(writer.uuid(), rng.choice(("male", "female"))) for _ in range(patients)]
    start0 = datetime(2022, 1, 3, 7, 30, tzinfo=UTC)
    procedures = 0
    lines: list[str] = []
    dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

    def emit(obj: dict[str, Any]) -> None:
        lines.append(dump(obj))

    first_cycle: dict[str, datetime] = {}
    for pid, sex in cohort:
        birth = datetime(rng.randrange(1940, 1985), rng.randrange(1, 13), rng.randrange(1, 29))
        emit({
            "resourceType": "Patient", "id": pid,
            "meta": {"profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"]},
            "identifier": [{"system": "urn:oid:2.16.840.1.113883.3.4711.2",
                            "value": f"MRN{rng.randrange(10**7):07d}"}],
            "name": [{"use": "official", "family": f"Test{rng.randrange(10**4)}", "given": ["Pat"]}],
            "gender": sex, "birthDate": birth.date().isoformat(),
        })
        first_cycle[pid] = start0 + timedelta(days=rng.randrange(30, 240))
    for pid, _sex in cohort:
        for cycle in range(4):  # four cycles of 7.4 GBq, eight weeks apart
            when = first_cycle[pid] + timedelta(weeks=8 * cycle, hours=rng.randrange(3))
            activity = {"value": 7.4, "unit": "GBq"} if rng.random() < 0.8 else {"value": 200, "unit": "mCi"}
            procedures += 1
            emit({
                "resourceType": "Procedure", "id": writer.uuid(), "status": "completed",
                "code": {
                    "coding": [{"system": SNOMED, "code": "399315003", "display": "Radionuclide therapy"}],
                    "text": "Lutetium (177Lu) oxodotreotide (Lutathera)",
                },
                "subject": {"reference": f"Patient/{pid}"},
                "performedDateTime": when.isoformat(timespec="seconds"),
                "extension": [{"url": "urn:prrt-cds:administered-activity", "valueQuantity": activity}],
            })
    for (pid, sex), quota in zip(cohort, per_patient, strict=True):
        when = first_cycle[pid] - timedelta(days=rng.randrange(14, 60))
        written = 0
        while written < quota:
            specimen = writer.uuid()
            panel: list[LabSpec] = list(CBC) + (list(CHEMISTRY) if rng.random() < 0.7 else [])
            for spec in panel[: quota - written]:
                emit(writer.observation(spec, pid, sex, when, specimen if spec in CBC else None))
                written += 1
            if written < quota and rng.random() < 0.2:  # a percent differential on the same specimen
                emit(writer.observation(NEUTROPHILS_PCT, pid, sex, when, specimen, rng.uniform(40, 75)))
                written += 1
            when += timedelta(days=rng.randrange(3, 15), minutes=rng.randrange(-90, 90))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Generated(path, writer.count, patients, procedures, len(lines), path.stat().st_size)


@dataclass(frozen=True)
class NdjsonFigures:
    observations: int
    loads_s: float
    loads_kept_s: float
    run: PathRun
    rss_mib: float
    traced_peak_bytes: int

    @property
    def rate(self) -> float:
        return self.observations / self.run.total_s

    @property
    def ratio(self) -> float:
        return self.run.total_s / self.loads_s


def bench_ndjson(generated: Generated, repeats: int) -> NdjsonFigures:
    path = generated.path
    size = generated.size_bytes / 1e6
    print(f"\n== Bulk NDJSON ({generated.lines:,} lines, {size:.1f} MB), best of {repeats} ==")
    print(f"{generated.observations:,} lab Observations, {generated.patients} Patients, "
          f"{generated.procedures} PRRT Procedures")
    loads_s, lines = best_of(repeats, partial(loads_lines, path))
    loads_kept_s, kept = best_of(repeats, partial(loads_lines_kept, path))
    del kept  # 200k resource dicts: they must not be alive (and scanned by the GC) during the mapping runs
    run = best_run(repeats, partial(map_files, path))
    rss = peak_rss_mib()  # before the tracemalloc run, whose own bookkeeping is large
    assert lines == generated.lines == run.resources
    graded = run.labs + run.ungradable
    if graded < 0.95 * generated.observations:  # the benchmark must time mapping, not skipping
        raise SystemExit(f"only {graded:,} of {generated.observations:,} lab Observations were mapped")
    gc.collect()
    tracemalloc.start()
    map_files(path)  # untimed: tracemalloc slows allocation down several times
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    fig = NdjsonFigures(generated.observations, loads_s, loads_kept_s, run, rss, peak)
    n = generated.observations

    def line(label: str, seconds: float, note: str = "") -> None:
        print(f"  {label:<44} {seconds:8.3f} s {seconds / n * 1e6:7.2f} us/obs  {note}")

    line("json.loads, one line at a time", loads_s, f"({lines / loads_s:,.0f} lines/s)")
    line("json.loads, all results kept alive", loads_kept_s)
    line("read_paths + map_collected + timelines", run.total_s, f"({fig.rate:,.0f} lab Observations/s)")
    line("  of which read_paths (read, parse, collect)", run.read_s)
    line("  of which map_collected", run.map_s)
    line("  of which build_timeline (all patients)", run.timeline_s)
    line("  of which cyclic GC pauses (any phase)", run.gc_s,
         f"({run.gc_s / run.total_s:.0%}; collections by generation {run.gc_collections})")
    print(f"ratio mapping / json.loads: {fig.ratio:.2f}x "
          f"(against json.loads with all results kept: {run.total_s / loads_kept_s:.2f}x)")
    print(f"mapped: {run.labs:,} LabResults, {run.ungradable:,} ungradable, {run.issues:,} issues, "
          f"{run.timelines} timelines, {run.cycles} cycles, {run.skipped} skipped")
    print(f"peak RSS of the process after the timed runs (ru_maxrss): {rss:,.0f} MiB")
    print(f"peak traced Python memory of one read+map: {peak / 2**20:,.1f} MiB "
          f"({peak / n:,.0f} B per lab Observation)")
    print(f"target: >= {NDJSON_RATE_TARGET:,.0f} lab Observations/s")
    return fig


def profile_ndjson(path: Path, top: int = 25) -> None:
    profiler = cProfile.Profile()
    gc.collect()
    profiler.enable()
    run = map_files(path)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(order).print_stats(top)
        print(f"\n== cProfile of read_paths + map_collected + timelines, top {top} by {order} ==")
        print(_trim_profile(out.getvalue()))
    print(f"(cyclic GC paused this run for {run.gc_s:.2f} s of {run.total_s:.2f} s; cProfile charges those "
          "pauses to whichever function was allocating, mostly json's raw_decode)")


def _trim_profile(text: str) -> str:
    """pstats output from the column header on, with the site-packages prefix cut from paths."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")))
    prefixes = sorted({p for p in sys.path if p and p.endswith("site-packages")}, key=len, reverse=True)
    root = str(Path(__file__).resolve().parents[1])
    out = []
    for line in lines[start:]:
        for prefix in (*prefixes, root):
            line = line.replace(prefix + os.sep, "")
        out.append(line)
    return "\n".join(out).rstrip()


# ---------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------
def summary(bundles: list[BundleFigures], ndjson: NdjsonFigures | None) -> None:
    rows: list[tuple[str, str, str, str]] = []

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    for fig in bundles:
        rows.append((f"synthea {_short(fig.name, 30)} map/loads", f"{fig.ratio:.2f}x",
                     f"<= {SYNTHEA_RATIO_TARGET:.1f}x", verdict(fig.ratio <= SYNTHEA_RATIO_TARGET)))
    if bundles:
        total = _total(bundles)
        rows.append(("synthea TOTAL map/loads", f"{total.ratio:.2f}x", f"<= {SYNTHEA_RATIO_TARGET:.1f}x",
                     verdict(total.ratio <= SYNTHEA_RATIO_TARGET)))
        rows.append(("synthea TOTAL resources/s", f"{total.resources / total.mapping_s:,.0f}/s", "-", "info"))
    if ndjson is not None:
        rows.append(("ndjson lab Observations/s", f"{ndjson.rate:,.0f}/s", f">= {NDJSON_RATE_TARGET:,.0f}/s",
                     verdict(ndjson.rate >= NDJSON_RATE_TARGET)))
        rows.append(("ndjson map/loads", f"{ndjson.ratio:.2f}x", "-", "info"))
        run = ndjson.run
        rows.append(("ndjson cyclic GC share", f"{run.gc_s / run.total_s:.0%}", "-", "info"))
        rows.append(("ndjson peak RSS (ru_maxrss)", f"{ndjson.rss_mib:,.0f} MiB", "-", "info"))
        traced = f"{ndjson.traced_peak_bytes / 2**20:,.0f} MiB"
        rows.append(("ndjson peak traced memory", traced, "-", "info"))
    width = max(len(r[0]) for r in rows)
    print("\n== Summary ==")
    print(f"{'figure':<{width}}  {'value':>12}  {'target':>12}  result")
    for name, value, target, result in rows:
        print(f"{name:<{width}}  {value:>12}  {target:>12}  {result}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add = parser.add_argument
    add("--synthea", type=Path, metavar="DIR", default=DEFAULT_SYNTHEA, help="directory of Synthea bundles")
    add("--observations", type=int, metavar="N", default=200_000, help="lab Observations in the NDJSON")
    add("--patients", type=int, metavar="N", default=200, help="patients in the NDJSON")
    add("--repeats", type=int, metavar="N", default=7, help="repeats per Synthea bundle (best is kept)")
    add("--ndjson-repeats", type=int, metavar="N", default=3, help="repeats of each NDJSON measurement")
    add("--seed", type=int, metavar="N", default=SEED, help="random seed of the generated NDJSON")
    add("--profile", action="store_true", help="also cProfile the NDJSON mapping")
    args = parser.parse_args(argv)
    if args.observations < args.patients or args.patients < 1:
        parser.error("need --patients >= 1 and --observations >= --patients")

    print("prrt-cds mapping benchmark")
    for line in describe(("pydantic", "pydantic-core", "fhir.resources")):
        print(line)
    print(f"affinity: {pin_one_core()}")
    codes(), analytes()  # the tables are read once per process; keep that out of the timings

    bundles = bench_synthea(args.synthea, args.repeats) if args.synthea.is_dir() else []
    if not bundles:
        print(f"\n(no Synthea directory at {args.synthea}: bundle benchmark skipped)")
    with tempfile.TemporaryDirectory(prefix="prrt-cds-bench-") as tmp:
        started = time.perf_counter()
        generated = generate_ndjson(Path(tmp), args.observations, args.patients, args.seed)
        took = time.perf_counter() - started
        print(f"\n(generated {generated.path.name} in {took:.1f} s, seed {args.seed})")
        ndjson = bench_ndjson(generated, args.ndjson_repeats)
        if args.profile:
            profile_ndjson(generated.path)
    summary(bundles, ndjson)
    return 0


if __name__ == "__main__":
    sys.exit(main())
