"""A TCP → unix socket forwarder, run inside a namespace: ``python -m tests.deploy._forward HOST PORT SOCKET``.

The machine's PostgreSQL listens on 127.0.0.1 of the machine's own network namespace only, which the test's
hosts cannot reach; its unix socket is a file, and files are not network-namespaced. So this listens on the db
host's address and pipes each connection to the socket. Prints ``ready`` once listening; SIGTERM ends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            writer.close()


async def main(host: str, port: int, path: str) -> None:
    async def connection(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_unix_connection(path)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))

    server = await asyncio.start_server(connection, host, port)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
