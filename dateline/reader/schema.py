"""``/live/events.schema.json``: the JSON Schema of every live event, generated from ``dateline/events.py``.

Integrators validate what ``/live/<slug>/events`` and ``/changes`` send against it; it changes only with a
release, so it is cached like a static file (for a day, not forever: it has no content hash in its URL).
"""

from __future__ import annotations

import json
from functools import cache

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from dateline.events import schema


@cache
def _body() -> bytes:
    return json.dumps(schema(), indent=2, ensure_ascii=False).encode()


@require_safe
def events_schema(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_body(), content_type="application/schema+json")
    response["Cache-Control"] = "public, max-age=86400"
    response["Access-Control-Allow-Origin"] = "*"
    return response
