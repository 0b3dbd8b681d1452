"""Verification labels (verified / unverified / disputed): the action, the API, the reader page and the desk."""

from __future__ import annotations

import json

import pytest

from dateline.coverage import actions
from dateline.coverage.errors import ValidationFailed
from dateline.coverage.models import Change, Post
from tests.api.conftest import assert_error


def test_a_label_is_part_of_the_post_and_changing_it_is_one_change(reporter, blog):
    post = actions.create_post(reporter, blog, headline="Claims of two deaths", body="<p>A councillor says so.</p>",
                               verification="unverified", verification_note="Police have not confirmed this.")
    assert post.verification == "unverified"
    assert '<p class="post__label post__label--unverified">Unverified</p>' in post.html
    seq = Change.objects.filter(blog=blog).count()
    post = actions.edit_post(reporter, post, verification="disputed")
    changes = list(Change.objects.filter(blog=blog, seq__gt=seq))
    assert [c.type for c in changes] == ["post.updated"]
    data = json.loads(changes[0].data)
    assert data["post"]["verification"] == "disputed" and "post__label--disputed" in data["html"]
    post = actions.edit_post(reporter, post, verification="")  # the label removed
    assert post.verification == "" and "post__label" not in post.html
    assert actions.edit_post(reporter, post, verification="").version == post.version  # no change, no write


@pytest.mark.parametrize("bad", ["maybe", "Verified", 1, ["verified"]])
def test_an_unknown_label_is_refused_naming_the_choices(reporter, blog, bad):
    with pytest.raises(ValidationFailed) as refused:
        actions.create_post(reporter, blog, headline="x", verification=bad)
    assert "verified, unverified, disputed" in refused.value.fields["verification"]
    assert not Post.objects.filter(blog=blog).exists()


def test_the_api_takes_and_answers_the_label(as_reporter, anon, blog):
    url = f"/blogs/{blog.slug}/posts"
    r = as_reporter.post(url, {"headline": "Video of the dam", "body": "<p>Shared widely.</p>",
                               "verification": "verified", "verification_note": "Located by our team."})
    assert r.status_code == 201, r.data
    assert r.data["verification"] == "verified"
    assert anon.get(f"{url}/{r.data['id']}").data["verification"] == "verified"
    patched = as_reporter.patch(f"{url}/{r.data['id']}", {"verification": None}, headers={"If-Match": r["ETag"]})
    assert patched.status_code == 200 and patched.data["verification"] == ""
    assert_error(as_reporter.post(url, {"headline": "x", "verification": "probably"}), 422)
    schema = anon.get("/openapi.json").data["components"]["schemas"]
    assert set(schema["PostOut"]["properties"]["verification"]["enum"]) == {"", "verified", "unverified", "disputed"}


def test_the_reader_page_and_json_ld_show_the_label(client, reporter, blog):
    actions.create_post(reporter, blog, headline="Claims of two deaths", body="<p>A councillor says so.</p>",
                        verification="unverified", verification_note="Police have not confirmed this.")
    html = client.get(f"/live/{blog.slug}/").content.decode()
    assert '<p class="post__label post__label--unverified">Unverified</p>' in html
    assert "Verification: Unverified. Police have not confirmed this." in html  # JSON-LD articleBody


def test_the_desk_files_and_edits_with_a_label(client, reporter, blog):
    client.force_login(reporter)
    response = client.post(f"/newsroom/{blog.slug}/compose", {
        "headline": "Claims of two deaths", "body": "<p>A councillor says so.</p>", "verification": "unverified",
        "intent": "publish"})
    assert response.status_code == 302
    post = Post.objects.get(blog=blog)
    assert post.verification == "unverified"
    form = client.get(f"/newsroom/{blog.slug}/posts/{post.pk}/edit").content.decode()
    assert '<option value="unverified" selected>Unverified</option>' in form
    refused = client.post(f"/newsroom/{blog.slug}/compose", {"headline": "x", "verification": "maybe",
                                                             "intent": "publish"})
    assert refused.status_code == 422 and Post.objects.filter(blog=blog).count() == 1
