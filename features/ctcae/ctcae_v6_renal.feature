Feature: CTCAE v6.0 creatinine increased and creatinine clearance decreased
  "Creatinine increased" is graded by multiples of the upper limit of normal (ULN) and, for grades 2
  and 3 of a patient whose baseline was below the lower limit of normal (LLN), by multiples of that
  baseline: CTCAE v6.0 writes "> 1.5 - 3.0 x if baseline is below LLN" and "> 3.0 x if baseline is
  below LLN" (admiral: baseline multiples only when the baseline was low). A baseline at or above its
  LLN is graded by the ULN multiples only. Where the baseline's LLN is not known the baseline multiples
  apply too and a note says so (the higher grade, the conservative reading of rules/ctcae_v6.toml).
  Grade 1 needs the ULN; grade 4 is ">6.0 x ULN" only. The baseline is the latest creatinine on or
  before the day of the first PRRT cycle.

  Background:
    Given CTCAE version "6.0"
    And a female patient
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq

  Scenario Outline: Creatinine increased by the ULN: <value> <unit> with an upper limit of <uln> is grade <grade>
    Given a creatinine of <value> <unit> with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "Creatinine increased" is <grade>
    And the rule is "<rule>"

    Examples: in mg/dL
      | value | unit  | lln | uln | grade | rule                                |
      | 1.0   | mg/dL | 0.5 | 1.0 | 0     | ctcae6.creatinine_increased.g0     |
      | 1.01  | mg/dL | 0.5 | 1.0 | 1     | ctcae6.creatinine_increased.g1     |
      | 1.5   | mg/dL | 0.5 | 1.0 | 1     | ctcae6.creatinine_increased.g1     |
      | 1.51  | mg/dL | 0.5 | 1.0 | 2     | ctcae6.creatinine_increased.g2.uln |
      | 3.0   | mg/dL | 0.5 | 1.0 | 2     | ctcae6.creatinine_increased.g2.uln |
      | 3.01  | mg/dL | 0.5 | 1.0 | 3     | ctcae6.creatinine_increased.g3.uln |
      | 6.0   | mg/dL | 0.5 | 1.0 | 3     | ctcae6.creatinine_increased.g3.uln |
      | 6.01  | mg/dL | 0.5 | 1.0 | 4     | ctcae6.creatinine_increased.g4     |

    Examples: in umol/L
      | value | unit   | lln | uln | grade | rule                                |
      | 90    | umol/L | 45  | 90  | 0     | ctcae6.creatinine_increased.g0     |
      | 135   | umol/L | 45  | 90  | 1     | ctcae6.creatinine_increased.g1     |
      | 135.1 | umol/L | 45  | 90  | 2     | ctcae6.creatinine_increased.g2.uln |
      | 270   | umol/L | 45  | 90  | 2     | ctcae6.creatinine_increased.g2.uln |
      | 270.1 | umol/L | 45  | 90  | 3     | ctcae6.creatinine_increased.g3.uln |
      | 540   | umol/L | 45  | 90  | 3     | ctcae6.creatinine_increased.g3.uln |
      | 540.1 | umol/L | 45  | 90  | 4     | ctcae6.creatinine_increased.g4     |

    Examples: exactly on a boundary, where floating point computes a ratio just above it
      | value | unit   | lln  | uln  | grade | rule                                |
      | 1.59  | mg/dL  | 0.5  | 1.06 | 1     | ctcae6.creatinine_increased.g1     |
      | 210.3 | umol/L | 45   | 70.1 | 2     | ctcae6.creatinine_increased.g2.uln |

  Scenario Outline: A baseline below the LLN: <value> mg/dL after a baseline of 0.4 mg/dL is grade <grade>
    Given a baseline creatinine of 0.4 mg/dL with a lower limit of 0.5 and an upper limit of 1.2
    And a creatinine of <value> mg/dL with a lower limit of 0.5 and an upper limit of 1.2
    When the rules are evaluated
    Then the grade for "Creatinine increased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                                     |
      | 0.6   | 0     | ctcae6.creatinine_increased.g0          |
      | 0.61  | 2     | ctcae6.creatinine_increased.g2.baseline |
      | 1.2   | 2     | ctcae6.creatinine_increased.g2.baseline |
      | 1.21  | 3     | ctcae6.creatinine_increased.g3.baseline |
      | 7.2   | 3     | ctcae6.creatinine_increased.g3.baseline |
      | 7.21  | 4     | ctcae6.creatinine_increased.g4          |

  Scenario Outline: A baseline at or above the LLN: <value> mg/dL after a baseline of 0.6 mg/dL is grade <grade>
    CTCAE v6.0's baseline multiples are for a baseline below the LLN. Before, they applied to every
    baseline: 0.91 mg/dL, within the normal range, read grade 2 (1.52 x a baseline of 0.6 mg/dL), and
    1.81 mg/dL grade 3.

    Given a baseline creatinine of 0.6 mg/dL with a lower limit of 0.5 and an upper limit of 1.2
    And a creatinine of <value> mg/dL with a lower limit of 0.5 and an upper limit of 1.2
    When the rules are evaluated
    Then the grade for "Creatinine increased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                                |
      | 0.91  | 0     | ctcae6.creatinine_increased.g0     |
      | 1.2   | 0     | ctcae6.creatinine_increased.g0     |
      | 1.21  | 1     | ctcae6.creatinine_increased.g1     |
      | 1.8   | 1     | ctcae6.creatinine_increased.g1     |
      | 1.81  | 2     | ctcae6.creatinine_increased.g2.uln |
      | 3.6   | 2     | ctcae6.creatinine_increased.g2.uln |
      | 3.61  | 3     | ctcae6.creatinine_increased.g3.uln |

  Scenario Outline: The LLN of the baseline decides: a baseline of <baseline> mg/dL with a lower limit of 0.5
    0.5 is not below a lower limit of 0.5; 0.49 is. 0.8 mg/dL is 1.6 x the baseline and below the ULN.

    Given a baseline creatinine of <baseline> mg/dL with a lower limit of 0.5 and an upper limit of 1.2
    And a creatinine of 0.8 mg/dL with a lower limit of 0.5 and an upper limit of 1.2
    When the rules are evaluated
    Then the grade for "Creatinine increased" is <grade>
    And the rule is "<rule>"

    Examples:
      | baseline | grade | rule                                     |
      | 0.5      | 0     | ctcae6.creatinine_increased.g0          |
      | 0.49     | 2     | ctcae6.creatinine_increased.g2.baseline |

  Scenario: A creatinine rise to exactly 1.5 x baseline is not grade 2
    Given a baseline creatinine of 50.3 umol/L
    And a creatinine of 75.45 umol/L with a lower limit of 45 and an upper limit of 90
    When the rules are evaluated
    Then the grade for "Creatinine increased" is 0

  Scenario: The baseline creatinine itself is graded by the ULN only
    Given a baseline creatinine of 1.3 mg/dL with a lower limit of 0.5 and an upper limit of 1.2 on 2024-01-05
    When the rules are evaluated
    Then the grade for "Creatinine increased" on 2024-01-05 is 1
    And the rule is "ctcae6.creatinine_increased.g1"
    And the lab is in cycle 0

  Scenario Outline: Without an upper limit of normal, a baseline below the LLN alone grades 2 and 3: <value> mg/dL is <outcome>
    A reference range whose upper limit is 0 gives no ULN (a limit of 0 cannot scale a criterion).
    Every analyte has a default range, so this is how a missing ULN reaches the grading.

    Given a baseline creatinine of 0.4 mg/dL with a lower limit of 0.5 and an upper limit of 1.2
    And a creatinine of <value> mg/dL with a lower limit of 0.5 and an upper limit of 0
    When the rules are evaluated
    Then the grade for "Creatinine increased" is <grade>
    And the rule is "<rule>"
    And a note says "grade 4 criterion not evaluable: no upper limit of normal"

    Examples:
      | value | outcome | grade | rule                                     |
      | 0.61  | grade 2 | 2     | ctcae6.creatinine_increased.g2.baseline |
      | 1.21  | grade 3 | 3     | ctcae6.creatinine_increased.g3.baseline |

  Scenario: Without an upper limit of normal, a creatinine below 1.5 x a low baseline cannot be graded
    Given a baseline creatinine of 0.4 mg/dL with a lower limit of 0.5 and an upper limit of 1.2
    And a creatinine of 0.6 mg/dL with a lower limit of 0.5 and an upper limit of 0
    When the rules are evaluated
    Then "Creatinine increased" is not gradable because "no upper limit of normal"

  Scenario: Without an upper limit of normal, a baseline at or above the LLN grades nothing
    The baseline multiples are not CTCAE v6.0's criteria for this patient: 1.6 mg/dL, 3.2 x a baseline
    of 0.5 mg/dL, cannot be graded without the ULN (before, it read grade 3).

    Given a baseline creatinine of 0.5 mg/dL with a lower limit of 0.5 and an upper limit of 1.2
    And a creatinine of 1.6 mg/dL with a lower limit of 0.5 and an upper limit of 0
    When the rules are evaluated
    Then "Creatinine increased" is not gradable because "no upper limit of normal"

  Scenario: Without an upper limit of normal and without a baseline, creatinine cannot be graded
    Given a creatinine of 3.5 mg/dL with a lower limit of 0.5 and an upper limit of 0
    When the rules are evaluated
    Then "Creatinine increased" is not gradable because "no upper limit of normal"

  Scenario Outline: Creatinine clearance decreased: a measured clearance of <value> mL/min is grade <grade>
    CTCAE v6.0 adds "Creatinine clearance decreased": grade 2 "26 - 49 ml/min", grade 3 "10 - 25 ml/min",
    no grade 1 or 4. Between CTCAE's integer bands a clearance below 50 is grade 2 and one at or below
    25 grade 3, including below 10 (the conservative reading of rules/ctcae_v6.toml).

    Given a measured creatinine clearance of <value> mL/min
    When the rules are evaluated
    Then the grade for "Creatinine clearance decreased" is <grade>
    And the rule is "<rule>"
    And the criterion set is "si"

    Examples:
      | value | grade | rule                                      |
      | 50    | 0     | ctcae6.creatinine_clearance_decreased.g0 |
      | 49.9  | 2     | ctcae6.creatinine_clearance_decreased.g2 |
      | 49    | 2     | ctcae6.creatinine_clearance_decreased.g2 |
      | 26    | 2     | ctcae6.creatinine_clearance_decreased.g2 |
      | 25.5  | 2     | ctcae6.creatinine_clearance_decreased.g2 |
      | 25    | 3     | ctcae6.creatinine_clearance_decreased.g3 |
      | 10    | 3     | ctcae6.creatinine_clearance_decreased.g3 |
      | 9.9   | 3     | ctcae6.creatinine_clearance_decreased.g3 |

  Scenario: A creatinine clearance in mL/s is converted to mL/min to be graded
    Given a measured creatinine clearance of 0.4 mL/s
    When the rules are evaluated
    Then the grade for "Creatinine clearance decreased" is 3
    And the rule is "ctcae6.creatinine_clearance_decreased.g3"
    And the value was converted from "mL/s" to be graded

  Scenario Outline: An estimated GFR (<name>) is listed as not graded, with the reason
    No laboratory term of the CTCAE table grades an eGFR (Chronic kidney disease, which names it, is a
    clinical term the table does not transcribe). Before, an eGFR of 12 mL/min/1.73 m2 was read and
    then dropped in silence: no grade, no reason. Now it is listed as "cannot grade", with why, under
    the term it would belong to (the [[not_graded]] list of the table).

    Given a <name> of 12 mL/min/{1.73_m2}
    When the rules are evaluated
    Then "Chronic kidney disease" is not gradable because "an estimated GFR is not graded"
    And "Chronic kidney disease" is not gradable because "kidney function is graded by Creatinine increased"

    Examples:
      | name              |
      | eGFR              |
      | CKD-EPI eGFR      |
      | CKD-EPI 2021 eGFR |
