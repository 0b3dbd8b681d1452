"""Corrections: an edit carrying a correction publishes one ``Correction`` with the new version, and readers get it
as exactly one ``post.updated`` change whose fragment ends with the note."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from dateline.audit.models import AuditEntry
from dateline.coverage import actions
from dateline.coverage.errors import Conflict, Forbidden, ValidationFailed
from dateline.coverage.models import Change, Correction, PostRevision

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
NOTE = "An earlier version of this post misstated the river level as 4.2m; it was 2.4m."


@pytest.fixture
def post(reporter, blog):
    return actions.create_post(reporter, blog, now=T0, headline="River level falling",
                               body="<p>The gauge at Town Bridge reads 2.4m.</p>")


def changes(blog) -> list[dict]:
    return [json.loads(c.data) for c in Change.objects.filter(blog=blog).order_by("seq")]


def test_a_correction_alone_is_one_post_updated_change_carrying_the_note(editor, blog, post):
    """Nothing else changed, yet readers must see the note: one change, a new version, a revision and an audit."""
    before = changes(blog)
    corrected = actions.patch_post(editor, post, expected_version=1, now=T0 + timedelta(minutes=42), correction=NOTE)

    after = changes(blog)
    assert len(after) == len(before) + 1
    change = after[-1]
    assert change["type"] == "post.updated"
    assert change["post"]["corrections"] == [{"note": NOTE, "created_at": "2026-11-24T09:42:00+00:00"}]
    assert NOTE in change["html"] and 'class="post__correction"' in change["html"]
    assert change["html"] == corrected.html, "the page and the live update carry the same fragment"

    assert corrected.version == 2 and change["post"]["version"] == 2
    assert corrected.updated_at == T0 + timedelta(minutes=42), "the reader-visible 'Updated' time moves"
    row = Correction.objects.get(post=post)
    assert (row.note, row.version, row.blog_id, row.created_by) == (NOTE, 2, blog.pk, editor)
    revision = PostRevision.objects.get(post=post, version=2)
    assert revision.data["corrections"][0]["note"] == NOTE
    audit = AuditEntry.objects.filter(post=post, action="post.edit").get()
    assert audit.detail == {"fields": ["correction"], "correction": NOTE}


def test_the_fragment_shows_the_correction_time_in_the_blogs_zone(editor, reporter):
    blog = actions.create_blog(editor, title="Summer storm", time_zone="America/New_York")
    post = actions.create_post(reporter, blog, now=T0.replace(month=7), headline="Storm passes")
    fixed = actions.patch_post(editor, post, now=T0.replace(month=7, hour=14, minute=42), correction="Wrong town.")
    assert ('<p class="post__correction"><strong>Correction</strong> '
            '(<time datetime="2026-07-24T10:42:00-04:00">10:42</time>): Wrong town.</p>') in fixed.html


def test_a_correction_with_other_edits_is_still_one_change(editor, blog, post):
    seq = blog.changes.count()
    fixed = actions.patch_post(editor, post, body="<p>The gauge at Town Bridge reads 2.4m, not 4.2m.</p>",
                              pinned=True, correction=NOTE)
    assert blog.changes.count() == seq + 1
    change = json.loads(blog.changes.order_by("seq").last().data)
    assert change["type"] == "post.updated", "not post.pinned: the text and a correction changed too"
    assert "not 4.2m" in change["html"] and NOTE in change["html"]
    assert fixed.version == 2


def test_corrections_are_listed_oldest_first_and_each_keeps_its_version(editor, blog, post):
    actions.patch_post(editor, post, now=T0 + timedelta(minutes=5), correction="First fix.")
    actions.edit_post(editor, post, now=T0 + timedelta(minutes=6), headline="River level falling fast")
    fixed = actions.patch_post(editor, post, now=T0 + timedelta(minutes=9), correction="Second fix.")
    data = json.loads(blog.changes.order_by("seq").last().data)["post"]
    assert [c["note"] for c in data["corrections"]] == ["First fix.", "Second fix."]
    assert list(Correction.objects.filter(post=post).values_list("version", flat=True)) == [2, 4]
    assert fixed.html.index("First fix.") < fixed.html.index("Second fix.")


def test_a_correction_is_plain_text_escaped_in_the_fragment_and_stripped_of_control_characters(editor, post):
    fixed = actions.patch_post(editor, post, correction="  It was <b>2.4m</b>\x0b, not 4.2m. <script>x</script> ")
    assert Correction.objects.get(post=post).note == "It was <b>2.4m</b>, not 4.2m. <script>x</script>"
    assert "&lt;b&gt;2.4m&lt;/b&gt;" in fixed.html and "<script>" not in fixed.html


def test_a_correction_on_a_draft_is_refused_with_a_clear_422(editor, actors, blog):
    draft = actions.create_post(actors["contributor"], blog, headline="Unchecked claim", status="draft")
    seq = blog.changes.count()
    with pytest.raises(ValidationFailed) as refused:
        actions.patch_post(editor, draft, correction=NOTE)
    assert refused.value.status == 422
    assert "published" in refused.value.message and "correction" in refused.value.fields
    # Approving it in the same edit does not make a correction meaningful: nobody read the draft.
    with pytest.raises(ValidationFailed):
        actions.patch_post(editor, draft, status="published", correction=NOTE)
    draft.refresh_from_db()
    assert (draft.status, draft.version) == ("draft", 1)
    assert not Correction.objects.exists() and blog.changes.count() == seq


def test_a_correction_longer_than_500_characters_is_refused(editor, blog, post):
    with pytest.raises(ValidationFailed) as refused:
        actions.patch_post(editor, post, headline="Changed too", correction="x" * 501)
    assert refused.value.status == 422
    assert refused.value.fields == {"correction": "At most 500 characters."}
    post.refresh_from_db()
    assert (post.version, post.headline) == (1, "River level falling"), "nothing of the edit was written"
    actions.patch_post(editor, post, correction="x" * 500)  # the limit itself is fine
    assert Correction.objects.count() == 1


def test_a_correction_must_be_a_string(editor, post):
    with pytest.raises(ValidationFailed) as refused:
        actions.patch_post(editor, post, correction=["not", "text"])
    assert refused.value.fields == {"correction": "Must be a string."}


def test_an_empty_correction_and_no_fields_change_nothing(editor, blog, post):
    seq = blog.changes.count()
    for given in ({}, {"correction": ""}, {"correction": "   "}, {"correction": None}):
        same = actions.patch_post(editor, post, **given)
        assert same.version == 1, given
    assert blog.changes.count() == seq and not Correction.objects.exists()
    assert not AuditEntry.objects.filter(action="post.edit").exists()


def test_corrections_follow_edit_permissions_and_deleted_posts_are_refused(actors, editor, blog, post):
    other = actions.create_post(editor, blog, headline="Editor's post")
    with pytest.raises(Forbidden):
        actions.patch_post(actors["reporter"], other, correction="Not mine to correct.")
    actions.patch_post(actors["reporter"], post, correction="My own post, corrected.")  # reporters: their own
    actions.delete_post(editor, other)
    with pytest.raises(Conflict):
        actions.patch_post(editor, other, correction="Too late.")
    assert list(Correction.objects.values_list("note", flat=True)) == ["My own post, corrected."]


def test_a_new_post_cannot_carry_a_correction(reporter, blog):
    with pytest.raises(ValidationFailed) as refused:
        actions.create_post(reporter, blog, headline="Fresh", correction="Nothing to correct yet.")
    assert refused.value.fields == {"correction": "Unknown field."}
