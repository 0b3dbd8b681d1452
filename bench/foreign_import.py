"""How long an import from another system takes, and so how long it holds the database's write lock (one
transaction: on SQLite no other writer commits meanwhile). SQLite in a temporary directory, or the database
``DATELINE_DATABASE_URL`` names.

    python -m bench.foreign_import                 # an RSS feed of 1,000 items, 2 images and 3 paragraphs each
    python -m bench.foreign_import --items 5000

The feed is generated (fictional filler text); the import is ``dateline.interchange.foreign.import_file`` as
``dateline import`` runs it: parse, byline accounts, link cards, one ``create_post`` per item, all in one transaction.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def feed(items: int) -> bytes:
    parts = ['<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
             'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
             f"<channel><title>Bench feed {time.monotonic_ns()}</title><description>Generated.</description>"]
    for i in range(items, 0, -1):  # newest first, as live blog feeds are
        minute = i % 60
        hour = 6 + (i // 60) % 18
        day = 1 + i // (60 * 18)
        body = "".join(f"<p>Update {i}, paragraph {p}: the (fictional) ferry timetable changes again.</p>"
                       for p in range(3))
        body += f'<img src="https://img.bench.example/{i}.jpg" alt="Picture {i}">'
        parts.append(f"<item><title>Update {i}</title><guid>u{i}</guid>"
                     f"<pubDate>{day:02d} Mar 2026 {hour:02d}:{minute:02d}:00 +0000</pubDate>"
                     f"<dc:creator>Reporter {i % 7}</dc:creator><content:encoded><![CDATA[{body}]]></content:encoded>"
                     f'<enclosure url="https://img.bench.example/{i}-lead.jpg" type="image/jpeg" length="1"/></item>')
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("DATELINE_DATA_DIR", tempfile.mkdtemp(prefix="dateline-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dateline.interchange.foreign import import_file

    call_command("migrate", verbosity=0)
    path = Path(tempfile.mkdtemp(prefix="dateline-bench-")) / "feed.rss"
    path.write_bytes(feed(args.items))
    print(f"bench.foreign_import: RSS of {args.items} items ({path.stat().st_size:,} bytes), {connection.vendor}, "
          f"load {os.getloadavg()[0]:.2f}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    for dry_run in (True, False):
        started = time.perf_counter()
        report = import_file(path, dry_run=dry_run)
        seconds = time.perf_counter() - started
        print(f"  {'dry run' if dry_run else 'import '}: {seconds:6.2f} s, {report.posts / seconds:6.0f} posts/s "
              f"({report.posts} posts, {len(report.users_created)} accounts)", flush=True)
    print(f"  load after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
