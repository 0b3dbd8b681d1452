"""Writing an archive: a blog (or every day of its story) as ``archive.json`` plus its media files, zipped.

``stream(blogs)`` yields the zip's bytes as they are written — the JSON first, then each media file read from the
store in 1 MB pieces — so neither the CLI nor the API endpoint holds the archive in memory (only the JSON
document, which is a blog's text). What the archive keeps, and what it leaves out (a deleted post's text, the
change log), is in docs/operations.md "Archive format".
"""

from __future__ import annotations

import hashlib
import json
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import IO, Any

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Prefetch
from django.utils import timezone

from dateline.accounts.models import User
from dateline.audit.models import AuditEntry
from dateline.coverage import mediafiles
from dateline.coverage.models import BlogMembership, Correction, KeyPoint, LiveBlog, Media, Post, PostRevision
from dateline.interchange.archive import CHUNK, DOCUMENT, FORMAT, MANIFEST, MEDIA_DIR, VERSION


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def blogs_to_export(blog: LiveBlog, *, story: bool) -> list[LiveBlog]:
    """``blog`` alone, or every day of its story, oldest first."""
    if story and blog.story_id:
        return list(LiveBlog.objects.filter(story_id=blog.story_id).order_by("coverage_start", "created_at", "pk"))
    return [blog]


