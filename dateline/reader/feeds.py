"""Atom and RSS feeds of a blog's newest posts, on Django's syndication framework.

``item_updateddate`` makes an edited post show as updated in Atom readers; the views are wrapped in
``condition`` (ETag from the blog's id and ``seq``, Last-Modified from its last change) so polling feed readers get
304s, and cache as pages do (``edgecache``). The JSON Feed is built by ``structured.json_feed``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.views.decorators.http import condition, require_safe

from dateline.coverage.models import LiveBlog, Post
from dateline.coverage.serializers import blog_path, post_authors, post_path
from dateline.edgecache import purge_tagged, shared_view
from dateline.reader.structured import feed_html, json_feed, page_title, post_title

FEED_SIZE = 50


def feed_posts(blog: LiveBlog) -> list[Post]:
    """The newest published posts (pinned or not), newest first."""
    return list(
        Post.objects.filter(blog=blog, status=Post.Status.PUBLISHED)
        .order_by("-published_at", "-pk").prefetch_related("postauthor_set__user", "corrections")[:FEED_SIZE]
    )


class BlogRssFeed(Feed):
    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def get_object(self, request: HttpRequest, slug: str) -> LiveBlog:
        return get_object_or_404(LiveBlog, slug=slug)

    def text(self, value: str) -> str:
        """A plain-text title as RSS carries it: aggregators read an RSS ``<title>`` as HTML (feedparser marks it
        text/html), so a headline "Rates <b>rise</b>" escaped only once for XML would be shown in bold, or run.
        Escaped for HTML as well, it shows as written. Atom says ``type="text"`` and needs no second escape.
        Quotes stay as they are: outside a tag they mean nothing to HTML, and a plain-text reader shows them."""
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def title(self, blog: LiveBlog) -> str:
        return self.text(page_title(blog))

    def link(self, blog: LiveBlog) -> str:
        return blog_path(blog)

    def feed_url(self, blog: LiveBlog) -> str:
        return blog_path(blog) + ("feed.atom" if self.feed_type is Atom1Feed else "feed.rss")

    def description(self, blog: LiveBlog) -> str:
        return blog.description or blog.title

    def subtitle(self, blog: LiveBlog) -> str:
        return self.description(blog)

    def author_name(self) -> str:
        return settings.DATELINE_PUBLISHER

    def items(self, blog: LiveBlog) -> list[Post]:
        return feed_posts(blog)

    def item_title(self, post: Post) -> str:
        return self.text(post_title(post))

    def item_description(self, post: Post) -> str:
        return feed_html(post)

    def item_link(self, post: Post) -> str:
        return post_path(post)

    def item_guid(self, post: Post) -> str:
        return f"dateline:post:{post.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, post: Post) -> datetime | None:
        return post.published_at

    def item_updateddate(self, post: Post) -> datetime:
        return post.updated_at

    def item_author_name(self, post: Post) -> str | None:
        return ", ".join(a.byline for a in post_authors(post)) or None

    def item_categories(self, post: Post) -> list[str]:
        return list(post.tags)

    def item_extra_kwargs(self, post: Post) -> dict[str, Any]:
        return {}


class BlogAtomFeed(BlogRssFeed):
    feed_type = Atom1Feed

    def text(self, value: str) -> str:
        return value


# --- views -----------------------------------------------------------------------------------------------

def _feed_etag(request: HttpRequest, slug: str) -> str | None:
    # The blog's id, not its slug: a blog deleted and made again under the same slug restarts at seq 0, and a
    # reader's old ETag must not match the new blog's feed.
    head = LiveBlog.objects.filter(slug=slug).values_list("pk", "seq").first()
    return None if head is None else f'"{head[0]}-{head[1]}"'


def _feed_modified(request: HttpRequest, slug: str) -> datetime | None:
    return LiveBlog.objects.filter(slug=slug).values_list("updated_at", flat=True).first()


_conditional = condition(etag_func=_feed_etag, last_modified_func=_feed_modified)
atom_feed = purge_tagged(shared_view(_conditional(BlogAtomFeed())))
rss_feed = purge_tagged(shared_view(_conditional(BlogRssFeed())))


@purge_tagged
@shared_view
@_conditional
@require_safe
def json_feed_view(request: HttpRequest, slug: str) -> HttpResponse:
    blog = get_object_or_404(LiveBlog, slug=slug)
    data = json_feed(request, blog, feed_posts(blog))
    return HttpResponse(json.dumps(data, ensure_ascii=False, indent=1),
                        content_type="application/feed+json; charset=utf-8")
