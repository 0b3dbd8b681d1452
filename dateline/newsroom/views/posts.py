"""Working on one post: edit (refused with a diff when someone saved in between), delete, restore, pin, approve."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from dateline.coverage import actions
from dateline.coverage import permissions as perm
from dateline.coverage.actions import copy_with_text
from dateline.coverage.errors import ActionError, Forbidden, StaleVersion, ValidationFailed
from dateline.coverage.models import LiveBlog, Media, Post
from dateline.coverage.render import local_time
from dateline.coverage.validation import parse_id, text
from dateline.newsroom import presence
from dateline.newsroom.assets import asset_url, editor_assets
from dateline.newsroom.diffs import post_diff
from dateline.newsroom.forms import EditPostForm
from dateline.newsroom.views.common import (
    blog_for,
    editable_post_for,
    image_from_form,
    newsroom_view,
    page,
    post_for,
    retry_hint,
)


def _local_naive(post: Post) -> datetime | None:
    """The publish time as the blog's wall-clock time, which is what a datetime-local input shows."""
    local = local_time(post.publish_at, post.blog.time_zone)
    return local.replace(tzinfo=None) if local else None


def _initial(post: Post) -> dict[str, Any]:
    return {
        "headline": post.headline, "body": post.body, "tags": ", ".join(post.tags),
        "update_note": post.update_note, "verification_note": post.verification_note,
        "verification": post.verification, "version": post.version,
        "publish_at": _local_naive(post),
    }


def _attached_media(post: Post) -> list[Media]:
    return list(Media.objects.filter(postmedia__post=post).order_by("postmedia__position"))


def _media_rows(request: HttpRequest, post: Post) -> list[dict[str, Any]]:
    """The post's images and embeds as the edit form shows them: a refused save shows what was typed, else the
    stored texts."""
    sent = request.POST if request.method == "POST" else {}
    return [{
        "media": m,
        "caption": sent.get(f"media-{m.pk}-caption", m.caption),
        "credit": sent.get(f"media-{m.pk}-credit", m.credit),
        "alt": sent.get(f"media-{m.pk}-alt", m.alt),
        "remove": bool(sent.get(f"media-{m.pk}-remove")),
    } for m in _attached_media(post)]


def _edit_page(request: HttpRequest, blog: LiveBlog, post: Post, form: EditPostForm, *, status: int = 200,
               conflict: dict[str, Any] | None = None, attached: Media | None = None) -> HttpResponse:
    return page(request, "edit.html", {
        "blog": blog, "post": post, "form": form, "conflict": conflict, "attached": attached,
        "media_rows": _media_rows(request, post), "max_upload_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        "corrections": list(post.corrections.order_by("created_at", "pk")),
        "editor_assets": editor_assets(), "composer_js": asset_url("newsroom", "composer.js"),
        "edit_js": asset_url("newsroom", "edit.js"),
    }, status=status)


def _plain(value: str) -> str:
    return text({}, "text", value.replace("\r\n", "\n"), len(value))


def _edited_media(request: HttpRequest, post: Post, added: Media | None) -> list[int]:
    """The media ids the post should carry after this save, in order: those the form listed (``media``), less the
    ones ticked for removal, an image whose caption, credit or alt changed replaced by a copy with the new texts
    (``copy_with_text``: see docs/decisions.md), and the added image last. Ids the form lists that are not on the
    post are passed on as they are, for ``edit_post`` to refuse if they are not this person's to attach."""
    on_post = {m.pk: m for m in _attached_media(post)}
    ids: list[int] = []
    for raw in request.POST.getlist("media"):
        media_id = parse_id(raw)
        if media_id is None or request.POST.get(f"media-{media_id}-remove"):
            continue
        media = on_post.get(media_id)
        if media is not None and media.kind == Media.Kind.IMAGE:
            texts = {name: request.POST.get(f"media-{media_id}-{name}", getattr(media, name))
                     for name in ("caption", "credit", "alt")}
            # Compared as the action will store them (stripped, control characters gone) and with a textarea's
            # \r\n as \n, so saving an untouched form makes no copy and no change.
            if any(_plain(value) != _plain(getattr(media, name)) for name, value in texts.items()):
                try:
                    media_id = copy_with_text(request.user, post, media, **{
                        name: value.replace("\r\n", "\n") for name, value in texts.items()}).pk
                except ValidationFailed as invalid:  # named for the attached image, not the "Add an image" fields
                    problems = "; ".join(f"{name}: {problem}" for name, problem in invalid.fields.items())
                    raise ValidationFailed(f"An attached image's texts are not valid ({problems}).") from None
        ids.append(media_id)
    if added is not None:
        ids.append(added.pk)
    return ids


