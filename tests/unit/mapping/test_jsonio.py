"""Strict JSON: duplicate keys, NaN, overlong numbers and bad bytes are refused with a content-free reason."""

from __future__ import annotations

import pickle

import pytest

from cds.jsonio import MAX_NUMBER_CHARS, JsonInputError, ReportedFloat, UnreadableNumber, deeper_than, loads


def test_plain_json_reads_as_usual() -> None:
    assert loads(b'{"a": [1, 2.5, "x", null, true]}') == {"a": [1, 2.5, "x", None, True]}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"patientId": "a", "patientId": "b"}', "duplicate key in a JSON object"),
        ('{"value": NaN}', "NaN is not JSON"),
        ('{"value": -Infinity}', "-Infinity is not JSON"),
        ('{"value": ' + "9" * 5000 + "}", f"a number longer than {MAX_NUMBER_CHARS} characters"),
        ('{"value": 1.' + "5" * 100 + "}", f"a number longer than {MAX_NUMBER_CHARS} characters"),
        ("{", "not JSON"),
        ("[" * 100_000 + "]" * 100_000, "JSON nested too deeply"),
    ],
)
def test_unacceptable_json_is_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(JsonInputError) as caught:
        loads(text)
    assert caught.value.reason == reason


def test_the_reason_never_quotes_the_input() -> None:
    with pytest.raises(JsonInputError) as caught:
        loads('{"secret-patient-name": 1, "secret-patient-name": 2}')
    assert "secret" not in str(caught.value)


def test_invalid_utf8_is_refused() -> None:
    with pytest.raises(JsonInputError) as caught:
        loads(b'{"a": "\xff"}')
    assert caught.value.reason == "not UTF-8 JSON"


def test_extra_data_is_told_apart_for_ndjson_detection() -> None:
    with pytest.raises(JsonInputError) as caught:
        loads('{"a": 1}\n{"b": 2}')
    assert caught.value.reason == "Extra data"


def test_lenient_mode_keeps_the_record_and_marks_the_one_unreadable_number() -> None:
    value = loads('{"a": ' + "9" * 5000 + ', "b": NaN, "c": 2}', strict=False)
    assert isinstance(value["a"], UnreadableNumber)
    assert "9" not in value["a"]
    assert value["b"] != value["b"]  # NaN: the mapping refuses it as a value
    assert value["c"] == 2


def test_lenient_mode_still_refuses_duplicate_keys() -> None:
    with pytest.raises(JsonInputError):
        loads('{"id": "a", "id": "b"}', strict=False)


def test_nesting_is_measured_without_recursion() -> None:
    value: dict[str, object] = {}
    inner = value
    for _ in range(99):
        inner["e"] = [{}]
        inner = inner["e"][0]  # type: ignore[index]
    assert deeper_than(value, 198)  # 100 objects and 99 arrays: 199 levels
    assert not deeper_than(value, 199)
    assert not deeper_than(7, 0)

@pytest.mark.parametrize("strict", [True, False])
def test_a_number_keeps_the_digits_it_was_written_with(strict: bool) -> None:
    """7.40 reads as the float 7.4 that remembers "7.40"; a float that prints as written stays plain."""
    kept, plain = loads("[7.40, 0.37]", strict=strict)
    assert isinstance(kept, ReportedFloat) and kept == 7.4 and kept.text == "7.40"
    assert type(plain) is float and plain == 0.37
    assert pickle.loads(pickle.dumps(kept)).text == "7.40"  # report workers receive it intact
