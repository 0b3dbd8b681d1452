"""The issue's acceptance journey, as a new integrator would walk it through the API."""

from __future__ import annotations

from dateline import cli
from dateline.coverage.models import Change, Post
from tests.api.conftest import ApiClient, assert_error


def test_new_user_runs_a_live_blog_through_the_api(db, capsys):
    """CLI user + token -> create blog -> publish -> stale edit is 412 -> retried create makes one post ->
    delete and restore; readers see each step, and every visible step is one change."""
    assert cli.main(["user", "create", "ada", "--role", "editor"]) == 0
    capsys.readouterr()
    assert cli.main(["token", "create", "ada"]) == 0
    token = capsys.readouterr().out.strip()
    ada, reader = ApiClient(token), ApiClient()

    blog = ada.post("/blogs", {"title": "Harbour fire", "time_zone": "Europe/Lisbon"})
    assert blog.status_code == 201
    posts = f"/blogs/{blog.data['slug']}/posts"

    first = ada.post(posts, {"headline": "Fire at the harbour", "body": "<p>Crews are on scene.</p>"})
    assert first.status_code == 201 and first.data["status"] == "published"
    post_url = f"{posts}/{first.data['id']}"
    assert reader.get(posts).data["items"][0]["headline"] == "Fire at the harbour"

    # A colleague (another editor) edits; Ada's tab still holds the first ETag.
    assert cli.main(["user", "create", "bea", "--role", "editor"]) == 0
    assert cli.main(["token", "create", "bea"]) == 0
    bea = ApiClient(capsys.readouterr().out.strip().splitlines()[-1])
    edited = bea.patch(post_url, {"headline": "Fire at the harbour: two warehouses"},
                       headers={"If-Match": first["ETag"]})
    assert edited.status_code == 200
    stale = ada.patch(post_url, {"body": "<p>Crews from three stations.</p>"}, headers={"If-Match": first["ETag"]})
    assert assert_error(stale, 412, "precondition_failed")["current"]["headline"].endswith("two warehouses")

    # A flaky connection: the same create is sent three times with one key.
    key = {"Idempotency-Key": "9b2e6c1a-harbour-update"}
    answers = [ada.post(posts, {"headline": "Road closed", "body": "<p>Avoid the quay.</p>"}, headers=key)
               for _ in range(3)]
    assert {a.status_code for a in answers} == {201}
    assert len({a.data["id"] for a in answers}) == 1
    assert Post.objects.filter(headline="Road closed").count() == 1

    deleted = ada.delete(post_url, headers={"If-Match": edited["ETag"]})
    assert deleted.status_code == 200 and deleted.data["status"] == "deleted"
    assert assert_error(reader.get(post_url), 404)
    restored = ada.post(f"{post_url}/restore")
    assert restored.status_code == 200 and restored.data["status"] == "published"
    assert reader.get(post_url).data["headline"] == "Fire at the harbour: two warehouses"

    types = list(Change.objects.filter(blog__slug=blog.data["slug"]).values_list("type", flat=True))
    # One change per write, seq gap-free; the deletion turned the first post's earlier changes into tombstones
    # (compaction: docs/live.md), and its restore is the change that shows it again.
    assert types == ["post.deleted", "post.deleted", "post.published", "post.deleted", "post.published"]
    assert reader.get(f"/blogs/{blog.data['slug']}").data["seq"] == 5
