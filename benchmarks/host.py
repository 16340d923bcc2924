"""The machine a benchmark runs on, one-core pinning and peak memory: shared by the benchmarks here.

Imported as ``host`` by the scripts beside it (a script's own folder is first on ``sys.path``).
"""

from __future__ import annotations

import os
import platform
import resource
import sys
from collections.abc import Iterable, Iterator
from importlib.metadata import PackageNotFoundError, version


def cpu_model() -> str:
    """The CPU's model name, from /proc/cpuinfo where there is one."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def library_versions(names: Iterable[str]) -> str:
    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} ?")
    return ", ".join(found)


def describe(libraries: Iterable[str]) -> Iterator[str]:
    """Lines naming the platform, Python, CPU (count and usable) and the versions of ``libraries``."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    yield f"platform: {platform.platform()}"
    yield f"python:   {platform.python_implementation()} {platform.python_version()}"
    yield f"cpu:      {cpu_model()}; cpu_count={os.cpu_count()}; usable={usable}"
    yield f"libs:     {library_versions(libraries)}"


def pin_one_core() -> str:
    """Pin the process to one CPU where the OS allows it, so the figures are one-core figures."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    allowed = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {allowed[0]})
    return f"pinned to CPU {allowed[0]} (of {len(allowed)} allowed)"


def peak_rss_mib() -> float:
    """Peak resident memory of this process (ru_maxrss: KiB on Linux, bytes on macOS), in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024
