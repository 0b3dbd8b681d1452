"""Actions: the only code that writes coverage content.

Every action checks permission, validates, writes the content, a revision (for posts), an audit entry and — when
readers would see a difference — exactly one ``Change`` with the blog's next ``seq``, all in one transaction. The
change is handed to the broker only after the transaction commits, so no reader ever sees a change that was rolled
back, and ``seq`` is gap-free: it is taken under the blog's row lock (``SELECT … FOR UPDATE`` on PostgreSQL; on
SQLite the IMMEDIATE transaction already holds the database's write lock), so commit order is ``seq`` order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.text import slugify

from dateline.accounts.models import User
from dateline.broker import get_broker
from dateline.broker.messages import ChangeMessage
from dateline.coverage import permissions as perm
from dateline.coverage.errors import ActionError, Conflict, Forbidden, NotFound, StaleVersion, ValidationFailed
from dateline.coverage.media import require_attachable
from dateline.coverage.models import (
    AuditEntry,
    BlogMembership,
    Change,
    Correction,
    KeyPoint,
    LiveBlog,
    Media,
    Post,
    PostAuthor,
    PostMedia,
    PostRevision,
    Story,
)
from dateline.coverage.render import render_blog_header, render_key_points, render_post
from dateline.coverage.sanitize import clean_body, clean_inline, strip_tags
from dateline.coverage.serializers import (
    POST_RELATIONS,
    blog_data,
    deleted_post_data,
    key_point_data,
    key_points_data,
    key_points_version,
    post_authors,
    post_data,
)
from dateline.coverage.validation import clean_text, is_encodable, is_id, text

MAX_HEADLINE = 300
MAX_BODY = 100_000
MAX_NOTE = 500
MAX_TAGS = 20
MAX_AUTHORS = 20
MAX_TAG = 50
MAX_KEY_POINTS = 12
MAX_KEY_POINT = 1_000
MAX_URL = 500  # KeyPoint.url
MAX_BLOG_TITLE = 200  # LiveBlog.title
MAX_DESCRIPTION = 2_000
MAX_SLUG = 120  # LiveBlog.slug and Story.slug
MAX_TIME_ZONE = 64  # LiveBlog.time_zone
SLUG_ATTEMPTS = 50  # inserts tried for a slug made from a title before giving up (409)
# The range of date-times accepted on the write path (coverage start/end, publish_at); see _datetime.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)  # exclusive
POST_FIELDS = frozenset(
    {"headline", "body", "status", "pinned", "tags", "authors", "update_note", "verification_note", "verification",
     "media", "publish_at"}
)
# An edit may also carry a correction: a note published with the post and in the blog's corrections log.
EDIT_FIELDS = POST_FIELDS | {"correction"}
# Slugs that would be shadowed by the newsroom's or the site's own routes (/newsroom/login/, /newsroom/audit/, …).
RESERVED_SLUGS = frozenset({"login", "logout", "audit", "static", "blogs", "new", "api", "media", "healthz", "metrics",
                            "people"})
BLOG_FIELDS = frozenset(
    {"title", "description", "status", "time_zone", "coverage_start", "coverage_end", "lead_media", "story"}
)


# --- the write path -------------------------------------------------------------------------------------------

@contextmanager
def _locked_blog(blog: LiveBlog) -> Iterator[LiveBlog]:
    """One transaction holding the blog's row lock: every writer of a blog queues here, in seq order."""
    with transaction.atomic():
        yield LiveBlog.objects.select_for_update(of=("self",)).select_related("lead_media", "story").get(pk=blog.pk)


def _emit(blog: LiveBlog, type_: str, payload: Mapping[str, Any], html: str) -> Change:
    """Record one reader-visible change with the blog's next seq; publish it once the transaction commits."""
    blog.seq += 1
    LiveBlog.objects.filter(pk=blog.pk).update(seq=blog.seq, updated_at=timezone.now())
    data = {"seq": blog.seq, "type": type_, "html": html, **payload}
    encoded = json.dumps(data, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)
    change = Change.objects.create(blog=blog, seq=blog.seq, type=type_, data=encoded)
    message = ChangeMessage(blog_id=blog.pk, slug=blog.slug, seq=blog.seq, type=type_, data=encoded)
    transaction.on_commit(lambda: get_broker().publish(message))
    return change


