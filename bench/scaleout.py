"""Scale-out benchmark: readers held and publish->receive latency on one process, on ``--workers 2`` behind nginx,
and through Pushpin; then wrk req/s for what readers load, direct and through nginx.

    .venv/bin/python -m bench.scaleout            # 10,000 readers (a), 20,000 (b), 10,000 (c); wrk 10 s per URL
    .venv/bin/python -m bench.scaleout --quick    # 2,000 readers everywhere, fewer events, wrk 3 s

In one run, each beside the bare asyncio loop (bench/baseline.py) with as many processes, measured the same way:

(a) one ``dateline serve`` process, readers connected directly; beside one baseline process.
(b) ``dateline serve --workers 2`` behind Debian's nginx with the shipped config (deploy/nginx/dateline.conf via
    deploy/procs/nginx.py, 2 nginx workers); beside two baseline processes behind the same nginx config.
(c) one ``dateline serve`` behind Debian's Pushpin with the shipped deploy/pushpin settings, at 1,000 and at
    ``--readers-c`` readers (bench/grip.py ``ameasure``: readers held and refused, latency, the origin's CPU per
    publish); beside one baseline process holding as many readers directly.

Publishes go through the origin's API (bench/_publisher.py ``api``): latency is from the request sent to the event
received, every (event, reader). Readers are asyncio protocols (bench/fanout.py) in reader processes of at most
8,000 each (a 20,000 open-file limit), and nginx runs 4 workers for (b): it holds two sockets per reader. No pinning:
nginx, two workers and the client share the two cores, as they would on a 2-core box.

wrk (Debian's ``wrk``): the reader page, its ``.json``, the Atom feed and ``/changes`` on the (b) origin directly and
through nginx, beside a static file (the stylesheet) that nginx answers from its cache.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import uvloop

from bench.fanout import BaselineSide, DatelineSide, Reader, Result, load, open_readers, stop, wait_port
from bench.grip import descendants, group_cpu
from deploy.procs.nginx import Nginx, free_port, nginx_binary

ROOT = Path(__file__).resolve().parents[1]


# nginx holds two sockets per reader: 4 workers keep each well inside a 20,000 open-file limit at 20,000 readers.
NGINX_WORKERS = 4
READERS_PER_CLIENT = 8000  # each client process stays well inside a 20,000 open-file limit


def raise_file_limit() -> int:
    """The soft limit up to the hard one (raising the hard limit needs CAP_SYS_RESOURCE, which a container lacks)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


async def client_main(port: int, path: bytes, n: int) -> None:
    """A reader process: hold ``n`` streams, say ready, and on "report" print every arrival as JSON."""
    arrivals: dict[int, list[float]] = {}
    transports = await open_readers(port, path, n, arrivals)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    sys.stdout.write(json.dumps(arrivals) + "\n")
    sys.stdout.flush()
    for transport in transports:
        transport.abort()


async def open_clients(port: int, path: bytes, n: int) -> list[asyncio.subprocess.Process]:
    """``n`` readers held by as many client processes as the open-file limit needs."""
    count = -(-n // READERS_PER_CLIENT)
    clients = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.scaleout", "--client", str(port), path.decode(), str(n // count),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, limit=1 << 30) for _ in range(count)]
    for client in clients:
        assert client.stdout
        line = await client.stdout.readline()
        if line.strip() != b"ready":
            raise RuntimeError(f"a reader process did not get its streams: {line!r}")
    return clients


async def collect(clients: list[asyncio.subprocess.Process], arrivals: dict[int, list[float]]) -> None:
    for client in clients:
        assert client.stdin and client.stdout
        client.stdin.write(b"report\n")
        await client.stdin.drain()
        for seq, times in json.loads(await client.stdout.readline()).items():
            arrivals.setdefault(int(seq), []).extend(times)
        await client.wait()


class Workers(DatelineSide):
    """``dateline serve --workers N`` (Redis between the workers)."""

    def __init__(self, args: argparse.Namespace, tmp: Path, workers: int) -> None:
        super().__init__(args, tmp)
        self.workers = workers

    def start(self) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "dateline.cli", "serve", "--port", str(self.port),
                                 "--workers", str(self.workers)], env=self.env)


class Baselines:
    """N bare asyncio loops; a publish goes to all of them (each holds its share of the readers)."""

    name = "baseline"

    def __init__(self, args: argparse.Namespace, n: int) -> None:
        self.sides = []
        for _ in range(n):
            port = free_port()
            side = BaselineSide(argparse.Namespace(**{**vars(args), "port": port}))
            side.port, side.control_port = port, free_port()
            self.sides.append(side)
        self.port = self.sides[0].port

    def start(self) -> list[subprocess.Popen]:
        return [side.start() for side in self.sides]

    async def publish(self) -> tuple[int, float]:
        done = await asyncio.gather(*(side.publish() for side in self.sides))
        return done[0][0], min(stamp for _, stamp in done)


