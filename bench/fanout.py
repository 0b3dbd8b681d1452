"""Fan-out benchmark: N SSE readers on one Dateline process vs. a bare asyncio+uvloop broadcast server.

    python -m bench.fanout                                  # 10,000 readers, 20 events, both servers, 2 rounds
    python -m bench.fanout --via actions                    # the same, published by the action (fan-out alone)
    python -m bench.fanout --readers 19000 --hold           # memory per held connection only, both servers

Runs, in one go and against 127.0.0.1 only: a ``dateline serve`` process (one worker, Redis broker, SQLite in a
temporary directory), a publisher process writing posts through the public API (``POST /api/v1/…`` with a bearer
token; ``--via actions`` calls the action instead), and the bare baseline (bench/baseline.py). This process is the
client: uvloop, one asyncio Protocol per reader, timestamping the arrival of each event id. Latency is publish (the
API request sent; with ``--via actions``, the commit) → received by the reader, after ``--warmup`` uncounted events;
memory per connection is the server's RSS growth over N readers (after one warm-up reader) divided by N. Everything
stops by itself.

Fair on a 2-core machine: the server under test (Dateline or baseline) is pinned to CPU 0 and this client and the
publisher to CPU 1 (``--no-pin`` to turn off), the same for both; the two servers alternate within the run (round 1
Dateline first, round 2 baseline first, …) so a change in machine load hits both; both write the same bytes per
event to every reader (the baseline's frame is sized to what Dateline's first measurement put on the wire); each
measurement waits (bounded) for the 1-minute load average to drop below ``--wait-load`` and records it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import uvloop

ROOT = Path(__file__).resolve().parents[1]
SERVER_CPU, CLIENT_CPU = 0, 1


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used: the server's own cost, whatever else runs on the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load() -> float:
    return os.getloadavg()[0]


def pinned(cmd: list[str], pin: bool) -> list[str]:
    """``cmd`` pinned to the server CPU (taskset: the process and every thread it starts)."""
    taskset = shutil.which("taskset")
    return [taskset, "-c", str(SERVER_CPU), *cmd] if pin and taskset else cmd


async def wait_for_quiet(args: argparse.Namespace) -> float:
    """Wait (at most ``--wait-max`` s) for the 1-minute load average to drop below ``--wait-load``; return it."""
    deadline = time.monotonic() + args.wait_max
    while load() > args.wait_load and time.monotonic() < deadline:
        await asyncio.sleep(2)
    return load()


class Reader(asyncio.Protocol):
    """Counts received event ids; records the arrival time of each (and the bytes received, for one reader)."""

    __slots__ = ("path", "arrivals", "started", "transport", "received")

    def __init__(self, path: bytes, arrivals: dict[int, list[float]]) -> None:
        self.path, self.arrivals = path, arrivals
        self.started = False
        self.received = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        transport.write(b"GET %s HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: text/event-stream\r\n\r\n" % self.path)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self.received += len(data)
        if not self.started and b"\r\n\r\n" in data:
            self.started = True
        self.record(data, now)

    def record(self, data: bytes, now: float) -> None:
        """The arrival time of every event id in ``data`` (bench/grip.py's reader shares it)."""
        start = data.find(b"id: ")
        while start != -1:
            end = data.find(b"\n", start)
            self.arrivals.setdefault(int(data[start + 4:end]), []).append(now)
            start = data.find(b"id: ", end)


async def open_readers(port: int, path: bytes, n: int, arrivals: dict[int, list[float]],
                       protocols: list[Reader] | None = None) -> list[asyncio.Transport]:
    loop = asyncio.get_running_loop()
    transports: list[asyncio.Transport] = []
    protocols = [] if protocols is None else protocols
    for i in range(0, n, 250):
        batch = await asyncio.gather(*(
            loop.create_connection(lambda: Reader(path, arrivals), "127.0.0.1", port)
            for _ in range(min(250, n - i))))
        for transport, protocol in batch:
            transports.append(transport)
            protocols.append(protocol)
    deadline = time.monotonic() + 120
    while sum(p.started for p in protocols) < n and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    started = sum(p.started for p in protocols)
    if started < n:
        raise RuntimeError(f"only {started} of {n} streams started")
    await asyncio.sleep(1.5)  # let the server settle (GC, freed startup buffers) before measuring memory
    return transports


@dataclass
class Result:
    name: str
    readers: int
    latencies: list[float] = field(default_factory=list)  # seconds, every (event, reader)
    event_p99s: list[float] = field(default_factory=list)  # per event: the p99 over its readers
    spans: list[float] = field(default_factory=list)  # per event: last arrival - first arrival
    expected: int = 0
    kb_per_conn: list[float] = field(default_factory=list)
    loads: list[tuple[float, float]] = field(default_factory=list)
    loop_ms: list[float] = field(default_factory=list)  # per measurement: mean time of the server's write loop
    cpu_ms: list[float] = field(default_factory=list)  # per measurement: server CPU time per event

    def add(self, arrivals: dict[int, list[float]], published: dict[int, float], kb: float,
            load_range: tuple[float, float], loop_ms: float | None = None, cpu_ms: float | None = None) -> None:
        if cpu_ms is not None:
            self.cpu_ms.append(cpu_ms)
        if loop_ms is not None:
            self.loop_ms.append(loop_ms)
        for seq, stamp in published.items():
            times = sorted(arrivals.get(seq, []))
            self.latencies.extend(t - stamp for t in times)
            if times:
                self.spans.append(times[-1] - times[0])
                self.event_p99s.append(times[max(int(len(times) * 0.99) - 1, 0)] - stamp)
        self.expected += self.readers * len(published)
        self.kb_per_conn.append(kb)
        self.loads.append(load_range)

    def merge(self, other: Result) -> None:
        self.latencies += other.latencies
        self.event_p99s += other.event_p99s
        self.spans += other.spans
        self.expected += other.expected
        self.kb_per_conn += other.kb_per_conn
        self.loads += other.loads
        self.loop_ms += other.loop_ms
        self.cpu_ms += other.cpu_ms

    def stats(self) -> dict[str, float]:
        lat = sorted(self.latencies)
        if not lat:
            return dict.fromkeys(("p50", "p99", "max", "event_p99", "span", "loop", "cpu"), float("nan"))
        return {"p50": statistics.median(lat) * 1000, "p99": lat[max(int(len(lat) * 0.99) - 1, 0)] * 1000,
                "max": lat[-1] * 1000, "event_p99": statistics.median(self.event_p99s) * 1000,
                "span": statistics.median(self.spans) * 1000,
                "loop": statistics.mean(self.loop_ms) if self.loop_ms else float("nan"),
                "cpu": statistics.mean(self.cpu_ms) if self.cpu_ms else float("nan")}

    def line(self, label: str | None = None, *, latency: bool = True) -> str:
        s = self.stats()
        loads = " ".join(f"{a:.2f}→{b:.2f}" for a, b in self.loads)
        memory = " ".join(f"{kb:.2f}" for kb in self.kb_per_conn)
        text = f"{label or self.name:16s} readers={self.readers} "
        if latency:
            text += (f"received={len(self.latencies)}/{self.expected} p50={s['p50']:.1f} p99={s['p99']:.1f} "
                     f"max={s['max']:.1f} ms; per event: median p99={s['event_p99']:.1f} ms, "
                     f"first→last arrival={s['span']:.1f} ms; server write loop (mean)={s['loop']:.1f} ms, "
                     f"server CPU/event={s['cpu']:.1f} ms; ")
        return text + f"memory={memory} KB/conn; load(1m)={loads}"


async def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class DatelineSide:
    """A temporary SQLite database, a publisher process, and a fresh ``dateline serve`` per measurement."""

    name, slug = "dateline", "fanout"

    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.args = args
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATELINE_DATABASE_URL",)}
        self.env.update(DATELINE_DATA_DIR=str(tmp), DATELINE_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
        self.env["DATELINE_REDIS_URL"] = f"{args.redis}?channel=dateline-bench-{uuid.uuid4().hex}"
        self.port = args.port
        self.publisher: asyncio.subprocess.Process | None = None

    async def setup(self) -> None:
        subprocess.run([sys.executable, "-m", "dateline.cli", "manage", "migrate", "-v0"], env=self.env, check=True)
        if self.args.hold:
            subprocess.run([sys.executable, "-c", "import bench._publisher as p; p.create_only()", self.slug],
                           env=self.env, check=True, cwd=ROOT)
            return
        self.publisher = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench._publisher", self.slug,
            *(["api", str(self.port)] if self.args.via == "api" else []), env=self.env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE)
        assert self.publisher.stdout
        assert (await self.publisher.stdout.readline()).strip() == b"ready"

    def start(self) -> subprocess.Popen:
        cmd = [sys.executable, "-m", "dateline.cli", "serve", "--port", str(self.port)]
        return subprocess.Popen(pinned(cmd, self.args.pin), env=self.env)

    path = property(lambda self: f"/live/{self.slug}/events".encode())

    async def publish(self) -> tuple[int, float]:
        assert self.publisher and self.publisher.stdin and self.publisher.stdout
        self.publisher.stdin.write(b"go\n")
        await self.publisher.stdin.drain()
        seq, stamp, _write_ms = (await self.publisher.stdout.readline()).split()
        return int(seq), float(stamp)

    async def loop_seconds(self) -> tuple[float, int]:
        """The server's own account of its fan-out loop: (sum of seconds, count) from /metrics."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(b"GET /metrics HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n")
        text = (await reader.read()).decode()
        writer.close()
        name = "dateline_live_broadcast_seconds"
        values = dict(line.rsplit(" ", 1) for line in text.splitlines() if line.startswith(name))
        return float(values.get(f"{name}_sum", 0)), int(values.get(f"{name}_count", 0))  # 0: an older server

    def loop_ms(self, before: tuple[float, int], after: tuple[float, int]) -> float | None:
        return (after[0] - before[0]) / (after[1] - before[1]) * 1000 if after[1] > before[1] else None

    async def close(self) -> None:
        if self.publisher is not None:
            self.publisher.kill()
            await self.publisher.wait()


class BaselineSide:
    """bench/baseline.py: a control connection makes it encode one event and write it to every reader."""

    name, path = "baseline", b"/"

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.port, self.control_port = args.port + 1, args.port + 2
        # Bytes the baseline writes per event: set to what Dateline wrote per event in its first measurement (it
        # goes first), so both servers push the same bytes to every reader. The default is a typical post.
        self.frame_bytes = 3300
        self.seq = 0
        self.control: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self.loops: list[float] = []  # seconds of each write loop, as the baseline reports them

    async def setup(self) -> None:
        pass

    def start(self) -> subprocess.Popen:
        cmd = [sys.executable, "-m", "bench.baseline", "--port", str(self.port), "--control-port",
               str(self.control_port), "--frame-bytes", str(self.frame_bytes)]
        self.control = None
        return subprocess.Popen(pinned(cmd, self.args.pin), cwd=ROOT)

    async def publish(self) -> tuple[int, float]:
        if self.control is None:
            self.control = await asyncio.open_connection("127.0.0.1", self.control_port)
        reader, writer = self.control
        self.seq += 1
        stamp = time.time()
        writer.write(b"%d\n" % self.seq)
        await writer.drain()
        self.loops.append(float((await reader.readline()).split()[1]))
        return self.seq, stamp

    async def loop_seconds(self) -> tuple[float, int]:
        return sum(self.loops), len(self.loops)

    def loop_ms(self, before: tuple[float, int], after: tuple[float, int]) -> float | None:
        return (after[0] - before[0]) / (after[1] - before[1]) * 1000 if after[1] > before[1] else None

    async def close(self) -> None:
        pass


async def measure(side: DatelineSide | BaselineSide, args: argparse.Namespace, result: Result) -> None:
    """One fresh server: warm-up reader, N readers (memory), then ``--events`` events (latency)."""
    load_before = await wait_for_quiet(args)
    server = side.start()
    transports: list[asyncio.Transport] = []
    try:
        await wait_port(side.port)
        await asyncio.sleep(1)
        warmup: dict[int, list[float]] = {}
        sample: list[Reader] = []  # the warm-up reader also counts the bytes each event costs on the wire
        transports += await open_readers(side.port, side.path, 1, warmup, sample)
        before = rss_kb(server.pid)
        arrivals: dict[int, list[float]] = {}
        transports += await open_readers(side.port, side.path, args.readers, arrivals)
        kb = (rss_kb(server.pid) - before) / args.readers
        # Warm-up events, not counted: a fresh server's first request loads Django's URL conf, opens the database
        # and warms the caches (hundreds of ms, once per process); the bar is about a running server. The same
        # number go to the baseline, so both are measured from the same state.
        for _ in range(0 if args.hold else args.warmup):
            await side.publish()
            await asyncio.sleep(args.interval)
        published: dict[int, float] = {}
        bytes_before = sample[0].received
        loops_before = await side.loop_seconds()
        cpu_before = cpu_seconds(server.pid)
        for _ in range(0 if args.hold else args.events):
            seq, stamp = await side.publish()
            published[seq] = stamp
            await asyncio.sleep(args.interval)
        if published:
            await asyncio.sleep(2)
            frame_bytes = (sample[0].received - bytes_before) // len(published)
            print(f"  {side.name}: {frame_bytes} bytes per event on the wire", flush=True)
            if isinstance(side, DatelineSide) and args.baseline is not None:
                args.baseline.frame_bytes = frame_bytes
        this = Result(side.name, args.readers)
        cpu_ms = (cpu_seconds(server.pid) - cpu_before) / len(published) * 1000 if published else None
        loop_ms = side.loop_ms(loops_before, await side.loop_seconds())
        this.add(arrivals, published, kb, (load_before, load()), loop_ms, cpu_ms)
        result.merge(this)
        print("  " + this.line(f"{side.name} round {len(result.loads)}", latency=not args.hold), flush=True)
    finally:
        for transport in transports:
            transport.abort()
        stop(server)
        await asyncio.sleep(1)


async def main(args: argparse.Namespace) -> None:
    if args.pin:
        if len(os.sched_getaffinity(0)) < 2 or (os.cpu_count() or 1) < 2:
            args.pin = False
        else:
            os.sched_setaffinity(0, {CLIENT_CPU})  # this client, and the publisher it starts
    print(f"nproc={os.cpu_count()} pinned={'server CPU 0, client CPU 1' if args.pin else 'no'} "
          f"readers={args.readers} {'hold' if args.hold else f'events={args.events}x{args.rounds} rounds'} "
          f"load average before: {tuple(round(x, 2) for x in os.getloadavg())}", flush=True)
    with tempfile.TemporaryDirectory(prefix="dateline-bench-") as tmp:
        dateline = DatelineSide(args, Path(tmp))
        baseline = args.baseline = BaselineSide(args)
        await dateline.setup()
        results = {"dateline": Result("dateline", args.readers), "baseline": Result("baseline", args.readers)}
        try:
            for r in range(args.rounds):
                # Dateline first: the baseline then writes the bytes per event Dateline was measured writing.
                order = (dateline, baseline) if r % 2 == 0 else (baseline, dateline)
                for side in order:
                    await measure(side, args, results[side.name])
        finally:
            await dateline.close()
    d, b = results["dateline"], results["baseline"]
    print(d.line(latency=not args.hold))
    print(b.line(latency=not args.hold))
    mem_d, mem_b = statistics.median(d.kb_per_conn), statistics.median(b.kb_per_conn)
    if args.hold:
        print(f"memory per connection at {args.readers} readers: dateline {mem_d:.2f} KB, baseline {mem_b:.2f} KB "
              f"(bar: <= 8 KB)")
    else:
        sd, sb = d.stats(), b.stats()
        print(f"ratios dateline/baseline: p99 {sd['p99'] / sb['p99']:.2f}, median per-event p99 "
              f"{sd['event_p99'] / sb['event_p99']:.2f}, p50 {sd['p50'] / sb['p50']:.2f}, server write loop "
              f"{sd['loop'] / sb['loop']:.2f}, server CPU/event {sd['cpu'] / sb['cpu']:.2f}; memory/conn dateline "
              f"{mem_d:.2f} KB, baseline {mem_b:.2f} KB (bars: p99 <= 250 ms, ratio <= 1.3)")
    print(f"load average after: {tuple(round(x, 2) for x in os.getloadavg())}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=20, help="events per round")
    parser.add_argument("--rounds", type=int, default=2, help="measurements of each server, alternating order")
    parser.add_argument("--warmup", type=int, default=3, help="events sent first and not counted, per round")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between events")
    parser.add_argument("--hold", action="store_true", help="only hold the readers and report memory per connection")
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="do not pin server/client to CPUs 0/1")
    parser.add_argument("--wait-load", type=float, default=2.0, help="wait for the 1-min load average below this")
    parser.add_argument("--wait-max", type=float, default=60, help="but at most this many seconds per measurement")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--via", choices=["api", "actions"], default="api",
                        help="publish through POST /api/v1 on the server under test (latency from the request, "
                             "incl. its write: the default, as a newsroom tool sees it) or by calling the action in a "
                             "publisher process (latency from commit: fan-out alone)")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < args.readers + 100:
        parser.error(f"the open-file limit ({hard}) is below {args.readers} readers: raise it (ulimit -Hn)")
    uvloop.run(main(args))
