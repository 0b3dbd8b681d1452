"""The request body limit, enforced in ASGI ahead of Django.

Django's ASGI handler reads the whole body (into a temporary file) before any middleware or view runs, so a view
can only refuse an oversized upload after it has arrived, and a chunked body (no ``Content-Length``) looks like an
empty one to a check of the header. ``BodyLimit`` wraps Django in ``dateline.asgi`` and refuses bodies over
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``DATELINE_MAX_BODY_BYTES``) with 413 for every URL Django serves: the API's JSON
error, or — for a browser posting a newsroom form (``Accept: text/html``, outside ``/api/``) — a short page saying
what happened and what to do, rather than JSON a reporter on deadline has to decipher:

* a ``Content-Length`` over the limit is answered at once, before a byte of the body is read (and before uvicorn
  sends ``100 Continue`` to a client that asked for it, so such a client never sends the body at all);
* a chunked body is counted as it streams to Django; once it passes the limit, Django is told the client went
  away (it then answers nothing) and the 413 is sent.

So that clients see the 413 rather than "connection reset", the connection is not closed under a client that is
still sending: uvicorn discards the rest of the body after a complete response and keeps the connection alive, and
for servers that hand us the rest instead it is read and dropped here. Past ``DRAIN_CAP_FACTOR`` times the limit
(a declared 10 GB upload) the answer asks to close the connection instead: reading all of it costs more than a
confused client.
"""

from __future__ import annotations

import html
import json
from collections.abc import Awaitable, Callable

from django.conf import settings

from dateline.live.types import Message, Receive, Scope, Send

# Ten times the limit covers every honest mistake (a video sent instead of a still); past it, close.
DRAIN_CAP_FACTOR = 10


HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Dateline</title></head>
<body><main><h1>{title}</h1><p>{message}</p>
<p>Go back (your text is kept in this browser's autosave), choose a smaller image or send less, and try again.</p>
</main></body></html>
"""
HTML_TITLES = {400: "The request could not be read", 413: "That was too large to upload"}


def _wants_html(scope: Scope) -> bool:
    """A browser's form post (it asks for HTML), anywhere but the API: API clients always get JSON."""
    if str(scope.get("path", "")).startswith("/api/"):
        return False
    return any(name == b"accept" and b"text/html" in bytes(value) for name, value in scope["headers"])


def _error_body(message: str, code: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}, separators=(",", ":")).encode()


async def _answer(send: Send, scope: Scope, status: int, message: str, code: str, *, close: bool = False) -> None:
    if _wants_html(scope):
        body = HTML_PAGE.format(title=HTML_TITLES[status], message=html.escape(message)).encode()
        content_type = b"text/html; charset=utf-8"
    else:
        body, content_type = _error_body(message, code), b"application/json; charset=utf-8"
    headers = [(b"content-type", content_type), (b"content-length", b"%d" % len(body))]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _drain(receive: Receive, budget: int) -> None:
    """Read and drop what is left of the body, up to ``budget`` bytes (uvicorn answers "disconnect" at once)."""
    while budget > 0:
        message = await receive()
        if message["type"] != "http.request":
            return
        budget -= len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def _content_length(scope: Scope) -> int | None:
    """The declared body length; ``None`` when absent (chunked or no body). ValueError when malformed."""
    values = [value for name, value in scope["headers"] if name == b"content-length"]
    if not values:
        return None
    lengths = {bytes(v).strip() for v in values}
    if len(lengths) != 1:
        raise ValueError("conflicting Content-Length headers")
    raw = lengths.pop()
    if not raw.isdigit():
        raise ValueError(raw)
    return int(raw)


def _too_large_message(limit: int, length: int | None) -> str:
    size = f"{length:,} bytes" if length is not None else f"over {limit:,} bytes"
    return f"The request body is {size}; at most {limit:,} bytes are accepted."


class BodyLimit:
    """ASGI middleware: 413 for request bodies over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, before Django reads them."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:  # Django's handler types its scope as a dict
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Read per request, not at start-up: tests and operators change the setting without a new app object.
        limit: int | None = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if scope["type"] != "http" or limit is None:
            await self.app(scope, receive, send)
            return
        try:
            length = _content_length(scope)
        except ValueError:
            await _answer(send, scope, 400, "Invalid Content-Length header.", "bad_request", close=True)
            return
        cap = limit * DRAIN_CAP_FACTOR
        if length is not None and length > limit:
            expects_continue = any(name == b"expect" and bytes(value).lower() == b"100-continue"
                                   for name, value in scope["headers"])
            # A client waiting for "100 Continue" has sent no body and will not now: nothing to drain, and the
            # connection cannot be reused (the server would wait for a body that never comes), so close it.
            close = expects_continue or length > cap
            await _answer(send, scope, 413, _too_large_message(limit, length), "payload_too_large", close=close)
            if not close:
                await _drain(receive, length)
            return

        received = 0
        over = ended = False

        async def counted() -> Message:
            nonlocal received, over, ended
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                ended = not message.get("more_body", False)
                if received > limit:
                    # Django stops reading at a disconnect and answers nothing (RequestAborted); we answer.
                    over = True
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, counted, send)
        if over:
            await _answer(send, scope, 413, _too_large_message(limit, None), "payload_too_large")
            if not ended:
                await _drain(receive, cap - received)
