"""What compaction costs a write: the same edits with and without it, in one run (SQLite in a temporary directory).

    python -m bench.compaction                 # 200 edits of one post among 50
    python -m bench.compaction --edits 500

Compaction (docs/live.md) rewrites the older changes of the edited post in the edit's transaction, so the k-th edit
of one post rewrites up to k-1 rows (all that are retained). This measures an edit (``actions.edit_post``, the whole
action: lock, validation, render, revision, audit, change) at the start, middle and end of the run, with compaction
and with ``compact`` replaced by a no-op — the baseline — and prints the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time


def run(edits: int, others: int, *, compaction: bool) -> list[float]:
    from dateline.accounts.models import User
    from dateline.coverage import actions
    from dateline.coverage.actions import core

    original = core.compact
    if not compaction:
        core.compact = lambda blog, newer: 0  # type: ignore[assignment]
    try:
        editor = User.objects.create_user(username=f"ed{time.monotonic_ns()}", role="editor")
        blog = actions.create_blog(editor, title=f"Bench {compaction} {time.monotonic_ns()}")
        for i in range(others):
            actions.create_post(editor, blog, headline=f"Other {i}", body=f"<p>{'Context. ' * 60}</p>")
        post = actions.create_post(editor, blog, headline="Running story", body=f"<p>{'Words. ' * 120}</p>")
        times = []
        for i in range(edits):
            started = time.perf_counter()
            post = actions.edit_post(editor, post, body=f"<p>{'Words. ' * 120} Update {i}.</p>")
            times.append((time.perf_counter() - started) * 1000)
        return times
    finally:
        core.compact = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--others", type=int, default=50)
    args = parser.parse_args()
    os.environ.setdefault("DATELINE_DATA_DIR", tempfile.mkdtemp(prefix="dateline-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"bench.compaction: {args.edits} edits of one post among {args.others}, SQLite, "
          f"load {os.getloadavg()[0]:.2f}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    baseline = run(args.edits, args.others, compaction=False)
    compacted = run(args.edits, args.others, compaction=True)
    window = max(args.edits // 20, 5)
    print("| edits | without compaction (ms, median) | with (ms, median) | ratio |")
    print("|---|---|---|---|")
    for start in (0, args.edits // 2 - window // 2, args.edits - window):
        base = statistics.median(baseline[start:start + window])
        with_ = statistics.median(compacted[start:start + window])
        print(f"| {start + 1}-{start + window} | {base:.2f} | {with_:.2f} | {with_ / base:.2f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
