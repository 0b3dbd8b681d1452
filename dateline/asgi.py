"""The ASGI application: the live edge (SSE, /changes, /metrics, /static) in front of Django.

Run it with ``dateline serve`` (uvicorn with uvloop and httptools; see dateline/server.py). Any ASGI server
works, but the fan-out fast path needs uvicorn's httptools or h11 protocol (see dateline/live/subscriber.py).
Django sits behind ``BodyLimit`` (dateline/limits.py): under ASGI Django reads a whole body before any view runs,
so the 413 for an oversized body has to be decided here, before it is read.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")

from django.core.asgi import get_asgi_application  # noqa: E402  (settings module must be set first)

django_asgi = get_asgi_application()  # sets Django up: the change feed below imports models

from dateline.changefeed import ChangeFeed  # noqa: E402
from dateline.limits import BodyLimit  # noqa: E402
from dateline.live.app import LiveEdge  # noqa: E402

django_application = BodyLimit(django_asgi)
# The edge reads blogs and changes through this narrow interface (dateline/live/source.py), never the models.
application = LiveEdge(django_application, source=ChangeFeed())
