"""Browser tests: Python playwright driving Debian's Chromium against a real ``dateline serve`` subprocess.

Writes go through the JSON API with a token made by the CLI, exactly as a newsroom integration would, so every
change travels the real path: action -> broker -> live edge -> EventSource in the page.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import missing_service

CHROMIUM = "/usr/bin/chromium"
DATELINE = str(Path(sys.executable).parent / "dateline")
ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One ``dateline serve`` process on a fixed port and data dir; can be killed and started again."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DATELINE_DATA_DIR": str(data_dir), "DATELINE_DEBUG": "0",
                    "DATELINE_ALLOWED_HOSTS": "127.0.0.1,localhost", "PYTHONUNBUFFERED": "1"}
        # Its own SQLite file and in-process broker, whatever the suite's database: nothing shared with other runs.
        self.env.pop("DATELINE_DATABASE_URL", None)
        self.env.pop("DATELINE_REDIS_URL", None)
        self.proc: subprocess.Popen | None = None
        self.log = (data_dir / "serve.log").open("ab")
        self.token = ""

    def cli(self, *args: str) -> str:
        done = subprocess.run([DATELINE, *args], env=self.env, capture_output=True, text=True, timeout=120,
                              cwd=ROOT)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def start(self) -> None:
        self.proc = subprocess.Popen([DATELINE, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                                     env=self.env, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dateline serve exited: see {self.data_dir / 'serve.log'}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("dateline serve did not answer /healthz within 30 s")

    def kill(self) -> None:
        """Kill -9: no graceful close of the streams, as in a crash."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    # --- the JSON API -----------------------------------------------------------------------------------------
    def api(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        response = httpx.request(method, self.url + "/api/v1" + path, headers=headers, timeout=20, **kwargs)
        assert response.status_code < 400, (response.status_code, response.text)
        return response

    def create_blog(self, title: str, **fields) -> dict:
        return self.api("POST", "/blogs", json={"title": title, **fields}).json()

    def publish(self, slug: str, headline: str, body: str = "<p>Body.</p>", **fields) -> dict:
        return self.api("POST", f"/blogs/{slug}/posts", json={"headline": headline, "body": body, **fields}).json()

    def patch(self, slug: str, post_id: int, **fields) -> dict:
        etag = self.api("GET", f"/blogs/{slug}/posts/{post_id}").headers["ETag"]
        return self.api("PATCH", f"/blogs/{slug}/posts/{post_id}", json=fields, headers={"If-Match": etag}).json()

    def delete(self, slug: str, post_id: int) -> None:
        etag = self.api("GET", f"/blogs/{slug}/posts/{post_id}").headers["ETag"]
        self.api("DELETE", f"/blogs/{slug}/posts/{post_id}", headers={"If-Match": etag})

    def key_points(self, slug: str, points: list[dict]) -> None:
        self.api("PUT", f"/blogs/{slug}/key-points", json={"key_points": points})


# Logs the stream's life to the console (shown with a failing test's output): open, error and each event's id.
ES_PROBE = """(() => { const ES = window.EventSource; if (!ES) return;
  window.EventSource = function (url) { const es = new ES(url);
    es.addEventListener('open', () => console.log('stream open ' + url));
    es.addEventListener('error', () => console.log('stream error, readyState ' + es.readyState));
    return es; };
  window.EventSource.CONNECTING = 0; window.EventSource.OPEN = 1; window.EventSource.CLOSED = 2; })()"""


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    """Per module: only one sync Playwright may run at a time, and other modules here start their own."""
    if not os.path.exists(CHROMIUM):
        missing_service("Chromium not found: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_service("playwright not installed: pip install -e '.[test]'")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    """A real server on SQLite in a fresh data dir, with an editor and an API token."""
    if not os.path.exists(CHROMIUM):
        missing_service("Chromium not found: apt-get install -y chromium")
    data_dir = tmp_path_factory.mktemp("dateline-browser")
    srv = Server(data_dir)
    srv.cli("user", "create", "desk", "--role", "editor")
    srv.token = srv.cli("token", "create", "desk").splitlines()[-1].strip()
    srv.start()
    yield srv
    srv.stop()
    srv.log.close()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def page(chromium, server):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, base_url=server.url)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    # The page runs under our Content-Security-Policy: a violation would mean a feature silently broken in production.
    pg.on("console", lambda m: "Content Security Policy" in m.text and errors.append(m.text))
    # What the page asked the live edge, printed with a failing test's output.
    started = time.monotonic()
    pg.on("request", lambda r: ("/events" in r.url or "/changes" in r.url) and print(
        f"{time.monotonic() - started:7.3f}s request {r.url}"))
    pg.on("requestfailed", lambda r: print(f"{time.monotonic() - started:7.3f}s failed {r.url} {r.failure}"))
    pg.on("console", lambda m: print(f"{time.monotonic() - started:7.3f}s console {m.text}"))
    pg.add_init_script(ES_PROBE)
    yield pg
    context.close()
    print("--- serve.log (tail) ---\n" + "\n".join(
        (server.data_dir / "serve.log").read_text(errors="replace").splitlines()[-15:]))
    assert not errors, f"JavaScript errors or CSP violations: {errors}"
