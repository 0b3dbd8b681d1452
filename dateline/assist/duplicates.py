"""Does the post being written repeat an earlier one? A warning for the reporter, never a refusal.

Reporters filing minutes apart on a fast story often file the same fact twice ("Dam spillway overflowing" from the
dam at 09:12, "Water pouring over Tallow Moor spillway" from the desk at 09:15). The composer asks as the reporter
types and shows the earlier posts that look alike; the reporter decides.

How alike: TF-IDF cosine over the content words of headline and text, the IDF taken from this blog's own posts. On
a live blog about one story, "flood", "river" and the town's name are in every post, so they weigh almost nothing;
what makes two posts alike is sharing the rarer words — the figures, names and places of one fact. Headline words
count twice: a headline states the post's point. Measured on the demo blog (36 distinct posts), no two distinct
posts reach ``THRESHOLD``; a re-filed post does, even rewritten (tests/assist/test_duplicates.py).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dateline.assist.text import blocks, content_words, plain_text

THRESHOLD = 0.5  # cosine at or above which two posts are reported as alike (see the module docstring)
RECENT_POSTS = 400  # compared with the newest this many posts of the blog (a day of heavy coverage)
MIN_WORDS = 4  # below this many content words, there is not enough to compare
HEADLINE_WEIGHT = 2

_vectors: dict[tuple[int, int], Post] = {}  # (post id, version) → its word counts; posts are immutable per version
_MAX_CACHED = 20_000


@dataclass(frozen=True, slots=True)
class Similar:
    post_id: int
    headline: str
    status: str
    published_at: datetime | None
    score: float

    def as_json(self) -> dict[str, Any]:
        return {"id": self.post_id, "headline": self.headline, "status": self.status,
                "published_at": self.published_at.isoformat() if self.published_at else None,
                "score": round(self.score, 2)}


@dataclass(frozen=True, slots=True)
class Post:
    """The words of one post: all of them, and each paragraph's (those with enough words to compare)."""

    whole: Counter[str]
    parts: tuple[Counter[str], ...]


def word_counts(headline: str, body_html: str) -> Counter[str]:
    counts = Counter(content_words(plain_text(body_html)))
    for word in content_words(headline):
        counts[word] += HEADLINE_WEIGHT
    return counts


def post_words(headline: str, body_html: str) -> Post:
    parts = (Counter(content_words(f"{b.label} {b.text}")) for b in blocks(body_html) if not b.heading)
    return Post(word_counts(headline, body_html), tuple(p for p in parts if p.total() >= MIN_WORDS))


def _post_words(post: Any) -> Post:
    key = (post.pk, post.version)
    words = _vectors.get(key)
    if words is None:
        if len(_vectors) >= _MAX_CACHED:
            _vectors.clear()
        words = _vectors[key] = post_words(post.headline, post.body)
    return words


def rank(query: Counter[str], docs: list[Post]) -> list[float]:
    """How much each doc looks like ``query``: the better of the cosine with the whole post and with its closest
    paragraph (a short post re-filing one fact of a long one matches that paragraph). IDF from all of them."""
    n = len(docs) + 1
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(doc.whole.keys())
    df.update(query.keys())
    idf = {word: math.log((n + 1) / (count + 1)) + 1.0 for word, count in df.items()}

    def weights(counts: Counter[str]) -> tuple[dict[str, float], float]:
        vector = {w: (1 + math.log(c)) * idf[w] for w, c in counts.items()}
        return vector, math.sqrt(sum(v * v for v in vector.values())) or 1.0

    q, q_norm = weights(query)

    def cosine(counts: Counter[str]) -> float:
        if not counts.keys() & q.keys():
            return 0.0
        d, d_norm = weights(counts)
        return sum(v * d[w] for w, v in q.items() if w in d) / (q_norm * d_norm)

    return [max([cosine(doc.whole), *(cosine(part) for part in doc.parts)]) for doc in docs]


def similar_posts(blog: Any, headline: str, body_html: str, *, exclude: int | None = None,
                  limit: int = 3, threshold: float = THRESHOLD) -> list[Similar]:
    """Earlier posts of the blog (published, scheduled or awaiting approval) that the given text looks like."""
    from dateline.coverage.models import Post as PostModel

    query = word_counts(headline, body_html)
    if sum(1 for _ in query.elements()) < MIN_WORDS:
        return []
    candidates = PostModel.objects.filter(blog=blog).exclude(status=PostModel.Status.DELETED)
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude)
    posts = list(candidates.only("pk", "version", "headline", "body", "status", "published_at")
                 .order_by("-pk")[:RECENT_POSTS])
    scores = rank(query, [_post_words(post) for post in posts])
    found = sorted(((score, post) for score, post in zip(scores, posts, strict=True) if score >= threshold),
                   key=lambda pair: -pair[0])
    return [Similar(post.pk, post.headline, post.status, post.published_at, score) for score, post in found[:limit]]
