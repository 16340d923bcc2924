"""Strict JSON: duplicate keys, NaN, overlong numbers and bad bytes are refused with a content-free reason."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cds import jsonio
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


# The lenient mode's fast path (orjson) gives what json with the hooks gives, or leaves the text to it.
def _slow(data: bytes) -> Any:
    return json.loads(data, object_pairs_hook=jsonio._pairs, parse_int=jsonio._lenient_int,
                      parse_float=jsonio._lenient_float)


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return repr(a) == repr(b) and getattr(a, "text", None) == getattr(b, "text", None)
    return bool(a == b)


@pytest.mark.parametrize("text", [
    b'{"a": 1, "a" : 2}', b'{"a":1,"b":{"a":2,"a":3}}', b'{"v": 7.40}', b'{"v": 150.0}', b'{"v": 1e5}',
    b'{"v": -9223372036854775809}', b'{"v": 123456789012345678901234567890}', b'{"v": NaN}', b'[Infinity]',
    b'{"k\\"": 1, "k\\"": 2}', b'{"t": "2024-01-03T07:30:00.120Z", "n": 0.1}', b'{"v": [1, 2.50, -0.0]}',
    b'{"s": "\\ud800"}', b'"just a string"', b'{"u": "urn:uuid:1e5a", "x": 10.10}',
])
def test_the_fast_path_reads_as_json_does(text: bytes) -> None:
    try:
        expected = ("ok", _slow(text))
    except (JsonInputError, ValueError):
        expected = ("error", None)
    try:
        got = ("ok", loads(text, strict=False))
    except JsonInputError:
        got = ("error", None)
    assert expected[0] == got[0]
    assert _same(expected[1], got[1])


@settings(max_examples=300, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4),
    max_leaves=12,
), st.sampled_from([(",", ":"), (", ", ": "), (",", " : ")]), st.booleans())
def test_the_fast_path_agrees_with_json_on_any_value(value: Any, separators: tuple[str, str], ascii_only: bool) -> None:
    text = json.dumps({"v": value}, separators=separators, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    try:
        expected = _slow(text)
    except (JsonInputError, ValueError):
        return
    assert _same(loads(text, strict=False), expected)
