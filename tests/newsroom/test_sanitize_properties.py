"""Property tests: whatever HTML a person sends, no script, event handler or javascript: URL survives — neither in
what is stored (the sanitiser, the create/edit actions) nor in what is rendered for readers."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dateline.coverage import actions
from dateline.coverage.render import render_post
from dateline.coverage.sanitize import clean_body, clean_inline

TAGS = ["script", "SCRIPT", "img", "a", "svg", "iframe", "p", "style", "strong", "object", "math", "ul", "li",
        "blockquote", "form", "button", "body", "scr<script>ipt"]
DANGEROUS_URLS = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
                  "&#106;avascript:alert(1)", "&#x6A;avascript:alert(1)", "javascript&colon;alert(1)",
                  "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>", "https://example.org/ok"]
ATTRIBUTES = st.one_of(
    st.tuples(st.sampled_from(["onclick", "onerror", "ONLOAD", "onmouseover", "onfocus", "style", "title"]),
              st.sampled_from(["alert(1)", "x", "javascript:alert(1)"])),
    st.tuples(st.sampled_from(["href", "src", "HREF", "action", "formaction", "xlink:href", "cite"]),
              st.sampled_from(DANGEROUS_URLS)),
)
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@st.composite
def element(draw, depth: int = 0):
    tag = draw(st.sampled_from(TAGS))
    attrs = draw(st.lists(ATTRIBUTES, max_size=3))
    quote = draw(st.sampled_from(['"', "'", ""]))
    rendered_attrs = "".join(f" {name}={quote}{value}{quote}" for name, value in attrs)
    inner = draw(st.lists(st.one_of(TEXT, element(depth + 1)) if depth < 2 else TEXT, max_size=3))
    closing = draw(st.sampled_from([f"</{tag}>", "", "</p>"]))
    return f"<{tag}{rendered_attrs}>{''.join(inner)}{closing}"


HTMLISH = st.lists(st.one_of(TEXT, element(), st.sampled_from(["<!--", "-->", "<", ">", "<script>alert(1)</script>",
                                                               "<img src=x onerror=alert(1)>"])),
                   max_size=6).map("".join)

_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


class Findings(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "iframe", "object", "embed", "style", "svg", "math", "form", "base", "meta"}:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}")
            if value and name in {"href", "src", "action", "formaction", "xlink:href", "cite", "data"}:
                scheme = _CONTROL.sub("", html.unescape(value)).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:")):
                    self.problems.append(f"{tag} {name}={value}")

    handle_startendtag = handle_starttag


def dangers(fragment: str) -> list[str]:
    parser = Findings()
    parser.feed(fragment)
    parser.close()
    return parser.problems


def test_the_checker_itself_catches_each_kind_of_danger():
    found = dangers('<script>x</script><a href=" JaVa&#x53;cript:1">l</a><b onclick=x>b</b><img src="data:x">')
    assert found == ["<script>", "a href= JaVaScript:1", "b onclick", "img src=data:x"]


@settings(max_examples=400, deadline=None)
@given(HTMLISH)
def test_no_danger_survives_the_body_sanitiser(raw):
    cleaned = clean_body(raw)
    assert dangers(cleaned) == []
    assert dangers(clean_body(cleaned)) == []


@settings(max_examples=300, deadline=None)
@given(HTMLISH)
def test_no_danger_survives_the_inline_sanitiser(raw):
    assert dangers(clean_inline(raw)) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(headline=HTMLISH, body=HTMLISH, note=HTMLISH)
def test_no_danger_survives_in_a_stored_or_rendered_post(reporter, blog, headline, body, note):
    post = actions.create_post(reporter, blog, headline=headline[:300] or "h", body=body,
                               update_note=note[:500], verification_note=note[:500])
    assert dangers(post.body) == []
    assert dangers(post.html) == []
    assert dangers(render_post(post)) == []
    edited = actions.edit_post(reporter, post, body=body + "<p>more</p>")
    assert dangers(edited.body) == [] and dangers(edited.html) == []
