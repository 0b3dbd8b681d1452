"""Admins manage people — accounts, roles, deactivation, blog teams — and only admins; every change is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dateline.accounts.models import ApiToken, Role, User
from dateline.audit.models import AuditEntry
from dateline.coverage import actions
from dateline.coverage import actions as people
from dateline.coverage.errors import Forbidden
from dateline.coverage.models import BlogMembership, Post

NEW = {"username": "grace", "display_name": "Grace H", "role": "reporter", "password": "a-long-passphrase"}


def _audit(action):
    return list(AuditEntry.objects.filter(action=action).values_list("actor__username", "detail"))


# --- who may ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["editor", "reporter", "contributor"])
def test_only_admins_reach_the_people_pages(signed_in, actors, blog, role):
    """Every people page and form answers 403 to editors, reporters and contributors, and changes nothing."""
    client = signed_in(role)
    target = actors["contributor"] if role != "contributor" else actors["reporter"]
    base = f"/newsroom/people/{target.pk}"
    assert client.get("/newsroom/people/").status_code == 403
    assert client.get(f"{base}/").status_code == 403
    assert client.post("/newsroom/people/", NEW).status_code == 403
    assert client.post(f"{base}/role", {"role": "admin"}).status_code == 403
    assert client.post(f"{base}/active", {"active": "false"}).status_code == 403
    assert client.post(f"{base}/teams", {"blog": blog.pk}).status_code == 403
    target.refresh_from_db()
    assert target.is_active and target.role != Role.ADMIN
    assert not User.objects.filter(username="grace").exists()
    assert not BlogMembership.objects.exists()
    assert "/newsroom/people/" not in client.get("/newsroom/").content.decode()  # no link to it either


def test_the_actions_refuse_non_admins_too(actors, blog):
    """The check lives in the actions, so a script or a future API endpoint is refused the same way."""
    with pytest.raises(Forbidden):
        people.create_user(actors["editor"], **NEW)
    with pytest.raises(Forbidden):
        people.set_role(actors["editor"], actors["reporter"], "editor")
    with pytest.raises(Forbidden):
        people.set_active(actors["editor"], actors["reporter"], False)
    with pytest.raises(Forbidden):
        people.set_team_member(actors["editor"], blog, actors["reporter"], True)


def test_admins_see_everyone_and_a_link_to_the_page(signed_in, actors):
    client = signed_in("admin")
    html = client.get("/newsroom/people/").content.decode()
    assert all(user.username in html for user in actors.values())
    assert 'href="/newsroom/people/"' in client.get("/newsroom/").content.decode()


# --- creating accounts ------------------------------------------------------------------------------------------

def test_an_admin_creates_an_account_that_can_sign_in(signed_in, actors):
    """The new account has the role and password given, and the audit log says who created it."""
    response = signed_in("admin").post("/newsroom/people/", NEW)
    assert response.status_code == 302
    user = User.objects.get(username="grace")
    assert (user.role, user.display_name, user.is_active, user.is_staff) == ("reporter", "Grace H", True, False)
    assert Client().login(username="grace", password="a-long-passphrase")
    assert _audit("user.create") == [("admin1", {"user": "grace", "role": "reporter"})]


@pytest.mark.parametrize("change,field", [
    ({"username": "Editor1"}, "username"),  # taken, whatever the case
    ({"username": "no spaces"}, "username"),
    ({"username": ""}, "username"),
    ({"role": "owner"}, "role"),
    ({"password": "short"}, "password"),
    ({"display_name": "x" * 151}, "display_name"),
])
def test_a_bad_account_is_refused_with_the_field_and_the_form_kept(signed_in, actors, change, field):
    """422 naming the field; nothing is created; what was typed (never the password) is back in the form."""
    before = User.objects.count()
    response = signed_in("admin").post("/newsroom/people/", {**NEW, **change})
    assert response.status_code == 422
    html = response.content.decode()
    assert f"<li>{field}:" in html
    assert "a-long-passphrase" not in html
    if field != "role":
        assert 'value="reporter" selected' in html
    assert User.objects.count() == before and not AuditEntry.objects.filter(action="user.create").exists()


# --- roles and deactivation -------------------------------------------------------------------------------------

def test_an_admin_changes_a_role_and_it_takes_effect(signed_in, actors, blog):
    """A reporter made editor can pin at once; the change is audited with the old and new role."""
    reporter = actors["reporter"]
    response = signed_in("admin").post(f"/newsroom/people/{reporter.pk}/role", {"role": "editor"})
    assert response.status_code == 302
    reporter.refresh_from_db()
    assert reporter.role == Role.EDITOR
    assert _audit("user.role") == [("admin1", {"user": "reporter1", "old": "reporter", "new": "editor"})]
    post = actions.create_post(actors["editor"], blog, headline="Pin me")
    pinned = signed_in("reporter").post(f"/newsroom/{blog.slug}/posts/{post.pk}/pin",
                                        {"pinned": "true", "version": 1})
    assert pinned.status_code == 302


def test_an_unknown_role_is_refused(signed_in, actors):
    response = signed_in("admin").post(f"/newsroom/people/{actors['reporter'].pk}/role", {"role": "superuser"})
    assert response.status_code == 422
    actors["reporter"].refresh_from_db()
    assert actors["reporter"].role == Role.REPORTER


def test_deactivating_signs_out_stops_tokens_and_cancels_schedules(signed_in, actors, blog):
    """A deactivated reporter's session, API token and scheduled post all stop working; reactivation undoes it."""
    reporter = actors["reporter"]
    session = signed_in("reporter")
    assert session.get("/newsroom/").status_code == 200
    _token, raw = ApiToken.issue(reporter)
    scheduled = actions.create_post(reporter, blog, headline="Later", status="draft",
                                    publish_at=timezone.now() + timedelta(minutes=5))

    response = signed_in("admin").post(f"/newsroom/people/{reporter.pk}/active", {"active": "false"})
    assert response.status_code == 302
    reporter.refresh_from_db()
    assert not reporter.is_active
    assert session.get("/newsroom/").status_code == 302  # to the sign-in page
    assert not Client().login(username="reporter1", password="pw-reporter")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.post(f"/api/v1/blogs/{blog.slug}/posts", {"headline": "x"},
                    content_type="application/json").status_code == 401
    assert actions.publish_scheduled_post(scheduled, now=timezone.now() + timedelta(minutes=6)) is None
    scheduled.refresh_from_db()
    assert scheduled.status == Post.Status.DRAFT and scheduled.publish_at is None
    assert _audit("user.deactivate") == [("admin1", {"user": "reporter1"})]

    assert signed_in("admin").post(f"/newsroom/people/{reporter.pk}/active", {"active": "true"}).status_code == 302
    assert Client().login(username="reporter1", password="pw-reporter")
    assert _audit("user.reactivate") == [("admin1", {"user": "reporter1"})]


