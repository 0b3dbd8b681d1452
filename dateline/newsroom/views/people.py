"""Admins' page for people: list accounts, create one, change a role, deactivate, and set blog teams.

Views stay thin: each checks the admin role up front (so a GET is refused as well as a write) and leaves the real
check, validation and audit entry to ``coverage.actions`` (people.py, teams.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dateline.accounts.models import Role, User
from dateline.coverage import actions, limits
from dateline.coverage import permissions as perm
from dateline.coverage.actions.teams import TEAM_ROLES
from dateline.coverage.errors import ActionError, Forbidden, ValidationFailed
from dateline.coverage.models import BlogMembership, LiveBlog
from dateline.coverage.validation import parse_id
from dateline.newsroom.views.common import Refused, newsroom_view, page


def _require_admin(request: HttpRequest) -> None:
    if not perm.is_admin(request.user):
        raise Refused(Forbidden("Only admins can manage people."))


def _people_page(request: HttpRequest, *, error: ActionError | None = None,
                 submitted: dict[str, Any] | None = None) -> HttpResponse:
    users = User.objects.order_by("-is_active", "username").prefetch_related(
        Prefetch("blog_memberships", queryset=BlogMembership.objects.select_related("blog")))
    return page(request, "people.html", {
        "people": users, "roles": Role.choices, "error": error, "submitted": submitted or {},
        "min_password": limits.MIN_PASSWORD,
    }, status=error.status if error else 200)


@newsroom_view
@require_http_methods(["GET", "POST"])
def people(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    if request.method == "GET":
        return _people_page(request)
    submitted = {name: request.POST.get(name, "") for name in ("username", "display_name", "role")}
    try:
        user = actions.create_user(request.user, password=request.POST.get("password", ""), **submitted)
    except ActionError as error:  # the form comes back filled in (except the password) with what was wrong
        return _people_page(request, error=error, submitted=submitted)
    messages.success(request, f"Account “{user.username}” created as {user.get_role_display().lower()}.")
    return redirect("newsroom:person", user_id=user.pk)


def _person(user_id: int) -> User:
    return get_object_or_404(User, pk=user_id)


@newsroom_view
@require_GET
def person(request: HttpRequest, user_id: int) -> HttpResponse:
    _require_admin(request)
    user = _person(user_id)
    memberships = user.blog_memberships.select_related("blog").order_by("blog__title")
    on = {m.blog_id for m in memberships}
    return page(request, "person.html", {
        "person": user, "roles": Role.choices, "memberships": memberships,
        "team_role": user.role in TEAM_ROLES, "is_self": user.pk == request.user.pk,
        "other_blogs": LiveBlog.objects.exclude(pk__in=on).order_by("title"),
    })


@newsroom_view
@require_POST
def change_role(request: HttpRequest, user_id: int) -> HttpResponse:
    _require_admin(request)
    user = actions.set_role(request.user, _person(user_id), request.POST.get("role"))
    messages.success(request, f"{user.byline} is now {user.get_role_display().lower()}.")
    return redirect("newsroom:person", user_id=user.pk)


@newsroom_view
@require_POST
def set_active(request: HttpRequest, user_id: int) -> HttpResponse:
    _require_admin(request)
    active = request.POST.get("active")
    if active not in ("true", "false"):
        raise ValidationFailed("Say whether the account should be active (true or false).",
                               fields={"active": "true or false"})
    user = actions.set_active(request.user, _person(user_id), active == "true")
    messages.success(request, f"{user.byline} can sign in again." if user.is_active else
                     f"{user.byline} is deactivated: signed out, API tokens refused, scheduled posts cancelled.")
    return redirect("newsroom:person", user_id=user.pk)


@newsroom_view
@require_POST
def teams(request: HttpRequest, user_id: int) -> HttpResponse:
    _require_admin(request)
    user = _person(user_id)
    blog_id = parse_id(request.POST.get("blog"))
    blog = get_object_or_404(LiveBlog, pk=blog_id) if blog_id else None
    if blog is None:
        raise ValidationFailed("Choose a live blog.", fields={"blog": "Required."})
    member = not request.POST.get("remove")
    actions.set_team_member(request.user, blog, user, member)
    messages.success(request, f"{user.byline} is {'on' if member else 'off'} the team of “{blog.title}”.")
    return redirect("newsroom:person", user_id=user.pk)
