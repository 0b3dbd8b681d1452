"""The NinjaAPI Dateline serves, with the HTTP edges ninja leaves to Django made JSON.

Ninja answers unknown methods with a plain-text 405 and leaves unknown paths and oversize bodies to Django's HTML
pages. ``DatelineAPI`` wraps every URL it serves so those answers are JSON errors too, and so a body over
``DATA_UPLOAD_MAX_MEMORY_SIZE`` is refused with 413 *after* draining it: a server that answers while the client is
still sending and then closes the socket makes most HTTP clients report "connection reset" instead of the 413.

Under ASGI (``dateline serve``) that check never sees an oversized body: Django reads the whole body before any view
runs, so ``dateline/limits.py`` refuses it ahead of Django, chunked bodies included. The check here serves WSGI
deployments and Django's test client, where the view does run before the body is read.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI
from ninja.parser import Parser
from ninja.types import DictStrAny

from dateline.api import errors
from dateline.api.errors import NotJSON, error_response, load_json

DRAIN_CHUNK = 64 * 1024
# Draining an absurd body (say 10 GB) costs more than a confused client: past this, stop reading and let the
# connection close. Ten times the limit covers every honest mistake (a video sent instead of a still).
DRAIN_CAP_FACTOR = 10
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class JSONParser(Parser):
    """Ninja's JSON parser, but a body sent as another content type is a 415 rather than parsed anyway."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        content_type = request.content_type or ""
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise NotJSON(f"Send the body as application/json (got {request.content_type or 'no Content-Type'}).")
        return cast(DictStrAny, load_json(request.body))


def _drain(request: HttpRequest, length: int) -> None:
    remaining = min(length, settings.DATA_UPLOAD_MAX_MEMORY_SIZE * DRAIN_CAP_FACTOR)
    while remaining > 0:
        chunk = request.read(min(DRAIN_CHUNK, remaining))
        if not chunk:
            break
        remaining -= len(chunk)


def json_edges(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap one API view: 413 for oversize bodies, JSON for 404 and 405."""

    @functools.wraps(view)  # keeps csrf_exempt: ninja checks CSRF itself, only for cookie auth
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(400, "Invalid Content-Length header.")
        if limit is not None and length > limit:
            _drain(request, length)
            return error_response(
                413, f"The request body is {length:,} bytes; the API accepts at most {limit:,} bytes.",
                code="payload_too_large")
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return error_response(404, "Not found.")
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            return error_response(405, f"{request.method} is not allowed here; use {allowed}.", Allow=allowed)
        return response

    return wrapper


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return error_response(404, f"No API endpoint at {request.path}. The API is described at /api/v1/docs.")


not_found.csrf_exempt = True  # type: ignore[attr-defined]


class DatelineAPI(NinjaAPI):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(parser=JSONParser(), **kwargs)
        errors.install(self)

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = json_edges(pattern.callback)
        urls.append(re_path(r"^.*$", json_edges(not_found)))
        return urls
