"""The newsroom in a real browser against a real ``dateline serve``: a reporter and an editor in two browser contexts.

The reporter files a post with an image and caption; the editor sees it appear live, edits it and pins it; the
reporter's save of the version they loaded is refused with a diff; a contributor's draft reaches the editor's open
desk without a reload, is approved and reaches the reader page; a scheduled post appears on time.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import missing_service

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DATELINE = ROOT / ".venv" / "bin" / "dateline"
CHROMIUM = "/usr/bin/chromium"
USERS = {"rita": "reporter", "ed": "editor", "cora": "contributor"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dateline_command() -> list[str]:
    return [str(DATELINE)] if DATELINE.exists() else [sys.executable, "-m", "dateline.cli"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        missing_service("Chromium not found: apt-get install -y chromium")
    pytest.importorskip("playwright.sync_api")
    data_dir = tmp_path_factory.mktemp("newsroom-server")
    env = {**os.environ, "DATELINE_DATA_DIR": str(data_dir), "DATELINE_LOG_LEVEL": "WARNING"}
    env.pop("DATELINE_DATABASE_URL", None)
    for name, role in USERS.items():
        subprocess.run([*dateline_command(), "user", "create", name, "--role", role, "--password-stdin"],
                       input=f"pw-{name}-1234\n", text=True, env=env, check=True, capture_output=True)
    port = free_port()
    log = open(data_dir / "server.log", "w")  # noqa: SIM115  (closed below)
    process = subprocess.Popen([*dateline_command(), "serve", "--port", str(port)], env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.terminate()
        pytest.fail("dateline serve did not start: " + (data_dir / "server.log").read_text()[-2000:])
    yield base
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


# Every page a test opens reports here; ``_no_page_errors`` fails the test if anything arrived. An uncaught exception
# in a newsroom script (``pageerror``) means a feature silently dead in production, like a CSP violation does.
_page_errors: list[str] = []


@pytest.fixture(autouse=True)
def _no_page_errors():
    _page_errors.clear()
    yield
    assert not _page_errors, f"JavaScript errors or CSP violations: {_page_errors}"


def watched(page):
    """``page``, with its uncaught JavaScript errors and CSP violations recorded for ``_no_page_errors``."""
    if getattr(page, "watched", False):  # a context's "page" event and an explicit call: listen once
        return page
    page.watched = True
    page.on("pageerror", lambda exc: _page_errors.append(f"{page.url}: {exc}"))
    page.on("console", lambda m: _page_errors.append(f"{page.url}: {m.text}")
            if "Content Security Policy" in m.text else None)
    return page


def sign_in(browser, server, name):
    context = browser.new_context()
    # Pages opened later in this context (a reopened tab) are watched too.
    context.on("page", watched)
    page = watched(context.new_page())
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{server}/newsroom/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", f"pw-{name}-1234")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/newsroom/")
    page.csp_errors = errors
    return page


def type_body(page, text):
    page.click(".prose-editor .tiptap")
    page.keyboard.type(text)


def png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (64, 48), (30, 90, 160)).save(path)
    return path


def test_reporter_files_editor_curates_and_a_stale_save_shows_a_diff(browser, server, tmp_path):
    editor = sign_in(browser, server, "ed")
    editor.fill("#blog-title", "Harbour storm")
    editor.click("button:has-text('Open')")
    editor.wait_for_url(f"{server}/newsroom/harbour-storm/")
    editor.wait_for_selector("#live-indicator.live-dot--on")

    reporter = sign_in(browser, server, "rita")
    reporter.goto(f"{server}/newsroom/harbour-storm/")
    reporter.fill("#id_headline", "Sea wall breached at the harbour")
    type_body(reporter, "Water is pouring into the lower town.")
    reporter.set_input_files("#id_image", str(png(tmp_path / "wall.png")))
    reporter.fill("#id_caption", "The breached sea wall on Tuesday morning.")
    reporter.fill("#id_credit", "Rita Reporter / Courier")
    reporter.fill("#id_alt", "Waves crossing a broken sea wall")
    reporter.keyboard.press("Control+Enter")  # the publish shortcut
    reporter.wait_for_selector(".message:has-text('Published.')")

    # The editor's desk receives it live, without a reload.
    row = editor.locator("#post-list .row", has_text="Sea wall breached at the harbour")
    row.wait_for()
    # The reporter opens the post for a fix (version 1) ...
    reporter.locator("#post-list .row", has_text="Sea wall breached").get_by_role("link", name="Edit").click()
    reporter.wait_for_selector("#edit-form")
    # ... while the editor corrects it and pins it.
    row.get_by_role("link", name="Edit").click()
    editor.fill("#id_headline", "Sea wall breached; lower town evacuated")
    # ... and fixes the image's caption on the edit page (a copy with the new text, for this post).
    caption = editor.locator("#media-fields textarea[name$='-caption']")
    assert caption.input_value() == "The breached sea wall on Tuesday morning."
    caption.fill("The breached sea wall at Harbour Road on Tuesday morning.")
    editor.focus("#id_headline")
    editor.keyboard.press("Control+Enter")
    editor.wait_for_selector(".message:has-text('Saved.')")
    editor.locator("#post-list .row", has_text="lower town evacuated").get_by_role("button", name="Pin").click()
    editor.wait_for_selector("#post-list .row--pinned:has-text('lower town evacuated')")

    reporter.fill("#id_headline", "Sea wall breached at the harbour, police say")
    reporter.click("#save-button")
    conflict = reporter.locator("#conflict")
    conflict.wait_for()
    shown = conflict.inner_text().replace("\xa0", " ")  # difflib spaces are non-breaking
    assert shown.startswith("Not saved: ed changed this post while you were editing")
    assert conflict.locator("table.diff").count() >= 1
    assert "lower town evacuated" in shown and "police say" in shown
    assert reporter.input_value("#id_headline") == "Sea wall breached at the harbour, police say"

    # Readers see the editor's version, pinned, with the image and caption.
    reader = watched(browser.new_page())
    reader.goto(f"{server}/live/harbour-storm/")
    article = reader.locator("article.post", has_text="lower town evacuated")
    assert article.locator("figcaption").inner_text().startswith(
        "The breached sea wall at Harbour Road on Tuesday morning.")
    assert article.locator("img").get_attribute("alt") == "Waves crossing a broken sea wall"
    assert "police say" not in reader.content()
    assert editor.csp_errors == [] and reporter.csp_errors == []


def test_a_contributors_draft_is_approved_and_reaches_the_reader_page(browser, server):
    editor = sign_in(browser, server, "ed")
    editor.fill("#blog-title", "Council vote")
    editor.click("button:has-text('Open')")
    editor.wait_for_url(f"{server}/newsroom/council-vote/")
    assert editor.locator("#waiting").is_hidden()  # nothing waiting yet

    contributor = sign_in(browser, server, "cora")
    contributor.goto(f"{server}/newsroom/council-vote/")
    assert contributor.locator("#publish-button").inner_text() == "Submit for approval"
    contributor.fill("#id_headline", "Residents queue outside the chamber")
    type_body(contributor, "About 200 people are waiting to get in.")
    contributor.click("#publish-button")
    contributor.wait_for_selector(".message:has-text('Submitted for approval')")

    # The editor's desk, open all along and never reloaded, finds the draft in its queue within a poll (5 s).
    queued = editor.locator("#waiting-list .row", has_text="Residents queue outside the chamber")
    queued.wait_for(timeout=15_000)
    expect(editor.locator("#waiting-count")).to_have_text("1")
    queued.get_by_role("button", name="Approve").click()
    editor.wait_for_selector(".message:has-text('Approved and published.')")

    reader = watched(editor.context.browser.new_page())
    reader.goto(f"{server}/live/council-vote/")
    assert reader.locator("article.post", has_text="Residents queue outside the chamber").count() == 1


def test_an_unsent_draft_survives_a_closed_tab(browser, server):
    reporter = sign_in(browser, server, "rita")
    reporter.goto(f"{server}/newsroom/council-vote/")
    reporter.fill("#id_headline", "Half-written headline")
    type_body(reporter, "Half-written text.")
    reporter.wait_for_timeout(700)  # the autosave is debounced
    context = reporter.context
    reporter.close()
    page = context.new_page()
    page.goto(f"{server}/newsroom/council-vote/")
    page.wait_for_selector("#draft-restore:not([hidden])")
    page.click("#draft-restore-yes")
    assert page.input_value("#id_headline") == "Half-written headline"
    assert "Half-written text." in page.inner_text(".prose-editor .tiptap")


def test_an_edit_in_progress_survives_a_closed_tab_and_says_when_the_post_moved_on(browser, server):
    """An edit is autosaved per post; reopening offers it back. Once someone else has saved the post, the offer says
    so, and a restored edit keeps its old version, so saving shows the diff instead of overwriting. Meanwhile the
    editor's desk row says who has the post open."""
    editor = sign_in(browser, server, "ed")
    editor.fill("#blog-title", "Ferry strike")
    editor.click("button:has-text('Open')")
    editor.wait_for_url(f"{server}/newsroom/ferry-strike/")
    reporter = sign_in(browser, server, "rita")
    reporter.goto(f"{server}/newsroom/ferry-strike/")
    reporter.fill("#id_headline", "Ferries stop at noon")
    type_body(reporter, "Crews walk out.")
    reporter.click("#publish-button")
    reporter.wait_for_selector(".message:has-text('Published.')")
    editor_row = editor.locator("#post-list .row", has_text="Ferries stop at noon")
    editor_row.wait_for()  # arrived live on the editor's desk
    reporter.locator("#post-list .row", has_text="Ferries stop at noon").get_by_role("link", name="Edit").click()
    reporter.wait_for_selector("#edit-form")
    edit_url = reporter.url
    # The editor's desk, open all along, learns within a poll (10 s) that the reporter has the post open.
    expect(editor_row.locator(".row__editing")).to_have_text("Being edited by rita", timeout=15_000)
    assert reporter.locator("#draft-restore").is_hidden()  # an untouched form is not autosaved or offered
    reporter.fill("#id_headline", "Ferries stop at noon, union says")
    reporter.wait_for_timeout(700)  # the autosave is debounced
    context = reporter.context
    reporter.close()

    page = context.new_page()
    page.goto(edit_url)
    page.wait_for_selector("#draft-restore:not([hidden])")
    assert page.locator("#draft-restore-stale").is_hidden()  # nobody saved meanwhile
    assert page.input_value("#id_headline") == "Ferries stop at noon"  # nothing restored without asking
    page.click("#draft-restore-yes")
    assert page.input_value("#id_headline") == "Ferries stop at noon, union says"
    page.close()

    # Meanwhile the editor saves the post (version 2).
    editor.goto(edit_url)
    editor.fill("#id_headline", "Ferries stop at noon; buses added")
    editor.click("#save-button")
    editor.wait_for_selector(".message:has-text('Saved.')")

    page = context.new_page()
    page.goto(edit_url)
    page.wait_for_selector("#draft-restore:not([hidden])")
    stale = page.locator("#draft-restore-stale")
    expect(stale).to_be_visible()
    assert "made to version 1" in stale.inner_text() and "now version 2" in stale.inner_text()
    page.click("#draft-restore-yes")
    assert page.input_value("#id_headline") == "Ferries stop at noon, union says"
    assert page.input_value("#id_version") == "1"
    page.click("#save-button")
    conflict = page.locator("#conflict")
    conflict.wait_for()  # refused with the diff: the editor's version was not overwritten
    assert "buses added" in conflict.inner_text().replace("\xa0", " ")  # difflib spaces are non-breaking
    page.click("#save-button")  # having read the diff, saving is a deliberate choice
    page.wait_for_selector(".message:has-text('Saved.')")
    assert "saved=" not in page.url  # the desk tidied its address after forgetting the autosave
    page.goto(edit_url)
    page.wait_for_selector("#edit-form")
    assert page.input_value("#id_headline") == "Ferries stop at noon, union says"
    assert page.locator("#draft-restore").is_hidden()  # saved, so nothing left to offer


