"""``dateline import`` of a Dateline archive: once only, into a free slug, dry runs that write nothing, and hostile
or damaged archives refused with a clear message and nothing partial left behind (rows or files)."""

from __future__ import annotations

import hashlib
import io
import json
import sys
import types
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dateline import cli
from dateline.accounts.models import User
from dateline.audit.models import AuditEntry
from dateline.coverage import actions
from dateline.coverage.models import LiveBlog, Media, Post, PostRevision
from dateline.interchange.archive import ArchiveError
from dateline.interchange.restore import import_archive
from tests.interchange.conftest import export_bytes, read

pytestmark = pytest.mark.usefixtures("media_dirs")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), "#336699").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def archive(editor, blog, tmp_path) -> Path:
    image = actions.upload_image(editor, SimpleUploadedFile("a.png", _png(), "image/png"), caption="The bridge",
                                 credit="Staff", alt="A bridge")
    post = actions.create_post(editor, blog, headline="Bridge shut", body="<p>Closed at dawn.</p>", media=[image.pk])
    actions.correct_post(editor, post, correction="An earlier version gave the wrong time.")
    actions.set_key_points(editor, blog, [{"text": "The bridge is <strong>shut</strong>", "post_id": post.pk}])
    path = tmp_path / "blog.zip"
    path.write_bytes(export_bytes(LiveBlog.objects.get(pk=blog.pk), story=False))
    return path


def _counts() -> dict[str, int]:
    return {"blogs": LiveBlog.objects.count(), "posts": Post.objects.count(), "media": Media.objects.count(),
            "revisions": PostRevision.objects.count(), "users": User.objects.count(),
            "audit": AuditEntry.objects.count(),
            "files": sum(1 for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())}


def _rewrite(source: bytes, target: Path, *, doc: Any = None, raw_doc: bytes | None = None,
             extra: dict[str, bytes] | None = None, manifest_files: dict[str, Any] | None = None) -> Path:
    """The archive with archive.json replaced (its sha256 updated, so the content checks are what is tested)."""
    manifest, document, files = read(source)
    encoded = raw_doc if raw_doc is not None else json.dumps(doc(document) if doc else document).encode()
    manifest["sha256"] = hashlib.sha256(encoded).hexdigest()
    if manifest_files is not None:
        manifest["files"].update(manifest_files)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("manifest.json", json.dumps(manifest))
        out.writestr("archive.json", encoded)
        for name, data in {**files, **(extra or {})}.items():
            out.writestr(name, data)
    return target


def test_importing_the_same_archive_twice_is_refused(archive, blog):
    first = import_archive(str(archive))
    assert first.blogs == [f"{blog.slug}-imported"]
    assert any("taken here" in note for note in first.notes)
    before = _counts()
    with pytest.raises(ArchiveError, match="imported already"):
        import_archive(str(archive))
    with pytest.raises(ArchiveError, match="imported already"):
        import_archive(str(archive), slug="another-slug")
    assert _counts() == before


def test_slug_option_and_taken_slugs(archive, blog):
    with pytest.raises(ArchiveError, match="already exists"):
        import_archive(str(archive), slug=blog.slug)
    with pytest.raises(ArchiveError, match="not a usable slug"):
        import_archive(str(archive), slug="Not A Slug")
    report = import_archive(str(archive), slug="bridge-archive")
    imported = LiveBlog.objects.get(slug="bridge-archive")
    assert report.blogs == ["bridge-archive"]
    post = imported.posts.get()
    assert post.headline == "Bridge shut" and post.corrections.count() == 1
    assert imported.key_points.get().post_id == post.pk  # ids mapped
    assert f'id="post-{post.pk}"' in post.html
    media = post.media.get()
    assert media.file.name.startswith("imported/")  # the original's file name was taken
    assert hashlib.sha256(Path(media.file.path).read_bytes()).hexdigest() == \
        hashlib.sha256(Path(Media.objects.order_by("pk").first().file.path).read_bytes()).hexdigest()
    assert all(r.data["id"] == post.pk for r in post.revisions.all())
    assert blog.posts.count() == 1  # the original is untouched


def test_missing_users_are_created_without_a_password(archive, editor):
    User.objects.exclude(pk=editor.pk).delete()
    editor.username = "someone-else"
    editor.save()
    import_archive(str(archive))
    byline = User.objects.get(username="editor1")
    assert not byline.has_usable_password() and byline.display_name == "Editor One" and byline.role == "editor"


def test_a_dry_run_writes_nothing(archive):
    before = _counts()
    report = import_archive(str(archive), dry_run=True)
    assert report.lines()[0].startswith("Would import") and report.counts["posts"] == 1
    assert _counts() == before


def _later_row_fails(document: dict[str, Any]) -> dict[str, Any]:
    document["blogs"][0]["posts"][-1]["status"] = "bogus"
    return document


