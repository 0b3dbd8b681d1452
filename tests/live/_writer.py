"""A writer process for multi-process tests: reads commands on stdin, writes through actions, prints the blog seq.

    setup <slug>      create an editor and the blog
    write <n>         n changes of every kind
    token             an API token for the editor, for writing through a server's public API
    state             the blog's seq and published posts (the server's state a reader must end with) and which
                      database they are in, as JSON

Every command answers one line: the blog's seq, or for ``token`` and ``state`` their answer.
"""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from dateline.accounts.models import ApiToken, User  # noqa: E402
from dateline.coverage import actions  # noqa: E402
from dateline.coverage.models import LiveBlog, Post  # noqa: E402


def main() -> None:
    editor = blog = None
    counter = 0
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "setup":
            editor = User.objects.create_user(username="writer", password="x", role="editor")
            blog = actions.create_blog(editor, title="Multi-process", slug=arg)
        elif command == "write":
            for _ in range(int(arg)):
                counter += 1
                posts = list(Post.objects.filter(blog=blog, status="published").order_by("id"))
                step = counter % 5
                if step in (1, 2) or len(posts) < 2:
                    actions.create_post(editor, blog, headline=f"Post {counter}", body=f"<p>{counter}</p>")
                elif step == 3:
                    actions.edit_post(editor, posts[-1], headline=f"Edited {counter}")
                elif step == 4:
                    actions.patch_post(editor, posts[0], pinned=not posts[0].pinned)
                else:
                    actions.delete_post(editor, posts[1])
        elif command == "token":
            assert editor is not None, "setup first"
            sys.stdout.write(ApiToken.issue(editor, "multi-process test")[1] + "\n")
            sys.stdout.flush()
            continue
        elif command == "state":
            assert blog is not None, "setup first"
            posts = {str(p.pk): {"headline": p.headline, "body": p.body, "pinned": p.pinned, "status": p.status}
                     for p in Post.objects.filter(blog=blog, status=Post.Status.PUBLISHED)}
            seq = LiveBlog.objects.get(pk=blog.pk).seq
            answer = {"seq": seq, "posts": posts, "database": connection.vendor}
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
            continue
        blog_seq = LiveBlog.objects.get(pk=blog.pk).seq if blog else 0
        sys.stdout.write(f"{blog_seq}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
