"""Uploaded images get responsive sizes (and a thumbnail); pages offer them with srcset."""

from __future__ import annotations

import io

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dateline.coverage import actions
from dateline.coverage.actions import upload_image
from dateline.coverage.serializers import media_data


def png(width: int, height: int) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 80, 140)).save(out, "PNG")
    return SimpleUploadedFile("photo.png", out.getvalue(), "image/png")


def test_a_large_image_gets_every_smaller_size_with_its_aspect_ratio(reporter, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    media = upload_image(reporter, png(2000, 1000), caption="River", credit="Staff", alt="A river")
    assert [(r["width"], r["height"]) for r in media.renditions] == [(320, 160), (640, 320), (1024, 512), (1600, 800)]
    for rendition in media.renditions:
        with default_storage.open(rendition["file"]) as f, Image.open(f) as image:
            assert image.size == (rendition["width"], rendition["height"])
    data = media_data(media)
    assert [r["width"] for r in data["renditions"]] == [320, 640, 1024, 1600]
    assert data["renditions"][0]["url"].startswith("/media/")


def test_a_small_image_is_only_itself(reporter, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    media = upload_image(reporter, png(300, 200), alt="Small")
    assert media.renditions == [] and media.srcset == ""


def test_the_post_fragment_offers_the_sizes_with_srcset(reporter, blog, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    media = upload_image(reporter, png(1200, 675), caption="Flooded street", credit="Staff", alt="Water")
    post = actions.create_post(reporter, blog, headline="Photo", media=[media.pk])
    assert 'srcset="/media/' in post.html
    assert " 320w, " in post.html and " 1024w, " in post.html and f"{media.file.url} 1200w" in post.html
    assert 'sizes="(min-width: 60em) 740px, 100vw"' in post.html


def test_a_failure_half_way_through_the_sizes_leaves_no_file_behind(reporter, settings, tmp_path, monkeypatch):
    """A full disk on the third size: the original and the sizes already written are removed, no row is made."""
    import pytest

    from dateline.coverage.models import Media

    settings.MEDIA_ROOT = tmp_path
    real_save, calls = default_storage.save, []

    def save(name, content, *args, **kwargs):
        calls.append(name)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real_save(name, content, *args, **kwargs)

    monkeypatch.setattr(default_storage, "save", save)
    with pytest.raises(OSError):
        upload_image(reporter, png(2000, 1000), alt="Full disk")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert not Media.objects.exists()
