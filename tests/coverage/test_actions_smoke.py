import json

from dateline.coverage import actions
from dateline.coverage.models import Change


def test_publish_edit_delete_emit_one_change_each(blog, reporter, editor):
    post = actions.create_post(reporter, blog, headline="First", body="<p>Hello <script>x</script></p>")
    assert post.status == "published"
    assert "<script>" not in post.body
    made = [Change.objects.get(blog=blog).type]

    def newest() -> str:
        return Change.objects.filter(blog=blog).latest("seq").type

    post = actions.edit_post(reporter, post, headline="First, corrected")
    made.append(newest())
    post = actions.patch_post(editor, post, pinned=True)
    made.append(newest())
    actions.delete_post(editor, post)
    made.append(newest())
    assert made == ["post.published", "post.updated", "post.pinned", "post.deleted"]
    # Compacted: the deleted post's earlier changes are tombstones now; every seq is still there.
    types = list(Change.objects.filter(blog=blog).values_list("type", flat=True))
    assert types == ["post.deleted"] * 4
    assert [json.loads(c.data)["seq"] for c in Change.objects.filter(blog=blog)] == [1, 2, 3, 4]
    assert not any("First" in c.data for c in Change.objects.filter(blog=blog))


def test_reserved_slugs_are_refused_and_avoided(editor):
    """A blog cannot take a slug that a newsroom route owns; a title that would make one gets a suffix."""
    import pytest

    from dateline.coverage.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        actions.create_blog(editor, title="Sign in", slug="login")
    assert "reserved" in refused.value.fields["slug"]
    assert actions.create_blog(editor, title="Audit").slug == "audit-2"
