"""Settings from the environment (CONTRACT.md "Configuration"), and SQLite's WAL + IMMEDIATE defaults.

Settings are read once, at import, so each case runs ``python -c`` in a fresh process with the variable set (and
every other ``DATELINE_*`` variable removed, so the suite's own configuration — PostgreSQL in the second pass of
``make test`` — does not leak in). They run the same on both passes: they are about the defaults.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SETUP = "import django; django.setup()\nfrom django.conf import settings\n"


def run_python(code: str, tmp_path: Path, **env: str | None) -> dict:
    """Run ``code`` (after Django set-up) in a new interpreter in ``tmp_path``; it prints one JSON object.

    The data directory is ``tmp_path/data`` unless ``DATELINE_DATA_DIR`` is given (``None``: left unset)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DATELINE_") and k != "DJANGO_SETTINGS_MODULE"}
    clean.update({"DJANGO_SETTINGS_MODULE": "dateline.settings", "PYTHONPATH": str(Path.cwd()),
                  "DATELINE_DATA_DIR": str(tmp_path / "data")})
    clean.update({k: v for k, v in env.items() if v is not None})
    for name in [k for k, v in env.items() if v is None]:
        clean.pop(name, None)
    result = subprocess.run([sys.executable, "-c", SETUP + textwrap.dedent(code)], cwd=tmp_path, env=clean,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_sqlite_runs_in_wal_mode(tmp_path):
    """WAL lets readers read while one writer writes: the reader page never waits on a publishing desk."""
    out = run_python("""
        import json
        from django.db import connection
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0]
        print(json.dumps({"vendor": connection.vendor, "mode": mode}))
    """, tmp_path)
    assert out == {"vendor": "sqlite", "mode": "wal"}


def test_sqlite_transactions_take_the_write_lock_at_begin(tmp_path):
    """IMMEDIATE: an atomic block holds the write lock from its first statement, before it has written anything,
    so two actions never both read a blog's seq and then race to write it. A second writer is refused while the
    block is open, and gets in once it closes. (With SQLite's default DEFERRED, BEGIN takes no lock at all.)"""
    out = run_python("""
        import json, sqlite3
        from django.db import connection, transaction

        def other_writer_can_begin():
            other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.rollback()
                return True
            except sqlite3.OperationalError as exc:
                assert "locked" in str(exc), exc
                return False
            finally:
                other.close()

        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")  # a read only: DEFERRED would hold no lock here
            during = other_writer_can_begin()
        print(json.dumps({"during": during, "after": other_writer_can_begin(),
                          "mode": connection.settings_dict["OPTIONS"]["transaction_mode"]}))
    """, tmp_path)
    assert out == {"during": False, "after": True, "mode": "IMMEDIATE"}


def test_data_dir_holds_the_database_and_media(tmp_path):
    """DATELINE_DATA_DIR is created if missing and holds the SQLite file and uploads."""
    data = tmp_path / "newsroom-data"
    out = run_python("""
        import json
        from django.db import connection
        connection.ensure_connection()
        print(json.dumps({"db": connection.settings_dict["NAME"], "media": str(settings.MEDIA_ROOT)}))
    """, tmp_path, DATELINE_DATA_DIR=str(data))
    assert out == {"db": str(data / "dateline.sqlite3"), "media": str(data / "media")}
    assert (data / "dateline.sqlite3").is_file()


def test_data_dir_defaults_to_var_in_the_working_directory(tmp_path):
    out = run_python("""
        import json
        from django.db import connection
        connection.ensure_connection()
        print(json.dumps({"db": connection.settings_dict["NAME"]}))
    """, tmp_path, DATELINE_DATA_DIR=None)
    assert out == {"db": str(tmp_path.resolve() / "var" / "dateline.sqlite3")}
    assert (tmp_path / "var" / "dateline.sqlite3").is_file()


def test_time_zone_sets_the_local_time_of_the_site(tmp_path):
    code = """
        import json
        from datetime import UTC, datetime
        from django.utils import timezone
        local = timezone.localtime(datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
        print(json.dumps({"setting": settings.TIME_ZONE, "local": local.isoformat()}))
    """
    out = run_python(code, tmp_path, DATELINE_TIME_ZONE="Asia/Kolkata")
    assert out == {"setting": "Asia/Kolkata", "local": "2026-07-01T17:30:00+05:30"}
    assert run_python(code, tmp_path)["setting"] == "UTC"  # the default


def test_secret_key_signs_with_the_given_key(tmp_path):
    """Sessions and CSRF are signed with DATELINE_SECRET_KEY: a value signed under one key fails under another."""
    code = """
        import json, os
        from django.core import signing
        signed = os.environ.get("SIGNED")
        try:
            ok = signed is not None and signing.loads(signed) == "desk"
        except signing.BadSignature:
            ok = False
        print(json.dumps({"is_env": settings.SECRET_KEY == os.environ.get("DATELINE_SECRET_KEY"),
                          "signed": signing.dumps("desk"), "verified": ok}))
    """
    first = run_python(code, tmp_path, DATELINE_SECRET_KEY="k" * 50)
    assert first["is_env"]
    same = run_python(code, tmp_path, DATELINE_SECRET_KEY="k" * 50, SIGNED=first["signed"])
    other = run_python(code, tmp_path, DATELINE_SECRET_KEY="z" * 50, SIGNED=first["signed"])
    assert same["verified"] and not other["verified"]


@pytest.mark.parametrize(("value", "allowed", "refused"), [
    ("news.example, live.example ", ["news.example", "live.example"], ["127.0.0.1", "evil.example"]),
    (None, ["127.0.0.1", "localhost"], ["news.example"]),  # the default: a laptop
])
def test_allowed_hosts_decide_which_host_headers_are_served(tmp_path, value, allowed, refused):
    code = """
        import json
        from django.core.exceptions import DisallowedHost
        from django.test import RequestFactory

        def served(host):
            try:
                RequestFactory().get("/", HTTP_HOST=host).get_host()
                return True
            except DisallowedHost:
                return False

        hosts = %r
        print(json.dumps({host: served(host) for host in hosts}))
    """ % (allowed + refused)
    env = {"DATELINE_ALLOWED_HOSTS": value} if value is not None else {}
    out = run_python(code, tmp_path, **env)
    assert out == {**{h: True for h in allowed}, **{h: False for h in refused}}
