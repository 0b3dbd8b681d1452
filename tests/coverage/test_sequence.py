"""The per-blog change sequence: strictly increasing and gap-free, also with many writers at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from dateline.coverage import actions
from dateline.coverage.models import Change, LiveBlog, Post

WRITERS = 6
POSTS_EACH = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_get_gap_free_seq(actors):
    """Six threads publishing and editing at once: seq runs 1..N with no gap or repeat, in commit order."""
    editor = actors["editor"]
    blog = actions.create_blog(editor, title="Concurrency")
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(POSTS_EACH):
                post = actions.create_post(editor, blog, headline=f"w{n} p{i}", body="<p>x</p>")
                actions.edit_post(editor, post, headline=f"w{n} p{i} edited")
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    seqs = list(Change.objects.filter(blog=blog).order_by("id").values_list("seq", flat=True))
    total = WRITERS * POSTS_EACH * 2
    # ordered by insertion id, seq is already 1..N: commit order is seq order
    assert seqs == list(range(1, total + 1))
    assert LiveBlog.objects.get(pk=blog.pk).seq == total
    assert Post.objects.filter(blog=blog, status="published").count() == WRITERS * POSTS_EACH


def test_creating_a_blog_is_seq_zero(editor):
    blog = actions.create_blog(editor, title="Quiet start")
    assert blog.seq == 0
    assert not Change.objects.filter(blog=blog).exists()


def test_a_noop_edit_makes_no_change(blog, reporter):
    post = actions.create_post(reporter, blog, headline="Same", body="<p>Same</p>")
    actions.edit_post(reporter, post, headline="Same", body="<p>Same</p>")
    assert Change.objects.filter(blog=blog).count() == 1


def test_a_rolled_back_action_leaves_no_change_and_publishes_nothing(blog, reporter, monkeypatch):
    """A failure inside the transaction rolls back content and change together; the broker never hears of it."""
    from dateline.coverage.actions import core, posts

    published = []
    monkeypatch.setattr(core, "get_broker", lambda: type("B", (), {"publish": published.append})())

    def boom(post):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(posts, "render_post", boom)
    with pytest.raises(RuntimeError):
        actions.create_post(reporter, blog, headline="Lost?", body="<p>x</p>")
    assert not Post.objects.filter(blog=blog).exists()
    assert not Change.objects.filter(blog=blog).exists()
    assert LiveBlog.objects.get(pk=blog.pk).seq == 0
    assert published == []
