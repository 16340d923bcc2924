Feature: CDS Hooks: what a Lutathera order states beyond its dose
  The dose check reads more of an order than its dose: the rate it is infused at, how many
  administrations it orders, and whether it orders one at all. A change the card suggests never
  leaves an order that says two different things, never changes several cycles at once, and is never
  offered for an order that gives nothing.

  Here two cycles were given at full activity, and cycle 3 is due on 2024-04-29, 8 weeks after cycle 2.

  Background:
    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And the pre-cycle labs of 2024-01-02 are normal
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq

  Scenario: Accepting the reduction of an infusion ordered at 14.8 GBq/h halves the rate with the activity
    The infusion keeps its duration (30 minutes). Before, the reduced order read 3.7 GBq at 14.8 GBq/h,
    the rate of the 7.4 GBq infusion.

    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    And the other pre-cycle labs of 2024-04-01 are normal
    And the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq infused at 14.8 GBq/h is selected on 2024-04-29
    Then the service shows one card
    And the card says "Reduce Lutathera cycle 3 to 3.7 GBq (ordered 7.4 GBq)"
    And the accepted suggestion leaves an order that states 3.7 GBq wherever it stated the activity
    And the accepted suggestion leaves an order infused at 7.4 GBq/h

  Scenario: A rate of activity written in the order's text cannot be changed with certainty: no change offered
    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    And the other pre-cycle labs of 2024-04-01 are normal
    And the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq reading "7.4 GBq IV at 14.8 GBq/h" is selected on 2024-04-29
    Then the service shows one card
    And the card offers no change of the order
    And the suggestion removes the order
    And the card's details show "names a rate of infusion in an activity unit"

  Scenario: An order for 4 administrations every 8 weeks: each cycle needs its own check, and no change is offered
    The rules decide one cycle at a time, from the laboratory results before it. Before, the order got
    the reduce card alone, whose change kept the count of 4: accepted, four cycles of 3.7 GBq.

    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    And the other pre-cycle labs of 2024-04-01 are normal
    And the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq for 4 administrations every 8 weeks is selected on 2024-04-29
    Then the service shows 2 cards
    And a card says "Lutathera order for 4 administrations: each cycle needs its own check (cycle 3 checked)"
    And a card says "Reduce Lutathera cycle 3 to 3.7 GBq (ordered 7.4 GBq)"
    And no card offers a change of the order

  Scenario: An order for 4 full administrations when cycle 3 may proceed is not answered with silence
    Given the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq for 4 administrations every 8 weeks is signed on 2024-04-29
    Then the service shows one card
    And the card is warning
    And the card says "Lutathera order for 4 administrations: each cycle needs its own check"
    And the suggestion removes the order

  Scenario Outline: An order with status <status> gives nothing: no reduction offered, and the card says it was not checked
    Before, such an order got the reduce card with its recommended change, as if it ordered 7.4 GBq.

    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    And the other pre-cycle labs of 2024-04-01 are normal
    And the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq with status "<status>" is signed on 2024-04-29
    Then the service shows one card
    And the card is warning
    And the card says "Lutathera order not checked as an order to give cycle 3: its status is <status>"
    And the card offers no change of the order

    Examples:
      | status           |
      | entered-in-error |
      | cancelled        |
      | revoked          |
      | completed        |

  Scenario: An order saying not to give Lutathera when the rules allow cycle 3 is said, not left silent
    Before, the answer was empty, which reads as "the order agrees".

    Given the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq marked doNotPerform is signed on 2024-04-29
    Then the service shows one card
    And the card is warning
    And the card says "Lutathera order says not to give cycle 3 (doNotPerform)"
    And the card's details show "The rules allow cycle 3 at 7.4 GBq"
    And the card offers no change of the order

  Scenario: An order saying not to give Lutathera when the rules withhold cycle 3 agrees: information only
    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq marked doNotPerform is signed on 2024-04-29
    Then the service shows one card
    And the card is info
    And the card says "Lutathera order says not to give cycle 3 (doNotPerform)"
