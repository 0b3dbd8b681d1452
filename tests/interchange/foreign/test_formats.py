"""Each foreign format imported from our own fictional fixtures: post count, headlines, times, authors, order and
images match the source; HTML is sanitised on the way in; WordPress Liveblog edits and deletions are applied."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dateline.accounts.models import User
from dateline.coverage.models import Change, LiveBlog, Post
from dateline.interchange.foreign import import_file

from .conftest import reader_posts

pytestmark = pytest.mark.django_db


def t(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(UTC).isoformat()


def test_a_saved_page_with_several_json_ld_scripts(fixture_path):
    report = import_file(fixture_path("storm_page.html"))
    assert report.format == "json-ld"
    assert report.slugs == ["storm-halvard-live-port-ellery-braces-for-landfall"]
    blog = LiveBlog.objects.get(slug=report.slug)
    assert blog.title == "Storm Halvard live: Port Ellery braces for landfall"
    assert blog.description == "Updates as the storm reaches the fictional coast of Port Ellery."
    assert blog.coverage_start == datetime.fromisoformat("2026-10-14T05:00:00+01:00")
    posts = reader_posts(blog.slug)
    # The @graph's three updates and the second script's one, merged into the same live blog (same @id), in the
    # page's order (newest first); the broken script is reported, not fatal.
    assert [p["headline"] for p in posts] == [
        "Harbour wall holds as the tide turns", "Ferry crossings cancelled until Thursday",
        "Schools closed across the district", "Red warning issued for the coast",
    ]
    assert report.posts == 4 and report.skipped == 0
    assert [p["published"] for p in posts] == [t("2026-10-14T09:40:00+01:00"), t("2026-10-14T08:15:00+01:00"),
                                               t("2026-10-14T07:02:00+01:00"), t("2026-10-14T06:00:00+01:00")]
    assert posts[0]["updated"] == t("2026-10-14T09:55:00+01:00")
    assert posts[1]["updated"] == posts[1]["published"]
    assert [p["authors"] for p in posts] == [["tomas-reyhill", "ines-varga"], ["tomas-reyhill"], ["ines-varga"],
                                             ["ines-varga"]]
    assert posts[0]["bylines"] == ["Tomas Reyhill", "Ines Varga"]
    # Images: the ImageObject first, then the body's <img>; the javascript: one left out and reported.
    assert posts[0]["media"] == [
        ("embed", "https://images.gazette.example/tide.jpg", "", "Waves over the promenade", "Gazette staff"),
        ("embed", "https://images.gazette.example/wall.jpg", "The harbour wall at high tide", "", ""),
    ]
    assert posts[1]["media"] == [("embed", "https://images.gazette.example/ferry.jpg", "", "", "")]
    assert "javascript" in "\n".join(report.lines())
    assert any("JSON-LD script 2 skipped: not valid JSON" in line for line in report.lines())
    # Script in the body is gone; the text around it stays.
    first = posts[0]
    assert "<script" not in first["body"] and "alert" not in first["body"] and "onclick" not in first["body"]
    assert "<img" not in first["body"]
    assert "Crews will inspect it at first light." in first["body"]
    assert "<script" not in first["html"] and "steal()" not in first["html"]
    # Plain-text bodies become paragraphs.
    assert posts[1]["body"] == ("<p>All crossings from Port Ellery are cancelled.</p>"
                                "<p>The operator says refunds will be automatic.</p>")
    # Every post went through create_post: one post.published change each, seq 1..4, oldest first.
    assert list(Change.objects.filter(blog=blog).values_list("seq", "type")) == [
        (n, "post.published") for n in range(1, 5)]


def test_json_ld_alone_and_an_ended_coverage(fixture_path):
    report = import_file(fixture_path("election.json"))
    blog = LiveBlog.objects.get(slug=report.slug)
    posts = reader_posts(blog.slug)
    assert [p["headline"] for p in posts] == ["Okafor declared mayor", "Turnout 41 per cent",
                                              "Ballot boxes arrive at the leisure centre"]
    assert report.posts == 3 and report.skipped == 1
    assert any("No time on this one" in line and "no published time" in line for line in report.lines())
    assert posts[1]["updated"] == t("2026-05-08T00:05:00+00:00")
    assert [p["authors"] for p in posts] == [["rafe-lindqvist"], ["mo-adeyemi"], ["rafe-lindqvist"]]
    assert posts[0]["media"] == [("embed", "https://img.riverton-herald.example/okafor.jpg",
                                  "Priya Okafor at the count", "", "Riverton Herald")]
    assert blog.status == LiveBlog.Status.ENDED
    assert blog.coverage_end == datetime.fromisoformat("2026-05-08T02:30:00+00:00")
    # Two byline accounts, created without a usable password (they cannot sign in).
    for username in ("rafe-lindqvist", "mo-adeyemi"):
        user = User.objects.get(username=username)
        assert not user.has_usable_password() and user.role == "contributor"


def test_wordpress_liveblog_entries_with_edits_and_deletions(fixture_path):
    User.objects.create_user(username="hbrandt", display_name="Hanna Brandt (desk)", role="reporter", password="x" * 12)
    report = import_file(fixture_path("marathon.wxr.xml"))
    assert report.format == "wordpress-liveblog"
    blog = LiveBlog.objects.get(slug=report.slug)
    assert blog.slug == "port-ellery-marathon-2026-live"
    assert blog.title == "Port Ellery Marathon 2026: live"
    assert blog.description == "Live from the start line, the sea wall and the finish."
    assert blog.coverage_start == datetime.fromisoformat("2026-04-12T07:30:00+00:00")
    posts = reader_posts(blog.slug)
    # 101, 102 (edited twice) and 104; 103 was deleted (a delete comment 106 and the entry trashed); the reader
    # comment 110 is not an entry; the ordinary page is not a live blog.
    assert len(posts) == 3 and report.posts == 3
    assert [p["published"] for p in posts] == [t("2026-04-12T09:45:00+00:00"), t("2026-04-12T08:20:00+00:00"),
                                               t("2026-04-12T08:00:00+00:00")]
    assert posts[1]["body"] == ("<p>The leaders reach the sea wall at 10km in <strong>31 minutes</strong>, a minute "
                                "inside record pace.</p><p>Strong headwind along the front.</p>")
    assert posts[1]["updated"] == t("2026-04-12T08:50:00+00:00")
    assert not any("Posted by mistake" in p["body"] for p in posts)
    assert not any("Great coverage" in p["body"] for p in posts)
    assert any("entry 103: deleted in WordPress (comment 106)" in line for line in report.lines())
    assert report.skipped == 1
    # Bylines by WordPress login: hbrandt already exists (matched, left as it was); okeane is created.
    assert [p["authors"] for p in posts] == [["hbrandt", "okeane"], ["okeane"], ["hbrandt"]]
    assert User.objects.get(username="hbrandt").display_name == "Hanna Brandt (desk)"
    assert User.objects.get(username="okeane").display_name == "Orla Keane"
    assert not User.objects.get(username="okeane").has_usable_password()
    assert report.users_matched == ["hbrandt"] and report.users_created == ["okeane (Orla Keane)"]
    # The entry's picture is kept as a link; its script is not.
    assert posts[0]["media"] == [("embed", "https://eveningpost.example/wp-content/uploads/2026/04/finish.jpg",
                                  "Brennan breaks the tape", "", "")]
    assert "<script" not in posts[0]["body"] and "evil.example" not in posts[0]["body"]
    assert posts[2]["body"] == "<p>And they're off! 4,100 runners crossed the start line on the promenade.</p>"
    # Archived in WordPress: ended with its last entry.
    assert blog.status == LiveBlog.Status.ENDED
    # Key events (/key) are key points, newest first, with the entry's first line; the command itself is not text.
    from dateline.coverage.models import KeyPoint

    points = list(KeyPoint.objects.filter(blog=blog).order_by("position").values_list("text", "post__body"))
    assert [text for text, _ in points] == ["Winner! Aiko Brennan wins in 2:14:09, a course record.",
                                            "And they're off! 4,100 runners crossed the start line on the promenade."]
    assert points[1][1] == posts[2]["body"]
    assert not any(">key<" in p["body"] or p["body"].startswith("<p>key") for p in posts)


def test_rss_feed(fixture_path):
    report = import_file(fixture_path("cup_final.rss"))
    assert report.format == "rss"
    blog = LiveBlog.objects.get(slug=report.slug)
    assert blog.title == "Harbourside Cup final live"
    posts = reader_posts(blog.slug)
    assert [p["headline"] for p in posts] == ["Full time: Rovers 2-1 Calder", "Goal! Calder level through Osei",
                                              "Kick-off at Harbourside Park"]
    assert [p["published"] for p in posts] == [t("2026-05-23T16:52:00+01:00"), t("2026-05-23T16:10:00+01:00"),
                                               t("2026-05-23T15:00:00+01:00")]
    # dc:creator, "email (Name)", and the channel's managing editor for the item that names nobody.
    assert [p["bylines"] for p in posts] == [["Lena Marsh"], ["Lena Marsh"], ["Sports Desk"]]
    assert [[m[1] for m in p["media"]] for p in posts] == [
        ["https://img.sport.example/trophy.jpg"], ["https://img.sport.example/osei.jpg"],
        ["https://img.sport.example/kickoff.jpg"]]
    assert posts[2]["media"][0][2] == "The teams line up"
    assert "javascript:" not in posts[0]["body"] and 'href="https://sport.example/report"' in posts[0]["body"]


def test_atom_feed(fixture_path):
    report = import_file(fixture_path("flood.atom"))
    assert report.format == "atom"
    posts = reader_posts(report.slug)
    assert [p["headline"] for p in posts] == ["Footbridge at Millbrook closed", "Levels falling at Calder Mill",
                                              "Evacuation centre opens"]
    assert posts[0]["updated"] == t("2026-02-03T12:30:00+00:00")
    assert posts[2]["published"] == t("2026-02-03T08:40:00+00:00")  # no <published>: its <updated>
    assert [p["bylines"] for p in posts] == [["Noor Haddad"], ["Valley Desk"], ["Noor Haddad", "Piet Vos"]]
    assert posts[0]["body"] == "<p>The footbridge is <strong>closed</strong> until engineers inspect it.</p>"
    assert posts[0]["media"] == [("embed", "https://img.valley.example/bridge.jpg", "The Millbrook footbridge", "",
                                  "")]
    assert posts[1]["media"][0][1] == "https://img.valley.example/gauge.jpg"
    assert "script" not in posts[1]["body"] and "cookie" not in posts[1]["body"]
    assert posts[2]["body"] == ("<p>The sports hall on Mill Lane is open to anyone leaving home.</p>"
                                "<p>Bring medicines and chargers.</p>")


def test_a_taken_slug_is_made_unique_and_reported(fixture_path, editor):
    from dateline.coverage import actions

    actions.create_blog(editor, title="Somebody else's", slug="cup-final")
    report = import_file(fixture_path("cup_final.rss"), slug="cup-final", actor=editor)
    assert report.slugs == ["cup-final-2"]
    assert any("the slug 'cup-final' is taken" in line for line in report.lines())
    assert Post.objects.filter(blog__slug="cup-final-2", created_by=editor).count() == 3


def test_a_dry_run_writes_nothing(fixture_path):
    before = (LiveBlog.objects.count(), Post.objects.count(), User.objects.count(), Change.objects.count())
    report = import_file(fixture_path("marathon.wxr.xml"), dry_run=True)
    assert report.dry_run and report.posts == 3 and report.slugs == ["port-ellery-marathon-2026-live"]
    assert report.lines()[-1] == "Dry run: nothing was written."
    assert (LiveBlog.objects.count(), Post.objects.count(), User.objects.count(), Change.objects.count()) == before


def test_the_same_file_twice_is_refused(fixture_path):
    from dateline.interchange.foreign import ImportRefused

    first = import_file(fixture_path("flood.atom"))
    with pytest.raises(ImportRefused, match="already imported"):
        import_file(fixture_path("flood.atom"))
    assert LiveBlog.objects.filter(title="Calder valley floods: live updates").count() == 1
    assert first.slug is not None


def test_the_report_says_what_happened(fixture_path):
    lines = import_file(fixture_path("election.json")).lines()
    assert lines[0] == "Imported 3 post(s) into 1 live blog(s) from a json-ld file; 1 skipped."
    assert "Blog 'Riverton mayoral count: as it happened' at /live/riverton-mayoral-count-as-it-happened/." in lines
    assert any(line.startswith("Created byline accounts without a password: ") for line in lines)


def test_the_imported_blog_is_served_to_readers(fixture_path, client):
    report = import_file(fixture_path("storm_page.html"))
    page = client.get(f"/live/{report.slug}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ferry crossings cancelled until Thursday" in html
    assert 'href="https://images.gazette.example/tide.jpg"' in html  # a link card, not an <img> from elsewhere
    assert 'src="https://images.gazette.example' not in html
    assert "alert(" not in html and "steal()" not in html
