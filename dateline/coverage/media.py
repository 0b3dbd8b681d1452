"""Media actions: the only code that creates ``Media`` rows (images uploaded by newsroom staff, lead videos, and
video or social embeds by URL — see ``coverage/embeds.py`` for how a provider's answer is checked).

An uploaded image is never stored as sent. Its header is read first and anything over
``DATELINE_MAX_IMAGE_PIXELS`` is refused before a single pixel is decoded (a 40 kB PNG can claim 50,000 x 50,000
pixels and unpack to 7.5 GB); the rest is decoded, turned upright by its EXIF orientation and re-encoded, so no
EXIF (camera serial numbers, GPS position of a source) survives into the published file.
"""

from __future__ import annotations

import io
import uuid
import warnings
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from dateline.coverage import embeds
from dateline.coverage import permissions as perm
from dateline.coverage.errors import Forbidden, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from dateline.coverage.models import AuditEntry, LiveBlog, Media, Post, PostMedia, PostRevision
from dateline.coverage.validation import text

# Formats a newsroom camera, phone or graphics desk produces and browsers show. TIFF, BMP, PSD and friends are
# refused rather than converted: Pillow's decoders for them are a larger attack surface and nobody files them.
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
MAX_CAPTION = 2_000
MAX_CREDIT = 200
MAX_ALT = 300
MAX_TITLE = 300
MAX_URL = 500
MAX_VIDEO_SECONDS = 24 * 3600


def _too_large(width: int | None = None, height: int | None = None) -> ValidationFailed:
    limit = settings.DATELINE_MAX_IMAGE_PIXELS
    size = f" ({width} x {height} pixels)" if width and height else ""
    return ValidationFailed(
        f"The image is too large{size}: at most {limit:,} pixels ({limit / 1e6:g} megapixels) are accepted.",
        fields={"file": "Too many pixels."}, code="image_too_large",
    )


def _open_checked(file: IO[bytes]) -> Image.Image:
    """Open an image, read only its header, and refuse it if it claims more pixels than we accept."""
    try:
        # Pillow warns (DecompressionBombWarning) above Image.MAX_IMAGE_PIXELS and raises above twice that. Our own
        # limit is checked on the very next line from the same header, so its warning adds nothing: silence it
        # here rather than letting it reach the log (or fail a test run where warnings are errors).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(file, formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError:
        raise _too_large() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UnsupportedMediaType(
            "The file is not an image we can read. Upload a JPEG, PNG, GIF or WebP image.",
            fields={"file": "Not a JPEG, PNG, GIF or WebP image."},
        ) from None
    width, height = image.size
    if width <= 0 or height <= 0 or width * height > settings.DATELINE_MAX_IMAGE_PIXELS:
        image.close()
        raise _too_large(width, height)
    return image


# Responsive sizes, each made only when smaller than the original: a phone (320 CSS px), a phone at 2x or a tablet,
# the desktop post column (740 px) at up to 1.4x, and the column at 2x. The browser picks one from srcset/sizes, so
# a phone on a slow connection downloads ~30 KB instead of the photographer's 3 MB original. The smallest doubles as
# the thumbnail.
RENDITION_WIDTHS = (320, 640, 1024, 1600)


def _upright(image: Image.Image) -> Image.Image:
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


def _encode(image: Image.Image, extension: str, icc_profile: bytes | None) -> bytes:
    """A fresh file without metadata. JPEG stays JPEG; PNG keeps transparency and is lossless; GIF and WebP are
    stored as their first frame in PNG."""
    out = io.BytesIO()
    if extension == "jpg":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=86, optimize=True, icc_profile=icc_profile)
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True, icc_profile=icc_profile)
    return out.getvalue()


def _save_renditions(upright: Image.Image, extension: str, icc_profile: bytes | None,
                     stem: str) -> list[dict[str, Any]]:
    renditions: list[dict[str, Any]] = []
    try:
        for width in RENDITION_WIDTHS:
            if width >= upright.width:
                break
            height = max(1, round(upright.height * width / upright.width))
            small = upright.resize((width, height), Image.Resampling.LANCZOS)
            name = default_storage.save(f"{stem}-{width}w.{extension}",
                                        ContentFile(_encode(small, extension, icc_profile)))
            renditions.append({"width": width, "height": height, "file": name})
    except BaseException:
        for rendition in renditions:  # a full disk half-way: leave nothing behind
            default_storage.delete(rendition["file"])
        raise
    return renditions


