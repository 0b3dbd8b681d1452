"""Bad input is always a JSON error with a 4xx status: never a 500, never an HTML page."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import ApiClient, assert_error


@pytest.fixture
def posts_url(blog):
    return f"/blogs/{blog.slug}/posts"


def test_malformed_json_is_400(as_editor, posts_url):
    error = assert_error(as_editor.post(posts_url, raw='{"headline": "x",}'), 400, "malformed_json")
    assert "not valid JSON" in error["message"]
    assert_error(as_editor.post(posts_url, raw=b"\xff\xfe{"), 400, "malformed_json")


def test_wrong_content_type_is_415(as_editor, posts_url):
    assert_error(as_editor.post(posts_url, raw="headline=x", content_type="application/x-www-form-urlencoded"),
                 415, "unsupported_media_type")
    assert_error(as_editor.post(posts_url, raw='{"headline": "x"}', content_type="text/plain"), 415)


def test_a_json_body_that_is_not_an_object_is_422(as_editor, posts_url):
    for raw in ("[]", '"x"', "3", "null"):
        error = assert_error(as_editor.post(posts_url, raw=raw), 422, "validation_error")
        assert error["fields"] == {"body": "Send a JSON object as the request body."}, raw


def test_missing_body_is_422(as_editor, posts_url):
    assert_error(as_editor.post(posts_url), 422, "validation_error")


def test_unknown_fields_are_rejected_not_ignored(as_editor, posts_url):
    error = assert_error(as_editor.post(posts_url, {"headline": "x", "colour": "red"}), 422)
    assert error["fields"] == {"colour": "Unknown field."}


def test_wrong_types_name_each_field(as_editor, posts_url):
    error = assert_error(as_editor.post(posts_url, {"headline": 5, "tags": "a,b", "pinned": "yes",
                                                    "media": [True], "authors": [None]}), 422)
    assert set(error["fields"]) >= {"headline", "tags", "pinned", "media[0]"}


def test_missing_and_bad_tokens_are_401(anon, posts_url, blog):
    assert_error(anon.post(posts_url, {"headline": "x"}), 401, "not_authenticated")
    bad = ApiClient("dl_not-a-real-token")
    assert_error(bad.post(posts_url, {"headline": "x"}), 401, "not_authenticated")
    # reads need no token, but a bad one is refused rather than quietly treated as anonymous
    assert_error(bad.get(posts_url), 401, "not_authenticated")
    r = anon.get(posts_url, headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert_error(r, 401, "not_authenticated")
    assert r["WWW-Authenticate"].startswith("Bearer")


def test_inactive_users_token_is_401(tokens, actors, posts_url):
    actors["reporter"].is_active = False
    actors["reporter"].save()
    assert_error(ApiClient(tokens["reporter"]).post(posts_url, {"headline": "x"}), 401)


def test_forbidden_is_403(as_contributor, blog):
    assert_error(as_contributor.patch(f"/blogs/{blog.slug}", {"title": "x"}), 403, "forbidden")


def test_unknown_paths_are_404_json(anon):
    assert_error(anon.get("/nothing/here"), 404, "not_found")
    assert_error(anon.get("/api/v1/"), 404, "not_found")
    assert_error(anon.get("/blogs/x/posts/1/whatever"), 404, "not_found")


def test_method_not_allowed_is_405_json_with_allow(anon, blog):
    r = anon.request("PUT", f"/blogs/{blog.slug}/posts", {})
    assert_error(r, 405, "method_not_allowed")
    assert set(r["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert_error(anon.request("DELETE", "/blogs"), 405)


def test_an_oversized_body_is_413_json(as_editor, posts_url, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    r = as_editor.post(posts_url, {"headline": "x", "body": "<p>" + "a" * 20_000 + "</p>"})
    error = assert_error(r, 413, "payload_too_large")
    assert "10,000" in error["message"]


def _refuse(size: int, limit: int, settings) -> tuple[int, int]:
    import io

    from django.core.handlers.wsgi import WSGIRequest

    from dateline.api.core import json_edges

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = limit
    stream = io.BytesIO(b"x" * size)
    request = WSGIRequest({"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/media", "CONTENT_LENGTH": str(size),
                           "CONTENT_TYPE": "application/json", "wsgi.input": stream, "SERVER_NAME": "t",
                           "SERVER_PORT": "80", "wsgi.url_scheme": "http"})
    response = json_edges(lambda r: pytest.fail("the view must not run"))(request)
    return response.status_code, stream.tell()


def test_an_oversized_body_is_drained_before_the_answer(settings):
    """The client must be able to read the 413: the server reads the body it refuses instead of hanging up."""
    assert _refuse(8_000, 1_000, settings) == (413, 8_000)


def test_draining_stops_at_ten_times_the_limit(settings):
    """A 10 GB upload is not read to the end just to be polite: past 10x the limit the connection may close."""
    assert _refuse(50_000, 1_000, settings) == (413, 10_000)


def test_bad_values_in_query_and_path_are_422(anon, blog):
    assert_error(anon.get(f"/blogs/{blog.slug}/posts/abc"), 422)
    assert_error(anon.get(f"/blogs/{blog.slug}/posts", {"limit": "x"}), 422)


def test_malformed_multipart_is_400_not_500(tokens):
    client = Client()
    r = client.generic("POST", "/api/v1/media", b"--zzz\r\nnot a part", content_type="multipart/form-data",
                       headers={"Authorization": f"Bearer {tokens['editor']}"})
    assert r.status_code in (400, 422), r.content
    assert r["Content-Type"].startswith("application/json")


def test_every_error_is_json_even_with_html_accept(anon, blog):
    r = anon.get("/blogs/nope", headers={"Accept": "text/html"})
    assert_error(r, 404)