def test_an_admin_cannot_demote_or_deactivate_themselves(signed_in, actors):
    """So there is always an active admin left; the page says to ask another admin instead of offering the forms."""
    admin = actors["admin"]
    client = signed_in("admin")
    assert client.post(f"/newsroom/people/{admin.pk}/role", {"role": "reporter"}).status_code == 403
    assert client.post(f"/newsroom/people/{admin.pk}/active", {"active": "false"}).status_code == 403
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN and admin.is_active
    html = client.get(f"/newsroom/people/{admin.pk}/").content.decode()
    assert "another admin changes your role" in html
    assert 'id="role-form"' not in html and 'id="active-form"' not in html


def test_an_active_value_other_than_true_or_false_is_refused(signed_in, actors):
    response = signed_in("admin").post(f"/newsroom/people/{actors['reporter'].pk}/active", {"active": "maybe"})
    assert response.status_code == 422
    actors["reporter"].refresh_from_db()
    assert actors["reporter"].is_active


def test_an_unknown_person_is_404_for_admins(signed_in):
    assert signed_in("admin").get("/newsroom/people/999999/").status_code == 404


# --- teams ------------------------------------------------------------------------------------------------------

def test_an_admin_puts_a_reporter_on_a_team_and_takes_them_off(signed_in, actors, blog):
    """Membership closes the blog to other reporters, as the editors' team page does; both steps are audited."""
    reporter = actors["reporter"]
    client = signed_in("admin")
    assert client.post(f"/newsroom/people/{reporter.pk}/teams", {"blog": blog.pk}).status_code == 302
    assert list(BlogMembership.objects.values_list("user__username", flat=True)) == ["reporter1"]
    assert signed_in("contributor").get(f"/newsroom/{blog.slug}/").status_code == 403  # the blog has a team now
    assert blog.title in client.get(f"/newsroom/people/{reporter.pk}/").content.decode()
    assert client.post(f"/newsroom/people/{reporter.pk}/teams", {"blog": blog.pk, "remove": "1"}).status_code == 302
    assert not BlogMembership.objects.exists()
    entries = AuditEntry.objects.filter(action__startswith="blog.member").order_by("id")
    assert list(entries.values_list("action", "actor__username")) == [("blog.member.add", "admin1"),
                                                                      ("blog.member.remove", "admin1")]


def test_editors_are_not_put_on_teams(signed_in, actors, blog):
    """Editors work on every blog: adding one to a team is a 422, not a silent no-op."""
    response = signed_in("admin").post(f"/newsroom/people/{actors['editor'].pk}/teams", {"blog": blog.pk})
    assert response.status_code == 422
    assert not BlogMembership.objects.exists()


@pytest.mark.parametrize("value", ["", "abc", "999999"])
def test_a_missing_or_unknown_blog_is_refused(signed_in, actors, value):
    response = signed_in("admin").post(f"/newsroom/people/{actors['reporter'].pk}/teams", {"blog": value})
    assert response.status_code in (404, 422)
    assert not BlogMembership.objects.exists()


def test_no_blog_can_take_the_people_pages_slug(editor):
    """/newsroom/people/ is routed before the desks, so a blog called "People" gets another slug."""
    assert actions.create_blog(editor, title="People").slug != "people"
