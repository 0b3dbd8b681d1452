"""The archive format: a zip holding ``manifest.json``, ``archive.json`` and the media files under ``media/``.

Reading is defensive: an archive comes from another instance, or from anyone an editor got a file from. Every entry
name is checked (no absolute paths, no ``..``, nothing outside the three places), every size is capped before a
byte is decompressed (the zip's own sizes, then the bytes actually read), the JSON is parsed with a size cap and
its shape checked, and every media file's sha256 is compared with the manifest's. Any problem is an
``ArchiveError`` with a message for the operator, raised before the database or the media store is touched.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

FORMAT = "dateline-archive"
VERSION = 1
MANIFEST = "manifest.json"
DOCUMENT = "archive.json"
MEDIA_DIR = "media/"
# Caps on what an archive may hold. Generous for a news day (hundreds of posts, a few hundred images), small enough
# that a hostile file cannot fill the disk or the memory of the process reading it.
MAX_ENTRIES = 20_000
MAX_JSON_BYTES = 256 * 1024 * 1024
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024
MAX_RATIO = 200  # a deflated entry that expands more than this is a bomb, not a photograph or JSON
CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """The file is not an archive this Dateline can restore; the message says why."""


@dataclass
class Archive:
    manifest: dict[str, Any]
    document: dict[str, Any]
    zip: zipfile.ZipFile
    files: dict[str, dict[str, Any]]  # media name -> {"sha256", "size"}

    @property
    def archive_id(self) -> str:
        return str(self.manifest["archive_id"])

    def read_media(self, name: str) -> bytes:
        """The bytes of media file ``name``, checked against the manifest (size read, sha256)."""
        entry = self.files[name]
        data = _read_capped(self.zip, MEDIA_DIR + name, MAX_FILE_BYTES)
        if len(data) != entry["size"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise ArchiveError(f"media file {name!r} does not match the manifest's sha256: the archive is damaged.")
        return data


def is_zip(path: str) -> bool:
    """A zip by its first bytes, not only by its central directory (which ``zipfile.is_zipfile`` looks for at the
    end): an archive cut short by a failed copy is still a zip — a damaged one, which ``open_archive`` says —
    and never handed to the foreign importers as a page or feed."""
    with open(path, "rb") as file:
        return file.read(4) == b"PK\x03\x04" or zipfile.is_zipfile(path)


def safe_name(name: str) -> bool:
    """A stored media name as Dateline writes them: relative, no ``..``, no backslash or NUL, no empty part."""
    if not name or len(name) > 500 or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    parts = PurePosixPath(name).parts
    return all(part not in ("", ".", "..") for part in parts) and ":" not in parts[0]


def open_archive(source: str | IO[bytes]) -> Archive:
    """Open and check an archive; the media bytes are read (and checked) later, one file at a time."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        raise ArchiveError(f"not a readable zip file ({error}).") from None
    try:
        return _check(archive)
    except ArchiveError:
        archive.close()
        raise


def _check(archive: zipfile.ZipFile) -> Archive:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ArchiveError(f"the zip holds {len(infos)} entries, more than the {MAX_ENTRIES} an archive may.")
    total = 0
    names = set()
    for info in infos:
        name = info.filename
        if name in names:
            raise ArchiveError(f"the zip holds {name!r} twice.")
        names.add(name)
        inside = name in (MANIFEST, DOCUMENT) or (name.startswith(MEDIA_DIR) and safe_name(name[len(MEDIA_DIR):]))
        if not inside or info.is_dir():
            raise ArchiveError(f"unexpected entry {name[:80]!r} (an archive holds manifest.json, archive.json and "
                               "media/<name> only; no absolute paths or '..').")
        cap = MAX_JSON_BYTES if name in (MANIFEST, DOCUMENT) else MAX_FILE_BYTES
        if info.file_size > cap:
            raise ArchiveError(f"{name[:80]!r} would expand to {info.file_size} bytes, over the {cap} allowed.")
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            raise ArchiveError(f"{name[:80]!r} expands {info.file_size // info.compress_size}x: refused as a zip "
                               "bomb.")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise ArchiveError(f"the archive would expand to {total} bytes, over the {MAX_TOTAL_BYTES} allowed.")
    if MANIFEST not in names or DOCUMENT not in names:
        raise ArchiveError("no manifest.json and archive.json: this zip is not a Dateline archive.")
    manifest = _json(archive, MANIFEST)
    if manifest.get("format") != FORMAT:
        raise ArchiveError(f"manifest.json's format is {str(manifest.get('format'))[:40]!r}, not {FORMAT!r}.")
    if manifest.get("version") != VERSION:
        raise ArchiveError(f"archive format version {str(manifest.get('version'))[:20]}; this Dateline reads "
                           f"version {VERSION}.")
    if not isinstance(manifest.get("archive_id"), str) or not 8 <= len(manifest["archive_id"]) <= 64:
        raise ArchiveError("manifest.json has no archive_id.")
    files = manifest.get("files")
    if not isinstance(files, dict) or not all(
            isinstance(k, str) and safe_name(k) and isinstance(v, dict) and isinstance(v.get("sha256"), str)
            and isinstance(v.get("size"), int) for k, v in files.items()):
        raise ArchiveError("manifest.json's files must map each media name to its sha256 and size.")
    missing = [name for name in files if MEDIA_DIR + name not in names]
    extra = [n for n in names if n.startswith(MEDIA_DIR) and n[len(MEDIA_DIR):] not in files]
    if missing or extra:
        raise ArchiveError(f"the manifest and the zip disagree about media files ({(missing + extra)[0][:80]!r}).")
    document = _json(archive, DOCUMENT)
    if hashlib.sha256(_read_capped(archive, DOCUMENT, MAX_JSON_BYTES)).hexdigest() != manifest.get("sha256"):
        raise ArchiveError("archive.json does not match the manifest's sha256: the archive is damaged.")
    return Archive(manifest=manifest, document=document, zip=archive, files=files)


def _read_capped(archive: zipfile.ZipFile, name: str, cap: int) -> bytes:
    """Read an entry, stopping past ``cap`` bytes whatever its header claims (headers can lie)."""
    chunks, size = [], 0
    try:
        with archive.open(name) as entry:
            while chunk := entry.read(CHUNK):
                size += len(chunk)
                if size > cap:
                    raise ArchiveError(f"{name[:80]!r} expands past {cap} bytes: refused.")
                chunks.append(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        raise ArchiveError(f"{name[:80]!r} cannot be read ({error}).") from None
    return b"".join(chunks)


def _json(archive: zipfile.ZipFile, name: str) -> dict[str, Any]:
    raw = _read_capped(archive, name, MAX_JSON_BYTES)
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise ArchiveError(f"{name} is not valid JSON ({str(error)[:120]}).") from None
    if not isinstance(value, dict):
        raise ArchiveError(f"{name} must hold a JSON object.")
    return value
