"""Issue 13's acceptance: the demo story exported, the database flushed, the archive imported, and exported again,
gives the same archive (ids aside); the API, the reader page and the live edge agree with the original; and the
archive carries no text of a deleted post. On SQLite, and on PostgreSQL when the suite runs there."""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.core.management import call_command

from dateline.coverage import actions
from dateline.coverage.models import Change, LiveBlog
from dateline.demo import content
from dateline.interchange.restore import import_archive
from tests.interchange.conftest import DELETED_SECRET, comparable, export_bytes, load_story, read
from tests.live.conftest import SseReader
from tests.live.test_compaction import _fresh_edge

pytestmark = pytest.mark.usefixtures("media_dirs")


def _editor_token() -> str:
    from dateline.accounts.models import User

    editor = User.objects.filter(role="editor").order_by("username").first()
    return actions.issue_token(None, editor, label="test")[1]


def _api_state(url: str, token: str, slugs: list[str]) -> dict[str, Any]:
    """Every post (each status), revision count, key point, correction, label and media checksum, ids aside."""
    headers = {"Authorization": f"Bearer {token}"}
    state: dict[str, Any] = {}
    for slug in slugs:
        blog = httpx.get(f"{url}/api/v1/blogs/{slug}", headers=headers).json()
        posts = []
        for status in ("published", "draft", "deleted"):
            page = httpx.get(f"{url}/api/v1/blogs/{slug}/posts", params={"status": status, "limit": 100},
                             headers=headers).json()
            assert page["next"] is None
            posts += page["items"]
        ids = {p["id"]: i for i, p in enumerate(sorted(posts, key=lambda p: p["created_at"]))}
        for post in posts:
            post["id"], post["url"] = ids[post["id"]], None
            for media in post["media"]:
                # The file the URL names, read from the store (the media view's FileResponse is for nginx/WSGI).
                name = media["url"].removeprefix(settings.MEDIA_URL)
                body = (Path(settings.MEDIA_ROOT) / name).read_bytes() if media["kind"] == "image" else b""
                media.update(id=None, sha256=hashlib.sha256(body).hexdigest(), renditions=len(media["renditions"]))
        blog["key_points"] = [{**k, "post_id": ids.get(k["post_id"])} for k in blog["key_points"]]
        if blog["lead_media"]:
            blog["lead_media"]["id"] = None
        state[slug] = {"blog": blog, "posts": sorted(posts, key=lambda p: p["id"])}
    return state


def _tombstoned(state: dict[str, Any]) -> dict[str, Any]:
    kept = ("id", "status", "created_at", "published_at", "updated_at", "version")
    return {slug: {**s, "posts": [p if p["status"] != "deleted" else {k: p[k] for k in kept} for p in s["posts"]]}
            for slug, s in state.items()}


