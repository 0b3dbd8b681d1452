"""A blog's desk: the composer on top, then the stream of posts (live), the approval queue and scheduled posts."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from dateline.coverage import actions
from dateline.coverage import permissions as perm
from dateline.coverage.actions import create_embed
from dateline.coverage.embeds import providers
from dateline.coverage.errors import ActionError
from dateline.coverage.models import LiveBlog, Media, Post
from dateline.coverage.permissions import Actor
from dateline.coverage.validation import parse_id
from dateline.live import static
from dateline.newsroom import presence
from dateline.newsroom.assets import asset_url, editor_assets
from dateline.newsroom.forms import ComposerForm
from dateline.newsroom.views.common import (
    blog_for,
    image_from_form,
    newsroom_view,
    page,
    post_for,
    post_row,
    retry_hint,
)

STREAM_LENGTH = 60


def _drafts(user: Actor, blog: LiveBlog) -> QuerySet[Post]:
    """The drafts this user sees on the desk: all of them for editors (who approve), their own for everyone else."""
    return perm.visible_posts(user, Post.objects.filter(blog=blog, status=Post.Status.DRAFT)).order_by("-updated_at")


def _queue_etag(user: Actor, blog: LiveBlog) -> str:
    """A validator for the approval queue as this user sees it: which drafts, at which versions, and this user's
    role (it decides the rows' buttons). One small query, so the desk's 5 s poll costs a 304 while nothing moved.
    Presence ("Being edited by") is left out: the 10 s presence poll updates those badges in place."""
    rows = _drafts(user, blog).filter(publish_at__isnull=True).values_list("pk", "version")
    seed = f"{user.pk}:{perm.role_of(user)}:" + ",".join(f"{pk}.{version}" for pk, version in rows)
    return '"q-' + hashlib.sha256(seed.encode()).hexdigest()[:20] + '"'


def _posts(user: Actor, blog: LiveBlog) -> dict[str, list[dict[str, Any]]]:
    base = Post.objects.filter(blog=blog).prefetch_related("postauthor_set__user").select_related("blog")
    published = base.filter(status=Post.Status.PUBLISHED).order_by("-pinned", "-published_at", "-id")
    drafts = _drafts(user, blog).prefetch_related("postauthor_set__user").select_related("blog")
    deleted = base.filter(status=Post.Status.DELETED).order_by("-updated_at") if perm.is_editor(user) else base.none()
    stream, unpublished = list(published[:STREAM_LENGTH]), list(drafts)
    now_editing = presence.editing([p.pk for p in (*stream, *unpublished)], user)

    def row(post: Post) -> dict[str, Any]:
        return post_row(user, post, now_editing.get(post.pk))

    return {
        "published": [row(p) for p in stream],
        "waiting": [row(p) for p in unpublished if p.publish_at is None],
        "scheduled": [row(p) for p in sorted(unpublished, key=lambda p: p.publish_at or p.updated_at)
                      if p.publish_at is not None],
        "deleted": [post_row(user, p) for p in deleted[:20]],
    }


def desk_page(request: HttpRequest, blog: LiveBlog, form: ComposerForm, status: int = 200,
              attached: Media | None = None, embedded: Media | None = None) -> HttpResponse:
    context = {
        "blog": blog,
        "form": form,
        "attached": attached,
        "embedded": embedded,
        "embed_providers": ", ".join(dict.fromkeys(p.name for p in providers())),
        "role": perm.role_of(request.user),
        "can_publish": perm.can_publish(request.user),
        "editor_assets": editor_assets(),
        "desk_js": asset_url("newsroom", "desk.js"),
        # The readers' stream client, which desk.js imports as "dateline/stream" (the page's import map).
        "stream_js": static.versioned_url("reader/stream.js"),
        "composer_js": asset_url("newsroom", "composer.js"),
        "queue_etag": _queue_etag(request.user, blog),
        "max_upload_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        **_posts(request.user, blog),
    }
    return page(request, "desk.html", context, status=status)


@newsroom_view
@require_GET
def desk(request: HttpRequest, slug: str) -> HttpResponse:
    blog = blog_for(request, slug)
    return desk_page(request, blog, ComposerForm(time_zone=blog.time_zone))


def _attach_embed(request: HttpRequest, form: ComposerForm) -> Media | None:
    """The embed for this post: the one kept from a refused attempt if the link is unchanged, else a new one
    (through the media action: the provider is asked, or its cached answer used)."""
    data = form.cleaned_data
    url = (data.get("embed_url") or "").strip()
    if data.get("embed_id"):
        kept = Media.objects.filter(pk=data["embed_id"], uploaded_by_id=request.user.pk,
                                    kind=Media.Kind.EMBED).first()
        if kept and url in ("", kept.url):
            return kept
    return create_embed(request.user, url=url) if url else None


@newsroom_view
@require_POST
def compose(request: HttpRequest, slug: str) -> HttpResponse:
    """File a post. "Publish" publishes (reporters, editors); "Save draft" and contributors' "Submit for approval"
    save a draft; a publish time schedules it."""
    blog = blog_for(request, slug)
    form = ComposerForm(request.POST, request.FILES, time_zone=blog.time_zone)
    if not form.is_valid():
        return desk_page(request, blog, form, status=422)
    attached = embedded = None
    try:
        attached = image_from_form(request, form)
        embedded = _attach_embed(request, form)
        fields: dict[str, Any] = form.post_fields()
        media = [m.pk for m in (attached, embedded) if m]
        if media:
            fields["media"] = media
        if form.cleaned_data["publish_at"]:
            fields["publish_at"] = form.cleaned_data["publish_at"]
        elif request.POST.get("intent") == "draft" or not perm.can_publish(request.user):
            fields["status"] = Post.Status.DRAFT
        post = actions.create_post(request.user, blog, **fields)
    except ActionError as error:
        form.show_action_error(error)
        if attached or embedded:  # keep the image and embed for the next attempt instead of asking for them again
            kept = request.POST.copy()
            if attached:
                kept["media_id"] = str(attached.pk)
            if embedded:
                kept["embed_id"] = str(embedded.pk)
                kept["embed_url"] = embedded.url
            form.data = kept
        return retry_hint(desk_page(request, blog, form, status=error.status, attached=attached, embedded=embedded),
                          error)
    if post.publish_at:
        messages.success(request, "Scheduled.")
    elif post.status == Post.Status.PUBLISHED:
        messages.success(request, "Published.")
    elif perm.can_publish(request.user):
        messages.success(request, "Draft saved.")
    else:
        messages.success(request, "Submitted for approval: an editor will review it.")
    return redirect(reverse("newsroom:desk", kwargs={"slug": blog.slug}) + f"?filed={post.pk}")


@newsroom_view
@require_GET
def post_row_fragment(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """One row of the post list, for the live stream to insert when a colleague publishes or edits."""
    blog = blog_for(request, slug)
    post = post_for(request, blog, post_id)
    editing = presence.editing([post.pk], request.user).get(post.pk)
    return render(request, "newsroom/_post_row.html", {"row": post_row(request.user, post, editing), "blog": blog})


@newsroom_view
@require_GET
def editing_now(request: HttpRequest, slug: str) -> JsonResponse:
    """Who is editing which of the desk's posts: the desk asks every 10 s (presence changes are not live events).

    Only posts this user can see on the desk are answered, so a draft's editors are not revealed to others.
    """
    blog = blog_for(request, slug)
    ids = [i for i in (parse_id(raw) for raw in request.GET.get("ids", "").split(",")[:200]) if i is not None]
    visible = perm.visible_posts(request.user, Post.objects.filter(blog=blog, pk__in=ids))
    names = presence.editing(visible.values_list("pk", flat=True), request.user)
    return JsonResponse({"editing": {str(pk): who for pk, who in names.items()}})


@newsroom_view
@require_GET
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    """The approval queue's rows (editors: every draft waiting; others: their own drafts), for the desk to poll.

    Drafts are not live events (readers never see them), so a contributor's submission, or a draft deleted or
    approved in another tab, reaches an open desk through this poll. It answers 304 to the ``If-None-Match`` of an
    unchanged queue, so an idle desk costs one small query every 5 s and no rendering.
    """
    blog = blog_for(request, slug)
    etag = _queue_etag(request.user, blog)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    # Weak or strong alike: a compressing proxy may have weakened the validator the desk sends back.
    if etag in {t.strip().removeprefix("W/") for t in request.headers.get("If-None-Match", "").split(",")}:
        response = HttpResponse(status=304)
    else:
        drafts = list(_drafts(request.user, blog).filter(publish_at__isnull=True)
                      .prefetch_related("postauthor_set__user").select_related("blog"))
        now_editing = presence.editing([p.pk for p in drafts], request.user)
        waiting = [post_row(request.user, p, now_editing.get(p.pk)) for p in drafts]
        response = render(request, "newsroom/_queue_rows.html", {"waiting": waiting, "blog": blog})
    for name, value in headers.items():
        response[name] = value
    return response
