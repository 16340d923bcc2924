"""The report's figures as drawn: what each axis says, what each marker is, and what a reader can count.

The figures are inspected as matplotlib objects (before they become PNG bytes), so each check names the
element a reader would look at: the axis title, the legend entries, the bars and their colours.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from cds.demo import SERIES_SIZE, patient_bundle
from cds.reading import from_objects
from cds.report.cohort import CohortReport, ReportSettings, TimeToEvent, build_report
from cds.report.collect import CohortData, Settings, summarize_collected
from cds.report.patient import ChangePoint, PatientSummary
from cds.report.plots import (
    CENSOR_MARKS_MAX_PATIENTS,
    NEUTRAL_GREY,
    OKABE_ITO,
    RESPONSE_COLOURS,
    censor_marks,
    censor_marks_drawn,
    kaplan_meier_figure,
    png,
    spider_figure,
    swimmer_figure,
    swimmer_rows,
    waterfall_figure,
)
from cds.report.render import figures
from cds.report.survival import Curve, kaplan_meier
from cds.report.waterfall import Waterfall, WaterfallBar


@pytest.fixture(scope="module")
def series() -> CohortReport:
    bundles = [patient_bundle(i, SERIES_SIZE, 1)[1] for i in range(1, SERIES_SIZE + 1)]
    summaries, issues = summarize_collected(from_objects(bundles), Settings())
    return build_report(CohortData(tuple(summaries), tuple(issues), "test", SERIES_SIZE), ReportSettings())


def _legend(figure: Figure) -> list[str]:
    legend = figure.axes[0].get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


def _bars(figure: Figure) -> list[Rectangle]:
    return [p for p in figure.axes[0].patches if isinstance(p, Rectangle)]


def _waterfall_bars(figure: Figure) -> list[tuple[float, str]]:
    """(height, colour) of each waterfall bar, left to right."""
    (bars,) = [c for c in figure.axes[0].collections if isinstance(c, PolyCollection)]
    heights = [float(path.vertices[1][1]) for path in bars.get_paths()]
    return list(zip(heights, [to_hex(c).upper() for c in bars.get_facecolors()], strict=True))


def test_every_response_colour_is_okabe_ito_or_the_neutral_grey_and_none_repeats() -> None:
    assert set(RESPONSE_COLOURS.values()) <= {*OKABE_ITO.values(), NEUTRAL_GREY}
    assert len(set(RESPONSE_COLOURS.values())) == len(RESPONSE_COLOURS)
    assert RESPONSE_COLOURS["NE"] == NEUTRAL_GREY


def test_patients_censored_at_one_time_are_one_tick_counted_plus_k() -> None:
    """Four patients censored at 5.98 months (as in the published series) are one tick marked "+4"."""
    curve = Curve.fit([5.98, 5.98, 5.98, 5.98, 7.0, 9.0, 12.0], [False] * 4 + [True, False, True])
    marks = censor_marks(curve)
    assert [(m.months, m.count) for m in marks] == [(5.98, 4), (9.0, 1)]
    summary = kaplan_meier([5.98] * 4 + [7.0, 9.0, 12.0], [False] * 4 + [True, False, True])
    assert summary is not None
    data = TimeToEvent(tuple(f"Patient/p{i}" for i in range(7)), (5.98,) * 4 + (7.0, 9.0, 12.0),
                       (False,) * 4 + (True, False, True))
    figure = kaplan_meier_figure(summary, data, "Overall survival", "Overall survival probability")
    labels = [t.get_text() for t in figure.axes[0].texts]
    assert labels == ["+4"]  # the lone censoring at 9 months is a tick without a count


@pytest.mark.parametrize(("n", "drawn"), [(CENSOR_MARKS_MAX_PATIENTS, True), (CENSOR_MARKS_MAX_PATIENTS + 1, False)])
def test_censor_ticks_are_left_out_above_the_readable_count(n: int, drawn: bool) -> None:
    months = [1.0 + (i % 50) * 0.5 for i in range(n)]
    observed = [i % 3 == 0 for i in range(n)]
    summary = kaplan_meier(months, observed)
    assert summary is not None and censor_marks_drawn(n) is drawn
    data = TimeToEvent(tuple(f"Patient/p{i}" for i in range(n)), tuple(months), tuple(observed))
    figure = kaplan_meier_figure(summary, data, "Overall survival", "Overall survival probability")
    assert any(label.startswith("censored") for label in _legend(figure)) is drawn


def test_kaplan_meier_axes_name_the_quantity_and_the_numbers_at_risk_are_counted(series: CohortReport) -> None:
    summary = series.overall_survival
    assert summary is not None
    figure = kaplan_meier_figure(summary, series.os_data, "Overall survival", "Overall survival probability")
    curve, risk = figure.axes
    assert curve.get_ylabel() == "Overall survival probability"
    assert curve.get_xlabel() == "Months since the first PRRT cycle"
    assert curve.get_title() == "Overall survival (n = 16)"
    assert risk.get_title(loc="left") == "Number at risk"
    at_risk = [int(t.get_text()) for t in risk.texts]
    ticks = [float(x) for x in curve.get_xticks() if 0 <= x <= max(series.os_data.months)]
    expected = [sum(1 for m in series.os_data.months if m >= tick) for tick in ticks]
    assert at_risk[:len(expected)] == expected and at_risk[0] == 16


def test_swimmer_bars_start_at_zero_with_cycle_one_clear_of_the_axis(series: CohortReport) -> None:
    figure = swimmer_figure(series.patients, series.os_data)
    axes = figure.axes[0]
    assert axes.get_xlim()[0] < 0  # the cycle-1 marker at t = 0 is inside the plot, not under the axis
    bars = _bars(figure)
    assert len(bars) == 16 and all(b.get_x() == 0 for b in bars)
    first_markers = [line.get_xdata()[0] for line in axes.lines if line.get_marker() == "o"]
    assert len(first_markers) == 16 and all(x == 0 for x in first_markers)
    legend = _legend(figure)
    for entry in ("PRRT cycle (the first at t = 0)", "RECIST time point (colour: its response)", "death",
                  "alive at last contact"):
        assert entry in legend
    assert {"best response CR", "best response PR", "best response SD", "best response PD"} <= set(legend)


def _bar(patient: str, change: float, response: str | None) -> WaterfallBar:
    return WaterfallBar(patient, change, response)  # type: ignore[arg-type]


def test_waterfall_draws_one_bar_per_patient_in_order_coloured_by_response_with_both_recist_lines() -> None:
    data = Waterfall((_bar("Patient/a", 25.0, "PD"), _bar("Patient/b", -10.0, "SD"), _bar("Patient/c", -45.0, "PR"),
                      _bar("Patient/d", -100.0, "CR")), no_follow_up=2, not_measurable=1)
    figure = waterfall_figure(data)
    assert _waterfall_bars(figure) == [(h, RESPONSE_COLOURS[r].upper())
                                       for h, r in ((25.0, "PD"), (-10.0, "SD"), (-45.0, "PR"), (-100.0, "CR"))]
    levels = sorted(line.get_ydata()[0] for line in figure.axes[0].lines)
    assert levels == [-30.0, 0.0, 20.0]
    assert "Not drawn: 2 with measurable disease and no complete follow-up sum; 1 without measurable disease" in (
        " ".join(t.get_text() for t in figure.texts))
    assert figure.axes[0].get_title() == "Waterfall plot of the best tumour response (n = 4)"


def _patient(i: int, changes: tuple[float, ...], best: str) -> PatientSummary:
    first = date(2020, 1, 1)
    return PatientSummary(
        f"Patient/s{i}", None, None, (first,), (7.4,), False, None, first + timedelta(days=400), best,  # type: ignore[arg-type]
        (), measurable=True,
        changes=tuple(ChangePoint(first + timedelta(days=90 * (k + 1)), c) for k, c in enumerate(changes)))


def test_spider_draws_one_line_per_patient_from_baseline_and_samples_a_large_cohort() -> None:
    patients = [_patient(1, (-20.0, -40.0), "PR"), _patient(2, (10.0, 30.0), "PD"), _patient(3, (), "NE")]
    figure = spider_figure(patients)
    lines = [line for line in figure.axes[0].lines if line.get_marker() == "o"]
    assert len(lines) == 2  # the patient without a follow-up sum has no line
    assert [list(line.get_ydata()) for line in lines] == [[0.0, -20.0, -40.0], [0.0, 10.0, 30.0]]
    assert figure.axes[0].get_title() == "Spider plot (n = 2)"
    many = [_patient(i, (-5.0,), "SD") for i in range(100)]
    assert spider_figure(many, limit=20).axes[0].get_title() == "Spider plot (20 of 100 patients, evenly sampled)"


def test_the_report_has_five_figures_each_captioned_with_its_n(series: CohortReport) -> None:
    drawn = figures(series)
    assert [f.name for f in drawn] == ["overall_survival.png", "progression_free_survival.png", "swimmer.png",
                                       "waterfall.png", "spider.png"]
    for f in drawn:
        assert f.png.startswith(b"\x89PNG") and "16 patients" in f.caption, f.caption
    assert "alive at last contact" in drawn[2].caption
    assert "numbers at risk" in drawn[1].caption and "ticks" in drawn[1].caption


def test_png_bytes_are_reproducible(series: CohortReport) -> None:
    fall = series.waterfall
    assert png(waterfall_figure(fall)) == png(waterfall_figure(fall))


def test_swimmer_samples_among_the_patients_with_a_survival_time() -> None:
    """Before: the sample of 20 rows was drawn from all 40 patients and the 20 without a survival time were
    then dropped, so 10 rows were drawn where 20 could be."""
    patients = [_patient(i, (), "NE") for i in range(40)]
    timed = [p.patient for p in patients[:20]]
    os_data = TimeToEvent(tuple(timed), tuple(float(i + 1) for i in range(20)), (False,) * 20)
    rows = swimmer_rows(patients, os_data, limit=20)
    assert sorted(p.patient for p in rows) == sorted(timed)
