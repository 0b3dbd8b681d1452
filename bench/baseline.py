"""The yardstick: a bare asyncio + uvloop SSE broadcast server.

It answers any request on its port with SSE headers and keeps the transport; a line ``<seq>\\n`` on the control
port makes it encode one event once (a chunk of the same shape uvicorn writes) and ``transport.write`` the same
bytes to every reader. Nothing else: no framework, no parsing beyond the blank line, no per-reader work.

    python -m bench.baseline --port 8801 --control-port 8802
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time

import uvloop

HEADERS = (b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\ncache-control: no-cache\r\n"
           b"transfer-encoding: chunked\r\n\r\n")
readers: set[asyncio.Transport] = set()


class Reader(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if b"\r\n\r\n" in self.buffer:
            self.buffer = b""
            self.transport.write(HEADERS)  # type: ignore[attr-defined]
            readers.add(self.transport)  # type: ignore[arg-type]

    def connection_lost(self, exc: Exception | None) -> None:
        readers.discard(self.transport)  # type: ignore[arg-type]


class Control(asyncio.Protocol):
    def __init__(self, frame_bytes: int) -> None:
        self.frame_bytes = frame_bytes  # what each event costs on the wire, chunk framing included
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            seq = int(line)
            chunk = frame(seq, b"")
            chunk = frame(seq, b"x" * max(self.frame_bytes - len(chunk), 0))
            started = time.perf_counter()
            for transport in readers:
                transport.write(chunk)
            elapsed = time.perf_counter() - started
            self.transport.write(b"%d %f\n" % (len(readers), elapsed))  # type: ignore[attr-defined]


def frame(seq: int, padding: bytes) -> bytes:
    """One SSE event as an HTTP chunk, like Dateline's, with ``padding`` standing in for the post's JSON."""
    event = b'id: %d\nevent: post.published\ndata: {"html":"%s"}\n\n' % (seq, padding)
    return b"%x\r\n%s\r\n" % (len(event), event)


async def main(port: int, control_port: int, frame_bytes: int) -> None:
    loop = asyncio.get_running_loop()
    await loop.create_server(Reader, "127.0.0.1", port, backlog=4096)
    await loop.create_server(lambda: Control(frame_bytes), "127.0.0.1", control_port)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--control-port", type=int, required=True)
    parser.add_argument("--frame-bytes", type=int, default=3300, help="bytes per event on the wire")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    uvloop.run(main(args.port, args.control_port, args.frame_bytes))
