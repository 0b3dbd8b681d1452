"""Values a column cannot hold are refused with a 422 field error before they reach the database.

SQLite stores a 500-character string in a ``varchar(120)`` without a word, so a missing length check passes every
SQLite test and then answers 500 on PostgreSQL ("value too long"). These tests assert the 422 itself, so they fail
on either database when a check is missing. The same goes for far-off dates: 9999-12-31T23:59:59-01:00 is year
10000 in UTC, which SQLite's adapter cannot convert (500) and PostgreSQL stores and then cannot read back.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from dateline.coverage import actions
from dateline.coverage.errors import ValidationFailed
from dateline.coverage.models import Change, KeyPoint, LiveBlog, Media, Post, Story
from tests.api.conftest import assert_error

# Year 10000 in UTC, year 0 in UTC, and each just outside the accepted 1900-2999 (UTC) range.
OUT_OF_RANGE = [
    "9999-12-31T23:59:59-01:00",
    "0001-01-01T00:00:00+01:00",
    "1899-12-31T23:59:59+00:00",
    "3000-01-01T00:00:00+00:00",
    "2999-12-31T23:30:00-01:00",  # 2999 locally, but 3000-01-01 in UTC
]


@pytest.fixture
def posts_url(blog):
    return f"/blogs/{blog.slug}/posts"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- dates -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("when", OUT_OF_RANGE)
def test_publish_at_out_of_range_is_422_on_create_and_nothing_is_stored(as_reporter, posts_url, blog, when):
    error = assert_error(as_reporter.post(posts_url, {"headline": "Later", "publish_at": when}), 422,
                         "validation_error")
    assert "1900" in error["fields"]["publish_at"] and "2999" in error["fields"]["publish_at"]
    assert not Post.objects.filter(blog=blog).exists()


@pytest.mark.parametrize("when", OUT_OF_RANGE)
def test_publish_at_out_of_range_is_422_on_edit(as_reporter, posts_url, when):
    created = as_reporter.post(posts_url, {"headline": "Draft", "status": "draft"})
    url = f"{posts_url}/{created.data['id']}"
    error = assert_error(as_reporter.patch(url, {"publish_at": when}, headers={"If-Match": created["ETag"]}), 422)
    assert "publish_at" in error["fields"]
    again = as_reporter.get(url)
    assert again.status_code == 200 and again.data["publish_at"] is None


@pytest.mark.parametrize("field", ["coverage_start", "coverage_end"])
@pytest.mark.parametrize("when", OUT_OF_RANGE)
def test_coverage_dates_out_of_range_are_422_on_create(as_editor, anon, field, when):
    error = assert_error(as_editor.post("/blogs", {"title": "Far off", field: when}), 422, "validation_error")
    assert field in error["fields"]
    assert not LiveBlog.objects.filter(title="Far off").exists()
    assert anon.get("/blogs").status_code == 200  # nothing unreadable was stored


@pytest.mark.parametrize("field", ["coverage_start", "coverage_end"])
@pytest.mark.parametrize("when", OUT_OF_RANGE)
def test_coverage_dates_out_of_range_are_422_on_patch(as_editor, anon, blog, field, when):
    error = assert_error(as_editor.patch(f"/blogs/{blog.slug}", {field: when}), 422, "validation_error")
    assert field in error["fields"]
    assert not Change.objects.filter(blog=blog).exists()
    assert anon.get(f"/blogs/{blog.slug}").status_code == 200


def test_dates_at_the_ends_of_the_range_are_accepted(as_editor, as_reporter):
    r = as_editor.post("/blogs", {"title": "Archive", "status": "scheduled", "coverage_start": "1900-01-01T00:00:00Z",
                                  "coverage_end": "2999-12-31T23:59:59+00:00"})
    assert r.status_code == 201, r.data
    assert r.data["coverage_start"].startswith("1900-01-01") and r.data["coverage_end"].startswith("2999-12-31")
    r = as_reporter.post(f"/blogs/{r.data['slug']}/posts", {"headline": "x",
                                                            "publish_at": "2999-12-31T23:00:00-00:30"})
    assert r.status_code == 201, r.data
    assert r.data["status"] == "draft" and r.data["publish_at"].startswith("2999-12-31")


def test_the_action_refuses_far_off_datetime_objects_too(editor, blog):
    """The newsroom hands actions datetime objects, not strings: the same range applies."""
    from datetime import datetime, timedelta, timezone

    far = datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-1)))
    with pytest.raises(ValidationFailed) as refused:
        actions.update_blog(editor, blog, coverage_end=far)
    assert "coverage_end" in refused.value.fields


# --- lengths -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value"), [
    ("title", "t" * 201),
    ("slug", "s" * 121),
    ("story", "s" * 121),
    ("description", "d" * 2001),
    ("time_zone", "Europe/" + "x" * 60),
])
def test_blog_fields_longer_than_their_columns_are_422_on_create(as_editor, field, value):
    body = {"title": "Fine", field: value}
    error = assert_error(as_editor.post("/blogs", body), 422, "validation_error")
    assert field in error["fields"], error
    assert not LiveBlog.objects.exists() and not Story.objects.exists()


@pytest.mark.parametrize(("field", "value"), [
    ("title", "t" * 201),
    ("story", "a-" * 60 + "b"),  # a valid slug shape, 121 characters
    ("description", "d" * 2001),
])
def test_blog_fields_longer_than_their_columns_are_422_on_patch(as_editor, blog, field, value):
    error = assert_error(as_editor.patch(f"/blogs/{blog.slug}", {field: value}), 422, "validation_error")
    assert field in error["fields"], error
    assert not Story.objects.exists()


def test_a_story_slug_of_the_longest_length_is_accepted(as_editor, blog):
    slug = "s" * 120
    r = as_editor.patch(f"/blogs/{blog.slug}", {"story": slug})
    assert r.status_code == 200, r.data
    assert Story.objects.get().slug == slug


@pytest.mark.parametrize(("field", "value"), [
    ("headline", "h" * 301),
    ("update_note", "u" * 501),
    ("verification_note", "v" * 501),
    ("tags", ["t" * 51]),
])
def test_post_fields_longer_than_their_columns_are_422(as_reporter, posts_url, blog, field, value):
    error = assert_error(as_reporter.post(posts_url, {"headline": "Fine", field: value}), 422, "validation_error")
    assert field in error["fields"], error
    assert not Post.objects.filter(blog=blog).exists()
    created = as_reporter.post(posts_url, {"headline": "Fine"})
    url = f"{posts_url}/{created.data['id']}"
    error = assert_error(as_reporter.patch(url, {field: value}, headers={"If-Match": created["ETag"]}), 422)
    assert field in error["fields"], error


def test_post_fields_of_exactly_their_column_length_are_accepted(as_reporter, posts_url):
    body = {"headline": "h" * 300, "update_note": "u" * 500, "verification_note": "v" * 500, "tags": ["t" * 50]}
    r = as_reporter.post(posts_url, body)
    assert r.status_code == 201, r.data
    assert {name: r.data[name] for name in body} == body


def test_a_correction_longer_than_its_column_is_422(as_editor, posts_url):
    created = as_editor.post(posts_url, {"headline": "Fine"})
    url = f"{posts_url}/{created.data['id']}"
    error = assert_error(as_editor.patch(url, {"correction": "c" * 501}, headers={"If-Match": created["ETag"]}), 422)
    assert "correction" in error["fields"]


@pytest.mark.parametrize(("field", "value"), [("text", "k" * 1001), ("url", "https://x.example/" + "p" * 490)])
def test_key_point_fields_longer_than_their_limits_are_422(as_editor, blog, field, value):
    point = {"text": "Fine", field: value}
    error = assert_error(as_editor.put(f"/blogs/{blog.slug}/key-points", {"key_points": [point]}), 422)
    assert f"key_points[0].{field}" in error["fields"], error
    assert not KeyPoint.objects.exists()


def _image() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(out, "PNG")
    return SimpleUploadedFile("x.png", out.getvalue(), content_type="image/png")


@pytest.mark.parametrize(("field", "value"), [("caption", "c" * 2001), ("credit", "c" * 201), ("alt", "a" * 301)])
def test_media_upload_fields_longer_than_their_columns_are_422(tokens, field, value):
    r = Client().post("/api/v1/media", {"file": _image(), field: value},
                      headers={"Authorization": f"Bearer {tokens['reporter']}"})
    error = assert_error(r, 422, "validation_error")
    assert field in error["fields"], error
    assert not Media.objects.exists()


@pytest.mark.parametrize(("field", "value"), [
    ("title", "t" * 301), ("credit", "c" * 201), ("caption", "c" * 2001), ("alt", "a" * 301),
    ("url", "https://video.example/" + "v" * 480),
])
def test_video_fields_longer_than_their_columns_are_422(as_editor, field, value):
    body = {"kind": "video", "url": "https://video.example/clip.mp4", "title": "Clip", field: value}
    error = assert_error(as_editor.post("/media", body), 422, "validation_error")
    assert field in error["fields"], error
    assert not Media.objects.exists()
