"""Handing a reader's stream to a GRIP proxy (Pushpin, Fastly Fanout) instead of holding it here.

A request for ``/live/<slug>/events`` that the proxy signed (``Grip-Sig``, a JWT made with ``DATELINE_GRIP_KEY``)
is answered at once, like any short request, with what the reader missed (the same replay as a direct stream) and
instructions for the proxy:

    Grip-Hold: stream                                   keep the reader's connection open after this body
    Grip-Channel: dateline-<blog id>; prev-id=<seq>     the changes published after <seq> go to it
    Grip-Keep-Alive: : keep-alive\\n\\n; format=cstring; timeout=20   the edge's heartbeat, when idle
    Grip-Link: </live/<slug>/events>; rel=next; timeout=120

The publisher (``broker/grip.py``) sends every change with ``id``/``prev-id`` = its seq and the one before. When an
item does not follow the last one a reader got, or when a hold begins behind what the proxy has seen, or every
``LINK_TIMEOUT`` seconds of silence, the proxy asks the ``Grip-Link`` URL for what is missing, with
``Grip-Last: dateline-<id>; last-id=<seq>``; that request is answered here the same way, from that seq. So a
reader behind the proxy gets every change exactly once and in order, with the ids, ``retry``, ``reset`` and
heartbeats of the edge's own stream, and resumes elsewhere by ``Last-Event-ID`` as before.

A request without a valid signature (or with no key configured) is streamed by the edge itself, as the GRIP
specification asks: a backend must behave as if an unverifiable ``Grip-Sig`` were absent.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time

from django.conf import settings

from dateline.broker.grip import channel
from dateline.live.config import HEARTBEAT_INTERVAL
from dateline.live.responses import header
from dateline.live.types import Scope

# Seconds of silence on a channel after which the proxy asks the link anyway: it heals a change whose publish was
# lost while nothing followed it. Pushpin's default; with 10,000 readers one request a reader every two minutes is
# ~80 requests/s of ring reads, which one process answers without noticing.
LINK_TIMEOUT = 120
KEEP_ALIVE_SECONDS = int(HEARTBEAT_INTERVAL)  # the proxy writes the edge's heartbeat after this long idle
_LAST = re.compile(r"^\s*(?P<channel>[^;\s]+)\s*;\s*last-id=(?P<id>\d{1,18})\s*$")


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _key() -> bytes:
    key = settings.DATELINE_GRIP_KEY
    if key.startswith("base64:"):
        return base64.b64decode(key[7:])
    return key.encode()


def signed(scope: Scope) -> bool:
    """Whether the request came through the GRIP proxy: a ``Grip-Sig`` JWT (HS256) with our key, not expired."""
    if not settings.DATELINE_GRIP_KEY:
        return False
    token = header(scope, b"grip-sig")
    if not token:
        return False
    try:
        head, claims, signature = token.decode("ascii").split(".")
        if json.loads(_b64(head)).get("alg") != "HS256":
            return False
        expected = hmac.new(_key(), f"{head}.{claims}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _b64(signature)):
            return False
        expires = json.loads(_b64(claims)).get("exp")
    except (ValueError, UnicodeDecodeError, binascii.Error, AttributeError):
        return False
    return isinstance(expires, int | float) and expires > time.time()


def last_id(scope: Scope, blog_id: int) -> int | None:
    """The seq the proxy last wrote to this reader, from a recovery request's ``Grip-Last`` (None if absent)."""
    for name, value in scope["headers"]:
        if name == b"grip-last":
            match = _LAST.match(value.decode("latin-1"))
            if match and match["channel"] == channel(blog_id):
                return int(match["id"])
    return None


def hold_headers(slug: str, blog_id: int, seq: int) -> list[tuple[bytes, bytes]]:
    keep_alive = f": keep-alive\\n\\n; format=cstring; timeout={KEEP_ALIVE_SECONDS}"
    return [
        (b"grip-hold", b"stream"),
        (b"grip-channel", f"{channel(blog_id)}; prev-id={seq}".encode()),
        (b"grip-keep-alive", keep_alive.encode()),
        (b"grip-link", f"</live/{slug}/events>; rel=next; timeout={LINK_TIMEOUT}".encode()),
    ]
