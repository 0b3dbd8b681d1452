"""HTML sanitising with nh3 (Ammonia). Every HTML string a person sends passes through here before it is stored.

Two profiles: post bodies (block content) and key points (inline only). Links may only use http(s)/mailto,
so no ``javascript:`` URL can survive; event-handler attributes are never allowed.
"""

from __future__ import annotations

import html as html_lib

import nh3

URL_SCHEMES = {"http", "https", "mailto"}

BODY_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "a", "ul", "ol", "li",
    "blockquote", "q", "cite", "h3", "h4", "hr", "code", "pre", "abbr", "small",
}
INLINE_TAGS = {"strong", "b", "em", "i", "a", "br"}
ATTRIBUTES = {"a": {"href", "title", "hreflang"}, "abbr": {"title"}, "q": {"cite"}, "blockquote": {"cite"}}


def _only_web_citations(tag: str, attribute: str, value: str) -> str | None:
    """Ammonia checks the scheme of ``href`` but not of ``cite``; keep a citation only if it is an http(s) URL
    (found by tests/newsroom/test_sanitize_properties.py: ``<blockquote cite="javascript:…">`` survived)."""
    if attribute == "cite":
        return value if value.strip().lower().startswith(("https://", "http://")) else None
    return value


def clean_body(html: str) -> str:
    """Sanitise a post body: block-level newsroom markup, nothing executable."""
    return nh3.clean(
        html,
        tags=BODY_TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=_only_web_citations,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def clean_inline(html: str) -> str:
    """Sanitise inline text (key points, captions that allow emphasis): bold, italic and links only."""
    return nh3.clean(
        html,
        tags=INLINE_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def strip_tags(html: str) -> str:
    """Plain text of an HTML fragment (for feeds' summaries, JSON-LD articleBody, duplicate detection)."""
    text = nh3.clean(html.replace("</p>", "</p>\n").replace("<br>", "\n").replace("</li>", "</li>\n"), tags=set())
    return html_lib.unescape(text).strip()
