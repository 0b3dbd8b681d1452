"""Import live blogs from other systems: schema.org ``LiveBlogPosting`` JSON-LD (a saved page or the JSON alone),
the WordPress Liveblog plugin's entries in a WordPress export (WXR), and RSS 2.0 / Atom feeds.

``import_file(path)`` reads the file (at most ``MAX_BYTES``), tells the format by its content (never by its name),
and writes a new live blog with its posts through the actions, in one transaction (``writer.py``); it returns a
``Report`` of what it imported and skipped and why. Files that cannot be imported raise ``ImportRefused`` (a
``ValidationFailed``, so every surface answers it as a clear 422-style error), and nothing is written. Nothing is
fetched from the network: images stay links to their URLs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dateline.interchange.foreign.importer import MAX_BYTES, ImportRefused, Report, detect, import_file, parse

__all__ = ["MAX_BYTES", "ImportRefused", "Report", "detect", "import_file", "parse"]


def __getattr__(name: str) -> Any:
    """The names above, loaded on first use: they need Django's models, and ``python -m`` imports this package
    before ``__main__`` has set Django up."""
    if name in __all__:
        from dateline.interchange.foreign import importer

        return getattr(importer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
