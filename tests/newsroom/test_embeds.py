"""Embedding a video or social post from the composer: the link goes through the media action, and every refusal
is shown next to the field while the rest of the post stays in the form."""

from __future__ import annotations

from dateline.coverage.models import Media, Post


def file_post(client, blog, **extra):
    return client.post(f"/newsroom/{blog.slug}/compose", {
        "headline": "The view from above", "body": "<p>Coastguard footage.</p>", "intent": "publish", **extra})


def test_the_composer_offers_an_embed_field(signed_in, blog, oembed):
    html = signed_in("reporter").get(f"/newsroom/{blog.slug}/").content.decode()
    assert '<label for="id_embed_url">Embed a video or social post (URL)</label>' in html
    assert 'name="embed_url"' in html and "Newsreel, Chirp" in html


def test_a_post_with_an_embed_link_is_published_with_the_player(signed_in, blog, oembed):
    response = file_post(signed_in("reporter"), blog, embed_url="https://video.test/watch/ok")
    assert response.status_code == 302
    post = Post.objects.get(headline="The view from above")
    media = post.media.get()
    assert media.kind == Media.Kind.EMBED and media.uploaded_by.username == "reporter1"
    assert 'src="https://player.video.test/embed/ok?rel=0&amp;autoplay=0"' in post.html
    assert "<script" not in post.html


def test_a_link_that_cannot_be_embedded_is_explained_next_to_the_field(signed_in, blog, oembed):
    response = file_post(signed_in("reporter"), blog, embed_url="https://video.test/watch/evil-host")
    html = response.content.decode()
    assert response.status_code == 422
    assert '<span class="field__error" id="embed-error" role="alert">' in html
    assert "which is not on the list of hosts allowed for Newsreel" in html
    assert 'aria-invalid="true"' in html and "Coastguard footage." in html  # the rest of the post is kept
    assert not Post.objects.exists() and not Media.objects.exists()

    response = file_post(signed_in("reporter"), blog, embed_url="https://unknown.example/v/1")
    assert response.status_code == 422 and "Links from unknown.example cannot be embedded" in response.content.decode()


def test_an_embed_kept_from_a_refused_post_is_not_looked_up_again(signed_in, blog, oembed):
    client = signed_in("reporter")
    refused = file_post(client, blog, embed_url="https://social.test/post/1",
                        tags=",".join(f"t{i}" for i in range(30)))
    assert refused.status_code == 422
    media = Media.objects.get()
    html = refused.content.decode()
    assert f'name="embed_id" value="{media.pk}"' in html and "Embed attached:" in html
    response = file_post(client, blog, embed_url="https://social.test/post/1", embed_id=media.pk)
    assert response.status_code == 302
    assert Post.objects.get().media.get() == media and Media.objects.count() == 1
    assert len(oembed.requests) == 1


def test_an_embed_and_an_image_can_go_together(signed_in, blog, oembed):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.newsroom.conftest import png_bytes

    response = file_post(signed_in("reporter"), blog, embed_url="https://social.test/post/1",
                         image=SimpleUploadedFile("crowd.png", png_bytes(), "image/png"), alt="A crowd")
    assert response.status_code == 302
    assert [m.kind for m in Post.objects.get().media.order_by("postmedia__position")] == ["image", "embed"]
