"""The change log keeps at least the last N changes or the last 24 h, whichever is more."""

from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from dateline.coverage import actions
from dateline.coverage.models import Change
from dateline.coverage.retention import prune_changes


def _publish(reporter, blog, n):
    for i in range(n):
        actions.create_post(reporter, blog, headline=f"p{i}", body="<p>x</p>")


@override_settings(DATELINE_CHANGE_RETENTION_COUNT=5, DATELINE_CHANGE_RETENTION_HOURS=24)
def test_old_changes_beyond_the_count_are_pruned(blog, reporter):
    _publish(reporter, blog, 12)
    Change.objects.filter(blog=blog).update(created_at=timezone.now() - timedelta(hours=30))
    assert prune_changes() == 7
    assert list(Change.objects.filter(blog=blog).values_list("seq", flat=True)) == [8, 9, 10, 11, 12]


@override_settings(DATELINE_CHANGE_RETENTION_COUNT=5, DATELINE_CHANGE_RETENTION_HOURS=24)
def test_recent_changes_are_kept_even_beyond_the_count(blog, reporter):
    _publish(reporter, blog, 12)
    old = Change.objects.filter(blog=blog, seq__lte=3)
    old.update(created_at=timezone.now() - timedelta(hours=30))
    assert prune_changes() == 3  # seq 4..12 are younger than 24 h: kept although only 5 must be
    assert Change.objects.filter(blog=blog).count() == 9


def test_the_management_command_runs(blog, reporter, capsys):
    from django.core.management import call_command

    _publish(reporter, blog, 2)
    call_command("prune_changes")
    assert "Deleted 0 change(s)" in capsys.readouterr().out
    assert Change.objects.filter(blog=blog).count() == 2
