"""The catch-up yardstick: a bare asyncio + uvloop HTTP/1.1 keep-alive server answering every request with one
fixed response (the bytes of a ``/changes`` answer, built once). No framework, no routing, no per-request work
beyond finding the end of the request head.

    python -m bench.static_responder --port 8803 --body-file /tmp/body.json
"""

from __future__ import annotations

import argparse
import asyncio
import resource
from pathlib import Path

import uvloop


class Responder(asyncio.Protocol):
    def __init__(self, response: bytes) -> None:
        self.response = response
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        count = buffer.count(b"\r\n\r\n")  # GET requests: no body; pipelined ones answered in order
        if count:
            self.transport.write(self.response * count)  # type: ignore[attr-defined]
            buffer = buffer[buffer.rfind(b"\r\n\r\n") + 4:]
        self.buffer = buffer


async def main(port: int, body: bytes) -> None:
    response = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                b"cache-control: public, max-age=2, stale-while-revalidate=30\r\n"
                b"content-length: %d\r\n\r\n%s" % (len(body), body))
    loop = asyncio.get_running_loop()
    await loop.create_server(lambda: Responder(response), "127.0.0.1", port, backlog=4096)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--body-file", type=Path, required=True)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    uvloop.run(main(args.port, args.body_file.read_bytes()))
