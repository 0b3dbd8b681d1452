"""Publishes for the benchmark, in its own process; prints ``<seq> <publish time> <write ms>`` per line of stdin.

Two ways (``bench.fanout --via``):

* ``actions``: calls the action directly. The publish time is taken in an on-commit hook registered before
  the action's own: the moment the change is committed and handed to the broker — the honest start of fan-out (the
  database write is not fan-out; it is reported separately as ``write_ms``).
* ``api`` (default): ``POST /api/v1/blogs/<slug>/posts`` to the server under test, with a bearer token, as a
  newsroom tool would. The publish time is when the request is sent, so latency then includes HTTP, the server's
  write and commit.

And for ``bench.soak``: ``python -m bench._publisher <slug> soak <base url> <changes per second>`` creates the blog
and a token, prints ``ready``, and on ``go`` writes through the API at ``base url`` (nginx) — publishes, edits,
deletes, pins/unpins and key-point changes — until ``stop``; then prints one JSON line: every request's time, what
it did and its answer (status, or the transport error's name). A request answered 5xx or cut off is retried (POST
with the same ``Idempotency-Key``; a PATCH/DELETE whose first try committed answers 412 on the retry, and the
post's new ETag is fetched), as a newsroom tool would.
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")

import django  # noqa: E402

django.setup()

import json  # noqa: E402
import urllib.request  # noqa: E402

from django.db import transaction  # noqa: E402

from dateline.accounts.models import ApiToken, User  # noqa: E402
from dateline.coverage import actions  # noqa: E402

BODY = "<p>" + "Officials said the bridge would stay closed while engineers inspect the damage. " * 12 + "</p>"


def create_only() -> None:
    """Just the blog (``bench.fanout --hold``)."""
    editor = User.objects.create_user(username="bench", password="x", role="editor")
    actions.create_blog(editor, title="Fan-out benchmark", slug=sys.argv[1])


def main() -> None:
    editor = User.objects.create_user(username="bench", password="x", role="editor")
    blog = actions.create_blog(editor, title="Fan-out benchmark", slug=sys.argv[1])
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    for n, _line in enumerate(sys.stdin, 1):
        stamp: list[float] = []
        started = time.time()
        with transaction.atomic():
            transaction.on_commit(lambda stamp=stamp: stamp.append(time.time()))
            post = actions.create_post(editor, blog, headline=f"Update {n}", body=BODY)
        seq = post.blog.seq
        sys.stdout.write(f"{seq} {stamp[0]!r} {(stamp[0] - started) * 1000:.2f}\n")
        sys.stdout.flush()


def main_api(port: int) -> None:
    editor = User.objects.create_user(username="bench", password="x", role="editor")
    actions.create_blog(editor, title="Fan-out benchmark", slug=sys.argv[1])
    _token, raw = ApiToken.issue(editor, name="bench")
    url = f"http://127.0.0.1:{port}/api/v1/blogs/{sys.argv[1]}/posts"
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    for n, _line in enumerate(sys.stdin, 1):
        body = json.dumps({"headline": f"Update {n}", "body": BODY}).encode()
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Authorization": f"Bearer {raw}", "Content-Type": "application/json"})
        started = time.time()
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback, our own server)
            assert response.status == 201
        # Each create is exactly one change of this fresh blog, so the n-th post is seq n.
        sys.stdout.write(f"{n} {started!r} {(time.time() - started) * 1000:.2f}\n")
        sys.stdout.flush()


def main_soak(base: str, rate: float) -> None:
    import random
    import threading
    import uuid

    import httpx

    editor = User.objects.create_user(username="bench", password="x", role="editor")
    slug = sys.argv[1]
    actions.create_blog(editor, title="Soak benchmark", slug=slug)
    _token, raw = ApiToken.issue(editor, name="soak")
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    assert sys.stdin.readline().strip() == "go"
    stopping = threading.Event()

    def wait_for_stop() -> None:
        sys.stdin.readline()
        stopping.set()

    threading.Thread(target=wait_for_stop, daemon=True).start()
    rng = random.Random(12)
    requests: list[tuple[float, str, int | str]] = []  # (time, op, status or error name)
    posts: dict[int, list] = {}  # id -> [etag, pinned]
    client = httpx.Client(base_url=f"{base}/api/v1/blogs/{slug}", timeout=15,
                          headers={"Authorization": f"Bearer {raw}"})

    def call(op: str, method: str, path: str, **kwargs: object) -> httpx.Response | None:
        for _attempt in range(60):
            started = time.time()
            try:
                response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
            except httpx.TransportError as exc:
                requests.append((started, op, type(exc).__name__))
            else:
                requests.append((started, op, response.status_code))
                if response.status_code < 500:
                    return response
            time.sleep(0.5)
        return None

    def refresh(post_id: int) -> None:
        response = call("get", "GET", f"/posts/{post_id}")
        if response is not None and response.status_code == 200 and response.json()["status"] == "published":
            posts[post_id] = [response.headers["ETag"], response.json()["pinned"]]
        else:  # deleted (an earlier try committed)
            posts.pop(post_id, None)

    n = 0
    next_at = time.monotonic()
    while not stopping.is_set():
        n += 1
        roll = rng.random()
        live = sorted(posts)
        if roll < 0.4 or len(live) < 6:
            response = call("publish", "POST", "/posts", headers={"Idempotency-Key": uuid.uuid4().hex},
                            json={"headline": f"Update {n}", "body": f"<p>Update {n}: the river is rising.</p>"})
            if response is not None and response.status_code == 201:
                posts[response.json()["id"]] = [response.headers["ETag"], False]
        elif roll < 0.75:
            post_id = rng.choice(live)
            fields = {"body": f"<p>Edited at step {n}.</p>"} if roll < 0.65 else {"pinned": not posts[post_id][1]}
            op = "edit" if roll < 0.65 else "pin"
            response = call(op, "PATCH", f"/posts/{post_id}", headers={"If-Match": posts[post_id][0]}, json=fields)
            if response is not None and response.status_code == 200:
                posts[post_id] = [response.headers["ETag"], response.json()["pinned"]]
            else:  # 412: an earlier try committed (or someone else wrote): take the post as it is now
                refresh(post_id)
        elif roll < 0.85:
            post_id = rng.choice(live)
            response = call("delete", "DELETE", f"/posts/{post_id}", headers={"If-Match": posts[post_id][0]})
            if response is not None and response.status_code == 412:
                refresh(post_id)
                if post_id in posts:
                    response = call("delete", "DELETE", f"/posts/{post_id}", headers={"If-Match": posts[post_id][0]})
            if response is not None and response.status_code in (200, 404):
                posts.pop(post_id, None)
        else:
            chosen = rng.sample(live, min(3, len(live)))
            points = [{"text": f"Point {n}.{i}: <strong>roads closed</strong>", "post_id": p}
                      for i, p in enumerate(chosen)]
            call("key points", "PUT", "/key-points", json={"key_points": points})
        next_at += 1 / rate
        stopping.wait(max(0.0, next_at - time.monotonic()))
    client.close()
    sys.stdout.write(json.dumps(requests) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) > 4 and sys.argv[2] == "soak":
        main_soak(sys.argv[3], float(sys.argv[4]))
    elif len(sys.argv) > 3 and sys.argv[2] == "api":
        main_api(int(sys.argv[3]))
    else:
        main()
