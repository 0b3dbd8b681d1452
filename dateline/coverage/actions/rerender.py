"""Rendering stored fragments again after a release changed their templates (``dateline manage rerender_fragments``).

Posts' HTML and blogs' key points are rendered once, by the action that changed them, and stored (decisions.md,
"Render once"). A release that changes those templates reaches content written before it only through this — e.g.
``<time datetime>`` values with microseconds (invalid HTML) or key point links that lead nowhere once their post
has left page 1. No change events: the content is the same, and open pages get the new markup when they next load.
"""

from __future__ import annotations

from django.db.models import QuerySet

from dateline.coverage.models import LiveBlog, Post
from dateline.coverage.render import render_key_points, render_post
from dateline.coverage.serializers import POST_RELATIONS


def rerender_fragments(blogs: QuerySet[LiveBlog]) -> tuple[int, int]:
    """Render every post and key points box of ``blogs`` again; (posts, boxes) whose stored HTML changed."""
    posts = boxes = 0
    for blog in blogs.order_by("pk"):
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
    return posts, boxes
