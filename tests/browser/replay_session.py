"""Random sessions of writes for ``test_replay.py``, run beside the test's ``dateline serve`` on its database.

A separate process because the browser tests' server has its own SQLite file (the test process's Django uses the
suite's test database): this one is started with the server's environment, sets up Django, and runs sessions
through the actions — the real entry points, as the newsroom and the API call them. The server finds the changes
by its periodic check (docs/live.md: "dateline demo run beside a server on SQLite"), exactly as such a writer's are.

Protocol: one JSON object a line on stdin, ``{"slug", "seed", "steps", "end"}``; one line back, ``{"seq"}``.
"""

from __future__ import annotations

import json
import random
import sys

# Fewer than a page of posts (20), so the live page and a fresh render show the same posts (no "Load more" part).
MAX_PUBLISHED = 16


def run(rng: random.Random, slug: str, steps: int, end: bool) -> int:
    from dateline.accounts.models import User
    from dateline.coverage import actions
    from dateline.coverage.models import LiveBlog, Post

    editor = User.objects.get(username="desk")
    blog = LiveBlog.objects.get(slug=slug)
    for step in range(steps):
        live = list(Post.objects.filter(blog=blog, status="published").order_by("pk"))
        deleted = list(Post.objects.filter(blog=blog, status="deleted").order_by("pk"))
        drafts = list(Post.objects.filter(blog=blog, status="draft").order_by("pk"))
        move = rng.choice(["publish", "publish", "publish", "edit", "edit", "pin", "delete", "restore", "keypoints",
                           "title", "description", "draft", "approve", "correct"])
        if move == "publish" and len(live) >= MAX_PUBLISHED:
            move = "delete"
        if move == "publish" or not live and move in ("edit", "pin", "delete", "keypoints"):
            actions.create_post(editor, blog, headline=f"Post {step}",
                                body=f"<p><strong>Lead-in {step}:</strong> body {rng.randint(0, 999)}.</p>")
        elif move == "edit":
            actions.edit_post(editor, rng.choice(live), headline=f"Edited {step} ({rng.randint(0, 999)})")
        elif move == "correct" and live:
            extra = {"headline": f"Corrected {step}"} if rng.random() < 0.5 else {}
            actions.correct_post(editor, rng.choice(live), correction=f"Correction {step}.", **extra)
        elif move == "draft":
            actions.create_post(editor, blog, headline=f"Draft {step}", status="draft")
        elif move == "approve" and drafts and len(live) < MAX_PUBLISHED:
            actions.approve_post(editor, rng.choice(drafts))
        elif move == "pin":
            post = rng.choice(live)
            (actions.unpin_post if post.pinned else actions.pin_post)(editor, post)
        elif move == "delete":
            actions.delete_post(editor, rng.choice(live))
        elif move == "restore" and deleted:
            actions.restore_post(editor, rng.choice(deleted))
        elif move == "keypoints":
            chosen = rng.sample(live, k=min(len(live), rng.randint(0, 3)))
            actions.set_key_points(editor, blog, [
                {"text": f"<strong>Point {step}.{i}:</strong> text", "post_id": p.pk} for i, p in enumerate(chosen)
            ] + ([{"text": f"Unlinked point {step}."}] if rng.random() < 0.5 else []))
        elif move == "title":
            actions.update_blog(editor, blog, title=f"Replay {slug} at step {step}")
        elif move == "description":
            actions.update_blog(editor, blog, description=f"Described at step {step}.")
        blog.refresh_from_db()
    if end:
        actions.end_blog(editor, blog)
        blog.refresh_from_db()
    return blog.seq


def main() -> None:
    import django

    django.setup()
    for line in sys.stdin:
        order = json.loads(line)
        seq = run(random.Random(order["seed"]), order["slug"], order["steps"], order["end"])
        sys.stdout.write(json.dumps({"seq": seq}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
