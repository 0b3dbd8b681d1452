"""Catch-up benchmark: ``/live/<slug>/changes?after=<seq>`` requests/s against static baselines, in one run.

    python -m bench.catchup                       # 10 s per target, 64 keep-alive connections

Runs against 127.0.0.1 only: a ``dateline serve`` process (SQLite in a temporary directory, a blog with
``--posts`` changes) and ``bench/static_responder.py`` (bare asyncio + uvloop, one fixed response). Targets:

* ``changes?after=<latest>`` — what every up-to-date reader (or a CDN on its behalf) asks for;
* the same with ``If-None-Match`` — a shared cache revalidating (304);
* ``changes?after=<latest-10>`` — a reader 10 changes behind (served from the in-memory ring);
* ``/static/reader/embed.js`` — a static file, served by the same Dateline process (dateline/live/static.py);
* the bare responder, answering with the bytes of the ``after=<latest>`` response.

The load generator is ``wrk`` (Debian: ``apt-get install wrk``) when installed, else an asyncio keep-alive client
in this process (slower: it is then partly the bottleneck; the ratios still compare like with like). The server
under test is pinned to CPU 0 and the load generator to CPU 1 (``--no-pin`` to turn off).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import uvloop

from bench.fanout import CLIENT_CPU, ROOT, load, pinned, stop, wait_for_quiet, wait_port


def wrk(url: str, args: argparse.Namespace, headers: dict[str, str]) -> float:
    cmd = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.duration}s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    if args.pin:
        cmd = ["taskset", "-c", str(CLIENT_CPU), *cmd]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise RuntimeError(out)
    return float(match.group(1))


class KeepAlive(asyncio.Protocol):
    """One keep-alive connection sending the same GET again as soon as each response has arrived."""

    def __init__(self, request: bytes, until: float, counter: list[int], done: asyncio.Future[None]) -> None:
        self.request, self.until, self.counter, self.done = request, until, counter, done
        self.buffer = b""
        self.need = -1

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        transport.write(self.request)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if self.need < 0:
                head_end = self.buffer.find(b"\r\n\r\n")
                if head_end < 0:
                    return
                head = self.buffer[:head_end].lower()
                status = int(head[9:12])
                if status >= 400:
                    raise RuntimeError(f"status {status}")
                length = re.search(rb"content-length: (\d+)", head)
                self.need = head_end + 4 + (int(length.group(1)) if length and status != 304 else 0)
            if len(self.buffer) < self.need:
                return
            self.buffer = self.buffer[self.need:]
            self.need = -1
            self.counter[0] += 1
            if time.monotonic() >= self.until:
                self.transport.close()
                if not self.done.done():
                    self.done.set_result(None)
                return
            self.transport.write(self.request)  # type: ignore[attr-defined]


async def python_client(url: str, args: argparse.Namespace, headers: dict[str, str]) -> float:
    parsed = httpx.URL(url)
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = f"GET {parsed.raw_path.decode()} HTTP/1.1\r\nhost: 127.0.0.1\r\n{extra}\r\n".encode()
    loop = asyncio.get_running_loop()
    counter = [0]
    started = time.monotonic()
    until = started + args.duration
    dones = []
    for _ in range(args.connections):
        done = loop.create_future()
        dones.append(done)
        await loop.create_connection(lambda d=done: KeepAlive(request, until, counter, d), "127.0.0.1", parsed.port)
    await asyncio.wait_for(asyncio.gather(*dones), args.duration + 30)
    return counter[0] / (time.monotonic() - started)


async def rate(url: str, args: argparse.Namespace, headers: dict[str, str] | None = None) -> float:
    headers = headers or {}
    with httpx.Client() as client:  # check the answer first: a benchmark of errors is worthless
        status = client.get(url, headers=headers).status_code
        assert status in (200, 304), f"{url}: {status}"
    if shutil.which("wrk") and not args.python_client:
        return await asyncio.to_thread(wrk, url, args, headers)
    return await python_client(url, args, headers)


async def main(args: argparse.Namespace) -> None:
    if args.pin and (os.cpu_count() or 1) >= 2 and len(os.sched_getaffinity(0)) >= 2 and shutil.which("taskset"):
        os.sched_setaffinity(0, {CLIENT_CPU})
    else:
        args.pin = False
    tool = "wrk" if shutil.which("wrk") and not args.python_client else "asyncio client"
    print(f"nproc={os.cpu_count()} pinned={'server CPU 0, client CPU 1' if args.pin else 'no'} client={tool} "
          f"connections={args.connections} duration={args.duration}s load average before: "
          f"{tuple(round(x, 2) for x in os.getloadavg())}", flush=True)
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="dateline-catchup-") as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("DATELINE_DATABASE_URL", "DATELINE_REDIS_URL")}
        env.update(DATELINE_DATA_DIR=tmp, DATELINE_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
        subprocess.run([sys.executable, "-m", "dateline.cli", "manage", "migrate", "-v0"], env=env, check=True)
        slug = f"catchup-{uuid.uuid4().hex[:6]}"
        publisher = subprocess.Popen([sys.executable, "-m", "bench._publisher", slug], env=env, cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert publisher.stdin and publisher.stdout
        assert publisher.stdout.readline().strip() == b"ready"
        publisher.stdin.write(b"go\n" * args.posts)
        publisher.stdin.flush()
        latest = 0
        for _ in range(args.posts):
            latest = int(publisher.stdout.readline().split()[0])
        publisher.kill()
        publisher.wait()

        port, bare_port = args.port, args.port + 3
        base = f"http://127.0.0.1:{port}"
        targets = {
            "changes after=latest": f"{base}/live/{slug}/changes?after={latest}",
            "changes after=latest, 304": f"{base}/live/{slug}/changes?after={latest}",
            "changes after=latest-10": f"{base}/live/{slug}/changes?after={max(latest - 10, 0)}",
            "static file (same server)": f"{base}/static/reader/embed.js",
        }
        for r in range(args.rounds):
            await wait_for_quiet(args)
            server = subprocess.Popen(pinned([sys.executable, "-m", "dateline.cli", "serve", "--port", str(port)],
                                             args.pin), env=env)
            try:
                await wait_port(port)
                with httpx.Client() as client:
                    first = client.get(targets["changes after=latest"])
                    etag = first.headers["etag"]
                    body = first.content
                for name, url in targets.items():
                    headers = {"If-None-Match": etag} if name.endswith("304") else {}
                    results.setdefault(name, []).append(await rate(url, args, headers))
            finally:
                stop(server)
            body_file = Path(tmp) / "body.json"
            body_file.write_bytes(body)
            bare = subprocess.Popen(pinned([sys.executable, "-m", "bench.static_responder", "--port", str(bare_port),
                                            "--body-file", str(body_file)], args.pin), cwd=ROOT)
            try:
                await wait_port(bare_port)
                results.setdefault("bare asyncio responder", []).append(
                    await rate(f"http://127.0.0.1:{bare_port}/", args))
            finally:
                stop(bare)
            print(f"  round {r + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}/s" for k, v in results.items())
                  + f"; load(1m) {load():.2f}", flush=True)
    best = {name: max(values) for name, values in results.items()}  # best of rounds: least disturbed by others
    static, bare_rate = best["static file (same server)"], best["bare asyncio responder"]
    print(f"{'target':28s} {'requests/s':>11s}  {'vs static':>9s}  {'vs bare':>8s}   (best of {args.rounds} rounds)")
    for name, value in best.items():
        print(f"{name:28s} {value:11,.0f}  {value / static:9.2f}  {value / bare_rate:8.2f}")
    print(f"load average after: {tuple(round(x, 2) for x in os.getloadavg())}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per target")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--posts", type=int, default=30)
    parser.add_argument("--python-client", action="store_true", help="use the asyncio client even if wrk is here")
    parser.add_argument("--no-pin", dest="pin", action="store_false")
    parser.add_argument("--wait-load", type=float, default=2.0)
    parser.add_argument("--wait-max", type=float, default=60)
    parser.add_argument("--port", type=int, default=8790)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    uvloop.run(main(args))
