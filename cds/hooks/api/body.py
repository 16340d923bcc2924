"""The JSON body of a hook call, read fast: exactly what ``cds.jsonio``'s strict reader gives.

The strict reader (``cds.jsonio.loads``) refuses duplicate keys, NaN and overlong numbers, and keeps
the literal of a number whose float would not print as written ("7.40" as a ``ReportedFloat``); with
the depth check (``MAX_DEPTH``) it cost some 4 ms of a 225 KiB patient-view body, in Python callbacks.
``parse_body`` reads the body with orjson instead when a few byte-level checks show that the result
is the same value, and hands every other body to the strict reader, which then gives its own value
or its own error. The fast path is taken only when:

- the body holds no backslash: no string has an escape, so every ``"`` opens or closes a string and
  what lies between the strings (the structure) is plain to see;
- orjson reads it (it refuses NaN, Infinity, a byte-order mark, bad UTF-8 and control characters in
  strings, as the strict reader does; each such body goes to the strict reader for its message);
- no number has an exponent, and the body is, but for whitespace, exactly what orjson writes of the
  value it read: then no key was repeated (orjson keeps the last), and every number is written as
  Python prints it ("71.0", never "7.40", nor an integer beyond 64 bits that orjson reads as a float),
  so the strict reader would give the same int or plain float;
- the brackets nest at most ``MAX_DEPTH`` levels.
"""

from __future__ import annotations

from typing import Any

import orjson

from cds.jsonio import MAX_DEPTH, JsonInputError, deeper_than, loads

_SLOW = object()  # the body needs the strict reader
_WHITESPACE = b" \t\n\r"  # JSON's whitespace
_BRACKETS = bytes.maketrans(b"{[}]", b"(())")
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"{}[]")


def parse_body(data: bytes) -> Any:
    """The parsed body; raises ``JsonInputError`` as ``cds.jsonio.loads`` (strict) does, or when the
    body nests deeper than ``MAX_DEPTH``."""
    value = _fast(data)
    if value is not _SLOW:
        return value
    body = loads(data)
    if deeper_than(body, MAX_DEPTH):
        raise JsonInputError(f"nested deeper than {MAX_DEPTH} levels")
    return body


def _fast(data: bytes) -> Any:
    if b"\\" in data:
        return _SLOW
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _SLOW
    structure = _structure(data)
    if _depth_above(structure, MAX_DEPTH):
        return _SLOW  # before orjson writes it back: it writes no more than 254 levels
    if b"e" in structure.replace(b"true", b"").replace(b"false", b"") or b"E" in structure:
        return _SLOW  # an exponent: orjson writes "1e-9" where Python writes "1e-09"
    # The body is what orjson writes of the value, but for whitespace: no key was repeated, and each
    # number is written as Python prints it (orjson's strings are the body's: no escape on either side).
    if data.translate(None, _WHITESPACE) != orjson.dumps(value).translate(None, _WHITESPACE):
        return _SLOW
    return value


def _structure(data: bytes) -> bytes:
    """What lies outside every string of JSON text without escapes (the even pieces between quotes)."""
    return b" ".join(data.split(b'"')[0::2])


def _depth_above(structure: bytes, limit: int) -> bool:
    """Whether the brackets of ``structure`` (well nested: orjson read it) nest more than ``limit`` deep.

    Each pass removes every empty pair, the innermost containers, so a tree of height h needs h passes."""
    brackets = structure.translate(_BRACKETS, _NOT_BRACKETS)
    for _ in range(limit):
        if not brackets:
            return False
        brackets = brackets.replace(b"()", b"")
    return bool(brackets)
