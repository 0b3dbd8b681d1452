"""Abuse benchmark: the resource attacks of issue 11 against a real ``dateline serve``, bounded, localhost only.

    python -m bench.abuse                   # SQLite (1 process), then PostgreSQL + Redis (--workers 2)
    python -m bench.abuse --only sqlite     # one set-up
    python -m bench.abuse --idle 3000 --writers 200 --uploads 4

Each set-up gets a temporary data directory (and for PostgreSQL a database of its own, dropped afterwards) and a
server started under ``prlimit --nofile=<--fd-limit>``, so the descriptor flood meets the limit at a size this
machine can open. Attacks, one after another:

* ``big headers``: ``--big`` connections each sending a 16 MiB header; held = answered 431 or closed before the
  whole header was sent (never served);
* ``idle flood``: ``--idle`` sockets that never send a byte, more than the server's descriptor limit; held = each
  ``/healthz`` and live-reader probe made during the flood connected and was answered;
* ``writer burst``: ``--writers`` concurrent POSTs of posts through the API; held = 201, or 503 with Retry-After;
* ``big uploads``: ``--uploads`` concurrent 40-megapixel JPEG uploads; held = 201 (or 503 with Retry-After).

For each it prints attempts, held, failed, the server's peak RSS (all its processes) and peak database connections
(PostgreSQL: ``pg_stat_activity`` for its database; SQLite: -). Record runs in docs/reliability.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.fanout import ROOT, load, stop

SLUG = "abuse"


@dataclass
class Row:
    setup: str
    attack: str
    attempts: int
    held: int
    failed: int
    peak_rss_mb: float
    peak_db: int | None
    rest_rss_mb: float = 0.0  # the baseline: the same server at rest, measured just before its attacks

    def line(self) -> str:
        db = "-" if self.peak_db is None else str(self.peak_db)
        ratio = self.peak_rss_mb / self.rest_rss_mb if self.rest_rss_mb else 0
        return (f"| {self.setup} | {self.attack} | {self.attempts} | {self.held} | {self.failed} | "
                f"{self.peak_rss_mb:.0f} ({ratio:.1f}x rest) | {db} |")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (a --workers supervisor's workers)."""
    pids, i = [pid], 0
    while i < len(pids):
        try:
            children = Path(f"/proc/{pids[i]}/task/{pids[i]}/children").read_text().split()
        except OSError:
            children = []
        pids += [int(c) for c in children]
        i += 1
    return pids


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class Sampler:
    """Peak RSS of the server's processes and peak connections to its database, sampled every 50 ms."""

    def __init__(self, pid: int, database: str | None) -> None:
        self.pid, self.database = pid, database
        self.peak_rss, self.peak_db = 0.0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        conn = None
        if self.database:
            import psycopg

            conn = psycopg.connect(self.database, autocommit=True)
            name = self.database.rsplit("/", 1)[1]
        while not self._stop.is_set():
            self.peak_rss = max(self.peak_rss, _rss_mb(_tree(self.pid)))
            if conn is not None:
                count = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> "
                                     "pg_backend_pid()", [name]).fetchone()[0]
                self.peak_db = max(self.peak_db, count)
            self._stop.wait(0.05)
        if conn is not None:
            conn.close()


class Server:
    def __init__(self, args: argparse.Namespace, setup: str, tmp: Path) -> None:
        self.args, self.setup = args, setup
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DATELINE_")}
        self.env.update(DATELINE_DATA_DIR=str(tmp), DATELINE_LOG_LEVEL="ERROR", PYTHONPATH=str(ROOT))
        self.database: str | None = None
        self.workers = 1
        if setup == "postgres":
            import psycopg

            name = f"dateline_abuse_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            self.database = args.postgres.rsplit("/", 1)[0] + f"/{name}"
            self.env.update(DATELINE_DATABASE_URL=self.database,
                            DATELINE_REDIS_URL=f"{args.redis}?channel=dateline-abuse-{uuid.uuid4().hex}")
            self.workers = 2
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def cli(self, *argv: str, stdin: str | None = None) -> str:
        return subprocess.run([sys.executable, "-m", "dateline.cli", *argv], env=self.env, check=True, cwd=ROOT,
                              input=stdin, capture_output=True, text=True).stdout.strip()

    def start(self) -> str:
        self.cli("manage", "migrate", "-v0")
        self.cli("user", "create", "abuser", "--role", "editor")
        token = self.cli("token", "create", "abuser").split()[-1]
        cmd = [sys.executable, "-m", "dateline.cli", "serve", "--port", str(self.port), "--workers", str(self.workers)]
        if shutil.which("prlimit"):
            cmd = ["prlimit", f"--nofile={self.args.fd_limit}:{self.args.fd_limit}", *cmd]
        self.process = subprocess.Popen(cmd, env=self.env, cwd=ROOT)
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert self.process.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        created = httpx.post(f"{self.url}/api/v1/blogs", headers={"Authorization": f"Bearer {token}"},
                             json={"title": "Abuse", "slug": SLUG}, timeout=10)
        assert created.status_code == 201, created.text
        return token

    def sampler(self) -> Sampler:
        assert self.process is not None
        return Sampler(self.process.pid, self.database)

    def close(self) -> None:
        if self.process is not None:
            stop(self.process)
        if self.database:
            import psycopg

            with psycopg.connect(self.args.postgres, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.database.rsplit("/", 1)[1]}" WITH (FORCE)')


# --- attacks ---------------------------------------------------------------------------------------------------

