"""Drafted key points: sentences the reporters published, best first, each linked to its post."""

from __future__ import annotations

import re

from dateline.assist.key_points import COUNT, draft_key_points, pick, score
from dateline.coverage import actions
from dateline.coverage.models import KeyPoint
from dateline.demo.content import POSTS

NEWEST_FIRST = sorted(POSTS, key=lambda p: -p["minute"])


def _draft(posts):
    rows = [{"id": i, "body": p["body"], "pinned": p.get("pinned", False)} for i, p in enumerate(posts)]
    return pick(score(rows))


def _plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_the_demo_day_is_summed_up_from_its_evening_round_up_with_the_latest_figures():
    drafted = _draft(NEWEST_FIRST)
    assert len(drafted) == COUNT
    labels = [c.label for c in drafted]
    assert {"Record flood", "Evacuations"} <= set(labels)
    evacuations = next(c for c in drafted if c.label == "Evacuations")
    assert "4,100" in evacuations.sentence  # the evening's figure, not the morning's 1,200 or 2,300
    assert len({frozenset(c.words) for c in drafted}) == COUNT


def test_without_round_ups_points_come_from_several_posts_and_never_repeat_each_other():
    posts = [p for p in NEWEST_FIRST if "round-up" not in p["tags"]]
    drafted = _draft(posts)
    assert len(drafted) == COUNT
    assert len({c.post_id for c in drafted}) >= 3
    for i, a in enumerate(drafted):
        for b in drafted[i + 1:]:
            assert len(a.words & b.words) <= 0.3 * min(len(a.words), len(b.words))
    for c in drafted:  # every point is a published sentence, verbatim
        assert _plain(c.html).split(": ", 1)[-1] in _plain(posts[c.post_id]["body"]).replace("&amp;", "&")


def test_draft_key_points_links_each_point_to_its_post_and_writes_nothing(editor, blog):
    filed = [actions.create_post(editor, blog, headline=p["headline"], body=p["body"]) for p in reversed(NEWEST_FIRST)]
    blog.refresh_from_db()
    seq = blog.seq
    drafted = draft_key_points(blog)
    assert len(drafted) == COUNT
    by_id = {p.pk: p for p in filed}
    for point in drafted:
        assert point["post_id"] in by_id
        assert _plain(point["text"]).split(": ", 1)[-1][:40] in _plain(by_id[point["post_id"]].body)
    blog.refresh_from_db()
    assert blog.seq == seq and not KeyPoint.objects.filter(blog=blog).exists()


def test_nothing_to_draft_from_an_empty_blog(blog):
    assert draft_key_points(blog) == []
