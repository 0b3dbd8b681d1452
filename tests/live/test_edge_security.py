"""What ``dateline serve`` believes and shows (issue 11: 6 and 10), on the real server stack in a thread.

The server is built by ``dateline.server.config`` — the uvicorn config ``dateline serve`` runs, with its proxy
header handling — around ``dateline.asgi``'s application: the live edge in front of Django.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.live.conftest import run_config

FORGED = "203.0.113.9"


@pytest.fixture
def serve(transactional_db, settings) -> Iterator[Callable[[], str]]:
    """Start ``dateline serve``'s uvicorn config (``server.config``) in a thread; its URL."""
    with contextlib.ExitStack() as servers:
        def start() -> str:
            from dateline.server import config

            cfg = config("127.0.0.1", 0)
            cfg.log_level = "warning"
            return servers.enter_context(run_config(cfg))[0]

        yield start


def _fail_sign_in(url: str, forwarded_for: str) -> None:
    with httpx.Client(base_url=url) as client:
        page = client.get("/newsroom/login/")
        token = client.cookies["csrftoken"]
        assert page.status_code == 200
        response = client.post("/newsroom/login/", data={"username": "nobody", "password": "wrong",
                                                         "csrfmiddlewaretoken": token},
                               headers={"X-Forwarded-For": forwarded_for, "Referer": f"{url}/newsroom/login/"})
        assert response.status_code == 200  # the form again, with an error


def _failure_addresses() -> list[str | None]:
    from dateline.newsroom.models import LoginFailure

    return list(LoginFailure.objects.values_list("ip", flat=True))


def test_a_forged_forwarded_for_is_not_the_client_address(serve):
    """uvicorn believes X-Forwarded-For from 127.0.0.1 by default: each guess could claim a fresh address and never
    meet the per-address sign-in limit. With no trusted proxies configured, the header changes nothing."""
    url = serve()
    _fail_sign_in(url, FORGED)
    assert _failure_addresses() == ["127.0.0.1"]


def test_a_trusted_proxy_names_the_client(serve, settings):
    settings.DATELINE_TRUSTED_PROXIES = ["127.0.0.0/8"]
    url = serve()
    _fail_sign_in(url, FORGED)
    assert _failure_addresses() == [FORGED]


def test_metrics_answer_only_this_machine_or_the_token(serve, settings):
    url = serve()
    assert httpx.get(f"{url}/metrics").status_code == 200  # a local Prometheus, directly
    forwarded = httpx.get(f"{url}/metrics", headers={"X-Forwarded-For": FORGED})  # a proxy passing a reader on
    assert forwarded.status_code == 403 and forwarded.json()["error"]["code"] == "forbidden"
    settings.DATELINE_METRICS_TOKEN = "s3cret-scrape-token"
    refused = httpx.get(f"{url}/metrics")
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
    assert httpx.get(f"{url}/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    scraped = httpx.get(f"{url}/metrics", headers={"Authorization": "Bearer s3cret-scrape-token"})
    assert scraped.status_code == 200 and re.search(r"^dateline_live_readers ", scraped.text, re.M)


def test_every_answer_of_the_live_edge_is_nosniff(serve, blog):
    url = serve()
    answers = [httpx.get(f"{url}/live/{blog.slug}/changes?after=0"),
               httpx.get(f"{url}/live/no-such-blog/changes?after=0"),
               httpx.get(f"{url}/live/{blog.slug}/changes?after=x"),
               httpx.get(f"{url}/metrics")]
    with httpx.stream("GET", f"{url}/live/{blog.slug}/events") as stream:
        answers.append(stream)
    assert [r.status_code for r in answers] == [200, 404, 400, 200, 200]
    assert all(r.headers.get("x-content-type-options") == "nosniff" for r in answers), \
        [dict(r.headers) for r in answers]


def test_an_https_site_sends_plain_http_readers_to_https(serve, settings, blog):
    """With an https public URL, the edge's streams and files redirect as Django's pages do; behind a trusted
    TLS-terminating proxy (X-Forwarded-Proto: https) they are served. /metrics stays local on plain http."""
    settings.DATELINE_PUBLIC_URL = "https://live.example.com"
    settings.HTTPS_ONLY = True
    settings.DATELINE_TRUSTED_PROXIES = ["127.0.0.1"]
    url = serve()
    plain = httpx.get(f"{url}/live/{blog.slug}/changes?after=0")
    assert plain.status_code == 301
    assert plain.headers["location"] == f"https://live.example.com/live/{blog.slug}/changes?after=0"
    proxied = httpx.get(f"{url}/live/{blog.slug}/changes?after=0", headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200
    assert httpx.get(f"{url}/metrics").status_code == 200



def test_a_failing_change_log_is_503_with_retry_after_not_500(serve, blog, monkeypatch):
    """When the database does not answer (or the pool stays empty), the edge says "busy, retry"."""
    from dateline.asgi import application

    def down(*args):
        raise ConnectionError("database not answering")

    url = serve()
    monkeypatch.setattr(application.source, "blog_by_slug", down)
    for endpoint in ("changes?after=0", "events"):
        response = httpx.get(f"{url}/live/{blog.slug}/{endpoint}")
        assert response.status_code == 503, endpoint
        assert response.headers["retry-after"] == "2" and response.json()["error"]["code"] == "unavailable"
