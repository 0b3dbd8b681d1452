"""Figures without a source: a nudge to attribute them, or to add a verification note.

The reference anatomy's posts carry "attributions and verification notes" — "according to the ministry…", "<publisher>
cannot independently verify these figures". A number in a live post (deaths, people evacuated, a river level) is
the claim most often challenged, so the composer points at sentences that give one without saying who says so.
A nudge, never a rule: the reporter may have counted for themselves, and knows.
"""

from __future__ import annotations

import re

from dateline.assist.text import blocks, sentences

# Said by someone: the verbs and phrases of attribution in English news copy.
ATTRIBUTION = re.compile(
    r"\b(according to|said|says|say|told|tells|confirmed|confirms|reported|reports|estimated|estimates|"
    r"announced|announces|stated|states|statement|figures from|data from|spokes(?:man|woman|person)|"
    r"claimed|claims|insisted|warned|warns|added|wrote|posted|citing|cited|quoted)\b", re.IGNORECASE)
# The figures most often challenged: counts of people and homes, tolls, money and percentages ("about 4,100 people",
# "two deaths", "£86,000", "40%"). Measurements and times are left alone: they are rarely what is disputed.
COUNTED = (r"people|persons|residents|homes|houses|households|properties|families|children|adults|patients|pupils|"
           r"students|deaths?|dead|died|killed|bodies|injured|injuries|hurt|missing|evacuated|evacuees|rescued|"
           r"displaced|homeless|arrested|arrests|victims|casualties|troops|soldiers|civilians|protesters|cases|jobs")
NUMBER = r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|dozens|hundreds|thousands|millions)"
FIGURE = re.compile(
    rf"\b{NUMBER}\b(?:\s+[\w’'-]+){{0,3}}?\s+(?:{COUNTED})\b|[£$€]\s?\d|\b\d[\d,.]*\s?(?:%|per cent|percent)",
    re.IGNORECASE)
MAX_HINTS = 2


def unattributed_figures(body_html: str) -> list[str]:
    """Sentences of the body that state a figure and name no source, at most ``MAX_HINTS``."""
    found = []
    for block in blocks(body_html):
        # A paragraph that names a source anywhere ("…, police said.") covers its sentences, quotes included.
        if block.heading or ATTRIBUTION.search(block.text):
            continue
        for sentence in sentences(block.text):
            if FIGURE.search(sentence):
                found.append(sentence)
                if len(found) == MAX_HINTS:
                    return found
    return found
