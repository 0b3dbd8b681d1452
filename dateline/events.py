"""Every event a reader can receive, declared once.

This module is the only place in Python where an event type's name or the shape of its payload is written. Actions
build one of the ``ChangeEvent`` classes below and hand it to the transaction core, which stamps it with the blog's
next ``seq``; nothing decides a type afterwards. The live edge treats changes as opaque bytes, except for the one
control event it makes itself (``reset``).

The JSON Schema of all events (``schema()``) is generated from these classes and published at
``/live/events.schema.json``; the browser reads the type names from ``reader/static/reader/events.js``, generated
from here by ``python -m dateline.events`` (``tests/test_events.py`` fails when either drifts, or when the browser
code or ``docs/live.md`` names a type that is not declared here).

Wire shape of every change (``data:`` of an SSE event, one item of ``/changes``)::

    {"seq": <int>, "type": "<type>", "html": "<fragment the page inserts>", ...the payload's fields}
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any, ClassVar, Literal

from typing_extensions import TypedDict  # pydantic reads typing.TypedDict only from Python 3.12


class EventType(StrEnum):
    POST_PUBLISHED = "post.published"
    POST_UPDATED = "post.updated"
    POST_DELETED = "post.deleted"
    POST_PINNED = "post.pinned"
    POST_UNPINNED = "post.unpinned"
    KEY_POINTS_UPDATED = "keypoints.updated"
    BLOG_UPDATED = "blog.updated"
    BLOG_ENDED = "blog.ended"
    # Not a change: the live edge's word that a resume point cannot be served (reload the page).
    RESET = "reset"


# --- the objects events carry (the API's resource shapes; see coverage/serializers.py) ----------------------------

class Author(TypedDict):
    username: str
    name: str


class Embed(TypedDict):
    provider: str
    author: str
    thumbnail_url: str
    frame_src: str
    display: Literal["frame", "card"]


class Rendition(TypedDict):
    width: int
    height: int
    url: str


class MediaObject(TypedDict):
    id: int
    kind: str
    url: str
    title: str
    caption: str
    credit: str
    alt: str
    width: int | None
    height: int | None
    duration_seconds: int | None
    duration: str
    renditions: list[Rendition]
    embed: Embed | None


class CorrectionObject(TypedDict):
    note: str
    created_at: str | None


class PostObject(TypedDict):
    id: int
    blog: str
    headline: str
    body: str
    status: Literal["draft", "published", "deleted"]  # deleted: the API shows editors deleted posts
    pinned: bool
    tags: list[str]
    authors: list[Author]
    update_note: str
    verification_note: str
    verification: str
    media: list[MediaObject]
    corrections: list[CorrectionObject]
    created_at: str | None
    published_at: str | None
    updated_at: str | None
    version: int
    publish_at: str | None
    url: str


class DeletedPostObject(TypedDict):
    id: int
    status: Literal["deleted"]


class KeyPointObject(TypedDict):
    text: str
    post_id: int | None
    url: str


class BlogObject(TypedDict):
    slug: str
    title: str
    description: str
    status: Literal["scheduled", "live", "ended"]
    coverage_start: str | None
    coverage_end: str | None
    time_zone: str
    post_count: int
    seq: int
    key_points: list[KeyPointObject]
    lead_media: MediaObject | None
    story: str | None
    url: str


# --- events ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One reader-visible change, before it has a seq. ``html`` is the fragment readers insert (render once)."""

    type: ClassVar[EventType]
    html: str

    def wire(self, seq: int) -> dict[str, Any]:
        """The change as it goes on the wire: the envelope first, then the payload's fields."""
        # Shallow: the payload objects go straight to json.dumps (asdict would deep-copy a post on every write).
        payload = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "html"}
        return {"seq": seq, "type": self.type.value, "html": self.html, **payload}


@dataclass(frozen=True, slots=True)
class _PostEvent(ChangeEvent):
    post: PostObject
    post_count: int  # published posts after the change: a page that loaded only its first page cannot count


@dataclass(frozen=True, slots=True)
class PostPublished(_PostEvent):
    """A post appears: published at once, approved, published on schedule, or restored (in its original place)."""

    type = EventType.POST_PUBLISHED


