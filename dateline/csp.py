"""Content-Security-Policy on every HTML page Dateline serves; a fresh nonce per request on pages nobody shares.

Only scripts from our own origin, or ``<script nonce=…>`` tags the server wrote, can run: an injected ``<script>`` or
``onerror=`` in content that slipped past the sanitiser still does nothing. Templates read the nonce as
``{{ request.csp_nonce }}``. JSON-LD (``type="application/ld+json"``) is data, not script, and needs no nonce.

Pages a shared cache may store (``Cache-Control: public`` or ``s-maxage`` — the reader pages, kept by a CDN for a
few seconds) get ``script-src 'self'`` with no nonce: a nonce is only a secret if each response has its own, and a
CDN would hand one nonce to every reader of that page for as long as it keeps it. Those pages have no inline script
and load ``live.js`` from our origin, so ``'self'`` is all they need; the newsroom's private pages keep their nonces.

Embeds: ``frame-src`` allows our own origin and the player hosts of the configured oEmbed providers (their
``frame_hosts``, https only), the only places the iframes ``coverage/_embed.html`` renders may load from. A player
URL on any other host is refused when the embed is created, and the browser refuses it here too.

Framing: pages are not framable (``frame-ancestors 'none'``, matching X-Frame-Options), except views marked
``@xframe_options_exempt`` — the reader's embed widget, which partner sites put in an iframe.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from dateline.coverage.embeds import frame_sources


def policy_for(nonce: str | None, *, framable: bool = False) -> str:
    """The policy; ``nonce=None`` for a page that shared caches may store (scripts from our origin only)."""
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'" if nonce else "script-src 'self'",
        # ProseMirror and the editor's toolbar position things with style attributes; styles cannot run code.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        " ".join(["frame-src 'self'", *frame_sources()]),
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors *" if framable else "frame-ancestors 'none'",
    ])


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            framable = getattr(response, "xframe_options_exempt", False)
            shared = shared_cacheable(response)
            response.setdefault("Content-Security-Policy", policy_for(None if shared else nonce, framable=framable))
        return response


def shared_cacheable(response: HttpResponse) -> bool:
    """May a shared cache (CDN, proxy) store this response and serve it to other people?"""
    directives = {d.strip().split("=", 1)[0].lower() for d in response.get("Cache-Control", "").split(",")}
    return bool(directives & {"public", "s-maxage"}) and not directives & {"private", "no-store"}
