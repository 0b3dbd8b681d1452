"""Schemathesis fuzzes every /api/v1 operation from the app's own OpenAPI document: bad input is a 4xx JSON error.

The schema is what django-ninja serves at /api/v1/openapi.json; requests go in-process to Django's WSGI handler (the
full middleware stack, as `dateline serve` runs it minus the ASGI body guard) with an editor's bearer token. For each
operation schemathesis sends its coverage cases (boundaries, missing and wrong-typed fields, wrong content types) and
then a fixed number of generated ones, valid and deliberately invalid, and checks that:

* no answer is a 5xx (``not_a_server_error``);
* every status is one the operation declares, with the declared content type and body schema, so the OpenAPI stays
  true to the code (``status_code_conformance``, ``content_type_conformance``, ``response_schema_conformance``);
* input that breaks the schema is refused with a 4xx (``negative_data_rejection``);
* every error is our JSON error shape (``json_error_body``, below).

Some generated cases keep their generated path (a blog or post that does not exist); the others, and every
coverage case, address a real blog with a published post, a draft and a deleted post, so the handlers behind the 404s
are fuzzed too. The run is
derandomized with a fixed seed, so CI sees the same cases every time. For a longer exploratory run, raise the number
of generated cases per operation and change the seed::

    DATELINE_FUZZ_EXAMPLES=300 DATELINE_FUZZ_SEED=1 pytest tests/api/test_fuzz.py
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

FUZZ_EXAMPLES = int(os.environ.get("DATELINE_FUZZ_EXAMPLES", "30"))
SLUG = "fuzz-blog"

CONFIG: dict[str, Any] = {
    "seed": int(os.environ.get("DATELINE_FUZZ_SEED", "20261130")),
    "generation": {
        "max-examples": FUZZ_EXAMPLES,
        "deterministic": True,
        "database": "none",  # no example database: a run is the same on every machine
        # The editor's token is sent on every request: random Authorization headers would only ever get 401s.
        "with-security-parameters": False,
    },
    "phases": {"stateful": {"enabled": False}},
}


def json_error_body(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx is ``{"error": {"code", "message"}}`` as application/json, never an HTML page or a bare text."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), f"{response.status_code} answered as {content_type!r}"
    error = json.loads(response.content)["error"]
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    return None


def negative_data_rejected(ctx: Any, response: Any, case: Any) -> bool | None:
    """``negative_data_rejection``, except for multipart bodies, where "invalid" often arrives valid.

    A form carries only strings and repeated names: a ``credit`` generated as null is sent as the text "null", an
    ``alt`` generated as an empty list is not sent at all. Such a request is valid on the wire and rightly accepted.
    """
    if (case.media_type or "").startswith("multipart/"):
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejected, json_error_body]


# The real blog's post ids, for the path-parameter hook below; set by ``seeded`` before any case is drawn.
REAL_POST_IDS: list[int] = []


@pytest.fixture
def seeded(db, actors, oembed) -> Iterator[dict[str, Any]]:
    """A blog with a published post, a draft and a deleted post, and an editor's token; oEmbed is a local fake."""
    from dateline.accounts.models import ApiToken
    from dateline.coverage import actions

    editor = actors["editor"]
    blog = actions.create_blog(editor, title="Fuzzed coverage", slug=SLUG)
    published = actions.create_post(editor, blog, headline="Published", body="<p>Water rising.</p>")
    draft = actions.create_post(editor, blog, headline="Draft", body="<p>Not yet.</p>", status="draft")
    deleted = actions.create_post(editor, blog, headline="Gone", body="<p>Wrong.</p>")
    actions.delete_post(editor, deleted)
    REAL_POST_IDS[:] = [published.pk, draft.pk, deleted.pk]
    yield {"token": ApiToken.issue(editor, name="fuzz")[1]}
    REAL_POST_IDS.clear()


@contextmanager
def _keeping_the_connection() -> Iterator[None]:
    """Stop Django closing the connection around each request: it holds the test's transaction.

    Django's own test client does the same: ``close_old_connections`` closes a connection that is inside an atomic
    block, and with it the test's transaction.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def keep_connection() -> Iterator[None]:
    with _keeping_the_connection():
        yield


# Loaded at collection, from the app itself: the OpenAPI document needs no database. Not through a fixture
# (schemathesis.pytest.from_fixture): that loader sets pytest's Node._nodeid, which pytest 9 no longer has.
with _keeping_the_connection():
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(),
                                            config=schemathesis.Config.from_dict(CONFIG))


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> st.SearchStrategy:
    """Some cases address the real blog (and one of its posts); the rest keep their generated values."""
    if not isinstance(path_parameters, dict) or "slug" not in path_parameters:
        return st.just(path_parameters)
    real = {**path_parameters, "slug": SLUG}
    if "post_id" in path_parameters:
        return st.one_of(st.just(path_parameters),
                         st.sampled_from(range(len(REAL_POST_IDS))).map(
                             lambda i: {**real, "post_id": REAL_POST_IDS[i]}))
    return st.one_of(st.just(path_parameters), st.just(real))


def _address_the_seeded_blog(case: Any) -> None:
    """Point the coverage phase's placeholder path at the seeded blog and its published post.

    Coverage cases (built at collection, before any blog exists) send ``"0"`` for each path parameter they are not
    testing, which only ever reaches a 404 before the handler; the boundary bodies they carry should reach it.
    """
    path = case.path_parameters
    if not isinstance(path, dict):
        return
    if path.get("slug") == "0":
        case.path_parameters = path = {**path, "slug": SLUG}
    if path.get("post_id") in ("0", 0) and path.get("slug") == SLUG:
        case.path_parameters = {**path, "post_id": REAL_POST_IDS[0]}


@schema.parametrize()
# The blog and token are made once per operation and the cases then share (and change) them: intended, since later
# cases meet the state earlier ones left, as a real client's requests would.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_answers_bad_input_with_a_json_4xx(case, seeded, keep_connection):
    """No generated request (valid or not) gets a 5xx, an undeclared status, or an error that is not our JSON."""
    headers = {"Authorization": f"Bearer {seeded['token']}"}
    _address_the_seeded_blog(case)
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS, headers=headers)
