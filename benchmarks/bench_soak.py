"""Soak benchmark of the CDS Hooks service: a steady load for a minute, memory sampled, then big requests.

Run by hand (never part of the test suite)::

    python benchmarks/bench_soak.py [--seconds 60] [--concurrency 2] [--workers 2] [--big 3]

1. Starts ``prrt-cds serve --workers 2`` on a free loopback port as bench_service.py does (JWT verified,
   SQLite audit in a temporary folder, the replay cache on Redis when one answers, else the database).
2. Soak: ``--concurrency`` clients send the patient-view request of bench_service.py (about 300
   Observations) back to back, each with a fresh token on a new connection, for ``--seconds``; the
   resident memory of the service (the ``serve`` process and its workers, from /proc) is sampled every
   ``--sample`` seconds. It prints p50 / p95 of the first and of the last 10 s, and the memory samples.
3. Big requests: ``--big`` patient-view calls, one after the other, of ``--big-observations``
   Observations each (under the default ``max_resources``), while ``/healthz`` is asked every 100 ms
   (the worst answer time is printed); memory before, at the peak, and 3 s after the last.
Targets: last-10-s p95 within 1.5x the first; memory growth over the soak <= 50 MiB; /healthz during a
big evaluation <= 1 s; memory 3 s after the big requests within 100 MiB of before them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from statistics import quantiles

import httpx
from bench_service import machine, patient_view_body, redis_answers, start_service

from cds.hooks.security import local_key

DRIFT_TARGET = 1.5
GROWTH_TARGET_MIB = 50.0
HEALTH_TARGET_S = 1.0
BIG_RETURN_TARGET_MIB = 100.0


def tree_rss_mib(root: int) -> float:
    """Resident memory of ``root`` and every descendant (Linux /proc), in MiB."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    family, frontier = {root}, {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - family
        family |= frontier
    total = 0
    for pid in family:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


@dataclass
class Soak:
    samples: list[tuple[float, float, int]] = field(default_factory=list)  # (seconds from start, ms, status)

    def window(self, start: float, end: float) -> list[float]:
        return [ms for t, ms, status in self.samples if start <= t < end and status == 200]


def percentile(values: list[float], p: int) -> float:
    return quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else float("nan")


async def soak(url: str, keys: Path, payload: bytes, seconds: float, concurrency: int) -> Soak:
    result = Soak()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=60.0) as client:
        started = time.perf_counter()

        async def worker() -> None:
            while (now := time.perf_counter()) - started < seconds:
                headers = {"Content-Type": "application/json",
                           "Authorization": f"Bearer {local_key.token(keys, url)}"}
                response = await client.post(url, content=payload, headers=headers)
                result.samples.append((now - started, (time.perf_counter() - now) * 1000, response.status_code))

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return result


def sample_memory(pid: int, every: float, stop: threading.Event, into: list[tuple[float, float]]) -> None:
    started = time.perf_counter()
    while True:
        into.append((time.perf_counter() - started, tree_rss_mib(pid)))
        if stop.wait(every):
            return


