"""Editing posts in the newsroom: stale saves are refused with a diff, history restores, delete/restore, pins."""

from __future__ import annotations

from dateline.coverage import actions
from dateline.coverage.models import Post
from tests.newsroom.conftest import kp_version


def edit_url(blog, post):
    return f"/newsroom/{blog.slug}/posts/{post.pk}/edit"


def test_the_edit_form_carries_the_version_it_was_loaded_at(signed_in, actors, blog):
    post = actions.create_post(actors["reporter"], blog, headline="Bridge shut", body="<p>Both lanes.</p>")
    html = signed_in("reporter").get(edit_url(blog, post)).content.decode()
    assert 'name="version" value="1"' in html and "Bridge shut" in html


def test_a_stale_save_is_refused_shows_a_diff_and_overwrites_nothing(signed_in, actors, blog):
    post = actions.create_post(actors["reporter"], blog, headline="Bridge shut", body="<p>Both lanes closed.</p>")
    # The editor corrects the post after the reporter opened it at version 1.
    actions.edit_post(actors["editor"], post, expected_version=1, headline="Bridge shut until Friday")
    response = signed_in("reporter").post(edit_url(blog, post), {
        "headline": "Bridge shut for repairs", "body": "<p>Both lanes closed, police say.</p>", "version": "1"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Not saved: Editor One changed this post while you were editing" in html
    assert '<table class="diff"' in html
    assert "Bridge shut until Friday" in html and "Bridge shut for repairs" in html  # both sides of the diff
    assert "police say" in html  # the reporter's text is still in the form
    post.refresh_from_db()
    assert (post.headline, post.version) == ("Bridge shut until Friday", 2)
    # Having seen the diff, saving again is a deliberate choice and goes through.
    assert 'name="version" value="2"' in html
    again = signed_in("reporter").post(edit_url(blog, post), {
        "headline": "Bridge shut until Friday for repairs", "body": "<p>Both lanes closed.</p>", "version": "2"})
    assert again.status_code == 302
    post.refresh_from_db()
    assert (post.headline, post.version) == ("Bridge shut until Friday for repairs", 3)


def test_diff_escapes_what_it_shows():
    from dateline.newsroom.diffs import post_diff

    tables = post_diff({"headline": "<script>alert(1)</script>"}, {"headline": "<b>x</b>"}, old_label="a",
                       new_label="b")
    assert "<script>" not in tables[0]["table"] and "&lt;script&gt;" in tables[0]["table"]


def test_history_shows_each_version_and_restores_an_old_one_as_a_new_version(signed_in, actors, blog):
    post = actions.create_post(actors["reporter"], blog, headline="First words", body="<p>Original.</p>")
    actions.edit_post(actors["editor"], post, headline="Second words", body="<p>Rewritten.</p>")
    client = signed_in("editor")
    html = client.get(f"/newsroom/{blog.slug}/posts/{post.pk}/history").content.decode()
    assert "Version 2" in html and "Version 1" in html and '<table class="diff"' in html
    assert "Restore this version" in html
    response = client.post(f"/newsroom/{blog.slug}/posts/{post.pk}/history/1/restore", {"version": 2})
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.headline, post.body, post.version) == ("First words", "<p>Original.</p>", 3)
    assert blog.changes.last().type == "post.updated"


def test_delete_and_restore_from_the_desk(signed_in, actors, blog):
    post = actions.create_post(actors["reporter"], blog, headline="Wrong bridge")
    assert signed_in("reporter").post(f"/newsroom/{blog.slug}/posts/{post.pk}/delete",
                                      {"version": 1}).status_code == 302
    post.refresh_from_db()
    assert post.status == Post.Status.DELETED
    editor = signed_in("editor")
    assert "Wrong bridge" in editor.get(f"/newsroom/{blog.slug}/").content.decode()  # in "Deleted"
    assert editor.post(f"/newsroom/{blog.slug}/posts/{post.pk}/restore").status_code == 302
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED


def test_pin_and_unpin_are_single_reader_changes(signed_in, actors, blog):
    post = actions.create_post(actors["reporter"], blog, headline="Key update")
    editor = signed_in("editor")
    editor.post(f"/newsroom/{blog.slug}/posts/{post.pk}/pin", {"pinned": "true", "version": 1})
    post.refresh_from_db()
    assert post.pinned
    editor.post(f"/newsroom/{blog.slug}/posts/{post.pk}/pin", {"pinned": "false", "version": 2})
    post.refresh_from_db()
    assert not post.pinned
    assert list(blog.changes.values_list("type", flat=True)) == ["post.published", "post.pinned", "post.unpinned"]


def test_a_stale_pin_is_refused(signed_in, actors, blog):
    post = actions.create_post(actors["reporter"], blog, headline="Key update")
    actions.edit_post(actors["reporter"], post, headline="Key update, corrected")
    response = signed_in("editor").post(f"/newsroom/{blog.slug}/posts/{post.pk}/pin",
                                        {"pinned": "true", "version": 1})
    assert response.status_code == 412
    post.refresh_from_db()
    assert not post.pinned


def test_presence_heartbeat_names_the_other_editor(signed_in, actors, blog):
    post = actions.create_post(actors["reporter"], blog, headline="Being edited")
    url = f"/newsroom/{blog.slug}/posts/{post.pk}/heartbeat"
    assert signed_in("reporter").post(url).json() == {"editing": [], "version": 1}
    assert signed_in("editor").post(url).json()["editing"] == ["Reporter One"]


def test_the_row_fragment_gives_the_live_stream_this_users_buttons(signed_in, actors, blog):
    post = actions.create_post(actors["reporter"], blog, headline="Fresh")
    html = signed_in("editor").get(f"/newsroom/{blog.slug}/posts/{post.pk}/row").content.decode()
    assert html.startswith(f'<li class="row row--published" id="np-{post.pk}"')
    assert "Pin" in html and "Edit" in html


def test_key_points_editor_saves_orders_and_links_to_posts(signed_in, actors, blog):
    post = actions.create_post(actors["reporter"], blog, headline="Vote passed")
    client = signed_in("editor")
    assert client.get(f"/newsroom/{blog.slug}/key-points").status_code == 200
    response = client.post(f"/newsroom/{blog.slug}/key-points", {"version": kp_version(blog),
        "text": ["<strong>Vote:</strong> the council approved repairs.", "Second point", "Dropped", ""],
        "post_id": [str(post.pk), "", "", ""], "order": ["2", "1", "3", "4"], "remove-2": "1"})
    assert response.status_code == 302
    points = list(blog.key_points.order_by("position").values_list("text", "post_id"))
    assert points == [("Second point", None), ("<strong>Vote:</strong> the council approved repairs.", post.pk)]
    assert blog.changes.last().type == "keypoints.updated"


def test_ending_coverage_needs_confirmation(signed_in, blog):
    client = signed_in("editor")
    assert client.post(f"/newsroom/{blog.slug}/end", {}).status_code == 422
    assert client.post(f"/newsroom/{blog.slug}/end", {"confirm": "yes"}).status_code == 302
    blog.refresh_from_db()
    assert blog.status == "ended" and blog.changes.last().type == "blog.ended"


def test_the_audit_log_lists_who_did_what(signed_in, actors, blog):
    actions.create_post(actors["reporter"], blog, headline="Logged")
    html = signed_in("editor").get(f"/newsroom/audit/?blog={blog.slug}").content.decode()
    assert "post.create" in html and "Reporter One" in html and "Logged" in html
