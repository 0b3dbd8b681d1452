"""What each role may do through the newsroom, and that the actions (hence the API) agree."""

from __future__ import annotations

import pytest
from django.test import Client

from dateline.accounts.models import ApiToken
from dateline.audit.models import AuditEntry
from dateline.coverage import actions
from dateline.coverage.errors import Forbidden
from dateline.coverage.models import Post


def compose(client, blog, **data):
    return client.post(f"/newsroom/{blog.slug}/compose", {"intent": "publish", **data})


@pytest.mark.parametrize("role,status", [("admin", "published"), ("editor", "published"),
                                         ("reporter", "published"), ("contributor", "draft")])
def test_publish_publishes_for_staff_and_submits_a_draft_for_contributors(signed_in, blog, role, status):
    response = compose(signed_in(role), blog, headline=f"Filed by {role}", body="<p>Lanes shut.</p>")
    assert response.status_code == 302
    assert Post.objects.get(headline=f"Filed by {role}").status == status


def test_contributors_see_submit_for_approval_instead_of_publish(signed_in, blog):
    html = signed_in("contributor").get(f"/newsroom/{blog.slug}/").content.decode()
    assert "Submit for approval" in html and ">Publish<" not in html
    html = signed_in("reporter").get(f"/newsroom/{blog.slug}/").content.decode()
    assert ">Publish<" in html and "Save draft" in html


def test_save_draft_keeps_a_reporters_post_off_the_page(signed_in, blog):
    compose(signed_in("reporter"), blog, headline="Not yet", intent="draft")
    assert Post.objects.get(headline="Not yet").status == Post.Status.DRAFT


def test_editors_approve_a_contributors_draft_from_the_queue(signed_in, actors, blog):
    compose(signed_in("contributor"), blog, headline="Eyewitness account")
    draft = Post.objects.get(headline="Eyewitness account")
    editor = signed_in("editor")
    desk = editor.get(f"/newsroom/{blog.slug}/").content.decode()
    assert "Awaiting approval" in desk and f"/posts/{draft.pk}/approve" in desk
    response = editor.post(f"/newsroom/{blog.slug}/posts/{draft.pk}/approve", {"version": draft.version})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Post.Status.PUBLISHED
    assert blog.changes.filter(type="post.published").count() == 1


@pytest.mark.parametrize("role", ["reporter", "contributor"])
def test_only_editors_approve_pin_restore_or_end(signed_in, actors, blog, role):
    draft = actions.create_post(actors["contributor"], blog, headline="Draft")
    live = actions.create_post(actors[role if role == "reporter" else "editor"], blog, headline="Live")
    client = signed_in(role)
    assert client.post(f"/newsroom/{blog.slug}/posts/{draft.pk}/approve").status_code == 403
    assert client.post(f"/newsroom/{blog.slug}/posts/{live.pk}/pin", {"pinned": "true"}).status_code == 403
    assert client.post(f"/newsroom/{blog.slug}/end", {"confirm": "yes"}).status_code == 403
    assert client.get(f"/newsroom/{blog.slug}/key-points").status_code == 403
    assert client.get("/newsroom/audit/").status_code == 403
    actions.delete_post(actors["editor"], live)
    assert client.post(f"/newsroom/{blog.slug}/posts/{live.pk}/restore").status_code == 403
    live.refresh_from_db()
    draft.refresh_from_db()
    blog.refresh_from_db()
    assert (draft.status, live.status, live.pinned, blog.status) == ("draft", "deleted", False, "live")


