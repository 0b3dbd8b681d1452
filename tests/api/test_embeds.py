"""POST /api/v1/media with {"kind": "embed", "url": …}: a video or social post by link, against the fake provider."""

from __future__ import annotations

from dateline.coverage.models import Media
from tests.api.conftest import assert_error


def test_an_embed_by_json_answers_the_media_object(oembed, as_reporter):
    r = as_reporter.post("/media", {"kind": "embed", "url": "https://video.test/watch/ok", "caption": "At dawn.",
                                    "credit": "Pool"})
    assert r.status_code == 201, r.content
    data = r.data
    assert data["kind"] == "embed" and data["url"] == "https://video.test/watch/ok"
    assert (data["title"], data["caption"], data["credit"], data["width"]) == (
        "Harbour bridge from the air", "At dawn.", "Pool", 640)
    assert data["embed"] == {"provider": "Newsreel", "author": "Courier Video", "display": "frame",
                             "thumbnail_url": "https://img.video.test/bridge.jpg",
                             "frame_src": "https://player.video.test/embed/ok?rel=0&autoplay=0"}
    assert r["Location"] == f"/api/v1/media/{data['id']}"


def test_an_embed_attaches_to_a_post_like_any_media(oembed, as_reporter, blog):
    card = as_reporter.post("/media", {"kind": "embed", "url": "https://social.test/post/1"}).data
    assert card["embed"]["display"] == "card" and card["embed"]["frame_src"] == ""
    r = as_reporter.post(f"/blogs/{blog.slug}/posts", {"headline": "Reaction", "media": [card["id"]]})
    assert r.status_code == 201, r.content
    assert r.data["media"][0]["embed"]["author"] == "Ana Lima"
    assert as_reporter.get(f"/blogs/{blog.slug}/posts/{r.data['id']}").data["media"] == [card]


def test_images_and_videos_say_they_are_not_embeds(oembed, as_reporter):
    r = as_reporter.post("/media", {"kind": "video", "url": "https://video.example/x.mp4", "title": "Clip"})
    assert r.status_code == 201 and r.data["embed"] is None


def test_embed_failures_are_json_422s_naming_the_url(oembed, as_reporter):
    for url, code in [("https://unknown.example/v/1", "embed_unsupported"),
                      ("https://video.test/watch/evil-host", "embed_untrusted"),
                      ("https://video.test/watch/bad-json", "embed_invalid"),
                      ("https://video.test/watch/slow", "embed_unavailable"),
                      ("https://gone.test/v/1", "embed_unavailable"),
                      ("javascript:alert(1)", "validation_error")]:
        error = assert_error(as_reporter.post("/media", {"kind": "embed", "url": url}), 422, code)
        assert error["fields"]["url"], url
    assert not Media.objects.exists()


def test_embed_bodies_are_strict(oembed, as_reporter, anon):
    error = assert_error(as_reporter.post("/media", {"kind": "embed", "url": "https://video.test/watch/ok",
                                                     "title": "mine"}), 422)
    assert error["fields"] == {"title": "Unknown field."}
    assert "url" in assert_error(as_reporter.post("/media", {"kind": "embed"}), 422)["fields"]
    assert "url" in assert_error(as_reporter.post("/media", {"kind": "embed", "url": 5}), 422)["fields"]
    assert_error(anon.post("/media", {"kind": "embed", "url": "https://video.test/watch/ok"}), 401)
    assert oembed.requests == []


def test_the_openapi_document_describes_the_embed_body(anon):
    doc = anon.get("/openapi.json").data
    body = doc["paths"]["/api/v1/media"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    kinds = [schema["properties"]["kind"] for schema in body["oneOf"]]
    assert [k.get("const") or k.get("enum", [None])[0] for k in kinds] == ["video", "embed"]
    media_out = doc["components"]["schemas"]["MediaOut"]
    assert "embed" in media_out["properties"] and "embed" in str(media_out["properties"]["kind"])


def test_a_link_whose_host_cannot_be_read_is_a_422_not_a_500(oembed, as_reporter):
    """urlsplit raises ValueError on an unclosed IPv6 bracket or a bad port: that was a 500."""
    for url in ("http://[::1", "https://video.test:99999/watch/ok", "https://video.test:port/watch/ok"):
        error = assert_error(as_reporter.post("/media", {"kind": "embed", "url": url}), 422, "validation_error")
        assert error["fields"]["url"], url
    assert oembed.requests == []


def test_a_player_address_that_cannot_be_read_is_refused_as_untrusted(oembed, as_reporter, monkeypatch):
    """A provider answering a player src with a broken host or port gets embed_untrusted, not a 500."""
    from tests import fake_oembed

    monkeypatch.setitem(fake_oembed.VIDEO_CASES, "bad-port", fake_oembed._video("https://player.video.test:99999/e"))
    monkeypatch.setitem(fake_oembed.VIDEO_CASES, "bad-ipv6", fake_oembed._video("https://[player.video.test/e"))
    for case in ("bad-port", "bad-ipv6"):
        r = as_reporter.post("/media", {"kind": "embed", "url": f"https://video.test/watch/{case}"})
        assert_error(r, 422, "embed_untrusted")
    assert not Media.objects.exists()
