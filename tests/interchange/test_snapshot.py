"""An export taken while the desk publishes is one moment of the blog: nothing in it names a post it does not hold.

Found in review: the export read the blog (and its seq), then the posts, then the audit log, each as the newest
rows, so a post published in between left its ``post.create`` entry (and a seq past the archive's) in the archive
without the post. Here a reporter publishes from another thread, on its own connection, in the middle of an export
(as the export writes the first post's record), which must not show.
"""

from __future__ import annotations

import threading

import pytest

from dateline.coverage import actions
from dateline.coverage.models import Post
from dateline.interchange import export
from tests.interchange.conftest import export_bytes, read


@pytest.mark.django_db(transaction=True)
def test_a_post_published_during_an_export_is_not_half_in_it(actors, monkeypatch):
    editor, reporter = actors["editor"], actors["reporter"]
    blog = actions.create_blog(editor, title="Harbour bridge closure", time_zone="Europe/London")
    for n in range(3):
        actions.create_post(reporter, blog, headline=f"Update {n}", body=f"<p>Update {n}.</p>")
    record = export._post_record
    published: list[int] = []

    def publish_elsewhere() -> None:
        from django.db import connection

        try:
            published.append(actions.create_post(reporter, blog, headline="Late news", body="<p>Late.</p>").pk)
        finally:
            connection.close()

    def record_then_publish(post, *args, **kwargs):
        if not published:
            writer = threading.Thread(target=publish_elsewhere)
            writer.start()
            writer.join(timeout=30)
            assert published, "the concurrent publish did not commit"
        return record(post, *args, **kwargs)

    monkeypatch.setattr(export, "_post_record", record_then_publish)
    _manifest, doc, _files = read(export_bytes(blog, story=False))

    (archived,) = doc["blogs"]
    held = {p["id"] for p in archived["posts"]}
    assert len(held) == 3 and published[0] not in held
    assert {a["post"] for a in archived["audit"] if a["post"] is not None} <= held
    assert archived["seq"] < Post.objects.get(pk=published[0]).blog.seq  # the archive's seq is its own moment
