"""Through Pushpin: readers held by Debian's Pushpin (the shipped deploy/pushpin settings) in front of one
``dateline serve`` process publishing over GRIP, beside the bare asyncio loop holding as many readers itself.

    .venv/bin/python -m bench.grip                         # 1,000 then 10,000 readers, 20 publishes each
    .venv/bin/python -m bench.grip --readers 2000 --publishes 5
    .venv/bin/python -m bench.grip --open-rate 0           # every reader connects at once (no ramp)

For each reader count, fresh: a SQLite database in a temporary directory, the API publisher (bench/_publisher.py
``api``), ``dateline serve`` (one process) with ``DATELINE_GRIP_URL``/``DATELINE_GRIP_KEY`` set, and Pushpin with
zurl (deploy/procs/pushpin.py: the shipped pushpin.conf, routes and zurl.conf, only ports and paths moved). Readers are
asyncio protocols in client processes (at most 8,000 each, a 20,000 open-file limit) connecting to Pushpin's port,
opened at ``--open-rate`` connections a second (a CDN or a news alert spreads arrivals over seconds; 0 = all at
once). Each client counts its readers: held (a 200 answer, open to the end), refused (any other status: Pushpin's
500 "Accept service unavailable", a 502) and errors (connection failed or closed before or after the answer).

Then ``--warmup`` uncounted publishes, and ``publishes`` counted ones every ``--interval`` s through the origin's
API; latency is the API request sent -> the event received, for every (event, held reader). The origin's CPU
seconds (user + system, /proc/<pid>/stat) are read just before the first and after the last counted publish and
divided by their number: the origin's cost per publish, which GRIP should make independent of the readers. The
same for Pushpin's processes (condure, proxy, handler; zurl) and the reader clients, for scale.

The baseline: bench/baseline.py (the bare loop, one process) holding the same number of readers directly, writing
the same bytes per event, measured the same way in the same run; ratios are Pushpin / baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import uvloop

from bench import fanout
from bench.fanout import Result, cpu_seconds, stop, wait_port
from deploy.procs.pushpin import Pushpin, free_port

ROOT = Path(__file__).resolve().parents[1]
READERS_PER_CLIENT = 8000
KEY = "bench-grip-" + uuid.uuid4().hex


class Reader(fanout.Reader):
    """One SSE reader through Pushpin: bench/fanout.py's, plus its answer's status (a refused hold is not 200)."""

    __slots__ = ("status", "closed", "head")

    def __init__(self, path: bytes, arrivals: dict[int, list[float]]) -> None:
        super().__init__(path, arrivals)
        self.status = 0  # 0 until the answer's status line arrived
        self.closed = False
        self.head = b""

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self.received += len(data)
        if self.status not in (0, 200):
            self.head = (self.head + data)[-400:]
            return
        if not self.status:
            self.head += data
            if b"\r\n" not in self.head:
                return
            self.status = int(self.head.split(b" ", 2)[1])
            if self.status == 200:
                self.head = b""
        self.record(data, now)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True


async def client_main(port: int, path: bytes, n: int, rate: float) -> None:
    """A reader process: open ``n`` readers at ``rate``/s (0: at once), wait for their answers, print the counts;
    on "report", print every arrival and the counts again (readers closed since are errors)."""
    loop = asyncio.get_running_loop()
    arrivals: dict[int, list[float]] = {}
    readers: list[Reader] = []
    errors = 0
    step = 50
    started = time.monotonic()
    for i in range(0, n, step):
        if rate:
            await asyncio.sleep(max(0.0, started + i / rate - time.monotonic()))
        batch = await asyncio.gather(*(loop.create_connection(lambda: Reader(path, arrivals), "127.0.0.1", port)
                                       for _ in range(min(step, n - i))), return_exceptions=True)
        for item in batch:
            if isinstance(item, BaseException):
                errors += 1
            else:
                readers.append(item[1])
    deadline = time.monotonic() + 60
    while any(not r.status and not r.closed for r in readers) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    opened = round(time.monotonic() - started, 2)
    samples: dict[int, str] = {}  # an answer of each refusing status, for the log

    def counts() -> dict[str, object]:
        refused: dict[int, int] = {}
        for r in readers:
            if r.status and r.status != 200:
                refused[r.status] = refused.get(r.status, 0) + 1
                samples.setdefault(r.status, r.head[-300:].decode("latin-1"))
        held = sum(r.status == 200 and not r.closed for r in readers)
        lost = sum(r.closed or not r.status for r in readers if r.status in (0, 200))
        return {"held": held, "refused": refused, "errors": errors + lost,
                "open_seconds": opened, "samples": samples}

    sys.stdout.write(json.dumps(counts()) + "\n")
    sys.stdout.flush()
    await loop.run_in_executor(None, sys.stdin.readline)
    sys.stdout.write(json.dumps({**counts(), "arrivals": arrivals}) + "\n")
    sys.stdout.flush()
    for r in readers:
        r.transport.abort()


@dataclass
class Side:
    """One measurement: readers held / refused, latency, CPU per publish."""

    name: str
    readers: int
    held: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    open_seconds: float = 0.0
    result: Result | None = None
    cpu_ms: dict[str, float] = field(default_factory=dict)  # process group -> CPU ms per publish
    loads: tuple[float, float] = (0.0, 0.0)
    samples: dict[str, str] = field(default_factory=dict)  # status -> the end of one such answer

    def stats(self) -> dict[str, float]:
        assert self.result is not None
        return self.result.stats()

    def line(self) -> str:
        s = self.stats()
        assert self.result is not None
        refused = sum(self.refused.values())
        detail = ", ".join(f"{n}x{code}" for code, n in sorted(self.refused.items()))
        cpu = " ".join(f"{name}={ms:.1f}" for name, ms in self.cpu_ms.items())
        return (f"{self.name:22s} readers={self.readers} held={self.held} refused={refused}"
                f"{f' ({detail})' if detail else ''} errors={self.errors} (opened in {self.open_seconds:.1f} s); "
                f"received={len(self.result.latencies)}/{self.result.expected} p50={s['p50']:.0f} "
                f"p99={s['p99']:.0f} max={s['max']:.0f} ms; CPU ms/publish: {cpu}; "
                f"load {self.loads[0]:.2f}->{self.loads[1]:.2f}")


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (Pushpin's runner starts condure, the proxy and the handler)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def group_cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):  # a process that ended
            total += cpu_seconds(pid)
    return total


async def open_clients(port: int, path: bytes, n: int, rate: float) -> tuple[list[asyncio.subprocess.Process],
                                                                          list[dict]]:
    count = -(-n // READERS_PER_CLIENT)
    clients = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.grip", "--client", str(port), path.decode(), str(n // count), str(rate / count),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, limit=1 << 30) for _ in range(count)]
    reports = []
    for client in clients:
        assert client.stdout
        reports.append(json.loads(await client.stdout.readline()))
    return clients, reports


async def collect(clients: list[asyncio.subprocess.Process]) -> tuple[dict[int, list[float]], list[dict]]:
    arrivals: dict[int, list[float]] = {}
    reports = []
    for client in clients:
        assert client.stdin and client.stdout
        client.stdin.write(b"report\n")
        await client.stdin.drain()
        report = json.loads(await client.stdout.readline())
        for seq, times in report.pop("arrivals").items():
            arrivals.setdefault(int(seq), []).extend(times)
        reports.append(report)
        await client.wait()
    return arrivals, reports


def tally(side: Side, reports: list[dict]) -> None:
    side.held = sum(r["held"] for r in reports)
    side.errors = sum(r["errors"] for r in reports)
    side.refused = {}
    for r in reports:
        for code, n in r["refused"].items():
            side.refused[code] = side.refused.get(code, 0) + n
    side.open_seconds = max(r["open_seconds"] for r in reports)
    for r in reports:
        for code, text in r["samples"].items():
            side.samples.setdefault(code, text)


async def run_side(side: Side, port: int, path: bytes, publish, groups: dict[str, list[int]], args) -> Side:
    """Readers through ``port``, warm-up publishes, counted publishes (CPU read around them), the tallies."""
    side.loads = (os.getloadavg()[0], 0.0)
    clients, reports = await open_clients(port, path, side.readers, args.open_rate)
    try:
        tally(side, reports)
        groups = {**groups, "readers": [c.pid for c in clients]}
        for _ in range(args.warmup):
            await publish()
            await asyncio.sleep(args.interval)
        published: dict[int, float] = {}
        before = {name: group_cpu(pids) for name, pids in groups.items()}
        for _ in range(args.publishes):
            seq, stamp = await publish()
            published[seq] = stamp
            await asyncio.sleep(args.interval)
        after = {name: group_cpu(pids) for name, pids in groups.items()}
        side.cpu_ms = {name: (after[name] - before[name]) * 1000 / len(published) for name in groups}
        await asyncio.sleep(2)
        arrivals, reports = await collect(clients)
        tally(side, reports)  # readers dropped during the publishes count as errors
        side.result = Result(side.name, side.held)
        side.result.add(arrivals, published, 0.0, (side.loads[0], os.getloadavg()[0]))
        side.loads = (side.loads[0], os.getloadavg()[0])
    finally:
        for client in clients:
            if client.returncode is None:
                client.kill()
                await client.wait()
    print("  " + side.line(), flush=True)
    for code, text in side.samples.items():
        print(f"    a {code} answer ends: {text[-160:]!r}", flush=True)
    return side


class Origin:
    """A fresh database, the API publisher and ``dateline serve`` publishing to Pushpin, and Pushpin in front."""

    slug = "grip-bench"

    def __init__(self, tmp: Path, overrides: dict[str, dict[str, str]] | None = None) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.proxy = Pushpin(f"127.0.0.1:{self.port}", key=KEY, prefix=tmp / "pushpin", overrides=overrides)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("DATELINE_DATABASE_URL", "DATELINE_REDIS_URL", "DATELINE_GRIP"))}
        self.env.update(DATELINE_DATA_DIR=str(tmp), DATELINE_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT),
                        DATELINE_GRIP_URL=self.proxy.publish_url, DATELINE_GRIP_KEY=KEY)
        self.server: subprocess.Popen | None = None
        self.publisher: asyncio.subprocess.Process | None = None
        self.frame_bytes = 0

    async def start(self) -> None:
        subprocess.run([sys.executable, "-m", "dateline.cli", "manage", "migrate", "-v0"], env=self.env, check=True,
                       cwd=ROOT)
        self.publisher = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench._publisher", self.slug, "api", str(self.port), env=self.env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
        assert self.publisher.stdout
        assert (await self.publisher.stdout.readline()).strip() == b"ready"
        self.server = subprocess.Popen([sys.executable, "-m", "dateline.cli", "serve", "--port", str(self.port)],
                                       env=self.env, cwd=ROOT)
        await wait_port(self.port)
        self.proxy.start()
        await asyncio.sleep(1)

    async def publish(self) -> tuple[int, float]:
        assert self.publisher and self.publisher.stdin and self.publisher.stdout
        self.publisher.stdin.write(b"go\n")
        await self.publisher.stdin.drain()
        seq, stamp, _ms = (await self.publisher.stdout.readline()).split()
        return int(seq), float(stamp)

    def groups(self) -> dict[str, list[int]]:
        assert self.server and self.proxy.process and self.proxy.zurl
        groups = {"origin": [self.server.pid], "pushpin": descendants(self.proxy.process.pid) + [self.proxy.zurl.pid]}
        for pid in list(groups["pushpin"]):  # and each of its processes (the handler writes every message)
            name = Path(f"/proc/{pid}/comm").read_text().strip().removeprefix("pushpin-")
            if name in ("proxy", "handler", "condure"):
                groups[name] = [pid]
        return groups

    async def stop(self) -> None:
        self.proxy.stop()
        if self.server:
            stop(self.server)
        if self.publisher:
            self.publisher.kill()
            await self.publisher.wait()


async def frame_bytes(origin: Origin) -> int:
    """Bytes one publish puts on a reader's wire, measured on one reader through Pushpin."""
    arrivals: dict[int, list[float]] = {}
    transport, reader = await asyncio.get_running_loop().create_connection(
        lambda: Reader(f"/live/{origin.slug}/events".encode(), arrivals), "127.0.0.1", origin.proxy.http_port)
    await asyncio.sleep(0.5)
    before = reader.received
    await origin.publish()
    await asyncio.sleep(0.5)
    transport.abort()
    return reader.received - before or 3300


