Feature: RECIST 1.1 target lesion response
  RECIST 1.1 §4.3.1: CR is the disappearance of every non-nodal target lesion with every target lymph
  node below 10 mm short axis; PR is a sum of diameters at least 30% below the baseline sum; PD is a
  sum at least 20% above the smallest sum on study (the nadir, baseline included) AND at least 5 mm
  above it; anything else is SD. A target lesion not assessed makes the response NE, unless the
  lesions that were measured already show PD (§4.4.2). Sums add longest diameters of non-nodal
  lesions and short axes of nodes. "At least" is inclusive; values are compared at 12 significant
  digits so that floating-point noise does not move a response across a boundary.

  Background:
    Given a female patient
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq

  Scenario Outline: PR needs a sum at least 30% below the baseline sum (<change>%)
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 60         | 42         |
      | L2     | lung  | no   | 40         | <l2>       |
    When the rules are evaluated
    Then the target response on 2024-03-04 is <response>
    And the rule is "<rule>"
    And the sum of diameters on 2024-03-04 is <sum> mm
    And the change from baseline on 2024-03-04 is <change>%

    Examples:
      | l2   | sum  | change | response | rule               |
      | 28   | 70   | -30.0  | PR       | recist11.target.pr |
      | 28.1 | 70.1 | -29.9  | SD       | recist11.target.sd |

  Scenario: A 30% decrease that floating point computes as -29.999999999999993% is PR
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 23.0       | 16.1       |
    When the rules are evaluated
    Then the target response on 2024-03-04 is PR
    And the rule is "recist11.target.pr"
    And the change from baseline on 2024-03-04 is -30.0%

  Scenario Outline: PD needs at least 20% and at least 5 mm above the nadir (<nadir> mm to <now> mm)
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | <nadir>    | <now>      |
    When the rules are evaluated
    Then the target response on 2024-03-04 is <response>
    And the rule is "<rule>"
    And the change from the nadir on 2024-03-04 is <pct>%

    Examples: on both sides of each threshold
      | nadir | now  | pct  | response | rule               |
      | 25    | 30   | 20.0 | PD       | recist11.target.pd |
      | 20    | 24   | 20.0 | SD       | recist11.target.sd |
      | 24.5  | 29.4 | 20.0 | SD       | recist11.target.sd |
      | 25.1  | 30.1 | 19.9 | SD       | recist11.target.sd |
      | 30    | 35   | 16.7 | SD       | recist11.target.sd |

    Examples: +20% computed in floating point as 19.999999999999996%
      | nadir | now  | pct  | response | rule               |
      | 27    | 32.4 | 20.0 | PD       | recist11.target.pd |

  Scenario: +5 mm computed in floating point as 4.999999999999999 mm is PD
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 | 2024-04-29 |
      | L1     | liver | no   | 20.2       | 5.2        | 10.2       |
    When the rules are evaluated
    Then the target response on 2024-03-04 is PR
    And the target response on 2024-04-29 is PD
    And the rule is "recist11.target.pd"
    And the nadir on 2024-04-29 is 5.2 mm
    And the increase over the nadir on 2024-04-29 is 5.0 mm

  Scenario: PD is measured against the nadir, even while the sum is still 30% below baseline
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 | 2024-04-29 |
      | L1     | liver | no   | 60         | 30         | 36         |
      | L2     | lung  | no   | 40         | 20         | 24         |
    When the rules are evaluated
    Then the target response on 2024-03-04 is PR
    And the target response on 2024-04-29 is PD
    And the rule is "recist11.target.pd"
    And the change from baseline on 2024-04-29 is -40.0%
    And the nadir on 2024-04-29 is 50 mm
    And the change from the nadir on 2024-04-29 is 20.0%

  Scenario: The baseline sum is the nadir until a smaller sum is measured
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 | 2024-04-29 |
      | L1     | liver | no   | 50         | 55         | 60         |
    When the rules are evaluated
    Then the target response on 2024-03-04 is SD
    And the target response on 2024-04-29 is PD
    And the nadir on 2024-04-29 is 50 mm

  Scenario: CR is the disappearance of every target lesion
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 40         | 0          |
      | L2     | lung  | no   | 20         | 0          |
    When the rules are evaluated
    Then the target response on 2024-03-04 is CR
    And the rule is "recist11.target.cr"
    And the sum of diameters on 2024-03-04 is 0 mm

  Scenario Outline: A target lymph node counts as gone below 10 mm short axis (<node> mm)
    Given the target lesions measure:
      | lesion | site       | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver      | no   | 30         | 0          |
      | N1     | mesentery  | yes  | 18         | <node>     |
    When the rules are evaluated
    Then the target response on 2024-03-04 is <response>
    And the rule is "<rule>"
    And the sum of diameters on 2024-03-04 is <node> mm

    Examples:
      | node | response | rule               |
      | 9.9  | CR       | recist11.target.cr |
      | 10   | PR       | recist11.target.pr |

  Scenario: Normal-size target nodes that grow but stay below 10 mm remain CR; at 10 mm the node is back
    # EORTC RECIST FAQ "Abnormal lymph node": nodes < 10 mm are normal; a node reappears at >= 10 mm.
    Given the target lesions measure:
      | lesion | site        | node | 2024-01-02 | 2024-03-04 | 2024-04-29 | 2024-06-24 |
      | N1     | mesentery   | yes  | 20         | 4          | 9          | 10         |
      | N2     | mediastinum | yes  | 20         | 4          | 9          | 9          |
    When the rules are evaluated
    Then the target response on 2024-03-04 is CR
    And the target response on 2024-04-29 is CR
    And the rule is "recist11.target.cr"
    And the target response on 2024-06-24 is PD
    And the rule is "recist11.target.pd"

  Scenario Outline: After every lesion disappeared (nadir 0 mm), a reappearance of <size> mm
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 | 2024-04-29 |
      | L1     | liver | no   | 30         | 0          | <size>     |
    When the rules are evaluated
    Then the target response on 2024-03-04 is CR
    And the target response on 2024-04-29 is <response>
    And the rule is "<rule>"
    And the change from the nadir on 2024-04-29 is none

    Examples:
      | size | response | rule                          |
      | 5    | PD       | recist11.target.pd_zero_nadir |
      | 4    | PR       | recist11.target.pr            |

  Scenario: A target lesion that disappears from the record makes the target response NE
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 | 2024-04-29 |
      | L1     | liver | no   | 40         | 30         | 20         |
      | L2     | lung  | no   | 20         | 15         | -          |
    When the rules are evaluated
    Then the target response on 2024-03-04 is SD
    And the target response on 2024-04-29 is NE
    And the rule is "recist11.target.ne"
    And the overall response on 2024-04-29 is NE
    And the change from baseline on 2024-04-29 is none
    And there is an issue mentioning "L2 not assessed on 2024-04-29"

  Scenario: A target lesion not assessed does not hide PD shown by the measured lesions
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 30         | 60         |
      | L2     | lung  | no   | 20         | -          |
    When the rules are evaluated
    Then the target response on 2024-03-04 is PD
    And the rule is "recist11.target.pd"
    And the overall response on 2024-03-04 is PD
    And the sum of diameters on 2024-03-04 is 60 mm

  Scenario: Sizes reported in cm and mm are summed in mm
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 4.0 cm     | 28         |
      | L2     | lung  | no   | 20         | 1.4 cm     |
    When the rules are evaluated
    Then the target response on 2024-03-04 is PR
    And the baseline sum on 2024-03-04 is 60 mm
    And the sum of diameters on 2024-03-04 is 42 mm
    And the change from baseline on 2024-03-04 is -30.0%