async def measure(label: str, start, publish, reader_ports: list[int], path: bytes, readers: int,
                  args: argparse.Namespace, proxy: Nginx | None = None) -> Result:
    """Fresh servers (``start``), ``readers`` split over ``reader_ports``, warm-up events, then counted events."""
    load_before = load()
    servers = start()
    servers = servers if isinstance(servers, list) else [servers]
    transports: list[asyncio.Transport] = []
    clients: list[asyncio.subprocess.Process] = []
    result = Result(label, readers)
    try:
        for port in reader_ports:
            await wait_port(port)
        await asyncio.sleep(1)
        arrivals: dict[int, list[float]] = {}
        sample: list[Reader] = []
        transports += await open_readers(reader_ports[0], path, 1, {}, sample)
        share = readers // len(reader_ports)
        for port in reader_ports:
            clients += await open_clients(port, path, share)
        for _ in range(args.warmup):
            await publish()
            await asyncio.sleep(args.interval)
        published: dict[int, float] = {}
        bytes_before = sample[0].received
        # CPU of each part while the counted events go out: who spends the two cores.
        groups = {"servers": [p for s in servers for p in descendants(s.pid)],
                  "readers": [c.pid for c in clients]}
        if proxy is not None and proxy.process is not None:
            groups["nginx"] = descendants(proxy.process.pid)
        cpu_before = {name: group_cpu(pids) for name, pids in groups.items()}
        started = time.monotonic()
        for _ in range(args.events):
            seq, stamp = await publish()
            published[seq] = stamp
            await asyncio.sleep(args.interval)
        elapsed = time.monotonic() - started
        cpu = {name: group_cpu(pids) - cpu_before[name] for name, pids in groups.items()}
        await asyncio.sleep(2)
        await collect(clients, arrivals)
        result.readers = sum(len(times) for times in arrivals.values()) // max(len(arrivals), 1)
        result.add(arrivals, published, 0.0, (load_before, load()))
        args.frame_bytes = (sample[0].received - bytes_before) // max(len(published), 1)
        print("  " + result.line(label).split(" memory=")[0] + f" in {len(clients)} reader processes", flush=True)
        print("    CPU while the counted events went out (cores busy, of 2): " + ", ".join(
            f"{name} {seconds / elapsed:.2f}" for name, seconds in cpu.items()), flush=True)
    finally:
        for transport in transports:
            transport.abort()
        for client in clients:
            if client.returncode is None:
                client.kill()
                await client.wait()
        for server in servers:
            stop(server)
        await asyncio.sleep(1)
    return result


def wrk(url: str, seconds: int) -> float:
    out = subprocess.run(["wrk", "-t2", "-c64", f"-d{seconds}s", url], capture_output=True, text=True).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        print(f"    ({non2xx[1]} non-2xx answers from {url})")
    return float(found[1]) if found else float("nan")


