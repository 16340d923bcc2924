"""RECIST 1.1 for one patient: timeline tumour facts -> time-point responses -> best overall response.

The flow (each step in its own module of ``cds.recist``):
  timepoints  observations grouped by date
  baseline    the baseline assessment: targets, non-targets, baseline sum, selection checks
  followup    each later time point: assessed targets, sum, nadir, changes; non-target states
  prepare     the engine facts of each follow-up
  decide      (here) the three rulesets compiled from ``rules/recist_1_1.toml`` decide target,
              non-target and overall response (RECIST 1.1 Tables 1-2); every row whose conditions hold
              fires, the first one in table order decides (the table's precedence)
  best        best overall response, unconfirmed and confirmed (RECIST 1.1 Table 3)

Investigator-reported responses (FHIR input profile) fill the dates with no measured time point; where
both exist the measured response is used and a disagreement is an issue. A patient with non-target
disease only is read by RECIST 1.1 Table 2 throughout: non-CR/non-PD, never SD.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from cds.engine import Engine, EngineFact, Ruleset, Test
from cds.engine import Rule as EngineRule
from cds.errors import ConfigurationError, EvaluationError
from cds.facts import LesionMeasurement, NewLesion, ReportedResponse, Response, Tumour, UnreadableLesion
from cds.recist.baseline import RecistBaseline, build_baseline, choose_baseline
from cds.recist.best import best_overall_response
from cds.recist.conclusions import RecistAssessment, RecistSettings, TimepointResponse
from cds.recist.followup import FollowUp, FollowUpTracker
from cds.recist.prepare import (
    NON_TARGET_KIND,
    OVERALL_KIND,
    TARGET_KIND,
    NonTargetFact,
    OverallFact,
    TargetFact,
    flag,
    lesion_facts,
    overall_fact,
)
from cds.recist.table import NONE, ComparisonRow, OverallRow, RecistTable, table
from cds.recist.timepoints import IssueLog, TimePoint, group_time_points
from cds.timeline import Timeline

TARGET_RULESET, NON_TARGET_RULESET, OVERALL_RULESET = "recist_1_1_target", "recist_1_1_non_target", "recist_1_1_overall"


def _fields(model: type[EngineFact]) -> set[str]:
    return set(model.model_fields) - {"id", "kind"}


def _comparison_rules(rows: tuple[ComparisonRow, ...]) -> tuple[EngineRule, ...]:
    return tuple(
        EngineRule(id=row.rule, tests=tuple(Test(c.field, c.op, c.threshold) for c in row.comparisons)) for row in rows
    )


def _overall_rules(rows: tuple[OverallRow, ...]) -> tuple[EngineRule, ...]:
    """One engine rule per combination of the listed column values (an engine rule is a conjunction)."""
    rules = []
    for row in rows:
        columns: list[list[Test]] = []
        for name, allowed in (("target", row.target), ("non_target", row.non_target)):
            if allowed is not None:
                columns.append([Test(name, "==", value) for value in allowed])
        for name, flags in (("new_lesions", row.new_lesions), ("ambiguous", row.ambiguous),
                            ("disease_after_cr", row.disease_after_cr)):
            if flags is not None:
                columns.append([Test(name, "==", flag(given)) for given in flags])
        rules += [EngineRule(id=row.rule, tests=combination) for combination in itertools.product(*columns)]
    return tuple(rules)


def compile_rulesets(table: RecistTable) -> list[Ruleset]:
    if set(table.target_fields) != _fields(TargetFact) or set(table.non_target_fields) != _fields(NonTargetFact):
        raise ConfigurationError("RECIST table [fields] do not match the engine facts")
    return [
        Ruleset(name=TARGET_RULESET, kind=TARGET_KIND, rules=_comparison_rules(table.target)),
        Ruleset(name=NON_TARGET_RULESET, kind=NON_TARGET_KIND, rules=_comparison_rules(table.non_target)),
        Ruleset(name=OVERALL_RULESET, kind=OVERALL_KIND, rules=_overall_rules(table.overall)),
    ]


def _first_fired(engine: Engine, ruleset: str, facts: Mapping[str, EngineFact],
                 order: tuple[Any, ...]) -> dict[str, Any]:
    """fact id -> the first row (in table order) that fired for it; every fact must get one."""
    fired: dict[str, set[str]] = {fact_id: set() for fact_id in facts}
    for hit in engine.evaluate(ruleset, list(facts.values())):
        fired[hit.fact_id].add(hit.rule_id)
    decided = {}
    for fact_id, rules in fired.items():
        row = next((row for row in order if row.rule in rules), None)
        if row is None:
            raise EvaluationError(f"no RECIST row decided a fact of ruleset {ruleset!r}")
        decided[fact_id] = row
    return decided


def decide_targets(engine: Engine, table: RecistTable, facts: Mapping[str, TargetFact]) -> dict[str, ComparisonRow]:
    return _first_fired(engine, TARGET_RULESET, facts, table.target) if facts else {}


def decide_non_targets(engine: Engine, table: RecistTable,
                       facts: Mapping[str, NonTargetFact]) -> dict[str, ComparisonRow]:
    return _first_fired(engine, NON_TARGET_RULESET, facts, table.non_target) if facts else {}


def decide_overall(engine: Engine, table: RecistTable, facts: Mapping[str, OverallFact]) -> dict[str, OverallRow]:
    return _first_fired(engine, OVERALL_RULESET, facts, table.overall) if facts else {}


def _numbers(follow_up: FollowUp, target: str | None, baseline: RecistBaseline) -> dict[str, object]:
    """The sums and changes shown with a response: those that justify it, none from an unusable selection."""
    numbers = follow_up.target
    if numbers is None or not follow_up.selection_valid:
        return {}
    shown = numbers.complete or target == "PD"
    return dict(
        sum_mm=numbers.sum_mm, sum_complete=numbers.complete, baseline_sum_mm=baseline.sum_mm,
        nadir_mm=numbers.nadir_mm,
        change_from_baseline_pct=numbers.pct_from_baseline if shown else None,
        change_from_nadir_pct=numbers.pct_from_nadir if shown else None,
        change_from_nadir_mm=numbers.increase_from_nadir_mm if shown else None,
    )


def _missing_issue(response: TimepointResponse, follow_up: FollowUp, log: IssueLog) -> None:
    """Say which lesions were not assessed when that limited the response (RECIST 1.1 §4.4.2).

    Not when the time point is PD anyway, nor for non-target lesions when Table 1 gives the same
    response with "not all evaluated" (target PR or SD).
    """
    if response.overall == "PD":
        return
    where = follow_up.point.observations[0] if follow_up.point.observations else None
    targets = follow_up.target.missing if follow_up.target and follow_up.selection_valid else ()
    if targets:
        log.add("warning", where, f"target lesion(s) {', '.join(targets)} not assessed on {response.day}: the "
                                  "target response is NE unless the assessed lesions show PD (RECIST 1.1 §4.4.2)")
    others = follow_up.non_target.missing if follow_up.non_target else ()
    if others and response.target in (None, "CR", "NE"):
        log.add("warning", where, f"non-target lesion(s) {', '.join(others)} not assessed on {response.day}: the "
                                  "non-target response is NE (RECIST 1.1 Tables 1-2, not all evaluated)")


def _after_complete_response(follow_ups: list[FollowUp], keys: list[str], overall: dict[str, OverallRow],
                             reported_cr: Sequence[date], settings: RecistSettings) -> dict[str, date]:
    """key -> the first CR before it, for each follow-up that shows disease after a time point whose
    overall response was CR (measured, or reported by the investigator where nothing was measured).

    RECIST 1.1 Table 3 footnote a: if a CR is truly met, any disease seen at a subsequent time point,
    even disease meeting PR criteria relative to baseline, makes the disease PD at that point in time.
    With ``cr_followed_by_pr = "partial-response"`` the CR is read as residual disease instead (the best
    overall response relabels it PR), and the time point keeps its measured response.
    """
    if settings.cr_followed_by_pr != "progression":
        return {}
    complete = sorted({f.point.day for key, f in zip(keys, follow_ups, strict=True) if overall[key].response == "CR"}
                      | set(reported_cr))
    if not complete:
        return {}
    return {key: complete[0] for key, f in zip(keys, follow_ups, strict=True)
            if f.disease_seen and f.point.day > complete[0]}


def _measured(follow_ups: list[FollowUp], baseline: RecistBaseline, engine: Engine, recist: RecistTable,
              log: IssueLog, settings: RecistSettings, reported_cr: Sequence[date] = ()) -> list[TimepointResponse]:
    keys = [f"tp{i}" for i in range(len(follow_ups))]
    target_facts, non_target_facts = lesion_facts(keys, follow_ups)
    targets = decide_targets(engine, recist, target_facts)
    non_targets = decide_non_targets(engine, recist, non_target_facts)

    def facts(chosen: Sequence[str], after_cr: bool) -> dict[str, OverallFact]:
        by_key = dict(zip(keys, follow_ups, strict=True))
        return {
            key: overall_fact(
                key, targets[key].response if key in targets else NONE,
                non_targets[key].response if key in non_targets else NONE, by_key[key].new_lesions,
                by_key[key].ambiguous, disease_after_cr=after_cr,
            )
            for key in chosen
        }

    overall = decide_overall(engine, recist, facts(keys, False))
    # A time point with disease seen is never CR, so deciding these again cannot change which CR came first.
    after_cr = _after_complete_response(follow_ups, keys, overall, reported_cr, settings)
    overall.update(decide_overall(engine, recist, facts(list(after_cr), True)))
    responses = []
    for key, follow_up in zip(keys, follow_ups, strict=True):
        target_row, non_target_row, overall_row = targets.get(key), non_targets.get(key), overall[key]
        target = target_row.response if target_row else None
        missing = (follow_up.target.missing if follow_up.target else ()) + (
            follow_up.non_target.missing if follow_up.non_target else ())
        response = TimepointResponse.model_validate(dict(
            day=follow_up.point.day, source="measured", overall=overall_row.response, target=target,
            non_target=non_target_row.response if non_target_row else None, new_lesions=follow_up.new_lesions,
            ambiguous=follow_up.ambiguous, missing_lesions=missing,
            target_rule=target_row.rule if target_row else None,
            non_target_rule=non_target_row.rule if non_target_row else None, overall_rule=overall_row.rule,
            observations=follow_up.point.observations, **_numbers(follow_up, target, baseline),
        ))
        if key in after_cr and overall_row.disease_after_cr is not None:
            log.add("warning", response.observations[0] if response.observations else None,
                    f"disease is seen on {response.day} after the CR of {after_cr[key]}: PD at this time point "
                    f"(RECIST 1.1 Table 3 footnote a, {overall_row.rule}); if the CR was residual disease, a "
                    "reviewer may relabel it PR")
        _missing_issue(response, follow_up, log)
        responses.append(response)
    return responses


def _reported(day: date, reports: Sequence[ReportedResponse], log: IssueLog) -> Response:
    values = sorted({r.response for r in reports})
    if len(values) == 1:
        return values[0]
    log.add("warning", reports[0].ref, f"investigator responses of {day} disagree ({', '.join(values)}): read as NE")
    return "NE"


def _with_reported(points: list[TimePoint], measured: dict[date, TimepointResponse], cut: date | None,
                   log: IssueLog) -> list[TimepointResponse]:
    """Measured responses, with investigator responses on their dates or alone where nothing was measured."""
    out = dict(measured)
    for point in points:
        if not point.reported:
            continue
        if cut is not None and point.day <= cut:
            log.add("info", point.reported[0].ref,
                    f"investigator response of {point.day} is not after the baseline assessment or first "
                    f"administration ({cut}): not used")
            continue
        reported = _reported(point.day, point.reported, log)
        refs = tuple(r.ref for r in point.reported)
        found = out.get(point.day)
        if found is None:
            out[point.day] = TimepointResponse(day=point.day, source="investigator", overall=reported,
                                               reported=reported, observations=refs)
            continue
        out[point.day] = found.model_copy(update={"reported": reported})
        if reported != found.overall_for_best:
            log.add("warning", refs[0],
                    f"on {point.day} the measured response is {found.overall_for_best}, the investigator reported "
                    f"{reported}: the measured response is used")
    return [out[day] for day in sorted(out)]


def _before_treatment(points: list[TimePoint], baseline_day: date, cut: date, log: IssueLog) -> None:
    """Imaging after the baseline assessment and on or before the first administration is no response
    time point (RECIST 1.1 §4.4.3: "from the start of the treatment"), said once per date."""
    for point in points:
        if baseline_day < point.day <= cut and point.measured:
            log.add("info", point.observations[0],
                    f"tumour assessment of {point.day} is after the baseline assessment of {baseline_day} but not "
                    f"after the first administration ({cut}): not a response time point (RECIST 1.1 §4.4.3)")


def _without_baseline(points: list[TimePoint], cut: date | None) -> dict[date, TimepointResponse]:
    """Lesion data with no baseline to compare to: NE (the issue was logged when choosing the baseline)."""
    return {
        p.day: TimepointResponse(day=p.day, source="measured", overall="NE", observations=p.observations)
        for p in points
        if p.measured and not p.reported and (cut is None or p.day > cut)
    }


def _plausible(tumour: Sequence[Tumour], limit_mm: float, log: IssueLog) -> list[Tumour]:
    """Lesion sizes no human lesion can have (a unit or entry error) are not used, each with an issue:
    the measurement is kept as one that cannot be used (the lesion was recorded). A new lesion (role
    "new") is still a new lesion: its presence is unequivocal, only its size is not used."""
    kept: list[Tumour] = []
    for fact in tumour:
        if isinstance(fact, LesionMeasurement) and fact.size_mm > limit_mm and fact.role == "new":
            log.add("warning", fact.ref, f"new lesion size {fact.size_mm:g} mm is not plausible (over {limit_mm:g} "
                                         "mm): the new lesion is recorded, its size is not used")
            kept.append(NewLesion(ref=fact.ref, patient=fact.patient, at=fact.at, day=fact.day,
                                  latest_day=fact.latest_day, lesion=fact.lesion))
        elif isinstance(fact, LesionMeasurement) and fact.size_mm > limit_mm:
            log.add("warning", fact.ref, f"lesion size {fact.size_mm:g} mm is not plausible (over {limit_mm:g} mm): "
                                         "not used")
            kept.append(UnreadableLesion(ref=fact.ref, patient=fact.patient, at=fact.at, day=fact.day,
                                         latest_day=fact.latest_day, lesion=fact.lesion, role=fact.role))
        else:
            kept.append(fact)
    return kept


def non_target_only(baseline: RecistBaseline | None, responses: Sequence[TimepointResponse]) -> bool:
    """The patient has non-target disease only (RECIST 1.1 Table 2 applies, its stable category is
    non-CR/non-PD): the baseline assessment has non-target lesions and no target lesion. Without a
    baseline (investigator responses only): the responses show non-CR/non-PD and never SD or PR, which
    only measurable (target) disease can have."""
    if baseline is not None:
        return not baseline.targets and bool(baseline.non_targets)
    shown = {r.overall for r in responses}
    return "non-CR/non-PD" in shown and not shown & {"SD", "PR"}


def _check_reported_categories(responses: Sequence[TimepointResponse], baseline: RecistBaseline | None,
                               table_2: bool, log: IssueLog) -> None:
    """An investigator category that the patient's disease cannot have is used, and said so.

    RECIST 1.1 Table 1 (target disease) has no non-CR/non-PD, Table 2 (non-target disease only) no SD
    and no PR (its footnote: SD is not assigned when no lesion can be measured).
    """
    reported = [r for r in responses if r.source == "investigator"]
    where = "the baseline shows" if baseline is not None else "the other investigator responses show"
    for r in reported:
        ref = r.observations[0] if r.observations else None
        if table_2 and r.overall in ("SD", "PR"):
            counted = ("counted as non-CR/non-PD for the best overall response" if r.overall == "SD"
                       else "used as reported; please review")
            log.add("warning", ref, f"the investigator reported {r.overall} on {r.day}, but {where} non-target "
                                    f"disease only (RECIST 1.1 Table 2 has no {r.overall}): {counted}")
        elif not table_2 and r.overall == "non-CR/non-PD":
            log.add("warning", ref, f"the investigator reported non-CR/non-PD on {r.day}, but {where} "
                                    "measurable disease (RECIST 1.1 Table 1 has no non-CR/non-PD): counted as SD "
                                    "for the best overall response")


def assess_responses(timeline: Timeline, engine: Engine, settings: RecistSettings | None = None,
                     recist: RecistTable | None = None) -> RecistAssessment:
    """RECIST 1.1 time-point responses and best overall response of one patient."""
    settings = settings or RecistSettings.defaults()
    recist = recist or table()
    log = IssueLog(timeline.patient.ref)
    points = group_time_points(_plausible(timeline.tumour, recist.baseline.max_plausible_mm, log))
    choice = choose_baseline(points, timeline.first_day, recist.baseline, log)
    baseline: RecistBaseline | None = None
    if choice is None:
        cut = timeline.first_day
        measured = _without_baseline(points, cut)
    else:
        # RECIST 1.1 §4.4.3: responses are recorded from the start of the treatment; the baseline may be
        # earlier (the latest assessment on or before the first administration), never later.
        base_point = choice.point
        cut = max(base_point.day, timeline.first_day) if timeline.first_day else base_point.day
        baseline = build_baseline(base_point, recist.baseline, settings, log,
                                  incomplete=bool(choice.outside or choice.unreadable))
        _before_treatment(points, baseline.day, cut, log)
        tracker = FollowUpTracker(baseline, recist.baseline, log)
        follow_ups = [tracker.follow_up(p) for p in points if p.day > cut and p.measured]
        reported_cr = [p.day for p in points if p.day > cut and not p.measured and p.reported
                       and {r.response for r in p.reported} == {"CR"}]
        measured = {r.day: r for r in _measured(follow_ups, baseline, engine, recist, log, settings, reported_cr)}
    responses = _with_reported(points, measured, cut, log)
    table_2 = non_target_only(baseline, responses)
    _check_reported_categories(responses, baseline, table_2, log)
    latest = {p.day: p.latest_day for p in points if p.latest_day is not None}
    best = best_overall_response([(r.day, r.overall_for_best) for r in responses], timeline.first_day, settings, log,
                                 non_target_only=table_2, latest=latest, first_latest=timeline.first_day_latest)
    return RecistAssessment(
        baseline_day=baseline.day if baseline else None,
        baseline_sum_mm=baseline.sum_mm if baseline and baseline.targets else None,
        responses=tuple(responses), best=best, issues=tuple(log.issues),
    )
