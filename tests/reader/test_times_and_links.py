"""Times as HTML allows them and as readers need them; links to a post that land on it wherever it is."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from django.core.management import call_command

from dateline.coverage import actions
from dateline.coverage.models import LiveBlog, Post, Story
from dateline.coverage.render import render_key_points, render_post
from dateline.reader.stream import PAGE_SIZE

from .conftest import DAY, add_posts

# A valid HTML date string, or a global date-and-time string to the second (the W3C checker refuses more than three
# fraction digits; we write none).
DATETIME = re.compile(r"^\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d[+-]\d\d:\d\d)?$")
MICROS = timedelta(microseconds=468_903)


def datetimes(html: str) -> list[str]:
    return re.findall(r'<time[^>]* datetime="([^"]*)"', html)


def test_time_elements_carry_whole_seconds_when_the_times_have_microseconds(client, editor, reporter):
    """Posts written through the API have microsecond timestamps; no page writes them into ``datetime``."""
    blog = actions.create_blog(editor, title="Real times", time_zone="Europe/London", coverage_start=DAY + MICROS)
    post = actions.create_post(reporter, blog, now=DAY + timedelta(hours=1) + MICROS, headline="Published")
    actions.patch_post(editor, post, now=DAY + timedelta(hours=2) + MICROS, update_note="Updated.",
                      correction="An earlier version misspelt a name.")
    pages = [f"/live/{blog.slug}/", f"/live/{blog.slug}/posts/{post.pk}/", f"/live/{blog.slug}/embed/",
             f"/live/{blog.slug}/corrections/", "/"]
    for url in pages:
        found = datetimes(client.get(url).content.decode())
        assert found, url
        assert all(DATETIME.match(value) for value in found), (url, found)
    page = client.get(f"/live/{blog.slug}/").content.decode()
    assert 'Updated <time datetime="2026-11-24T08:00:00+00:00">08:00 GMT</time>' in page, "same day: no date"


def test_an_update_on_a_later_day_says_which_day(editor, reporter):
    """Published 07:10 on 24 Nov and edited on the 30th: "Updated 30 Nov, 21:50 GMT", not a bare "21:50"."""
    blog = actions.create_blog(editor, title="Floods", time_zone="Europe/London", coverage_start=DAY)
    post = actions.create_post(reporter, blog, now=DAY.replace(hour=7, minute=10), headline="Post 12")
    later = DAY.replace(day=30, hour=21, minute=50)
    edited = actions.patch_post(editor, post, now=later, update_note="Updated.", correction="Wrong street.")
    assert '07:10 <span class="post__zone">GMT</span>' in edited.html
    assert 'Updated <time datetime="2026-11-30T21:50:00+00:00">30 Nov, 21:50 GMT</time>' in edited.html
    assert '(<time datetime="2026-11-30T21:50:00+00:00">30 Nov, 21:50</time>): Wrong street.' in edited.html


def test_post_times_are_dated_once_the_coverage_runs_past_its_first_local_day(editor, reporter):
    """The day is the blog's local day: 22:00 in New York on the 24th is still the first day, though UTC says 25."""
    london = actions.create_blog(editor, title="Overnight", time_zone="Europe/London", coverage_start=DAY)
    after_midnight = actions.create_post(reporter, london, now=DAY.replace(day=25, hour=0, minute=30),
                                         headline="After midnight")
    assert '25 Nov, 00:30 <span class="post__zone">GMT</span>' in after_midnight.html
    new_york = actions.create_blog(editor, title="Evening", time_zone="America/New_York", coverage_start=DAY)
    evening = actions.create_post(reporter, new_york, now=DAY.replace(day=25, hour=3), headline="Late")
    assert '>22:00 <span class="post__zone">EST</span>' in evening.html


