"""The small condition grammar of the rule tables: ``name OP number``, joined by ``and``.

Used by the RECIST 1.1 and Lutathera tables; each table says which names it knows. (The CTCAE table
has its own grammar, with multiples of ULN / LLN / baseline: ``cds.ctcae_table``.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cds.engine import Comparator

_COMPARE = re.compile(r"^([a-z_]+(?::[a-z_]+)?) (<=|>=|==|<|>) (-?\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Comparison:
    field: str
    op: Comparator
    threshold: float

    def holds(self, value: float) -> bool:
        """Plain-Python reading of the comparison (the engine compiles the same one)."""
        t = self.threshold
        return {"<": value < t, "<=": value <= t, ">": value > t, ">=": value >= t, "==": value == t}[self.op]


def parse_comparison(text: str) -> Comparison | None:
    """One ``name OP number`` condition, or None when ``text`` is not one."""
    match = _COMPARE.match(text.strip())
    if match is None:
        return None
    return Comparison(match.group(1), match.group(2), float(match.group(3)))  # type: ignore[arg-type]