def _image_texts(caption: Any, credit: Any, alt: Any) -> dict[str, str]:
    """Caption, credit and alt text checked against their columns; every bad one named at once."""
    fields: dict[str, str] = {}
    clean = {
        "caption": text(fields, "caption", caption, MAX_CAPTION),
        "credit": text(fields, "credit", credit, MAX_CREDIT),
        "alt": text(fields, "alt", alt, MAX_ALT),
    }
    if fields:
        raise ValidationFailed("Some fields are not valid.", fields=fields)
    return clean


def upload_image(actor: Any, file: IO[bytes], *, caption: str = "", credit: str = "", alt: str = "") -> Media:
    """Store an uploaded image as a new ``Media``. Anyone in the newsroom may upload (contributors file drafts)."""
    perm.require_user(actor)
    clean = _image_texts(caption, credit, alt)
    size = getattr(file, "size", None)
    if size is not None and size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        raise PayloadTooLarge(
            f"The file is {size:,} bytes; at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes are accepted.",
            fields={"file": "File too large."},
        )
    with _open_checked(file) as image:
        extension = "jpg" if image.format == "JPEG" else "png"
        icc_profile = image.info.get("icc_profile")
        upright = _upright(image)
        data = _encode(upright, extension, icc_profile)
    width, height = upright.width, upright.height
    media = Media(kind=Media.Kind.IMAGE, width=width, height=height, uploaded_by=actor, **clean)
    media.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
    try:
        media.renditions = _save_renditions(upright, extension, icc_profile, str(media.file.name).rsplit(".", 1)[0])
        with transaction.atomic():
            media.save()
            AuditEntry.objects.create(actor=actor, action="media.upload",
                                      detail={"media": media.pk, "width": width, "height": height})
    except BaseException:
        media.file.delete(save=False)  # no row, no file: nothing orphaned under MEDIA_ROOT
        for rendition in media.renditions:
            default_storage.delete(rendition["file"])
        raise
    return media


def create_video(actor: Any, *, url: str, title: str, duration_seconds: int | None = None, credit: str = "",
                 caption: str = "", alt: str = "") -> Media:
    """Record a video hosted elsewhere (the newsroom's player, YouTube, a pool feed), e.g. a blog's lead video."""
    perm.require_user(actor)
    fields: dict[str, str] = {}
    clean = {
        "url": text(fields, "url", url, MAX_URL, required=True),
        "title": text(fields, "title", title, MAX_TITLE, required=True),
        "credit": text(fields, "credit", credit, MAX_CREDIT),
        "caption": text(fields, "caption", caption, MAX_CAPTION),
        "alt": text(fields, "alt", alt, MAX_ALT),
    }
    if "url" not in fields and not clean["url"].startswith(("https://", "http://")):
        fields["url"] = "Must be an http(s) URL."
    if duration_seconds is not None and (
        not isinstance(duration_seconds, int) or isinstance(duration_seconds, bool)
        or not 0 <= duration_seconds <= MAX_VIDEO_SECONDS
    ):
        fields["duration_seconds"] = f"Whole seconds between 0 and {MAX_VIDEO_SECONDS}."
    if fields:
        raise ValidationFailed("Some fields are not valid.", fields=fields)
    with transaction.atomic():
        media = Media.objects.create(kind=Media.Kind.VIDEO, duration_seconds=duration_seconds, uploaded_by=actor,
                                     **clean)
        AuditEntry.objects.create(actor=actor, action="media.video", detail={"media": media.pk})
    return media


