"""Who may attach which media to a post (``media.require_attachable``, enforced in ``create_post``/``edit_post``, so
the API and the newsroom agree): editors anything; others what they uploaded, what the post already carries, and
what a published post of the same blog already shows."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dateline.accounts.models import ApiToken, User
from dateline.coverage import actions
from dateline.coverage.actions import upload_image
from dateline.coverage.errors import Forbidden
from dateline.coverage.models import Post
from tests.newsroom.conftest import png_bytes


@pytest.fixture
def colleague(db):
    return User.objects.create_user(username="reporter2", password="pw-reporter2", role="reporter",
                                    display_name="Reporter Two")


def api(user, method, path, data=None, headers=None):
    token = ApiToken.issue(user, name="test")[1]
    return Client().generic(method, "/api/v1" + path, json.dumps(data) if data is not None else "",
                            content_type="application/json",
                            headers={"Authorization": f"Bearer {token}", **(headers or {})})


def upload(user, caption="Embargoed: the minister arriving"):
    return upload_image(user, SimpleUploadedFile("p.png", png_bytes(), "image/png"), caption=caption)


def test_a_reporter_cannot_attach_a_colleagues_unpublished_upload_through_the_api(actors, colleague, blog):
    embargoed = upload(colleague)
    r = api(actors["reporter"], "POST", f"/blogs/{blog.slug}/posts", {"headline": "Scoop", "media": [embargoed.pk]})
    assert r.status_code == 403
    error = r.json()["error"]
    assert error["code"] == "media_not_attachable" and str(embargoed.pk) in error["fields"]["media"]
    assert "only media you uploaded" in error["message"]
    assert not Post.objects.exists()


def test_a_contributor_cannot_attach_it_to_a_draft_either(actors, colleague, blog):
    embargoed = upload(colleague)
    with pytest.raises(Forbidden):
        actions.create_post(actors["contributor"], blog, headline="Draft", media=[embargoed.pk])


def test_your_own_upload_attaches_and_editors_attach_anyones(actors, colleague, blog):
    mine = upload(actors["reporter"])
    r = api(actors["reporter"], "POST", f"/blogs/{blog.slug}/posts", {"headline": "Mine", "media": [mine.pk]})
    assert r.status_code == 201, r.content
    theirs = upload(colleague)
    r = api(actors["editor"], "POST", f"/blogs/{blog.slug}/posts", {"headline": "Curated", "media": [theirs.pk]})
    assert r.status_code == 201, r.content


def test_media_a_blog_already_published_may_be_reused_in_that_blog_only(actors, colleague, blog, editor):
    shown = upload(colleague, caption="Map of the closure")
    actions.create_post(colleague, blog, headline="Map", media=[shown.pk])
    reused = actions.create_post(actors["reporter"], blog, headline="Map again", media=[shown.pk])
    assert list(reused.media.all()) == [shown]
    other_blog = actions.create_blog(editor, title="Another story")
    with pytest.raises(Forbidden):
        actions.create_post(actors["reporter"], other_blog, headline="Stolen map", media=[shown.pk])


def test_a_patch_adding_foreign_media_is_refused_but_keeping_the_posts_own_media_is_not(actors, colleague, blog):
    """An editor attached a colleague's image to the reporter's post; the reporter can still save the post with it,
    but cannot add another of the colleague's unpublished uploads."""
    post = actions.create_post(actors["reporter"], blog, headline="Bridge", status="draft")
    curated = upload(colleague, caption="Chosen by the desk")
    post = actions.edit_post(actors["editor"], post, media=[curated.pk])
    embargoed = upload(colleague)
    r = api(actors["reporter"], "PATCH", f"/blogs/{blog.slug}/posts/{post.pk}",
            {"media": [curated.pk, embargoed.pk]}, headers={"If-Match": f'"{post.pk}-{post.version}"'})
    assert r.status_code == 403 and r.json()["error"]["code"] == "media_not_attachable"
    assert list(Post.objects.get(pk=post.pk).media.all()) == [curated]
    r = api(actors["reporter"], "PATCH", f"/blogs/{blog.slug}/posts/{post.pk}",
            {"media": [curated.pk], "headline": "Bridge reopens"}, headers={"If-Match": f'"{post.pk}-{post.version}"'})
    assert r.status_code == 200, r.content


def test_restoring_an_old_version_brings_back_its_image(signed_in, actors, colleague, blog):
    """Media an earlier version of the post carried may come back with that version (History's restore)."""
    post = actions.create_post(actors["reporter"], blog, headline="Bridge", status="draft")
    curated = upload(colleague, caption="Chosen by the desk")
    post = actions.edit_post(actors["editor"], post, media=[curated.pk])  # version 2
    post = actions.edit_post(actors["editor"], post, media=[])  # version 3: taken off again
    response = signed_in("reporter").post(f"/newsroom/{blog.slug}/posts/{post.pk}/history/2/restore",
                                          {"version": "3"})
    assert response.status_code == 302
    assert list(Post.objects.get(pk=post.pk).media.all()) == [curated]
