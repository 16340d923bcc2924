"""Figures of the cohort report, drawn with matplotlib (Agg, no pyplot state); ``png`` makes the bytes.

- Kaplan-Meier curve with its pointwise confidence band (the report's CI method; the plain band for
  ``symmetric``), censoring ticks (counted where several fall at one time; left out above
  ``CENSOR_MARKS_MAX_PATIENTS``), the median, and the numbers at risk under the time axis;
- a swimmer plot: one bar per patient from the first cycle (t = 0) to death or censoring, coloured by
  best overall response, with the cycles, the RECIST time points and deaths marked;
- a waterfall plot: the best change of the sum of target diameters per patient, sorted, coloured by
  best overall response, with the RECIST 1.1 lines at -30% and +20%;
- a spider plot: the change of the sum of target diameters at each time point, one line per patient.

Colours are the Okabe-Ito palette (Okabe & Ito, "Color Universal Design", 2008), told apart with the
common colour-vision deficiencies; every marker carries an edge of the other brightness so it stays
visible on any bar.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from cds.report.cohort import MONTH_DAYS, TimeToEvent
from cds.report.patient import PatientSummary
from cds.report.survival import Curve, SurvivalSummary
from cds.report.waterfall import PD_LINE_PCT, PR_LINE_PCT, Waterfall

OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7"}
NEUTRAL_GREY = "#999999"  # not evaluable: no colour claims a response
# One colour per best overall response (docs/outputs.md categories), each a different Okabe-Ito hue.
RESPONSE_COLOURS = {"CR": OKABE_ITO["bluish green"], "PR": OKABE_ITO["sky blue"], "SD": OKABE_ITO["orange"],
                    "non-CR/non-PD": OKABE_ITO["reddish purple"], "PD": OKABE_ITO["vermillion"],
                    "NE": NEUTRAL_GREY}
CURVE_COLOUR = OKABE_ITO["blue"]
# Above this many patients the censoring ticks merge into a band that hides the curve: they are left
# out (the caption says so) and the numbers at risk carry the censoring instead.
CENSOR_MARKS_MAX_PATIENTS = 200
SWIMMER_MAX_ROWS = 40
SPIDER_MAX_LINES = 60


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def _tick_step(span: float) -> float:
    for step in (1.0, 3.0, 6.0, 12.0, 24.0, 60.0):
        if span / step <= 10:
            return step
    return 120.0


def censor_marks_drawn(n_patients: int) -> bool:
    return n_patients <= CENSOR_MARKS_MAX_PATIENTS


@dataclass(frozen=True)
class CensorMark:
    months: float
    survival: float
    count: int  # patients censored at that time; "+count" is written above the tick when more than one


def censor_marks(curve: Curve) -> list[CensorMark]:
    """One mark per distinct censoring time, with how many patients were censored then."""
    return [CensorMark(float(t), float(s), int(k))
            for t, s, k in zip(curve.time, curve.survival, curve.censored, strict=True) if k > 0]


def _censor_ticks(axes: Axes, marks: Sequence[CensorMark]) -> None:
    """A small vertical tick at each censoring time; "+k" above it where k > 1 patients coincide."""
    axes.plot([m.months for m in marks], [m.survival for m in marks], linestyle="none", marker="|",
              markersize=6, markeredgewidth=1.1, color=OKABE_ITO["black"],
              label="censored (+k: k patients at one time)", zorder=3)
    for m in marks:
        if m.count > 1:
            axes.annotate(f"+{m.count}", (m.months, m.survival), xytext=(0, 5), textcoords="offset points",
                          ha="center", va="bottom", fontsize=7, color=OKABE_ITO["black"])


def kaplan_meier_figure(summary: SurvivalSummary, data: TimeToEvent, title: str, quantity: str) -> Figure:
    """The Kaplan-Meier curve with band, censoring ticks, the median and the numbers at risk.

    ``quantity`` names what the y axis estimates, e.g. "Overall survival probability".
    """
    curve = summary.curve
    times = np.concatenate(([0.0], curve.time))
    surv = np.concatenate(([1.0], curve.survival))
    lower, upper = curve.band(summary.ci_method, 1 - summary.conf_level)
    lower = np.concatenate(([1.0], lower))
    upper = np.concatenate(([1.0], upper))
    figure = Figure(figsize=(7.5, 5.4))
    grid = figure.add_gridspec(2, 1, height_ratios=(5, 1), hspace=0.4)
    axes = figure.add_subplot(grid[0])
    band = ~(np.isnan(lower) | np.isnan(upper))
    axes.fill_between(times, np.where(band, lower, np.nan), np.where(band, upper, np.nan), step="post",
                      color=CURVE_COLOUR, alpha=0.18, linewidth=0,
                      label=f"{summary.conf_level:.0%} CI ({summary.ci_method}, pointwise)")
    axes.step(times, surv, where="post", color=CURVE_COLOUR, linewidth=1.8, label="Kaplan-Meier estimate")
    marks = censor_marks(curve)
    if censor_marks_drawn(len(data.patients)) and marks:
        _censor_ticks(axes, marks)
    if summary.median is not None:
        axes.plot([0, summary.median, summary.median], [0.5, 0.5, 0.0], linestyle=":", color="#555555",
                  linewidth=1, label=f"median {summary.median:.1f} months")
    span = float(times[-1]) if len(times) else 1.0
    step = _tick_step(span)
    ticks = np.arange(0.0, span + 1e-9, step)
    axes.set_xticks(ticks)
    axes.set_xlim(0, max(span, step) * 1.02)
    axes.set_ylim(0, 1.06)
    axes.set_xlabel("Months since the first PRRT cycle")
    axes.set_ylabel(quantity)
    axes.set_title(f"{title} (n = {len(data.patients)})")
    axes.grid(alpha=0.3)
    axes.legend(loc="lower left", fontsize=8, frameon=False)
    risk = figure.add_subplot(grid[1], sharex=axes)
    months = np.asarray(data.months, dtype=float)
    for tick in ticks:
        risk.text(tick, 0.5, str(int(np.sum(months >= tick))), ha="center", va="center", fontsize=9)
    risk.set_yticks([])
    risk.set_ylim(0, 1)
    risk.set_title("Number at risk", fontsize=9, loc="left")
    for side in ("top", "right", "left", "bottom"):
        risk.spines[side].set_visible(False)
    risk.tick_params(axis="x", labelbottom=False, length=0)
    return figure


def _sample(patients: Sequence[PatientSummary], limit: int) -> list[PatientSummary]:
    """At most ``limit`` patients, evenly spread over the cohort in reference order (reproducible)."""
    if len(patients) <= limit:
        return list(patients)
    step = len(patients) / limit
    return [patients[math.floor(i * step)] for i in range(limit)]


def _response_legend(responses: Sequence[str]) -> list[Artist]:
    return [Patch(color=RESPONSE_COLOURS[r], label=f"best response {r}") for r in RESPONSE_COLOURS if r in responses]


def swimmer_rows(patients: Sequence[PatientSummary], os_data: TimeToEvent,
                 limit: int = SWIMMER_MAX_ROWS) -> list[PatientSummary]:
    """The patients the swimmer plot draws, shortest follow-up first (bottom row): those with a survival
    time, sampled from them (not from every patient, so that a patient without one does not take a row)."""
    follow_up = dict(zip(os_data.patients, os_data.months, strict=True))
    shown = _sample([p for p in patients if p.patient in follow_up and p.first_day is not None], limit)
    shown.sort(key=lambda p: (follow_up[p.patient], p.patient))
    return shown


def swimmer_figure(patients: Sequence[PatientSummary], os_data: TimeToEvent, limit: int = SWIMMER_MAX_ROWS) -> Figure:
    """One bar per patient (at most ``limit``) from t = 0, longest follow-up at the top."""
    follow_up = dict(zip(os_data.patients, zip(os_data.months, os_data.observed, strict=True), strict=True))
    shown = swimmer_rows(patients, os_data, limit)
    figure = Figure(figsize=(8.5, max(2.8, 0.28 * len(shown) + 1.8)))
    axes = figure.add_subplot()
    span = max((follow_up[p.patient][0] for p in shown), default=1.0) or 1.0
    for row, p in enumerate(shown):
        first = p.first_day
        assert first is not None
        months, dead = follow_up[p.patient]
        axes.barh(row, months, height=0.6, color=RESPONSE_COLOURS[p.best_response or "NE"], zorder=1)
        cycles = [(d - first).days / MONTH_DAYS for d in p.cycle_days]
        axes.plot(cycles, [row] * len(cycles), linestyle="none", marker="o", markersize=4.5, zorder=3,
                  color="#ffffff", markeredgecolor=OKABE_ITO["black"], markeredgewidth=0.9)
        for point in p.responses:
            at = (point.day - first).days / MONTH_DAYS
            axes.plot(at, row + 0.42, linestyle="none", marker="v", markersize=5.5, zorder=4,
                      color=RESPONSE_COLOURS[point.overall], markeredgecolor=OKABE_ITO["black"],
                      markeredgewidth=0.6)
        if dead:
            axes.plot(months, row, linestyle="none", marker="X", markersize=7.5, zorder=4,
                      color=OKABE_ITO["black"], markeredgecolor="#ffffff", markeredgewidth=0.6)
        else:
            axes.plot(months + span * 0.012, row, linestyle="none", marker=">", markersize=6, zorder=4,
                      color=OKABE_ITO["black"])
    axes.set_yticks(range(len(shown)), [p.patient.split("/", 1)[-1] for p in shown], fontsize=7)
    axes.set_xlim(-span * 0.03, span * 1.05)  # the cycle-1 marker at t = 0 stands clear of the axis
    axes.set_ylim(-0.7, len(shown) - 0.2)
    axes.set_xlabel("Months since the first PRRT cycle")
    axes.set_ylabel("Patient")
    title = f"Swimmer plot (n = {len(shown)})"
    if len(patients) > len(shown):
        title = f"Swimmer plot ({len(shown)} of {len(patients)} patients, evenly sampled)"
    axes.set_title(title)
    axes.grid(axis="x", alpha=0.3, zorder=0)
    handles = _response_legend([p.best_response or "NE" for p in shown])
    handles += [
        Line2D([], [], linestyle="none", marker="o", color="#ffffff", markeredgecolor=OKABE_ITO["black"],
               markersize=5, label="PRRT cycle (the first at t = 0)"),
        Line2D([], [], linestyle="none", marker="v", color=NEUTRAL_GREY, markeredgecolor=OKABE_ITO["black"],
               label="RECIST time point (colour: its response)"),
        Line2D([], [], linestyle="none", marker="X", color=OKABE_ITO["black"], markersize=7, label="death"),
        Line2D([], [], linestyle="none", marker=">", color=OKABE_ITO["black"], label="alive at last contact"),
    ]
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    return figure


def _recist_lines(axes: Axes) -> list[Artist]:
    return [axes.axhline(PD_LINE_PCT, color=OKABE_ITO["black"], linestyle="--", linewidth=0.9,
                         label=f"+{PD_LINE_PCT:.0f}% (RECIST 1.1 progression)"),
            axes.axhline(PR_LINE_PCT, color=OKABE_ITO["black"], linestyle=":", linewidth=1.1,
                         label=f"{PR_LINE_PCT:.0f}% (RECIST 1.1 partial response)")]


def waterfall_figure(data: Waterfall) -> Figure:
    """One bar per patient with a measurable follow-up: the best change from baseline, sorted."""
    bars = data.bars
    figure = Figure(figsize=(8.5, 4.6))
    axes = figure.add_subplot()
    x = np.arange(len(bars))
    heights = [b.best_change_pct for b in bars]
    colours = [RESPONSE_COLOURS[b.best_overall_response or "NE"] for b in bars]
    half = (0.8 if len(bars) <= 80 else 1.0) / 2
    # One collection of rectangles rather than a patch per bar: a registry's 10,000 bars draw in a blink.
    axes.add_collection(PolyCollection([((i - half, 0.0), (i - half, h), (i + half, h), (i + half, 0.0))
                                        for i, h in zip(x, heights, strict=True)],
                                       facecolors=colours, linewidths=0, zorder=2))
    lines = _recist_lines(axes)
    axes.axhline(0, color=OKABE_ITO["black"], linewidth=0.6)
    axes.set_xticks([])
    axes.set_xlim(-1, max(len(bars), 1))
    low = min([PR_LINE_PCT, *heights]) - 10
    high = max([PD_LINE_PCT, *heights]) + 10
    axes.set_ylim(max(low, -105.0), high)
    axes.set_ylabel("Best change in the sum of target\ndiameters from baseline (%)")
    axes.set_xlabel(f"Patients with measurable disease and a follow-up (n = {len(bars)}), sorted")
    axes.set_title(f"Waterfall plot of the best tumour response (n = {len(bars)})")
    axes.grid(axis="y", alpha=0.3, zorder=0)
    handles = _response_legend([b.best_overall_response or "NE" for b in bars]) + lines
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    figure.text(0.01, -0.02, f"Not drawn: {data.no_follow_up} with measurable disease and no complete follow-up "
                f"sum; {data.not_measurable} without measurable disease at baseline.", fontsize=8, ha="left")
    return figure


def spider_patients(patients: Sequence[PatientSummary],
                    limit: int = SPIDER_MAX_LINES) -> tuple[list[PatientSummary], int]:
    """The patients the spider plot draws (at most ``limit``, evenly sampled) and how many it could."""
    with_changes = [p for p in patients if p.changes and p.first_day is not None]
    return _sample(with_changes, limit), len(with_changes)


def spider_figure(patients: Sequence[PatientSummary], limit: int = SPIDER_MAX_LINES) -> Figure:
    """The change of the sum of target diameters over time, one line per patient from (0, 0%)."""
    shown, total = spider_patients(patients, limit)
    figure = Figure(figsize=(8.5, 4.8))
    axes = figure.add_subplot()
    for p in shown:
        first = p.first_day
        assert first is not None
        months = [0.0] + [(c.day - first).days / MONTH_DAYS for c in p.changes]
        change = [0.0] + [c.change_pct for c in p.changes]
        colour = RESPONSE_COLOURS[p.best_response or "NE"]
        axes.plot(months, change, color=colour, linewidth=1.2, marker="o", markersize=3, alpha=0.9, zorder=2)
    lines = _recist_lines(axes)
    axes.axhline(0, color=OKABE_ITO["black"], linewidth=0.6)
    axes.set_xlabel("Months since the first PRRT cycle")
    axes.set_ylabel("Change in the sum of target\ndiameters from baseline (%)")
    title = f"Spider plot (n = {len(shown)})"
    if total > len(shown):
        title = f"Spider plot ({len(shown)} of {total} patients, evenly sampled)"
    axes.set_title(title)
    axes.grid(alpha=0.3, zorder=0)
    handles = _response_legend([p.best_response or "NE" for p in shown]) + lines
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    return figure