def _audit(actor: Any, action: str, blog: LiveBlog | None = None, post: Post | None = None, **detail: Any) -> None:
    AuditEntry.objects.create(
        actor=actor if perm.role_of(actor) else None, action=action, blog=blog, post=post,
        detail=json.loads(json.dumps(detail, cls=DjangoJSONEncoder)),
    )


def _post_count(blog: LiveBlog) -> int:
    return Post.objects.filter(blog=blog, status=Post.Status.PUBLISHED).count()


def _emit_post(blog: LiveBlog, type_: str, post: Post) -> None:
    if type_ == "post.deleted":
        payload, html = deleted_post_data(post), ""
    else:
        payload, html = post_data(post), post.html
    _emit(blog, type_, {"post": payload, "post_count": _post_count(blog)}, html)


def _revise(post: Post, actor: Any) -> None:
    PostRevision.objects.create(
        post=post, version=post.version, data=post_data(post), edited_by=actor if perm.role_of(actor) else None
    )


def _with_relations(post: Post) -> Post:
    """Load the byline, media and corrections once, after the action wrote them: the fragment, the revision, the
    change and the API answer all read them, which would otherwise be four queries each (30 per publish)."""
    prefetch_related_objects([post], *POST_RELATIONS)
    return post


def _reload_post(post: Post, blog: LiveBlog) -> Post:
    fresh = Post.objects.select_for_update().filter(pk=post.pk, blog=blog).first()
    if fresh is None:
        raise NotFound("No such post.")
    fresh.blog = blog
    return fresh


# --- validation -----------------------------------------------------------------------------------------------

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


def _clean_post(given: Mapping[str, Any], allowed: frozenset[str] = POST_FIELDS) -> dict[str, Any]:
    """Validate and sanitise post fields; raise ValidationFailed naming every bad field at once."""
    unknown = set(given) - allowed
    fields: dict[str, str] = {name: "Unknown field." for name in sorted(unknown)}
    clean: dict[str, Any] = {}
    for name, value in given.items():
        if name == "headline":
            clean[name] = text(fields, name, value, MAX_HEADLINE)
        elif name == "body":
            raw = text(fields, name, value, MAX_BODY * 2)
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
            clean[name] = _datetime(fields, name, value)
        elif name == "status":
            if value not in (Post.Status.DRAFT, Post.Status.PUBLISHED):
                fields[name] = "Must be 'draft' or 'published' (delete with DELETE, bring back with restore)."
            clean[name] = value
    if "body" in clean and len(clean["body"]) > MAX_BODY:
        fields["body"] = f"At most {MAX_BODY} characters."
    if fields:
        raise ValidationFailed("Some fields are not valid.", fields=fields)
    return clean


# --- posts ----------------------------------------------------------------------------------------------------