@newsroom_view
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    blog = blog_for(request, slug)
    post = editable_post_for(request, blog, post_id)
    if request.method == "GET":
        return _edit_page(request, blog, post, EditPostForm(initial=_initial(post), time_zone=blog.time_zone))
    form = EditPostForm(request.POST, request.FILES, time_zone=blog.time_zone)
    if not form.is_valid():
        return _edit_page(request, blog, post, form, status=422)
    fields = form.post_fields()
    if post.status == Post.Status.DRAFT:
        fields["publish_at"] = form.cleaned_data["publish_at"]
    if form.cleaned_data["correction"]:  # a draft cannot take one: the action says so next to the field
        fields["correction"] = form.cleaned_data["correction"]
    added = None
    try:
        # Files are written outside the transaction; a refused save keeps the upload (its media_id) for the retry.
        added = image_from_form(request, form)
        # One transaction: caption copies made for a save that is then refused (a conflict, a permission) roll back.
        with transaction.atomic():
            if "media_form" in request.POST:  # edit.html's media fieldset was sent (a hand-made form may lack it)
                fields["media"] = _edited_media(request, post, added)
            post = actions.patch_post(request.user, post, expected_version=form.cleaned_data["version"], **fields)
    except StaleVersion as stale:
        return _conflict(request, blog, post, form, stale, added)
    except ActionError as error:
        form.show_action_error(error)
        _keep_image(request, form, added)
        return retry_hint(_edit_page(request, blog, post, form, status=error.status, attached=added), error)
    messages.success(request, "Saved, with the correction." if "correction" in fields else "Saved.")
    # "saved" tells the desk's script to forget this post's autosaved edit (composer.js): it is on the server now.
    return redirect(reverse("newsroom:desk", kwargs={"slug": blog.slug}) + f"?saved={post.pk}")


def _keep_image(request: HttpRequest, form: EditPostForm, added: Media | None) -> None:
    """A refused save shows the form again with the image it uploaded attached, instead of asking for it again."""
    if added is not None:
        kept = request.POST.copy()
        kept["media_id"] = str(added.pk)
        form.data = kept


def _conflict(request: HttpRequest, blog: LiveBlog, post: Post, form: EditPostForm,
              stale: StaleVersion, added: Media | None = None) -> HttpResponse:
    """Someone saved this post after it was loaded here: nothing is written. The form keeps *your* text, and the
    page shows what changed between your version and theirs, so you can merge by hand and save again."""
    current = stale.extra["current"]
    yours = {**form.cleaned_data}
    diff = post_diff(yours, current, old_label="Your version", new_label=f"Saved version {current['version']}")
    data = request.POST.copy()
    # Saving again after reading the diff is a deliberate choice to replace their version, so it may go through.
    data["version"] = str(current["version"])
    if added is not None:
        data["media_id"] = str(added.pk)
    editors = post.revisions.filter(version__gt=form.cleaned_data["version"]).select_related("edited_by")
    names = sorted({r.edited_by.byline for r in editors if r.edited_by and r.edited_by != request.user})
    conflict = {"current": current, "diff": diff, "by": ", ".join(names) or "someone else",
                # The version the person's text was written against: their autosave keeps it (composer.js).
                "base_version": form.cleaned_data["version"]}
    return _edit_page(request, blog, post, EditPostForm(data, time_zone=blog.time_zone), status=409,
                      conflict=conflict, attached=added)


def _back(request: HttpRequest, blog: LiveBlog) -> HttpResponse:
    return redirect("newsroom:desk", slug=blog.slug)


class VersionMissing(ActionError):
    """A desk button sent without the version its row showed: we cannot tell what the user saw, so nothing is done."""

    status = 428
    code = "precondition_required"


def _versioned(request: HttpRequest, act: Callable[[int], Post]) -> Post:
    """Run ``act(expected_version)`` with the version the button's row was rendered at.

    A missing or unreadable version is never "skip the check" — that would let a stale tab (or a hand-made request)
    pin, approve or delete a post it has not seen. It is sent to the action as version 0, which no post has, so the
    action still checks permission first (a reporter gets 403, not this) and then refuses; the refusal then says
    what is actually wrong.
    """
    version = parse_id(request.POST.get("version"))
    try:
        return act(version if version is not None else 0)
    except StaleVersion:
        if version is None:
            raise VersionMissing("This button did not say which version of the post you saw, so nothing was done. "
                                 "Reload the desk and try again.") from None
        raise


@newsroom_view
@require_POST
def delete(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    blog = blog_for(request, slug)
    post = post_for(request, blog, post_id)
    _versioned(request, lambda version: actions.delete_post(request.user, post, expected_version=version))
    messages.success(request, "Deleted. Editors can restore it from the list of deleted posts.")
    return _back(request, blog)


@newsroom_view
@require_POST
def restore(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    blog = blog_for(request, slug)
    actions.restore_post(request.user, post_for(request, blog, post_id))
    messages.success(request, "Restored.")
    return _back(request, blog)


@newsroom_view
@require_POST
def pin(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    blog = blog_for(request, slug)
    post = post_for(request, blog, post_id)
    pinned = request.POST.get("pinned") == "true"
    # The action refuses non-editors too, but only after the version check; saying "not allowed" first is clearer
    # than "reload" to someone for whom reloading cannot help.
    perm.require_editor(request.user, "pin posts")
    verb = actions.pin_post if pinned else actions.unpin_post
    _versioned(request, lambda version: verb(request.user, post, expected_version=version))
    messages.success(request, "Pinned to the top." if pinned else "Unpinned.")
    return _back(request, blog)


@newsroom_view
@require_POST
def approve(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    blog = blog_for(request, slug)
    post = post_for(request, blog, post_id)
    if not perm.can_publish(request.user):  # as in the action, checked first for the reason given at ``pin``
        raise Forbidden("Only editors and reporters can publish; an editor approves contributors' drafts.")
    _versioned(request, lambda version: actions.approve_post(request.user, post, expected_version=version))
    messages.success(request, "Approved and published.")
    return _back(request, blog)


@newsroom_view
@require_POST
def heartbeat(request: HttpRequest, slug: str, post_id: int) -> JsonResponse:
    """The edit page calls this every few seconds; it answers who else has the post open (and its version)."""
    blog = blog_for(request, slug)
    post = editable_post_for(request, blog, post_id)
    others = presence.beat(post.pk, request.user)
    return JsonResponse({"editing": others, "version": post.version})
