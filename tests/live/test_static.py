"""``/static/…`` from the edge: answered from memory after the first request, and still current after a deploy."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
from django.conf import settings

from dateline.live import static


def test_static_files_are_cached_revalidated_and_refreshed(edge_server):
    with httpx.Client() as client:
        first = client.get(f"{edge_server.url}/static/reader/embed.js")
        assert first.status_code == 200 and first.headers["content-type"].startswith("text/javascript")
        assert "reader/embed.js" in static._cache
        again = client.get(f"{edge_server.url}/static/reader/embed.js")
        assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
        not_modified = client.get(f"{edge_server.url}/static/reader/embed.js",
                                  headers={"If-None-Match": first.headers["etag"]})
        assert not_modified.status_code == 304 and not_modified.content == b""
        for bad in ("../settings.py", "reader/../../settings.py", "nope.js"):
            assert client.get(f"{edge_server.url}/static/{bad}").status_code == 404

        # A file collected into STATIC_ROOT, then changed (a deploy): the new bytes are served within ~1 s.
        root = Path(settings.STATIC_ROOT) / "bench-test"
        root.mkdir(parents=True, exist_ok=True)
        target = root / "v.txt"
        target.write_text("one")
        try:
            assert client.get(f"{edge_server.url}/static/bench-test/v.txt").text == "one"
            target.write_text("two!")
            os.utime(target, ns=(time.time_ns(), time.time_ns() + 1_000_000_000))
            deadline = time.monotonic() + 5
            while (text := client.get(f"{edge_server.url}/static/bench-test/v.txt").text) != "two!":
                assert time.monotonic() < deadline, text
                time.sleep(0.1)
        finally:
            target.unlink()
            root.rmdir()
