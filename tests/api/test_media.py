"""POST /api/v1/media: image uploads (checked, re-encoded, EXIF stripped) and video records."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from dateline.coverage.models import Media
from tests.api.conftest import assert_error


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(token, file=None, **fields):
    client = Client()
    data = {**fields}
    if file is not None:
        data["file"] = file
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/media", data, headers=headers)


def _image(fmt="JPEG", size=(40, 20), exif=None, name="photo.jpg", mode="RGB") -> SimpleUploadedFile:
    out = io.BytesIO()
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, fmt, **kwargs)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")


def _png_claiming(width: int, height: int) -> SimpleUploadedFile:
    """A ~70-byte PNG whose header claims ``width`` x ``height`` pixels: a decompression bomb's calling card."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    return SimpleUploadedFile("bomb.png", data, content_type="image/png")


def test_upload_returns_the_media_object_with_its_id(tokens):
    r = _upload(tokens["reporter"], _image(), caption="Traffic backs up on the A40",
                credit="Jane Doe / Courier", alt="Queue of cars on a motorway at dusk")
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["kind"] == "image" and isinstance(data["id"], int)
    assert (data["width"], data["height"]) == (40, 20)
    assert data["caption"] == "Traffic backs up on the A40" and data["credit"] == "Jane Doe / Courier"
    assert data["alt"].startswith("Queue of cars")
    assert data["url"].startswith("/media/images/") and data["url"].endswith(".jpg")
    assert Media.objects.get(pk=data["id"]).uploaded_by.username == "reporter1"


def test_exif_is_stripped_and_orientation_applied(tokens, settings):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    r = _upload(tokens["contributor"], _image(size=(40, 20), exif=exif))
    assert r.status_code == 201, r.content
    data = r.json()
    assert (data["width"], data["height"]) == (20, 40)  # upright now
    stored = Path(settings.MEDIA_ROOT) / Media.objects.get(pk=data["id"]).file.name
    with Image.open(stored) as image:
        assert image.size == (20, 40)
        assert dict(image.getexif()) == {}
    assert b"SecretCam" not in stored.read_bytes()


def test_png_keeps_transparency(tokens):
    r = _upload(tokens["editor"], _image("PNG", mode="RGBA", name="chart.png"))
    assert r.status_code == 201 and r.json()["url"].endswith(".png")


def test_a_header_claiming_too_many_pixels_is_refused_before_decoding(tokens, settings):
    # 10,000 x 5,000 = 50 MP: over our 40 MP default, under Pillow's own bomb threshold
    error = assert_error(_upload(tokens["editor"], _png_claiming(10_000, 5_000)), 422, "image_too_large")
    assert "40,000,000" in error["message"] and "10000 x 5000" in error["message"]
    assert Media.objects.count() == 0


def test_a_decompression_bomb_beyond_pillows_limit_is_refused(tokens):
    assert_error(_upload(tokens["editor"], _png_claiming(60_000, 60_000)), 422, "image_too_large")


def test_the_pixel_limit_is_configurable(tokens, settings):
    settings.DATELINE_MAX_IMAGE_PIXELS = 500
    assert_error(_upload(tokens["editor"], _image(size=(40, 20))), 422, "image_too_large")
    assert _upload(tokens["editor"], _image(size=(20, 20))).status_code == 201


def test_a_text_file_named_jpg_is_415(tokens):
    fake = SimpleUploadedFile("photo.jpg", b"Just some notes, not a photo.\n" * 20, content_type="image/jpeg")
    error = assert_error(_upload(tokens["editor"], fake), 415, "unsupported_media_type")
    assert "JPEG, PNG, GIF or WebP" in error["message"]


def test_other_image_formats_are_415(tokens):
    assert_error(_upload(tokens["editor"], _image("TIFF", name="scan.tif")), 415)
    assert_error(_upload(tokens["editor"], _image("BMP", name="old.bmp")), 415)


def test_a_truncated_image_is_422(tokens):
    whole = _image(size=(400, 300)).read()
    cut = SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2], content_type="image/jpeg")
    assert_error(_upload(tokens["editor"], cut), 422, "image_unreadable")


def test_an_oversize_file_is_413(tokens, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * 5_000, content_type="image/jpeg")
    error = assert_error(_upload(tokens["editor"], big), 413, "payload_too_large")
    assert "2,000" in error["message"]


def test_the_upload_action_refuses_files_over_the_limit(editor, settings):
    from dateline.coverage.actions import upload_image
    from dateline.coverage.errors import PayloadTooLarge

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    with pytest.raises(PayloadTooLarge):
        upload_image(editor, _image())


def test_upload_form_errors(tokens):
    error = assert_error(_upload(tokens["editor"], None, caption="no file"), 422, "validation_error")
    assert "file" in error["fields"]
    error = assert_error(_upload(tokens["editor"], _image(), colour="red"), 422)
    assert error["fields"] == {"colour": "Unknown field."}
    error = assert_error(_upload(tokens["editor"], _image(), alt="x" * 301), 422)
    assert "alt" in error["fields"]


def test_upload_needs_a_token(tokens):
    assert_error(_upload(None, _image()), 401, "not_authenticated")


def test_video_by_json(as_contributor):
    r = as_contributor.post("/media", {"kind": "video", "url": "https://video.example/x.mp4", "title": "Clip",
                                       "duration_seconds": 3725, "credit": "Pool"})
    assert r.status_code == 201
    assert r.data["kind"] == "video" and r.data["duration"] == "1:02:05" and r.data["url"].endswith("x.mp4")


def test_video_validation(as_editor):
    error = assert_error(as_editor.post("/media", {"kind": "video", "url": "ftp://x", "title": ""}), 422)
    assert set(error["fields"]) == {"url", "title"}
    error = assert_error(as_editor.post("/media", {"kind": "image", "url": "https://x", "title": "t"}), 422)
    assert "kind" in error["fields"]
    error = assert_error(as_editor.post("/media", {"kind": "video", "url": "https://x", "title": "t",
                                                   "length": 5}), 422)
    assert error["fields"] == {"length": "Unknown field."}
    error = assert_error(as_editor.post("/media", {"kind": "video", "url": "https://x", "title": "t",
                                                   "duration_seconds": "90"}), 422)
    assert "duration_seconds" in error["fields"]
    assert_error(as_editor.post("/media", raw="{nope"), 400, "malformed_json")
    assert_error(as_editor.post("/media", raw="x", content_type="text/plain"), 415)
