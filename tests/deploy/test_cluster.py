"""``make cluster`` (deploy/cluster.py), run briefly: it starts, answers through nginx, and SIGINT stops every child."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from deploy.procs.nginx import free_port, nginx_binary
from tests.conftest import missing_service
from tests.live.test_processes import REDIS, ROOT, SUITE_DATABASE, PrivateDatabase, _redis_or_skip

pytestmark = [pytest.mark.nginx, pytest.mark.redis]


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` now (from /proc: parent links)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_cluster_serves_through_nginx_and_stops_everything_on_sigint(tmp_path):
    if not nginx_binary():
        missing_service("nginx not installed: apt-get install -y nginx")
    _redis_or_skip()
    database = PrivateDatabase(SUITE_DATABASE) if SUITE_DATABASE.startswith(("postgres", "postgresql")) else None
    env = {k: v for k, v in os.environ.items() if k not in ("DATELINE_DATABASE_URL", "DATELINE_PUBLIC_URL")}
    env.update(DATELINE_DATA_DIR=str(tmp_path / "data"), DATELINE_REDIS_URL=f"{REDIS}?channel=dateline-test-"
               f"{uuid.uuid4().hex}", DATELINE_LOG_LEVEL="WARNING", DATELINE_DATABASE_POOL_SIZE="3")
    if database:
        env["DATELINE_DATABASE_URL"] = database.url
    http_port = free_port()
    children: set[int] = set()
    cluster = subprocess.Popen(
        [sys.executable, "deploy/cluster.py", "--http-port", str(http_port), "--origin-port", str(free_port()),
         "--prefix", str(tmp_path / "cluster")], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert cluster.stdout is not None
        for line in cluster.stdout:
            if line.startswith("ready"):
                break
        else:
            pytest.fail(f"make cluster exited with {cluster.wait()} before it was ready")
        page = httpx.get(f"http://127.0.0.1:{http_port}/live/vale-floods-2026-11-24/", timeout=10)
        assert page.status_code == 200 and "X-Cache-Status" in page.headers  # the demo blog, through nginx
        children = descendants(cluster.pid)
        assert len(children) >= 5  # the serve supervisor, its 2 workers, nginx's master and worker(s)
        cluster.send_signal(signal.SIGINT)
        assert cluster.wait(30) == 0
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in children if alive(pid)]
    finally:
        if cluster.poll() is None:
            cluster.kill()
            cluster.wait(10)
        for pid in children:  # a failed test leaves nothing behind either
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        if database:
            database.drop()
