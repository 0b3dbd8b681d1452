"""The public API reads through the edge's page cache (``live/pages.py`` ``CACHEABLE``, ``edgecache.api_read``):
``/api/v1/blogs/<slug>``, its ``/posts``, ``/posts/<id>`` and ``/key-points`` are rendered once per seq for
anonymous readers, never outlive the change that supersedes them, and keep the API's own ETags.

As in ``test_page_cache.py``, ``_seen`` asks ``/changes`` for the new seq after a write: the moment at which the
edge knows of the change (milliseconds after commit through the broker).
"""

from __future__ import annotations

import re

import httpx
import pytest

from dateline.accounts.models import ApiToken
from dateline.coverage import actions
from dateline.live.pages import CACHEABLE, SEQ_HEADER, kept_query


def _seen(server, blog) -> None:
    blog.refresh_from_db()
    answer = httpx.get(f"{server.url}/live/{blog.slug}/changes?after={blog.seq}")
    assert answer.status_code == 200 and answer.json()["seq"] == blog.seq


def _urls(blog, post) -> list[str]:
    base = f"/api/v1/blogs/{blog.slug}"
    return [base, f"{base}/posts", f"{base}/posts?limit=1", f"{base}/posts/{post.pk}", f"{base}/key-points"]


def test_api_reads_are_rendered_once_per_seq(edge_server, editor, blog):
    post = actions.create_post(editor, blog, headline="Ferry resumes", body="<p>The first sailing left at six.</p>")
    pages = edge_server.edge.pages
    with httpx.Client(base_url=edge_server.url) as client:
        first = [client.get(url) for url in _urls(blog, post)]
        renders = pages.renders
        second = [client.get(url) for url in _urls(blog, post)]
    assert [r.status_code for r in first] == [r.status_code for r in second] == [200] * 5
    assert [r.content for r in first] == [r.content for r in second]
    assert pages.renders == renders  # all five from memory
    for answer in second:
        assert SEQ_HEADER.lower() not in answer.headers
        assert answer.headers["cache-control"] == "public, max-age=0, s-maxage=5, stale-while-revalidate=25"
        assert {"Accept-Encoding", "Authorization"} <= {v.strip() for v in answer.headers["vary"].split(",")}
        assert answer.headers["surrogate-key"] == f"dateline-blog-{blog.slug}"
        assert answer.headers["content-type"].startswith("application/json")


def test_a_deleted_or_edited_post_is_never_served_from_memory(edge_server, editor, blog):
    """Each URL is kept (the control: no render on the second read), then the delete and the edit reach all."""
    gone = actions.create_post(editor, blog, headline="Brack named", body="<p>Councillor Brack took money.</p>")
    edited = actions.create_post(editor, blog, headline="Meeting", body="<p>At the meeting the mayor was drunk.</p>")
    actions.set_key_points(editor, blog, [{"text": "A councillor named", "post_id": gone.pk}])
    pages = edge_server.edge.pages
    base = f"/api/v1/blogs/{blog.slug}"
    lists = [f"{base}/posts", f"{base}/posts?limit=5", f"{base}", f"{base}/key-points"]
    with httpx.Client(base_url=edge_server.url) as client:
        for _ in range(2):
            text = "".join(client.get(url).text for url in lists)
            one_gone, one_edited = client.get(f"{base}/posts/{gone.pk}"), client.get(f"{base}/posts/{edited.pk}")
        assert "Brack took money" in text and "mayor was drunk" in text and one_gone.status_code == 200
        assert "mayor was drunk" in one_edited.text
        kept = pages.renders
        actions.delete_post(editor, gone)
        actions.edit_post(editor, edited, body="<p>The meeting ran late.</p>")
        _seen(edge_server, blog)
        text = "".join(client.get(url).text for url in lists)
        one_gone, one_edited = client.get(f"{base}/posts/{gone.pk}"), client.get(f"{base}/posts/{edited.pk}")
    assert "Brack" not in text and "mayor was drunk" not in text and "The meeting ran late" in text
    assert one_gone.status_code == 404 and one_gone.json()["error"]["code"] == "not_found"
    assert "The meeting ran late" in one_edited.text and "drunk" not in one_edited.text
    assert pages.renders == kept + len(lists) + 2


