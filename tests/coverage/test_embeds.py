"""Video and social embeds by URL: the provider's oEmbed answer is looked up once, checked, and rendered by us.

All against the local fake provider (tests/fake_oembed.py, the ``oembed`` fixture); nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from dateline.audit.models import AuditEntry
from dateline.coverage import actions, embeds
from dateline.coverage.actions import create_embed
from dateline.coverage.apps import check_oembed_providers
from dateline.coverage.errors import NotAuthenticated, ValidationFailed
from dateline.coverage.models import Change, Media
from dateline.settings import env_json

SANDBOX = 'sandbox="allow-scripts allow-same-origin allow-popups allow-presentation"'


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The shared ``actors`` fixture sets passwords; PBKDF2 at full strength costs ~1.5 s per test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def refused(actor, url: str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        create_embed(actor, url=url)
    error = caught.value
    assert error.status == 422 and error.fields["url"] == error.message and error.message
    return error


def test_a_video_link_becomes_an_embed_with_an_allowlisted_player(oembed, reporter):
    """The iframe src is kept (entities decoded) because it is https on the provider's frame host; the rest is data."""
    media = create_embed(reporter, url="https://video.test/watch/ok", caption="The bridge at dawn.", credit="Pool")
    assert media.kind == Media.Kind.EMBED
    assert (media.provider, media.title, media.author) == ("Newsreel", "Harbour bridge from the air", "Courier Video")
    assert media.frame_src == "https://player.video.test/embed/ok?rel=0&autoplay=0"
    assert media.url == "https://video.test/watch/ok" and media.thumbnail_url == "https://img.video.test/bridge.jpg"
    assert (media.width, media.height, media.caption, media.credit) == (640, 360, "The bridge at dawn.", "Pool")
    assert AuditEntry.objects.get(action="media.embed").detail["provider"] == "Newsreel"
    assert oembed.requests[0]["url"] == "https://video.test/watch/ok" and oembed.requests[0]["format"] == "json"


def test_a_script_based_social_post_becomes_a_link_card(oembed, reporter):
    """The provider's blockquote + <script> is dropped: no frame, just the checked title, author and link."""
    media = create_embed(reporter, url="https://social.test/post/1")
    assert (media.provider, media.author, media.frame_src) == ("Chirp", "Ana Lima", "")
    assert media.title == "The bridge is closed in both directions"
    assert (media.width, media.height) == (550, None)


def test_the_same_link_twice_asks_the_provider_once(oembed, reporter, editor):
    first = create_embed(reporter, url="https://video.test/watch/ok")
    second = create_embed(editor, url="https://video.test/watch/ok")
    assert first.pk != second.pk and second.frame_src == first.frame_src
    assert len(oembed.requests) == 1


def test_a_failure_is_cached_briefly_so_a_down_provider_is_not_hammered(oembed, reporter, settings):
    refused(reporter, "https://video.test/watch/server-error")
    refused(reporter, "https://video.test/watch/server-error")
    assert len(oembed.requests) == 1
    assert settings.DATELINE_OEMBED_FAILURE_CACHE_SECONDS <= 300 < settings.DATELINE_OEMBED_CACHE_SECONDS


@pytest.mark.parametrize(("case", "code", "words"), [
    ("evil-host", "embed_untrusted", "evil.test, which is not on the list of hosts allowed for Newsreel"),
    ("lookalike-host", "embed_untrusted", "player.video.test.evil.test"),
    ("http-player", "embed_untrusted", "not on the list"),
    ("javascript-player", "embed_untrusted", "not on the list"),
    ("bad-json", "embed_invalid", "did not answer with oEmbed JSON"),
    ("not-oembed", "embed_invalid", "did not answer with oEmbed JSON"),
    ("huge", "embed_invalid", "larger than 262,144 bytes"),
    ("server-error", "embed_unavailable", "answered 500"),
    ("missing", "embed_not_found", "private, deleted or not embeddable"),
    ("redirect", "embed_unavailable", "redirect (302), which is not followed"),
    ("slow", "embed_unavailable", "did not answer within 0.3 s"),
])
def test_a_provider_that_misbehaves_is_a_clear_422_and_nothing_is_stored(oembed, reporter, case, code, words):
    error = refused(reporter, f"https://video.test/watch/{case}")
    assert error.code == code and words in error.message, error.message
    assert not Media.objects.exists()


