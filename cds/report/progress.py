"""Progress of long runs on stderr (docs/outputs.md, "Progress").

On a terminal: a rich bar for the counted step (patients evaluated, files written) and one line per
later phase above it. When stderr is not a terminal (a log file, a pipe, a batch scheduler): plain
lines, none while the run is younger than the interval (``PRRT_CDS_PROGRESS_INTERVAL`` seconds,
default 5), so short runs stay quiet; after that a count line every interval
(``evaluating: 4,210/10,000 patients, 81/s, 52 s``), the count's last line when it ends, and a line
for each phase that starts (``statistics: survival, 131 s``). The trailing figure is the time since
the run began. Only counts and fixed phase names are written, never anything of a patient.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

INTERVAL_VARIABLE = "PRRT_CDS_PROGRESS_INTERVAL"
DEFAULT_INTERVAL_S = 5.0

Clock = Callable[[], float]


def progress_interval(environ: Mapping[str, str] = os.environ) -> tuple[float, str | None]:
    """The seconds between plain progress lines, and a warning when the variable is set but unusable."""
    raw = environ.get(INTERVAL_VARIABLE)
    if raw is None or not raw.strip():
        return DEFAULT_INTERVAL_S, None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        return DEFAULT_INTERVAL_S, (f"prrt-cds: {INTERVAL_VARIABLE} must be a positive number of seconds; "
                                    f"using {DEFAULT_INTERVAL_S:g}")
    return value, None


def _seconds(value: float) -> str:
    return f"{value:,.0f} s"


class PlainProgress:
    """Progress as plain lines for a stream that is not a terminal; quiet for runs shorter than ``interval``."""

    def __init__(self, description: str, stream: TextIO, interval: float = DEFAULT_INTERVAL_S,
                 clock: Clock = time.monotonic) -> None:
        self.description, self.interval = description, interval
        self._stream, self._clock = stream, clock
        self._began = clock()
        self._last_line = self._began
        self._total, self._done, self._unit = 0, 0, ""
        self._counting_since: float | None = None
        self._shown: int | None = None  # the count the last count line showed

    def _write(self, line: str) -> None:
        self._stream.write(line + "\n")
        self._stream.flush()

    def _long_run(self, now: float) -> bool:
        return now - self._began >= self.interval

    def _count_line(self, now: float) -> None:
        assert self._counting_since is not None
        spent = now - self._counting_since
        rate = f"{self._done / spent:,.0f}/s" if spent > 0 else "-/s"
        self._write(f"{self.description}: {self._done:,}/{self._total:,} {self._unit}, {rate}, "
                    f"{_seconds(now - self._began)}")
        self._last_line, self._shown = now, self._done

    def _end_count(self, now: float) -> None:
        """The count's last line, once the run is long enough to show lines, unless it is out already."""
        if self._counting_since is not None and self._long_run(now) and self._shown != self._done:
            self._count_line(now)
        self._counting_since = None

    def start(self, total: int, unit: str) -> None:
        now = self._clock()
        self._end_count(now)
        self._total, self._done, self._unit = total, 0, unit
        self._counting_since, self._shown = now, None

    def advance(self, steps: int = 1) -> None:
        self._done += steps
        now = self._clock()
        if self._counting_since is not None and self._long_run(now) and now - self._last_line >= self.interval:
            self._count_line(now)

    def phase(self, name: str) -> None:
        now = self._clock()
        self._end_count(now)
        if self._long_run(now):
            self._write(f"{name}, {_seconds(now - self._began)}")
            self._last_line = now

    def finish(self) -> None:
        self._end_count(self._clock())


class TerminalProgress:
    """``cds.report.collect.Progress`` on stderr: a rich bar on a terminal, else ``PlainProgress`` lines.

    ``enabled=False`` shows nothing; ``stream``, ``interval`` and ``clock`` are for tests.
    """

    def __init__(self, description: str, enabled: bool | None = None, stream: TextIO | None = None,
                 interval: float | None = None, clock: Clock = time.monotonic,
                 terminal: bool | None = None) -> None:
        self.description = description
        out = sys.stderr if stream is None else stream
        self.enabled = True if enabled is None else enabled
        self.terminal = out.isatty() if terminal is None else terminal
        warning = None
        if interval is None:
            interval, warning = progress_interval()
        self._plain: PlainProgress | None = None
        if self.enabled and not self.terminal:
            if warning:
                out.write(warning + "\n")
            self._plain = PlainProgress(description, out, interval, clock)
        self._bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[unit]}"),
            TimeElapsedColumn(), TimeRemainingColumn(),
            console=Console(file=out, force_terminal=True) if stream is not None else Console(stderr=True),
            disable=not (self.enabled and self.terminal), transient=False,
        )
        self._task: TaskID | None = None
        self._began = clock()
        self._clock = clock

    def __enter__(self) -> TerminalProgress:
        self._bar.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._plain is not None and kind is None:
            self._plain.finish()
        self._bar.stop()

    def start(self, total: int, unit: str) -> None:
        if self._plain is not None:
            self._plain.start(total, unit)
        if self._task is None:
            self._task = self._bar.add_task(self.description, total=total, unit=unit)
        else:
            self._bar.reset(self._task, total=total, unit=unit)

    def advance(self, steps: int = 1) -> None:
        if self._plain is not None:
            self._plain.advance(steps)
        if self._task is not None:
            self._bar.advance(self._task, steps)

    def phase(self, name: str) -> None:
        """A new step of the run begins (a fixed name such as ``statistics: survival``)."""
        if self._plain is not None:
            self._plain.phase(name)
        elif self.enabled and self.terminal:
            self._bar.console.print(f"{name}, {_seconds(self._clock() - self._began)}", markup=False,
                                    highlight=False)
