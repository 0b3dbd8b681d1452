"""Request and response shapes, as the OpenAPI document shows them.

Input schemas forbid unknown fields (a typo such as ``"headlin"`` is a 422 naming the field, never silently dropped)
and use strict scalar types (``"5"`` is not a media id, ``"yes"`` is not a boolean). They only check shape: the
actions validate meaning (lengths, known users, sanitising) and raise ``ValidationFailed`` with the same ``fields``.

Output schemas mirror ``dateline.coverage.serializers`` field for field (tests/api/test_schema.py checks they agree),
so the API, change events and feeds share one shape. Times are strings in ISO 8601 with an offset.
"""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field, StrictBool, StrictInt, StrictStr, WithJsonSchema

from dateline.coverage import limits
from dateline.coverage.validation import MAX_ID

Timestamp = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
# An id as input: the range is shown here and checked by the actions (validation.is_id), whose 422 names the field.
Id = Annotated[StrictInt, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID})]
BlogStatus = Literal["scheduled", "live", "ended"]
Verification = Literal["", "verified", "unverified", "disputed"]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


# --- output ---------------------------------------------------------------------------------------------------

class EmbedOut(Schema):
    provider: str = Field(description="The oEmbed provider's name, e.g. YouTube.")
    author: str
    thumbnail_url: str = Field(description="The provider's thumbnail (https), or empty.")
    frame_src: str = Field(description="The player iframe's https URL, on the provider's allowlist; empty for a "
                                       "link card (posts that need the provider's script).")
    display: Literal["frame", "card"] = Field(description="How the reader page shows it: a sandboxed iframe, or a "
                                                          "link card (title, author, provider, link).")


class RenditionOut(Schema):
    width: int
    height: int
    url: str


class MediaOut(Schema):
    id: int
    kind: Literal["image", "video", "embed"]
    url: str = Field(description="The image file (under /media/), the video's URL, or the embedded page's link.")
    title: str
    caption: str
    credit: str
    alt: str
    width: int | None
    height: int | None
    duration_seconds: int | None
    duration: str = Field(description="Video duration as MM:SS or H:MM:SS; empty for images.")
    renditions: list[RenditionOut] = Field(
        description="Images: smaller copies (320/640/1024/1600 px wide, those narrower than the original), "
                    "narrowest first; the first is the thumbnail. Empty for videos and embeds.")
    embed: EmbedOut | None = Field(description="Embeds only: what the provider told us, checked.")


class AuthorOut(Schema):
    username: str
    name: str


class CorrectionOut(Schema):
    note: str = Field(description="Plain text, e.g. \"An earlier version of this post misstated the river level.\"")
    created_at: Timestamp


class PostOut(Schema):
    id: int
    blog: str = Field(description="The blog's slug.")
    headline: str
    body: str = Field(description="Sanitised HTML.")
    status: Literal["draft", "published", "deleted"]
    pinned: bool
    tags: list[str]
    authors: list[AuthorOut]
    update_note: str
    verification_note: str
    verification: Verification = Field(
        description="The post's verification label ('' for none); verification_note explains it.")
    media: list[MediaOut]
    corrections: list[CorrectionOut] = Field(
        description="Corrections published on this post, oldest first (see PATCH's 'correction').")
    created_at: Timestamp
    published_at: Timestamp | None
    updated_at: Timestamp
    publish_at: Timestamp | None = Field(description="A scheduled draft's publication time.")
    version: int = Field(description="Bumped by every write; the ETag is \"<id>-<version>\".")
    url: str


class KeyPointOut(Schema):
    text: str = Field(description="Sanitised inline HTML (strong, em, a).")
    post_id: int | None
    url: str


class BlogOut(Schema):
    slug: str
    title: str
    description: str
    status: BlogStatus
    coverage_start: Timestamp | None
    coverage_end: Timestamp | None
    time_zone: str
    post_count: int = Field(description="Published posts.")
    seq: int = Field(description="Sequence number of the latest change (see /live/<slug>/changes).")
    key_points: list[KeyPointOut]
    lead_media: MediaOut | None
    story: str | None
    url: str


class PostPage(Schema):
    items: list[PostOut]
    next: str | None = Field(description="Pass back as ?before= for the next (older) page; null on the last page.")


class BlogPage(Schema):
    items: list[BlogOut]
    next: str | None = Field(description="Pass back as ?before= for the next page; null on the last page.")


class KeyPointsOut(Schema):
    key_points: list[KeyPointOut]


class ErrorBody(Schema):
    code: str = Field(description="Stable machine-readable code, e.g. validation_error, precondition_failed.")
    message: str = Field(description="Human-readable explanation.")
    fields: dict[str, str] | None = Field(None, description="Per-field problems, by field name.")
    current: PostOut | list[KeyPointOut] | None = Field(
        None, description="On 412: the post as it is now (post edits) or the key points as they are now.")


class ErrorOut(Schema):
    error: ErrorBody


# --- input ----------------------------------------------------------------------------------------------------

