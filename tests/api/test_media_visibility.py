"""Who sees an upload before it is published: its metadata (GET /api/v1/media/<id>) and its files (/media/…).

Issue 11 item 2: a contributor of one blog read a reporter's unpublished upload of another ("EMBARGOED …") through
the API, and its file was then served anonymously. Metadata goes to those who may attach it; a file is public only
while published media (a published post's, or a blog's lead media) uses it; what is deleted stops being public.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from dateline.accounts.models import User
from dateline.coverage import actions
from tests.api.conftest import ApiClient, assert_error

# Transactions really commit, as in production: the public tree changes on commit (a rollback must not publish).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def other_blog(editor):
    """Blog B, whose team is the reporter alone; the contributor works on blog A only."""
    return actions.create_blog(editor, title="Port strike")


def _jpeg(size=(1400, 700)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, (90, 120, 200)).save(out, "JPEG")
    out.seek(0)
    out.name = "photo.jpg"
    return out


def _upload(token: str) -> dict:
    response = Client().post("/api/v1/media", {"file": _jpeg(), "caption": "EMBARGOED: the minister resigns"},
                             headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.content
    return response.json()


def _urls(media: dict) -> list[str]:
    urls = [media["url"], *(r["url"] for r in media["renditions"])]
    assert len(urls) >= 3  # the original and its smaller renditions: each follows the same rule
    return urls


def _get(client: Client, url: str, **kwargs) -> Any:
    """The response with its body read (to the end: the test client then closes the file)."""
    response = client.get(url, **kwargs)
    if response.streaming:
        response.body = b"".join(response.streaming_content)
    return response


def _status(client: Client, url: str) -> int:
    return _get(client, url).status_code


def _publish_with(token: str, blog, media_id: int) -> dict:
    response = ApiClient(token).post(f"/blogs/{blog.slug}/posts", {"headline": "Minister resigns",
                                                                   "media": [media_id]})
    assert response.status_code == 201, response.content
    return response.data


def test_an_unpublished_uploads_metadata_is_404_to_anyone_who_may_not_attach_it(tokens, other_blog):
    """The contributor (not the uploader, not an editor, no post carrying it) gets 404 — the same as an unknown id,
    so ids cannot be probed; the uploader and editors get the media."""
    media = _upload(tokens["reporter"])
    url = f"/media/{media['id']}"
    error = assert_error(ApiClient(tokens["contributor"]).get(url), 404)
    assert "EMBARGOED" not in error["message"]
    assert ApiClient(tokens["reporter"]).get(url).data["caption"].startswith("EMBARGOED")
    assert ApiClient(tokens["editor"]).get(url).status_code == 200
    assert_error(ApiClient(tokens["contributor"]).get("/media/987654"), 404)


def test_once_published_any_signed_in_user_may_read_its_metadata(tokens, other_blog):
    media = _upload(tokens["reporter"])
    _publish_with(tokens["reporter"], other_blog, media["id"])
    assert ApiClient(tokens["contributor"]).get(f"/media/{media['id']}").status_code == 200


def test_an_unpublished_uploads_files_are_not_public_but_its_uploader_sees_them(tokens, actors):
    media = _upload(tokens["reporter"])
    for url in _urls(media):
        assert _status(Client(), url) == 404, url
    contributor, uploader = Client(), Client()
    contributor.force_login(actors["contributor"])
    uploader.force_login(actors["reporter"])
    for url in _urls(media):
        assert _status(contributor, url) == 404, url
        response = _get(uploader, url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "image/jpeg"
        assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_an_api_client_fetches_its_own_unpublished_file_with_its_token(tokens):
    media = _upload(tokens["reporter"])
    own = Client(headers={"Authorization": f"Bearer {tokens['reporter']}"})
    other = Client(headers={"Authorization": f"Bearer {tokens['contributor']}"})
    forged = Client(headers={"Authorization": "Bearer dl_not-a-token"})
    assert _status(own, media["url"]) == 200
    assert _status(other, media["url"]) == 404 and _status(forged, media["url"]) == 404


def test_published_media_is_public_and_cacheable_and_a_deletion_withdraws_it(tokens, other_blog, settings):
    media = _upload(tokens["reporter"])
    post = _publish_with(tokens["reporter"], other_blog, media["id"])
    anon = Client()
    for url in _urls(media):
        response = _get(anon, url)
        assert response.status_code == 200, url
        assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
        etag = response["ETag"]
        assert _get(anon, url, headers={"If-None-Match": etag}).status_code == 304
        # nginx serves this tree from disk (deploy/nginx): the published files are there
        assert (Path(settings.MEDIA_PUBLIC_ROOT) / url.removeprefix("/media/")).is_file()

    editor = ApiClient(tokens["editor"])
    post_url = f"/blogs/{other_blog.slug}/posts/{post['id']}"
    etag = editor.get(post_url)["ETag"]
    assert editor.delete(post_url, headers={"If-Match": etag}).status_code == 200
    for url in _urls(media):
        assert _status(anon, url) == 404, url
        assert not (Path(settings.MEDIA_PUBLIC_ROOT) / url.removeprefix("/media/")).exists()

    assert editor.post(f"{post_url}/restore").status_code == 200
    assert all(_status(anon, url) == 200 for url in _urls(media))


def test_an_edit_that_removes_the_image_withdraws_it_unless_another_published_post_shows_it(tokens, other_blog):
    media = _upload(tokens["reporter"])
    first = _publish_with(tokens["reporter"], other_blog, media["id"])
    second = _publish_with(tokens["reporter"], other_blog, media["id"])
    reporter = ApiClient(tokens["reporter"])
    anon = Client()
    for post in (first, second):
        url = f"/blogs/{other_blog.slug}/posts/{post['id']}"
        response = reporter.patch(url, {"media": []}, headers={"If-Match": reporter.get(url)["ETag"]})
        assert response.status_code == 200, response.content
        expected = 200 if post is first else 404  # the second post still showed it after the first edit
        assert _status(anon, media["url"]) == expected


def test_a_blogs_lead_image_is_public(tokens, other_blog):
    media = _upload(tokens["editor"])
    assert _status(Client(), media["url"]) == 404
    response = ApiClient(tokens["editor"]).patch(f"/blogs/{other_blog.slug}", {"lead_media": media["id"]})
    assert response.status_code == 200, response.content
    assert _status(Client(), media["url"]) == 200
    ApiClient(tokens["editor"]).patch(f"/blogs/{other_blog.slug}", {"lead_media": None})
    assert _status(Client(), media["url"]) == 404


def test_paths_outside_the_media_tree_are_404(actors):
    client = Client()
    client.force_login(User.objects.get(username="editor1"))
    for url in ("/media/../settings.py", "/media/%2e%2e/x", "/media/images/", "/media/images/nope.jpg"):
        assert _status(client, url) in (400, 404), url


def test_sync_public_media_rebuilds_the_public_tree_from_the_database(tokens, other_blog, settings):
    """After an upgrade (every file public under the old /media/ view) or a restore: the command links what is
    public and removes the rest."""
    from django.core.management import call_command

    published, private = _upload(tokens["reporter"]), _upload(tokens["reporter"])
    _publish_with(tokens["reporter"], other_blog, published["id"])
    root = Path(settings.MEDIA_PUBLIC_ROOT)
    stray = root / private["url"].removeprefix("/media/")
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"left over")
    for url in _urls(published):
        (root / url.removeprefix("/media/")).unlink()
    out = io.StringIO()
    call_command("sync_public_media", stdout=out)
    assert "1 public image(s)" in out.getvalue()
    assert not stray.exists()
    assert all((root / url.removeprefix("/media/")).is_file() for url in _urls(published))


def test_a_caption_edit_keeps_the_image_public_though_the_original_media_leaves_the_post(tokens, other_blog, actors):
    """A caption edit swaps in a copy that shares the original's files (``copy_with_text``): the files stay public
    while the copy is published, and go when the post is deleted."""
    from dateline.coverage.models import Post

    media = _upload(tokens["reporter"])
    post = Post.objects.get(pk=_publish_with(tokens["reporter"], other_blog, media["id"])["id"])
    editor = actors["editor"]
    original = post.media.get()
    copy = actions.copy_with_text(editor, post, original, caption="Corrected caption", credit="", alt="")
    actions.patch_post(editor, post, expected_version=post.version, media=[copy.pk])
    assert all(_status(Client(), url) == 200 for url in _urls(media))
    post.refresh_from_db()
    actions.delete_post(editor, post)
    assert all(_status(Client(), url) == 404 for url in _urls(media))
