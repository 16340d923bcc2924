Feature: RECIST 1.1 non-target disease only: non-CR/non-PD, end to end
  RECIST 1.1 §4.4.1 Table 2 gives the overall response of a patient with non-target disease only: CR,
  non-CR/non-PD, PD or NE. Its footnote: non-CR/non-PD is preferred over stable disease, since SD is
  increasingly used as an endpoint for efficacy; SD is not assigned when no lesion can be measured.
  The time point, both best overall responses and the text output carry non-CR/non-PD. It has the
  minimum duration of SD (42 days from the first administration, [settings] sd_minimum_days of
  rules/recist_1_1.toml) and ranks with SD: CR > PR > SD ~ non-CR/non-PD > PD > NE; the patient's
  disease names the stable best response (non-target only: non-CR/non-PD, an unconfirmed CR included).
  An investigator may report non-CR/non-PD, in any case (FHIR input profile); no other spelling.

  Background:
    Given a female patient
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq

  Scenario: Non-target disease that persists is non-CR/non-PD at the time point and as best response
    Given the non-target lesions are:
      | lesion | site | 2024-01-02 | 2024-03-04 |
      | B1     | bone | present    | present    |
    When the rules are evaluated
    Then the target response on 2024-03-04 is none
    And the non-target response on 2024-03-04 is non-CR/non-PD
    And the overall response on 2024-03-04 is non-CR/non-PD
    And the rule is "recist11.table2.non_cr_non_pd"
    And the best overall response is non-CR/non-PD (unconfirmed)
    And the best overall response is non-CR/non-PD (confirmed)
    And there are no issues

  Scenario Outline: non-CR/non-PD counts from 42 days after the first administration (<days> days)
    Given the non-target lesions are:
      | lesion | site | 2024-01-02 | <day>   |
      | B1     | bone | present    | present |
    When the rules are evaluated
    Then the overall response on <day> is non-CR/non-PD
    And the best overall response is <best> (unconfirmed)
    And the best overall response is <best> (confirmed)

    Examples:
      | day        | days | best          |
      | 2024-02-18 | 41   | NE            |
      | 2024-02-19 | 42   | non-CR/non-PD |

  Scenario Outline: A non-CR/non-PD too early, then progression, is PD (<days> days)
    Given the non-target lesions are:
      | lesion | site | 2024-01-02 | <day>   | 2024-05-06  |
      | B1     | bone | present    | present | progressing |
    When the rules are evaluated
    Then the overall response on 2024-05-06 is PD
    And the best overall response is <best> (unconfirmed)
    And the best overall response is <best> (confirmed)

    Examples:
      | day        | days | best          |
      | 2024-02-18 | 41   | PD            |
      | 2024-02-19 | 42   | non-CR/non-PD |

  Scenario Outline: A CR of non-target disease needs confirmation; unconfirmed it is non-CR/non-PD, never SD (<gap> days)
    Given the non-target lesions are:
      | lesion | site | 2024-01-02 | 2024-03-04 | <second> |
      | B1     | bone | present    | absent     | absent   |
    When the rules are evaluated
    Then the overall response on 2024-03-04 is CR
    And the rule is "recist11.table2.cr"
    And the best overall response is CR (unconfirmed)
    And the best overall response is <confirmed> (confirmed)

    Examples:
      | second     | gap | confirmed     |
      | 2024-03-31 | 27  | non-CR/non-PD |
      | 2024-04-01 | 28  | CR            |

  Scenario Outline: Non-target lesions seen again after a CR: progression at that time point (CR at <days> days)
    Given the non-target lesions are:
      | lesion | site | 2024-01-02 | <cr_day> | 2024-05-06 |
      | B1     | bone | present    | absent   | present    |
    When the rules are evaluated
    Then the non-target response on 2024-05-06 is non-CR/non-PD
    And the overall response on 2024-05-06 is PD
    And the rule is "recist11.table3.pd_after_cr"
    And the best overall response is CR (unconfirmed)
    And the best overall response is <confirmed> (confirmed)
    And there is an issue mentioning "disease is seen on 2024-05-06 after the CR of <cr_day>"

    Examples: the CR meets the minimum duration of SD or does not (RECIST 1.1 Table 3, "CR, SD")
      | cr_day     | days | confirmed     |
      | 2024-02-18 | 41   | PD            |
      | 2024-02-19 | 42   | non-CR/non-PD |

  Scenario Outline: non-CR/non-PD ranks with SD, below CR and PR, above PD and NE: <first> then <then>
    Given the investigator reported <first> on 2024-03-04
    And the investigator reported <then> on 2024-04-29
    When the rules are evaluated
    Then the best overall response is <unconfirmed> (unconfirmed)
    And the best overall response is <confirmed> (confirmed)

    Examples: investigator responses 56 and 112 days after the first administration
      | first         | then          | unconfirmed   | confirmed     |
      | non-CR/non-PD | non-CR/non-PD | non-CR/non-PD | non-CR/non-PD |
      | non-CR/non-PD | PD            | non-CR/non-PD | non-CR/non-PD |
      | non-CR/non-PD | NE            | non-CR/non-PD | non-CR/non-PD |
      | NE            | non-CR/non-PD | non-CR/non-PD | non-CR/non-PD |
      | non-CR/non-PD | CR            | CR            | non-CR/non-PD |
      | CR            | CR            | CR            | CR            |
      | CR            | non-CR/non-PD | CR            | non-CR/non-PD |
      | PD            | non-CR/non-PD | PD            | PD            |

  Scenario Outline: The investigator's code is read without regard to case: "<code>"
    Given the investigator reported the code "<code>" on 2024-03-04
    When the rules are evaluated
    Then the response on 2024-03-04 is reported by the investigator
    And the overall response on 2024-03-04 is <overall>
    And there are no issues

    Examples:
      | code          | overall       |
      | non-CR/non-PD | non-CR/non-PD |
      | NON-CR/NON-PD | non-CR/non-PD |
      | non-cr/non-pd | non-CR/non-PD |
      | Non-CR/Non-PD | non-CR/non-PD |
      | cr            | CR            |
      | pd            | PD            |
      | ne            | NE            |

  Scenario Outline: Any other spelling is refused with an issue, never guessed: "<code>"
    Given the investigator reported the code "<code>" on 2024-03-04
    When the rules are evaluated
    Then there are no responses
    And there is an issue mentioning "time-point response is not one of CR, PR, SD, non-CR/non-PD, PD, NE"

    Examples:
      | code            |
      | non-CR / non-PD |
      | non CR/non PD   |
      | nonCR/nonPD     |
      | non-CR-non-PD   |
      | stable          |

  Scenario: An investigator's non-CR/non-PD that agrees with the measured response is not an issue
    Given the non-target lesions are:
      | lesion | site | 2024-01-02 | 2024-03-04 |
      | B1     | bone | present    | present    |
    And the investigator reported the code "NON-CR/NON-PD" on 2024-03-04
    When the rules are evaluated
    Then the response on 2024-03-04 is measured
    And the overall response on 2024-03-04 is non-CR/non-PD
    And there are no issues

  Scenario: The measured non-CR/non-PD wins over an investigator's SD, and the disagreement is an issue
    Given the non-target lesions are:
      | lesion | site | 2024-01-02 | 2024-03-04 |
      | B1     | bone | present    | present    |
    And the investigator reported SD on 2024-03-04
    When the rules are evaluated
    Then the response on 2024-03-04 is measured
    And the overall response on 2024-03-04 is non-CR/non-PD
    And the best overall response is non-CR/non-PD (confirmed)
    And there is an issue mentioning "the measured response is non-CR/non-PD, the investigator reported SD"

  Scenario: An investigator's SD for non-target disease only counts as non-CR/non-PD, and says so
    Given the non-target lesions are:
      | lesion | site | 2024-01-02 |
      | B1     | bone | present    |
    And the investigator reported SD on 2024-04-29
    When the rules are evaluated
    Then the response on 2024-04-29 is reported by the investigator
    And the overall response on 2024-04-29 is SD
    And the best overall response is non-CR/non-PD (unconfirmed)
    And the best overall response is non-CR/non-PD (confirmed)
    And there is an issue mentioning "RECIST 1.1 Table 2 has no SD"

  Scenario: An investigator's non-CR/non-PD for measurable disease counts as SD, and says so
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 |
      | L1     | liver | no   | 40         |
    And the investigator reported non-CR/non-PD on 2024-04-29
    When the rules are evaluated
    Then the response on 2024-04-29 is reported by the investigator
    And the overall response on 2024-04-29 is non-CR/non-PD
    And the best overall response is SD (confirmed)
    And there is an issue mentioning "RECIST 1.1 Table 1 has no non-CR/non-PD"

  Scenario: Investigator responses that mix the two tables are read as measurable disease, and say so
    Given the investigator reported non-CR/non-PD on 2024-03-04
    And the investigator reported SD on 2024-04-29
    When the rules are evaluated
    Then the best overall response is SD (confirmed)
    And there is an issue mentioning "the other investigator responses show measurable disease"

  Scenario: The text output shows non-CR/non-PD at the time point and as the best overall response
    Given the non-target lesions are:
      | lesion | site | 2024-01-02 | 2024-03-04 |
      | B1     | bone | present    | present    |
    When the rules are evaluated
    Then the text output shows "RECIST 1.1 (baseline 2024-01-02, non-target disease only)"
    And the text output shows "2024-03-04  non-CR/non-PD (measured; target none, non-target non-CR/non-PD)"
    And the text output shows "Best overall response: non-CR/non-PD (confirmed)."
