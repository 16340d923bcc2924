Feature: CTCAE v6.0 liver tests
  ALT, AST, GGT and total bilirubin are graded by multiples of the upper limit of normal (ULN) when the
  baseline was normal (or less than normal), and by multiples of the baseline when the baseline was
  above the ULN: in CTCAE v6.0 grade 1 starts at 1.0 x baseline (inclusive). Alkaline phosphatase has
  grade 1 only, ">Baseline and ULN". The baseline is the latest result on or before the day of the first PRRT cycle; it
  is abnormal when flagged high, or, without a flag, when it is above its own ULN. With no baseline the
  ULN multiples apply (the conservative reading).

  Background:
    Given CTCAE version "6.0"
    And a female patient
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq

  Scenario Outline: ALT increased with no baseline: <value> U/L with an upper limit of 40 is grade <grade>
    Given an ALT of <value> U/L with a lower limit of 7 and an upper limit of 40
    When the rules are evaluated
    Then the grade for "Alanine aminotransferase increased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                                              |
      | 40    | 0     | ctcae6.alanine_aminotransferase_increased.g0     |
      | 41    | 1     | ctcae6.alanine_aminotransferase_increased.g1.uln |
      | 120   | 1     | ctcae6.alanine_aminotransferase_increased.g1.uln |
      | 121   | 2     | ctcae6.alanine_aminotransferase_increased.g2.uln |
      | 200   | 2     | ctcae6.alanine_aminotransferase_increased.g2.uln |
      | 201   | 3     | ctcae6.alanine_aminotransferase_increased.g3.uln |
      | 800   | 3     | ctcae6.alanine_aminotransferase_increased.g3.uln |
      | 801   | 4     | ctcae6.alanine_aminotransferase_increased.g4.uln |

  Scenario Outline: ALT exactly 3 x ULN is grade 1 however floating point computes it: <value> <unit> over <uln>
    Given an ALT of <value> <unit> with an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "Alanine aminotransferase increased" is 1
    And the rule is "ctcae6.alanine_aminotransferase_increased.g1.uln"

    Examples:
      | value | unit   | uln  |
      | 91.2  | U/L    | 30.4 |
      | 0.3   | U/L    | 0.1  |
      | 2.13  | ukat/L | 0.71 |

  Scenario: ALT after a normal baseline is graded by the ULN
    Given a baseline ALT of 30 U/L with a lower limit of 7 and an upper limit of 40
    And an ALT of 121 U/L with a lower limit of 7 and an upper limit of 40
    When the rules are evaluated
    Then the grade for "Alanine aminotransferase increased" is 2
    And the rule is "ctcae6.alanine_aminotransferase_increased.g2.uln"

  Scenario Outline: ALT increased after an abnormal baseline of 80 U/L: <value> U/L is grade <grade>
    Given a baseline ALT of 80 U/L with a lower limit of 7 and an upper limit of 40
    And an ALT of <value> U/L with a lower limit of 7 and an upper limit of 40
    When the rules are evaluated
    Then the grade for "Alanine aminotransferase increased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                                                   |
      | 79    | 0     | ctcae6.alanine_aminotransferase_increased.g0          |
      | 80    | 1     | ctcae6.alanine_aminotransferase_increased.g1.baseline |
      | 120   | 1     | ctcae6.alanine_aminotransferase_increased.g1.baseline |
      | 121   | 2     | ctcae6.alanine_aminotransferase_increased.g2.baseline |
      | 160   | 2     | ctcae6.alanine_aminotransferase_increased.g2.baseline |
      | 161   | 3     | ctcae6.alanine_aminotransferase_increased.g3.baseline |
      | 320   | 3     | ctcae6.alanine_aminotransferase_increased.g3.baseline |
      | 321   | 4     | ctcae6.alanine_aminotransferase_increased.g4.baseline |

  Scenario: ALT exactly 1.5 x an abnormal baseline is grade 1, the top of ">=1.0 - 1.5 x baseline" (floating point computes 1.4999999999999998)
    Given a baseline ALT of 41.2 U/L with an upper limit of 35
    And an ALT of 61.8 U/L with an upper limit of 35
    When the rules are evaluated
    Then the grade for "Alanine aminotransferase increased" is 1
    And the rule is "ctcae6.alanine_aminotransferase_increased.g1.baseline"

  Scenario: A baseline flagged high is abnormal even inside the laboratory's range
    Given a baseline ALT of 38 U/L with an upper limit of 40 flagged high
    And an ALT of 50 U/L with an upper limit of 40
    When the rules are evaluated
    Then the grade for "Alanine aminotransferase increased" is 1
    And the rule is "ctcae6.alanine_aminotransferase_increased.g1.baseline"

  Scenario: A baseline flagged normal is normal even above the laboratory's range
    Given a baseline ALT of 60 U/L with an upper limit of 40 flagged normal
    And an ALT of 130 U/L with an upper limit of 40
    When the rules are evaluated
    Then the grade for "Alanine aminotransferase increased" is 2
    And the rule is "ctcae6.alanine_aminotransferase_increased.g2.uln"

  Scenario: A pre-treatment ALT is graded against the ULN, not against itself
    The only ALT before the first cycle is the baseline. A value cannot be a change from itself:
    CTCAE's baseline multiples are for results after the baseline, and the baseline itself is graded
    as if the baseline were normal, by multiples of the ULN (250 U/L is 6.25 x ULN 40).

    Given an ALT of 250 U/L with a lower limit of 7 and an upper limit of 40 on 2024-01-05
    When the rules are evaluated
    Then the grade for "Alanine aminotransferase increased" is 3
    And the rule is "ctcae6.alanine_aminotransferase_increased.g3.uln"
    And the lab is in cycle 0

  Scenario: Results up to the baseline are graded by the ULN, results after it by the baseline
    The baseline is the ALT of 2024-01-05 (the latest on or before cycle 1), 80 U/L: abnormal, above
    its ULN of 40. It and the earlier ALT are graded as if the baseline were normal: 220 U/L is 5.5 x
    ULN (grade 3; against the baseline it would be 2.75 x, grade 1) and 80 U/L is 2.0 x ULN (grade 1).
    The ALT on treatment, 241 U/L, is 3.01 x the abnormal baseline: grade 3 (">2.0 - 4.0 x baseline").

    Given an ALT of 220 U/L with a lower limit of 7 and an upper limit of 40 on 2023-12-20
    And a baseline ALT of 80 U/L with a lower limit of 7 and an upper limit of 40 on 2024-01-05
    And an ALT of 241 U/L with a lower limit of 7 and an upper limit of 40 on 2024-01-22
    When the rules are evaluated
    Then the grade for "Alanine aminotransferase increased" on 2023-12-20 is 3
    And the rule is "ctcae6.alanine_aminotransferase_increased.g3.uln"
    And the lab is in cycle 0
    And the grade for "Alanine aminotransferase increased" on 2024-01-05 is 1
    And the rule is "ctcae6.alanine_aminotransferase_increased.g1.uln"
    And the lab is in cycle 0
    And the grade for "Alanine aminotransferase increased" on 2024-01-22 is 3
    And the rule is "ctcae6.alanine_aminotransferase_increased.g3.baseline"
    And the lab is in cycle 1

  Scenario Outline: AST increased with no baseline: <value> U/L with an upper limit of 35 is grade <grade>
    Given an AST of <value> U/L with a lower limit of 10 and an upper limit of 35
    When the rules are evaluated
    Then the grade for "Aspartate aminotransferase increased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                                                |
      | 35    | 0     | ctcae6.aspartate_aminotransferase_increased.g0     |
      | 36    | 1     | ctcae6.aspartate_aminotransferase_increased.g1.uln |
      | 105   | 1     | ctcae6.aspartate_aminotransferase_increased.g1.uln |
      | 106   | 2     | ctcae6.aspartate_aminotransferase_increased.g2.uln |
      | 175   | 2     | ctcae6.aspartate_aminotransferase_increased.g2.uln |
      | 176   | 3     | ctcae6.aspartate_aminotransferase_increased.g3.uln |
      | 700   | 3     | ctcae6.aspartate_aminotransferase_increased.g3.uln |
      | 701   | 4     | ctcae6.aspartate_aminotransferase_increased.g4.uln |

  Scenario Outline: AST increased after a baseline of 70 U/L flagged high: <value> U/L is grade <grade>
    Given a baseline AST of 70 U/L flagged high
    And an AST of <value> U/L with a lower limit of 10 and an upper limit of 35
    When the rules are evaluated
    Then the grade for "Aspartate aminotransferase increased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                                                     |
      | 69    | 0     | ctcae6.aspartate_aminotransferase_increased.g0          |
      | 70    | 1     | ctcae6.aspartate_aminotransferase_increased.g1.baseline |
      | 105   | 1     | ctcae6.aspartate_aminotransferase_increased.g1.baseline |
      | 106   | 2     | ctcae6.aspartate_aminotransferase_increased.g2.baseline |
      | 140   | 2     | ctcae6.aspartate_aminotransferase_increased.g2.baseline |
      | 141   | 3     | ctcae6.aspartate_aminotransferase_increased.g3.baseline |
      | 280   | 3     | ctcae6.aspartate_aminotransferase_increased.g3.baseline |
      | 281   | 4     | ctcae6.aspartate_aminotransferase_increased.g4.baseline |

  Scenario Outline: Alkaline phosphatase increased after a baseline of <baseline> U/L: <value> U/L is grade <grade>
    CTCAE v6.0 grade 1 is ">Baseline and ULN": above both, each strictly; there is no grade 2-4.

    Given a baseline alkaline phosphatase of <baseline> U/L with a lower limit of 30 and an upper limit of 100
    And an alkaline phosphatase of <value> U/L with a lower limit of 30 and an upper limit of 100
    When the rules are evaluated
    Then the grade for "Alkaline phosphatase increased" is <grade>
    And the rule is "<rule>"

    Examples:
      | baseline | value | grade | rule                                      |
      | 150      | 150   | 0     | ctcae6.alkaline_phosphatase_increased.g0 |
      | 150      | 151   | 1     | ctcae6.alkaline_phosphatase_increased.g1 |
      | 150      | 3001  | 1     | ctcae6.alkaline_phosphatase_increased.g1 |
      | 80       | 100   | 0     | ctcae6.alkaline_phosphatase_increased.g0 |
      | 80       | 101   | 1     | ctcae6.alkaline_phosphatase_increased.g1 |
      | 80       | 79    | 0     | ctcae6.alkaline_phosphatase_increased.g0 |

  Scenario: Alkaline phosphatase increased without a baseline cannot be graded
    ">Baseline and ULN" needs the baseline: without one the grade is not a silent 0.

    Given an alkaline phosphatase of 300 U/L with a lower limit of 30 and an upper limit of 100
    When the rules are evaluated
    Then "Alkaline phosphatase increased" is not gradable because "no baseline"

  Scenario: A pre-treatment alkaline phosphatase is not above itself
    Given an alkaline phosphatase of 300 U/L with a lower limit of 30 and an upper limit of 100 on 2024-01-05
    When the rules are evaluated
    Then the grade for "Alkaline phosphatase increased" is 0
    And the rule is "ctcae6.alkaline_phosphatase_increased.g0"
    And the lab is in cycle 0

  Scenario Outline: GGT increased with no baseline: <value> U/L with an upper limit of 60 is grade <grade>
    Given a GGT of <value> U/L with a lower limit of 8 and an upper limit of 60
    When the rules are evaluated
    Then the grade for "GGT increased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                         |
      | 60    | 0     | ctcae6.ggt_increased.g0     |
      | 61    | 1     | ctcae6.ggt_increased.g1.uln |
      | 150   | 1     | ctcae6.ggt_increased.g1.uln |
      | 151   | 2     | ctcae6.ggt_increased.g2.uln |
      | 300   | 2     | ctcae6.ggt_increased.g2.uln |
      | 301   | 3     | ctcae6.ggt_increased.g3.uln |
      | 1200  | 3     | ctcae6.ggt_increased.g3.uln |
      | 1201  | 4     | ctcae6.ggt_increased.g4.uln |

  Scenario Outline: GGT increased after an abnormal baseline of 90 U/L: <value> U/L is grade <grade>
    CTCAE v6.0: "1.0 - 1.5 x baseline" is grade 1 (exactly 1.0 x baseline included), >1.5 - 3.0 grade
    2, >3.0 - 10.0 grade 3, >10.0 grade 4.

    Given a baseline GGT of 90 U/L with a lower limit of 8 and an upper limit of 60
    And a GGT of <value> U/L with a lower limit of 8 and an upper limit of 60
    When the rules are evaluated
    Then the grade for "GGT increased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                              |
      | 89    | 0     | ctcae6.ggt_increased.g0          |
      | 90    | 1     | ctcae6.ggt_increased.g1.baseline |
      | 135   | 1     | ctcae6.ggt_increased.g1.baseline |
      | 136   | 2     | ctcae6.ggt_increased.g2.baseline |
      | 270   | 2     | ctcae6.ggt_increased.g2.baseline |
      | 271   | 3     | ctcae6.ggt_increased.g3.baseline |
      | 900   | 3     | ctcae6.ggt_increased.g3.baseline |
      | 901   | 4     | ctcae6.ggt_increased.g4.baseline |

  Scenario Outline: Blood bilirubin increased with no baseline: <value> <unit> with an upper limit of <uln> is grade <grade>
    Given a total bilirubin of <value> <unit> with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "Blood bilirubin increased" is <grade>
    And the rule is "<rule>"

    Examples: in mg/dL
      | value | unit  | lln | uln | grade | rule                                     |
      | 1.2   | mg/dL | 0.3 | 1.2 | 0     | ctcae6.blood_bilirubin_increased.g0     |
      | 1.21  | mg/dL | 0.3 | 1.2 | 1     | ctcae6.blood_bilirubin_increased.g1.uln |
      | 1.8   | mg/dL | 0.3 | 1.2 | 1     | ctcae6.blood_bilirubin_increased.g1.uln |
      | 1.81  | mg/dL | 0.3 | 1.2 | 2     | ctcae6.blood_bilirubin_increased.g2.uln |
      | 3.6   | mg/dL | 0.3 | 1.2 | 2     | ctcae6.blood_bilirubin_increased.g2.uln |
      | 3.61  | mg/dL | 0.3 | 1.2 | 3     | ctcae6.blood_bilirubin_increased.g3.uln |
      | 12.0  | mg/dL | 0.3 | 1.2 | 3     | ctcae6.blood_bilirubin_increased.g3.uln |
      | 12.01 | mg/dL | 0.3 | 1.2 | 4     | ctcae6.blood_bilirubin_increased.g4.uln |

    Examples: in umol/L
      | value | unit   | lln | uln | grade | rule                                     |
      | 21    | umol/L | 5   | 21  | 0     | ctcae6.blood_bilirubin_increased.g0     |
      | 31.5  | umol/L | 5   | 21  | 1     | ctcae6.blood_bilirubin_increased.g1.uln |
      | 31.6  | umol/L | 5   | 21  | 2     | ctcae6.blood_bilirubin_increased.g2.uln |
      | 63    | umol/L | 5   | 21  | 2     | ctcae6.blood_bilirubin_increased.g2.uln |
      | 63.1  | umol/L | 5   | 21  | 3     | ctcae6.blood_bilirubin_increased.g3.uln |
      | 210   | umol/L | 5   | 21  | 3     | ctcae6.blood_bilirubin_increased.g3.uln |
      | 210.1 | umol/L | 5   | 21  | 4     | ctcae6.blood_bilirubin_increased.g4.uln |

    Examples: exactly on a boundary, where floating point computes a ratio just above it
      | value | unit   | lln | uln  | grade | rule                                     |
      | 22.8  | umol/L | 3   | 15.2 | 1     | ctcae6.blood_bilirubin_increased.g1.uln |
      | 45.6  | umol/L | 3   | 15.2 | 2     | ctcae6.blood_bilirubin_increased.g2.uln |
      | 2.46  | mg/dL  | 0.2 | 0.82 | 2     | ctcae6.blood_bilirubin_increased.g2.uln |

  Scenario Outline: Blood bilirubin increased after an abnormal baseline of 2.0 mg/dL: <value> mg/dL is grade <grade>
    Given a baseline total bilirubin of 2.0 mg/dL with a lower limit of 0.3 and an upper limit of 1.2
    And a total bilirubin of <value> mg/dL with a lower limit of 0.3 and an upper limit of 1.2
    When the rules are evaluated
    Then the grade for "Blood bilirubin increased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                                          |
      | 1.9   | 0     | ctcae6.blood_bilirubin_increased.g0          |
      | 2.0   | 1     | ctcae6.blood_bilirubin_increased.g1.baseline |
      | 3.0   | 1     | ctcae6.blood_bilirubin_increased.g1.baseline |
      | 3.1   | 2     | ctcae6.blood_bilirubin_increased.g2.baseline |
      | 5.0   | 2     | ctcae6.blood_bilirubin_increased.g2.baseline |
      | 5.1   | 3     | ctcae6.blood_bilirubin_increased.g3.baseline |
      | 20.0  | 3     | ctcae6.blood_bilirubin_increased.g3.baseline |
      | 20.1  | 4     | ctcae6.blood_bilirubin_increased.g4.baseline |

  Scenario Outline: Without an upper limit of normal, <term> cannot be graded
    A reference range whose upper limit is 0 gives no ULN (every analyte has a default range, so this
    is how a missing ULN reaches the grading of a term that is graded by ULN multiples only).

    Given <analyte> of <value> U/L with an upper limit of 0
    When the rules are evaluated
    Then "<term>" is not gradable because "no upper limit of normal"

    Examples:
      | analyte                 | value | term                                 |
      | an ALT                  | 150   | Alanine aminotransferase increased   |
      | an AST                  | 150   | Aspartate aminotransferase increased |
      | a GGT                   | 300   | GGT increased                        |
