"""RSS 2.0 and Atom feeds of a live blog: the feed is the blog, each item or entry a post.

RSS: ``content:encoded`` (else ``description``) is the body, ``pubDate`` (else ``dc:date``) the published time,
``author`` (``email (Name)``) or ``dc:creator`` the byline, ``enclosure``/``media:content``/``media:thumbnail``
images. Atom: ``content`` (text, html or xhtml; else ``summary``), ``published`` (else ``updated``) and ``updated``,
``author/name``, ``link rel="enclosure"`` images. Markup in bodies goes to the sanitiser like any other.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 (trees from safexml.parse only)

from dateline.coverage.limits import MAX_DESCRIPTION, MAX_HEADLINE
from dateline.interchange.foreign.body import as_html, media_in, paragraphs, plain, web_url
from dateline.interchange.foreign.model import ForeignBlog, ForeignPost, Image, Parsed, Person, iso_time, rfc822_time
from dateline.interchange.foreign.safexml import child_text, children, local

ATOM = "http://www.w3.org/2005/Atom"


def _person(raw: str) -> Person | None:
    """``mara@example.org (Mara Quill)``, ``Mara Quill`` or a bare address, as a byline."""
    raw = raw.strip()
    if not raw:
        return None
    named = re.search(r"\(([^()]+)\)", raw)
    if named:
        return Person(name=named.group(1).strip())
    if "@" in raw and " " not in raw:
        return Person(name=raw.split("@", 1)[0])
    return Person(name=raw)


def _headline(post: ForeignPost, title: str) -> None:
    title = plain(title)
    if len(title) > MAX_HEADLINE:
        post.notes.append(f"headline shortened to {MAX_HEADLINE} characters")
        title = title[:MAX_HEADLINE - 1].rstrip() + "…"
    post.headline = title


def _image(url: str, kind: str, medium: str, title: str = "") -> Image | None:
    if kind and not kind.startswith("image/") and medium != "image":
        return None
    clean = web_url(url)
    return Image(url=clean, title=title) if clean else None


def _rss_item(item: ET.Element, n: int) -> ForeignPost:
    post = ForeignPost(ref=child_text(item, "guid") or child_text(item, "link") or f"item {n}")
    _headline(post, child_text(item, "title"))
    body = child_text(item, "encoded") or child_text(item, "description")
    post.body = as_html(body) if body else ""
    post.published = rfc822_time(child_text(item, "pubDate")) or iso_time(child_text(item, "date"))
    post.modified = iso_time(child_text(item, "updated")) or iso_time(child_text(item, "modified"))
    names = [child_text(item, "author")] + [(c.text or "") for c in children(item, "creator")]
    post.authors = [p for p in (_person(n) for n in names) if p]
    found: list[Image] = []
    for child in item:
        name = local(child.tag)
        if name in ("enclosure", "content", "thumbnail") and child.get("url"):
            image = _image(child.get("url", ""), child.get("type", ""), child.get("medium", "") or
                           ("image" if name == "thumbnail" else ""), child_text(child, "title", "description"))
            if image is not None and all(image.url != f.url for f in found):
                found.append(image)
    in_body, dropped = media_in(post.body)
    post.images = found + [i for i in in_body if all(i.url != f.url for f in found)]
    post.notes.extend(dropped)
    return post


def _xhtml(element: ET.Element) -> str:
    """An Atom ``type="xhtml"`` content's inner markup, its namespace dropped."""
    def strip(el: ET.Element) -> ET.Element:
        copy = ET.Element(local(el.tag), {local(k): v for k, v in el.attrib.items()})
        copy.text, copy.tail = el.text, el.tail
        copy.extend(strip(c) for c in el)
        return copy
    inner = next(iter(element), None)
    if inner is None:
        return element.text or ""
    div = strip(inner)
    return (div.text or "") + "".join(ET.tostring(c, encoding="unicode", method="html") for c in div)


def _atom_text(element: ET.Element | None) -> str:
    if element is None:
        return ""
    kind = element.get("type", "text")
    if kind == "xhtml":
        return _xhtml(element)
    text = (element.text or "").strip()
    return text if kind == "html" or kind.endswith("html") else paragraphs(text)


def _first(element: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in element if local(c.tag) == name), None)


def _atom_people(element: ET.Element) -> list[Person]:
    return [Person(name=child_text(a, "name")) for a in children(element, "author") if child_text(a, "name")]


def _atom_entry(entry: ET.Element, n: int) -> ForeignPost:
    post = ForeignPost(ref=child_text(entry, "id") or f"entry {n}")
    title = _first(entry, "title")
    _headline(post, _atom_text(title) if title is not None and title.get("type") in ("html", "xhtml")
              else child_text(entry, "title"))
    post.body = _atom_text(_first(entry, "content")) or _atom_text(_first(entry, "summary"))
    updated = iso_time(child_text(entry, "updated"))
    post.published = iso_time(child_text(entry, "published")) or updated
    post.modified = updated
    post.authors = _atom_people(entry)
    found = [i for i in (_image(link.get("href", ""), link.get("type", ""), "", link.get("title", ""))
                         for link in children(entry, "link") if link.get("rel") == "enclosure") if i]
    in_body, dropped = media_in(post.body)
    post.images = found + [i for i in in_body if all(i.url != f.url for f in found)]
    post.notes.extend(dropped)
    return post


def read_rss(root: ET.Element) -> Parsed:
    blogs = []
    for channel in children(root, "channel"):
        editor = _person(child_text(channel, "managingEditor") or child_text(channel, "creator"))
        blog = ForeignBlog(title=plain(child_text(channel, "title")),
                           description=plain(child_text(channel, "description"))[:MAX_DESCRIPTION],
                           authors=[editor] if editor else [])
        blog.posts = [_rss_item(item, n) for n, item in enumerate(children(channel, "item"), start=1)]
        blogs.append(blog)
    return Parsed(format="rss", blogs=blogs)


def read_atom(root: ET.Element) -> Parsed:
    blog = ForeignBlog(title=plain(child_text(root, "title")),
                       description=plain(child_text(root, "subtitle"))[:MAX_DESCRIPTION],
                       authors=_atom_people(root))
    blog.posts = [_atom_entry(entry, n) for n, entry in enumerate(children(root, "entry"), start=1)]
    return Parsed(format="atom", blogs=[blog])
