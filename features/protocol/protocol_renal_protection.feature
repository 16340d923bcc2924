Feature: Amino-acid renal protection and the potassium before it (rules/protocol_checks.toml)
  The label asks for an amino-acid solution of L-lysine and L-arginine with every cycle, starting
  before Lutathera, and never reduced when Lutathera is reduced. The solution can raise the potassium
  (hyperkalaemia): the potassium is checked before it, graded by the CTCAE Hyperkalemia term of the
  CTCAE table in force; grade 1 (above the upper limit of normal) or higher is a warning. A potassium
  result counts for 14 days (potassium_max_age_days).

  Here two cycles were given and cycle 3 is decided on 2024-04-29.

  Background:
    Given a female patient born 1962-05-14
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq

  Scenario Outline: Amino acids for cycle 3: <record>
    An order on the day of cycle 2 (2024-03-04) is that cycle's, not cycle 3's. An infusion given counts
    on the day of the cycle or the day before (amino_acid_given_max_days = 1): one given on 2024-03-05,
    the day after cycle 2, was cycle 2's. LysaKare is 1000 mL (amino_acid_min_volume_ml); less is a
    reduced infusion.

    Given <record>
    When the rules are evaluated on 2024-04-29
    Then the protocol check "amino-acids" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | record                                                                           | status  | rule                            |
      | "LysaKare 25 g/25 g solution for infusion" was ordered on 2024-04-26             | ok      | protocol.amino_acids.recorded   |
      | "L-lysine HCl and L-arginine HCl infusion" was ordered on 2024-04-26 as 1000 mL  | ok      | protocol.amino_acids.recorded   |
      | "L-lysine HCl and L-arginine HCl infusion" was ordered on 2024-04-26 as 999 mL   | warning | protocol.amino_acids.reduced    |
      | "amino acid solution for renal protection" was given on 2024-04-29T07:30 as 500 mL | warning | protocol.amino_acids.reduced |
      | "amino acid solution for renal protection" was given on 2024-04-28T20:00 as 1000 mL | ok    | protocol.amino_acids.recorded |
      | "amino acid solution for renal protection" was given on 2024-04-27T20:00 as 1000 mL | unknown | protocol.amino_acids.none   |
      | "amino acid solution for renal protection" was given on 2024-03-05T07:30 as 1000 mL | unknown | protocol.amino_acids.none   |
      | "LysaKare 25 g/25 g solution for infusion" was ordered on 2024-03-04             | unknown | protocol.amino_acids.none       |
      | "LysaKare 25 g/25 g solution for infusion" was ordered without a date            | unknown | protocol.amino_acids.unreadable |

  Scenario Outline: No amino acids recorded for cycle 3: <status>
    Given the pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the protocol check "amino-acids" before cycle 3 is "<status>" by rule "<rule>"
    And the protocol check "amino-acids" before cycle 3 says "order it with every cycle"

    Examples:
      | status  | rule                      |
      | unknown | protocol.amino_acids.none |

  Scenario Outline: Potassium <value> mmol/L with an upper limit of 5.0 before cycle 3: <status>
    Given a potassium of <value> mmol/L with a lower limit of 3.5 and an upper limit of 5.0 on 2024-04-22
    When the rules are evaluated on 2024-04-29
    Then the protocol check "potassium" before cycle 3 is "<status>" by rule "<rule>"
    And the protocol check "potassium" before cycle 3 says "Hyperkalemia grade <grade> (CTCAE v5.0)"
    And the protocol check "potassium" before cycle 3 cites "Observation/"

    Examples:
      | value | grade | status  | rule                      |
      | 5.0   | 0     | ok      | protocol.potassium.normal |
      | 5.1   | 1     | warning | protocol.potassium.high   |
      | 6.2   | 3     | warning | protocol.potassium.high   |

  Scenario Outline: Two potassium results at the same moment, <first> then <second> mmol/L: <status>
    The higher grade decides, whichever result is listed first (or sorts first by its id).

    Given a potassium of <first> mmol/L with a lower limit of 3.5 and an upper limit of 5.0 on 2024-04-22
    And a potassium of <second> mmol/L with a lower limit of 3.5 and an upper limit of 5.0 on 2024-04-22
    When the rules are evaluated on 2024-04-29
    Then the protocol check "potassium" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | first | second | status  | rule                      |
      | 6.5   | 4.0    | warning | protocol.potassium.high   |
      | 4.0   | 6.5    | warning | protocol.potassium.high   |
      | 4.0   | 4.2    | ok      | protocol.potassium.normal |

  Scenario Outline: Potassium graded by CTCAE v6.0 when the site selects it: <value> mmol/L is <status>
    Given CTCAE version "6.0"
    And a potassium of <value> mmol/L with a lower limit of 3.5 and an upper limit of 5.0 on 2024-04-22
    When the rules are evaluated on 2024-04-29
    Then the protocol check "potassium" before cycle 3 is "<status>" by rule "<rule>"
    And the protocol check "potassium" before cycle 3 says "(CTCAE v6.0)"

    Examples:
      | value | status  | rule                      |
      | 5.0   | ok      | protocol.potassium.normal |
      | 5.1   | warning | protocol.potassium.high   |

  Scenario Outline: Potassium taken <age> days before cycle 3: <status>
    Given a potassium of 4.2 mmol/L with a lower limit of 3.5 and an upper limit of 5.0 on <day>
    When the rules are evaluated on 2024-04-29
    Then the protocol check "potassium" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | day        | age | status  | rule                        |
      | 2024-04-15 | 14  | ok      | protocol.potassium.normal   |
      | 2024-04-14 | 15  | unknown | protocol.potassium.outdated |

  Scenario Outline: A potassium that cannot be graded, or none: <status>
    Given <record>
    When the rules are evaluated on 2024-04-29
    Then the protocol check "potassium" before cycle 3 is "<status>" by rule "<rule>"

    Examples:
      | record                                      | status  | rule                        |
      | a potassium of 4.2 g/dL on 2024-04-22        | unknown | protocol.potassium.ungraded |
      | a potassium without a value on 2024-04-22    | unknown | protocol.potassium.ungraded |
      | a body weight of 70 kg on 2024-04-22         | unknown | protocol.potassium.none     |
