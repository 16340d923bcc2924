Feature: Overall survival in the cohort report
  Overall survival runs from the first PRRT administration to death; a living patient is censored at
  the data cut-off, by default the latest date of any of that patient's records. The median follows
  R's rule: the first time S(t) <= 0.5, the midpoint of a flat stretch at exactly 0.5.

  Scenario: Four deaths: S(t) is exactly 0.5 between the second and the third
    Given 4 patients first treated on 2024-01-01 who died 100, 200, 300 and 400 days later
    When the cohort report is built
    Then the median overall survival is 250 days

  Scenario: Six deaths: the median is not one event late even when S(t) = 0.5 is computed as 0.5000000000000001
    Given 6 patients first treated on 2024-01-01 who died 100, 200, 300, 400, 500 and 600 days later
    When the cohort report is built
    Then the median overall survival is 350 days

  Scenario: Living patients are censored at their last record
    Given 2 patients first treated on 2024-01-01 who died 100 and 300 days later
    And 2 patients first treated on 2024-01-01 who were last seen 200 and 400 days later
    When the cohort report is built
    Then 2 deaths and 2 censored patients enter the overall survival analysis
    And the median overall survival is 300 days

  Scenario: Too few deaths: the median is not reached, and no interval limit is made up
    Given 1 patients first treated on 2024-01-01 who died 100 days later
    And 4 patients first treated on 2024-01-01 who were last seen 400, 500, 600 and 700 days later
    When the cohort report is built
    Then the median overall survival is not reached
    And the symmetric 95% interval of the median overall survival is NA to NA months

  Scenario: A data cut-off censors the living on it and leaves out what happened after it
    Given these PRRT patients:
      | patient | sex    | born       | first cycle | cycles | outcome              |
      | p1      | female | 1960-03-01 | 2023-01-02  | 4      | died 2023-07-01      |
      | p2      | male   | 1955-07-20 | 2023-01-02  | 4      | died 2024-03-01      |
      | p3      | male   | 1962-11-02 | 2023-01-02  | 2      | last seen 2023-06-01 |
    And a data cut-off on 2024-01-31
    When the cohort report is built
    Then 1 patients died
    And 1 deaths and 2 censored patients enter the overall survival analysis
    And the overall survival at 12 months is 66.7%

  Scenario: A patient known to have died without a date is left out, and the report says so
    Given these PRRT patients:
      | patient | sex    | born       | first cycle | cycles | outcome              |
      | p1      | female | 1960-03-01 | 2023-01-02  | 4      | died, date unknown   |
      | p2      | male   | 1955-07-20 | 2023-01-02  | 4      | last seen 2024-01-02 |
    When the cohort report is built
    Then 1 patients died
    And p1 is left out of overall survival because "deceased without a date of death"
    And 0 deaths and 1 censored patients enter the overall survival analysis
