Feature: CTCAE v5.0 electrolytes and acid-base
  Sodium, potassium, calcium (total and ionized), magnesium and blood pH. Where CTCAE separates grades
  only by symptoms or intervention (hypokalemia "<LLN - 3.0 mmol/L", hyponatremia "125-129 mmol/L",
  hypermagnesemia ">ULN - 1.23 mmol/L"), the laboratory value alone gives the higher grade, as admiral
  does. A value reported in mg/dL is graded by both the mg/dL and the mmol/L cut-offs of CTCAE, and the
  worse grade is reported: CTCAE's two columns are not exact conversions of each other (11.5 mg/dL of
  calcium is 2.87 mmol/L, not 2.9), so near a boundary the mmol/L column can grade higher. When both
  columns give the same grade, the mg/dL criterion (the unit the laboratory reported) is cited; the
  mmol/L criterion is cited only when it grades strictly higher.

  Background:
    Given a female patient
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq

  Scenario Outline: Hypernatremia: sodium <value> mmol/L with an upper limit of 145 is grade <grade>
    Given a sodium of <value> mmol/L with a lower limit of 136 and an upper limit of 145
    When the rules are evaluated
    Then the grade for "Hypernatremia" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                    |
      | 145   | 0     | ctcae5.hypernatremia.g0 |
      | 146   | 1     | ctcae5.hypernatremia.g1 |
      | 150   | 1     | ctcae5.hypernatremia.g1 |
      | 151   | 2     | ctcae5.hypernatremia.g2 |
      | 155   | 2     | ctcae5.hypernatremia.g2 |
      | 156   | 3     | ctcae5.hypernatremia.g3 |
      | 160   | 3     | ctcae5.hypernatremia.g3 |
      | 161   | 4     | ctcae5.hypernatremia.g4 |

  Scenario Outline: Hyponatremia: sodium <value> mmol/L with a lower limit of 136 is grade <grade>
    CTCAE grades 125-129 mmol/L 2 or 3 by symptoms: the value alone gives 3. A value between 129 and
    130 is in neither band and is grade 1 below the LLN, as admiral does.

    Given a sodium of <value> <unit> with a lower limit of 136 and an upper limit of 145
    When the rules are evaluated
    Then the grade for "Hyponatremia" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | unit   | grade | rule                   |
      | 136   | mmol/L | 0     | ctcae5.hyponatremia.g0 |
      | 135   | mmol/L | 1     | ctcae5.hyponatremia.g1 |
      | 130   | mmol/L | 1     | ctcae5.hyponatremia.g1 |
      | 129.5 | mmol/L | 1     | ctcae5.hyponatremia.g1 |
      | 129   | mmol/L | 3     | ctcae5.hyponatremia.g3 |
      | 125   | mEq/L  | 3     | ctcae5.hyponatremia.g3 |
      | 120   | mmol/L | 3     | ctcae5.hyponatremia.g3 |
      | 119.9 | mmol/L | 4     | ctcae5.hyponatremia.g4 |

  Scenario Outline: Hyperkalemia: potassium <value> <unit> with an upper limit of 5.0 is grade <grade>
    Given a potassium of <value> <unit> with a lower limit of 3.5 and an upper limit of 5.0
    When the rules are evaluated
    Then the grade for "Hyperkalemia" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | unit   | grade | rule                   |
      | 5.0   | mmol/L | 0     | ctcae5.hyperkalemia.g0 |
      | 5.1   | mmol/L | 1     | ctcae5.hyperkalemia.g1 |
      | 5.5   | mmol/L | 1     | ctcae5.hyperkalemia.g1 |
      | 5.6   | mEq/L  | 2     | ctcae5.hyperkalemia.g2 |
      | 6.0   | mmol/L | 2     | ctcae5.hyperkalemia.g2 |
      | 6.1   | mmol/L | 3     | ctcae5.hyperkalemia.g3 |
      | 7.0   | mmol/L | 3     | ctcae5.hyperkalemia.g3 |
      | 7.1   | mmol/L | 4     | ctcae5.hyperkalemia.g4 |

  Scenario Outline: Hypokalemia: potassium <value> mmol/L with a lower limit of 3.5 is grade <grade>
    Given a potassium of <value> mmol/L with a lower limit of 3.5 and an upper limit of 5.0
    When the rules are evaluated
    Then the grade for "Hypokalemia" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                  |
      | 3.5   | 0     | ctcae5.hypokalemia.g0 |
      | 3.4   | 2     | ctcae5.hypokalemia.g2 |
      | 3.0   | 2     | ctcae5.hypokalemia.g2 |
      | 2.9   | 3     | ctcae5.hypokalemia.g3 |
      | 2.5   | 3     | ctcae5.hypokalemia.g3 |
      | 2.4   | 4     | ctcae5.hypokalemia.g4 |

  Scenario Outline: Hypercalcemia: serum calcium <value> mmol/L with an upper limit of 2.6 is grade <grade>
    Given a serum calcium of <value> mmol/L with a lower limit of 2.2 and an upper limit of 2.6
    When the rules are evaluated
    Then the grade for "Hypercalcemia" is <grade>
    And the rule is "<rule>"
    And the criterion set is "si"

    Examples:
      | value | grade | rule                    |
      | 2.6   | 0     | ctcae5.hypercalcemia.g0 |
      | 2.61  | 1     | ctcae5.hypercalcemia.g1 |
      | 2.9   | 1     | ctcae5.hypercalcemia.g1 |
      | 2.91  | 2     | ctcae5.hypercalcemia.g2 |
      | 3.1   | 2     | ctcae5.hypercalcemia.g2 |
      | 3.11  | 3     | ctcae5.hypercalcemia.g3 |
      | 3.4   | 3     | ctcae5.hypercalcemia.g3 |
      | 3.41  | 4     | ctcae5.hypercalcemia.g4 |

  Scenario Outline: Hypercalcemia in mg/dL: serum calcium <value> mg/dL is grade <grade> by the <set> cut-offs
    12.5 mg/dL is 3.12 mmol/L: grade 3 by the mmol/L column against 2 by the mg/dL one. 11.6 and 13.6
    mg/dL (2.89 and 3.39 mmol/L) are graded higher by the mg/dL column; elsewhere the columns agree and
    the mg/dL criterion is cited (ULN 10.5 mg/dL = 2.62 mmol/L).

    Given a serum calcium of <value> mg/dL with a lower limit of 8.5 and an upper limit of 10.5
    When the rules are evaluated
    Then the grade for "Hypercalcemia" is <grade>
    And the rule is "<rule>"
    And the criterion set is "<set>"

    Examples:
      | value | grade | rule                          | set   |
      | 10.5  | 0     | ctcae5.hypercalcemia.g0       | si    |
      | 10.6  | 1     | ctcae5.hypercalcemia.g1.mg_dl | mg/dL |
      | 11.5  | 1     | ctcae5.hypercalcemia.g1.mg_dl | mg/dL |
      | 11.6  | 2     | ctcae5.hypercalcemia.g2.mg_dl | mg/dL |
      | 12.5  | 3     | ctcae5.hypercalcemia.g3       | si    |
      | 13.5  | 3     | ctcae5.hypercalcemia.g3.mg_dl | mg/dL |
      | 13.6  | 4     | ctcae5.hypercalcemia.g4.mg_dl | mg/dL |
      | 13.7  | 4     | ctcae5.hypercalcemia.g4.mg_dl | mg/dL |

  Scenario Outline: Hypocalcemia: serum calcium <value> mmol/L with a lower limit of 2.2 is grade <grade>
    Given a serum calcium of <value> mmol/L with a lower limit of 2.2 and an upper limit of 2.6
    When the rules are evaluated
    Then the grade for "Hypocalcemia" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                   |
      | 2.2   | 0     | ctcae5.hypocalcemia.g0 |
      | 2.19  | 1     | ctcae5.hypocalcemia.g1 |
      | 2.0   | 1     | ctcae5.hypocalcemia.g1 |
      | 1.99  | 2     | ctcae5.hypocalcemia.g2 |
      | 1.75  | 2     | ctcae5.hypocalcemia.g2 |
      | 1.74  | 3     | ctcae5.hypocalcemia.g3 |
      | 1.5   | 3     | ctcae5.hypocalcemia.g3 |
      | 1.49  | 4     | ctcae5.hypocalcemia.g4 |

  Scenario Outline: Hypocalcemia in mg/dL: serum calcium <value> mg/dL is grade <grade> by the <set> cut-offs
    8.0, 7.0 and 6.0 mg/dL are 1.996, 1.747 and 1.497 mmol/L: the mmol/L column grades them one higher
    than the mg/dL column, and the worse grade is reported with the mmol/L criterion. Where the columns
    agree (8.1, 7.1, 6.1 and 5.9 mg/dL) the mg/dL criterion is cited.

    Given a serum calcium of <value> mg/dL with a lower limit of 8.5 and an upper limit of 10.5
    When the rules are evaluated
    Then the grade for "Hypocalcemia" is <grade>
    And the rule is "<rule>"
    And the criterion set is "<set>"

    Examples:
      | value | grade | rule                         | set   |
      | 8.5   | 0     | ctcae5.hypocalcemia.g0       | si    |
      | 8.1   | 1     | ctcae5.hypocalcemia.g1.mg_dl | mg/dL |
      | 8.0   | 2     | ctcae5.hypocalcemia.g2       | si    |
      | 7.1   | 2     | ctcae5.hypocalcemia.g2.mg_dl | mg/dL |
      | 7.0   | 3     | ctcae5.hypocalcemia.g3       | si    |
      | 6.1   | 3     | ctcae5.hypocalcemia.g3.mg_dl | mg/dL |
      | 6.0   | 4     | ctcae5.hypocalcemia.g4       | si    |
      | 5.9   | 4     | ctcae5.hypocalcemia.g4.mg_dl | mg/dL |

  Scenario Outline: Hypercalcemia (ionized): <value> mmol/L with an upper limit of 1.32 is grade <grade>
    Given an ionized calcium of <value> mmol/L with a lower limit of 1.12 and an upper limit of 1.32
    When the rules are evaluated
    Then the grade for "Hypercalcemia (Ionized)" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                            |
      | 1.32  | 0     | ctcae5.hypercalcemia_ionized.g0 |
      | 1.33  | 1     | ctcae5.hypercalcemia_ionized.g1 |
      | 1.5   | 1     | ctcae5.hypercalcemia_ionized.g1 |
      | 1.51  | 2     | ctcae5.hypercalcemia_ionized.g2 |
      | 1.6   | 2     | ctcae5.hypercalcemia_ionized.g2 |
      | 1.61  | 3     | ctcae5.hypercalcemia_ionized.g3 |
      | 1.8   | 3     | ctcae5.hypercalcemia_ionized.g3 |
      | 1.81  | 4     | ctcae5.hypercalcemia_ionized.g4 |

  Scenario Outline: Hypercalcemia (ionized) in mg/dL: <value> mg/dL is grade <grade> by the <set> cut-offs
    6.0, 6.4 and 7.2 mg/dL are 1.497, 1.597 and 1.796 mmol/L, just under the mmol/L cut-offs: the mg/dL
    column grades every value at least as high, so the mg/dL criterion is cited throughout.

    Given an ionized calcium of <value> mg/dL with a lower limit of 4.5 and an upper limit of 5.3
    When the rules are evaluated
    Then the grade for "Hypercalcemia (Ionized)" is <grade>
    And the rule is "<rule>"
    And the criterion set is "<set>"

    Examples:
      | value | grade | rule                                  | set   |
      | 5.3   | 0     | ctcae5.hypercalcemia_ionized.g0       | si    |
      | 6.0   | 1     | ctcae5.hypercalcemia_ionized.g1.mg_dl | mg/dL |
      | 6.01  | 2     | ctcae5.hypercalcemia_ionized.g2.mg_dl | mg/dL |
      | 6.4   | 2     | ctcae5.hypercalcemia_ionized.g2.mg_dl | mg/dL |
      | 6.41  | 3     | ctcae5.hypercalcemia_ionized.g3.mg_dl | mg/dL |
      | 7.2   | 3     | ctcae5.hypercalcemia_ionized.g3.mg_dl | mg/dL |
      | 7.21  | 4     | ctcae5.hypercalcemia_ionized.g4.mg_dl | mg/dL |
      | 7.3   | 4     | ctcae5.hypercalcemia_ionized.g4.mg_dl | mg/dL |

  Scenario Outline: Hypocalcemia (ionized): <value> mmol/L with a lower limit of 1.12 is grade <grade>
    Given an ionized calcium of <value> mmol/L with a lower limit of 1.12 and an upper limit of 1.32
    When the rules are evaluated
    Then the grade for "Hypocalcemia (Ionized)" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                           |
      | 1.12  | 0     | ctcae5.hypocalcemia_ionized.g0 |
      | 1.11  | 1     | ctcae5.hypocalcemia_ionized.g1 |
      | 1.0   | 1     | ctcae5.hypocalcemia_ionized.g1 |
      | 0.99  | 2     | ctcae5.hypocalcemia_ionized.g2 |
      | 0.9   | 2     | ctcae5.hypocalcemia_ionized.g2 |
      | 0.89  | 3     | ctcae5.hypocalcemia_ionized.g3 |
      | 0.8   | 3     | ctcae5.hypocalcemia_ionized.g3 |
      | 0.79  | 4     | ctcae5.hypocalcemia_ionized.g4 |

  Scenario Outline: Hypocalcemia (ionized) in mg/dL: <value> mg/dL is grade <grade> by the <set> cut-offs
    4.0, 3.6 and 3.2 mg/dL are 0.998, 0.898 and 0.798 mmol/L: the mmol/L column grades them one higher
    than the mg/dL column, and the worse grade is reported with the mmol/L criterion. Where the columns
    agree the mg/dL criterion is cited.

    Given an ionized calcium of <value> mg/dL with a lower limit of 4.5 and an upper limit of 5.3
    When the rules are evaluated
    Then the grade for "Hypocalcemia (Ionized)" is <grade>
    And the rule is "<rule>"
    And the criterion set is "<set>"

    Examples:
      | value | grade | rule                                 | set   |
      | 4.5   | 0     | ctcae5.hypocalcemia_ionized.g0       | si    |
      | 4.1   | 1     | ctcae5.hypocalcemia_ionized.g1.mg_dl | mg/dL |
      | 4.0   | 2     | ctcae5.hypocalcemia_ionized.g2       | si    |
      | 3.7   | 2     | ctcae5.hypocalcemia_ionized.g2.mg_dl | mg/dL |
      | 3.6   | 3     | ctcae5.hypocalcemia_ionized.g3       | si    |
      | 3.3   | 3     | ctcae5.hypocalcemia_ionized.g3.mg_dl | mg/dL |
      | 3.2   | 4     | ctcae5.hypocalcemia_ionized.g4       | si    |
      | 3.1   | 4     | ctcae5.hypocalcemia_ionized.g4.mg_dl | mg/dL |

  Scenario Outline: Hypermagnesemia: magnesium <value> mmol/L with an upper limit of 0.95 is grade <grade>
    Given a magnesium of <value> mmol/L with a lower limit of 0.62 and an upper limit of 0.95
    When the rules are evaluated
    Then the grade for "Hypermagnesemia" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                      |
      | 0.95  | 0     | ctcae5.hypermagnesemia.g0 |
      | 0.96  | 1     | ctcae5.hypermagnesemia.g1 |
      | 1.23  | 1     | ctcae5.hypermagnesemia.g1 |
      | 1.24  | 3     | ctcae5.hypermagnesemia.g3 |
      | 3.3   | 3     | ctcae5.hypermagnesemia.g3 |
      | 3.31  | 4     | ctcae5.hypermagnesemia.g4 |

  Scenario Outline: Hypermagnesemia in mg/dL: magnesium <value> mg/dL is grade <grade> by the <set> cut-offs
    3.0 mg/dL is 1.234 mmol/L: grade 3 by the mmol/L column although the mg/dL column says grade 1.
    Elsewhere the columns agree and the mg/dL criterion is cited (8.0 mg/dL is 3.29 mmol/L, grade 3 by
    both; 8.01 mg/dL is grade 4 by the mg/dL column only).

    Given a magnesium of <value> mg/dL with a lower limit of 1.7 and an upper limit of 2.3
    When the rules are evaluated
    Then the grade for "Hypermagnesemia" is <grade>
    And the rule is "<rule>"
    And the criterion set is "<set>"

    Examples:
      | value | grade | rule                            | set   |
      | 2.3   | 0     | ctcae5.hypermagnesemia.g0       | si    |
      | 2.9   | 1     | ctcae5.hypermagnesemia.g1.mg_dl | mg/dL |
      | 3.0   | 3     | ctcae5.hypermagnesemia.g3       | si    |
      | 8.0   | 3     | ctcae5.hypermagnesemia.g3.mg_dl | mg/dL |
      | 8.01  | 4     | ctcae5.hypermagnesemia.g4.mg_dl | mg/dL |
      | 8.1   | 4     | ctcae5.hypermagnesemia.g4.mg_dl | mg/dL |

  Scenario Outline: Hypomagnesemia: magnesium <value> mmol/L with a lower limit of 0.62 is grade <grade>
    Given a magnesium of <value> mmol/L with a lower limit of 0.62 and an upper limit of 0.95
    When the rules are evaluated
    Then the grade for "Hypomagnesemia" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                     |
      | 0.62  | 0     | ctcae5.hypomagnesemia.g0 |
      | 0.61  | 1     | ctcae5.hypomagnesemia.g1 |
      | 0.5   | 1     | ctcae5.hypomagnesemia.g1 |
      | 0.49  | 2     | ctcae5.hypomagnesemia.g2 |
      | 0.4   | 2     | ctcae5.hypomagnesemia.g2 |
      | 0.39  | 3     | ctcae5.hypomagnesemia.g3 |
      | 0.3   | 3     | ctcae5.hypomagnesemia.g3 |
      | 0.29  | 4     | ctcae5.hypomagnesemia.g4 |

  Scenario Outline: Hypomagnesemia in mg/dL: magnesium <value> mg/dL is grade <grade> by the <set> cut-offs
    1.2, 0.9 and 0.7 mg/dL are 0.494, 0.370 and 0.288 mmol/L: the mmol/L column grades them one
    higher than the mg/dL column, and the worse grade is reported with the mmol/L criterion. Where the
    columns agree the mg/dL criterion is cited.

    Given a magnesium of <value> mg/dL with a lower limit of 1.7 and an upper limit of 2.3
    When the rules are evaluated
    Then the grade for "Hypomagnesemia" is <grade>
    And the rule is "<rule>"
    And the criterion set is "<set>"

    Examples:
      | value | grade | rule                           | set   |
      | 1.7   | 0     | ctcae5.hypomagnesemia.g0       | si    |
      | 1.3   | 1     | ctcae5.hypomagnesemia.g1.mg_dl | mg/dL |
      | 1.2   | 2     | ctcae5.hypomagnesemia.g2       | si    |
      | 1.0   | 2     | ctcae5.hypomagnesemia.g2.mg_dl | mg/dL |
      | 0.9   | 3     | ctcae5.hypomagnesemia.g3       | si    |
      | 0.8   | 3     | ctcae5.hypomagnesemia.g3.mg_dl | mg/dL |
      | 0.7   | 4     | ctcae5.hypomagnesemia.g4       | si    |
      | 0.6   | 4     | ctcae5.hypomagnesemia.g4.mg_dl | mg/dL |

  Scenario Outline: A calcium or magnesium in mg/dL cites the mg/dL criterion when both columns give grade <grade>
    A value reported in mg/dL that both columns grade alike is cited by the mg/dL criterion, the one
    the laboratory's unit is written in (values well inside a band of both columns).

    Given <analyte> of <value> mg/dL with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "<term>" is <grade>
    And the rule is "<rule>"
    And the criterion set is "mg/dL"

    Examples:
      | analyte            | value | lln | uln  | term                    | grade | rule                                  |
      | a serum calcium    | 11.0  | 8.5 | 10.5 | Hypercalcemia           | 1     | ctcae5.hypercalcemia.g1.mg_dl         |
      | a serum calcium    | 13.0  | 8.5 | 10.5 | Hypercalcemia           | 3     | ctcae5.hypercalcemia.g3.mg_dl         |
      | a serum calcium    | 8.2   | 8.5 | 10.5 | Hypocalcemia            | 1     | ctcae5.hypocalcemia.g1.mg_dl          |
      | a serum calcium    | 7.5   | 8.5 | 10.5 | Hypocalcemia            | 2     | ctcae5.hypocalcemia.g2.mg_dl          |
      | a serum calcium    | 6.5   | 8.5 | 10.5 | Hypocalcemia            | 3     | ctcae5.hypocalcemia.g3.mg_dl          |
      | a serum calcium    | 5.5   | 8.5 | 10.5 | Hypocalcemia            | 4     | ctcae5.hypocalcemia.g4.mg_dl          |
      | an ionized calcium | 5.6   | 4.5 | 5.3  | Hypercalcemia (Ionized) | 1     | ctcae5.hypercalcemia_ionized.g1.mg_dl |
      | an ionized calcium | 4.2   | 4.5 | 5.3  | Hypocalcemia (Ionized)  | 1     | ctcae5.hypocalcemia_ionized.g1.mg_dl  |
      | an ionized calcium | 3.8   | 4.5 | 5.3  | Hypocalcemia (Ionized)  | 2     | ctcae5.hypocalcemia_ionized.g2.mg_dl  |
      | an ionized calcium | 3.4   | 4.5 | 5.3  | Hypocalcemia (Ionized)  | 3     | ctcae5.hypocalcemia_ionized.g3.mg_dl  |
      | an ionized calcium | 3.0   | 4.5 | 5.3  | Hypocalcemia (Ionized)  | 4     | ctcae5.hypocalcemia_ionized.g4.mg_dl  |
      | a magnesium        | 2.6   | 1.7 | 2.3  | Hypermagnesemia         | 1     | ctcae5.hypermagnesemia.g1.mg_dl       |
      | a magnesium        | 5.0   | 1.7 | 2.3  | Hypermagnesemia         | 3     | ctcae5.hypermagnesemia.g3.mg_dl       |
      | a magnesium        | 1.4   | 1.7 | 2.3  | Hypomagnesemia          | 1     | ctcae5.hypomagnesemia.g1.mg_dl        |
      | a magnesium        | 1.1   | 1.7 | 2.3  | Hypomagnesemia          | 2     | ctcae5.hypomagnesemia.g2.mg_dl        |
      | a magnesium        | 0.8   | 1.7 | 2.3  | Hypomagnesemia          | 3     | ctcae5.hypomagnesemia.g3.mg_dl        |
      | a magnesium        | 0.5   | 1.7 | 2.3  | Hypomagnesemia          | 4     | ctcae5.hypomagnesemia.g4.mg_dl        |

  Scenario Outline: Acidosis: blood pH <value> with a lower limit of 7.35 is grade <grade>
    Given a blood pH of <value> with a lower limit of 7.35 and an upper limit of 7.45
    When the rules are evaluated
    Then the grade for "Acidosis" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule               |
      | 7.35  | 0     | ctcae5.acidosis.g0 |
      | 7.34  | 1     | ctcae5.acidosis.g1 |
      | 7.3   | 1     | ctcae5.acidosis.g1 |
      | 7.29  | 3     | ctcae5.acidosis.g3 |

  Scenario Outline: Alkalosis: blood pH <value> with an upper limit of 7.45 is grade <grade>
    Given a blood pH of <value> with a lower limit of 7.35 and an upper limit of 7.45
    When the rules are evaluated
    Then the grade for "Alkalosis" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                |
      | 7.45  | 0     | ctcae5.alkalosis.g0 |
      | 7.46  | 1     | ctcae5.alkalosis.g1 |
      | 7.5   | 1     | ctcae5.alkalosis.g1 |
      | 7.51  | 3     | ctcae5.alkalosis.g3 |
