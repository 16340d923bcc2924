Feature: RECIST 1.1 best overall response, unconfirmed and confirmed
  RECIST 1.1 §4.4.3 and §4.6.1: the best overall response is the best time-point response up to the
  first progression. A confirmed CR needs a later CR at least 28 days after; a confirmed PR a later PR
  or CR at least 28 days after, with no SD or PD between (Table 3). SD counts only at a time point at
  least 42 days after the first administration; otherwise the best response is PD if progression
  follows, else NE. Defaults (28 days, 42 days, no NE between a response and its confirmation, a PR
  after a CR read as progression) are [settings] of rules/recist_1_1.toml.

  Background:
    Given a female patient
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq

  Scenario Outline: A PR is confirmed by a PR at least 28 days later (<days> days)
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 | <second> |
      | L1     | liver | no   | 40         | 20         | 20       |
    When the rules are evaluated
    Then the overall response on 2024-03-04 is PR
    And the overall response on <second> is PR
    And the best overall response is PR (unconfirmed)
    And the best overall response is <confirmed> (confirmed)

    Examples:
      | second     | days | confirmed |
      | 2024-03-31 | 27   | SD        |
      | 2024-04-01 | 28   | PR        |

  Scenario: The confirmation names both dates
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 | 2024-04-01 |
      | L1     | liver | no   | 40         | 20         | 0          |
    When the rules are evaluated
    Then the best overall response is PR (confirmed)
    And the response of 2024-03-04 is confirmed on 2024-04-01

  Scenario Outline: A CR is confirmed by a CR at least 28 days later (<days> days)
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 | <second> |
      | L1     | liver | no   | 40         | 0          | 0        |
    When the rules are evaluated
    Then the best overall response is CR (unconfirmed)
    And the best overall response is <confirmed> (confirmed)

    Examples:
      | second     | days | confirmed |
      | 2024-03-31 | 27   | SD        |
      | 2024-04-01 | 28   | CR        |

  Scenario Outline: Table 3: <first> then <then> -> <confirmed>
    Given the investigator reported <first> on <first_day>
    And the investigator reported <then> on 2024-04-29
    When the rules are evaluated
    Then the best overall response is <unconfirmed> (unconfirmed)
    And the best overall response is <confirmed> (confirmed)

    Examples: the first response 56 days after the first administration (SD minimum met)
      | first | first_day  | then | unconfirmed | confirmed |
      | CR    | 2024-03-04 | CR   | CR          | CR        |
      | CR    | 2024-03-04 | PR   | CR          | SD        |
      | CR    | 2024-03-04 | SD   | CR          | SD        |
      | CR    | 2024-03-04 | PD   | CR          | SD        |
      | CR    | 2024-03-04 | NE   | CR          | SD        |
      | PR    | 2024-03-04 | CR   | CR          | PR        |
      | PR    | 2024-03-04 | PR   | PR          | PR        |
      | PR    | 2024-03-04 | SD   | PR          | SD        |
      | PR    | 2024-03-04 | PD   | PR          | SD        |
      | PR    | 2024-03-04 | NE   | PR          | SD        |
      | NE    | 2024-03-04 | NE   | NE          | NE        |

    Examples: the first response 28 days after the first administration (SD minimum not met)
      | first | first_day  | then | unconfirmed | confirmed |
      | CR    | 2024-02-05 | PR   | CR          | PD        |
      | CR    | 2024-02-05 | SD   | CR          | PD        |
      | CR    | 2024-02-05 | PD   | CR          | PD        |
      | CR    | 2024-02-05 | NE   | CR          | NE        |
      | PR    | 2024-02-05 | CR   | CR          | PR        |
      | PR    | 2024-02-05 | SD   | PR          | SD        |
      | PR    | 2024-02-05 | PD   | PR          | PD        |
      | PR    | 2024-02-05 | NE   | PR          | NE        |

  Scenario: A PR after a CR is flagged for review (RECIST 1.1 Table 3 footnote a)
    Given the investigator reported CR on 2024-03-04
    And the investigator reported PR on 2024-04-29
    When the rules are evaluated
    Then the best overall response is SD (confirmed)
    And there is an issue mentioning "PR on 2024-04-29 after CR on 2024-03-04"

  Scenario Outline: SD counts from 42 days after the first administration (<days> days)
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | <day> |
      | L1     | liver | no   | 40         | 38    |
    When the rules are evaluated
    Then the overall response on <day> is SD
    And the best overall response is <best> (unconfirmed)
    And the best overall response is <best> (confirmed)

    Examples:
      | day        | days | best |
      | 2024-02-18 | 41   | NE   |
      | 2024-02-19 | 42   | SD   |

  Scenario: An SD too early followed by progression is PD
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-02-05 | 2024-04-01 |
      | L1     | liver | no   | 40         | 38         | 50         |
    When the rules are evaluated
    Then the overall response on 2024-04-01 is PD
    And the best overall response is PD (unconfirmed)
    And the best overall response is PD (confirmed)

  Scenario: Responses after the first progression do not count
    Given the investigator reported SD on 2024-03-04
    And the investigator reported PD on 2024-04-29
    And the investigator reported PR on 2024-06-24
    And the investigator reported PR on 2024-08-19
    When the rules are evaluated
    Then the best overall response is SD (unconfirmed)
    And the best overall response is SD (confirmed)

  Scenario: An NE between a PR and its confirmation breaks the confirmation (no NE allowed by default)
    Given the investigator reported PR on 2024-03-04
    And the investigator reported NE on 2024-04-01
    And the investigator reported PR on 2024-04-29
    When the rules are evaluated
    Then the best overall response is PR (unconfirmed)
    And the best overall response is SD (confirmed)

  Scenario: Investigator responses feed the best overall response where nothing was measured
    Given the investigator reported PR on 2024-03-04
    And the investigator reported PR on 2024-04-29
    When the rules are evaluated
    Then the response on 2024-03-04 is reported by the investigator
    And the overall response on 2024-03-04 is PR
    And the best overall response is PR (confirmed)

  Scenario: The measured response wins over the investigator's, and the disagreement is an issue
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 40         | 20         |
    And the investigator reported SD on 2024-03-04
    And the investigator reported PR on 2024-04-29
    When the rules are evaluated
    Then the response on 2024-03-04 is measured
    And the overall response on 2024-03-04 is PR
    And the response on 2024-04-29 is reported by the investigator
    And the best overall response is PR (confirmed)
    And there is an issue mentioning "the investigator reported SD"

  Scenario: No tumour assessment after baseline: no response and no best overall response
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 |
      | L1     | liver | no   | 40         |
    When the rules are evaluated
    Then there are no responses
    And the best overall response is none (unconfirmed)
    And the best overall response is none (confirmed)
    And there are no issues

  Scenario Outline: Imaging between the baseline and the first administration is no response (new lesion on <day>)
    # RECIST 1.1 §4.4.3: responses are recorded from the start of the treatment, not from the baseline scan.
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 40         | 38         |
    And a new lesion on <day>
    When the rules are evaluated
    Then there is no response on <day>
    And the overall response on 2024-03-04 is SD
    And the best overall response is SD (confirmed)
    And there is an issue mentioning "tumour assessment of <day> is after the baseline assessment of 2024-01-02 but not after the first administration (2024-01-08)"

    Examples:
      | day        |
      | 2024-01-05 |
      | 2024-01-08 |

  Scenario: A new lesion the day after the first administration is progression
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 40         | 38         |
    And a new lesion on 2024-01-09
    When the rules are evaluated
    Then the overall response on 2024-01-09 is PD
    And the best overall response is PD (confirmed)

  Scenario: An investigator response between the baseline and the first administration is not used
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 40         | 38         |
    And the investigator reported PR on 2024-01-05
    When the rules are evaluated
    Then there is no response on 2024-01-05
    And the best overall response is SD (unconfirmed)
    And there is an issue mentioning "investigator response of 2024-01-05 is not after the baseline assessment or first administration (2024-01-08)"

  Scenario Outline: A PR dated only by its month is confirmed only four weeks after that month ends
    Given a target lesion "L1" in the liver measuring 40 mm on 2024-01-02
    And a target lesion "L1" in the liver measuring 20 mm dated only by the month 2024-03
    And a target lesion "L1" in the liver measuring 20 mm on <second>
    When the rules are evaluated
    Then the overall response on 2024-03-01 is PR
    And the best overall response is PR (unconfirmed)
    And the best overall response is <confirmed> (confirmed)
    And there <issue> mentioning "2024-03 is a partial date"

    Examples:
      | second     | confirmed | issue       |
      | 2024-03-30 | SD        | is an issue |
      | 2024-04-27 | SD        | is an issue |
      | 2024-04-28 | PR        | is no issue |
