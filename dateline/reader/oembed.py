"""``/oembed``: the oEmbed 1.0 provider for blog and post URLs — a ``rich`` iframe of the embed widget."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.html import escape
from django.views.decorators.http import require_safe

from dateline.coverage.models import LiveBlog, Post
from dateline.coverage.serializers import blog_path
from dateline.coverage.validation import parse_id
from dateline.reader.structured import absolute, page_title, post_title
from dateline.reader.views import EMBED_HEIGHT, asset_url

_OEMBED_PATH = re.compile(r"^/live/(?P<slug>[-\w]+)/(?:posts/(?P<post>\d+)/)?$")


def _oembed_error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": "oembed", "message": message}}, status=status)


@require_safe
def oembed(request: HttpRequest) -> JsonResponse:
    """oEmbed 1.0 provider for blog and post URLs: a ``rich`` iframe of the embed widget."""
    url = request.GET.get("url", "")
    if request.GET.get("format", "json") != "json":
        return _oembed_error(501, "Only format=json is supported.")
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[::1" and the like: urlsplit refuses a malformed host
        return _oembed_error(400, "The url parameter is not a valid URL.")
    own_hosts = {request.get_host()}
    if settings.DATELINE_PUBLIC_URL:
        own_hosts.add(urlsplit(settings.DATELINE_PUBLIC_URL).netloc)
    match = _OEMBED_PATH.match(parts.path)
    if parts.scheme not in ("http", "https") or parts.netloc not in own_hosts or not match:
        return _oembed_error(404, "Not a live blog or post URL of this site.")
    blog = LiveBlog.objects.filter(slug=match["slug"]).first()
    if blog is None:
        return _oembed_error(404, "No such live blog.")
    src = absolute(request, f"{blog_path(blog)}embed/")
    title = page_title(blog).rsplit(" | ", 1)[0]
    if match["post"]:
        post = Post.objects.filter(pk=int(match["post"]), blog=blog, status=Post.Status.PUBLISHED).first()
        if post is None:
            return _oembed_error(404, "No such post.")
        src += f"?post={post.pk}"
        title = post_title(post)
    width, height = 600, EMBED_HEIGHT
    for name in ("maxwidth", "maxheight"):
        value = parse_id(request.GET.get(name))
        if value:
            if name == "maxwidth":
                width = min(width, value)
            else:
                height = min(height, value)
    html = (f'<iframe src="{escape(src)}" title="{escape(title)}" data-dateline-embed width="{width}" '
            f'height="{height}" style="border:0;max-width:100%" loading="lazy"></iframe>'
            f'<script async src="{escape(absolute(request, asset_url("embed.js")))}"></script>')
    return JsonResponse({
        "version": "1.0", "type": "rich", "title": title,
        "provider_name": settings.DATELINE_PUBLISHER, "provider_url": absolute(request, "/"),
        "html": html, "width": width, "height": height, "cache_age": 3600,
    })