def create_post(actor: Any, blog: LiveBlog, *, now: datetime | None = None, **given: Any) -> Post:
    """File a post. With ``status`` omitted it publishes at once for those allowed to publish, else saves a draft."""
    perm.require_on_team(actor, blog)
    clean = _clean_post(given)
    now = now or timezone.now()
    if clean.get("publish_at") is not None:
        _check_schedule(actor, clean["publish_at"], now)
        if clean.get("status") == Post.Status.PUBLISHED:
            raise ValidationFailed("A scheduled post is published by the scheduler; leave status out.",
                                   fields={"status": "Conflicts with publish_at."})
        clean["status"] = Post.Status.DRAFT
    if not clean.get("headline") and not strip_tags(clean.get("body", "")) and not clean.get("media"):
        raise ValidationFailed("A post needs a headline, a body or media.",
                               fields={"headline": "Required when the post has no body or media."})
    status = clean.pop("status", None) or (Post.Status.PUBLISHED if perm.can_publish(actor) else Post.Status.DRAFT)
    if status == Post.Status.PUBLISHED and not perm.can_publish(actor):
        raise Forbidden("Contributors submit drafts; an editor publishes them.")
    if clean.get("pinned") and not perm.is_editor(actor):
        raise Forbidden("Only editors can pin posts.")
    authors = clean.pop("authors", None) or [actor]
    _require_in_byline(actor, authors)
    media = clean.pop("media", [])
    require_attachable(actor, blog, media)
    with _locked_blog(blog) as locked:
        _require_open(locked)
        post = Post.objects.create(
            blog=locked, status=status, created_by=actor, created_at=now, updated_at=now,
            published_at=now if status == Post.Status.PUBLISHED else None,
            scheduled_by=actor if clean.get("publish_at") else None, **clean,
        )
        _set_authors(post, authors)
        PostMedia.objects.bulk_create(PostMedia(post=post, media=m, position=i) for i, m in enumerate(media))
        post.html = render_post(_with_relations(post))
        post.save(update_fields=["html"])
        _revise(post, actor)
        _audit(actor, "post.create", locked, post, status=status)
        if post.is_public:
            _emit_post(locked, "post.published", post)
    return post


def edit_post(actor: Any, post: Post, *, expected_version: int | None = None, now: datetime | None = None,
              **given: Any) -> Post:
    """Change some fields of a post. Refused with StaleVersion if it changed since ``expected_version``.

    An edit that changes nothing writes nothing. One that only pins or unpins is ``post.pinned``/``post.unpinned``;
    publishing a draft (approval) is ``post.published``; other edits of a public post are ``post.updated``.

    ``correction`` (plain text, at most 500 characters) publishes a correction with the edit: one ``Correction`` row
    carried by the new version, shown at the end of the post and in the blog's corrections log. A correction alone
    is an edit readers see (``post.updated``); with other fields it is still that one change, never a second. Only
    published posts take corrections: a draft is simply fixed, nobody has read it.
    """
    perm.require_user(actor)
    clean = _clean_post(given, EDIT_FIELDS)
    correction: str = clean.pop("correction", "")
    with _locked_blog(post.blog) as blog:
        post = _reload_post(post, blog)
        if post.status == Post.Status.DELETED:
            raise Conflict("This post is deleted; restore it before editing.", code="post_deleted")
        perm.require_can_edit(actor, post)
        if expected_version is not None and expected_version != post.version:
            raise StaleVersion(
                "This post was changed by someone else since you loaded it. Reload it and apply your change again.",
                extra={"current": post_data(post)},
            )
        if "media" in clean:  # after the version check: a stale form is told to reload, not that media is foreign
            require_attachable(actor, blog, clean["media"], post=post)
        if correction and post.status != Post.Status.PUBLISHED:
            raise ValidationFailed("Only published posts can carry a correction; fix a draft directly.",
                                   fields={"correction": "This post is not published."})
        now = now or timezone.now()
        changed = _apply_post_changes(actor, post, clean, now)
        if "status" in changed:
            _require_open(blog)
        if correction:
            changed.add("correction")
        if not changed:
            return post
        if "status" in changed:
            post.published_at = post.published_at or now
        post.version += 1
        if changed - {"pinned"}:
            post.updated_at = now
        if correction:
            Correction.objects.create(post=post, blog=blog, note=correction, created_at=now, version=post.version,
                                      created_by=actor if perm.role_of(actor) else None)
        post.html = render_post(_with_relations(post))
        post.save()
        _revise(post, actor)
        detail = {"correction": correction} if correction else {}
        _audit(actor, "post.edit", blog, post, fields=sorted(changed), **detail)
        if post.is_public:
            if "status" in changed:  # only draft -> published gets here: approval or a reporter publishing
                kind = "post.published"
            elif changed == {"pinned"}:
                kind = "post.pinned" if post.pinned else "post.unpinned"
            else:
                kind = "post.updated"
            _emit_post(blog, kind, post)
    return post


