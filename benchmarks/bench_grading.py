"""Benchmark of CTCAE grading on the rule engine, against the plain-Python oracle of the tests.

Run by hand (never part of the test suite)::

    python benchmarks/bench_grading.py [--labs N] [--patients N] [--seed N] [--no-oracle]

1. Generates, in memory and with a fixed seed, N lab results (default 1,000,000) of P patients
   (default 10,000, so about 100 each): CBC and chemistry panels on a PRRT schedule (4 cycles, 8 weeks
   apart, a pre-treatment visit, then visits every 1-3 weeks), realistic values with toxicity tails,
   80 % in the canonical unit and 20 % in a conventional one (g/dL, mg/dL, K/uL), 85 % with the
   laboratory's own reference range and 15 % with the default range. Each patient becomes a
   ``cds.timeline.Timeline`` (``build_timeline``: cycles, baselines).
2. Engine: times only ``cds.ctcae.grade_timeline`` with ``cds.bootstrap.default_engine()``, patient by patient
   (facts, one durable_rules session, conclusions): labs/s, total wall time.
3. Oracle: the same labs, regenerated from the same seed, graded by ``tests/oracle_ctcae.py`` (plain
   Python, exact decimals), timed the same way; the ratio engine time / oracle time; and every
   (lab, term) grade of the engine compared with the oracle's (they must agree).
4. Peak RSS of the process (``ru_maxrss``) after each phase, the machine, and a Summary table.

Generation is not timed. The process is pinned to one core where the OS allows it.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from cds import bootstrap
from cds.bootstrap import default_engine as engine
from cds.ctcae.decide import grade_timeline
from cds.ctcae.table import table
from cds.engine import Engine
from cds.engine.memo import DEFAULT_SIZE, Memo, MemoEngine
from cds.evaluation import evaluate_patient
from cds.facts import Administration, LabResult, Patient, PatientRecord
from cds.timeline import Timeline, build_timeline

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import oracle_ctcae as oracle  # the oracle lives with the tests
from host import describe, peak_rss_mib, pin_one_core

SEED = 20261124
AGREEMENT_TARGET = 1.0
COLD_TARGET = 25_000  # (lab, term) grades/s, all facts distinct, fresh memo, one core
COHORT_TARGET = 1.0  # engine time / oracle time on the realistic cohort

# analyte -> (canonical unit, conventional unit or None, conventional factor, decimals in canonical,
#             decimals in conventional, direction of its toxicity: "low" / "high" / "both")
PANELS: dict[str, list[str]] = {
    "cbc": ["hemoglobin", "wbc", "neutrophils", "lymphocytes", "platelets"],
    "chem": ["creatinine", "bilirubin", "alt", "ast", "alp", "albumin", "sodium", "potassium", "calcium",
             "glucose", "magnesium"],
}
CONVENTIONAL = {  # the unit a US laboratory would report in (its factor is read from analytes.toml)
    "hemoglobin": "g/dL", "wbc": "K/uL", "neutrophils": "K/uL", "lymphocytes": "K/uL", "platelets": "10*3/uL",
    "creatinine": "mg/dL", "bilirubin": "mg/dL", "albumin": "g/dL", "calcium": "mg/dL", "glucose": "mg/dL",
    "magnesium": "mg/dL",
}
TOXIC = {  # which way PRRT toxicity pushes the analyte
    "hemoglobin": "low", "wbc": "low", "neutrophils": "low", "lymphocytes": "low", "platelets": "low",
    "creatinine": "high", "bilirubin": "high", "alt": "high", "ast": "high", "alp": "high", "albumin": "low",
    "sodium": "both", "potassium": "both", "calcium": "both", "glucose": "both", "magnesium": "both",
}


@dataclass(frozen=True)
class LabSpec:
    """What the laboratory reported: enough for the oracle to grade without the engine's floats."""

    lab: LabResult
    value: Decimal
    unit: str
    low: Decimal | None  # in range_unit
    high: Decimal | None
    range_unit: str


