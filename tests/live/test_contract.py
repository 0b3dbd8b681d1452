"""The live protocol against a real uvicorn server (uvloop + httptools) serving dateline's ASGI app."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import httpx
import pytest

from dateline.coverage import actions
from dateline.coverage.models import Change, Post

from .conftest import SseReader, db_state, replay


def _do_everything(editor, blog, n: int) -> None:
    """``n`` changes of every kind: publish, edit, pin, unpin, delete, key points, blog update."""
    posts: list[Post] = []
    i = 0
    while i < n:
        step = i % 6
        if step in (0, 1) or not posts:
            posts.append(actions.create_post(editor, blog, headline=f"Post {i}", body=f"<p>Body {i}</p>"))
        elif step == 2:
            posts[-1] = actions.edit_post(editor, posts[-1], headline=f"Post {i}, corrected")
        elif step == 3:
            toggle = actions.unpin_post if posts[0].pinned else actions.pin_post
            posts[0] = toggle(editor, posts[0])
        elif step == 4:
            actions.delete_post(editor, posts.pop(1 if len(posts) > 1 else 0))
        else:
            actions.set_key_points(editor, blog, [{"text": f"Point {i}"}, {"text": f"Point {i + 1}"}])
        i += 1


def _seq(blog) -> int:
    blog.refresh_from_db()
    return blog.seq


def test_stream_ids_are_strictly_increasing_and_gap_free(edge_server, editor, blog):
    reader = SseReader(f"{edge_server.url}/live/{blog.slug}/events").start()
    assert reader.status == 200
    _do_everything(editor, blog, 30)
    reader.wait_seq(_seq(blog))
    ids = [e.id for e in reader.events]
    assert ids == list(range(1, _seq(blog) + 1))
    assert all(e.json["seq"] == e.id and e.json["type"] == e.event for e in reader.events)
    assert 2000 <= reader.retry <= 6000
    reader.stop()


def test_the_hub_writes_to_readers_on_the_synchronous_fast_path(edge_server, editor, blog):
    """uvicorn's httptools send completes without suspending, so the hub drives it directly (no task per reader)."""
    reader = SseReader(f"{edge_server.url}/live/{blog.slug}/events").start()
    actions.create_post(editor, blog, headline="One")
    reader.wait_seq(1)
    subscribers = edge_server.edge.hub.channels[blog.slug].subscribers
    assert [s.fast for s in subscribers] == [True]
    assert [s.backlog for s in subscribers] == [None]
    reader.stop()


def test_resume_by_last_event_id_after_50_missed_changes_ends_with_the_servers_state(edge_server, editor, blog):
    reader = SseReader(f"{edge_server.url}/live/{blog.slug}/events?after=0").start()
    _do_everything(editor, blog, 12)
    reader.wait_seq(_seq(blog))
    reader.stop()
    seen = list(reader.events)
    last = seen[-1].id
    _do_everything(editor, blog, 50)  # missed while disconnected
    assert _seq(blog) - last >= 50
    resumed = SseReader(f"{edge_server.url}/live/{blog.slug}/events?after=3",
                        headers={"Last-Event-ID": str(last)}).start()  # the header wins over ?after=
    _do_everything(editor, blog, 6)  # and more, live
    resumed.wait_seq(_seq(blog))
    events = seen + resumed.events
    assert [e.id for e in events] == list(range(1, _seq(blog) + 1))
    kinds = {e.event for e in resumed.events}
    assert {"post.published", "post.updated", "post.deleted", "post.pinned", "keypoints.updated"} <= kinds
    state = replay([e.json for e in events])
    expected = db_state(blog)
    assert state["posts"] == expected["posts"]
    assert state["key_points"] == expected["key_points"]
    resumed.stop()


def test_without_a_resume_point_the_stream_starts_from_now(edge_server, editor, blog):
    actions.create_post(editor, blog, headline="Before")
    reader = SseReader(f"{edge_server.url}/live/{blog.slug}/events").start()
    actions.create_post(editor, blog, headline="After")
    reader.wait_seq(2)
    assert [e.id for e in reader.events] == [2]
    reader.stop()


