"""Every POST route of the newsroom refuses a request without the CSRF token (403) and changes nothing.

The routes are read from ``newsroom/urls.py`` itself: a new route fails ``test_every_route_is_classified`` until it
is listed here as POST (and so tested below) or GET-only.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, reverse

from dateline.accounts.models import User
from dateline.audit.models import AuditEntry
from dateline.coverage import actions
from dateline.coverage.models import BlogMembership, Change, LiveBlog, Post
from dateline.newsroom import presence, urls

# Route name -> (form data, which fixture post the route acts on).
POST_ROUTES = {
    "login": ({"username": "reporter1", "password": "pw-reporter"}, None),
    "logout": ({}, None),
    "open-blog": ({"title": "Forged blog"}, None),
    "people": ({"username": "forged", "role": "admin", "password": "a-long-passphrase"}, None),
    "person-role": ({"role": "admin"}, None),
    "person-active": ({"active": "false"}, None),
    "person-teams": ({"blog": "{blog_id}"}, None),
    "compose": ({"headline": "Forged", "intent": "publish"}, None),
    "key-points": ({"text": ["Forged"], "order": ["1"]}, None),
    "assist-check": ({"headline": "Forged", "body": "Forged"}, None),
    "team": ({"username": "reporter1"}, None),
    "end": ({"confirm": "yes"}, None),
    "reopen": ({}, None),
    "edit": ({"headline": "Forged", "version": "1"}, "live"),
    "delete": ({"version": "1"}, "live"),
    "restore": ({}, "gone"),
    "pin": ({"pinned": "true", "version": "1"}, "live"),
    "approve": ({"version": "1"}, "draft"),
    "heartbeat": ({}, "live"),
    "restore-version": ({"version": "2"}, "live"),
}
GET_ONLY = {"dashboard", "asset", "audit", "desk", "editing", "queue", "post-row", "history", "person"}


def test_every_route_is_classified():
    names = {p.name for p in urls.urlpatterns if isinstance(p, URLPattern)}
    assert names == set(POST_ROUTES) | GET_ONLY


@pytest.fixture
def world(actors, blog):
    live = actions.create_post(actors["reporter"], blog, headline="Bridge shut")
    actions.edit_post(actors["editor"], live, expected_version=1, headline="Bridge shut all day")  # version 2
    draft = actions.create_post(actors["contributor"], blog, headline="Eyewitness")
    gone = actions.create_post(actors["reporter"], blog, headline="Wrong bridge")
    actions.delete_post(actors["editor"], gone)
    cache.clear()  # presence
    return {"live": live, "draft": draft, "gone": gone}


def _url(name, blog, post, actors):
    kwargs = {"login": {}, "logout": {}, "open-blog": {}, "people": {}}.get(name)
    if kwargs is None and name.startswith("person-"):
        kwargs = {"user_id": actors["reporter"].pk}
    elif kwargs is None:
        kwargs = {"slug": blog.slug}
        if post is not None:
            kwargs["post_id"] = post.pk
        if name == "restore-version":
            kwargs["version"] = 1
    return reverse(f"newsroom:{name}", kwargs=kwargs)


class _Nobody:
    """A viewer who is nobody, so ``presence.editing`` lists everyone."""

    pk = None


def _state(blog, post_ids):
    return {
        "posts": list(Post.objects.order_by("pk").values_list("pk", "headline", "status", "pinned", "version")),
        "audit": AuditEntry.objects.count(),
        "changes": Change.objects.count(),
        "users": list(User.objects.order_by("pk").values_list("username", "role", "is_active")),
        "members": BlogMembership.objects.count(),
        "blogs": list(LiveBlog.objects.order_by("pk").values_list("slug", "status")),
        "editing": presence.editing(post_ids, _Nobody()),
    }


def _client(actors, name, *, enforce):
    client = Client(enforce_csrf_checks=enforce)
    if name != "login":
        client.force_login(actors["admin"])  # admins may use every route, so a 403 here is the CSRF check
    return client


@pytest.mark.parametrize("name", sorted(POST_ROUTES))
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(actors, blog, world, name):
    data, which = POST_ROUTES[name]
    data = {k: (v.format(blog_id=blog.pk) if isinstance(v, str) else v) for k, v in data.items()}
    url = _url(name, blog, world[which] if which else None, actors)
    ids = [p.pk for p in world.values()]
    before = _state(blog, ids)
    client = _client(actors, name, enforce=True)
    response = client.post(url, data)
    assert response.status_code == 403
    assert b"CSRF" in response.content
    assert _state(blog, ids) == before
    if name == "login":
        assert "_auth_user_id" not in client.session
    if name == "logout":
        assert client.get("/newsroom/").status_code == 200  # still signed in


@pytest.mark.parametrize("name", sorted(POST_ROUTES))
def test_the_same_post_with_the_token_is_not_refused(actors, blog, world, name):
    """The control: with its token the same request passes the CSRF check (so the 403 above is CSRF's)."""
    data, which = POST_ROUTES[name]
    data = {k: (v.format(blog_id=blog.pk) if isinstance(v, str) else v) for k, v in data.items()}
    url = _url(name, blog, world[which] if which else None, actors)
    client = _client(actors, name, enforce=True)
    page = client.get("/newsroom/login/" if name == "login" else "/newsroom/")
    token = str(page.context["csrf_token"])
    response = client.post(url, {**data, "csrfmiddlewaretoken": token})
    assert response.status_code != 403, response.content[:300]
