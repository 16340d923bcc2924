Feature: Lutathera dose before the next cycle: labs needed
  Every cycle needs a hemoglobin, a white blood cell count, a platelet count, a creatinine (and a
  creatinine clearance: a body weight for Cockcroft-Gault), an ALT, an AST, an albumin and a total
  bilirubin from the 14 days before the day the cycle is decided, taken after the previous cycle
  (the EU minimum tests before each infusion; rules/lutathera_dose.toml, labs_max_age_days = 14).
  Without them the recommendation is "labs-needed" (indicator "warning", no activity), never
  "proceed"; a toxicity found in older labs still withholds.

  Here two cycles were given and cycle 3 is due on 2024-04-29.

  Background:
    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And the pre-cycle labs of 2024-01-02 are normal
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq

  Scenario Outline: Normal labs taken <age> days before cycle 3 is decided: <recommendation>
    2024-04-15 is 14 days before 2024-04-29, the oldest day allowed; 2024-04-14 is 15 days before.

    Given the pre-cycle labs of <day> are normal
    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is <recommendation>
    And the indicator for cycle 3 is "<indicator>"
    And the recommendation for cycle 3 cites "<rule>"

    Examples:
      | day        | age | recommendation       | indicator | rule                     |
      | 2024-04-15 | 14  | "proceed" at 7.4 GBq | info      | lutathera.proceed        |
      | 2024-04-14 | 15  | "labs-needed"        | warning   | lutathera.labs.platelets |

  Scenario Outline: A cycle decided late needs labs from the 14 days before that day: labs of <day>, <recommendation>
    Cycle 3 was due on 2024-04-29 but is decided on 2024-05-20: labs from 2024-05-06 on are needed.

    Given the pre-cycle labs of 2024-04-22 are normal
    And the pre-cycle labs of <day> are normal
    When the rules are evaluated on 2024-05-20
    Then the recommendation for cycle 3 is <recommendation>
    And the recommendation for cycle 3 cites "<rule>"

    Examples:
      | day        | recommendation       | rule                      |
      | 2024-05-06 | "proceed" at 7.4 GBq | lutathera.proceed         |
      | 2024-05-05 | "labs-needed"        | lutathera.labs.hemoglobin |

  Scenario: Without labs since cycle 2, cycle 3 needs all of them
    The labs of 2024-02-26 were read for cycle 2; they do not count for cycle 3.

    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is "labs-needed"
    And the recommendation for cycle 3 asks for the hemoglobin
    And the recommendation for cycle 3 asks for the WBC
    And the recommendation for cycle 3 asks for the platelet count
    And the recommendation for cycle 3 asks for the creatinine
    And the recommendation for cycle 3 asks for the creatinine clearance
    And the recommendation for cycle 3 asks for the ALT
    And the recommendation for cycle 3 asks for the AST
    And the recommendation for cycle 3 asks for the albumin
    And the recommendation for cycle 3 asks for the total bilirubin

  Scenario Outline: Without a <analyte> of the week before cycle 3, the labs are needed
    Given no <analyte> was measured on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is "labs-needed"
    And the indicator for cycle 3 is "warning"
    And the recommendation for cycle 3 asks for the <analyte>

    Examples:
      | analyte         |
      | hemoglobin      |
      | WBC             |
      | platelet count  |
      | creatinine      |
      | ALT             |
      | AST             |
      | serum albumin   |
      | total bilirubin |

  Scenario: A toxicity in labs too old to decide on still withholds the cycle, and new labs are asked for
    The labs of 2024-04-10 are 19 days old on 2024-04-29: too old to let the cycle proceed, but their
    grade 2 thrombocytopenia withholds it.

    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-10
    And the other pre-cycle labs of 2024-04-10 are normal
    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is "withhold"
    And the indicator for cycle 3 is "critical"
    And the recommendation for cycle 3 cites "lutathera.thrombocytopenia.withhold"
    And the recommendation for cycle 3 asks for the platelet count

  Scenario Outline: A platelet count that cannot be used <when> the usable one: <recommendation>
    The latest result is the one that counts: a usable count before an unusable one does not show the
    count now (a "<10" after 160 is grade 4, not grade 0), so the cycle needs the result again. An
    unusable result before the usable one changes nothing.

    Given the pre-cycle labs of 2024-04-22 are normal
    And a platelet count without a value on <day>
    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is <recommendation>
    And the recommendation for cycle 3 cites "<rule>"

    Examples:
      | when   | day        | recommendation       | rule                     |
      | after  | 2024-04-24 | "labs-needed"        | lutathera.labs.platelets |
      | before | 2024-04-20 | "proceed" at 7.4 GBq | lutathera.proceed        |

  Scenario Outline: Two platelet counts of the same moment, <first> and <second> x10^9/L: <recommendation>
    An original and its correction sent as a new resource, or two feeds: which count is right cannot be
    told, and the order of their ids must not decide (40 then 180 read "resolved: resume at 3.7 GBq").
    The count is asked for again; a grade 3 among them still withholds. The same count twice is one
    result.

    Given the other pre-cycle labs of 2024-04-22 are normal
    And a platelet count of <first> x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-22
    And a platelet count of <second> x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-22
    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is <recommendation>
    And the recommendation for cycle 3 cites "<rule>"

    Examples:
      | first | second | recommendation       | rule                     |
      | 180   | 40     | "withhold"           | lutathera.labs.platelets |
      | 40    | 180    | "labs-needed"        | lutathera.labs.platelets |
      | 180   | 180    | "proceed" at 7.4 GBq | lutathera.proceed        |
