"""The edge's page cache (``dateline/live/pages.py``), through a real server: a blog's public pages are rendered
once per seq, and never outlive the change that supersedes them.

Each test reads through ``edge_server`` (uvicorn, the live edge in front of Django) as a reader or a CDN would.
After a write, ``_seen`` asks ``/changes`` for the new seq, which brings the edge's channel up to the database:
the moment at which the edge knows of the change (milliseconds after commit through the broker).
"""

from __future__ import annotations

import gzip
import threading

import brotli
import httpx
import pytest

from dateline.coverage import actions
from dateline.live.pages import SEQ_HEADER


def _seen(server, blog) -> None:
    blog.refresh_from_db()
    answer = httpx.get(f"{server.url}/live/{blog.slug}/changes?after={blog.seq}")
    assert answer.status_code == 200 and answer.json()["seq"] == blog.seq


def _pages(server):
    return server.edge.pages


def test_a_page_is_rendered_once_per_seq_and_a_new_post_renders_it_again(edge_server, editor, blog):
    actions.create_post(editor, blog, headline="Polls open", body="<p>Queues at the town hall.</p>")
    url = f"{edge_server.url}/live/{blog.slug}/"
    first = httpx.get(url)
    renders = _pages(edge_server).renders
    second = httpx.get(url)
    assert first.status_code == second.status_code == 200
    assert second.text == first.text and "Polls open" in second.text
    assert _pages(edge_server).renders == renders  # from memory
    assert SEQ_HEADER.lower() not in second.headers  # internal: never sent to readers
    assert second.headers["cache-control"].startswith("public")
    assert "Accept-Encoding" in second.headers["vary"]

    actions.create_post(editor, blog, headline="Turnout high", body="<p>Officials report a busy morning.</p>")
    _seen(edge_server, blog)
    third = httpx.get(url)
    assert "Turnout high" in third.text and "Polls open" in third.text
    assert _pages(edge_server).renders == renders + 1
    assert f'data-seq="{blog.seq}"' in third.text


def test_deleted_and_edited_away_text_leaves_every_cached_url(edge_server, editor, blog):
    """A takedown reaches the kept pages at once: each was kept at the seq before it."""
    libel = actions.create_post(editor, blog, headline="Brack named", body="<p>Councillor Brack took money.</p>")
    edited = actions.create_post(editor, blog, headline="Meeting", body="<p>At the meeting the mayor was drunk.</p>")
    urls = [f"/live/{blog.slug}/", f"/live/{blog.slug}.json", f"/live/{blog.slug}/embed/",
            f"/live/{blog.slug}/feed.atom", f"/live/{blog.slug}/feed.rss", f"/live/{blog.slug}/feed.json",
            f"/live/{blog.slug}/posts/{edited.pk}/", f"/live/{blog.slug}/corrections/"]
    with httpx.Client(base_url=edge_server.url) as client:
        for _ in range(2):  # rendered, then kept
            text = "".join(client.get(url).text for url in urls)
        assert "Brack took money" in text and "mayor was drunk" in text  # the control
        kept = _pages(edge_server).renders
        actions.delete_post(editor, libel)
        actions.edit_post(editor, edited, body="<p>The meeting ran late.</p>")
        _seen(edge_server, blog)
        text = "".join(client.get(url).text for url in urls)
    assert "Brack" not in text and "mayor was drunk" not in text
    assert "The meeting ran late" in text
    assert _pages(edge_server).renders == kept + len(urls)


def test_signed_in_and_token_requests_are_never_answered_from_memory(edge_server, editor, blog):
    url = f"{edge_server.url}/live/{blog.slug}/"
    httpx.get(url)
    renders = _pages(edge_server).renders
    signed_in = httpx.get(url, headers={"cookie": "csrftoken=x; sessionid=abc"})
    with_token = httpx.get(url, headers={"authorization": "Bearer nothing"})
    assert signed_in.status_code == with_token.status_code == 200
    assert _pages(edge_server).renders == renders  # Django answered them, not the cache...
    assert SEQ_HEADER.lower() not in signed_in.headers and SEQ_HEADER.lower() not in with_token.headers
    assert _pages(edge_server).hits == 0  # ...and the cache did not either
    httpx.get(url, headers={"cookie": "csrftoken=x"})  # a cookie that signs nobody in
    assert _pages(edge_server).hits == 1


