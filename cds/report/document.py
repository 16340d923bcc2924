"""``report.json``: the cohort figures as the stable document of docs/outputs.md.

The contract's fields come first; the rest are additive (every CI method's interval, S(t) at 12 and
24 months with the numbers at risk, the median in days and how many were at risk where it was reached,
the dose modifications' details, the patients without a waterfall bar, grade >= 3 counts, the
haematological nadirs, the settings used). Months are rounded to 2 decimals, proportions and
survival probabilities to 4, GBq to 3; p-values keep 4 significant digits. A limit the data do not
reach is ``null``.
"""

from __future__ import annotations

from typing import Any

from cds.report.cohort import MONTH_DAYS, CohortReport, Range
from cds.report.modifications import DoseModifications
from cds.report.performance import PairedComparison
from cds.report.response import Proportion
from cds.report.survival import SurvivalSummary


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _tidy(value: float | None) -> float | int | None:
    """Whole numbers as integers (ages, cycles, scores: ``24``, not ``24.0``)."""
    return int(value) if value is not None and float(value).is_integer() else value


def _p(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.4g}")


def _range(r: Range | None, digits: int) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"median": _tidy(_round(r.median, digits)), "min": _tidy(_round(r.min, digits)),
            "max": _tidy(_round(r.max, digits)), "n": r.n}


def _proportion(p: Proportion) -> dict[str, Any]:
    return {"value": _round(p.value, 4), "ci_low": _round(p.ci_low, 4), "ci_high": _round(p.ci_high, 4),
            "method": p.method, "successes": p.successes, "n": p.n}


def survival_document(s: SurvivalSummary | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "unit": "months",
        "median": _round(s.median, 2),
        "ci_low": _round(s.interval.low, 2),
        "ci_high": _round(s.interval.high, 2),
        "ci_method": s.ci_method,
        "events": s.events,
        "censored": s.censored,
        "n": s.n,
        "conf_level": s.conf_level,
        "median_days": _round(None if s.median is None else s.median * MONTH_DAYS, 2),
        "se_median": _round(s.se_median, 4),
        "at_risk_at_median": s.at_risk_at_median,
        "fragile_median": s.fragile_median,
        "remaining_after_last_event": s.remaining_after_last_event,
        "intervals": {method: {"ci_low": _round(i.low, 2), "ci_high": _round(i.high, 2)}
                      for method, i in s.intervals.items()},
        "survival_at": {f"{m.time:g}": {"survival": _round(m.survival, 4), "ci_low": _round(m.interval.low, 4),
                                        "ci_high": _round(m.interval.high, 4), "at_risk": m.at_risk}
                        for m in s.landmarks},
    }


def _performance(c: PairedComparison) -> dict[str, Any]:
    return {"before_median": _tidy(c.before_median), "after_median": _tidy(c.after_median), "p_value": _p(c.p_value),
            "test": c.test, "n": c.n, "improved": c.improved, "worsened": c.worsened, "statistic": c.statistic,
            "p_value_not_computed": c.not_computed, "min_changed_for_test": c.min_changed, "p_value_method": c.method}


def dose_modifications_document(m: DoseModifications) -> dict[str, Any]:
    d = m.delays
    return {
        "cycles_given": m.cycles_given, "given_full": m.given_full, "given_reduced": m.given_reduced,
        "decisions": m.decisions, "patients_discontinued": m.patients_discontinued, "deviations": m.deviations,
        "delay_days": {"median": _tidy(d.median), "max": d.max, "intervals": d.intervals, "delayed": d.delayed},
        "given_other": m.given_other, "activity_unknown": m.activity_unknown,
        "patients_reduced": m.patients_reduced, "patients_delayed": m.patients_delayed,
        "discontinued_why": m.discontinued_why, "deviation_kinds": m.deviation_kinds,
        "full_activity_gbq": m.full_activity_gbq, "reduced_activity_gbq": m.reduced_activity_gbq,
        "activity_tolerance": m.tolerance, "interval_days": m.interval_days,
    }


def report_document(report: CohortReport) -> dict[str, Any]:
    responses = report.responses
    bor: dict[str, Any] = {category: count for category, count in responses.counts.items()}
    bor.update(orr=_proportion(responses.orr), dcr=_proportion(responses.dcr),
               confirmation="confirmed" if responses.confirmed else "unconfirmed")
    settings = report.settings
    return {
        "n_patients": report.n_patients,
        "sex": report.sex,
        "age_years": _range(report.age_years, 1),
        "cycles": _range(report.cycles, 1),
        "cumulative_activity_gbq": _range(report.cumulative_activity_gbq, 3),
        "best_overall_response": bor,
        "deaths": report.deaths,
        "dose_modifications": dose_modifications_document(report.dose_modifications),
        "waterfall": [{"patient": b.patient, "best_change_pct": _round(b.best_change_pct, 1),
                       "best_overall_response": b.best_overall_response} for b in report.waterfall.bars],
        "waterfall_not_shown": {"no_follow_up": report.waterfall.no_follow_up,
                                "not_measurable": report.waterfall.not_measurable},
        "overall_survival": survival_document(report.overall_survival),
        "progression_free_survival": survival_document(report.progression_free_survival),
        "toxicity_worst_grade": {row.term: {str(g): n for g, n in row.by_grade.items()}
                                 for row in report.toxicity.with_toxicity},
        "toxicity_evaluated": {row.term: row.evaluated for row in report.toxicity.rows},
        "toxicity_grade_3_plus": {row.term: row.grade_3_plus for row in report.toxicity.rows},
        "toxicity_graded_patients": {row.term: row.evaluated for row in report.toxicity.with_toxicity},
        "toxicity_not_graded": {n.analyte: {"results": n.results, "patients": n.patients}
                                for n in report.toxicity.not_graded},
        "nadir_weeks": {n.analyte: {"median": _round(n.median_weeks, 1), "min": _round(n.min_weeks, 1),
                                    "max": _round(n.max_weeks, 1), "cycles": n.cycles, "patients": n.patients}
                        for n in report.toxicity.nadirs},
        "performance": {"ecog": _performance(report.ecog), "kps": _performance(report.kps)},
        "issues": [{"severity": i.severity, "resource": i.resource, "message": i.message} for i in report.issues],
        "evaluation_issues": report.evaluation_issues,
        "settings": {
            "ci_method": settings.ci_method,
            "data_cutoff": settings.data_cutoff.isoformat() if settings.data_cutoff else None,
            "best_overall_response": "confirmed" if settings.confirmed else "unconfirmed",
            "month_days": MONTH_DAYS,
            "activity_tolerance": settings.activity_tolerance,
            "performance_test": settings.performance_test,
            "ctcae_version": report.ctcae_version,
        },
        "ruleset_version": report.ruleset_version,
    }