def big_headers(server: Server, count: int) -> tuple[int, int]:
    """``count`` connections at once, each sending a 16 MiB header in 64 KiB pieces."""
    def one(_: int) -> bool:
        piece = b"a" * 64 * 1024
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            try:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nx-big: ")
                for _ in range(256):
                    sock.sendall(piece)
                sock.sendall(b"\r\n\r\n")
            except OSError:
                return True  # refused before the whole header went: held
            try:
                answer = sock.recv(64)
            except OSError:
                return True
            return not answer.startswith(b"HTTP/1.1 200")

    with ThreadPoolExecutor(count) as pool:
        held = sum(pool.map(one, range(count)))
    return held, count - held


def _probe(server: Server) -> bool:
    """``/healthz`` answers, and a live reader connects and gets its stream."""
    try:
        if httpx.get(f"{server.url}/healthz", timeout=5).status_code != 200:
            return False
        with httpx.stream("GET", f"{server.url}/live/{SLUG}/events", timeout=5) as stream:
            return stream.status_code == 200
    except httpx.HTTPError:
        return False


def idle_flood(server: Server, count: int) -> tuple[int, int, int]:
    """Open ``count`` sockets that send nothing, probing the server every 250 sockets; returns (opened, held,
    failed) where held/failed count probes."""
    sockets: list[socket.socket] = []
    held = failed = 0
    try:
        for i in range(count):
            try:
                sockets.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
            except OSError:
                break
            if i % 250 == 249:
                if _probe(server):
                    held += 1
                else:
                    failed += 1
        ok = _probe(server)
        held, failed = held + ok, failed + (not ok)
        return len(sockets), held, failed
    finally:
        for sock in sockets:
            sock.close()


def _together(server: Server, token: str, count: int, send: Callable[[httpx.Client, int], httpx.Response],
              timeout: float) -> tuple[int, int]:
    """``count`` clients sending at once (a barrier); (held, failed): held is 201, or 503 with Retry-After."""
    barrier = threading.Barrier(count)

    def one(i: int) -> bool:
        with httpx.Client(base_url=server.url, timeout=timeout,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            barrier.wait()
            try:
                r = send(client, i)
            except httpx.HTTPError:
                return False
            return r.status_code == 201 or (r.status_code == 503 and "retry-after" in r.headers)

    with ThreadPoolExecutor(count) as pool:
        held = sum(pool.map(one, range(count)))
    return held, count - held


def writer_burst(server: Server, token: str, count: int) -> tuple[int, int]:
    return _together(server, token, count, lambda client, i: client.post(
        f"/api/v1/blogs/{SLUG}/posts", json={"headline": f"Burst {i}", "body": "<p>x</p>"}), timeout=60)


def _big_jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (7300, 5470), (40, 90, 140)).save(buffer, "JPEG", quality=80)  # 39.9 megapixels
    return buffer.getvalue()


def big_uploads(server: Server, token: str, count: int) -> tuple[int, int]:
    data = _big_jpeg()
    return _together(server, token, count, lambda client, i: client.post(
        "/api/v1/media", files={"file": (f"big{i}.jpg", data, "image/jpeg")}, data={"alt": "A big flat picture"}),
        timeout=120)


def run_setup(args: argparse.Namespace, setup: str) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="dateline-abuse-") as tmp:
        server = Server(args, setup, Path(tmp))
        try:
            token = server.start()
            label = "SQLite, 1 process" if setup == "sqlite" else "PostgreSQL + Redis, --workers 2"
            assert server.process is not None
            time.sleep(1)
            rest = _rss_mb(_tree(server.process.pid))
            with server.sampler() as s:
                held, failed = big_headers(server, args.big)
            rows.append(Row(label, "16 MiB headers", args.big, held, failed, s.peak_rss, s.peak_db or None))
            with server.sampler() as s:
                opened, held, failed = idle_flood(server, args.idle)
            rows.append(Row(label, f"idle sockets ({opened} opened, limit {args.fd_limit}); probes", held + failed,
                            held, failed, s.peak_rss, s.peak_db or None))
            with server.sampler() as s:
                held, failed = writer_burst(server, token, args.writers)
            rows.append(Row(label, "concurrent POSTs", args.writers, held, failed, s.peak_rss, s.peak_db or None))
            with server.sampler() as s:
                held, failed = big_uploads(server, token, args.uploads)
            rows.append(Row(label, "40-megapixel uploads", args.uploads, held, failed, s.peak_rss,
                            s.peak_db or None))
            for row in rows:
                row.rest_rss_mb = rest
                if setup == "sqlite":
                    row.peak_db = None
        finally:
            server.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--big", type=int, default=20, help="connections sending a 16 MiB header")
    parser.add_argument("--idle", type=int, default=3000, help="idle sockets to open")
    parser.add_argument("--fd-limit", type=int, default=2048, help="the server's RLIMIT_NOFILE (prlimit)")
    parser.add_argument("--writers", type=int, default=200)
    parser.add_argument("--uploads", type=int, default=4)
    parser.add_argument("--postgres", default=os.environ.get("DATELINE_TEST_POSTGRES_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # this side opens the idle sockets
    print(f"bench.abuse on {os.uname().nodename}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"load {load():.2f}, {os.cpu_count()} CPUs", flush=True)
    rows: list[Row] = []
    for setup in (["sqlite", "postgres"] if args.only is None else [args.only]):
        rows += run_setup(args, setup)
    print("\n| set-up | attack | attempts | held | failed | peak RSS, MB (x at rest) | peak DB connections |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(row.line())
    print(json.dumps([row.__dict__ for row in rows]), file=sys.stderr)


if __name__ == "__main__":
    main()
