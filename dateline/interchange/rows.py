"""The database half of an import: the archive's rows written again, ids mapped, inside the caller's transaction.

The archive import is the one writer besides the actions (docs/decisions.md): it puts history back as it was —
revisions, corrections, audit entries with their own times — which no verb can do, because each verb records what
happens now. It keeps the write path's rules otherwise: everything in one transaction, HTML through the same
sanitiser, fragments rendered by ``coverage.render``, the public media tree synced after commit, and a blog's
``seq`` at its archived value with no ``Change`` rows (docs/operations.md "Archive format").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.dateparse import parse_datetime

from dateline.accounts.models import User
from dateline.audit.models import AuditEntry
from dateline.coverage import actions, embeds, mediafiles
from dateline.coverage.actions.core import with_relations
from dateline.coverage.errors import ValidationFailed
from dateline.coverage.limits import MAX_TAG, MAX_TAGS
from dateline.coverage.models import (
    BlogMembership,
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
from dateline.coverage.render import render_key_points, render_post
from dateline.coverage.sanitize import clean_body, clean_inline
from dateline.coverage.serializers import public_url
from dateline.interchange.archive import ArchiveError

ROLES = {"editor", "reporter", "contributor"}  # an archive never makes an admin: "admin" comes in as "editor"


def when(value: Any, *, required: bool = False) -> datetime | None:
    if value is None and not required:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise ArchiveError(f"archive.json has a bad time {str(value)[:40]!r} (ISO 8601 with an offset expected).")
    return parsed


def required(value: Any) -> datetime:
    parsed = when(value, required=True)
    assert parsed is not None
    return parsed


def checked(obj: models.Model) -> models.Model:
    """A row's own fields checked as the models declare them (lengths, choices), foreign keys aside."""
    try:
        relations = [f.name for f in obj._meta.fields if f.is_relation] + ["file"]
        obj.clean_fields(exclude=relations)
    except ValidationError as error:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        raise ArchiveError(f"archive.json: a {obj._meta.model_name} is not valid ({problems[:300]}).") from None
    return obj


def _allowed_frame(url: str, frame_src: str) -> bool:
    """An embed's player only from a host this instance's provider list allows for it (as ``embeds`` checks an
    oEmbed answer): an archive is not trusted to name an iframe's address."""
    provider = embeds.provider_for(url)
    parts = urlsplit(frame_src)
    return bool(provider and parts.scheme == "https" and parts.hostname and not parts.username
                and parts.port in (None, 443) and provider.allows_frame_host(parts.hostname))


def _tags(tags: Any) -> list[str]:
    if not isinstance(tags, list) or len(tags) > MAX_TAGS or not all(
            isinstance(t, str) and 0 < len(t) <= MAX_TAG for t in tags):
        raise ArchiveError(f"archive.json: a post's tags must be at most {MAX_TAGS} strings of {MAX_TAG} characters.")
    return list(tags)


def set_times(model: type[models.Model], pk: int, **times: datetime | None) -> None:
    """Times a model stamps itself on save (``auto_now_add``), put back to the archive's."""
    model._default_manager.filter(pk=pk).update(**{k: v for k, v in times.items() if v is not None})


