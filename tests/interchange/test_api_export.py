"""GET /api/v1/blogs/<slug>/export: editors get the archive, streamed (an async iterator, so Django's ASGI handler
sends it piece by piece instead of reading it whole); others get the API's JSON errors."""

from __future__ import annotations

import io
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client

from dateline.coverage import actions
from dateline.coverage.models import LiveBlog
from dateline.interchange.archive import open_archive
from tests.interchange.conftest import comparable, export_bytes

pytestmark = pytest.mark.usefixtures("media_dirs")


def _get(path: str, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().get(path, headers=headers)


def _get_asgi(path: str, token: str) -> tuple[Any, list[bytes]]:
    """Through Django's ASGI handler, as uvicorn serves it: the response and the pieces it streamed."""
    pieces: list[bytes] = []

    async def run() -> Any:
        response = await AsyncClient().get(path, headers={"Authorization": f"Bearer {token}"})
        async for piece in response.streaming_content:
            pieces.append(piece)
        return response

    return async_to_sync(run)(), pieces


def test_an_editor_downloads_the_archive_streamed(actors, blog):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.interchange.test_import import _png

    image = actions.upload_image(actors["editor"], SimpleUploadedFile("a.png", _png(), "image/png"), alt="A bridge")
    actions.create_post(actors["editor"], blog, headline="Bridge shut", body="<p>Closed.</p>", media=[image.pk])
    token = actions.issue_token(None, actors["editor"], label="t")[1]
    response, pieces = _get_asgi(f"/api/v1/blogs/{blog.slug}/export", token)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response.streaming and response.is_async  # an async iterator: the ASGI handler sends piece by piece
    assert f'filename="{blog.slug}.dateline.zip"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert len(pieces) > 2  # the JSON, then the image files: several pieces, not one body
    body = b"".join(pieces)
    wsgi = _get(f"/api/v1/blogs/{blog.slug}/export", token)  # under WSGI, a plain iterator, streamed too
    assert wsgi.streaming and not wsgi.is_async
    assert comparable(b"".join(wsgi.streaming_content))["document"] == comparable(body)["document"]
    archive = open_archive(io.BytesIO(body))  # a valid archive, every check passing
    assert archive.manifest["main"] == blog.slug
    same = export_bytes(LiveBlog.objects.get(pk=blog.pk), story=False)
    assert comparable(body)["document"] == comparable(same)["document"]


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("reporter", 403), ("contributor", 403)])
def test_only_editors_export(actors, blog, role, status):
    token = actions.issue_token(None, actors[role], label="t")[1] if role else None
    response = _get(f"/api/v1/blogs/{blog.slug}/export", token)
    assert response.status_code == status and response.json()["error"]["message"]


def test_an_unknown_blog_is_a_json_404(actors):
    token = actions.issue_token(None, actors["admin"], label="t")[1]
    response = _get("/api/v1/blogs/no-such-blog/export", token)
    assert response.status_code == 404 and response.json()["error"]["code"]


def test_the_openapi_describes_the_export(db):
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/blogs/{slug}/export"]["get"]
    assert "application/zip" in operation["responses"]["200"]["content"]
