"""Helpers for the archive tests: a media store of the test's own, the demo story with the states the demo lacks
(a scheduled draft, a deleted post, a team), archives read back as comparable JSON."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.live.conftest import edge_server  # noqa: E402,F401 (the live edge on uvicorn, for the round trip)

DELETED_SECRET = "Embargoed: the councillor's name"


@pytest.fixture
def media_dirs(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_PUBLIC_ROOT = tmp_path / "media-public"
    return tmp_path


def load_story() -> Any:
    """The demo story, plus a scheduled draft, a soft-deleted post, a team member and a video post."""
    from dateline.accounts.models import User
    from dateline.coverage import actions
    from dateline.demo.loader import load_demo

    blog = load_demo()
    editor = User.objects.filter(role="editor").order_by("pk").first()
    reporter = User.objects.filter(role="reporter").order_by("pk").first()
    actions.create_post(editor, blog, headline="Scheduled: the evening briefing", body="<p>At six.</p>",
                        publish_at=timezone.now() + timedelta(days=30))
    gone = actions.create_post(editor, blog, headline=DELETED_SECRET, body=f"<p>{DELETED_SECRET} in full.</p>")
    gone = actions.edit_post(editor, gone, body=f"<p>{DELETED_SECRET}, edited.</p>")
    actions.delete_post(editor, gone)
    actions.add_member(editor, blog, reporter)
    blog.refresh_from_db()
    return blog


def export_bytes(blog: Any, *, story: bool = True) -> bytes:
    from dateline.interchange import export

    out = io.BytesIO()
    export.write(export.blogs_to_export(blog, story=story), out, main=blog)
    return out.getvalue()


def read(data: bytes) -> tuple[dict[str, Any], dict[str, Any], dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        document = json.loads(archive.read("archive.json"))
        files = {n: archive.read(n) for n in archive.namelist() if n.startswith("media/")}
    return manifest, document, files


def comparable(data: bytes) -> dict[str, Any]:
    """An archive with its ids replaced by positions (and the import's own audit entry left out): two archives of
    the same content from two instances compare equal."""
    manifest, doc, files = read(data)
    media_ids = {m["id"]: f"media#{i}" for i, m in enumerate(doc["media"])}
    post_ids = {p["id"]: f"post#{b}.{i}" for b, blog in enumerate(doc["blogs"]) for i, p in enumerate(blog["posts"])}

    def revision(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "id": post_ids[data["id"]], "url": None,
                "media": [{**m, "id": media_ids.get(m["id"], "?")} for m in data.get("media", [])]}

    for media in doc["media"]:
        media["id"] = media_ids[media["id"]]
    for blog in doc["blogs"]:
        blog["id"] = None
        blog["lead_media"] = media_ids.get(blog["lead_media"])
        blog["key_points"] = [{**k, "post": post_ids.get(k["post"])} for k in blog["key_points"]]
        blog["audit"] = [{**a, "post": post_ids.get(a["post"])} for a in blog["audit"]
                         if a["action"] != "archive.load"]
        for post in blog["posts"]:
            post["id"] = post_ids[post["id"]]
            post["media"] = [media_ids[m] for m in post.get("media", [])]
            for rev in post.get("revisions", []):
                rev["data"] = revision(rev["data"])
    for key in ("archive_id", "created_at", "sha256"):
        manifest.pop(key)
    return {"manifest": manifest, "document": doc, "files": files}
