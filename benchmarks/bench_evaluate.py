"""Benchmark of ``prrt-cds evaluate`` end to end on a bulk export: the real command in a subprocess.

Run by hand (never part of the test suite)::

    python benchmarks/bench_evaluate.py [--labs 100000,400000] [--per-patient 200] [--format json]

For each size, a bulk export is generated (fixed seed; ``bench_mapping.generate_ndjson``'s realistic lab
Observations, Patients and PRRT Procedures) and split into one NDJSON file per resource type
(Observation.ndjson, Patient.ndjson, Procedure.ndjson), as a FHIR bulk export writes it. Then
``prrt-cds evaluate DIR --format FORMAT`` runs in a fresh process pinned to one core, its output to a
file; the figures are its wall time and its peak resident memory (``ru_maxrss`` of that child, as
``/usr/bin/time`` reports it).

Targets: >= 10,000 lab Observations/s at the largest size, peak RSS <= 400 MiB, and the peak of the
largest size within 20 % of the smallest (memory bounded by the largest patient, not by the input).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench_mapping import SEED, generate_ndjson
from host import describe

RATE_TARGET = 10_000.0
RSS_TARGET_MIB = 400.0
RSS_GROWTH_TARGET = 1.20


def split_by_type(source: Path, directory: Path) -> dict[str, int]:
    """The lines of ``source`` written to ``directory/<resourceType>.ndjson``; the lines per type."""
    handles: dict[str, object] = {}
    counts: dict[str, int] = {}
    directory.mkdir()
    try:
        with source.open("rb") as lines:
            for line in lines:
                kind = json.loads(line)["resourceType"]
                if kind not in handles:
                    handles[kind] = (directory / f"{kind}.ndjson").open("wb")
                handles[kind].write(line if line.endswith(b"\n") else line + b"\n")  # type: ignore[attr-defined]
                counts[kind] = counts.get(kind, 0) + 1
    finally:
        for handle in handles.values():
            handle.close()  # type: ignore[attr-defined]
    return counts


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mib: float
    exit_code: int
    output_bytes: int


def run_cli(args: list[str], output: Path, cpu: int | None) -> Run:
    """``prrt-cds ARGS`` in a child process (on one CPU when given), standard output to ``output``."""
    command = [sys.executable, "-c", "from cds.cli import app; app()", *args]

    def pin() -> None:
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})

    with output.open("wb") as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, preexec_fn=pin)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    rss = usage.ru_maxrss / 2**20 if sys.platform == "darwin" else usage.ru_maxrss / 1024
    return Run(seconds, rss, child.returncode, output.stat().st_size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add = parser.add_argument
    add("--labs", default="100000,400000", help="comma-separated lab Observation counts (smallest first)")
    add("--per-patient", type=int, default=200, metavar="N", help="lab Observations per patient")
    add("--format", default="json", choices=("json", "ndjson", "text"), help="evaluate's --format")
    add("--seed", type=int, default=SEED, metavar="N")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.labs.split(",")]
    print("prrt-cds evaluate benchmark (a bulk export, per-type NDJSON files)")
    for line in describe(("pydantic", "pydantic-core", "fhir.resources", "orjson")):
        print(line)
    cpu = min(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    print(f"child pinned to CPU {cpu}")
    runs: list[tuple[int, Run]] = []
    with tempfile.TemporaryDirectory(prefix="prrt-cds-bench-") as tmp:
        for labs in sizes:
            work = Path(tmp) / f"n{labs}"
            work.mkdir()
            generated = generate_ndjson(work, labs, max(1, labs // args.per_patient), args.seed)
            counts = split_by_type(generated.path, work / "export")
            generated.path.unlink()
            run = run_cli(["evaluate", str(work / "export"), "--format", args.format], work / "out", cpu)
            runs.append((labs, run))
            print(f"\n{labs:,} lab Observations, {generated.patients:,} patients, files {counts}")
            print(f"  exit {run.exit_code}; {run.seconds:.1f} s; {labs / run.seconds:,.0f} labs/s; "
                  f"peak RSS {run.peak_rss_mib:,.0f} MiB; output {run.output_bytes / 1e6:,.1f} MB")
            (work / "out").unlink()
    print("\n== Summary (a shared machine: ratios of the same run say more than the absolute figures) ==")
    labs, last = runs[-1]
    first = runs[0][1]
    rate = labs / last.seconds
    growth = last.peak_rss_mib / first.peak_rss_mib

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    print(f"labs/s at {labs:,}: {rate:,.0f} (>= {RATE_TARGET:,.0f}) {verdict(rate >= RATE_TARGET)}")
    print(f"peak RSS at {labs:,}: {last.peak_rss_mib:,.0f} MiB (<= {RSS_TARGET_MIB:,.0f}) "
          f"{verdict(last.peak_rss_mib <= RSS_TARGET_MIB)}")
    print(f"peak RSS {labs:,} / {runs[0][0]:,}: {growth:.2f}x (<= {RSS_GROWTH_TARGET:.2f}) "
          f"{verdict(growth <= RSS_GROWTH_TARGET)}")
    return 0 if all(run.exit_code == 0 for _, run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
