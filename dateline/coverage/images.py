"""Image processing for uploads: checked, decoded, turned upright, re-encoded without metadata, resized.

The actions that create ``Media`` rows are in ``coverage/actions/media.py``. An uploaded image is never stored as
sent. Its header is read first and anything over
``DATELINE_MAX_IMAGE_PIXELS`` is refused before a single pixel is decoded (a 40 kB PNG can claim 50,000 x 50,000
pixels and unpack to 7.5 GB); the rest is decoded, turned upright by its EXIF orientation and re-encoded, so no
EXIF (camera serial numbers, GPS position of a source) survives into the published file. Nor does any other
metadata: JPEG comments, XMP, IPTC, PNG text chunks and GIF/WebP comments are dropped (only the ICC colour profile is
kept, since colours shift without it). At most ``DATELINE_IMAGE_DECODE_CONCURRENCY`` images are decoded at once.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from dateline.coverage.errors import Busy, UnsupportedMediaType, ValidationFailed

# Formats a newsroom camera, phone or graphics desk produces and browsers show. TIFF, BMP, PSD and friends are
# refused rather than converted: Pillow's decoders for them are a larger attack surface and nobody files them.
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")


def too_large(width: int | None = None, height: int | None = None) -> ValidationFailed:
    limit = settings.DATELINE_MAX_IMAGE_PIXELS
    size = f" ({width} x {height} pixels)" if width and height else ""
    return ValidationFailed(
        f"The image is too large{size}: at most {limit:,} pixels ({limit / 1e6:g} megapixels) are accepted.",
        fields={"file": "Too many pixels."}, code="image_too_large",
    )


def open_checked(file: IO[bytes]) -> Image.Image:
    """Open an image, read only its header, and refuse it if it claims more pixels than we accept."""
    try:
        # Pillow warns (DecompressionBombWarning) above Image.MAX_IMAGE_PIXELS and raises above twice that. Our own
        # limit is checked on the very next line from the same header, so its warning adds nothing: silence it
        # here rather than letting it reach the log (or fail a test run where warnings are errors).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(file, formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError:
        raise too_large() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UnsupportedMediaType(
            "The file is not an image we can read. Upload a JPEG, PNG, GIF or WebP image.",
            fields={"file": "Not a JPEG, PNG, GIF or WebP image."},
        ) from None
    width, height = image.size
    if width <= 0 or height <= 0 or width * height > settings.DATELINE_MAX_IMAGE_PIXELS:
        image.close()
        raise too_large(width, height)
    return image


# Responsive sizes, each made only when smaller than the original: a phone (320 CSS px), a phone at 2x or a tablet,
# the desktop post column (740 px) at up to 1.4x, and the column at 2x. The browser picks one from srcset/sizes, so
# a phone on a slow connection downloads ~30 KB instead of the photographer's 3 MB original. The smallest doubles as
# the thumbnail.
RENDITION_WIDTHS = (320, 640, 1024, 1600)


def decode_upright(image: Image.Image) -> Image.Image:
    """Decode and apply EXIF orientation: an upright copy without the orientation tag (or any other metadata)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            upright = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationFailed(
            "The image could not be decoded (it may be truncated or corrupt). Export it again and re-upload.",
            fields={"file": "Corrupt or truncated image."}, code="image_unreadable",
        ) from None
    return upright


# What of an image's ``info`` an encoder may carry over: palette transparency is part of the picture. Everything else
# there is metadata Pillow would write back — since Pillow 9.4 a JPEG's COM ``comment`` and since 11 its ``xmp`` —
# and a newsroom's embargo notes, bylines and GPS positions travel in exactly those.
KEPT_INFO = frozenset({"transparency"})


def encode(image: Image.Image, extension: str, icc_profile: bytes | None) -> bytes:
    """A fresh file without metadata (the ICC profile aside). JPEG stays JPEG; PNG keeps transparency and is
    lossless; GIF and WebP are stored as their first frame in PNG. ``image`` is our own decoded copy: its ``info``
    is cleared of metadata in place."""
    image.info = {key: value for key, value in image.info.items() if key in KEPT_INFO}
    out = io.BytesIO()
    if extension == "jpg":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
            image.info = {}
        image.save(out, "JPEG", quality=86, optimize=True, icc_profile=icc_profile, comment=b"", xmp=b"")
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
            image.info = {}
        image.save(out, "PNG", optimize=True, icc_profile=icc_profile)
    return out.getvalue()


def save_renditions(upright: Image.Image, extension: str, icc_profile: bytes | None,
                     stem: str) -> list[dict[str, Any]]:
    renditions: list[dict[str, Any]] = []
    try:
        for width in RENDITION_WIDTHS:
            if width >= upright.width:
                break
            height = max(1, round(upright.height * width / upright.width))
            small = upright.resize((width, height), Image.Resampling.LANCZOS)
            name = default_storage.save(f"{stem}-{width}w.{extension}",
                                        ContentFile(encode(small, extension, icc_profile)))
            renditions.append({"width": width, "height": height, "file": name})
    except BaseException:
        for rendition in renditions:  # a full disk half-way: leave nothing behind
            default_storage.delete(rendition["file"])
        raise
    return renditions


class _Slots:
    """The process-wide bound on images being decoded at once, sized by the setting when first used (and again if
    a test changes it). A semaphore, not a queue of workers: the request's own thread does the work once admitted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._size = 0
        self._semaphore = threading.BoundedSemaphore(1)

    def semaphore(self) -> threading.BoundedSemaphore:
        with self._lock:
            if self._size != settings.DATELINE_IMAGE_DECODE_CONCURRENCY:
                self._size = settings.DATELINE_IMAGE_DECODE_CONCURRENCY
                self._semaphore = threading.BoundedSemaphore(self._size)
            return self._semaphore


_SLOTS = _Slots()


@contextmanager
def decode_slot() -> Iterator[None]:
    """Hold one of the ``DATELINE_IMAGE_DECODE_CONCURRENCY`` decode slots, or raise ``Busy`` (503 + Retry-After)
    after waiting ``DATELINE_IMAGE_DECODE_WAIT`` seconds. A 40-megapixel image is ~120 MB decoded, and turning it
    upright and resizing it holds about three such buffers: four unbounded uploads at once peaked at 1.6 GB."""
    semaphore = _SLOTS.semaphore()
    if not semaphore.acquire(timeout=settings.DATELINE_IMAGE_DECODE_WAIT):
        raise Busy("The server is processing other images; upload again in a few seconds.",
                   retry_after=max(1, round(settings.DATELINE_IMAGE_DECODE_WAIT / 3)))
    try:
        yield
    finally:
        semaphore.release()