def test_a_scheduled_post_appears_on_time(browser, server):
    reporter = sign_in(browser, server, "rita")
    reporter.goto(f"{server}/newsroom/council-vote/")
    # Blogs opened here are in UTC. The picker works in whole minutes: the first minute at least 15 s away.
    when = (datetime.now(UTC) + timedelta(seconds=75)).replace(second=0, microsecond=0)
    reporter.fill("#id_headline", "Result expected shortly")
    reporter.locator("#id_publish_at").evaluate("(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }",
                                                when.strftime("%Y-%m-%dT%H:%M"))
    assert reporter.locator("#publish-button").inner_text() == "Schedule"
    reporter.click("#publish-button")
    reporter.wait_for_selector(".message:has-text('Scheduled.')")
    reader = watched(browser.new_page())
    reader.goto(f"{server}/live/council-vote/")
    assert reader.locator("article.post", has_text="Result expected shortly").count() == 0
    # The reader page is live: the post arrives by push within a tick of its time, no reload.
    reader.locator("article.post", has_text="Result expected shortly").wait_for(timeout=100_000)
    assert datetime.now(UTC) >= when.replace(microsecond=0)  # not early


def test_the_composer_warns_of_a_repeat_and_key_points_are_drafted_for_the_editor(browser, server):
    editor = sign_in(browser, server, "ed")
    editor.fill("#blog-title", "Quarry fire")
    editor.click("button:has-text('Open')")
    editor.wait_for_url(f"{server}/newsroom/quarry-fire/")
    filed = [
        ("Fire at Hollins quarry sends smoke over Eastmoor",
         "Crews from four stations are fighting a fire in the explosives store at Hollins quarry. Residents of "
         "Eastmoor are asked to keep windows closed. Key context: The quarry stores 40 tonnes of blasting agent."),
        ("Road to Eastmoor closed",
         "Police have closed the B4120 between Hollins and Eastmoor while crews work. Buses are diverted via Kellby."),
    ]
    for headline, text in filed:
        editor.fill("#id_headline", headline)
        type_body(editor, text)
        editor.click("#publish-button")
        editor.wait_for_selector(".message:has-text('Published.')")

    # A reporter starts filing the same news: the composer names the earlier post, as a warning.
    reporter = sign_in(browser, server, "rita")
    reporter.goto(f"{server}/newsroom/quarry-fire/")
    assert reporter.inner_text("#assist") == ""
    reporter.fill("#id_headline", "Blaze at Hollins quarry explosives store")
    type_body(reporter, "Four fire stations have crews at the Hollins quarry fire; Eastmoor residents should keep "
                        "windows closed. About 600 homes are affected.")
    warning = reporter.locator("#assist")
    warning.get_by_role("link", name="Fire at Hollins quarry sends smoke over Eastmoor").wait_for()
    assert warning.inner_text().startswith("This may repeat an earlier post:")
    assert "Road to Eastmoor closed" not in warning.inner_text()
    # ... and asks who gives the figure, until a verification note says.
    assert "About 600 homes are affected." in warning.locator("li").all_inner_texts()
    reporter.fill("#id_verification_note", "Figure from Eastmoor council.")
    expect(warning).not_to_contain_text("About 600 homes")
    expect(warning).to_contain_text("This may repeat an earlier post:")
    assert reporter.locator("#publish-button").is_enabled()  # a warning, never a block

    # The editor asks for drafted key points: filled in the form, not yet saved.
    editor.goto(f"{server}/newsroom/quarry-fire/key-points")
    editor.click("#kp-draft")
    editor.wait_for_selector("#kp-drafted")
    drafted = editor.input_value("#kp-text-0")
    assert drafted and ("Hollins" in drafted or "Eastmoor" in drafted or "B4120" in drafted)
    reader = editor.context.new_page()
    reader.goto(f"{server}/live/quarry-fire/")
    assert reader.locator("#key-points li").count() == 0
    editor.click("button:has-text('Save key points')")
    editor.wait_for_selector(".message:has-text('Key points updated.')")
    reader.reload()
    assert reader.locator("#key-points li").count() >= 1
    assert editor.csp_errors == [] and reporter.csp_errors == []


