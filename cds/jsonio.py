"""Strict JSON parsing for every input: files, NDJSON lines, CDS Hooks request bodies.

Python's ``json`` accepts what FHIR and RFC 8259 interoperability do not: duplicate object keys (the
last one silently wins, so a second ``patientId`` could redirect an evaluation), the literals
``NaN`` / ``Infinity``, and numbers of any length (an integer of 5,000 digits raises a ``ValueError``
from deep inside ``int()``). Here each of those is a ``JsonInputError`` with a reason that names no
content, so callers can turn it into a per-resource issue or a 400 without leaking the payload.

Two modes. ``strict`` (CDS Hooks request bodies) refuses all of the above. The lenient mode (files
and NDJSON lines, where refusing a whole Bundle for one bad value would lose the rest of the record)
still refuses duplicate keys, but reads ``NaN`` / ``Infinity`` as floats and an overlong number as an
``UnreadableNumber`` (a ``str``), so that the mapping refuses that one value as a per-resource issue.
``loads_bounded`` (a CDS Hooks request body) is the strict mode that also refuses nesting deeper than
``MAX_DEPTH``. Both modes read with orjson where that gives the very value json with these checks gives,
and with json otherwise. The output half writes what ``json.dumps`` writes, at orjson's speed.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

import orjson

from cds.errors import InvalidInput

# Longest number literal accepted, in characters. A laboratory value, an activity or a dose never
# needs more than 15 significant digits plus sign, point and exponent; 32 leaves room for padding
# such as "7.400000000000000000" while keeping int()/float() far from their pathological sizes.
MAX_NUMBER_CHARS = 32


class JsonInputError(InvalidInput, ValueError):
    """The text is not acceptable JSON; ``reason`` never quotes the input."""

    def __init__(self, reason: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.column = column


class ReportedFloat(float):
    """A JSON number whose float would not print as written, as a float that keeps its literal (``text``).

    "7.40" and "7.4" are the same float; a laboratory value keeps the digits it was reported with
    ("7.40"), which say how precisely it was measured. Everything else reads it as a plain float.
    """

    __slots__ = ("text",)
    text: str

    def __new__(cls, text: str) -> ReportedFloat:
        number = super().__new__(cls, text)
        number.text = text
        return number

    def __getnewargs__(self) -> tuple[str]:  # type: ignore[override]
        return (self.text,)


class UnreadableNumber(str):
    """Stands in for a number literal too long to read; its text is the reason, never the digits."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise JsonInputError("duplicate key in a JSON object")
    return obj


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonInputError(f"a number longer than {MAX_NUMBER_CHARS} characters")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonInputError(f"a number longer than {MAX_NUMBER_CHARS} characters")
    return _number(text)  # may be inf for 1e999: the mapping refuses non-finite values


def _lenient_int(text: str) -> int | UnreadableNumber:
    if len(text) > MAX_NUMBER_CHARS:
        return UnreadableNumber(f"a number longer than {MAX_NUMBER_CHARS} characters")
    return int(text)


def _lenient_float(text: str) -> float | UnreadableNumber:
    if len(text) > MAX_NUMBER_CHARS:
        return UnreadableNumber(f"a number longer than {MAX_NUMBER_CHARS} characters")
    return _number(text)


def _number(text: str) -> float:
    """A plain float where its repr gives back the literal (most values: "0.37"), else a ReportedFloat
    ("7.40", "1e+30"), so that the digits are kept at little cost. Only a literal ending in 0 or
    written with an exponent can differ from its repr (short of more than 17 significant digits)."""
    number = float(text)
    if text[-1] != "0" and "e" not in text and "E" not in text:
        return number
    return number if repr(number) == text else ReportedFloat(text)


def _constant(name: str) -> Any:
    raise JsonInputError(f"{name} is not JSON")


# Deepest nesting a CDS Hooks request may have. FHIR resources in a prefetch nest about 10 levels (a
# Bundle entry's resource's component's code's coding); nested extensions add a few. An order nested
# hundreds of levels deep cannot be a real order, and copying it into a suggestion would exceed what
# Python and pydantic can walk: refuse it when it arrives.
MAX_DEPTH = 64


