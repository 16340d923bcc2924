"""Figures of the cohort report, drawn with matplotlib (Agg, no pyplot state) and returned as PNG bytes.

- Kaplan-Meier curve with its pointwise confidence band (the report's CI method; the plain band for
  ``symmetric``), censoring marks, the median, and the numbers at risk under the time axis;
- a swimmer plot: one bar per patient from the first cycle to death or censoring, coloured by best
  overall response, with the cycles, the RECIST time points and deaths marked.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from cds.report.cohort import MONTH_DAYS, TimeToEvent
from cds.report.patient import PatientSummary
from cds.report.survival import SurvivalSummary

# One colour per best overall response (docs/outputs.md categories); non-CR/non-PD (RECIST 1.1 Table 2)
# has its own, a purple set apart from SD's orange, so the two are never read as one.
RESPONSE_COLOURS = {"CR": "#1b7837", "PR": "#5aae61", "SD": "#f1a340", "non-CR/non-PD": "#8073ac",
                    "PD": "#d73027", "NE": "#999999"}
SWIMMER_MAX_ROWS = 40


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def _tick_step(span: float) -> float:
    for step in (1.0, 3.0, 6.0, 12.0, 24.0, 60.0):
        if span / step <= 10:
            return step
    return 120.0


def kaplan_meier_png(summary: SurvivalSummary, data: TimeToEvent, title: str) -> bytes:
    """The Kaplan-Meier curve with band, censoring marks, the median and the numbers at risk."""
    curve = summary.curve
    times = np.concatenate(([0.0], curve.time))
    surv = np.concatenate(([1.0], curve.survival))
    lower, upper = curve.band(summary.ci_method, 1 - summary.conf_level)
    lower = np.concatenate(([1.0], lower))
    upper = np.concatenate(([1.0], upper))
    figure = Figure(figsize=(7.5, 5.2))
    grid = figure.add_gridspec(2, 1, height_ratios=(5, 1), hspace=0.35)
    axes = figure.add_subplot(grid[0])
    band = ~(np.isnan(lower) | np.isnan(upper))
    axes.fill_between(times, np.where(band, lower, np.nan), np.where(band, upper, np.nan), step="post",
                      color="#4575b4", alpha=0.18, linewidth=0,
                      label=f"{summary.conf_level:.0%} CI ({summary.ci_method}, pointwise)")
    axes.step(times, surv, where="post", color="#4575b4", linewidth=1.8, label="Kaplan-Meier estimate")
    censored = curve.censored > 0
    axes.plot(curve.time[censored], curve.survival[censored], linestyle="none", marker="+", markersize=9,
              color="#313695", label="censored")
    if summary.median is not None:
        axes.plot([0, summary.median, summary.median], [0.5, 0.5, 0.0], linestyle=":", color="#555555",
                  linewidth=1, label=f"median {summary.median:.1f} months")
    span = float(times[-1]) if len(times) else 1.0
    step = _tick_step(span)
    ticks = np.arange(0.0, span + 1e-9, step)
    axes.set_xticks(ticks)
    axes.set_xlim(0, max(span, step) * 1.02)
    axes.set_ylim(0, 1.03)
    axes.set_xlabel("months from the first PRRT cycle")
    axes.set_ylabel("probability")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(loc="lower left", fontsize=8, frameon=False)
    risk = figure.add_subplot(grid[1], sharex=axes)
    months = np.asarray(data.months, dtype=float)
    for tick in ticks:
        risk.text(tick, 0.5, str(int(np.sum(months >= tick))), ha="center", va="center", fontsize=9)
    risk.set_yticks([])
    risk.set_ylim(0, 1)
    risk.set_title("number at risk", fontsize=9, loc="left")
    for side in ("top", "right", "left", "bottom"):
        risk.spines[side].set_visible(False)
    risk.tick_params(axis="x", labelbottom=False, length=0)
    return _png(figure)


def _sample(patients: Sequence[PatientSummary], limit: int) -> list[PatientSummary]:
    """At most ``limit`` patients, evenly spread over the cohort in reference order (reproducible)."""
    if len(patients) <= limit:
        return list(patients)
    step = len(patients) / limit
    return [patients[math.floor(i * step)] for i in range(limit)]


def swimmer_png(patients: Sequence[PatientSummary], os_data: TimeToEvent, limit: int = SWIMMER_MAX_ROWS) -> bytes:
    """One bar per patient (at most ``limit``), longest follow-up at the top."""
    follow_up = dict(zip(os_data.patients, zip(os_data.months, os_data.observed, strict=True), strict=True))
    shown = [p for p in _sample(patients, limit) if p.patient in follow_up]
    shown.sort(key=lambda p: follow_up[p.patient][0])
    figure = Figure(figsize=(8.5, max(2.5, 0.28 * len(shown) + 1.6)))
    axes = figure.add_subplot()
    for row, p in enumerate(shown):
        first = p.first_day
        assert first is not None
        months, dead = follow_up[p.patient]
        colour = RESPONSE_COLOURS[p.best_response or "NE"]
        axes.barh(row, months, height=0.6, color=colour, alpha=0.85)
        cycles = [(d - first).days / MONTH_DAYS for d in p.cycle_days]
        axes.plot(cycles, [row] * len(cycles), linestyle="none", marker="|", markersize=9, color="#222222")
        for point in p.responses:
            at = (point.day - first).days / MONTH_DAYS
            axes.plot(at, row + 0.38, linestyle="none", marker="v", markersize=5,
                      color=RESPONSE_COLOURS[point.overall], markeredgecolor="#222222", markeredgewidth=0.4)
        axes.plot(months, row, linestyle="none", marker="X" if dead else ">", markersize=7,
                  color="#000000" if dead else "#444444")
    axes.set_yticks(range(len(shown)), [p.patient.split("/", 1)[-1] for p in shown], fontsize=7)
    axes.set_xlabel("months from the first PRRT cycle")
    title = "Swimmer plot"
    if len(patients) > len(shown):
        title += f" ({len(shown)} of {len(patients)} patients, evenly sampled)"
    axes.set_title(title)
    axes.grid(axis="x", alpha=0.3)
    handles: list[Artist] = [Patch(color=c, label=f"best response {r}") for r, c in RESPONSE_COLOURS.items()]
    handles += [
        Line2D([], [], linestyle="none", marker="|", color="#222222", markersize=9, label="PRRT cycle"),
        Line2D([], [], linestyle="none", marker="v", color="#999999", markeredgecolor="#222222",
               label="RECIST time point (colour: response)"),
        Line2D([], [], linestyle="none", marker="X", color="#000000", label="death"),
        Line2D([], [], linestyle="none", marker=">", color="#444444", label="alive at last contact"),
    ]
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    return _png(figure)