@dataclass
class Patient_:
    timeline: Timeline
    specs: dict[str, LabSpec]  # lab ref -> spec


def _places(x: float) -> int:
    if x >= 100:
        return 0
    if x >= 10:
        return 1
    if x >= 1:
        return 2
    return 3


def _lab_value(rng: random.Random, analyte: str, low: float, high: float) -> float:
    """A canonical value: mostly inside the range, with toxicity tails in the analyte's direction."""
    width = high - low
    value = low + width * rng.gauss(0.5, 0.35)
    roll = rng.random()
    direction = TOXIC[analyte]
    if roll < 0.10 and direction in ("low", "both"):
        value = low * rng.uniform(0.05, 1.0)
    elif roll < 0.20 and direction in ("high", "both"):
        value = high * rng.uniform(1.0, 25.0 if analyte in ("alt", "ast", "alp", "bilirubin") else 4.0)
    return max(value, low * 0.02)


# Decimals a laboratory reports, in the canonical unit and in the conventional one ("cohort" style).
SI_PLACES = {"hemoglobin": 0, "wbc": 2, "neutrophils": 2, "lymphocytes": 2, "platelets": 0, "creatinine": 1,
             "bilirubin": 0, "alt": 0, "ast": 0, "alp": 0, "albumin": 0, "sodium": 0, "potassium": 1,
             "calcium": 2, "glucose": 1, "magnesium": 2}
CONVENTIONAL_PLACES = {"hemoglobin": 1, "wbc": 1, "neutrophils": 1, "lymphocytes": 1, "platelets": 0,
                       "creatinine": 2, "bilirubin": 1, "albumin": 1, "calcium": 1, "glucose": 0, "magnesium": 1}
SITES = 4  # the cohort's laboratories: each its own reference ranges; the last reports in conventional units


def _site_range(seed: int, site: int, analyte: str, low: float, high: float, places: int) -> tuple[float, float]:
    """A site's reference range: the default one moved by a few percent, at the site's precision."""
    rng = random.Random(f"{seed}-{site}-{analyte}")
    return round(low * rng.uniform(0.9, 1.1), places), round(high * rng.uniform(0.9, 1.1), places)


def _reported(rng: random.Random, analyte: str, style: str, site: int, f: float, low: float, high: float,
              seed: int) -> tuple[float, tuple[float, float] | None]:
    """The value as the laboratory reports it, and its own range in the same unit (None: the default range).

    ``mixed``: the original workload; ``cold``: every value and range at full precision (no two facts
    alike); ``cohort``: values and ranges at the precision laboratories report, ranges from the patient's site.
    """
    if style == "mixed":
        places = _places(_lab_value(rng, analyte, low, high) / f)
        reported = round(_lab_value(rng, analyte, low, high) / f, places)
        own = (round(low / f, places + 1), round(high / f, places + 1)) if rng.random() < 0.85 else None
        return reported, own
    if style == "cold":
        reported = _lab_value(rng, analyte, low, high) / f
        own = (low / f * rng.uniform(0.95, 1.05), high / f * rng.uniform(0.95, 1.05)) if rng.random() < 0.85 else None
        return reported, own
    places = (CONVENTIONAL_PLACES if f != 1.0 else SI_PLACES)[analyte]
    reported = round(_lab_value(rng, analyte, low, high) / f, places)
    own = _site_range(seed, site, analyte, low / f, high / f, places) if rng.random() < 0.85 else None
    return reported, own