def test_an_oversized_image_is_refused_beside_the_field_before_anything_is_sent(browser, server, tmp_path):
    """The server answers a too-large body with a bare JSON 413 before the newsroom runs; the composer checks the
    file's size against the limit the page states and says so next to the field instead, keeping the form."""
    reporter = sign_in(browser, server, "rita")
    reporter.goto(f"{server}/newsroom/council-vote/")
    limit = int(reporter.get_attribute("#id_image", "data-max-bytes"))
    huge = tmp_path / "huge.png"
    with huge.open("wb") as out:
        out.truncate(limit + 1)  # sparse: only its size matters, the browser never sends it
    reporter.fill("#id_headline", "Too big to send")
    reporter.set_input_files("#id_image", str(huge))
    error = reporter.locator("#image-error")
    expect(error).to_be_visible()
    assert f"at most {limit / 1048576:.1f} MB can be uploaded" in error.inner_text()
    reporter.click("#publish-button")
    reporter.wait_for_timeout(500)
    assert reporter.url == f"{server}/newsroom/council-vote/"  # not sent: still the desk, not a 413 page
    assert reporter.input_value("#id_headline") == "Too big to send"
    reporter.set_input_files("#id_image", str(png(tmp_path / "small.png")))  # a file within the limit clears it
    expect(error).to_be_hidden()
    reporter.click("#publish-button")
    reporter.wait_for_selector(".message:has-text('Published.')")


