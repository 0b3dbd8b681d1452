"""``dateline backup`` while a publisher writes, and ``dateline restore``: the restored instance holds every post
acknowledged before the backup started, in a consistent state (every post's change, seq gap-free), on SQLite and
PostgreSQL (pg_dump/pg_restore of the server's version)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from dateline import cli
from dateline.accounts.models import User
from dateline.coverage import actions
from dateline.coverage.models import Change, LiveBlog, Post
from dateline.interchange.backup import BackupError, backup, restore, verify

pytestmark = pytest.mark.usefixtures("media_dirs")


class Publisher(threading.Thread):
    """Publishes posts one after another; ``acked`` holds the headlines whose create_post returned (committed)."""

    def __init__(self, editor_pk: int, blog_pk: int) -> None:
        super().__init__(daemon=True)
        self.editor_pk, self.blog_pk = editor_pk, blog_pk
        self.acked: list[str] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            editor, blog = User.objects.get(pk=self.editor_pk), LiveBlog.objects.get(pk=self.blog_pk)
            i = 0
            while not self.stop.is_set():
                headline = f"Update {i}"
                actions.create_post(editor, blog, headline=headline, body=f"<p>Update number {i}.</p>")
                self.acked.append(headline)
                i += 1
        except BaseException as error:  # noqa: BLE001 (reported by the test)
            self.error = error
        finally:
            connection.close()


def test_a_backup_taken_while_publishing_restores_every_acknowledged_post(transactional_db, actors, tmp_path):
    editor = actors["editor"]
    blog = actions.create_blog(editor, title="Harbour bridge closure")
    publisher = Publisher(editor.pk, blog.pk)
    publisher.start()
    deadline = time.monotonic() + 30
    while len(publisher.acked) < 5:
        assert time.monotonic() < deadline and publisher.error is None, publisher.error
        time.sleep(0.01)
    acknowledged = list(publisher.acked)  # every post acknowledged before the backup starts
    manifest = backup(str(tmp_path / "backup"))
    time.sleep(0.3)  # the publisher keeps going after the backup
    publisher.stop.set()
    publisher.join(30)
    assert publisher.error is None
    written_after = len(publisher.acked)
    assert written_after > len(acknowledged)
    assert manifest["database"] == connection.vendor

    call_command("flush", interactive=False, verbosity=0)
    restore(str(tmp_path / "backup"))
    connection.close()
    restored = LiveBlog.objects.get(slug=blog.slug)
    headlines = set(Post.objects.filter(blog=restored).values_list("headline", flat=True))
    assert set(acknowledged) <= headlines
    assert len(headlines) <= written_after
    # Consistent: one change per published post, seq gap-free from 1 to the blog's seq.
    seqs = list(Change.objects.filter(blog=restored).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, restored.seq + 1)) and len(seqs) == len(headlines)


def test_restore_refuses_a_database_that_is_not_empty_and_a_damaged_backup(transactional_db, actors, tmp_path):
    actions.create_blog(actors["editor"], title="Kept")
    target = tmp_path / "backup"
    backup(str(target))
    with pytest.raises(BackupError, match="not empty"):
        backup(str(target))
    with pytest.raises(BackupError, match="not empty"):
        restore(str(target))
    assert verify(str(target))["database"] == connection.vendor
    dump = next(p for p in target.iterdir() if p.name.startswith("database."))
    with dump.open("r+b") as damaged:
        damaged.seek(100)
        damaged.write(b"\xff\x00damaged")
    with pytest.raises(BackupError, match="damaged"):
        verify(str(target))
    with pytest.raises(BackupError, match="damaged"):
        restore(str(target), force=True)
    assert LiveBlog.objects.filter(title="Kept").exists()


def test_the_cli_backs_up_verifies_and_restores_with_force(transactional_db, actors, tmp_path, capsys):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.interchange.test_import import _png

    editor = actors["editor"]
    blog = actions.create_blog(editor, title="Harbour bridge closure")
    image = actions.upload_image(editor, SimpleUploadedFile("a.png", _png(), "image/png"), alt="A bridge")
    actions.create_post(editor, blog, headline="With a picture", body="<p>x</p>", media=[image.pk])
    target = tmp_path / "nightly"
    assert cli.main(["backup", str(target)]) == 0
    assert "media files" in capsys.readouterr().out
    assert (target / "media" / image.file.name).is_file()
    assert cli.main(["restore", "--verify-only", str(target)]) == 0
    actions.create_post(editor, blog, headline="After the backup", body="<p>y</p>")
    (Path(settings.MEDIA_ROOT) / image.file.name).unlink()
    assert cli.main(["restore", str(target)]) == 1
    assert "--force" in capsys.readouterr().err
    assert cli.main(["restore", "--force", str(target)]) == 0
    assert "redo those takedowns" in capsys.readouterr().out
    connection.close()
    headlines = set(Post.objects.values_list("headline", flat=True))
    assert headlines == {"With a picture"}
    assert (Path(settings.MEDIA_ROOT) / image.file.name).is_file()
    assert (Path(settings.MEDIA_PUBLIC_ROOT) / image.file.name).is_file()  # the public tree rebuilt


def test_an_older_pg_dump_than_the_server_is_refused(db, monkeypatch, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite backups use the sqlite3 module")
    import subprocess

    from dateline.interchange import backup as module

    real = subprocess.run

    def old_client(command, *args, **kwargs):
        if command[1:] == ["--version"]:
            return subprocess.CompletedProcess(command, 0, stdout="pg_dump (PostgreSQL) 11.22\n", stderr="")
        return real(command, *args, **kwargs)

    monkeypatch.setattr(module.subprocess, "run", old_client)
    with pytest.raises(BackupError, match=r"version 11 but the server is \d+"):
        backup(str(tmp_path / "b"))