class Writer:
    """Writes one archive's rows; ``report`` is told what it did."""

    def __init__(self, report: Callable[[str], None]) -> None:
        self.say = report
        self.users: dict[str, User] = {}
        self.media: dict[int, Media] = {}
        self.posts: dict[int, Post] = {}
        self.stories: dict[str, Story] = {}
        self.archived_slugs: set[str] = set()

    # --- people ------------------------------------------------------------------------------------------------
    def people(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            username = record["username"]
            user = User.objects.filter(username__iexact=username).first()
            if user is None:
                role = str(record["role"]) if record.get("role") in ROLES else "editor"
                try:  # created without a password: an unusable one
                    shown = record.get("display_name") or " ".join(
                        str(record.get(k) or "") for k in ("first_name", "last_name")).strip()
                    user = actions.ensure_user(username=username, role=role, display_name=str(shown))
                except ValidationFailed as refused:
                    raise ArchiveError(f"user {username[:40]!r}: {refused.fields or refused.message}") from None
                self.say(f"created byline user '{user.username}' ({role}, no password: it cannot sign in until "
                         "an admin sets one)")
            self.users[username] = user

    def person(self, name: Any) -> User:
        user = self.user(name)
        if user is None:
            raise ArchiveError("archive.json: a byline or team member without a username.")
        return user

    def user(self, name: Any) -> User | None:
        if name is None:
            return None
        if name not in self.users:
            raise ArchiveError(f"archive.json names user {str(name)[:40]!r}, who is not in its users list.")
        return self.users[name]

    # --- media -------------------------------------------------------------------------------------------------
    def media_rows(self, records: list[dict[str, Any]], names: dict[str, str]) -> None:
        for r in records:
            file = names.get(r["file"], "") if r["file"] else ""
            renditions = [{"width": int(x["width"]), "height": int(x["height"]), "file": names[x["file"]]}
                          for x in r["renditions"] if x["file"] in names] if file else []
            media = Media(kind=r["kind"], file=file, url=r["url"], title=r["title"], caption=r["caption"],
                          credit=r["credit"], alt=r["alt"], width=r["width"], height=r["height"],
                          duration_seconds=r["duration_seconds"], renditions=renditions,
                          provider=r["provider"], author=r["author"], thumbnail_url=r["thumbnail_url"],
                          frame_src=r["frame_src"], uploaded_by=self.user(r["uploaded_by"]))
            if media.frame_src and not _allowed_frame(media.url, media.frame_src):
                self.say(f"the embed of {media.url[:80]} plays from a host not allowed here: shown as a link card")
                media.frame_src = ""
            checked(media).save()
            set_times(Media, media.pk, created_at=when(r["created_at"]))
            self.media[int(r["id"])] = media

    def media_id(self, old: Any) -> int:
        if old not in self.media:
            raise ArchiveError(f"archive.json refers to media {str(old)[:20]} it does not carry.")
        return self.media[old].pk

    # --- blogs -------------------------------------------------------------------------------------------------
    def blog(self, r: dict[str, Any], slug: str, stories: dict[str, str]) -> LiveBlog:
        story = self.story(r["story"], stories) if r["story"] is not None else None
        blog = LiveBlog(slug=slug, title=r["title"], description=r["description"], status=r["status"],
                        coverage_start=when(r["coverage_start"]), coverage_end=when(r["coverage_end"]),
                        time_zone=r["time_zone"], story=story, seq=int(r["seq"]),
                        lead_media_id=self.media_id(r["lead_media"]) if r["lead_media"] is not None else None,
                        created_by=self.user(r["created_by"]))
        if blog.seq < 0:
            raise ArchiveError("archive.json: a blog's seq cannot be negative.")
        checked(blog).save()
        for m in r["members"]:
            member = BlogMembership.objects.create(blog=blog, user=self.person(m["user"]),
                                                   added_by=self.user(m["added_by"]))
            set_times(BlogMembership, member.pk, created_at=when(m["created_at"]))
        for p in r["posts"]:
            self.post(blog, p)
        for k in r["key_points"]:
            post = self.posts.get(k["post"]) if k["post"] is not None else None
            checked(KeyPoint(blog=blog, position=int(k["position"]), text=clean_inline(k["text"]),
                             post=post if post and post.status != Post.Status.DELETED else None, url=k["url"])).save()
        for a in r["audit"]:
            post = self.posts.get(a["post"]) if a["post"] is not None else None
            entry = AuditEntry.objects.create(actor=self.user(a["actor"]), action=str(a["action"])[:40], blog=blog,
                                              post=post, detail=a["detail"] if isinstance(a["detail"], dict) else {})
            set_times(AuditEntry, entry.pk, created_at=when(a["created_at"]))
        self.render(blog)
        set_times(LiveBlog, blog.pk, created_at=when(r["created_at"]), updated_at=when(r["updated_at"]))
        mediafiles.sync_on_commit(mediafiles.media_of_blog(blog.pk) | {m.pk for m in self.media.values()})
        return blog

    def story(self, slug: str, titles: dict[str, str]) -> Story:
        """The archive's story here: joined when this instance has a story of that slug that does not already hold
        the archived days (another day of the same story, imported before), else a new one."""
        if slug in self.stories:
            return self.stories[slug]
        existing = Story.objects.filter(slug=slug).first()
        if existing is not None and not existing.blogs.filter(slug__in=self.archived_slugs).exists():
            self.say(f"joined the story '{slug}' that this instance already has")
            self.stories[slug] = existing
            return existing
        chosen, n = slug, 1
        while Story.objects.filter(slug=chosen).exists():
            n += 1
            chosen = f"{slug[:90]}-imported" + ("" if n == 2 else f"-{n - 1}")
        if chosen != slug:
            self.say(f"the story '{slug}' is here already with these days: the import is the story '{chosen}'")
        self.stories[slug] = checked(Story(slug=chosen, title=titles[slug]))  # type: ignore[assignment]
        self.stories[slug].save()
        return self.stories[slug]

    def post(self, blog: LiveBlog, r: dict[str, Any]) -> None:
        deleted = r["status"] == Post.Status.DELETED
        times = {"created_at": required(r["created_at"]), "published_at": when(r["published_at"]),
                 "updated_at": required(r["updated_at"])}
        if deleted:  # a tombstone: its place and times, no text (docs/operations.md)
            post = Post(blog=blog, status=Post.Status.DELETED, version=int(r["version"]), **times)
            checked(post).save()
            self.posts[int(r["id"])] = post
            return
        post = Post(blog=blog, headline=r["headline"], body=clean_body(r["body"]), status=r["status"],
                    pinned=bool(r["pinned"]), tags=_tags(r["tags"]), update_note=r["update_note"],
                    verification_note=r["verification_note"], verification=r["verification"],
                    created_by=self.user(r["created_by"]), version=int(r["version"]),
                    publish_at=when(r["publish_at"]), scheduled_by=self.user(r["scheduled_by"]), **times)
        checked(post).save()
        self.posts[int(r["id"])] = post
        for i, name in enumerate(r["authors"]):
            PostAuthor.objects.create(post=post, user=self.person(name), position=i)
        for i, old in enumerate(r["media"]):
            PostMedia.objects.create(post=post, media_id=self.media_id(old), position=i)
        for c in r["corrections"]:
            checked(Correction(post=post, blog=blog, note=c["note"], created_at=required(c["created_at"]),
                               created_by=self.user(c["created_by"]), version=int(c["version"]))).save()
        for v in r["revisions"]:
            revision = PostRevision.objects.create(post=post, version=int(v["version"]),
                                                   data=self.revision_data(v["data"], post, blog),
                                                   edited_by=self.user(v["edited_by"]))
            set_times(PostRevision, revision.pk, created_at=when(v["created_at"]))

    def revision_data(self, data: Any, post: Post, blog: LiveBlog) -> dict[str, Any]:
        """A snapshot with this instance's ids and URLs (History restores from it; media_of_post reads it)."""
        if not isinstance(data, dict):
            raise ArchiveError("archive.json: a revision's data must be an object.")
        data = {**data, "id": post.pk, "blog": blog.slug, "url": public_url(f"/live/{blog.slug}/posts/{post.pk}/")}
        if isinstance(data.get("body"), str):
            data["body"] = clean_body(data["body"])
        media = []
        for item in data.get("media") or []:
            if isinstance(item, dict) and item.get("id") in self.media:
                new = self.media[item["id"]]
                media.append({**item, "id": new.pk, "url": new.file.url if new.file else new.url,
                              "renditions": new.rendition_urls()})
        data["media"] = media
        return data

    def render(self, blog: LiveBlog) -> None:
        """Fragments rendered here, with this instance's ids and URLs (the archive's HTML is not trusted)."""
        for post in Post.objects.filter(blog=blog).exclude(status=Post.Status.DELETED):
            post.blog = blog
            Post.objects.filter(pk=post.pk).update(html=render_post(with_relations(post)))
        blog.key_points_html = render_key_points(blog)
        blog.save(update_fields=["key_points_html"])
