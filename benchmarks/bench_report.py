"""Benchmark of the cohort report end to end: the demo cohort -> evaluate -> report (JSON, Markdown, HTML).

Run by hand (never part of the test suite)::

    python benchmarks/bench_report.py [--patients 10000] [--jobs N] [--seed S] [--keep DIR]
                                      [--backend local|spark|both] [--spark-master local[2]] [--ndjson]

1. Writes the demo cohort (``cds.demo.write_cohort``, one FHIR Bundle per patient) to a temporary
   directory; the time is shown for information.
2. Baselines, measured in the same run: plain ``json.loads`` of every file in one process (the floor of
   any reader), and the serial path (one process) on the first ``--baseline-patients`` files.
3. The measured run(s): ``cds.report.generate_report`` over the whole cohort with every format, as
   ``prrt-cds report`` runs it, on the local backend (worker processes, one durable_rules engine each),
   on Spark (``--backend spark``: ``--spark-master``, default ``local[2]``; the session's start is
   timed and counted in the wall time), or on both one after the other (``--backend both``). Each prints
   wall time, patients/s, CPU time of this process and its descendants (so the number of cores used),
   and peak memory: the sum of the resident set sizes of this process and all its descendants (the
   Spark JVM and its Python workers included), sampled every 50 ms from /proc, with the peak of this
   process and of the largest other process beside it. ``--ndjson`` reports the cohort as a bulk export
   (one NDJSON file per resource type) instead of one Bundle per patient.
   The time of each step (evaluation, statistics, figures, writing) comes from the report's progress
   phases (docs/outputs.md, "Progress"); the machine's CPU shares (user, system, idle, steal) during the run
   say whether it was quiet.
4. A summary table with PASS / MISS for the targets: <= 30 s on 2 cores and <= 2 GiB for 10,000 patients on
   the local backend, the wall time also as a ratio to the ``json.loads`` floor of the same run (which moves
   with the machine as the wall time does); with ``--backend both``, the ratios of Spark to local and
   whether the two report.json are equal byte for byte.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from host import describe

from cds.demo import DEFAULT_SEED, write_cohort

WALL_TARGET_S = 30.0  # 10,000 patients, 2 cores
MEMORY_TARGET_BYTES = 2 * 1024**3
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def _children_of(pid: int) -> list[int] | None:
    """The children of ``pid`` from /proc/PID/task/*/children: only this process tree is read, not every
    process of the machine (which cost a few percent of a core at 20 samples a second). None where the
    kernel has no such file."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    found: list[int] = []
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found += [int(child) for child in handle.read().split()]
        except FileNotFoundError:
            return None if task == tasks[0] and not found else found
        except OSError:
            continue
    return found


def _ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * PAGE
    except OSError:
        return 0


class TreeMemory:
    """Samples the summed RSS of this process and its descendants in a background thread."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval, self.peak, self.peak_processes = interval, 0, 0
        self.own_peak, self.worker_peak = 0, 0
        self.cpu_ticks: dict[int, int] = {}  # pid -> the latest utime + stime seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        root = os.getpid()
        while not self._stop.is_set():
            tree, pids, stack = None, [], [root]
            while stack:
                pid = stack.pop()
                pids.append(pid)
                children = _children_of(pid) if tree is None else None
                if children is None:
                    tree = tree or _children()
                    children = tree.get(pid, [])
                stack.extend(children)
            sizes = {pid: _rss(pid) for pid in pids}
            for pid in pids:
                self.cpu_ticks[pid] = max(self.cpu_ticks.get(pid, 0), _ticks(pid))
            total = sum(sizes.values())
            self.own_peak = max(self.own_peak, sizes[root])
            self.worker_peak = max([self.worker_peak, *(size for pid, size in sizes.items() if pid != root)])
            if total > self.peak:
                self.peak, self.peak_processes = total, len(pids)
            self._stop.wait(self.interval)

    def cpu_seconds(self) -> float:
        """CPU time of the tree while sampled (a process's last 50 ms before it ended are missed)."""
        return sum(self.cpu_ticks.values()) / TICKS

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def machine_ticks() -> list[int]:
    """The machine-wide CPU counters of /proc/stat (user nice system idle iowait irq softirq steal)."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            return [int(x) for x in handle.readline().split()[1:9]]
    except OSError:
        return [0] * 8


class PhaseClock:
    """A report progress that notes when each phase starts, for the time spent in each step."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = [("evaluation", time.perf_counter())]

    def start(self, total: int, unit: str) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass

    def phase(self, name: str) -> None:
        self.marks.append((name, time.perf_counter()))

    def steps(self, end: float) -> dict[str, float]:
        """Seconds per step: evaluation, then the phases grouped by their first word (statistics, ...)."""
        spent: dict[str, float] = {}
        for (name, at), (_, until) in zip(self.marks, [*self.marks[1:], ("", end)], strict=True):
            step = name.split(":")[0]
            spent[step] = spent.get(step, 0.0) + until - at
        return spent


def mib(n: float) -> str:
    return f"{n / 1024**2:,.0f} MiB"


@dataclass(frozen=True)
class Measured:
    """One backend's run of ``generate_report`` over the whole cohort."""

    label: str
    wall: float
    startup: float  # of the Spark session, before the report (0 for the local backend); part of ``wall``
    cpu: float  # seconds, this process and its descendants (sampled from /proc)
    peak: int
    peak_processes: int
    own_peak: int
    worker_peak: int
    patients: int
    report_json: bytes
    steps: dict[str, float]
    machine: dict[str, float]  # the machine's CPU shares during the run, percent


def measure(label: str, fhir: Path, out: Path, jobs: int, spark_master: str | None) -> Measured:
    """The report as ``prrt-cds report`` makes it, on the local backend or (``spark_master``) on Spark."""
    from cds.report.cohort import ReportSettings
    from cds.report.pipeline import generate_report
    from cds.report.render import FORMATS

    ticks_before = machine_ticks()
    with TreeMemory() as memory:
        start = time.perf_counter()
        phases = PhaseClock()
        if spark_master is None:
            report, _ = generate_report([fhir], out, FORMATS, ReportSettings(), jobs=jobs, progress=phases)
            startup = 0.0
        else:
            from cds.report.spark_backend import SparkRun, spark_session

            with spark_session(SparkRun(master=spark_master)) as session:
                startup = time.perf_counter() - start
                phases = PhaseClock()
                report, _ = generate_report([fhir], out, FORMATS, ReportSettings(),
                                            spark=SparkRun(session=session), progress=phases)
        wall = time.perf_counter() - start
    ticks = [after - before for after, before in zip(machine_ticks(), ticks_before, strict=True)]
    machine = {name: 100 * ticks[i] / max(1, sum(ticks)) for i, name in
               ((0, "user"), (2, "system"), (3, "idle"), (4, "iowait"), (7, "steal"))}
    return Measured(label, wall, startup, memory.cpu_seconds(), memory.peak, memory.peak_processes,
                    memory.own_peak, memory.worker_peak, report.n_patients, (out / "report.json").read_bytes(),
                    phases.steps(start + wall), machine)


def print_measured(m: Measured, serial_rate: float | None, parse_s: float) -> None:
    rate = m.patients / m.wall
    print(f"wall time:        {m.wall:.1f} s" + (f" (Spark session start {m.startup:.1f} s)" if m.startup else ""))
    print(f"patients/s:       {rate:,.0f}")
    print(f"CPU time:         {m.cpu:.1f} s, this process and its descendants = {m.cpu / m.wall:.2f} cores busy "
          "on average (sampled)")
    print(f"peak memory:      {mib(m.peak)} (sum over {m.peak_processes} processes, sampled)")
    print(f"per process:      this process {mib(m.own_peak)}, largest other process {mib(m.worker_peak)} "
          "(peak RSS, sampled)")
    print("machine CPU:      " + ", ".join(f"{name} {value:.0f}%" for name, value in m.machine.items())
          + " (all processes on the machine; steal = taken by the hypervisor)")
    print("time per step:    " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in m.steps.items()))
    print(f"versus json.loads: {m.wall / parse_s:.1f}x its time")
    if serial_rate:
        print(f"speed-up over the serial path: {rate / serial_rate:.2f}x")


def to_ndjson(bundles: Path, out: Path) -> Path:
    """The cohort as a bulk export: one NDJSON file per resource type, written file by file."""
    out.mkdir(parents=True, exist_ok=True)
    handles: dict[str, Any] = {}
    try:
        for path in sorted(bundles.glob("*.json")):
            for entry in json.loads(path.read_bytes())["entry"]:
                kind = entry["resource"]["resourceType"]
                if kind not in handles:
                    handles[kind] = open(out / f"{kind}.ndjson", "w", encoding="utf-8")  # noqa: SIM115
                handles[kind].write(json.dumps(entry["resource"]) + "\n")
    finally:
        for handle in handles.values():
            handle.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: all usable CPUs)")
    parser.add_argument("--baseline-patients", type=int, default=1_000,
                        help="patients in the serial baseline run (0: skip it)")
    parser.add_argument("--backend", choices=("local", "spark", "both"), default="local",
                        help="the local backend (worker processes), Spark, or both in the same run")
    parser.add_argument("--spark-master", default="local[2]", help="Spark master URL (default: local[2])")
    parser.add_argument("--ndjson", action="store_true",
                        help="report a bulk export (one NDJSON file per resource type) instead of the Bundles")
    parser.add_argument("--keep", type=Path, default=None, help="write the cohort and report here and keep them")
    args = parser.parse_args(argv)
    # Imported here, not at the top: the worker processes start by importing this module, as they
    # import the command line of `prrt-cds report`, which does not load lifelines and matplotlib.
    from cds.report.cohort import ReportSettings, build_report
    from cds.report.collect import Settings, collect

    jobs = args.jobs or len(os.sched_getaffinity(0))
    backends = ("local", "spark") if args.backend == "both" else (args.backend,)

    print("== Machine ==")
    for line in describe(("lifelines", "scipy", "matplotlib", "jinja2", "durable-rules", "pydantic",
                          *(("pyspark",) if "spark" in backends else ()))):
        print(line)
    root = args.keep or Path(tempfile.mkdtemp(prefix="prrt-bench-report-"))
    fhir = root / "fhir"
    try:
        print(f"\n== Cohort: {args.patients:,} patients, seed {args.seed} ==")
        start = time.perf_counter()
        write_cohort(fhir, args.patients, args.seed, jobs)
        written = time.perf_counter() - start
        files = sorted(fhir.glob("*.json"))
        size = sum(f.stat().st_size for f in files)
        print(f"written in {written:.1f} s: {len(files):,} Bundles, {size / 1024**2:,.0f} MiB")
        source = fhir
        if args.ndjson:
            start = time.perf_counter()
            source = to_ndjson(fhir, root / "ndjson")
            print(f"as NDJSON in {time.perf_counter() - start:.1f} s: "
                  f"{', '.join(sorted(p.name for p in source.glob('*.ndjson')))}")

        print("\n== Baselines (same run) ==")
        start = time.perf_counter()
        resources = 0
        for f in files:
            resources += len(json.loads(f.read_bytes())["entry"])
        parse_s = time.perf_counter() - start
        print(f"json.loads of every file, one process: {parse_s:.1f} s ({resources:,} resources, "
              f"{resources / parse_s:,.0f} resources/s)")
        serial_rate = None
        if args.baseline_patients:
            subset = files[: args.baseline_patients]
            start = time.perf_counter()
            data = collect(subset, Settings(), jobs=1)
            build_report(data, ReportSettings())
            serial_s = time.perf_counter() - start
            serial_rate = len(subset) / serial_s
            print(f"serial evaluate + figures, {len(subset):,} patients: {serial_s:.1f} s "
                  f"({serial_rate:,.0f} patients/s)")

        runs: list[Measured] = []
        for backend in backends:
            where = f"{jobs} worker processes" if backend == "local" else f"Spark, master {args.spark_master}"
            print(f"\n== Evaluate + report, {backend} backend ({where}) ==")
            measured = measure(backend, source, root / f"report-{backend}", jobs,
                               None if backend == "local" else args.spark_master)
            print_measured(measured, serial_rate, parse_s)
            runs.append(measured)
        first = runs[0]
        print(f"cohort:           {first.patients:,} patients in the series")

        print("\n== Summary ==")
        if args.patients != 10_000:
            print(f"(targets are for 10,000 patients on the local backend; this run has {args.patients:,})")
        rows: list[tuple[str, str, str, bool | None]] = []
        for m in runs:
            target = m.label == "local"
            rows += [
                (f"{m.label}: wall time", f"{m.wall:.1f} s", f"<= {WALL_TARGET_S:.0f} s" if target else "",
                 m.wall <= WALL_TARGET_S if target else None),
                (f"{m.label}: wall time / json.loads floor", f"{m.wall / parse_s:.1f}x", "", None),
                (f"{m.label}: peak memory (all procs)", mib(m.peak), "<= 2 GiB" if target else "",
                 m.peak <= MEMORY_TARGET_BYTES if target else None),
                (f"{m.label}: patients/s", f"{m.patients / m.wall:,.0f}", "", None),
                (f"{m.label}: cores busy", f"{m.cpu / m.wall:.2f}", "", None),
            ]
        if len(runs) == 2:
            local, spark = runs
            rows += [
                ("spark / local wall time", f"{spark.wall / local.wall:.2f}x", "", None),
                ("spark / local peak memory", f"{spark.peak / local.peak:.2f}x", "", None),
                ("report.json equal", "yes" if spark.report_json == local.report_json else "NO", "equal",
                 spark.report_json == local.report_json),
            ]
        for name, value, target_text, ok in rows:
            verdict = "info" if ok is None else ("PASS" if ok else "MISS")
            print(f"{name:<36} {value:>12}  {target_text:<10} {verdict}")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
