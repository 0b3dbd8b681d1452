"""Images filed through the composer: stored via the media action, and every bad upload refused with a clear message
while the rest of the post stays in the form."""

from __future__ import annotations

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dateline.coverage import images
from dateline.coverage.models import Media, Post
from tests.newsroom.conftest import png_bytes


def png_claiming(width: int, height: int) -> bytes:
    """A 100-byte PNG whose header claims ``width`` x ``height`` pixels: a decompression bomb's calling card."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def file_post(client, blog, upload, **extra):
    return client.post(f"/newsroom/{blog.slug}/compose", {
        "headline": "Crowds at the bridge", "body": "<p>Hundreds gathered.</p>", "intent": "publish",
        "image": upload, "caption": "Crowds on the north bank, Tuesday.", "credit": "Jo Lens / Courier",
        "alt": "A crowd beside a closed bridge", **extra})


def test_an_image_with_caption_credit_and_alt_is_published_with_the_post(signed_in, blog):
    response = file_post(signed_in("reporter"), blog, SimpleUploadedFile("crowd.png", png_bytes(), "image/png"))
    assert response.status_code == 302
    post = Post.objects.get(headline="Crowds at the bridge")
    media = post.media.get()
    assert (media.caption, media.credit, media.alt, media.width) == (
        "Crowds on the north bank, Tuesday.", "Jo Lens / Courier", "A crowd beside a closed bridge", 40)
    assert "<figcaption>Crowds on the north bank, Tuesday." in post.html and "Jo Lens / Courier" in post.html


@pytest.mark.parametrize("side", [10_000, 50_000])
def test_a_decompression_bomb_is_refused_before_decoding(signed_in, blog, side):
    bomb = SimpleUploadedFile("bomb.png", png_claiming(side, side), "image/png")
    response = file_post(signed_in("reporter"), blog, bomb)
    html = response.content.decode()
    assert response.status_code == 422
    assert "The image is too large" in html and "40 megapixels" in html
    assert "Hundreds gathered." in html  # the rest of the post is kept
    assert not Post.objects.exists() and not Media.objects.exists()


def test_a_file_that_is_not_an_image_but_named_jpg_is_refused(signed_in, blog):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 this is a program, not a photo", "image/jpeg")
    response = file_post(signed_in("reporter"), blog, fake)
    assert response.status_code == 415
    assert "The file is not an image we can read. Upload a JPEG, PNG, GIF or WebP image." in response.content.decode()
    assert not Post.objects.exists()


def test_an_oversize_file_is_refused_with_the_limit(signed_in, blog, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    big = SimpleUploadedFile("huge.png", png_bytes() + b"\x00" * 30_000, "image/png")
    response = file_post(signed_in("reporter"), blog, big)
    html = response.content.decode()
    assert response.status_code == 413
    assert "at most 20,000 bytes are accepted" in html
    assert not Post.objects.exists()


def test_an_image_kept_from_a_refused_attempt_is_attached_without_uploading_again(signed_in, blog):
    client = signed_in("reporter")
    upload = SimpleUploadedFile("crowd.png", png_bytes(), "image/png")
    refused = file_post(client, blog, upload, tags=",".join(f"t{i}" for i in range(30)))
    assert refused.status_code == 422
    media = Media.objects.get()
    assert f'name="media_id" value="{media.pk}"' in refused.content.decode()
    response = client.post(f"/newsroom/{blog.slug}/compose", {"headline": "Fixed", "media_id": media.pk,
                                                              "intent": "publish"})
    assert response.status_code == 302
    assert Post.objects.get(headline="Fixed").media.get() == media


def test_the_composer_answers_503_when_no_decode_slot_frees_in_time_never_500(signed_in, blog, settings):
    settings.DATELINE_IMAGE_DECODE_CONCURRENCY = 1
    settings.DATELINE_IMAGE_DECODE_WAIT = 0.01
    held = images._SLOTS.semaphore()
    assert held.acquire(blocking=False)
    try:
        image = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
        response = signed_in("reporter").post(f"/newsroom/{blog.slug}/compose",
                                              {"headline": "Harbour", "image": image, "alt": "A harbour"})
    finally:
        held.release()
    assert response.status_code == 503
    assert response["Retry-After"]
