"""Benchmark of the cohort report end to end: the demo cohort -> evaluate -> report (JSON, Markdown, HTML).

Run by hand (never part of the test suite)::

    python benchmarks/bench_report.py [--patients 10000] [--jobs N] [--seed S] [--keep DIR]

1. Writes the demo cohort (``cds.demo.write_cohort``, one FHIR Bundle per patient) to a temporary
   directory; the time is shown for information.
2. Baselines, measured in the same run: plain ``json.loads`` of every file in one process (the floor of
   any reader), and the serial path (one process) on the first ``--baseline-patients`` files.
3. The measured run: ``cds.report.generate_report`` over the whole cohort with every format, as
   ``prrt-cds report`` runs it (worker processes, one durable_rules engine each). It prints wall time,
   patients/s, CPU time of this process and its workers (so the number of cores used), and peak memory:
   the sum of the resident set sizes of this process and all its descendants, sampled every 50 ms
   from /proc, with the peak of this process and of the largest worker beside it.
   The time of each step (evaluation, statistics, figures, writing) comes from the report's progress
   phases (docs/outputs.md, "Progress").
4. A summary table with PASS / MISS for the targets: <= 30 s on 2 cores and <= 2 GiB for 10,000
   patients; the wall time also as a ratio to the ``json.loads`` floor of the same run, which moves
   with the machine as the wall time does (on a busy machine the seconds alone are noisy).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from host import describe

from cds.demo import DEFAULT_SEED, write_cohort

WALL_TARGET_S = 30.0  # 10,000 patients, 2 cores
MEMORY_TARGET_BYTES = 2 * 1024**3
PAGE = os.sysconf("SC_PAGE_SIZE")


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
            total = sum(sizes.values())
            self.own_peak = max(self.own_peak, sizes[root])
            self.worker_peak = max([self.worker_peak, *(size for pid, size in sizes.items() if pid != root)])
            if total > self.peak:
                self.peak, self.peak_processes = total, len(pids)
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def cpu_seconds() -> tuple[float, float]:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: all usable CPUs)")
    parser.add_argument("--baseline-patients", type=int, default=1_000,
                        help="patients in the serial baseline run (0: skip it)")
    parser.add_argument("--keep", type=Path, default=None, help="write the cohort and report here and keep them")
    args = parser.parse_args(argv)
    # Imported here, not at the top: the worker processes start by importing this module, as they
    # import the command line of `prrt-cds report`, which does not load lifelines and matplotlib.
    from cds.report.cohort import ReportSettings, build_report
    from cds.report.collect import Settings, collect
    from cds.report.pipeline import generate_report
    from cds.report.render import FORMATS

    jobs = args.jobs or len(os.sched_getaffinity(0))

    print("== Machine ==")
    for line in describe(("lifelines", "scipy", "matplotlib", "jinja2", "durable-rules", "pydantic")):
        print(line)
    root = args.keep or Path(tempfile.mkdtemp(prefix="prrt-bench-report-"))
    fhir, out = root / "fhir", root / "report"
    try:
        print(f"\n== Cohort: {args.patients:,} patients, seed {args.seed} ==")
        start = time.perf_counter()
        write_cohort(fhir, args.patients, args.seed, jobs)
        written = time.perf_counter() - start
        files = sorted(fhir.glob("*.json"))
        size = sum(f.stat().st_size for f in files)
        print(f"written in {written:.1f} s: {len(files):,} Bundles, {size / 1024**2:,.0f} MiB")

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

        print(f"\n== Evaluate + report, {jobs} worker processes ==")
        cpu_before, ticks_before = cpu_seconds(), machine_ticks()
        with TreeMemory() as memory:
            start = time.perf_counter()
            phases = PhaseClock()
            report, outputs = generate_report([fhir], out, FORMATS, ReportSettings(), jobs=jobs, progress=phases)
            wall = time.perf_counter() - start
        own, kids = (after - before for after, before in zip(cpu_seconds(), cpu_before, strict=True))
        ticks = [after - before for after, before in zip(machine_ticks(), ticks_before, strict=True)]
        share = {name: 100 * ticks[i] / max(1, sum(ticks)) for i, name in
                 ((0, "user"), (2, "system"), (3, "idle"), (4, "iowait"), (7, "steal"))}
        rate = report.n_patients / wall
        print(f"wall time:        {wall:.1f} s")
        print(f"patients/s:       {rate:,.0f}")
        print(f"CPU time:         {own:.1f} s this process + {kids:.1f} s workers = "
              f"{(own + kids) / wall:.2f} cores busy on average")
        print("machine CPU:      " + ", ".join(f"{name} {value:.0f}%" for name, value in share.items())
              + " (all processes on the machine; steal = taken by the hypervisor)")
        print(f"peak memory:      {mib(memory.peak)} (sum over {memory.peak_processes} processes, sampled)")
        print(f"per process:      this process {mib(memory.own_peak)}, largest worker {mib(memory.worker_peak)} "
              "(peak RSS, sampled)")
        print("time per step:    " + ", ".join(f"{name} {seconds:.1f} s"
                                                 for name, seconds in phases.steps(start + wall).items()))
        print(f"versus json.loads: {wall / parse_s:.1f}x its time")
        if serial_rate:
            print(f"speed-up over the serial path: {rate / serial_rate:.2f}x")
        print(f"outputs:          {', '.join(p.name for p in outputs)}")
        os_ = report.overall_survival
        print(f"cohort:           {report.n_patients:,} patients, {report.deaths:,} deaths, median OS "
              f"{'NA' if os_ is None or os_.median is None else f'{os_.median:.1f}'} months")

        print("\n== Summary ==")
        rows = [
            ("wall time, evaluate + report", f"{wall:.1f} s", f"<= {WALL_TARGET_S:.0f} s", wall <= WALL_TARGET_S),
            ("wall time / json.loads floor", f"{wall / parse_s:.1f}x", "", None),
            ("peak memory (all processes)", mib(memory.peak), "<= 2 GiB", memory.peak <= MEMORY_TARGET_BYTES),
            ("patients/s", f"{rate:,.0f}", "", None),
            ("cores busy", f"{(own + kids) / wall:.2f}", "", None),
        ]
        if args.patients != 10_000:
            print(f"(targets are for 10,000 patients; this run has {args.patients:,})")
        for name, value, target, ok in rows:
            verdict = "info" if ok is None else ("PASS" if ok else "MISS")
            print(f"{name:<32} {value:>12}  {target:<10} {verdict}")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
