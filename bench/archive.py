"""What an archive costs: export and import of a blog with many images, and the memory an export holds.

    python -m bench.archive                    # 200 posts, 24 images (~2.5 MB each), SQLite in a temporary directory
    python -m bench.archive --images 40
    DATELINE_DATABASE_URL=postgresql://…/dl_bench python -m bench.archive

The export streams (``interchange.export.stream``): its peak Python memory (tracemalloc) should stay near the JSON
document's size, whatever the media weigh — the baseline in the same run is the archive's size, which an export
built in memory would hold at least once. Import is timed against the export of the same archive.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import tempfile
import time
import tracemalloc
from pathlib import Path


def _noise_png(seed: int) -> bytes:
    from PIL import Image

    rng = random.Random(seed)
    image = Image.frombytes("RGB", (1200, 800), rng.randbytes(1200 * 800 * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def setup(posts: int, images: int) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dateline.accounts.models import User
    from dateline.coverage import actions

    editor = User.objects.create_user(username=f"ed{time.monotonic_ns()}", role="editor", display_name="Ed")
    blog = actions.create_blog(editor, title=f"Archive bench {time.monotonic_ns()}")
    media = [actions.upload_image(editor, SimpleUploadedFile(f"n{i}.png", _noise_png(i), "image/png"), alt="Noise")
             for i in range(images)]
    for i in range(posts):
        attach = [media[i].pk] if i < len(media) else []
        actions.create_post(editor, blog, headline=f"Update {i}", body=f"<p>{'Reporting. ' * 80}</p>", media=attach)
    return blog


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--images", type=int, default=24)
    args = parser.parse_args()
    os.environ.setdefault("DATELINE_DATA_DIR", tempfile.mkdtemp(prefix="dateline-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dateline.interchange import export
    from dateline.interchange.restore import import_archive

    call_command("migrate", verbosity=0)
    load = os.getloadavg()[0]
    blog = setup(args.posts, args.images)
    target = Path(os.environ["DATELINE_DATA_DIR"]) / "bench.zip"
    tracemalloc.start()
    started = time.perf_counter()
    with target.open("wb") as out:
        size = export.write([blog], out)  # type: ignore[list-item]
    export_s = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    document = len(export.document([blog]).__repr__())  # type: ignore[list-item]
    started = time.perf_counter()
    import_archive(str(target), slug=f"bench-import-{time.monotonic_ns()}")
    import_s = time.perf_counter() - started
    print(f"bench.archive: {args.posts} posts, {args.images} images, {connection.vendor}, load {load:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print("| archive | export | export peak memory (tracemalloc) | JSON document (repr) | import |")
    print("|---|---|---|---|---|")
    print(f"| {size / 1e6:.1f} MB | {export_s:.2f} s ({size / 1e6 / export_s:.0f} MB/s) | {peak / 1e6:.1f} MB "
          f"({peak / size:.2f}x the archive) | {document / 1e6:.2f} MB | {import_s:.2f} s "
          f"({import_s / export_s:.1f}x the export) |")


if __name__ == "__main__":
    main()
