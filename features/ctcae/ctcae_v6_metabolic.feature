Feature: CTCAE v6.0 glucose, lipids, urate and albumin
  Hypoglycemia, hyperglycemia, cholesterol high, hypertriglyceridemia, hyperuricemia and
  hypoalbuminemia. A value
  reported in mg/dL is graded by CTCAE's mg/dL criteria only, and a value reported in mmol/L by its
  mmol/L criteria only: CTCAE's two columns are not exact conversions of each other, so each result is
  graded as CTCAE writes its own unit.

  Background:
    Given CTCAE version "6.0"
    And a female patient
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq

  Scenario Outline: Hypoglycemia: glucose <value> mmol/L with a lower limit of 3.9 is grade <grade>
    Given a glucose of <value> mmol/L with a lower limit of 3.9 and an upper limit of 5.6
    When the rules are evaluated
    Then the grade for "Hypoglycemia" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                   |
      | 3.9   | 0     | ctcae6.hypoglycemia.g0 |
      | 3.8   | 1     | ctcae6.hypoglycemia.g1 |
      | 3.0   | 1     | ctcae6.hypoglycemia.g1 |
      | 2.9   | 2     | ctcae6.hypoglycemia.g2 |
      | 2.2   | 2     | ctcae6.hypoglycemia.g2 |
      | 2.1   | 3     | ctcae6.hypoglycemia.g3 |
      | 1.7   | 3     | ctcae6.hypoglycemia.g3 |
      | 1.6   | 4     | ctcae6.hypoglycemia.g4 |

  Scenario Outline: Hypoglycemia in mg/dL: glucose <value> mg/dL with a lower limit of 70 is grade <grade>
    Graded by the mg/dL column only: 30 mg/dL (1.67 mmol/L) is grade 3 as CTCAE writes it ("<40 - 30
    mg/dL"), not 4 by the rounded 1.7 mmol/L.

    Given a blood glucose of <value> mg/dL with a lower limit of 70 and an upper limit of 100
    When the rules are evaluated
    Then the grade for "Hypoglycemia" is <grade>
    And the rule is "<rule>"
    And the criterion set is "mg/dL"
    And the value was graded in the unit it was reported in

    Examples:
      | value | grade | rule                         |
      | 70    | 0     | ctcae6.hypoglycemia.g0       |
      | 69    | 1     | ctcae6.hypoglycemia.g1.mg_dl |
      | 55    | 1     | ctcae6.hypoglycemia.g1.mg_dl |
      | 54.9  | 2     | ctcae6.hypoglycemia.g2.mg_dl |
      | 40    | 2     | ctcae6.hypoglycemia.g2.mg_dl |
      | 39.9  | 3     | ctcae6.hypoglycemia.g3.mg_dl |
      | 30    | 3     | ctcae6.hypoglycemia.g3.mg_dl |
      | 29.9  | 4     | ctcae6.hypoglycemia.g4.mg_dl |

  Scenario Outline: Cholesterol high: <value> mmol/L with an upper limit of 5.2 is grade <grade>
    Given a total cholesterol of <value> mmol/L with an upper limit of 5.2
    When the rules are evaluated
    Then the grade for "Cholesterol high" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                       |
      | 5.2   | 0     | ctcae6.cholesterol_high.g0 |
      | 5.3   | 1     | ctcae6.cholesterol_high.g1 |
      | 7.75  | 1     | ctcae6.cholesterol_high.g1 |
      | 7.76  | 2     | ctcae6.cholesterol_high.g2 |
      | 10.34 | 2     | ctcae6.cholesterol_high.g2 |
      | 10.35 | 3     | ctcae6.cholesterol_high.g3 |
      | 12.92 | 3     | ctcae6.cholesterol_high.g3 |
      | 12.93 | 4     | ctcae6.cholesterol_high.g4 |

  Scenario Outline: Cholesterol high in mg/dL: <value> mg/dL with an upper limit of 200 is grade <grade>
    Graded by the mg/dL column only: 300, 400 and 500 mg/dL (7.76, 10.34(4) and 12.93 mmol/L) are
    grades 1, 2 and 3 as CTCAE writes them in mg/dL, not one grade higher by the rounded mmol/L figures.

    Given a cholesterol of <value> mg/dL with an upper limit of 200
    When the rules are evaluated
    Then the grade for "Cholesterol high" is <grade>
    And the rule is "<rule>"
    And the criterion set is "mg/dL"
    And the value was graded in the unit it was reported in

    Examples:
      | value | grade | rule                             |
      | 200   | 0     | ctcae6.cholesterol_high.g0       |
      | 201   | 1     | ctcae6.cholesterol_high.g1.mg_dl |
      | 300   | 1     | ctcae6.cholesterol_high.g1.mg_dl |
      | 301   | 2     | ctcae6.cholesterol_high.g2.mg_dl |
      | 400   | 2     | ctcae6.cholesterol_high.g2.mg_dl |
      | 401   | 3     | ctcae6.cholesterol_high.g3.mg_dl |
      | 500   | 3     | ctcae6.cholesterol_high.g3.mg_dl |
      | 501   | 4     | ctcae6.cholesterol_high.g4.mg_dl |

  Scenario Outline: A <analyte> in mmol/L is graded by the mmol/L criteria only: <value> mmol/L is grade <grade>
    The reverse of the mg/dL outlines: on a mmol/L boundary the converted figure would cross the mg/dL
    one (3.0 mmol/L of glucose is 54.0 mg/dL, 2.2 is 39.6; 3.42 mmol/L of triglycerides is 302.9 mg/dL,
    5.7 is 504.9, 11.4 is 1009.7), but a result reported in mmol/L is graded as CTCAE writes it in mmol/L.

    Given <analyte> of <value> mmol/L with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "<term>" is <grade>
    And the rule is "<rule>"
    And the criterion set is "si"
    And the value was graded in the unit it was reported in

    Examples:
      | analyte       | value | lln | uln  | term                 | grade | rule                           |
      | a glucose     | 3.0   | 3.9 | 5.6  | Hypoglycemia         | 1     | ctcae6.hypoglycemia.g1         |
      | a glucose     | 2.99  | 3.9 | 5.6  | Hypoglycemia         | 2     | ctcae6.hypoglycemia.g2         |
      | a glucose     | 2.2   | 3.9 | 5.6  | Hypoglycemia         | 2     | ctcae6.hypoglycemia.g2         |
      | a glucose     | 2.19  | 3.9 | 5.6  | Hypoglycemia         | 3     | ctcae6.hypoglycemia.g3         |
      | triglycerides | 3.42  | 0.1 | 1.69 | Hypertriglyceridemia | 1     | ctcae6.hypertriglyceridemia.g1 |
      | triglycerides | 3.43  | 0.1 | 1.69 | Hypertriglyceridemia | 2     | ctcae6.hypertriglyceridemia.g2 |
      | triglycerides | 5.7   | 0.1 | 1.69 | Hypertriglyceridemia | 2     | ctcae6.hypertriglyceridemia.g2 |
      | triglycerides | 5.71  | 0.1 | 1.69 | Hypertriglyceridemia | 3     | ctcae6.hypertriglyceridemia.g3 |
      | triglycerides | 11.4  | 0.1 | 1.69 | Hypertriglyceridemia | 3     | ctcae6.hypertriglyceridemia.g3 |
      | triglycerides | 11.41 | 0.1 | 1.69 | Hypertriglyceridemia | 4     | ctcae6.hypertriglyceridemia.g4 |

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
      | 1.70  | 0     | ctcae6.hypertriglyceridemia.g0 |
      | 1.71  | 1     | ctcae6.hypertriglyceridemia.g1 |
      | 3.42  | 1     | ctcae6.hypertriglyceridemia.g1 |
      | 3.43  | 2     | ctcae6.hypertriglyceridemia.g2 |
      | 5.7   | 2     | ctcae6.hypertriglyceridemia.g2 |
      | 5.71  | 3     | ctcae6.hypertriglyceridemia.g3 |
      | 11.4  | 3     | ctcae6.hypertriglyceridemia.g3 |
      | 11.41 | 4     | ctcae6.hypertriglyceridemia.g4 |

  Scenario Outline: Hypertriglyceridemia in mg/dL: <value> mg/dL is grade <grade>
    Graded by the mg/dL column only, on both sides of each boundary (grade 1 is "150 - 300 mg/dL",
    inclusive): 300, 500 and 1000 mg/dL are grades 1, 2 and 3 as CTCAE writes them in mg/dL.

    Given triglycerides of <value> mg/dL
    When the rules are evaluated
    Then the grade for "Hypertriglyceridemia" is <grade>
    And the rule is "<rule>"
    And the criterion set is "mg/dL"
    And the value was graded in the unit it was reported in

    Examples:
      | value | grade | rule                                 |
      | 149   | 0     | ctcae6.hypertriglyceridemia.g0       |
      | 150   | 1     | ctcae6.hypertriglyceridemia.g1.mg_dl |
      | 300   | 1     | ctcae6.hypertriglyceridemia.g1.mg_dl |
      | 301   | 2     | ctcae6.hypertriglyceridemia.g2.mg_dl |
      | 500   | 2     | ctcae6.hypertriglyceridemia.g2.mg_dl |
      | 501   | 3     | ctcae6.hypertriglyceridemia.g3.mg_dl |
      | 1000  | 3     | ctcae6.hypertriglyceridemia.g3.mg_dl |
      | 1001  | 4     | ctcae6.hypertriglyceridemia.g4.mg_dl |

  Scenario Outline: Hyperuricemia: uric acid <value> <unit> with an upper limit of <uln> is grade <grade>
    CTCAE grades ">ULN" 1 or 3 by physiologic consequences: the value alone gives 3, as admiral does.

    Given a uric acid of <value> <unit> with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "Hyperuricemia" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | unit   | lln | uln | grade | rule                    |
      | 7.0   | mg/dL  | 2.5 | 7.0 | 0     | ctcae6.hyperuricemia.g0 |
      | 7.1   | mg/dL  | 2.5 | 7.0 | 3     | ctcae6.hyperuricemia.g3 |
      | 420   | umol/L | 150 | 420 | 0     | ctcae6.hyperuricemia.g0 |
      | 421   | umol/L | 150 | 420 | 3     | ctcae6.hyperuricemia.g3 |

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
      | 35    | g/L  | 35  | 50  | 0     | ctcae6.hypoalbuminemia.g0 |
      | 34    | g/L  | 35  | 50  | 1     | ctcae6.hypoalbuminemia.g1 |
      | 30    | g/L  | 35  | 50  | 1     | ctcae6.hypoalbuminemia.g1 |
      | 29    | g/L  | 35  | 50  | 2     | ctcae6.hypoalbuminemia.g2 |
      | 20    | g/L  | 35  | 50  | 2     | ctcae6.hypoalbuminemia.g2 |
      | 19    | g/L  | 35  | 50  | 3     | ctcae6.hypoalbuminemia.g3 |

    Examples: in g/dL
      | value | unit | lln | uln | grade | rule                      |
      | 3.5   | g/dL | 3.5 | 5.0 | 0     | ctcae6.hypoalbuminemia.g0 |
      | 3.4   | g/dL | 3.5 | 5.0 | 1     | ctcae6.hypoalbuminemia.g1.g_dl |
      | 3.0   | g/dL | 3.5 | 5.0 | 1     | ctcae6.hypoalbuminemia.g1.g_dl |
      | 2.9   | g/dL | 3.5 | 5.0 | 2     | ctcae6.hypoalbuminemia.g2.g_dl |
      | 2.0   | g/dL | 3.5 | 5.0 | 2     | ctcae6.hypoalbuminemia.g2.g_dl |
      | 1.9   | g/dL | 3.5 | 5.0 | 3     | ctcae6.hypoalbuminemia.g3.g_dl |

  Scenario Outline: Hyperglycemia: glucose <value> <unit> is grade <grade>
    CTCAE v6.0 adds "Hyperglycemia": grade 3 ">250 - 500 mg/dL; >13.9 - 27.8 mmol/L", grade 4 ">500
    mg/dL; >27.8 mmol/L"; no grade 1 or 2, so a glucose above the ULN up to 13.9 mmol/L is grade 0. The
    fasting term grades only a code that says fasting (LOINC 1558-6, "fasting glucose" below).

    Given a glucose of <value> <unit> with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "Hyperglycemia" is <grade>
    And the rule is "<rule>"
    And the criterion set is "<set>"

    Examples:
      | value | unit   | lln | uln | grade | set    | rule                          |
      | 10.0  | mmol/L | 3.9 | 5.6 | 0     | si     | ctcae6.hyperglycemia.g0      |
      | 13.9  | mmol/L | 3.9 | 5.6 | 0     | si     | ctcae6.hyperglycemia.g0      |
      | 14.0  | mmol/L | 3.9 | 5.6 | 3     | si     | ctcae6.hyperglycemia.g3      |
      | 27.8  | mmol/L | 3.9 | 5.6 | 3     | si     | ctcae6.hyperglycemia.g3      |
      | 27.9  | mmol/L | 3.9 | 5.6 | 4     | si     | ctcae6.hyperglycemia.g4      |
      | 250   | mg/dL  | 70  | 100 | 0     | mg/dL  | ctcae6.hyperglycemia.g0      |
      | 251   | mg/dL  | 70  | 100 | 3     | mg/dL  | ctcae6.hyperglycemia.g3.mg_dl |
      | 500   | mg/dL  | 70  | 100 | 3     | mg/dL  | ctcae6.hyperglycemia.g3.mg_dl |
      | 501   | mg/dL  | 70  | 100 | 4     | mg/dL  | ctcae6.hyperglycemia.g4.mg_dl |

  Scenario Outline: Hyperglycemia (Fasting): fasting glucose <value> <unit> with an upper limit of <uln> is grade <grade>
    Given a fasting glucose of <value> <unit> with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "Hyperglycemia (Fasting)" is <grade>
    And the rule is "<rule>"
    And the criterion set is "<set>"

    Examples:
      | value | unit   | lln | uln | grade | set   | rule                                  |
      | 5.6   | mmol/L | 3.9 | 5.6 | 0     | si    | ctcae6.hyperglycemia_fasting.g0       |
      | 5.7   | mmol/L | 3.9 | 5.6 | 1     | si    | ctcae6.hyperglycemia_fasting.g1       |
      | 8.9   | mmol/L | 3.9 | 5.6 | 1     | si    | ctcae6.hyperglycemia_fasting.g1       |
      | 9.0   | mmol/L | 3.9 | 5.6 | 2     | si    | ctcae6.hyperglycemia_fasting.g2       |
      | 13.9  | mmol/L | 3.9 | 5.6 | 2     | si    | ctcae6.hyperglycemia_fasting.g2       |
      | 14.0  | mmol/L | 3.9 | 5.6 | 3     | si    | ctcae6.hyperglycemia_fasting.g3       |
      | 27.8  | mmol/L | 3.9 | 5.6 | 3     | si    | ctcae6.hyperglycemia_fasting.g3       |
      | 27.9  | mmol/L | 3.9 | 5.6 | 4     | si    | ctcae6.hyperglycemia_fasting.g4       |
      | 100   | mg/dL  | 70  | 100 | 0     | mg/dL | ctcae6.hyperglycemia_fasting.g0       |
      | 101   | mg/dL  | 70  | 100 | 1     | mg/dL | ctcae6.hyperglycemia_fasting.g1.mg_dl |
      | 160   | mg/dL  | 70  | 100 | 1     | mg/dL | ctcae6.hyperglycemia_fasting.g1.mg_dl |
      | 161   | mg/dL  | 70  | 100 | 2     | mg/dL | ctcae6.hyperglycemia_fasting.g2.mg_dl |
      | 250   | mg/dL  | 70  | 100 | 2     | mg/dL | ctcae6.hyperglycemia_fasting.g2.mg_dl |
      | 251   | mg/dL  | 70  | 100 | 3     | mg/dL | ctcae6.hyperglycemia_fasting.g3.mg_dl |
      | 500   | mg/dL  | 70  | 100 | 3     | mg/dL | ctcae6.hyperglycemia_fasting.g3.mg_dl |
      | 501   | mg/dL  | 70  | 100 | 4     | mg/dL | ctcae6.hyperglycemia_fasting.g4.mg_dl |

  Scenario Outline: HDL decreased: HDL cholesterol <value> <unit> with a lower limit of <lln> is grade <grade>
    Given a HDL cholesterol of <value> <unit> with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "HDL decreased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | unit   | lln  | uln  | grade | rule                    |
      | 1.03  | mmol/L | 1.03 | 2.59 | 0     | ctcae6.hdl_decreased.g0 |
      | 1.02  | mmol/L | 1.03 | 2.59 | 1     | ctcae6.hdl_decreased.g1 |
      | 40    | mg/dL  | 40   | 100  | 0     | ctcae6.hdl_decreased.g0 |
      | 39    | mg/dL  | 40   | 100  | 1     | ctcae6.hdl_decreased.g1 |

  Scenario Outline: LDL increased: LDL cholesterol <value> <unit> with an upper limit of <uln> is grade <grade>
    Given a LDL cholesterol of <value> <unit> with a lower limit of 0 and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "LDL increased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | unit   | uln  | grade | rule                    |
      | 2.59  | mmol/L | 2.59 | 0     | ctcae6.ldl_increased.g0 |
      | 2.6   | mmol/L | 2.59 | 1     | ctcae6.ldl_increased.g1 |
      | 100   | mg/dL  | 100  | 0     | ctcae6.ldl_increased.g0 |
      | 101   | mg/dL  | 100  | 1     | ctcae6.ldl_increased.g1 |
