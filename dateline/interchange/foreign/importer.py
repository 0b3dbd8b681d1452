"""Reading a file (capped), telling its format from its content, and importing it: ``import_file``."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from dateline.coverage.permissions import Actor
from dateline.interchange.foreign import feeds, jsonld, safexml, wxr
from dateline.interchange.foreign.model import ImportRefused, Parsed
from dateline.interchange.foreign.writer import Report, write

MAX_BYTES = 32 * 1024 * 1024  # a year of a busy live blog's feed is a few MB; anything bigger is refused unread
_PROLOG = re.compile(rb"<\?.*?\?>|<!--.*?-->", re.DOTALL)
_HTML_FIRST = {b"html", b"head", b"body", b"meta", b"title", b"link", b"script", b"div", b"article"}  # no XML root
_FIRST_TAG = re.compile(rb"<(!doctype\s+html|[a-z][\w:.-]*|!doctype)", re.IGNORECASE)


def read_capped(path: str | os.PathLike[str]) -> bytes:
    """The file's bytes; ImportRefused past ``MAX_BYTES`` (checked before reading, and again while reading, for a
    file that grows or is not a regular file)."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            raise ImportRefused(f"The file is {size:,} bytes; imports read at most {MAX_BYTES:,} bytes.")
        with file.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise ImportRefused(f"The file cannot be read: {error.strerror or error}.") from None
    if len(data) > MAX_BYTES:
        raise ImportRefused(f"The file is larger than {MAX_BYTES:,} bytes, the most imports read.")
    return data


def detect(data: bytes) -> str:
    """``json``, ``html`` or ``xml``, from the content."""
    head = data[:8192].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "json"
    match = _FIRST_TAG.search(_PROLOG.sub(b"", head))
    if head[:1] == b"<" and match:
        name = match.group(1).lower()
        return "html" if name.startswith(b"!doctype") and b"html" in name or name in _HTML_FIRST else "xml"
    raise ImportRefused("The file is not a format Dateline imports: a page or JSON with schema.org LiveBlogPosting, "
                        "a WordPress export (WXR) with Liveblog entries, or an RSS or Atom feed.")


def _text(data: bytes) -> str:
    return data.decode("utf-8-sig", errors="replace")


def parse(data: bytes) -> Parsed:
    """The live blogs in ``data``, read but not written."""
    kind = detect(data)
    if kind == "json":
        return jsonld.read(_text(data), page=False)
    if kind == "html":
        return jsonld.read(_text(data), page=True)
    root = safexml.parse(data)
    name, space = safexml.local(root.tag), safexml.namespace(root.tag)
    if name == "rss":
        return wxr.read(root) if wxr.is_wxr(root) else feeds.read_rss(root)
    if name == "feed" and space == feeds.ATOM:
        return feeds.read_atom(root)
    raise ImportRefused(f"The XML file's root element is <{name}>: not RSS 2.0, Atom or a WordPress export.")


def import_file(path: str | os.PathLike[str], *, slug: str | None = None, dry_run: bool = False,
                actor: Actor | None = None) -> Report:
    """Import the live blog(s) in the file at ``path`` into new blogs; ``slug`` names the blog (made unique when
    taken, and the report says so). ``actor`` None is the operator (acting as the ``dateline-import`` editor);
    otherwise an editor. ``dry_run`` does everything in a transaction that is then rolled back."""
    data = read_capped(path)
    parsed = parse(data)
    if slug is not None and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        raise ImportRefused("A slug is lowercase letters, digits and hyphens.")
    return write(parsed, digest=hashlib.sha256(data).hexdigest()[:32], slug=slug, dry_run=dry_run, actor=actor)