@dataclass(frozen=True, slots=True)
class PostUpdated(_PostEvent):
    """A public post's text, byline, media, labels or pin changed, or it took a correction."""

    type = EventType.POST_UPDATED


@dataclass(frozen=True, slots=True)
class PostPinned(_PostEvent):
    """Only the pin changed: the post moves to the pinned section."""

    type = EventType.POST_PINNED


@dataclass(frozen=True, slots=True)
class PostUnpinned(_PostEvent):
    """Only the pin changed: the post returns to its place in the stream."""

    type = EventType.POST_UNPINNED


@dataclass(frozen=True, slots=True)
class PostDeleted(ChangeEvent):
    """A public post is gone; ``html`` is empty."""

    type = EventType.POST_DELETED
    post: DeletedPostObject
    post_count: int


@dataclass(frozen=True, slots=True)
class KeyPointsUpdated(ChangeEvent):
    """The key points box, replaced whole (the full ordered list)."""

    type = EventType.KEY_POINTS_UPDATED
    key_points: list[KeyPointObject]


@dataclass(frozen=True, slots=True)
class _BlogEvent(ChangeEvent):
    blog: BlogObject  # its "seq" is the seq of the change that carries it, stamped by ``wire``
    key_points_html: str  # the key points box again: its heading follows the status ("What we covered here")

    def wire(self, seq: int) -> dict[str, Any]:
        data = ChangeEvent.wire(self, seq)  # (slots dataclasses cannot use zero-argument super())
        data["blog"] = {**data["blog"], "seq": seq}
        return data


@dataclass(frozen=True, slots=True)
class BlogUpdated(_BlogEvent):
    """The blog's details changed; ``html`` is the new header."""

    type = EventType.BLOG_UPDATED


@dataclass(frozen=True, slots=True)
class BlogEnded(_BlogEvent):
    """Coverage ended; ``html`` is the new header, which says so."""

    type = EventType.BLOG_ENDED


@dataclass(frozen=True, slots=True)
class Reset:
    """Sent by the live edge, never stored: the changes after the reader's position cannot be replayed."""

    type: ClassVar[EventType] = EventType.RESET
    reason: str

    def wire(self, seq: int) -> dict[str, Any]:
        return {"seq": seq, "type": self.type.value, "reason": self.reason}


CHANGE_EVENTS: tuple[type[ChangeEvent], ...] = (
    PostPublished, PostUpdated, PostPinned, PostUnpinned, PostDeleted, KeyPointsUpdated, BlogUpdated, BlogEnded,
)
CONTROL_EVENTS = (Reset,)


# --- compaction: an older change never says more than the page says now ----------------------------------------
#
# The change log keeps every seq (replay stays exact and gap-free), but when a newer change is about the same
# object, the older ones are rewritten to its current public form — or, once it is deleted, to a tombstone — the way
# a compacted log keeps only the latest value per key. The database (coverage/actions/core.py) and every live
# process's ring (live/channel.py) apply the same rules, from here. See docs/live.md "Compaction".

_POST_TYPES = frozenset({EventType.POST_PUBLISHED, EventType.POST_UPDATED, EventType.POST_DELETED,
                         EventType.POST_PINNED, EventType.POST_UNPINNED})
_BLOG_TYPES = frozenset({EventType.BLOG_UPDATED, EventType.BLOG_ENDED})
KEY_POINTS, BLOG = "key_points", "blog"


def subject(data: dict[str, Any]) -> str:
    """What a change is about: ``post:<id>``, the key points or the blog; "" for anything else."""
    kind = data.get("type")
    if kind in _POST_TYPES:
        post = data.get("post")
        return f"post:{post['id']}" if isinstance(post, dict) and "id" in post else ""
    if kind == EventType.KEY_POINTS_UPDATED:
        return KEY_POINTS
    return BLOG if kind in _BLOG_TYPES else ""


