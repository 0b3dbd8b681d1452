"""``make cluster``: the production shape on one machine, in the foreground, until Ctrl-C stops all of it.

    dateline serve --workers 2     on 127.0.0.1:<origin-port> (8001), trusting nginx's X-Forwarded-*
    Debian's nginx                 on http://127.0.0.1:<http-port> (8080), with deploy/nginx/dateline.conf
    Pushpin (--grip, GRIP=1)       on http://127.0.0.1:<pushpin-port> (7999), with deploy/pushpin/ (and its zurl),
                                   publishing on 127.0.0.1:<publish-port> (5561), signing with a fresh key

The database and Redis are the ones ``DATELINE_DATABASE_URL`` and ``DATELINE_REDIS_URL`` name (``--workers 2``
needs Redis; without a database URL the data dir's SQLite file is used). Before serving: migrations, and the demo
live blog loaded (``dateline demo``, idempotent). nginx's config is the shipped file with its marked lines
rewritten (deploy/procs/nginx.py, the same helper the tests use) into ``--prefix`` (var/cluster), with its pid,
logs, cache and temp files there, so the system's nginx is not touched.

Ctrl-C (SIGINT) or SIGTERM: every child gets SIGTERM — the serve supervisor stops its workers, nginx and Pushpin
stop — then whatever is left after 10 s is killed. Exit status 0 after a clean stop, 1 when a child died early.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deploy.procs.nginx import Nginx, nginx_binary  # noqa: E402
from deploy.procs.pushpin import Pushpin, pushpin_binary  # noqa: E402

STOP_SECONDS = 10.0


def dateline(*args: str) -> list[str]:
    return [sys.executable, "-m", "dateline.cli", *args]


def wait_http(url: str, process: subprocess.Popen[bytes], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode} before answering {url}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise SystemExit(f"{what} did not answer {url} within {timeout:.0f} s") from None
            time.sleep(0.2)


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to every child still running, newest (the proxies) first; SIGKILL after STOP_SECONDS."""
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for process in reversed(processes):
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--http-port", type=int, default=8080)
    parser.add_argument("--origin-port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--grip", action="store_true", default=os.environ.get("GRIP") == "1")
    parser.add_argument("--pushpin-port", type=int, default=7999)
    parser.add_argument("--publish-port", type=int, default=5561)
    parser.add_argument("--prefix", type=Path, default=ROOT / "var" / "cluster")
    args = parser.parse_args(argv)

    if not nginx_binary():
        raise SystemExit("nginx not installed: apt-get install -y nginx (make cluster does so as root)")
    if args.workers > 1 and not os.environ.get("DATELINE_REDIS_URL"):
        raise SystemExit("--workers 2 shares changes through Redis: set DATELINE_REDIS_URL "
                         "(e.g. redis://127.0.0.1:6379/0)")
    env = dict(os.environ)
    env.setdefault("DATELINE_TRUSTED_PROXIES", "127.0.0.1")  # nginx (and Pushpin) on this machine
    env.setdefault("DATELINE_PUBLIC_URL", f"http://127.0.0.1:{args.http_port}")
    if args.grip:
        if not pushpin_binary():
            raise SystemExit("pushpin not installed: apt-get install -y pushpin (make cluster does so as root)")
        env.setdefault("DATELINE_GRIP_URL", f"http://127.0.0.1:{args.publish_port}/")
        env.setdefault("DATELINE_GRIP_KEY", secrets.token_urlsafe(32))  # Pushpin signs with it (its sig_key)
    data = Path(env.get("DATELINE_DATA_DIR", str(ROOT / "var")))
    media_public = Path(env.get("DATELINE_MEDIA_PUBLIC_ROOT", str(data / "media-public")))
    media_public.mkdir(parents=True, exist_ok=True)

    subprocess.run(dateline("manage", "migrate", "-v0"), env=env, cwd=ROOT, check=True)
    # Before Pushpin runs, and before any reader: the demo's changes need no publishing to a proxy (that would only
    # be retried against a closed port and dropped at exit, with a warning each).
    offline = {k: v for k, v in env.items() if k != "DATELINE_GRIP_URL"}
    subprocess.run(dateline("demo"), env=offline, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)

    stopping = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stopping.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)

    processes: list[subprocess.Popen[bytes]] = []
    shutil.rmtree(args.prefix, ignore_errors=True)
    proxy = Nginx([f"127.0.0.1:{args.origin_port}"], prefix=args.prefix, media_public_root=media_public,
                  http_port=args.http_port, server_name="127.0.0.1 localhost", workers=2, connections=16384)
    try:
        serve = dateline("serve", "--port", str(args.origin_port), "--workers", str(args.workers))
        origin = subprocess.Popen(serve, env=env, cwd=ROOT)
        processes.append(origin)
        wait_http(f"http://127.0.0.1:{args.origin_port}/healthz", origin, "dateline serve")
        proxy.start()
        assert proxy.process is not None
        processes.append(proxy.process)
        print(f"nginx: http://127.0.0.1:{args.http_port}/  (logs in {args.prefix})", flush=True)
        if args.grip:
            grip = Pushpin(f"127.0.0.1:{args.origin_port}", key=env["DATELINE_GRIP_KEY"],
                           prefix=args.prefix / "pushpin", http_port=args.pushpin_port,
                           publish_port=args.publish_port)
            grip.start()
            assert grip.process is not None and grip.zurl is not None
            processes.extend([grip.zurl, grip.process])
            print(f"pushpin: http://127.0.0.1:{args.pushpin_port}/  (config and logs in {grip.prefix})", flush=True)
        print("ready; Ctrl-C stops everything", flush=True)
        while not stopping.wait(0.5):
            died = [p for p in processes if p.poll() is not None]
            if died:
                print(f"a child exited ({died[0].args[0]} with {died[0].returncode}); stopping", file=sys.stderr)
                return 1
        return 0
    finally:
        stop_all(processes)
        proxy.process = None  # reaped above


if __name__ == "__main__":
    sys.exit(main())
