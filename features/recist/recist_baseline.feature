Feature: RECIST 1.1 baseline assessment and malformed tumour records
  RECIST 1.1 §3.1.1: a non-nodal lesion is measurable at >= 10 mm longest diameter, a lymph node at
  >= 15 mm short axis. §4.2: at most 5 target lesions, at most 2 per organ (all lymph nodes are one
  organ, EORTC RECIST FAQ). prrt-cds never re-selects targets: a lesion that is not measurable is
  followed as non-target, and a selection over the limits gives an NE target response, each with an
  issue. The baseline is the latest assessment on or before the first administration, with every
  assessment of other lesions within the 4 weeks before it (one baseline over several scans). Malformed
  tumour observations are issues and never produce a response they cannot support.

  Background:
    Given a female patient
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq

  Scenario Outline: <count> target lesions
    Given the target lesions measure:
      | lesion | site     | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver    | no   | 20         | 10         |
      | L2     | liver    | no   | 20         | 10         |
      | L3     | lung     | no   | 20         | 10         |
      | L4     | lung     | no   | 20         | 10         |
      | L5     | pancreas | no   | 20         | 10         |
      | L6     | <site6>  | no   | <size6>    | <size6>    |
    When the rules are evaluated
    Then the target response on 2024-03-04 is <response>
    And the rule is "<rule>"

    Examples:
      | count | site6  | size6 | response | rule                          |
      | 5     | kidney | -     | PR       | recist11.target.pr            |
      | 6     | kidney | 20    | NE       | recist11.target.ne_selection  |

  Scenario: More than five target lesions is an issue, not silently truncated
    Given the target lesions measure:
      | lesion | site     | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver    | no   | 20         | 10         |
      | L2     | liver    | no   | 20         | 10         |
      | L3     | lung     | no   | 20         | 10         |
      | L4     | lung     | no   | 20         | 10         |
      | L5     | pancreas | no   | 20         | 10         |
      | L6     | kidney   | no   | 20         | 10         |
    When the rules are evaluated
    Then there is an issue mentioning "6 target lesions (at most 5)"
    And the overall response on 2024-03-04 is NE

  Scenario Outline: <count> target lymph nodes (lymph nodes are one organ)
    Given the target lesions measure:
      | lesion | site        | node | 2024-01-02 | 2024-03-04 |
      | N1     | mesentery   | yes  | 20         | 5          |
      | N2     | mediastinum | yes  | 20         | 5          |
      | N3     | axilla      | yes  | <size3>    | <size3>    |
    When the rules are evaluated
    Then the target response on 2024-03-04 is <response>
    And the rule is "<rule>"

    Examples:
      | count | size3 | response | rule                         |
      | 2     | -     | CR       | recist11.target.cr           |
      | 3     | 20    | NE       | recist11.target.ne_selection |

  Scenario Outline: A baseline target of <size> mm <axis> is <kept>
    Given the target lesions measure:
      | lesion | site  | node   | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no     | 40         | 20         |
      | L2     | <site> | <node> | <size>    | <size>     |
    When the rules are evaluated
    Then the baseline sum on 2024-03-04 is <sum> mm

    Examples:
      | site      | node | size | axis             | kept                    | sum  |
      | lung      | no   | 10   | longest diameter | a target                | 50   |
      | lung      | no   | 9.9  | longest diameter | followed as non-target  | 40   |
      | mesentery | yes  | 15   | short axis       | a target                | 55   |
      | mesentery | yes  | 14.9 | short axis       | followed as non-target  | 40   |

  Scenario: A target lesion that is not measurable is followed as non-target, with an issue
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 40         | 0          |
      | L2     | lung  | no   | 8          | 8          |
    When the rules are evaluated
    Then there is an issue mentioning "is not measurable"
    And the target response on 2024-03-04 is CR
    And the non-target response on 2024-03-04 is non-CR/non-PD
    And the overall response on 2024-03-04 is PR

  Scenario: The baseline is the latest assessment on or before the first administration
    Given the target lesions measure:
      | lesion | site  | node | 2023-12-01 | 2024-01-08 | 2024-03-04 |
      | L1     | liver | no   | 60         | 40         | 28         |
    When the rules are evaluated
    Then there is no response on 2024-01-08
    And the baseline sum on 2024-03-04 is 40 mm
    And the target response on 2024-03-04 is PR
    And there is an issue mentioning "precedes the baseline assessment"

  Scenario: A baseline measured on two scans a few days apart keeps the lesions of both
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-01-05 | 2024-03-04 |
      | L1     | liver | no   | 40         | -          | 40         |
      | L2     | lung  | no   | -          | 20         | 10         |
    When the rules are evaluated
    Then the baseline sum on 2024-03-04 is 60 mm
    And the target response on 2024-03-04 is SD
    And the overall response on 2024-03-04 is SD
    And there is an issue mentioning "the baseline tumour assessment spans 2024-01-02, 2024-01-05"

  Scenario: A lesion recorded only more than 4 weeks before treatment makes every time point NE unless PD
    Given the target lesions measure:
      | lesion | site  | node | 2023-12-01 | 2024-01-05 | 2024-03-04 | 2024-05-06 |
      | L1     | liver | no   | 40         | -          | -          | -          |
      | L2     | lung  | no   | -          | 20         | 10         | 30         |
    When the rules are evaluated
    Then the baseline sum on 2024-03-04 is 20 mm
    And the target response on 2024-03-04 is PR
    And the overall response on 2024-03-04 is NE
    And the overall response on 2024-05-06 is PD
    And there is an issue mentioning "L1 (2023-12-01) recorded more than 28 days before the first administration"

  # A baseline that may not hold the whole tumour burden makes a time point NE unless PD; it shows no
  # disease by itself, so it cannot make disease "seen again" after a CR (RECIST 1.1 Table 3 footnote a).
  Scenario: After an investigator's CR, a time point of a baseline with a lesion outside its window and no disease seen is NE, not PD
    Given the target lesions measure:
      | lesion | site  | node | 2023-12-01 | 2024-01-05 | 2024-04-29 |
      | L1     | liver | no   | 40         | -          | -          |
      | L2     | lung  | no   | -          | 20         | 0          |
    And the investigator reported CR on 2024-03-04
    When the rules are evaluated
    Then the target response on 2024-04-29 is CR
    And the overall response on 2024-04-29 is NE
    And the rule is "recist11.overall.ne_ambiguous"
    And there is no issue mentioning "disease is seen on 2024-04-29"

  Scenario: A lymph node sent with both axes (mCODE TumorSize) is measured by its short axis
    Given a target lesion "L1" in the liver measuring 40 mm on 2024-01-02
    And a target lymph node "N1" in the mesentery measuring 22 x 12 mm on 2024-01-02
    And a target lesion "L1" in the liver measuring 20 mm on 2024-03-04
    And a target lymph node "N1" in the mesentery measuring 20 x 8 mm on 2024-03-04
    When the rules are evaluated
    Then the baseline sum on 2024-03-04 is 40 mm
    And there is an issue mentioning "N1 (12 mm short axis) is not measurable"
    And the target response on 2024-03-04 is PR
    And the non-target response on 2024-03-04 is CR
    And the overall response on 2024-03-04 is PR

  Scenario: A measurement without a unit is an issue and its lesion is not assessed
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 40         | 20         |
      | L2     | lung  | no   | 20         | -          |
    And a target lesion "L2" in the lung measuring 1 without a unit on 2024-03-04
    When the rules are evaluated
    Then there is an issue mentioning "unit"
    And the target response on 2024-03-04 is NE
    And the overall response on 2024-03-04 is NE

  # A baseline lesion whose measurement cannot be read is still part of the tumour burden: the
  # response is never read from the other lesions alone, even when that lesion cannot be read later either.
  Scenario: A baseline measurement without a unit: the time points are NE unless PD, never a response from the other lesions
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 | 2024-04-29 |
      | L1     | liver | no   | 40         | 20         | 60         |
    And a target lesion "L2" in the lung measuring 2 without a unit on 2024-01-02
    And a target lesion "L2" in the lung measuring 3 without a unit on 2024-03-04
    When the rules are evaluated
    Then there is an issue mentioning "unit"
    And the overall response on 2024-03-04 is NE
    And the overall response on 2024-04-29 is PD
    And the best overall response is PD (confirmed)

  Scenario: A baseline lesion of an implausible size: the time points are NE unless PD, never a response from the other lesions
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 | 2024-04-29 |
      | L1     | liver | no   | 40         | 20         | 60         |
      | L2     | lung  | no   | 2000       | 3000       | -          |
    When the rules are evaluated
    Then there is an issue mentioning "not plausible"
    And the overall response on 2024-03-04 is NE
    And the overall response on 2024-04-29 is PD
    And there is an issue mentioning "in the baseline assessment of 2024-01-02 cannot be used"

  Scenario: A measurement without a lesion identity is an issue and cannot stand in for a lesion
    Given the target lesions measure:
      | lesion | site  | node | 2024-01-02 | 2024-03-04 |
      | L1     | liver | no   | 40         | 20         |
      | L2     | lung  | no   | 20         | -          |
    And a target lesion without an identity measuring 10 mm on 2024-03-04
    When the rules are evaluated
    Then there is an issue mentioning "without a lesion identity"
    And the target response on 2024-03-04 is NE

  Scenario: No baseline assessment: no measured response
    Given the target lesions measure:
      | lesion | site  | node | 2024-03-04 | 2024-04-29 |
      | L1     | liver | no   | 40         | 20         |
    When the rules are evaluated
    Then there is an issue mentioning "no baseline tumour assessment"
    And the overall response on 2024-03-04 is NE
    And the best overall response is NE (confirmed)