def test_a_provider_that_is_down_is_a_clear_422(oembed, reporter):
    error = refused(reporter, "https://gone.test/v/1")
    assert error.code == "embed_unavailable" and "Gone could not be reached" in error.message


def test_a_player_given_as_a_script_falls_back_to_a_link_card(oembed, reporter):
    """Only a single <iframe> is ever a player; anything else from the provider is not run, just linked."""
    assert create_embed(reporter, url="https://video.test/watch/script-instead").frame_src == ""


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)//https://video.test/watch/ok", "data:text/html,<script>x</script>",
    "ftp://video.test/watch/ok", "https://user:pw@video.test/watch/ok", "https://video.test/watch/ok x", "",
    "//video.test/watch/ok",
])
def test_links_that_are_not_plain_web_links_are_refused_without_asking_anyone(oembed, reporter, url):
    with pytest.raises(ValidationFailed) as caught:
        create_embed(reporter, url=url)
    assert caught.value.status == 422 and "url" in caught.value.fields
    assert oembed.requests == []


def test_a_link_no_provider_claims_names_the_ones_that_work(oembed, reporter):
    error = refused(reporter, "https://unknown.example/video/1")
    assert error.code == "embed_unsupported"
    assert "unknown.example" in error.message and "Newsreel, Chirp" in error.message
    # a look-alike of a claimed host is not claimed either
    assert refused(reporter, "https://video.test.evil.example/watch/ok").code == "embed_unsupported"
    assert oembed.requests == []


def test_signed_out_callers_cannot_embed(oembed):
    with pytest.raises(NotAuthenticated):
        create_embed(None, url="https://video.test/watch/ok")


def test_the_post_fragment_has_a_sandboxed_lazy_titled_iframe_and_no_script(oembed, reporter, blog):
    video = create_embed(reporter, url="https://video.test/watch/ok", caption="From the coastguard helicopter.")
    post = actions.create_post(reporter, blog, headline="Aerial view", media=[video.pk])
    html = post.html
    assert '<iframe class="embed__frame" src="https://player.video.test/embed/ok?rel=0&amp;autoplay=0"' in html
    assert SANDBOX in html and 'loading="lazy"' in html and "allowfullscreen" in html
    assert 'title="Harbour bridge from the air (Newsreel)"' in html
    assert 'style="aspect-ratio: 640 / 360"' in html
    assert "From the coastguard helicopter." in html
    assert 'href="https://video.test/watch/ok"' in html  # a plain link to the source, for feeds and no-frame readers
    assert "<script" not in html.lower()
    # readers get the same fragment live
    assert SANDBOX in json.loads(Change.objects.get(blog=blog, type="post.published").data)["html"]


def test_a_social_post_renders_as_a_link_card_without_third_party_script(oembed, reporter, blog):
    card = create_embed(reporter, url="https://social.test/post/1")
    html = actions.create_post(reporter, blog, headline="Reaction", media=[card.pk]).html
    assert '<a class="embed__card" href="https://social.test/post/1" rel="noopener noreferrer">' in html
    assert "Ana Lima" in html and "Chirp" in html and "The bridge is closed in both directions" in html
    assert "<script" not in html.lower() and "<iframe" not in html and "<blockquote" not in html


def test_provider_text_is_escaped_not_trusted(oembed, reporter, blog):
    media = create_embed(reporter, url="https://video.test/watch/hostile-title")
    html = actions.create_post(reporter, blog, headline="x", media=[media.pk]).html
    assert "<script" not in html.lower() and "<img" not in html
    assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;Bridge on Newsreel" in html
    assert media.author == '<img src=x onerror="alert(1)">'  # kept as text; templates escape it wherever shown


def test_an_embed_as_lead_media_renders_in_the_blog_header(oembed, editor, blog, client):
    media = create_embed(editor, url="https://video.test/watch/ok")
    actions.update_blog(editor, blog, lead_media=media.pk)
    html = client.get(f"/live/{blog.slug}/").content.decode()
    assert 'class="lead-media lead-media--embed embed embed--frame"' in html and SANDBOX in html


def test_csp_frame_src_lists_exactly_the_providers_frame_hosts(oembed):
    assert embeds.frame_sources() == ["https://player.video.test"]


