"""The demo story, read back from the database after ``load_demo()``: what issue 3 asks the demo to show.

At least 25 posts over a day, key points, a lead video (title, duration, source credit), images with captions and
credits, round-up posts with bold lead-ins, labelled context paragraphs, an update note, a verification note — and
loading it again changes nothing. The demo is what a newcomer sees first (``make run``), so each feature the
reader page can show must actually be in it.

The load is done once for the module, inside a transaction that is rolled back: the tests check a snapshot of
what was stored, and no demo row outlives the module.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils.html import escape

BOLD_LEAD_IN = re.compile(r"<li><strong>[^<]{2,60}:</strong>\s*\S")
LABELLED_PARAGRAPH = re.compile(r"<p><strong>([^<]{2,60}):</strong>\s*\S")


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, Any]:
    """Load the demo, read back what was stored into plain data, then roll it all back."""
    from dateline.demo.loader import load_demo

    media_root = tmp_path_factory.mktemp("demo-media")
    snapshot: dict[str, Any] = {}
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root):
        try:
            with transaction.atomic():
                snapshot.update(_snapshot(load_demo(), media_root))
                raise _Rollback
        except _Rollback:
            pass
    return snapshot


def _media(m: Any, media_root: Path) -> dict[str, Any]:
    return {"kind": m.kind, "title": m.title, "caption": m.caption, "credit": m.credit, "alt": m.alt,
            "duration": m.duration_seconds, "url": m.url,
            "file_exists": bool(m.file) and (media_root / m.file.name).is_file()}


def _snapshot(blog: Any, media_root: Path) -> dict[str, Any]:
    posts = [
        {"id": p.pk, "headline": p.headline, "body": p.body, "tags": p.tags, "published_at": p.published_at,
         "updated_at": p.updated_at, "update_note": p.update_note, "verification_note": p.verification_note,
         "html": p.html, "media": [_media(pm.media, media_root) for pm in p.postmedia_set.order_by("position")]}
        for p in blog.posts.filter(status="published").order_by("published_at")
    ]
    return {
        "time_zone": blog.time_zone,
        "lead": _media(blog.lead_media, media_root) if blog.lead_media else None,
        "posts": posts,
        "key_points": [{"text": k.text, "post_id": k.post_id} for k in blog.key_points.order_by("position")],
        "key_points_html": blog.key_points_html,
    }


def test_at_least_25_posts_over_one_day(demo):
    """Posts run from morning into the evening of one local day, as a day's live coverage does."""
    posts = demo["posts"]
    assert len(posts) >= 25
    zone = ZoneInfo(demo["time_zone"])
    days = {p["published_at"].astimezone(zone).date() for p in posts}
    assert len(days) == 1, days
    assert posts[-1]["published_at"] - posts[0]["published_at"] >= timedelta(hours=10)
    assert all(p["headline"] and p["body"] for p in posts)


def test_key_points_have_bold_lead_ins_and_point_at_posts(demo):
    points = demo["key_points"]
    assert len(points) >= 4
    published = {p["id"] for p in demo["posts"]}
    for point in points:
        assert re.match(r"<strong>[^<]+:</strong> \S", point["text"]), point["text"]
    linked = [p["post_id"] for p in points if p["post_id"] is not None]
    assert len(linked) >= 4 and set(linked) <= published
    assert all(p["text"] in demo["key_points_html"] for p in points), "rendered once, with the blog"


def test_the_lead_media_is_a_video_with_title_duration_and_source_credit(demo):
    lead = demo["lead"]
    assert lead is not None and lead["kind"] == "video"
    assert lead["title"] and lead["credit"] and lead["url"].startswith("https://")
    assert lead["duration"] and lead["duration"] > 0


def test_images_carry_captions_credits_and_alt_text(demo):
    images = [m for p in demo["posts"] for m in p["media"] if m["kind"] == "image"]
    assert len(images) >= 3
    for image in images:
        assert image["caption"] and image["credit"] and image["alt"], image
        assert image["file_exists"], "the placeholder picture was stored"
    for post in (p for p in demo["posts"] if p["media"]):
        for m in post["media"]:
            assert escape(m["caption"]) in post["html"] and escape(m["credit"]) in post["html"], "shown on the post"


def test_round_ups_are_lists_with_bold_lead_ins(demo):
    round_ups = [p for p in demo["posts"] if "round-up" in p["tags"]]
    assert len(round_ups) >= 2
    for post in round_ups:
        assert len(BOLD_LEAD_IN.findall(post["body"])) >= 3, post["headline"]


def test_posts_have_labelled_context_paragraphs(demo):
    """Background is set apart with a bold label ("Key context:", "Some background:"), not mixed into the news."""
    labels = [label for p in demo["posts"] for label in LABELLED_PARAGRAPH.findall(p["body"])]
    assert any("context" in label.lower() for label in labels), labels
    assert any("background" in label.lower() for label in labels), labels
    assert len(labels) >= 5


def test_an_update_note_arrives_with_a_later_edit(demo):
    updated = [p for p in demo["posts"] if p["update_note"]]
    assert updated
    assert any(p["updated_at"] > p["published_at"] for p in updated), "the note explains an edit made later"
    assert all(escape(p["update_note"]) in p["html"] for p in updated), "shown on the post"


def test_a_verification_note_says_what_could_not_be_checked(demo):
    notes = [p["verification_note"] for p in demo["posts"] if p["verification_note"]]
    assert notes
    assert any("verif" in note.lower() for note in notes), notes
    shown = [p for p in demo["posts"] if p["verification_note"]]
    assert all(escape(p["verification_note"]) in p["html"] for p in shown), "shown on the post"


def test_loading_the_demo_again_changes_nothing(db, settings, tmp_path):
    """``dateline demo`` is idempotent: a second load writes no change, no media and no post."""
    from dateline.audit.models import AuditEntry
    from dateline.coverage.models import Change, LiveBlog, Media, Post
    from dateline.demo.loader import load_demo

    settings.MEDIA_ROOT = tmp_path

    def state() -> tuple:
        return (sorted(LiveBlog.objects.values_list("pk", "slug", "seq")), Change.objects.count(),
                sorted(Post.objects.values_list("pk", "version")), Media.objects.count(), AuditEntry.objects.count())

    first = load_demo()
    before = state()
    assert load_demo().pk == first.pk
    assert state() == before
