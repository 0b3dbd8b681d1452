"""Writing what a reader found, through the actions only, in one transaction: all of it, or (dry run) none.

Bylines are matched to existing accounts by username (case-insensitively) and otherwise created without a usable
password (``ensure_user``: they cannot sign in until an admin sets one). Posts go in oldest first with the source's
published and modified times, so the reader page shows them in the source's order; images become link cards to
their URLs (``link_media``), never fetched. A post that cannot go in (no time, nothing in it, refused by the
action's validation) is skipped and reported; the rest of the import is unaffected.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from dateline.accounts.models import Role, User
from dateline.coverage import actions
from dateline.coverage import permissions as perm
from dateline.coverage.actions.validate import RESERVED_SLUGS
from dateline.coverage.errors import ActionError
from dateline.coverage.limits import (
    EARLIEST,
    LATEST,
    MAX_AUTHORS,
    MAX_BLOG_TITLE,
    MAX_DISPLAY_NAME,
    MAX_KEY_POINT,
    MAX_KEY_POINTS,
    MAX_SLUG,
)
from dateline.coverage.models import LiveBlog
from dateline.coverage.permissions import Actor
from dateline.interchange.foreign.model import ForeignBlog, ForeignPost, ImportRefused, Parsed, Person

SOURCE = "foreign"  # imports are recorded as audit action "foreign.load" with the file's digest
IMPORTER = "dateline-import"  # the account an operator's import (no actor) acts as: an editor without a password


@dataclass
class Report:
    """What an import did (or, for a dry run, would do). ``lines()`` is the human form."""

    format: str
    dry_run: bool
    slugs: list[str] = field(default_factory=list)  # one per blog created
    posts: int = 0  # imported
    skipped: int = 0  # entries of the file left out (each with its reason in ``lines()``)
    users_created: list[str] = field(default_factory=list)
    users_matched: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    @property
    def slug(self) -> str | None:
        return self.slugs[0] if self.slugs else None

    def lines(self) -> list[str]:
        verb = "Would import" if self.dry_run else "Imported"
        out = [f"{verb} {self.posts} post(s) into {len(self.slugs)} live blog(s) from a {self.format} file; "
               f"{self.skipped} skipped.", *self.log]
        if self.users_created:
            out.append(("Would create" if self.dry_run else "Created") + " byline accounts without a password: "
                       + ", ".join(self.users_created))
        if self.users_matched:
            out.append("Credited to existing accounts: " + ", ".join(self.users_matched))
        if self.dry_run:
            out.append("Dry run: nothing was written.")
        return out


def _in_range(value: datetime | None) -> datetime | None:
    return value if value is not None and EARLIEST <= value < LATEST else None


class _Writer:
    def __init__(self, parsed: Parsed, actor: Actor | None, report: Report, digest: str) -> None:
        self.parsed, self.report, self.digest = parsed, report, digest
        self.actor: Actor = actor if actor is not None else self._importer()
        self.users: dict[str, User] = {}

    def _importer(self) -> User:
        user = User.objects.filter(username=IMPORTER).first()
        if user is None:
            user = actions.ensure_user(username=IMPORTER, role=Role.EDITOR, display_name="Dateline import")
            self.report.log.append(f"Created the account '{IMPORTER}' (an editor without a password) to act as.")
        elif not perm.is_editor(user):
            raise ImportRefused(f"The account '{IMPORTER}' that imports act as is not an active editor; "
                                "make it one, or import as an editor.")
        return user

    def user(self, person: Person) -> User:
        username = person.username if _valid_username(person.username) else ""
        username = (username or slugify(person.name or person.username, allow_unicode=True))[:150]
        if not username:
            username = "author-" + hashlib.sha256(person.name.encode()).hexdigest()[:8]
        key = username.lower()
        if key not in self.users:
            found = User.objects.filter(username__iexact=username).first()
            if found is not None:
                self.report.users_matched.append(found.username)
            else:
                found = actions.ensure_user(username=username, role=Role.CONTRIBUTOR,
                                            display_name=person.name[:MAX_DISPLAY_NAME])
                self.report.users_created.append(f"{found.username} ({person.name})")
            self.users[key] = found
        return self.users[key]

    def free_slug(self, wanted: str) -> str:
        base = wanted[:MAX_SLUG - 4].strip("-") or "live"
        n = 1
        while True:
            slug = base if n == 1 else f"{base}-{n}"
            if slug not in RESERVED_SLUGS and not LiveBlog.objects.filter(slug=slug).exists():
                return slug
            n += 1

    def blog(self, source: ForeignBlog, slug: str | None) -> None:
        title = source.title.strip()
        if not title:
            title = "Imported live blog"
            self.report.log.append(f"The file names no title; the blog is called '{title}'.")
        if len(title) > MAX_BLOG_TITLE:
            title = title[:MAX_BLOG_TITLE - 1].rstrip() + "…"
            self.report.log.append(f"The title was shortened to {MAX_BLOG_TITLE} characters.")
        wanted = slug or slugify(title)[:100] or "live"
        free = self.free_slug(wanted)
        taken = "" if free == wanted else f" (the slug '{wanted}' is taken)"
        timed = [p for p in source.posts if _in_range(p.published)]
        start = _in_range(source.start) or min((p.published for p in timed if p.published), default=None)
        blog = actions.create_blog(self.actor, title=title, slug=free, description=source.description,
                                   coverage_start=start or timezone.now())
        self.report.slugs.append(blog.slug)
        self.report.log.append(f"Blog '{title}' at /live/{blog.slug}/{taken}.")
        fallback = [self.user(p) for p in source.authors[:MAX_AUTHORS]]
        for reason in source.skipped:
            self.report.skipped += 1
            self.report.log.append(f"  skipped {reason}")
        keys: list[tuple[str, int]] = []
        for post in self._oldest_first(source.posts):
            created = self.post(blog, post, fallback)
            if created is not None and post.key_point:
                keys.append((post.key_point, created))
        if keys:
            self.key_points(blog, keys)
        end = _in_range(source.end)
        if end is not None and end > timezone.now():
            end = None  # a planned end still to come: the blog stays live
        if end is not None and blog.coverage_start is not None and end >= blog.coverage_start:
            actions.update_blog(self.actor, blog, status=LiveBlog.Status.ENDED, coverage_end=end)
            self.report.log.append(f"  the coverage ended at {end:%Y-%m-%d %H:%M} UTC: the blog is ended")
        actions.record_load(blog, source=SOURCE, digest=self.digest)

    def _oldest_first(self, posts: list[ForeignPost]) -> list[ForeignPost]:
        """Creation order: oldest first, and among equal times the source's order as readers saw it (a live blog
        lists newest first; a feed may too), so ids rise the way the page lists them."""
        timed = [p for p in posts if p.published]
        descending = len(timed) > 1 and timed[0].published > timed[-1].published  # type: ignore[operator]
        ordered = list(reversed(posts)) if descending else list(posts)
        return sorted(ordered, key=lambda p: p.published or EARLIEST)

    def skip(self, post: ForeignPost, why: str) -> None:
        self.report.skipped += 1
        self.report.log.append(f"  skipped {post.ref}{_named(post)}: {why}")

    def key_points(self, blog: LiveBlog, keys: list[tuple[str, int]]) -> None:
        """Key events become the blog's key points, newest first (as the plugin's key events box lists them)."""
        newest = list(reversed(keys))
        if len(newest) > MAX_KEY_POINTS:
            self.report.log.append(f"  {len(newest)} key events; the newest {MAX_KEY_POINTS} became key points")
        points = [{"text": html.escape(text[:MAX_KEY_POINT], quote=False), "post_id": pk}
                  for text, pk in newest[:MAX_KEY_POINTS] if text.strip()]
        if points:
            actions.set_key_points(self.actor, blog, points)
            self.report.log.append(f"  {len(points)} key event(s) became key points")

    def post(self, blog: LiveBlog, post: ForeignPost, fallback: list[User]) -> int | None:
        """The new post's id, or None when it was skipped."""
        published = _in_range(post.published)
        if published is None:
            self.skip(post, "no published time" if post.published is None else "a published time out of range")
            return None
        if not post.headline and not post.body.strip() and not post.images:
            self.skip(post, "nothing in it")
            return None
        authors = [self.user(p) for p in post.authors[:MAX_AUTHORS]] or fallback
        if not authors:
            self.report.log.append(f"  {post.ref}{_named(post)}: no author in the file; credited to "
                                   f"{self.actor.username}")
        modified = _in_range(post.modified)
        try:
            with transaction.atomic():  # a post refused by validation leaves nothing behind, the rest goes on
                media = [actions.link_media(self.actor, url=i.url, title=i.title, caption=i.caption,
                                            credit=i.credit).pk for i in post.images]
                byline = {"authors": [u.username for u in authors]} if authors else {}
                created = actions.create_post(self.actor, blog, now=published, modified=modified,
                                              status="published", headline=post.headline, body=post.body,
                                              media=media, **byline)
        except ActionError as error:
            detail = "; ".join(f"{k}: {v}" for k, v in error.fields.items())
            self.skip(post, error.message + (f" ({detail})" if detail else ""))
            return None
        self.report.posts += 1
        for note in post.notes:
            self.report.log.append(f"  {post.ref}{_named(post)}: {note}")
        return created.pk


