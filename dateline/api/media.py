"""POST /api/v1/media: upload an image (multipart), record a video or embed a link (JSON); returns the media."""

from __future__ import annotations

from typing import Any

import pydantic
from django.http import HttpRequest
from ninja import Router

from dateline.api.auth import actor, token_auth
from dateline.api.errors import ApiError, json_response, load_json, validation_fields
from dateline.api.schemas import EmbedIn, ErrorOut, MediaOut, VideoIn
from dateline.coverage import actions as media_actions
from dateline.coverage import limits
from dateline.coverage import permissions as perm
from dateline.coverage.models import Media
from dateline.coverage.serializers import media_data
from dateline.coverage.validation import is_id

router = Router(tags=["media"])

IMAGE_FIELDS = frozenset({"caption", "credit", "alt"})
# One operation, two bodies: ninja cannot infer that from a signature, so the request body is described here.
MEDIA_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "title": "ImageUpload",
                    "required": ["file"],
                    "additionalProperties": False,
                    "properties": {
                        "file": {"type": "string", "format": "binary",
                                 "description": "JPEG, PNG, GIF or WebP; at most DATELINE_MAX_IMAGE_PIXELS pixels "
                                                "(40 megapixels by default). Re-encoded without EXIF."},
                        "caption": {"type": "string", "maxLength": limits.MAX_CAPTION},
                        "credit": {"type": "string", "maxLength": limits.MAX_CREDIT},
                        "alt": {"type": "string", "maxLength": limits.MAX_ALT,
                                "description": "Text alternative for readers who cannot see the image."},
                    },
                },
            },
            "application/json": {"schema": {"oneOf": [VideoIn.model_json_schema(), EmbedIn.model_json_schema()],
                                             "discriminator": {"propertyName": "kind"}}},
        },
    },
}


@router.post("", response={201: MediaOut, 400: ErrorOut, 401: ErrorOut, 413: ErrorOut, 415: ErrorOut,
                           422: ErrorOut, 503: ErrorOut},
             auth=token_auth, openapi_extra=MEDIA_REQUEST_BODY,
             summary="Upload an image (multipart), record a video (JSON, kind=video) or embed a link (kind=embed)")
def create_media(request: HttpRequest) -> Any:
    """Images: ``multipart/form-data`` with ``file`` plus optional ``caption``, ``credit``, ``alt``.

    Videos hosted elsewhere (a blog's lead video): ``application/json`` with ``kind: "video"``, ``url``, ``title``,
    and optional ``duration_seconds``, ``credit``, ``caption``, ``alt``. Attach either by id to a post's ``media``
    or a blog's ``lead_media``.

    Video and social embeds: ``application/json`` with ``kind: "embed"``, ``url`` (a link on a configured oEmbed
    provider) and optional ``caption``, ``credit``. The provider is asked (cached 24 h); an unknown provider, a provider
    that is down or answers nonsense, or a player outside the provider's allowlist is a 422 naming the problem.

    Images are processed at most ``DATELINE_IMAGE_DECODE_CONCURRENCY`` at a time; an upload that cannot start within
    ``DATELINE_IMAGE_DECODE_WAIT`` seconds is 503 ``busy`` with ``Retry-After``. The stored image and its renditions
    carry no metadata but the ICC profile, and are not public until a published post (or a blog's lead) shows them.
    """
    user = actor(request)
    if request.content_type == "multipart/form-data":
        unknown = (set(request.POST) - IMAGE_FIELDS) | (set(request.FILES) - {"file"})
        fields = {name: "Unknown field." for name in sorted(unknown)}
        fields.update({name: "Send once." for name in IMAGE_FIELDS if len(request.POST.getlist(name)) > 1})
        upload = request.FILES.get("file")
        if upload is None:
            fields["file"] = "Required: the image file."
        if fields:
            raise ApiError(422, "Some fields are not valid.", code="validation_error", fields=fields)
        assert upload is not None
        media = media_actions.upload_image(user, upload, **{k: request.POST.get(k, "") for k in IMAGE_FIELDS})
    elif request.content_type == "application/json":
        try:
            data = load_json(request.body)
        except ValueError as exc:
            raise ApiError(400, f"The request body is not valid JSON: {exc}.", code="malformed_json") from None
        schema: type[VideoIn] | type[EmbedIn] = (
            EmbedIn if isinstance(data, dict) and data.get("kind") == "embed" else VideoIn)
        try:
            body = schema.model_validate(data)
        except pydantic.ValidationError as exc:
            raise ApiError(422, "Some fields are not valid.", code="validation_error",
                           fields=validation_fields([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()])
                           ) from None
        given = body.model_dump(exclude_none=True, exclude={"kind"})
        if isinstance(body, EmbedIn):
            media = media_actions.create_embed(user, **given)
        else:
            media = media_actions.create_video(user, **given)
    else:
        raise ApiError(415, "Upload an image as multipart/form-data, or describe a video or embed as application/json "
                            f"(got {request.content_type or 'no Content-Type'}).")
    return json_response(201, media_data(media), Location=f"/api/v1/media/{media.pk}")


@router.get("/{media_id}", response={200: MediaOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}, auth=token_auth,
            summary="One media item (what POST /media answered, as it is now), to those who may attach it")
def get_media(request: HttpRequest, media_id: int) -> Any:
    """Answered to editors, to the uploader, to authors of a post that carries it, and — once it is public (on a
    published post, or a blog's lead media) — to anyone signed in. To everyone else it is 404, the same as an id
    that does not exist, so unpublished uploads (an embargoed photo's caption) cannot be found by counting ids."""
    found = perm.visible_media(actor(request), Media.objects.filter(pk=media_id)) if is_id(media_id) else None
    media = found.first() if found is not None else None
    if media is None:
        raise ApiError(404, f"No media {media_id}.")
    return media_data(media)
