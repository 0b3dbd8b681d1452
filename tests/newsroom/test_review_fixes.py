"""Who publishes a scheduled or someone else's draft, bylines, ended blogs, and key points saved by two editors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.audit.models import AuditEntry
from dateline.coverage import actions
from dateline.coverage.errors import Conflict, Forbidden
from dateline.coverage.models import KeyPoint, Post
from dateline.coverage.scheduler import publish_due
from tests.newsroom.conftest import kp_version


def test_an_editor_scheduling_a_contributors_draft_publishes_it_in_the_editors_name(actors, blog):
    draft = actions.create_post(actors["contributor"], blog, headline="From the shelter")
    due = timezone.now() + timedelta(minutes=5)
    actions.patch_post(actors["editor"], draft, publish_at=due)
    draft.refresh_from_db()
    assert draft.scheduled_by == actors["editor"]
    assert publish_due(due) == 1
    draft.refresh_from_db()
    assert draft.status == Post.Status.PUBLISHED
    edit = AuditEntry.objects.filter(post=draft, action="post.edit").latest("pk")
    assert edit.actor == actors["editor"]
    assert not AuditEntry.objects.filter(post=draft, action="post.schedule_cancelled").exists()


def test_the_edit_page_schedules_in_the_name_of_whoever_saves_it(signed_in, actors, blog):
    draft = actions.create_post(actors["contributor"], blog, headline="From the shelter")
    next_year = timezone.now().year + 1
    response = signed_in("editor").post(f"/newsroom/{blog.slug}/posts/{draft.pk}/edit", {
        "headline": "From the shelter", "body": "", "version": draft.version,
        "publish_at": f"{next_year}-07-01T12:00"})
    assert response.status_code == 302, response.content[:400]
    draft.refresh_from_db()
    assert draft.publish_at is not None and draft.scheduled_by == actors["editor"]


def test_deleting_a_scheduled_draft_cancels_its_schedule(actors, blog):
    due = timezone.now() + timedelta(minutes=5)
    post = actions.create_post(actors["reporter"], blog, headline="Embargoed", publish_at=due)
    actions.delete_post(actors["reporter"], post)
    actions.restore_post(actors["editor"], post)
    post.refresh_from_db()
    assert (post.status, post.publish_at, post.scheduled_by) == (Post.Status.DRAFT, None, None)
    assert publish_due(due + timedelta(minutes=1)) == 0
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert AuditEntry.objects.get(post=post, action="post.delete").detail["schedule_cancelled"]


def test_a_reporter_named_on_a_contributors_draft_cannot_approve_it(actors, blog):
    draft = actions.create_post(actors["contributor"], blog, headline="Draft",
                                authors=[actors["contributor"].username, actors["reporter"].username])
    with pytest.raises(Forbidden, match="someone else filed"):
        actions.patch_post(actors["reporter"], draft, status=Post.Status.PUBLISHED)
    with pytest.raises(Forbidden, match="someone else filed"):
        actions.patch_post(actors["reporter"], draft, publish_at=timezone.now() + timedelta(hours=1))
    actions.patch_post(actors["editor"], draft, status=Post.Status.PUBLISHED)
    draft.refresh_from_db()
    assert draft.status == Post.Status.PUBLISHED


def test_the_approve_button_refuses_a_reporter_on_a_contributors_draft(signed_in, actors, blog):
    draft = actions.create_post(actors["contributor"], blog, headline="Draft",
                                authors=[actors["contributor"].username, actors["reporter"].username])
    response = signed_in("reporter").post(f"/newsroom/{blog.slug}/posts/{draft.pk}/approve",
                                          {"version": draft.version})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Post.Status.DRAFT


def test_only_editors_credit_a_post_to_others_alone(actors, blog):
    with pytest.raises(Forbidden, match="Include yourself"):
        actions.create_post(actors["reporter"], blog, headline="x", authors=[actors["editor"].username])
    shared = actions.create_post(actors["reporter"], blog, headline="Joint",
                                 authors=[actors["editor"].username, actors["reporter"].username])
    with pytest.raises(Forbidden, match="Include yourself"):
        actions.edit_post(actors["reporter"], shared, authors=[actors["editor"].username])
    by_editor = actions.create_post(actors["editor"], blog, headline="For Rita", authors=[actors["reporter"].username])
    assert [a.username for a in by_editor.authors.all()] == [actors["reporter"].username]


def test_an_ended_blog_takes_no_new_posts_until_reopened(actors, blog):
    draft = actions.create_post(actors["reporter"], blog, headline="Late", status=Post.Status.DRAFT)
    due = timezone.now() + timedelta(minutes=5)
    scheduled = actions.create_post(actors["reporter"], blog, headline="Tonight", publish_at=due)
    published = actions.create_post(actors["reporter"], blog, headline="Earlier")
    actions.end_blog(actors["editor"], blog)
    for role in ("editor", "reporter", "contributor"):
        with pytest.raises(Conflict, match="has ended"):
            actions.create_post(actors[role], blog, headline="After the end")
    with pytest.raises(Conflict, match="has ended"):
        actions.patch_post(actors["editor"], draft, status=Post.Status.PUBLISHED)
    actions.edit_post(actors["reporter"], published, headline="Earlier (corrected)")  # edits still go in
    assert publish_due(due) == 0
    scheduled.refresh_from_db()
    assert scheduled.status == Post.Status.DRAFT and scheduled.publish_at is None
    assert "has ended" in AuditEntry.objects.get(post=scheduled, action="post.schedule_cancelled").detail["reason"]
    actions.update_blog(actors["editor"], blog, status="live")
    assert actions.create_post(actors["reporter"], blog, headline="Back again").status == Post.Status.PUBLISHED


def test_the_api_answers_409_blog_ended(tokens_client, blog, actors):
    actions.end_blog(actors["editor"], blog)
    response = tokens_client.post(f"/api/v1/blogs/{blog.slug}/posts", '{"headline": "x"}',
                                  content_type="application/json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "blog_ended"


@pytest.fixture
def tokens_client(actors):
    from django.test import Client

    from dateline.accounts.models import ApiToken

    _token, raw = ApiToken.issue(actors["reporter"])
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_the_edit_page_refuses_someone_who_may_not_edit_the_post(signed_in, actors, blog):
    from dateline.accounts.models import User

    other = User.objects.create_user(username="rep2", password="pw-rep2-1234", role="reporter")
    post = actions.create_post(other, blog, headline="Mine")
    client = signed_in("reporter")
    assert client.get(f"/newsroom/{blog.slug}/posts/{post.pk}/edit").status_code == 403
    assert client.post(f"/newsroom/{blog.slug}/posts/{post.pk}/heartbeat").status_code == 403
    editing = signed_in("editor").post(f"/newsroom/{blog.slug}/posts/{post.pk}/heartbeat").json()["editing"]
    assert editing == []  # the refused reporter was never shown to colleagues as editing


def test_two_editors_saving_key_points_never_overwrite_each_other_silently(signed_in, blog):
    first, second = signed_in("editor"), signed_in("admin")
    opened = kp_version(blog)  # both open the form on the same (empty) list
    form = {"post_id": [""], "url": [""], "order": ["1"]}
    assert first.post(f"/newsroom/{blog.slug}/key-points",
                      {**form, "text": ["Bridge shut"], "version": opened}).status_code == 302
    refused = second.post(f"/newsroom/{blog.slug}/key-points", {**form, "text": ["Ferries added"], "version": opened})
    assert refused.status_code == 412
    html = refused.content.decode()
    assert 'id="kp-theirs"' in html and "Bridge shut" in html  # theirs, shown
    assert "Ferries added" in html  # mine, kept in the form
    assert list(KeyPoint.objects.filter(blog=blog).values_list("text", flat=True)) == ["Bridge shut"]
    # The refusal's form carries the new version: saving again is a deliberate replacement.
    assert second.post(f"/newsroom/{blog.slug}/key-points",
                       {**form, "text": ["Ferries added"], "version": kp_version(blog)}).status_code == 302
    assert list(KeyPoint.objects.filter(blog=blog).values_list("text", flat=True)) == ["Ferries added"]


def test_the_desk_of_an_ended_blog_offers_reopening_instead_of_a_composer(signed_in, actors, blog):
    actions.end_blog(actors["editor"], blog)
    reporter_desk = signed_in("reporter").get(f"/newsroom/{blog.slug}/").content.decode()
    assert 'id="ended-notice"' in reporter_desk and 'id="composer"' not in reporter_desk
    assert "Reopen coverage" not in reporter_desk
    assert signed_in("reporter").post(f"/newsroom/{blog.slug}/reopen").status_code == 403
    editor = signed_in("editor")
    assert "Reopen coverage" in editor.get(f"/newsroom/{blog.slug}/").content.decode()
    assert editor.post(f"/newsroom/{blog.slug}/reopen").status_code == 302
    blog.refresh_from_db()
    assert blog.status == "live" and blog.coverage_end is None
    assert 'id="composer"' in editor.get(f"/newsroom/{blog.slug}/").content.decode()
