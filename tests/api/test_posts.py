"""Posts through the API: create, read, ETag/If-Match edits and deletes, restore, visibility and roles."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_error


@pytest.fixture
def posts_url(blog):
    return f"/blogs/{blog.slug}/posts"


def _create(client, posts_url, **fields):
    r = client.post(posts_url, {"headline": "Bridge closed", "body": "<p>Both directions.</p>", **fields})
    assert r.status_code == 201, r.data
    return r


def test_create_publishes_at_once_and_carries_every_contract_field(as_reporter, posts_url):
    r = _create(as_reporter, posts_url, tags=["traffic"], update_note="Adds diversion",
                verification_note="Confirmed by police")
    post = r.data
    assert post["status"] == "published" and post["published_at"]
    assert r["ETag"] == f'"{post["id"]}-1"'
    assert r["Location"].endswith(f"/posts/{post['id']}")
    for field in ("id", "headline", "body", "status", "pinned", "tags", "authors", "update_note",
                  "verification_note", "media", "published_at", "updated_at", "url"):
        assert field in post
    assert post["authors"] == [{"username": "reporter1", "name": "Reporter One"}]
    assert post["url"].endswith(f"/live/harbour-bridge-closure/posts/{post['id']}/")
    assert post["updated_at"].endswith("+00:00")


def test_body_html_is_sanitised(as_reporter, posts_url):
    body = ('<p onclick="steal()">Hi <a href="javascript:alert(1)">x</a><script>alert(1)</script>'
            '<img src=x onerror="alert(1)"><a href="https://example.org">ok</a></p>')
    post = _create(as_reporter, posts_url, body=body).data
    for bad in ("<script", "onerror", "onclick", "javascript:", "<img"):
        assert bad not in post["body"]
    assert 'href="https://example.org"' in post["body"]


def test_contributors_post_creates_a_draft_and_they_cannot_publish(as_contributor, anon, posts_url):
    post = _create(as_contributor, posts_url).data
    assert post["status"] == "draft" and post["published_at"] is None
    assert_error(as_contributor.post(posts_url, {"headline": "Now", "status": "published"}), 403, "forbidden")
    # the draft is invisible to readers, listed and fetched
    assert anon.get(posts_url).data["items"] == []
    assert_error(anon.get(f"{posts_url}/{post['id']}"), 404)


def test_editor_approves_a_contributors_draft(as_contributor, as_editor, posts_url):
    draft = _create(as_contributor, posts_url)
    r = as_editor.patch(f"{posts_url}/{draft.data['id']}", {"status": "published"},
                        headers={"If-Match": draft["ETag"]})
    assert r.status_code == 200 and r.data["status"] == "published" and r.data["version"] == 2


def test_draft_listing_by_role(as_contributor, as_reporter, as_editor, anon, posts_url):
    mine = _create(as_contributor, posts_url, headline="Contributor draft").data
    _create(as_reporter, posts_url, headline="Reporter draft", status="draft")
    editor_view = as_editor.get(posts_url, {"status": "draft"})
    assert {p["headline"] for p in editor_view.data["items"]} == {"Contributor draft", "Reporter draft"}
    contributor_view = as_contributor.get(posts_url, {"status": "draft"})
    assert [p["id"] for p in contributor_view.data["items"]] == [mine["id"]]
    assert_error(anon.get(posts_url, {"status": "draft"}), 401)
    assert as_contributor.get(f"{posts_url}/{mine['id']}").status_code == 200
    assert_error(as_reporter.get(f"{posts_url}/{mine['id']}"), 404)


def test_get_post_has_etag_and_answers_304_to_if_none_match(anon, as_reporter, posts_url):
    created = _create(as_reporter, posts_url)
    r = anon.get(f"{posts_url}/{created.data['id']}")
    assert r.status_code == 200 and r["ETag"] == created["ETag"]
    r = anon.get(f"{posts_url}/{created.data['id']}", headers={"If-None-Match": created["ETag"]})
    assert r.status_code == 304


def test_unknown_post_and_post_of_another_blog_are_404(anon, as_editor, editor, posts_url):
    from dateline.coverage import actions

    other = actions.create_blog(editor, title="Other")
    post = actions.create_post(editor, other, headline="Elsewhere")
    assert_error(anon.get(f"{posts_url}/{post.pk}"), 404, "not_found")
    assert_error(anon.get(f"{posts_url}/424242"), 404, "not_found")
    assert_error(anon.get(f"{posts_url}/not-a-number"), 422)


def test_patch_without_if_match_is_428(as_reporter, posts_url):
    post = _create(as_reporter, posts_url).data
    error = assert_error(as_reporter.patch(f"{posts_url}/{post['id']}", {"headline": "x"}), 428,
                         "precondition_required")
    assert "If-Match" in error["fields"]
    assert_error(as_reporter.delete(f"{posts_url}/{post['id']}"), 428, "precondition_required")


def test_an_edit_by_another_editor_since_the_etag_is_refused_with_412(as_reporter, as_editor, posts_url):
    """The 412 carries the post as it is now (and its ETag), so the client can redo its change on top."""
    created = _create(as_reporter, posts_url)
    url = f"{posts_url}/{created.data['id']}"
    r = as_editor.patch(url, {"headline": "Bridge closed until Monday"}, headers={"If-Match": created["ETag"]})
    assert r.status_code == 200 and r["ETag"] != created["ETag"]
    stale = as_reporter.patch(url, {"body": "<p>Mine</p>"}, headers={"If-Match": created["ETag"]})
    error = assert_error(stale, 412, "precondition_failed")
    assert error["current"]["headline"] == "Bridge closed until Monday"
    assert stale["ETag"] == r["ETag"]
    retry = as_reporter.patch(url, {"body": "<p>Mine</p>"}, headers={"If-Match": stale["ETag"]})
    assert retry.status_code == 200 and retry.data["headline"] == "Bridge closed until Monday"


def test_if_match_star_and_garbage(as_editor, posts_url):
    created = _create(as_editor, posts_url)
    url = f"{posts_url}/{created.data['id']}"
    assert as_editor.patch(url, {"headline": "Any"}, headers={"If-Match": "*"}).status_code == 200
    assert_error(as_editor.patch(url, {"headline": "x"}, headers={"If-Match": "garbage"}), 412)
    assert_error(as_editor.patch(url, {"headline": "x"}, headers={"If-Match": '"999-2"'}), 412)


def test_patch_validates_types_and_unknown_fields(as_editor, posts_url):
    created = _create(as_editor, posts_url)
    url, h = f"{posts_url}/{created.data['id']}", {"If-Match": created["ETag"]}
    error = assert_error(as_editor.patch(url, {"headlne": "typo"}, headers=h), 422)
    assert error["fields"] == {"headlne": "Unknown field."}
    error = assert_error(as_editor.patch(url, {"media": ["1"], "pinned": 1}, headers=h), 422)
    assert set(error["fields"]) == {"media[0]", "pinned"}
    error = assert_error(as_editor.patch(url, {"headline": "x" * 400}, headers=h), 422)  # the action's limit
    assert "headline" in error["fields"]
    error = assert_error(as_editor.patch(url, {"status": "draft"}, headers=h), 422)
    assert "status" in error["fields"]


def test_reporter_cannot_edit_another_reporters_post(as_reporter, actors, posts_url, blog):
    from dateline.accounts.models import ApiToken, User
    from dateline.coverage import actions
    from tests.api.conftest import ApiClient

    other = User.objects.create_user(username="reporter2", role="reporter")
    theirs = actions.create_post(other, blog, headline="Theirs")
    etag = f'"{theirs.pk}-{theirs.version}"'
    assert_error(as_reporter.patch(f"{posts_url}/{theirs.pk}", {"headline": "Mine"}, headers={"If-Match": etag}),
                 403, "forbidden")
    assert_error(as_reporter.delete(f"{posts_url}/{theirs.pk}", headers={"If-Match": etag}), 403)
    own = ApiClient(ApiToken.issue(other)[1])
    assert own.patch(f"{posts_url}/{theirs.pk}", {"headline": "Mine"}, headers={"If-Match": etag}).status_code == 200


def test_only_editors_pin(as_reporter, as_editor, posts_url):
    assert_error(as_reporter.post(posts_url, {"headline": "Pin me", "pinned": True}), 403)
    created = _create(as_reporter, posts_url)
    url = f"{posts_url}/{created.data['id']}"
    assert_error(as_reporter.patch(url, {"pinned": True}, headers={"If-Match": created["ETag"]}), 403)
    r = as_editor.patch(url, {"pinned": True}, headers={"If-Match": created["ETag"]})
    assert r.status_code == 200 and r.data["pinned"] is True


def test_delete_is_soft_and_only_editors_restore(as_reporter, as_editor, anon, posts_url, blog):
    created = _create(as_reporter, posts_url)
    url = f"{posts_url}/{created.data['id']}"
    r = as_reporter.delete(url, headers={"If-Match": created["ETag"]})
    assert r.status_code == 200 and r.data["status"] == "deleted"
    assert_error(anon.get(url), 404)
    assert anon.get(posts_url).data["items"] == []
    assert [p["id"] for p in as_editor.get(posts_url, {"status": "deleted"}).data["items"]] == [created.data["id"]]
    assert_error(as_reporter.post(f"{url}/restore"), 403, "forbidden")
    restored = as_editor.post(f"{url}/restore")
    assert restored.status_code == 200 and restored.data["status"] == "published"
    assert restored.data["published_at"] == created.data["published_at"]  # back in its original place
    assert anon.get(url).status_code == 200
    # editing a deleted post is a conflict, not a silent success
    as_editor.delete(url, headers={"If-Match": restored["ETag"]})
    assert_error(as_editor.patch(url, {"headline": "x"}, headers={"If-Match": "*"}), 409, "post_deleted")


def test_stale_delete_is_412(as_reporter, as_editor, posts_url):
    created = _create(as_reporter, posts_url)
    url = f"{posts_url}/{created.data['id']}"
    as_editor.patch(url, {"headline": "Changed"}, headers={"If-Match": created["ETag"]})
    error = assert_error(as_reporter.delete(url, headers={"If-Match": created["ETag"]}), 412)
    assert error["current"]["headline"] == "Changed"


def test_media_ids_in_objects_out(as_reporter, posts_url):
    video = as_reporter.post("/media", {"kind": "video", "url": "https://v.example/1", "title": "Clip"}).data
    post = _create(as_reporter, posts_url, media=[video["id"]]).data
    assert post["media"][0]["id"] == video["id"] and post["media"][0]["title"] == "Clip"
    error = assert_error(as_reporter.post(posts_url, {"headline": "x", "media": [987654]}), 422)
    assert "media" in error["fields"]


def test_authors_by_username(as_editor, posts_url):
    post = _create(as_editor, posts_url, authors=["reporter1", "editor1"]).data
    assert [a["username"] for a in post["authors"]] == ["reporter1", "editor1"]  # the order given is the byline
    error = assert_error(as_editor.post(posts_url, {"headline": "x", "authors": ["nobody"]}), 422)
    assert "authors" in error["fields"]


def test_empty_post_is_refused(as_editor, posts_url):
    assert_error(as_editor.post(posts_url, {}), 422, "validation_error")


def test_posts_of_an_unknown_blog_are_404(anon, as_editor):
    assert_error(anon.get("/blogs/nope/posts"), 404)
    assert_error(as_editor.post("/blogs/nope/posts", {"headline": "x"}), 404)


# --- key points ---------------------------------------------------------------------------------------------

def test_key_points_get_and_put(as_editor, anon, as_reporter, blog, posts_url):
    post = _create(as_editor, posts_url).data
    url = f"/blogs/{blog.slug}/key-points"
    assert anon.get(url).data == {"key_points": []}
    points = [{"text": "<strong>Bridge shut</strong> both ways <script>x</script>", "post_id": post["id"]},
              {"text": "Diversion via <a href='https://example.org/map' onclick='x()'>Ring Road</a>"}]
    r = as_editor.put(url, {"key_points": points})
    assert r.status_code == 200
    assert r.data["key_points"][0] == {"text": "<strong>Bridge shut</strong> both ways", "post_id": post["id"],
                                       "url": ""}
    assert "onclick" not in r.data["key_points"][1]["text"]
    assert anon.get(url).data == r.data
    assert anon.get(f"/blogs/{blog.slug}").data["key_points"] == r.data["key_points"]
    assert_error(as_reporter.put(url, {"key_points": []}), 403, "forbidden")
    assert_error(anon.put(url, {"key_points": []}), 401)


def test_key_points_validation(as_editor, blog):
    url = f"/blogs/{blog.slug}/key-points"
    error = assert_error(as_editor.put(url, [{"text": "bare list"}]), 422)
    assert error["fields"] == {"body": "Send a JSON object as the request body."}
    error = assert_error(as_editor.put(url, {"key_points": [{"txt": "typo"}]}), 422)
    assert set(error["fields"]) == {"key_points[0].txt", "key_points[0].text"}
    error = assert_error(as_editor.put(url, {"key_points": [{"text": "x", "post_id": 9999}]}), 422)
    assert "key_points[0].post_id" in error["fields"]


def test_a_key_point_post_id_beyond_a_database_integer_is_a_422(as_editor, blog):
    """10**30 got its field error but still reached the database query, which overflowed (a 500)."""
    url = f"/blogs/{blog.slug}/key-points"
    for post_id in (10**30, -(10**30), 0):
        error = assert_error(as_editor.put(url, {"key_points": [{"text": "x", "post_id": post_id}]}), 422)
        assert error["fields"] == {"key_points[0].post_id": "Must be a post id."}, post_id
