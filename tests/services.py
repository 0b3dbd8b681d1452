"""Service checks for ``make test`` (not a test module).

``python -m tests.services postgres URL`` exits 0 when PostgreSQL answers there.
``python -m tests.services report FILE...`` prints which kinds of tests ran on which database, and — in CI
(``CI`` or ``DATELINE_REQUIRE_SERVICES`` set) — exits 1 unless browser, Redis, PostgreSQL, nginx, Pushpin and
network-namespace (several hosts) tests all ran and passed.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def postgres_up(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def report(paths: list[str]) -> int:
    ran: dict[str, int] = {"browser": 0, "redis": 0, "postgres": 0, "nginx": 0, "pushpin": 0, "netns": 0}
    failed = 0
    for path in paths:
        file = Path(path)
        if not file.exists():
            continue
        data = json.loads(file.read_text())
        for kind, counts in data["kinds"].items():
            failed += counts.get("failed", 0)
            if kind in ran:
                ran[kind] += counts.get("passed", 0)
            if data["database"] == "postgresql":
                ran["postgres"] += counts.get("passed", 0)
        print(f"{file.name}: database={data['database']} " + ", ".join(
            f"{kind}: {c.get('passed', 0)} passed, {c.get('skipped', 0)} skipped, {c.get('failed', 0)} failed"
            for kind, c in sorted(data["kinds"].items())))
    missing = [kind for kind, count in ran.items() if count == 0]
    if missing:
        print("tests that did not run: " + ", ".join(missing))
        if os.environ.get("CI") or os.environ.get("DATELINE_REQUIRE_SERVICES"):
            print("CI requires browser, Redis, PostgreSQL, nginx, Pushpin and netns tests to run and pass.")
            return 1
    return 1 if failed else 0


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "postgres":
        sys.exit(0 if postgres_up(rest[0]) else 1)
    sys.exit(report(rest))