def test_unknown_query_parameters_are_dropped_and_cannot_fill_the_cache(edge_server, editor, blog):
    for n in range(3):
        actions.create_post(editor, blog, headline=f"Update {n}", body=f"<p>Update number {n}.</p>")
    pages = edge_server.edge.pages
    base = f"{edge_server.url}/api/v1/blogs/{blog.slug}"
    with httpx.Client() as client:
        one = client.get(f"{base}/posts?limit=1")
        renders = pages.renders
        for n in range(20):
            again = client.get(f"{base}/posts?limit=1&x={n}&utm_source=push")
            assert again.content == one.content
        assert pages.renders == renders
        assert client.get(f"{base}/posts?utm_source=push&lim%69t=1").content == one.content  # names as Django reads
        assert client.get(f"{base}/posts?x=1").content == client.get(f"{base}/posts").content
        assert pages.renders == renders + 2
        two = client.get(f"{base}/posts?limit=2")
        assert len(two.json()["items"]) == 2 and len(one.json()["items"]) == 1  # the variants the view reads
        older = client.get(f"{base}/posts?limit=1&before={one.json()['next']}&x=y")
        assert older.json()["items"][0]["id"] != one.json()["items"][0]["id"]
        assert client.get(f"{base}?x=1").content == client.get(base).content
        bad = client.get(f"{base}/posts?limit=0&x=1")
        assert bad.status_code == 422  # errors answered as Django made them, never kept


def test_kept_query_keeps_only_the_named_parameters_in_name_order():
    names = frozenset({"before", "limit", "status"})
    assert kept_query(b"x=1&limit=5&before=abc&utm=2", names) == b"before=abc&limit=5"
    assert kept_query(b"limit=5&limit=7&before=a", names) == b"before=a&limit=5&limit=7"  # repeats keep their order
    assert kept_query(b"lim%69t=5&y", names) == b"lim%69t=5"
    assert kept_query(b"x=1", frozenset()) == b""
    assert kept_query(b"post=3&x=1", None) == b"post=3&x=1"  # the reader pages: as sent


def test_token_requests_are_never_answered_from_memory(edge_server, editor, blog):
    _, token = ApiToken.issue(editor, "test")
    actions.create_post(editor, blog, headline="Draft", body="<p>Not yet.</p>", status="draft")
    pages = edge_server.edge.pages
    url = f"{edge_server.url}/api/v1/blogs/{blog.slug}/posts?status=draft"
    auth = {"authorization": f"Bearer {token}"}
    assert httpx.get(url).status_code == 401  # anonymous: no drafts, and not kept
    for _ in range(2):
        drafts = httpx.get(url, headers=auth)
        assert drafts.status_code == 200 and drafts.json()["items"][0]["headline"] == "Draft"
        assert SEQ_HEADER.lower() not in drafts.headers
        assert "public" not in drafts.headers.get("cache-control", "")
    public = f"{edge_server.url}/api/v1/blogs/{blog.slug}/posts"
    httpx.get(public)
    hits = pages.hits
    with_token = httpx.get(public, headers=auth)
    assert with_token.status_code == 200 and pages.hits == hits  # Django answered it
    assert "public" not in with_token.headers.get("cache-control", "")
    assert httpx.get(public).status_code == 200 and pages.hits == hits + 1
    assert httpx.get(public, headers={"authorization": "Bearer wrong"}).status_code == 401


