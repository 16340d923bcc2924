"""What the live service's log holds: the path of each request without its query (a token in a query
string never reaches the log), and no traceback or ERROR for a client that goes away."""

from __future__ import annotations

import socket

import hooks_support as hs
import httpx


def test_the_access_log_never_holds_a_query_string(client: httpx.Client, live: hs.SharedService) -> None:
    marker = hs.distinct("query-secret")
    response = client.get(f"/cds-services?access_token={marker}")
    assert response.status_code == 401
    assert hs.wait_for(lambda: '"GET /cds-services HTTP/1.1" 401' in live.service.log_text())
    assert marker not in live.service.log_text()


def test_a_client_that_disconnects_mid_body_leaves_no_error(live: hs.SharedService) -> None:
    host, port = live.service.url.removeprefix("http://").split(":")
    path = "/cds-services/prrt-toxicity/feedback"
    token = hs.signers()["ES384"].token(live.service.url + path)  # authenticated: the body is then read
    before = live.service.log_text().count("the client went away")
    errors = live.service.log_text().count("ERROR"), live.service.log_text().count("Traceback")
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                    "Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n{\"feedback\": [".encode())
    assert hs.wait_for(lambda: live.service.log_text().count("the client went away") > before)
    log = live.service.log_text()
    assert (log.count("ERROR"), log.count("Traceback")) == errors
