"""/api/v1/blogs/<slug>/export: a blog's Dateline archive (docs/operations.md "Archive format"), for editors.

Streamed: the zip is written piece by piece as the client reads it (``interchange.export.stream``), each piece
made in a worker thread, so a blog with hundreds of images is never held in memory. Under ASGI an async iterator,
because Django's ASGI handler would read a synchronous one to the end before sending a byte.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, StreamingHttpResponse
from ninja import Router

from dateline.api.auth import actor, token_auth
from dateline.api.errors import ApiError
from dateline.api.schemas import ErrorOut
from dateline.coverage import permissions as perm
from dateline.coverage.models import LiveBlog
from dateline.interchange import export

router = Router(tags=["blogs"])
_END = object()


def _next(pieces: Iterator[bytes]) -> Any:
    return next(pieces, _END)


async def _pieces(pieces: Iterator[bytes]) -> AsyncIterator[bytes]:
    while (piece := await sync_to_async(_next)(pieces)) is not _END:
        yield piece


ZIP_RESPONSE = {"200": {"description": "The archive (a zip; format in docs/operations.md).",
                        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}}


@router.get("/{slug}/export", response={401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
            auth=token_auth, openapi_extra={"responses": ZIP_RESPONSE},
            summary="Export a live blog as a Dateline archive (editors); story=true: every day of its story")
def export_blog(request: HttpRequest, slug: str, story: bool = False) -> Any:
    perm.require_editor(actor(request), "export live blogs")
    blog = LiveBlog.objects.select_related("story").filter(slug=slug).first()
    if blog is None:
        raise ApiError(404, f"No live blog '{slug}'.")
    blogs = export.blogs_to_export(blog, story=story)
    pieces = export.stream(blogs, main=blog)
    # Under ASGI an async iterator (Django would read a sync one whole first); under WSGI the plain one.
    content = _pieces(pieces) if isinstance(request, ASGIRequest) else pieces
    response = StreamingHttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{blog.slug}.dateline.zip"'
    response["Cache-Control"] = "private, no-store"
    return response
