"""``dateline backup DIR`` and ``dateline restore DIR``: the whole instance, database and media store.

A backup directory holds ``database.sqlite3`` (SQLite: the online backup API, one step, so the copy is one
consistent snapshot even while the server writes) or ``database.dump`` (PostgreSQL: ``pg_dump --format=custom``,
one transaction's snapshot), then ``media/`` (a copy of ``MEDIA_ROOT``, taken after the database so every file the
database names is in it), and ``manifest.json`` (written last: a directory without it is an unfinished backup)
with each file's sha256. The public media tree is derived state and is rebuilt on restore
(``mediafiles.rebuild``). Procedures, schedule and retention: docs/operations.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

FORMAT = "dateline-backup"
VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ, **({"PGPASSWORD": str(db["PASSWORD"])} if db.get("PASSWORD") else {})}
    return args, env


def _major(text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", text)
    return int(match.group(1)) if match else 0


def _check_pg_tool(tool: str) -> None:
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client-15).")
    client = _major(subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = _major(cursor.fetchone()[0])
    if client < server:
        raise BackupError(f"{tool} is version {client} but the server is {server}: install the client of the "
                          "server's version (an older pg_dump refuses, or writes a dump the server cannot read).")


def _files(directory: Path) -> dict[str, dict[str, Any]]:
    return {path.relative_to(directory).as_posix(): {"sha256": _sha256(path), "size": path.stat().st_size}
            for path in sorted(directory.rglob("*")) if path.is_file() and path.name != MANIFEST}


def backup(target: str) -> dict[str, Any]:
    """Write a backup into ``target`` (created; must be empty). Returns the manifest."""
    directory = Path(target)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: give a new directory for each backup.")
    directory.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    if vendor == "sqlite":
        source = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=20)
        copy = sqlite3.connect(str(directory / SQLITE_FILE))
        try:
            source.backup(copy)  # pages=-1: one step, the whole database at one instant
        finally:
            copy.close()
            source.close()
    elif vendor == "postgresql":
        _check_pg_tool("pg_dump")
        args, env = _pg_env()
        run = subprocess.run(["pg_dump", "--format=custom", "--file", str(directory / PG_FILE), *args],
                             env=env, capture_output=True, text=True)
        if run.returncode:
            raise BackupError(f"pg_dump failed: {run.stderr.strip()[:400]}")
    else:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}.")
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir():
        shutil.copytree(media_root, directory / "media", symlinks=False)
    else:
        (directory / "media").mkdir()
    files = _files(directory)
    manifest = {"format": FORMAT, "version": VERSION, "created_at": timezone.now().isoformat(), "database": vendor,
                "files": files, "media_files": sum(1 for name in files if name.startswith("media/"))}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def verify(target: str) -> dict[str, Any]:
    """Check a backup directory against its manifest (every file present, same size and sha256)."""
    directory = Path(target)
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{directory} has no readable manifest.json ({error}): not a finished backup.") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{directory}/manifest.json is not a Dateline backup of version {VERSION}.")
    for name, expected in manifest["files"].items():
        path = directory / name
        if not path.is_file() or path.stat().st_size != expected["size"] or _sha256(path) != expected["sha256"]:
            raise BackupError(f"{name} is missing or changed since the backup: the backup is damaged.")
    return dict(manifest)


def is_empty() -> bool:
    """No blogs and no people: a fresh instance (migrated or not)."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in ("coverage_liveblog", "accounts_user"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return False
    return True


def restore(target: str, *, force: bool = False) -> dict[str, Any]:
    """Put the backup in ``target`` in place of this instance's database and media. Returns the manifest."""
    manifest = verify(target)
    directory = Path(target)
    vendor = connection.vendor
    if manifest["database"] != vendor:
        raise BackupError(f"the backup is of a {manifest['database']} database; this instance uses {vendor}.")
    if not force and not is_empty():
        raise BackupError("this instance's database is not empty (it has blogs or users); restoring would replace "
                          "them. Restore into an empty instance, or pass --force to replace everything.")
    if vendor == "sqlite":
        for conn in connections.all():
            conn.close()
        source = sqlite3.connect(str(directory / SQLITE_FILE))
        live = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=20)
        try:
            source.backup(live)  # page by page into the live file, under its write lock; WAL readers stay sane
        finally:
            live.close()
            source.close()
    else:
        _check_pg_tool("pg_restore")
        connection.close()
        args, env = _pg_env()
        run = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                              "--exit-on-error", *args, str(directory / PG_FILE)],
                             env=env, capture_output=True, text=True)
        if run.returncode:
            raise BackupError(f"pg_restore failed (nothing was changed): {run.stderr.strip()[:400]}")
    media_root = Path(settings.MEDIA_ROOT)
    if (directory / "media").is_dir():
        shutil.copytree(directory / "media", media_root, dirs_exist_ok=True)
    return manifest
