Feature: Protocol checks on the alert of the next cycle due (docs/outputs.md, protocol_checks)
  Every check is listed on the alert of the next cycle due, in the order of the output contract, with
  its status, its text, the rule that decided it, its source and verification status, and the FHIR
  resources it was drawn from. A cycle already given carries none, nor does a course whose planned
  cycles are all given.

  Scenario Outline: A prepared patient: every check <status>
    Given a female patient born 1962-05-14
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq
    And "octreotide LAR 30 mg IM" was given on 2024-03-05
    And "octreotide 100 micrograms s.c." was given on 2024-04-20T08:00
    And "LysaKare 25 g/25 g solution for infusion" was ordered on 2024-04-26 as 1000 mL
    And a potassium of 4.2 mmol/L with a lower limit of 3.5 and an upper limit of 5.0 on 2024-04-22
    When the rules are evaluated on 2024-04-29
    Then the protocol checks before cycle 3 are listed in the order ssa-long-acting, ssa-short-acting, pregnancy, amino-acids, potassium
    And the protocol check "ssa-long-acting" before cycle 3 is "<status>" by rule "protocol.ssa_long_acting.stopped"
    And the protocol check "ssa-short-acting" before cycle 3 is "<status>" by rule "protocol.ssa_short_acting.stopped"
    And the protocol check "pregnancy" before cycle 3 is "<status>" by rule "protocol.pregnancy.too_old"
    And the protocol check "amino-acids" before cycle 3 is "<status>" by rule "protocol.amino_acids.recorded"
    And the protocol check "potassium" before cycle 3 is "<status>" by rule "protocol.potassium.normal"
    And the text output lists the protocol check "potassium" as "<status>"

    Examples:
      | status |
      | ok     |

  Scenario Outline: Before cycle 1 the checks are made too: <check> is <status>
    Given a female patient born 1990-06-01
    And a serum hCG test "negative" on 2024-01-06
    When the rules are evaluated on 2024-01-08
    Then the protocol check "<check>" before cycle 1 is "<status>" by rule "<rule>"
    And the text output lists the protocol check "<check>" as "<status>"

    Examples:
      | check       | status  | rule                            |
      | pregnancy   | ok      | protocol.pregnancy.not_pregnant |
      | amino-acids | unknown | protocol.amino_acids.none       |
      | potassium   | unknown | protocol.potassium.none         |

  Scenario: A completed course carries no protocol checks
    Given a female patient born 1962-05-14
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq
    And PRRT cycle 3 was given on 2024-04-29 with 7.4 GBq
    And PRRT cycle 4 was given on 2024-06-24 with 7.4 GBq
    When the rules are evaluated on 2024-08-19
    Then no alert carries protocol checks