def test_the_desk_applies_a_colleagues_pins_edits_and_deletions_from_the_events(browser, server):
    """An open desk applies a colleague's pin, edit, unpin and deletion from the events' own post objects: the row
    is patched in place (headline, version in text and in every form, pinned badge, button and place) and its
    buttons then work (no stale-version refusal); only the new post's row is fetched, for this user's buttons."""
    editor = sign_in(browser, server, "ed")
    editor.fill("#blog-title", "Desk stream")
    editor.click("button:has-text('Open')")
    editor.wait_for_url(f"{server}/newsroom/desk-stream/")
    editor.wait_for_selector("#live-indicator.live-dot--on")
    fetched: list[str] = []
    editor.on("request", lambda r: r.url.endswith("/row") and fetched.append(r.url))

    colleague = watched(editor.context.new_page())
    colleague.set_default_timeout(10_000)
    colleague.goto(f"{server}/newsroom/desk-stream/")
    colleague.fill("#id_headline", "Tide gauge offline")
    type_body(colleague, "The harbour gauge stopped reporting.")
    colleague.keyboard.press("Control+Enter")
    colleague.wait_for_selector(".message:has-text('Published.')")
    arrived = editor.locator("#post-list .row", has_text="Tide gauge offline")
    arrived.wait_for()
    row = editor.locator("#" + arrived.get_attribute("id"))  # by id: its text is about to change
    assert len(fetched) == 1, "a new post's row is fetched: it carries this user's buttons"

    colleague.locator("#post-list .row", has_text="Tide gauge offline").get_by_role("button", name="Pin").click()
    colleague.wait_for_selector(".message:has-text('Pinned')")
    expect(row).to_have_class(re.compile(r"\brow--pinned\b"))
    expect(row.locator(".badge--pin")).to_have_text("Pinned")
    expect(row.get_by_role("button", name="Unpin")).to_be_visible()

    colleague.locator("#post-list .row", has_text="Tide gauge offline").get_by_role("link", name="Edit").click()
    colleague.fill("#id_headline", "Tide gauge back online")
    colleague.keyboard.press("Control+Enter")
    colleague.wait_for_selector(".message:has-text('Saved.')")
    expect(row.locator(".row__headline")).to_have_text("Tide gauge back online")
    version = colleague.locator("#post-list .row", has_text="Tide gauge back online").get_attribute("data-version")
    expect(row).to_have_attribute("data-version", version)
    expect(row.locator(".row__version")).to_have_text(f"v{version}")
    assert set(row.locator("input[name=version]").evaluate_all("els => els.map(e => e.value)")) == {version}
    assert len(fetched) == 1, "pins and edits are applied from the event, not fetched"

    # The patched row's own buttons carry the current version: the editor's unpin is accepted.
    row.get_by_role("button", name="Unpin").click()
    editor.wait_for_selector(".message:has-text('Unpinned.')")
    unpinned = editor.locator("#post-list .row", has_text="Tide gauge back online")
    expect(unpinned).to_have_count(1)
    expect(unpinned).not_to_have_class(re.compile(r"\brow--pinned\b"))
    editor.wait_for_selector("#live-indicator.live-dot--on")

    colleague.goto(f"{server}/newsroom/desk-stream/")
    colleague.once("dialog", lambda dialog: dialog.accept())
    colleague.locator("#post-list .row", has_text="Tide gauge back online").get_by_role("button", name="Delete").click()
    colleague.wait_for_selector(".message:has-text('Deleted.')")
    expect(unpinned).to_have_count(0)
    expect(editor.locator("#stream-status")).to_have_text("A post was deleted.")
