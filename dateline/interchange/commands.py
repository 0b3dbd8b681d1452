"""The command-line verbs of this package: ``export``, ``import``, ``backup``, ``restore`` (``dateline.cli`` adds
them to its parser). Django is set up by the caller before any of these run; models are imported inside them."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path


def cmd_export(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from dateline.coverage.models import LiveBlog
    from dateline.interchange import export

    blog = LiveBlog.objects.filter(slug=args.slug).select_related("story").first()
    if blog is None:
        print(f"dateline export: no live blog '{args.slug[:60]}'.", file=sys.stderr)
        return 1
    blogs = export.blogs_to_export(blog, story=args.story)
    target = Path(args.output or f"{blog.slug}-{timezone.now():%Y%m%d-%H%M%S}.dateline.zip")
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with partial.open("wb") as out:
            size = export.write(blogs, out, main=blog)
        partial.replace(target)  # a half-written archive never carries the final name
    except OSError as error:
        partial.unlink(missing_ok=True)
        print(f"dateline export: cannot write {target}: {error}", file=sys.stderr)
        return 1
    print(f"Exported {', '.join(b.slug for b in blogs)} to {target} ({size} bytes).")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from dateline.interchange.archive import ArchiveError, is_zip
    from dateline.interchange.restore import import_archive

    path = Path(args.file)
    if not path.is_file():
        print(f"dateline import: no file {str(path)[:200]}.", file=sys.stderr)
        return 1
    if not is_zip(str(path)):
        return _import_foreign(args)
    try:
        report = import_archive(str(path), slug=args.slug, dry_run=args.dry_run)
    except ArchiveError as error:
        print(f"dateline import: {path.name}: {error}", file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    return 0


def _import_foreign(args: argparse.Namespace) -> int:
    """Not a zip: a file from another system (JSON-LD, WordPress WXR, RSS/Atom), if this Dateline reads those."""
    try:
        from dateline.interchange.foreign import import_file  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        print(f"dateline import: {Path(args.file).name} is not a Dateline archive (a zip written by 'dateline "
              "export'), and this Dateline has no importer for other formats.", file=sys.stderr)
        return 1
    try:
        report = import_file(args.file, slug=args.slug, dry_run=args.dry_run)
    except Exception as error:  # the foreign importers' own errors: a message, never a traceback
        print(f"dateline import: {Path(args.file).name}: {error}", file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from dateline.interchange.backup import BackupError, backup

    try:
        manifest = backup(args.dir)
    except (BackupError, OSError) as error:
        print(f"dateline backup: {error}", file=sys.stderr)
        return 1
    print(f"Backed up the {manifest['database']} database and {manifest['media_files']} media files to "
          f"{args.dir} (verify with 'dateline restore --verify-only {args.dir}').")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from dateline.coverage import mediafiles
    from dateline.interchange.backup import BackupError, restore, verify

    try:
        if args.verify_only:
            manifest = verify(args.dir)
            print(f"{args.dir}: a complete {manifest['database']} backup of {manifest['created_at']} "
                  f"({len(manifest['files'])} files, every checksum matches).")
            return 0
        manifest = restore(args.dir, force=args.force)
    except (BackupError, OSError) as error:
        print(f"dateline restore: {error}", file=sys.stderr)
        return 1
    call_command("migrate", interactive=False, verbosity=0)  # a backup from an older Dateline is brought up to date
    public, removed = mediafiles.rebuild()
    print(f"Restored the backup of {manifest['created_at']} ({public} public images linked, {removed} stale public "
          "files removed). Anything taken down (deleted, edited away) after that time is back: redo those "
          "takedowns now, and restart the servers.")
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                wrap: Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]) -> None:
    """Add the four commands; ``wrap`` sets Django up (and migrates) before the command runs."""
    export = sub.add_parser("export", help="write a live blog (or its whole story) to a Dateline archive (.zip)")
    export.add_argument("slug")
    export.add_argument("--story", action="store_true", help="every day of the blog's story, not the blog alone")
    export.add_argument("-o", "--output", help="the archive's file name (default: SLUG-DATE.dateline.zip)")
    export.set_defaults(func=wrap(cmd_export))

    imp = sub.add_parser("import", help="restore a Dateline archive (or import another system's file)")
    imp.add_argument("file")
    imp.add_argument("--slug", help="the slug for the imported blog (default: its own, or SLUG-imported if taken)")
    imp.add_argument("--dry-run", action="store_true", help="check everything and report; write nothing")
    imp.set_defaults(func=wrap(cmd_import))

    bk = sub.add_parser("backup", help="back up the database and media store into a new directory")
    bk.add_argument("dir")
    bk.set_defaults(func=wrap(cmd_backup))

    rs = sub.add_parser("restore", help="replace this instance's database and media with a backup")
    rs.add_argument("dir")
    rs.add_argument("--force", action="store_true", help="replace a database that is not empty")
    rs.add_argument("--verify-only", action="store_true", help="only check the backup's files against its manifest")
    rs.set_defaults(func=wrap(cmd_restore))
