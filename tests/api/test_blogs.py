"""GET/POST /api/v1/blogs and GET/PATCH /api/v1/blogs/<slug>."""

from __future__ import annotations

from tests.api.conftest import assert_error


def test_editor_creates_a_blog_with_a_slug_made_from_the_title(as_editor):
    r = as_editor.post("/blogs", {"title": "Storm Ciarán: live", "time_zone": "Europe/Dublin"})
    assert r.status_code == 201
    assert r.data["slug"] == "storm-ciaran-live"
    assert r["Location"] == "/api/v1/blogs/storm-ciaran-live"
    assert r.data["status"] == "live" and r.data["seq"] == 0 and r.data["post_count"] == 0
    assert r.data["coverage_start"].endswith("+00:00")  # ISO 8601 with an offset
    for field in ("description", "coverage_end", "time_zone", "key_points", "lead_media", "url"):
        assert field in r.data


def test_create_takes_an_explicit_slug_and_refuses_a_taken_one(as_editor):
    assert as_editor.post("/blogs", {"title": "Budget", "slug": "budget-2026"}).status_code == 201
    error = assert_error(as_editor.post("/blogs", {"title": "Budget again", "slug": "budget-2026"}), 409, "slug_taken")
    assert error["fields"] == {"slug": "Taken."}


def test_only_editors_create_blogs(as_reporter, as_contributor, anon):
    assert_error(as_reporter.post("/blogs", {"title": "Mine"}), 403, "forbidden")
    assert_error(as_contributor.post("/blogs", {"title": "Mine"}), 403, "forbidden")
    assert_error(anon.post("/blogs", {"title": "Mine"}), 401, "not_authenticated")


def test_create_validates_fields(as_editor):
    error = assert_error(as_editor.post("/blogs", {"description": "no title"}), 422, "validation_error")
    assert "title" in error["fields"]
    error = assert_error(as_editor.post("/blogs", {"title": "T", "time_zone": "Mars/Olympus"}), 422)
    assert "time_zone" in error["fields"]
    error = assert_error(as_editor.post("/blogs", {"title": "T", "coverage_start": "2026-01-01T10:00"}), 422)
    assert "coverage_start" in error["fields"]  # naive times are refused: which 10:00?
    error = assert_error(as_editor.post("/blogs", {"title": "T", "status": "paused"}), 422)
    assert "status" in error["fields"]


def test_anyone_reads_blogs_newest_first_in_pages(anon, editor):
    from dateline.coverage import actions

    for i in range(5):
        actions.create_blog(editor, title=f"Blog {i}")
    first = anon.get("/blogs", {"limit": 2})
    assert first.status_code == 200
    assert [b["title"] for b in first.data["items"]] == ["Blog 4", "Blog 3"]
    seen = [b["slug"] for b in first.data["items"]]
    cursor = first.data["next"]
    while cursor:
        r = anon.get("/blogs", {"limit": 2, "before": cursor})
        seen += [b["slug"] for b in r.data["items"]]
        cursor = r.data["next"]
    assert seen == [f"blog-{i}" for i in range(4, -1, -1)]


def test_blog_list_filters_by_status(anon, editor):
    from dateline.coverage import actions

    actions.create_blog(editor, title="Over", status="ended")
    actions.create_blog(editor, title="Running")
    r = anon.get("/blogs", {"status": "ended"})
    assert [b["title"] for b in r.data["items"]] == ["Over"]


def test_get_one_blog_and_unknown_blog_is_404(anon, blog):
    r = anon.get(f"/blogs/{blog.slug}")
    assert r.status_code == 200 and r.data["title"] == "Harbour bridge closure"
    assert r.data["time_zone"] == "Europe/London"
    assert_error(anon.get("/blogs/no-such-blog"), 404, "not_found")


def test_editor_patches_and_ends_a_blog(as_editor, blog):
    r = as_editor.patch(f"/blogs/{blog.slug}", {"description": "All lanes shut", "title": "Bridge shut"})
    assert r.status_code == 200
    assert r.data["description"] == "All lanes shut" and r.data["seq"] == 1
    r = as_editor.patch(f"/blogs/{blog.slug}", {"status": "ended"})
    assert r.data["status"] == "ended" and r.data["coverage_end"] is not None and r.data["seq"] == 2


def test_patch_refuses_slug_and_non_editors(as_editor, as_reporter, blog):
    error = assert_error(as_editor.patch(f"/blogs/{blog.slug}", {"slug": "new-slug"}), 422)
    assert error["fields"] == {"slug": "Unknown field."}
    assert_error(as_reporter.patch(f"/blogs/{blog.slug}", {"title": "Mine now"}), 403)


def test_lead_video_is_attached_by_media_id(as_editor, blog):
    video = as_editor.post("/media", {"kind": "video", "url": "https://video.example/bridge.mp4",
                                      "title": "Aerial view of the closed bridge", "duration_seconds": 95,
                                      "credit": "Courier Video"})
    assert video.status_code == 201
    r = as_editor.patch(f"/blogs/{blog.slug}", {"lead_media": video.data["id"]})
    assert r.data["lead_media"]["kind"] == "video" and r.data["lead_media"]["duration"] == "01:35"
    r = as_editor.patch(f"/blogs/{blog.slug}", {"lead_media": None})
    assert r.data["lead_media"] is None
    error = assert_error(as_editor.patch(f"/blogs/{blog.slug}", {"lead_media": 999999}), 422)
    assert "lead_media" in error["fields"]


def test_create_blog_honours_idempotency_key(as_editor):
    headers = {"Idempotency-Key": "blog-1"}
    first = as_editor.post("/blogs", {"title": "Election night"}, headers=headers)
    again = as_editor.post("/blogs", {"title": "Election night"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.data == again.data and again["Idempotent-Replayed"] == "true"
    from dateline.coverage.models import LiveBlog

    assert LiveBlog.objects.filter(title="Election night").count() == 1
