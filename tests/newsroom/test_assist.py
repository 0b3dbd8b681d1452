"""The desk's assistants through the newsroom: drafted key points and the composer's repeat warning."""

from __future__ import annotations

from django.test import Client

from dateline.coverage import actions
from dateline.coverage.models import KeyPoint
from dateline.demo.content import POSTS

IN_ORDER = sorted(POSTS, key=lambda p: p["minute"])
DOOR = IN_ORDER[1]  # "Door-knocking in Millreach as residents told to leave"
REFILED = {"headline": "Police go door to door in Millreach telling residents to leave",
           "body": "<p>Officers and firefighters have been knocking on doors in Millreach since 5am, telling people "
                   "nearest the river to leave. The evacuation covers about 480 homes, roughly 1,200 people.</p>"}


def test_the_composer_is_told_which_earlier_post_it_may_repeat(signed_in, actors, blog):
    door = actions.create_post(actors["editor"], blog, headline=DOOR["headline"], body=DOOR["body"])
    actions.create_post(actors["editor"], blog, headline=IN_ORDER[2]["headline"], body=IN_ORDER[2]["body"])
    answer = signed_in("reporter").post(f"/newsroom/{blog.slug}/assist/check", REFILED)
    assert answer.status_code == 200
    found = answer.json()["similar"]
    assert [(m["id"], m["headline"], m["status"]) for m in found] == [(door.pk, DOOR["headline"], "published")]
    assert found[0]["url"] == f"/newsroom/{blog.slug}/posts/{door.pk}/edit" and found[0]["time"]
    assert 0.5 <= found[0]["score"] <= 1
    # Editing that post itself: it is not its own repeat.
    again = signed_in("reporter").post(f"/newsroom/{blog.slug}/assist/check", {**REFILED, "exclude": door.pk})
    assert again.json()["similar"] == []
    unrelated = signed_in("reporter").post(f"/newsroom/{blog.slug}/assist/check",
                                           {"headline": "Harbour ferry timetable", "body": "<p>Boats sail hourly "
                                            "from the north quay until the harbour master says otherwise.</p>"})
    assert unrelated.json() == {"similar": [], "unattributed": []}


def test_another_reporters_draft_is_only_named_to_those_who_may_see_it(signed_in, actors, blog):
    from dateline.accounts.models import User

    colleague = User.objects.create_user("reporter2", password="x", role="reporter", display_name="Col League")
    draft = actions.create_post(colleague, blog, headline=DOOR["headline"], body=DOOR["body"], status="draft")
    assert signed_in("reporter").post(f"/newsroom/{blog.slug}/assist/check", REFILED).json()["similar"] == []
    seen = signed_in("editor").post(f"/newsroom/{blog.slug}/assist/check", REFILED).json()["similar"]
    assert [(m["id"], m["status"]) for m in seen] == [(draft.pk, "draft")]


def test_figures_without_a_source_are_pointed_out_unless_there_is_a_verification_note(signed_in, blog):
    body = ("<p>About 300 people were moved out overnight.</p>"
            "<p>Another 40 homes were cleared this morning, police said.</p>")
    client = signed_in("reporter")
    answer = client.post(f"/newsroom/{blog.slug}/assist/check", {"headline": "Overnight evacuations", "body": body})
    assert answer.json()["unattributed"] == ["About 300 people were moved out overnight."]
    noted = client.post(f"/newsroom/{blog.slug}/assist/check", {
        "headline": "Overnight evacuations", "body": body, "verification_note": "Figures from Marchland Police."})
    assert noted.json()["unattributed"] == []
    labelled = client.post(f"/newsroom/{blog.slug}/assist/check", {
        "headline": "Overnight evacuations", "body": body, "verification": "unverified"})
    assert labelled.json()["unattributed"] == []


def test_the_repeat_check_needs_a_signed_in_team_member_and_post(actors, blog, signed_in):
    assert Client().post(f"/newsroom/{blog.slug}/assist/check", REFILED).status_code == 302  # to sign-in
    assert signed_in("reporter").get(f"/newsroom/{blog.slug}/assist/check").status_code == 405
    assert signed_in("reporter").post("/newsroom/no-such-blog/assist/check", REFILED).status_code == 404
    csrf = signed_in("reporter", enforce_csrf_checks=True)
    assert csrf.post(f"/newsroom/{blog.slug}/assist/check", REFILED).status_code == 403


def test_the_composer_and_edit_form_carry_the_warning_region(signed_in, actors, blog):
    post = actions.create_post(actors["reporter"], blog, headline="Bridge shut", body="<p>Both lanes.</p>")
    desk = signed_in("reporter").get(f"/newsroom/{blog.slug}/").content.decode()
    assert f'data-check-url="/newsroom/{blog.slug}/assist/check"' in desk and "data-exclude" not in desk
    edit = signed_in("reporter").get(f"/newsroom/{blog.slug}/posts/{post.pk}/edit").content.decode()
    assert f'data-exclude="{post.pk}"' in edit


def test_editors_get_drafted_key_points_to_review_and_nothing_changes_until_they_save(signed_in, actors, blog):
    for post in IN_ORDER:
        actions.create_post(actors["editor"], blog, headline=post["headline"], body=post["body"])
    editor = signed_in("editor")
    plain = editor.get(f"/newsroom/{blog.slug}/key-points").content.decode()
    assert "Draft from today’s posts" in plain and 'id="kp-drafted"' not in plain
    page = editor.get(f"/newsroom/{blog.slug}/key-points?draft=1")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="kp-drafted"' in html
    assert "&lt;strong&gt;Record flood:&lt;/strong&gt; The River Vale peaked at 6.14m" in html  # in a textarea
    assert html.count('<textarea name="text"') == 5 + 2  # five drafted points and the two blank rows
    assert not KeyPoint.objects.filter(blog=blog).exists()
    assert signed_in("reporter").get(f"/newsroom/{blog.slug}/key-points?draft=1").status_code == 403


def test_drafting_from_a_blog_without_posts_says_so(signed_in, blog):
    html = signed_in("editor").get(f"/newsroom/{blog.slug}/key-points?draft=1").content.decode()
    assert "not enough published posts" in html
