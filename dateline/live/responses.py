"""Small helpers to answer plain HTTP requests from raw ASGI (the Starlette ``Response`` idea, without Starlette)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from dateline.live.types import Scope, Send


def header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def query_param(scope: Scope, name: str) -> str | None:
    raw = scope.get("query_string", b"").decode("latin-1")
    for key, value in parse_qsl(raw, keep_blank_values=True):
        if key == name:
            return value
    return None


def parse_seq(value: str | bytes | None) -> int | None:
    """A non-negative seq, or None when absent; ValueError when malformed."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text.isdigit() or len(text) > 18:
        raise ValueError(text)
    return int(text)


# Every answer of the edge says what it is and nothing else: a browser must never sniff JSON or text into a script.
NOSNIFF = (b"x-content-type-options", b"nosniff")


async def respond(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]],
                  *, head: bool = False) -> None:
    if NOSNIFF not in headers:
        headers = [*headers, NOSNIFF]
    await send({"type": "http.response.start", "status": status,
                "headers": [*headers, (b"content-length", b"%d" % len(body))]})
    await send({"type": "http.response.body", "body": b"" if head else body})


async def json_response(send: Send, status: int, data: Any, headers: list[tuple[bytes, bytes]] | None = None,
                        *, head: bool = False) -> None:
    body = json.dumps(data, separators=(",", ":")).encode()
    await respond(send, status, body, [(b"content-type", b"application/json"), *(headers or [])], head=head)


async def json_error(send: Send, status: int, code: str, message: str,
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """The API's error shape: ``{"error": {"code", "message"}}``; errors are not cached by shared caches."""
    await json_response(send, status, {"error": {"code": code, "message": message}},
                        [(b"cache-control", b"no-store"), *(headers or [])])