def test_the_api_etags_survive_the_cache_for_304_and_if_match(edge_server, editor, blog):
    _, token = ApiToken.issue(editor, "test")
    post = actions.create_post(editor, blog, headline="Bridge", body="<p>Shut both ways.</p>")
    pages = edge_server.edge.pages
    url = f"{edge_server.url}/api/v1/blogs/{blog.slug}/posts/{post.pk}"
    with httpx.Client() as client:
        client.get(url)
        renders = pages.renders
        read = client.get(url, headers={"accept-encoding": "gzip"})
        assert pages.renders == renders
        assert read.headers["etag"] == f'"{post.pk}-{post.version}"'  # the API's strong tag, in every encoding
        assert client.get(url, headers={"accept-encoding": "br"}).headers["etag"] == read.headers["etag"]
        not_modified = client.get(url, headers={"if-none-match": read.headers["etag"]})
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert not_modified.headers["etag"] == read.headers["etag"]
        edit = client.patch(url, json={"body": "<p>One lane open.</p>"},
                            headers={"authorization": f"Bearer {token}", "if-match": read.headers["etag"]})
        assert edit.status_code == 200
        stale = client.patch(url, json={"body": "<p>Both lanes open.</p>"},
                             headers={"authorization": f"Bearer {token}", "if-match": read.headers["etag"]})
        assert stale.status_code == 412
        _seen(edge_server, blog)
        fresh = client.get(url, headers={"if-none-match": read.headers["etag"]})
        assert fresh.status_code == 200 and "One lane open" in fresh.text
        assert fresh.headers["etag"] == edit.headers["etag"] != read.headers["etag"]

        key_points = f"{edge_server.url}/api/v1/blogs/{blog.slug}/key-points"
        tag = client.get(key_points).headers["etag"]
        assert re.fullmatch(r'"kp-[0-9a-f]{16}"', tag) and client.get(key_points).headers["etag"] == tag
        assert client.get(key_points, headers={"if-none-match": tag}).status_code == 304


def test_writes_are_never_kept(edge_server, editor, blog):
    _, token = ApiToken.issue(editor, "test")
    url = f"{edge_server.url}/api/v1/blogs/{blog.slug}/posts"
    auth = {"authorization": f"Bearer {token}"}
    renders = edge_server.edge.pages.renders
    made = [httpx.post(url, json={"headline": f"Item {n}", "body": "<p>x</p>"}, headers=auth) for n in range(2)]
    assert [m.status_code for m in made] == [201, 201] and made[0].json()["id"] != made[1].json()["id"]
    assert edge_server.edge.pages.renders == renders


def _sample(path: str) -> str:
    return path.replace("{slug}", "a-blog").replace("{post_id}", "7")


def test_the_allow_list_is_what_each_view_reads(edge_server):
    """``CACHEABLE`` names, for each public API read, exactly the query parameters the OpenAPI says it takes: a
    parameter added to a view and not to the list would be dropped before the view saw it. A read that needs a
    token (the export) is not in it."""
    from dateline.api.urls import api

    schema = api.get_openapi_schema()
    checked = 0
    for path, operations in schema["paths"].items():
        url = _sample(path)
        rule = next((r for r in CACHEABLE if r.path.match(url)), None)
        get = operations.get("get")
        if not path.startswith("/api/v1/blogs/{slug}") or get is None:
            continue
        if {} not in get.get("security", [{}]):  # a token is required (the editors' export): never kept
            assert rule is None, path
            continue
        assert rule is not None, path
        declared = {p["name"] for p in get.get("parameters", []) if p["in"] == "query"}
        assert rule.params == declared, path
        checked += 1
    assert checked == 4
    assert not any(r.path.match("/api/v1/blogs") for r in CACHEABLE)  # the list of blogs: not one blog's seq


@pytest.mark.parametrize("path", ["/api/v1/blogs/no-such-blog", "/api/v1/blogs/no-such-blog/posts"])
def test_missing_blogs_are_not_kept(edge_server, path):
    for _ in range(2):
        assert httpx.get(f"{edge_server.url}{path}").status_code == 404
    assert edge_server.edge.pages.hits == 0