def _valid_username(name: str) -> bool:
    try:
        User.username_validator(name)
    except DjangoValidationError:
        return False
    return bool(name)


def _named(post: ForeignPost) -> str:
    return f" ('{post.headline[:60]}')" if post.headline else ""


def write(parsed: Parsed, *, digest: str, slug: str | None, dry_run: bool, actor: Actor | None) -> Report:
    if not parsed.blogs:
        raise ImportRefused(f"The {parsed.format} file holds no live blog to import.")
    if slug is not None and len(parsed.blogs) > 1:
        raise ImportRefused(f"The file holds {len(parsed.blogs)} live blogs; a slug can name only one. "
                            "Import without --slug (each gets a slug from its title).")
    earlier = [b for b, d in actions.loaded_from(list(LiveBlog.objects.all()), SOURCE).items() if d == digest]
    if earlier:
        slugs = ", ".join(LiveBlog.objects.filter(pk__in=earlier).values_list("slug", flat=True))
        raise ImportRefused(f"This file was already imported (as {slugs}); importing it again would duplicate it. "
                            "Delete that blog first to import it afresh.")
    report = Report(format=parsed.format, dry_run=dry_run, log=list(parsed.notes))
    with transaction.atomic():
        writer = _Writer(parsed, actor, report, digest)
        for source in parsed.blogs:
            writer.blog(source, slug)
        if dry_run:
            transaction.set_rollback(True)
    return report
