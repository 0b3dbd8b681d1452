"""Assist benchmark: what the desk's helpers cost, against the database read they cannot avoid, in one run.

    python -m bench.assist                 # a blog of 400 posts (the demo story's 36 posts, repeated)

For a blog with ``--posts`` published posts (SQLite in a temporary directory, written through the actions):

* **repeat check** (``similar_posts``, what the composer asks ~0.7 s after the reporter stops typing): cold (first
  call: every post tokenised) and warm (words cached per post version, as in a running server);
* **key point draft** (``draft_key_points``, on an editor's click);
* **baseline**: the one query both start with — reading the newest posts' bodies — timed alone.

Prints the median of ``--runs`` for each, and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time


def _setup(posts: int) -> object:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")
    os.environ["DATELINE_DATA_DIR"] = tempfile.mkdtemp(prefix="dateline-bench-assist-")
    os.environ.pop("DATELINE_DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from dateline.accounts.models import User
    from dateline.coverage import actions
    from dateline.demo.content import POSTS

    editor = User.objects.create_user("bench-editor", role="editor", display_name="Bench Editor")
    blog = actions.create_blog(editor, title="Bench floods", time_zone="Europe/London")
    source = sorted(POSTS, key=lambda p: p["minute"])
    for i in range(posts):
        post = source[i % len(source)]
        actions.create_post(editor, blog, headline=f"{post['headline']} ({i})", body=post["body"])
    return blog


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=400)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    print(f"setting up a blog of {args.posts} posts …", file=sys.stderr)
    blog = _setup(args.posts)

    from dateline.assist import duplicates
    from dateline.assist.key_points import draft_key_points
    from dateline.coverage.models import Post
    from dateline.demo.content import POSTS

    query = sorted(POSTS, key=lambda p: p["minute"])[1]

    def baseline() -> None:
        list(Post.objects.filter(blog=blog).order_by("-pk")
             .values_list("pk", "version", "headline", "body", "status", "published_at")[:duplicates.RECENT_POSTS])

    def check() -> None:
        duplicates.similar_posts(blog, query["headline"], query["body"])

    def cold_check() -> None:
        duplicates._vectors.clear()
        check()

    rows = [("database read of the newest posts (baseline)", _median_ms(baseline, args.runs)),
            ("repeat check, cold (tokenise every post)", _median_ms(cold_check, args.runs)),
            ("repeat check, warm (words cached per version)", _median_ms(check, args.runs)),
            ("key point draft", _median_ms(lambda: draft_key_points(blog), args.runs))]
    base = rows[0][1]
    print(f"\nassist over a blog of {args.posts} posts, median of {args.runs} runs")
    print(f"{'what':<48} {'ms':>8} {'x baseline':>11}")
    for name, ms in rows:
        print(f"{name:<48} {ms:>8.1f} {ms / base:>11.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
