"""What every reader of a foreign format hands the writer: blogs and posts in plain data, nothing written yet.

A reader (``jsonld``, ``wxr``, ``feeds``) turns a file into ``ForeignBlog`` values and notes what it left out and
why; ``writer`` writes them through the actions. Readers never touch the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from dateline.coverage.errors import ValidationFailed


class ImportRefused(ValidationFailed):
    """The file cannot be imported at all (unknown format, hostile or malformed, too large); nothing was written.
    ``message`` says why in words an operator can act on."""

    code = "import_refused"


@dataclass
class Person:
    name: str
    username: str = ""  # the source's login when it has one (WordPress); otherwise made from the name


@dataclass
class Image:
    url: str
    title: str = ""
    caption: str = ""
    credit: str = ""


@dataclass
class ForeignPost:
    ref: str  # how the report names it: the source's id, or its position
    headline: str = ""
    body: str = ""  # HTML, not yet sanitised (the action sanitises it)
    published: datetime | None = None
    modified: datetime | None = None
    authors: list[Person] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was changed on the way in (a shortened headline, ...)
    key_point: str = ""  # plain text: the source marks this post as a key event (WordPress Liveblog's /key)


@dataclass
class ForeignBlog:
    title: str
    description: str = ""
    start: datetime | None = None
    end: datetime | None = None  # the source says coverage ended then: the blog is ended after its posts go in
    authors: list[Person] = field(default_factory=list)  # the byline of posts that name nobody
    posts: list[ForeignPost] = field(default_factory=list)  # in source order
    skipped: list[str] = field(default_factory=list)  # "entry 12: deleted in WordPress", ...


@dataclass
class Parsed:
    format: str  # "json-ld", "wordpress-liveblog", "rss", "atom"
    blogs: list[ForeignBlog]
    notes: list[str] = field(default_factory=list)


def iso_time(value: object) -> datetime | None:
    """An ISO 8601 date-time (``Z`` or an offset; a time without one is taken as UTC), or None."""
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def rfc822_time(value: object) -> datetime | None:
    """An RSS date (RFC 822: ``Tue, 03 Nov 2026 09:12:00 +0000``), or None."""
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