def _check_schedule(actor: Any, publish_at: datetime, now: datetime) -> None:
    if not perm.can_publish(actor):
        raise Forbidden("Only editors and reporters can schedule posts; contributors submit drafts for approval.")
    if publish_at <= now:
        raise ValidationFailed("A scheduled time must be in the future.",
                               fields={"publish_at": "Must be in the future."})


def _require_open(blog: LiveBlog) -> None:
    """An ended blog takes no new posts: readers were told coverage is over. Edits and corrections still go in;
    an editor who needs to add something reopens the blog (status ``live``)."""
    if blog.status == LiveBlog.Status.ENDED:
        raise Conflict("This live blog has ended, so it takes no new posts; an editor can reopen it.",
                       code="blog_ended")


def _require_in_byline(actor: Any, authors: list[User]) -> None:
    """Editors credit anyone; others may add colleagues to a byline but not file under someone else's name alone."""
    if not perm.is_editor(actor) and actor.pk not in {u.pk for u in authors}:
        raise Forbidden("Include yourself among the authors; only editors can credit a post to others alone.",
                        fields={"authors": "Must include you."})


def _set_authors(post: Post, users: list[User]) -> None:
    PostAuthor.objects.filter(post=post).delete()
    PostAuthor.objects.bulk_create(PostAuthor(post=post, user=u, position=i) for i, u in enumerate(users))


def _apply_post_changes(actor: Any, post: Post, clean: dict[str, Any], now: datetime) -> set[str]:
    changed: set[str] = set()
    for name, value in clean.items():
        if name == "authors":
            if [u.pk for u in value] != [u.pk for u in post_authors(post)]:
                _set_authors(post, value)
                changed.add(name)
        elif name == "media":
            current = list(post.postmedia_set.order_by("position").values_list("media_id", flat=True))
            if [m.pk for m in value] != current:
                post.postmedia_set.all().delete()
                PostMedia.objects.bulk_create(PostMedia(post=post, media=m, position=i) for i, m in enumerate(value))
                changed.add(name)
        elif getattr(post, name) != value:
            changed.add(name)
            setattr(post, name, value)
    if "pinned" in changed and not perm.is_editor(actor):
        raise Forbidden("Only editors can pin posts.")
    if "authors" in changed:
        _require_in_byline(actor, clean["authors"])
    if "publish_at" in changed:
        post.scheduled_by = actor if post.publish_at is not None else None
    if "publish_at" in changed and post.publish_at is not None:
        if post.status != Post.Status.DRAFT or "status" in changed:
            raise ValidationFailed("Only drafts can be scheduled.", fields={"publish_at": "Already published."})
        _check_schedule(actor, post.publish_at, now)
        _require_may_publish(actor, post)
    if "status" in changed:
        if post.status == Post.Status.DRAFT:
            raise ValidationFailed("A published post cannot go back to draft; delete it instead.",
                                   fields={"status": "Cannot unpublish."})
        _require_may_publish(actor, post)
    if changed and "authors" in changed and not post.authors.exists():
        raise ValidationFailed("A post needs at least one author.", fields={"authors": "Required."})
    return changed


def _require_may_publish(actor: Any, post: Post) -> None:
    """Publishing a draft, now or at a set time: editors any draft (approval); reporters only drafts they filed,
    not a contributor's draft that merely lists them as an author."""
    if not perm.can_publish(actor):
        raise Forbidden("Only editors and reporters can publish; an editor approves contributors' drafts.")
    if not perm.is_editor(actor) and post.created_by_id != actor.pk:
        raise Forbidden("Only editors can publish a draft someone else filed.")


def publish_scheduled_post(post: Post, *, now: datetime | None = None) -> Post | None:
    """Publish a scheduled draft as the person who scheduled it, with their permissions as they are now.

    If they may no longer publish (role changed, taken off the blog's team), the schedule is cancelled and audited
    rather than retried forever; the draft stays for an editor to approve. Returns the post if it was published.
    """
    now = now or timezone.now()
    actor = post.scheduled_by or post.created_by  # created_by: posts scheduled before scheduled_by was recorded
    try:
        return edit_post(actor, post, status=Post.Status.PUBLISHED, now=now)
    except ActionError as refused:
        with _locked_blog(post.blog) as blog:
            fresh = _reload_post(post, blog)
            if fresh.status == Post.Status.DRAFT and fresh.publish_at is not None:
                fresh.publish_at = fresh.scheduled_by = None
                fresh.save(update_fields=["publish_at", "scheduled_by"])
            _audit(None, "post.schedule_cancelled", blog, fresh, reason=refused.message)
        return None


