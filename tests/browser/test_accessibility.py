"""Accessibility (axe-core in the browser), HTML validity (the W3C Nu checker) and screenshots of the demo page.

axe-core 4.14.1 is vendored in tests/browser/vendor/axe-core (see its README); vnu.jar is the official
npm package ``vnu-jar``, fetched by ``make test`` into .venv/vnu/ (needs Java).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dateline.demo.content import PREVIOUS_DAY
from tests.conftest import missing_service

from .conftest import ROOT

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture(scope="module")
def demo(server) -> str:
    """The demo live blog (dateline demo), loaded into the running server's database."""
    out = server.cli("demo")
    return out.split("/live/", 1)[1].split("/", 1)[0]


@pytest.fixture(scope="module")
def written(server) -> dict[str, str]:
    """Pages of a blog written through the API as a newsroom writes one: its times carry microseconds (the demo's
    are whole minutes, which is how invalid ``datetime`` attributes once went unnoticed), with an edit, a
    correction and key points."""
    slug = server.create_blog("Written through the API")["slug"]
    post = server.publish(slug, "Published through the API", body="<p>Checked by the Nu checker.</p>")
    server.patch(slug, post["id"], update_note="This post has been updated.",
                 correction="An earlier version of this post misspelt a name.")
    server.key_points(slug, [{"text": "<strong>Checked:</strong> the page is valid.", "post_id": post["id"]}])
    return {
        "reader page (API)": f"/live/{slug}/",
        "post page (API)": f"/live/{slug}/posts/{post['id']}/",
        "embed (API)": f"/live/{slug}/embed/",
        "corrections log (API)": f"/live/{slug}/corrections/",
    }


def pages_to_check(server, demo: str) -> dict[str, str]:
    first_post = server.api("GET", f"/blogs/{demo}/posts?limit=1").json()["items"][0]["id"]
    with_image = next((p["id"] for p in server.api("GET", f"/blogs/{demo}/posts?limit=100").json()["items"]
                       if p["media"]), first_post)
    return {
        "reader page": f"/live/{demo}/",
        "post page": f"/live/{demo}/posts/{first_post}/",
        "post page with image": f"/live/{demo}/posts/{with_image}/",
        "embed": f"/live/{demo}/embed/",
        "corrections log": f"/live/{demo}/corrections/",  # the demo carries a correction, so the list is shown
        "previous day (ended)": f"/live/{PREVIOUS_DAY['slug']}/",
        "index": "/",
    }


def run_axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return result


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations(chromium, server, demo, written, scheme):
    """0 axe violations on the reader page, a post page, the embed, the corrections log and the index, in light
    and dark mode; for the demo and for a blog written through the API."""
    # bypass_csp: axe is injected as an inline script, which our Content-Security-Policy rightly refuses.
    context = chromium.new_context(base_url=server.url, color_scheme=scheme, viewport={"width": 1280, "height": 900},
                                   bypass_csp=True)
    try:
        page = context.new_page()
        for name, url in {**pages_to_check(server, demo), **written}.items():
            page.goto(url)
            violations = run_axe(page)
            assert violations == [], f"{name} ({scheme}): {json.dumps(violations, indent=1)}"
    finally:
        context.close()


def test_axe_after_live_changes_and_with_the_new_posts_button(chromium, server, demo):
    """The page stays accessible once the script has enhanced it and inserted posts and the button."""
    context = chromium.new_context(base_url=server.url, viewport={"width": 390, "height": 844}, bypass_csp=True)
    post = None
    try:
        page = context.new_page()
        page.goto(f"/live/{demo}/")
        page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
        post = server.publish(demo, "Accessibility check post")
        page.locator("#new-posts").wait_for(state="visible", timeout=5000)
        assert run_axe(page) == []
        page.locator("#new-posts").click()
        assert run_axe(page) == []
    finally:
        if post:  # leave the demo as it was for the screenshots
            server.delete(demo, post["id"])
        context.close()


VNU_JAR = Path(__file__).resolve().parents[2] / ".venv" / "vnu" / "vnu.jar"


def vnu_jar() -> Path:
    """The official W3C Nu checker jar (npm package vnu-jar), fetched by ``make test`` into .venv/vnu/."""
    jar = Path(os.environ.get("DATELINE_VNU_JAR", VNU_JAR))
    if not jar.exists():
        missing_service(f"the W3C Nu checker: {jar} missing (make test fetches it with 'npm pack vnu-jar')")
    if not shutil.which("java"):
        missing_service("Java not found: apt-get install -y default-jre-headless")
    return jar


