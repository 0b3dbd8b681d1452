"""The shipped nginx config (deploy/nginx/dateline.conf) in front of two real ``dateline serve`` processes.

One cluster for the module: the servers (SQLite, or a PostgreSQL database of their own when the suite runs on
PostgreSQL; Redis between the two workers) with an https public URL, and Debian's nginx with TLS — a self-signed
certificate made here with the openssl CLI — on free ports, and plain http beside it, which the app redirects.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deploy.procs.nginx import Nginx, free_port, nginx_binary
from tests.conftest import missing_service
from tests.live.conftest import SseReader
from tests.live.test_processes import REDIS, ROOT, Cluster, _redis_or_skip

pytestmark = [pytest.mark.nginx, pytest.mark.redis]

SLUG = "harbour-night"
WAIT = 20.0  # seconds: a bound for what must happen, never a measure of speed


class ProxiedCluster(Cluster):
    """The servers trust nginx (127.0.0.1) and log each request's client address (uvicorn's access log)."""

    tmp: Path
    logs: list[Path]

    def serve(self, workers: int = 1) -> str:
        port = free_port()
        log = self.tmp / f"serve-{port}.log"
        self.logs = [*getattr(self, "logs", []), log]
        with log.open("w") as out:  # the child keeps its own copy of the descriptor
            process = subprocess.Popen(
                [sys.executable, "-m", "dateline.cli", "serve", "--port", str(port), "--workers", str(workers)],
                env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        self.servers.append((process, url))
        return url


def until(check, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[dict]:
    if not nginx_binary():
        missing_service("nginx not installed: apt-get install -y nginx")
    if not shutil.which("openssl"):
        missing_service("openssl not installed: apt-get install -y openssl")
    _redis_or_skip()
    tmp = tmp_path_factory.mktemp("nginx")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    data = tmp / "data"
    data.mkdir()
    proxy_prefix = tmp / "nginx"
    https_port = free_port()
    cluster = ProxiedCluster(data, f"{REDIS}?channel=dateline-test-{uuid.uuid4().hex}")
    cluster.tmp = tmp
    try:
        cluster.env.update(DATELINE_TRUSTED_PROXIES="127.0.0.1", DATELINE_LOG_LEVEL="INFO",
                           DATELINE_PUBLIC_URL=f"https://127.0.0.1:{https_port}", DATELINE_DATABASE_POOL_SIZE="3")
        cluster.write(f"setup {SLUG}")
        cluster.write("write 3")
        token = cluster.ask("token")
        # Two processes behind one upstream, sharing changes through Redis (a --workers 2 supervisor would do as
        # well, but its spawned workers write no access log, which the X-Forwarded-For test reads).
        origins = [cluster.serve(), cluster.serve()]
        origin = origins[0]
        proxy = Nginx([o.removeprefix("http://") for o in origins], prefix=proxy_prefix,
                      media_public_root=data / "media-public", tls=(cert, key), server_name="127.0.0.1",
                      https_port=https_port)
        with proxy:
            client = httpx.Client(base_url=proxy.https_url, verify=ssl.create_default_context(cafile=cert), timeout=10)
            yield {"cluster": cluster, "proxy": proxy, "origin": origin, "client": client, "token": token,
                   "cert": cert}
            client.close()
    finally:
        cluster.close()


def test_sse_events_arrive_one_by_one(stack):
    cluster, proxy = stack["cluster"], stack["proxy"]
    seq = cluster.state()["seq"]
    reader = SseReader(f"{proxy.https_url}/live/{SLUG}/events", headers={"Last-Event-ID": str(seq)})
    # SseReader's own client: point it at our certificate.
    os.environ["SSL_CERT_FILE"] = str(stack["cert"])
    try:
        reader.start()
        assert reader.status == 200
        for _ in range(3):
            seq = cluster.write("write 1")
            # Each change arrives before the next is written: nothing waits for a buffer to fill.
            until(lambda: any(e.id == seq for e in reader.events), f"event {seq} through nginx")
        assert [e.id for e in reader.events if e.id is not None][-3:] == [seq - 2, seq - 1, seq]
    finally:
        reader.stop()
        os.environ.pop("SSL_CERT_FILE", None)


def test_changes_and_page_are_cached_then_refreshed(stack):
    cluster, client = stack["cluster"], stack["client"]
    seq = cluster.write("write 1")
    url = f"/live/{SLUG}/changes?after={seq - 1}"
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert (first.headers["X-Cache-Status"], second.headers["X-Cache-Status"]) == ("MISS", "HIT")
    before = len(second.json()["changes"])
    newer = cluster.write("write 1")

    def refreshed() -> bool:
        response = client.get(url)
        assert response.headers["X-Cache-Status"] in ("HIT", "STALE", "UPDATING", "EXPIRED", "MISS")
        return len(response.json()["changes"]) > before and response.json()["seq"] == newer
    # max-age=2, then a stale answer while nginx refreshes in the background: the change shows soon after.
    until(refreshed, "the new change through the cache")

    page = f"/live/{SLUG}/"
    first, second = client.get(page), client.get(page)
    assert first.status_code == second.status_code == 200
    assert (first.headers["X-Cache-Status"], second.headers["X-Cache-Status"]) == ("MISS", "HIT")
    assert second.text == first.text


def test_signed_in_and_token_requests_are_never_cached(stack):
    client, token = stack["client"], stack["token"]
    page = f"/live/{SLUG}/feed.json?probe={uuid.uuid4().hex}"
    client.get(page), client.get(page)  # the anonymous copy is now in the cache
    for headers in ({"Cookie": "sessionid=someone-signed-in"}, {"Authorization": f"Bearer {token}"}):
        for _ in range(2):
            assert client.get(page, headers=headers).headers["X-Cache-Status"] == "BYPASS"
    # Nor did a signed-in answer go into the cache: a fresh URL asked signed in first is a MISS for the next reader.
    fresh = f"/live/{SLUG}/?probe={uuid.uuid4().hex}"
    assert client.get(fresh, headers={"Cookie": "sessionid=x"}).headers["X-Cache-Status"] == "BYPASS"
    assert client.get(fresh).headers["X-Cache-Status"] == "MISS"


def test_anonymous_api_reads_are_cached_and_tokens_bypass(stack):
    client, token = stack["client"], stack["token"]
    auth = {"Authorization": f"Bearer {token}"}
    posts = f"/api/v1/blogs/{SLUG}/posts?limit=5&probe={uuid.uuid4().hex}"  # a URL of its own in nginx's cache
    first, second = client.get(posts), client.get(posts)
    assert first.status_code == second.status_code == 200
    assert (first.headers["X-Cache-Status"], second.headers["X-Cache-Status"]) == ("MISS", "HIT")
    assert second.content == first.content and second.headers["Cache-Control"].startswith("public")
    one = f"/api/v1/blogs/{SLUG}/posts/{first.json()['items'][0]['id']}"
    read = client.get(one)
    again = client.get(one, headers={"If-None-Match": read.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == read.headers["ETag"]  # the API's strong tag

    for _ in range(2):  # a token is never answered from the cache...
        with_token = client.get(posts, headers=auth)
        assert with_token.status_code == 200 and with_token.headers["X-Cache-Status"] == "BYPASS"
        assert "public" not in with_token.headers.get("Cache-Control", "")
    drafts = client.get(f"/api/v1/blogs/{SLUG}/posts?status=draft", headers=auth)
    assert drafts.status_code == 200 and drafts.headers["X-Cache-Status"] == "BYPASS"
    fresh = f"/api/v1/blogs/{SLUG}?probe={uuid.uuid4().hex}"  # ...nor is its answer stored for the next reader
    assert client.get(fresh, headers=auth).headers["X-Cache-Status"] == "BYPASS"
    assert client.get(fresh).headers["X-Cache-Status"] == "MISS"

    made = client.post(f"/api/v1/blogs/{SLUG}/posts", headers=auth,
                       json={"headline": "Tugs stand by", "body": "<p>Two tugs wait at the mouth.</p>"})
    assert made.status_code == 201 and made.headers.get("X-Cache-Status") in (None, "", "BYPASS")

    def shown() -> bool:  # s-maxage=5, then a stale answer while nginx refreshes: the new post shows soon after
        return made.json()["id"] in [p["id"] for p in client.get(posts).json()["items"]]
    until(shown, "the new post through the cache")


def test_a_deleted_post_leaves_nginx_within_the_pages_lifetime(stack):
    """Found in review: the 404 that follows a deletion was not stored, so nginx kept answering the deleted post's
    share page and API read as STALE for as long as anyone asked (minutes, under polling)."""
    client, token = stack["client"], stack["token"]
    auth = {"Authorization": f"Bearer {token}"}
    made = client.post(f"/api/v1/blogs/{SLUG}/posts", headers=auth,
                       json={"headline": "Pilot boat aground", "body": "<p>A name we must not print.</p>"})
    assert made.status_code == 201
    post = made.json()["id"]
    urls = [f"/live/{SLUG}/posts/{post}/", f"/api/v1/blogs/{SLUG}/posts/{post}"]
    for url in urls:
        until(lambda url=url: client.get(url).status_code == 200, f"{url} published")
        assert client.get(url).headers["X-Cache-Status"] == "HIT"
    gone = client.delete(f"/api/v1/blogs/{SLUG}/posts/{post}", headers={**auth, "If-Match": made.headers["ETag"]})
    assert gone.status_code == 200, gone.text

    def removed(url: str) -> bool:
        response = client.get(url)
        if response.status_code == 200:
            return False
        assert response.status_code == 404 and "must not print" not in response.text
        return True
    # s-maxage=5, then one stale answer while nginx refreshes; polled all along, as a spike of readers would.
    for url in urls:
        until(lambda url=url: removed(url), f"{url} gone through nginx")
    time.sleep(1)
    assert all(client.get(url).status_code == 404 for url in urls)  # and it stays gone


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


def test_static_and_media(stack):
    client, token = stack["client"], stack["token"]
    page = client.get(f"/live/{SLUG}/").text
    css = re.search(r'href="(/static/[^"]+\.css\?v=[^"]+)"', page)
    assert css, "the page links its stylesheet"
    first, second = client.get(css[1]), client.get(css[1])
    assert first.status_code == second.status_code == 200
    assert second.headers["X-Cache-Status"] == "HIT" and second.content == first.content
    assert "immutable" in second.headers["Cache-Control"]

    auth = {"Authorization": f"Bearer {token}"}
    upload = client.post("/api/v1/media", files={"file": ("red.png", _png(), "image/png")},
                         data={"alt": "A red square"}, headers=auth)
    assert upload.status_code == 201, upload.text
    media_url = upload.json()["url"]
    # Not on a published post yet: not in the public tree, so nginx hands it to Django, which keeps it private.
    private = client.get(media_url)
    assert private.status_code == 404 and private.headers.get("X-Cache-Status") != "DISK"
    own = client.get(media_url, headers=auth)
    assert own.status_code == 200 and own.headers["Cache-Control"].startswith("private")
    assert own.headers.get("X-Cache-Status") != "DISK"

    post = client.post(f"/api/v1/blogs/{SLUG}/posts", headers=auth,
                       json={"headline": "Harbour lights", "body": "<p>Red.</p>", "media": [upload.json()["id"]]})
    assert post.status_code == 201, post.text
    public = until(lambda: (r := client.get(media_url)).status_code == 200 and r, "the published image")
    assert public.headers["X-Cache-Status"] == "DISK"  # from MEDIA_PUBLIC_ROOT by nginx, not the app
    assert public.content == own.content
    assert public.headers["Cache-Control"] == "public, max-age=3600, s-maxage=86400"


def _logged_client(cluster: ProxiedCluster, probe: str) -> str:
    """The client address the origin logged for the request whose URL carried ``probe``."""
    def line() -> str | None:
        return next((row for log in cluster.logs for row in log.read_text().splitlines() if probe in row), None)
    found = until(line, f"the origin logged {probe}")
    return found.split(" - ")[0].rsplit(" ", 1)[-1].rsplit(":", 1)[0]


def test_forwarded_for_is_believed_only_from_the_trusted_proxy(stack):
    cluster, proxy, origin = stack["cluster"], stack["proxy"], stack["origin"]
    # Clients on other loopback addresses than nginx's 127.0.0.1: what the origin believes is visible in its log.
    reader = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=10)
    with reader:
        probe = uuid.uuid4().hex
        reader.get(f"{proxy.url}/healthz?{probe}", headers={"X-Forwarded-For": "203.0.113.9"})
        assert _logged_client(cluster, probe) == "127.0.0.2"  # through nginx: the real client, not the forged one
        probe = uuid.uuid4().hex
        reader.get(f"{origin}/healthz?{probe}", headers={"X-Forwarded-For": "203.0.113.9"})
        assert _logged_client(cluster, probe) == "127.0.0.2"  # straight to the origin: the header is not believed


def test_tls_and_redirect_to_https(stack):
    proxy, client = stack["proxy"], stack["client"]
    assert client.get(f"/live/{SLUG}/").status_code == 200
    # The live edge redirects to DATELINE_PUBLIC_URL; Django to the same host (nginx passes $host, without the
    # port: on 443 in production, another port in this test).
    changes = f"/live/{SLUG}/changes?after=0"
    plain = httpx.get(f"{proxy.url}{changes}", timeout=10)
    assert (plain.status_code, plain.headers["Location"]) == (301, f"{proxy.https_url}{changes}")
    plain = httpx.get(f"{proxy.url}/live/{SLUG}/", timeout=10)
    assert plain.status_code == 301
    assert plain.headers["Location"].startswith("https://127.0.0.1") and plain.headers["Location"].endswith(
        f"/live/{SLUG}/")
    assert client.get("/healthz").headers.get("Strict-Transport-Security")


def test_limits_metrics_and_errors(stack):
    client, token = stack["client"], stack["token"]
    too_big = client.post("/api/v1/media", content=b"x" * (14 << 20), headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"})
    assert too_big.status_code == 413
    assert too_big.json()["error"]["code"] == "too_large"
    hidden = client.get("/metrics")
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"


def test_many_streams_from_one_address_are_not_limited(stack):
    """Readers behind one carrier NAT address: more SSE streams than limit_conn allows elsewhere all open."""
    import socket

    # Plain blocking sockets, held open together: asyncio with 250 TLS streams here made a later test's ast.parse
    # fail with CPython 3.11.7's "AST constructor recursion depth mismatch".
    context = ssl.create_default_context(cafile=stack["cert"])
    streams = []
    try:
        for _ in range(250):  # nginx's limit_conn for pages is 200 per address
            stream = context.wrap_socket(socket.create_connection(("127.0.0.1", stack["proxy"].https_port), 10),
                                         server_hostname="127.0.0.1")
            stream.sendall(f"GET /live/{SLUG}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            streams.append(stream)
        statuses = {stream.makefile("rb").readline() for stream in streams}
    finally:
        for stream in streams:
            stream.close()
    assert statuses == {b"HTTP/1.1 200 OK\r\n"}


def test_a_reload_closes_the_old_workers_streams_so_readers_resume_on_the_new_config(stack):
    """``nginx -s reload`` under SSE readers: the old workers close their streams after ``worker_shutdown_timeout``
    (deploy/procs/nginx.py sets it, docs/deploy.md says why), and the reader resumes by ``Last-Event-ID`` through a
    new worker. Without it the old worker keeps the stream — heartbeats keep it alive — for as long as the reader
    stays, on the old config: this test would then time out. Last in the module: it reloads the module's nginx."""
    cluster, proxy = stack["cluster"], stack["proxy"]
    seq = cluster.state()["seq"]
    os.environ["SSL_CERT_FILE"] = str(stack["cert"])
    reader = SseReader(f"{proxy.https_url}/live/{SLUG}/events", headers={"Last-Event-ID": str(seq)})
    try:
        reader.start()
        assert reader.status == 200
        old_workers = set(nginx_workers(proxy))
        reloaded = subprocess.run(proxy.command("-s", "reload"), capture_output=True, text=True)
        assert reloaded.returncode == 0, reloaded.stderr
        until(lambda: reader.ended or reader.error, "the old worker closing the stream", timeout=WAIT + 10)
        # Cut mid-stream (no last chunk): to an EventSource, a network error, after which it reconnects.
        assert reader.ended or isinstance(reader.error, httpx.RemoteProtocolError), reader.error
        # The old workers are gone; a reader resuming now is served by a new one, from where it was.
        until(lambda: not old_workers & set(nginx_workers(proxy)), "the old workers exiting")
        seq = cluster.write("write 1")
        resumed = SseReader(f"{proxy.https_url}/live/{SLUG}/events",
                            headers={"Last-Event-ID": str(seq - 1)}).start()
        try:
            resumed.wait_seq(seq)
            assert [e.id for e in resumed.events if e.id is not None] == [seq]
        finally:
            resumed.stop()
    finally:
        reader.stop()
        os.environ.pop("SSL_CERT_FILE", None)


def nginx_workers(proxy: Nginx) -> list[int]:
    """The pids of the nginx master's worker processes (old ones included while they shut down)."""
    master = int((proxy.prefix / "nginx.pid").read_text())
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children if b"worker process" in Path(f"/proc/{pid}/cmdline").read_bytes()]
