"""The newsroom's CSS and JS, and the ProseMirror editor django-prose-editor ships (no Node build), served by Django
so ``dateline serve`` needs no separate static server. URLs carry a content hash, so they can be cached for a year."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import django_prose_editor
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET
from django.views.static import serve

OWN_DIR = Path(__file__).resolve().parent / "static" / "newsroom"
PROSE_DIR = Path(django_prose_editor.__file__).resolve().parent / "static" / "django_prose_editor"
ROOTS = {"newsroom": OWN_DIR, "prose": PROSE_DIR}


@cache
def _digest(root: str, name: str) -> str:
    return hashlib.sha256((ROOTS[root] / name).read_bytes()).hexdigest()[:10]


def asset_url(root: str, name: str) -> str:
    return f"/newsroom/static/{root}/{name}?v={_digest(root, name)}"


def editor_assets() -> dict[str, str]:
    """What a page with the rich-text editor loads; ``editor_js`` goes in the import map, the rest in tags."""
    return {
        "editor_js": asset_url("prose", "editor.js"),
        "default_js": asset_url("prose", "default.js"),
        "editor_css": asset_url("prose", "editor.css"),
        "icons_css": asset_url("prose", "material-icons.css"),
    }


@require_GET
def asset(request: HttpRequest, root: str, path: str) -> HttpResponseBase:
    if root not in ROOTS or path.endswith(".map"):
        raise Http404("No such asset.")
    response = serve(request, path, document_root=str(ROOTS[root]))
    response["Cache-Control"] = "public, max-age=31536000, immutable" if request.GET.get("v") else "no-cache"
    return response
