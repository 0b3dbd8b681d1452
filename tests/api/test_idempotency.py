"""Idempotency-Key on POST .../posts: a retried create answers the first response and makes one post."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from dateline.api.models import IdempotencyRecord
from dateline.coverage.models import Post
from tests.api.conftest import ApiClient, assert_error


@pytest.fixture
def posts_url(blog):
    return f"/blogs/{blog.slug}/posts"


def test_a_retry_with_the_same_key_and_body_replays_the_first_answer(as_reporter, posts_url, blog):
    headers = {"Idempotency-Key": "7d3f-retry"}
    first = as_reporter.post(posts_url, {"headline": "Bridge closed", "tags": ["a"]}, headers=headers)
    again = as_reporter.post(posts_url, {"tags": ["a"], "headline": "Bridge closed"}, headers=headers)  # key order
    assert first.status_code == again.status_code == 201
    assert again.data == first.data
    assert again["ETag"] == first["ETag"] and again["Idempotent-Replayed"] == "true"
    assert Post.objects.filter(blog=blog).count() == 1


def test_the_same_key_with_a_different_body_is_422(as_reporter, posts_url, blog):
    headers = {"Idempotency-Key": "k1"}
    as_reporter.post(posts_url, {"headline": "One"}, headers=headers)
    error = assert_error(as_reporter.post(posts_url, {"headline": "Two"}, headers=headers), 422,
                         "idempotency_key_reused")
    assert "Idempotency-Key" in error["fields"]
    assert Post.objects.filter(blog=blog).count() == 1


def test_keys_are_scoped_to_the_user(as_reporter, as_editor, posts_url, blog):
    headers = {"Idempotency-Key": "shared-key"}
    assert as_reporter.post(posts_url, {"headline": "One"}, headers=headers).status_code == 201
    assert as_editor.post(posts_url, {"headline": "One"}, headers=headers).status_code == 201
    assert Post.objects.filter(blog=blog).count() == 2


def test_keys_expire_after_24_hours(as_reporter, posts_url, blog):
    headers = {"Idempotency-Key": "old"}
    as_reporter.post(posts_url, {"headline": "One"}, headers=headers)
    IdempotencyRecord.objects.update(created_at=IdempotencyRecord.objects.get().created_at - timedelta(hours=25))
    assert as_reporter.post(posts_url, {"headline": "One"}, headers=headers).status_code == 201
    assert Post.objects.filter(blog=blog).count() == 2
    assert IdempotencyRecord.objects.count() == 1


def test_a_refused_request_is_not_recorded_so_it_can_be_fixed_and_retried(as_contributor, posts_url, blog):
    headers = {"Idempotency-Key": "fix-me"}
    assert_error(as_contributor.post(posts_url, {"headline": "x", "pinned": True}, headers=headers), 403)
    assert IdempotencyRecord.objects.count() == 0
    assert as_contributor.post(posts_url, {"headline": "x"}, headers=headers).status_code == 201


def test_invalid_keys_are_400(as_reporter, posts_url):
    assert_error(as_reporter.post(posts_url, {"headline": "x"}, headers={"Idempotency-Key": "x" * 201}), 400,
                 "invalid_idempotency_key")


def test_without_a_key_each_post_is_new(as_reporter, posts_url, blog):
    as_reporter.post(posts_url, {"headline": "One"})
    as_reporter.post(posts_url, {"headline": "One"})
    assert Post.objects.filter(blog=blog).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_identical_requests_make_one_post(tokens, blog):
    """Both requests race past the "have we seen this key?" check; the record inserted in the action's
    transaction makes the loser wait, then replay the winner's answer. (The SQLite test database is a file, not
    shared-cache memory, so the losers wait on the lock instead of failing at once: see settings.database_config.)"""
    barrier = threading.Barrier(4)
    results = []

    def send():
        client = ApiClient(tokens["reporter"])
        barrier.wait()
        try:
            results.append(client.post(f"/blogs/{blog.slug}/posts", {"headline": "Race"},
                                       headers={"Idempotency-Key": "race-1"}))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [201] * 4
    assert len({r.data["id"] for r in results}) == 1
    assert sorted(r.get("Idempotent-Replayed", "no") for r in results) == ["no", "true", "true", "true"]
    assert Post.objects.filter(blog=blog).count() == 1