def make_patient(index: int, seed: int, labs: int, style: str = "mixed") -> Patient_:
    rng = random.Random(seed * 1_000_003 + index)
    ref = f"Patient/b{index}"
    sex = rng.choice(["male", "female"])
    first = date(2024, 1, 8) + timedelta(days=rng.randint(0, 300))
    site = index % SITES
    admins = [
        Administration(
            ref=f"Procedure/b{index}-c{k}", patient=ref, at=datetime.combine(first + timedelta(days=56 * k),
                                                                                 datetime.min.time(), UTC),
            day=first + timedelta(days=56 * k), activity_gbq=7.4,
        )
        for k in range(4)
    ]
    results: list[LabResult] = []
    specs: dict[str, LabSpec] = {}
    day = first - timedelta(days=3)
    while len(results) < labs:
        for panel in ("cbc", "chem"):
            for analyte in PANELS[panel]:
                if len(results) >= labs:
                    break
                table_range = oracle.default_range(analyte, sex)
                assert table_range is not None
                d_low, d_high = float(table_range[0]), float(table_range[1])
                canonical = oracle.canonical_unit(analyte)
                if style == "cohort":
                    conventional = site == SITES - 1 and analyte in CONVENTIONAL
                    unit = CONVENTIONAL[analyte] if conventional else canonical
                else:
                    unit = CONVENTIONAL[analyte] if analyte in CONVENTIONAL and rng.random() < 0.2 else canonical
                factor = oracle.factor(analyte, unit)
                assert factor is not None
                f = float(factor)
                reported, own = _reported(rng, analyte, style, site, f, d_low, d_high, seed)
                if own is not None:
                    low, high = Decimal(repr(own[0])), Decimal(repr(own[1]))
                    range_unit, lab_low, lab_high, source = unit, float(low) * f, float(high) * f, "observation"
                else:
                    low, high = table_range
                    range_unit, lab_low, lab_high, source = canonical, d_low, d_high, "default"
                at = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
                lab = LabResult(
                    ref=f"Observation/b{index}-{len(results)}", patient=ref, at=at, day=day, analyte=analyte,
                    loinc="0-0", value=reported * f, unit=canonical, reported_value=reported, reported_unit=unit,
                    low=lab_low, high=lab_high, range_source=source,
                )
                results.append(lab)
                specs[lab.ref] = LabSpec(lab, Decimal(repr(reported)), unit, low, high, range_unit)
        day += timedelta(days=rng.choice([7, 7, 14, 21]))
    record = PatientRecord(patient=Patient(ref=ref, sex=sex), administrations=admins, labs=results)
    return Patient_(build_timeline(record), specs)


def patients(count: int, labs: int, seed: int, style: str = "mixed") -> Iterator[Patient_]:
    base, extra = divmod(labs, count)
    for index in range(count):
        yield make_patient(index, seed, base + (1 if index < extra else 0), style)


def oracle_grades(patient: Patient_) -> dict[tuple[str, str], int | None]:
    out = {}
    timeline = patient.timeline
    for lab in timeline.labs:
        spec = patient.specs[lab.ref]
        baseline = timeline.baseline(lab.analyte)
        kwargs = {}
        if baseline is not None:
            base_spec = patient.specs[baseline.lab.ref]
            kwargs = dict(
                baseline=base_spec.value, baseline_unit=base_spec.unit, baseline_abnormal=baseline.abnormal_high,
                is_baseline=lab.at <= baseline.lab.at,
            )
        for term in oracle.terms_for(lab.analyte):
            result = oracle.grade(
                term.id, spec.value, spec.unit, lln=spec.low, uln=spec.high, range_unit=spec.range_unit, **kwargs
            )
            out[(lab.ref, term.id)] = result.grade
    return out


@dataclass
class Phase:
    seconds: float = 0.0
    labs: int = 0
    grades: int = 0
    rss_mib: float = 0.0

    @property
    def rate(self) -> float:
        return self.labs / self.seconds if self.seconds else 0.0


def run_engine(count: int, labs: int, seed: int, style: str = "mixed",
               rules: Engine | None = None) -> tuple[Phase, dict[str, str]]:
    phase, kept = Phase(), {}
    rules, ctcae = rules or engine(), table("5.0")
    for patient in patients(count, labs, seed, style):
        start = time.perf_counter()
        grades = grade_timeline(patient.timeline, ctcae, rules)
        phase.seconds += time.perf_counter() - start
        phase.labs += len(patient.timeline.labs)
        phase.grades += len(grades)
        # Kept for the oracle comparison as one string per patient: a million small objects kept alive
        # would make every full collection of the cyclic GC scan them, and charge that to the grading.
        kept[patient.timeline.patient.ref] = "\n".join(f"{g.observation}\t{g.term_id}\t{g.grade}" for g in grades)
    phase.rss_mib = peak_rss_mib()
    return phase, kept


