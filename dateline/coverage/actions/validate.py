"""Validation of what actions are given: every bad field named at once, sanitised values out.

The limits are ``coverage/limits.py``'s (the models, forms, API schemas and composer read the same numbers).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone
from django.utils.text import slugify

from dateline.accounts.models import User
from dateline.coverage.errors import ValidationFailed
from dateline.coverage.limits import (
    EARLIEST,
    LATEST,
    MAX_AUTHORS,
    MAX_BLOG_TITLE,
    MAX_BODY,
    MAX_DESCRIPTION,
    MAX_HEADLINE,
    MAX_NOTE,
    MAX_SLUG,
    MAX_TAG,
    MAX_TAGS,
    MAX_TIME_ZONE,
)
from dateline.coverage.models import LiveBlog, Media, Post, Story
from dateline.coverage.sanitize import clean_body
from dateline.coverage.validation import clean_text, is_encodable, is_id, text

# What a post carries that its author sets (status, pin, schedule and corrections have verbs of their own).
CONTENT_FIELDS = frozenset(
    {"headline", "body", "tags", "authors", "update_note", "verification_note", "verification", "media"}
)
POST_FIELDS = CONTENT_FIELDS | {"status", "pinned", "publish_at", "correction"}
BLOG_FIELDS = frozenset(
    {"title", "description", "status", "time_zone", "coverage_start", "coverage_end", "lead_media", "story"}
)
# Slugs that would be shadowed by the newsroom's or the site's own routes (/newsroom/login/, /newsroom/audit/, …).
RESERVED_SLUGS = frozenset({"login", "logout", "audit", "static", "blogs", "new", "api", "media", "healthz", "metrics",
                            "people"})


def _tags(fields: dict[str, str], value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(t, str) and is_encodable(t) for t in value):
        fields["tags"] = "Must be a list of strings."
        return []
    tags = list(dict.fromkeys(clean_text(t).strip() for t in value if clean_text(t).strip()))
    if len(tags) > MAX_TAGS or any(len(t) > MAX_TAG for t in tags):
        fields["tags"] = f"At most {MAX_TAGS} tags of at most {MAX_TAG} characters."
    return tags


def _authors(fields: dict[str, str], value: Any) -> list[User]:
    if not isinstance(value, list) or not all((isinstance(a, str) and is_encodable(a)) or is_id(a) for a in value):
        fields["authors"] = "Must be a list of usernames."
        return []
    if len(value) > MAX_AUTHORS:
        fields["authors"] = f"At most {MAX_AUTHORS} authors."
        return []
    names = [a for a in value if isinstance(a, str)]
    ids = [a for a in value if isinstance(a, int)]
    users = list(User.objects.filter(username__in=names)) + list(User.objects.filter(pk__in=ids))
    known = {u.username for u in users} | {u.pk for u in users}
    unknown = [str(a) for a in value if a not in known]
    if unknown:
        fields["authors"] = "Unknown user(s): " + ", ".join(unknown)
    by_order: dict[str | int, User] = {**{u.username: u for u in users}, **{u.pk: u for u in users}}
    return list(dict.fromkeys(by_order[a] for a in value if a in by_order))


def _media(fields: dict[str, str], value: Any) -> list[Media]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(is_id(m) for m in value):
        fields["media"] = "Must be a list of media ids."
        return []
    found = Media.objects.in_bulk(value)
    missing = [str(m) for m in value if m not in found]
    if missing:
        fields["media"] = "Unknown media id(s): " + ", ".join(missing)
    return [found[m] for m in dict.fromkeys(value) if m in found]


def _bool(fields: dict[str, str], name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        fields[name] = "Must be true or false."
        return False
    return value


def clean_post(given: Mapping[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """Validate and sanitise post fields; raise ValidationFailed naming every bad field at once."""
    unknown = set(given) - allowed
    fields: dict[str, str] = {name: "Unknown field." for name in sorted(unknown)}
    clean: dict[str, Any] = {}
    for name, value in given.items():
        if name == "headline":
            clean[name] = text(fields, name, value, MAX_HEADLINE)
        elif name == "body":
            raw = text(fields, name, value, MAX_BODY * 2, markup=True)
            clean[name] = clean_body(raw)
        elif name in ("update_note", "verification_note", "correction"):  # plain text; escaped when rendered
            clean[name] = text(fields, name, value, MAX_NOTE)
        elif name == "verification":
            if value is None or value in Post.Verification.values:
                clean[name] = value or ""
            else:
                labels = ", ".join(v for v in Post.Verification.values if v)
                fields[name] = f"One of: {labels}; or empty for no label."
        elif name == "tags":
            clean[name] = _tags(fields, value)
        elif name == "authors":
            clean[name] = _authors(fields, value)
        elif name == "media":
            clean[name] = _media(fields, value)
        elif name == "pinned":
            clean[name] = _bool(fields, name, value)
        elif name == "publish_at":
            clean[name] = when(fields, name, value)
        elif name == "status":
            if value not in (Post.Status.DRAFT, Post.Status.PUBLISHED):
                fields[name] = "Must be 'draft' or 'published' (delete with DELETE, bring back with restore)."
            clean[name] = value
    if "body" in clean and len(clean["body"]) > MAX_BODY:
        fields["body"] = f"At most {MAX_BODY} characters."
    if fields:
        raise ValidationFailed("Some fields are not valid.", fields=fields)
    return clean


def clean_blog(given: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, str] = {name: "Unknown field." for name in sorted(set(given) - BLOG_FIELDS - {"slug"})}
    clean: dict[str, Any] = {}
    for name, value in given.items():
        if name == "title":
            clean[name] = text(fields, name, value, MAX_BLOG_TITLE, required=True)
        elif name == "description":
            clean[name] = text(fields, name, value, MAX_DESCRIPTION)
        elif name == "slug":
            slug = value if isinstance(value, str) else ""
            if not slug or slugify(slug) != slug or len(slug) > MAX_SLUG:
                fields[name] = f"Lowercase letters, digits and hyphens, at most {MAX_SLUG} characters."
            elif slug in RESERVED_SLUGS:
                fields[name] = "This slug is reserved for Dateline's own pages; choose another."
            clean[name] = slug
        elif name == "status":
            if value not in LiveBlog.Status.values:
                fields[name] = "Must be one of: " + ", ".join(LiveBlog.Status.values)
            clean[name] = value
        elif name == "time_zone":
            try:
                if not isinstance(value, str) or len(value) > MAX_TIME_ZONE:
                    raise ValueError(value)
                ZoneInfo(value)
                clean[name] = value
            except (ZoneInfoNotFoundError, ValueError):
                fields[name] = "Unknown time zone (use an IANA name such as Europe/London)."
        elif name in ("coverage_start", "coverage_end"):
            clean[name] = when(fields, name, value)
        elif name == "lead_media":
            if value is None:
                clean[name] = None
            elif is_id(value) and Media.objects.filter(pk=value).exists():
                clean[name] = Media.objects.get(pk=value)
            else:
                fields[name] = "Must be a media id."
        elif name == "story":
            if value is None:
                clean[name] = None
            elif isinstance(value, str) and value and slugify(value) == value and len(value) <= MAX_SLUG:
                # A new story is titled by its slug until an editor names it (Story.title holds 200 >= MAX_SLUG).
                clean[name] = Story.objects.get_or_create(slug=value, defaults={"title": value})[0]
            else:
                fields[name] = (f"Must be a story slug: lowercase letters, digits and hyphens, "
                                f"at most {MAX_SLUG} characters.")
    if fields:
        raise ValidationFailed("Some fields are not valid.", fields=fields)
    return clean


def when(fields: dict[str, str], name: str, value: Any) -> datetime | None:
    """An offset-aware date-time in the years Dateline stores (``EARLIEST`` to ``LATEST``, UTC).

    Python accepts 9999-12-31T23:59:59-01:00, but that is year 10000 in UTC: SQLite's adapter overflows converting
    it (a 500), and PostgreSQL stores it and then every later read of the row fails. Coverage and schedules are
    about now, so anything outside 1900-2999 is a typo, refused here with a field error before it is stored.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            fields[name] = "Must be an ISO 8601 date-time with offset."
            return None
    if timezone.is_naive(parsed):
        fields[name] = "Include a UTC offset."
        return None
    # Comparing aware date-times subtracts their offsets without building the UTC value, so it cannot overflow.
    if not EARLIEST <= parsed < LATEST:
        fields[name] = f"Must be between {EARLIEST.year} and {LATEST.year - 1} (UTC)."
        return None
    return parsed
