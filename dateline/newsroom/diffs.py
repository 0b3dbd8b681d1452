"""Side-by-side differences between two versions of a post, as HTML tables (difflib escapes the text)."""

from __future__ import annotations

import difflib
from typing import Any

from dateline.coverage.sanitize import strip_tags

DIFFED_FIELDS = (("headline", "Headline"), ("body", "Text"), ("update_note", "Update note"),
                 ("verification", "Verification label"), ("verification_note", "Verification note"))


def _lines(name: str, value: Any) -> list[str]:
    text = strip_tags(value or "") if name == "body" else str(value or "")
    return text.splitlines() or [""]


def post_diff(old: dict[str, Any], new: dict[str, Any], *, old_label: str, new_label: str) -> list[dict[str, str]]:
    """One table per field that differs: ``[{"field": "Headline", "table": "<table …>"}]``; empty when equal."""
    differ = difflib.HtmlDiff(wrapcolumn=60)
    tables = []
    for name, label in DIFFED_FIELDS:
        before, after = _lines(name, old.get(name)), _lines(name, new.get(name))
        if before != after:
            table = differ.make_table(before, after, fromdesc=old_label, todesc=new_label, context=True, numlines=2)
            tables.append({"field": label, "table": table})
    return tables
