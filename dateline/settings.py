"""Django settings, read from the environment (see README "Configuration").

Every setting Dateline adds is named ``DATELINE_*``; tests/test_docs.py checks that each is documented.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url

from dateline.cache import cache_config


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_json(name: str, default: Any) -> Any:
    """A setting given as JSON in the environment; a typo stops the server with the variable's name, not a trace."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return json.loads(value)
    except ValueError as exc:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} is not valid JSON: {exc}") from None


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("DATELINE_DATA_DIR", "var")).resolve()

DEBUG = env_bool("DATELINE_DEBUG")


def secret_key() -> str:
    """``DATELINE_SECRET_KEY``, else a random key made on first start and kept in the data directory (mode 0600).

    Sessions, CSRF tokens and the set-up and reset links are signed with it, so a shared well-known default would
    let anyone forge them. Several workers may start at once: the first to link its key file into place wins and
    the others read that one (``os.link`` fails when the name exists, so nobody reads a half-written file).
    """
    given = os.environ.get("DATELINE_SECRET_KEY", "").strip()
    if given:
        return given
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(64) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made the key first: use that one
        finally:
            draft.unlink()
    return path.read_text().strip()


SECRET_KEY = secret_key()
# The public address decides the host served and whether the site is https-only (see "Transport security" below).
DATELINE_PUBLIC_URL = os.environ.get("DATELINE_PUBLIC_URL", "").rstrip("/")
_public = urlsplit(DATELINE_PUBLIC_URL)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DATELINE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
if _public.hostname and _public.hostname not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_public.hostname)
TIME_ZONE = os.environ.get("DATELINE_TIME_ZONE", "UTC")
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "dateline.accounts",
    "dateline.audit",
    "dateline.coverage",
    "dateline.api",
    "dateline.reader",
    "dateline.newsroom",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dateline.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "dateline.urls"
ASGI_APPLICATION = "dateline.asgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dateline.coverage.limits.context",  # field limits, for maxlength attributes
            ],
        },
    },
]


# Connections each process may hold (PostgreSQL). Processes x pool size must stay under the server's
# max_connections, with room for psql and backups: 2 workers x 20 of PostgreSQL's default 100.
DATABASE_POOL_SIZE = int(os.environ.get("DATELINE_DATABASE_POOL_SIZE", "20"))
DATABASE_POOL_TIMEOUT = float(os.environ.get("DATELINE_DATABASE_POOL_TIMEOUT", "5"))  # seconds a request waits


def database_config() -> dict[str, Any]:
    url = os.environ.get("DATELINE_DATABASE_URL")
    if url:
        config: dict[str, Any] = dict(dj_database_url.parse(url))
    else:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "dateline.sqlite3")}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run while one writer writes; IMMEDIATE takes the write lock at BEGIN, so two
        # actions never both read the same blog seq and then race to write it ("database is locked" mid-transaction).
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        # A file, not Django's shared-cache in-memory database: shared cache answers "table is locked" at once
        # instead of waiting, which would defeat the concurrency tests that prove seq is gap-free under threads.
        config["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # A bounded pool per process, not a connection per request thread: under ASGI every request runs in a
        # thread of its own, and persistent connections (CONN_MAX_AGE) then grow with the number of requests
        # until PostgreSQL refuses everyone. Past the pool's size a request waits up to the timeout for a
        # connection, then gets 503 with Retry-After (health.py), and the process recovers by itself.
        config["CONN_MAX_AGE"] = 0  # the pool keeps the connections; Django returns them after each request
        config["CONN_HEALTH_CHECKS"] = True  # the pool checks a connection before lending it (a restarted server)
        config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(2, DATABASE_POOL_SIZE),
            "max_size": DATABASE_POOL_SIZE,
            "timeout": DATABASE_POOL_TIMEOUT,
            "max_idle": 300,  # give back connections a quiet process no longer needs
        }
    return config


DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DATELINE_MEDIA_ROOT", str(DATA_DIR / "media")))
# Hard links of the media files readers may see (published or lead media), for nginx to serve from disk; MEDIA_ROOT
# holds every upload and is never served directly (coverage/mediafiles.py). Same filesystem as MEDIA_ROOT, or copies.
MEDIA_PUBLIC_ROOT = Path(os.environ.get("DATELINE_MEDIA_PUBLIC_ROOT", str(MEDIA_ROOT.parent / "media-public")))

