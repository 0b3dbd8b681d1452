"""The body limit under a real ASGI server (dateline/limits.py): 413 with a JSON error, before Django reads the body.

Django's test client goes through no ASGI server at all, so these tests speak raw HTTP/1.1 over a socket to
``dateline.asgi``'s app on uvicorn — with ``dateline serve``'s httptools protocol and with h11 — to control exactly
what a client sends and when: a declared ``Content-Length`` over the limit, a whole oversized body, and a chunked
body with no length at all. Each ends with a second request on the same connection, which only parses if the
refused body was drained rather than left in the stream.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from tests.live.conftest import run_server

LIMIT = 64 * 1024
PATHS = ["/api/v1/media", "/newsroom/login/"]
PROTOCOLS = ["dateline.live.protocol:DatelineHttpToolsProtocol", "h11"]


@pytest.fixture(params=PROTOCOLS, ids=["httptools", "h11"])
def port(request, transactional_db, settings) -> Iterator[int]:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT
    from dateline.asgi import django_application
    from dateline.broker import get_broker
    from dateline.changefeed import ChangeFeed
    from dateline.live.app import LiveEdge

    # ``dateline.asgi``'s Django (behind BodyLimit) under the live edge, on uvicorn in a thread
    with run_server(LiveEdge(django_application, source=ChangeFeed(), broker=get_broker()), http=request.param) as live:
        yield int(live.url.rsplit(":", 1)[1])


@pytest.fixture
def token(transactional_db) -> str:
    from dateline.accounts.models import ApiToken, User

    user = User.objects.create_user(username="desk", password="pw", role="editor")
    return ApiToken.issue(user, name="test")[1]


class Connection:
    """One keep-alive HTTP/1.1 connection: send raw bytes, read one response at a time."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk

    def response(self) -> tuple[int, dict[str, str], bytes]:
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(status_line.split()[1]), headers, body

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def conn(port) -> Iterator[Connection]:
    connection = Connection(port)
    yield connection
    connection.close()


def _head(method: str, path: str, *headers: str) -> bytes:
    return "\r\n".join([f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *headers, "", ""]).encode()


def _assert_413(response: tuple[int, dict[str, str], bytes], length: int | None = None) -> None:
    status, headers, body = response
    assert status == 413, (status, body[:300])
    assert headers["content-type"].startswith("application/json")
    error = json.loads(body)["error"]
    assert error["code"] == "payload_too_large"
    assert f"{LIMIT:,}" in error["message"]
    if length is not None:
        assert f"{length:,}" in error["message"]


def _assert_connection_still_serves(conn: Connection) -> None:
    """A follow-up request parses and is answered: the refused body did not stay in the stream."""
    conn.send(_head("GET", "/api/v1/blogs"))
    status, _, body = conn.response()
    assert status == 200, body[:300]
    assert json.loads(body)["items"] == []


@pytest.mark.parametrize("path", PATHS)
def test_a_declared_oversized_body_is_refused_before_it_is_sent(conn, path):
    """The 413 answers the headers alone: the client has not sent a byte of its body yet."""
    size = 4 * LIMIT
    conn.send(_head("POST", path, "Content-Type: application/json", f"Content-Length: {size}"))
    _assert_413(conn.response(), size)
    conn.send(b"x" * size)  # a client that does not read before sending still finishes and the server drops it
    _assert_connection_still_serves(conn)


@pytest.mark.parametrize("path", PATHS)
def test_an_oversized_body_sent_whole_gets_the_413_not_a_reset(conn, path):
    """A client that writes its whole body before reading (most do) reads the 413, not "connection reset"."""
    size = 4 * LIMIT
    conn.send(_head("POST", path, "Content-Type: application/octet-stream", f"Content-Length: {size}")
              + b"x" * size)
    _assert_413(conn.response(), size)
    _assert_connection_still_serves(conn)


def test_a_declared_body_past_ten_times_the_limit_is_answered_and_the_connection_closed(conn):
    """Draining a declared 10 GB upload costs more than a confused client: the 413 asks to close instead."""
    conn.send(_head("POST", "/api/v1/media", "Content-Type: application/json", f"Content-Length: {10**10}"))
    response = conn.response()
    _assert_413(response, 10**10)
    assert response[1].get("connection") == "close"


