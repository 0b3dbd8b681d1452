"""Every HTML page carries a nonce-based Content-Security-Policy; only the embed widget may be framed."""

from dateline.coverage import actions


def test_reader_pages_have_a_csp_that_refuses_inline_script(client, blog, reporter):
    """Private pages allow our origin plus their own nonce; pages a CDN may share allow our origin only."""
    post = actions.create_post(reporter, blog, headline="Hi", body="<p>x</p>")
    for url, nonce in (("/", True), (f"/live/{blog.slug}/", False), (f"/live/{blog.slug}/posts/{post.pk}/", False),
                       ("/newsroom/login/", True)):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        script_src = policy.split("script-src")[1].split(";")[0]
        assert ("'nonce-" in script_src) is nonce and "unsafe-inline" not in script_src, url
        assert script_src.split()[0] == "'self'", url
        assert "frame-ancestors 'none'" in policy
        assert response["X-Frame-Options"] == "DENY"


def test_the_embed_widget_may_be_framed_by_partner_sites(client, blog):
    response = client.get(f"/live/{blog.slug}/embed/")
    assert response.status_code == 200
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response


def test_a_fresh_nonce_per_request(client, blog):
    first = client.get("/")["Content-Security-Policy"]
    second = client.get("/")["Content-Security-Policy"]
    assert "'nonce-" in first and first != second


def test_json_answers_carry_no_page_policy(client, blog):
    assert "Content-Security-Policy" not in client.get(f"/api/v1/blogs/{blog.slug}")


def test_reader_pages_allow_frames_only_from_the_embed_providers_player_hosts(client, blog, reporter, oembed):
    """The sandboxed iframe of an embed may load (frame-src names its host); nothing else can be framed in."""
    from dateline.coverage.actions import create_embed

    video = create_embed(reporter, url="https://video.test/watch/ok")
    post = actions.create_post(reporter, blog, headline="Aerial", media=[video.pk])
    for url in (f"/live/{blog.slug}/", f"/live/{blog.slug}/posts/{post.pk}/"):
        response = client.get(url)
        assert 'src="https://player.video.test/embed/ok' in response.content.decode()
        frame_src = response["Content-Security-Policy"].split("frame-src")[1].split(";")[0].split()
        assert frame_src == ["'self'", "https://player.video.test"]


def test_the_default_policy_allows_the_default_providers_players(client, blog):
    frame_src = client.get(f"/live/{blog.slug}/")["Content-Security-Policy"].split("frame-src")[1].split(";")[0]
    assert "https://www.youtube.com" in frame_src and "https://player.vimeo.com" in frame_src
    assert "*" not in frame_src.replace("https://*.", "")
