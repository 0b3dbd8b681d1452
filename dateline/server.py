"""``dateline serve``: uvicorn with uvloop and httptools, one process or N sharing one port.

The HTTP protocol is uvicorn's httptools protocol with lighter per-connection objects (dateline/live/protocol.py):
~7.4 KB per held SSE reader instead of ~9.6 KB, for 19,000 readers per process.

Shutdown: on SIGTERM uvicorn stops accepting connections and then waits for open responses to finish — which an
SSE stream never does. ``EdgeServer.shutdown`` therefore ends every open stream first (a final chunk, so
EventSource reconnects — to another process behind the balancer, or to this one once restarted — and resumes by
``Last-Event-ID``), and ``timeout_graceful_shutdown`` bounds whatever is left, so the process exits well within 5 s.

Workers: with ``--workers N`` (which needs Redis: see cli.py) a small supervisor binds the port once and starts N
processes that all accept on it, each an ``EdgeServer``. uvicorn's own supervisor would build plain ``Server``s.
The workers of one server share an id, under which they add up their metrics in Redis (shared_metrics.py).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import signal
import socket
import threading
import time
import uuid
from types import FrameType

import uvicorn

from dateline.live import shared_metrics
from dateline.live.app import close_all_streams
from dateline.live.protocol import DatelineHttpToolsProtocol

log = logging.getLogger("dateline.serve")

GRACEFUL_SHUTDOWN_SECONDS = 3  # plus ~0.2 s of uvicorn's own steps: well inside the 5 s the contract promises
LISTEN_BACKLOG = 4096  # 10,000 readers reconnecting after a restart arrive in a burst


class EdgeServer(uvicorn.Server):
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Stop accepting first, then end the streams, so no new stream starts after they were closed.
        for server in self.servers:
            server.close()
        close_all_streams()
        await super().shutdown(sockets)


def config(host: str, port: int, workers: int = 1) -> uvicorn.Config:
    from django.conf import settings

    # uvicorn believes X-Forwarded-For/-Proto from 127.0.0.1 unless told otherwise: anyone on the machine, or
    # anything a local proxy passes through, could then pick their address. Only the configured proxies count.
    trusted = settings.DATELINE_TRUSTED_PROXIES
    return uvicorn.Config(
        "dateline.asgi:application",
        host=host,
        port=port,
        loop="uvloop",
        http="dateline.live.protocol:DatelineHttpToolsProtocol",  # httptools, lighter per connection
        ws="none",
        lifespan="on",
        workers=workers,
        backlog=LISTEN_BACKLOG,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=",".join(trusted) or None,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        log_level=os.environ.get("DATELINE_LOG_LEVEL", "info").lower(),
    )


def raise_open_file_limit() -> int:
    """Every reader is a socket: lift the soft limit on open files to the hard limit (1024 is a common default)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else 1 << 20
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            return target
        except (ValueError, OSError):
            log.warning("could not raise the open file limit above %s", soft)
    return soft


def start_background_jobs() -> None:
    """Per-process jobs of a serving process: the scheduler that publishes scheduled posts on time."""
    import django

    django.setup()
    from dateline.coverage.scheduler import start_scheduler

    start_scheduler()


def guard_request_heads() -> None:
    """Bound what a connection may hold before its request head is complete (live/protocol.py): the head's size,
    the time to send it, and — near the open-file limit — the descriptors such connections take."""
    from django.conf import settings

    limit = raise_open_file_limit()
    DatelineHttpToolsProtocol.max_head_bytes = settings.DATELINE_MAX_HEAD_BYTES
    DatelineHttpToolsProtocol.head_timeout = settings.DATELINE_HEAD_TIMEOUT
    DatelineHttpToolsProtocol.body_timeout = settings.DATELINE_BODY_TIMEOUT
    DatelineHttpToolsProtocol.fd_limit = limit
    # Room for what is not a client: the database pool, Redis, logs, static files being sent.
    DatelineHttpToolsProtocol.fd_margin = max(64, limit // 20)


def serve(host: str, port: int, workers: int = 1) -> None:
    guard_request_heads()
    cfg = config(host, port, workers)
    if workers <= 1:
        start_background_jobs()
        EdgeServer(cfg).run()
        return
    sock = cfg.bind_socket()
    _supervise(cfg, sock, workers)


def _worker(cfg: uvicorn.Config, sock: socket.socket, group: str) -> None:
    shared_metrics.worker_group = group  # read by the live edge at startup
    guard_request_heads()  # a spawned process starts with the class defaults
    start_background_jobs()
    EdgeServer(cfg).run(sockets=[sock])


def _supervise(cfg: uvicorn.Config, sock: socket.socket, workers: int) -> None:
    """Start ``workers`` processes on one listening socket; restart one that dies; on SIGTERM/SIGINT stop them all."""
    context = multiprocessing.get_context("spawn")  # no fork after Django set up threads and connections
    stop = threading.Event()
    group = uuid.uuid4().hex  # this server's workers (a restarted worker joins its siblings again)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)

    def start() -> multiprocessing.process.BaseProcess:
        process = context.Process(target=_worker, args=(cfg, sock, group), daemon=False)
        process.start()
        log.info("started worker process %s", process.pid)
        return process

    processes = [start() for _ in range(workers)]
    while not stop.wait(0.5):
        for i, process in enumerate(processes):
            if not process.is_alive():
                log.warning("worker process %s exited with %s; starting another", process.pid, process.exitcode)
                processes[i] = start()
    for process in processes:
        if process.pid is not None and process.is_alive():
            os.kill(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACEFUL_SHUTDOWN_SECONDS + 1
    for process in processes:
        process.join(max(deadline - time.monotonic(), 0.1))
        if process.is_alive():
            process.kill()
            process.join()
    sock.close()
