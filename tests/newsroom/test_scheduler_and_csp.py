"""Scheduled posts publish through the actions when due; newsroom pages carry a nonce-based CSP."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from dateline.audit.models import AuditEntry
from dateline.coverage import actions
from dateline.coverage.errors import Forbidden, ValidationFailed
from dateline.coverage.models import Post
from dateline.coverage.scheduler import publish_due


def test_a_scheduled_post_waits_then_publishes_once_due(reporter, blog):
    now = timezone.now()
    post = actions.create_post(reporter, blog, headline="At noon", publish_at=now + timedelta(minutes=5))
    assert (post.status, blog.changes.count()) == ("draft", 0)
    assert publish_due(now + timedelta(minutes=4)) == 0
    assert publish_due(now + timedelta(minutes=5)) == 1
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert list(blog.changes.values_list("type", flat=True)) == ["post.published"]
    assert publish_due(now + timedelta(minutes=6)) == 0  # never twice


def test_scheduling_through_the_composer_uses_the_blogs_time_zone(signed_in, blog):
    # The blog fixture is in Europe/London; 12:00 there in July is 11:00 UTC.
    next_year = timezone.now().year + 1
    response = signed_in("reporter").post(f"/newsroom/{blog.slug}/compose", {
        "headline": "Noon briefing", "publish_at": f"{next_year}-07-01T12:00", "intent": "publish"})
    assert response.status_code == 302
    post = Post.objects.get(headline="Noon briefing")
    assert post.status == "draft"
    assert post.publish_at.astimezone(UTC).hour == 11
    desk = signed_in("reporter").get(f"/newsroom/{blog.slug}/").content.decode()
    assert "Scheduled" in desk
    assert "Scheduled Thu 1 Jul, 12:00 BST" in desk or "12:00 BST" in desk


def test_only_publishers_schedule_and_only_for_the_future(actors, blog):
    later = timezone.now() + timedelta(hours=1)
    with pytest.raises(Forbidden):
        actions.create_post(actors["contributor"], blog, headline="x", publish_at=later)
    with pytest.raises(ValidationFailed):
        actions.create_post(actors["reporter"], blog, headline="x", publish_at=timezone.now() - timedelta(minutes=1))


def test_a_schedule_whose_author_lost_the_right_is_cancelled_not_retried(actors, blog):
    reporter = actors["reporter"]
    post = actions.create_post(reporter, blog, headline="Later", publish_at=timezone.now() + timedelta(minutes=1))
    reporter.role = "contributor"
    reporter.save()
    assert publish_due(timezone.now() + timedelta(minutes=2)) == 0
    post.refresh_from_db()
    assert (post.status, post.publish_at) == ("draft", None)
    assert AuditEntry.objects.filter(action="post.schedule_cancelled", post=post).exists()


def test_newsroom_pages_carry_a_fresh_nonce_that_matches_their_scripts(signed_in, blog):
    client = signed_in("editor")
    first = client.get(f"/newsroom/{blog.slug}/")
    second = client.get(f"/newsroom/{blog.slug}/")
    policy = first["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "script-src 'self' 'nonce-" in policy and "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-eval" not in policy
    html = first.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert nonce not in second["Content-Security-Policy"]


def test_the_editor_assets_are_served_with_long_caching(client):
    from dateline.newsroom.assets import asset_url

    response = client.get(asset_url("prose", "editor.js"))
    assert response.status_code == 200 and "immutable" in response["Cache-Control"]
    assert client.get("/newsroom/static/prose/editor.js.map").status_code == 404
    assert client.get("/newsroom/static/other/x.js").status_code == 404
