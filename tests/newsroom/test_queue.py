"""GET /newsroom/<slug>/queue: the approval queue's rows for the desk to poll, 304 while nothing changed."""

from __future__ import annotations

import re

from django.test import Client

from dateline.accounts.models import User
from dateline.coverage import actions
from dateline.coverage.models import Post


def queue(client, blog, etag=None):
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(f"/newsroom/{blog.slug}/queue", headers=headers)


def row_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'data-post-id="(\d+)"', response.content.decode())]


def test_an_editor_sees_every_draft_waiting_with_an_approve_button(signed_in, actors, blog):
    draft = actions.create_post(actors["contributor"], blog, headline="Eyewitness at the bridge")
    own = actions.create_post(actors["reporter"], blog, headline="Reporter's unfinished draft", status="draft")
    actions.create_post(actors["reporter"], blog, headline="Already out")  # published: not in the queue
    response = queue(signed_in("editor"), blog)
    assert response.status_code == 200
    assert response["ETag"] and "no-cache" in response["Cache-Control"]
    assert sorted(row_ids(response)) == sorted([draft.pk, own.pk])
    assert f"/posts/{draft.pk}/approve" in response.content.decode()


def test_reporters_and_contributors_see_only_their_own_drafts_and_no_approve_button(signed_in, actors, blog):
    theirs = actions.create_post(actors["contributor"], blog, headline="Contributor's draft")
    mine = actions.create_post(actors["reporter"], blog, headline="Reporter's draft", status="draft")
    reporter = queue(signed_in("reporter"), blog)
    assert row_ids(reporter) == [mine.pk]
    assert "/approve" not in reporter.content.decode()
    contributor = queue(signed_in("contributor"), blog)
    assert row_ids(contributor) == [theirs.pk]
    assert "/approve" not in contributor.content.decode()


def test_an_unchanged_queue_answers_304_and_a_new_submission_changes_it(signed_in, actors, blog):
    """The desk's poll costs nothing while idle; the ETag the desk page rendered already matches."""
    editor = signed_in("editor")
    desk = editor.get(f"/newsroom/{blog.slug}/").content.decode()
    rendered_etag = re.search(r'data-etag="([^"]*)"', desk).group(1).replace("&quot;", '"')
    first = queue(editor, blog)
    assert first["ETag"] == rendered_etag
    idle = queue(editor, blog, rendered_etag)
    assert idle.status_code == 304 and idle.content == b""
    assert queue(editor, blog, f'"other", W/{rendered_etag}').status_code == 304  # a list, a weakened validator
    draft = actions.create_post(actors["contributor"], blog, headline="Just submitted")
    changed = queue(editor, blog, rendered_etag)
    assert changed.status_code == 200 and row_ids(changed) == [draft.pk]
    assert changed["ETag"] != rendered_etag
    # An edit of a waiting draft (a new version) and its deletion each change the answer too.
    actions.edit_post(actors["contributor"], draft, headline="Just submitted, fixed")
    edited = queue(editor, blog, changed["ETag"])
    assert edited.status_code == 200 and "Just submitted, fixed" in edited.content.decode()
    assert queue(editor, blog, edited["ETag"]).status_code == 304
    actions.delete_post(actors["editor"], Post.objects.get(pk=draft.pk))
    gone = queue(editor, blog, edited["ETag"])
    assert gone.status_code == 200 and row_ids(gone) == []


def test_the_same_queue_has_a_different_etag_for_each_person(signed_in, actors, blog):
    """Rows carry each viewer's buttons, so one person's validator never matches another's answer."""
    actions.create_post(actors["contributor"], blog, headline="Draft")
    admin_etag = queue(signed_in("admin"), blog)["ETag"]
    assert queue(signed_in("editor"), blog, admin_etag).status_code == 200


def test_scheduled_drafts_are_not_in_the_queue(signed_in, actors, blog):
    from datetime import timedelta

    from django.utils import timezone

    actions.create_post(actors["reporter"], blog, headline="Later", publish_at=timezone.now() + timedelta(hours=1))
    assert row_ids(queue(signed_in("editor"), blog)) == []


def test_outsiders_get_no_queue(signed_in, actors, blog):
    """Signed-out visitors are sent to sign in; a reporter off the blog's team is refused."""
    anonymous = queue(Client(), blog)
    assert anonymous.status_code == 302 and "/newsroom/login/" in anonymous["Location"]
    outsider = User.objects.create_user(username="outsider", password="pw-outsider-1", role="reporter")
    actions.add_member(actors["editor"], blog, actors["reporter"])  # the blog now has a team without them
    client = Client()
    client.force_login(outsider)
    actions.create_post(actors["reporter"], blog, headline="Team draft", status="draft")
    response = queue(client, blog)
    assert response.status_code == 403 and "Team draft" not in response.content.decode()
