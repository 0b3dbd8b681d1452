"""The edit page changes a post's images: caption, credit and alt of an attached image (as a copy, so other posts
using the image keep theirs), removing one, and adding one — all through ``edit_post``, so readers get one
``post.updated`` with the new fragment and the post a revision."""

from __future__ import annotations

import json
import re

from django.core.files.uploadedfile import SimpleUploadedFile

from dateline.audit.models import AuditEntry
from dateline.coverage import actions
from dateline.coverage.actions import upload_image
from dateline.coverage.models import Media, Post
from tests.newsroom.conftest import png_bytes


def image(user, caption="Crowds on the north bank.", credit="Jo Lens", alt="A crowd"):
    return upload_image(user, SimpleUploadedFile("a.png", png_bytes(), "image/png"), caption=caption, credit=credit,
                        alt=alt)


def edit_url(blog, post):
    return f"/newsroom/{blog.slug}/posts/{post.pk}/edit"


def form_data(client, blog, post) -> dict:
    """What the edit page's form would send untouched: every named input, textarea and selected option."""
    html = client.get(edit_url(blog, post)).content.decode()
    start = html.index('id="edit-form"')
    form = html[start:html.index("</form>", start)]
    data: dict = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="file"' in tag or 'type="checkbox"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data.setdefault(name.group(1), []).append(value.group(1) if value else "")
    for name, value in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = [value]
    data["verification"] = [""]
    data.pop("csrfmiddlewaretoken", None)
    return data


def published_with_image(actors, blog):
    photo = image(actors["reporter"])
    return actions.create_post(actors["reporter"], blog, headline="Bridge", body="<p>Crowds.</p>",
                               media=[photo.pk]), photo


def test_the_edit_page_shows_the_attached_images_texts(signed_in, actors, blog):
    post, photo = published_with_image(actors, blog)
    html = signed_in("reporter").get(edit_url(blog, post)).content.decode()
    assert f'name="media" value="{photo.pk}"' in html
    assert f'name="media-{photo.pk}-caption"' in html and "Crowds on the north bank." in html
    assert f'name="media-{photo.pk}-alt"' in html and 'value="A crowd"' in html
    assert 'enctype="multipart/form-data"' in html


def test_a_caption_edit_is_one_post_updated_and_leaves_other_posts_using_the_image_alone(signed_in, actors, blog):
    post, photo = published_with_image(actors, blog)
    other = actions.create_post(actors["reporter"], blog, headline="Same photo", media=[photo.pk])
    client = signed_in("editor")
    data = form_data(client, blog, post)
    seq = blog.changes.count()
    data[f"media-{photo.pk}-caption"] = ["Crowds on the north bank, Tuesday evening."]
    data[f"media-{photo.pk}-credit"] = ["Jo Lens / Courier"]
    data[f"media-{photo.pk}-alt"] = ["A crowd beside the closed bridge"]
    assert client.post(edit_url(blog, post), data).status_code == 302
    post.refresh_from_db()
    new = post.media.get()
    assert new.pk != photo.pk and new.file.name == photo.file.name  # a copy sharing the stored file
    assert (new.caption, new.credit, new.alt) == ("Crowds on the north bank, Tuesday evening.", "Jo Lens / Courier",
                                                  "A crowd beside the closed bridge")
    assert "Tuesday evening." in post.html and 'alt="A crowd beside the closed bridge"' in post.html
    change = blog.changes.order_by("-seq").first()
    assert blog.changes.count() == seq + 1 and change.type == "post.updated"
    assert "Tuesday evening." in json.loads(change.data)["html"]
    assert post.revisions.count() == 2
    assert AuditEntry.objects.filter(action="media.copy", detail__from=photo.pk).exists()
    other.refresh_from_db()
    assert "<figcaption>Crowds on the north bank. <span" in other.html and "Tuesday evening" not in other.html
    assert list(other.media.all()) == [photo]
    photo.refresh_from_db()
    assert photo.caption == "Crowds on the north bank."