def rewritten_subjects(data: dict[str, Any]) -> tuple[str, ...]:
    """The subjects of the older changes that ``data`` may rewrite: its own, and where the blog's changes carry
    the key points box (and the key points changes the blog's), the other."""
    own = subject(data)
    if not own:
        return ()
    return (own,) if own.startswith("post:") else (KEY_POINTS, BLOG)


def compacted(older: dict[str, Any], newer: dict[str, Any]) -> dict[str, Any] | None:
    """``older`` as it may be served once ``newer`` exists; None when ``newer`` changes nothing of it."""
    old_type, new_type = older["type"], newer["type"]
    result: dict[str, Any] | None = None
    if new_type in _POST_TYPES:
        if old_type not in _POST_TYPES or old_type == EventType.POST_DELETED:
            return None  # another object, or a tombstone already (it says nothing)
        if older["post"]["id"] != newer["post"]["id"]:
            return None
        if new_type == EventType.POST_DELETED:
            result = {"seq": older["seq"], "type": EventType.POST_DELETED.value, "html": "",
                      "post": {"id": older["post"]["id"], "status": "deleted"}, "post_count": older["post_count"]}
        else:
            result = {**older, "html": newer["html"], "post": newer["post"]}
    elif new_type == EventType.KEY_POINTS_UPDATED:
        if old_type == EventType.KEY_POINTS_UPDATED:
            result = {**older, "html": newer["html"], "key_points": newer["key_points"]}
        elif old_type in _BLOG_TYPES:
            result = {**older, "key_points_html": newer["html"],
                      "blog": {**older["blog"], "key_points": newer["key_points"]}}
    elif new_type in _BLOG_TYPES:
        if old_type in _BLOG_TYPES:
            result = {**older, "html": newer["html"], "key_points_html": newer["key_points_html"],
                      "blog": {**newer["blog"], "seq": older["seq"]}}
        elif old_type == EventType.KEY_POINTS_UPDATED:
            result = {**older, "html": newer["key_points_html"], "key_points": newer["blog"]["key_points"]}
    return None if result is None or result == older else result


def encode(data: dict[str, Any]) -> str:
    """A change's JSON as it is stored and sent: compact, not ASCII-escaped (the same bytes in every process)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


# --- the published schema and the browser's module ------------------------------------------------------------

def schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of every event's ``data``, one definition per type, generated from the classes."""
    from pydantic import TypeAdapter  # only when the schema is asked for: the write path never needs it

    definitions: dict[str, Any] = {}
    variants = []
    classes: tuple[type[ChangeEvent] | type[Reset], ...] = (*CHANGE_EVENTS, *CONTROL_EVENTS)
    for cls in classes:
        generated = TypeAdapter(cls).json_schema(ref_template="#/$defs/{model}")
        definitions.update(generated.pop("$defs", {}))
        properties = {"seq": {"type": "integer", "minimum": 0},
                      "type": {"const": cls.type.value},
                      **generated["properties"]}
        required = ["seq", "type", *generated.get("required", [])]
        name = cls.__name__
        definitions[name] = {"type": "object", "title": cls.type.value, "description": (cls.__doc__ or "").strip(),
                             "properties": properties, "required": required}
        variants.append({"$ref": f"#/$defs/{name}"})
    for definition in definitions.values():  # a field an action adds without declaring it here fails validation
        if "properties" in definition:
            definition["additionalProperties"] = False
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "/live/events.schema.json",
        "title": "Dateline live events",
        "description": "The data of every event on /live/<slug>/events and of every item of /live/<slug>/changes.",
        "oneOf": variants,
        "$defs": definitions,
    }


def javascript_module() -> str:
    """``reader/static/reader/events.js``: the type names for the browser, so no script spells one out."""
    names = {member.name: member.value for member in EventType}
    changes = [cls.type.value for cls in CHANGE_EVENTS]
    return (
        "// Generated from dateline/events.py by `python -m dateline.events`; do not edit.\n"
        f"export const EventType = Object.freeze({json.dumps(names, indent=2)});\n"
        f"export const CHANGE_TYPES = Object.freeze({json.dumps(changes)});\n"
    )


if __name__ == "__main__":
    sys.stdout.write(javascript_module())
