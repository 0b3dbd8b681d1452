"""Handing a reader's stream to a GRIP proxy (Pushpin, Fastly Fanout) instead of holding it here.

A request for ``/live/<slug>/events`` that the proxy signed (``Grip-Sig``, a JWT checked with ``DATELINE_GRIP_KEY``:
HS256 with a shared secret, as Pushpin signs; ES256 with a PEM public key, as Fastly Fanout signs) is answered at
once, like any short request, with what the reader missed (the same replay as a direct stream) and instructions for
the proxy:

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
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import load_pem_public_key
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
PEM_MARK = "-----BEGIN PUBLIC KEY-----"  # DATELINE_GRIP_KEY holding this is a public key: ES256 (Fanout)
_LAST = re.compile(r"^\s*(?P<channel>[^;\s]+)\s*;\s*last-id=(?P<id>\d{1,18})\s*$")


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _secret(key: str) -> bytes:
    if key.startswith("base64:"):
        return base64.b64decode(key[7:])
    return key.encode()


@lru_cache(maxsize=4)  # parsed once, not per request
def _public_key(key: str) -> Any:
    """The PEM public key in ``DATELINE_GRIP_KEY`` (newlines may be written ``\\n`` in an environment file)."""
    return load_pem_public_key(key.replace("\\n", "\n").encode())


def _es256_valid(key: str, signed_part: bytes, signature: bytes) -> bool:
    if len(signature) != 64:  # a JWS ES256 signature is r || s, 32 bytes each (RFC 7518 3.4), not DER
        return False
    public = _public_key(key)
    if not isinstance(public, ec.EllipticCurvePublicKey):
        return False
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public.verify(der, signed_part, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def _valid(key: str, alg: object, signed_part: bytes, signature: bytes) -> bool:
    """The signature checked with the algorithm the key is for — never the one the token asks for alone (so an
    HS256 token "signed" with a public key, or ``alg: none``, is refused)."""
    if PEM_MARK in key:
        return alg == "ES256" and _es256_valid(key, signed_part, signature)
    return alg == "HS256" and hmac.compare_digest(hmac.new(_secret(key), signed_part, hashlib.sha256).digest(),
                                                  signature)


def signed(scope: Scope) -> bool:
    """Whether the request came through the GRIP proxy: a ``Grip-Sig`` JWT signed with our key, not expired."""
    key = settings.DATELINE_GRIP_KEY
    if not key:
        return False
    token = header(scope, b"grip-sig")
    if not token:
        return False
    try:
        head, claims, signature = token.decode("ascii").split(".")
        if not _valid(key, json.loads(_b64(head)).get("alg"), f"{head}.{claims}".encode(), _b64(signature)):
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
