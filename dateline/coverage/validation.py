"""Small validators shared by every action: each records a message per bad field instead of raising at the first.

Text from newsrooms arrives pasted from word processors and phones. C0 control characters (a vertical tab from a
Word paste, a NUL) are stripped: XML 1.0 cannot carry them, so one would break the blog's Atom and RSS feeds, and
PostgreSQL refuses NUL in text. A lone surrogate (invalid UTF-16 smuggled through JSON ``\\ud800``) cannot be
stored or encoded at all, so it is refused with a field error rather than left to fail later as a 500.

Plain-text fields (headlines, captions, names) also lose the Unicode bidirectional embedding, override and isolate
controls (U+202A-U+202E, U+2066-U+2069): a right-to-left override turns "Minister resigns" into text that displays
as something else and spills into whatever is shown after it (a byline, a title bar). Right-to-left text needs
none of them; the marks (U+200E, U+200F, U+061C), which only hint a direction, are kept.
"""

from __future__ import annotations

import re
from typing import Any

# Every C0 control except tab, newline and carriage return; plus DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
MAX_ID = 2**63 - 1  # the largest id a BIGINT column holds (SQLite and PostgreSQL alike)


def clean_text(value: str) -> str:
    """``value`` without control characters that no reader-facing format can carry."""
    return _CONTROL.sub("", value)


def is_encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text(fields: dict[str, str], name: str, value: Any, limit: int, *, required: bool = False,
         markup: bool = False) -> str:
    """A stripped string of at most ``limit`` characters; a message in ``fields[name]`` when it is not one.

    ``markup``: the value is HTML (a post body), whose direction controls stay inside the element they are in; the
    sanitiser decides what it keeps."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        fields[name] = "Must be a string."
        return ""
    if not is_encodable(value):
        fields[name] = "Contains invalid characters (unpaired UTF-16 surrogates)."
        return ""
    value = clean_text(value) if markup else _BIDI_CONTROL.sub("", clean_text(value))
    value = value.strip()
    if len(value) > limit:
        fields[name] = f"At most {limit} characters."
    elif required and not value:
        fields[name] = "Required."
    return value


def is_id(value: Any) -> bool:
    """A positive integer that fits a database id (``True`` is not 1 here)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def parse_id(raw: str | None) -> int | None:
    """An id from a query string or form field: ASCII digits only (``"²".isdigit()`` is true), in range."""
    # Longer than MAX_ID's 19 digits cannot be an id; checked first because int() refuses over 4,300 digits (500).
    if not raw or len(raw) > 19 or not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if is_id(value) else None
