"""The reader page kept live in a real browser, against a real server, with writes through the JSON API."""

from __future__ import annotations

import itertools
import re

from playwright.sync_api import expect

LIVE_WITHIN_MS = 2000
_names = itertools.count(1)


def new_blog(server, title="Browser test"):
    return server.create_blog(f"{title} {next(_names)}")["slug"]


def feed_ids(page) -> list[int]:
    return page.eval_on_selector_all("#posts > article", "els => els.map(e => +e.dataset.postId)")


def pinned_ids(page) -> list[int]:
    return page.eval_on_selector_all("#pinned > article", "els => els.map(e => +e.dataset.postId)")


def open_live(page, slug):
    page.goto(f"/live/{slug}/")
    page.evaluate("window.__noReload = true")


def assert_not_reloaded(page):
    assert page.evaluate("window.__noReload === true"), "the page reloaded"


def test_publish_edit_pin_delete_and_key_points_apply_live(page, server):
    """Each change made through the API shows on an open page within 2 s, without a reload."""
    slug = new_blog(server)
    first = server.publish(slug, "First post")
    open_live(page, slug)
    expect(page.locator("#post-count")).to_have_text("1 Post")

    second = server.publish(slug, "Second post", body="<p><strong>Key context:</strong> more.</p>")
    expect(page.locator(f"#posts > #post-{second['id']}")).to_be_visible(timeout=LIVE_WITHIN_MS)
    assert feed_ids(page) == [second["id"], first["id"]], "newest first"
    expect(page.locator("#post-count")).to_have_text("2 Posts")
    expect(page.locator("#live-status")).to_have_text("1 new post")

    server.patch(slug, second["id"], headline="Second post, corrected", update_note="This post has been updated.")
    expect(page.locator(f"#post-{second['id']} .post__headline")).to_have_text("Second post, corrected",
                                                                             timeout=LIVE_WITHIN_MS)
    expect(page.locator(f"#post-{second['id']} .post__update-note")).to_be_visible()

    server.patch(slug, first["id"], pinned=True)
    expect(page.locator(f"#pinned > #post-{first['id']}")).to_be_visible(timeout=LIVE_WITHIN_MS)
    assert feed_ids(page) == [second["id"]] and pinned_ids(page) == [first["id"]]

    server.patch(slug, first["id"], pinned=False)
    expect(page.locator(f"#posts > #post-{first['id']}")).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(page.locator("#pinned")).to_be_hidden()
    assert feed_ids(page) == [second["id"], first["id"]]

    server.delete(slug, second["id"])
    expect(page.locator(f"#post-{second['id']}")).to_have_count(0, timeout=LIVE_WITHIN_MS)
    expect(page.locator("#post-count")).to_have_text("1 Post")

    server.key_points(slug, [{"text": "<strong>Bridge closed:</strong> both lanes.", "post_id": first["id"]}])
    expect(page.locator("#key-points")).to_contain_text("Bridge closed:", timeout=LIVE_WITHIN_MS)
    expect(page.locator("#key-points")).to_be_visible()

    server.api("PATCH", f"/blogs/{slug}", json={"title": "Bridge closure, renamed"})
    expect(page.locator("#blog-header h1")).to_contain_text("Bridge closure, renamed", timeout=LIVE_WITHIN_MS)
    expect(page).to_have_title(re.compile(r"^\w+ \d+, \d{4} Bridge closure, renamed \| The Dateline Courier$"))
    server.api("PATCH", f"/blogs/{slug}", json={"status": "ended"})
    expect(page.locator("#blog-header")).to_contain_text("Coverage ended", timeout=LIVE_WITHIN_MS)
    expect(page.locator("#key-points h2")).to_have_text("What we covered here")

    assert_not_reloaded(page)
    seq = server.api("GET", f"/blogs/{slug}").json()["seq"]
    assert page.get_attribute("main", "data-seq") == str(seq)
    positions = page.eval_on_selector_all("#posts > article", "els => els.map(e => e.getAttribute('aria-posinset'))")
    assert positions == ["1"]


def _long_blog(server, n=8):
    slug = new_blog(server, "Scroll test")
    body = "".join(f"<p>Paragraph {i} of a long post, with enough words to take some room on the page.</p>"
                   for i in range(6))
    return slug, [server.publish(slug, f"Earlier post {i}", body=body) for i in range(n)]


