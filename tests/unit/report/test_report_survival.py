"""Kaplan-Meier figures against values computed elsewhere: R ``survival`` outputs for its ``aml`` and
``lung`` data sets, Collett's worked example of the symmetric interval, lifelines' own band, and small
curves worked out by hand.

Data: ``aml`` (R survival; Miller 1981, 23 rows) is written out below. ``lung`` (R survival, NCCTG,
228 rows) is the copy lifelines ships (``lifelines.datasets.load_lung``, status 1 = dead), checked
for its size and number of deaths before use.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from lifelines import KaplanMeierFitter
from lifelines.datasets import load_lung
from scipy.stats import norm

from cds.report.survival import CI_METHODS, CiMethod, Curve, SurvivalSummary, kaplan_meier, median_se, r_quantile

# R: survival::aml (time in weeks, status 1 = relapse).
AML_MAINTAINED = ((9, 1), (13, 1), (13, 0), (18, 1), (23, 1), (28, 0), (31, 1), (34, 1), (45, 0), (48, 1), (161, 0))
AML_NONMAINTAINED = ((5, 1), (5, 1), (8, 1), (8, 1), (12, 1), (16, 0), (23, 1), (27, 1), (30, 1), (33, 1), (43, 1),
                     (45, 1))


def fit(rows: tuple[tuple[int, int], ...], method: CiMethod = "log") -> SurvivalSummary:
    summary = kaplan_meier([float(t) for t, _ in rows], [s == 1 for _, s in rows], method)
    assert summary is not None
    return summary


# --- R survival: print(survfit(Surv(time, status) ~ x, data = aml)), conf.type = "log" (R's default) ---

@pytest.mark.parametrize(("rows", "n", "events", "median", "low", "high"), [
    (AML_MAINTAINED, 11, 7, 31.0, 18.0, None),
    (AML_NONMAINTAINED, 12, 11, 23.0, 8.0, None),
    (AML_MAINTAINED + AML_NONMAINTAINED, 23, 18, 27.0, 18.0, 45.0),
])
def test_aml_matches_r(rows: tuple[tuple[int, int], ...], n: int, events: int, median: float, low: float,
                       high: float | None) -> None:
    s = fit(rows)
    assert (s.n, s.events, s.censored) == (n, events, n - events)
    assert s.median == median
    assert (s.interval.low, s.interval.high) == (low, high)


def test_lung_all_patients_matches_r_default_log_interval() -> None:
    lung = load_lung()
    assert len(lung) == 228 and int(lung["status"].sum()) == 165  # R: n = 228, events = 165
    s = kaplan_meier(lung["time"].astype(float).tolist(), (lung["status"] == 1).tolist(), "log")
    assert s is not None
    assert s.median == 310.0
    assert (s.interval.low, s.interval.high) == (285.0, 363.0)  # R: 310 [285, 363]


@pytest.mark.parametrize(("sex", "median", "low", "high"), [(1, 270.0, 212.0, 310.0), (2, 426.0, 348.0, 550.0)])
def test_lung_by_sex_matches_r(sex: int, median: float, low: float, high: float) -> None:
    lung = load_lung()
    group = lung[lung["sex"] == sex]
    s = kaplan_meier(group["time"].astype(float).tolist(), (group["status"] == 1).tolist(), "log")
    assert s is not None
    assert (s.median, s.interval.low, s.interval.high) == (median, low, high)


# --- R's median rule against lifelines' own median ---

def test_six_deaths_in_a_row_median_is_the_midpoint_where_lifelines_is_one_event_late() -> None:
    """S(3) = 1/2 exactly, but lifelines computes 0.5000000000000001 and its median is 4; R says 3.5."""
    times = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    fitter = KaplanMeierFitter().fit(times, [1] * 6)
    assert fitter.survival_function_.loc[3.0].iloc[0] > 0.5  # the floating-point artefact itself
    assert fitter.median_survival_time_ == 4.0
    s = kaplan_meier(times, [True] * 6)
    assert s is not None and s.median == 3.5


def test_flat_stretch_exactly_at_one_half_gives_its_midpoint() -> None:
    s = kaplan_meier([1.0, 2.0, 3.0, 4.0], [True] * 4)  # S = 0.75, 0.5, 0.25, 0
    assert s is not None and s.median == 2.5


def test_curve_ending_flat_at_one_half_takes_the_last_time() -> None:
    s = kaplan_meier([1.0, 2.0, 3.0, 4.0], [True, True, False, False])  # S = 0.5 from 2 to the end (4)
    assert s is not None and s.median == 3.0


def test_curve_ending_flat_at_one_half_by_lifelines_rounding_still_takes_the_last_time() -> None:
    """S = 5/6 * 4/5 * 3/4 = 1/2 from 3 to the end (6); lifelines gives 0.5000000000000001 there. R (whose
    product is exactly 0.5) says 4.5; before, the tolerance was not applied to "does S reach 0.5 at all",
    and the median read "not reached" on a curve that reaches it."""
    times = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    observed = [True, True, True, False, False, False]
    fitter = KaplanMeierFitter().fit(times, observed)
    assert fitter.survival_function_.loc[3.0].iloc[0] > 0.5  # the floating-point artefact itself
    s = kaplan_meier(times, observed)
    assert s is not None and s.median == 4.5
    assert s.at_risk_at_median == 4


def test_median_not_reached_is_na_never_a_number() -> None:
    s = kaplan_meier([5.0, 8.0, 12.0, 20.0, 30.0], [True, False, False, False, False])
    assert s is not None
    assert s.median is None
    assert all(i.low is None and i.high is None for m, i in s.intervals.items() if m == "symmetric")
    assert s.intervals["symmetric"].high is None


def test_r_quantile_skips_undefined_band_points_and_reports_na_when_never_reached() -> None:
    time = np.array([1.0, 2.0, 3.0])
    assert r_quantile(time, np.array([np.nan, 0.7, 0.6])) is None
    assert r_quantile(time, np.array([np.nan, 0.7, 0.4])) == 3.0


# --- Greenwood variance and bands ---

def test_greenwood_and_plain_band_by_hand() -> None:
    """aml Maintained at t = 18: deaths at 9 (11 at risk), 13 (10; one more censored at 13), 18 (8):
    S = 10/11 * 9/10 * 7/8, V = 1/(11*10) + 1/(10*9) + 1/(8*7)."""
    s = fit(AML_MAINTAINED, "plain")
    curve = s.curve
    index = curve.index_at(18.0)
    surv = 10 / 11 * 9 / 10 * 7 / 8
    var = 1 / (11 * 10) + 1 / (10 * 9) + 1 / (8 * 7)
    assert curve.survival[index] == pytest.approx(surv, rel=1e-12)
    assert curve.greenwood[index] == pytest.approx(var, rel=1e-12)
    lower, upper = curve.band("plain")
    z = norm.ppf(0.975)
    assert lower[index] == pytest.approx(surv - z * surv * math.sqrt(var), rel=1e-12)
    assert upper[index] == pytest.approx(min(1.0, surv + z * surv * math.sqrt(var)), rel=1e-12)
    log_lower, log_upper = curve.band("log")
    assert log_lower[index] == pytest.approx(surv * math.exp(-z * math.sqrt(var)), rel=1e-12)
    assert log_upper[index] == pytest.approx(min(1.0, surv * math.exp(z * math.sqrt(var))), rel=1e-12)


def test_log_log_band_equals_lifelines_confidence_interval() -> None:
    lung = load_lung()
    times, observed = lung["time"].astype(float).to_numpy(), (lung["status"] == 1).to_numpy()
    curve = Curve.fit(times.tolist(), observed.tolist())
    lower, upper = curve.band("log-log")
    fitter = KaplanMeierFitter().fit(times, observed)
    ci = fitter.confidence_interval_.reindex(curve.time)
    defined = ~np.isnan(lower) & (curve.survival > 0)
    np.testing.assert_allclose(lower[defined], ci.iloc[:, 0].to_numpy()[defined], rtol=1e-9)
    np.testing.assert_allclose(upper[defined], ci.iloc[:, 1].to_numpy()[defined], rtol=1e-9)


# --- the symmetric interval: Collett's worked example, and by hand ---

IUD_TIMES = (10, 13, 18, 19, 23, 30, 36, 38, 54, 56, 59, 75, 93, 97, 104, 107, 107, 107)
IUD_EVENTS = (1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0)


def test_symmetric_interval_matches_collett_worked_example() -> None:
    """Collett, Modelling Survival Data in Medical Research, IUD discontinuation data: median 93 weeks,
    SE 17.13, 95% interval 59.4 to 126.6."""
    s = kaplan_meier([float(t) for t in IUD_TIMES], [e == 1 for e in IUD_EVENTS], "symmetric")
    assert s is not None
    assert s.median == 93.0
    assert s.se_median == pytest.approx(17.13, abs=0.005)
    assert (round(s.interval.low or 0, 1), round(s.interval.high or 0, 1)) == (59.4, 126.6)


def test_symmetric_se_by_hand() -> None:
    # Events at 19 (n=15), 30 (13), 36 (12), 59 (8), 75 (7), 93 (6), 97 (5), after 10 (18).
    steps = [(10, 18), (19, 15), (30, 13), (36, 12), (59, 8), (75, 7), (93, 6), (97, 5)]
    surv, var, table = 1.0, 0.0, {}
    for t, n in steps:
        surv *= 1 - 1 / n
        var += 1 / (n * (n - 1))
        table[t] = (surv, var)
    s_m, v_m = table[93]
    above, below = 75, 97  # the largest event time with S >= 0.55; the smallest with S <= 0.45
    assert table[above][0] >= 0.55 and table[below][0] <= 0.45
    slope = (table[above][0] - table[below][0]) / (below - above)
    expected = s_m * math.sqrt(v_m) / slope
    curve = Curve.fit([float(t) for t in IUD_TIMES], [e == 1 for e in IUD_EVENTS])
    assert median_se(curve, 93.0) == pytest.approx(expected, rel=1e-12)


def test_published_series_survival_times_give_the_published_interval() -> None:
    """The demo's design: 3 deaths among 16 patients; median 700 days = 23.0 months, 7.90-38.09."""
    days = [184, 189, 195, 203, 241, 290, 333, 375, 402, 455, 497, 560, 611, 668, 700, 1010]
    dead = {203, 375, 700}
    s = kaplan_meier([d / 30.4375 for d in days], [d in dead for d in days], "symmetric")
    assert s is not None
    assert round(s.median or 0, 2) == 23.0
    assert (round(s.interval.low or 0, 2), round(s.interval.high or 0, 2)) == (7.90, 38.09)
    assert s.events == 3 and s.censored == 13


# --- landmarks, every method, bad input ---

def test_landmark_survival_and_na_past_follow_up() -> None:
    s = kaplan_meier([1.0, 2.0, 3.0, 4.0], [True, False, True, False], "log", landmarks=(2.5, 10.0))
    assert s is not None
    at, past = s.landmarks
    assert at.survival == pytest.approx(0.75)
    assert past.survival is None and past.interval.low is None


def test_every_method_is_computed_and_the_chosen_one_is_reported() -> None:
    for method in CI_METHODS:
        s = fit(AML_MAINTAINED + AML_NONMAINTAINED, method)
        assert set(s.intervals) == set(CI_METHODS)
        assert s.interval == s.intervals[method]


def test_empty_and_invalid_samples() -> None:
    assert kaplan_meier([], []) is None
    with pytest.raises(ValueError):
        kaplan_meier([1.0, -1.0], [True, True])
    with pytest.raises(ValueError):
        kaplan_meier([1.0], [True, False])