def test_a_post_link_opens_the_page_that_shows_the_post(client, blog, reporter, editor):
    """``?post=<id>`` (links write ``?post=<id>#post-<id>``): the live first page when the post is on it, else the
    older page that starts with it, so the anchor lands without JavaScript."""
    posts = add_posts(reporter, blog, PAGE_SIZE + 25, same_time_every=3)
    newest_first = sorted(posts, key=lambda p: (p.published_at, p.pk), reverse=True)
    old = newest_first[PAGE_SIZE + 2]
    page = client.get(f"/live/{blog.slug}/?post={old.pk}").content.decode()
    first = re.search(r'<article [^>]*data-post-id="(\d+)"[^>]*>', page)
    assert first and int(first[1]) == old.pk, "the page opens with the post"
    assert f'aria-posinset="{PAGE_SIZE + 3}"' in first[0], "its place in the whole stream"
    assert "data-live" not in page and "Back to the latest posts" in page and 'id="load-more"' in page

    boundary = newest_first[PAGE_SIZE]  # the first post not on page 1
    page = client.get(f"/live/{blog.slug}/?post={boundary.pk}").content.decode()
    assert re.search(r'<article [^>]*data-post-id="(\d+)"', page)[1] == str(boundary.pk)

    actions.pin_post(editor, newest_first[-1])
    gone = newest_first[-2]
    actions.delete_post(editor, gone)
    for shown_on_page_one in (newest_first[0].pk, newest_first[PAGE_SIZE - 1].pk, newest_first[-1].pk):
        page = client.get(f"/live/{blog.slug}/?post={shown_on_page_one}").content.decode()
        assert 'data-live="true"' in page and f'id="post-{shown_on_page_one}"' in page
    for not_a_post in (gone.pk, 10**9, "abc", ""):
        response = client.get(f"/live/{blog.slug}/?post={not_a_post}")
        assert response.status_code == 200 and 'data-live="true"' in response.content.decode(), not_a_post


def test_share_page_feeds_and_key_points_link_posts_by_their_page(client, blog, reporter, editor):
    """Every link to a post in the coverage carries ``?post=<id>#post-<id>``; JSON-LD keeps the contract's
    ``#post-<id>`` (its posts are on the page it describes)."""
    post = actions.create_post(reporter, blog, headline="Linked")
    actions.set_key_points(editor, blog, [{"text": "A point.", "post_id": post.pk}])
    on_page = f"/live/{blog.slug}/?post={post.pk}#post-{post.pk}"
    share = client.get(f"/live/{blog.slug}/posts/{post.pk}/").content.decode()
    assert share.count(f'href="{on_page}"') == 2, "Follow the live coverage, See this post in the live coverage"
    feed = json.loads(client.get(f"/live/{blog.slug}/feed.json").content)
    assert feed["items"][0]["url"] == "http://testserver" + on_page
    assert f'href="{on_page}"' in client.get(f"/live/{blog.slug}/").content.decode()


def test_story_navigation_and_the_aside_give_each_days_date(client, editor):
    """"Previous day, November 23" rather than a bare "Previous day"; the aside lists the story's days with the
    page's own marked as current."""
    Story.objects.create(slug="vale", title="Vale floods")
    days = [actions.create_blog(editor, title=f"Day {i}", coverage_start=DAY.replace(day=22 + i), story="vale",
                                time_zone="Europe/London") for i in range(3)]
    page = client.get(f"/live/{days[1].slug}/").content.decode()
    assert '<span aria-hidden="true">←</span> Previous day, <time datetime="2026-11-22">November 22</time>' in page
    assert 'Next day, <time datetime="2026-11-24">November 24</time>' in page
    aside = page.split('aria-label="About this coverage"', 1)[1].split("</aside>", 1)[0]
    assert "This story, day by day" in aside
    assert [int(d) for d in re.findall(r'<time datetime="2026-11-(\d+)">Nov \d+</time>', aside)] == [22, 23, 24]
    assert f'<a href="/live/{days[1].slug}/" aria-current="page">' in aside
    assert "Started <time" in aside and "GMT (Europe/London)" in aside
    alone = actions.create_blog(editor, title="Alone")
    assert "day by day" not in client.get(f"/live/{alone.slug}/").content.decode()


def test_rerender_fragments_brings_stored_html_up_to_the_current_templates(blog, reporter, editor):
    """Fragments stored by an older release (here: made stale by hand) are rendered again; an up-to-date one is
    left alone, and so is the blog's seq (no change event: the content did not change)."""
    posts = [actions.create_post(reporter, blog, headline=f"Post {i}") for i in range(2)]
    actions.set_key_points(editor, blog, [{"text": "A point.", "post_id": posts[0].pk}])
    Post.objects.filter(pk=posts[0].pk).update(html='<article id="post-1" data-stale="yes"></article>')
    LiveBlog.objects.filter(pk=blog.pk).update(key_points_html='<section id="key-points">stale</section>')
    seq = LiveBlog.objects.get(pk=blog.pk).seq
    call_command("rerender_fragments", blog=blog.slug)
    fresh = Post.objects.get(pk=posts[0].pk)
    assert fresh.html == render_post(fresh) and "data-stale" not in fresh.html
    blog = LiveBlog.objects.get(pk=blog.pk)
    assert blog.key_points_html == render_key_points(blog) and blog.seq == seq
