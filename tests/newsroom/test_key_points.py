"""The newsroom's key points editor keeps every point's link — to a post or to a web address — through a save."""

from __future__ import annotations

import json

from django.test import Client

from dateline.accounts.models import ApiToken
from dateline.coverage import actions
from tests.newsroom.conftest import kp_version


def test_a_url_set_through_the_api_survives_a_newsroom_save(signed_in, actors, blog):
    """An editor who opens the key points page and saves it unchanged (but reordered) keeps the API's URL link."""
    post = actions.create_post(actors["reporter"], blog, headline="Vote passed")
    _token, raw = ApiToken.issue(actors["editor"])
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    response = api.put(f"/api/v1/blogs/{blog.slug}/key-points", json.dumps({"key_points": [
        {"text": "Diversion map published", "url": "https://example.org/map"},
        {"text": "Council approved repairs", "post_id": post.pk},
    ]}), content_type="application/json")
    assert response.status_code == 200, response.content

    editor = signed_in("editor")
    html = editor.get(f"/newsroom/{blog.slug}/key-points").content.decode()
    assert 'name="url" id="kp-url-0" value="https://example.org/map"' in html
    # What a browser submits for that page (two points, two blank rows), with the order swapped.
    response = editor.post(f"/newsroom/{blog.slug}/key-points", {"version": kp_version(blog),
        "text": ["Diversion map published", "Council approved repairs", "", ""],
        "post_id": ["", str(post.pk), "", ""], "url": ["https://example.org/map", "", "", ""],
        "order": ["2", "1", "3", "4"]})
    assert response.status_code == 302
    points = list(blog.key_points.order_by("position").values_list("text", "post_id", "url"))
    assert points == [("Council approved repairs", post.pk, ""),
                      ("Diversion map published", None, "https://example.org/map")]
    assert "https://example.org/map" in api.get(f"/api/v1/blogs/{blog.slug}/key-points").content.decode()


def test_a_key_point_can_link_to_a_web_address_from_the_newsroom(signed_in, blog):
    """A URL typed into the newsroom form is saved and shown to readers as the point's link."""
    response = signed_in("editor").post(f"/newsroom/{blog.slug}/key-points", {"version": kp_version(blog),
        "text": ["Road closures listed"], "post_id": [""], "url": ["https://example.org/roads"], "order": ["1"]})
    assert response.status_code == 302
    assert list(blog.key_points.values_list("url", flat=True)) == ["https://example.org/roads"]
    blog.refresh_from_db()
    assert 'href="https://example.org/roads"' in blog.key_points_html


def test_a_point_linking_to_both_a_post_and_a_url_is_refused_and_nothing_changes(signed_in, actors, blog):
    """A point links to a post or a web address: both at once is a 422 that keeps the editor's rows."""
    post = actions.create_post(actors["reporter"], blog, headline="Vote passed")
    response = signed_in("editor").post(f"/newsroom/{blog.slug}/key-points", {"version": kp_version(blog),
        "text": ["Both links"], "post_id": [str(post.pk)], "url": ["https://example.org/x"], "order": ["1"]})
    assert response.status_code == 422
    html = response.content.decode()
    assert "not both" in html and 'value="https://example.org/x"' in html
    assert not blog.key_points.exists()


def test_a_non_http_url_is_refused_with_the_actions_message(signed_in, blog):
    """Only http(s) addresses are links: a javascript: URL is refused (422), not stored."""
    response = signed_in("editor").post(f"/newsroom/{blog.slug}/key-points", {"version": kp_version(blog),
        "text": ["Sneaky"], "post_id": [""], "url": ["javascript:alert(1)"], "order": ["1"]})
    assert response.status_code == 422
    assert "http(s) URL" in response.content.decode()
    assert not blog.key_points.exists()


def test_a_point_linked_to_an_older_post_keeps_it_in_its_menu(signed_in, actors, blog):
    """The post menu lists the newest 100 posts plus any post a point already links to, so saving keeps the link."""
    old = actions.create_post(actors["reporter"], blog, headline="The very first post")
    actions.set_key_points(actors["editor"], blog, [{"text": "Where it began", "post_id": old.pk}])
    for i in range(100):
        actions.create_post(actors["reporter"], blog, headline=f"Later {i}")
    html = signed_in("editor").get(f"/newsroom/{blog.slug}/key-points").content.decode()
    assert f'<option value="{old.pk}" selected>' in html