@pytest.mark.parametrize(("change", "message"), [
    ({"raw_doc": b"{not json"}, "not valid JSON"),
    ({"doc": lambda d: {"users": [], "blogs": [{"slug": "x"}], "media": [], "stories": []}}, "not shaped"),
    ({"doc": lambda d: [1, 2]}, "JSON object"),
    ({"doc": _later_row_fails}, "post is not valid"),
    ({"doc": lambda d: {**d, "blogs": [{**d["blogs"][0], "seq": -5}]}}, "seq"),
    ({"doc": lambda d: {**d, "blogs": [{**d["blogs"][0], "seq": 10**30}]}}, "not shaped|refused|not valid"),
    ({"extra": {"media/../../escape.txt": b"x"}, "manifest_files": {}}, "unexpected entry"),
    ({"extra": {"../escape.txt": b"x"}}, "unexpected entry"),
    ({"extra": {"/etc/passwd": b"x"}}, "unexpected entry"),
    ({"extra": {"media/stray.png": b"x"}}, "disagree"),
    ({"extra": {"media/bomb.bin": b"\0" * 30_000_000},
      "manifest_files": {"bomb.bin": {"sha256": hashlib.sha256(b"\0" * 30_000_000).hexdigest(), "size": 30_000_000}}},
     "zip bomb"),
])
def test_hostile_or_damaged_archives_are_refused_whole(archive, tmp_path, change, message):
    before = _counts()
    bad = _rewrite(archive.read_bytes(), tmp_path / "bad.zip", **change)
    with pytest.raises(ArchiveError, match=message):
        import_archive(str(bad))
    assert _counts() == before  # no rows, no media files left behind


def test_a_damaged_media_file_is_refused_and_nothing_is_left(archive, tmp_path):
    manifest, _doc, files = read(archive.read_bytes())
    name = next(iter(files))
    bad = _rewrite(archive.read_bytes(), tmp_path / "bad.zip", extra={name: b"not the image"})
    before = _counts()
    with pytest.raises(ArchiveError, match="sha256|does not match"):
        import_archive(str(bad))
    assert _counts() == before


def test_script_in_an_archive_is_sanitised(archive, tmp_path):
    def inject(document: dict[str, Any]) -> dict[str, Any]:
        document["blogs"][0]["posts"][0]["body"] = '<p>Hi</p><script>alert(1)</script><img src=x onerror=alert(2)>'
        document["blogs"][0]["key_points"][0]["text"] = '<a href="javascript:alert(3)">x</a>'
        return document

    import_archive(str(_rewrite(archive.read_bytes(), tmp_path / "x.zip", doc=inject)), slug="sanitised")
    post = LiveBlog.objects.get(slug="sanitised").posts.get()
    assert "script" not in post.body and "onerror" not in post.body and "script" not in post.html
    assert "javascript" not in LiveBlog.objects.get(slug="sanitised").key_points_html


def test_cli_import_reports_and_refuses(archive, capsys):
    assert cli.main(["import", str(archive), "--dry-run"]) == 0
    assert "Would import" in capsys.readouterr().out
    assert cli.main(["import", str(archive)]) == 0
    assert "Imported" in capsys.readouterr().out
    assert cli.main(["import", str(archive)]) == 1
    assert "imported already" in capsys.readouterr().err


def test_an_archive_cut_short_is_called_damaged_not_an_unknown_format(archive, tmp_path, capsys, db):
    """Found in review: a truncated archive (a failed copy) has no central directory, so it went to the foreign
    importers and was refused as "not a format Dateline imports"."""
    cut = tmp_path / "cut.zip"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    blogs = LiveBlog.objects.count()
    assert cli.main(["import", str(cut)]) == 1
    error = capsys.readouterr().err
    assert "not a readable zip file" in error and "format" not in error
    assert LiveBlog.objects.count() == blogs


def test_a_file_that_is_not_a_zip_goes_to_the_foreign_importers(tmp_path, monkeypatch, capsys, db):
    page = tmp_path / "page.html"
    page.write_text("<html>not a zip</html>")
    monkeypatch.setitem(sys.modules, "dateline.interchange.foreign", None)  # no foreign importers: a message
    assert cli.main(["import", str(page)]) == 1
    assert "not a Dateline archive" in capsys.readouterr().err
    calls = []

    class Report:
        def lines(self) -> list[str]:
            return ["Imported 3 posts"]

    def import_file(path: str, *, slug: str | None, dry_run: bool) -> Report:
        calls.append((path, slug, dry_run))
        return Report()

    monkeypatch.setitem(sys.modules, "dateline.interchange.foreign", types.SimpleNamespace(import_file=import_file))
    assert cli.main(["import", str(page), "--slug", "from-wp", "--dry-run"]) == 0
    assert calls == [(str(page), "from-wp", True)] and "Imported 3 posts" in capsys.readouterr().out


def test_an_archived_embed_cannot_name_its_own_player(archive, tmp_path):
    def embed(document: dict[str, Any]) -> dict[str, Any]:
        document["media"].append({**document["media"][0], "id": 999_999, "kind": "embed", "file": "",
                                  "renditions": [], "url": "https://video.example/watch?v=1",
                                  "frame_src": "https://attacker.example/player"})
        document["blogs"][0]["posts"][0]["media"].append(999_999)
        return document

    report = import_archive(str(_rewrite(archive.read_bytes(), tmp_path / "e.zip", doc=embed)), slug="embeds")
    media = Media.objects.get(kind="embed")
    assert media.frame_src == "" and "attacker" not in LiveBlog.objects.get(slug="embeds").posts.get().html
    assert any("link card" in note for note in report.notes)


@pytest.mark.parametrize("tags", [["x" * 51], ["t"] * 21, "not a list", [1]])
def test_bad_tags_are_refused(archive, tmp_path, tags):
    def bad(document: dict[str, Any]) -> dict[str, Any]:
        document["blogs"][0]["posts"][0]["tags"] = tags
        return document

    before = _counts()
    with pytest.raises(ArchiveError, match="tags"):
        import_archive(str(_rewrite(archive.read_bytes(), tmp_path / "t.zip", doc=bad)))
    assert _counts() == before
