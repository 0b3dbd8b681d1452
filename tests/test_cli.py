"""The ``dateline`` command, run as a newcomer runs it: a subprocess against a fresh data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DATELINE = [sys.executable, "-m", "dateline.cli"]


def run(args: list[str], data_dir: Path, stdin: str = "", extra_env: dict | None = None):
    env = {**os.environ, "DATELINE_DATA_DIR": str(data_dir), **(extra_env or {})}
    env.pop("DATELINE_DATABASE_URL", None)  # these runs use their own SQLite file, whatever the suite runs on
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run([*DATELINE, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli")


def test_user_and_token_create(data_dir):
    """A user is created with a role; a token is printed once and only its hash is stored."""
    created = run(["user", "create", "ada", "--role", "editor", "--password-stdin"], data_dir, stdin="s3cret-pass\n")
    assert created.returncode == 0, created.stderr
    assert "editor" in created.stdout
    again = run(["user", "create", "ada", "--role", "editor"], data_dir)
    assert again.returncode == 1 and "already exists" in again.stderr
    token = run(["token", "create", "ada"], data_dir)
    assert token.returncode == 0, token.stderr
    raw = token.stdout.strip()
    assert raw.startswith("dl_") and len(raw) > 30
    check = run(["manage", "shell", "--no-imports", "-c",
                 "from dateline.accounts.models import ApiToken as T, hash_token as h;"
                 f"print(T.authenticate('{raw}').username, T.objects.filter(key_hash='{raw}').exists(),"
                 f" T.objects.filter(key_hash=h('{raw}')).exists())"], data_dir)
    assert check.stdout.split() == ["ada", "False", "True"], check.stderr


def test_token_for_unknown_user_is_a_clear_error(data_dir):
    result = run(["token", "create", "nobody"], data_dir)
    assert result.returncode == 1
    assert "no user named 'nobody'" in result.stderr


def test_bad_role_is_refused(data_dir):
    result = run(["user", "create", "bob", "--role", "overlord"], data_dir)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


@pytest.mark.parametrize("name", ["a" * 151, "ada lovelace", "ada/../x", ""])
def test_bad_username_is_refused_before_the_database(data_dir, name):
    """A name the database or the newsroom would refuse is a clear usage error (exit 2), never a traceback."""
    result = run(["user", "create", name, "--role", "reporter"], data_dir)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "not a valid username" in result.stderr
    assert "Traceback" not in result.stderr


def test_overlong_token_label_is_refused(data_dir):
    """A label longer than the column is refused with a message; no token is printed."""
    assert run(["user", "create", "lena", "--role", "reporter"], data_dir).returncode == 0
    result = run(["token", "create", "lena", "--label", "x" * 101], data_dir)
    assert result.returncode == 2 and "at most 100" in result.stderr
    assert result.stdout == ""
    assert run(["token", "create", "lena", "--label", "x" * 100], data_dir).returncode == 0


def test_serve_with_workers_needs_redis(data_dir):
    result = run(["serve", "--workers", "2"], data_dir, extra_env={"DATELINE_REDIS_URL": ""})
    assert result.returncode == 2
    assert "DATELINE_REDIS_URL" in result.stderr


def test_demo_loads_once_and_is_idempotent(data_dir):
    first = run(["demo"], data_dir)
    assert first.returncode == 0, first.stderr
    assert "/live/vale-floods-2026-11-24/" in first.stdout
    query = ("from dateline.coverage.models import LiveBlog as B;b=B.objects.get(slug='vale-floods-2026-11-24');"
             "print(b.pk, b.seq, b.posts.filter(status='published').count(), b.key_points.count())")
    before = run(["manage", "shell", "--no-imports", "-c", query], data_dir).stdout.split()
    second = run(["demo"], data_dir)
    assert second.returncode == 0, second.stderr
    after = run(["manage", "shell", "--no-imports", "-c", query], data_dir).stdout.split()
    assert before == after  # same blog, same seq: nothing rewritten
    _pk, seq, posts, key_points = map(int, after)
    assert posts >= 25 and key_points >= 4 and seq > posts


@pytest.mark.parametrize("password", ["short", ""])
def test_user_create_holds_passwords_to_the_people_pages_rules(tmp_path, password):
    """At least 10 characters, as on the People page; an empty line is an error, not a silent token-only account."""
    result = run(["user", "create", "weak", "--role", "editor", "--password-stdin"], tmp_path, stdin=password + "\n")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "password" in result.stderr and "Created" not in result.stdout
    check = run(["manage", "shell", "--no-imports", "-c",
                 "from dateline.accounts.models import User; print(User.objects.filter(username='weak').count())"],
                tmp_path)
    assert check.stdout.strip() == "0"


def test_user_create_is_audited(tmp_path):
    assert run(["user", "create", "grace", "--role", "admin"], tmp_path).returncode == 0
    check = run(["manage", "shell", "--no-imports", "-c",
                 "from dateline.audit.models import AuditEntry as A; e=A.objects.get(action='user.create');"
                 "print(e.actor_id, e.detail['user'], e.detail['role'])"], tmp_path)
    assert check.stdout.split() == ["None", "grace", "admin"], check.stderr


def test_demo_never_replaces_a_blog_it_did_not_create(tmp_path):
    """Someone's own blog on a demo slug is real coverage: the demo refuses to load rather than delete it."""
    assert run(["user", "create", "ed", "--role", "editor"], tmp_path).returncode == 0
    make = ("from dateline.coverage import actions; from dateline.accounts.models import User;"
            "ed=User.objects.get(username='ed');"
            "b=actions.create_blog(ed, title='Mine', slug='vale-floods-2026-11-23');"
            "actions.create_post(ed, b, headline='Important reporting')")
    assert run(["manage", "shell", "--no-imports", "-c", make], tmp_path).returncode == 0
    result = run(["demo"], tmp_path)
    assert result.returncode == 1 and "did not create" in result.stderr
    check = run(["manage", "shell", "--no-imports", "-c",
                 "from dateline.coverage.models import LiveBlog; b=LiveBlog.objects.get(slug='vale-floods-2026-11-23');"
                 "print(b.title, b.posts.count())"], tmp_path)
    assert check.stdout.split() == ["Mine", "1"], check.stderr