def pin_post(actor: Any, post: Post) -> Post:
    return edit_post(actor, post, pinned=True)


def unpin_post(actor: Any, post: Post) -> Post:
    return edit_post(actor, post, pinned=False)


def delete_post(actor: Any, post: Post, *, expected_version: int | None = None) -> Post:
    """Soft-delete: the post leaves the page and feeds but stays in the database for editors to restore."""
    perm.require_user(actor)
    with _locked_blog(post.blog) as blog:
        post = _reload_post(post, blog)
        if post.status == Post.Status.DELETED:
            return post
        perm.require_can_edit(actor, post)  # reporters: only their own; contributors: only their own drafts
        if expected_version is not None and expected_version != post.version:
            raise StaleVersion("This post was changed by someone else since you loaded it.",
                               extra={"current": post_data(post)})
        was_public = post.is_public
        # Deleting a scheduled draft cancels its schedule: a post pulled back (an embargo, say) must not go out
        # by itself the moment an editor restores it.
        cancelled = post.publish_at if post.status == Post.Status.DRAFT else None
        post.status = Post.Status.DELETED
        post.version += 1
        if cancelled:
            post.publish_at = post.scheduled_by = None
        post.save(update_fields=["status", "version", "publish_at", "scheduled_by"])
        _revise(post, actor)
        _audit(actor, "post.delete", blog, post, **({"schedule_cancelled": cancelled} if cancelled else {}))
        if was_public:
            _emit_post(blog, "post.deleted", post)
            _unlink_key_points(blog, post)
    return post


def _unlink_key_points(blog: LiveBlog, post: Post) -> None:
    """A key point linked to a post that is gone keeps its text and loses the link (readers' jump would land
    nowhere, and the list could not be saved unchanged). Restoring the post does not bring the link back."""
    if KeyPoint.objects.filter(blog=blog, post=post).update(post=None):
        _emit_key_points(blog, list(KeyPoint.objects.filter(blog=blog).order_by("position")))


def restore_post(actor: Any, post: Post) -> Post:
    """Bring a deleted post back where it was: published posts reappear in their original place."""
    perm.require_editor(actor, "restore deleted posts")
    with _locked_blog(post.blog) as blog:
        post = _reload_post(post, blog)
        if post.status != Post.Status.DELETED:
            return post
        post.status = Post.Status.PUBLISHED if post.published_at else Post.Status.DRAFT
        post.version += 1
        post.html = render_post(_with_relations(post))
        post.save(update_fields=["status", "version", "html"])
        _revise(post, actor)
        _audit(actor, "post.restore", blog, post)
        if post.is_public:
            _emit_post(blog, "post.published", post)
    return post


# --- blog teams -----------------------------------------------------------------------------------------------

def add_member(actor: Any, blog: LiveBlog, user: User) -> BlogMembership:
    """Put a reporter or contributor on a blog's team. The first member closes the blog to everyone else."""
    perm.require_editor(actor, "manage a blog's team")
    membership, created = BlogMembership.objects.get_or_create(blog=blog, user=user, defaults={"added_by": actor})
    if created:
        _audit(actor, "blog.member.add", blog, user=user.username)
    return membership


def remove_member(actor: Any, blog: LiveBlog, user: User) -> None:
    """Take someone off a blog's team. Removing the last member opens the blog to all reporters again."""
    perm.require_editor(actor, "manage a blog's team")
    deleted, _ = BlogMembership.objects.filter(blog=blog, user=user).delete()
    if deleted:
        _audit(actor, "blog.member.remove", blog, user=user.username)


