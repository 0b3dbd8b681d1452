"""Which stored media files the public may fetch, and the public tree that holds exactly those.

Every upload (original and renditions) is stored under ``MEDIA_ROOT``: the store, the source of truth, what backups
copy, and never served as a directory. ``MEDIA_PUBLIC_ROOT`` holds a hard link (a copy across filesystems) of each
file of the media readers can see — on a published post, or a blog's lead media (``permissions.public_media``) — so
nginx can serve that tree straight from disk, and ``/media/<name>`` falls back to Django (``reader/media.py``) for the
rest: a signed-in user who may attach the media gets it privately, anyone else a 404. Both trees use the same names,
so a post's fragment, rendered once, has the same image URLs before and after it is published.

The public tree is derived state: ``sync`` brings the given media in line with the database after every change that
can alter it (``actions/core.record`` and the blog actions call ``sync_on_commit``); the fallback view links media
it finds public but missing (a tree restored from an older backup, a link lost to a crash), and
``dateline manage sync_public_media`` rebuilds all of it.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.db import transaction

from dateline.coverage import permissions as perm
from dateline.coverage.models import LiveBlog, Media, PostMedia, PostRevision

log = logging.getLogger(__name__)

# ``<stem>-<width>w.<ext>``: a rendition's name (images.save_renditions), from which its original's is derived.
_RENDITION = re.compile(r"^(?P<stem>.+)-\d+w\.(?P<ext>jpg|png)$")


def store_path(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def public_path(name: str) -> Path:
    return Path(settings.MEDIA_PUBLIC_ROOT) / name


def file_names(media: Media) -> list[str]:
    """The stored files of ``media``: the original and its renditions (which follow the original's visibility)."""
    if not media.file:
        return []
    return [str(media.file.name), *(str(r["file"]) for r in media.renditions)]


def sharing(name: str) -> list[Media]:
    """The images whose original or rendition is stored as ``name``: usually one, more when a caption edit made a
    copy (``actions.media.copy_with_text``), which shares its original's files."""
    candidates = [name]
    match = _RENDITION.match(name)
    if match:
        candidates.append(f"{match['stem']}.{match['ext']}")
    return [media for media in Media.objects.filter(file__in=candidates) if name in file_names(media)]


def _link(name: str) -> None:
    source, target = store_path(name), public_path(name)
    if target.exists() or not source.is_file():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        os.link(source, temporary)
    except OSError:  # another filesystem (or one without hard links): a copy costs disk, not correctness
        shutil.copyfile(source, temporary)
    os.replace(temporary, target)  # atomic: nginx never serves half a file


def publish(media: Media) -> None:
    for name in file_names(media):
        _link(name)


def sync(media_ids: Iterable[int]) -> None:
    """Link the files of the given media that are public into the public tree and remove the others' from it.

    By file, not by media: a caption edit's copy shares its original's files, so a file stays public while any
    media using it is public (the original dropped from a post must not withdraw its public copy's image).
    """
    ids = set(media_ids)
    if not ids:
        return
    originals = set(Media.objects.filter(pk__in=ids).exclude(file="").values_list("file", flat=True))
    users = Media.objects.filter(file__in=originals)
    public = set(perm.public_media(users).values_list("pk", flat=True))
    shown = {name for media in users if media.pk in public for name in file_names(media)}
    for name in {name for media in users for name in file_names(media)}:
        try:
            _link(name) if name in shown else public_path(name).unlink(missing_ok=True)
        except OSError:
            # The change is committed and readers have it; a full disk must not turn it into a 500. The fallback
            # view links what is public and missing; a file that could not be withdrawn is logged for the operator.
            log.exception("could not %s %s", "publish" if name in shown else "withdraw", name)


def sync_on_commit(media_ids: Iterable[int | None]) -> None:
    """``sync`` once the current transaction commits: the public tree never shows what a rollback undid. ``None``
    (no lead media) is skipped."""
    ids = {pk for pk in media_ids if pk is not None}
    if ids:
        transaction.on_commit(lambda: sync(ids))


def media_of_post(post_id: int) -> set[int]:
    """Every media ``post`` carries or carried (its revisions): an edit that dropped an image must withdraw it."""
    ids = set(PostMedia.objects.filter(post_id=post_id).values_list("media_id", flat=True))
    for data in PostRevision.objects.filter(post_id=post_id).values_list("data", flat=True):
        ids |= {m["id"] for m in data.get("media", []) if isinstance(m, dict) and isinstance(m.get("id"), int)}
    return ids


def media_of_blog(blog_id: int) -> set[int]:
    """Every media the blog's posts carry now, and its lead media."""
    ids = set(PostMedia.objects.filter(post__blog_id=blog_id).values_list("media_id", flat=True))
    lead = LiveBlog.objects.filter(pk=blog_id, lead_media__isnull=False).values_list("lead_media_id", flat=True)
    return ids | set(lead)


def rebuild() -> tuple[int, int]:
    """Make the whole public tree match the database (after an upgrade, a restore, a lost disk): link every public
    image's files and remove every other file from it. Returns (public images, files removed)."""
    images = Media.objects.exclude(file="")
    public = list(perm.public_media(images))
    for media in public:
        publish(media)
    wanted = {name for media in public for name in file_names(media)}
    root = Path(settings.MEDIA_PUBLIC_ROOT)
    removed = 0
    for path in (p for p in root.rglob("*") if p.is_file()) if root.is_dir() else ():
        if path.relative_to(root).as_posix() not in wanted:
            path.unlink(missing_ok=True)
            removed += 1
    return len(public), removed
