"""What a connection may hold before its request head is complete (issue 11: 7), on dateline's protocol.

On uvicorn's own httptools protocol a 16 MiB header was answered 200 (20 of them: +700 MB), a connection that
never sent a byte stayed open for ever, and 20,400 such sockets took every file descriptor until ``/healthz``
could not connect. Each test here failed that way on main before the guard (``dateline/live/protocol.py``).
"""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from dateline.live.protocol import DatelineHttpToolsProtocol
from tests.live.conftest import SseReader


@pytest.fixture
def guarded(monkeypatch):
    """Small limits, so the tests are quick: 8 KiB heads, 0.5 s to send one."""
    monkeypatch.setattr(DatelineHttpToolsProtocol, "max_head_bytes", 8 * 1024)
    monkeypatch.setattr(DatelineHttpToolsProtocol, "head_timeout", 0.5)
    return DatelineHttpToolsProtocol


def _address(server) -> tuple[str, int]:
    host, port = server.url.removeprefix("http://").split(":")
    return host, int(port)


def _answer(sock: socket.socket, timeout: float = 10) -> bytes | None:
    """Everything the server sends until it closes the connection; None if it is still open after ``timeout``."""
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return data


def test_an_oversized_head_is_refused_with_431_and_closed(guarded, edge_server, blog):
    with socket.create_connection(_address(edge_server)) as sock:
        sock.sendall(b"GET /live/%s/changes?after=0 HTTP/1.1\r\nhost: x\r\nx-big: " % blog.slug.encode())
        with pytest.raises((BrokenPipeError, ConnectionResetError)):  # noqa: PT012 - the server hangs up mid-send
            for _ in range(64):  # up to 1 MiB: far past the limit, never the whole head
                sock.sendall(b"a" * 16 * 1024)
                time.sleep(0.005)
        answer = _answer(sock)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 431 ")
    # A head under the limit is served as ever.
    ok = httpx.get(f"{edge_server.url}/live/{blog.slug}/changes?after=0", headers={"x-big": "a" * 6000})
    assert ok.status_code == 200


def test_a_431_is_sent_when_the_head_arrives_in_one_piece(guarded, edge_server, blog):
    with socket.create_connection(_address(edge_server)) as sock:
        sock.sendall(b"GET /live/%s/changes?after=0 HTTP/1.1\r\nhost: x\r\nx-big: %s"
                     % (blog.slug.encode(), b"a" * 12 * 1024))
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"), answer[:80]


def test_a_connection_that_sends_no_complete_head_is_closed(guarded, edge_server, blog):
    silent = socket.create_connection(_address(edge_server))
    trickling = socket.create_connection(_address(edge_server))
    trickling.sendall(b"GET /live/")
    for _ in range(3):  # a byte now and then does not keep a connection open
        time.sleep(0.2)
        try:
            trickling.sendall(b"x")
        except OSError:
            break
    # Closed by the server (b""), not still open when the read gives up (None).
    assert _answer(silent) == b"" and _answer(trickling) == b""
    silent.close()
    trickling.close()
    # A reader whose head was complete stays, however long it waits for news.
    reader = SseReader(f"{edge_server.url}/live/{blog.slug}/events").start()
    time.sleep(1)
    assert reader.error is None and not reader.ended
    reader.stop()


