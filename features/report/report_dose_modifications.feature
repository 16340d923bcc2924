Feature: Dose modifications in the cohort report
  The report counts, over the cycles given, those at the full activity (7.4 GBq) and at the reduced
  activity (3.7 GBq), each within a tolerance of 10%; the recommendation in force on the day each cycle
  was given, by action; the patients recommended to discontinue; the cycles given against the
  recommendation (deviations); and the days beyond the planned 8-week (56-day) interval between cycles.

  Each course has a normal pre-cycle panel (every result the Lutathera table requires, and a body
  weight) 7 days before each cycle, except where a scenario says otherwise.

  Background:
    Given these PRRT courses:
      | patient | first cycle | cycles (days after the first cycle: GBq) |
      | d1      | 2024-01-08  | 0: 7.4, 56: 7.4, 112: 7.4, 168: 7.4      |
      | d2      | 2024-02-05  | 0: 7.4, 56: 7.4                          |
      | d3      | 2024-03-04  | 0: 7.4, 70: 3.7                          |

  Scenario: Full and reduced cycles, the recommendations in force, and a delay
    When the cohort report is built
    Then 8 cycles were given, 7 at the full activity and 1 at the reduced activity
    And the recommendation in force was "proceed" for 8 cycles
    And 1 cycle was given against the recommendation, 1 of them "activity"
    And 5 intervals between cycles have a median delay of 0 days and a maximum of 14 days
    And report.json has the dose modifications of the contract

  Scenario: A cycle given while withheld is counted under withhold, and as a deviation
    Given d2 had a platelet count of 60 x10^9/L in the panel before cycle 2
    When the cohort report is built
    Then the recommendation in force was "proceed" for 7 cycles
    And the recommendation in force was "withhold" for 1 cycle
    And 2 cycles were given against the recommendation, 1 of them "given-while-withheld"

  Scenario: A cycle given without the required results: labs-needed, and a deviation
    Given d3 had no panel before cycle 1
    When the cohort report is built
    Then the recommendation in force was "labs-needed" for 1 cycle
    And 2 cycles were given against the recommendation, 1 of them "given-without-labs"

  Scenario Outline: The tolerance around the full and the reduced activity (<activity> GBq)
    Given these PRRT courses:
      | patient | first cycle | cycles (days after the first cycle: GBq) |
      | t1      | 2024-05-06  | 0: <activity>                            |
    When the cohort report is built
    Then the cycle at <activity> GBq counts as <counted>

    Examples: at and beyond 10% of 7.4 GBq (6.66-8.14) and of 3.7 GBq (3.33-4.07)
      | activity | counted |
      | 6.66     | full    |
      | 6.65     | other   |
      | 8.14     | full    |
      | 8.15     | other   |
      | 4.07     | reduced |
      | 4.08     | other   |
      | 3.33     | reduced |
      | 3.32     | other   |

  Scenario: A thrombocytopenia still present 16 weeks after the cycle was due: discontinued, and why
    Given these PRRT courses:
      | patient | first cycle | cycles (days after the first cycle: GBq) |
      | s1      | 2024-01-08  | 0: 7.4                                   |
    And s1 had a platelet count of 60 x10^9/L 49 days after the first cycle
    And s1 had a platelet count of 65 x10^9/L 200 days after the first cycle
    And a data cut-off on 2024-08-05
    When the cohort report is built
    Then 1 patient was recommended to discontinue, for "Toxicity requires a treatment delay of 16 weeks or more: discontinue permanently (Platelet count decreased grade 2)"
    And the recommendation in force was "proceed" for 9 cycles

  Scenario: No patient recommended to discontinue
    When the cohort report is built
    Then 0 patients were recommended to discontinue
