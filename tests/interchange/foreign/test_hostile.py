"""Malformed and hostile files: a clear ImportRefused (or a sanitised import), never a traceback, never a partial
import. XML is parsed by expat with every DTD refused, so entity bombs and external entities never expand."""

from __future__ import annotations

import json

import pytest

from dateline.accounts.models import User
from dateline.audit.models import AuditEntry
from dateline.coverage.errors import ActionError
from dateline.coverage.models import Change, LiveBlog, Media, Post
from dateline.interchange.foreign import MAX_BYTES, ImportRefused, import_file
from dateline.interchange.foreign.__main__ import main

from .conftest import reader_posts

pytestmark = pytest.mark.django_db

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Bomb</title><item><title>&lol9;</title>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content>&lol9;</wp:comment_content>
<wp:comment_approved>liveblog</wp:comment_approved><wp:comment_type>liveblog</wp:comment_type>
<wp:comment_date_gmt>2026-04-12 08:00:00</wp:comment_date_gmt></wp:comment></item></channel></rss>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>Leak</title><item><title>x</title><description>&xxe;</description>
<pubDate>Sat, 23 May 2026 15:00:00 +0100</pubDate></item></channel></rss>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE feed SYSTEM "http://127.0.0.1:9/evil.dtd">
<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>
<rss version="2.0"><channel><title>x</title></channel></rss>"""


def nothing_written():
    return (LiveBlog.objects.count(), Post.objects.count(), User.objects.count(), Media.objects.count(),
            Change.objects.count(), AuditEntry.objects.count()) == (0, 0, 0, 0, 0, 0)


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY],
                         ids=["billion-laughs-wxr", "external-entity-rss", "external-dtd-atom", "parameter-entity"])
def test_dtds_and_entities_are_refused(tmp_path, data):
    path = tmp_path / "feed.xml"
    path.write_bytes(data)
    with pytest.raises(ImportRefused, match="document type declaration") as refused:
        import_file(path)
    assert "root:" not in refused.value.message  # nothing of /etc/passwd
    assert nothing_written()


def test_a_100_mb_feed_is_refused_unread(tmp_path):
    path = tmp_path / "huge.rss"
    with path.open("wb") as f:
        f.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>')
        f.truncate(100 * 1024 * 1024)
    with pytest.raises(ImportRefused, match=f"at most {MAX_BYTES:,} bytes"):
        import_file(path)
    assert nothing_written()


@pytest.mark.parametrize("content, message", [
    (b'{"@type": "LiveBlogPosting", "headline": ', "not valid JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"@type": "NewsArticle", "headline": "Not a live blog"}', "No schema.org LiveBlogPosting"),
    (b"<!doctype html><html><head><title>No data</title></head><body>Hi</body></html>",
     "No schema.org LiveBlogPosting"),
    (b"Just some text, not a feed.", "not a format Dateline imports"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a format Dateline imports"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "root element is <svg>"),
    (b'<rss version="2.0"><channel><title>Cut short', "not well-formed XML"),
    (b'<rss version="2.0"><channel><item><title>A&nbsp;B</title></item></channel></rss>', "undefined entity"),
    (b"<a>" * 5000, "nests elements more than"),
], ids=["truncated-json", "deep-json", "no-live-blog", "page-without-json-ld", "text", "binary", "svg",
        "truncated-xml", "html-entity-in-xml", "deep-xml"])
def test_malformed_files_get_a_clear_error(tmp_path, content, message):
    path = tmp_path / "input"
    path.write_bytes(content)
    with pytest.raises(ImportRefused, match=message):
        import_file(path)
    assert nothing_written()


def test_json_ld_of_the_wrong_shapes_is_read_without_a_traceback(tmp_path):
    path = tmp_path / "odd.json"
    path.write_text(json.dumps({"@graph": [{"@type": "LiveBlogPosting", "headline": ["Odd", "shapes"],
                                            "liveBlogUpdate": [
        42, "a string", None,
        {"headline": 7, "datePublished": ["2026-01-01"], "author": 5, "image": {"url": 3}, "articleBody": {}},
        {"headline": "<script>alert(1)</script>Fine", "datePublished": "2026-01-01T10:00:00Z",
         "author": [None, {"@type": "Person"}, {"name": "Kit Moreau"}], "image": ["data:image/png;base64,AAAA"],
         "articleBody": "<p>ok</p><iframe src=\"javascript:alert(1)\"></iframe>"},
        {"headline": "Far future", "datePublished": "9999-12-31T23:59:59-01:00", "articleBody": "x"},
    ]}]}))
    report = import_file(path)
    posts = reader_posts(report.slug)
    assert [p["headline"] for p in posts] == ["alert(1) Fine"]  # markup in a headline is text
    assert posts[0]["authors"] == ["kit-moreau"] and posts[0]["media"] == []
    assert posts[0]["body"] == "<p>ok</p>"
    assert report.skipped == 2  # no usable time; a time out of range
    assert LiveBlog.objects.get(slug=report.slug).title == "Odd"


def test_a_post_the_action_refuses_is_skipped_and_reported(tmp_path):
    path = tmp_path / "long.json"
    path.write_text(json.dumps({"@type": "LiveBlogPosting", "headline": "Long", "liveBlogUpdate": [
        {"headline": "Fits", "datePublished": "2026-01-01T10:00:00Z", "articleBody": "short"},
        {"headline": "Too long", "datePublished": "2026-01-01T11:00:00Z", "articleBody": "word " * 50_000},
    ]}))
    report = import_file(path)
    assert [p["headline"] for p in reader_posts(report.slug)] == ["Fits"]
    assert any("skipped update 2 ('Too long')" in line and "characters" in line for line in report.lines())


def test_a_failure_part_way_leaves_nothing_behind(fixture_path, monkeypatch):
    """All or nothing: the blog, its posts, byline accounts and changes are one transaction."""
    from dateline.coverage import actions

    def fail(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(actions, "update_blog", fail)  # after every post of the election is written
    with pytest.raises(RuntimeError):
        import_file(fixture_path("election.json"))
    assert nothing_written()


def test_only_editors_import(fixture_path, reporter):
    with pytest.raises(ActionError, match="Only editors"):
        import_file(fixture_path("flood.atom"), actor=reporter)
    assert not LiveBlog.objects.exists() and not Post.objects.exists()


def test_several_blogs_and_one_slug_is_refused(tmp_path):
    path = tmp_path / "two.json"
    path.write_text(json.dumps([{"@type": "LiveBlogPosting", "@id": "#a", "headline": "A"},
                                {"@type": "LiveBlogPosting", "@id": "#b", "headline": "B"}]))
    with pytest.raises(ImportRefused, match="2 live blogs"):
        import_file(path, slug="one")
    report = import_file(path)
    assert report.slugs == ["a", "b"]


def test_the_command_prints_a_clear_error(tmp_path, capsys):
    path = tmp_path / "bomb.xml"
    path.write_bytes(BILLION_LAUGHS)
    assert main([str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("import refused: The XML file was refused") and "Traceback" not in err


def test_the_command_imports(fixture_path, capsys):
    assert main([str(fixture_path("flood.atom")), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Would import 3 post(s) into 1 live blog(s) from a atom file") and "Dry run" in out
    assert not LiveBlog.objects.exists()


def test_updates_given_by_reference_in_a_graph_and_a_bare_script_fragment(tmp_path):
    """Some SEO plugins list the updates as ``{"@id": …}`` references to objects elsewhere in the ``@graph``; and a
    file may be just the ``<script>`` element copied from a page."""
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "LiveBlogPosting", "@id": "#live", "headline": "Ring road works",
         "liveBlogUpdate": [{"@id": "#u2"}, {"@id": "#u1"}, {"@id": "#missing"}]},
        {"@type": "BlogPosting", "@id": "#u1", "headline": "Lane closed", "datePublished": "2026-06-01T08:00:00Z"},
        {"@type": "BlogPosting", "@id": "#u2", "headline": "Lane open", "datePublished": "2026-06-01T09:00:00Z"},
    ]}
    path = tmp_path / "fragment.html"
    path.write_text(f'<script type="application/ld+json">{json.dumps(graph)}</script>')
    report = import_file(path)
    assert [p["headline"] for p in reader_posts(report.slug)] == ["Lane open", "Lane closed"]
    assert report.skipped == 1  # the reference to nothing: no published time


@pytest.mark.parametrize("head, kind", [
    (b'\xef\xbb\xbf  {"@type": "LiveBlogPosting"}', "json"),
    (b"[{}]", "json"),
    (b"<!-- saved from url=(0042)https://gazette.example/ -->\n<!DOCTYPE html><html>", "html"),
    (b'<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x"><html>', "html"),
    (b'<script type="application/ld+json">{}</script>', "html"),
    (b'<?xml version="1.0"?><rss version="2.0">', "xml"),
    (b'<feed xmlns="http://www.w3.org/2005/Atom">', "xml"),
    (b"<!DOCTYPE rss [<!ENTITY a 'b'>]><rss/>", "xml"),  # and then refused by the XML parser
], ids=["json-bom", "json-list", "saved-page", "xhtml", "script-fragment", "rss", "atom", "doctype-xml"])
def test_the_format_is_told_by_content(head, kind):
    from dateline.interchange.foreign import detect

    assert detect(head) == kind
