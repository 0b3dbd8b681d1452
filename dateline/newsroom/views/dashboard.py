"""The first screen: the live blogs this person can work on (and, for editors, opening a new one)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from dateline.coverage import actions
from dateline.coverage import permissions as perm
from dateline.coverage.errors import ActionError
from dateline.coverage.models import LiveBlog, Post
from dateline.coverage.permissions import Actor
from dateline.newsroom.views.common import newsroom_view, page


def _blogs(user: Actor) -> QuerySet[LiveBlog]:
    return perm.blogs_for(user).annotate(
        published=Count("posts", filter=Q(posts__status=Post.Status.PUBLISHED), distinct=True),
        waiting=Count("posts", filter=Q(posts__status=Post.Status.DRAFT, posts__publish_at__isnull=True),
                      distinct=True),
    ).order_by("status", "-created_at")


@newsroom_view
@require_http_methods(["GET"])
def dashboard(request: HttpRequest) -> HttpResponse:
    return page(request, "dashboard.html", {"blogs": _blogs(request.user)})


@newsroom_view
@require_POST
def open_blog(request: HttpRequest) -> HttpResponse:
    title = request.POST.get("title", "")
    try:
        blog = actions.create_blog(request.user, title=title, time_zone=request.POST.get("time_zone") or "UTC")
    except ActionError as error:
        return page(request, "dashboard.html", {"blogs": _blogs(request.user), "open_error": error,
                                                "title": title}, status=error.status)
    messages.success(request, f"“{blog.title}” is open.")
    return redirect("newsroom:desk", slug=blog.slug)
