"""Plain text out of post HTML, and the words in it: what the assist tools compare.

Pure functions over strings, no Django: a post body is sanitised HTML (``coverage/sanitize.py``), so a small
``HTMLParser`` is enough to recover its blocks (paragraphs, list items, quotes) and whether each opens with a bold
label ("Key context:"), which the key-point drafts keep.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

BLOCK_TAGS = frozenset({"p", "li", "blockquote", "h2", "h3", "h4", "h5", "h6", "div", "figcaption", "br"})
HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})

# Words too common to say anything about what a post is about. English, as the demo and most newsrooms here are;
# a word missing from this list only costs a little precision, never a wrong answer.
_STOPWORDS = """
a about above after again against all also am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers him
his how i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out
over own said same says she should so some such than that the their theirs them then there these they this those
through to too under until up very was we were what when where which while who whom why will with would you your
yours yet per via one two three its it's we've they've he's she's there's that's can't won't don't didn't isn't
wasn't aren't weren't hasn't haven't hadn't
"""
STOPWORDS = frozenset(_STOPWORDS.split())

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?(?:[.,][0-9]+)*", re.UNICODE)
# A sentence ends at . ! or ? followed by a space and a capital, digit or quote; "Mr." and "2.4m" do not end one.
SENTENCE_END = re.compile(r"(?<!\b[A-Z])(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)"
                          r"([.!?][\"'”’)]?)\s+(?=[\"'“‘(]?[A-Z0-9])")


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph-like block of a post: its text, and its bold opening label if it has one ("Key context")."""

    text: str
    label: str = ""
    heading: bool = False


class _Blocks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.label: str | None = None  # collecting a leading <strong>; "" once the block has other text first
        self.in_strong = 0
        self.heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS:
            self.flush()
            self.heading = tag in HEADING_TAGS
        elif tag in ("strong", "b"):
            self.in_strong += 1
            if self.label is None and not "".join(self.parts).strip():
                self.label = ""
                self.parts = []

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self.flush()
        elif tag in ("strong", "b") and self.in_strong:
            self.in_strong -= 1
            if self.label == "" and not self.in_strong:
                self.label = " ".join("".join(self.parts).split())
                self.parts = []

    def handle_data(self, data: str) -> None:
        if self.label is None and data.strip() and not self.in_strong:
            self.label = ""  # text before any bold: no label
        self.parts.append(data)

    def flush(self) -> None:
        text = " ".join("".join(self.parts).split())
        label = self.label or ""
        if label and self.in_strong:  # an unclosed <strong>: treat its text as plain text
            text, label = " ".join(f"{label} {text}".split()), ""
        if label.endswith(":"):
            label = label[:-1].rstrip()
        elif label and text.startswith(":"):  # <strong>Label</strong>: text
            text = text[1:]
        elif label:  # bold words that are not a "Label:" are just text
            text, label = " ".join(f"{label} {text}".split()), ""
        text = text.lstrip(":").strip()
        if text or label:
            self.blocks.append(Block(text=text, label=label, heading=self.heading))
        self.parts, self.label, self.heading = [], None, False


def blocks(body_html: str) -> list[Block]:
    """The blocks of a post body, in order."""
    parser = _Blocks()
    parser.feed(body_html or "")
    parser.close()
    parser.flush()
    return parser.blocks


def plain_text(body_html: str) -> str:
    return " ".join(f"{b.label}: {b.text}" if b.label else b.text for b in blocks(body_html))


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _split(text) if s.strip()]


def _split(text: str) -> list[str]:
    out, start = [], 0
    for match in SENTENCE_END.finditer(text):
        out.append(text[start:match.end(1)])
        start = match.end()
    out.append(text[start:])
    return out


def words(text: str) -> list[str]:
    """Lower-cased words, numbers kept whole ("2.4", "4,100")."""
    return [w.lower().replace("’", "'") for w in WORD.findall(text)]


def content_words(text: str) -> list[str]:
    """Words that carry meaning: no stopwords, no one-letter words; a crude plural fold so "flood"/"floods" match."""
    out = []
    for word in words(text):
        word = word.removesuffix("'s")
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss") and not word[0].isdigit():
            word = word[:-1]
        out.append(word)
    return out


def escape(text: str) -> str:
    return html.escape(text, quote=False)
