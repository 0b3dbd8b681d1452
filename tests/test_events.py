"""Event type names are declared once (``dateline/events.py``): the browser reads them from the generated
``events.js``, and neither the browser code nor the docs may name a type that is not declared there."""

from __future__ import annotations

import re
from pathlib import Path

from dateline.events import EventType, javascript_module

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ROOT / "dateline" / "reader" / "static" / "reader" / "events.js"
# The namespaces of change types ("post", "keypoints", "blog"): a dotted name in one of them is an event type name.
NAMESPACES = sorted({value.split(".")[0] for value in EventType if "." in value})
_ANY = "(?:" + "|".join(NAMESPACES) + r")\.[a-z_]+"
TYPE_NAME = re.compile(r"\b" + _ANY + r"\b")
QUOTED_TYPE_NAME = re.compile(r"""["'`](""" + _ANY + r""")["'`]""")


def scripts() -> list[Path]:
    return sorted(p for p in (ROOT / "dateline").rglob("*.js") if p != GENERATED and not p.name.endswith(".min.js")
                  and not p.with_name(p.name + ".map").exists())


def test_the_checked_in_browser_module_is_the_generated_one():
    """``events.js`` is ``python -m dateline.events`` output: regenerate it, never edit it by hand."""
    assert GENERATED.read_text() == javascript_module()


def test_scripts_name_event_types_only_through_the_generated_module():
    """No script spells a type name as a string (it would drift from events.py); ``EventType.X`` references name
    declared members only."""
    declared = {member.name for member in EventType}
    assert scripts(), "found the scripts"
    for path in scripts():
        source = path.read_text()
        spelled = QUOTED_TYPE_NAME.findall(source)
        assert not spelled, f"{path.relative_to(ROOT)} spells event type names {spelled}: import them from events.js"
        used = set(re.findall(r"\bEventType\.([A-Za-z_]+)", source))
        assert used <= declared, f"{path.relative_to(ROOT)} uses undeclared event types {used - declared}"


def test_the_docs_name_only_declared_event_types():
    """``docs/live.md`` (the protocol) and ``docs/reader.md`` (the client) name no type the schema lacks."""
    declared = {member.value for member in EventType}
    for name in ("live.md", "reader.md", "api.md", "architecture.md", "decisions.md"):
        text = (ROOT / "docs" / name).read_text()
        named = set(TYPE_NAME.findall(text)) | set(re.findall(r"^event: (\S+)", text, re.MULTILINE))
        assert named <= declared, f"docs/{name} names undeclared event types {named - declared}"


def test_the_protocol_page_lists_every_event_type_and_the_schema():
    """docs/live.md's table of event types is the declared set, no more and no less, and links the schema."""
    text = (ROOT / "docs" / "live.md").read_text()
    section = text.split("\n## Event types\n", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([a-z.]+)` \|", section, re.MULTILINE))
    assert listed == {member.value for member in EventType}
    assert "/live/events.schema.json" in text
