"""Revision history of a post (each version against the one before, restore any of them) and the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from dateline.audit.models import AuditEntry
from dateline.coverage import actions
from dateline.coverage import permissions as perm
from dateline.coverage.errors import Forbidden
from dateline.coverage.models import LiveBlog, PostRevision
from dateline.coverage.validation import parse_id
from dateline.newsroom.diffs import post_diff
from dateline.newsroom.views.common import Refused, blog_for, can_edit, newsroom_view, page, post_for


@newsroom_view
@require_GET
def history(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    blog = blog_for(request, slug)
    post = post_for(request, blog, post_id)
    revisions = list(post.revisions.select_related("edited_by").order_by("-version"))
    corrections = {c.version: c for c in post.corrections.all()}  # each carried by the version that published it
    entries: list[dict[str, Any]] = []
    for newer, older in zip(revisions, [*revisions[1:], None], strict=True):
        diff = post_diff(older.data, newer.data, old_label=f"Version {older.version}",
                         new_label=f"Version {newer.version}") if older else []
        entries.append({"revision": newer, "diff": diff, "status": newer.data.get("status"),
                        "is_current": newer.version == post.version,
                        "correction": corrections.get(newer.version)})
    return page(request, "history.html", {"blog": blog, "post": post, "entries": entries,
                                          "can_restore": can_edit(request.user, post)})


@newsroom_view
@require_POST
def restore_version(request: HttpRequest, slug: str, post_id: int, version: int) -> HttpResponse:
    """Bring back an older version's words as a new version (history is never rewritten)."""
    blog = blog_for(request, slug)
    post = post_for(request, blog, post_id)
    revision = get_object_or_404(PostRevision, post=post, version=version)
    data = revision.data
    # Without the version the form was rendered at, we cannot know whether someone edited since: refuse (version 0
    # never matches) rather than overwrite.
    actions.edit_post(
        request.user, post, expected_version=parse_id(request.POST.get("version")) or 0,
        headline=data["headline"], body=data["body"], tags=data["tags"], update_note=data["update_note"],
        verification_note=data["verification_note"], verification=data.get("verification", ""),
        media=[m["id"] for m in data.get("media", [])],
    )
    messages.success(request, f"Version {version} restored as the current version.")
    return redirect("newsroom:history", slug=blog.slug, post_id=post.pk)


@newsroom_view
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    if not perm.is_editor(request.user):
        raise Refused(Forbidden("Only editors can read the audit log."))
    entries = AuditEntry.objects.select_related("actor", "blog", "post").order_by("-created_at", "-id")
    blog = None
    if request.GET.get("blog"):
        blog = get_object_or_404(LiveBlog, slug=request.GET["blog"])
        entries = entries.filter(blog=blog)
    page_number = request.GET.get("page") or 1
    entries_page = Paginator(entries, 100).get_page(page_number)
    return page(request, "audit.html", {"entries": entries_page, "blog": blog})
