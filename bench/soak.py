"""Soak: a news day's faults under 10,000 readers through nginx, and at the end nothing lost (issue 12).

    .venv/bin/python -m bench.soak                 # 10,000 readers, 10 minutes
    .venv/bin/python -m bench.soak --quick         # 200 readers, 1 minute
    .venv/bin/python -m bench.soak --readers 2000 --minutes 3

Everything on 127.0.0.1, everything its own and stopped at the end: a fresh PostgreSQL database (created and
dropped), its own ``redis-server`` on a free port (so it can be restarted; the machine's Redis is never touched),
``dateline serve --workers 2``, Debian's nginx with the shipped deploy/nginx/dateline.conf (deploy/procs/nginx.py;
per-address limits off: every reader here has one address), and a publisher process (bench/_publisher.py ``soak``)
writing publishes, edits, deletes, pins/unpins and key-point changes through nginx at ``--rate`` changes a second.

Readers are EventSource clients written out as asyncio protocols, in reader processes of at most 8,000 each (a
20,000 open-file limit): each sends ``Last-Event-ID`` (the last ``id:`` it saw; 0 at first) when it (re)connects,
after the ``retry:`` the server sent, and reconnects when a stream ends, is answered non-200, or is silent for
60 s (heartbeats come every 20 s). HTTP/1.0 requests, so nginx streams the body as it is (no chunked framing).

Faults, at fixed fractions of the run: a worker SIGKILLed (the server starts another; its readers resume on the
other worker or the new one), Redis stopped for ``--redis-down`` seconds and started again, ``nginx -s reload``
(old workers close their streams after ``worker_shutdown_timeout``), a second worker kill; and all along, random
reader drops (``--drops`` per reader per minute: the reader closes and resumes by ``Last-Event-ID``).

At the end, after the publisher stops and every reader has the last seq: the expected changes are the origin's
``/changes?after=0`` (all of them: fewer than the 1,000 retained), the expected state is the API's (published
posts, every page, and key points). For every reader: lost (an expected seq never received), duplicated (a seq
received twice), reordered (a seq received after a later one), and its state — the events it received applied in
the order received (published/updated/pinned/unpinned put the post, deleted removes it, keypoints.updated sets the
list) — compared with the API's. A reader process parses each distinct form of a seq's data once (a
change replayed after a later edit or deletion of its post is compacted: docs/live.md), and each reader's state is
built from the forms it received. 5xx answers come from nginx's access log (``$msec``), counted inside and
outside the fault windows (from the injection to ``--grace`` seconds after recovery), and from the publisher.
The origin's log while Redis is down is counted too: tracebacks and lines naming Redis.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import uvloop

from bench.scaleout import raise_file_limit
from deploy.procs.nginx import Nginx, free_port, nginx_binary

ROOT = Path(__file__).resolve().parents[1]
SLUG = "soak"
READERS_PER_CLIENT = 8000
NGINX_WORKERS = 4
STALL_SECONDS = 60.0
ADMIN_URL = os.environ.get("DATELINE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_DB = 12


# --- reader processes -------------------------------------------------------------------------------------------

class State:
    """One reader across its connections."""

    __slots__ = ("seqs", "variants", "last_id", "retry", "resets", "connections", "answers", "last_bytes",
                 "protocol")

    def __init__(self) -> None:
        self.seqs = array.array("i")  # every seq received, in order (4 bytes each: 10,000 readers x 600 events)
        self.variants: dict[int, int] | None = None  # position in seqs -> variant of that seq, when not the first
        self.last_id = 0
        self.retry = 3.0
        self.resets = 0
        self.connections = 0
        self.answers: Counter[str] = Counter()
        self.last_bytes = time.monotonic()
        self.protocol: Stream | None = None


class Stream(asyncio.Protocol):
    __slots__ = ("owner", "state", "transport", "buffer", "headers_done")

    def __init__(self, owner: Clients, state: State) -> None:
        self.owner, self.state = owner, state
        self.buffer = b""
        self.headers_done = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.state.protocol = self
        self.state.last_bytes = time.monotonic()
        transport.write(b"GET /live/%s/events HTTP/1.0\r\nHost: localhost\r\nAccept: text/event-stream\r\n"  # type: ignore[attr-defined]
                        b"Last-Event-ID: %d\r\n\r\n" % (SLUG.encode(), self.state.last_id))

    def data_received(self, data: bytes) -> None:
        state = self.state
        state.last_bytes = time.monotonic()
        buffer = self.buffer + data
        if not self.headers_done:
            end = buffer.find(b"\r\n\r\n")
            if end == -1:
                self.buffer = buffer
                return
            status = buffer[9:12].decode(errors="replace")
            state.answers[status] += 1
            if status != "200":
                self.transport.close()  # type: ignore[attr-defined]
                return
            self.headers_done = True
            buffer = buffer[end + 4:]
        while True:
            end = buffer.find(b"\n\n")
            if end == -1:
                break
            frame, buffer = buffer[:end], buffer[end + 2:]
            event_id = kind = data_line = None
            for line in frame.split(b"\n"):
                if line.startswith(b"id: "):
                    event_id = int(line[4:])
                elif line.startswith(b"event: "):
                    kind = line[7:]
                elif line.startswith(b"data: "):
                    data_line = line[6:]
                elif line.startswith(b"retry: "):
                    state.retry = int(line[7:]) / 1000
            if event_id is not None and data_line is not None:
                self.owner.event(state, event_id, kind or b"message", data_line)
        self.buffer = buffer

    def connection_lost(self, exc: Exception | None) -> None:
        self.state.protocol = None
        self.owner.reconnect(self.state)


class Clients:
    """A reader process's readers, the events they share, and its commands (stdin) and answers (stdout)."""

    def __init__(self, port: int, n: int, seed: int, drops_per_minute: float) -> None:
        self.port, self.n = port, n
        self.readers = [State() for _ in range(n)]
        self.events: dict[int, list[tuple[bytes, int, dict]]] = {}  # seq -> its variants: (type, hash, data)
        self.rewritten = 0  # (reader, event) received in another form than the first reader's (compacted)
        self.state_examples: list[dict] = []
        self.rng = random.Random(seed)
        self.drops_per_minute = drops_per_minute
        self.dropping = False
        self.drops = self.stalls = self.connect_errors = 0

    def event(self, state: State, seq: int, kind: bytes, data: bytes) -> None:
        state.last_id = seq
        if kind == b"reset":
            state.resets += 1
            return
        # A replayed change may differ from the one first pushed: compaction rewrites an older change of a post
        # that was edited or deleted since (docs/live.md "Compaction"). Each variant is kept once; the reader
        # remembers which it got, and its state is built from what it got.
        variants = self.events.setdefault(seq, [])
        digest = hash(data)
        index = next((i for i, (k, d, _parsed) in enumerate(variants) if d == digest and k == kind), len(variants))
        if index == len(variants):
            variants.append((kind, digest, json.loads(data)))
        state.seqs.append(seq)
        if index:
            self.rewritten += 1
            if state.variants is None:
                state.variants = {}
            state.variants[len(state.seqs) - 1] = index

    def connect(self, state: State) -> None:
        asyncio.get_running_loop().create_task(self._connect(state))

    async def _connect(self, state: State) -> None:
        loop = asyncio.get_running_loop()
        while True:
            state.connections += 1
            try:
                await loop.create_connection(lambda: Stream(self, state), "127.0.0.1", self.port)
                return
            except OSError:
                self.connect_errors += 1
                await asyncio.sleep(state.retry * (0.5 + self.rng.random() / 2))

    def reconnect(self, state: State) -> None:
        asyncio.get_running_loop().call_later(state.retry * (0.5 + self.rng.random() / 2), self.connect, state)

    async def chores(self) -> None:
        """Once a second: random drops (while on), and a reconnect for any stream silent for a minute."""
        while True:
            await asyncio.sleep(1)
            now = time.monotonic()
            for state in self.readers:
                if state.protocol is not None and now - state.last_bytes > STALL_SECONDS:
                    self.stalls += 1
                    state.protocol.transport.abort()  # type: ignore[attr-defined]
            if self.dropping:
                for _ in range(self._poisson(self.n * self.drops_per_minute / 60)):
                    state = self.rng.choice(self.readers)
                    if state.protocol is not None:
                        self.drops += 1
                        state.protocol.transport.close()  # type: ignore[attr-defined]

    def _poisson(self, mean: float) -> int:
        count, threshold, product = 0, 2.718281828459045 ** -mean, self.rng.random()
        while product > threshold:
            count += 1
            product *= self.rng.random()
        return count

    def status(self, seq: int) -> dict[str, int]:
        return {"connected": sum(s.protocol is not None and s.protocol.headers_done for s in self.readers),
                "at_seq": sum(s.last_id >= seq for s in self.readers), "n": self.n}

    def finish(self, expected: dict) -> dict:
        """Every reader against the expected changes and state (see the module's docstring)."""
        order = expected["seqs"]
        wanted = set(order)
        api_posts = {int(k): v for k, v in expected["posts"].items()}
        api_points = expected["key_points"]
        replays: dict[tuple[int, ...], bool] = {}  # the same received sequence gives the same state: apply once
        totals: Counter[str] = Counter()
        bad: list[dict] = []
        answers: Counter[str] = Counter()
        for index, state in enumerate(self.readers):
            seqs = state.seqs
            got = set(seqs)
            lost = len(wanted - got)
            duplicated = len(seqs) - len(got)
            extra = len(got - wanted)
            reordered, highest, seen = 0, 0, set()
            for seq in seqs:
                if seq not in seen and seq < highest:
                    reordered += 1
                seen.add(seq)
                highest = max(highest, seq)
            key = (tuple(seqs), tuple(sorted((state.variants or {}).items())))
            if key not in replays:
                replays[key] = self._state_matches(seqs, state.variants or {}, api_posts, api_points)
            state_ok = replays[key]
            answers.update(state.answers)
            totals.update(lost=lost, duplicated=duplicated, reordered=reordered, extra=extra,
                          readers_lost=bool(lost), readers_duplicated=bool(duplicated),
                          readers_reordered=bool(reordered), state_mismatch=not state_ok, resets=state.resets,
                          connections=state.connections, events=len(seqs))
            if (lost or duplicated or reordered or extra or not state_ok) and len(bad) < 5:
                bad.append({"reader": index, "lost": sorted(wanted - got)[:20], "duplicated": duplicated,
                            "reordered": reordered, "state_ok": state_ok, "seqs_tail": list(seqs[-10:]),
                            "answers": dict(state.answers)})
        totals.update(compacted_replays=self.rewritten, drops=self.drops, stalls=self.stalls,
                      connect_errors=self.connect_errors, readers=self.n, distinct_sequences=len(replays))
        return {"totals": dict(totals), "answers": dict(answers), "bad": bad,
                "state_mismatches": self.state_examples}

    def _state_matches(self, seqs: array.array, variants: dict[int, int], api_posts: dict[int, dict],
                       api_points: list) -> bool:
        chosen = (self.events[seq][variants.get(i, 0)] for i, seq in enumerate(seqs))
        posts, points = apply(((kind, data) for kind, _digest, data in chosen), [])
        same = posts == api_posts and points == api_points
        if not same and len(self.state_examples) < 2:
            both = sorted(set(posts) & set(api_posts))
            self.state_examples.append({
                "only_reader": sorted(set(posts) - set(api_posts))[:10],
                "only_api": sorted(set(api_posts) - set(posts))[:10],
                "differ": [(k, posts[k], api_posts[k]) for k in both if posts[k] != api_posts[k]][:3],
                "points": [points, api_points] if points != api_points else None})
        return same

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for i, state in enumerate(self.readers):
            self.connect(state)
            if i % 250 == 249:
                await asyncio.sleep(0.05)
        loop.create_task(self.chores())
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
            command, _, arg = line.partition(" ")
            if command == "status":
                answer: object = self.status(int(arg or 0))
            elif command == "drops":
                self.dropping = arg == "on"
                answer = {"dropping": self.dropping}
            elif command == "finish":
                answer = self.finish(json.loads(await loop.run_in_executor(None, sys.stdin.readline)))
            else:
                return
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()


