"""A local fake oEmbed provider for tests: a tiny http.server on 127.0.0.1, in a thread, counting its requests.

It serves two providers' worth of answers, chosen by the path of the ``url`` it is asked about:

* "Newsreel" (``https://video.test/watch/<case>``): a video platform whose player is an iframe on
  ``player.video.test``; ``<case>`` picks a good answer or one of the ways a provider goes wrong.
* "Chirp" (``https://social.test/post/<n>``): a social network whose embed is a blockquote plus a ``<script>``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PLAYER = "https://player.video.test/embed/"


def _video(src: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "video", "version": "1.0", "provider_name": "Newsreel", "title": "Harbour bridge from the air",
        "author_name": "Courier Video", "thumbnail_url": "https://img.video.test/bridge.jpg",
        "width": 640, "height": 360,
        "html": f'<iframe width="640" height="360" src="{src}" frameborder="0" allowfullscreen></iframe>', **extra,
    }


VIDEO_CASES: dict[str, Any] = {
    "ok": _video(PLAYER + "ok?rel=0&amp;autoplay=0"),
    "hostile-title": _video(PLAYER + "t", title='<script>alert("title")</script>Bridge',
                            author_name='<img src=x onerror="alert(1)">'),
    "evil-host": _video("https://evil.test/embed/ok"),
    "lookalike-host": _video("https://player.video.test.evil.test/embed/ok"),
    "http-player": _video("http://player.video.test/embed/ok"),
    "javascript-player": _video("javascript:alert(document.cookie)"),
    "script-instead": {"type": "video", "version": "1.0", "title": "x",
                       "html": '<script src="https://player.video.test/p.js"></script>'},
}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet: pytest output stays readable
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        url = query.get("url", [""])[0]
        self.server.requests.append({"path": self.path, "url": url, "format": query.get("format", [""])[0]})
        target = urlsplit(url)
        case = target.path.rsplit("/", 1)[-1]
        if target.hostname == "social.test":
            self._send(200, json.dumps({
                "type": "rich", "version": "1.0", "provider_name": "Chirp", "author_name": "Ana Lima",
                "author_url": "https://social.test/ana", "title": "The bridge is closed in both directions",
                "width": 550, "height": None,
                "html": '<blockquote class="chirp-post"><p>The bridge is closed in both directions.</p>&mdash; Ana '
                        '<a href="https://social.test/post/1">June 3</a></blockquote>'
                        '<script async src="https://social.test/widgets.js" charset="utf-8"></script>',
            }).encode())
        elif case in VIDEO_CASES:
            self._send(200, json.dumps(VIDEO_CASES[case]).encode())
        elif case == "bad-json":
            self._send(200, b"<html><body>Service temporarily unavailable</body></html>", "text/html")
        elif case == "not-oembed":
            self._send(200, json.dumps({"hello": "world"}).encode())
        elif case == "huge":
            self._send(200, json.dumps({**VIDEO_CASES["ok"], "padding": "x" * 300_000}).encode())
        elif case == "server-error":
            self._send(500, b'{"error": "boom"}')
        elif case == "missing":
            self._send(404, b'{"error": "not found"}')
        elif case == "redirect":
            self._send(302, b"", headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        elif case == "surrogates":
            # json.dumps escapes lone surrogates as \ud800: valid JSON, text that cannot be stored.
            self._send(200, json.dumps(_video(PLAYER + "s", title="bad \ud800 title",
                                              thumbnail_url="https://img.video.test/\udc00.jpg")).encode())
        elif case == "deep":
            self._send(200, b"[" * 100_000 + b"]" * 100_000)
        elif case == "nul-player":
            self._send(200, json.dumps(_video(PLAYER + "e/\u0000x")).encode())
        elif case == "long-player":
            self._send(200, json.dumps(_video(PLAYER + "x" * 1_200)).encode())
        elif case == "drip":
            body = json.dumps(VIDEO_CASES["ok"]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for byte in body[:40]:  # one byte at a time, each well inside any socket timeout
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.05)
        elif case == "slow":
            time.sleep(self.server.slow_seconds)
            self._send(200, json.dumps(VIDEO_CASES["ok"]).encode())
        else:
            self._send(404, b"{}")


class _Server(ThreadingHTTPServer):
    requests: list[dict[str, str]]
    slow_seconds: float

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out leaves a broken pipe behind: expected here, not worth a traceback


class FakeOEmbedProvider:
    """``with FakeOEmbedProvider() as fake:`` — ``fake.providers()`` is a DATELINE_OEMBED_PROVIDERS value."""

    def __init__(self, slow_seconds: float = 1.0) -> None:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.requests = []
        self.server.slow_seconds = slow_seconds
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/oembed"

    @property
    def requests(self) -> list[dict[str, str]]:
        return self.server.requests

    def providers(self) -> list[dict[str, Any]]:
        return [
            {"name": "Newsreel", "schemes": ["https://video.test/watch/*"], "endpoint": self.endpoint,
             "frame_hosts": ["player.video.test"]},
            {"name": "Chirp", "schemes": ["https://social.test/*"], "endpoint": self.endpoint, "frame_hosts": []},
            {"name": "Gone", "schemes": ["https://gone.test/*"], "endpoint": closed_port_endpoint()},
        ]

    def __enter__(self) -> FakeOEmbedProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def closed_port_endpoint() -> str:
    """An endpoint on a loopback port nobody listens on: a provider that is down (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/oembed"
