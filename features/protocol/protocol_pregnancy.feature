Feature: Pregnancy status before the next cycle (rules/protocol_checks.toml)
  The label asks for the pregnancy status of a patient who could be pregnant to be verified before
  Lutathera is started; it is checked before every cycle (pregnancy_every_cycle = 1, the conservative
  reading). Who could be pregnant: female sex and an age of 12 to 55 on the day the cycle is decided.
  A negative status or test counts for 3 days (pregnancy_max_age_days, this plugin's choice); a positive
  one of any age is a warning. No status, an older one, or one that cannot be read is "unknown".

  Here two cycles were given and cycle 3 is decided on 2024-04-29.

  Background:
    Given PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq

  Scenario Outline: A negative urine hCG test <age> days before cycle 3: <status>
    2024-04-26 is 3 days before 2024-04-29, the oldest day allowed; 2024-04-25 is 4 days before.

    Given a female patient born 1990-06-01
    And a urine hCG test "negative" on <day>
    When the rules are evaluated on 2024-04-29
    Then the protocol check "pregnancy" before cycle 3 is "<status>" by rule "<rule>"
    And the protocol check "pregnancy" before cycle 3 says "<age> days before the cycle"
    And the protocol check "pregnancy" before cycle 3 cites "Observation/"

    Examples:
      | day        | age | status  | rule                           |
      | 2024-04-26 | 3   | ok      | protocol.pregnancy.not_pregnant |
      | 2024-04-25 | 4   | unknown | protocol.pregnancy.outdated     |

  Scenario Outline: Pregnancy status and tests: <record>
    Given a female patient born 1990-06-01
    And <record>
    When the rules are evaluated on 2024-04-29
    Then the protocol check "pregnancy" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | record                                             | status  | rule                            |
      | a pregnancy status "not pregnant" on 2024-04-29    | ok      | protocol.pregnancy.not_pregnant |
      | a pregnancy status "pregnant" on 2024-04-29        | warning | protocol.pregnancy.pregnant     |
      | a serum hCG test "positive" on 2024-04-28          | warning | protocol.pregnancy.pregnant     |
      | a serum hCG test "positive" on 2024-03-01          | warning | protocol.pregnancy.pregnant     |
      | a serum beta-hCG of 4.9 IU/L on 2024-04-28         | ok      | protocol.pregnancy.not_pregnant |
      | a serum beta-hCG of 5 IU/L on 2024-04-28           | warning | protocol.pregnancy.pregnant     |
      | a pregnancy status answered "102874004" on 2024-04-28 | unknown | protocol.pregnancy.indeterminate |

  Scenario Outline: A pregnancy status that cannot be read, <age> days before cycle 3: <rule>
    Within the 3 days of a result (pregnancy_max_age_days) it is said that it cannot be read; older,
    that it is too old. Either way pregnancy is not excluded.

    Given a female patient born 1990-06-01
    And a pregnancy status answered "102874004" on <day>
    When the rules are evaluated on 2024-04-29
    Then the protocol check "pregnancy" before cycle 3 is "<status>" by rule "<rule>"
    And the protocol check "pregnancy" before cycle 3 says "<words>"

    Examples:
      | day        | age | status  | rule                             | words                                 |
      | 2024-04-26 | 3   | unknown | protocol.pregnancy.indeterminate | pregnancy is not excluded             |
      | 2024-04-25 | 4   | unknown | protocol.pregnancy.outdated      | older than 3 days                     |

  Scenario Outline: No pregnancy status for a woman of 33: <status>
    Given a female patient born 1990-06-01
    When the rules are evaluated on 2024-04-29
    Then the protocol check "pregnancy" before cycle 3 is "<status>" by rule "<rule>"
    And the protocol check "pregnancy" before cycle 3 says "33 years old"

    Examples:
      | status  | rule                    |
      | unknown | protocol.pregnancy.none |

  Scenario Outline: Who could be pregnant: <patient>
    Born 2012-05-01: 11 years old on 2024-04-29, born 2012-04-29: 12; born 1968-04-30: 55, born
    1968-04-29: 56.

    Given <patient>
    When the rules are evaluated on 2024-04-29
    Then the protocol check "pregnancy" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | patient                             | status  | rule                                  |
      | a male patient born 1990-06-01      | ok      | protocol.pregnancy.not_applicable_sex |
      | a female patient born 2012-05-01    | ok      | protocol.pregnancy.too_young          |
      | a female patient born 2012-04-29    | unknown | protocol.pregnancy.none               |
      | a female patient born 1968-04-30    | unknown | protocol.pregnancy.none               |
      | a female patient born 1968-04-29    | ok      | protocol.pregnancy.too_old            |
      | a patient of unknown sex born 1990-06-01 | unknown | protocol.pregnancy.sex_unknown   |
      | a patient of unknown sex            | ok      | protocol.pregnancy.too_old            |
      | a female patient without a birth date | unknown | protocol.pregnancy.age_unknown      |

  Scenario Outline: A site that verifies pregnancy before the first cycle only
    Given a female patient born 1990-06-01
    And the site setting pregnancy_every_cycle is 0
    When the rules are evaluated on 2024-04-29
    Then the protocol check "pregnancy" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | status | rule                                |
      | ok     | protocol.pregnancy.first_cycle_only |

  Scenario Outline: A Condition the site lists as meaning the patient cannot be pregnant: <condition>
    The site lists its code for the status after a hysterectomy (here "999999999", a code of the
    site's choosing: the table lists none by default). The Condition counts while it is active and
    not refuted.

    Given a female patient born 1990-06-01
    And the site lists SNOMED CT "999999999" as a Condition meaning the patient cannot be pregnant
    And <condition>
    When the rules are evaluated on 2024-04-29
    Then the protocol check "pregnancy" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | condition                                                   | status  | rule                        |
      | an active Condition coded SNOMED CT "999999999"              | ok      | protocol.pregnancy.excluded |
      | a resolved Condition coded SNOMED CT "999999999"             | unknown | protocol.pregnancy.none     |
      | an active Condition coded SNOMED CT "999999999" that is refuted | unknown | protocol.pregnancy.none  |
      | an active Condition coded SNOMED CT "123456789"              | unknown | protocol.pregnancy.none     |

  Scenario Outline: A positive test outweighs a listed Condition
    Given a female patient born 1990-06-01
    And the site lists SNOMED CT "999999999" as a Condition meaning the patient cannot be pregnant
    And an active Condition coded SNOMED CT "999999999"
    And a urine hCG test "positive" on 2024-04-28
    When the rules are evaluated on 2024-04-29
    Then the protocol check "pregnancy" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | status  | rule                        |
      | warning | protocol.pregnancy.pregnant |

  Scenario Outline: A positive and a negative test at the same moment: a warning, whichever is listed first
    Two results taken together that disagree do not exclude pregnancy; the order they come in (or their
    ids) never decides.

    Given a female patient born 1990-06-01
    And a <first> hCG test "<first answer>" on 2024-04-28
    And a <second> hCG test "<second answer>" on 2024-04-28
    When the rules are evaluated on 2024-04-29
    Then the protocol check "pregnancy" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | first | first answer | second | second answer | status  | rule                            |
      | urine | positive     | serum  | negative      | warning | protocol.pregnancy.pregnant     |
      | serum | negative     | urine  | positive      | warning | protocol.pregnancy.pregnant     |
      | urine | negative     | serum  | negative      | ok      | protocol.pregnancy.not_pregnant |

  Scenario Outline: A positive test followed by a negative one <positive> days before cycle 3: <status>
    A later negative does not explain an earlier positive: the pregnancy it showed may have ended (a
    loss, a termination, a delivery) or be ongoing (a false-negative test, a sample of someone else),
    and the record does not say which. Within 294 days (42 weeks, pregnancy_positive_review_days, the
    longest a pregnancy lasts) of the cycle the check is a warning asking for review; before, the latest
    negative read "not pregnant". 2023-07-10 is 294 days before 2024-04-29, 2023-07-09 is 295.

    Given a female patient born 1990-06-01
    And a urine hCG test "positive" on <day>
    And a serum hCG test "negative" on 2024-04-28
    When the rules are evaluated on 2024-04-29
    Then the protocol check "pregnancy" before cycle 3 is "<status>" by rule "<rule>"
    And the protocol check "pregnancy" before cycle 3 says "<words>"

    Examples:
      | day        | positive | status  | rule                                | words                                        |
      | 2024-04-20 | 9        | warning | protocol.pregnancy.earlier_positive | positive on 2024-04-20, 9 days before the cycle |
      | 2024-03-01 | 59       | warning | protocol.pregnancy.earlier_positive | review why before the cycle                  |
      | 2023-07-10 | 294      | warning | protocol.pregnancy.earlier_positive | 294 days before the cycle                    |
      | 2023-07-09 | 295      | ok      | protocol.pregnancy.not_pregnant     | 1 days before the cycle: not pregnant        |

  Scenario Outline: The review of an earlier positive test cites both tests and does not stop the cycle
    The latest test is negative: the check asks for a review, it does not say the patient is pregnant
    (a positive latest test stops the cycle).

    Given a female patient born 1990-06-01
    And a urine hCG test "positive" on 2024-04-20
    And a serum hCG test "negative" on 2024-04-28
    When the rules are evaluated on 2024-04-29
    Then the protocol check "pregnancy" before cycle 3 is "<status>" by rule "<rule>"
    And the protocol check "pregnancy" before cycle 3 cites 2 records
    And the protocol check "pregnancy" before cycle 3 does not stop the cycle

    Examples:
      | status  | rule                                |
      | warning | protocol.pregnancy.earlier_positive |

  Scenario Outline: An earlier positive test and a listed Condition: <status>
    A Condition the site lists as meaning the patient cannot be pregnant (after a hysterectomy) explains
    an earlier positive followed by a negative.

    Given a female patient born 1990-06-01
    And the site lists SNOMED CT "999999999" as a Condition meaning the patient cannot be pregnant
    And an active Condition coded SNOMED CT "999999999"
    And a urine hCG test "positive" on 2024-04-20
    And a serum hCG test "negative" on 2024-04-28
    When the rules are evaluated on 2024-04-29
    Then the protocol check "pregnancy" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | status | rule                        |
      | ok     | protocol.pregnancy.excluded |

  Scenario Outline: A negative test followed by a positive one: the positive decides
    Given a female patient born 1990-06-01
    And a serum hCG test "negative" on 2024-04-20
    And a urine hCG test "positive" on 2024-04-28
    When the rules are evaluated on 2024-04-29
    Then the protocol check "pregnancy" before cycle 3 is "<status>" by rule "<rule>"
    And the protocol check "pregnancy" before cycle 3 stops the cycle

    Examples:
      | status  | rule                        |
      | warning | protocol.pregnancy.pregnant |