def test_near_the_descriptor_limit_idle_sockets_go_first(guarded, monkeypatch, edge_server, blog):
    """With a limit of 40 connections and a margin of 5, 60 idle sockets do not stop a reader or /healthz: the
    oldest idle ones are closed as new connections arrive, and the held reader is never one of them."""
    monkeypatch.setattr(DatelineHttpToolsProtocol, "head_timeout", 30.0)  # only the limit closes them here
    monkeypatch.setattr(DatelineHttpToolsProtocol, "fd_limit", 40)
    monkeypatch.setattr(DatelineHttpToolsProtocol, "fd_margin", 5)
    reader = SseReader(f"{edge_server.url}/live/{blog.slug}/events").start()
    idle = [socket.create_connection(_address(edge_server)) for _ in range(60)]
    time.sleep(0.3)
    assert httpx.get(f"{edge_server.url}/healthz", timeout=5).status_code == 200
    assert httpx.get(f"{edge_server.url}/live/{blog.slug}/changes?after=0", timeout=5).status_code == 200
    open_count = len(edge_server.server.server_state.connections)
    assert open_count <= 40 - 5, open_count
    assert all(_answer(sock, timeout=2) == b"" for sock in idle[:20])  # the oldest were dropped
    assert _answer(idle[-1], timeout=0.2) is None  # the newest still wait (until their head timeout)
    assert reader.error is None and not reader.ended
    reader.stop()
    for sock in idle:
        sock.close()


def test_a_head_that_ends_in_a_later_read_is_measured_whole(guarded, edge_server, blog):
    """The limit holds for a head that arrives in pieces and ends inside a read (review of issue 11: a head of
    twice the limit passed when its end came in the second chunk)."""
    with socket.create_connection(_address(edge_server)) as sock:
        sock.sendall(b"GET /live/%s/changes?after=0 HTTP/1.1\r\nhost: x\r\nx-a: %s\r\n"
                     % (blog.slug.encode(), b"a" * 7 * 1024))
        time.sleep(0.2)  # a separate read on the server
        sock.sendall(b"x-b: %s\r\n\r\n" % (b"b" * 6 * 1024))
        answer = _answer(sock)
    assert answer is not None and (answer == b"" or answer.startswith(b"HTTP/1.1 431 ")), answer[:60]


def test_a_body_that_stops_arriving_is_closed(guarded, monkeypatch, edge_server, blog):
    """A complete head promising a body, then silence: the connection would hold a task and a descriptor for ever
    (Django under ASGI waits for the whole body). Closed after ``body_timeout`` without a byte; a slow body that
    keeps coming is not cut (review of issue 11; it stayed open on main)."""
    monkeypatch.setattr(DatelineHttpToolsProtocol, "body_timeout", 0.5)
    head = (b"POST /api/v1/blogs HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
            b"content-length: 40\r\n\r\n")
    with socket.create_connection(_address(edge_server)) as stalled:
        stalled.sendall(head + b'{"title": ')
        assert _answer(stalled, timeout=5) == b""
    with socket.create_connection(_address(edge_server)) as slow:
        slow.sendall(head)
        body = b'{"title": "A slow but steady upload..."}'
        assert len(body) == 40
        for i in range(0, 40, 5):  # 8 pieces, 0.2 s apart: 1.6 s in all, never 0.5 s idle
            time.sleep(0.2)
            slow.sendall(body[i:i + 5])
        answer = _answer(slow, timeout=5)
    assert answer is None or answer.startswith(b"HTTP/1.1 401 "), answer[:60]  # None: kept alive after answering


def test_a_head_pipelined_behind_an_open_stream_is_bounded(guarded, edge_server, blog):
    """A reader's connection holds an SSE stream; the client then sends a request head that never ends. httptools
    buffered it all (32 MiB grew the process by 65 MB on main); now the connection closes past the head limit."""
    with socket.create_connection(_address(edge_server)) as sock:
        sock.sendall(b"GET /live/%s/events HTTP/1.1\r\nhost: x\r\naccept: text/event-stream\r\n\r\n"
                     % blog.slug.encode())
        sock.settimeout(5)
        assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"GET /live/%s/changes?after=0 HTTP/1.1\r\nhost: x\r\nx-big: " % blog.slug.encode())
        with pytest.raises((BrokenPipeError, ConnectionResetError)):  # noqa: PT012 - the server hangs up mid-send
            for _ in range(256):  # up to 4 MiB: far past the 8 KiB limit
                sock.sendall(b"a" * 16 * 1024)
                time.sleep(0.002)
