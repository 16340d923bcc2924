Feature: Protocol checks on the Lutathera dose-check cards (order-sign, order-select)
  When a Lutathera order is signed, the checks before the cycle are made with the orders being
  signed: the amino-acid solution must be among them (or already recorded for the cycle). Every card
  of the dose check lists the checks in its extension; a check that warns adds a warning card, which
  offers the site's amino-acid order when the orders lack it. The dose card's change of the Lutathera
  order never touches the amino-acid order.

  Here two cycles were given at full activity, and cycle 3 is due on 2024-04-29.

  Background:
    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And the pre-cycle labs of 2024-01-02 are normal
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq
    And the pre-cycle labs of 2024-04-22 are normal

  Scenario Outline: Nothing dose-modifying and no amino-acid order: a warning card that adds it
    When a Lutathera order of 7.4 GBq is signed on 2024-04-29 without an amino-acid order
    Then the service shows one card
    And the card is warning
    And the card says "Before Lutathera cycle 3: check amino acids"
    And the card lists the protocol check "amino-acids" as "warning" by rule "<rule>"
    And the card suggests "Add the amino-acid renal protection order"
    And the suggested amino-acid order is the site's order for this patient
    And the card offers reasons to override it

    Examples:
      | rule                              |
      | protocol.amino_acids.not_ordered  |

  Scenario Outline: The amino acids ordered with the cycle at <volume> mL: <cards>
    When a Lutathera order of 7.4 GBq is signed on 2024-04-29 with an amino-acid order of <volume> mL
    Then the service shows <cards>
    And no suggestion changes the amino-acid order

    Examples:
      | volume | cards    |
      | 1000   | no card  |
      | 999    | one card |

  Scenario Outline: An amino-acid order that does not order them (<element> "<value>") is not the renal protection: <cards>
    Before, every drafted amino-acid MedicationRequest counted, whatever its status, intent or
    doNotPerform: one entered in error, cancelled or a proposal hid the missing renal protection.

    When a Lutathera order of 7.4 GBq is signed on 2024-04-29 with an amino-acid order of 1000 mL whose <element> is "<value>"
    Then the service shows <cards>

    Examples:
      | element      | value            | cards    |
      | status       | entered-in-error | one card |
      | status       | cancelled        | one card |
      | status       | revoked          | one card |
      | intent       | proposal         | one card |
      | intent       | plan             | one card |
      | doNotPerform | true             | one card |
      | status       | draft            | no card  |
      | status       | active           | no card  |
      | intent       | original-order   | no card  |
      | doNotPerform | false            | no card  |

  Scenario Outline: The card for an amino-acid order entered in error offers the site's amino-acid order
    When a Lutathera order of 7.4 GBq is signed on 2024-04-29 with an amino-acid order of 1000 mL whose status is "entered-in-error"
    Then the service shows one card
    And the card is warning
    And the card says "Before Lutathera cycle 3: check amino acids"
    And the card lists the protocol check "amino-acids" as "warning" by rule "<rule>"
    And the card suggests "Add the amino-acid renal protection order"

    Examples:
      | rule                              |
      | protocol.amino_acids.not_ordered  |

  Scenario Outline: A reduced amino-acid order is named on the warning card
    When a Lutathera order of 7.4 GBq is signed on 2024-04-29 with an amino-acid order of 500 mL
    Then the service shows one card
    And the card is warning
    And the card lists the protocol check "amino-acids" as "warning" by rule "<rule>"

    Examples:
      | rule                          |
      | protocol.amino_acids.reduced  |

  Scenario Outline: Reduce to 3.7 GBq with the amino acids ordered: the change leaves the amino acids as they are
    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    When a Lutathera order of 7.4 GBq is signed on 2024-04-29 with an amino-acid order of 1000 mL
    Then the service shows one card
    And the card says "Reduce Lutathera cycle 3 to 3.7 GBq (ordered 7.4 GBq)"
    And the suggested order has an activity of 3.7 GBq
    And no suggestion changes the amino-acid order
    And the card lists the protocol check "amino-acids" as "ok" by rule "<rule>"

    Examples:
      | rule                           |
      | protocol.amino_acids.recorded  |
