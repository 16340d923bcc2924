Feature: RECIST 1.1 time-point response: non-target lesions, new lesions, Tables 1 and 2
  RECIST 1.1 §4.3.3: the non-target response is CR when every non-target lesion is gone (a lymph node
  below 10 mm short axis), PD on unequivocal progression, non-CR/non-PD while one persists, and NE
  when one was not assessed ("not all evaluated"). §4.3.5: a new lesion is PD. §4.4.1: Table 1 gives
  the overall response of patients with target disease, Table 2 of patients with non-target disease
  only; the document shows Table 2's non-CR/non-PD as such, never as SD (docs/outputs.md; Table 2
  footnote: SD is not assigned when no lesion can be measured).

  Background:
    Given a female patient
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq

  Scenario Outline: Table 1: target <target>, non-target <non_target>, new lesions <new> -> <overall>
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 40         | <l1>       |
      | L2     | lung  | no   | 20         | <l2>       |
    And the non-target lesions are:
      | lesion | site | 2024-01-02 | 2024-03-04 |
      | B1     | bone | present    | <b1>       |
    And new lesions on 2024-03-04 are <new>
    When the rules are evaluated
    Then the target response on 2024-03-04 is <target>
    And the non-target response on 2024-03-04 is <non_target>
    And the overall response on 2024-03-04 is <overall>
    And the rule is "<rule>"

    Examples: no new lesion
      | l1 | l2 | b1          | new      | target | non_target    | overall | rule                                 |
      | 0  | 0  | absent      | not seen | CR     | CR            | CR      | recist11.table1.cr                   |
      | 0  | 0  | present     | not seen | CR     | non-CR/non-PD | PR      | recist11.table1.pr_cr_non_cr_non_pd  |
      | 0  | 0  | -           | not seen | CR     | NE            | PR      | recist11.table1.pr_cr_ne             |
      | 28 | 14 | absent      | not seen | PR     | CR            | PR      | recist11.table1.pr                   |
      | 28 | 14 | present     | not seen | PR     | non-CR/non-PD | PR      | recist11.table1.pr                   |
      | 28 | 14 | -           | not seen | PR     | NE            | PR      | recist11.table1.pr                   |
      | 40 | 20 | present     | not seen | SD     | non-CR/non-PD | SD      | recist11.table1.sd                   |
      | 40 | 20 | -           | not seen | SD     | NE            | SD      | recist11.table1.sd                   |
      | 40 | -  | present     | not seen | NE     | non-CR/non-PD | NE      | recist11.table1.ne                   |
      | 40 | -  | -           | not seen | NE     | NE            | NE      | recist11.table1.ne                   |
      | 50 | 22 | present     | not seen | PD     | non-CR/non-PD | PD      | recist11.table1.pd_target            |
      | 40 | 20 | progressing | not seen | SD     | PD            | PD      | recist11.table1.pd_non_target        |
      | 0  | 0  | progressing | not seen | CR     | PD            | PD      | recist11.table1.pd_non_target        |
      | 40 | -  | progressing | not seen | NE     | PD            | PD      | recist11.table1.pd_non_target        |

    Examples: a new lesion
      | l1 | l2 | b1          | new      | target | non_target    | overall | rule                                 |
      | 0  | 0  | absent      | seen     | CR     | CR            | PD      | recist11.table1.pd_new_lesion        |
      | 28 | 14 | present     | seen     | PR     | non-CR/non-PD | PD      | recist11.table1.pd_new_lesion        |
      | 40 | -  | -           | seen     | NE     | NE            | PD      | recist11.table1.pd_new_lesion        |
      | 50 | 22 | absent      | seen     | PD     | CR            | PD      | recist11.table1.pd_target            |

  Scenario: Table 1 with target disease only: target CR is CR
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 40         | 0          |
    When the rules are evaluated
    Then the non-target response on 2024-03-04 is none
    And the overall response on 2024-03-04 is CR
    And the rule is "recist11.table1.cr"

  Scenario Outline: Table 2: non-target <b1> / <b2>, new lesions <new> -> <overall>
    Given the non-target lesions are:
      | lesion | site | 2024-01-02 | 2024-03-04 |
      | B1     | bone | present    | <b1>       |
      | B2     | lung | present    | <b2>       |
    And new lesions on 2024-03-04 are <new>
    When the rules are evaluated
    Then the target response on 2024-03-04 is none
    And the non-target response on 2024-03-04 is <non_target>
    And the overall response on 2024-03-04 is <overall>
    And the rule is "<rule>"
    And the document shows the overall response on 2024-03-04 as <shown>

    Examples:
      | b1          | b2      | new      | non_target    | overall       | shown         | rule                          |
      | absent      | absent  | not seen | CR            | CR            | CR            | recist11.table2.cr            |
      | present     | absent  | not seen | non-CR/non-PD | non-CR/non-PD | non-CR/non-PD | recist11.table2.non_cr_non_pd |
      | present     | -       | not seen | NE            | NE            | NE            | recist11.table2.ne            |
      | absent      | -       | not seen | NE            | NE            | NE            | recist11.table2.ne            |
      | progressing | present | not seen | PD            | PD            | PD            | recist11.table2.pd_non_target |
      | progressing | -       | seen     | PD            | PD            | PD            | recist11.table2.pd_non_target |
      | absent      | absent  | seen     | CR            | PD            | PD            | recist11.table2.pd_new_lesion |
      | present     | -       | seen     | NE            | PD            | PD            | recist11.table2.pd_new_lesion |

  Scenario Outline: A non-target lymph node is gone below 10 mm short axis (<size> mm)
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 40         | 0          |
    And a non-target lymph node "N9" in the mediastinum with a short axis of 13 mm on 2024-01-02
    And a non-target lymph node "N9" in the mediastinum with a short axis of <size> mm on 2024-03-04
    When the rules are evaluated
    Then the non-target response on 2024-03-04 is <non_target>
    And the rule is "<rule>"
    And the overall response on 2024-03-04 is <overall>

    Examples:
      | size | non_target    | overall | rule                                |
      | 9.9  | CR            | CR      | recist11.non_target.cr              |
      | 10   | non-CR/non-PD | PR      | recist11.non_target.non_cr_non_pd   |

  Scenario Outline: The non-target response decides on its own: <b1> and <b2>
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 40         | 40         |
    And the non-target lesions are:
      | lesion | site | 2024-01-02 | 2024-03-04 |
      | B1     | bone | present    | <b1>       |
      | B2     | lung | present    | <b2>       |
    When the rules are evaluated
    Then the non-target response on 2024-03-04 is <non_target>
    And the rule is "<rule>"

    Examples:
      | b1          | b2      | non_target    | rule                              |
      | progressing | -       | PD            | recist11.non_target.pd            |
      | present     | -       | NE            | recist11.non_target.ne            |
      | absent      | present | non-CR/non-PD | recist11.non_target.non_cr_non_pd |
      | absent      | absent  | CR            | recist11.non_target.cr            |

  Scenario Outline: A lesion not in the baseline assessment: <role>
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 40         | 20         |
    And a <role> lesion "X9" in the kidney measuring 12 mm on 2024-03-04
    When the rules are evaluated
    Then the target response on 2024-03-04 is PR
    And the overall response on 2024-03-04 is <overall>
    And the rule is "<rule>"

    Examples:
      | role       | overall | rule                          |
      | target     | NE      | recist11.overall.ne_ambiguous |
      | non-target | NE      | recist11.overall.ne_ambiguous |

  Scenario: A lesion not in the baseline assessment is reported as an issue
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 40         | 20         |
    And a target lesion "X9" in the kidney measuring 12 mm on 2024-03-04
    When the rules are evaluated
    Then there is an issue mentioning "X9 on 2024-03-04 is not in the baseline assessment"

  Scenario: A new lesion is PD whatever the target lesions do
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 40         | 0          |
    And a new lesion "X1" in the liver on 2024-03-04
    When the rules are evaluated
    Then the response on 2024-03-04 has new lesions
    And the overall response on 2024-03-04 is PD
    And the rule is "recist11.table1.pd_new_lesion"

  # RECIST 1.1 §4.3.5: the presence of a new lesion, not its size, is PD. A new-lesion measurement
  # whose size cannot be used (a unit that is not mm or cm, a negative size) or that names no lesion
  # is still a new lesion: only its size is not used (as for an implausible size), never a PR.
  Scenario Outline: A new-lesion measurement of <size> <unit> is PD even though its size cannot be used
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 40         | 20         |
    And a new-lesion measurement of "X1" in the lung of <size> <unit> on 2024-03-04
    When the rules are evaluated
    Then the response on 2024-03-04 has new lesions
    And the overall response on 2024-03-04 is PD
    And the rule is "recist11.table1.pd_new_lesion"
    And there is an issue mentioning "<issue>"

    Examples:
      | size | unit   | issue                                  |
      | 2    | [in_i] | lesion size unit '[in_i]' is not mm or cm |
      | -3   | mm     | lesion size is negative                |

  Scenario: A new-lesion measurement that names no lesion is still a new lesion: PD
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 40         | 20         |
    And a new-lesion measurement without an identity of 12 mm on 2024-03-04
    When the rules are evaluated
    Then the response on 2024-03-04 has new lesions
    And the overall response on 2024-03-04 is PD
    And the rule is "recist11.table1.pd_new_lesion"

  Scenario Outline: A baseline with no disease recorded: only a new lesion can be read
    Given the non-target lesions are:
      | lesion | site | 2024-01-02 | 2024-03-04 |
      | B1     | bone | absent     | absent     |
    And new lesions on 2024-03-04 are <new>
    When the rules are evaluated
    Then the target response on 2024-03-04 is none
    And the non-target response on 2024-03-04 is none
    And the overall response on 2024-03-04 is <overall>
    And the rule is "<rule>"

    Examples:
      | new      | overall | rule                            |
      | not seen | NE      | recist11.overall.ne_no_disease  |
      | seen     | PD      | recist11.table2.pd_new_lesion   |

  # RECIST 1.1 Table 3 footnote a: "If a CR is truly met at first time point, then any disease seen at
  # a subsequent time point, even disease meeting PR criteria relative to baseline, makes the disease PD
  # at that point in time". Nodes < 10 mm short axis are normal: a node is seen again at >= 10 mm.
  Scenario Outline: After a CR, a target lesion of <size> mm makes the time point <overall>
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 | 2024-04-29 |
      | L1     | liver | no   | 40         | 0          | <size>     |
    When the rules are evaluated
    Then the overall response on 2024-03-04 is CR
    And the target response on 2024-04-29 is <target>
    And the overall response on 2024-04-29 is <overall>
    And the rule is "<rule>"

    Examples:
      | size | target | overall | rule                        |
      | 0    | CR     | CR      | recist11.table1.cr          |
      | 4    | PR     | PD      | recist11.table3.pd_after_cr |

  Scenario Outline: After a CR, a target node of <size> mm short axis makes the time point <overall>
    Given the target lesions measure:
      | lesion | site      | node | 2024-01-02 | 2024-03-04 | 2024-04-29 |
      | L1     | liver     | no   | 30         | 0          | 0          |
      | N1     | mesentery | yes  | 20         | 8          | <size>     |
    When the rules are evaluated
    Then the overall response on 2024-03-04 is CR
    And the target response on 2024-04-29 is <target>
    And the overall response on 2024-04-29 is <overall>
    And the rule is "<rule>"

    Examples:
      | size | target | overall | rule                        |
      | 9.9  | CR     | CR      | recist11.table1.cr          |
      | 10   | PR     | PD      | recist11.table3.pd_after_cr |

  Scenario Outline: After a CR, a non-target lesion <b1> makes the time point <overall>
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 | 2024-04-29 |
      | L1     | liver | no   | 40         | 0          | 0          |
    And the non-target lesions are:
      | lesion | site | 2024-01-02 | 2024-03-04 | 2024-04-29 |
      | B1     | bone | present    | absent     | <b1>       |
    When the rules are evaluated
    Then the overall response on 2024-03-04 is CR
    And the non-target response on 2024-04-29 is <non_target>
    And the overall response on 2024-04-29 is <overall>
    And the rule is "<rule>"

    Examples:
      | b1      | non_target    | overall | rule                        |
      | absent  | CR            | CR      | recist11.table1.cr          |
      | present | non-CR/non-PD | PD      | recist11.table3.pd_after_cr |

  Scenario: Disease seen after an investigator's CR is PD, and the warning names the CR
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-04-29 |
      | L1     | liver | no   | 40         | 4          |
    And the investigator reported CR on 2024-03-04
    When the rules are evaluated
    Then the target response on 2024-04-29 is PR
    And the overall response on 2024-04-29 is PD
    And the rule is "recist11.table3.pd_after_cr"
    And there is an issue mentioning "disease is seen on 2024-04-29 after the CR of 2024-03-04"
