"""Bad input that used to reach a 500, and edits that could overwrite a colleague's work without a word."""

from __future__ import annotations

import base64
import threading

import pytest
from django.db import connection

from dateline.coverage import actions
from dateline.coverage.models import LiveBlog
from tests.api.conftest import assert_error

DEEP = "[" * 5000 + "]" * 5000


def test_deeply_nested_json_is_a_400_malformed_json_everywhere(as_editor, as_contributor, blog):
    for client, path, method in [(as_editor, f"/blogs/{blog.slug}/posts", "POST"),
                                 (as_editor, f"/blogs/{blog.slug}/key-points", "PUT"),
                                 (as_contributor, "/media", "POST")]:
        error = assert_error(client.request(method, path, raw=DEEP), 400, "malformed_json")
        assert "nested too deeply" in error["message"]


def test_a_deeply_nested_forged_cursor_is_a_400(anon, blog):
    cursor = base64.urlsafe_b64encode(DEEP.encode()).decode().rstrip("=")
    for path in ("/blogs", f"/blogs/{blog.slug}/posts"):
        assert_error(anon.get(path, {"before": cursor}), 400, "invalid_cursor")


def test_media_location_answers_the_media(as_reporter, as_editor):
    created = as_reporter.post("/media", {"kind": "video", "url": "https://video.example/x.mp4", "title": "Clip"})
    assert created.status_code == 201
    fetched = as_editor.get(created["Location"])
    assert fetched.status_code == 200 and fetched.data == created.data
    assert_error(as_editor.get("/media/999999"), 404, "not_found")
    assert_error(as_editor.get(f"/media/{10**30}"), 404)


def test_a_weak_etag_never_matches_in_if_match(as_editor, blog):
    post = as_editor.post(f"/blogs/{blog.slug}/posts", {"headline": "Bridge shut"}).data
    weak = f'W/"{post["id"]}-{post["version"]}"'
    assert_error(as_editor.patch(f"/blogs/{blog.slug}/posts/{post['id']}", {"headline": "Bridge closed"},
                                 headers={"If-Match": weak}), 412, "precondition_failed")


def test_key_points_carry_an_etag_and_a_stale_put_is_refused_with_the_current_list(as_editor, blog):
    path = f"/blogs/{blog.slug}/key-points"
    first = as_editor.get(path)
    tag = first["ETag"]
    assert tag.startswith('"kp-')
    mine = as_editor.put(path, {"key_points": [{"text": "Bridge shut"}]}, headers={"If-Match": tag})
    assert mine.status_code == 200 and mine["ETag"] != tag
    # A colleague who loaded the list before that save:
    stale = as_editor.put(path, {"key_points": [{"text": "Ferries added"}]}, headers={"If-Match": tag})
    error = assert_error(stale, 412, "precondition_failed")
    assert error["current"] == [{"text": "Bridge shut", "post_id": None, "url": ""}]
    assert stale["ETag"] == mine["ETag"]
    assert as_editor.get(path).data["key_points"][0]["text"] == "Bridge shut"
    # With the current tag (or none, or *), the save goes through.
    assert as_editor.put(path, {"key_points": [{"text": "Ferries added"}]},
                         headers={"If-Match": mine["ETag"]}).status_code == 200
    assert as_editor.put(path, {"key_points": [{"text": "Trains too"}]}, headers={"If-Match": "*"}).status_code == 200
    assert as_editor.put(path, {"key_points": [{"text": "Buses"}]}).status_code == 200


def test_deleting_a_post_unlinks_key_points_so_the_list_saves_unchanged(as_editor, blog):
    post = as_editor.post(f"/blogs/{blog.slug}/posts", {"headline": "Bridge shut"})
    path = f"/blogs/{blog.slug}/key-points"
    as_editor.put(path, {"key_points": [{"text": "Bridge shut", "post_id": post.data["id"]}, {"text": "Rain"}]})
    seq = LiveBlog.objects.get(pk=blog.pk).seq
    assert as_editor.delete(f"/blogs/{blog.slug}/posts/{post.data['id']}",
                            headers={"If-Match": post["ETag"]}).status_code == 200
    points = as_editor.get(path).data["key_points"]
    assert points == [{"text": "Bridge shut", "post_id": None, "url": ""}, {"text": "Rain", "post_id": None, "url": ""}]
    assert LiveBlog.objects.get(pk=blog.pk).seq == seq + 2  # post.deleted, then keypoints.updated
    assert as_editor.put(path, {"key_points": points}).status_code == 200  # what GET said, saved back
    page = as_editor.client.get(f"/live/{blog.slug}/").content.decode()
    assert f"#post-{post.data['id']}" not in page


def test_deleting_a_linked_post_is_two_changes_readers_replay(editor, blog):
    from dateline.coverage.models import Change

    post = actions.create_post(editor, blog, headline="Bridge shut")
    actions.set_key_points(editor, blog, [{"text": "Shut", "post_id": post.pk}])
    actions.delete_post(editor, post)
    last = list(Change.objects.filter(blog=blog).order_by("-seq")[:2])
    assert [c.type for c in reversed(last)] == ["post.deleted", "keypoints.updated"]
    assert '"post_id":null' in last[0].data


def test_coverage_cannot_end_before_it_starts(as_editor, blog):
    error = assert_error(as_editor.patch(f"/blogs/{blog.slug}", {"coverage_end": "2000-01-01T00:00:00+00:00"}),
                         422, "validation_error")
    assert "coverage_end" in error["fields"]
    assert_error(as_editor.post("/blogs", {"title": "Backwards", "coverage_start": "2026-01-02T00:00:00+00:00",
                                           "coverage_end": "2026-01-01T00:00:00+00:00"}), 422)
    # Ending a blog whose start is still ahead is not the editor's mistake: it ends now.
    ahead = as_editor.post("/blogs", {"title": "Tomorrow", "status": "scheduled",
                                      "coverage_start": "2999-01-01T00:00:00+00:00"}).data
    assert as_editor.patch(f"/blogs/{ahead['slug']}", {"status": "ended"}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_blogs_opened_at_once_with_one_title_all_get_a_slug(editor):
    results: list[object] = []
    start = threading.Barrier(6)

    def open_blog() -> None:
        start.wait()
        try:
            results.append(actions.create_blog(editor, title="Same title").slug)
        except Exception as error:  # noqa: BLE001 (collected and asserted below)
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_blog) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(r, str) for r in results), results
    assert sorted(results) == sorted({"same-title", *(f"same-title-{n}" for n in range(2, 7))})
