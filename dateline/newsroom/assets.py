"""The newsroom's CSS and JS, and the ProseMirror editor django-prose-editor ships (no Node build), served by Django
so ``dateline serve`` needs no separate static server — through the one static mechanism (``dateline/live/static.py``):
URLs carry a content hash, so they can be cached for a year. Served as stored (the editor's bundle is built already,
and the newsroom's scripts are not on the readers' page-weight budget); source maps are not served."""

from __future__ import annotations

from pathlib import Path

import django_prose_editor
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from dateline.live.static import StaticFiles, in_roots

OWN_DIR = Path(__file__).resolve().parent / "static" / "newsroom"
PROSE_DIR = Path(django_prose_editor.__file__).resolve().parent / "static" / "django_prose_editor"
ROOTS = {"newsroom": OWN_DIR, "prose": PROSE_DIR}

FILES = StaticFiles("/newsroom/static/", in_roots(ROOTS, refuse=(".map",)), minify=False)


def asset_url(root: str, name: str) -> str:
    return FILES.url(f"{root}/{name}")


def editor_assets() -> dict[str, str]:
    """What a page with the rich-text editor loads; ``editor_js`` goes in the import map, the rest in tags."""
    return {
        "editor_js": asset_url("prose", "editor.js"),
        "default_js": asset_url("prose", "default.js"),
        "editor_css": asset_url("prose", "editor.css"),
        "icons_css": asset_url("prose", "material-icons.css"),
    }


@require_GET
def asset(request: HttpRequest, root: str, path: str) -> HttpResponse:
    return FILES.django_response(request, f"{root}/{path}")