def test_nu_html_checker_finds_no_errors(server, demo, written, tmp_path):
    """The server's HTML is valid HTML5 by the W3C Nu checker (vnu): 0 errors, on the demo and on pages written
    through the API (published, edited and corrected at real times)."""
    import httpx

    jar = vnu_jar()
    files = []
    for name, url in {**pages_to_check(server, demo), **written}.items():
        target = tmp_path / (name.replace(" ", "-") + ".html")
        target.write_bytes(httpx.get(server.url + url, timeout=20).content)
        files.append(str(target))
    done = subprocess.run(["java", "-jar", str(jar), "--format", "json", "--exit-zero-always", *files],
                          capture_output=True, text=True, timeout=300)
    messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    errors = [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]
    assert errors == [], json.dumps(errors, indent=1)


@pytest.mark.parametrize(("label", "width", "height"), [("desktop", 1280, 900), ("phone", 390, 844)])
def test_screenshots_of_the_demo_page(chromium, server, demo, tmp_path, label, width, height):
    """Screenshots of the demo page; written to docs/screenshots/ when DATELINE_UPDATE_SCREENSHOTS is set."""
    context = chromium.new_context(base_url=server.url, viewport={"width": width, "height": height},
                                   device_scale_factor=1 if label == "desktop" else 2)
    try:
        page = context.new_page()
        page.goto(f"/live/{demo}/")
        page.add_style_tag(content=".live-badge::before { animation: none !important; }")
        shot = tmp_path / f"reader-{label}.png"
        page.screenshot(path=str(shot), full_page=False)
        page.evaluate("document.getElementById('post-count').scrollIntoView()")
        posts = tmp_path / f"reader-{label}-posts.png"
        page.screenshot(path=str(posts))
        assert shot.stat().st_size > 20_000 and posts.stat().st_size > 20_000
        has_overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not has_overflow, "no horizontal scrolling"
        if os.environ.get("DATELINE_UPDATE_SCREENSHOTS"):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            for made in (shot, posts):
                shutil.copy(made, SCREENSHOTS / made.name)
    finally:
        context.close()


def test_page_down_and_page_up_move_focus_between_posts_in_the_feed(page, demo):
    """The ARIA feed pattern's keys: Page Down / Page Up move focus to the next / previous article of the feed,
    whose articles are focusable (tabindex -1) and carry their position and the feed's size."""
    page.goto(f"/live/{demo}/")
    articles = page.locator("#posts > article")
    first, second, third = (articles.nth(i).get_attribute("id") for i in range(3))
    size = page.get_attribute("#posts > article:first-child", "aria-setsize")
    assert int(size) > articles.count(), "the set size counts the posts not loaded yet"
    assert [articles.nth(i).get_attribute("aria-posinset") for i in range(3)] == ["1", "2", "3"]
    assert articles.nth(0).get_attribute("tabindex") == "-1"

    page.locator(f"#{first} .post__permalink").focus()  # focus anywhere inside a post, e.g. on its link
    page.keyboard.press("PageDown")
    assert page.evaluate("document.activeElement.id") == second
    page.keyboard.press("PageDown")
    assert page.evaluate("document.activeElement.id") == third
    top = page.evaluate(f"document.getElementById('{third}').getBoundingClientRect().top")
    assert 0 <= top <= 80, f"scrolled to the top of the view (below the sticky button's 4rem margin): {top}"
    page.keyboard.press("PageUp")
    page.keyboard.press("PageUp")
    assert page.evaluate("document.activeElement.id") == first
    page.keyboard.press("PageUp")  # the first post: the key keeps its usual meaning, focus stays
    assert page.evaluate("document.activeElement.id") == first


def test_print_stylesheet_hides_site_chrome_and_keeps_the_posts(page, demo):
    """Printed, the page is its posts: no live region, new-posts button, embed box, load-more or masthead."""
    page.goto(f"/live/{demo}/")
    # Show the button as the script does when posts wait, so it is the print stylesheet that hides it.
    page.evaluate("(() => { const b = document.getElementById('new-posts'); b.hidden = false; "
                  "b.textContent = '1 new post'; document.getElementById('live-status').textContent = 'x'; })()")
    chrome = ["#live-status", "#new-posts", ".embed-code", "#load-more", ".masthead"]
    for selector in chrome[1:]:
        assert page.locator(selector).is_visible(), f"{selector} is shown on screen"
    page.emulate_media(media="print")
    for selector in chrome:
        assert page.locator(selector).is_hidden(), f"{selector} is printed"
    assert page.locator("#blog-header h1").is_visible()
    posts = page.locator("main article.post")
    assert posts.count() > 20 and all(posts.nth(i).is_visible() for i in range(posts.count()))
    page.emulate_media(media="screen")
    assert page.locator("#new-posts").is_visible()