async def main(args: argparse.Namespace) -> None:
    if not nginx_binary():
        sys.exit("nginx not installed: apt-get install -y nginx")
    limit = raise_file_limit()
    print(f"nproc={os.cpu_count()} open files={limit} readers: (a) {args.readers_a} (b) {args.readers_b} "
          f"(c) {args.readers_c}; events={args.events} every {args.interval} s; "
          f"load average before: {tuple(round(x, 2) for x in os.getloadavg())}", flush=True)
    results: list[tuple[Result, Result]] = []
    grip_report = None
    with tempfile.TemporaryDirectory(prefix="dateline-scaleout-") as tmp:
        tmp_path = Path(tmp)
        args.port = free_port()
        args.hold = False
        one = DatelineSide(args, tmp_path)
        await one.setup()
        path = f"/live/{one.slug}/events".encode()
        try:
            # (a) one process vs one bare loop, directly.
            d = await measure("(a) dateline x1", one.start, one.publish, [one.port], path, args.readers_a, args)
            base = Baselines(args, 1)
            for side in base.sides:
                side.frame_bytes = args.frame_bytes
            b = await measure("(a) baseline x1", base.start, base.publish, [base.port], path, args.readers_a, args)
            results.append((d, b))

            # (b) --workers 2 behind nginx vs two bare loops behind the same nginx config. Same database and
            # publisher: the origin port stays the same.
            two = Workers(args, tmp_path, 2)
            two.port, two.publisher, two.env = one.port, one.publisher, one.env
            connections = 2 * args.readers_b + 1000
            proxy = Nginx([f"127.0.0.1:{one.port}"], prefix=tmp_path / "nginx", media_public_root=tmp_path / "mp",
                          workers=NGINX_WORKERS, connections=connections, limits=False).start()
            try:
                d = await measure("(b) dateline w2+nginx", two.start, two.publish, [proxy.http_port], path,
                                  args.readers_b, args, proxy)
            finally:
                proxy.stop()
            base = Baselines(args, 2)
            for side in base.sides:
                side.frame_bytes = args.frame_bytes
            proxy = Nginx([f"127.0.0.1:{s.port}" for s in base.sides], prefix=tmp_path / "nginx-base",
                          media_public_root=tmp_path / "mp", workers=NGINX_WORKERS, connections=connections,
                          limits=False).start()
            try:
                b = await measure("(b) baseline x2+nginx", base.start, base.publish, [proxy.http_port], path,
                                  args.readers_b, args, proxy)
            finally:
                proxy.stop()
            results.append((d, b))

            # (c) Pushpin, measured by the GRIP work's own harness.
            try:
                grip = importlib.import_module("bench.grip")
            except ModuleNotFoundError:
                print("(c) through Pushpin: bench/grip.py is missing (the GRIP work writes it); not measured")
            else:
                print("(c) through Pushpin (bench/grip.py), 1,000 readers and --readers-c:", flush=True)
                grip_report = await grip.ameasure(args.readers_c, publishes=args.events, warmup=args.warmup,
                                                  interval=args.interval)

            # wrk: the (b) origin directly and through nginx.
            if shutil.which("wrk"):
                await wrk_table(args, two, tmp_path)
            else:
                print("wrk not installed (apt-get install -y wrk): req/s not measured")
        finally:
            await one.close()
    print("summary (ms; ratio = dateline / baseline, same run):")
    for d, b in results:
        sd, sb = d.stats(), b.stats()
        print(f"  {d.name:24s} readers={d.readers} received={len(d.latencies)}/{d.expected} p50={sd['p50']:.0f} "
              f"p99={sd['p99']:.0f} | {b.name} p50={sb['p50']:.0f} p99={sb['p99']:.0f} | p99 ratio "
              f"{sd['p99'] / sb['p99']:.2f}")
    if grip_report is not None:
        print("  (c) through Pushpin:\n    " + str(grip_report).replace("\n", "\n    "))
    print(f"load average after: {tuple(round(x, 2) for x in os.getloadavg())}")


async def wrk_table(args: argparse.Namespace, two: Workers, tmp_path: Path) -> None:
    server = two.start()
    proxy = Nginx([f"127.0.0.1:{two.port}"], prefix=tmp_path / "nginx-wrk", media_public_root=tmp_path / "mp",
                  workers=2, limits=False).start()
    try:
        await wait_port(two.port)
        slug = two.slug
        import httpx

        page = httpx.get(f"{proxy.url}/live/{slug}/", timeout=30).text
        css = re.search(r'href="(/static/[^"]+\.css\?v=[^"]+)"', page)
        seq = httpx.get(f"http://127.0.0.1:{two.port}/live/{slug}/changes?after=0", timeout=30).json()["seq"]
        paths = {"reader page": f"/live/{slug}/", ".json": f"/live/{slug}.json", "atom feed": f"/live/{slug}/feed.atom",
                 "/changes": f"/live/{slug}/changes?after={seq}"}
        print(f"wrk -t2 -c64 -d{args.wrk_seconds}s (req/s), origin dateline serve --workers 2:", flush=True)
        for name, path in paths.items():
            direct = wrk(f"http://127.0.0.1:{two.port}{path}", args.wrk_seconds)
            proxied = wrk(f"{proxy.url}{path}", args.wrk_seconds)
            print(f"  {name:12s} direct {direct:9.0f}   through nginx {proxied:9.0f}", flush=True)
        if css:
            static = wrk(f"{proxy.url}{css[1]}", args.wrk_seconds)
            print(f"  {'static css':12s} through nginx (its cache) {static:9.0f}", flush=True)
    finally:
        proxy.stop()
        stop(server)


if __name__ == "__main__" and sys.argv[1:2] == ["--client"]:
    raise_file_limit()
    uvloop.run(client_main(int(sys.argv[2]), sys.argv[3].encode(), int(sys.argv[4])))
elif __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 readers, 5 events, wrk 3 s")
    parser.add_argument("--readers-a", type=int, default=10_000)
    parser.add_argument("--readers-b", type=int, default=20_000)
    parser.add_argument("--readers-c", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parsed = parser.parse_args()
    parsed.via, parsed.pin, parsed.frame_bytes, parsed.baseline = "api", False, 3300, None
    if parsed.quick:
        parsed.readers_a = parsed.readers_b = parsed.readers_c = 2000
        parsed.events, parsed.wrk_seconds = 5, 3
    uvloop.run(main(parsed))