def test_saving_untouched_image_texts_changes_nothing(signed_in, actors, blog):
    """The browser sends a textarea's line breaks as \\r\\n: that is not an edit, so no copy and no change."""
    photo = image(actors["reporter"], caption="Line one.\nLine two.")
    post = actions.create_post(actors["reporter"], blog, headline="Bridge", media=[photo.pk])
    client = signed_in("reporter")
    data = form_data(client, blog, post)
    data[f"media-{photo.pk}-caption"] = ["Line one.\r\nLine two."]
    before = (Media.objects.count(), blog.changes.count())
    assert client.post(edit_url(blog, post), data).status_code == 302
    assert (Media.objects.count(), blog.changes.count()) == before
    post.refresh_from_db()
    assert post.version == 1


def test_an_image_is_removed_and_another_added(signed_in, actors, blog):
    post, photo = published_with_image(actors, blog)
    client = signed_in("reporter")
    data = form_data(client, blog, post)
    data[f"media-{photo.pk}-remove"] = ["1"]
    data.update(image=SimpleUploadedFile("b.png", png_bytes(60, 40), "image/png"), caption=["The reopened bridge."],
                credit=["Rita"], alt=["Cars crossing the bridge"])
    assert client.post(edit_url(blog, post), data).status_code == 302
    post.refresh_from_db()
    added = post.media.get()
    assert added.pk != photo.pk and (added.width, added.caption) == (60, "The reopened bridge.")
    assert "The reopened bridge." in post.html and "Crowds on the north bank." not in post.html
    assert blog.changes.order_by("-seq").first().type == "post.updated"


def test_a_stale_save_with_a_caption_edit_writes_nothing(signed_in, actors, blog):
    """The copy is made in the save's transaction: refused for a newer version, it is rolled back with it."""
    post, photo = published_with_image(actors, blog)
    client = signed_in("reporter")
    data = form_data(client, blog, post)
    actions.edit_post(actors["editor"], post, headline="Bridge (updated)")
    data[f"media-{photo.pk}-caption"] = ["A new caption."]
    count = Media.objects.count()
    response = client.post(edit_url(blog, post), data)
    assert response.status_code == 409
    assert Media.objects.count() == count
    assert list(Post.objects.get(pk=post.pk).media.all()) == [photo]


def test_a_contributor_cannot_slip_a_colleagues_upload_into_their_draft_through_the_edit_form(signed_in, actors,
                                                                                               blog):
    """The edit form's media ids go through ``edit_post``, which refuses media that are not the person's to attach."""
    draft = actions.create_post(actors["contributor"], blog, headline="My draft")
    embargoed = image(actors["reporter"], caption="Embargoed")
    client = signed_in("contributor")
    data = form_data(client, blog, draft)
    data["media"] = [str(embargoed.pk)]
    response = client.post(edit_url(blog, draft), data)
    assert response.status_code == 403
    assert "only media you uploaded" in response.content.decode()
    assert not Post.objects.get(pk=draft.pk).media.exists()


def test_a_reporter_cannot_change_the_image_of_someone_elses_post(signed_in, actors, blog):
    post = actions.create_post(actors["editor"], blog, headline="Editor's post", media=[image(actors["editor"]).pk])
    photo = post.media.get()
    data = {"headline": "Editor's post", "body": "", "tags": "", "version": "1", "media_form": "1",
            "media": [str(photo.pk)], f"media-{photo.pk}-caption": "Hijacked caption"}
    response = signed_in("reporter").post(edit_url(blog, post), data)
    assert response.status_code == 403
    assert not Media.objects.filter(caption="Hijacked caption").exists()


def test_an_image_added_to_a_refused_save_is_kept_for_the_next_attempt(signed_in, actors, blog):
    """A save the action refuses (here: a correction on a draft) does not ask for the uploaded file again."""
    draft = actions.create_post(actors["reporter"], blog, headline="Draft", status="draft")
    client = signed_in("reporter")
    data = form_data(client, blog, draft)
    data.update(image=SimpleUploadedFile("b.png", png_bytes(), "image/png"), caption=["Kept."],
                correction=["Not on a draft."])
    response = client.post(edit_url(blog, draft), data)
    assert response.status_code == 422
    kept = Media.objects.get(caption="Kept.")
    html = response.content.decode()
    assert f'name="media_id" value="{kept.pk}"' in html and 'id="attached"' in html
    data.pop("image")
    data.update(media_id=[str(kept.pk)], correction=[""])
    assert client.post(edit_url(blog, draft), data).status_code == 302
    assert list(Post.objects.get(pk=draft.pk).media.all()) == [kept]
