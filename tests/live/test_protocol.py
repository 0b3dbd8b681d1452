"""dateline's httptools protocol (dateline/live/protocol.py): lighter objects, same behaviour as uvicorn's."""

from __future__ import annotations

import socket

from dateline.coverage import actions
from dateline.live.protocol import LazyFlowControl, LightEvent, ListDeque

from .conftest import SseReader


def test_the_installed_uvicorn_takes_the_light_path(edge_server, editor, blog):
    reader = SseReader(f"{edge_server.url}/live/{blog.slug}/events").start()
    actions.create_post(editor, blog, headline="One")
    reader.wait_seq(1)
    [sub] = list(edge_server.edge.hub.channels[blog.slug].subscribers)
    [protocol] = [p for p in edge_server.server.server_state.connections if p.cycle is sub.cycle]
    assert type(protocol).__name__ == "DatelineHttpToolsProtocol"
    assert type(protocol.pipeline) is ListDeque
    assert type(protocol.flow) is LazyFlowControl and sub.cycle.flow is protocol.flow
    assert type(sub.cycle.message_event) is LightEvent
    assert sub.waiting in sub.cycle.message_event._waiters
    reader.stop()


def test_pipelined_requests_are_answered_in_order(edge_server, editor, blog):
    for n in range(3):
        actions.create_post(editor, blog, headline=f"Post {n}")
    host, port = edge_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        requests = b"".join(b"GET /live/%s/changes?after=%d HTTP/1.1\r\nhost: x\r\n\r\n" % (blog.slug.encode(), n)
                            for n in (0, 1, 2))
        sock.sendall(requests)
        sock.settimeout(10)
        data = b""
        while data.count(b"HTTP/1.1 200") < 3 or not data.endswith(b"]}"):
            data += sock.recv(65536)
    bodies = [part.split(b"\r\n\r\n", 1)[1] for part in data.split(b"HTTP/1.1 200")[1:]]
    assert [body.count(b'"seq":') - 1 for body in bodies] == [3, 2, 1]  # changes after 0, 1 and 2


def test_light_event_and_flow_control_behave_like_asyncio_and_uvicorn():
    import asyncio

    async def run():
        event = LightEvent()
        waiter = asyncio.ensure_future(event.wait())
        await asyncio.sleep(0)
        assert len(event._waiters) == 1 and not waiter.done()
        event.set()
        await asyncio.sleep(0)
        assert waiter.result() is True and not event._waiters
        event.clear()
        assert not event.is_set()

        class Transport:
            def pause_reading(self): ...
            def resume_reading(self): ...

        flow = LazyFlowControl(Transport())  # type: ignore[arg-type]
        await flow.drain()  # not paused: returns at once, no event made
        assert flow._is_writable_event is None
        flow.pause_writing()
        drain = asyncio.ensure_future(flow.drain())
        await asyncio.sleep(0)
        assert not drain.done()
        flow.resume_writing()
        await asyncio.sleep(0)
        assert drain.done() and not flow.write_paused
        flow.pause_reading()
        assert flow.read_paused
        flow.resume_reading()
        assert not flow.read_paused

    asyncio.run(run())