def probe_health(url: str, stop: threading.Event, into: list[float]) -> None:
    with httpx.Client(timeout=30.0) as client:
        while not stop.is_set():
            started = time.perf_counter()
            client.get(url + "/healthz")
            into.append(time.perf_counter() - started)
            stop.wait(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between memory samples")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--observations", type=int, default=300)
    parser.add_argument("--big", type=int, default=3, help="big requests after the soak (0: none)")
    parser.add_argument("--big-observations", type=int, default=9000)
    args = parser.parse_args()

    body, as_of, observations = patient_view_body(args.observations)
    payload = json.dumps(body).encode()
    folder = Path(tempfile.mkdtemp(prefix="prrt-cds-soak-"))
    redis = redis_answers()
    service = start_service(folder, args.workers, as_of, "redis://127.0.0.1:6379/0" if redis else None)
    endpoint = f"{service.url}/cds-services/prrt-toxicity"
    memory: list[tuple[float, float]] = []
    health: list[float] = []
    big_memory: dict[str, float] = {}
    big_seconds: list[float] = []
    try:
        print("\n".join(machine().splitlines()))
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        print(f"request: patient-view, {observations} Observations, {len(payload) / 1024:.0f} KiB; {args.workers} "
              f"workers; {args.concurrency} clients back to back for {args.seconds:.0f} s, a new connection and a "
              f"fresh token per request; replay cache: {'Redis' if redis else 'database (SQLite)'}")
        asyncio.run(soak(endpoint, folder, payload, 5.0, args.concurrency))  # warm-up
        stop = threading.Event()
        sampler = threading.Thread(target=sample_memory, args=(service.process.pid, args.sample, stop, memory))
        sampler.start()
        result = asyncio.run(soak(endpoint, folder, payload, args.seconds, args.concurrency))
        stop.set()
        sampler.join()

        if args.big:
            big, _, big_count = patient_view_body(args.big_observations)
            big_payload = json.dumps(big).encode()
            print(f"big requests: {args.big} x {big_count} Observations, {len(big_payload) / 2**20:.1f} MiB")
            big_memory["before"] = tree_rss_mib(service.process.pid)
            stop_probe, stop_peak = threading.Event(), threading.Event()
            peaks: list[tuple[float, float]] = []
            prober = threading.Thread(target=probe_health, args=(service.url, stop_probe, health))
            peak = threading.Thread(target=sample_memory, args=(service.process.pid, 0.2, stop_peak, peaks))
            prober.start()
            peak.start()
            with httpx.Client(timeout=300.0) as client:
                for _ in range(args.big):
                    started = time.perf_counter()
                    token = local_key.token(folder, endpoint)
                    answer = client.post(endpoint, content=big_payload, headers={
                        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
                    big_seconds.append(time.perf_counter() - started)
                    if answer.status_code != 200:
                        sys.exit(f"a big request was answered {answer.status_code}: {answer.text[:300]}")
            stop_probe.set()
            prober.join()
            time.sleep(3.0)
            stop_peak.set()
            peak.join()
            big_memory["peak"] = max(rss for _, rss in peaks)
            big_memory["after"] = tree_rss_mib(service.process.pid)
    finally:
        service.stop()
        shutil.rmtree(folder, ignore_errors=True)

    first, last = result.window(0, 10), result.window(args.seconds - 10, args.seconds)
    failed = sum(1 for _, _, status in result.samples if status != 200)
    print(f"\n{'window':16} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in (("first 10 s", first), ("last 10 s", last)):
        print(f"{name:16} {len(values):9d} {percentile(values, 50):8.1f} {percentile(values, 95):8.1f}")
    print(f"{'whole soak':16} {len(result.samples):9d} {percentile(result.window(0, 1e9), 50):8.1f} "
          f"{percentile(result.window(0, 1e9), 95):8.1f}   ({len(result.samples) / args.seconds:.1f} req/s, "
          f"{failed} not 200)")
    print("\nmemory of the service (serve + workers), MiB, every "
          f"{args.sample:.0f} s: " + ", ".join(f"{rss:.0f}" for _, rss in memory))
    if big_memory:
        print(f"big requests: {', '.join(f'{s:.1f} s' for s in big_seconds)}; /healthz meanwhile: "
              f"{len(health)} answers, worst {max(health) * 1000:.0f} ms; memory before {big_memory['before']:.0f}, "
              f"peak {big_memory['peak']:.0f}, 3 s after {big_memory['after']:.0f} MiB")
    print("load average after: {:.2f} {:.2f} {:.2f}  (other work on the machine makes every figure worse)".format(
        *os.getloadavg()))

    drift = percentile(last, 95) / percentile(first, 95)
    growth = memory[-1][1] - memory[0][1]
    print("\nSummary")
    print(f"  p95 last 10 s / first 10 s   {drift:6.2f}x     target <= {DRIFT_TARGET:.1f}x     "
          f"{'PASS' if drift <= DRIFT_TARGET else 'MISS'}")
    print(f"  memory growth over the soak  {growth:6.0f} MiB  target <= {GROWTH_TARGET_MIB:.0f} MiB   "
          f"{'PASS' if growth <= GROWTH_TARGET_MIB else 'MISS'}")
    if big_memory:
        worst = max(health)
        back = big_memory["after"] - big_memory["before"]
        print(f"  /healthz during big requests {worst:6.2f} s    target <= {HEALTH_TARGET_S:.0f} s       "
              f"{'PASS' if worst <= HEALTH_TARGET_S else 'MISS'}")
        print(f"  memory after big - before    {back:6.0f} MiB  target <= {BIG_RETURN_TARGET_MIB:.0f} MiB  "
              f"{'PASS' if back <= BIG_RETURN_TARGET_MIB else 'MISS'}")
    print(f"  requests not answered 200    {failed:6d}         info")


if __name__ == "__main__":
    main()