def test_reporters_edit_their_own_posts_but_not_colleagues(signed_in, actors, blog):
    mine = actions.create_post(actors["reporter"], blog, headline="Mine")
    theirs = actions.create_post(actors["editor"], blog, headline="Theirs")
    client = signed_in("reporter")
    ok = client.post(f"/newsroom/{blog.slug}/posts/{mine.pk}/edit", {"headline": "Mine, fixed", "version": 1})
    assert ok.status_code == 302
    refused = client.post(f"/newsroom/{blog.slug}/posts/{theirs.pk}/edit", {"headline": "Hijack", "version": 1})
    assert refused.status_code == 403
    assert "You can only change your own posts." in refused.content.decode()
    assert client.post(f"/newsroom/{blog.slug}/posts/{theirs.pk}/delete").status_code == 403
    theirs.refresh_from_db()
    assert (theirs.headline, theirs.status) == ("Theirs", "published")


def test_the_desk_shows_only_the_buttons_a_role_may_use(signed_in, actors, blog):
    post = actions.create_post(actors["editor"], blog, headline="Editor's post")
    reporter_desk = signed_in("reporter").get(f"/newsroom/{blog.slug}/").content.decode()
    assert f"/posts/{post.pk}/edit" not in reporter_desk and f"/posts/{post.pk}/pin" not in reporter_desk
    editor_desk = signed_in("editor").get(f"/newsroom/{blog.slug}/").content.decode()
    assert f"/posts/{post.pk}/edit" in editor_desk and f"/posts/{post.pk}/pin" in editor_desk


# --- teams ----------------------------------------------------------------------------------------------------

def test_a_blog_without_a_team_is_open_to_every_reporter(signed_in, blog):
    assert signed_in("reporter").get(f"/newsroom/{blog.slug}/").status_code == 200
    assert blog.title in signed_in("contributor").get("/newsroom/").content.decode()


def test_once_a_blog_has_a_team_only_members_and_editors_work_on_it(signed_in, actors, blog):
    from dateline.accounts.models import User

    outsider = User.objects.create_user("reporter2", password="x", role="reporter")
    signed_in("editor").post(f"/newsroom/{blog.slug}/team", {"username": "reporter1"})
    assert blog.memberships.filter(user=actors["reporter"]).exists()

    member = signed_in("reporter")
    assert compose(member, blog, headline="Member files").status_code == 302

    other = Client()
    other.force_login(outsider)
    assert blog.title not in other.get("/newsroom/").content.decode()
    refused = other.get(f"/newsroom/{blog.slug}/")
    assert refused.status_code == 403 and "not on this live blog" in refused.content.decode()
    assert compose(other, blog, headline="Outsider files").status_code == 403
    assert not Post.objects.filter(headline="Outsider files").exists()
    # The contributor is not on the team either.
    assert signed_in("contributor").get(f"/newsroom/{blog.slug}/").status_code == 403
    # Editors need no membership.
    assert signed_in("editor").get(f"/newsroom/{blog.slug}/").status_code == 200
    assert AuditEntry.objects.filter(action="blog.member.add").count() == 1


def test_the_actions_and_the_api_enforce_teams_too(actors, blog):
    """The newsroom is not the only door: the same rule holds for the actions the API calls."""
    from dateline.accounts.models import User

    outsider = User.objects.create_user("reporter2", password="x", role="reporter")
    mine = actions.create_post(outsider, blog, headline="Filed before the team existed")
    actions.add_member(actors["editor"], blog, actors["reporter"])
    with pytest.raises(Forbidden):
        actions.create_post(outsider, blog, headline="After")
    with pytest.raises(Forbidden):
        actions.edit_post(outsider, mine, headline="Edit after")
    with pytest.raises(Forbidden):
        actions.delete_post(outsider, mine)
    with pytest.raises(Forbidden):
        actions.add_member(actors["reporter"], blog, outsider)
    _token, raw = ApiToken.issue(outsider)
    response = Client().post(f"/api/v1/blogs/{blog.slug}/posts", {"headline": "Via API"},
                             content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403
    assert not Post.objects.filter(headline="Via API").exists()
    # Removing the last member opens the blog to everyone again.
    actions.remove_member(actors["editor"], blog, actors["reporter"])
    assert actions.create_post(outsider, blog, headline="Open again").status == "published"