def shape(post: dict) -> dict:
    """What a reader's page shows of a post, the same from an event and from the API."""
    return {"headline": post["headline"], "body": post["body"], "pinned": post["pinned"],
            "version": post["version"]}


def apply(events, points: list) -> tuple[dict[int, dict], list]:
    """The state after ``(type, data)`` events, in order, over an empty page."""
    posts: dict[int, dict] = {}
    for kind, data in events:
        if kind == b"keypoints.updated":
            points = [[p["text"], p.get("post_id")] for p in data["key_points"]]
        elif kind == b"post.deleted":
            posts.pop(data["post"]["id"], None)
        elif kind.startswith(b"post."):
            post = data["post"]
            if post.get("status", "published") == "published":
                posts[post["id"]] = shape(post)
            else:
                posts.pop(post["id"], None)
    return posts, points


# --- the controller ---------------------------------------------------------------------------------------------

class Soak:
    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.args, self.tmp = args, tmp
        self.database = f"dl_soak_{os.getpid()}"
        self.redis_port, self.origin_port = free_port(), free_port()
        self.redis: subprocess.Popen | None = None
        self.server: subprocess.Popen | None = None
        self.nginx: Nginx | None = None
        self.publisher: asyncio.subprocess.Process | None = None
        self.clients: list[asyncio.subprocess.Process] = []
        self.faults: list[dict] = []
        self.t0 = time.time()
        self.server_log = tmp / "origin.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DATELINE_")}
        self.env.update(
            PYTHONPATH=str(ROOT), DATELINE_DATA_DIR=str(tmp / "data"), DATELINE_LOG_LEVEL="WARNING",
            DATELINE_DATABASE_URL=ADMIN_URL.rsplit("/", 1)[0] + f"/{self.database}",
            DATELINE_REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/{REDIS_DB}?channel=dateline-soak-{uuid.uuid4().hex}",
            DATELINE_SECRET_KEY="soak-bench-" + "s" * 40, DATELINE_TRUSTED_PROXIES="127.0.0.1",
            DATELINE_ALLOWED_HOSTS="localhost,127.0.0.1",
        )

    def stamp(self) -> float:
        return round(time.time() - self.t0, 1)

    # processes
    def start_redis(self) -> None:
        self.redis = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port),
                                       "--save", "", "--appendonly", "no", "--dir", str(self.tmp)],
                                      stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True,
                             text=True).stdout.strip() != "PONG":
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.1)

    def stop_redis(self) -> None:
        if self.redis and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(10)

    async def setup(self) -> None:
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        self.start_redis()
        subprocess.run([sys.executable, "-m", "dateline.cli", "manage", "migrate", "-v0"], env=self.env, cwd=ROOT,
                       check=True)
        connections = 2 * self.args.readers + 1000
        self.nginx = Nginx([f"127.0.0.1:{self.origin_port}"], prefix=self.tmp / "nginx",
                           media_public_root=self.tmp / "media", workers=NGINX_WORKERS, connections=connections,
                           limits=False)
        main = self.nginx.prefix / "nginx.conf"
        # Timestamps to the millisecond, to tell a 5xx inside a fault window from one outside.
        main.write_text(main.read_text().replace(
            f"access_log {self.nginx.prefix}/access.log;",
            "log_format soak '$msec $status $request_method $uri $upstream_addr';\n"
            f"    access_log {self.nginx.prefix}/access.log soak;"))
        self.nginx.start()
        self.publisher = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench._publisher", SLUG, "soak", self.nginx.url, str(self.args.rate),
            env=self.env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, limit=1 << 30)
        assert self.publisher.stdout
        assert (await self.publisher.stdout.readline()).strip() == b"ready"
        log = self.server_log.open("wb")
        self.server = subprocess.Popen([sys.executable, "-m", "dateline.cli", "serve", "--port",
                                        str(self.origin_port), "--workers", "2"], env=self.env, cwd=ROOT,
                                       stdout=log, stderr=subprocess.STDOUT)
        await self.wait_healthy()

    async def wait_healthy(self, timeout: float = 60) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as client:
            while True:
                try:
                    if (await client.get(f"http://127.0.0.1:{self.origin_port}/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("dateline serve did not become healthy")
                await asyncio.sleep(0.2)

    def workers(self) -> list[int]:
        assert self.server
        children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children").read_text().split()
        found = []
        for pid in children:
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if b"spawn_main" in cmdline and b"resource_tracker" not in cmdline and stat != "Z":
                found.append(int(pid))
        return found

    async def open_readers(self) -> None:
        n = self.args.readers
        count = -(-n // READERS_PER_CLIENT)
        assert self.nginx
        for i in range(count):
            share = n // count + (1 if i < n % count else 0)
            self.clients.append(await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.soak", "--client", str(self.nginx.http_port), str(share), str(i),
                str(self.args.drops), stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, limit=1 << 30))

    async def ask(self, command: str, payload: str | None = None) -> list[dict]:
        answers = []
        for client in self.clients:
            assert client.stdin
            client.stdin.write(command.encode() + b"\n" + (payload.encode() + b"\n" if payload else b""))
            await client.stdin.drain()
        for client in self.clients:
            assert client.stdout
            answers.append(json.loads(await client.stdout.readline()))
        return answers

    async def wait_readers(self, seq: int, timeout: float) -> dict[str, int]:
        deadline = time.monotonic() + timeout
        while True:
            answers = await self.ask(f"status {seq}")
            total = {k: sum(a[k] for a in answers) for k in ("connected", "at_seq", "n")}
            if (total["connected"] == total["n"] and total["at_seq"] == total["n"]) or time.monotonic() > deadline:
                return total
            await asyncio.sleep(1)

    # faults
    async def kill_worker(self) -> None:
        before = self.workers()
        victim = before[0]
        at = self.stamp()
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            now = self.workers()
            if len(now) == len(before) and victim not in now:
                break
            await asyncio.sleep(0.1)
        self.faults.append({"fault": f"worker {victim} SIGKILLed", "at": at, "recovered": self.stamp()})

    async def restart_redis(self) -> None:
        at = self.stamp()
        log_from = self.server_log.stat().st_size
        self.stop_redis()
        await asyncio.sleep(self.args.redis_down)
        down_log = self.server_log.read_bytes()[log_from:].decode(errors="replace")
        (Path(tempfile.gettempdir()) / "dateline-soak-origin-redis-down.log").write_text(down_log)
        self.start_redis()
        self.faults.append({"fault": f"Redis stopped {self.args.redis_down:g} s, started again", "at": at,
                            "recovered": self.stamp(), "origin_log_while_down": summarize_log(down_log)})

    async def reload_nginx(self) -> None:
        assert self.nginx
        at = self.stamp()
        subprocess.run(self.nginx.command("-s", "reload"), check=True, capture_output=True)
        # Old workers close their streams after worker_shutdown_timeout (deploy/procs/nginx.py): then readers move.
        await asyncio.sleep(12)
        self.faults.append({"fault": "nginx -s reload", "at": at, "recovered": self.stamp()})

    async def run(self) -> dict:
        args = self.args
        duration = args.minutes * 60
        await self.setup()
        await self.open_readers()
        connected = await self.wait_readers(0, 180)
        if connected["connected"] != args.readers:
            raise RuntimeError(f"only {connected} readers connected")
        print(f"{args.readers} readers connected through nginx; publishing {args.rate:g} changes/s for "
              f"{args.minutes:g} min", flush=True)
        assert self.publisher and self.publisher.stdin and self.publisher.stdout
        self.t0 = time.time()
        load_before = os.getloadavg()
        self.publisher.stdin.write(b"go\n")
        await self.publisher.stdin.drain()
        await self.ask("drops on")
        schedule = [(0.15, self.kill_worker), (0.35, self.restart_redis), (0.55, self.reload_nginx),
                    (0.75, self.kill_worker)]
        for fraction, fault in schedule:
            await asyncio.sleep(max(0.0, self.t0 + fraction * duration - time.time()))
            print(f"  t={self.stamp()} s: {fault.__name__}", flush=True)
            await fault()
        await asyncio.sleep(max(0.0, self.t0 + duration - time.time()))
        await self.ask("drops off")
        self.publisher.stdin.write(b"stop\n")
        await self.publisher.stdin.drain()
        requests = json.loads(await self.publisher.stdout.readline())
        await self.publisher.wait()
        ended = self.stamp()
        expected = await self.expected()
        final = expected["seqs"][-1] if expected["seqs"] else 0
        reached = await self.wait_readers(final, 120)
        await asyncio.sleep(1)  # a duplicate sent after the last change would arrive now
        results = await self.ask("finish", json.dumps(expected))
        load_after = os.getloadavg()
        return self.report(requests, expected, reached, results, load_before, load_after, ended)

    async def expected(self) -> dict:
        import httpx

        base = f"http://127.0.0.1:{self.origin_port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            changes = (await client.get(f"/live/{SLUG}/changes", params={"after": 0})).json()
            posts: dict[str, dict] = {}
            cursor = None
            while True:
                params = {"limit": 100, **({"before": cursor} if cursor else {})}
                page = (await client.get(f"/api/v1/blogs/{SLUG}/posts", params=params)).json()
                posts.update({str(p["id"]): shape(p) for p in page["items"]})
                cursor = page["next"]
                if not cursor:
                    break
            points = (await client.get(f"/api/v1/blogs/{SLUG}/key-points")).json()["key_points"]
        seqs = [c["seq"] for c in changes["changes"]]
        assert not changes.get("reset") and seqs == list(range(1, changes["seq"] + 1)), "not every change retained"
        # The server's own consistency: all changes replayed over an empty page give the API's state.
        replayed, replayed_points = apply(((c["type"].encode(), c) for c in changes["changes"]), [])
        key_points = [[p["text"], p.get("post_id")] for p in points]
        return {"seqs": seqs, "posts": posts, "key_points": key_points,
                "types": dict(Counter(c["type"] for c in changes["changes"])),
                "replay_matches_api": {str(k): v for k, v in replayed.items()} == posts
                and replayed_points == key_points}

    def report(self, requests: list, expected: dict, reached: dict, results: list[dict], load_before: tuple,
               load_after: tuple, ended: float) -> dict:
        totals: Counter[str] = Counter()
        answers: Counter[str] = Counter()
        bad: list = []
        examples: list = []
        for r in results:
            examples += r["state_mismatches"]
            totals.update(r["totals"])
            answers.update(r["answers"])
            bad += r["bad"]
        windows = [(f["at"] - 0.5, f["recovered"] + self.args.grace) for f in self.faults]

        def in_fault(t: float) -> bool:
            return any(a <= t <= b for a, b in windows)

        assert self.nginx
        nginx_5xx: Counter[tuple[str, str]] = Counter()
        for line in self.nginx.access_log().splitlines():
            parts = line.split()
            if len(parts) >= 4 and parts[1].startswith("5"):
                t = float(parts[0]) - self.t0
                where = "api" if parts[3].startswith("/api/") else "events" if parts[3].endswith("/events") else "other"
                nginx_5xx[(where, "during faults" if in_fault(t) else "outside faults")] += 1
        publisher_failures: Counter[tuple[str, str, str]] = Counter()
        for t, op, status in requests:
            if not (isinstance(status, int) and status < 500):
                window = "during faults" if in_fault(t - self.t0) else "outside faults"
                publisher_failures[(op, str(status), window)] += 1
        ops = Counter(op for _t, op, status in requests if isinstance(status, int) and status < 500)
        return {
            "readers": self.args.readers, "minutes": self.args.minutes, "rate": self.args.rate,
            "drops_per_reader_minute": self.args.drops, "load_before": load_before, "load_after": load_after,
            "publisher_ended_at": ended, "faults": self.faults, "changes": len(expected["seqs"]),
            "change_types": expected["types"], "api_posts": len(expected["posts"]),
            "replay_matches_api": expected["replay_matches_api"], "readers_at_final_seq": reached,
            "totals": dict(totals), "answers": dict(answers), "bad": bad[:3], "state_examples": examples[:2],
            "nginx_5xx": {f"{a} {b}": n for (a, b), n in nginx_5xx.items()},
            "publisher_requests": dict(ops),
            "publisher_failures": {" ".join(k): n for k, n in publisher_failures.items()},
        }

    async def close(self) -> None:
        for client in self.clients:
            if client.returncode is None:
                client.kill()
                await client.wait()
        if self.publisher and self.publisher.returncode is None:
            self.publisher.kill()
            await self.publisher.wait()
        if self.server and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(15)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        if self.nginx:
            self.nginx.stop()
        self.stop_redis()
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


def summarize_log(text: str) -> dict[str, int | str]:
    lines = text.splitlines()
    return {"lines": len(lines), "tracebacks": sum(line.startswith("Traceback") for line in lines),
            "redis_lines": sum("redis" in line.lower() for line in lines),
            "first": next((line for line in lines if line.strip()), "")[:200]}


async def main(args: argparse.Namespace) -> None:
    if not nginx_binary():
        sys.exit("nginx not installed: apt-get install -y nginx")
    limit = raise_file_limit()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout
    print(f"soak: {args.readers} readers, {args.minutes:g} min, {args.rate:g} changes/s, {args.drops:g} drops per "
          f"reader-minute; nproc={os.cpu_count()} open files={limit} commit={commit.strip()} "
          f"utc={time.strftime('%Y-%m-%d %H:%M', time.gmtime())} load={os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="dateline-soak-") as tmp:
        soak = Soak(args, Path(tmp))
        try:
            result = await soak.run()
        finally:
            await soak.close()
    print(json.dumps(result, indent=1))
    t = result["totals"]
    outside = sum(n for k, n in result["nginx_5xx"].items() if k.endswith("outside faults"))
    print(f"SUMMARY readers={result['readers']} minutes={result['minutes']:g} changes={result['changes']} "
          f"lost={t.get('lost', 0)} duplicated={t.get('duplicated', 0)} reordered={t.get('reordered', 0)} "
          f"state_mismatch={t.get('state_mismatch', 0)} resets={t.get('resets', 0)} "
          f"compacted_replays={t.get('compacted_replays', 0)} 5xx_outside_faults={outside} "
          f"5xx_during_faults={sum(result['nginx_5xx'].values()) - outside} drops={t.get('drops', 0)} "
          f"stalls={t.get('stalls', 0)} load {tuple(round(x, 2) for x in result['load_before'])}→"
          f"{tuple(round(x, 2) for x in result['load_after'])}")


if __name__ == "__main__" and sys.argv[1:2] == ["--client"]:
    raise_file_limit()
    clients = Clients(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    uvloop.run(clients.run())
elif __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 readers, 1 minute")
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=1.0, help="changes a second (the publisher)")
    parser.add_argument("--drops", type=float, default=0.1, help="random drops per reader per minute")
    parser.add_argument("--redis-down", type=float, default=5.0, help="seconds Redis stays stopped")
    parser.add_argument("--grace", type=float, default=10.0,
                        help="seconds after a fault's recovery still counted as its window")
    parsed = parser.parse_args()
    if parsed.quick:
        parsed.readers, parsed.minutes = 200, 1.0
    uvloop.run(main(parsed))
