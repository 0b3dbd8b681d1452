"""The fan-out fast path with the installed uvicorn: taken, valid on the wire, and safe for slow and gone readers.

``dateline serve`` runs uvicorn's httptools protocol; the hub writes each event to every reader as one pre-framed
HTTP chunk with ``transport.write`` (subscriber.py, "direct"). These tests pin down the assumptions that rests on:
the request cycle class and its attributes, the bytes on the wire (parsed by httpx/h11 and by a strict chunk
parser), the slow-reader backlog and the way back, and the request task waiting on one future instead of receive().
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import time

import httpx
import pytest

from dateline.coverage import actions
from dateline.live.event import Event
from dateline.live.subscriber import Subscriber

from .conftest import SseReader, db_state, replay, run_server
from .test_contract import _do_everything


def _subscribers(edge_server, slug: str) -> list[Subscriber]:
    return list(edge_server.edge.hub.channels[slug].subscribers)


def _on_server_loop(edge_server, fn):
    """Run ``fn()`` on the server's event loop thread and return its result."""
    async def call():
        return fn()
    return asyncio.run_coroutine_threadsafe(call(), edge_server.edge._loop).result(10)


def _wait(predicate, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _parse_chunked(raw: bytes) -> tuple[list[bytes], bool]:
    """Strict HTTP/1.1 chunked decoding: the chunks, and whether the terminating chunk was seen."""
    chunks, pos = [], 0
    while pos < len(raw):
        end = raw.index(b"\r\n", pos)
        size = int(raw[pos:end], 16)
        if size == 0:
            assert raw[end:end + 4] == b"\r\n\r\n"
            return chunks, True
        data = raw[end + 2:end + 2 + size]
        assert len(data) == size and raw[end + 2 + size:end + 4 + size] == b"\r\n", "malformed chunk"
        chunks.append(data)
        pos = end + 4 + size
    return chunks, False


def _open_raw(edge_server, slug: str, rcvbuf: int | None = None, query: str = "") -> tuple[socket.socket, bytes]:
    host, port = edge_server.url.removeprefix("http://").split(":")
    sock = socket.socket()
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.connect((host, int(port)))
    sock.sendall(f"GET /live/{slug}/events{query} HTTP/1.1\r\nhost: x\r\naccept: text/event-stream\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    return sock, head


def _read_until_closed(sock: socket.socket, timeout: float = 10) -> bytes:
    sock.settimeout(timeout)
    data = b""
    while chunk := sock.recv(1 << 16):
        data += chunk
        if data.endswith(b"0\r\n\r\n"):
            break
    return data


def test_the_direct_path_is_taken_with_the_installed_uvicorn(edge_server, editor, blog):
    reader = SseReader(f"{edge_server.url}/live/{blog.slug}/events").start()
    actions.create_post(editor, blog, headline="One")
    reader.wait_seq(1)
    [sub] = _subscribers(edge_server, blog.slug)
    assert sub.fast and sub.direct, "uvicorn's httptools cycle changed: the hub fell back to driving send()"
    assert type(sub.cycle).__module__ == "uvicorn.protocols.http.httptools_impl"
    assert sub.cycle.chunked_encoding is True and sub.backlog is None
    # The request task waits on one future registered on uvicorn's message event, not in receive().
    assert sub.watch is sub.cycle and sub.waiting in sub.cycle.message_event._waiters
    reader.stop()


def test_bytes_on_the_wire_are_valid_chunked_sse(edge_server, editor, blog):
    """httpx (h11) decodes the stream; a strict parser checks each event is one chunk and the stream ends cleanly."""
    for n in range(2):
        actions.create_post(editor, blog, headline=f"Before {n}")
    reader = SseReader(f"{edge_server.url}/live/{blog.slug}/events?after=0").start()
    sock, head = _open_raw(edge_server, blog.slug)
    assert head.startswith(b"HTTP/1.1 200") and b"transfer-encoding: chunked" in head.lower()
    _wait(lambda: len(_subscribers(edge_server, blog.slug)) == 2)
    for n in range(3):
        actions.create_post(editor, blog, headline=f"Live {n}")
    reader.wait_seq(5)
    assert [e.id for e in reader.events] == [1, 2, 3, 4, 5]
    assert all(e.json["seq"] == e.id for e in reader.events)
    edge_server.edge.close_streams()
    raw = _read_until_closed(sock)
    sock.close()
    chunks, terminated = _parse_chunked(raw)
    assert terminated, "no terminating chunk: the response did not end through uvicorn's send"
    assert chunks[0].startswith(b"retry: ")
    events = [c for c in chunks if c.startswith(b"id: ")]
    assert [int(c.split(b"\n", 1)[0][4:]) for c in events] == [3, 4, 5]
    assert all(c.endswith(b"\n\n") and c.count(b"\n\n") == 1 for c in events), "one event per chunk"
    reader.wait_for(lambda r: r.ended, timeout=3)
    assert reader.error is None


def test_a_slow_reader_takes_the_backlog_and_gets_everything_in_order(edge_server, editor, blog):
    actions.create_post(editor, blog, headline="One")
    sock, _ = _open_raw(edge_server, blog.slug, rcvbuf=4096)
    _wait(lambda: len(_subscribers(edge_server, blog.slug)) == 1)
    [sub] = _subscribers(edge_server, blog.slug)
    ch = edge_server.edge.hub.channels[blog.slug]
    big = "x" * 40_000

    def offer_many() -> bool:
        # Small socket buffers on both ends, so 20 × 40 KB pass the transport's high-water mark (writes paused).
        sub.transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        sub.limit = 4 << 20  # and do not drop it: this reader will catch up
        went_slow = False
        for seq in range(2, 22):
            ch.offer(Event(seq, "post.published", f'{{"seq":{seq},"html":"{big}"}}'))
            went_slow = went_slow or sub.backlog is not None
        return went_slow

    assert _on_server_loop(edge_server, offer_many), "the reader never went through the backlog"
    assert sub in ch.subscribers and not sub.closed
    sock.settimeout(10)
    data = b""
    while data.count(b"id: ") < 20:
        data += sock.recv(1 << 16)
    _wait(lambda: sub.backlog is None)  # caught up: back on the direct path
    assert sub.direct
    _on_server_loop(edge_server, lambda: ch.offer(Event(22, "post.published", '{"seq":22}')))
    while not data.endswith(b'data: {"seq":22}\n\n\r\n'):
        data += sock.recv(1 << 16)
    edge_server.edge.close_streams()
    data += _read_until_closed(sock)
    sock.close()
    chunks, terminated = _parse_chunked(data)
    assert terminated
    ids = [int(c.split(b"\n", 1)[0][4:]) for c in chunks if c.startswith(b"id: ")]
    assert ids == list(range(2, 23))


def test_a_reader_that_disconnects_leaves_at_once_without_errors(edge_server, editor, blog):
    errors: list[logging.LogRecord] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = errors.append  # type: ignore[method-assign]
    uvicorn_log = logging.getLogger("uvicorn.error")
    uvicorn_log.addHandler(handler)
    try:
        sock, _ = _open_raw(edge_server, blog.slug)
        _wait(lambda: len(_subscribers(edge_server, blog.slug)) == 1)
        with httpx.Client() as client:
            assert "dateline_live_readers 1" in client.get(f"{edge_server.url}/metrics").text
        sock.close()
        _wait(lambda: not _subscribers(edge_server, blog.slug), timeout=3)
        _wait(lambda: len(edge_server.server.server_state.tasks) == 0, timeout=3)  # the request task ended
        actions.create_post(editor, blog, headline="After")  # writes to nobody, fails nothing
    finally:
        uvicorn_log.removeHandler(handler)
    assert [r.getMessage() for r in errors] == []


@pytest.mark.parametrize("http", ["h11", "httptools"])
def test_on_uvicorns_own_protocols_the_stream_is_valid_too(transactional_db, editor, blog, http):
    """Plain uvicorn httptools: the direct path. h11 frames chunks through its own state machine: no direct writes
    there, the hub drives send() instead."""
    from dateline.asgi import django_application
    from dateline.broker import get_broker
    from dateline.changefeed import ChangeFeed
    from dateline.live.app import LiveEdge

    edge = LiveEdge(django_application, source=ChangeFeed(), broker=get_broker())
    with run_server(edge, http=http) as live:
        reader = SseReader(f"{live.url}/live/{blog.slug}/events").start()
        for n in range(3):
            actions.create_post(editor, blog, headline=f"{http} {n}")
        reader.wait_seq(3)
        [sub] = list(edge.hub.channels[blog.slug].subscribers)
        assert sub.fast and sub.backlog is None
        assert sub.direct is (http == "httptools")
        assert type(sub.send.__self__).__module__ == f"uvicorn.protocols.http.{http}_impl"
        assert sub.watch is not None  # waits on the cycle's event, not in receive()
        assert [e.id for e in reader.events] == [1, 2, 3]
        edge.close_streams()
        reader.wait_for(lambda r: r.ended, timeout=3)
        assert reader.error is None


def _complete_events(raw: bytes) -> list[dict]:
    """The SSE events that arrived whole on a connection that was cut: complete chunks only, complete events only."""
    payload, pos = b"", 0
    while (end := raw.find(b"\r\n", pos)) != -1:
        size = int(raw[pos:end], 16)
        if size == 0 or end + 4 + size > len(raw):
            break
        payload += raw[end + 2:end + 2 + size]
        pos = end + 4 + size
    events = []
    for block in payload.split(b"\n\n")[:-1]:  # the last piece is unterminated (or empty)
        fields = dict(line.split(b": ", 1) for line in block.split(b"\n") if line.startswith((b"id: ", b"data: ")))
        if b"id" in fields:
            events.append({"id": int(fields[b"id"]), "data": json.loads(fields[b"data"])})
    return events


def test_a_slow_reader_dropped_for_its_backlog_resumes_by_last_event_id_with_the_servers_state(
        edge_server, editor, blog, monkeypatch):
    """A reader that stops reading is dropped once its backlog passes the limit (the connection is aborted). It
    reconnects with the Last-Event-ID of the last whole event it got, as EventSource does, and ends with exactly
    the server's state: every change once, in order."""
    monkeypatch.setattr("dateline.live.subscriber.MAX_BACKLOG_BYTES", 64 * 1024)  # read when the reader connects
    _do_everything(editor, blog, 6)
    sock, _ = _open_raw(edge_server, blog.slug, rcvbuf=4096, query="?after=0")
    _wait(lambda: len(_subscribers(edge_server, blog.slug)) == 1)
    [sub] = _subscribers(edge_server, blog.slug)
    hub = edge_server.edge.hub
    _on_server_loop(edge_server, lambda: sub.transport.get_extra_info("socket").setsockopt(
        socket.SOL_SOCKET, socket.SO_SNDBUF, 4096))
    long_body = "<p>" + "A long post that a slow reader cannot keep up with. " * 400 + "</p>"  # ~20 KB
    for n in range(12):  # every kind of change, with long posts among them (~500 KB in all)
        actions.create_post(editor, blog, headline=f"Long {n}", body=long_body)
        _do_everything(editor, blog, 3)
    _wait(lambda: hub.metrics.dropped.value == 1 and sub.closed)
    assert not _subscribers(edge_server, blog.slug)
    sock.settimeout(2)
    raw = b""
    with contextlib.suppress(OSError):  # reset or timed out: the connection is gone
        while data := sock.recv(1 << 16):
            raw += data  # the body: _open_raw read the headers
    sock.close()
    before = _complete_events(raw)
    blog.refresh_from_db()
    assert [e["id"] for e in before] == list(range(1, len(before) + 1)) and len(before) < blog.seq
    resumed = SseReader(f"{edge_server.url}/live/{blog.slug}/events",
                        headers={"Last-Event-ID": str(before[-1]["id"] if before else 0)}).start()
    resumed.wait_seq(blog.seq)
    time.sleep(0.2)  # nothing more (no duplicates) arrives late
    events = [e["data"] for e in before] + [e.json for e in resumed.events]
    assert [e["seq"] for e in events] == list(range(1, blog.seq + 1))
    state, expected = replay(events), db_state(blog)
    assert (state["posts"], state["key_points"]) == (expected["posts"], expected["key_points"])
    resumed.stop()
