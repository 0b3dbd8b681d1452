"""Every change the actions write is valid against the published event schema, and each verb names its event.

The schema is generated from ``dateline/events.py`` with ``additionalProperties: false`` on every object, so a
field an action starts sending without declaring it there fails here."""

from __future__ import annotations

import json
from datetime import timedelta

import jsonschema_rs
import pytest
from django.utils import timezone

from dateline.coverage import actions
from dateline.coverage.errors import Forbidden, ValidationFailed
from dateline.coverage.models import Change
from dateline.events import CHANGE_EVENTS, EventType, schema


def _exercise(editor, reporter, blog):
    """One of every kind of change, and the verbs that make none (a draft, a schedule)."""
    first = actions.create_post(reporter, blog, headline="Ferry halted", body="<p>The <b>ferry</b> stopped.</p>",
                                tags=["transport"])
    second = actions.create_post(editor, blog, headline="Bridge shut", body="<p>Closed at noon.</p>")
    draft = actions.create_post(reporter, blog, headline="Queue at the port", status="draft")
    actions.schedule_post(reporter, draft, publish_at=timezone.now() + timedelta(hours=1))
    actions.edit_post(reporter, first, headline="Ferry halted by fog")
    actions.pin_post(editor, second)
    actions.unpin_post(editor, second)
    actions.correct_post(editor, first, correction="An earlier version named the wrong ferry.")
    actions.approve_post(editor, draft)
    actions.set_key_points(editor, blog, [{"text": "<strong>Ferry:</strong> halted by fog.", "post_id": first.pk}])
    actions.delete_post(editor, first)  # also unlinks its key point: keypoints.updated
    actions.restore_post(editor, first)
    actions.update_blog(editor, blog, description="The day the bridge shut.")
    actions.end_blog(editor, blog)


def test_every_change_validates_against_the_published_schema(client, editor, reporter, blog, monkeypatch):
    """Every change as an action made it, and every change as compaction left it in the log."""
    from dateline.coverage.actions import core

    answer = client.get("/live/events.schema.json")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/schema+json"
    published = json.loads(answer.content)
    assert published == json.loads(json.dumps(schema())), "the endpoint serves the generated schema"
    validator = jsonschema_rs.validator_for(published)
    made: list[dict] = []
    compact = core.compact
    monkeypatch.setattr(core, "compact", lambda blog, newer: (made.append(json.loads(core._encode(newer))),
                                                              compact(blog, newer))[1])
    _exercise(editor, reporter, blog)
    assert {d["type"] for d in made} == {cls.type.value for cls in CHANGE_EVENTS}, "every event type was made"
    changes = list(Change.objects.filter(blog=blog).order_by("seq"))
    assert [c.seq for c in changes] == [d["seq"] for d in made]
    for data in [*made, *(json.loads(c.data) for c in changes)]:
        errors = [str(e) for e in validator.iter_errors(data)]
        assert errors == [], (data["type"], errors)
    for change in changes:
        data = json.loads(change.data)
        assert data["type"] == change.type and data["seq"] == change.seq


def test_each_verb_makes_the_event_it_names(editor, reporter, blog):
    """The event follows the verb, not the fields that happened to change: an edit that only flips the pin
    is still an edit (post.updated); pin_post is post.pinned; approving is post.published."""
    post = actions.create_post(editor, blog, headline="Storm warning")
    draft = actions.create_post(reporter, blog, headline="Wind gusts", status="draft")

    def last() -> str:
        return Change.objects.filter(blog=blog).latest("seq").type

    actions.edit_post(editor, post, pinned=True)
    assert last() == EventType.POST_UPDATED
    actions.unpin_post(editor, post)
    assert last() == EventType.POST_UNPINNED
    actions.pin_post(editor, post)
    assert last() == EventType.POST_PINNED
    actions.approve_post(editor, draft, headline="Wind gusts of 90 km/h")
    assert last() == EventType.POST_PUBLISHED
    seq = blog.changes.count()
    actions.pin_post(editor, post)  # already pinned: nothing to tell readers
    assert blog.changes.count() == seq


@pytest.mark.parametrize("given", [{"pinned": True}, {"status": "published"}, {"correction": "Wrong gust speed."},
                                   {"headline": "New"}])
