"""schema.org ``LiveBlogPosting`` JSON-LD, from a saved page (every ``application/ld+json`` script on it) or alone.

What publishers put there varies, so this reads generously and reports what it could not use: the live blog may sit
at the top, in an ``@graph``, in a list, or nested (``mainEntity``); ``liveBlogUpdate`` is one object or a list of
``BlogPosting`` (or any ``Article``); ``author`` is a string, a ``Person``/``Organization``, or a list of them;
``image`` a URL, an ``ImageObject`` or a list; ``articleBody`` plain text or HTML. The same live blog described by
two scripts (a page's own and its SEO plugin's) is read once, its updates merged by ``@id``/``url``.
"""

from __future__ import annotations

import json
from typing import Any

from dateline.coverage.limits import MAX_HEADLINE
from dateline.interchange.foreign.body import as_html, jsonld_scripts, media_in, plain, web_url
from dateline.interchange.foreign.model import (
    ForeignBlog,
    ForeignPost,
    Image,
    ImportRefused,
    Parsed,
    Person,
    iso_time,
)

MAX_NODES = 200_000  # JSON values walked looking for live blogs, however the file nests them
MAX_DEPTH = 64


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)}


def _find_live_blogs(docs: list[Any], by_id: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every LiveBlogPosting object in ``docs``, walked without recursion and with bounds; ``by_id`` is filled
    with every object that has an ``@id`` and more (what a bare ``{"@id": …}`` reference elsewhere stands for)."""
    found: list[dict[str, Any]] = []
    stack: list[tuple[Any, int]] = [(doc, 0) for doc in reversed(docs)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            raise ImportRefused(f"The JSON-LD holds more than {MAX_NODES:,} values; refused.")
        if depth > MAX_DEPTH:
            continue
        if isinstance(node, dict):
            if isinstance(node.get("@id"), str) and len(node) > 1:
                by_id.setdefault(node["@id"], node)
            if "LiveBlogPosting" in _types(node):
                found.append(node)
            stack.extend((v, depth + 1) for v in reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in reversed(node))
    return found


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):  # {"@value": "..."} or a language map
        return _text(value.get("@value"))
    if isinstance(value, list) and value:
        return _text(value[0])
    return ""


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def people(value: Any) -> list[Person]:
    out: list[Person] = []
    for item in _as_list(value):
        if isinstance(item, str) and item.strip():
            out.append(Person(name=item.strip()))
        elif isinstance(item, dict):
            name = _text(item.get("name")) or " ".join(
                p for p in (_text(item.get("givenName")), _text(item.get("familyName"))) if p)
            if name:
                out.append(Person(name=name))
    return out


def images(value: Any, notes: list[str]) -> list[Image]:
    out: list[Image] = []
    for item in _as_list(value):
        if isinstance(item, str):
            raw, title, caption, credit = item, "", "", ""
        elif isinstance(item, dict):
            raw = _text(item.get("url")) or _text(item.get("contentUrl"))
            title = _text(item.get("name")) or _text(item.get("alternativeHeadline"))
            caption = _text(item.get("caption")) or _text(item.get("description"))
            credit = _text(item.get("creditText")) or ", ".join(p.name for p in people(
                item.get("copyrightHolder") or item.get("author")))
        else:
            continue
        url = web_url(raw)
        if url:
            out.append(Image(url=url, title=title, caption=caption, credit=credit))
        elif raw:
            notes.append(f"image {raw[:60]!r} left out: not an http(s) URL")
    return out


def _post(node: dict[str, Any], ref: str) -> ForeignPost:
    post = ForeignPost(ref=ref)
    headline = plain(_text(node.get("headline")) or _text(node.get("name")))
    if len(headline) > MAX_HEADLINE:
        post.notes.append(f"headline shortened to {MAX_HEADLINE} characters")
        headline = headline[:MAX_HEADLINE - 1].rstrip() + "…"
    post.headline = headline
    body = _text(node.get("articleBody")) or _text(node.get("text"))
    post.body = as_html(body) if body else ""
    found, dropped = media_in(post.body)
    post.published = iso_time(node.get("datePublished")) or iso_time(node.get("dateCreated"))
    post.modified = iso_time(node.get("dateModified"))
    post.authors = people(node.get("author"))
    post.images = images(node.get("image"), post.notes) + images(node.get("associatedMedia"), post.notes) + found
    post.notes.extend(dropped)
    return post


def _key(node: dict[str, Any]) -> str:
    return _text(node.get("@id")) or _text(node.get("url")) or _text(node.get("headline"))


def read(text: str, *, page: bool) -> Parsed:
    """``text`` (a page when ``page``, else JSON) as the live blogs it describes."""
    notes: list[str] = []
    docs: list[Any] = []
    sources = jsonld_scripts(text) if page else [text]
    for i, source in enumerate(sources, start=1):
        where = f"JSON-LD script {i}" if page else "the JSON"
        try:
            docs.append(json.loads(source))
        except RecursionError:
            notes.append(f"{where} skipped: nested too deeply to read")
        except ValueError as error:
            notes.append(f"{where} skipped: not valid JSON ({error})")
    blogs_by_key: dict[str, dict[str, Any]] = {}
    updates: dict[str, list[dict[str, Any]]] = {}
    by_id: dict[str, dict[str, Any]] = {}
    found = _find_live_blogs(docs, by_id)
    for node in found:
        key = _key(node) or f"#{len(blogs_by_key)}"
        blogs_by_key.setdefault(key, node)
        into = updates.setdefault(key, [])
        for update in _as_list(node.get("liveBlogUpdate")):
            if isinstance(update, dict) and set(update) == {"@id"}:  # a reference to an object elsewhere (@graph)
                update = by_id.get(str(update["@id"]), update)
            if isinstance(update, dict):
                into.append(update)
    if not blogs_by_key:
        scripts = f" ({len(sources)} JSON-LD script(s) found)" if page else ""
        detail = ("; " + "; ".join(notes)) if notes else ""
        raise ImportRefused(f"No schema.org LiveBlogPosting was found in the file{scripts}{detail}.")
    blogs = []
    for key, node in blogs_by_key.items():
        blog = ForeignBlog(title=plain(_text(node.get("headline")) or _text(node.get("name"))),
                           description=plain(_text(node.get("description"))),
                           start=iso_time(node.get("coverageStartTime")), end=iso_time(node.get("coverageEndTime")),
                           authors=people(node.get("author")))
        seen: set[str] = set()
        for n, update in enumerate(updates[key], start=1):
            ref = _text(update.get("@id")) or _text(update.get("url")) or f"update {n}"
            dedupe = _text(update.get("@id")) or _text(update.get("url")) or json.dumps(update, sort_keys=True)
            if dedupe in seen:
                continue  # the same update in a second script
            seen.add(dedupe)
            blog.posts.append(_post(update, ref))
        blogs.append(blog)
    return Parsed(format="json-ld", blogs=blogs, notes=notes)