def test_resume_older_than_the_ring_is_read_from_the_database(edge_server, editor, blog):
    edge_server.edge.hub.ring_size = 5
    _do_everything(editor, blog, 20)
    reader = SseReader(f"{edge_server.url}/live/{blog.slug}/events?after=2").start()
    reader.wait_seq(20)
    assert [e.id for e in reader.events] == list(range(3, 21))
    with httpx.Client() as client:
        answer = client.get(f"{edge_server.url}/live/{blog.slug}/changes", params={"after": 2}).json()
    assert [c["seq"] for c in answer["changes"]] == list(range(3, 21))
    reader.stop()


def test_resume_beyond_retention_gets_a_reset_event_and_then_live_changes(edge_server, editor, blog):
    edge_server.edge.hub.ring_size = 5
    _do_everything(editor, blog, 20)
    Change.objects.filter(blog=blog, seq__lte=10).delete()  # pruned: no longer retained
    reader = SseReader(f"{edge_server.url}/live/{blog.slug}/events", headers={"Last-Event-ID": "4"}).start()
    reader.wait_for(lambda r: r.events)
    assert reader.events[0].event == "reset"
    assert reader.events[0].id == 20 and reader.events[0].json["seq"] == 20
    actions.create_post(editor, blog, headline="Next")
    reader.wait_seq(21)
    assert [e.id for e in reader.events] == [20, 21]
    with httpx.Client() as client:
        answer = client.get(f"{edge_server.url}/live/{blog.slug}/changes?after=4").json()
    assert answer == {"seq": 21, "changes": [], "reset": True}
    reader.stop()


def test_a_resume_too_large_to_replay_is_a_reset(edge_server, editor, blog, monkeypatch):
    """A stream replays at most CATCH_UP_BYTES: past that the reader reloads, and nothing big is held for it."""
    _do_everything(editor, blog, 12)
    monkeypatch.setattr("dateline.live.sse.CATCH_UP_BYTES", 3000)  # a few of these changes, not all twelve
    far = SseReader(f"{edge_server.url}/live/{blog.slug}/events", headers={"Last-Event-ID": "0"}).start()
    far.wait_for(lambda r: r.events)
    assert (far.events[0].event, far.events[0].id) == ("reset", 12)
    near = SseReader(f"{edge_server.url}/live/{blog.slug}/events", headers={"Last-Event-ID": "10"}).start()
    near.wait_seq(12)
    assert [e.id for e in near.events] == [11, 12]
    actions.create_post(editor, blog, headline="Next")
    far.wait_seq(13)
    assert [e.id for e in far.events] == [12, 13]
    far.stop()
    near.stop()


def test_changes_pages_a_long_catch_up_instead_of_resetting_while_retained(edge_server, editor, blog, monkeypatch):
    """Replaying from 0 gives the whole page even when more changes are retained than one answer carries."""
    monkeypatch.setattr("dateline.live.replay.CATCH_UP_LIMIT", 7)
    edge_server.edge.hub.ring_size = 3
    _do_everything(editor, blog, 20)
    pages, after, events = [], 0, []
    with httpx.Client() as client:
        while True:
            answer = client.get(f"{edge_server.url}/live/{blog.slug}/changes", params={"after": after}).json()
            assert "reset" not in answer
            pages.append([c["seq"] for c in answer["changes"]])
            events += answer["changes"]
            after = answer["seq"]
            if not answer.get("more"):
                break
    assert pages == [list(range(1, 8)), list(range(8, 15)), list(range(15, 21))]
    assert after == _seq(blog) == 20
    state, expected = replay(events), db_state(blog)
    assert (state["posts"], state["key_points"]) == (expected["posts"], expected["key_points"])


def test_a_resume_point_ahead_of_the_blog_is_a_reset(edge_server, editor, blog):
    actions.create_post(editor, blog, headline="One")
    reader = SseReader(f"{edge_server.url}/live/{blog.slug}/events?after=99").start()
    reader.wait_for(lambda r: r.events)
    assert (reader.events[0].event, reader.events[0].id) == ("reset", 1)
    with httpx.Client() as client:
        assert client.get(f"{edge_server.url}/live/{blog.slug}/changes?after=99").json()["reset"] is True
    reader.stop()


