Feature: Somatostatin analogues stopped before the next cycle (rules/protocol_checks.toml)
  The Lutathera label (section 2) asks for long-acting somatostatin analogues (octreotide LAR,
  lanreotide) to be stopped at least 4 weeks (28 days) before each cycle, and short-acting ones at
  least 24 hours before. A cycle not yet given is taken to start at 00:00 of the day it is decided
  (the setting cycle_hour, the conservative reading); a record dated without a time is taken at the
  end of its day. No record of a somatostatin analogue is "unknown", never "ok", unless the site reads
  it as none given (no_ssa_reads_ok = 1).

  Here two cycles were given and cycle 3 is due on 2024-04-29.

  Background:
    Given a female patient born 1962-05-14
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq

  Scenario Outline: Octreotide LAR <days> days before cycle 3: <status>
    2024-04-01 is 28 days (4 weeks) before 2024-04-29; 2024-04-02 is 27 days before.

    Given "octreotide LAR 30 mg IM" was given on <day>
    When the rules are evaluated on 2024-04-29
    Then the protocol check "ssa-long-acting" before cycle 3 is "<status>" by rule "<rule>"
    And the protocol check "ssa-long-acting" before cycle 3 says "<days> days before the cycle"
    And the protocol check "ssa-long-acting" before cycle 3 cites "MedicationAdministration/"

    Examples:
      | day        | days | status  | rule                                |
      | 2024-04-02 | 27   | warning | protocol.ssa_long_acting.too_recent |
      | 2024-04-01 | 28   | ok      | protocol.ssa_long_acting.stopped    |

  Scenario Outline: Long-acting analogues named otherwise, taken or ordered: <medication> <how> on <day>
    Lanreotide exists only as a long-acting depot, so its name alone reads long-acting. An active order
    stands: a dose may be given under it any day up to the cycle, so it reads as ongoing however long ago
    it was written (its date is when it was written, not when a dose was given).

    Given "<medication>" was <how> on <day>
    When the rules are evaluated on 2024-04-29
    Then the protocol check "ssa-long-acting" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | medication                       | how     | day        | status  | rule                                |
      | lanreotide 120 mg deep s.c.      | given   | 2024-04-10 | warning | protocol.ssa_long_acting.too_recent |
      | Somatuline Autogel 120 mg        | taken   | 2024-03-31 | ok      | protocol.ssa_long_acting.stopped    |
      | octreotide depot 30 mg           | ordered | 2024-04-15 | warning | protocol.ssa_long_acting.ongoing    |
      | octreotide depot 30 mg           | ordered | 2023-10-01 | warning | protocol.ssa_long_acting.ongoing    |

  Scenario Outline: A completed analogue order written <when> before cycle 3: <status>
    An order no longer active dates only when it was written (authoredOn): its dose came that day or
    later. Written too recently, it is too recent whatever its dose's date; written long enough before,
    it cannot show that the dose was (it may have been given since): unknown, never "stopped".

    Given "<medication>" was ordered on <day> with status "completed"
    When the rules are evaluated on 2024-04-29
    Then the protocol check "<check>" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | medication                      | when     | day              | check            | status  | rule                                  |
      | octreotide LAR 30 mg IM         | 27 days  | 2024-04-02       | ssa-long-acting  | warning | protocol.ssa_long_acting.too_recent   |
      | octreotide LAR 30 mg IM         | 28 days  | 2024-04-01       | ssa-long-acting  | unknown | protocol.ssa_long_acting.order_only   |
      | octreotide 100 micrograms s.c.  | 23 hours | 2024-04-28T01:00 | ssa-short-acting | warning | protocol.ssa_short_acting.too_recent  |
      | octreotide 100 micrograms s.c.  | 25 hours | 2024-04-27T23:00 | ssa-short-acting | unknown | protocol.ssa_short_acting.order_only  |

  Scenario Outline: A long-acting analogue still taken (a period with no end): <status>
    Given "lanreotide (Somatuline Depot) 120 mg every 28 days" is taken since 2024-01-01
    When the rules are evaluated on 2024-04-29
    Then the protocol check "ssa-long-acting" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | status  | rule                             |
      | warning | protocol.ssa_long_acting.ongoing |

  Scenario Outline: A medication list entry "active" since <day>, dated once: <status>
    FHIR R4 "active" says the analogue is still taken; a single date says since when, not when it was
    last taken. Only "completed" makes the date the last dose.
    Given "octreotide LAR 30 mg IM" was taken on <day> with status "<record>"
    When the rules are evaluated on 2024-04-29
    Then the protocol check "ssa-long-acting" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | record    | day        | status  | rule                                  |
      | active    | 2023-09-20 | warning | protocol.ssa_long_acting.ongoing      |
      | completed | 2023-09-20 | ok      | protocol.ssa_long_acting.stopped      |

  Scenario Outline: Short-acting octreotide <hours> hours before cycle 3 starts: <status>
    Cycle 3 is taken to start at 2024-04-29T00:00: 2024-04-28T01:00 is 23 hours before it,
    2024-04-27T23:00 is 25 hours before it. Without a time, 2024-04-28 is taken at its end (0 hours
    before), 2024-04-27 at its end (24 hours before).

    Given "octreotide 100 micrograms s.c." was given on <when>
    When the rules are evaluated on 2024-04-29
    Then the protocol check "ssa-short-acting" before cycle 3 is "<status>" by rule "<rule>"
    And the protocol check "ssa-short-acting" before cycle 3 says "<hours> hours before the cycle starts"

    Examples:
      | when             | hours | status  | rule                                 |
      | 2024-04-28T01:00 | 23    | warning | protocol.ssa_short_acting.too_recent |
      | 2024-04-27T23:00 | 25    | ok      | protocol.ssa_short_acting.stopped    |
      | 2024-04-28       | 0     | warning | protocol.ssa_short_acting.too_recent |
      | 2024-04-27       | 24    | ok      | protocol.ssa_short_acting.stopped    |

  Scenario Outline: Short-acting octreotide on the cycle's day at <when>, <relative> it starts: warning
    A dose after the cycle's start hour on its own day is too recent as well, and the text says "after",
    never a negative number of hours before.

    Given "octreotide 100 micrograms s.c." was given on <when>
    When the rules are evaluated on 2024-04-29
    Then the protocol check "ssa-short-acting" before cycle 3 is "warning" by rule "protocol.ssa_short_acting.too_recent"
    And the protocol check "ssa-short-acting" before cycle 3 says "<relative> the cycle starts (0:00)"

    Examples:
      | when             | relative       |
      | 2024-04-29T03:00 | 3 hours after  |
      | 2024-04-29T00:00 | 0 hours before |

  Scenario Outline: A site whose infusions start at 08:00: octreotide at <when> is <status>
    Given the site setting cycle_hour is 8
    And "Sandostatin 100 micrograms s.c." was given on <when>
    When the rules are evaluated on 2024-04-29
    Then the protocol check "ssa-short-acting" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | when             | status  | rule                                 |
      | 2024-04-28T09:00 | warning | protocol.ssa_short_acting.too_recent |
      | 2024-04-28T08:00 | ok      | protocol.ssa_short_acting.stopped    |

  Scenario Outline: A short-acting analogue still taken: <status>
    Given "octreotide 100 micrograms s.c. three times daily" is taken since 2024-04-01
    When the rules are evaluated on 2024-04-29
    Then the protocol check "ssa-short-acting" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | status  | rule                              |
      | warning | protocol.ssa_short_acting.ongoing |

  Scenario Outline: No somatostatin analogue recorded: <check> is <status>
    Given the pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the protocol check "<check>" before cycle 3 is "<status>" by rule "<rule>"
    And the protocol check "<check>" before cycle 3 says "recorded"

    Examples:
      | check            | status  | rule                          |
      | ssa-long-acting  | unknown | protocol.ssa_long_acting.none  |
      | ssa-short-acting | unknown | protocol.ssa_short_acting.none |

  Scenario Outline: A site that reads no record as none given: <check> is <status>
    Given the site setting no_ssa_reads_ok is 1
    When the rules are evaluated on 2024-04-29
    Then the protocol check "<check>" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | check            | status | rule                                   |
      | ssa-long-acting  | ok     | protocol.ssa_long_acting.none_read_ok  |
      | ssa-short-acting | ok     | protocol.ssa_short_acting.none_read_ok |

  Scenario Outline: Only a short-acting analogue recorded: the long-acting check is still unknown
    Given "octreotide 100 micrograms s.c." was given on 2024-04-20T08:00
    When the rules are evaluated on 2024-04-29
    Then the protocol check "ssa-long-acting" before cycle 3 is "<status>" by rule "<rule>"
    And the protocol check "ssa-short-acting" before cycle 3 is "ok" by rule "protocol.ssa_short_acting.stopped"

    Examples:
      | status  | rule                          |
      | unknown | protocol.ssa_long_acting.none |

  Scenario Outline: An analogue whose form is not recorded counts as long-acting too: <record>
    Plain "octreotide" (or its RxNorm code alone) may be a depot injection: read as a short-acting dose,
    a depot 10 days before the cycle passed the 4-week check. It counts in both checks, and says so.

    Given <record>
    When the rules are evaluated on 2024-04-29
    Then the protocol check "ssa-long-acting" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | record                                                 | status  | rule                                   |
      | "octreotide" was given on 2024-04-19T08:00             | warning | protocol.ssa_long_acting.too_recent    |
      | "octreotide 100 micrograms s.c." was given on 2024-04-19T08:00 | unknown | protocol.ssa_long_acting.none |
      | "octreotide" was given on 2024-03-31T08:00             | ok      | protocol.ssa_long_acting.stopped       |

  Scenario Outline: A record that cannot be read is unknown, never ok: <record>
    Even where the site reads no record as none given.

    Given the site setting no_ssa_reads_ok is 1
    And <record>
    When the rules are evaluated on 2024-04-29
    Then the protocol check "<check>" before cycle 3 is "unknown" by rule "<rule>"
    And there is an issue mentioning "its check cannot be decided"

    Examples:
      | record                                                                 | check            | rule                                  |
      | "octreotide LAR 30 mg" was given without a date                        | ssa-long-acting  | protocol.ssa_long_acting.unreadable   |
      | "octreotide LAR 30 mg" was given on 2024-01-10 with status "bogus"     | ssa-long-acting  | protocol.ssa_long_acting.unreadable   |
      | "octreotide 100 micrograms" was given on 2024-04-01 with status ""     | ssa-short-acting | protocol.ssa_short_acting.unreadable  |

  Scenario Outline: A record that cannot be read never hides a long-acting analogue given too recently: <day>
    A warning from the records that can be read decides; without one, the record that cannot be read
    makes the check unknown (on the order hooks an unknown analogue check alone adds no card).

    Given "octreotide LAR 30 mg" was given without a date
    And "octreotide LAR 30 mg IM" was given on <day>
    When the rules are evaluated on 2024-04-29
    Then the protocol check "ssa-long-acting" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | day        | status  | rule                                |
      | 2024-04-02 | warning | protocol.ssa_long_acting.too_recent |
      | 2024-04-01 | unknown | protocol.ssa_long_acting.unreadable |

  Scenario Outline: A record that cannot be read never hides a short-acting analogue given too recently: <when>
    Given "octreotide 100 micrograms s.c." was given on 2024-04-01 with status ""
    And "octreotide 100 micrograms s.c." was given on <when>
    When the rules are evaluated on 2024-04-29
    Then the protocol check "ssa-short-acting" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | when             | status  | rule                                 |
      | 2024-04-28T08:00 | warning | protocol.ssa_short_acting.too_recent |
      | 2024-04-27T23:00 | unknown | protocol.ssa_short_acting.unreadable |

  Scenario Outline: An administration not done is no administration
    Given "octreotide LAR 30 mg" was given on 2024-04-20 with status "not-done"
    When the rules are evaluated on 2024-04-29
    Then the protocol check "ssa-long-acting" before cycle 3 is "<status>" by rule "<rule>"
    And there is an issue mentioning "not given"

    Examples:
      | status  | rule                          |
      | unknown | protocol.ssa_long_acting.none |

  Scenario Outline: A record after the decision date is not used
    The cycle is decided on 2024-04-29; a LAR dated 2024-05-02 (after the cycle) does not count.

    Given "octreotide LAR 30 mg" was given on 2024-03-05
    And "octreotide LAR 30 mg" was given on 2024-05-02
    When the rules are evaluated on 2024-04-29
    Then the protocol check "ssa-long-acting" before cycle 3 is "<status>" by rule "<rule>"
    And the protocol check "ssa-long-acting" before cycle 3 says "2024-03-05"

    Examples:
      | status | rule                             |
      | ok     | protocol.ssa_long_acting.stopped |
