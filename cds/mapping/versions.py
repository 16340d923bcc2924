"""One version of each resource: the same ``Type/id`` read more than once (an older export beside a newer
one, a history Bundle, the same data as NDJSON and as a Bundle) is one resource, not two.

- copies that are the same resource (identical JSON): one is read, silently;
- versions that differ and say which is newer (every copy has a numeric ``meta.versionId``, or every copy
  a ``meta.lastUpdated``): the newest is read, and each older one is named in an info issue;
- versions that differ and cannot be ordered: each is read as before (a Patient: the last read), with a
  warning, since which one is current cannot be told.

Before, every copy was read: a superseded platelet count of 70 beside its amended 160 reduced the cycle,
an exact duplicate doubled the toxicity counts, and a Patient's later death was lost to an older copy
read after it. A version that is entered-in-error still withdraws every version (``cds.mapping``).
A resource without an id is grouped under the reference its JSON gives it (``cds.mapping.fhir.ref_of``):
only exact copies of it are one resource.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from cds.mapping.fhir import Unusable, canonical_json, parse_instant, ref_of

Resource = Mapping[str, Any]
Note = tuple[Resource, str, str, int]  # the resource, the severity and message, the index of
# the first copy of that Type/id in the input (where the whole read meets the group)


def _meta(resource: Resource, name: str) -> Any:
    meta = resource.get("meta")
    return meta.get(name) if isinstance(meta, dict) else None


def _order(copies: Sequence[Resource]) -> list[tuple[Any, Resource]] | None:
    """The copies with the key that orders them, oldest first; None when they cannot all be ordered."""
    versions = [_meta(c, "versionId") for c in copies]
    if all(isinstance(v, str) and v.isdigit() for v in versions):
        return sorted(((int(v), c) for v, c in zip(versions, copies, strict=True)), key=lambda pair: pair[0])
    instants: list[tuple[datetime, Resource]] = []
    for copy in copies:
        try:
            instants.append((parse_instant(_meta(copy, "lastUpdated"))[0], copy))
        except Unusable:
            return None
    return sorted(instants, key=lambda pair: pair[0])


def _shown(key: Any) -> str:
    return f"lastUpdated {key.isoformat()}" if isinstance(key, datetime) else f"versionId {key}"


def current_versions(resources: Sequence[Resource]) -> tuple[list[int], list[Note]]:
    """The indices in ``resources`` of the one version of each ``Type/id`` to read (in input order), and the
    issues to report, in the order of each ``Type/id``'s first copy."""
    groups: dict[tuple[str, str], list[int]] = {}
    for index, resource in enumerate(resources):
        rid = resource.get("id")
        # a resource without an id is grouped by the reference its JSON gives it: only exact copies meet
        groups.setdefault((str(resource.get("resourceType")), rid if isinstance(rid, str) else ref_of(resource)),
                          []).append(index)
    dropped: set[int] = set()
    notes: list[Note] = []
    for indices in groups.values():
        if len(indices) < 2:
            continue
        copies = [resources[i] for i in indices]
        bodies = [canonical_json(c) for c in copies]
        distinct = list(dict.fromkeys(bodies))
        if len(distinct) == 1:
            dropped.update(indices[1:])
            continue
        firsts = [indices[bodies.index(body)] for body in distinct]
        dropped.update(i for i in indices if i not in firsts)
        ordered = _order([resources[i] for i in firsts])
        if ordered is None:
            notes.append((resources[firsts[-1]], "warning",
                          f"{len(firsts)} versions of this resource differ and none says which is newer "
                          "(meta.versionId or meta.lastUpdated on each): each is read as it comes", indices[0]))
            continue
        newest_key, newest = ordered[-1]
        if any(key == newest_key for key, _ in ordered[:-1]):  # two claim to be newest: which is current?
            notes.append((newest, "warning", f"two versions of this resource differ with the same "
                                             f"{_shown(newest_key)}: each is read as it comes", indices[0]))
        else:
            by_id = {id(resources[i]): i for i in firsts}
            dropped.update(by_id[id(older)] for _, older in ordered[:-1])
            notes.append((newest, "info", f"{len(ordered) - 1} older version(s) of this resource are not used; "
                                          f"the newest ({_shown(newest_key)}) is", indices[0]))
    return [i for i in range(len(resources)) if i not in dropped], notes