def _page_text(url: str, slug: str) -> str:
    page = httpx.get(f"{url}/live/{slug}/").text
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_export_flush_import_export_gives_the_same_archive(edge_server, settings):
    blog = load_story()
    slugs = list(LiveBlog.objects.order_by("pk").values_list("slug", flat=True))
    main, seq = blog.slug, blog.seq
    first = export_bytes(blog)
    token = _editor_token()
    api_before = _api_state(edge_server.url, token, slugs)
    pages_before = {slug: _page_text(edge_server.url, slug) for slug in slugs}
    assert "Vale" in pages_before[main] or content.BLOG["title"].split()[0] in pages_before[main]

    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)
    shutil.rmtree(settings.MEDIA_PUBLIC_ROOT, ignore_errors=True)
    archive = Path(settings.MEDIA_ROOT).parent / "story.zip"
    archive.write_bytes(first)
    report = import_archive(str(archive))
    assert sorted(report.blogs) == sorted(slugs), report.lines()
    assert not any("taken" in note for note in report.notes)

    imported = LiveBlog.objects.get(slug=main)
    assert imported.seq == seq and not Change.objects.filter(blog=imported).exists()
    second = export_bytes(imported)
    assert comparable(second) == comparable(first)

    token = _editor_token()
    api_after = _api_state(edge_server.url, token, slugs)
    # A deleted post comes back as the tombstone the archive keeps (its place and times): its text stays gone.
    assert DELETED_SECRET in str(api_before) and DELETED_SECRET not in str(api_after)
    assert _tombstoned(api_after) == _tombstoned(api_before)
    assert {slug: _page_text(edge_server.url, slug) for slug in slugs} == pages_before

    # The new instance's live edge (a process that knows only this database; the flush reset the ids, so the
    # running one would still hold the old blog's ring under the same id and seq): at seq N, nothing to replay; a
    # reader from before the import reloads (reset), never replays.
    with _fresh_edge() as fresh:
        at_head = httpx.get(f"{fresh.url}/live/{main}/changes", params={"after": seq}).json()
        assert at_head["seq"] == seq and at_head["changes"] == []
        behind = httpx.get(f"{fresh.url}/live/{main}/changes", params={"after": 0}).json()
        assert behind.get("reset") and behind["changes"] == []
        stream = SseReader(f"{fresh.url}/live/{main}/events", headers={"Last-Event-ID": str(seq)}).start()
        time.sleep(0.5)
        stream.stop()
        assert stream.events == []  # connected at the head: nothing replayed
        # The history goes on from N: the next post is N + 1, and a reader at N gets exactly it.
        from dateline.accounts.models import User

        editor = User.objects.filter(role="editor").order_by("username").first()
        actions.create_post(editor, imported, headline="After the move", body="<p>First post here.</p>")
        after = httpx.get(f"{fresh.url}/live/{main}/changes", params={"after": seq}).json()
        assert [c["seq"] for c in after["changes"]] == [seq + 1]


def test_the_archive_carries_no_deleted_text_and_keeps_the_tombstone(db):
    blog = load_story()
    _manifest, document, _files = read(export_bytes(blog))
    raw = export_bytes(blog)
    assert DELETED_SECRET.encode() not in raw  # not even compressed: the JSON never held it
    text = str(document)
    assert DELETED_SECRET not in text
    tombstones = [p for b in document["blogs"] for p in b["posts"] if p["status"] == "deleted"]
    assert len(tombstones) == 1 and set(tombstones[0]) == {"id", "status", "created_at", "published_at",
                                                            "updated_at", "version", "deleted"}
    scheduled = [p for b in document["blogs"] for p in b["posts"] if p.get("publish_at")]
    assert scheduled and scheduled[0]["scheduled_by"]
    assert any(b["members"] for b in document["blogs"])
    assert all(len(p["revisions"]) >= 1 for b in document["blogs"] for p in b["posts"] if p["status"] != "deleted")


def test_a_story_imported_beside_its_original_gets_its_own_story(db, tmp_path):
    blog = load_story()
    original_days = set(blog.story.blogs.values_list("slug", flat=True))
    archive = tmp_path / "story.zip"
    archive.write_bytes(export_bytes(blog))
    report = import_archive(str(archive))
    copies = LiveBlog.objects.filter(slug__in=report.blogs).select_related("story")
    stories = {copy.story.slug for copy in copies}
    assert len(copies) == 2 and stories == {f"{blog.story.slug}-imported"}
    assert set(blog.story.blogs.values_list("slug", flat=True)) == original_days  # the original story untouched
    assert all(slug.endswith("-imported") for slug in report.blogs)


def test_one_day_then_the_next_join_one_story(transactional_db, tmp_path):
    from dateline.coverage.models import Story

    blog = load_story()
    days = list(LiveBlog.objects.filter(story=blog.story).order_by("coverage_start"))
    archives = []
    for day in days:
        path = tmp_path / f"{day.slug}.zip"
        path.write_bytes(export_bytes(day, story=False))
        archives.append(path)
    call_command("flush", interactive=False, verbosity=0)
    for path in archives:
        import_archive(str(path))
    assert Story.objects.count() == 1
    assert Story.objects.get().blogs.count() == 2
