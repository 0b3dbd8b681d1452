"""``dateline manage rerender_fragments [--blog SLUG]``: stored reader fragments, rendered again (see
``coverage/actions/rerender.py``). Run it once after upgrading; the demo loader re-creates its own blogs anyway."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dateline.coverage.actions.rerender import rerender_fragments
from dateline.coverage.models import LiveBlog


class Command(BaseCommand):
    help = ("Render the stored HTML of posts and key points again with the current templates. No change events: "
            "the content is the same, and open pages get the new markup when they next load.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--blog", metavar="SLUG", help="Only this live blog.")

    def handle(self, *args: Any, **options: Any) -> None:
        blogs = LiveBlog.objects.all()
        if options["blog"]:
            blogs = blogs.filter(slug=options["blog"])
        posts, boxes = rerender_fragments(blogs)
        self.stdout.write(f"Re-rendered {posts} post(s) and {boxes} key points box(es).")
