"""Draft the day's key points from the day's posts, for an editor to review, edit and save.

Extractive, and deliberately plain: every drafted point is a sentence (or a labelled round-up bullet) that a
reporter already published, linked to its post, so nothing is invented and each point can be checked at its
source. What makes a sentence a key point is the reference anatomy's observation that *the same fact appears in
several posts and in the key points*: a sentence scores by how many of the day's posts share its words (a fact the
coverage keeps returning to), with a lift for round-up bullets ("Evacuations: …"), figures, pinned posts and later
posts (which hold the latest numbers). Points are then picked greedily, best first, skipping any that repeat one
already picked, and at most ``PER_POST`` plain sentences from one post.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from dateline.assist.text import blocks, content_words, escape, sentences

COUNT = 5  # the anatomy's "four or five bullets"
RECENT_POSTS = 300
PER_POST = 2  # plain sentences from one post; a round-up's labelled bullets are each a point already
MIN_WORDS, MAX_WORDS = 8, 60  # a key point is a full sentence or two, not a fragment and not a paragraph
TOP = 60  # how many of the best candidates are checked against each other for newer versions of a fact
OVERLAP = 0.3  # a candidate sharing more than this share of its words with a picked point repeats it


@dataclass(slots=True)
class Candidate:
    post_id: int
    label: str
    sentence: str
    words: frozenset[str]
    age: int = 0  # 0 for the newest post
    score: float = 0.0

    @property
    def html(self) -> str:
        text = escape(self.sentence)
        return f"<strong>{escape(self.label)}:</strong> {text}" if self.label else text


def candidates(post_id: int, body_html: str) -> list[Candidate]:
    """The sentences of one post that could stand alone as a key point."""
    out = []
    for block in blocks(body_html):
        if block.heading:
            continue
        # A labelled bullet is one point ("Evacuations: About 4,100 people …"): its first sentence or two.
        units = [" ".join(sentences(block.text)[:2])] if block.label else sentences(block.text)
        for unit in units:
            count = len(unit.split())
            if not MIN_WORDS <= count <= MAX_WORDS or unit.endswith("?") or unit[:1] in "\"“‘'":
                continue  # fragments, questions and quotes are colour, not summary
            words = frozenset(content_words(f"{block.label} {unit}"))
            if words:
                out.append(Candidate(post_id, block.label, unit, words))
    return out


def score(posts: list[dict[str, Any]]) -> list[Candidate]:
    """Every candidate sentence of ``posts`` (newest first: ``id``, ``body``, ``pinned``), scored, best first."""
    df: Counter[str] = Counter()
    per_post = []
    for post in posts:
        found = candidates(post["id"], post["body"])
        per_post.append(found)
        df.update(frozenset().union(*(c.words for c in found)) if found else ())
    total = len(posts)
    scored = []
    for age, (post, found) in enumerate(zip(posts, per_post, strict=True)):
        recency = 1 - age / total  # 1 for the newest post
        for cand in found:
            # The mean support of its words, weighed towards longer (more informative) sentences.
            support = sum(math.log1p(df[w] - 1) for w in cand.words) / len(cand.words) ** 0.6
            lift = 1.0
            if cand.label:
                lift *= 1.3
            if any(ch.isdigit() for ch in cand.sentence):
                lift *= 1.15
            if post.get("pinned"):
                lift *= 1.2
            cand.score = support * lift * (1 + 0.5 * recency)
            cand.age = age
            scored.append(cand)
    scored.sort(key=lambda c: -c.score)
    _prefer_latest(scored[:TOP])
    scored.sort(key=lambda c: -c.score)
    return scored


def _prefer_latest(top: list[Candidate]) -> None:
    """The same fact told again later carries the newer figures ("About 2,300 evacuated" at 10am, "4,100" at 6pm):
    among the best candidates, one that a newer candidate repeats gives way to it."""
    for cand in top:
        if any(newer.age < cand.age and _repeats(newer, cand) for newer in top):
            cand.score *= 0.5


def _repeats(a: Candidate, b: Candidate) -> bool:
    return len(a.words & b.words) > OVERLAP * min(len(a.words), len(b.words))


def pick(scored: list[Candidate], count: int = COUNT) -> list[Candidate]:
    chosen: list[Candidate] = []
    from_post: Counter[int] = Counter()
    for cand in scored:
        if len(chosen) == count:
            break
        if not cand.label and from_post[cand.post_id] >= PER_POST:
            continue
        if any(_repeats(cand, c) for c in chosen):
            continue
        chosen.append(cand)
        from_post[cand.post_id] += not cand.label
    return chosen


def draft_key_points(blog: Any, count: int = COUNT) -> list[dict[str, Any]]:
    """Drafted points for the key points editor: ``{"text": <html>, "post_id": <source post>}``, best first."""
    from dateline.coverage.models import Post

    posts: list[dict[str, Any]] = [
        dict(row) for row in Post.objects.filter(blog=blog, status=Post.Status.PUBLISHED)
        .order_by("-published_at", "-pk").values("id", "body", "pinned")[:RECENT_POSTS]]
    return [{"text": c.html, "post_id": c.post_id} for c in pick(score(posts), count)]