def test_a_token_can_be_listed_and_revoked_without_locking_its_user_out(tmp_path):
    assert run(["user", "create", "kai", "--role", "reporter"], tmp_path).returncode == 0
    leaked = run(["token", "create", "kai", "--label", "laptop"], tmp_path).stdout.strip()
    kept = run(["token", "create", "kai", "--label", "phone"], tmp_path).stdout.strip()
    listed = run(["token", "list", "kai"], tmp_path).stdout
    assert f"{leaked[:10]}…\tlaptop" in listed and f"{kept[:10]}…\tphone" in listed
    assert leaked not in listed and kept not in listed  # never the token itself
    assert listed.count("last used never") == 2
    run(["manage", "shell", "--no-imports", "-c",
         f"from dateline.accounts.models import ApiToken as T; T.authenticate('{kept}')"], tmp_path)
    assert run(["token", "list", "kai"], tmp_path).stdout.count("last used never") == 1
    revoked = run(["token", "revoke", leaked[:10] + "…"], tmp_path)
    assert revoked.returncode == 0 and "laptop" in revoked.stdout, revoked.stderr
    check = run(["manage", "shell", "--no-imports", "-c",
                 "from dateline.accounts.models import ApiToken as T;"
                 "from dateline.audit.models import AuditEntry as A;"
                 f"print(T.authenticate('{leaked}'), T.authenticate('{kept}').username,"
                 " A.objects.filter(action='token.revoke').count())"], tmp_path)
    assert check.stdout.split() == ["None", "kai", "1"], check.stderr
    assert run(["token", "revoke", leaked[:10]], tmp_path).returncode == 1  # already gone: said so, not a traceback


def test_revoke_takes_the_whole_token_too_and_refuses_an_ambiguous_start(tmp_path):
    assert run(["user", "create", "lu", "--role", "reporter"], tmp_path).returncode == 0
    first = run(["token", "create", "lu"], tmp_path).stdout.strip()
    run(["token", "create", "lu"], tmp_path)
    ambiguous = run(["token", "revoke", "dl_"], tmp_path)
    assert ambiguous.returncode == 2 and "2 tokens start with 'dl_'" in ambiguous.stderr
    assert run(["token", "list", "lu"], tmp_path).stdout.count("\n") == 2  # nothing was revoked
    assert run(["token", "revoke", first], tmp_path).returncode == 0
    assert run(["token", "list", "lu"], tmp_path).stdout.count("\n") == 1
