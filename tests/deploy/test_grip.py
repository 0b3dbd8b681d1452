"""GRIP: readers held by Debian's Pushpin (the shipped deploy/pushpin config) see the edge's own protocol.

The origin is ``dateline.asgi``'s app in a thread (tests/live/conftest.py ``edge_server``) with
``DATELINE_GRIP_KEY`` set and a ``GripBroker`` publishing to this Pushpin; readers connect to Pushpin only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import httpx
import pytest

from deploy.procs.pushpin import Pushpin, pushpin_binary
from tests.conftest import missing_service
from tests.live.conftest import SseReader, run_server

pytestmark = [pytest.mark.pushpin]

KEY = "grip-test-key"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(key: str, claims: dict, alg: str = "HS256") -> str:
    head = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    signature = hmac.new(key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(signature)}"


class Lossy:
    """A publish transport that loses the batches whose ids it is told to lose, once each: a publish that never
    reached the proxy (its process died between commit and publish)."""

    def __init__(self, publisher_post, lose: set[str]) -> None:
        self.post = publisher_post
        self.lose = set(lose)
        self.lost: list[str] = []

    def __call__(self, body: bytes) -> None:
        ids = {item["id"] for item in json.loads(body)["items"]}
        if ids & self.lose:
            self.lose -= ids
            self.lost.extend(sorted(ids))
            return
        self.post(body)


@pytest.fixture
def grip(transactional_db, settings, tmp_path, monkeypatch) -> Iterator[dict]:
    """Pushpin in front of the edge; the edge publishing every change to it. Yields the parts."""
    if pushpin_binary() is None:
        missing_service("pushpin is not installed: apt-get install -y pushpin (make proxy-deps does it as root)")
    from dateline.asgi import django_application
    from dateline.broker import InProcessBroker, set_broker
    from dateline.broker.grip import GripBroker, GripPublisher
    from dateline.changefeed import ChangeFeed
    from dateline.live import grip as grip_edge
    from dateline.live.app import LiveEdge

    settings.DATELINE_GRIP_KEY = KEY
    monkeypatch.setattr(grip_edge, "KEEP_ALIVE_SECONDS", 1)  # the heartbeat comes within a test's patience
    inner = InProcessBroker()
    parts: dict = {}
    edge = LiveEdge(django_application, source=ChangeFeed(), broker=inner)
    with run_server(edge) as live:
        proxy = Pushpin(live.url.removeprefix("http://"), key=KEY, prefix=tmp_path / "pushpin")
        try:
            proxy.start()
            publisher = GripPublisher(proxy.publish_url)
            lossy = Lossy(publisher._post, set())
            publisher._post = lossy
            set_broker(GripBroker(inner, publisher))
            parts.update(live=live, edge=edge, proxy=proxy, publisher=publisher, lossy=lossy)
            yield parts
        finally:
            proxy.stop()
            print(proxy.log()[-4000:])  # shown when a test fails


def held_readers(edge) -> int:
    return sum(len(ch.subscribers) for ch in edge.hub.channels.values())


def post(blog, editor, headline: str):
    from dateline.coverage import actions

    return actions.create_post(editor, blog, headline=headline, body=f"<p>{headline}.</p>")


def ids(reader: SseReader) -> list[int]:
    return [e.id for e in reader.events if e.id is not None]


def test_a_reader_through_pushpin_gets_the_replay_then_every_change_with_heartbeats(grip, blog, editor):
    post(blog, editor, "Ferry timetable cut")
    reader = SseReader(f"{grip['proxy'].url}/live/{blog.slug}/events?after=0").start()
    reader.wait_seq(1)
    for n in range(2, 6):
        post(blog, editor, f"Update {n}")
    reader.wait_seq(5)
    assert reader.status == 200
    assert ids(reader) == [1, 2, 3, 4, 5]
    assert [e.event for e in reader.events] == ["post.published"] * 5
    assert reader.retry is not None and 2000 <= reader.retry <= 6000  # the edge's retry hint, through the proxy
    # The proxy holds the stream: the origin answered the request and keeps no reader.
    assert held_readers(grip["edge"]) == 0
    reader.wait_for(lambda r: ": keep-alive" in r.comments, timeout=5)
    reader.stop()


def test_a_reader_without_a_resume_point_gets_the_retry_hint_then_the_next_change(grip, blog, editor):
    # What `curl -N <pushpin>/live/<slug>/events` after `make cluster GRIP=1` shows: the edge's answer without
    # Last-Event-ID or ?after is the retry hint alone (nothing to replay: a reader starts at the blog's current
    # seq, as on the edge's own stream), and the next change arrives as soon as it is committed.
    post(blog, editor, "Ferry timetable cut")
    post(blog, editor, "Ferry timetable restored")
    reader = SseReader(f"{grip['proxy'].url}/live/{blog.slug}/events").start()
    reader.wait_for(lambda r: r.retry is not None)
    time.sleep(0.3)
    assert reader.status == 200 and ids(reader) == []
    post(blog, editor, "Ferry timetable: extra sailing")
    reader.wait_seq(3)
    assert ids(reader) == [3]
    reader.stop()


def test_a_reader_resumes_through_pushpin_by_last_event_id_and_a_seq_from_the_future_resets(grip, blog, editor):
    for n in range(1, 5):
        post(blog, editor, f"Lane closure {n}")
    resumed = SseReader(f"{grip['proxy'].url}/live/{blog.slug}/events", headers={"Last-Event-ID": "2"}).start()
    resumed.wait_seq(4)
    post(blog, editor, "Lane closure 5")
    resumed.wait_seq(5)
    assert ids(resumed) == [3, 4, 5]
    ahead = SseReader(f"{grip['proxy'].url}/live/{blog.slug}/events", headers={"Last-Event-ID": "999"}).start()
    ahead.wait_for(lambda r: r.events)
    assert ahead.events[0].event == "reset" and ahead.events[0].id == 5
    resumed.stop()
    ahead.stop()


def test_a_lost_publish_is_recovered_through_the_link_exactly_once_and_in_order(grip, blog, editor):
    reader = SseReader(f"{grip['proxy'].url}/live/{blog.slug}/events?after=0").start()
    post(blog, editor, "Bridge inspection begins")
    reader.wait_seq(1)
    grip["lossy"].lose = {"2", "3"}
    post(blog, editor, "Bridge inspection: north span")  # lost on the way to the proxy
    post(blog, editor, "Bridge inspection: south span")  # lost too
    assert grip["publisher"].flush(5)
    time.sleep(0.3)
    assert ids(reader) == [1], "the lost changes reached the reader some other way: the test proves nothing"
    post(blog, editor, "Bridge inspection ends")  # prev-id 3 is not what the reader has: the proxy asks the link
    reader.wait_seq(4)
    time.sleep(0.3)
    assert grip["lossy"].lost == ["2", "3"]
    assert ids(reader) == [1, 2, 3, 4]
    reader.stop()


def test_requests_without_a_valid_signature_are_streamed_by_the_edge_itself(grip, blog, editor, settings):
    post(blog, editor, "Signal failure")
    origin = grip["live"].url
    forged = jwt("not-the-key", {"iss": "pushpin", "exp": int(time.time()) + 60})
    direct = SseReader(f"{origin}/live/{blog.slug}/events?after=0", headers={"Grip-Sig": forged}).start()
    direct.wait_seq(1)
    assert held_readers(grip["edge"]) == 1  # a forged signature gets a stream, not a hold
    direct.stop()
    expired = jwt(KEY, {"iss": "pushpin", "exp": int(time.time()) - 5})
    with httpx.stream("GET", f"{origin}/live/{blog.slug}/events?after=0", headers={"Grip-Sig": expired},
                      timeout=5) as response:
        assert "grip-hold" not in response.headers
    valid = jwt(KEY, {"iss": "pushpin", "exp": int(time.time()) + 60})
    response = httpx.get(f"{origin}/live/{blog.slug}/events?after=0", headers={"Grip-Sig": valid}, timeout=5)
    assert response.headers["grip-hold"] == "stream"
    assert response.headers["grip-channel"] == f"dateline-{blog.pk}; prev-id=1"
    assert response.headers["grip-link"] == f"</live/{blog.slug}/events>; rel=next; timeout=120"
    assert response.text.count("id: 1\n") == 1
    recovery = httpx.get(f"{origin}/live/{blog.slug}/events",
                         headers={"Grip-Sig": valid, "Grip-Last": f"dateline-{blog.pk}; last-id=0",
                                  "Last-Event-ID": "1"}, timeout=5)
    assert "id: 1\n" in recovery.text  # Grip-Last (0) outranks the reader's Last-Event-ID (1)


def test_the_publisher_keeps_changes_while_the_proxy_is_down_and_sends_them_in_order():
    from dateline.broker import ChangeMessage
    from dateline.broker import grip as grip_broker

    sent: list[list[str]] = []
    failures = iter([True, True, False, False, False])

    def post_(body: bytes) -> None:
        if next(failures, False):
            raise OSError("connection refused")
        sent.append([item["id"] for item in json.loads(body)["items"]])

    publisher = grip_broker.GripPublisher("http://127.0.0.1:9/", post=post_)
    for seq in range(1, 6):
        publisher.publish(ChangeMessage(blog_id=7, slug="s", seq=seq, type="post.created", data="{}"))
    assert publisher.flush(10)
    assert [seq for batch in sent for seq in batch] == ["1", "2", "3", "4", "5"]
    assert publisher.failures == 2
    body = grip_broker.item(ChangeMessage(blog_id=7, slug="s", seq=5, type="post.created", data='{"a":1}'))
    assert body == {"channel": "dateline-7", "id": "5", "prev-id": "4",
                    "formats": {"http-stream": {"content": 'id: 5\nevent: post.created\ndata: {"a":1}\n\n'}}}
