"""Media: the only code that creates ``Media`` rows — images uploaded by newsroom staff, lead videos, and video or
social embeds by URL (``coverage/embeds.py`` checks a provider's answer) — and the rule for attaching them.

An uploaded image is never stored as sent: ``coverage/images.py`` checks, decodes and re-encodes it first.
"""

from __future__ import annotations

import uuid
from typing import IO, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from dateline.coverage import embeds, images
from dateline.coverage import permissions as perm
from dateline.coverage.actions.core import audit
from dateline.coverage.errors import Forbidden, PayloadTooLarge, ValidationFailed
from dateline.coverage.limits import (
    MAX_ALT,
    MAX_CAPTION,
    MAX_CREDIT,
    MAX_MEDIA_TITLE,
    MAX_PROVIDER,
    MAX_URL,
    MAX_VIDEO_SECONDS,
)
from dateline.coverage.models import LiveBlog, Media, Post, PostMedia, PostRevision
from dateline.coverage.permissions import Actor
from dateline.coverage.validation import text


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


def upload_image(actor: Actor, file: IO[bytes], *, caption: str = "", credit: str = "", alt: str = "") -> Media:
    """Store an uploaded image as a new ``Media``. Anyone in the newsroom may upload (contributors file drafts)."""
    perm.require_user(actor)
    clean = _image_texts(caption, credit, alt)
    size = getattr(file, "size", None)
    if size is not None and size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        raise PayloadTooLarge(
            f"The file is {size:,} bytes; at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes are accepted.",
            fields={"file": "File too large."},
        )
    with images.decode_slot():  # bounds the memory of uploads at once (a 40-megapixel image is ~0.4 GB here)
        media = _store_image(actor, file, clean)
    try:
        with transaction.atomic():
            media.save()
            audit(actor, "media.upload", media=media.pk, width=media.width, height=media.height)
    except BaseException:
        media.file.delete(save=False)  # no row, no file: nothing orphaned under MEDIA_ROOT
        for rendition in media.renditions:
            default_storage.delete(rendition["file"])
        raise
    return media


def _store_image(actor: Actor, file: IO[bytes], clean: dict[str, str]) -> Media:
    """Decode, re-encode and store the image and its renditions (in the private store: ``coverage/mediafiles.py``);
    the unsaved ``Media`` for them."""
    with images.open_checked(file) as image:
        extension = "jpg" if image.format == "JPEG" else "png"
        icc_profile = image.info.get("icc_profile")
        upright = images.decode_upright(image)
        data = images.encode(upright, extension, icc_profile)
    width, height = upright.width, upright.height
    media = Media(kind=Media.Kind.IMAGE, width=width, height=height, uploaded_by=perm.account(actor), **clean)
    media.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
    try:
        stem = str(media.file.name).rsplit(".", 1)[0]
        media.renditions = images.save_renditions(upright, extension, icc_profile, stem)
    except BaseException:
        media.file.delete(save=False)
        raise
    return media


def create_video(actor: Actor, *, url: str, title: str, duration_seconds: int | None = None, credit: str = "",
                 caption: str = "", alt: str = "") -> Media:
    """Record a video hosted elsewhere (the newsroom's player, YouTube, a pool feed), e.g. a blog's lead video."""
    perm.require_user(actor)
    fields: dict[str, str] = {}
    clean = {
        "url": text(fields, "url", url, MAX_URL, required=True),
        "title": text(fields, "title", title, MAX_MEDIA_TITLE, required=True),
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
        media = Media.objects.create(kind=Media.Kind.VIDEO, duration_seconds=duration_seconds,
                                     uploaded_by=perm.account(actor), **clean)
        audit(actor, "media.video", media=media.pk)
    return media


def create_embed(actor: Actor, *, url: str, caption: str = "", credit: str = "") -> Media:
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
        media = Media.objects.create(kind=Media.Kind.EMBED, uploaded_by=perm.account(actor), **clean, **found)
        audit(actor, "media.embed", media=media.pk, provider=media.provider, url=media.url)
    return media


def link_media(actor: Actor, *, url: str, title: str = "", caption: str = "", credit: str = "") -> Media:
    """Media kept as a link to where it lives (an image an import found by URL): an embed shown as a link card,
    nothing fetched — no provider is asked, no file is stored, and no third-party image is loaded by readers'
    browsers (the pages' CSP allows images from our own origin only)."""
    perm.require_user(actor)
    fields: dict[str, str] = {}
    clean = {
        "url": text(fields, "url", url, MAX_URL, required=True),
        "title": text(fields, "title", title, MAX_MEDIA_TITLE),
        "caption": text(fields, "caption", caption, MAX_CAPTION),
        "credit": text(fields, "credit", credit, MAX_CREDIT),
    }
    try:
        host = urlsplit(clean["url"]).hostname or ""
    except ValueError:
        host = ""
    if "url" not in fields and (not clean["url"].startswith(("https://", "http://")) or not host):
        fields["url"] = "Must be an http(s) URL."
    if fields:
        raise ValidationFailed("Some fields are not valid.", fields=fields)
    with transaction.atomic():
        media = Media.objects.create(kind=Media.Kind.EMBED, provider=host[:MAX_PROVIDER],
                                     uploaded_by=perm.account(actor), **clean)
        audit(actor, "media.link", media=media.pk, url=media.url)
    return media


def require_attachable(actor: Actor, blog: LiveBlog, media: list[Media], *, post: Post | None = None) -> None:
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


def copy_with_text(actor: Actor, post: Post, media: Media, *, caption: str, credit: str, alt: str) -> Media:
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
        copy.uploaded_by = perm.account(actor)
        copy.save()  # created_at (auto_now_add) is set afresh
        audit(actor, "media.copy", None, post, **{"media": copy.pk, "from": media.pk})
    return copy