def test_changes_is_cacheable_with_etag_and_304(edge_server, editor, blog):
    _do_everything(editor, blog, 8)
    url = f"{edge_server.url}/live/{blog.slug}/changes"
    with httpx.Client() as client:
        first = client.get(url, params={"after": 3})
        assert first.status_code == 200
        body = first.json()
        assert body["seq"] == 8 and [c["seq"] for c in body["changes"]] == [4, 5, 6, 7, 8]
        assert "reset" not in body
        assert body["changes"] == [json.loads(c.data) for c in Change.objects.filter(blog=blog, seq__gt=3)]
        cache_control = first.headers["cache-control"]
        assert "public" in cache_control and "max-age=2" in cache_control and "stale-while-revalidate" in cache_control
        etag = first.headers["etag"]
        again = client.get(url, params={"after": 3}, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        actions.create_post(editor, blog, headline="New")
        deadline = time.monotonic() + 5
        while (changed := client.get(url, params={"after": 3}, headers={"If-None-Match": etag})).status_code == 304:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert changed.status_code == 200 and changed.headers["etag"] != etag
        assert client.get(url, params={"after": 9}).json() == {"seq": 9, "changes": []}


@pytest.mark.parametrize("query", ["", "?after=", "?after=-1", "?after=abc", "?after=1.5"])
def test_changes_without_a_valid_after_is_a_400_json_error(edge_server, blog, query):
    with httpx.Client() as client:
        response = client.get(f"{edge_server.url}/live/{blog.slug}/changes{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_after"


def test_unknown_blog_is_a_404_json_error(edge_server, db):
    with httpx.Client() as client:
        for endpoint in ("changes?after=0", "events"):
            response = client.get(f"{edge_server.url}/live/no-such-blog/{endpoint}")
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "not_found"


def test_bad_last_event_id_is_a_400(edge_server, blog):
    with httpx.Client() as client:
        response = client.get(f"{edge_server.url}/live/{blog.slug}/events", headers={"Last-Event-ID": "x"})
    assert response.status_code == 400


def test_metrics_report_readers_changes_and_latency(edge_server, editor, blog):
    reader = SseReader(f"{edge_server.url}/live/{blog.slug}/events").start()
    unfollowed = actions.create_blog(editor, title="Nobody reads this one")
    actions.create_post(editor, unfollowed, headline="Unread")
    actions.create_post(editor, blog, headline="One")
    reader.wait_seq(1)
    with httpx.Client() as client:
        text = client.get(f"{edge_server.url}/metrics").text
    assert "dateline_live_readers 1" in text
    assert "dateline_live_changes_published_total 2" in text  # every change announced, followed blog or not
    assert "dateline_live_changes_delivered_total 1" in text  # only the followed blog's change reached readers
    assert 'dateline_live_fanout_seconds_bucket{le="+Inf"} 1' in text
    reader.stop()


def test_other_paths_go_to_django(edge_server, db):
    with httpx.Client() as client:
        assert client.get(f"{edge_server.url}/healthz").json()["status"] == "ok"


def test_closing_streams_ends_them_so_clients_reconnect(edge_server, editor, blog):
    reader = SseReader(f"{edge_server.url}/live/{blog.slug}/events").start()
    actions.create_post(editor, blog, headline="One")
    reader.wait_seq(1)
    edge_server.edge.close_streams()
    reader.wait_for(lambda r: r.ended, timeout=3)
    assert reader.error is None


def test_a_stream_that_joins_while_streams_are_being_closed_ends_at_once(edge_server, editor, blog):
    """Shutdown race: a stream passed the "closing" check and was reading its backlog from the database when the
    server closed every stream. It ends as soon as the read returns (with the retry hint, so the client resumes
    elsewhere) instead of staying open until the graceful timeout."""
    hub = edge_server.edge.hub
    hub.ring_size = 2  # so a resume from seq 1 reads the database
    for n in range(5):
        actions.create_post(editor, blog, headline=f"Post {n}")
    reading, release = threading.Event(), threading.Event()
    changes_after = hub.store.changes_after

    async def slow_changes_after(*args):
        reading.set()
        while not release.is_set():
            await asyncio.sleep(0.01)
        return await changes_after(*args)

    hub.store.changes_after = slow_changes_after
    reader = SseReader(f"{edge_server.url}/live/{blog.slug}/events?after=1").start()
    assert reading.wait(5) and reader.status == 200
    edge_server.edge.close_streams()
    release.set()
    reader.wait_for(lambda r: r.ended, timeout=1)
    assert reader.error is None and reader.events == [] and reader.retry is not None
    assert not hub.channels[blog.slug].subscribers
