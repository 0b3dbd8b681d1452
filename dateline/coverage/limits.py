"""Every field limit of coverage content, in one place.

The models' ``max_length``, the actions' validation, the newsroom's forms, the API schemas' descriptions and the
templates' ``maxlength`` attributes (``by_field()``, through the ``context`` processor) all read these numbers;
none repeats one. The composer's script reads no limit: the browser enforces ``maxlength`` itself.
"""

from __future__ import annotations

from datetime import UTC, datetime

# People's limits are declared with their model (accounts sits below coverage) and read from here like the rest.
from dateline.accounts.models import MAX_DISPLAY_NAME, MAX_TOKEN_LABEL, MAX_USERNAME  # noqa: F401

# Posts
MAX_HEADLINE = 300
MAX_BODY = 100_000  # characters of sanitised HTML; the raw body may be twice this before sanitising
MAX_NOTE = 500  # update note, verification note, correction
MAX_TAGS = 20
MAX_TAG = 50
MAX_AUTHORS = 20
# Key points
MAX_KEY_POINTS = 12
MAX_KEY_POINT = 1_000
MAX_URL = 500  # KeyPoint.url, Media.url, an embed's link
# Blogs and stories
MAX_BLOG_TITLE = 200
MAX_DESCRIPTION = 2_000
MAX_SLUG = 120
MAX_TIME_ZONE = 64
# Media
MAX_CAPTION = 2_000
MAX_CREDIT = 200
MAX_ALT = 300
MAX_MEDIA_TITLE = 300
MAX_VIDEO_SECONDS = 24 * 3600
# Embeds: what a provider's oEmbed answer may fill in (coverage/embeds.py)
MAX_PROVIDER = 100
MAX_EMBED_AUTHOR = 200
MAX_FRAME_URL = 1000  # frame_src and thumbnail_url
# People (the account fields' limits are declared with their model)
MIN_PASSWORD = 10  # a newsroom account opens every unpublished draft: at least a passphrase-like length
MAX_PASSWORD = 200

# The range of date-times accepted on the write path (coverage start/end, publish_at); see actions/validate.py.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)  # exclusive


def by_field() -> dict[str, int]:
    """The limits by form field name, for templates (``maxlength="{{ limits.headline }}"``: the browser stops the
    typing where the server would refuse) and anything else that shows a form."""
    return {"headline": MAX_HEADLINE, "body": MAX_BODY, "update_note": MAX_NOTE, "verification_note": MAX_NOTE,
            "correction": MAX_NOTE, "caption": MAX_CAPTION, "credit": MAX_CREDIT, "alt": MAX_ALT,
            "embed_url": MAX_URL, "url": MAX_URL, "tags": MAX_TAGS, "tag": MAX_TAG, "key_point": MAX_KEY_POINT,
            "blog_title": MAX_BLOG_TITLE, "description": MAX_DESCRIPTION, "username": MAX_USERNAME,
            "display_name": MAX_DISPLAY_NAME, "password": MAX_PASSWORD, "min_password": MIN_PASSWORD}


def context(request: object) -> dict[str, dict[str, int]]:
    """Template context processor: ``limits`` in every template (settings.TEMPLATES)."""
    return {"limits": _BY_FIELD}


_BY_FIELD = by_field()