@pytest.mark.parametrize(("entry", "words"), [
    ({"name": "Plain", "schemes": ["https://v.example/*"], "endpoint": "http://v.example/oembed"}, "must be https"),
    ({"name": "File", "schemes": ["https://v.example/*"], "endpoint": "file:///etc/passwd"}, "must be https"),
    ({"name": "Any", "schemes": ["https://v.example/*"], "endpoint": "https://v.example/o", "frame_hosts": ["*"]},
     "frame_hosts"),
    ({"name": "Url", "schemes": ["https://v.example/*"], "endpoint": "https://v.example/o",
      "frame_hosts": ["https://player.v.example"]}, "frame_hosts"),
    ({"name": "NoSchemes", "schemes": [], "endpoint": "https://v.example/o"}, "schemes"),
    ({"name": "Typo", "schemes": ["https://v.example/*"], "endpoint": "https://v.example/o", "framehosts": []},
     "unknown key"),
    ("not a provider", "needs a 'name'"),
])
def test_a_wrong_provider_setting_is_reported_at_start(settings, entry, words):
    settings.DATELINE_OEMBED_PROVIDERS_EXTRA = [entry]
    with pytest.raises(ImproperlyConfigured, match=words):
        embeds.providers()
    [error] = check_oembed_providers()
    assert error.id == "dateline.E001" and words in error.msg


def test_the_default_providers_are_valid_and_https(settings):
    settings.DATELINE_OEMBED_PROVIDERS_EXTRA = []
    assert check_oembed_providers() == []
    names = {p.name for p in embeds.providers()}
    assert {"YouTube", "Vimeo", "X", "Bluesky"} <= names
    assert embeds.provider_for("https://www.youtube.com/watch?v=abc").name == "YouTube"
    assert embeds.provider_for("http://youtu.be/abc").name == "YouTube"
    assert embeds.provider_for("https://x.com/someone/status/1").name == "X"
    assert embeds.provider_for("https://www.youtube.com.evil.example/watch?v=abc") is None
    assert all(p.endpoint.startswith("https://") for p in embeds.providers())


def test_newsroom_providers_from_the_environment_come_first(settings, monkeypatch):
    monkeypatch.setenv("DATELINE_OEMBED_PROVIDERS_EXTRA", json.dumps([
        {"name": "Courier Player", "schemes": ["https://www.youtube.com/*"], "endpoint": "https://player.courier/o",
         "frame_hosts": ["player.courier"]}]))
    settings.DATELINE_OEMBED_PROVIDERS_EXTRA = env_json("DATELINE_OEMBED_PROVIDERS_EXTRA", [])
    assert embeds.provider_for("https://www.youtube.com/watch?v=abc").name == "Courier Player"
    assert "https://player.courier" in embeds.frame_sources()
    monkeypatch.setenv("DATELINE_OEMBED_PROVIDERS_EXTRA", "[{oops")
    with pytest.raises(ImproperlyConfigured, match="DATELINE_OEMBED_PROVIDERS_EXTRA is not valid JSON"):
        env_json("DATELINE_OEMBED_PROVIDERS_EXTRA", [])


def test_unstorable_text_from_a_provider_is_replaced_not_a_500(oembed, reporter):
    """A lone surrogate in the provider's title or thumbnail (legal JSON) is made storable before anything is kept."""
    media = create_embed(reporter, url="https://video.test/watch/surrogates")
    assert media.title == "bad ? title"
    media.refresh_from_db()
    assert media.thumbnail_url == "https://img.video.test/?.jpg"  # stored, with the unstorable character replaced


@pytest.mark.parametrize(("case", "code"), [("deep", "embed_invalid"), ("long-player", "embed_invalid"),
                                            ("nul-player", "embed_untrusted")])
def test_answers_that_used_to_escape_as_500s_are_clear_422s(oembed, reporter, case, code):
    with pytest.raises(ValidationFailed) as refused:
        create_embed(reporter, url=f"https://video.test/watch/{case}")
    assert refused.value.code == code
    assert not Media.objects.filter(kind=Media.Kind.EMBED).exists()


def test_a_provider_dripping_bytes_cannot_stretch_the_deadline(oembed, reporter):
    """One byte every 50 ms never trips a socket timeout; the 0.3 s deadline for the whole answer still holds."""
    import time

    started = time.monotonic()
    with pytest.raises(ValidationFailed) as refused:
        create_embed(reporter, url="https://video.test/watch/drip")
    assert refused.value.code == "embed_unavailable"
    assert time.monotonic() - started < 1.0