# A request line and headers larger than this get 431; a connection that has not sent its whole head within
# DATELINE_HEAD_TIMEOUT seconds is closed (dateline/live/protocol.py). Browsers send a few kB.
DATELINE_MAX_HEAD_BYTES = int(os.environ.get("DATELINE_MAX_HEAD_BYTES", str(64 * 1024)))
DATELINE_HEAD_TIMEOUT = float(os.environ.get("DATELINE_HEAD_TIMEOUT", "10"))
# Memory for the edge's page cache per process (live/pages.py): a blog's public pages kept until its next change,
# each with its brotli and gzip copies. 0 turns it off (every request renders, as behind a CDN that keeps them).
DATELINE_PAGE_CACHE_BYTES = int(os.environ.get("DATELINE_PAGE_CACHE_BYTES", str(64 * 1024 * 1024)))
# A request whose body stops arriving for this long is closed (a slow upload that keeps sending is not).
DATELINE_BODY_TIMEOUT = float(os.environ.get("DATELINE_BODY_TIMEOUT", "30"))
# Largest request body the API accepts; bigger ones get 413 with a JSON error.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATELINE_MAX_BODY_BYTES", str(12 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

LOGIN_URL = "/newsroom/login/"
LOGIN_REDIRECT_URL = "/newsroom/"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# --- Transport security: an https DATELINE_PUBLIC_URL makes the site https-only ------------------------------
# Cookies are then Secure, HSTS is sent, plain-http requests are redirected (but /healthz, which load balancers
# ask over http) and the public origin is trusted for CSRF. The scheme of a request behind a TLS-terminating proxy
# comes from X-Forwarded-Proto, believed only from DATELINE_TRUSTED_PROXIES (server.py hands those to uvicorn).
HTTPS_ONLY = _public.scheme == "https"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DATELINE_HSTS_SECONDS", str(365 * 24 * 3600))) if HTTPS_ONLY else 0
# Subdomains and the browsers' preload list are the newsroom's whole domain, not this site's to commit: opt in.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DATELINE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("DATELINE_HSTS_PRELOAD")
CSRF_TRUSTED_ORIGINS = [f"{_public.scheme}://{_public.netloc}"] if _public.netloc else []
# Comma-separated addresses or networks of the proxies in front (nginx, a load balancer); only their
# X-Forwarded-For / X-Forwarded-Proto are believed. Default: none, so a forged header changes nothing.
# GRIP (docs/deploy.md "GRIP"): Pushpin's publish endpoint (its push_in_http port, e.g. http://127.0.0.1:5561/) or
# Fastly Fanout's; the key Pushpin signs its requests with (its sig_key), which must be set for the edge to hand a
# stream to the proxy; and a bearer token for publish endpoints that need one (Fanout).
DATELINE_GRIP_URL = os.environ.get("DATELINE_GRIP_URL", "").strip()
DATELINE_GRIP_KEY = os.environ.get("DATELINE_GRIP_KEY", "")
DATELINE_GRIP_PUBLISH_TOKEN = os.environ.get("DATELINE_GRIP_PUBLISH_TOKEN", "")
DATELINE_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("DATELINE_TRUSTED_PROXIES", "").split(",") if p.strip()]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"overload": {"()": "dateline.health.OverloadIsAWarning"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "dateline": {"handlers": ["console"], "level": os.environ.get("DATELINE_LOG_LEVEL", "INFO")},
        # Every 500 with its traceback, whatever DEBUG says: Django's own config prints these only in DEBUG
        # and otherwise mails ADMINS, which a self-hosted newsroom rarely sets.
        # (An overload's 503 is one WARNING line instead: health.OverloadIsAWarning.)
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False, "filters": ["overload"]},
    },
}

# --- Dateline's own settings -------------------------------------------------------------------------
DATELINE_PUBLISHER = os.environ.get("DATELINE_PUBLISHER", "The Dateline Courier")
# /metrics answers a request bearing this token ("Authorization: Bearer …"); without a token set, only a
# client on this machine that came directly (no proxy in between).
DATELINE_METRICS_TOKEN = os.environ.get("DATELINE_METRICS_TOKEN", "")
DATELINE_REDIS_URL = os.environ.get("DATELINE_REDIS_URL", "")
# Presence and oEmbed answers: per process, or shared by every process through Redis when it is configured.
CACHES = cache_config(DATELINE_REDIS_URL)
DATELINE_MAX_IMAGE_PIXELS = int(os.environ.get("DATELINE_MAX_IMAGE_PIXELS", str(40_000_000)))
# At most this many images are decoded at once per process; an upload that waits longer than
# DATELINE_IMAGE_DECODE_WAIT seconds gets 503. Four 40-megapixel uploads at once peaked at 1.45 GB unbounded, 0.82 GB
# with 2 and 0.52 GB with 1, in about the same time (7.8, 7.5, 8.3 s: the decode is CPU-bound on 2 cores), so 1 per
# process: `--workers 2` then decodes two at once per machine.
DATELINE_IMAGE_DECODE_CONCURRENCY = max(1, int(os.environ.get("DATELINE_IMAGE_DECODE_CONCURRENCY", "1")))
DATELINE_IMAGE_DECODE_WAIT = float(os.environ.get("DATELINE_IMAGE_DECODE_WAIT", "30"))
# /changes keeps at least this many changes per blog, and everything newer than DATELINE_CHANGE_RETENTION_HOURS.
DATELINE_CHANGE_RETENTION_COUNT = int(os.environ.get("DATELINE_CHANGE_RETENTION_COUNT", "1000"))
DATELINE_CHANGE_RETENTION_HOURS = int(os.environ.get("DATELINE_CHANGE_RETENTION_HOURS", "24"))
DATELINE_IDEMPOTENCY_HOURS = 24

