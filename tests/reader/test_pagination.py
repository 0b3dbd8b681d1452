"""Load more: keyset pagination on (published_at, id), identical server-side and for the script."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dateline.coverage import actions
from dateline.coverage.models import Post
from dateline.edgecache import SHARED_CACHE
from dateline.reader.stream import PAGE_SIZE, BadCursor, Cursor

from .conftest import DAY, add_posts

NEXT = re.compile(r'id="load-more" href="/live/[-\w]+/\?before=([-\w]+)"')


def ids_in(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article [^>]*data-post-id="(\d+)"', html)]


def test_server_side_pages_walk_every_post_once(client, blog, reporter, editor):
    """Following "Load more" links without JavaScript shows every published post exactly once, newest first,
    even when several posts share a timestamp."""
    posts = add_posts(reporter, blog, 47, same_time_every=3)
    actions.pin_post(editor, posts[10])
    actions.delete_post(editor, posts[20])
    expected = [p.pk for p in Post.objects.filter(blog=blog, status="published", pinned=False)
                .order_by("-published_at", "-pk")]
    page = client.get(f"/live/{blog.slug}/").content.decode()
    main = page.split('id="posts"', 1)[1]
    seen = ids_in(main.split('id="load-more"', 1)[0])
    assert posts[10].pk in ids_in(page.split('id="pinned"', 1)[1].split("</section>", 1)[0])
    assert len(seen) == PAGE_SIZE
    pages = 1
    while (match := NEXT.search(page)):
        page = client.get(f"/live/{blog.slug}/?before={match[1]}").content.decode()
        assert 'data-live' not in page, "an older page is not kept live"
        assert 'id="pinned"' in page and "Back to the latest posts" in page
        seen += ids_in(page.split('id="posts"', 1)[1])
        pages += 1
    assert seen == expected
    assert pages == 3
    assert posts[20].pk not in seen


def test_feed_positions_continue_across_pages(client, blog, reporter):
    """aria-posinset continues on page 2; aria-setsize is the number of posts in the stream."""
    add_posts(reporter, blog, 25)
    page = client.get(f"/live/{blog.slug}/").content.decode()
    assert 'role="article" aria-posinset="1" aria-setsize="25"' in page
    cursor = NEXT.search(page)[1]
    page2 = client.get(f"/live/{blog.slug}/?before={cursor}").content.decode()
    assert re.findall(r'aria-posinset="(\d+)"', page2) == [str(i) for i in range(21, 26)]


def test_more_endpoint_walks_every_post_once(client, blog, reporter):
    """The script's "Load more" fetches the same pages as JSON fragments with the next cursor."""
    add_posts(reporter, blog, 45, same_time_every=2)
    expected = list(Post.objects.filter(blog=blog, status="published").order_by("-published_at", "-pk")
                    .values_list("pk", flat=True))
    page = client.get(f"/live/{blog.slug}/").content.decode()
    seen = ids_in(page.split('id="posts"', 1)[1])
    cursor = NEXT.search(page)[1]
    while cursor:
        response = client.get(f"/live/{blog.slug}/more", {"before": cursor})
        # Shared caches keep it like the page and browsers revalidate: a deletion leaves every copy (review).
        assert response["Cache-Control"] == SHARED_CACHE
        data = response.json()
        seen += ids_in(data["html"])
        assert data["count"] == len(ids_in(data["html"]))
        cursor = data["next"]
    assert seen == expected
    assert client.get(f"/live/{blog.slug}/more").status_code == 400
    assert client.get(f"/live/{blog.slug}/more", {"before": "@@@"}).status_code == 404


def test_json_twin_pages_with_the_same_cursor(client, blog, reporter):
    add_posts(reporter, blog, 30)
    first = client.get(f"/live/{blog.slug}.json").json()
    assert len(first["items"]) == PAGE_SIZE and first["next"]
    second = client.get(f"/live/{blog.slug}.json", {"before": first["next"]}).json()
    assert len(second["items"]) == 10 and second["next"] is None
    ids = [p["id"] for p in first["items"] + second["items"]]
    assert len(set(ids)) == 30


def test_cursor_round_trips_and_rejects_garbage():
    cursor = Cursor(DAY + timedelta(microseconds=123457), 42)
    assert Cursor.decode(cursor.encode()) == cursor
    for bad in ("", "x", "MTIz", "!!!!", Cursor(DAY, 1).encode()[:-3] + "zzz"):
        try:
            Cursor.decode(bad)
        except BadCursor:
            continue
        raise AssertionError(f"accepted {bad!r}")


def _bulk_posts(blog, author, n):
    """Many posts fast: rows written directly (not through actions) since only the volume matters here."""
    rows = []
    for i in range(n):
        when = DAY + timedelta(seconds=i)
        rows.append(Post(blog=blog, headline=f"P{i}", body="<p>x</p>", status="published", created_at=when,
                         published_at=when, updated_at=when, html=f'<article class="post" id="post-x{i}">'
                         f"<h2>P{i}</h2></article>"))
    Post.objects.bulk_create(rows, batch_size=500)


def _time_page(client, url, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        assert client.get(url).status_code == 200
        best = min(best, time.perf_counter() - start)
    return best


def test_first_page_costs_the_same_for_5000_posts_as_for_50(client, editor, reporter):
    """Same queries (no OFFSET, LIMIT page+1) and about the same time, whatever the blog's size; the stream query
    uses the (blog, status, published_at, id) index."""
    small = actions.create_blog(editor, title="Small")
    big = actions.create_blog(editor, title="Big")
    _bulk_posts(small, reporter, 50)
    _bulk_posts(big, reporter, 5000)
    counts = {}
    for blog in (small, big):
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/live/{blog.slug}/")
        counts[blog.slug] = len(queries)
        assert not any("OFFSET" in q["sql"] for q in queries.captured_queries)
        # walk one deep page as well: the keyset page 100 deep costs the same
    assert counts["small"] == counts["big"]
    fast, slow = _time_page(client, "/live/small/"), _time_page(client, "/live/big/")
    assert slow < fast * 3 + 0.02, (fast, slow)
    if connection.vendor == "sqlite":
        sql, params = (Post.objects.filter(blog=big, status="published", pinned=False)
                       .order_by("-published_at", "-pk")[:21].query.sql_with_params())
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row) for row in cursor.fetchall())
        assert "USING INDEX" in plan and "TEMP B-TREE" not in plan, plan


def test_snapshot_retries_when_a_change_commits_while_reading(blog, reporter, monkeypatch):
    """The page's seq matches its content: a change committed between reading the seq and reading the posts makes
    the snapshot read again, so the page never claims a seq whose change it does not show."""
    from dateline.reader import stream

    add_posts(reporter, blog, 2)
    real = stream.stream_page
    calls = []

    def racing(*args, **kwargs):
        calls.append(1)
        page = real(*args, **kwargs)
        if len(calls) == 1:  # a reporter publishes after we read the seq and the posts
            actions.create_post(reporter, blog, headline="Raced in")
        return page

    monkeypatch.setattr(stream, "stream_page", racing)
    snap = stream.snapshot(blog.slug)
    assert len(calls) == 2
    blog.refresh_from_db()
    assert snap.seq == blog.seq == 3
    assert [p.headline for p in snap.posts][0] == "Raced in"
    assert snap.post_count == 3
