"""``dateline manage rerender_fragments [--blog SLUG]``: stored reader fragments, rendered again.

Posts' HTML and blogs' key points are rendered once, by the action that changed them, and stored (decisions.md,
"Render once"). A release that changes those templates reaches content written before it only through this
command — e.g. ``<time datetime>`` values with microseconds (invalid HTML) or key point links that lead nowhere once
their post has left page 1. Run it once after upgrading; the demo loader re-creates its own blogs anyway.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dateline.coverage.models import LiveBlog, Post
from dateline.coverage.render import render_key_points, render_post
from dateline.coverage.serializers import POST_RELATIONS


class Command(BaseCommand):
    help = ("Render the stored HTML of posts and key points again with the current templates. No change events: "
            "the content is the same, and open pages get the new markup when they next load.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--blog", metavar="SLUG", help="Only this live blog.")

    def handle(self, *args: Any, **options: Any) -> None:
        blogs = LiveBlog.objects.order_by("pk")
        if options["blog"]:
            blogs = blogs.filter(slug=options["blog"])
        posts = boxes = 0
        for blog in blogs:
            for post in Post.objects.filter(blog=blog).prefetch_related(*POST_RELATIONS).iterator(chunk_size=200):
                post.blog = blog
                html = render_post(post)
                if html != post.html:
                    # Written only over the version we read: an action that edited the post meanwhile stored its own
                    # (newer) fragment, which must not be replaced by ours. Same for the blog's seq below.
                    posts += Post.objects.filter(pk=post.pk, version=post.version).update(html=html)
            html = render_key_points(blog)
            if html != blog.key_points_html:
                boxes += LiveBlog.objects.filter(pk=blog.pk, seq=blog.seq).update(key_points_html=html)
        self.stdout.write(f"Re-rendered {posts} post(s) and {boxes} key points box(es).")
