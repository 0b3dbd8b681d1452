"""Every error the API answers is JSON: ``{"error": {"code", "message", "fields"?}}`` with a 4xx status.

Handlers here turn each kind of failure (an action's ``ActionError``, ninja's validation and parse errors, Django's
``RequestDataTooBig`` and friends) into that one shape, so an integrator writes one error path.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from dateline.coverage.errors import ActionError, Busy, StaleVersion
from dateline.coverage.serializers import key_points_version
from dateline.health import overloaded, unavailable

if TYPE_CHECKING:
    from ninja import NinjaAPI

log = logging.getLogger(__name__)

JSON_TYPE = "application/json; charset=utf-8"
CODES = {
    400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 412: "precondition_failed", 413: "payload_too_large", 415: "unsupported_media_type",
    422: "validation_error", 428: "precondition_required", 429: "too_many_requests",
}


def load_json(raw: bytes | str) -> Any:
    """``json.loads`` whose every failure is a ValueError (a malformed body), never a 500.

    The parser recurses per nesting level, so ``[[[[…`` a few thousand deep raises RecursionError, not ValueError.
    """
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError("nested too deeply") from None


class ApiError(ActionError):
    """An error only the HTTP layer knows about (bad cursor, missing If-Match, wrong content type)."""

    def __init__(self, status: int, message: str, *, code: str | None = None,
                 fields: dict[str, str] | None = None) -> None:
        super().__init__(message, fields=fields, code=code or CODES.get(status, "bad_request"))
        self.status = status


class NotJSON(Exception):
    """The body of a JSON endpoint was sent with another content type."""


def json_response(status: int, data: Any, **headers: str) -> HttpResponse:
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body, status=status, content_type=JSON_TYPE)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def error_response(status: int, message: str, *, code: str | None = None,
                   fields: dict[str, str] | None = None, **headers: str) -> HttpResponse:
    error: dict[str, Any] = {"code": code or CODES.get(status, "bad_request"), "message": message}
    if fields:
        error["fields"] = fields
    return json_response(status, {"error": error}, **headers)


def action_error_response(exc: ActionError) -> HttpResponse:
    headers: dict[str, str] = {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="dateline"'
    if isinstance(exc, Busy):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, StaleVersion):
        current = exc.extra.get("current")
        if isinstance(current, dict):  # a post
            headers["ETag"] = f'"{current["id"]}-{current["version"]}"'
        elif isinstance(current, list):  # the key points
            headers["ETag"] = f'"kp-{key_points_version(current)}"'
    return json_response(exc.status, exc.as_dict(), **headers)


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("body", "payload", "key_points", 0, "text")`` -> ``key_points[0].text`` (the names actions use too)."""
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += ("." if name else "") + str(part)
    return name or "body"


def validation_fields(errors: list[dict[str, Any]], *, strip: int = 1) -> dict[str, str]:
    """Pydantic errors as ``{field: message}``; ``strip`` drops leading loc parts (ninja's source and param name)."""
    fields: dict[str, str] = {}
    for error in errors:
        loc = list(error.get("loc", ()))
        source = loc[0] if loc else None
        parts = loc[strip:] if source in ("body", "form", "file") else loc[1:]
        if source in ("body", "form", "file") and parts and parts[0] == "payload":
            parts = parts[1:]  # our body parameter is always called ``payload``: not a name clients send
        message = "Unknown field." if error.get("type") == "extra_forbidden" else str(error.get("msg", "Invalid."))
        if source == "body" and not parts:  # no body, or a JSON array/string/number instead of an object
            message = "Send a JSON object as the request body."
        fields.setdefault(field_name(parts), message)
    return fields


def install(api: NinjaAPI) -> None:
    """Register Dateline's error handlers on a NinjaAPI (replacing ninja's ``{"detail": ...}`` answers)."""

    def on_action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
        return action_error_response(exc)

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(422, "Some fields are not valid.", fields=validation_fields(exc.errors))

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = exc.message if exc.message != "Unauthorized" else (
            "This needs an API token: send Authorization: Bearer <token> (dateline token create NAME)."
        )
        return error_response(401, message, WWW_Authenticate='Bearer realm="dateline"')

    def on_authorization(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return error_response(403, exc.message)

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        cause = exc.__cause__
        if isinstance(cause, NotJSON):
            return error_response(415, str(cause))
        if isinstance(cause, RequestDataTooBig):
            return on_too_big(request, cause)
        if isinstance(cause, ValueError):  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
            return error_response(400, f"The request body is not valid JSON: {cause}.", code="malformed_json")
        if exc.status_code >= 500:
            return on_unexpected(request, exc)
        return error_response(exc.status_code, exc.message)

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(404, "Not found.")

    def on_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(413, "The request body is too large.", code="payload_too_large")

    def on_bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(400, f"The request could not be read: {exc}")

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        if overloaded(exc):  # no database connection free for now: the client may retry (health.py)
            log.warning("API %s %s: no database connection free; answered 503", request.method, request.path)
            return unavailable(request)
        log.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return error_response(500, "Something went wrong on our side; it has been logged.", code="server_error")

    # ninja types handlers as taking "the exception or its class"; ours take instances, which is what they get.
    add = cast(Any, api.add_exception_handler)
    add(ActionError, on_action_error)
    add(ValidationError, on_validation)
    add(AuthenticationError, on_authentication)
    add(AuthorizationError, on_authorization)
    add(HttpError, on_http_error)
    add(Http404, on_404)
    add(RequestDataTooBig, on_too_big)
    for bad in (MultiPartParserError, UnreadablePostError, SuspiciousOperation, BadRequest):
        add(bad, on_bad_request)
    add(Exception, on_unexpected)
