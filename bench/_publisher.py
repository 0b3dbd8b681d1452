"""Publishes for the benchmark, in its own process; prints ``<seq> <publish time> <write ms>`` per line of stdin.

Two ways (``bench.fanout --via``):

* ``actions``: calls the action directly. The publish time is taken in an on-commit hook registered before
  the action's own: the moment the change is committed and handed to the broker — the honest start of fan-out (the
  database write is not fan-out; it is reported separately as ``write_ms``).
* ``api`` (default): ``POST /api/v1/blogs/<slug>/posts`` to the server under test, with a bearer token, as a
  newsroom tool would. The publish time is when the request is sent, so latency then includes HTTP, the server's
  write and commit.
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


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[2] == "api":
        main_api(int(sys.argv[3]))
    else:
        main()