# The fast path of both modes: orjson parses several times faster than json with the hooks above, and its
# value is taken only when a few byte-level checks show it is the value json with the hooks would give:
# - no backslash: no string has an escape, so every '"' opens or closes a string and orjson's strings are
#   the text's, byte for byte;
# - orjson reads it (it refuses NaN, Infinity, a byte-order mark, bad UTF-8 and control characters in
#   strings: each such text goes to json, for its value or its reason);
# - the text is, but for whitespace, what orjson writes of the value: then no key was given twice (orjson
#   keeps the last one silently: its text would be shorter), no integer went past 64 bits (orjson reads it
#   as a float), and every number literal is the shortest form of its float, which json reads as a plain
#   float ("71.0", never "7.40"), except in exponent form (orjson 1e-7, Python 1e-07): such a text goes to
#   json;
# - for a request body (``loads_bounded``), the brackets nest at most MAX_DEPTH levels.
_SLOW = object()  # the text needs json with the hooks
_WHITESPACE = b" \t\n\r"  # JSON's whitespace
_EXPONENT = re.compile(rb"e[-+]\d")  # as orjson writes one (the text is what orjson writes, see below)
_DIGITS = frozenset(b"0123456789")
_MANTISSA = frozenset(b"0123456789.")
_BEFORE_NUMBER = frozenset(b":,[ \t\n\r")
_BRACKETS = bytes.maketrans(b"{[}]", b"(())")
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"{}[]")


def _has_exponent(data: bytes) -> bool:
    """Whether a number is written with an exponent: digits (and a point) after ':', ',', '[' or whitespace
    (an optional minus between), then e+ or e- and a digit. "3e-45ab" inside a uuid is not one."""
    for found in _EXPONENT.finditer(data):
        start = found.start()
        if start == 0 or data[start - 1] not in _DIGITS:
            continue
        while start > 0 and data[start - 1] in _MANTISSA:
            start -= 1
        if start > 0 and data[start - 1] == 0x2D:  # a minus sign
            start -= 1
        if start == 0 or data[start - 1] in _BEFORE_NUMBER:
            return True
    return False


def _text_deeper_than(data: bytes, limit: int) -> bool:
    """Whether the brackets of JSON text without escapes (well nested: orjson read it) nest more than
    ``limit`` deep. Each pass removes every empty pair, the innermost containers, so a tree of height h
    needs h passes."""
    brackets = b" ".join(data.split(b'"')[0::2]).translate(_BRACKETS, _NOT_BRACKETS)  # outside the strings
    for _ in range(limit):
        if not brackets:
            return False
        brackets = brackets.replace(b"()", b"")
    return bool(brackets)


def _orjson_value(data: bytes, depth: int | None = None) -> Any:
    """orjson's value of ``data`` if json with the hooks gives the same, else ``_SLOW``; with ``depth``, also
    ``_SLOW`` when the text nests deeper. (orjson writes no more than 254 levels, far within json's limit.)"""
    if b"\\" in data:
        return _SLOW
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _SLOW
    if depth is not None and _text_deeper_than(data, depth):
        return _SLOW
    try:
        written = orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError: nested too deeply to write back
        return _SLOW
    if written != data.strip(_WHITESPACE) and written.translate(None, _WHITESPACE) != data.translate(None, _WHITESPACE):
        return _SLOW
    return _SLOW if _has_exponent(data) else value


def loads(data: str | bytes | bytearray, *, strict: bool = True) -> Any:
    """Parse one JSON value; raises ``JsonInputError`` (a ``ValueError``) on what the mode refuses."""
    if isinstance(data, bytes):
        value = _orjson_value(data)
        if value is not _SLOW:
            return value
    return _json_loads(data, strict)


def loads_bounded(data: bytes) -> Any:
    """``loads`` (strict) of a CDS Hooks request body, refused when it nests deeper than ``MAX_DEPTH``."""
    value = _orjson_value(data, MAX_DEPTH)
    if value is not _SLOW:
        return value
    value = _json_loads(data, strict=True)
    if deeper_than(value, MAX_DEPTH):
        raise JsonInputError(f"nested deeper than {MAX_DEPTH} levels")
    return value


def _json_loads(data: str | bytes | bytearray, strict: bool) -> Any:
    try:
        if not strict:
            return json.loads(data, object_pairs_hook=_pairs, parse_int=_lenient_int, parse_float=_lenient_float)
        return json.loads(data, object_pairs_hook=_pairs, parse_int=_int, parse_float=_float,
                          parse_constant=_constant)
    except JsonInputError:
        raise
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            raise JsonInputError("Extra data", exc.lineno, exc.colno) from None
        raise JsonInputError("not JSON", exc.lineno, exc.colno) from None
    except UnicodeDecodeError:
        raise JsonInputError("not UTF-8 JSON") from None
    except RecursionError:
        raise JsonInputError("JSON nested too deeply") from None
    except ValueError:  # int()/float() refusals not caught above
        raise JsonInputError("a number that cannot be read") from None


