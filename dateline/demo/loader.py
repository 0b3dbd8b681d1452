"""Load the demo story (fictional content in ``content.py``) through the actions, like any importer: the main day's
live blog and a short, ended blog of the evening before, in the same story, so the pages link to each other.

Idempotent: the load records a digest of the content on each blog; running it again with the same content changes
nothing. Changed content (a newer Dateline), or a missing day, replaces both demo blogs.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from dateline.accounts.models import User
from dateline.coverage import actions
from dateline.coverage.actions import create_video, upload_image
from dateline.coverage.models import LiveBlog, Media, Post
from dateline.demo import content

IMAGE_SIZE = (1200, 675)
DEMO = "demo"  # the source its loads are recorded under (audit action "demo.load")


class DemoSlugTaken(Exception):
    """The demo's slugs belong to blogs it did not create."""


def _digest() -> str:
    return hashlib.sha256(Path(content.__file__).read_bytes()).hexdigest()[:16]


def _placeholder_png(color: str, label: str) -> bytes:
    """A plain placeholder picture: our demo ships no photographs it does not own."""
    image = Image.new("RGB", IMAGE_SIZE, color)
    draw = ImageDraw.Draw(image)
    for i in range(0, IMAGE_SIZE[1], 24):  # gentle horizontal bands, so it reads as an image, not a block
        draw.rectangle([0, i, IMAGE_SIZE[0], i + 11], fill=_shade(color, 0.92))
    font = ImageFont.load_default(size=44)
    box = draw.textbbox((0, 0), label, font=font)
    x = (IMAGE_SIZE[0] - (box[2] - box[0])) // 2
    y = (IMAGE_SIZE[1] - (box[3] - box[1])) // 2
    draw.text((x, y), label, fill="white", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _shade(color: str, factor: float) -> tuple[int, int, int]:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return int(r * factor), int(g * factor), int(b * factor)


def _users() -> dict[str, User]:
    return {spec["username"]: actions.ensure_user(username=spec["username"], role=spec["role"],
                                                  display_name=spec["name"])
            for spec in content.AUTHORS}


def _timeline() -> list[tuple[int, int, str, int]]:
    """(minute, order, what, post index) for every event of the day, in the order it happened."""
    events = []
    for i, spec in enumerate(content.POSTS):
        events.append((spec["minute"], 0, "publish", i))
        if spec.get("pinned"):
            events.append((spec["minute"], 1, "pin", i))
        if spec.get("edited_minute") is not None:
            events.append((spec["edited_minute"], 2, "edit", i))
        if spec.get("correction"):
            events.append((spec["correction"]["minute"], 3, "correct", i))
    return sorted(events)


def load_demo() -> LiveBlog:
    """Load (or refresh) the demo story; returns the main day's blog."""
    digest = _digest()
    slugs = [content.PREVIOUS_DAY["slug"], content.BLOG["slug"]]
    existing = list(LiveBlog.objects.filter(slug__in=slugs))
    loaded = actions.loaded_from(existing, DEMO)
    if len(existing) == len(slugs) and all(loaded.get(b.pk) == digest for b in existing):
        return next(b for b in existing if b.slug == content.BLOG["slug"])
    # Only blogs an earlier demo load made are replaced: someone's own blog that happens to use a demo slug is
    # real coverage, never deleted to make room for a fictional story.
    foreign = [b.slug for b in existing if b.pk not in loaded]
    if foreign:
        raise DemoSlugTaken(f"A live blog the demo did not create uses the demo's slug ({', '.join(foreign)}); "
                            "the demo leaves it alone and does not load.")
    with transaction.atomic():
        for blog in existing:
            actions.delete_blog(None, blog)
        _load_previous_day(digest)
        return _load(digest)


def _load_previous_day(digest: str) -> LiveBlog:
    """The evening before the main day: six posts and key points, then the coverage ends."""
    spec: dict[str, Any] = content.PREVIOUS_DAY
    users = _users()
    editor = next(u for u in users.values() if u.role == "editor")
    start = datetime.combine(datetime.fromisoformat(spec["date"]).date(), time(spec["start_hour"], 0),
                             tzinfo=ZoneInfo(spec["time_zone"]))
    blog = actions.create_blog(
        editor, title=spec["title"], slug=spec["slug"], description=spec["description"],
        time_zone=spec["time_zone"], coverage_start=start, story=content.STORY_SLUG, now=start,
    )
    posts = [
        actions.create_post(users[p["author"]], blog, now=start + timedelta(minutes=p["minute"]),
                            headline=p["headline"], body=p["body"], tags=p.get("tags", []))
        for p in content.PREVIOUS_DAY_POSTS
    ]
    actions.set_key_points(editor, blog, [
        {"text": point["text"], "post_id": posts[point["post_ref"]].pk} for point in content.PREVIOUS_DAY_KEY_POINTS
    ])
    blog = actions.update_blog(editor, blog, status=LiveBlog.Status.ENDED,
                               coverage_end=start + timedelta(minutes=spec["ended_minute"]))
    actions.record_load(blog, source=DEMO, digest=digest)
    return blog


def _load(digest: str) -> LiveBlog:
    spec: dict[str, Any] = content.BLOG
    users = _users()
    editor = next(u for u in users.values() if u.role == "editor")
    zone = ZoneInfo(spec["time_zone"])
    start = datetime.combine(datetime.fromisoformat(spec["date"]).date(), time(6, 0), tzinfo=zone)

    def at(minute: int) -> datetime:
        return start + timedelta(minutes=minute)

    video: dict[str, Any] = spec["lead_video"]
    lead = create_video(editor, url=video["url"], title=video["title"], duration_seconds=video["duration_seconds"],
                        credit=video["credit"])
    blog = actions.create_blog(
        editor, title=spec["title"], slug=spec["slug"], description=spec["description"],
        time_zone=spec["time_zone"], coverage_start=start, lead_media=lead.pk, story=content.STORY_SLUG, now=start,
    )
    posts: dict[int, Post] = {}
    for minute, _order, what, i in _timeline():
        post_spec = content.POSTS[i]
        author = users[post_spec["author"]]
        if what == "publish":
            media = [_image(author, post_spec["image"], i).pk] if post_spec.get("image") else []
            posts[i] = actions.create_post(
                author, blog, now=at(minute), headline=post_spec["headline"], body=post_spec["body"],
                tags=post_spec.get("tags", []), verification_note=post_spec.get("verification_note", ""),
                verification=post_spec.get("verification", ""),
                media=media,
                # An update note describes a later edit, so it arrives with that edit.
                update_note="" if post_spec.get("edited_minute") is not None else post_spec.get("update_note", ""),
            )
        elif what == "pin":
            posts[i] = actions.pin_post(editor, posts[i])
        elif what == "correct":
            posts[i] = actions.correct_post(editor, posts[i], now=at(minute),
                                            correction=post_spec["correction"]["note"])
        else:
            posts[i] = actions.edit_post(author if author.role == "editor" else editor, posts[i], now=at(minute),
                                         update_note=post_spec.get("update_note", ""))
    actions.set_key_points(editor, blog, [
        {"text": point["text"], "post_id": posts[point["post_ref"]].pk if point.get("post_ref") is not None else None}
        for point in content.KEY_POINTS
    ])
    actions.record_load(blog, source=DEMO, digest=digest)
    blog.refresh_from_db()
    return blog


def _image(author: User, spec: dict[str, str], index: int) -> Media:
    upload = SimpleUploadedFile(f"demo-{index}.png", _placeholder_png(spec["color"], spec["label"]), "image/png")
    return upload_image(author, upload, caption=spec["caption"], credit=spec["credit"], alt=spec["alt"])