def test_a_client_expecting_100_continue_is_refused_without_sending_the_body(port):
    """``Expect: 100-continue`` with a body over the limit: 413 instead of 100, and the connection is closed
    (the client will not send the body, so the server must not wait for it)."""
    conn = Connection(port)
    try:
        conn.send(_head("POST", "/api/v1/media", "Content-Type: application/json",
                        f"Content-Length: {LIMIT + 1}", "Expect: 100-continue"))
        response = conn.response()
        _assert_413(response, LIMIT + 1)
        assert response[1].get("connection") == "close"
        assert not response[2].startswith(b"HTTP/1.1 100")
    finally:
        conn.close()


@pytest.mark.parametrize("path", PATHS)
def test_a_chunked_body_is_refused_once_it_passes_the_limit(conn, path):
    """No Content-Length: the bytes are counted as they arrive, and the 413 comes before the body has ended."""
    conn.send(_head("POST", path, "Content-Type: application/json", "Transfer-Encoding: chunked"))
    chunk = b"x" * 8192
    framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    sent = 0
    while sent <= LIMIT:
        conn.send(framed)
        sent += len(chunk)
    _assert_413(conn.response())  # read while the body is still open: no terminating chunk sent yet
    conn.send(framed * 4 + b"0\r\n\r\n")
    _assert_connection_still_serves(conn)


def test_a_chunked_body_within_the_limit_reaches_django(conn, token):
    """Counting does not get in the way: a chunked JSON body under the limit creates the media it describes."""
    body = json.dumps({"kind": "video", "url": "https://video.example/clip.mp4", "title": "Chunked clip",
                       "caption": "c" * 1000}).encode()
    conn.send(_head("POST", "/api/v1/media", "Content-Type: application/json", "Transfer-Encoding: chunked",
                    f"Authorization: Bearer {token}"))
    for start in range(0, len(body), 300):
        part = body[start:start + 300]
        conn.send(b"%x\r\n%s\r\n" % (len(part), part))
    conn.send(b"0\r\n\r\n")
    status, _, answer = conn.response()
    assert status == 201, answer[:300]
    assert json.loads(answer)["title"] == "Chunked clip"


def test_a_body_of_exactly_the_limit_is_not_refused_by_the_limit(conn, token):
    """The limit is inclusive: a body of ``LIMIT`` bytes reaches the view (which refuses it as bad JSON, 400)."""
    conn.send(_head("POST", "/api/v1/media", "Content-Type: application/json", f"Content-Length: {LIMIT}",
                    f"Authorization: Bearer {token}") + b"x" * LIMIT)
    status, _, body = conn.response()
    assert status == 400, body[:300]
    assert json.loads(body)["error"]["code"] == "malformed_json"


@pytest.mark.parametrize("values", [[b"12, 13"], [b"12", b"13"], [b"-1"]])
def test_a_malformed_content_length_is_400_json_before_the_app_runs(settings, values):
    """Servers differ in what they let through; whatever reaches the app with a length it cannot trust is refused."""
    import asyncio

    from dateline.limits import BodyLimit

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT
    called, sent = [], []

    async def app(scope, receive, send):
        called.append(scope)

    async def receive():
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/media",
             "headers": [(b"content-length", v) for v in values]}
    asyncio.run(BodyLimit(app)(scope, receive, send))
    assert not called
    assert sent[0]["status"] == 400
    assert json.loads(sent[1]["body"])["error"]["code"] == "bad_request"


def test_a_browser_posting_a_newsroom_form_gets_a_page_not_json(conn):
    """A reporter whose form upload is too large reads what happened and what to do, not a JSON error; API clients
    asking for HTML still get JSON (their error path is JSON everywhere)."""
    size = 4 * LIMIT
    accept = "Accept: text/html,application/xhtml+xml,*/*;q=0.8"
    conn.send(_head("POST", "/newsroom/login/", "Content-Type: multipart/form-data; boundary=x",
                    f"Content-Length: {size}", accept) + b"x" * size)
    status, headers, body = conn.response()
    assert status == 413 and headers["content-type"].startswith("text/html")
    page = body.decode()
    assert "too large" in page and f"{LIMIT:,}" in page and "Go back" in page
    conn.send(_head("POST", "/api/v1/media", "Content-Type: application/json", f"Content-Length: {size}", accept)
              + b"x" * size)
    _assert_413(conn.response(), size)
