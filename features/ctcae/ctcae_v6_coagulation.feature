Feature: CTCAE v6.0 coagulation and haemolysis
  aPTT is graded by multiples of the upper limit of normal; INR by absolute values and by multiples of
  the baseline INR (CTCAE limits the baseline multiples to anticoagulated patients; the table applies
  them to everyone, as admiral does); fibrinogen by multiples of the lower limit of normal, by the
  percent decrease from baseline when below the LLN, and below 50 mg/dL (0.5 g/L) at grade 4;
  haptoglobin below the LLN is grade 1.

  Background:
    Given CTCAE version "6.0"
    And a female patient
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq

  Scenario Outline: Activated partial thromboplastin time prolonged: <value> <unit> with an upper limit of 40 is grade <grade>
    Given an aPTT of <value> <unit> with a lower limit of 25 and an upper limit of 40
    When the rules are evaluated
    Then the grade for "Activated partial thromboplastin time prolonged" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | unit    | grade | rule                                                       |
      | 40    | s       | 0     | ctcae6.activated_partial_thromboplastin_time_prolonged.g0 |
      | 41    | s       | 1     | ctcae6.activated_partial_thromboplastin_time_prolonged.g1 |
      | 60    | seconds | 1     | ctcae6.activated_partial_thromboplastin_time_prolonged.g1 |
      | 61    | s       | 2     | ctcae6.activated_partial_thromboplastin_time_prolonged.g2 |
      | 100   | sec     | 2     | ctcae6.activated_partial_thromboplastin_time_prolonged.g2 |
      | 101   | s       | 3     | ctcae6.activated_partial_thromboplastin_time_prolonged.g3 |

  Scenario: Without an upper limit of normal, aPTT cannot be graded
    Given an aPTT of 70 s with a lower limit of 25 and an upper limit of 0
    When the rules are evaluated
    Then "Activated partial thromboplastin time prolonged" is not gradable because "no upper limit of normal"

  Scenario Outline: INR increased after a baseline INR of 0.9: <value> is grade <grade>
    Given a baseline INR of 0.9
    And an INR of <value> with a lower limit of 0.9 and an upper limit of 1.1
    When the rules are evaluated
    Then the grade for "INR increased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                                 |
      | 0.9   | 0     | ctcae6.inr_increased.g0             |
      | 0.95  | 1     | ctcae6.inr_increased.g1.baseline    |
      | 1.2   | 1     | ctcae6.inr_increased.g1.baseline    |
      | 1.3   | 1     | ctcae6.inr_increased.g1.abs         |
      | 1.35  | 1     | ctcae6.inr_increased.g1.abs         |
      | 1.36  | 2     | ctcae6.inr_increased.g2.baseline    |
      | 1.5   | 2     | ctcae6.inr_increased.g2.baseline    |
      | 1.6   | 2     | ctcae6.inr_increased.g2.abs         |
      | 2.25  | 2     | ctcae6.inr_increased.g2.abs         |
      | 2.26  | 3     | ctcae6.inr_increased.g3.baseline    |
      | 2.5   | 3     | ctcae6.inr_increased.g3.baseline    |
      | 2.6   | 3     | ctcae6.inr_increased.g3.abs         |

  Scenario: INR exactly 2.5 x baseline is not grade 3 although floating point computes 2.5000000000000004
    Given a baseline INR of 0.98
    And an INR of 2.45
    When the rules are evaluated
    Then the grade for "INR increased" is 2
    And the rule is "ctcae6.inr_increased.g2.abs"

  Scenario Outline: INR increased without a baseline INR: <value> is graded by the absolute values
    Given an INR of <value> with a lower limit of 0.9 and an upper limit of 1.1
    When the rules are evaluated
    Then the grade for "INR increased" is <grade>
    And the rule is "<rule>"
    And a note says "grade 3 criterion not evaluable: no baseline"

    Examples:
      | value | grade | rule                         |
      | 1.21  | 1     | ctcae6.inr_increased.g1.abs |
      | 1.5   | 1     | ctcae6.inr_increased.g1.abs |
      | 1.51  | 2     | ctcae6.inr_increased.g2.abs |
      | 2.5   | 2     | ctcae6.inr_increased.g2.abs |

  Scenario Outline: INR increased without a baseline INR: <value> cannot be graded (no absolute criterion is met)
    Given an INR of <value> with a lower limit of 0.9 and an upper limit of 1.1
    When the rules are evaluated
    Then "INR increased" is not gradable because "no baseline"

    Examples:
      | value |
      | 1.1   |
      | 1.2   |

  Scenario Outline: The baseline INR itself is graded by the absolute values only: <value> is grade <grade>
    The baseline INR (2024-01-05, before cycle 1) cannot be a multiple of itself: the "x baseline"
    criteria do not apply to it, so they are not reported as missing either (compare an INR of 1.2
    on treatment without a baseline, which cannot be graded).

    Given a baseline INR of <value> with a lower limit of 0.9 and an upper limit of 1.1 on 2024-01-05
    When the rules are evaluated
    Then the grade for "INR increased" on 2024-01-05 is <grade>
    And the rule is "<rule>"
    And the lab is in cycle 0
    And no note says "not evaluable"

    Examples:
      | value | grade | rule                         |
      | 1.2   | 0     | ctcae6.inr_increased.g0     |
      | 1.3   | 1     | ctcae6.inr_increased.g1.abs |
      | 1.6   | 2     | ctcae6.inr_increased.g2.abs |

  Scenario: INR increased without a baseline INR: above 2.5 is grade 3
    Given an INR of 2.51
    When the rules are evaluated
    Then the grade for "INR increased" is 3
    And the rule is "ctcae6.inr_increased.g3.abs"

  Scenario Outline: Fibrinogen decreased: <value> <unit> with a lower limit of <lln> is grade <grade>
    Given a fibrinogen of <value> <unit> with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "Fibrinogen decreased" is <grade>
    And the rule is "<rule>"

    Examples: in g/L
      | value | unit | lln | uln | grade | rule                                |
      | 2.0   | g/L  | 2.0 | 4.0 | 0     | ctcae6.fibrinogen_decreased.g0     |
      | 1.9   | g/L  | 2.0 | 4.0 | 1     | ctcae6.fibrinogen_decreased.g1     |
      | 1.5   | g/L  | 2.0 | 4.0 | 1     | ctcae6.fibrinogen_decreased.g1     |
      | 1.49  | g/L  | 2.0 | 4.0 | 2     | ctcae6.fibrinogen_decreased.g2.lln |
      | 1.0   | g/L  | 2.0 | 4.0 | 2     | ctcae6.fibrinogen_decreased.g2.lln |
      | 0.99  | g/L  | 2.0 | 4.0 | 3     | ctcae6.fibrinogen_decreased.g3.lln |
      | 0.5   | g/L  | 2.0 | 4.0 | 3     | ctcae6.fibrinogen_decreased.g3.lln |
      | 0.49  | g/L  | 2.0 | 4.0 | 4     | ctcae6.fibrinogen_decreased.g4.abs |
      | 0.6   | g/L  | 2.4 | 4.0 | 3     | ctcae6.fibrinogen_decreased.g3.lln |
      | 0.59  | g/L  | 2.4 | 4.0 | 4     | ctcae6.fibrinogen_decreased.g4.lln |

    Examples: in mg/dL (CTCAE writes the absolute grade 4 in mg/dL: "absolute value <50 mg/dL")
      | value | unit  | lln | uln | grade | rule                                     |
      | 200   | mg/dL | 200 | 400 | 0     | ctcae6.fibrinogen_decreased.g0           |
      | 150   | mg/dL | 200 | 400 | 1     | ctcae6.fibrinogen_decreased.g1.mg_dl     |
      | 149   | mg/dL | 200 | 400 | 2     | ctcae6.fibrinogen_decreased.g2.lln.mg_dl |
      | 100   | mg/dL | 200 | 400 | 2     | ctcae6.fibrinogen_decreased.g2.lln.mg_dl |
      | 99    | mg/dL | 200 | 400 | 3     | ctcae6.fibrinogen_decreased.g3.lln.mg_dl |
      | 50    | mg/dL | 200 | 400 | 3     | ctcae6.fibrinogen_decreased.g3.lln.mg_dl |
      | 49    | mg/dL | 200 | 400 | 4     | ctcae6.fibrinogen_decreased.g4.abs.mg_dl |
      | 60    | mg/dL | 240 | 400 | 3     | ctcae6.fibrinogen_decreased.g3.lln.mg_dl |
      | 59    | mg/dL | 240 | 400 | 4     | ctcae6.fibrinogen_decreased.g4.lln.mg_dl |

    Examples: exactly 0.75 x LLN, where floating point computes 0.7499999999999999
      | value | unit  | lln | uln | grade | rule                            |
      | 1.2   | g/L   | 1.6 | 4.0 | 1     | ctcae6.fibrinogen_decreased.g1 |
      | 120   | mg/dL | 160 | 400 | 1     | ctcae6.fibrinogen_decreased.g1.mg_dl |

  Scenario Outline: Fibrinogen decreased by the percent decrease from a baseline of <baseline> g/L: <value> g/L is grade <grade>
    The percent decrease counts only for a value below the LLN; 25%, 50% and 75% exactly take the
    higher grade ("25 - <50% decrease" is grade 2).

    Given a baseline fibrinogen of <baseline> g/L with a lower limit of 2.0 and an upper limit of 8.0
    And a fibrinogen of <value> g/L with a lower limit of 2.0 and an upper limit of 4.0
    When the rules are evaluated
    Then the grade for "Fibrinogen decreased" is <grade>
    And the rule is "<rule>"

    Examples:
      | baseline | value | grade | rule                                |
      | 2.4      | 1.81  | 1     | ctcae6.fibrinogen_decreased.g1     |
      | 2.4      | 1.8   | 2     | ctcae6.fibrinogen_decreased.g2.pct |
      | 3.8      | 1.9   | 3     | ctcae6.fibrinogen_decreased.g3.pct |
      | 4.0      | 1.9   | 3     | ctcae6.fibrinogen_decreased.g3.pct |
      | 7.6      | 1.9   | 4     | ctcae6.fibrinogen_decreased.g4.pct |
      | 8.0      | 1.9   | 4     | ctcae6.fibrinogen_decreased.g4.pct |
      | 4.0      | 2.0   | 0     | ctcae6.fibrinogen_decreased.g0     |

  Scenario Outline: Fibrinogen in mg/dL decreased by the percent decrease from a baseline of <baseline> mg/dL: <value> mg/dL is grade <grade>
    Given a baseline fibrinogen of <baseline> mg/dL with a lower limit of 200 and an upper limit of 800
    And a fibrinogen of <value> mg/dL with a lower limit of 200 and an upper limit of 400
    When the rules are evaluated
    Then the grade for "Fibrinogen decreased" is <grade>
    And the rule is "<rule>"
    And the criterion set is "mg/dL"

    Examples:
      | baseline | value | grade | rule                                     |
      | 240      | 181   | 1     | ctcae6.fibrinogen_decreased.g1.mg_dl     |
      | 240      | 180   | 2     | ctcae6.fibrinogen_decreased.g2.pct.mg_dl |
      | 380      | 190   | 3     | ctcae6.fibrinogen_decreased.g3.pct.mg_dl |
      | 760      | 190   | 4     | ctcae6.fibrinogen_decreased.g4.pct.mg_dl |

  Scenario: Without a lower limit of normal, fibrinogen below 50 mg/dL is still grade 4
    Given a fibrinogen of 0.4 g/L with a lower limit of 0 and an upper limit of 4.0
    When the rules are evaluated
    Then the grade for "Fibrinogen decreased" is 4
    And the rule is "ctcae6.fibrinogen_decreased.g4.abs"

  Scenario: Without a lower limit of normal, fibrinogen above 50 mg/dL cannot be graded
    Given a fibrinogen of 1.2 g/L with a lower limit of 0 and an upper limit of 4.0
    When the rules are evaluated
    Then "Fibrinogen decreased" is not gradable because "no lower limit of normal"

  Scenario Outline: Haptoglobin decreased: <value> <unit> with a lower limit of <lln> is grade <grade>
    Given a haptoglobin of <value> <unit> with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "Haptoglobin decreased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | unit  | lln | uln | grade | rule                                 |
      | 0.3   | g/L   | 0.3 | 2.0 | 0     | ctcae6.haptoglobin_decreased.g0     |
      | 0.29  | g/L   | 0.3 | 2.0 | 1     | ctcae6.haptoglobin_decreased.g1     |
      | 30    | mg/dL | 30  | 200 | 0     | ctcae6.haptoglobin_decreased.g0     |
      | 29    | mg/dL | 30  | 200 | 1     | ctcae6.haptoglobin_decreased.g1     |

  Scenario: Without a lower limit of normal, haptoglobin cannot be graded
    Given a haptoglobin of 0.1 g/L with a lower limit of 0 and an upper limit of 2.0
    When the rules are evaluated
    Then "Haptoglobin decreased" is not gradable because "no lower limit of normal"