class BlogCreate(Strict):
    title: StrictStr
    slug: StrictStr | None = Field(
        None, description="Lowercase letters, digits, hyphens; made from the title if omitted.")
    description: StrictStr | None = None
    status: BlogStatus | None = Field(None, description="Default: live.")
    time_zone: StrictStr | None = Field(None, description="IANA name, e.g. Europe/London. Default: UTC.")
    coverage_start: AwareDatetime | None = None
    coverage_end: AwareDatetime | None = None
    lead_media: Id | None = Field(None, description="A media id (image or video) from POST /media.")
    story: StrictStr | None = Field(None, description="Slug of the multi-day story this blog belongs to.")


class BlogPatch(Strict):
    title: StrictStr | None = None
    description: StrictStr | None = None
    status: BlogStatus | None = Field(None, description="Setting 'ended' ends the coverage.")
    time_zone: StrictStr | None = None
    coverage_start: AwareDatetime | None = None
    coverage_end: AwareDatetime | None = None
    lead_media: Id | None = Field(None, description="A media id; null removes the lead media.")
    story: StrictStr | None = None


Author = Annotated[StrictStr | Id, Field(description="A username or user id.")]


VERIFICATION_HELP = ("A label shown on the post: 'verified' (checked by the newsroom), 'unverified' (reported by "
                     "others, not independently confirmed), 'disputed' (contradicted by other sources), or '' for "
                     "none. Explain it in verification_note.")


HEADLINE_HELP = f"At most {limits.MAX_HEADLINE} characters."
BODY_HELP = (f"HTML; sanitised (no scripts, event handlers or javascript: URLs); at most {limits.MAX_BODY:,} "
             "characters once sanitised.")
NOTE_HELP = f"Plain text, at most {limits.MAX_NOTE} characters."
TAGS_HELP = f"At most {limits.MAX_TAGS} tags of at most {limits.MAX_TAG} characters."


class PostCreate(Strict):
    headline: StrictStr | None = Field(None, description=HEADLINE_HELP)
    body: StrictStr | None = Field(None, description=BODY_HELP)
    status: Literal["draft", "published"] | None = Field(
        None, description="Omitted: published at once for editors and reporters, a draft for contributors.")
    pinned: StrictBool | None = Field(None, description="Editors only.")
    tags: list[StrictStr] | None = Field(None, description=TAGS_HELP)
    authors: list[Author] | None = Field(None, description="Default: the caller.")
    update_note: StrictStr | None = Field(None, description=NOTE_HELP)
    verification_note: StrictStr | None = Field(None, description=NOTE_HELP)
    verification: Verification | None = Field(
        None, description=VERIFICATION_HELP)
    media: list[Id] | None = Field(None, description="Media ids from POST /media, in display order.")
    publish_at: AwareDatetime | None = Field(
        None, description="Schedule: saved as a draft and published at this (future) time. Editors and reporters.")


class PostPatch(Strict):
    headline: StrictStr | None = Field(None, description=HEADLINE_HELP)
    body: StrictStr | None = Field(None, description=BODY_HELP)
    status: Literal["draft", "published"] | None = Field(
        None, description="'published' publishes (approves) a draft; a published post cannot go back to draft.")
    pinned: StrictBool | None = Field(None, description="Editors only.")
    tags: list[StrictStr] | None = Field(None, description=TAGS_HELP)
    authors: list[Author] | None = None
    update_note: StrictStr | None = Field(None, description=NOTE_HELP)
    verification_note: StrictStr | None = Field(None, description=NOTE_HELP)
    verification: Verification | None = Field(
        None, description=VERIFICATION_HELP)
    media: list[Id] | None = None
    publish_at: AwareDatetime | None = Field(None, description="Schedule a draft; null cancels the schedule.")
    correction: StrictStr | None = Field(
        None, description=(
            f"Publish a correction with this edit (plain text, at most {limits.MAX_NOTE} characters): shown at the end "
            "of the post and in the blog's corrections log (/live/<slug>/corrections/). Published posts only (422 on "
            "a draft). A correction alone is an edit: it bumps the version and is one post.updated change."))


class KeyPointIn(Strict):
    text: StrictStr = Field(description=f"Inline HTML: strong, em, a; at most {limits.MAX_KEY_POINT} characters.")
    post_id: Id | None = Field(None, description="A published post of this blog the point links to.")
    url: StrictStr | None = Field(None, description="An http(s) link, when the point links elsewhere.")


class KeyPointsIn(Strict):
    key_points: list[KeyPointIn] = Field(description="The whole ordered list; it replaces the current one.")


class VideoIn(Strict):
    kind: Literal["video"]
    url: StrictStr = Field(description="Where the video plays (http or https).")
    title: StrictStr
    duration_seconds: StrictInt | None = Field(None, ge=0)
    credit: StrictStr | None = None
    caption: StrictStr | None = None
    alt: StrictStr | None = None


class EmbedIn(Strict):
    kind: Literal["embed"]
    url: StrictStr = Field(description="A link to a video or social post on a configured oEmbed provider "
                                        "(YouTube, Vimeo, Dailymotion, SoundCloud, Spotify, X, Bluesky, TikTok, "
                                        "Reddit, and DATELINE_OEMBED_PROVIDERS_EXTRA).")
    caption: StrictStr | None = None
    credit: StrictStr | None = None