# --- key points -----------------------------------------------------------------------------------------------

def set_key_points(actor: Any, blog: LiveBlog, points: Iterable[Mapping[str, Any]], *,
                   expected_version: str | None = None) -> list[KeyPoint]:
    """Replace the blog's ordered key points. Unchanged lists write nothing.

    ``expected_version`` is ``key_points_version`` of the list the editor started from: if someone saved another
    list since, the save is refused (StaleVersion, with the current list) instead of silently replacing theirs.
    """
    perm.require_editor(actor, "edit key points")
    points = list(points)
    fields: dict[str, str] = {}
    if len(points) > MAX_KEY_POINTS:
        fields["key_points"] = f"At most {MAX_KEY_POINTS} key points."
    cleaned: list[dict[str, Any]] = []
    for i, raw in enumerate(points):
        if not isinstance(raw, Mapping):
            fields[f"key_points[{i}]"] = "Must be an object with 'text'."
            continue
        extra = set(raw) - {"text", "post_id", "url"}
        if extra:
            fields[f"key_points[{i}]"] = "Unknown field(s): " + ", ".join(sorted(extra))
        point_text = text(fields, f"key_points[{i}].text", raw.get("text"), MAX_KEY_POINT, required=True)
        if f"key_points[{i}].text" in fields or not clean_inline(point_text):
            fields[f"key_points[{i}].text"] = f"Required, inline HTML, at most {MAX_KEY_POINT} characters."
            continue
        post_id = raw.get("post_id")
        url = text(fields, f"key_points[{i}].url", raw.get("url"), MAX_URL)
        if post_id is not None and not is_id(post_id):
            fields[f"key_points[{i}].post_id"] = "Must be a post id."
        if url and not url.startswith(("https://", "http://")):
            fields[f"key_points[{i}].url"] = "Must be an http(s) URL."
        cleaned.append({"text": clean_inline(point_text), "post_id": post_id, "url": url})
    with _locked_blog(blog) as locked:
        # Only real ids reach the query: an integer past the database's range (10**30) overflows it, a 500.
        ids = {p["post_id"] for p in cleaned if is_id(p["post_id"])}
        known = set(Post.objects.filter(blog=locked, pk__in=ids, status=Post.Status.PUBLISHED).values_list(
            "pk", flat=True))
        for i, p in enumerate(cleaned):
            if p["post_id"] is not None and p["post_id"] not in known:
                fields.setdefault(f"key_points[{i}].post_id", "No published post with this id in this blog.")
        if fields:
            raise ValidationFailed("Some key points are not valid.", fields=fields)
        current = key_points_data(locked)
        if cleaned == current:  # nothing would change, so nothing is overwritten either
            return list(KeyPoint.objects.filter(blog=locked))
        if expected_version is not None and expected_version != key_points_version(current):
            raise StaleVersion("Someone else changed the key points since you opened them. Compare with theirs "
                               "below and save again to replace them.", extra={"current": current})
        KeyPoint.objects.filter(blog=locked).delete()
        created = KeyPoint.objects.bulk_create(
            KeyPoint(blog=locked, position=i, text=p["text"], post_id=p["post_id"], url=p["url"])
            for i, p in enumerate(cleaned)
        )
        _audit(actor, "keypoints.set", locked, count=len(created))
        _emit_key_points(locked, created)
    return created


def _emit_key_points(blog: LiveBlog, points: list[KeyPoint]) -> None:
    blog.key_points_html = render_key_points(blog, points)
    LiveBlog.objects.filter(pk=blog.pk).update(key_points_html=blog.key_points_html)
    _emit(blog, "keypoints.updated", {"key_points": [key_point_data(p) for p in points]}, blog.key_points_html)


# --- blogs ----------------------------------------------------------------------------------------------------

def _clean_blog(given: Mapping[str, Any]) -> dict[str, Any]:
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
            clean[name] = _datetime(fields, name, value)
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


def _datetime(fields: dict[str, str], name: str, value: Any) -> datetime | None:
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