def test_scrolled_down_reader_gets_a_button_not_a_jump(page, server):
    """Scrolled down: a "1 new post" button and "(1)" in the title; the view does not move; clicking inserts the
    post and moves focus to it."""
    slug, _ = _long_blog(server)
    open_live(page, slug)
    title = page.title()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    page.wait_for_timeout(200)
    y = page.evaluate("window.scrollY")
    anchor = page.evaluate("""() => { const a = [...document.querySelectorAll('article')]
        .find(e => e.getBoundingClientRect().bottom > 0); return [a.id, a.getBoundingClientRect().top]; }""")

    new = server.publish(slug, "Breaking: new post")
    button = page.locator("#new-posts")
    expect(button).to_have_text("1 new post", timeout=LIVE_WITHIN_MS)
    expect(page).to_have_title("(1) " + title)
    expect(page.locator("#live-status")).to_have_text("1 new post")
    assert page.locator(f"#post-{new['id']}").count() == 0, "not inserted while the reader is scrolled down"
    assert page.evaluate("window.scrollY") == y
    assert page.evaluate(f"document.getElementById('{anchor[0]}').getBoundingClientRect().top") == anchor[1]

    second = server.publish(slug, "Breaking: another")
    expect(button).to_have_text("2 new posts", timeout=LIVE_WITHIN_MS)
    expect(page).to_have_title("(2) " + title)
    assert page.evaluate("document.activeElement === document.body"), "focus is never stolen"

    button.click()
    expect(page.locator(f"#posts > #post-{second['id']}")).to_be_visible()
    assert feed_ids(page)[:2] == [second["id"], new["id"]]
    assert page.evaluate("document.activeElement.id") == f"post-{second['id']}"
    expect(page).to_have_title(title)
    expect(button).to_be_hidden()


def test_a_restored_post_returns_to_its_place_and_is_not_counted_as_new(page, server):
    """Restoring arrives as post.published: the old post goes back by its published_at, in place, with no "new post"
    button, title count or announcement, even for a reader scrolled down; a real new post still gets the button."""
    slug, posts = _long_blog(server)
    target = posts[5]
    server.delete(slug, target["id"])
    open_live(page, slug)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    page.wait_for_timeout(200)
    title = page.title()
    anchor = page.evaluate("""() => { const a = [...document.querySelectorAll('article')]
        .find(e => e.getBoundingClientRect().bottom > 0); return [a.id, a.getBoundingClientRect().top]; }""")

    server.api("POST", f"/blogs/{slug}/posts/{target['id']}/restore")
    expect(page.locator(f"#posts > #post-{target['id']}")).to_have_count(1, timeout=LIVE_WITHIN_MS)
    assert feed_ids(page) == [p["id"] for p in reversed(posts)], "back in its place by published_at"
    expect(page.locator("#post-count")).to_have_text("8 Posts")
    page.wait_for_timeout(300)  # past the announcement's 100 ms delay
    expect(page.locator("#new-posts")).to_be_hidden()
    assert page.title() == title
    assert "new post" not in page.text_content("#live-status")
    top = page.evaluate(f"document.getElementById('{anchor[0]}').getBoundingClientRect().top")
    assert abs(top - anchor[1]) <= 1, "the reader's view did not move"

    new = server.publish(slug, "Genuinely new")
    expect(page.locator("#new-posts")).to_have_text("1 new post", timeout=LIVE_WITHIN_MS)
    assert page.locator(f"#post-{new['id']}").count() == 0


def test_reader_at_top_sees_new_posts_inserted(page, server):
    slug, _ = _long_blog(server, 3)
    open_live(page, slug)
    new = server.publish(slug, "Straight in")
    expect(page.locator(f"#posts > #post-{new['id']}")).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(page.locator("#new-posts")).to_be_hidden()
    assert not page.title().startswith("(")


def test_edits_above_the_viewport_do_not_move_the_reader(page, server):
    """An edit that makes a post above the reader taller keeps what the reader is looking at in place."""
    slug, posts = _long_blog(server)
    open_live(page, slug)
    target = posts[2]  # the newest few are at the top of the feed
    page.evaluate("window.scrollTo(0, document.body.scrollHeight - window.innerHeight - 100)")
    page.wait_for_timeout(200)
    anchor = page.evaluate("""() => { const a = [...document.querySelectorAll('article')]
        .find(e => e.getBoundingClientRect().bottom > 0); return [a.id, a.getBoundingClientRect().top]; }""")
    assert anchor[0] != f"post-{target['id']}"
    server.patch(slug, target["id"], body="<p>Now much longer.</p>" * 30)
    expect(page.locator(f"#post-{target['id']}")).to_contain_text("Now much longer.", timeout=LIVE_WITHIN_MS)
    top = page.evaluate(f"document.getElementById('{anchor[0]}').getBoundingClientRect().top")
    assert abs(top - anchor[1]) <= 1


