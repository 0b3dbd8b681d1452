"""Corrections through the API: PATCH carries an optional ``correction``; posts answer their ``corrections``."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dateline.api.schemas import CorrectionOut
from dateline.coverage import actions
from dateline.coverage.models import Change, Correction
from dateline.coverage.serializers import correction_data
from tests.api.conftest import assert_error

NOTE = "An earlier version of this post misstated the river level as 4.2m; it was 2.4m."


@pytest.fixture
def posts_url(blog):
    return f"/blogs/{blog.slug}/posts"


@pytest.fixture
def published(as_reporter, posts_url):
    r = as_reporter.post(posts_url, {"headline": "River level", "body": "<p>2.4m at Town Bridge.</p>"})
    assert r.status_code == 201, r.data
    return r


def test_patch_with_a_correction_publishes_it_as_one_change(as_editor, anon, blog, posts_url, published):
    url = f"{posts_url}/{published.data['id']}"
    seq = blog.changes.count()
    r = as_editor.patch(url, {"correction": NOTE}, headers={"If-Match": published["ETag"]})
    assert r.status_code == 200, r.data
    assert r.data["version"] == 2 and r["ETag"] == f'"{published.data["id"]}-2"'
    assert [c["note"] for c in r.data["corrections"]] == [NOTE]
    assert r.data["corrections"][0]["created_at"].endswith("+00:00")
    # Readers get exactly one change, and anyone reading the post sees the correction.
    assert blog.changes.count() == seq + 1
    change = json.loads(Change.objects.filter(blog=blog).order_by("seq").last().data)
    assert change["type"] == "post.updated" and NOTE in change["html"]
    assert anon.get(url).data["corrections"] == r.data["corrections"]
    assert anon.get(posts_url).data["items"][0]["corrections"] == r.data["corrections"]


def test_patch_rules_are_unchanged_for_corrections(as_editor, posts_url, published):
    url = f"{posts_url}/{published.data['id']}"
    assert_error(as_editor.patch(url, {"correction": NOTE}), 428)
    as_editor.patch(url, {"headline": "River level, 10am"}, headers={"If-Match": published["ETag"]})
    stale = assert_error(as_editor.patch(url, {"correction": NOTE}, headers={"If-Match": published["ETag"]}), 412)
    assert stale["current"]["corrections"] == []
    assert not Correction.objects.exists()


def test_a_correction_on_a_draft_or_too_long_or_not_text_is_a_422(as_contributor, as_editor, posts_url,
                                                                  published):
    draft = as_contributor.post(posts_url, {"headline": "Unchecked"})
    error = assert_error(as_editor.patch(f"{posts_url}/{draft.data['id']}", {"correction": NOTE},
                                         headers={"If-Match": draft["ETag"]}), 422, "validation_error")
    assert "correction" in error["fields"] and "published" in error["message"]
    url = f"{posts_url}/{published.data['id']}"
    error = assert_error(as_editor.patch(url, {"correction": "x" * 501}, headers={"If-Match": published["ETag"]}),
                         422, "validation_error")
    assert error["fields"] == {"correction": "At most 500 characters."}
    error = assert_error(as_editor.patch(url, {"correction": 5}, headers={"If-Match": published["ETag"]}), 422)
    assert "correction" in json.dumps(error)
    assert not Correction.objects.exists()


def test_post_does_not_take_a_correction(as_reporter, posts_url):
    """A new post has nothing to correct: the create schema forbids the field, like any unknown one."""
    assert_error(as_reporter.post(posts_url, {"headline": "New", "correction": NOTE}), 422)


def test_openapi_documents_the_correction(anon, editor, blog):
    schemas = anon.get("/openapi.json").data["components"]["schemas"]
    assert schemas["PostPatch"]["properties"]["correction"]["anyOf"][0]["type"] == "string"
    assert "correction" not in schemas["PostCreate"]["properties"]
    assert "corrections" in schemas["PostOut"]["required"]
    assert set(schemas["CorrectionOut"]["properties"]) == {"note", "created_at"}
    post = actions.create_post(editor, blog, headline="x")
    actions.patch_post(editor, post, correction="Fixed.")
    assert set(CorrectionOut.model_fields) == set(correction_data(Correction.objects.get()))


def test_corrections_do_not_cost_a_query_per_post(client, blog, reporter, editor):
    """A page of 20 corrected posts costs the same queries as a page of 20 uncorrected ones (prefetched)."""
    counts = []
    for corrected in (False, True):
        other = actions.create_blog(editor, title=f"Blog {corrected}")
        for i in range(20):
            post = actions.create_post(reporter, other, headline=f"p{i}", body="<p>x</p>")
            if corrected:
                actions.patch_post(editor, post, correction=f"Fix {i}.")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/v1/blogs/{other.slug}/posts?limit=20")
        assert response.status_code == 200
        assert all(bool(p["corrections"]) is corrected for p in response.json()["items"])
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 7
