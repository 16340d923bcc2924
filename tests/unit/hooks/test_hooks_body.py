"""The fast reader of a hook call's body (orjson, ``cds.jsonio.loads_bounded``) gives exactly what the strict
reader (json with the hooks) gives: the same value, of the same types (a ReportedFloat where a number would
not print as written), or the same refusal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cds import jsonio
from cds.jsonio import MAX_DEPTH, JsonInputError, ReportedFloat, deeper_than, loads_bounded


def strict(data: bytes) -> Any:
    """What the service read before the fast path: the strict reader and the depth check."""
    value = jsonio._json_loads(data, strict=True)
    if deeper_than(value, MAX_DEPTH):
        raise JsonInputError(f"nested deeper than {MAX_DEPTH} levels")
    return value


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (a ReportedFloat keeps its text)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, ReportedFloat):
        return a.text == b.text
    return bool(a == b)


def outcome(reader: Any, data: bytes) -> tuple[str, Any]:
    try:
        return "value", reader(data)
    except JsonInputError as exc:
        return "refused", exc.reason


def assert_same_outcome(data: bytes) -> None:
    fast, slow = outcome(loads_bounded, data), outcome(strict, data)
    assert fast[0] == slow[0], (data[:200], fast, slow)
    if fast[0] == "value":
        assert same(fast[1], slow[1]), data[:200]
    else:
        assert fast[1] == slow[1]


NUMBER_LITERALS = ["0", "-0", "7", "740", "7.4", "7.40", "71.0", "-0.0", "0.10", "13.00", "1e3", "1E-2", "2.5e+1",
                   "12345678901234567", "123456789012345678901", "9" * 40, "0." + "1" * 40, "3.14159265358979323",
                   "100.0", "1234567890123456789.0", "7.18e-9", "7.18e-09", "1e-05", "0.00001", "1e+16",
                   "18446744073709551615", "18446744073709551616", "-9223372036854775808", "1000000000000000.0"]


@pytest.mark.parametrize("literal", NUMBER_LITERALS)
def test_every_kind_of_number_reads_as_the_strict_reader_reads_it(literal: str) -> None:
    assert_same_outcome(f'{{"valueQuantity": {{"value": {literal}}}, "n": [{literal}, 1]}}'.encode())


@pytest.mark.parametrize("data", [
    b'{"a": 1, "a": 2}', b'{"a": {"b": 1, "c": {"b": 2, "b": 3}}}', b'[NaN]', b'{"x": Infinity}', b'',
    b'\xef\xbb\xbf{"a": 1}', b'{"a": "\xed\xa0\x80"}', b'{"a": "\\ud800"}', b'{"a": "line\\nbreak", "b": "q\\"uote"}',
    b'{"a": "x\ny"}', b'{"a": 1} {"b": 2}', b'  [true, false, null]  ', b'"just text"', b'{"a": ":", "b": "::"}',
    b'{"k": "true", "e": "E", "v": [1.5, "1e5"]}', "{\"text\": \"\u00e9\u2028\"}".encode(),
    b"[" * MAX_DEPTH + b"]" * MAX_DEPTH, b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
    b'{"a": ' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1), b"[" * 2000 + b"]" * 2000, b"[" * 300 + b"]" * 300,
    "{\"a\": 1}".encode("utf-16"),
])
def test_edge_bodies_read_or_are_refused_as_by_the_strict_reader(data: bytes) -> None:
    assert_same_outcome(data)


def test_a_plain_fhir_body_takes_the_fast_path() -> None:
    data = json.dumps({"hook": "patient-view", "prefetch": {"labs": {"resourceType": "Bundle", "entry": [
        {"resource": {"resourceType": "Observation", "valueQuantity": {"value": 71.0, "unit": "kg"}}}]}}}).encode()
    assert jsonio._orjson_value(data) is not jsonio._SLOW
    assert_same_outcome(data)


def test_a_repeated_key_or_a_reported_literal_takes_the_strict_reader() -> None:
    assert jsonio._orjson_value(b'{"a": 1, "a": 1}') is jsonio._SLOW
    assert jsonio._orjson_value(b'{"value": 7.40}') is jsonio._SLOW
    [value] = loads_bounded(b"[7.40]")
    assert isinstance(value, ReportedFloat) and value.text == "7.40"


keys = st.sampled_from(["a", "b", "value", "id", "resourceType", "entry", "e", ":", "true", "x y"])
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**25), max_value=10**25),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
    st.sampled_from(NUMBER_LITERALS).map(lambda text: RawNumber(text)),
)


class RawNumber(str):
    """A number literal written as is."""


values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.lists(st.tuples(keys, inner), max_size=4),  # pairs: a key may repeat
), max_leaves=30)


def write(value: Any, spaced: bool) -> str:
    comma, colon = (", ", ": ") if spaced else (",", ":")
    if isinstance(value, RawNumber):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, tuple) for v in value) and value:
        return "{" + comma.join(json.dumps(k) + colon + write(v, spaced) for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + comma.join(write(v, spaced) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


@settings(max_examples=400, deadline=None)
@given(values, st.booleans())
def test_any_body_reads_as_the_strict_reader_reads_it(value: Any, spaced: bool) -> None:
    assert_same_outcome(write(value, spaced).encode("utf-8", "surrogatepass"))