def test_server_restart_catches_up_with_nothing_missing_or_doubled(page, server, chromium):
    """Kill the server, restart it on the same port, publish and edit: the open page ends with exactly what a
    fresh load shows."""
    slug = new_blog(server, "Restart test")
    before = [server.publish(slug, f"Before restart {i}") for i in range(3)]
    open_live(page, slug)
    expect(page.locator("#posts > article")).to_have_count(3)

    server.kill()
    page.wait_for_timeout(500)
    server.start()
    after = server.publish(slug, "After restart")
    server.patch(slug, before[0]["id"], headline="Before restart 0, edited")
    server.delete(slug, before[1]["id"])

    expect(page.locator(f"#post-{after['id']}")).to_have_count(1, timeout=20_000)
    expect(page.locator(f"#post-{before[0]['id']} .post__headline")).to_have_text("Before restart 0, edited",
                                                                                timeout=20_000)
    expect(page.locator(f"#post-{before[1]['id']}")).to_have_count(0, timeout=20_000)
    assert_not_reloaded(page)

    live = page.eval_on_selector_all("main article", "els => els.map(e => [e.id, e.outerHTML.length])")
    fresh_page = page.context.new_page()
    fresh_page.goto(f"/live/{slug}/")
    fresh = fresh_page.eval_on_selector_all("main article", "els => els.map(e => [e.id, e.outerHTML.length])")
    assert [i for i, _ in live] == [i for i, _ in fresh]
    assert len({i for i, _ in live}) == len(live) == 3
    assert page.get_attribute("main", "data-seq") == fresh_page.get_attribute("main", "data-seq")
    expect(page.locator("#post-count")).to_have_text("3 Posts")


def test_polling_fallback_when_the_stream_is_unavailable(chromium, server):
    """Without EventSource the page polls /changes and still applies every change."""
    slug = new_blog(server, "Polling test")
    context = chromium.new_context(base_url=server.url)
    context.add_init_script("delete window.EventSource")
    page = context.new_page()
    try:
        page.goto(f"/live/{slug}/")
        post = server.publish(slug, "Polled in")
        expect(page.locator(f"#post-{post['id']}")).to_be_visible(timeout=15_000)
    finally:
        context.close()


# Records every text the polite live region is given, in order (the region itself only holds the last one).
RECORD_ANNOUNCEMENTS = """window.__said = []; addEventListener('DOMContentLoaded', () => {
  const s = document.getElementById('live-status'); if (!s) return;
  new MutationObserver(() => { if (s.textContent) window.__said.push(s.textContent); })
    .observe(s, {childList: true, characterData: true, subtree: true}); });"""


def test_posts_arriving_together_are_announced_as_their_sum(chromium, server):
    """Three posts applied together (one /changes batch, inside the 100 ms announcement window) are announced as
    "3 new posts"; the counts announced add up to the posts inserted, none lost to the debounce."""
    slug = new_blog(server, "Announce test")
    context = chromium.new_context(base_url=server.url)
    # Polling gives a deterministic batch: all three arrive in one /changes answer.
    context.add_init_script("delete window.EventSource")
    context.add_init_script(RECORD_ANNOUNCEMENTS)
    page = context.new_page()
    try:
        page.goto(f"/live/{slug}/")
        page.wait_for_load_state("networkidle")
        posts = [server.publish(slug, f"Quick post {i}") for i in range(3)]
        expect(page.locator("#posts > article")).to_have_count(3, timeout=15_000)
        expect(page.locator("#live-status")).to_have_text("3 new posts")
        said = page.evaluate("window.__said")
        counts = [int(m.group(1)) for text in said if (m := re.fullmatch(r"(\d+) new posts?", text))]
        assert sum(counts) == 3, said
        assert feed_ids(page) == [p["id"] for p in reversed(posts)]
    finally:
        context.close()


def test_load_more_fetches_every_post_once_and_keeps_feed_positions(page, server):
    slug = new_blog(server, "Load more test")
    for i in range(45):
        server.publish(slug, f"Post number {i}")
    open_live(page, slug)
    assert len(feed_ids(page)) == 20
    more = page.locator("#load-more")
    more.click()
    expect(page.locator("#posts > article")).to_have_count(40)
    more.click()
    expect(page.locator("#posts > article")).to_have_count(45)
    expect(more).to_have_count(0)
    ids = feed_ids(page)
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 45
    positions = page.eval_on_selector_all("#posts > article", "els => els.map(e => +e.getAttribute('aria-posinset'))")
    assert positions == list(range(1, 46))
    assert page.get_attribute("#posts", "aria-busy") == "false"


