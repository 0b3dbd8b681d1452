"""State equivalence (Zulip's verify_action, for Dateline): replaying every change from seq 0 over an empty page
gives exactly the blog's current posts, fragments and key points."""

from __future__ import annotations

import json
import random

import pytest

from dateline.coverage import actions
from dateline.coverage.models import Change, LiveBlog, Post
from dateline.coverage.serializers import key_points_data, post_data


def replay(blog: LiveBlog) -> dict:
    """Apply the change log the way a reader page does: by post id, in seq order."""
    state: dict = {"posts": {}, "key_points": [], "key_points_html": None, "header": None, "seq": 0}
    for change in Change.objects.filter(blog=blog).order_by("seq"):
        data = json.loads(change.data)
        assert data["seq"] == change.seq == state["seq"] + 1, "gap or reorder in the change log"
        state["seq"] = data["seq"]
        if data["type"] in ("post.published", "post.updated", "post.pinned", "post.unpinned"):
            state["posts"][data["post"]["id"]] = {"html": data["html"], "post": data["post"]}
        elif data["type"] == "post.deleted":
            assert data["post"]["status"] == "deleted"
            state["posts"].pop(data["post"]["id"], None)
        elif data["type"] == "keypoints.updated":
            state["key_points"], state["key_points_html"] = data["key_points"], data["html"]
        elif data["type"] in ("blog.updated", "blog.ended"):
            state["header"] = data["html"]
            state["key_points_html"] = data["key_points_html"]
        else:  # pragma: no cover - a new change type must be taught to readers (and to this test)
            raise AssertionError(f"unknown change type {data['type']}")
    return state


def current(blog: LiveBlog) -> dict:
    blog.refresh_from_db()
    posts = Post.objects.filter(blog=blog, status="published")
    return {
        "posts": {p.pk: {"html": p.html, "post": post_data(p)} for p in posts},
        "key_points": key_points_data(blog),
        "seq": blog.seq,
    }


def random_session(rng: random.Random, blog: LiveBlog, actors: dict, steps: int) -> None:
    editor, reporter, contributor = actors["editor"], actors["reporter"], actors["contributor"]
    for step in range(steps):
        live = list(Post.objects.filter(blog=blog, status="published"))
        drafts = list(Post.objects.filter(blog=blog, status="draft"))
        deleted = list(Post.objects.filter(blog=blog, status="deleted"))
        move = rng.choice(["publish", "publish", "edit", "pin", "delete", "restore", "draft", "approve", "keypoints",
                           "correct"])
        if move == "publish" or not live and move in ("edit", "pin", "delete", "keypoints", "correct"):
            actions.create_post(rng.choice([editor, reporter]), blog, headline=f"Post {step}",
                                body=f"<p>Body {step} <strong>bold</strong></p>", tags=["t"])
        elif move == "edit":
            actions.edit_post(editor, rng.choice(live), headline=f"Edited {step}", update_note="Updated.")
        elif move == "correct":  # sometimes alone, sometimes with an edit: one post.updated either way
            extra = {"headline": f"Corrected {step}"} if rng.random() < 0.5 else {}
            actions.patch_post(editor, rng.choice(live), correction=f"Correction {step}.", **extra)
        elif move == "pin":
            post = rng.choice(live)
            actions.patch_post(editor, post, pinned=not post.pinned)
        elif move == "delete":
            actions.delete_post(editor, rng.choice(live))
        elif move == "restore" and deleted:
            actions.restore_post(editor, rng.choice(deleted))
        elif move == "draft":
            actions.create_post(contributor, blog, headline=f"Draft {step}", body="<p>d</p>")
        elif move == "approve" and drafts:
            actions.patch_post(editor, rng.choice(drafts), status="published")
        elif move == "keypoints":
            chosen = rng.sample(live, k=min(len(live), rng.randint(0, 4)))
            actions.set_key_points(editor, blog, [
                {"text": f"<strong>Point {step}.{i}:</strong> text", "post_id": p.pk} for i, p in enumerate(chosen)
            ])
        if step == steps // 2:
            actions.update_blog(editor, blog, description=f"Changed at {step}")
    actions.end_blog(editor, blog)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_replaying_all_changes_gives_the_current_blog(seed, actors, blog):
    random_session(random.Random(seed), blog, actors, steps=60)
    replayed, now = replay(blog), current(blog)
    assert replayed["seq"] == now["seq"]
    assert replayed["posts"] == now["posts"]
    assert replayed["key_points"] == now["key_points"]
    assert any(p["post"]["corrections"] for p in now["posts"].values()), "the session exercised corrections"
    blog.refresh_from_db()
    assert replayed["key_points_html"] == blog.key_points_html
    assert "What we covered here" in blog.key_points_html  # ended: the heading changed, and readers got it