def create_blog(actor: Any, *, now: datetime | None = None, **given: Any) -> LiveBlog:
    """Open a live blog. Its seq starts at 0: creating it is not a change readers replay."""
    perm.require_editor(actor, "create live blogs")
    if "title" not in given:
        raise ValidationFailed("A live blog needs a title.", fields={"title": "Required."})
    clean = _clean_blog(given)
    now = now or timezone.now()
    slug = clean.pop("slug", None)
    clean.setdefault("status", LiveBlog.Status.LIVE)
    clean.setdefault("time_zone", "UTC")
    if clean["status"] != LiveBlog.Status.SCHEDULED:
        clean.setdefault("coverage_start", now)
    if clean["status"] == LiveBlog.Status.ENDED:
        clean.setdefault("coverage_end", now)
    if "coverage_end" in given:  # an end Dateline set itself (ending now) is not the client's mistake
        _require_coverage_order(clean.get("coverage_start"), clean.get("coverage_end"))
    if slug is not None:
        return _insert_blog(actor, slug, clean)
    # A slug made from the title: the first free "title", "title-2", … The check and the insert race with another
    # editor opening a blog of the same title, so an insert that loses the race takes the next number instead of
    # answering 409 for a slug the client never asked for.
    base = slugify(clean["title"])[:100] or "live"
    n = 1
    while True:
        slug = base if n == 1 else f"{base}-{n}"
        n += 1
        if slug in RESERVED_SLUGS or LiveBlog.objects.filter(slug=slug).exists():
            continue
        try:
            return _insert_blog(actor, slug, clean)
        except Conflict:
            if n > SLUG_ATTEMPTS:
                raise


def _require_coverage_order(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationFailed("Coverage cannot end before it starts.",
                               fields={"coverage_end": "Before coverage_start."})


def _insert_blog(actor: Any, slug: str, clean: dict[str, Any]) -> LiveBlog:
    try:
        with transaction.atomic():
            blog = LiveBlog.objects.create(slug=slug, created_by=actor, **clean)
            blog.key_points_html = render_key_points(blog, [])
            blog.save(update_fields=["key_points_html"])
            _audit(actor, "blog.create", blog)
    except IntegrityError:
        raise Conflict(f"A live blog with the slug '{slug}' already exists.", fields={"slug": "Taken."},
                       code="slug_taken") from None
    return blog


def update_blog(actor: Any, blog: LiveBlog, **given: Any) -> LiveBlog:
    """Change a blog's details. Setting status to ``ended`` is ``blog.ended``; other visible edits ``blog.updated``."""
    perm.require_editor(actor, "change live blogs")
    if "slug" in given:
        raise ValidationFailed("A blog's slug cannot change (its URLs are shared).", fields={"slug": "Read-only."})
    clean = _clean_blog(given)
    with _locked_blog(blog) as locked:
        changed = {name for name, value in clean.items() if getattr(locked, name) != value}
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, clean[name])
        ending = "status" in changed and locked.status == LiveBlog.Status.ENDED
        if ending and locked.coverage_end is None:
            locked.coverage_end = timezone.now()
        if "status" in changed and locked.status == LiveBlog.Status.LIVE:
            locked.coverage_end = None
            locked.coverage_start = locked.coverage_start or timezone.now()
        if changed & {"coverage_start", "coverage_end"}:
            _require_coverage_order(locked.coverage_start, locked.coverage_end)
        if "status" in changed:  # the key points heading says "What we covered here" once coverage ends
            locked.key_points_html = render_key_points(locked)
        locked.save()
        _audit(actor, "blog.end" if ending else "blog.update", locked, fields=sorted(changed))
        data = blog_data(locked)
        data["seq"] = locked.seq + 1  # the seq of the change being written
        payload = {"blog": data, "key_points_html": locked.key_points_html}
        _emit(locked, "blog.ended" if ending else "blog.updated", payload, render_blog_header(locked))
    return locked


def end_blog(actor: Any, blog: LiveBlog) -> LiveBlog:
    return update_blog(actor, blog, status=LiveBlog.Status.ENDED)