def test_page_is_complete_without_javascript(chromium, server):
    slug = new_blog(server, "No JS test")
    for i in range(25):
        server.publish(slug, f"Plain post {i}")
    context = chromium.new_context(base_url=server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"/live/{slug}/")
        assert len(feed_ids(page)) == 20
        expect(page.locator("#post-count")).to_have_text("25 Posts")
        page.locator("#load-more").click()
        page.wait_for_url(re.compile(r"\?before="))
        assert len(feed_ids(page)) == 5
    finally:
        context.close()


def test_relative_time_and_copy_link_are_added_by_the_script(page, server):
    slug = new_blog(server, "Enhancement test")
    post = server.publish(slug, "Shareable")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_live(page, slug)
    expect(page.locator(f"#post-{post['id']} .post__ago")).to_have_text(re.compile(r"now|second|minute"))
    page.locator(f"#post-{post['id']} button.copy-link").click()
    expect(page.locator("#live-status")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == f"{server.url}/live/{slug}/posts/{post['id']}/"
    page.goto(f"/live/{slug}/posts/{post['id']}/")
    expect(page.locator(".share__tools button.copy-link")).to_be_visible()
    expect(page.locator("button.copy-link")).to_have_count(1)  # the share page's own, not one more in the post


def test_embed_widget_resizes_its_iframe(page, server):
    slug = new_blog(server, "Embed test")
    for i in range(3):
        server.publish(slug, f"Embedded {i}")
    page.goto("/healthz")  # any page of ours: the host page below is another origin's content in this tab
    snippet = page.request.get(f"/oembed?url={server.url}/live/{slug}/").json()["html"]
    page.set_content(f"<!doctype html><title>Host</title><h1>Host page</h1>{snippet}")
    frame = page.locator("iframe[data-dateline-embed]")
    expect(frame).to_have_attribute("style", re.compile(r"height: \d+px"), timeout=5000)
    page.wait_for_function("() => { const f = document.querySelector('iframe'); "
                           "return Math.abs(f.getBoundingClientRect().height - "
                           "f.contentDocument.documentElement.getBoundingClientRect().height) < 2; }", timeout=5000)


NORMALISED = """() => {
    // The page's content regions without what the script adds for this browser (relative times, copy buttons,
    // feed positions): what is left must be byte-identical to a fresh server render.
    const out = {};
    for (const id of ['blog-header', 'key-points', 'post-count', 'pinned', 'posts']) {
        const el = document.getElementById(id).cloneNode(true);
        el.querySelectorAll('.post__ago, .copy-link').forEach(n => n.remove());
        [el, ...el.querySelectorAll('*')].forEach(n => {
            ['role', 'aria-posinset', 'aria-setsize', 'title'].forEach(a => n.removeAttribute(a));
        });
        out[id] = [el.hidden, [...el.children].map(c => c.outerHTML.replace(/\\s+/g, ' ').trim())];
    }
    return out;
}"""


def test_replaying_every_change_over_an_open_page_gives_the_fresh_page(page, server):
    """State equivalence: a page opened at seq 0 and kept live through publishes, edits, pins, deletions, key
    points and blog edits is identical to the page the server renders afterwards."""
    slug = new_blog(server, "Equivalence")
    open_live(page, slug)
    posts = [server.publish(slug, f"Post {i}", body=f"<p><strong>Lead-in {i}:</strong> text.</p>") for i in range(5)]
    server.patch(slug, posts[1]["id"], pinned=True)
    server.patch(slug, posts[2]["id"], headline="Post 2, corrected", verification_note="Unverified.")
    server.delete(slug, posts[3]["id"])
    server.patch(slug, posts[4]["id"], pinned=True)
    server.patch(slug, posts[4]["id"], pinned=False)
    server.key_points(slug, [{"text": "<strong>One:</strong> first.", "post_id": posts[0]["id"]},
                             {"text": "Two.", "url": "https://example.org/help"}])
    server.api("PATCH", f"/blogs/{slug}", json={"description": "Now with a description."})
    last = server.publish(slug, "Last one")
    expect(page.locator(f"#post-{last['id']}")).to_be_visible(timeout=LIVE_WITHIN_MS)
    live = page.evaluate(NORMALISED)
    assert_not_reloaded(page)
    fresh = page.context.new_page()
    fresh.goto(f"/live/{slug}/")
    assert live == fresh.evaluate(NORMALISED)
    assert page.get_attribute("main", "data-seq") == fresh.get_attribute("main", "data-seq")


def test_a_correction_made_through_the_api_appears_on_an_open_page(page, server):
    """A correction is one post.updated change: an open page shows it at the end of the post within 2 s."""
    slug = new_blog(server, "Corrections")
    post = server.publish(slug, "River level", body="<p>2.4m at Town Bridge.</p>")
    open_live(page, slug)
    expect(page.locator(f"#posts > #post-{post['id']}")).to_be_visible()
    expect(page.locator(".post__correction")).to_have_count(0)
    server.patch(slug, post["id"], correction="An earlier version of this post gave the level as 4.2m; it was 2.4m.")
    expect(page.locator(f"#post-{post['id']} .post__correction")).to_contain_text("it was 2.4m",
                                                                                timeout=LIVE_WITHIN_MS)
    assert_not_reloaded(page)


def wait_for_seq(page, server, slug):
    """Until the open page has applied every change the server has made (so "nothing happened" is a real result)."""
    seq = server.api("GET", f"/blogs/{slug}").json()["seq"]
    expect(page.locator("main")).to_have_attribute("data-seq", str(seq), timeout=LIVE_WITHIN_MS)


def test_the_embed_keeps_its_window_of_newest_posts(page, server):
    """The widget shows the 10 newest posts and stays that size: an edit of an older post does not append it, an
    edit of its last post keeps it, a new post pushes the oldest out."""
    slug = new_blog(server, "Embed window")
    posts = [server.publish(slug, f"Window post {i}") for i in range(12)]
    page.goto(f"/live/{slug}/embed/")
    shown = [p["id"] for p in reversed(posts[2:])]
    assert feed_ids(page) == shown

    server.patch(slug, posts[0]["id"], headline="Old post, edited")
    wait_for_seq(page, server, slug)
    assert feed_ids(page) == shown, "an edit of a post outside the window is not the widget's"

    server.patch(slug, posts[2]["id"], headline="Window post 2, edited")
    expect(page.locator(f"#post-{posts[2]['id']} .post__headline")).to_have_text("Window post 2, edited",
                                                                               timeout=LIVE_WITHIN_MS)
    assert feed_ids(page) == shown, "the last post of the window stays when edited"

    new = server.publish(slug, "Newest")
    expect(page.locator(f"#post-{new['id']}")).to_be_visible(timeout=LIVE_WITHIN_MS)
    assert feed_ids(page) == [new["id"], *shown[:-1]], "the oldest left as the newest came"
    expect(page.locator("#post-count")).to_have_text("13 Posts")
    server.patch(slug, posts[2]["id"], headline="Window post 2, edited again")
    wait_for_seq(page, server, slug)
    assert len(feed_ids(page)) == 10 and page.locator(f"#post-{posts[2]['id']}").count() == 0


def test_links_to_a_post_land_on_it_beyond_the_first_page(page, server, chromium):
    """The contract's /live/<slug>/#post-<id> and our ?post=<id>#post-<id> links land on an old post, with and
    without JavaScript; a key point's link to a post on the page just scrolls there, without a reload."""
    slug = new_blog(server, "Anchors")
    posts = [server.publish(slug, f"Anchored post {i}") for i in range(25)]
    oldest, newest = posts[0]["id"], posts[-1]["id"]

    page.goto(f"/live/{slug}/#post-{oldest}")  # not on page 1: the script asks the server for its page
    expect(page).to_have_url(re.compile(rf"\?post={oldest}#post-{oldest}$"))
    expect(page.locator(f"#post-{oldest}")).to_be_in_viewport()

    server.key_points(slug, [{"text": "Newest.", "post_id": newest}, {"text": "Oldest.", "post_id": oldest}])
    open_live(page, slug)
    page.get_by_role("link", name="Read more about this").first.click()
    expect(page).to_have_url(re.compile(rf"/live/{slug}/#post-{newest}$"))
    expect(page.locator(f"#post-{newest}")).to_be_in_viewport()
    assert_not_reloaded(page)
    page.get_by_role("link", name="Read more about this").nth(1).click()
    expect(page).to_have_url(re.compile(rf"\?post={oldest}#post-{oldest}$"))
    expect(page.locator(f"#post-{oldest}")).to_be_in_viewport()

    context = chromium.new_context(base_url=server.url, java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(f"/live/{slug}/posts/{oldest}/")
        plain.get_by_role("link", name="See this post in the live coverage").click()
        expect(plain.locator(f"#post-{oldest}")).to_be_in_viewport()
    finally:
        context.close()
