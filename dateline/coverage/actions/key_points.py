"""Key points: the ordered summary at the top of the page, replaced whole (``keypoints.updated``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dateline.coverage import permissions as perm
from dateline.coverage.actions.core import audit, locked_blog, record
from dateline.coverage.errors import StaleVersion, ValidationFailed
from dateline.coverage.limits import MAX_KEY_POINT, MAX_KEY_POINTS, MAX_URL
from dateline.coverage.models import KeyPoint, LiveBlog, Post
from dateline.coverage.permissions import Actor
from dateline.coverage.render import render_key_points
from dateline.coverage.sanitize import clean_inline
from dateline.coverage.serializers import key_point_data, key_points_data, key_points_version
from dateline.coverage.validation import is_id, text
from dateline.events import KeyPointsUpdated


def set_key_points(actor: Actor, blog: LiveBlog, points: Iterable[Mapping[str, Any]], *,
                   expected_version: str | None = None) -> list[KeyPoint]:
    """Replace the blog's ordered key points. Unchanged lists write nothing.

    ``expected_version`` is ``key_points_version`` of the list the editor started from: if someone saved another
    list since, the save is refused (StaleVersion, with the current list) instead of silently replacing theirs.
    """
    perm.require_editor(actor, "edit key points")
    points = list(points)
    fields: dict[str, str] = {}
    if len(points) > MAX_KEY_POINTS:
        fields["key_points"] = f"At most {MAX_KEY_POINTS} key points."
    cleaned: list[dict[str, Any]] = []
    for i, raw in enumerate(points):
        if not isinstance(raw, Mapping):
            fields[f"key_points[{i}]"] = "Must be an object with 'text'."
            continue
        extra = set(raw) - {"text", "post_id", "url"}
        if extra:
            fields[f"key_points[{i}]"] = "Unknown field(s): " + ", ".join(sorted(extra))
        point_text = text(fields, f"key_points[{i}].text", raw.get("text"), MAX_KEY_POINT, required=True)
        if f"key_points[{i}].text" in fields or not clean_inline(point_text):
            fields[f"key_points[{i}].text"] = f"Required, inline HTML, at most {MAX_KEY_POINT} characters."
            continue
        post_id = raw.get("post_id")
        url = text(fields, f"key_points[{i}].url", raw.get("url"), MAX_URL)
        if post_id is not None and not is_id(post_id):
            fields[f"key_points[{i}].post_id"] = "Must be a post id."
        if url and not url.startswith(("https://", "http://")):
            fields[f"key_points[{i}].url"] = "Must be an http(s) URL."
        cleaned.append({"text": clean_inline(point_text), "post_id": post_id, "url": url})
    with locked_blog(blog) as locked:
        # Only real ids reach the query: an integer past the database's range (10**30) overflows it, a 500.
        ids = {p["post_id"] for p in cleaned if is_id(p["post_id"])}
        known = set(Post.objects.filter(blog=locked, pk__in=ids, status=Post.Status.PUBLISHED).values_list(
            "pk", flat=True))
        for i, p in enumerate(cleaned):
            if p["post_id"] is not None and p["post_id"] not in known:
                fields.setdefault(f"key_points[{i}].post_id", "No published post with this id in this blog.")
        if fields:
            raise ValidationFailed("Some key points are not valid.", fields=fields)
        current = key_points_data(locked)
        if cleaned == current:  # nothing would change, so nothing is overwritten either
            return list(KeyPoint.objects.filter(blog=locked))
        if expected_version is not None and expected_version != key_points_version(current):
            raise StaleVersion("Someone else changed the key points since you opened them. Compare with theirs "
                               "below and save again to replace them.", extra={"current": current})
        KeyPoint.objects.filter(blog=locked).delete()
        created = KeyPoint.objects.bulk_create(
            KeyPoint(blog=locked, position=i, text=p["text"], post_id=p["post_id"], url=p["url"])
            for i, p in enumerate(cleaned)
        )
        audit(actor, "keypoints.set", locked, count=len(created))
        record_key_points(locked, created)
    return created


def record_key_points(blog: LiveBlog, points: list[KeyPoint]) -> None:
    """Render the box once, keep it on the blog, and record ``keypoints.updated`` with the full ordered list."""
    blog.key_points_html = render_key_points(blog, points)
    LiveBlog.objects.filter(pk=blog.pk).update(key_points_html=blog.key_points_html)
    record(blog, KeyPointsUpdated(html=blog.key_points_html, key_points=[key_point_data(p) for p in points]))
