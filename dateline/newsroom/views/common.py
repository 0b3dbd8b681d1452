"""What every newsroom view shares: finding a blog and a post the user may work on, and showing refusals."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from dateline.coverage import permissions as perm
from dateline.coverage.actions import upload_image
from dateline.coverage.errors import ActionError, Busy, Forbidden
from dateline.coverage.models import LiveBlog, Media, Post
from dateline.coverage.permissions import Actor
from dateline.coverage.render import local_time
from dateline.coverage.serializers import post_authors
from dateline.newsroom.assets import asset_url


class Refused(Exception):
    """Raised by views to show an action's refusal as a page with the right status (see ``refusal_page``)."""

    def __init__(self, error: ActionError) -> None:
        super().__init__(error.message)
        self.error = error


def page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("css_url", asset_url("newsroom", "newsroom.css"))
    context.setdefault("is_editor", perm.is_editor(request.user))
    context.setdefault("is_admin", perm.is_admin(request.user))
    return render(request, f"newsroom/{template}", context, status=status)


def refusal_page(request: HttpRequest, error: ActionError) -> HttpResponse:
    return retry_hint(page(request, "refused.html", {"error": error}, status=error.status), error)


def retry_hint(response: HttpResponse, error: ActionError) -> HttpResponse:
    """A 503 for a bound the server keeps (``Busy``) says when to retry, as the API's does."""
    if isinstance(error, Busy):
        response["Retry-After"] = str(error.retry_after)
    return response


def blog_for(request: HttpRequest, slug: str) -> LiveBlog:
    """The blog, if the signed-in user is on its team (editors always are); a 403 page otherwise."""
    blog = get_object_or_404(LiveBlog, slug=slug)
    if not perm.is_on_team(request.user, blog):
        raise Refused(Forbidden("You are not on this live blog's team; ask an editor to add you.",
                                code="not_on_team"))
    return blog


def post_for(request: HttpRequest, blog: LiveBlog, post_id: int) -> Post:
    post = get_object_or_404(Post, pk=post_id, blog=blog)
    post.blog = blog
    if post.status != Post.Status.PUBLISHED and not perm.can_see_drafts(request.user, post):
        raise Refused(Forbidden("Only its authors and editors can see this post."))
    return post


def editable_post_for(request: HttpRequest, blog: LiveBlog, post_id: int) -> Post:
    """The post, if the signed-in user may edit it: the edit page and its presence heartbeat refuse up front
    (a shared link to a colleague's post must not let someone type for minutes into a form the save will refuse,
    nor show them to colleagues as "editing")."""
    post = post_for(request, blog, post_id)
    try:
        perm.require_can_edit(request.user, post)
    except ActionError as error:
        raise Refused(error) from None
    return post


def can_edit(user: Actor, post: Post) -> bool:
    try:
        perm.require_can_edit(user, post)
    except ActionError:
        return False
    return post.status != Post.Status.DELETED


def post_row(user: Actor, post: Post, editing: list[str] | None = None) -> dict[str, Any]:
    """What the newsroom's post list shows for one post, and which buttons this user gets.

    ``editing``: the names of colleagues who have it open in the editor now (``presence.editing``).
    """
    editor = perm.is_editor(user)
    editable = can_edit(user, post)
    return {
        "post": post,
        "editing": ", ".join(editing or []),
        "authors": ", ".join(a.byline for a in post_authors(post)),
        "published_local": local_time(post.published_at, post.blog.time_zone),
        "publish_at_local": local_time(post.publish_at, post.blog.time_zone),
        "can_edit": editable,
        "can_delete": editable,
        "can_pin": editor and post.status == Post.Status.PUBLISHED,
        "can_approve": editor and post.status == Post.Status.DRAFT,
        "can_restore": editor and post.status == Post.Status.DELETED,
    }


def newsroom_view(view: Any) -> Any:
    """Signed-in users only; an action's refusal becomes a page saying why, with its status (403, 404, 409 …)."""
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Refused as refused:
            return refusal_page(request, refused.error)
        except ActionError as error:
            return refusal_page(request, error)

    return wrapped


def image_from_form(request: HttpRequest, form: Any) -> Media | None:
    """The image a composer or edit form adds: a fresh upload (through the media action), or the one uploaded for
    an earlier attempt that was refused (its id kept in the form, so the reporter does not upload it twice)."""
    data = form.cleaned_data
    if data.get("image"):
        return upload_image(request.user, data["image"], caption=data["caption"], credit=data["credit"],
                            alt=data["alt"])
    if data.get("media_id"):
        return Media.objects.filter(pk=data["media_id"], uploaded_by_id=request.user.pk).first()
    return None
