Feature: CTCAE v6.0 pancreatic enzymes and LDH
  Lipase, serum amylase and LDH are graded by multiples of the upper limit of normal (ULN) only; CTCAE
  v6.0 has no "CPK increased". Where CTCAE separates lipase and amylase grades by symptoms alone
  (lipase ">3.0 - 5.0 x ULN and asymptomatic" is grade 2, "with signs or symptoms" grade 3; amylase
  from 2.0 x ULN), the laboratory value alone gives the higher grade, as admiral does.

  Background:
    Given CTCAE version "6.0"
    And a female patient
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq

  Scenario Outline: Lipase increased: <value> U/L with an upper limit of 60 is grade <grade>
    Given a lipase of <value> U/L with a lower limit of 10 and an upper limit of 60
    When the rules are evaluated
    Then the grade for "Lipase increased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                       |
      | 60    | 0     | ctcae6.lipase_increased.g0 |
      | 61    | 1     | ctcae6.lipase_increased.g1 |
      | 90    | 1     | ctcae6.lipase_increased.g1 |
      | 91    | 2     | ctcae6.lipase_increased.g2 |
      | 120   | 2     | ctcae6.lipase_increased.g2 |
      | 180   | 2     | ctcae6.lipase_increased.g2 |
      | 181   | 3     | ctcae6.lipase_increased.g3 |
      | 300   | 3     | ctcae6.lipase_increased.g3 |
      | 301   | 4     | ctcae6.lipase_increased.g4 |

  Scenario: Lipase exactly 1.5 x ULN is grade 1 although floating point computes 1.5000000000000002
    Given a lipase of 61.2 U/L with an upper limit of 40.8
    When the rules are evaluated
    Then the grade for "Lipase increased" is 1
    And the rule is "ctcae6.lipase_increased.g1"

  Scenario Outline: Serum amylase increased: <value> <unit> with an upper limit of <uln> is grade <grade>
    Given a serum amylase of <value> <unit> with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "Serum amylase increased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | unit   | lln  | uln  | grade | rule                              |
      | 100   | U/L    | 20   | 100  | 0     | ctcae6.serum_amylase_increased.g0 |
      | 101   | U/L    | 20   | 100  | 1     | ctcae6.serum_amylase_increased.g1 |
      | 150   | U/L    | 20   | 100  | 1     | ctcae6.serum_amylase_increased.g1 |
      | 151   | U/L    | 20   | 100  | 2     | ctcae6.serum_amylase_increased.g2 |
      | 200   | IU/L   | 20   | 100  | 2     | ctcae6.serum_amylase_increased.g2 |
      | 201   | IU/L   | 20   | 100  | 3     | ctcae6.serum_amylase_increased.g3 |
      | 500   | U/L    | 20   | 100  | 3     | ctcae6.serum_amylase_increased.g3 |
      | 501   | U/L    | 20   | 100  | 4     | ctcae6.serum_amylase_increased.g4 |
      | 2.5   | ukat/L | 0.33 | 1.67 | 1     | ctcae6.serum_amylase_increased.g1 |

  Scenario Outline: Blood lactate dehydrogenase increased: <value> U/L with an upper limit of 250 is grade <grade>
    Given an LDH of <value> U/L with a lower limit of 120 and an upper limit of 250
    When the rules are evaluated
    Then the grade for "Blood lactate dehydrogenase increased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                                           |
      | 250   | 0     | ctcae6.blood_lactate_dehydrogenase_increased.g0 |
      | 251   | 1     | ctcae6.blood_lactate_dehydrogenase_increased.g1 |
      | 2500  | 1     | ctcae6.blood_lactate_dehydrogenase_increased.g1 |

  Scenario Outline: Without an upper limit of normal, <term> cannot be graded
    Given <analyte> of <value> U/L with a lower limit of 10 and an upper limit of 0
    When the rules are evaluated
    Then "<term>" is not gradable because "no upper limit of normal"
    And there are no issues

    Examples:
      | analyte    | value | term                                  |
      | a lipase   | 200   | Lipase increased                      |
      | an amylase | 200   | Serum amylase increased               |
      | an LDH     | 900   | Blood lactate dehydrogenase increased |
