"""/api/v1/blogs: live blogs, their posts and key points. Thin: every write is a ``coverage.actions`` call."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router
from ninja.decorators import decorate_view
from pydantic import WithJsonSchema

from dateline.api.auth import OPTIONAL_AUTH_OPENAPI, actor, optional_auth, token_auth
from dateline.api.errors import ApiError, json_response
from dateline.api.idempotency import fingerprint, run_once
from dateline.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, page
from dateline.api.schemas import (
    BlogCreate,
    BlogOut,
    BlogPage,
    BlogPatch,
    BlogStatus,
    ErrorOut,
    KeyPointsIn,
    KeyPointsOut,
    PostCreate,
    PostOut,
    PostPage,
    PostPatch,
)
from dateline.coverage import actions
from dateline.coverage import permissions as perm
from dateline.coverage.models import LiveBlog, Post
from dateline.coverage.permissions import Actor
from dateline.coverage.serializers import (
    blog_data,
    key_points_data,
    key_points_version,
    post_data,
    prefetch_for_posts,
)
from dateline.edgecache import api_read
from dateline.events import PostObject

router = Router(tags=["blogs"])
posts_router = Router(tags=["posts"])
key_points_router = Router(tags=["key points"])

READ_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                413: ErrorOut, 415: ErrorOut, 422: ErrorOut}
# If-Match compares strongly (RFC 9110 13.1.1): a weak tag (W/"…") never matches, so it is a 412, not an edit.
ETAG = re.compile(r'^"(\d+)-(\d+)"$')
KEY_POINTS_ETAG = re.compile(r'^"kp-([0-9a-f]{16})"$')
IDEMPOTENCY_HEADER = Header(None, alias="Idempotency-Key", description=(
    "Any unique string (a UUID). A retry with the same key and body answers the first response; "
    "with a different body, 422 idempotency_key_reused. Kept 24 h, per user."))
# The key's rules as the OpenAPI shows them; idempotency.KEY_PATTERN enforces them (400 invalid_idempotency_key).
IdempotencyKey = Annotated[str | None, WithJsonSchema(
    {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"})]
IF_MATCH_HEADER = Header(None, alias="If-Match", description=(
    'The ETag from your last read of the post ("<id>-<version>"). Required: 428 without it, '
    "412 (with the current post) if the post changed since."))


def _given(payload: Any, *, drop_none: bool) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    return {k: v for k, v in data.items() if v is not None} if drop_none else data


def _blog(slug: str) -> LiveBlog:
    blog = LiveBlog.objects.select_related("lead_media", "story").filter(slug=slug).first()
    if blog is None:
        raise ApiError(404, f"No live blog '{slug}'.")
    return blog


def _may_see(user: Actor | None, post: Post) -> bool:
    return post.status == Post.Status.PUBLISHED or perm.can_see_drafts(user, post)


def _post(request: HttpRequest, slug: str, post_id: int) -> Post:
    blog = _blog(slug)
    post = Post.objects.filter(blog=blog, pk=post_id).first()
    # Drafts and deleted posts of others answer 404, not 403: whether they exist is not public either.
    if post is None or not _may_see(actor(request), post):
        raise ApiError(404, f"No post {post_id} in '{slug}'.")
    post.blog = blog
    return post


def etag(post: Post) -> str:
    return f'"{post.pk}-{post.version}"'


def _expected_version(if_match: str | None, post: Post) -> int | None:
    if not if_match:
        raise ApiError(428, "Send If-Match with the post's ETag (from GET), so an edit never overwrites a change "
                            "you have not seen.", fields={"If-Match": "Required."})
    tags = _if_match_tags(if_match, ETAG)
    if tags is None:
        return None
    for match in tags:
        if int(match[1]) == post.pk:
            return int(match[2])
    return -1  # matches no version: the action answers 412 with the current post (after checking permission)


def _if_match_tags(if_match: str, pattern: re.Pattern[str]) -> list[re.Match[str]] | None:
    """The well-formed tags an If-Match lists (a weak or malformed one names nothing); None for ``*``."""
    tags = [t.strip() for t in if_match.split(",")]
    if "*" in tags:
        return None
    return [match for tag in tags if (match := pattern.match(tag))]


def _post_response(response: HttpResponse, post: Post) -> PostObject:
    response["ETag"] = etag(post)
    return post_data(post)


# --- blogs ----------------------------------------------------------------------------------------------------

@router.get("", response={200: BlogPage, **READ_ERRORS}, auth=optional_auth, openapi_extra=OPTIONAL_AUTH_OPENAPI,
            summary="List live blogs, newest first (scheduled ones only with a token)")
def list_blogs(request: HttpRequest, status: BlogStatus | None = None, before: str | None = None,
               limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)) -> Any:
    blogs: QuerySet[LiveBlog] = LiveBlog.objects.select_related("lead_media", "story")
    if not actor(request).is_authenticated:
        # A scheduled blog is the newsroom's plan (its title may name what is embargoed); readers see a blog once
        # it is live, as on the index page. Its own URL still answers, as its reader page does.
        blogs = blogs.exclude(status=LiveBlog.Status.SCHEDULED)
    if status:
        blogs = blogs.filter(status=status)
    items, next_cursor = page(blogs, key=None, before=before, limit=limit)
    return {"items": [blog_data(b) for b in items], "next": next_cursor}


@router.post("", response={201: BlogOut, **WRITE_ERRORS}, auth=token_auth, summary="Open a live blog (editors)")
def create_blog(request: HttpRequest, payload: BlogCreate, response: HttpResponse,
                idempotency_key: IdempotencyKey = IDEMPOTENCY_HEADER) -> Any:
    given = _given(payload, drop_none=True)
    user = actor(request)

    def run() -> tuple[int, Mapping[str, Any]]:
        return 201, blog_data(actions.create_blog(user, **given))

    status, body, replayed = run_once(user, idempotency_key, fingerprint("POST", request.path, given), run)
    return json_response(status, body, Location=f"{request.path}/{body['slug']}",
                         **({"Idempotent-Replayed": "true"} if replayed else {}))


@router.get("/{slug}", response={200: BlogOut, **READ_ERRORS}, auth=optional_auth,
            openapi_extra=OPTIONAL_AUTH_OPENAPI, summary="One live blog, with its key points")
@decorate_view(api_read)  # anonymous: kept by the edge per seq, and by shared caches (edgecache.py)
def get_blog(request: HttpRequest, slug: str) -> Any:
    return blog_data(_blog(slug))


@router.patch("/{slug}", response={200: BlogOut, **WRITE_ERRORS}, auth=token_auth,
              summary="Change a live blog (editors); status 'ended' ends the coverage")
def update_blog(request: HttpRequest, slug: str, payload: BlogPatch) -> Any:
    return blog_data(actions.update_blog(actor(request), _blog(slug), **_given(payload, drop_none=False)))


# --- posts ----------------------------------------------------------------------------------------------------

@posts_router.get("/{slug}/posts", response={200: PostPage, **READ_ERRORS, 403: ErrorOut}, auth=optional_auth,
                  openapi_extra=OPTIONAL_AUTH_OPENAPI, summary="Page through a blog's posts, newest first")
@decorate_view(api_read)  # anonymous: kept by the edge per seq, and by shared caches (edgecache.py)
def list_posts(request: HttpRequest, slug: str, before: str | None = None,
               limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
               status: Literal["published", "draft", "deleted"] = Query(
                   "published", description="Drafts and deleted posts: editors see all, others their own.")) -> Any:
    """Published posts are ordered by ``published_at``; drafts and deleted posts by creation."""
    blog = _blog(slug)
    user = actor(request)
    posts: QuerySet[Post] = Post.objects.filter(blog=blog, status=status)
    if status != Post.Status.PUBLISHED:
        perm.require_user(user)
        posts = perm.visible_posts(user, posts)
    key = "published_at" if status == Post.Status.PUBLISHED else None
    items, next_cursor = page(prefetch_for_posts(posts), key=key, before=before, limit=limit)
    for post in items:
        post.blog = blog
    return {"items": [post_data(p) for p in items], "next": next_cursor}


@posts_router.post("/{slug}/posts", response={201: PostOut, **WRITE_ERRORS}, auth=token_auth,
                   summary="File a post (published at once, or a draft for contributors)")
def create_post(request: HttpRequest, slug: str, payload: PostCreate,
                idempotency_key: IdempotencyKey = IDEMPOTENCY_HEADER) -> Any:
    blog = _blog(slug)
    given = _given(payload, drop_none=True)
    user = actor(request)

    def run() -> tuple[int, Mapping[str, Any]]:
        post = actions.create_post(user, blog, **given)
        return 201, post_data(post)

    status, body, replayed = run_once(user, idempotency_key, fingerprint("POST", request.path, given), run)
    headers = {"ETag": f'"{body["id"]}-{body["version"]}"', "Location": f"{request.path}/{body['id']}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return json_response(status, body, **headers)


@posts_router.get("/{slug}/posts/{post_id}", response={200: PostOut, 304: None, **READ_ERRORS},
                  auth=optional_auth, openapi_extra=OPTIONAL_AUTH_OPENAPI, summary="One post (with its ETag)")
@decorate_view(api_read)  # anonymous: kept by the edge per seq, and by shared caches (edgecache.py)
def get_post(request: HttpRequest, slug: str, post_id: int, response: HttpResponse) -> Any:
    post = _post(request, slug, post_id)
    if request.headers.get("If-None-Match") == etag(post):
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = etag(post)
        return not_modified
    return _post_response(response, post)


@posts_router.patch("/{slug}/posts/{post_id}", response={200: PostOut, 412: ErrorOut, 428: ErrorOut,
                                                         **WRITE_ERRORS},
                    auth=token_auth, summary="Edit a post (If-Match required)")
def edit_post(request: HttpRequest, slug: str, post_id: int, payload: PostPatch, response: HttpResponse,
              if_match: str | None = IF_MATCH_HEADER) -> Any:
    post = _post(request, slug, post_id)
    expected = _expected_version(if_match, post)
    post = actions.patch_post(actor(request), post, expected_version=expected, **_given(payload, drop_none=False))
    return _post_response(response, post)


@posts_router.delete("/{slug}/posts/{post_id}", response={200: PostOut, 412: ErrorOut, 428: ErrorOut,
                                                          **WRITE_ERRORS},
                     auth=token_auth, summary="Delete a post (soft; If-Match required; editors can restore)")
def delete_post(request: HttpRequest, slug: str, post_id: int, response: HttpResponse,
                if_match: str | None = IF_MATCH_HEADER) -> Any:
    post = _post(request, slug, post_id)
    expected = _expected_version(if_match, post)
    post = actions.delete_post(actor(request), post, expected_version=expected)
    return _post_response(response, post)


@posts_router.post("/{slug}/posts/{post_id}/restore", response={200: PostOut, **WRITE_ERRORS}, auth=token_auth,
                   summary="Bring back a deleted post (editors)")
def restore_post(request: HttpRequest, slug: str, post_id: int, response: HttpResponse) -> Any:
    post = _post(request, slug, post_id)
    post = actions.restore_post(actor(request), post)
    return _post_response(response, post)


# --- key points -----------------------------------------------------------------------------------------------

KEY_POINTS_IF_MATCH = Header(None, alias="If-Match", description=(
    'The ETag from your last GET of the key points ("kp-…"). Optional but recommended: with it, a list someone else '
    "saved since is never replaced silently (412 with the current list)."))


def _key_points_response(response: HttpResponse, blog: LiveBlog) -> dict[str, Any]:
    points = key_points_data(blog)
    response["ETag"] = f'"kp-{key_points_version(points)}"'
    return {"key_points": points}


@key_points_router.get("/{slug}/key-points", response={200: KeyPointsOut, **READ_ERRORS}, auth=optional_auth,
                       openapi_extra=OPTIONAL_AUTH_OPENAPI, summary="The blog's ordered key points (with an ETag)")
@decorate_view(api_read)  # anonymous: kept by the edge per seq, and by shared caches (edgecache.py)
def get_key_points(request: HttpRequest, slug: str, response: HttpResponse) -> Any:
    return _key_points_response(response, _blog(slug))


@key_points_router.put("/{slug}/key-points", response={200: KeyPointsOut, 412: ErrorOut, **WRITE_ERRORS},
                       auth=token_auth, summary="Replace the ordered key points (editors; If-Match recommended)")
def put_key_points(request: HttpRequest, slug: str, payload: KeyPointsIn, response: HttpResponse,
                   if_match: str | None = KEY_POINTS_IF_MATCH) -> Any:
    blog = _blog(slug)
    points = [p.model_dump(exclude_none=True) for p in payload.key_points]
    expected = None
    tags = _if_match_tags(if_match, KEY_POINTS_ETAG) if if_match else None
    if tags is not None:
        # Several tags: any of them may be current; none well-formed matches nothing (412, not an edit).
        versions = [match[1] for match in tags]
        expected = versions[0] if len(versions) == 1 else None
        if expected is None:
            current = key_points_version(key_points_data(blog))
            expected = current if current in versions else "-"
    actions.set_key_points(actor(request), blog, points, expected_version=expected)
    return _key_points_response(response, blog)
