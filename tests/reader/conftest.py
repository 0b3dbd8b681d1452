"""Fixtures for reader tests: a blog with every part of the page anatomy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dateline.coverage import actions
from dateline.coverage.models import Media

DAY = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The role fixtures hash passwords; a fast hasher keeps these tests quick (nothing here tests hashing)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def lead_video(db):
    return Media.objects.create(kind="video", url="https://example.com/video/drone", title="Drone footage of the river",
                                duration_seconds=292, credit="Sam Okonjo/The Dateline Courier")


@pytest.fixture
def photo(db, reporter):
    # Uploaded by the reporter who attaches it: others' unpublished media are refused (media.require_attachable).
    return Media.objects.create(kind="image", url="https://example.org/flood.jpg", caption="Residents wade through "
                                "Mill Street, Wrenford, on Tuesday.", credit="Ana Ruiz/Courier", alt="Flooded street",
                                width=1200, height=800, uploaded_by=reporter)


@pytest.fixture
def anatomy(editor, reporter, lead_video, photo):
    """A live blog as the brief describes it: lead video, key points, a pinned post, posts with images, lead-ins,
    labelled context, verification and update notes; plus a draft and a deleted post readers must never see."""
    blog = actions.create_blog(editor, title="Wrenford floods", time_zone="Europe/London", coverage_start=DAY,
                               description="Live updates as the River Vale floods.", lead_media=lead_video.pk)
    posts = []
    posts.append(actions.create_post(
        reporter, blog, now=DAY + timedelta(minutes=5), headline="River breaks its banks",
        body="<p>Water poured into Mill Street. <a href='https://example.org/more'>Keep reading here</a></p>",
        media=[photo.pk]))
    posts.append(actions.create_post(
        reporter, blog, now=DAY + timedelta(minutes=30), headline="Here's what you should know",
        body="<ul><li><strong>Evacuations:</strong> 4,100 people.</li><li><strong>Rescues:</strong> 212.</li></ul>"
             "<p><strong>Some background:</strong> The river peaked in 1987.</p>",
        verification_note="The Courier cannot independently verify these figures.",
        update_note="This post has been updated with additional comments."))
    posts.append(actions.create_post(
        editor, blog, now=DAY + timedelta(minutes=45), headline="Dam spillway in use",
        body="<p>According to the agency, the spillway is working as designed.</p>"))
    actions.pin_post(editor, posts[2])
    actions.create_post(reporter, blog, now=DAY + timedelta(minutes=50), headline="Secret draft", body="<p>x</p>",
                        status="draft")
    gone = actions.create_post(reporter, blog, now=DAY + timedelta(minutes=55), headline="Removed post",
                               body="<p>wrong</p>")
    actions.delete_post(editor, gone)
    actions.set_key_points(editor, blog, [
        {"text": "<strong>Record flood:</strong> The river peaked at 6.14m.", "post_id": posts[0].pk},
        {"text": "<strong>How to help:</strong> donate to the appeal.", "url": "https://example.org/help"},
    ])
    blog.refresh_from_db()
    return blog


def add_posts(actor, blog, n, start=DAY, step=timedelta(minutes=1), same_time_every=0):
    """Publish ``n`` posts through the action; every ``same_time_every``-th pair shares a timestamp (tie-breaking)."""
    made = []
    when = start
    for i in range(n):
        if not (same_time_every and i % same_time_every == 1):
            when = when + step
        made.append(actions.create_post(actor, blog, now=when, headline=f"Update {i}", body=f"<p>Body {i}</p>"))
    return made
