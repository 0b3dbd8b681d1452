"""Structured forms: schema.org JSON-LD, Atom/RSS/JSON Feed, oEmbed and the page's JSON twin."""

from __future__ import annotations

import extruct
import feedparser

from dateline.coverage import actions
from dateline.coverage.models import Post


def live_blog_posting(client, blog):
    response = client.get(f"/live/{blog.slug}/")
    data = extruct.extract(response.content.decode(), base_url=f"http://testserver/live/{blog.slug}/",
                           syntaxes=["json-ld"])["json-ld"]
    found = [d for d in data if d.get("@type") == "LiveBlogPosting"]
    assert len(found) == 1
    return found[0]


def test_json_ld_live_blog_posting_has_every_contract_field(client, anatomy):
    ld = live_blog_posting(client, anatomy)
    assert ld["@context"] == "https://schema.org"
    assert ld["coverageStartTime"] == "2026-11-24T06:00:00+00:00"
    assert "coverageEndTime" not in ld, "only once the coverage has ended"
    assert ld["url"] == f"http://testserver/live/{anatomy.slug}/"
    updates = ld["liveBlogUpdate"]
    published = Post.objects.filter(blog=anatomy, status="published")
    assert len(updates) == published.count() == 3
    for update in updates:
        assert update["@type"] == "BlogPosting"
        for name in ("headline", "datePublished", "dateModified", "articleBody", "url", "author"):
            assert update[name], name
        post = published.get(pk=int(update["url"].rsplit("#post-", 1)[1]))
        assert update["url"] == f"http://testserver/live/{anatomy.slug}/#post-{post.pk}"
        assert update["headline"] == post.headline
        assert "<" not in update["articleBody"], "articleBody is plain text"
        assert update["author"][0]["@type"] == "Person" and update["author"][0]["name"]
    know = next(u for u in updates if u["headline"] == "Here's what you should know")
    assert "Evacuations: 4,100 people." in know["articleBody"]
    assert "cannot independently verify" in know["articleBody"]
    assert ld["video"]["duration"] == "PT292S"


def test_json_ld_has_coverage_end_once_ended(client, editor, anatomy):
    actions.end_blog(editor, anatomy)
    anatomy.refresh_from_db()
    ld = live_blog_posting(client, anatomy)
    assert ld["coverageEndTime"] == anatomy.coverage_end.isoformat()


def test_json_ld_date_modified_follows_edits(client, editor, anatomy):
    post = Post.objects.get(blog=anatomy, headline="River breaks its banks")
    post = actions.edit_post(editor, post, body="<p>Corrected.</p>")
    ld = live_blog_posting(client, anatomy)
    update = next(u for u in ld["liveBlogUpdate"] if u["url"].endswith(f"#post-{post.pk}"))
    assert update["dateModified"] == post.updated_at.isoformat() != update["datePublished"]


def test_feeds_are_discoverable(client, anatomy):
    page = client.get(f"/live/{anatomy.slug}/").content.decode()
    for kind, suffix in (("application/atom+xml", "feed.atom"), ("application/rss+xml", "feed.rss"),
                         ("application/feed+json", "feed.json"), ("application/json+oembed", "/oembed?url=")):
        assert f'type="{kind}"' in page and suffix in page


def parse_feed(client, blog, suffix):
    response = client.get(f"/live/{blog.slug}/{suffix}")
    assert response.status_code == 200
    feed = feedparser.parse(response.content, response_headers={"content-type": response["Content-Type"]})
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


def test_atom_and_rss_parse_without_bozo(client, anatomy):
    published = Post.objects.filter(blog=anatomy, status="published").order_by("-published_at")
    for suffix in ("feed.atom", "feed.rss"):
        _, feed = parse_feed(client, anatomy, suffix)
        assert feed.feed.title == "November 24, 2026 Wrenford floods | The Dateline Courier", suffix
        assert [e.title for e in feed.entries] == [p.headline for p in published], suffix
        entry = feed.entries[1]
        assert "<strong>Evacuations:</strong>" in (entry.get("content", [{}])[0].get("value") or entry.summary)
        assert entry.get("author"), suffix
        assert entry.link.startswith("http://testserver/live/"), suffix


def test_json_feed_parses_without_bozo(client, anatomy):
    """feedparser 6 reads only XML feeds; feedparser-rs (the same API, with JSON Feed) reads ours as JSON Feed 1.1
    without bozo, with every published post in order, its author and its link."""
    import feedparser_rs

    response = client.get(f"/live/{anatomy.slug}/feed.json")
    feed = feedparser_rs.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "json11"
    assert feed.feed.title == "November 24, 2026 Wrenford floods | The Dateline Courier"
    published = Post.objects.filter(blog=anatomy, status="published").order_by("-published_at")
    assert [e.title for e in feed.entries] == [p.headline for p in published]
    assert all(e.get("author") and e.link.startswith("http://testserver/live/") for e in feed.entries)