def test_patch_routes_a_request_to_its_verb(editor, reporter, blog, given):
    """What a PATCH asks for picks the verb: pinned alone pins, status publishes a draft, a correction corrects."""
    post = actions.create_post(reporter, blog, headline="Gusts", **({"status": "draft"} if "status" in given else {}))
    actions.patch_post(editor, post, **given)
    expected = {"pinned": EventType.POST_PINNED, "status": EventType.POST_PUBLISHED,
                "correction": EventType.POST_UPDATED, "headline": EventType.POST_UPDATED}[next(iter(given))]
    assert Change.objects.filter(blog=blog).latest("seq").type == expected


def test_an_edit_sent_with_a_cleared_schedule_still_reaches_readers(editor, reporter, blog):
    """A post the scheduler published keeps its publish_at; a PATCH that clears it while changing the headline is
    routed to schedule_post, and must still be the post.updated readers need (not a silent draft-style save)."""
    draft = actions.create_post(reporter, blog, headline="Ferry timetable", status="draft")
    actions.schedule_post(reporter, draft, publish_at=timezone.now() + timedelta(minutes=5))
    published = actions.publish_scheduled_post(draft, now=timezone.now() + timedelta(minutes=6))
    assert published is not None and published.publish_at is not None
    seq = blog.changes.count()
    actions.patch_post(editor, published, publish_at=None, headline="Ferry timetable changed")
    change = Change.objects.filter(blog=blog).latest("seq")
    assert blog.changes.count() == seq + 1 and change.type == EventType.POST_UPDATED
    assert json.loads(change.data)["post"]["headline"] == "Ferry timetable changed"


def test_patch_publishes_a_scheduled_draft_now_when_its_time_is_cleared(editor, reporter, blog):
    """``status: published`` with ``publish_at: null`` is "publish now, forget the schedule" — not a conflict;
    a time with it is (publish now or schedule, not both)."""
    draft = actions.create_post(reporter, blog, headline="Port reopens", status="draft")
    actions.schedule_post(reporter, draft, publish_at=timezone.now() + timedelta(hours=2))
    with pytest.raises(ValidationFailed):
        actions.patch_post(editor, draft, status="published", publish_at=timezone.now() + timedelta(hours=3))
    published = actions.patch_post(editor, draft, status="published", publish_at=None)
    assert (published.status, published.publish_at, published.scheduled_by) == ("published", None, None)
    assert Change.objects.filter(blog=blog).latest("seq").type == EventType.POST_PUBLISHED


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_patch_ignores_an_empty_correction_sent_with_an_approval(editor, reporter, blog, empty):
    draft = actions.create_post(reporter, blog, headline="Lock gates shut", status="draft")
    published = actions.patch_post(editor, draft, status="published", correction=empty)
    assert published.status == "published" and not published.corrections.exists()


def test_patch_corrects_a_post_the_scheduler_published_with_its_time_cleared(editor, reporter, blog):
    """A client that sends the post it read back (``publish_at: null`` included) with a correction is correcting,
    not scheduling; a time with a correction is refused (only drafts are scheduled)."""
    draft = actions.create_post(reporter, blog, headline="Tide peaks", status="draft")
    actions.schedule_post(reporter, draft, publish_at=timezone.now() + timedelta(minutes=5))
    post = actions.publish_scheduled_post(draft, now=timezone.now() + timedelta(minutes=6))
    corrected = actions.patch_post(editor, post, correction="The tide peaked at 6.1m.", publish_at=None,
                                   headline="Tide peaks at 6.1m")
    assert corrected.publish_at is None and corrected.corrections.count() == 1
    change = Change.objects.filter(blog=blog).latest("seq")
    assert change.type == EventType.POST_UPDATED and json.loads(change.data)["post"]["headline"] == "Tide peaks at 6.1m"
    with pytest.raises(ValidationFailed):
        actions.patch_post(editor, corrected, correction="Again.", publish_at=timezone.now() + timedelta(hours=1))


def test_asking_to_unpin_a_post_that_is_not_pinned_refuses_nobody(reporter, blog):
    post = actions.create_post(reporter, blog, headline="Own post")
    assert actions.patch_post(reporter, post, pinned=False).version == post.version
    with pytest.raises(Forbidden):
        actions.patch_post(reporter, post, pinned=True)


def test_a_blog_change_carries_its_own_seq_in_the_blog_object(editor, blog):
    """The blog object in blog.updated says the seq of the change that carries it (stamped by the core)."""
    actions.update_blog(editor, blog, title="Harbour bridge reopens")
    change = Change.objects.filter(blog=blog).latest("seq")
    assert json.loads(change.data)["blog"]["seq"] == change.seq == json.loads(change.data)["seq"]
