"""Bodies from other systems: plain text made into paragraphs, and the images a body shows pulled out as media.

Dateline's sanitiser (``coverage/sanitize.py``, run by ``create_post``) keeps no ``<img>`` or ``<iframe>``, so
before a body goes in, the pictures and embedded players it shows are taken out as ``Image`` values (kept as link
cards to their URL: nothing is fetched); everything else is left for the sanitiser to judge.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from dateline.coverage.limits import MAX_URL
from dateline.interchange.foreign.model import Image

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?\s*>")
_BLOCK = re.compile(r"<\s*(p|div|ul|ol|blockquote|h[1-6]|figure|table|pre)\b", re.IGNORECASE)


def web_url(value: object) -> str:
    """``value`` if it is an absolute http(s) URL Dateline can store, else ""."""
    if not isinstance(value, str):
        return ""
    url = value.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(url) > MAX_URL:
        return ""
    if any(c in url for c in " \t\r\n<>\"'"):
        return ""
    return url


def looks_like_html(text: str) -> bool:
    return bool(_TAG.search(text))


def paragraphs(text: str) -> str:
    """Plain text as HTML: blank lines part paragraphs, single line breaks stay breaks (what WordPress's
    ``wpautop`` does for entries, and how a plain ``articleBody`` reads)."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]
    return "".join("<p>" + "<br>".join(html.escape(line, quote=False) for line in b.split("\n")) + "</p>"
                   for b in blocks)


def autop(markup: str) -> str:
    """HTML written the WordPress way (inline markup, paragraphs as blank lines) with its paragraphs made explicit;
    markup that already has block elements is left alone."""
    if _BLOCK.search(markup):
        return markup
    blocks = [b.strip() for b in re.split(r"\n\s*\n", markup.replace("\r\n", "\n")) if b.strip()]
    return "".join("<p>" + b.replace("\n", "<br>") + "</p>" for b in blocks)


def as_html(text: str) -> str:
    """A body that may be HTML or plain text, as HTML."""
    return autop(text) if looks_like_html(text) else paragraphs(text)


class _Media(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[Image] = []
        self.dropped: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("img", "iframe", "video", "source"):
            return
        values = {k: v or "" for k, v in attrs}
        src = values.get("src", "")
        if not src:
            return
        url = web_url(src)
        if not url:
            self.dropped.append(f"{tag} with a source that is not an http(s) URL ({src[:60]!r})")
            return
        if tag == "img":
            self.images.append(Image(url=url, title=values.get("alt", "") or values.get("title", "")))
        else:
            self.images.append(Image(url=url, title=values.get("title", "") or "Embedded media"))


def media_in(markup: str) -> tuple[list[Image], list[str]]:
    """The pictures and players ``markup`` shows (``<img>``, ``<iframe>``, ``<video>``), in order, and notes on
    those whose source cannot be kept (``data:``, ``javascript:``, relative URLs)."""
    parser = _Media()
    parser.feed(markup)
    parser.close()
    return parser.images, parser.dropped


def plain(markup: str) -> str:
    """Text of an HTML fragment (a title that arrived with markup)."""
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", markup))).strip()


class _JsonLdScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._in: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            kind = (dict(attrs).get("type") or "").split(";")[0].strip().lower()
            self._in = [] if kind == "application/ld+json" else None

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self._in.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in is not None:
            self.scripts.append("".join(self._in))
            self._in = None


def jsonld_scripts(page: str) -> list[str]:
    """The text of every ``<script type="application/ld+json">`` on ``page``, in page order."""
    parser = _JsonLdScripts()
    parser.feed(page)
    parser.close()
    return parser.scripts
