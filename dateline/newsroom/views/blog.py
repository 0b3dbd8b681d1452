"""Editors' tools for a whole blog: key points, its team, ending the coverage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from dateline.accounts.models import Role, User
from dateline.assist.key_points import draft_key_points
from dateline.coverage import actions
from dateline.coverage import permissions as perm
from dateline.coverage.errors import ActionError, Forbidden, StaleVersion, ValidationFailed
from dateline.coverage.models import LiveBlog, Post
from dateline.coverage.serializers import key_points_data, key_points_version
from dateline.coverage.validation import parse_id
from dateline.newsroom.assets import asset_url
from dateline.newsroom.views.common import Refused, blog_for, newsroom_view, page

BLANK_ROWS = 2


def _require_editor(request: HttpRequest, what: str) -> None:
    if not perm.is_editor(request.user):
        raise Refused(Forbidden(f"Only editors can {what}."))


def _position(raw: str) -> int:
    """A row's position number as typed; anything unreadable sorts last."""
    try:
        return int(raw) if raw.strip().lstrip("-").isascii() else 10_000
    except ValueError:
        return 10_000


def _submitted_points(request: HttpRequest) -> list[dict[str, Any]]:
    """Rows in the order given by their position numbers (what the up/down buttons change); blank rows dropped.

    Each row carries its link as sent — a post, a web address, or neither — so a point whose link was set through
    the API keeps it when an editor saves the list here (the action replaces the whole list).
    """
    rows = []
    order = request.POST.getlist("order")
    post_ids = request.POST.getlist("post_id")
    urls = request.POST.getlist("url")
    for i, text in enumerate(request.POST.getlist("text")):
        if request.POST.get(f"remove-{i}") or not text.strip():
            continue
        position = _position(order[i]) if i < len(order) else 1000 + i
        post_id = parse_id(post_ids[i]) if i < len(post_ids) else None
        url = urls[i].strip() if i < len(urls) else ""
        rows.append((position, i, {"text": text.strip(), "post_id": post_id, "url": url}))
    return [point for _pos, _i, point in sorted(rows, key=lambda r: (r[0], r[1]))]


def _one_link_each(points: list[dict[str, Any]]) -> None:
    """A point links to a post *or* a web address: with both, readers would only ever see the post link."""
    both = {f"key_points[{i}]": "Link to a post or a web address, not both."
            for i, p in enumerate(points) if p["post_id"] is not None and p["url"]}
    if both:
        raise ValidationFailed("Some key points link to both a post and a web address.", fields=both)


def _key_points_page(request: HttpRequest, blog: LiveBlog, points: Sequence[Mapping[str, Any]], *,
                     error: ActionError | None = None, drafted: bool = False) -> HttpResponse:
    """The form, carrying the version of the list as it is now: saving it over a list changed since is refused.

    After such a refusal the form keeps the editor's rows and shows the colleague's list beside them; it now
    carries the new version, so saving again is a deliberate replacement.
    """
    current = key_points_data(blog)
    published = Post.objects.filter(blog=blog, status=Post.Status.PUBLISHED).order_by("-published_at")
    posts = list(published[:100])
    # A point linked to an older post must still find it in its menu, or saving the list would drop the link.
    shown = {p.pk for p in posts}
    linked = {p["post_id"] for p in points if p.get("post_id") is not None} - shown
    posts += list(published.filter(pk__in=linked))
    rows = [*points, *({"text": "", "post_id": None, "url": ""} for _ in range(BLANK_ROWS))]
    theirs = current if isinstance(error, StaleVersion) else None
    return page(request, "key_points.html", {
        "blog": blog, "rows": rows, "posts": posts, "error": error, "drafted": drafted, "theirs": theirs,
        "version": key_points_version(current),
        "key_points_js": asset_url("newsroom", "key_points.js"),
    }, status=error.status if error else 200)


@newsroom_view
@require_http_methods(["GET", "POST"])
def key_points(request: HttpRequest, slug: str) -> HttpResponse:
    blog = blog_for(request, slug)
    _require_editor(request, "edit key points")
    if request.method == "GET":
        if request.GET.get("draft"):
            # Proposed points in the form, for the editor to read, edit and save: nothing changes for readers yet.
            return _key_points_page(request, blog, draft_key_points(blog), drafted=True)
        return _key_points_page(request, blog, key_points_data(blog))
    points = _submitted_points(request)
    try:
        _one_link_each(points)
        actions.set_key_points(request.user, blog, points, expected_version=request.POST.get("version", ""))
    except ActionError as error:
        return _key_points_page(request, blog, points, error=error)
    messages.success(request, "Key points updated.")
    return redirect("newsroom:desk", slug=blog.slug)


@newsroom_view
@require_POST
def end_coverage(request: HttpRequest, slug: str) -> HttpResponse:
    blog = blog_for(request, slug)
    if request.POST.get("confirm") != "yes":
        raise Refused(ValidationFailed("Tick the box to confirm that the coverage has ended."))
    actions.end_blog(request.user, blog)
    messages.success(request, "Coverage ended. Readers now see “What we covered here”.")
    return redirect("newsroom:desk", slug=blog.slug)


@newsroom_view
@require_POST
def reopen_coverage(request: HttpRequest, slug: str) -> HttpResponse:
    """Undo an end: the blog is live again and takes posts (an ended blog takes none: ``actions.core.require_open``)."""
    blog = blog_for(request, slug)
    actions.reopen_blog(request.user, blog)
    messages.success(request, "Coverage reopened. The blog is live again and takes new posts.")
    return redirect("newsroom:desk", slug=blog.slug)


@newsroom_view
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, slug: str) -> HttpResponse:
    blog = blog_for(request, slug)
    _require_editor(request, "manage a blog's team")
    if request.method == "POST":
        user = User.objects.filter(username=request.POST.get("username", "").strip()).first()
        if user is None:
            messages.error(request, "No user with that username.")
        elif request.POST.get("remove"):
            actions.remove_member(request.user, blog, user)
            messages.success(request, f"{user.byline} is off the team.")
        else:
            actions.add_member(request.user, blog, user)
            messages.success(request, f"{user.byline} is on the team.")
        return redirect("newsroom:team", slug=blog.slug)
    members = blog.memberships.select_related("user")
    candidates = User.objects.filter(role__in=[Role.REPORTER, Role.CONTRIBUTOR], is_active=True).exclude(
        blog_memberships__blog=blog).order_by("username")
    return page(request, "team.html", {"blog": blog, "members": members, "candidates": candidates})