def create_embed(actor: Any, *, url: str, caption: str = "", credit: str = "") -> Media:
    """Embed a video or social post by its link (YouTube, Vimeo, X, …) through its provider's oEmbed answer.

    Anyone in the newsroom may, like uploading an image. The provider is asked before the transaction starts (a
    network call must not hold the database's write lock); its answer is cached, so a retry does not ask again.
    Stored: the link, provider, title, author, thumbnail, size and — only when the player is an iframe on the
    provider's allowlist — its https ``frame_src``. Never the provider's HTML.
    """
    perm.require_user(actor)
    fields: dict[str, str] = {}
    clean = {
        "url": text(fields, "url", url, MAX_URL, required=True),
        "caption": text(fields, "caption", caption, MAX_CAPTION),
        "credit": text(fields, "credit", credit, MAX_CREDIT),
    }
    if "url" not in fields:
        problem = embeds.check_url(clean["url"])
        if problem:
            fields["url"] = problem
    if fields:
        raise ValidationFailed("Some fields are not valid.", fields=fields)
    found = embeds.resolve(clean["url"])
    with transaction.atomic():
        media = Media.objects.create(kind=Media.Kind.EMBED, uploaded_by=actor, **clean, **found)
        AuditEntry.objects.create(actor=actor, action="media.embed",
                                  detail={"media": media.pk, "provider": media.provider, "url": media.url})
    return media


def require_attachable(actor: Any, blog: LiveBlog, media: list[Media], *, post: Post | None = None) -> None:
    """Refuse (403) to attach media the actor has no business using. Called by ``create_post`` and ``edit_post``,
    so the newsroom and the API agree.

    Editors and admins curate the whole newsroom's media, so they may attach any. Everyone else may attach what they
    uploaded themselves, what ``post`` carries or once carried (saving a colleague's image back with an edit,
    restoring an old version) and what a published post of the same blog already shows readers. Not an upload of
    another desk or another blog that nobody has published: media ids are sequential, so without this a reporter
    could guess their way to an embargoed photo and publish it under their own byline.
    """
    if perm.is_editor(actor):
        return
    foreign = {m.pk for m in media if m.uploaded_by_id is None or m.uploaded_by_id != actor.pk}
    if foreign and post is not None and post.pk:
        foreign -= set(PostMedia.objects.filter(post=post).values_list("media_id", flat=True))
        # Media an earlier version of this post carried: restoring that version from History brings it back.
        for data in (PostRevision.objects.filter(post=post).values_list("data", flat=True) if foreign else []):
            foreign -= {m.get("id") for m in data.get("media", []) if isinstance(m, dict)}
    if foreign:
        public = PostMedia.objects.filter(media_id__in=foreign, post__blog_id=blog.pk,
                                          post__status=Post.Status.PUBLISHED)
        foreign -= set(public.values_list("media_id", flat=True))
    if foreign:
        ids = ", ".join(str(pk) for pk in sorted(foreign))
        raise Forbidden(
            f"You can attach only media you uploaded or that this live blog has already published (media {ids}). "
            "Upload the file yourself, or ask an editor to attach it.",
            fields={"media": f"Not yours to attach: {ids}."}, code="media_not_attachable",
        )


def copy_with_text(actor: Any, post: Post, media: Media, *, caption: str, credit: str, alt: str) -> Media:
    """A copy of ``media`` (one attached to ``post``) with a new caption, credit and alt text, for ``edit_post`` to
    put in its place.

    A copy rather than an edit in place: the same image may illustrate other posts, whose captions must not change
    behind their authors' backs, and an in-place edit would have to be a ``post.updated`` of every one of them. The
    copy shares the stored files (nothing deletes media files), is owned by ``actor`` (so ``require_attachable``
    lets them attach it), and the edit that attaches it is the one change readers get, with its revision.
    """
    perm.require_can_edit(actor, post)
    if not PostMedia.objects.filter(post=post, media=media).exists():
        raise ValidationFailed("That media is not attached to this post.", fields={"media": "Not on this post."})
    clean = _image_texts(caption, credit, alt)
    with transaction.atomic():
        copy = Media.objects.get(pk=media.pk)
        copy.pk = None
        copy.id = None
        copy._state.adding = True
        for name, value in clean.items():
            setattr(copy, name, value)
        copy.uploaded_by = actor
        copy.save()  # created_at (auto_now_add) is set afresh
        AuditEntry.objects.create(actor=actor, action="media.copy",
                                  detail={"media": copy.pk, "from": media.pk, "post": post.pk})
    return copy
