"""``python -m dateline.interchange.foreign FILE [--slug SLUG] [--dry-run]``: an import by hand (the ``dateline
import`` command calls the same ``import_file``)."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dateline.interchange.foreign", description=__doc__)
    parser.add_argument("file")
    parser.add_argument("--slug")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")
    import django

    django.setup()
    from dateline.coverage.errors import ActionError
    from dateline.interchange.foreign import import_file

    try:
        report = import_file(args.file, slug=args.slug, dry_run=args.dry_run)
    except ActionError as error:
        print(f"import refused: {error.message}", file=sys.stderr)  # noqa: T201
        return 1
    for line in report.lines():
        print(line)  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