async def measure_one(readers: int, publishes: int, args: argparse.Namespace) -> tuple[Side, Side]:
    with tempfile.TemporaryDirectory(prefix="dateline-grip-") as tmp:
        origin = Origin(Path(tmp), args.overrides)
        try:
            await origin.start()
            size = await frame_bytes(origin)
            side = await run_side(Side("dateline via pushpin", readers), origin.proxy.http_port,
                                  f"/live/{origin.slug}/events".encode(), origin.publish, origin.groups(), args)
        finally:
            await origin.stop()
            if args.keep_log:
                Path(tempfile.gettempdir(), "bench-grip-pushpin.log").write_text(origin.proxy.log())
                zurl = origin.proxy.prefix / "zurl.out"
                if zurl.exists():
                    Path(tempfile.gettempdir(), "bench-grip-zurl.log").write_bytes(zurl.read_bytes())
                print(origin.proxy.log()[-args.keep_log:])
    if not args.baseline:
        return side, side
    baseline = await run_baseline(readers, size, args)
    return side, baseline


async def run_baseline(readers: int, size: int, args: argparse.Namespace) -> Side:
    port, control_port = free_port(), free_port()
    server = subprocess.Popen([sys.executable, "-m", "bench.baseline", "--port", str(port), "--control-port",
                               str(control_port), "--frame-bytes", str(size)], cwd=ROOT)
    try:
        await wait_port(port)
        await wait_port(control_port)
        reader, writer = await asyncio.open_connection("127.0.0.1", control_port)
        seq = 0

        async def publish() -> tuple[int, float]:
            nonlocal seq
            seq += 1
            stamp = time.time()
            writer.write(b"%d\n" % seq)
            await writer.drain()
            await reader.readline()
            return seq, stamp

        return await run_side(Side("baseline (bare loop)", readers), port, b"/", publish,
                              {"origin": [server.pid]}, args)
    finally:
        stop(server)


