Feature: CTCAE v5.0 electrolytes and acid-base
  Sodium, potassium, calcium (total and ionized), magnesium and blood pH. Where CTCAE separates grades
  only by symptoms or intervention (hypokalemia "<LLN - 3.0 mmol/L", hyponatremia "125-129 mmol/L",
  hypermagnesemia ">ULN - 1.23 mmol/L"), the laboratory value alone gives the higher grade, as admiral
  does. A value reported in mg/dL is graded by CTCAE's mg/dL criteria only, and a value reported in
  mmol/L by its mmol/L criteria only: CTCAE's two columns are not exact conversions of each other (11.5
  mg/dL of calcium is 2.87 mmol/L, not 2.9), so each result is graded as CTCAE writes its own unit.
  Ionized calcium has mmol/L criteria only: a value in mg/dL is converted to mmol/L, and says so.

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

  Scenario Outline: Hypercalcemia in mg/dL: serum calcium <value> mg/dL with an upper limit of 10.5 is grade <grade>
    Graded by the mg/dL column only, on both sides of each boundary: 12.5 mg/dL (3.12 mmol/L) is
    grade 2 as CTCAE writes it in mg/dL (">11.5 - 12.5 mg/dL"), not 3 by the rounded 3.1 mmol/L.

    Given a serum calcium of <value> mg/dL with a lower limit of 8.5 and an upper limit of 10.5
    When the rules are evaluated
    Then the grade for "Hypercalcemia" is <grade>
    And the rule is "<rule>"
    And the criterion set is "mg/dL"
    And the value was graded in the unit it was reported in

    Examples:
      | value | grade | rule                          |
      | 10.5  | 0     | ctcae5.hypercalcemia.g0       |
      | 10.6  | 1     | ctcae5.hypercalcemia.g1.mg_dl |
      | 11.5  | 1     | ctcae5.hypercalcemia.g1.mg_dl |
      | 11.6  | 2     | ctcae5.hypercalcemia.g2.mg_dl |
      | 12.5  | 2     | ctcae5.hypercalcemia.g2.mg_dl |
      | 12.6  | 3     | ctcae5.hypercalcemia.g3.mg_dl |
      | 13.5  | 3     | ctcae5.hypercalcemia.g3.mg_dl |
      | 13.6  | 4     | ctcae5.hypercalcemia.g4.mg_dl |

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

  Scenario Outline: Hypocalcemia in mg/dL: serum calcium <value> mg/dL with a lower limit of 9.0 is grade <grade>
    Graded by the mg/dL column only: 8.0, 7.0 and 6.0 mg/dL (1.996, 1.747 and 1.497 mmol/L) are grades
    1, 2 and 3 as CTCAE writes them in mg/dL, not one grade higher by the rounded mmol/L figures.

    Given a serum calcium of <value> mg/dL with a lower limit of 9.0 and an upper limit of 10.5
    When the rules are evaluated
    Then the grade for "Hypocalcemia" is <grade>
    And the rule is "<rule>"
    And the criterion set is "mg/dL"
    And the value was graded in the unit it was reported in

    Examples:
      | value | grade | rule                         |
      | 9.0   | 0     | ctcae5.hypocalcemia.g0       |
      | 8.9   | 1     | ctcae5.hypocalcemia.g1.mg_dl |
      | 8.0   | 1     | ctcae5.hypocalcemia.g1.mg_dl |
      | 7.9   | 2     | ctcae5.hypocalcemia.g2.mg_dl |
      | 7.0   | 2     | ctcae5.hypocalcemia.g2.mg_dl |
      | 6.9   | 3     | ctcae5.hypocalcemia.g3.mg_dl |
      | 6.0   | 3     | ctcae5.hypocalcemia.g3.mg_dl |
      | 5.9   | 4     | ctcae5.hypocalcemia.g4.mg_dl |

  Scenario Outline: Hypercalcemia corrected for albumin: total <total> <unit> with albumin <albumin> is grade <grade>
    CTCAE grades calcium corrected for albumin (the term's definition). A total calcium is corrected with
    the albumin of the same specimen or time, in the unit it was reported in: + 0.02 mmol/L (0.08 mg/dL)
    for each g/L of albumin below 40 g/L; an albumin of 40 g/L or more leaves it as it is. Graded by the
    corrected value on both sides of each boundary; without the correction every row is one grade lower
    or the same.

    Given a serum calcium of <total> <unit> with a lower limit of <lln> and an upper limit of <uln>
    And a serum albumin of <albumin> with a lower limit of <alb_lln> and an upper limit of <alb_uln>
    When the rules are evaluated
    Then the grade for "Hypercalcemia" is <grade>
    And the rule is "<rule>"
    And the criterion set is "<set>"
    And a note says "<note>"

    Examples:
      | total | unit   | lln | uln  | albumin  | alb_lln | alb_uln | grade | rule                          | set   | note                      |
      | 2.7   | mmol/L | 2.2 | 2.6  | 30 g/L   | 35      | 50      | 1     | ctcae5.hypercalcemia.g1       | si    | 2.7 + 0.2 = 2.9 mmol/L    |
      | 2.7   | mmol/L | 2.2 | 2.6  | 29 g/L   | 35      | 50      | 2     | ctcae5.hypercalcemia.g2       | si    | 2.7 + 0.22 = 2.92 mmol/L  |
      | 2.9   | mmol/L | 2.2 | 2.6  | 30 g/L   | 35      | 50      | 2     | ctcae5.hypercalcemia.g2       | si    | 2.9 + 0.2 = 3.1 mmol/L    |
      | 2.9   | mmol/L | 2.2 | 2.6  | 29 g/L   | 35      | 50      | 3     | ctcae5.hypercalcemia.g3       | si    | 2.9 + 0.22 = 3.12 mmol/L  |
      | 3.0   | mmol/L | 2.2 | 2.6  | 20 g/L   | 35      | 50      | 3     | ctcae5.hypercalcemia.g3       | si    | 3 + 0.4 = 3.4 mmol/L      |
      | 3.0   | mmol/L | 2.2 | 2.6  | 19 g/L   | 35      | 50      | 4     | ctcae5.hypercalcemia.g4       | si    | 3 + 0.42 = 3.42 mmol/L    |
      | 2.95  | mmol/L | 2.2 | 2.6  | 40 g/L   | 35      | 50      | 2     | ctcae5.hypercalcemia.g2       | si    | is not below 40 g/L       |
      | 2.9   | mmol/L | 2.2 | 2.6  | 45 g/L   | 35      | 50      | 1     | ctcae5.hypercalcemia.g1       | si    | is not below 40 g/L       |
      | 10.7  | mg/dL  | 8.5 | 10.5 | 3.0 g/dL | 3.5     | 5       | 1     | ctcae5.hypercalcemia.g1.mg_dl | mg/dL | 10.7 + 0.8 = 11.5 mg/dL   |
      | 10.7  | mg/dL  | 8.5 | 10.5 | 2.9 g/dL | 3.5     | 5       | 2     | ctcae5.hypercalcemia.g2.mg_dl | mg/dL | 10.7 + 0.88 = 11.58 mg/dL |

  Scenario Outline: Hypocalcemia corrected for albumin: total <total> mmol/L with albumin <albumin> g/L is grade <grade>
    Given a serum calcium of <total> mmol/L with a lower limit of 2.2 and an upper limit of 2.6
    And a serum albumin of <albumin> g/L with a lower limit of 35 and an upper limit of 50
    When the rules are evaluated
    Then the grade for "Hypocalcemia" is <grade>
    And the rule is "<rule>"

    Examples:
      | total | albumin | grade | rule                     |
      | 2.0   | 30      | 0     | ctcae5.hypocalcemia.g0 |
      | 1.99  | 30      | 1     | ctcae5.hypocalcemia.g1 |
      | 1.8   | 30      | 1     | ctcae5.hypocalcemia.g1 |
      | 1.79  | 30      | 2     | ctcae5.hypocalcemia.g2 |

  Scenario Outline: A calcium the laboratory corrected (LOINC 29265-6) is graded as reported, never corrected again
    Given a corrected calcium of <value> mmol/L with a lower limit of 2.2 and an upper limit of 2.6
    And a serum albumin of 25 g/L with a lower limit of 35 and an upper limit of 50
    When the rules are evaluated
    Then the grade for "Hypercalcemia" is <grade>
    And the rule is "<rule>"
    And no note says "corrected for albumin"

    Examples:
      | value | grade | rule                      |
      | 2.9   | 1     | ctcae5.hypercalcemia.g1 |
      | 2.91  | 2     | ctcae5.hypercalcemia.g2 |

  Scenario: A total calcium with no albumin of the same time is graded as measured, and says so
    Given a serum calcium of 1.9 mmol/L with a lower limit of 2.2 and an upper limit of 2.6
    And a serum albumin of 30 g/L with a lower limit of 35 and an upper limit of 50 on 2024-01-20
    When the rules are evaluated
    Then the grade for "Hypocalcemia" is 2
    And a note says "not corrected for albumin (no albumin of the same specimen or time)"

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

  Scenario Outline: Hypercalcemia (ionized) in mg/dL: <value> mg/dL is converted to mmol/L and is grade <grade>
    CTCAE v5.0 gives ionized calcium in mmol/L only: a value in mg/dL is converted (x 0.2495) and
    graded by the mmol/L criteria. 6.0 mg/dL is 1.497 mmol/L (grade 1), 6.02 is 1.502 (grade 2); 6.4
    is 1.597 (2), 6.42 is 1.602 (3); 7.2 is 1.796 (3), 7.22 is 1.801 (4).

    Given an ionized calcium of <value> mg/dL with a lower limit of 4.5 and an upper limit of 5.3
    When the rules are evaluated
    Then the grade for "Hypercalcemia (Ionized)" is <grade>
    And the rule is "<rule>"
    And the criterion set is "si"
    And the value was converted from "mg/dL" to be graded

    Examples:
      | value | grade | rule                            |
      | 5.3   | 0     | ctcae5.hypercalcemia_ionized.g0 |
      | 5.4   | 1     | ctcae5.hypercalcemia_ionized.g1 |
      | 6.0   | 1     | ctcae5.hypercalcemia_ionized.g1 |
      | 6.02  | 2     | ctcae5.hypercalcemia_ionized.g2 |
      | 6.4   | 2     | ctcae5.hypercalcemia_ionized.g2 |
      | 6.42  | 3     | ctcae5.hypercalcemia_ionized.g3 |
      | 7.2   | 3     | ctcae5.hypercalcemia_ionized.g3 |
      | 7.22  | 4     | ctcae5.hypercalcemia_ionized.g4 |

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

  Scenario Outline: Hypocalcemia (ionized) in mg/dL: <value> mg/dL is converted to mmol/L and is grade <grade>
    CTCAE v5.0 gives ionized calcium in mmol/L only: 4.01 mg/dL is 1.0005 mmol/L (grade 1), 4.0 is
    0.998 (grade 2); 3.61 is 0.9007 (2), 3.6 is 0.898 (3); 3.21 is 0.8009 (3), 3.2 is 0.798 (4).

    Given an ionized calcium of <value> mg/dL with a lower limit of 4.5 and an upper limit of 5.3
    When the rules are evaluated
    Then the grade for "Hypocalcemia (Ionized)" is <grade>
    And the rule is "<rule>"
    And the criterion set is "si"
    And the value was converted from "mg/dL" to be graded

    Examples:
      | value | grade | rule                           |
      | 4.5   | 0     | ctcae5.hypocalcemia_ionized.g0 |
      | 4.4   | 1     | ctcae5.hypocalcemia_ionized.g1 |
      | 4.01  | 1     | ctcae5.hypocalcemia_ionized.g1 |
      | 4.0   | 2     | ctcae5.hypocalcemia_ionized.g2 |
      | 3.61  | 2     | ctcae5.hypocalcemia_ionized.g2 |
      | 3.6   | 3     | ctcae5.hypocalcemia_ionized.g3 |
      | 3.21  | 3     | ctcae5.hypocalcemia_ionized.g3 |
      | 3.2   | 4     | ctcae5.hypocalcemia_ionized.g4 |

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

  Scenario Outline: Hypermagnesemia in mg/dL: magnesium <value> mg/dL with an upper limit of 2.4 is grade <grade>
    Graded by the mg/dL column only: 3.0 mg/dL (1.234 mmol/L) is grade 1 as CTCAE writes it
    (">ULN - 3.0 mg/dL"), not 3 by the rounded 1.23 mmol/L; 8.0 mg/dL is grade 3, 8.1 grade 4.

    Given a magnesium of <value> mg/dL with a lower limit of 1.5 and an upper limit of 2.4
    When the rules are evaluated
    Then the grade for "Hypermagnesemia" is <grade>
    And the rule is "<rule>"
    And the criterion set is "mg/dL"
    And the value was graded in the unit it was reported in

    Examples:
      | value | grade | rule                            |
      | 2.4   | 0     | ctcae5.hypermagnesemia.g0       |
      | 2.5   | 1     | ctcae5.hypermagnesemia.g1.mg_dl |
      | 3.0   | 1     | ctcae5.hypermagnesemia.g1.mg_dl |
      | 3.1   | 3     | ctcae5.hypermagnesemia.g3.mg_dl |
      | 8.0   | 3     | ctcae5.hypermagnesemia.g3.mg_dl |
      | 8.1   | 4     | ctcae5.hypermagnesemia.g4.mg_dl |

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

  Scenario Outline: Hypomagnesemia in mg/dL: magnesium <value> mg/dL with a lower limit of 1.5 is grade <grade>
    Graded by the mg/dL column only: 1.2, 0.9 and 0.7 mg/dL (0.494, 0.370 and 0.288 mmol/L) are grades
    1, 2 and 3 as CTCAE writes them in mg/dL, not one grade higher by the rounded mmol/L figures.

    Given a magnesium of <value> mg/dL with a lower limit of 1.5 and an upper limit of 2.4
    When the rules are evaluated
    Then the grade for "Hypomagnesemia" is <grade>
    And the rule is "<rule>"
    And the criterion set is "mg/dL"
    And the value was graded in the unit it was reported in

    Examples:
      | value | grade | rule                           |
      | 1.5   | 0     | ctcae5.hypomagnesemia.g0       |
      | 1.4   | 1     | ctcae5.hypomagnesemia.g1.mg_dl |
      | 1.2   | 1     | ctcae5.hypomagnesemia.g1.mg_dl |
      | 1.1   | 2     | ctcae5.hypomagnesemia.g2.mg_dl |
      | 0.9   | 2     | ctcae5.hypomagnesemia.g2.mg_dl |
      | 0.8   | 3     | ctcae5.hypomagnesemia.g3.mg_dl |
      | 0.7   | 3     | ctcae5.hypomagnesemia.g3.mg_dl |
      | 0.6   | 4     | ctcae5.hypomagnesemia.g4.mg_dl |

  Scenario Outline: A <analyte> in mmol/L is graded by the mmol/L criteria only: <value> mmol/L is grade <grade>
    The reverse of the mg/dL outlines: on a mmol/L boundary the converted figure would cross the mg/dL
    one (2.9 mmol/L of calcium is 11.62 mg/dL, 3.4 is 13.63; 3.3 mmol/L of magnesium is 8.02 mg/dL),
    but a result reported in mmol/L is graded as CTCAE writes it in mmol/L.

    Given a <analyte> of <value> mmol/L with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "<term>" is <grade>
    And the rule is "<rule>"
    And the criterion set is "si"
    And the value was graded in the unit it was reported in

    Examples:
      | analyte       | value | lln  | uln  | term            | grade | rule                      |
      | serum calcium | 2.9   | 2.2  | 2.6  | Hypercalcemia   | 1     | ctcae5.hypercalcemia.g1   |
      | serum calcium | 2.91  | 2.2  | 2.6  | Hypercalcemia   | 2     | ctcae5.hypercalcemia.g2   |
      | serum calcium | 3.4   | 2.2  | 2.6  | Hypercalcemia   | 3     | ctcae5.hypercalcemia.g3   |
      | serum calcium | 3.41  | 2.2  | 2.6  | Hypercalcemia   | 4     | ctcae5.hypercalcemia.g4   |
      | magnesium     | 3.3   | 0.62 | 0.95 | Hypermagnesemia | 3     | ctcae5.hypermagnesemia.g3 |
      | magnesium     | 3.31  | 0.62 | 0.95 | Hypermagnesemia | 4     | ctcae5.hypermagnesemia.g4 |

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
