"""State equivalence of the events' objects: replaying every change from seq 0, by id, gives exactly the API's
current posts, key points and blog — what the newsroom desk (which patches its rows from ``post``) and integrators
rely on. The page itself (fragments, header, key points box, count) is replayed through the shipped ``live.js`` in
Chromium: ``tests/browser/test_replay.py``."""

from __future__ import annotations

import json
import random
from collections.abc import Callable

import pytest

from dateline.coverage import actions
from dateline.coverage.models import Change, LiveBlog, Post
from dateline.coverage.serializers import blog_data, key_points_data, post_data
from dateline.events import EventType

POST_EVENTS = {EventType.POST_PUBLISHED, EventType.POST_UPDATED, EventType.POST_PINNED, EventType.POST_UNPINNED}


def replay(blog: LiveBlog, initial: dict | None = None) -> dict:
    """Apply the change log's objects by id, in seq order: posts (with their fragments), key points, the blog —
    from seq 0, or on top of ``initial`` (a page loaded at its ``seq``) from there on."""
    state: dict = {"posts": {}, "key_points": [], "key_points_html": None, "blog": None, "seq": 0}
    if initial is not None:
        state = {**initial, "posts": dict(initial["posts"])}
    for change in Change.objects.filter(blog=blog, seq__gt=state["seq"]).order_by("seq"):
        data = json.loads(change.data)
        assert data["seq"] == change.seq == state["seq"] + 1, "gap or reorder in the change log"
        state["seq"] = data["seq"]
        kind = EventType(data["type"])
        if kind in POST_EVENTS:
            state["posts"][data["post"]["id"]] = {"html": data["html"], "post": data["post"]}
        elif kind == EventType.POST_DELETED:
            assert data["post"]["status"] == "deleted"
            state["posts"].pop(data["post"]["id"], None)
        elif kind == EventType.KEY_POINTS_UPDATED:
            state["key_points"], state["key_points_html"] = data["key_points"], data["html"]
        elif kind in (EventType.BLOG_UPDATED, EventType.BLOG_ENDED):
            state["blog"], state["key_points_html"] = data["blog"], data["key_points_html"]
        else:  # pragma: no cover - a new change type must be taught to readers (and to this test)
            raise AssertionError(f"unknown change type {data['type']}")
    return state


def current(blog: LiveBlog) -> dict:
    blog.refresh_from_db()
    posts = Post.objects.filter(blog=blog, status="published")
    return {
        "posts": {p.pk: {"html": p.html, "post": post_data(p)} for p in posts},
        "key_points": key_points_data(blog),
        "key_points_html": blog.key_points_html,
        "blog": blog_data(blog),
        "seq": blog.seq,
    }


def random_session(rng: random.Random, blog: LiveBlog, actors: dict, steps: int,
                   on_step: Callable[[], None] = lambda: None) -> None:
    editor, reporter, contributor = actors["editor"], actors["reporter"], actors["contributor"]
    for step in range(steps):
        live = list(Post.objects.filter(blog=blog, status="published"))
        deleted = list(Post.objects.filter(blog=blog, status="deleted"))
        drafts = list(Post.objects.filter(blog=blog, status="draft"))
        move = rng.choice(["publish", "publish", "edit", "pin", "delete", "restore", "draft", "approve", "keypoints",
                           "correct"])
        if move == "publish" or not live and move in ("edit", "pin", "delete", "keypoints", "correct"):
            actions.create_post(rng.choice([editor, reporter]), blog, headline=f"Post {step}",
                                body=f"<p>Body {step} <strong>bold</strong></p>", tags=["t"])
        elif move == "edit":
            actions.edit_post(editor, rng.choice(live), headline=f"Edited {step}", update_note="Updated.")
        elif move == "correct":  # sometimes alone, sometimes with an edit: one post.updated either way
            extra = {"headline": f"Corrected {step}"} if rng.random() < 0.5 else {}
            actions.correct_post(editor, rng.choice(live), correction=f"Correction {step}.", **extra)
        elif move == "pin":
            post = rng.choice(live)
            (actions.unpin_post if post.pinned else actions.pin_post)(editor, post)
        elif move == "delete":
            actions.delete_post(editor, rng.choice(live))
        elif move == "restore" and deleted:
            actions.restore_post(editor, rng.choice(deleted))
        elif move == "draft":
            actions.create_post(contributor, blog, headline=f"Draft {step}", body="<p>d</p>")
        elif move == "approve" and drafts:
            actions.approve_post(editor, rng.choice(drafts))
        elif move == "keypoints":
            chosen = rng.sample(live, k=min(len(live), rng.randint(0, 4)))
            actions.set_key_points(editor, blog, [
                {"text": f"<strong>Point {step}.{i}:</strong> text", "post_id": p.pk} for i, p in enumerate(chosen)
            ])
        if step == steps // 2:
            actions.update_blog(editor, blog, description=f"Changed at {step}")
        if step == steps * 3 // 4:
            actions.update_blog(editor, blog, title=f"Renamed at {step}")
        on_step()
    actions.end_blog(editor, blog)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_replaying_all_changes_gives_the_current_blog(seed, actors, blog):
    random_session(random.Random(seed), blog, actors, steps=60)
    replayed, now = replay(blog), current(blog)
    assert replayed["seq"] == now["seq"]
    assert replayed["posts"] == now["posts"]
    assert replayed["key_points"] == now["key_points"]
    assert replayed["blog"] == now["blog"], "the header's state: the session ends with end_blog, the last change"
    assert any(p["post"]["corrections"] for p in now["posts"].values()), "the session exercised corrections"
    blog.refresh_from_db()
    assert replayed["key_points_html"] == blog.key_points_html
    assert "What we covered here" in blog.key_points_html  # ended: the heading changed, and readers got it


@pytest.mark.parametrize("seed", [5, 6])
def test_a_reader_from_any_seq_ends_in_the_current_state_and_no_change_says_more(seed, actors, blog):
    """Compaction (docs/live.md): older changes are rewritten to their object's current form, or to a tombstone.
    A page loaded at any point of the session and kept live by the compacted log ends exactly in the current
    state; and no retained change carries a post, key point or blog text that the page no longer shows."""
    pages: list[dict] = []
    random_session(random.Random(seed), blog, actors, steps=50, on_step=lambda: pages.append(current(blog)))
    now = current(blog)
    assert len({page["seq"] for page in pages}) > 30
    for page in pages:
        resumed = replay(blog, initial=page)
        assert resumed["seq"] == now["seq"], page["seq"]
        assert resumed["posts"] == now["posts"], f"resumed from seq {page['seq']}"
        assert resumed["key_points"] == now["key_points"] and resumed["key_points_html"] == now["key_points_html"]
    for change in Change.objects.filter(blog=blog):
        data = json.loads(change.data)
        assert change.type == data["type"]
        if data["type"] == EventType.POST_DELETED:
            assert data["html"] == "" and set(data["post"]) == {"id", "status"}
        elif "post" in data:
            assert data["post"] == now["posts"][data["post"]["id"]]["post"], "a change still shows an old version"
            assert data["html"] == now["posts"][data["post"]["id"]]["html"]
        elif data["type"] == EventType.KEY_POINTS_UPDATED:
            assert data["key_points"] == now["key_points"] and data["html"] == now["key_points_html"]
        else:
            assert data["key_points_html"] == now["key_points_html"]
            assert {**data["blog"], "seq": now["seq"]} == now["blog"]
