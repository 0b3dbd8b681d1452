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


def test_one_mechanism_for_every_asset_root_hashed_urls_and_precompressed_twins(tmp_path):
    """``StaticFiles`` over named folders (as the newsroom hands its own and the editor's in): a ``?v=`` URL from the
    served bytes is cached for a year, a bare path briefly; a precompressed twin goes only to a client accepting it,
    with ``Vary``; paths leaving a folder, unknown folders and refused suffixes are not found."""
    import gzip

    own = tmp_path / "own"
    own.mkdir()
    (own / "a.css").write_text("body { color: red }")
    (own / "a.css.gz").write_bytes(gzip.compress(b"body { color: red }"))
    (own / "a.css.map").write_text("{}")
    files = static.StaticFiles("/x/static/", static.in_roots({"own": own}, refuse=(".map",)), minify=False)

    url = files.url("own/a.css")
    asset = files.get("own/a.css")
    assert asset is not None and url == f"/x/static/own/a.css?v={asset.version}"
    status, headers, body = asset.answer(versioned=True, if_none_match=None, accept_encoding=b"gzip, br;q=0.9")
    found = dict(headers)
    assert status == 200 and found[b"content-encoding"] == b"gzip" and found[b"vary"] == b"accept-encoding"
    assert gzip.decompress(body) == b"body { color: red }" and b"immutable" in found[b"cache-control"]
    status, headers, body = asset.answer(versioned=False, if_none_match=None, accept_encoding=None)
    found = dict(headers)
    assert body == b"body { color: red }" and b"content-encoding" not in found
    assert found[b"cache-control"] == b"public, max-age=300" and found[b"etag"] == asset.etag
    assert asset.answer(versioned=False, if_none_match=asset.etag, accept_encoding=None)[0] == 304
    for missing in ("own/a.css.map", "own/../own/a.css", "other/a.css", "own", "own/nope.css"):
        assert files.get(missing) is None, missing