def deeper_than(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether a parsed JSON value nests objects and arrays more than ``limit`` levels (no recursion)."""
    if not isinstance(value, (dict, list)):
        return False
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


# ---------------------------------------------------------------------------------------------------
# Output: a fast encoder (orjson) that writes what ``json.dumps(value, indent=2)`` writes, byte for byte
# ---------------------------------------------------------------------------------------------------
# orjson writes UTF-8 where json escapes every character outside ASCII (and DEL) as \uXXXX, so those are
# escaped after it. Its floats are the shortest round-trip digits, as Python's repr, except in exponent
# form and below 1e-4 (orjson 0.00001, Python 1e-05): a value so written, or a type orjson refuses (a str
# with a lone surrogate), is encoded by json instead. Non-finite floats never reach a document (the
# mapping refuses them).
# A number Python writes otherwise: in exponent form, or below 1e-4. Each pattern begins with the byte that
# stands before a number (a space in indented output, ':', ',' or '[' in compact output), so that the
# scan skips fast to the few places worth a look; a bare number (a whole text) is checked on its own.
_OTHERWISE = rb"-?(?:\d+(?:\.\d+)?[eE]|0\.0000)"
_AFTER_SPACE = re.compile(rb" " + _OTHERWISE)
_AFTER_PUNCTUATION = re.compile(rb"[:,\[]" + _OTHERWISE)
_NUMBER_START = b"-0123456789"


def _otherwise_indented(text: bytes) -> bool:
    """Whether indented orjson output holds a number Python writes otherwise. In indented output a number
    stands after '": ' or after a line's indentation (two spaces or more); unit text inside a string such
    as "x 10e9 /L" stands after a letter, and is passed over."""
    if text[:1] in _NUMBER_START:
        return True
    for found in _AFTER_SPACE.finditer(text):
        at = found.start()
        if text[at - 1:at] in (b" ", b"\n") or text[at - 2:at] == b'":':
            return True
    return False


def _otherwise_compact(text: bytes) -> bool:
    """Whether compact orjson output holds a number Python writes otherwise (text inside a string that
    looks so sends the value to json too: slower, never wrong)."""
    return text[:1] in _NUMBER_START or _AFTER_PUNCTUATION.search(text) is not None


def _ascii(text: bytes) -> bytes:
    """orjson's UTF-8 with every character outside ASCII, and DEL, escaped as json escapes them. The
    codec finds the characters to escape: on a 127 KB patient document 0.3-0.7 ms, where a regular
    expression over the bytes took 1.3-1.7 ms. DEL is ASCII and only stands inside a string."""
    if not text.isascii():
        text = text.decode("utf-8").encode("ascii", _JSON_ESCAPE)
    return text.replace(b"\x7f", b"\\u007f") if b"\x7f" in text else text


def _escape(error: UnicodeError) -> tuple[str, int]:
    """The codec's error handler: the characters it cannot write in ASCII, as json's \\uXXXX escapes
    (a character beyond the Basic Multilingual Plane as its UTF-16 surrogate pair)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    for char in error.object[error.start:error.end]:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out), error.end


_JSON_ESCAPE = "prrt-cds-json-escape"
codecs.register_error(_JSON_ESCAPE, _escape)


def _float_subclass(value: Any) -> Any:
    if isinstance(value, float):  # ReportedFloat: written as its float, as json writes it
        return float(value)
    raise TypeError


def dumps_indented(value: Any) -> bytes:
    """``json.dumps(value, indent=2)``, as ASCII bytes, at orjson's speed."""
    try:
        text = orjson.dumps(value, default=_float_subclass, option=orjson.OPT_INDENT_2)
    except TypeError:  # orjson.JSONEncodeError is one
        return json.dumps(value, indent=2).encode("ascii")
    if _otherwise_indented(text):
        return json.dumps(value, indent=2).encode("ascii")
    return _ascii(text)


def dumps_line(value: Any) -> bytes:
    """``json.dumps(value, separators=(",", ":"))``: one compact ASCII line (NDJSON), without the newline."""
    try:
        text = orjson.dumps(value, default=_float_subclass)
    except TypeError:
        return json.dumps(value, separators=(",", ":")).encode("ascii")
    if _otherwise_compact(text):
        return json.dumps(value, separators=(",", ":")).encode("ascii")
    return _ascii(text)


def indented(text: bytes, spaces: int) -> bytes:
    """An indented JSON text moved right by ``spaces``, as when it is nested in a larger document."""
    pad = b" " * spaces
    return pad + text.replace(b"\n", b"\n" + pad)
