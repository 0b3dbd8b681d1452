"""The desk shows who is editing each post, from the edit pages' heartbeats — names only, never the viewer."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from dateline.coverage import actions
from dateline.newsroom import presence


@pytest.fixture(autouse=True)
def _empty_presence():
    # Presence lives in the cache, which outlives each test's database transaction (post ids are reused).
    cache.clear()
    yield
    cache.clear()


def beat(signed_in, role, blog, post):
    response = signed_in(role).post(f"/newsroom/{blog.slug}/posts/{post.pk}/heartbeat")
    assert response.status_code == 200


def badge(html: str, post) -> str:
    """The text of a row's "Being edited by" badge, or "" when hidden."""
    row = html[html.index(f'id="np-{post.pk}"'):]
    row = row[:row.index("</li>")]
    start = row.index('class="badge badge--editing row__editing"')
    tag_end = row.index(">", start)
    if " hidden" in row[start:tag_end]:
        return ""
    return row[tag_end + 1:row.index("</span></span>", start)].replace('<span class="row__editors">', "")


def test_the_desk_row_names_a_colleague_who_has_the_post_open(signed_in, actors, blog):
    post = actions.create_post(actors["reporter"], blog, headline="Being edited")
    other = actions.create_post(actors["reporter"], blog, headline="Left alone")
    beat(signed_in, "reporter", blog, post)
    html = signed_in("editor").get(f"/newsroom/{blog.slug}/").content.decode()
    assert badge(html, post) == "Being edited by Reporter One"
    assert badge(html, other) == ""


def test_your_own_open_editor_is_not_shown_to_you(signed_in, actors, blog):
    """A second tab of your own is not "someone editing"; colleagues are still listed, sorted by name."""
    post = actions.create_post(actors["reporter"], blog, headline="Busy")
    beat(signed_in, "reporter", blog, post)
    beat(signed_in, "editor", blog, post)
    assert badge(signed_in("reporter").get(f"/newsroom/{blog.slug}/").content.decode(), post) == \
        "Being edited by Editor One"
    assert badge(signed_in("admin").get(f"/newsroom/{blog.slug}/").content.decode(), post) == \
        "Being edited by Editor One, Reporter One"


def test_a_closed_editor_disappears_after_30_seconds(signed_in, actors, blog, monkeypatch):
    """No heartbeat for 30 s means the page was closed: the name goes."""
    post = actions.create_post(actors["reporter"], blog, headline="Was open")
    beat(signed_in, "reporter", blog, post)
    later = presence.time.time() + presence.STALE_AFTER_SECONDS + 1
    monkeypatch.setattr(presence.time, "time", lambda: later)
    assert badge(signed_in("editor").get(f"/newsroom/{blog.slug}/").content.decode(), post) == ""


def test_the_live_row_fragment_carries_the_names_too(signed_in, actors, blog):
    post = actions.create_post(actors["reporter"], blog, headline="Fresh")
    beat(signed_in, "reporter", blog, post)
    html = signed_in("editor").get(f"/newsroom/{blog.slug}/posts/{post.pk}/row").content.decode()
    assert badge(html, post) == "Being edited by Reporter One"


def test_the_desk_polls_who_is_editing_which_post(signed_in, actors, blog):
    """The endpoint the desk polls every 10 s: names by post id, only for posts being edited."""
    post = actions.create_post(actors["reporter"], blog, headline="Polled")
    quiet = actions.create_post(actors["reporter"], blog, headline="Quiet")
    beat(signed_in, "reporter", blog, post)
    answer = signed_in("editor").get(f"/newsroom/{blog.slug}/editing?ids={post.pk},{quiet.pk}").json()
    assert answer == {"editing": {str(post.pk): ["Reporter One"]}}


@pytest.mark.parametrize("ids", ["", "abc", ",,,", "-1,0", "99999999999999999999999", "1" * 5000])
def test_unreadable_ids_are_ignored_not_an_error(signed_in, blog, ids):
    response = signed_in("editor").get(f"/newsroom/{blog.slug}/editing", {"ids": ids})
    assert response.status_code == 200 and response.json() == {"editing": {}}


def test_who_edits_a_draft_is_not_told_to_those_who_cannot_see_it(signed_in, actors, blog):
    """A contributor's draft is theirs and the editors': another reporter polling its id learns nothing."""
    draft = actions.create_post(actors["contributor"], blog, headline="Secret draft")
    beat(signed_in, "contributor", blog, draft)
    url = f"/newsroom/{blog.slug}/editing?ids={draft.pk}"
    assert signed_in("reporter").get(url).json() == {"editing": {}}
    assert signed_in("editor").get(url).json() == {"editing": {str(draft.pk): ["Contributor One"]}}


def test_the_poll_needs_a_signed_in_team_member(client, blog):
    assert client.get(f"/newsroom/{blog.slug}/editing?ids=1").status_code == 302  # to the sign-in page