def test_json_feed_follows_the_1_1_spec(client, anatomy):
    """The spec's rules, field by field: version URL, title, items with a string id and content_html or
    content_text, RFC 3339 dates, string URLs."""
    from datetime import datetime

    response = client.get(f"/live/{anatomy.slug}/feed.json")
    assert response["Content-Type"].startswith("application/feed+json")
    data = response.json()
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["title"] == "November 24, 2026 Wrenford floods | The Dateline Courier"
    assert data["home_page_url"] == f"http://testserver/live/{anatomy.slug}/"
    assert data["feed_url"] == f"http://testserver/live/{anatomy.slug}/feed.json"
    assert all(isinstance(a["name"], str) for a in data["authors"])
    published = Post.objects.filter(blog=anatomy, status="published").order_by("-published_at")
    assert [i["title"] for i in data["items"]] == [p.headline for p in published]
    ids = [i["id"] for i in data["items"]]
    assert all(isinstance(i, str) for i in ids) and len(set(ids)) == len(ids)
    for item in data["items"]:
        assert item.get("content_html") or item.get("content_text")
        for name in ("date_published", "date_modified"):
            assert datetime.fromisoformat(item[name]).tzinfo is not None
        assert item["url"].startswith("http://testserver/") and all(a["name"] for a in item["authors"])
    assert "<strong>Evacuations:</strong>" in data["items"][1]["content_html"]


def test_atom_marks_edited_posts_updated(client, editor, anatomy):
    post = Post.objects.get(blog=anatomy, headline="River breaks its banks")
    post = actions.edit_post(editor, post, headline="River breaks its banks in two places")
    _, feed = parse_feed(client, anatomy, "feed.atom")
    entry = next(e for e in feed.entries if e.title == "River breaks its banks in two places")
    assert entry.updated_parsed > entry.published_parsed


def test_feeds_answer_304_until_the_blog_changes(client, reporter, anatomy):
    for suffix in ("feed.atom", "feed.rss", "feed.json"):
        first = client.get(f"/live/{anatomy.slug}/{suffix}")
        assert first.has_header("ETag") and first.has_header("Last-Modified")
        again = client.get(f"/live/{anatomy.slug}/{suffix}", HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304, suffix
    etag = client.get(f"/live/{anatomy.slug}/feed.atom")["ETag"]
    actions.create_post(reporter, anatomy, headline="Fresh")
    assert client.get(f"/live/{anatomy.slug}/feed.atom", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_oembed_for_blog_and_post_urls(client, anatomy):
    page_url = f"http://testserver/live/{anatomy.slug}/"
    data = client.get("/oembed", {"url": page_url, "format": "json"}).json()
    assert data["version"] == "1.0" and data["type"] == "rich"
    assert data["provider_name"] == "The Dateline Courier"
    assert f'src="http://testserver/live/{anatomy.slug}/embed/"' in data["html"] and "embed.js" in data["html"]
    assert data["width"] and data["height"]
    post = Post.objects.get(blog=anatomy, headline="River breaks its banks")
    data = client.get("/oembed", {"url": f"{page_url}posts/{post.pk}/", "maxwidth": "400"}).json()
    assert f"embed/?post={post.pk}" in data["html"] and data["width"] == 400
    assert data["title"] == "River breaks its banks"


def test_oembed_refuses_what_it_cannot_embed(client, anatomy):
    assert client.get("/oembed", {"url": "http://testserver/live/nope/"}).status_code == 404
    assert client.get("/oembed", {"url": "https://evil.example/live/" + anatomy.slug + "/"}).status_code == 404
    assert client.get("/oembed", {"url": "http://testserver/elsewhere/"}).status_code == 404
    assert client.get("/oembed", {"url": f"http://testserver/live/{anatomy.slug}/", "format": "xml"}).status_code \
        == 501
    draft = Post.objects.get(blog=anatomy, headline="Secret draft")
    response = client.get("/oembed", {"url": f"http://testserver/live/{anatomy.slug}/posts/{draft.pk}/"})
    assert response.status_code == 404 and response.json()["error"]["message"]


def test_json_twin_matches_the_page(client, anatomy):
    data = client.get(f"/live/{anatomy.slug}.json").json()
    assert data["seq"] == anatomy.seq == data["blog"]["seq"]
    assert data["blog"]["post_count"] == 3
    assert [p["headline"] for p in data["pinned"]] == ["Dam spillway in use"]
    assert [p["headline"] for p in data["items"]] == ["Here's what you should know", "River breaks its banks"]
    assert data["next"] is None
    assert data["items"][0]["html"].startswith("<article")
    assert data["blog"]["lead_media"]["duration"] == "04:52"


def test_share_page_has_blog_posting_json_ld(client, anatomy):
    post = Post.objects.get(blog=anatomy, headline="River breaks its banks")
    url = f"http://testserver/live/{anatomy.slug}/posts/{post.pk}/"
    data = extruct.extract(client.get(url).content.decode(), base_url=url, syntaxes=["json-ld"])["json-ld"]
    (posting,) = [d for d in data if d.get("@type") == "BlogPosting"]
    assert posting["url"] == url and posting["headline"] == "River breaks its banks"
    assert posting["isPartOf"]["url"] == f"http://testserver/live/{anatomy.slug}/"
    assert posting["author"][0]["name"] == "Reporter One" and posting["articleBody"].startswith("Water poured")
