Feature: CTCAE v5.0 glucose, lipids, urate and albumin
  Hypoglycemia, cholesterol high, hypertriglyceridemia, hyperuricemia and hypoalbuminemia. A value
  reported in mg/dL is graded by both the mg/dL and the mmol/L cut-offs of CTCAE and the worse grade is
  reported (CTCAE's two columns are not exact conversions of each other). When both columns give the
  same grade, the mg/dL criterion (the unit the laboratory reported) is cited; the mmol/L criterion is
  cited only when it grades strictly higher.

  Background:
    Given a female patient
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq

  Scenario Outline: Hypoglycemia: glucose <value> mmol/L with a lower limit of 3.9 is grade <grade>
    Given a glucose of <value> mmol/L with a lower limit of 3.9 and an upper limit of 5.6
    When the rules are evaluated
    Then the grade for "Hypoglycemia" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                   |
      | 3.9   | 0     | ctcae5.hypoglycemia.g0 |
      | 3.8   | 1     | ctcae5.hypoglycemia.g1 |
      | 3.0   | 1     | ctcae5.hypoglycemia.g1 |
      | 2.9   | 2     | ctcae5.hypoglycemia.g2 |
      | 2.2   | 2     | ctcae5.hypoglycemia.g2 |
      | 2.1   | 3     | ctcae5.hypoglycemia.g3 |
      | 1.7   | 3     | ctcae5.hypoglycemia.g3 |
      | 1.6   | 4     | ctcae5.hypoglycemia.g4 |

  Scenario Outline: Hypoglycemia in mg/dL: glucose <value> mg/dL is grade <grade> by the <set> cut-offs
    55 mg/dL is 3.05 mmol/L and 40 mg/dL 2.22 mmol/L, so just below 55 and 40 mg/dL the mg/dL column
    grades higher; 30 mg/dL is 1.67 mmol/L, grade 4 by the mmol/L column against 3 by the mg/dL one.
    Where the columns agree (55, 54, 40, 39, 31 and 29 mg/dL) the mg/dL criterion is cited.

    Given a blood glucose of <value> mg/dL with a lower limit of 70 and an upper limit of 100
    When the rules are evaluated
    Then the grade for "Hypoglycemia" is <grade>
    And the rule is "<rule>"
    And the criterion set is "<set>"

    Examples:
      | value | grade | rule                         | set   |
      | 70    | 0     | ctcae5.hypoglycemia.g0       | si    |
      | 55    | 1     | ctcae5.hypoglycemia.g1.mg_dl | mg/dL |
      | 54.5  | 2     | ctcae5.hypoglycemia.g2.mg_dl | mg/dL |
      | 54    | 2     | ctcae5.hypoglycemia.g2.mg_dl | mg/dL |
      | 40    | 2     | ctcae5.hypoglycemia.g2.mg_dl | mg/dL |
      | 39.8  | 3     | ctcae5.hypoglycemia.g3.mg_dl | mg/dL |
      | 39    | 3     | ctcae5.hypoglycemia.g3.mg_dl | mg/dL |
      | 31    | 3     | ctcae5.hypoglycemia.g3.mg_dl | mg/dL |
      | 30    | 4     | ctcae5.hypoglycemia.g4       | si    |
      | 29    | 4     | ctcae5.hypoglycemia.g4.mg_dl | mg/dL |

  Scenario Outline: Cholesterol high: <value> mmol/L with an upper limit of 5.2 is grade <grade>
    Given a total cholesterol of <value> mmol/L with an upper limit of 5.2
    When the rules are evaluated
    Then the grade for "Cholesterol high" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                       |
      | 5.2   | 0     | ctcae5.cholesterol_high.g0 |
      | 5.3   | 1     | ctcae5.cholesterol_high.g1 |
      | 7.75  | 1     | ctcae5.cholesterol_high.g1 |
      | 7.76  | 2     | ctcae5.cholesterol_high.g2 |
      | 10.34 | 2     | ctcae5.cholesterol_high.g2 |
      | 10.35 | 3     | ctcae5.cholesterol_high.g3 |
      | 12.92 | 3     | ctcae5.cholesterol_high.g3 |
      | 12.93 | 4     | ctcae5.cholesterol_high.g4 |

  Scenario Outline: Cholesterol high in mg/dL: <value> mg/dL is grade <grade> by the <set> cut-offs
    300, 400 and 500 mg/dL are 7.76, 10.34(4) and 12.93 mmol/L: each is one grade higher by the mmol/L
    column than by the mg/dL column, and the worse grade is reported with the mmol/L criterion. 201,
    299, 399 and 499 mg/dL (5.20, 7.73, 10.32 and 12.90 mmol/L) are graded alike by both columns: the
    mg/dL criterion is cited.

    Given a cholesterol of <value> mg/dL with an upper limit of 200
    When the rules are evaluated
    Then the grade for "Cholesterol high" is <grade>
    And the rule is "<rule>"
    And the criterion set is "<set>"

    Examples:
      | value | grade | rule                             | set   |
      | 200   | 0     | ctcae5.cholesterol_high.g0       | si    |
      | 201   | 1     | ctcae5.cholesterol_high.g1.mg_dl | mg/dL |
      | 299   | 1     | ctcae5.cholesterol_high.g1.mg_dl | mg/dL |
      | 300   | 2     | ctcae5.cholesterol_high.g2       | si    |
      | 399   | 2     | ctcae5.cholesterol_high.g2.mg_dl | mg/dL |
      | 400   | 3     | ctcae5.cholesterol_high.g3       | si    |
      | 499   | 3     | ctcae5.cholesterol_high.g3.mg_dl | mg/dL |
      | 500   | 4     | ctcae5.cholesterol_high.g4       | si    |

  Scenario Outline: Cholesterol or glucose in mg/dL cites the mg/dL criterion when both columns give grade <grade>
    A value reported in mg/dL that both columns grade alike is cited by the mg/dL criterion, the one
    the laboratory's unit is written in (values well inside a band of both columns).

    Given <analyte> of <value> mg/dL with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "<term>" is <grade>
    And the rule is "<rule>"
    And the criterion set is "mg/dL"

    Examples:
      | analyte             | value | lln | uln | term             | grade | rule                             |
      | a total cholesterol | 250   | 100 | 200 | Cholesterol high | 1     | ctcae5.cholesterol_high.g1.mg_dl |
      | a total cholesterol | 350   | 100 | 200 | Cholesterol high | 2     | ctcae5.cholesterol_high.g2.mg_dl |
      | a total cholesterol | 450   | 100 | 200 | Cholesterol high | 3     | ctcae5.cholesterol_high.g3.mg_dl |
      | a total cholesterol | 600   | 100 | 200 | Cholesterol high | 4     | ctcae5.cholesterol_high.g4.mg_dl |
      | a glucose           | 60    | 70  | 100 | Hypoglycemia     | 1     | ctcae5.hypoglycemia.g1.mg_dl     |
      | a glucose           | 25    | 70  | 100 | Hypoglycemia     | 4     | ctcae5.hypoglycemia.g4.mg_dl     |

  Scenario Outline: Hypertriglyceridemia: <value> mmol/L is grade <grade>
    CTCAE writes grade 1 as "1.71 mmol/L - 3.42 mmol/L": exactly 1.71 is grade 1 (admiral's
    "> 1.71 mmol/L" would make it grade 0; the CTCAE text is followed).

    Given a triglyceride level of <value> mmol/L
    When the rules are evaluated
    Then the grade for "Hypertriglyceridemia" is <grade>
    And the rule is "<rule>"
    And the range source is "default"

    Examples:
      | value | grade | rule                           |
      | 1.70  | 0     | ctcae5.hypertriglyceridemia.g0 |
      | 1.71  | 1     | ctcae5.hypertriglyceridemia.g1 |
      | 3.42  | 1     | ctcae5.hypertriglyceridemia.g1 |
      | 3.43  | 2     | ctcae5.hypertriglyceridemia.g2 |
      | 5.7   | 2     | ctcae5.hypertriglyceridemia.g2 |
      | 5.71  | 3     | ctcae5.hypertriglyceridemia.g3 |
      | 11.4  | 3     | ctcae5.hypertriglyceridemia.g3 |
      | 11.41 | 4     | ctcae5.hypertriglyceridemia.g4 |

  Scenario Outline: Hypertriglyceridemia in mg/dL: <value> mg/dL is grade <grade> by the <set> cut-offs
    150, 300, 500 and 1000 mg/dL are 1.69, 3.39, 5.65 and 11.29 mmol/L: from 150 mg/dL (grade 1 is
    "150 - 300 mg/dL", inclusive) and just above each higher mg/dL cut-off, the mg/dL column grades
    higher than the mmol/L one; where both agree, as at 1010 mg/dL (11.40 mmol/L, grade 4 by both), the
    mg/dL criterion is cited.

    Given triglycerides of <value> mg/dL
    When the rules are evaluated
    Then the grade for "Hypertriglyceridemia" is <grade>
    And the rule is "<rule>"
    And the criterion set is "<set>"

    Examples:
      | value | grade | rule                                 | set   |
      | 149   | 0     | ctcae5.hypertriglyceridemia.g0       | si    |
      | 150   | 1     | ctcae5.hypertriglyceridemia.g1.mg_dl | mg/dL |
      | 300   | 1     | ctcae5.hypertriglyceridemia.g1.mg_dl | mg/dL |
      | 301   | 2     | ctcae5.hypertriglyceridemia.g2.mg_dl | mg/dL |
      | 500   | 2     | ctcae5.hypertriglyceridemia.g2.mg_dl | mg/dL |
      | 502   | 3     | ctcae5.hypertriglyceridemia.g3.mg_dl | mg/dL |
      | 1000  | 3     | ctcae5.hypertriglyceridemia.g3.mg_dl | mg/dL |
      | 1005  | 4     | ctcae5.hypertriglyceridemia.g4.mg_dl | mg/dL |
      | 1010  | 4     | ctcae5.hypertriglyceridemia.g4.mg_dl | mg/dL |

  Scenario Outline: Hyperuricemia: uric acid <value> <unit> with an upper limit of <uln> is grade <grade>
    CTCAE grades ">ULN" 1 or 3 by physiologic consequences: the value alone gives 3, as admiral does.

    Given a uric acid of <value> <unit> with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "Hyperuricemia" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | unit   | lln | uln | grade | rule                    |
      | 7.0   | mg/dL  | 2.5 | 7.0 | 0     | ctcae5.hyperuricemia.g0 |
      | 7.1   | mg/dL  | 2.5 | 7.0 | 3     | ctcae5.hyperuricemia.g3 |
      | 420   | umol/L | 150 | 420 | 0     | ctcae5.hyperuricemia.g0 |
      | 421   | umol/L | 150 | 420 | 3     | ctcae5.hyperuricemia.g3 |

  Scenario: Without an upper limit of normal, uric acid cannot be graded
    Given a serum urate of 600 umol/L with a lower limit of 150 and an upper limit of 0
    When the rules are evaluated
    Then "Hyperuricemia" is not gradable because "no upper limit of normal"

  Scenario Outline: Hypoalbuminemia: albumin <value> <unit> with a lower limit of <lln> is grade <grade>
    Given a serum albumin of <value> <unit> with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "Hypoalbuminemia" is <grade>
    And the rule is "<rule>"

    Examples: in g/L
      | value | unit | lln | uln | grade | rule                      |
      | 35    | g/L  | 35  | 50  | 0     | ctcae5.hypoalbuminemia.g0 |
      | 34    | g/L  | 35  | 50  | 1     | ctcae5.hypoalbuminemia.g1 |
      | 30    | g/L  | 35  | 50  | 1     | ctcae5.hypoalbuminemia.g1 |
      | 29    | g/L  | 35  | 50  | 2     | ctcae5.hypoalbuminemia.g2 |
      | 20    | g/L  | 35  | 50  | 2     | ctcae5.hypoalbuminemia.g2 |
      | 19    | g/L  | 35  | 50  | 3     | ctcae5.hypoalbuminemia.g3 |

    Examples: in g/dL
      | value | unit | lln | uln | grade | rule                      |
      | 3.5   | g/dL | 3.5 | 5.0 | 0     | ctcae5.hypoalbuminemia.g0 |
      | 3.4   | g/dL | 3.5 | 5.0 | 1     | ctcae5.hypoalbuminemia.g1 |
      | 3.0   | g/dL | 3.5 | 5.0 | 1     | ctcae5.hypoalbuminemia.g1 |
      | 2.9   | g/dL | 3.5 | 5.0 | 2     | ctcae5.hypoalbuminemia.g2 |
      | 2.0   | g/dL | 3.5 | 5.0 | 2     | ctcae5.hypoalbuminemia.g2 |
      | 1.9   | g/dL | 3.5 | 5.0 | 3     | ctcae5.hypoalbuminemia.g3 |
