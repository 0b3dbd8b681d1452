"""What is deleted or edited away is gone from replay at once (issue 11: 1), as an anonymous reader sees it.

On main before compaction, ``/changes?after=0`` and ``/events`` with ``Last-Event-ID: 0`` replayed the original
``post.published`` of a deleted post, and the old body of an edited one, for as long as the change was retained.
Now an older change is served in its object's current form, or as a tombstone (``docs/live.md`` "Compaction"):
from the process's ring, from the database, and in every process of a cluster.
"""

from __future__ import annotations

import json

import httpx
import pytest

from dateline.coverage import actions
from tests.live.conftest import SseReader, run_server
from tests.live.test_processes import REDIS, ApiWriter, _channel_url, _redis_or_skip, cluster_factory  # noqa: F401

SECRET = "Councillor Brack took the money"


def _replays(url: str, slug: str, latest: int) -> dict[str, str]:
    """Every public way to replay the blog from the start, and from its middle, as text."""
    texts = {f"changes?after={after}": httpx.get(f"{url}/live/{slug}/changes?after={after}").text
             for after in (0, 1, latest // 2)}
    for last_event_id in ("0", str(latest // 2)):
        reader = SseReader(f"{url}/live/{slug}/events", headers={"Last-Event-ID": last_event_id}).start()
        reader.wait_seq(latest)
        reader.stop()
        texts[f"events from {last_event_id}"] = "\n".join(e.data for e in reader.events)
    return texts


def _fresh_edge():
    """A second live edge on the same database: a process that knows nothing but what the database says."""
    from dateline.asgi import django_application
    from dateline.broker import get_broker
    from dateline.changefeed import ChangeFeed
    from dateline.live.app import LiveEdge

    return run_server(LiveEdge(django_application, source=ChangeFeed(), broker=get_broker()))


def _assert_gone(url: str, slug: str, latest: int, *gone: str, kept: str) -> None:
    for where, text in _replays(url, slug, latest).items():
        for phrase in gone:
            assert phrase not in text, f"{phrase!r} still in {where}"
        if "after=0" in where or "from 0" in where:
            assert kept in text, where  # the rest of the blog is still there


def test_a_deleted_post_is_gone_from_every_replay(edge_server, editor, blog):
    follower = SseReader(f"{edge_server.url}/live/{blog.slug}/events").start()  # the ring follows the blog
    libel = actions.create_post(editor, blog, headline="Minister named", body=f"<p>{SECRET}.</p>")
    actions.create_post(editor, blog, headline="Bridge reopens", body="<p>Traffic flows again.</p>")
    actions.edit_post(editor, libel, update_note="Clarified")
    follower.wait_seq(3)
    before = httpx.get(f"{edge_server.url}/live/{blog.slug}/changes?after=0")
    assert SECRET in before.text  # the test would prove nothing if the text had never been there
    actions.delete_post(editor, libel)
    follower.wait_seq(4)
    _assert_gone(edge_server.url, blog.slug, 4, SECRET, "Minister named", kept="Bridge reopens")
    # A cache holding the old answer revalidates to the new one: the ETag names the latest seq.
    again = httpx.get(f"{edge_server.url}/live/{blog.slug}/changes?after=0",
                      headers={"If-None-Match": before.headers["etag"]})
    assert again.status_code == 200 and SECRET not in again.text
    with _fresh_edge() as other:  # the database was compacted in the same transaction
        _assert_gone(other.url, blog.slug, 4, SECRET, "Minister named", kept="Bridge reopens")
    follower.stop()


def test_an_edited_away_sentence_is_gone_and_a_restored_post_comes_back(edge_server, editor, blog):
    follower = SseReader(f"{edge_server.url}/live/{blog.slug}/events").start()
    post = actions.create_post(editor, blog, headline="Council vote", body=f"<p>{SECRET}. The vote is at six.</p>")
    httpx.get(f"{edge_server.url}/live/{blog.slug}/changes?after=0")  # an answer cached with the old text
    post = actions.correct_post(editor, post, body="<p>The vote is at six.</p>",
                                correction="An allegation was removed from this post.")
    follower.wait_seq(2)
    _assert_gone(edge_server.url, blog.slug, 2, SECRET, kept="The vote is at six")
    actions.delete_post(editor, post)
    actions.restore_post(editor, post)
    follower.wait_seq(4)
    texts = _replays(edge_server.url, blog.slug, 4)
    assert all(SECRET not in text for text in texts.values())
    assert "The vote is at six" in texts["changes?after=0"]  # restored, in its current form
    follower.stop()


def test_key_points_edited_away_are_gone_from_key_point_and_blog_changes(edge_server, editor, blog):
    follower = SseReader(f"{edge_server.url}/live/{blog.slug}/events").start()
    actions.create_post(editor, blog, headline="Rain", body="<p>Heavy rain.</p>")
    actions.set_key_points(editor, blog, [{"text": f"<strong>Allegation:</strong> {SECRET}"}])
    actions.update_blog(editor, blog, description="A wet day")  # carries the key points box too
    actions.set_key_points(editor, blog, [{"text": "<strong>Weather:</strong> heavy rain"}])
    follower.wait_seq(4)
    _assert_gone(edge_server.url, blog.slug, 4, SECRET, kept="heavy rain")
    with _fresh_edge() as other:
        _assert_gone(other.url, blog.slug, 4, SECRET, kept="heavy rain")
    follower.stop()


@pytest.mark.redis
def test_every_process_compacts_its_own_ring(cluster_factory):  # noqa: F811
    """Two servers (two processes, Redis between them): a deletion through one is gone from the other's ring."""
    _redis_or_skip()
    cluster = cluster_factory(_channel_url())
    base = cluster.write("setup takedown")
    token = cluster.ask("token")
    first, second = cluster.serve(), cluster.serve()
    followers = [SseReader(f"{url}/live/takedown/events").start() for url in (first, second)]
    api = ApiWriter(first, "takedown", token)
    created = api.client.post("/posts", json={"headline": "Minister named", "body": f"<p>{SECRET}.</p>"})
    assert created.status_code == 201
    api.publish()
    for follower in followers:
        follower.wait_seq(base + 2)
    assert SECRET in httpx.get(f"{second}/live/takedown/changes?after={base}").text
    deleted = api.client.delete(f"/posts/{created.json()['id']}", headers={"If-Match": created.headers["etag"]})
    assert deleted.status_code == 200
    for follower in followers:
        follower.wait_seq(base + 3)
    for url in (first, second):
        for after in (0, base):
            text = httpx.get(f"{url}/live/takedown/changes?after={after}").text
            assert SECRET not in text and "Minister named" not in text, (url, after)
        reader = SseReader(f"{url}/live/takedown/events", headers={"Last-Event-ID": str(base)}).start()
        reader.wait_seq(base + 3)
        reader.stop()
        assert all(SECRET not in e.data for e in reader.events)
    for follower in followers:
        follower.stop()
    api.close()


@pytest.mark.parametrize("seed", [11, 12])
def test_the_ring_compacts_exactly_as_the_database_does(edge_server, actors, blog, seed):
    """A random session (publishes, edits, corrections, pins, deletes, restores, approvals, key points, blog edits)
    followed live by one process: its ring — compacted change by change as the broker brings them — answers
    ``/changes?after=<n>`` byte for byte as a process that reads the compacted database does, from every seq."""
    import random

    from dateline.coverage.models import Change
    from tests.coverage.test_replay import random_session

    follower = SseReader(f"{edge_server.url}/live/{blog.slug}/events").start()
    random_session(random.Random(seed), blog, actors, steps=40)
    blog.refresh_from_db()
    follower.wait_seq(blog.seq)
    follower.stop()
    rows = list(Change.objects.filter(blog=blog).order_by("seq").values_list("data", flat=True))
    assert len(rows) == blog.seq
    ring = httpx.get(f"{edge_server.url}/live/{blog.slug}/changes?after=0").json()
    assert ring["changes"] == [json.loads(row) for row in rows]
    with _fresh_edge() as other:
        for after in range(0, blog.seq + 1, 3):
            ours = httpx.get(f"{edge_server.url}/live/{blog.slug}/changes?after={after}")
            theirs = httpx.get(f"{other.url}/live/{blog.slug}/changes?after={after}")
            assert ours.content == theirs.content, f"after={after}"


def test_an_answer_cached_before_the_compaction_upgrade_does_not_revalidate(edge_server, editor, blog):
    """Before migration 0010 compacted the log, ``/changes`` answered (after, latest) with ETag
    ``W/"<blog>-<after>-<latest>"``, carrying text now removed. A CDN revalidating that copy got 304 and kept the
    text; the ETag now carries a version, so it gets the compacted answer."""
    actions.create_post(editor, blog, headline="Bridge reopens", body="<p>Traffic flows again.</p>")
    blog.refresh_from_db()
    url = f"{edge_server.url}/live/{blog.slug}/changes?after=0"
    old_etag = f'W/"{blog.pk}-0-{blog.seq}"'
    answer = httpx.get(url, headers={"If-None-Match": old_etag})
    assert answer.status_code == 200 and answer.json()["seq"] == blog.seq
    assert httpx.get(url, headers={"If-None-Match": answer.headers["etag"]}).status_code == 304
