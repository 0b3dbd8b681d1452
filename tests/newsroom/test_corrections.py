"""Corrections in the newsroom: a field on the edit page of published posts, and each one in the post's history."""

from __future__ import annotations

import json

from dateline.coverage import actions
from dateline.coverage.models import Correction

NOTE = "An earlier version of this post misstated the river level as 4.2m; it was 2.4m."


def edit_url(blog, post):
    return f"/newsroom/{blog.slug}/posts/{post.pk}/edit"


def form_of(post, **extra):
    return {"headline": post.headline, "body": post.body, "tags": "", "update_note": "", "verification_note": "",
            "version": str(post.version), **extra}


def test_the_edit_page_offers_a_correction_only_for_published_posts(signed_in, actors, blog):
    published = actions.create_post(actors["reporter"], blog, headline="River level")
    draft = actions.create_post(actors["contributor"], blog, headline="Unchecked", status="draft")
    client = signed_in("editor")
    html = client.get(edit_url(blog, published)).content.decode()
    assert 'name="correction"' in html and 'id="correction-help"' in html and "corrections log" in html
    assert 'name="correction"' not in client.get(edit_url(blog, draft)).content.decode()


def test_saving_with_a_correction_publishes_it_with_the_edit(signed_in, actors, blog):
    post = actions.create_post(actors["reporter"], blog, headline="River level", body="<p>4.2m.</p>")
    seq = blog.changes.count()
    response = signed_in("editor").post(edit_url(blog, post), form_of(post, body="<p>2.4m.</p>", correction=NOTE))
    assert response.status_code == 302
    assert blog.changes.count() == seq + 1
    change = json.loads(blog.changes.order_by("seq").last().data)
    assert change["type"] == "post.updated" and "2.4m." in change["html"] and NOTE in change["html"]
    assert Correction.objects.get(post=post).version == 2
    # The edit page then lists it, and the history shows which version carried it.
    client = signed_in("editor")
    assert NOTE in client.get(edit_url(blog, post)).content.decode()
    history = client.get(f"/newsroom/{blog.slug}/posts/{post.pk}/history").content.decode()
    version_2 = history.split('id="version-2"', 1)[1].split('id="version-1"', 1)[0]
    assert "Correction published:" in version_2 and NOTE in version_2


def test_a_correction_alone_saves_and_an_empty_one_is_no_change(signed_in, actors, blog):
    post = actions.create_post(actors["reporter"], blog, headline="River level")
    client = signed_in("reporter")  # reporters correct their own posts
    seq = blog.changes.count()
    assert client.post(edit_url(blog, post), form_of(post, correction="")).status_code == 302
    assert blog.changes.count() == seq
    assert client.post(edit_url(blog, post), form_of(post, correction=NOTE)).status_code == 302
    assert blog.changes.count() == seq + 1 and Correction.objects.count() == 1


def test_a_too_long_correction_is_shown_next_to_the_field(signed_in, actors, blog):
    post = actions.create_post(actors["reporter"], blog, headline="River level")
    response = signed_in("editor").post(edit_url(blog, post), form_of(post, correction="x" * 501))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="correction-error"' in html and "500 characters" in html and 'aria-invalid="true"' in html
    assert not Correction.objects.exists()


def test_a_correction_sent_for_a_draft_is_refused_with_the_actions_message(signed_in, actors, blog):
    draft = actions.create_post(actors["contributor"], blog, headline="Unchecked", status="draft")
    response = signed_in("editor").post(edit_url(blog, draft), form_of(draft, correction=NOTE))
    assert response.status_code == 422
    assert "Only published posts can carry a correction" in response.content.decode()
    assert not Correction.objects.exists()
