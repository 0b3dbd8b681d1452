"""XML from files we did not write, parsed with the standard library's expat and no document type at all.

defusedxml is not a dependency of Dateline, so this does what it would for the formats we read (WXR, RSS, Atom),
none of which needs a DTD: a ``<!DOCTYPE`` of any kind is refused before any declaration in it is read, so there
are no entity definitions to expand (the "billion laughs" bomb) and no external entities or DTDs to fetch
(``SetParamEntityParsing(NEVER)``, and an external reference handler that refuses). Nesting is bounded, so a
deeply nested file is refused rather than building a tree that later code walks recursively.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 (only its tree builder: the parsing is expat's, configured below)
from typing import NoReturn
from xml.parsers import expat

from dateline.interchange.foreign.model import ImportRefused

MAX_DEPTH = 100


class _Refused(Exception):
    pass


def parse(data: bytes) -> ET.Element:
    """The root element of ``data``; ImportRefused for a DTD, an entity declaration, or XML that is not
    well-formed. Element names are ``{namespace}local`` as in ElementTree."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth = 0

    def name(raw: str) -> str:
        uri, _, local = raw.rpartition(" ")
        return f"{{{uri}}}{local}" if uri else local

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_DEPTH:
            raise _Refused(f"it nests elements more than {MAX_DEPTH} deep")
        builder.start(name(tag), {name(k): v for k, v in attrs.items()})

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end(name(tag))

    def doctype(*_: object) -> NoReturn:
        raise _Refused("it has a document type declaration (<!DOCTYPE>), which these formats never need; "
                       "DTDs and entity declarations are refused (entity expansion and external entities)")

    def entity(*_: object) -> NoReturn:
        raise _Refused("it declares entities, which are refused (entity expansion and external entities)")

    def external(*_: object) -> NoReturn:
        raise _Refused("it refers to an external entity, which is never fetched")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    try:
        parser.Parse(data, True)
    except _Refused as refused:
        raise ImportRefused(f"The XML file was refused: {refused}.") from None
    except expat.ExpatError as error:
        raise ImportRefused(f"The file is not well-formed XML ({expat.ErrorString(error.code)} at line "
                            f"{error.lineno}, column {error.offset}).") from None
    return builder.close()


def local(tag: object) -> str:
    """An element's name without its namespace."""
    return str(tag).rpartition("}")[2]


def namespace(tag: object) -> str:
    text = str(tag)
    return text[1:text.index("}")] if text.startswith("{") else ""


def child_text(element: ET.Element, *names: str) -> str:
    """The text of the first child whose local name is one of ``names`` (any namespace), or ""."""
    for child in element:
        if local(child.tag) in names:
            return (child.text or "").strip()
    return ""


def children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if local(child.tag) == name]