class _Users:
    """The people the archive names, by username (ids do not travel between instances)."""

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.names: dict[int, str] = dict(User.objects.values_list("pk", "username"))

    def name(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        self.ids.add(user_id)
        return self.names.get(user_id)

    def records(self) -> list[dict[str, Any]]:
        users = User.objects.filter(pk__in=self.ids).order_by("username")
        return [{"username": u.username, "display_name": u.display_name, "first_name": u.first_name,
                 "last_name": u.last_name, "role": u.role, "is_active": u.is_active} for u in users]


def _media_record(media: Media, users: _Users) -> dict[str, Any]:
    return {
        "id": media.pk, "kind": media.kind, "file": media.file.name or "", "url": media.url, "title": media.title,
        "caption": media.caption, "credit": media.credit, "alt": media.alt, "width": media.width,
        "height": media.height, "duration_seconds": media.duration_seconds, "renditions": media.renditions,
        "provider": media.provider, "author": media.author, "thumbnail_url": media.thumbnail_url,
        "frame_src": media.frame_src, "uploaded_by": users.name(media.uploaded_by_id),
        "created_at": iso(media.created_at),
    }


def _post_record(post: Post, users: _Users, media_ids: set[int]) -> dict[str, Any]:
    base = {"id": post.pk, "status": post.status, "created_at": iso(post.created_at),
            "published_at": iso(post.published_at), "updated_at": iso(post.updated_at), "version": post.version}
    if post.status == Post.Status.DELETED:
        # A deleted post leaves as a tombstone: its place and times, none of its text (docs/operations.md).
        return {**base, "deleted": True}
    ids = mediafiles.media_of_post(post.pk)
    media_ids |= ids
    return {
        **base,
        "headline": post.headline, "body": post.body, "pinned": post.pinned, "tags": list(post.tags),
        "authors": [users.name(pa.user_id) for pa in post.postauthor_set.all()],
        "media": [pm.media_id for pm in post.postmedia_set.all()],
        "update_note": post.update_note, "verification_note": post.verification_note,
        "verification": post.verification, "created_by": users.name(post.created_by_id),
        "publish_at": iso(post.publish_at), "scheduled_by": users.name(post.scheduled_by_id),
        "revisions": [{"version": r.version, "data": r.data, "edited_by": users.name(r.edited_by_id),
                       "created_at": iso(r.created_at)} for r in post.revisions.all()],
        "corrections": [{"note": c.note, "created_at": iso(c.created_at), "created_by": users.name(c.created_by_id),
                         "version": c.version} for c in post.corrections.all()],
    }


def _blog_record(blog: LiveBlog, users: _Users, media_ids: set[int]) -> dict[str, Any]:
    posts = (Post.objects.filter(blog=blog).order_by("created_at", "pk").prefetch_related(
        "postauthor_set", "postmedia_set",
        Prefetch("revisions", PostRevision.objects.order_by("version")),
        Prefetch("corrections", Correction.objects.order_by("created_at", "pk"))))
    if blog.lead_media_id:
        media_ids.add(blog.lead_media_id)
    deleted = set(Post.objects.filter(blog=blog, status=Post.Status.DELETED).values_list("pk", flat=True))
    audit = AuditEntry.objects.filter(blog=blog).order_by("created_at", "pk")
    return {
        "id": blog.pk, "slug": blog.slug, "title": blog.title, "description": blog.description,
        "status": blog.status, "coverage_start": iso(blog.coverage_start), "coverage_end": iso(blog.coverage_end),
        "time_zone": blog.time_zone, "lead_media": blog.lead_media_id,
        "story": blog.story.slug if blog.story else None, "seq": blog.seq,
        "created_by": users.name(blog.created_by_id), "created_at": iso(blog.created_at),
        "updated_at": iso(blog.updated_at),
        "members": [{"user": users.name(m.user_id), "added_by": users.name(m.added_by_id),
                     "created_at": iso(m.created_at)}
                    for m in BlogMembership.objects.filter(blog=blog).order_by("created_at", "pk")],
        "key_points": [{"position": k.position, "text": k.text, "post": k.post_id, "url": k.url}
                       for k in KeyPoint.objects.filter(blog=blog).order_by("position", "pk")],
        "posts": [_post_record(p, users, media_ids) for p in posts],
        # A deleted post's entries stay (who deleted it, when), without the one detail that can quote it.
        "audit": [{"actor": users.name(a.actor_id), "action": a.action, "post": a.post_id,
                   "detail": _without_text(a.detail) if a.post_id in deleted else a.detail,
                   "created_at": iso(a.created_at)} for a in audit],
    }


def _without_text(detail: Any) -> Any:
    """An audit detail of a deleted post, without the correction note an edit entry quotes."""
    return {k: v for k, v in detail.items() if k != "correction"} if isinstance(detail, dict) else detail


# One read-only view of the database for a whole export: PostgreSQL's default (READ COMMITTED) shows each statement
# the newest rows, and SQLite's transactions here begin IMMEDIATE (taking the write lock); a deferred read
# transaction on SQLite (WAL) is a snapshot from its first read and blocks no writer.
_SNAPSHOT = {"postgresql": "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "sqlite": "BEGIN DEFERRED"}


@contextmanager
def snapshot() -> Iterator[None]:
    """Every read inside sees the database as of one moment, so an export taken while the desk publishes holds
    no audit entry, key point or seq for a post it does not hold. Inside a caller's transaction (a test's), that
    transaction is the view."""
    begin = _SNAPSHOT.get(connection.vendor)
    if begin is None or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(begin)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")  # read only: nothing to keep


def document(blogs: list[LiveBlog]) -> dict[str, Any]:
    """``archive.json``'s content for ``blogs``, read in one snapshot (the blogs, and their seq, read again in it)."""
    with snapshot():
        order = {b.pk: i for i, b in enumerate(blogs)}
        fresh = sorted(LiveBlog.objects.select_related("story").filter(pk__in=order), key=lambda b: order[b.pk])
        return _document(fresh)


def _document(blogs: list[LiveBlog]) -> dict[str, Any]:
    users = _Users()
    media_ids: set[int] = set()
    records = [_blog_record(b, users, media_ids) for b in blogs]
    stories = {b.story.slug: b.story.title for b in blogs if b.story}
    media = [_media_record(m, users) for m in Media.objects.filter(pk__in=media_ids).order_by("pk")]
    return {
        "users": users.records(),
        "stories": [{"slug": slug, "title": title} for slug, title in sorted(stories.items())],
        "media": media,
        "blogs": records,
    }


def media_files(doc: dict[str, Any]) -> list[str]:
    """Every stored file the archive carries: each image's original and renditions."""
    names: list[str] = []
    for media in doc["media"]:
        if media["file"]:
            names += [media["file"], *(r["file"] for r in media["renditions"])]
    return list(dict.fromkeys(names))


class _Sink:
    """A write-only file for ``zipfile``: what it writes is taken by the generator and handed on."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def stream(blogs: list[LiveBlog], *, main: LiveBlog | None = None) -> Iterator[bytes]:
    """The archive of ``blogs`` as zip bytes, in pieces."""
    doc = document(blogs)
    encoded = json.dumps(doc, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1, sort_keys=True).encode()
    stored = media_files(doc)
    names = [n for n in stored if default_storage.exists(n)]
    files = {name: _digest(name) for name in names}
    manifest = {
        "format": FORMAT, "version": VERSION, "archive_id": uuid.uuid4().hex,
        "created_at": iso(timezone.now()), "main": (main or blogs[0]).slug, "blogs": [b.slug for b in blogs],
        "sha256": hashlib.sha256(encoded).hexdigest(), "files": files,
        # Files the database names that the media store has lost: the archive says so rather than failing.
        "missing_files": sorted(set(stored) - set(names)),
        "counts": {"blogs": len(blogs), "posts": sum(len(b["posts"]) for b in doc["blogs"]),
                   "media": len(doc["media"]), "files": len(files)},
    }
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[call-overload]
        archive.writestr(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
        archive.writestr(DOCUMENT, encoded)
        yield sink.take()
        for name in names:
            # Images are compressed already: stored, not deflated (and a deflate ratio check stays meaningful).
            info = zipfile.ZipInfo(MEDIA_DIR + name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            with archive.open(info, "w", force_zip64=True) as entry, default_storage.open(name, "rb") as source:
                while chunk := source.read(CHUNK):
                    entry.write(chunk)
                    yield sink.take()
    yield sink.take()


def _digest(name: str) -> dict[str, Any]:
    digest, size = hashlib.sha256(), 0
    with default_storage.open(name, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def write(blogs: list[LiveBlog], target: IO[bytes], *, main: LiveBlog | None = None) -> int:
    """Write the archive to the open binary file ``target``; returns the bytes written."""
    total = 0
    for piece in stream(blogs, main=main):
        target.write(piece)
        total += len(piece)
    return total
