"""The composer's "this may repeat an earlier post" warning: what counts as alike, measured on the demo blog."""

from __future__ import annotations

from dateline.assist.duplicates import THRESHOLD, post_words, rank, similar_posts, word_counts
from dateline.coverage import actions
from dateline.demo.content import POSTS

IN_ORDER = sorted(POSTS, key=lambda p: p["minute"])

# Re-filings of demo posts, rewritten as a second reporter would: (headline, body, index in IN_ORDER repeated).
REFILED = [
    ("Police go door to door in Millreach telling residents to leave",
     "<p>Officers and firefighters have been knocking on doors in Millreach since 5am, telling people nearest the "
     "river to leave. The evacuation covers about 480 homes, roughly 1,200 people. A rest centre is open at "
     "Northgate Community Hall.</p>", "Door-knocking in Millreach as residents told to leave"),
    ("Water flowing over Tallow Moor Dam spillway",
     "<p>The Vale Water Authority says water has been flowing over the emergency spillway at Tallow Moor Dam "
     "since 3.40am.</p>", None),  # a fact from the first post's first paragraph (and the morning round-up)
    ("River level at Town Bridge",
     "<p>The gauge at Town Bridge read 5.41m at 6am, just 21cm short of the 1987 record of 5.62m.</p>", None),
]


def _best_earlier(index: int) -> float:
    earlier = [post_words(p["headline"], p["body"]) for p in IN_ORDER[:index]]
    post = IN_ORDER[index]
    return max(rank(word_counts(post["headline"], post["body"]), earlier))


def test_no_demo_post_is_taken_for_a_repeat_of_an_earlier_one():
    """36 distinct posts on one story share its vocabulary; none reaches the threshold against those before it."""
    scores = [_best_earlier(i) for i in range(1, len(IN_ORDER))]
    assert max(scores) < THRESHOLD
    assert max(scores) > 0.2  # they do share words: the threshold is doing the work, not an empty comparison


def test_a_rewritten_refiling_is_recognised():
    docs = [post_words(p["headline"], p["body"]) for p in IN_ORDER]
    headlines = [p["headline"] for p in IN_ORDER]
    for headline, body, original in REFILED:
        scores = rank(word_counts(headline, body), docs)
        best = max(range(len(docs)), key=scores.__getitem__)
        assert scores[best] >= THRESHOLD + 0.1, (headline, scores[best])
        if original:
            assert headlines[best] == original


def test_similar_posts_reads_the_blog_and_leaves_out_deleted_and_excluded_posts(editor, blog):
    def file(post):
        return actions.create_post(editor, blog, headline=post["headline"], body=post["body"])

    door, spillway, *_ = [file(p) for p in IN_ORDER[1:8]]
    headline, body, _ = REFILED[0]
    found = similar_posts(blog, headline, body)
    assert [m.post_id for m in found] == [door.pk]
    assert found[0].status == "published" and found[0].score >= THRESHOLD
    assert similar_posts(blog, door.headline, door.body, exclude=door.pk) == []  # editing a post: not itself
    actions.delete_post(editor, door)
    assert similar_posts(blog, headline, body) == []
    assert similar_posts(blog, "Too short", "<p>x</p>") == []
