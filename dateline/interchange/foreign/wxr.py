"""The WordPress Liveblog plugin's entries (github.com/Automattic/liveblog), from a WordPress export (WXR).

How the plugin stores a live blog, read from its source (``classes/class-wpcom-liveblog-entry.php`` and
``-entry-query.php``): the blog is an ordinary post (post meta ``liveblog`` = ``enable``, or ``archive`` once
archived); each entry is a *comment* on it with ``comment_type`` and ``comment_approved`` both ``liveblog``, its
author the comment's user, extra bylines in comment meta ``liveblog_contributors`` (a PHP-serialised list of user
ids). Entries are never edited in place as far as history goes:

* an **edit** inserts a new comment holding the new text, with comment meta ``liveblog_replaces`` = the entry's id,
  and also overwrites the original comment's text;
* a **delete** inserts a comment with *empty* content and ``liveblog_replaces`` = the entry's id, permanently
  deletes the entry's earlier edits, and trashes the entry (``comment_approved`` becomes ``trash``; the export
  keeps trashed comments, and WordPress without a trash deletes it outright).

So here: an entry is a ``liveblog`` comment without ``liveblog_replaces``; its text is its latest edit's (the same
as its own in any export the current plugin made), its "updated" time that edit's; an entry with a delete, or not
``liveblog``-approved (trashed, spam), is left out and reported. Times are the comments' ``comment_date_gmt``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 (trees from safexml.parse only)
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dateline.coverage.limits import MAX_DESCRIPTION
from dateline.interchange.foreign.body import as_html, media_in, plain
from dateline.interchange.foreign.model import ForeignBlog, ForeignPost, Parsed, Person
from dateline.interchange.foreign.safexml import child_text, children, local

KEY = "liveblog"
REPLACES = "liveblog_replaces"
CONTRIBUTORS = "liveblog_contributors"
KEY_ENTRY = "liveblog_key_entry"  # comment meta "true": the entry is a key event (the /key command)
KEY_FORMAT = "_liveblog_key_entry_format"  # post meta: how a key event's text is cut (first-linebreak by default)
# The plugin stores a /command as this span in the entry's text (class-wpcom-liveblog-entry-extend-feature-commands).
_COMMAND = re.compile(r'<span class="liveblog-command [^"]*">[^<]*</span>\s*')


def is_wxr(root: ET.Element) -> bool:
    return any(str(el.tag).startswith("{http://wordpress.org/export/") for el in root.iter())


@dataclass
class _Comment:
    id: str
    content: str
    approved: str
    date: datetime | None
    user_id: str
    author: str
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def replaces(self) -> str:
        return self.meta.get(REPLACES, "").strip()


def _gmt(value: str) -> datetime | None:
    """``comment_date_gmt``: ``2026-11-03 09:12:00`` in UTC; WordPress writes ``0000-00-00 00:00:00`` for none."""
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _meta(element: ET.Element, name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for meta in children(element, name):
        out[child_text(meta, "meta_key")] = child_text(meta, "meta_value")
    return out


def _comments(item: ET.Element) -> list[_Comment]:
    found = []
    for el in children(item, "comment"):
        if child_text(el, "comment_type") != KEY:
            continue
        found.append(_Comment(
            id=child_text(el, "comment_id"), content=child_text(el, "comment_content"),
            approved=child_text(el, "comment_approved"), date=_gmt(child_text(el, "comment_date_gmt")),
            user_id=child_text(el, "comment_user_id"), author=child_text(el, "comment_author"),
            meta=_meta(el, "commentmeta"),
        ))
    return found


def _order(comment: _Comment) -> tuple[datetime, int]:
    return (comment.date or datetime.min.replace(tzinfo=UTC), int(comment.id) if comment.id.isdigit() else 0)


def _authors(root: ET.Element) -> dict[str, Person]:
    """wp:author entries by id and by login."""
    people: dict[str, Person] = {}
    for channel in children(root, "channel"):
        for el in children(channel, "author"):
            person = Person(name=child_text(el, "author_display_name") or child_text(el, "author_login"),
                            username=child_text(el, "author_login"))
            people[f"id:{child_text(el, 'author_id')}"] = person
            people[f"login:{person.username}"] = person
    return people


def _byline(comment: _Comment, people: dict[str, Person]) -> list[Person]:
    byline = []
    main = people.get(f"id:{comment.user_id}") if comment.user_id not in ("", "0") else None
    if main is not None:
        byline.append(main)
    elif comment.author:
        byline.append(Person(name=comment.author))
    for user_id in re.findall(r"i:\d+;(?:i:|s:\d+:\")(\d+)", comment.meta.get(CONTRIBUTORS, "")):
        person = people.get(f"id:{user_id}")
        if person is not None and person not in byline:
            byline.append(person)
    return byline


def _blog(item: ET.Element, people: dict[str, Person]) -> ForeignBlog:
    comments = _comments(item)
    creator = child_text(item, "creator")
    blog = ForeignBlog(
        title=plain(child_text(item, "title")),
        description=plain(_excerpt(item))[:MAX_DESCRIPTION],
        start=_gmt(child_text(item, "post_date_gmt")),
        authors=[people.get(f"login:{creator}", Person(name=creator, username=creator))] if creator else [],
    )
    originals = sorted((c for c in comments if not c.replaces), key=_order)
    known = {c.id for c in originals}
    replacing: dict[str, list[_Comment]] = {}
    for c in comments:
        if c.replaces:
            replacing.setdefault(c.replaces, []).append(c)
    for entry in originals:
        later = sorted(replacing.get(entry.id, []), key=_order)
        deletes = [c for c in later if not c.content.strip()]
        edits = [c for c in later if c.content.strip()]
        if deletes:
            blog.skipped.append(f"entry {entry.id}: deleted in WordPress (comment {deletes[-1].id})")
            continue
        if entry.approved != KEY:
            why = "in the trash" if entry.approved == "trash" else f"not a published entry (status {entry.approved!r})"
            blog.skipped.append(f"entry {entry.id}: {why}")
            continue
        text = _COMMAND.sub("", edits[-1].content if edits else entry.content)
        post = ForeignPost(ref=f"entry {entry.id}", body=as_html(text), published=entry.date,
                           modified=edits[-1].date if edits else None, authors=_byline(entry, people))
        if entry.meta.get(KEY_ENTRY) == "true":
            post.key_point = _key_text(text, child_text_meta(item, KEY_FORMAT))
        post.images, post.notes = media_in(post.body)
        if edits:
            post.notes.append(f"{len(edits)} edit(s) applied, the last at {edits[-1].date:%Y-%m-%d %H:%M} UTC"
                              if edits[-1].date else f"{len(edits)} edit(s) applied")
        blog.posts.append(post)
    for target, group in replacing.items():
        if target not in known:
            kind = "deletion" if all(not c.content.strip() for c in group) else "edit"
            blog.skipped.append(f"a {kind} of entry {target} (comment {group[-1].id}), which is not in the file")
    times = [t for p in blog.posts for t in (p.published, p.modified) if t is not None]
    if child_text_meta(item, KEY) == "archive" and times:  # archived: the coverage ended with its last entry
        blog.end = max(times)
    return blog


def _key_text(content: str, form: str) -> str:
    """A key event's text as the plugin shows it: the entry's first line (default), first sentence, or all."""
    if form == "first-sentence":
        match = re.match(r"(.*?[?!.](?=\s|$))", content, re.DOTALL)
        return plain(match.group(1) if match else content)
    if form == "full":
        return plain(content)
    return plain(re.split(r"\r|\n|<br\s*/?>", content, maxsplit=1)[0])


def _excerpt(item: ET.Element) -> str:
    for child in item:
        if local(child.tag) == "encoded" and "excerpt" in str(child.tag):
            return child.text or ""
    return ""


def child_text_meta(item: ET.Element, key: str) -> str:
    return _meta(item, "postmeta").get(key, "")


def read(root: ET.Element) -> Parsed:
    """Every live blog in the export: each post with ``liveblog`` entries, or marked as a live blog."""
    people = _authors(root)
    blogs = []
    notes = []
    for channel in children(root, "channel"):
        for item in children(channel, "item"):
            has_entries = any(child_text(c, "comment_type") == KEY for c in children(item, "comment"))
            if not has_entries and child_text_meta(item, KEY) not in ("enable", "archive"):
                continue
            status = child_text(item, "status")
            if status not in ("publish", ""):
                notes.append(f"post {child_text(item, 'post_id')} ({child_text(item, 'title')!r}) is {status!r} "
                             "in WordPress; imported all the same")
            blogs.append(_blog(item, people))
    return Parsed(format="wordpress-liveblog", blogs=blogs, notes=notes)