# --- embeds by URL (coverage/embeds.py) ----------------------------------------------------------------
# oEmbed providers a newsroom can embed from. Each: "name"; "schemes", URL patterns where "*" matches anything
# (oembed.com's convention; "https://" in a scheme also matches "http://"); "endpoint", the provider's oEmbed
# endpoint (https only; http only on a loopback address); "frame_hosts", the hosts its player iframes may load from
# ("*.example.com" for subdomains). Only an iframe on those hosts is ever shown, sandboxed, and those hosts (nothing
# else) are added to the pages' CSP frame-src. A provider without frame_hosts (posts that need the provider's
# script: X, Bluesky, TikTok, Reddit) is shown as a link card: title, author, provider, link — no third-party script.
# Instagram and Facebook are absent on purpose: Meta's oEmbed needs an app token (add them through
# DATELINE_OEMBED_PROVIDERS_EXTRA with "endpoint" carrying the token if you have one).
DATELINE_OEMBED_PROVIDERS: list[dict[str, Any]] = [
    {"name": "YouTube", "endpoint": "https://www.youtube.com/oembed",
     "schemes": ["https://www.youtube.com/watch*", "https://m.youtube.com/watch*", "https://youtube.com/watch*",
                 "https://youtu.be/*", "https://www.youtube.com/shorts/*", "https://youtube.com/shorts/*",
                 "https://www.youtube.com/live/*"],
     "frame_hosts": ["www.youtube.com", "www.youtube-nocookie.com"]},
    {"name": "Vimeo", "endpoint": "https://vimeo.com/api/oembed.json",
     "schemes": ["https://vimeo.com/*", "https://player.vimeo.com/video/*"],
     "frame_hosts": ["player.vimeo.com"]},
    {"name": "Dailymotion", "endpoint": "https://www.dailymotion.com/services/oembed",
     "schemes": ["https://www.dailymotion.com/video/*", "https://dai.ly/*"],
     "frame_hosts": ["www.dailymotion.com", "geo.dailymotion.com"]},
    {"name": "SoundCloud", "endpoint": "https://soundcloud.com/oembed",
     "schemes": ["https://soundcloud.com/*"],
     "frame_hosts": ["w.soundcloud.com"]},
    {"name": "Spotify", "endpoint": "https://open.spotify.com/oembed",
     "schemes": ["https://open.spotify.com/*"],
     "frame_hosts": ["open.spotify.com"]},
    {"name": "X", "endpoint": "https://publish.twitter.com/oembed",
     "schemes": ["https://x.com/*/status/*", "https://twitter.com/*/status/*", "https://mobile.twitter.com/*/status/*"],
     "frame_hosts": []},
    {"name": "Bluesky", "endpoint": "https://embed.bsky.app/oembed",
     "schemes": ["https://bsky.app/profile/*/post/*"],
     "frame_hosts": []},
    {"name": "TikTok", "endpoint": "https://www.tiktok.com/oembed",
     "schemes": ["https://www.tiktok.com/@*/video/*"],
     "frame_hosts": []},
    {"name": "Reddit", "endpoint": "https://www.reddit.com/oembed",
     "schemes": ["https://www.reddit.com/r/*/comments/*", "https://reddit.com/r/*/comments/*"],
     "frame_hosts": []},
]
# A newsroom's own providers (its video player, a regional platform), as a JSON list of the same shape; checked
# before the defaults, so an entry here can also replace a default for the same URLs.
DATELINE_OEMBED_PROVIDERS_EXTRA: list[dict[str, Any]] = env_json("DATELINE_OEMBED_PROVIDERS_EXTRA", [])
DATELINE_OEMBED_TIMEOUT = 3.0  # seconds for the whole request: a composer waits on it
DATELINE_OEMBED_MAX_BYTES = 256 * 1024  # real answers are 1-10 kB
DATELINE_OEMBED_CACHE_SECONDS = 24 * 3600
DATELINE_OEMBED_FAILURE_CACHE_SECONDS = 60  # brief: a provider that is down is not hammered, but recovers fast
