"""The engine's RECIST 1.1 decisions agree with an independent reading (tests/oracle_recist.py).

- fact level: generated target / non-target / overall facts, on and beside every threshold, decided
  by the compiled rulesets on each engine (durable_rules and the reference) and by a plain reading of
  the table's rows;
- patient level, a cohort of generated lesion time series (sizes in mm or cm, lesions missing, nodes,
  non-target states, new lesions) through the real path (FHIR -> ``evaluate_collected`` -> JSON
  document): every time point's target, non-target and overall response and the best overall
  response equal RECIST 1.1 as the oracle writes it from the guideline text, and nothing raises.

Examples are derandomized and no example database is used, so CI is reproducible.
"""

from __future__ import annotations

import itertools
from typing import Any

import oracle_recist as oracle
import recist_cohort as cohort
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cds.engine import Engine
from cds.recist.decide import decide_non_targets, decide_overall, decide_targets
from cds.recist.prepare import (
    NON_TARGET_KIND,
    OVERALL_KIND,
    TARGET_KIND,
    NonTargetFact,
    OverallFact,
    TargetFact,
)
from cds.recist.table import NON_TARGET_VALUES, TARGET_VALUES, table


def reproducible(max_examples: int) -> Any:
    return settings(max_examples=max_examples, derandomize=True, database=None, deadline=None, print_blob=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _engine_read(x: float) -> float:
    """cds.engine reads a magnitude below 1e-4 as 0 (durable_rules misparses exponent forms); every
    threshold compared with such a field is a count or a flag, or lies far from 0 (test below)."""
    return 0.0 if abs(x) < 1e-4 else x


def _near(*edges: float) -> st.SearchStrategy[float]:
    """Values exactly on, just beside, and far from the given thresholds."""
    steps = [0.0, 1e-9, -1e-9, 0.05, -0.05, 1.0, -1.0]
    return st.one_of(
        st.sampled_from([e + d for e in edges for d in steps]),
        st.floats(-100, 1000, allow_nan=False).map(lambda x: round(x, 3)),
    ).map(_engine_read)


FLAG = st.sampled_from([0.0, 1.0])
COUNT = st.integers(0, 4).map(float)
TARGET_FIELDS = st.fixed_dictionaries({
    "selection_valid": FLAG, "complete": FLAG, "non_nodal_remaining": COUNT,
    "node_max_mm": _near(0.0, 10.0), "pct_from_baseline": _near(-30.0, 0.0), "nadir_positive": FLAG,
    "pct_from_nadir": _near(20.0, 0.0), "increase_from_nadir_mm": _near(5.0, 0.0),
})
NON_TARGET_FIELDS = st.fixed_dictionaries({"progressing": COUNT, "not_assessed": COUNT, "present": COUNT})


@reproducible(400)
@given(st.lists(TARGET_FIELDS, min_size=1, max_size=30))
def test_target_rules_agree_with_the_table_rows(engine: Engine, rows: list[dict[str, float]]) -> None:
    facts = {f"f{i}": TargetFact(id=f"f{i}", kind=TARGET_KIND, **row) for i, row in enumerate(rows)}
    decided = decide_targets(engine, table(), facts)
    for i, row in enumerate(rows):
        assert decided[f"f{i}"].rule == oracle.row_decision("target", row), row


@reproducible(200)
@given(st.lists(NON_TARGET_FIELDS, min_size=1, max_size=30))
def test_non_target_rules_agree_with_the_table_rows(engine: Engine, rows: list[dict[str, float]]) -> None:
    facts = {f"f{i}": NonTargetFact(id=f"f{i}", kind=NON_TARGET_KIND, **row) for i, row in enumerate(rows)}
    decided = decide_non_targets(engine, table(), facts)
    for i, row in enumerate(rows):
        assert decided[f"f{i}"].rule == oracle.row_decision("non_target", row), row


def test_overall_rules_agree_with_the_table_and_with_tables_1_and_2_everywhere(engine: Engine) -> None:
    combinations = list(itertools.product(TARGET_VALUES, NON_TARGET_VALUES, (False, True), (False, True),
                                          (False, True)))
    facts = {
        f"f{i}": OverallFact(id=f"f{i}", kind=OVERALL_KIND, target=t, non_target=n, new_lesions=float(new),
                             ambiguous=float(amb), disease_after_cr=float(after))
        for i, (t, n, new, amb, after) in enumerate(combinations)
    }
    decided = decide_overall(engine, table(), facts)
    for i, (t, n, new, amb, after) in enumerate(combinations):
        row = decided[f"f{i}"]
        fields = {"target": t, "non_target": n, "new_lesions": new, "ambiguous": amb, "disease_after_cr": after}
        assert row.rule == oracle.row_decision("overall", fields)
        expected = oracle.overall(None if t == "none" else t, None if n == "none" else n, new)
        if amb and expected != "PD":
            expected = "NE"  # a lesion that cannot be placed: NE unless PD (table header)
        if after:
            expected = "PD"  # disease seen after a CR (Table 3 footnote a)
        assert row.response == expected, fields


def test_thresholds_at_zero_are_on_counts_and_flags_only() -> None:
    """A fact magnitude below 1e-4 reads as 0 in the engine: harmless only where 0 is not a threshold of
    a measured quantity."""
    whole = {"selection_valid", "complete", "non_nodal_remaining", "nadir_positive", "progressing",
             "not_assessed", "present"}
    for row in (*table().target, *table().non_target):
        for comparison in row.comparisons:
            assert comparison.threshold != 0 or comparison.field in whole, (row.rule, comparison)


def _check_patient(written: cohort.Written, s: oracle.Series, patient: dict[str, Any]) -> None:
    expected = oracle.Series(s.targets, s.non_targets, written.visits).responses()
    responses = patient["responses"]
    assert [r["date"] for r in responses] == [v.day.isoformat() for v in written.visits]
    for visit, response, (target, non_target, overall) in zip(written.visits, responses, expected, strict=True):
        got = (response["target"], response["non_target"], response["overall"])
        assert got == (target, non_target, overall), (visit, response)
        assert response["overall_recist"] == overall
        assert response["source"] == "measured"
    points = [(v.day, r[2]) for v, r in zip(written.visits, expected, strict=True)]
    unconfirmed, confirmed = oracle.best_response(points, cohort.FIRST_DAY, non_target_only=s.non_target_only)
    best = patient["best_overall_response"]
    assert (best["unconfirmed"], best["confirmed"]) == (unconfirmed, confirmed), (points, best)


@reproducible(300)
@given(cohort.series(), st.data())
def test_a_cohort_of_lesion_time_series_evaluates_as_recist_says(
    engine: Engine, s: oracle.Series, data: st.DataObject
) -> None:
    units = {name: data.draw(st.sampled_from(["mm", "cm"])) for name in s.targets}
    written = cohort.write(s, units)
    patient = cohort.evaluate(written.resources, engine)
    _check_patient(written, s, patient)
    for issue in patient["issues"]:
        assert "not measurable" not in issue["message"]  # generated targets are all measurable


@reproducible(120)
@given(cohort.series())
def test_a_baseline_over_two_days_evaluates_as_one_assessment(engine: Engine, s: oracle.Series) -> None:
    """Every other baseline lesion measured three days earlier: the same responses as RECIST 1.1 reads
    for one baseline assessment holding them all (nothing is lost from the baseline sum)."""
    written = cohort.write(s, split=True)
    patient = cohort.evaluate(written.resources, engine)
    _check_patient(written, s, patient)
    if len(s.targets) + len(s.non_targets) > 1:
        assert any("baseline tumour assessment spans" in i["message"] for i in patient["issues"])


@reproducible(80)
@given(cohort.series(), st.data())
def test_nodes_sent_with_both_axes_are_measured_by_their_short_axis(
    engine: Engine, s: oracle.Series, data: st.DataObject
) -> None:
    """Nodes written as mCODE TumorSize writes them (longest dimension 33728-7, other dimension 33729-5):
    the responses RECIST 1.1 gives for their short axes."""
    units = {name: data.draw(st.sampled_from(["mm", "cm"])) for name in s.targets}
    written = cohort.write(s, units, both_axes=True)
    patient = cohort.evaluate(written.resources, engine)
    _check_patient(written, s, patient)


@reproducible(120)
@given(cohort.series(non_target_only=True))
def test_non_target_disease_only_evaluates_as_recist_table_2_says(engine: Engine, s: oracle.Series) -> None:
    """Table 2 throughout: non-CR/non-PD at the time point and as the best response, never SD."""
    written = cohort.write(s)
    patient = cohort.evaluate(written.resources, engine)
    _check_patient(written, s, patient)
    best = patient["best_overall_response"]
    assert "SD" not in (best["unconfirmed"], best["confirmed"])
    assert all(r["overall"] in ("CR", "non-CR/non-PD", "PD", "NE") for r in patient["responses"])