@dataclass
class Report:
    pairs: list[tuple[Side, Side]]

    def __str__(self) -> str:
        lines = []
        for side, base in self.pairs:
            s, b = side.stats(), base.stats()
            lines.append(f"{side.readers} readers: {side.line()}")
            if base is side:  # --no-baseline
                continue
            lines.append(f"{' ' * len(str(side.readers))}          {base.line()}")
            lines.append(f"{' ' * len(str(side.readers))}          p99 ratio pushpin/baseline "
                         f"{s['p99'] / b['p99']:.2f}")
        if len(self.pairs) > 1:
            first, last = self.pairs[0][0], self.pairs[-1][0]
            ratio = last.cpu_ms["origin"] / first.cpu_ms["origin"] if first.cpu_ms.get("origin") else float("nan")
            lines.append(f"origin CPU per publish at {last.readers} / at {first.readers} readers: {ratio:.2f}")
        return "\n".join(lines)


def options(**given: object) -> argparse.Namespace:
    defaults = {"warmup": 3, "interval": 0.5, "open_rate": 2000.0, "publishes": 20, "overrides": None,
                "baseline": True, "keep_log": 0}
    return argparse.Namespace(**{**defaults, **given})


async def ameasure(readers: int | list[int], publishes: int = 20, **given: object) -> Report:
    """``readers`` (a count: 1,000 and that many, when more) through Pushpin, each beside the bare loop."""
    counts = readers if isinstance(readers, list) else sorted({min(1000, readers), readers})
    args = options(publishes=publishes, **given)
    return Report([await measure_one(n, publishes, args) for n in counts])


