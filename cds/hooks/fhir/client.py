"""Fetch what a CDS client did not prefetch from its own FHIR server (CDS Hooks 2.0.1 "FHIR Resource Access").

Only the request's ``fhirServer`` is ever called, and only when the settings allow it (the global
``fhir_servers`` or the calling issuer's own list; nothing is allowed by default, so a caller's token
is never forwarded to a server it merely names). A server on a loopback, private or link-local
address is called only with ``fhir_allow_private_networks`` (checked on the literal address and on
what the host name resolves to). A Bundle's ``next`` link that leaves that server is not followed,
redirects are not followed, an answer over ``fhir_max_response_bytes`` or a search over
``fhir_max_pages`` pages is no data, and so is a search whose pages, all followed, hold fewer matches
than the ``total`` it states (cut short: not the whole record). The bearer token is sent as given and
never logged or kept.
Network I/O goes through the ``httpx.AsyncClient`` handed in, so tests use an ``httpx.MockTransport``
or a loopback server.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from typing import Any

import httpx

from cds.errors import ServiceError
from cds.jsonio import JsonInputError, loads

FHIR_JSON = "application/fhir+json"
BAD_SEVERITIES = frozenset({"error", "fatal"})


class DataUnavailable(ServiceError):  # an outcome the caller turns into "not available", not a program error
    """The data could not be had: an error status, an OperationOutcome, a timeout, a server not allowed."""


def has_errors(outcome: Any) -> bool:
    """Whether an OperationOutcome reports an error (information and warnings do not count)."""
    issues = outcome.get("issue") if isinstance(outcome, dict) else None
    if not isinstance(issues, list) or not issues:
        return True  # an OperationOutcome that says nothing is no data either
    return any(not isinstance(i, dict) or i.get("severity") in BAD_SEVERITIES for i in issues)


def split_page(bundle: dict[str, Any]) -> tuple[list[Any], str | None]:
    """The entries of a search page (OperationOutcome entries checked and dropped) and its next link.

    Raises DataUnavailable when an entry is an OperationOutcome reporting an error.
    """
    entries = bundle.get("entry")
    kept = []
    for entry in entries if isinstance(entries, list) else []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") == "OperationOutcome":
            if has_errors(resource):
                raise DataUnavailable("the search reported an error")
            continue
        kept.append(entry)
    return kept, next_link(bundle)


def search_matches(entries: list[Any]) -> int:
    """The entries a search's ``total`` counts: its matches, not the resources it included (``search.mode``
    "include") nor its outcomes."""
    count = 0
    for entry in entries:
        search = entry.get("search") if isinstance(entry, dict) else None
        if not (isinstance(search, dict) and search.get("mode") in ("include", "outcome")):
            count += 1
    return count


def stated_total(bundle: dict[str, Any]) -> int | None:
    """A search Bundle's ``total`` (the number of matches over all its pages), when it states one."""
    total = bundle.get("total")
    return total if isinstance(total, int) and not isinstance(total, bool) else None


def short_of_total(total: int | None, entries: list[Any]) -> bool:
    """Whether a search's entries, every page followed, are fewer than the ``total`` its Bundle states: the
    search was cut short (a client or server that returns one page without a ``next`` link), and what it
    holds is not the whole record."""
    return total is not None and search_matches(entries) < total


def next_link(bundle: dict[str, Any]) -> str | None:
    """The URL of a search page's ``next`` link (the last one, if it has several), else None."""
    links = bundle.get("link")
    following = None
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("relation") == "next" and isinstance(link.get("url"), str):
            following = link["url"]
    return following


def _normal_base(url: str) -> httpx.URL:
    parsed = httpx.URL(url)
    return parsed.copy_with(path=parsed.path.rstrip("/") + "/", query=None, fragment=None)


def on_server(url: str, base: str) -> bool:
    """Whether ``url`` is on the FHIR server whose base URL is ``base`` (scheme, host, port, path)."""
    try:
        target, root = httpx.URL(url), _normal_base(base)
    except (httpx.InvalidURL, TypeError, ValueError):
        return False
    return (target.scheme, target.host, target.port) == (root.scheme, root.host, root.port) and (
        target.path.startswith(root.path) or target.path + "/" == root.path
    )


def is_public(address: str) -> bool:
    """Whether an IP address is a public unicast one (not loopback, private, link-local, reserved ...)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def resolves_public(host: str) -> bool:
    """Whether every address ``host`` names is public. A name that does not resolve names none: the
    connection would fail anyway (and a test transport that needs no DNS still works)."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return is_public(host.strip("[]"))
    if host.lower().rstrip(".") == "localhost" or host.lower().endswith(".localhost"):
        return False
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return True
    return all(is_public(str(info[4][0])) for info in found)


