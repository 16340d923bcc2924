"""Kaplan-Meier survival: the curve (lifelines), its pointwise bands, the median by R's rule and four
confidence intervals for it.

Notation: at each distinct observed time t_j (an event or a censoring), n_j patients at risk and d_j
events. lifelines fits the curve; the variance and the bands are computed here from its event table:

    S(t) = prod_{t_j <= t} (1 - d_j / n_j)                    Kaplan-Meier (lifelines' fit)
    V(t) = sum_{t_j <= t} d_j / (n_j (n_j - d_j))             Greenwood: Var S(t) = S(t)^2 V(t)

Pointwise bands at level 1 - alpha, z = Phi^-1(1 - alpha / 2), as R ``survival``'s ``conf.type``:

    plain    S -/+ z S sqrt(V), clipped to [0, 1]
    log      exp(log S -/+ z sqrt(V)), the upper clipped to 1; undefined where S = 0 (R's default)
    log-log  exp(-exp(log(-log S) +/- z sqrt(V) / log S)); undefined where S is 0 or 1 (lifelines')

The median follows R (``quantile.survfit``): the first time where S(t) <= 0.5 within a tolerance of
sqrt(machine epsilon); where S(t) is exactly 0.5 over a flat stretch, the midpoint of the stretch. The
tolerance matters: lifelines builds S(t) as exp(sum log(1 - d/n)), so an S(t) of exactly 0.5 can come out
as 0.5000000000000001, and lifelines' own ``median_survival_time_`` is then one event time late.

The median's interval, by ``CiMethod``:

- ``plain``, ``log``, ``log-log``: where that pointwise band crosses 0.5, read with the same rule
  (Brookmeyer and Crowley 1982; R's ``print.survfit``): the lower band gives the lower limit;
- ``symmetric``: median -/+ z SE(median), the interval SPSS prints, with Collett's estimate
  (Modelling Survival Data in Medical Research, 3rd ed., section 2.4):

      SE(median) = S(m) sqrt(V(m)) / f,   f = (S(u) - S(l)) / (l - u)

  where u is the largest event time (or 0) with S(u) >= 0.55 and l the smallest event time with
  S(l) <= 0.45: the slope of S(t) around the median.

A limit the data do not reach is ``None`` (NA), never a made-up number.

Caution: an estimate resting on few patients is flagged, not hidden. ``at_risk_at_median`` is n_j at
the time where S(t) first fell to 0.5; below ``FEW_AT_RISK`` (5) the median is fragile (one more or one
fewer event there moves it by the width of the gap to the next event), and the report says so with
that number. The same count is kept for each landmark S(t).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
from lifelines import KaplanMeierFitter
from scipy.stats import norm

Array = npt.NDArray[np.float64]
CiMethod = Literal["log-log", "log", "plain", "symmetric"]
CI_METHODS: tuple[CiMethod, ...] = ("log-log", "log", "plain", "symmetric")
DEFAULT_CI_METHOD: CiMethod = "log-log"
BAND_METHODS: tuple[CiMethod, ...] = ("log-log", "log", "plain")
TOLERANCE = math.sqrt(float(np.finfo(np.float64).eps))  # R: sqrt(.Machine$double.eps)
DENSITY_STEP = 0.05  # Collett: the slope of S(t) is read between S = 0.55 and S = 0.45
FEW_AT_RISK = 5  # below this many at risk where S(t) crosses 0.5, the median is flagged as fragile


@dataclass(frozen=True)
class Interval:
    """A confidence interval; a limit the data do not reach is ``None``."""

    low: float | None
    high: float | None


@dataclass(frozen=True)
class Landmark:
    """S(t) at a fixed time with its pointwise interval; ``survival`` is ``None`` past the follow-up."""

    time: float
    survival: float | None
    interval: Interval
    at_risk: int = 0  # patients still followed at ``time``


@dataclass(frozen=True)
class Curve:
    """The Kaplan-Meier estimate at each distinct observed time, ascending (events and censorings)."""

    time: Array
    at_risk: Array
    events: Array
    censored: Array
    survival: Array
    greenwood: Array

    @classmethod
    def fit(cls, durations: Sequence[float], observed: Sequence[bool]) -> Curve:
        """Fit with lifelines. ``durations`` >= 0 and finite; ``observed`` True for an event."""
        fitter = KaplanMeierFitter().fit(np.asarray(durations, dtype=float), np.asarray(observed, dtype=bool))
        table = fitter.event_table
        table = table[table["removed"] > 0]
        times = table.index.to_numpy(dtype=float)
        n = table["at_risk"].to_numpy(dtype=float)
        d = table["observed"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(d > 0, d / (n * (n - d)), 0.0)
        survival = fitter.survival_function_.iloc[:, 0].reindex(times).to_numpy(dtype=float)
        return cls(time=times, at_risk=n, events=d, censored=table["censored"].to_numpy(dtype=float),
                   survival=survival, greenwood=np.cumsum(terms))

    def band(self, method: CiMethod, alpha: float = 0.05) -> tuple[Array, Array]:
        """The pointwise (lower, upper) band of S(t) at each time; NaN where it is undefined.

        ``symmetric`` is a rule for the median only: its band for S(t) is the ``plain`` one.
        """
        z = float(norm.ppf(1 - alpha / 2))
        s, v = self.survival, self.greenwood
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if method in ("plain", "symmetric"):
                half = z * s * np.sqrt(v)
                lower, upper = np.maximum(s - half, 0.0), np.minimum(s + half, 1.0)
            elif method == "log":
                defined = s > 0
                log_s = np.log(np.where(defined, s, np.nan))
                lower = np.exp(log_s - z * np.sqrt(v))
                upper = np.minimum(np.exp(log_s + z * np.sqrt(v)), 1.0)
            else:
                defined = (s > 0) & (s < 1)
                log_s = np.log(np.where(defined, s, np.nan))
                shift = z * np.sqrt(v) / log_s
                lower = np.exp(-np.exp(np.log(-log_s) - shift))
                upper = np.exp(-np.exp(np.log(-log_s) + shift))
        return lower.astype(float), upper.astype(float)

    def index_at(self, t: float) -> int:
        """Index of the last observed time <= t; -1 before the first."""
        return int(np.searchsorted(self.time, t, side="right")) - 1

    def survival_at(self, t: float) -> float | None:
        """S(t), right-continuous; ``None`` past the last observed time (not estimable)."""
        if not len(self.time) or t > self.time[-1]:
            return None
        index = self.index_at(t)
        return 1.0 if index < 0 else float(self.survival[index])

    def landmark(self, t: float, method: CiMethod, alpha: float = 0.05) -> Landmark:
        value = self.survival_at(t)
        index = self.index_at(t)
        if value is None:
            return Landmark(time=t, survival=None, interval=Interval(None, None))
        if index < 0:
            return Landmark(time=t, survival=1.0, interval=Interval(1.0, 1.0))
        lower, upper = self.band(method, alpha)
        return Landmark(time=t, survival=value, interval=Interval(_finite(lower[index]), _finite(upper[index])))


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def r_quantile(time: Array, survival: Array, p: float = 0.5, tol: float = TOLERANCE) -> float | None:
    """The time where a survival curve first falls to ``1 - p`` (R survival's ``findq``).

    Parameters
    ----------
    time
        Distinct observed times, ascending (the curve is 1 before the first).
    survival
        S(t) (or a band of it) at each time; NaN where undefined (skipped, as R's ``approx`` does).
    p
        The quantile of F = 1 - S; 0.5 for the median.
    tol
        Tolerance for "exactly 1 - p": sqrt(machine epsilon), as R.

    Returns
    -------
    float or None
        With F over (0, time) and repeated levels dropped: i1 = the first point with F + tol >= p,
        i2 = the first with F - tol >= p; the quantile is (t[i1] + t[i2]) / 2, so a flat stretch
        exactly at 1 - p gives its midpoint, and a flat at the end of the curve the midpoint with the
        last observed time. ``None`` when the curve does not reach 1 - p.
    """
    if not len(time):
        return None
    x_all = np.concatenate(([0.0], time))
    y_all = np.concatenate(([0.0], 1.0 - survival))
    xmax = float(x_all[-1])
    keep = ~np.isnan(y_all)
    x, y = x_all[keep], y_all[keep]
    if not len(y) or float(np.max(y)) + tol < p:  # within the tolerance: S(t) of 0.5000000000000001 reaches 0.5
        return None
    first = np.concatenate(([True], y[1:] != y[:-1]))  # drop repeated levels (censorings), keep the first
    x, y = x[first], y[first]
    reached = np.nonzero(y + tol >= p)[0]
    passed = np.nonzero(y - tol >= p)[0]
    if not len(reached):
        return None
    start = float(x[reached[0]])
    if abs(p - float(y[-1])) < tol:  # the curve ends flat at 1 - p
        return (start + xmax) / 2
    if not len(passed):
        return None
    return (start + float(x[passed[0]])) / 2


@dataclass(frozen=True)
class SurvivalSummary:
    """One Kaplan-Meier analysis: counts, the median with every interval, landmark survival, the curve.

    ``interval`` is the median's interval by ``ci_method``; ``intervals`` holds all four methods.
    ``se_median`` is Collett's SE(median) of the symmetric interval (``None`` where S(t) does not
    reach 0.45).
    """

    n: int
    events: int
    censored: int
    median: float | None
    ci_method: CiMethod
    interval: Interval
    intervals: dict[CiMethod, Interval]
    se_median: float | None
    landmarks: tuple[Landmark, ...]
    curve: Curve
    conf_level: float = 0.95
    at_risk_at_median: int | None = None  # n at risk when S(t) first fell to 0.5 (None: not reached)
    remaining_after_last_event: int | None = None  # at risk after the last event, minus its events

    @property
    def fragile_median(self) -> bool:
        """The median was reached with fewer than ``FEW_AT_RISK`` patients at risk."""
        return self.at_risk_at_median is not None and self.at_risk_at_median < FEW_AT_RISK


def at_risk_where_median(curve: Curve, median: float | None) -> int | None:
    """n_j at the first event time where S(t) <= 0.5 (R's tolerance); None when the median is not reached."""
    if median is None:
        return None
    reached = np.nonzero((curve.events > 0) & (curve.survival <= 0.5 + TOLERANCE))[0]
    return int(curve.at_risk[reached[0]]) if len(reached) else None


def _remaining(curve: Curve) -> int | None:
    events = np.nonzero(curve.events > 0)[0]
    if not len(events):
        return None
    last = events[-1]
    return int(curve.at_risk[last] - curve.events[last])


def median_se(curve: Curve, median: float) -> float | None:
    """Collett's standard error of the median survival time.

        SE(m) = S(m) sqrt(V(m)) / f,    f = (S(u) - S(l)) / (l - u)

    with V Greenwood's sum, u the largest event time (or 0) with S(u) >= 0.55 and l the smallest
    event time with S(l) <= 0.45. ``None`` when S(t) never falls to 0.45 (the slope is unknown).
    """
    is_event = curve.events > 0
    times, surv = curve.time[is_event], curve.survival[is_event]
    above = np.nonzero(surv >= 0.5 + DENSITY_STEP - TOLERANCE)[0]
    below = np.nonzero(surv <= 0.5 - DENSITY_STEP + TOLERANCE)[0]
    if not len(below):
        return None
    u, s_u = (float(times[above[-1]]), float(surv[above[-1]])) if len(above) else (0.0, 1.0)
    low_index = below[0]
    l_time, s_l = float(times[low_index]), float(surv[low_index])
    if l_time <= u or s_u <= s_l:
        return None
    slope = (s_u - s_l) / (l_time - u)
    index = curve.index_at(median)
    if index < 0:
        return None
    s_m, v_m = float(curve.survival[index]), float(curve.greenwood[index])
    se = s_m * math.sqrt(v_m) / slope
    return se if math.isfinite(se) else None


def median_intervals(curve: Curve, median: float | None, alpha: float = 0.05) -> tuple[dict[CiMethod, Interval],
                                                                                       float | None]:
    """The median's interval by every method, and Collett's SE(median)."""
    intervals: dict[CiMethod, Interval] = {}
    for method in BAND_METHODS:
        lower, upper = curve.band(method, alpha)
        # The lower band falls to 0.5 first: it gives the lower limit (R's print.survfit).
        intervals[method] = Interval(r_quantile(curve.time, lower), r_quantile(curve.time, upper))
    se = median_se(curve, median) if median is not None else None
    if median is None or se is None:
        intervals["symmetric"] = Interval(None, None)
    else:
        z = float(norm.ppf(1 - alpha / 2))
        intervals["symmetric"] = Interval(median - z * se, median + z * se)
    return intervals, se


def kaplan_meier(
    durations: Sequence[float],
    observed: Sequence[bool],
    ci_method: CiMethod = DEFAULT_CI_METHOD,
    landmarks: Sequence[float] = (),
    alpha: float = 0.05,
) -> SurvivalSummary | None:
    """Kaplan-Meier summary of right-censored times.

    Parameters
    ----------
    durations
        Time from the origin to the event or censoring, >= 0, in the report's unit (months).
    observed
        True for an event (death), False for a censored time.
    ci_method
        The interval of the median reported as ``interval``; every method is in ``intervals``.
    landmarks
        Times t at which S(t) is reported with the ``ci_method`` band (the plain band for
        ``symmetric``); ``None`` past the last observed time.
    alpha
        1 - confidence level.

    Returns
    -------
    SurvivalSummary or None
        ``None`` for an empty sample. The median is R's (see the module docstring); a limit the
        band does not reach is ``None``.

    Raises
    ------
    ValueError
        For lengths that differ, or a negative or non-finite duration.
    """
    if len(durations) != len(observed):
        raise ValueError("durations and observed differ in length")
    if not len(durations):
        return None
    if any(not math.isfinite(t) or t < 0 for t in durations):
        raise ValueError("durations must be finite and >= 0")
    curve = Curve.fit(durations, observed)
    median = r_quantile(curve.time, curve.survival)
    intervals, se = median_intervals(curve, median, alpha)
    events = int(sum(1 for o in observed if o))
    return SurvivalSummary(
        n=len(durations), events=events, censored=len(durations) - events, median=median,
        ci_method=ci_method, interval=intervals[ci_method], intervals=intervals, se_median=se,
        landmarks=tuple(replace(curve.landmark(float(t), ci_method, alpha),
                                at_risk=sum(1 for d in durations if d >= t)) for t in landmarks),
        curve=curve, conf_level=1 - alpha,
        at_risk_at_median=at_risk_where_median(curve, median), remaining_after_last_event=_remaining(curve),
    )


def ci_method(value: str) -> CiMethod:
    """Parse a CI method name; raises ValueError naming the choices."""
    if value not in CI_METHODS:
        raise ValueError(f"unknown CI method {value!r}; choose one of {', '.join(CI_METHODS)}")
    return value