def measure(readers: int | list[int], publishes: int = 20, **given: object) -> Report:
    """``ameasure`` in a loop of its own (bench/scaleout awaits ``ameasure`` in its loop instead)."""
    return uvloop.run(ameasure(readers, publishes, **given))


if __name__ == "__main__" and sys.argv[1:2] == ["--client"]:
    from bench.scaleout import raise_file_limit

    raise_file_limit()
    uvloop.run(client_main(int(sys.argv[2]), sys.argv[3].encode(), int(sys.argv[4]), float(sys.argv[5])))
elif __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", default="1000,10000", help="comma-separated reader counts")
    parser.add_argument("--publishes", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--open-rate", type=float, default=2000.0,
                        help="new reader connections per second, over all clients (0: all at once)")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="a pushpin.conf setting other than the shipped one (experiments)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--log", type=int, default=0, help="print the end of Pushpin's log (characters)")
    parsed = parser.parse_args()
    overrides: dict[str, dict[str, str]] = {}
    for item in parsed.set:
        name, value = item.split("=", 1)
        section, key = name.split(".", 1)
        overrides.setdefault(section, {})[key] = value
    from bench.scaleout import raise_file_limit

    raise_file_limit()
    print(f"nproc={os.cpu_count()} load before: {Path('/proc/loadavg').read_text().strip()}", flush=True)
    print(measure([int(n) for n in parsed.readers.split(",")], publishes=parsed.publishes, warmup=parsed.warmup,
                  interval=parsed.interval, open_rate=parsed.open_rate, overrides=overrides,
                  baseline=not parsed.no_baseline, keep_log=parsed.log))
    print(f"load after: {Path('/proc/loadavg').read_text().strip()}", flush=True)