class FhirClient:
    """Reads and searches on one request's FHIR server, following a search's pages."""

    def __init__(self, http: httpx.AsyncClient, *, page_size: int, max_pages: int,
                 allowed: Sequence[str] | None, allow_private: bool = False,
                 max_response_bytes: int = 10_000_000) -> None:
        self.http = http
        self.page_size = page_size
        self.max_pages = max_pages
        self.allowed = tuple(allowed or ())
        self.allow_private = allow_private
        self.max_response_bytes = max_response_bytes

    def may_call(self, base: str, also: Sequence[str] = ()) -> bool:
        """Whether ``base`` is on an allowed server: the global list or ``also`` (the caller's issuer's)."""
        if not base.startswith(("https://", "http://")):
            return False
        try:
            _normal_base(base)
        except (httpx.InvalidURL, TypeError, ValueError):
            return False
        return any(on_server(base, allowed) for allowed in (*self.allowed, *also))

    async def may_reach(self, url: str) -> bool:
        """Whether the host of ``url`` may be connected to (public, or private networks allowed)."""
        if self.allow_private:
            return True
        try:
            host = httpx.URL(url).host
        except (httpx.InvalidURL, TypeError, ValueError):
            return False
        return bool(host) and await resolves_public(host)

    def _url(self, base: str, relative: str) -> str:
        """``relative`` below ``base``; DataUnavailable when ``base`` is no URL httpx can parse (the request
        model checks only its scheme and host: "https://[::1/fhir" passes it)."""
        try:
            return str(_normal_base(base)) + relative.lstrip("/")
        except (httpx.InvalidURL, TypeError, ValueError):
            raise DataUnavailable("the fhirServer is not a URL that can be called") from None

    async def _fetch(self, url: str, headers: dict[str, str]) -> tuple[int, bytes]:
        """Status and body, the body read only up to ``max_response_bytes`` (DataUnavailable beyond)."""
        try:
            async with self.http.stream("GET", url, headers=headers) as response:
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_response_bytes:
                    raise DataUnavailable("the FHIR answer is larger than allowed")
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self.max_response_bytes:
                        raise DataUnavailable("the FHIR answer is larger than allowed")
                    chunks.append(chunk)
                return response.status_code, b"".join(chunks)
        except (httpx.HTTPError, httpx.InvalidURL, ValueError):
            raise DataUnavailable("the FHIR server could not be reached") from None

    async def _get(self, url: str, base: str, token: str | None,
                   also: Sequence[str] = ()) -> tuple[int, dict[str, Any] | None]:
        if not self.may_call(base, also) or not on_server(url, base):
            raise DataUnavailable("not on an allowed FHIR server")
        if not await self.may_reach(url):
            raise DataUnavailable("the FHIR server is on a private network, which is not allowed")
        headers = {"Accept": FHIR_JSON}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        status, raw = await self._fetch(url, headers)
        if status in (404, 410):
            return status, None
        try:
            body = loads(raw)
        except JsonInputError:
            raise DataUnavailable("the FHIR server did not answer with JSON") from None
        if status != 200:
            raise DataUnavailable(f"the FHIR server answered {status}")
        if not isinstance(body, dict) or not isinstance(body.get("resourceType"), str):
            raise DataUnavailable("the FHIR server did not answer with a resource")
        if body["resourceType"] == "OperationOutcome":
            raise DataUnavailable("the FHIR server answered with an OperationOutcome")
        return status, body

    async def read(self, base: str, relative: str, token: str | None,
                   also: Sequence[str] = ()) -> dict[str, Any] | None:
        """An instance read; ``None`` when the resource does not exist (no data)."""
        _, body = await self._get(self._url(base, relative), base, token, also)
        return body

    async def search(self, base: str, relative: str, token: str | None,
                     also: Sequence[str] = ()) -> dict[str, Any]:
        """A type search with ``_count``, every page followed, as one searchset Bundle."""
        separator = "&" if "?" in relative else "?"
        if "_count=" not in relative:
            relative = f"{relative}{separator}_count={self.page_size}"
        return await self.follow(base, {"resourceType": "Bundle", "type": "searchset"}, token,
                                 self._url(base, relative), also)

    async def follow(self, base: str, first: dict[str, Any], token: str | None,
                     following: str | None = None, also: Sequence[str] = ()) -> dict[str, Any]:
        """The entries of ``first`` and of every page after it (from its ``next`` link, or ``following``)."""
        entries, link = split_page(first)
        following = following or link
        total = stated_total(first)
        pages = 0
        while following is not None:
            pages += 1
            if pages > self.max_pages:
                raise DataUnavailable("the search has more pages than allowed")
            status, page = await self._get(following, base, token, also)
            if page is None or page.get("resourceType") != "Bundle":
                raise DataUnavailable(f"the search answered {status} without a Bundle")
            more, following = split_page(page)
            entries.extend(more)
            total = stated_total(page) if total is None else total
        if short_of_total(total, entries):
            raise DataUnavailable("the search answered fewer entries than its total")
        return {"resourceType": "Bundle", "type": "searchset", "total": search_matches(entries), "entry": entries}
