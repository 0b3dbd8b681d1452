"""Video and social embeds by URL: a small oEmbed client whose answers are checked, never trusted.

A reporter pastes a link (a YouTube video, a post on X); the provider that claims the URL (``DATELINE_OEMBED_PROVIDERS``
and ``DATELINE_OEMBED_PROVIDERS_EXTRA``, see settings.py) is asked for its oEmbed JSON, and ``media.create_embed``
stores a structured ``Media(kind="embed")`` from it. Why each rule:

* **The provider's HTML is never stored or shown.** Providers hand out ``<script>`` tags (X, TikTok, Bluesky), and a
  compromised or spoofed endpoint could hand out anything. Only one shape is kept: a single ``<iframe>`` whose ``src``
  is https on a host in the provider's ``frame_hosts``; it is rendered by our own template, sandboxed. A player on any
  other host is refused (a clear 422) rather than shown; a script-based post becomes a link card (title, author,
  provider, link) with no third-party script at all.
* **Only https endpoints** (http only on a loopback address, for tests and a local provider). Redirects are not
  followed, so an endpoint cannot bounce the server to an internal address.
* **A deadline, a size cap and JSON only**: the composer waits on this request, so connecting is bounded by
  ``DATELINE_OEMBED_TIMEOUT`` (3 s) and so is reading the answer as a whole — not only each socket read, which a
  slow-dripping server could stretch — and at most ``DATELINE_OEMBED_MAX_BYTES`` are read (real answers: 1-10 kB).
* **Cached by URL** in Django's cache: answers for ``DATELINE_OEMBED_CACHE_SECONDS`` (24 h), failures for
  ``DATELINE_OEMBED_FAILURE_CACHE_SECONDS`` (60 s), so retrying a refused post or re-filing the same link does not
  call the provider again, and a provider that is down is not hammered. Nothing is fetched at import time.

Every failure is an ``EmbedError`` (a ``ValidationFailed``: 422 with a message naming the URL's problem), never a 500.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import json
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from dateline.coverage import limits
from dateline.coverage.errors import ValidationFailed
from dateline.coverage.validation import clean_text, is_encodable

OEMBED_TYPES = ("video", "rich", "photo", "link")
MAX_TITLE = limits.MAX_MEDIA_TITLE
MAX_AUTHOR = limits.MAX_EMBED_AUTHOR
MAX_FRAME_URL = limits.MAX_FRAME_URL
MAX_DIMENSION = 10_000
CACHE_PREFIX = "dateline:oembed:v1:"
USER_AGENT = "Dateline-oEmbed/1.0 (live blog; +https://oembed.com)"
_HOST = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


class EmbedError(ValidationFailed):
    """The URL cannot be embedded; ``message`` says why in words a reporter can act on."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message, fields={"url": message}, code=code)


# --- providers ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Provider:
    """One oEmbed provider: which URLs it claims, where to ask, and where its player iframes may come from."""

    name: str
    endpoint: str
    schemes: tuple[re.Pattern[str], ...]
    frame_hosts: tuple[str, ...]

    def claims(self, url: str) -> bool:
        return any(pattern.fullmatch(url) for pattern in self.schemes)

    def allows_frame_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        for allowed in self.frame_hosts:
            if allowed.startswith("*."):
                if host.endswith(allowed[1:]) and host != allowed[2:]:
                    return True
            elif host == allowed:
                return True
        return False


def _scheme_pattern(glob: str) -> re.Pattern[str]:
    """oembed.com's URL schemes: ``*`` matches anything; an ``https://`` scheme also claims the ``http://`` URL."""
    scheme, sep, rest = glob.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        raise ImproperlyConfigured(f"oEmbed scheme {glob!r} must start with https:// (or http://).")
    body = ".*".join(re.escape(part) for part in rest.split("*"))
    return re.compile(r"https?://" + body, re.IGNORECASE)


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_endpoint(name: str, endpoint: Any) -> str:
    if not isinstance(endpoint, str):
        raise ImproperlyConfigured(f"oEmbed provider {name!r}: 'endpoint' must be a URL string.")
    parts = urlsplit(endpoint)
    if parts.scheme == "https" and parts.hostname:
        return endpoint
    if parts.scheme == "http" and is_loopback(parts.hostname):
        return endpoint
    raise ImproperlyConfigured(
        f"oEmbed provider {name!r}: endpoint {endpoint!r} must be https (http is allowed only on a loopback address)."
    )


