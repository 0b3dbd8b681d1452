"""Signing in and out, the sign-in rate limit, and CSRF on every newsroom form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dateline.coverage.models import Post
from dateline.newsroom import ratelimit
from dateline.newsroom.models import LoginFailure


@pytest.mark.django_db
def test_sign_in_page_is_a_labelled_form_with_csrf():
    response = Client().get("/newsroom/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    assert "csrfmiddlewaretoken" in html


def test_signing_in_lands_on_the_dashboard_listing_the_blogs(actors, blog):
    client = Client()
    response = client.post("/newsroom/login/", {"username": "reporter1", "password": "pw-reporter"}, follow=True)
    assert response.redirect_chain[-1][0] == "/newsroom/"
    assert blog.title in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(blog):
    response = Client().get(f"/newsroom/{blog.slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/newsroom/login/?next=")


def test_sign_out_is_a_post_and_ends_the_session(signed_in):
    client = signed_in("editor")
    assert client.get("/newsroom/").status_code == 200
    assert client.post("/newsroom/logout/").status_code == 302
    assert client.get("/newsroom/").status_code == 302


def test_five_failures_lock_the_username_from_that_address(actors):
    client = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(ratelimit.MAX_FAILURES):
        response = client.post("/newsroom/login/", {"username": "reporter1", "password": "wrong"})
        assert "Please enter a correct username and password" in response.content.decode()
    # Even the right password is refused now, with a message saying what to do.
    response = client.post("/newsroom/login/", {"username": "reporter1", "password": "pw-reporter"})
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The same person signing in from another address is not locked out.
    other = Client(REMOTE_ADDR="10.0.0.8")
    assert other.post("/newsroom/login/", {"username": "reporter1", "password": "pw-reporter"}).status_code == 302


def test_a_lockout_expires_after_15_minutes(actors):
    for _ in range(ratelimit.MAX_FAILURES):
        ratelimit.record_failure("reporter1", "127.0.0.1")
    assert ratelimit.is_locked_out("Reporter1", "127.0.0.1")
    LoginFailure.objects.update(created_at=timezone.now() - ratelimit.WINDOW - timedelta(seconds=1))
    assert not ratelimit.is_locked_out("reporter1", "127.0.0.1")


def test_a_successful_sign_in_clears_earlier_failures(actors):
    client = Client()
    for _ in range(ratelimit.MAX_FAILURES - 1):
        client.post("/newsroom/login/", {"username": "reporter1", "password": "wrong"})
    assert client.post("/newsroom/login/", {"username": "reporter1", "password": "pw-reporter"}).status_code == 302
    assert not ratelimit.is_locked_out("reporter1", "127.0.0.1")


# Every POST route refusing a request without its token: tests/newsroom/test_csrf.py.


def test_a_form_with_its_csrf_token_goes_through(actors, blog):
    client = Client(enforce_csrf_checks=True)
    client.force_login(actors["reporter"])
    page = client.get(f"/newsroom/{blog.slug}/")
    token = str(page.context["csrf_token"])
    response = client.post(f"/newsroom/{blog.slug}/compose",
                           {"headline": "Ferry resumes", "intent": "publish", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Post.objects.get(headline="Ferry resumes").status == Post.Status.PUBLISHED
