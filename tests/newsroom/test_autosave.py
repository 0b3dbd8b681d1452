"""What the edit page tells its autosave (composer.js): which post and user, and whether this is a refused save."""

from __future__ import annotations

import re

from dateline.coverage import actions


def form_tag(html: str) -> str:
    return re.search(r'<form method="post" class="card" id="edit-form"[^>]*>', html).group(0)


def test_a_fresh_edit_page_autosaves_per_post_and_user_and_offers_a_restore(signed_in, actors, blog):
    post = actions.create_post(actors["reporter"], blog, headline="Bridge shut")
    html = signed_in("reporter").get(f"/newsroom/{blog.slug}/posts/{post.pk}/edit").content.decode()
    tag = form_tag(html)
    assert f'data-draft-key="dateline:edit:{post.pk}:{actors["reporter"].pk}"' in tag
    assert 'data-draft-mode="edit"' in tag and "data-refused" not in tag and "data-base-version" not in tag
    assert 'id="draft-restore"' in html and 'id="draft-restore-stale"' in html


def test_a_conflict_page_keeps_the_version_the_text_was_written_against(signed_in, actors, blog):
    """The 409 page's form may save over version 2, but the autosave must remember the text was written on 1."""
    post = actions.create_post(actors["reporter"], blog, headline="Bridge shut")
    actions.edit_post(actors["editor"], post, expected_version=1, headline="Bridge shut all day")
    response = signed_in("reporter").post(f"/newsroom/{blog.slug}/posts/{post.pk}/edit",
                                          {"headline": "Bridge shut, police say", "version": "1"})
    assert response.status_code == 409
    tag = form_tag(response.content.decode())
    assert 'data-refused="1"' in tag and 'data-base-version="1"' in tag


def test_an_invalid_save_is_marked_refused_so_its_text_is_kept(signed_in, actors, blog):
    post = actions.create_post(actors["reporter"], blog, headline="Bridge shut")
    response = signed_in("reporter").post(f"/newsroom/{blog.slug}/posts/{post.pk}/edit",
                                          {"headline": "x" * 301, "version": "1"})
    assert response.status_code == 422
    tag = form_tag(response.content.decode())
    assert 'data-refused="1"' in tag and "data-base-version" not in tag


def test_a_successful_save_sends_the_desk_the_post_whose_autosave_to_forget(signed_in, actors, blog):
    post = actions.create_post(actors["reporter"], blog, headline="Bridge shut")
    client = signed_in("reporter")
    response = client.post(f"/newsroom/{blog.slug}/posts/{post.pk}/edit", {"headline": "Bridge open", "version": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/newsroom/{blog.slug}/?saved={post.pk}"
    desk = client.get(response["Location"]).content.decode()
    assert f'data-user-id="{actors["reporter"].pk}"' in desk  # composer.js builds the edit autosave key with it
