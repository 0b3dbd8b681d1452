"""``make test``'s two passes of the suite, side by side (not a test module).

    python -m tests.passes POSTGRES_URL REPORT_DIR [pytest args...]

The suite runs on SQLite (with the browser tests) and again on PostgreSQL (without them: the browser drives the
same views), at the same time — on two cores, the two passes take little longer than the longer one alone, where
one after the other they took more than an hour. The SQLite pass writes to this terminal as it goes; the PostgreSQL
pass to a log (``.venv/test-postgres.log``) printed when it ends. The deploy tests (nginx, Pushpin, systemd, the
cluster, several hosts) are the production shape, so they run once, in the PostgreSQL pass — or in the SQLite pass
when PostgreSQL is not there.

What keeps the passes apart: each has its own ``DATELINE_DATA_DIR`` and its own Redis database number (pub/sub
channels are global to a Redis server: the tests that publish name a channel of their own per test), and the
PostgreSQL pass's test database is its own (pytest-django's ``test_<name>``; the deploy tests make private ones).
Then ``tests.services report`` says which kinds of tests ran, and in CI fails the run when one did not.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.services import postgres_up, report

DEPLOY = "tests/deploy"


def other_redis_db(url: str) -> str:
    """The Redis URL with the next lower database number (15 → 14): the PostgreSQL pass's own keys."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(number - 1) % 16}"))


def pytest(args: list[str], env: dict[str, str], **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                            env=env, **kwargs)  # type: ignore[call-overload]


def main(argv: list[str]) -> int:
    postgres_url, report_dir, *extra = argv
    reports = Path(report_dir)
    sqlite_report, postgres_report = reports / "test-report-sqlite.json", reports / "test-report-postgres.json"
    for old in (sqlite_report, postgres_report):
        old.unlink(missing_ok=True)
    base = {k: v for k, v in os.environ.items() if k != "DATELINE_DATABASE_URL"}
    redis_url = base.get("DATELINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

    postgres = None
    log = None
    if postgres_up(postgres_url):
        print(f"--- the suite on PostgreSQL ({postgres_url}) runs beside this one; its log follows it ---",
              flush=True)
        env = {**base, "DATELINE_DATABASE_URL": postgres_url, "DATELINE_TEST_REPORT": str(postgres_report),
               "DATELINE_DATA_DIR": tempfile.mkdtemp(prefix="dateline-pg-"),
               "DATELINE_TEST_REDIS_URL": other_redis_db(redis_url)}
        log = (reports / "test-postgres.log").open("w+b")
        postgres = pytest([*extra, "-m", "not browser"], env, stdout=log, stderr=subprocess.STDOUT)
    else:
        print(f"PostgreSQL not reachable at {postgres_url}: PostgreSQL tests skipped (apt-get install postgresql)",
              flush=True)

    print("--- the suite on SQLite ---", flush=True)
    env = {**base, "DATELINE_TEST_REPORT": str(sqlite_report),
           "DATELINE_DATA_DIR": tempfile.mkdtemp(prefix="dateline-sqlite-"), "DATELINE_TEST_REDIS_URL": redis_url}
    sqlite = pytest([*extra, *(["--ignore", DEPLOY] if postgres else [])], env)
    codes = [sqlite.wait()]

    if postgres is not None and log is not None:
        codes.append(postgres.wait())
        print(f"--- the suite on PostgreSQL ({postgres_url}): exit {codes[-1]} ---", flush=True)
        log.seek(0)
        sys.stdout.buffer.write(log.read())
        sys.stdout.flush()

    print("--- what ran ---", flush=True)
    codes.append(report([str(sqlite_report), str(postgres_report)]))
    return max(codes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