def unpack(kept: str) -> dict[tuple[str, str], int | None]:
    grades: dict[tuple[str, str], int | None] = {}
    for line in kept.splitlines():
        observation, term, grade = line.split("\t")
        grades[(observation, term)] = None if grade == "None" else int(grade)
    return grades


def one_patient(seed: int, labs: int = 300, repeats: int = 50) -> tuple[float, float]:
    """Median ms to grade one patient's ``labs`` results, and to evaluate them end to end
    (``evaluate_patient``: CTCAE grades, Lutathera dose alerts, RECIST)."""
    patient = make_patient(0, seed, labs)
    rules, ctcae = engine(), table("5.0")
    graded, whole = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        grade_timeline(patient.timeline, ctcae, rules)
        graded.append(time.perf_counter() - start)
        start = time.perf_counter()
        evaluate_patient(patient.timeline)
        whole.append(time.perf_counter() - start)
    return statistics.median(graded) * 1000, statistics.median(whole) * 1000


def run_oracle(
    count: int, labs: int, seed: int, engine_grades: dict[str, str], style: str = "mixed"
) -> tuple[Phase, int, list[str]]:
    phase, mismatches, examples = Phase(), 0, []
    for patient in patients(count, labs, seed, style):
        start = time.perf_counter()
        grades = oracle_grades(patient)
        phase.seconds += time.perf_counter() - start
        phase.labs += len(patient.timeline.labs)
        phase.grades += len(grades)
        theirs = unpack(engine_grades[patient.timeline.patient.ref])
        for key, grade in grades.items():
            if theirs.get(key, "absent") != grade:
                mismatches += 1
                if len(examples) < 10:
                    spec = patient.specs[key[0]]
                    examples.append(
                        f"{key}: engine {theirs.get(key, 'absent')}, oracle {grade}; {spec.value} {spec.unit}"
                        f" range {spec.low}-{spec.high} {spec.range_unit}"
                    )
        mismatches += len(set(theirs) - set(grades))
    phase.rss_mib = peak_rss_mib()
    return phase, mismatches, examples


@dataclass
class Mode:
    name: str
    engine: Phase
    oracle: Phase
    hit_rate: float
    mismatches: int

    @property
    def results_per_s(self) -> float:
        return self.engine.grades / self.engine.seconds if self.engine.seconds else 0.0

    @property
    def ratio(self) -> float:
        return self.engine.seconds / self.oracle.seconds if self.oracle.seconds else float("inf")


def run_mode(style: str, count: int, labs: int, seed: int) -> Mode:
    """One workload style graded by the process's engine behind a fresh memo (as ``default_engine``
    composes it, with the default size) and by the oracle, patient by patient in turn, so that both
    are timed the same way under the same load; every (lab, term) grade compared."""
    memoised = MemoEngine(bootstrap.build_engine("durable"), bootstrap.all_rulesets(), Memo(DEFAULT_SIZE))
    ctcae = table("5.0")
    engine_phase, oracle_phase, mismatches = Phase(), Phase(), 0
    gc.collect()
    for patient in patients(count, labs, seed, style):
        start = time.perf_counter()
        grades = grade_timeline(patient.timeline, ctcae, memoised)
        engine_phase.seconds += time.perf_counter() - start
        start = time.perf_counter()
        expected = oracle_grades(patient)
        oracle_phase.seconds += time.perf_counter() - start
        for phase, graded in ((engine_phase, len(grades)), (oracle_phase, len(expected))):
            phase.labs += len(patient.timeline.labs)
            phase.grades += graded
        got = {(g.observation, g.term_id): g.grade for g in grades}
        wrong = [key for key, grade in expected.items() if got.get(key, "absent") != grade]
        mismatches += len(wrong) + len(set(got) - set(expected))
        for key in wrong[:3]:
            print(f"  {style} mismatch {key}: engine {got.get(key, 'absent')}, oracle {expected[key]}")
    decided = memoised.hits + memoised.misses
    return Mode(style, engine_phase, oracle_phase, memoised.hits / decided if decided else 0.0, mismatches)


