"""Pages benchmark: what a reader loads, in req/s, beside ``/changes`` on the same process (issue 12's target).

    python -m bench.pages                     # a 50-post and a 5,000-post blog, page cache on and off
    python -m bench.pages --large 500 --seconds 3
    python -m bench.pages --seconds 3 --repeat 3 --cache on   # a shared machine: the best of three rounds

One ``dateline serve`` process on SQLite (a temporary data directory), a blog of ``--small`` and one of ``--large``
posts created through the API. For each blog, wrk (Debian's ``wrk``; ``--connections`` over 2 threads, with
``Accept-Encoding: br, gzip`` as a browser sends) measures ``/changes?after=<latest>`` — the baseline, the edge's
fastest answer — then the reader page, its ``.json`` twin, the Atom feed, a share page and the public API reads
(the blog, its first page of posts, one post; anonymous, as a reader's app asks). Each row prints its
req/s and its ratio to that blog's ``/changes`` in the same run; then the same with the page cache off
(``DATELINE_PAGE_CACHE_BYTES=0``: every request renders, as before the cache). ``--repeat N`` measures every URL
N times, in rounds, and keeps each one's best (on a shared machine another process's burst then costs one round, not
one URL); ``--cache on`` skips the uncached half. Record runs in docs/performance.md.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.abuse import Server

PATHS = [("changes", "/live/{slug}/changes?after={seq}"), ("page", "/live/{slug}/"),
         ("page .json", "/live/{slug}.json"), ("feed.atom", "/live/{slug}/feed.atom"),
         ("share page", "/live/{slug}/posts/{post}/"), ("API blog", "/api/v1/blogs/{slug}"),
         ("API posts", "/api/v1/blogs/{slug}/posts"), ("API post", "/api/v1/blogs/{slug}/posts/{post}")]


def wrk(url: str, seconds: int, connections: int) -> float:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-H", "Accept-Encoding: br, gzip", url],
                         capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert errors is None, f"{url}: {errors.group(0)}"
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    return float(match.group(1))


def make_blog(server: Server, token: str, slug: str, posts: int) -> tuple[int, int]:
    """A blog of ``posts`` posts, written through the API (8 at a time); its seq and one post's id."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        assert client.post("/api/v1/blogs", json={"title": f"Bench {slug}", "slug": slug}).status_code == 201

        def publish(n: int) -> int:
            body = f"<p>Update {n} from the fictional harbour inquiry: the committee heard a further witness.</p>"
            answer = client.post(f"/api/v1/blogs/{slug}/posts", json={"headline": f"Update {n}", "body": body,
                                                                       "status": "published"})
            assert answer.status_code == 201, answer.text
            return int(answer.json()["id"])

        with ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(publish, range(posts)))
        seq = client.get(f"/live/{slug}.json").json()["seq"]
    return seq, ids[-1]


def measure(args: argparse.Namespace, cache: bool) -> list[tuple[str, int, str, float, float]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="dateline-pages-") as tmp:
        server = Server(args, "sqlite", Path(tmp))
        if not cache:
            server.env["DATELINE_PAGE_CACHE_BYTES"] = "0"
        try:
            token = server.start()
            for slug, count in (("small", args.small), ("large", args.large)):
                seq, post = make_blog(server, token, slug, count)
                urls = [server.url + path.format(slug=slug, seq=seq, post=post) for _, path in PATHS]
                for url in urls:
                    wrk(url, 1, args.connections)  # warm: the first render, the channel loaded
                best = [0.0] * len(urls)
                for _ in range(args.repeat):  # rounds over every URL: another process's burst spreads over all
                    for i, url in enumerate(urls):
                        best[i] = max(best[i], wrk(url, args.seconds, args.connections))
                for (name, _), rate in zip(PATHS, best, strict=True):
                    rows.append(("on" if cache else "off", count, name, rate, rate / best[0]))
        finally:
            server.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--large", type=int, default=5000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--fd-limit", type=int, default=4096)
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds over every URL; each row is its best round (a shared machine's noise)")
    parser.add_argument("--cache", choices=("both", "on", "off"), default="both")
    args = parser.parse_args()
    assert shutil.which("wrk"), "wrk is needed: apt-get install -y wrk"
    rows = [row for cache in (True, False) if args.cache in ("both", "on" if cache else "off")
            for row in measure(args, cache=cache)]
    print("| page cache | posts | URL | req/s | ratio to /changes |")
    print("|---|---|---|---|---|")
    for cache, count, name, rate, ratio in rows:
        print(f"| {cache} | {count:,} | {name} | {rate:,.0f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
