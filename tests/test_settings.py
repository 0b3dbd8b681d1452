"""Settings from the environment (CONTRACT.md "Configuration"), and SQLite's WAL + IMMEDIATE defaults.

Settings are read once, at import, so each case runs ``python -c`` in a fresh process with the variable set (and
every other ``DATELINE_*`` variable removed, so the suite's own configuration — PostgreSQL in the PostgreSQL pass of
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


# --- production defaults (issue 11: 4, 5, 9) ------------------------------------------------------------------

KEY_CODE = """
    import json
    print(json.dumps({"key": settings.SECRET_KEY}))
"""


def test_without_a_secret_key_one_is_made_on_first_start_and_kept_private(tmp_path):
    """No shared, well-known default key: the first start makes a random one in the data directory (0600)."""
    first = run_python(KEY_CODE, tmp_path)["key"]
    key_file = tmp_path / "data" / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(first) >= 50 and len(set(first)) >= 20 and "insecure" not in first
    assert run_python(KEY_CODE, tmp_path)["key"] == first  # sessions survive a restart
    other = run_python(KEY_CODE, tmp_path, DATELINE_DATA_DIR=str(tmp_path / "other"))["key"]
    assert other != first  # another instance, another key
    given = run_python(KEY_CODE, tmp_path, DATELINE_DATA_DIR=str(tmp_path / "given"), DATELINE_SECRET_KEY="g" * 50)
    assert given["key"] == "g" * 50 and not (tmp_path / "given" / "secret_key").exists()


def test_workers_starting_together_agree_on_one_key(tmp_path):
    """``--workers N`` start at once: every one must sign with the same key, or a session set by one worker is
    refused by the next."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATELINE_")}
    env.update({"DJANGO_SETTINGS_MODULE": "dateline.settings", "PYTHONPATH": str(Path.cwd()),
                "DATELINE_DATA_DIR": str(tmp_path / "data")})
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
             for _ in range(6)]
    keys = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert len(keys) == 1 and "" not in keys
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["secret_key"]  # no draft left behind


def test_an_https_public_url_makes_the_site_https_only(tmp_path):
    out = run_python("""
        import json
        from django.core.management import call_command
        from django.test import Client
        call_command("migrate", verbosity=0)
        http = Client(HTTP_HOST="live.example.com")
        redirect = http.get("/live/x/?a=1")
        health = http.get("/healthz")
        https = Client(HTTP_HOST="live.example.com").get("/newsroom/login/", secure=True)
        print(json.dumps({
            "redirect": [redirect.status_code, redirect.get("Location")],
            "health": health.status_code,
            "hsts": https.get("Strict-Transport-Security"),
            "csrf_cookie_secure": bool(https.cookies["csrftoken"]["secure"]),
            "session_secure": settings.SESSION_COOKIE_SECURE,
            "trusted_origins": settings.CSRF_TRUSTED_ORIGINS,
        }))
    """, tmp_path, DATELINE_PUBLIC_URL="https://live.example.com")
    assert out == {"redirect": [301, "https://live.example.com/live/x/?a=1"], "health": 200,
                   "hsts": "max-age=31536000", "csrf_cookie_secure": True, "session_secure": True,
                   "trusted_origins": ["https://live.example.com"]}
    plain = run_python("""
        import json
        print(json.dumps([settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS]))
    """, tmp_path, DATELINE_PUBLIC_URL="http://127.0.0.1:8000")
    assert plain == [False, False, 0]  # a laptop on plain http still signs in


def _readme_production_settings() -> dict[str, str]:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = readme.split("### Production", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return dict(line.split("=", 1) for line in block.split() if "=" in line)


def test_check_deploy_is_clean_with_the_production_settings_of_the_readme(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATELINE_")}
    env.update(_readme_production_settings(), DATELINE_DATA_DIR=str(tmp_path / "data"),
               PYTHONPATH=str(Path.cwd()))
    assert env["DATELINE_PUBLIC_URL"].startswith("https://")
    result = subprocess.run([sys.executable, "-m", "dateline.cli", "manage", "check", "--deploy",
                             "--fail-level", "WARNING"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_every_500_is_logged_with_its_traceback(tmp_path):
    """With DEBUG off Django prints nothing for a 500 (it mails ADMINS): the traceback must reach the log."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DATELINE_")}
    clean.update({"DJANGO_SETTINGS_MODULE": "dateline.settings", "PYTHONPATH": str(Path.cwd()),
                  "DATELINE_DATA_DIR": str(tmp_path / "data")})
    code = SETUP + textwrap.dedent("""
        from unittest import mock
        from django.test import Client
        with mock.patch("dateline.reader.views.index", side_effect=RuntimeError("the index broke")):
            response = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1").get("/")
        print(response.status_code)
    """)
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=clean, capture_output=True,
                            text=True, timeout=60)
    assert result.stdout.strip() == "500", result.stderr
    assert "ERROR django.request: Internal Server Error: /" in result.stderr
    assert "Traceback (most recent call last)" in result.stderr and "RuntimeError: the index broke" in result.stderr
