"""The desk's pin, approve and delete buttons act only on the version their row showed — never without one."""

from __future__ import annotations

import pytest

from dateline.coverage import actions
from dateline.coverage.models import Post


def _published(actors, blog):
    return actions.create_post(actors["reporter"], blog, headline="Bridge shut")


def _draft(actors, blog):
    return actions.create_post(actors["contributor"], blog, headline="Eyewitness account")


# (button, how to make its post, extra form fields, what must not have happened)
BUTTONS = [
    ("pin", _published, {"pinned": "true"}, lambda p: not p.pinned),
    ("approve", _draft, {}, lambda p: p.status == Post.Status.DRAFT),
    ("delete", _published, {}, lambda p: p.status == Post.Status.PUBLISHED),
]


@pytest.mark.parametrize("button,make,data,untouched", BUTTONS, ids=[b[0] for b in BUTTONS])
@pytest.mark.parametrize("version", [None, "", "abc", "-1", "1" * 5000], ids=["missing", "empty", "text", "negative",
                                                                           "huge"])
def test_a_button_without_a_readable_version_does_nothing(signed_in, actors, blog, button, make, data, untouched,
                                                           version):
    """No version (or an unreadable one) is refused with 428 and a reload hint; the post is unchanged."""
    post = make(actors, blog)
    form = {**data} if version is None else {**data, "version": version}
    response = signed_in("editor").post(f"/newsroom/{blog.slug}/posts/{post.pk}/{button}", form)
    assert response.status_code == 428
    assert "Reload the desk" in response.content.decode()
    post.refresh_from_db()
    assert untouched(post) and post.version == 1


@pytest.mark.parametrize("button,make,data,untouched", BUTTONS, ids=[b[0] for b in BUTTONS])
def test_a_button_from_a_stale_row_is_refused(signed_in, actors, blog, button, make, data, untouched):
    """A row rendered at version 1 cannot act on version 2 (someone edited in between): 412, nothing done."""
    post = make(actors, blog)
    actions.edit_post(actors["editor"], post, expected_version=1, headline="Edited meanwhile")
    response = signed_in("editor").post(f"/newsroom/{blog.slug}/posts/{post.pk}/{button}", {**data, "version": "1"})
    assert response.status_code == 412
    assert "changed by someone else" in response.content.decode()
    post.refresh_from_db()
    assert untouched(post) and post.version == 2


@pytest.mark.parametrize("button,make,data,untouched", BUTTONS, ids=[b[0] for b in BUTTONS])
def test_a_button_with_the_current_version_acts(signed_in, actors, blog, button, make, data, untouched):
    """The same request with the version the row shows goes through (the refusals above are about the version)."""
    post = make(actors, blog)
    response = signed_in("editor").post(f"/newsroom/{blog.slug}/posts/{post.pk}/{button}", {**data, "version": "1"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert not untouched(post) and post.version == 2


def test_a_reporter_without_a_version_is_told_they_may_not_rather_than_to_reload(signed_in, actors, blog):
    """Permission is checked before the version, so a role that may never pin gets 403 either way."""
    post = _published(actors, blog)
    response = signed_in("reporter").post(f"/newsroom/{blog.slug}/posts/{post.pk}/pin", {"pinned": "true"})
    assert response.status_code == 403