def mode_rows(mode: Mode, label: str, *, min_rate: float | None = None,
              max_ratio: float | None = None) -> list[tuple[str, str, str, str]]:
    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    agreement = 1 - mode.mismatches / max(mode.oracle.grades, 1)
    rate = (f">= {min_rate:,.0f}", verdict(mode.results_per_s >= min_rate)) if min_rate else ("-", "info")
    ratio = (f"<= {max_ratio:.1f}x", verdict(mode.ratio <= max_ratio)) if max_ratio else ("-", "info")
    return [
        (f"{label}: engine results/s", f"{mode.results_per_s:,.0f}", *rate),
        (f"{label}: engine / oracle time", f"{mode.ratio:.2f}x", *ratio),
        (f"{label}: oracle results/s", f"{mode.oracle.grades / mode.oracle.seconds:,.0f}", "-", "info"),
        (f"{label}: memo hit rate", f"{mode.hit_rate:.1%}", "-", "info"),
        (f"{label}: engine = oracle", f"{agreement:.4%}", f"{AGREEMENT_TARGET:.0%}", verdict(mode.mismatches == 0)),
    ]


def print_mode(mode: Mode, title: str) -> None:
    print()
    print(f"## {title}")
    print(f"(lab, term) grades: {mode.engine.grades:,} of {mode.engine.labs:,} labs")
    print(f"engine:   {mode.engine.seconds:,.2f} s -> {mode.results_per_s:,.0f} results/s;"
          f" memo hit rate {mode.hit_rate:.1%}")
    print(f"oracle:   {mode.oracle.seconds:,.2f} s -> {mode.oracle.grades / mode.oracle.seconds:,.0f} results/s")
    print(f"ratio engine / oracle time: {mode.ratio:.2f}")
    print(f"agreement: {mode.oracle.grades - mode.mismatches:,} of {mode.oracle.grades:,};"
          f" mismatches {mode.mismatches:,}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labs", type=int, default=1_000_000, help="lab results in total (default 1,000,000)")
    parser.add_argument("--patients", type=int, default=10_000, help="patients (default 10,000)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"seed of the generated labs (default {SEED})")
    parser.add_argument("--no-oracle", action="store_true", help="skip the oracle phase")
    parser.add_argument("--no-modes", action="store_true", help="skip the cold and realistic-cohort modes")
    args = parser.parse_args(argv)

    print("# bench_grading: CTCAE grading on the engine vs the plain-Python oracle")
    for line in describe(("durable-rules", "pydantic", "pydantic-core")):
        print(line)
    print(f"affinity: {pin_one_core()}")
    print(f"workload: {args.labs:,} lab results, {args.patients:,} patients, seed {args.seed}")
    print(f"RSS before: {peak_rss_mib():,.0f} MiB (ru_maxrss)")
    engine()  # build the rule engine outside the timed region
    gc.collect()

    wall = time.perf_counter()
    engine_phase, engine_grades = run_engine(args.patients, args.labs, args.seed)
    engine_wall = time.perf_counter() - wall
    print()
    print("## engine (cds.ctcae.grade_timeline on durable_rules)")
    print(f"labs graded:        {engine_phase.labs:,} ({engine_phase.grades:,} (lab, term) grades)")
    print(f"grading time:       {engine_phase.seconds:,.2f} s  ->  {engine_phase.rate:,.0f} labs/s")
    print(f"phase wall time:    {engine_wall:,.2f} s (with generation, not timed above)")
    print(f"peak RSS:           {engine_phase.rss_mib:,.0f} MiB (ru_maxrss after the phase; every grade is kept"
          " for the comparison with the oracle)")
    counts = Counter(g for kept in engine_grades.values() for g in unpack(kept).values())
    order = sorted(counts, key=lambda g: -1 if g is None else g)
    spread = ", ".join(f"{'null' if k is None else k}: {counts[k]:,}" for k in order)
    print(f"grades:             {spread}")

    grades_per_s = engine_phase.grades / engine_phase.seconds
    print(f"graded results/s:   {grades_per_s:,.0f} (lab, term) grades/s")
    grade_ms, evaluate_ms = one_patient(args.seed)
    print(f"one patient, 300 labs: grading {grade_ms:.1f} ms; whole evaluation (grades, dose, RECIST) "
          f"{evaluate_ms:.1f} ms (median of 50)")
    rows = [
        ("engine graded results/s", f"{grades_per_s:,.0f}", ">= 20,000", "PASS" if grades_per_s >= 20_000 else "MISS"),
        ("one patient, 300 labs, grading", f"{grade_ms:.1f} ms", "<= 20 ms", "PASS" if grade_ms <= 20 else "MISS"),
        ("one patient, 300 labs, evaluation", f"{evaluate_ms:.1f} ms", "-", "info"),
        ("engine labs/s", f"{engine_phase.rate:,.0f}", "-", "info"),
        ("engine grading time", f"{engine_phase.seconds:,.1f} s", "-", "info"),
        ("peak RSS after engine phase", f"{engine_phase.rss_mib:,.0f} MiB", "-", "info"),
    ]
    if not args.no_oracle:
        wall = time.perf_counter()
        oracle_phase, mismatches, examples = run_oracle(args.patients, args.labs, args.seed, engine_grades)
        oracle_wall = time.perf_counter() - wall
        ratio = engine_phase.seconds / oracle_phase.seconds
        agreement = 1 - mismatches / max(oracle_phase.grades, 1)
        print()
        print("## oracle (tests/oracle_ctcae.py, plain Python, exact decimals)")
        print(f"labs graded:        {oracle_phase.labs:,} ({oracle_phase.grades:,} (lab, term) grades)")
        print(f"grading time:       {oracle_phase.seconds:,.2f} s  ->  {oracle_phase.rate:,.0f} labs/s")
        print(f"phase wall time:    {oracle_wall:,.2f} s (with generation, not timed above)")
        print(f"peak RSS:           {oracle_phase.rss_mib:,.0f} MiB (ru_maxrss after the phase)")
        print(f"ratio engine / oracle grading time: {ratio:.2f}")
        print(f"agreement: {oracle_phase.grades - mismatches:,} of {oracle_phase.grades:,} (lab, term) grades"
              f" ({agreement:.4%}); mismatches: {mismatches:,}")
        for example in examples:
            print(f"  mismatch {example}")
        rows += [
            ("oracle labs/s", f"{oracle_phase.rate:,.0f}", "-", "info"),
            ("ratio engine / oracle time", f"{ratio:.2f}", "-", "info"),
            ("engine = oracle, (lab, term) grades", f"{agreement:.4%}", f"{AGREEMENT_TARGET:.0%}",
             "PASS" if mismatches == 0 else "MISS"),
            ("peak RSS after oracle phase", f"{oracle_phase.rss_mib:,.0f} MiB", "-", "info"),
        ]

    if not args.no_modes:
        cold = run_mode("cold", args.patients, args.labs, args.seed)
        print_mode(cold, "cold: every fact distinct (values and ranges at full precision), a fresh memo")
        cohort = run_mode("cohort", args.patients, args.labs, args.seed)
        print_mode(cohort, f"realistic cohort: values at reported precision, {SITES} sites' ranges, a fresh memo")
        rows += mode_rows(cold, "cold", min_rate=COLD_TARGET)
        rows += mode_rows(cohort, "realistic cohort", max_ratio=COHORT_TARGET)

    print()
    print("## Summary")
    width = max(len(r[0]) for r in rows)
    print(f"{'figure'.ljust(width)}  {'value':>14}  {'target':>10}  verdict")
    for name, value, target, verdict in rows:
        print(f"{name.ljust(width)}  {value:>14}  {target:>10}  {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