def test_each_page_is_compressed_once_and_sent_in_the_encoding_asked_for(edge_server, editor, blog):
    actions.create_post(editor, blog, headline="Results", body="<p>" + "Counting continues. " * 200 + "</p>")
    url = f"{edge_server.url}/live/{blog.slug}/"
    plain = httpx.get(url, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    with httpx.Client() as raw:  # httpx would decode: read the bytes as sent
        for coding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
            request = raw.build_request("GET", url, headers={"accept-encoding": f"{coding}, deflate"})
            response = raw.send(request, stream=True)
            body = b"".join(response.iter_raw())
            response.close()
            assert response.headers["content-encoding"] == coding
            assert decode(body) == plain.content
            assert len(body) < len(plain.content) / 3
    refused = httpx.get(url, headers={"accept-encoding": "br;q=0, gzip"})
    assert refused.headers["content-encoding"] == "gzip"


def test_a_kept_page_revalidates_with_304(edge_server, blog):
    url = f"{edge_server.url}/live/{blog.slug}/feed.atom"
    first = httpx.get(url)
    etag = first.headers["etag"]
    again = httpx.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    head = httpx.head(url)
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag
    assert httpx.get(url, headers={"if-none-match": '"other"'}).status_code == 200


def test_variants_are_kept_apart(edge_server, editor, blog):
    for n in range(3):
        actions.create_post(editor, blog, headline=f"Update {n}", body=f"<p>Update number {n}.</p>")
    page = httpx.get(f"{edge_server.url}/live/{blog.slug}/").text
    embed = httpx.get(f"{edge_server.url}/live/{blog.slug}/embed/").text
    other_host = httpx.get(f"{edge_server.url}/live/{blog.slug}/", headers={"host": "localhost"}).text
    assert page != embed
    assert "http://localhost/" in other_host and "http://localhost/" not in page  # absolute links per host
    assert httpx.get(f"{edge_server.url}/live/{blog.slug}/").text == page


def test_readers_arriving_at_once_wait_for_one_render(edge_server, editor, blog):
    actions.create_post(editor, blog, headline="Breaking", body="<p>A push notification went out.</p>")
    url = f"{edge_server.url}/live/{blog.slug}/"
    httpx.get(f"{edge_server.url}/live/{blog.slug}/changes?after=0")  # the channel is followed
    renders = _pages(edge_server).renders
    answers: list[httpx.Response] = []
    barrier = threading.Barrier(12)

    def read() -> None:
        barrier.wait()
        answers.append(httpx.get(url, timeout=30))

    threads = [threading.Thread(target=read) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [200] * 12
    assert len({a.text for a in answers}) == 1
    assert _pages(edge_server).renders == renders + 1


@pytest.mark.parametrize("path", ["/live/no-such-blog/", "/live/no-such-blog/feed.atom"])
def test_missing_blogs_are_not_kept(edge_server, path):
    for _ in range(2):
        assert httpx.get(f"{edge_server.url}{path}").status_code == 404
    assert _pages(edge_server).hits == 0


def test_a_deleted_blog_is_gone(edge_server, actors, blog):
    url = f"{edge_server.url}/live/{blog.slug}/"
    httpx.get(url)
    assert httpx.get(url).status_code == 200
    actions.delete_blog(actors["admin"], blog)
    edge_server.edge.hub.check_soon()
    for _ in range(50):
        if httpx.get(url).status_code == 404:
            break
        threading.Event().wait(0.1)
    assert httpx.get(url).status_code == 404
