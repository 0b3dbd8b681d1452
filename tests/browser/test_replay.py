"""State equivalence on the shipped client (Zulip's verify_action, for Dateline): a reader page rendered at some
seq and kept current by the real ``live.js`` in Chromium ends identical — header, key points, post count, pinned
posts, feed and title — to a fresh server render at the final seq, after a random session of writes made through
the actions. Three ways in: the live stream as it happens; a scrambled stream (reordered, duplicated, with holes)
that the client must hold, de-duplicate and gap-fill from ``/changes``; and polling only, with ``/changes``
answering in small ``"more": true`` pages."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT
from tests.browser.test_live import NORMALISED

# Every data-seq the page passes through: the client applies each change once, in order.
# (Each record's old value: records arrive in batches, after several changes may have been applied.)
RECORD_SEQS = """window.__seqs = []; addEventListener('DOMContentLoaded', () => {
  new MutationObserver(records => { for (const r of records) window.__seqs.push(+r.oldValue); })
    .observe(document.querySelector('main[data-seq]'),
             {attributes: true, attributeFilter: ['data-seq'], attributeOldValue: true}); });"""
SEQS_SEEN = "[...window.__seqs, +document.querySelector('main').getAttribute('data-seq')]"


@pytest.fixture(scope="module")
def writer(server) -> Iterator[subprocess.Popen]:
    """A process writing through the actions on the server's own database (see replay_session.py)."""
    env = {**server.env, "DJANGO_SETTINGS_MODULE": "dateline.settings"}
    proc = subprocess.Popen([sys.executable, "-m", "tests.browser.replay_session"], cwd=ROOT, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    yield proc
    proc.stdin.close()
    proc.wait(30)
    proc.stdout.close()


def session(writer, slug: str, seed: int, steps: int, end: bool = False) -> int:
    writer.stdin.write(json.dumps({"slug": slug, "seed": seed, "steps": steps, "end": end}) + "\n")
    writer.stdin.flush()
    line = writer.stdout.readline()
    assert line, "the writer process died"
    return json.loads(line)["seq"]


def sse_body(changes: list[dict], rng: random.Random) -> str:
    """The changes as one SSE response, scrambled: each moved up to a few places, some twice, some left out."""
    kept = [c for c in changes if rng.random() > 0.2]
    kept += [c for c in changes if rng.random() < 0.2]
    kept.sort(key=lambda c: c["seq"] + rng.uniform(0, 4))
    frames = ["retry: 600000\n\n"]  # the stream ends after this body; the client must fill the rest itself
    frames += [f"id: {c['seq']}\nevent: {c['type']}\ndata: {json.dumps(c)}\n\n" for c in kept]
    return "".join(frames)


PAGE_SIZE = 3


def paged(route, request) -> None:
    """/changes as a server answers a client far behind: a few changes at a time with ``"more": true``."""
    answer = route.fetch()
    body = answer.json()
    if len(body["changes"]) > PAGE_SIZE:
        body = {"seq": body["changes"][PAGE_SIZE - 1]["seq"], "changes": body["changes"][:PAGE_SIZE], "more": True}
    route.fulfill(response=answer, body=json.dumps(body))


@pytest.mark.parametrize(("seed", "way"), [(1, "live"), (2, "scrambled"), (3, "polling"),
                                           (4, "live"), (5, "scrambled"), (6, "polling")])
def test_a_page_kept_live_by_the_shipped_client_equals_a_fresh_render(chromium, server, writer, seed, way):
    rng = random.Random(seed)
    slug = server.create_blog(f"Replay {seed} {way}")["slug"]
    start = session(writer, slug, seed * 100, steps=0 if seed <= 3 else rng.randint(1, 12))
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, base_url=server.url)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: "Content Security Policy" in m.text and errors.append(m.text))
        page.add_init_script(RECORD_SEQS)
        if way == "polling":
            page.add_init_script("delete window.EventSource")
        if way == "live":
            page.goto(f"/live/{slug}/")
            page.evaluate("window.__noReload = true")
            final = session(writer, slug, seed * 100 + 1, steps=30, end=True)
        else:
            # The page as the server rendered it at `start`, opened after the whole session was written.
            rendered = httpx.get(f"{server.url}/live/{slug}/")
            final = session(writer, slug, seed * 100 + 1, steps=30, end=True)
            headers = {k: v for k, v in rendered.headers.items() if k not in ("content-length", "content-encoding")}
            page.route(f"{server.url}/live/{slug}/", lambda route: route.fulfill(
                status=200, headers=headers, body=rendered.content))
            page.route(f"{server.url}/live/{slug}/changes?*", paged)
            if way == "scrambled":
                # The writer reaches no broker: the edge, following the blog since the page was rendered (its page
                # cache), learns of the session at its next database check, or at once when asked for a seq past
                # what it knows — as here.
                assert httpx.get(f"{server.url}/live/{slug}/changes?after={final}").json()["seq"] == final
                changes = httpx.get(f"{server.url}/live/{slug}/changes?after={start}").json()["changes"]
                assert [c["seq"] for c in changes] == list(range(start + 1, final + 1))
                body = sse_body(changes, rng)
                page.route(f"{server.url}/live/{slug}/events?*", lambda route: route.fulfill(
                    status=200, headers={"content-type": "text/event-stream"}, body=body))
            page.goto(f"/live/{slug}/")
            page.evaluate("window.__noReload = true")
        expect(page.locator("main")).to_have_attribute("data-seq", str(final), timeout=15_000)
        assert page.evaluate("window.__noReload === true"), "the page reloaded"
        assert page.evaluate(SEQS_SEEN) == list(range(start, final + 1)), "each change once, in order"
        live = page.evaluate(NORMALISED)
        title = page.title()

        fresh = context.new_page()
        fresh.goto(f"/live/{slug}/")
        assert fresh.get_attribute("main", "data-seq") == str(final)
        assert live == fresh.evaluate(NORMALISED)
        assert title == fresh.title()
        assert "What we covered here" in live["key-points"][1][0], "the session ended the blog"
    finally:
        context.close()
    assert not errors, errors


@pytest.mark.parametrize("way", ["stream", "changes"])
def test_a_reset_reloads_the_page(chromium, server, way):
    """Our position is gone (a reset event on the stream, or "reset": true from /changes): no change can repair the
    page, so the client reloads it, once, and the reloaded page follows the blog again."""
    slug = server.create_blog("Reset test")["slug"]
    context = chromium.new_context(base_url=server.url)
    resets: list[str] = []

    def reset_once(route, request):
        if resets:
            route.continue_()
            return
        resets.append(request.url)
        if way == "stream":
            route.fulfill(status=200, headers={"content-type": "text/event-stream"},
                          body='retry: 600000\n\nid: 0\nevent: reset\ndata: {"seq": 0, "type": "reset"}\n\n')
        else:
            route.fulfill(status=200, json={"seq": 0, "changes": [], "reset": True})

    try:
        if way == "changes":
            context.add_init_script("delete window.EventSource")
        page = context.new_page()
        page.route(f"{server.url}/live/{slug}/{'events' if way == 'stream' else 'changes'}?*", reset_once)
        loads: list[str] = []
        page.on("load", lambda p: loads.append(p.url))
        page.goto(f"/live/{slug}/")
        deadline = time.monotonic() + 10
        while len(loads) < 2 and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert len(loads) == 2 and len(resets) == 1, (loads, resets)
        post = server.publish(slug, "After the reset")
        expect(page.locator(f"#post-{post['id']}")).to_be_visible(timeout=15_000)
    finally:
        context.close()
