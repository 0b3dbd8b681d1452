"""No metadata survives an upload: not in the stored original, not in any rendition, not in what is served.

Issue 11 item 3: a JPEG comment (COM segment) survived re-encoding into the original and the public renditions.
Each image here carries the secret in every kind of metadata its format has; the ICC colour profile is kept.
"""

from __future__ import annotations

import functools
import io
import struct
from pathlib import Path

import pytest
from django.test import Client
from PIL import Image, ImageCms, PngImagePlugin

from dateline.coverage.models import Media

SECRET = b"EMBARGOED secret"
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description>' + SECRET +
       b"</dc:description></rdf:Description></rdf:RDF></x:xmpmeta>")
SIZE = (700, 400)  # wide enough for two renditions (320w, 640w)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010E] = SECRET.decode()  # ImageDescription
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 27: b"ASCII\0\0\0" + SECRET}  # GPS, with a processing method
    return exif


def _iptc_app13() -> bytes:
    """A Photoshop APP13 segment with an IPTC caption (2:120) — what a wire service's captioning tool writes."""
    dataset = b"\x1c\x02\x78" + struct.pack(">H", len(SECRET)) + SECRET
    resource = b"8BIM" + b"\x04\x04" + b"\x00\x00" + struct.pack(">I", len(dataset)) + dataset
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


@functools.cache  # once: a created profile carries its creation time, so two calls can differ
def _srgb() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", SIZE, (120, 40, 40)).save(out, "JPEG", comment=SECRET, xmp=XMP, exif=_exif(),
                                               icc_profile=_srgb())
    data = out.getvalue()
    data = data[:2] + _iptc_app13() + data[2:]  # right after SOI
    assert data.count(SECRET) >= 5  # COM, XMP, EXIF description, GPS, IPTC
    return data


def _png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET.decode())  # tEXt
    info.add_text("Description", SECRET.decode(), zip=True)  # zTXt
    info.add_itxt("XML:com.adobe.xmp", XMP.decode(), lang="en")  # iTXt
    out = io.BytesIO()
    Image.new("RGBA", SIZE, (0, 80, 0, 128)).save(out, "PNG", pnginfo=info, exif=_exif(), icc_profile=_srgb())
    return out.getvalue()


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", SIZE, 3).save(out, "GIF", comment=SECRET)
    return out.getvalue()


def _webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", SIZE, (10, 20, 200)).save(out, "WEBP", exif=_exif(), xmp=XMP, icc_profile=_srgb())
    return out.getvalue()


def _upload(editor_token: str, data: bytes, name: str) -> dict:
    upload = io.BytesIO(data)
    upload.name = name
    response = Client().post("/api/v1/media", {"file": upload, "caption": "A harbour at dusk"},
                             headers={"Authorization": f"Bearer {editor_token}"})
    assert response.status_code == 201, response.content
    return response.json()


def _served(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)  # read to the end: the test client then closes the file


@pytest.mark.parametrize(("maker", "name"), [(_jpeg, "photo.jpg"), (_png, "chart.png"), (_gif, "map.gif"),
                                             (_webp, "photo.webp")])
def test_every_stored_and_served_byte_is_free_of_the_secret(tokens, actors, settings, maker, name):
    source = maker()
    assert SECRET in source or SECRET in source.replace(b"\0", b"")
    media = _upload(tokens["editor"], source, name)
    stored = Media.objects.get(pk=media["id"])
    names = [stored.file.name, *(r["file"] for r in stored.renditions)]
    assert len(names) == 3
    editor = Client()
    editor.force_login(actors["editor"])
    for path, url in zip(names, [media["url"], *(r["url"] for r in media["renditions"])], strict=True):
        for data in ((Path(settings.MEDIA_ROOT) / path).read_bytes(), _served(editor, url)):
            assert SECRET not in data, (path, data[:200])
            assert b"EMBARGOED" not in data.upper() and b"xmpmeta" not in data and b"Photoshop" not in data
            with Image.open(io.BytesIO(data)) as image:
                assert dict(image.getexif()) == {}, path
                assert not {"comment", "xmp", "exif", "photoshop", "Comment", "Description",
                            "XML:com.adobe.xmp"} & set(image.info), (path, set(image.info))
                if maker is not _gif:  # colour stays right: the ICC profile is the one thing kept
                    assert image.info.get("icc_profile") == _srgb(), path
