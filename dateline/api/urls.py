"""The JSON API, mounted at /api/v1/ by dateline/urls.py. See docs/api.md."""

from __future__ import annotations

from dateline.api import blogs, exports, media
from dateline.api.core import DatelineAPI

api = DatelineAPI(
    title="Dateline",
    version="1",
    description=(
        "Live blogs for newsrooms. Reading published content needs no token; writing needs "
        "`Authorization: Bearer <token>` (`dateline token create NAME`). Errors are always "
        '`{"error": {"code", "message", "fields"?}}`. Anonymous reads of one blog (the blog, its posts, a post, '
        "its key points) are cacheable: `Cache-Control: public, max-age=0, s-maxage=5`, `Vary: Accept-Encoding, "
        "Authorization`, purge tag `dateline-blog-<slug>`; answers to a token are never marked public. See docs/api.md."
    ),
    urls_namespace="api",
)
api.add_router("/blogs", blogs.router)
api.add_router("/blogs", blogs.posts_router)
api.add_router("/blogs", blogs.key_points_router)
api.add_router("/blogs", exports.router)
api.add_router("/media", media.router)