def _provider(entry: Any) -> Provider:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
        raise ImproperlyConfigured(f"Each oEmbed provider needs a 'name', 'schemes' and 'endpoint'; got {entry!r}.")
    name = entry["name"].strip()
    unknown = set(entry) - {"name", "schemes", "endpoint", "frame_hosts"}
    if unknown:
        raise ImproperlyConfigured(f"oEmbed provider {name!r}: unknown key(s) {', '.join(sorted(unknown))}.")
    schemes = entry.get("schemes")
    if not isinstance(schemes, list) or not schemes or not all(isinstance(s, str) for s in schemes):
        raise ImproperlyConfigured(f"oEmbed provider {name!r}: 'schemes' must be a non-empty list of URL patterns.")
    hosts = entry.get("frame_hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) and _HOST.match(h.lower()) for h in hosts):
        raise ImproperlyConfigured(
            f"oEmbed provider {name!r}: 'frame_hosts' must be a list of host names (e.g. 'player.example.com' "
            "or '*.example.com'), without scheme, port or path."
        )
    return Provider(name=name, endpoint=_check_endpoint(name, entry.get("endpoint")),
                    schemes=tuple(_scheme_pattern(s) for s in schemes),
                    frame_hosts=tuple(h.lower() for h in hosts))


@lru_cache(maxsize=8)
def _compiled(config: str) -> tuple[Provider, ...]:
    return tuple(_provider(entry) for entry in json.loads(config))


def providers() -> tuple[Provider, ...]:
    """The configured providers, the newsroom's own (``…_EXTRA``) first. Raises ImproperlyConfigured when wrong."""
    extra = settings.DATELINE_OEMBED_PROVIDERS_EXTRA
    if not isinstance(extra, list):
        raise ImproperlyConfigured("DATELINE_OEMBED_PROVIDERS_EXTRA must be a JSON list of providers.")
    return _compiled(json.dumps([*extra, *settings.DATELINE_OEMBED_PROVIDERS]))


def provider_for(url: str) -> Provider | None:
    return next((p for p in providers() if p.claims(url)), None)


def frame_sources() -> list[str]:
    """CSP ``frame-src`` sources for every provider's player hosts (what the rendered embed iframes load)."""
    return list(dict.fromkeys(f"https://{host}" for p in providers() for host in p.frame_hosts))


def _split(url: str) -> tuple[SplitResult, str | None, int | None] | None:
    """``urlsplit`` with the host and port read, or None: those raise ValueError on a malformed address
    ("http://[::1" with its IPv6 bracket unclosed, a port of 99999 or "abc"), which must not become a 500."""
    try:
        parts = urlsplit(url)
        return parts, parts.hostname, parts.port
    except ValueError:
        return None


def check_url(url: str) -> str | None:
    """Why a pasted link cannot be looked up (``None`` when it can): http(s) with a host, nothing hidden in it."""
    split = _split(url)
    if split is None:
        return "Must be a valid link: its host or port could not be read."
    parts, hostname, _port = split
    if parts.scheme.lower() not in ("http", "https") or not hostname:
        return "Must be an http(s) link to the video or post, e.g. https://www.youtube.com/watch?v=…"
    if parts.username or parts.password or any(c.isspace() for c in url):
        return "Must be a plain link (no spaces, no user name or password in it)."
    return None


# --- fetching -------------------------------------------------------------------------------------------------

class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError for the 3xx


def _request_url(provider: Provider, url: str) -> str:
    parts = urlsplit(provider.endpoint.replace("{format}", "json"))
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("url", "format")]
    query += [("url", url), ("format", "json")]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _fetch(provider: Provider, url: str) -> dict[str, Any]:
    """The provider's oEmbed answer for ``url`` as a dict, or EmbedError saying what went wrong."""
    timeout = float(settings.DATELINE_OEMBED_TIMEOUT)
    limit = int(settings.DATELINE_OEMBED_MAX_BYTES)
    endpoint = _request_url(provider, url)
    # A proxy from the environment is fine for the internet, never for a loopback endpoint (it would not reach it).
    proxies = urllib.request.ProxyHandler({}) if is_loopback(urlsplit(endpoint).hostname) else \
        urllib.request.ProxyHandler()
    opener = urllib.request.build_opener(proxies, _NoRedirects())
    # The endpoint's scheme was checked when the provider was configured (_check_endpoint): https, or loopback http.
    request = urllib.request.Request(  # noqa: S310
        endpoint, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
    deadline = time.monotonic() + timeout
    slow = EmbedError(f"{provider.name} did not answer within {timeout:g} s. Try again in a minute.",
                      code="embed_unavailable")
    try:
        with opener.open(request, timeout=timeout) as response:
            chunks: list[bytes] = []
            size = 0
            # The deadline is for the whole answer: a provider dripping one byte at a time must not hold the request
            # (a socket timeout alone restarts with every byte). read1 returns after one recv, and each recv may
            # wait only for what is left of the deadline.
            sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise slow
                if sock is not None:
                    sock.settimeout(remaining)
                chunk = response.read1(16_384)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise EmbedError(f"{provider.name} sent an answer larger than {limit:,} bytes; it was not used.",
                                     code="embed_invalid")
                chunks.append(chunk)
    except urllib.error.HTTPError as error:
        status = error.code
        error.close()
        if status in (401, 403, 404):
            raise EmbedError(f"{provider.name} has no embed for this link ({status}): it may be private, deleted or "
                             "not embeddable.", code="embed_not_found") from None
        if 300 <= status < 400:
            raise EmbedError(f"{provider.name} answered with a redirect ({status}), which is not followed.",
                             code="embed_unavailable") from None
        raise EmbedError(f"{provider.name} answered {status}: it may be down. Try again in a minute.",
                         code="embed_unavailable") from None
    except TimeoutError:
        raise slow from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        if isinstance(getattr(error, "reason", None), TimeoutError):
            raise slow from None
        raise EmbedError(f"{provider.name} could not be reached. Try again in a minute.",
                         code="embed_unavailable") from None
    try:
        data = _scrub(json.loads(b"".join(chunks)))
    except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested deeper than the parser goes
        data = None
    if not isinstance(data, dict) or data.get("type") not in OEMBED_TYPES:
        raise EmbedError(f"{provider.name} did not answer with oEmbed JSON for this link.", code="embed_invalid")
    return data


def _cache_key(provider: Provider, url: str) -> str:
    return CACHE_PREFIX + hashlib.sha256(f"{provider.endpoint}\n{url}".encode()).hexdigest()


def lookup(provider: Provider, url: str) -> dict[str, Any]:
    """The provider's answer for ``url``, from the cache when asked recently (failures too, for a short while)."""
    key = _cache_key(provider, url)
    cached = cache.get(key)
    if cached is not None:
        if "error" in cached:
            raise EmbedError(cached["error"]["message"], code=cached["error"]["code"])
        return dict(cached["data"])
    try:
        data = _fetch(provider, url)
    except EmbedError as error:
        cache.set(key, {"error": {"message": error.message, "code": error.code}},
                  settings.DATELINE_OEMBED_FAILURE_CACHE_SECONDS)
        raise
    cache.set(key, {"data": data}, settings.DATELINE_OEMBED_CACHE_SECONDS)
    return data


# --- turning an answer into what we store ---------------------------------------------------------------------

class _Tags(HTMLParser):
    """Every element in a snippet of provider HTML, with its attributes (entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text += data


def _scrub(value: Any, depth: int = 0) -> Any:
    """The answer with every string storable: a lone surrogate (JSON can carry "\\ud800") becomes "?"."""
    if depth > 20:
        raise ValueError("nested too deeply")
    if isinstance(value, str):
        return value if is_encodable(value) else value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_scrub(k, depth + 1): _scrub(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, depth + 1) for v in value]
    return value


def single_iframe(html: str) -> dict[str, str] | None:
    """The attributes of the iframe when ``html`` is exactly one ``<iframe>`` and nothing else; otherwise None."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    if len(parser.tags) != 1 or parser.tags[0][0] != "iframe" or parser.text.strip():
        return None
    return parser.tags[0][1]


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        return ""
    value = " ".join(clean_text(value).split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _dimension(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_DIMENSION:
        return value
    return None


def _https_url(value: Any, limit: int = MAX_FRAME_URL) -> str:
    if not isinstance(value, str) or len(value) > limit or any(c.isspace() or c < " " or c == "\x7f" for c in value):
        return ""
    split = _split(value)
    if split is None:
        return ""
    parts, hostname, _port = split
    return value if parts.scheme == "https" and hostname and not parts.username else ""


def embed_fields(provider: Provider, data: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``Media`` an oEmbed answer gives: text cleaned, URLs https, the player only if allowlisted."""
    fields: dict[str, Any] = {
        "provider": provider.name,
        "title": _text(data.get("title"), MAX_TITLE),
        "author": _text(data.get("author_name"), MAX_AUTHOR),
        "thumbnail_url": _https_url(data.get("thumbnail_url")),
        "width": _dimension(data.get("width")),
        "height": _dimension(data.get("height")),
        "frame_src": "",
    }
    html = data.get("html")
    frame = single_iframe(html) if provider.frame_hosts and isinstance(html, str) else None
    if frame is not None:
        src = frame.get("src", "").strip()
        split = _split(src)
        host, port = (split[1] or "", split[2]) if split else ("", None)
        if len(src) > MAX_FRAME_URL:
            raise EmbedError(f"{provider.name}'s player address for this link is longer than {MAX_FRAME_URL} "
                             "characters; it was not embedded.", code="embed_invalid")
        if not _https_url(src) or port not in (None, 443) or not provider.allows_frame_host(host):
            shown = host or src[:80] or "no address"
            raise EmbedError(
                f"{provider.name}'s player for this link is at {shown}, which is not on the list of hosts allowed for "
                f"{provider.name} ({', '.join(provider.frame_hosts)}); it was not embedded.",
                code="embed_untrusted",
            )
        fields["frame_src"] = src
        fields["width"] = fields["width"] or _dimension(frame.get("width"))
        fields["height"] = fields["height"] or _dimension(frame.get("height"))
    return fields


def resolve(url: str) -> dict[str, Any]:
    """Look ``url`` up with its provider (cached) and return the checked fields for a ``Media(kind="embed")``."""
    problem = check_url(url)
    if problem:
        raise EmbedError(problem, code="validation_error")
    provider = provider_for(url)
    if provider is None:
        host = urlsplit(url).hostname or url  # check_url read it already
        names = ", ".join(dict.fromkeys(p.name for p in providers()))
        raise EmbedError(f"Links from {host} cannot be embedded. Embeddable: {names}.", code="embed_unsupported")
    return embed_fields(provider, lookup(provider, url))
