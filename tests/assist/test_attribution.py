"""Figures without a source: the sentences the composer asks the reporter to attribute."""

from dateline.assist.attribution import MAX_HINTS, unattributed_figures
from dateline.demo.content import POSTS


def test_counts_of_people_homes_money_and_percentages_need_a_source():
    claims = ["About 4,100 people were asked to leave.", "Two people died.", "The appeal raised £86,000.",
              "Turnout was 40% lower.", "Hundreds of homes lost power."]
    for claim in claims:
        assert unattributed_figures(f"<p>{claim}</p>") == [claim]
    assert unattributed_figures("".join(f"<p>{c}</p>" for c in claims)) == claims[:MAX_HINTS]


def test_attributed_figures_times_and_measurements_are_left_alone():
    body = ("<p>About 4,100 people were asked to leave, the council said.</p>"
            "<p>According to the ambulance service, 12 people were injured.</p>"
            "<p>“We moved 200 families out,” a firefighter told us.</p>"
            "<p>At 6am the river stood at 5.41m, 21cm below the 1987 record.</p>"
            "<h3>What 3 things to know</h3>")
    assert unattributed_figures(body) == []


def test_most_demo_posts_pass_and_the_rest_are_fair_questions():
    flagged = {p["headline"]: unattributed_figures(p["body"]) for p in POSTS}
    flagged = {h: s for h, s in flagged.items() if s}
    assert 0 < len(flagged) <= len(POSTS) // 4  # a nudge that fires on every post would be ignored
    assert all(any(ch.isdigit() for ch in sentence) for found in flagged.values() for sentence in found)
