"""``dateline import``: an archive restored into this instance, all or nothing, once.

Order: the archive is opened and checked (``archive.open_archive``: names, sizes, JSON, checksums); the import is
refused if this archive was imported before (its ``archive_id`` is recorded as an ``archive.load`` audit entry on
each blog it made); the media files are written to the store (new names when a name is taken); then every row in
one transaction (``rows.Writer``). If anything fails, the transaction rolls back and the files written are
removed, so nothing partial remains. ``--dry-run`` does all of it — the rows inside a transaction that is rolled
back — except writing files, and reports what would be imported.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, transaction
from django.utils.text import slugify

from dateline.audit.models import AuditEntry
from dateline.coverage import actions
from dateline.coverage.actions.validate import RESERVED_SLUGS
from dateline.coverage.limits import MAX_SLUG
from dateline.coverage.models import LiveBlog
from dateline.interchange.archive import Archive, ArchiveError, open_archive
from dateline.interchange.rows import Writer

SOURCE = "archive"  # audit action "archive.load", detail.digest = the archive's id


@dataclass
class Report:
    archive_id: str = ""
    dry_run: bool = False
    blogs: list[str] = field(default_factory=list)  # slugs made (or that would be made)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        verb = "Would import" if self.dry_run else "Imported"
        counts = ", ".join(f"{n} {k}" for k, n in self.counts.items())
        head = f"{verb} archive {self.archive_id}: {', '.join('/live/' + s + '/' for s in self.blogs)} ({counts})"
        return [head, *(f"  - {note}" for note in self.notes)]


class _DryRun(Exception):
    pass


def already_imported(archive_id: str) -> list[str]:
    """The slugs of blogs an earlier import of this archive made (that still exist)."""
    entries = AuditEntry.objects.filter(action=f"{SOURCE}.load", blog__isnull=False).select_related("blog")
    return sorted({e.blog.slug for e in entries if e.detail.get("digest") == archive_id and e.blog})


def _free_slug(wanted: str, taken: set[str]) -> str:
    for n in range(1, 1000):
        slug = wanted if n == 1 else f"{wanted[:MAX_SLUG - 12]}-imported" + ("" if n == 2 else f"-{n - 1}")
        if slug not in taken and slug not in RESERVED_SLUGS and not LiveBlog.objects.filter(slug=slug).exists():
            return slug
    raise ArchiveError(f"no free slug near {wanted!r}.")


def _slugs(archive: Archive, new_slug: str | None, report: Report) -> dict[str, str]:
    main = archive.manifest.get("main")
    chosen: dict[str, str] = {}
    for record in archive.document["blogs"]:
        old = record["slug"]
        if not isinstance(old, str) or slugify(old) != old or not 0 < len(old) <= MAX_SLUG:
            raise ArchiveError(f"archive.json has a bad blog slug {str(old)[:40]!r}.")
        if new_slug and old == main:
            if LiveBlog.objects.filter(slug=new_slug).exists():
                raise ArchiveError(f"--slug {new_slug}: a live blog with that slug already exists.")
            chosen[old] = new_slug
        else:
            chosen[old] = _free_slug(old, set(chosen.values()))
            if chosen[old] != old:
                report.notes.append(f"the slug '{old}' is taken here: imported as '{chosen[old]}'")
    return chosen


def _media_names(archive: Archive, report: Report) -> dict[str, str]:
    """Archive name -> the name it is stored under here: the same, unless taken (then under imported/<id>/)."""
    names, moved = {}, 0
    for media in archive.document["media"]:
        group = [media["file"], *(r["file"] for r in media["renditions"])] if media["file"] else []
        group = [n for n in group if n in archive.files]
        if not group:
            continue
        prefix = "" if not any(default_storage.exists(n) for n in group) else f"imported/{archive.archive_id[:12]}/"
        moved += bool(prefix)
        names.update({n: prefix + n for n in group})
    if moved:
        report.notes.append(f"{moved} images' file names are taken here: stored under "
                            f"imported/{archive.archive_id[:12]}/")
    return names


def _write_files(archive: Archive, names: dict[str, str], written: list[str], *, dry_run: bool) -> dict[str, str]:
    stored = {}
    for old, new in names.items():
        data = archive.read_media(old)  # checked against the manifest's sha256 even in a dry run
        if dry_run:
            stored[old] = new
            continue
        actual = default_storage.save(new, ContentFile(data))
        written.append(actual)
        if hashlib.sha256(default_storage.open(actual).read()).hexdigest() != archive.files[old]["sha256"]:
            raise ArchiveError(f"media file {actual!r} did not store intact.")
        stored[old] = actual
    return stored


def import_archive(path: str, *, slug: str | None = None, dry_run: bool = False) -> Report:
    """Restore the archive at ``path``; raises ``ArchiveError`` (nothing written) when it cannot."""
    if slug is not None and (slugify(slug) != slug or not 0 < len(slug) <= MAX_SLUG or slug in RESERVED_SLUGS):
        raise ArchiveError(f"--slug {slug[:40]!r} is not a usable slug (lower-case letters, digits and hyphens).")
    archive = open_archive(path)
    report = Report(archive_id=archive.archive_id, dry_run=dry_run)
    written: list[str] = []
    try:
        earlier = already_imported(archive.archive_id)
        if earlier:
            raise ArchiveError(f"this archive ({archive.archive_id}) was imported already, as "
                               f"{', '.join('/live/' + s + '/' for s in earlier)}; nothing was imported again. "
                               "Delete those blogs first to import it anew.")
        try:
            with transaction.atomic():
                _restore(archive, slug, report, written, dry_run=dry_run)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as error:
        _remove(written)
        raise ArchiveError(f"archive.json is not shaped as format version 1 expects ({type(error).__name__}: "
                           f"{str(error)[:120]}); nothing was imported.") from None
    except (IntegrityError, DatabaseError) as error:
        _remove(written)
        raise ArchiveError(f"the database refused the archive's rows ({str(error)[:160]}); nothing was "
                           "imported.") from None
    except BaseException:
        _remove(written)
        raise
    finally:
        archive.zip.close()
    return report


def _restore(archive: Archive, slug: str | None, report: Report, written: list[str], *, dry_run: bool) -> None:
    doc: dict[str, Any] = archive.document
    if not isinstance(doc.get("blogs"), list) or not doc["blogs"]:
        raise ArchiveError("archive.json holds no blogs.")
    slugs = _slugs(archive, slug, report)
    names = _write_files(archive, _media_names(archive, report), written, dry_run=dry_run)
    writer = Writer(report.notes.append)
    writer.archived_slugs = {record["slug"] for record in doc["blogs"]}
    writer.people(doc["users"])
    writer.media_rows(doc["media"], names)
    stories = {s["slug"]: s["title"] for s in doc["stories"]}
    for record in doc["blogs"]:
        blog = writer.blog(record, slugs[record["slug"]], stories)
        actions.record_load(blog, source=SOURCE, digest=archive.archive_id)
        report.blogs.append(blog.slug)
    report.counts = {"blogs": len(report.blogs), "posts": len(writer.posts), "media": len(writer.media),
                     "files": len(names), "users": len(writer.users)}


def _remove(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)
