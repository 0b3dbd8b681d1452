"""The OpenAPI document tells the truth: every route, the real field names, strict inputs."""

from __future__ import annotations

import re

from django.urls import get_resolver

from dateline.api.schemas import BlogCreate, BlogOut, BlogPatch, MediaOut, PostCreate, PostOut, PostPatch
from dateline.coverage import actions
from dateline.coverage.actions import create_video
from dateline.coverage.serializers import blog_data, media_data, post_data

EXPECTED = {
    "/api/v1/blogs": {"get", "post"},
    "/api/v1/blogs/{slug}": {"get", "patch"},
    "/api/v1/blogs/{slug}/posts": {"get", "post"},
    "/api/v1/blogs/{slug}/posts/{post_id}": {"get", "patch", "delete"},
    "/api/v1/blogs/{slug}/posts/{post_id}/restore": {"post"},
    "/api/v1/blogs/{slug}/key-points": {"get", "put"},
    "/api/v1/blogs/{slug}/export": {"get"},
    "/api/v1/media": {"post"},
    "/api/v1/media/{media_id}": {"get"},
}


def test_openapi_lists_every_route(anon):
    r = anon.get("/openapi.json")
    assert r.status_code == 200
    paths = r.data["paths"]
    assert {p: set(ops) for p, ops in paths.items()} == EXPECTED


def test_every_served_route_is_in_the_openapi_document(anon):
    """Cross-check against Django's URL resolver, so a route added without a schema fails here."""
    documented = set(anon.get("/openapi.json").data["paths"])
    resolver = get_resolver()
    served = set()
    for pattern in resolver.url_patterns:
        if str(pattern.pattern) != "api/v1/":
            continue
        for sub in pattern.url_patterns:
            route = str(sub.pattern)
            if route in ("openapi.json", "docs", "", "^.*$"):
                continue
            served.add("/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    assert served == documented


def test_writes_declare_bearer_auth_and_reads_make_it_optional(anon):
    doc = anon.get("/openapi.json").data
    assert doc["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    assert doc["paths"]["/api/v1/blogs"]["post"]["security"] == [{"TokenAuth": []}]
    assert {} in doc["paths"]["/api/v1/blogs/{slug}/posts"]["get"]["security"]


def test_headers_and_media_bodies_are_documented(anon):
    doc = anon.get("/openapi.json").data
    create = doc["paths"]["/api/v1/blogs/{slug}/posts"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in create["parameters"]}
    patch = doc["paths"]["/api/v1/blogs/{slug}/posts/{post_id}"]["patch"]
    assert "If-Match" in {p["name"] for p in patch["parameters"]}
    assert {"412", "428"} <= set(patch["responses"])
    media = doc["paths"]["/api/v1/media"]["post"]["requestBody"]["content"]
    assert set(media) == {"multipart/form-data", "application/json"}
    assert set(media["multipart/form-data"]["schema"]["properties"]) == {"file", "caption", "credit", "alt"}


def test_input_schemas_forbid_unknown_fields(anon):
    schemas = anon.get("/openapi.json").data["components"]["schemas"]
    for name in ("BlogCreate", "BlogPatch", "PostCreate", "PostPatch", "KeyPointsIn", "KeyPointIn"):
        assert schemas[name]["additionalProperties"] is False, name


def test_output_schemas_match_the_serializers(editor, blog):
    """The API answers what coverage.serializers produce; the schemas must name exactly those fields."""
    video = create_video(editor, url="https://v.example/1", title="Clip")
    post = actions.create_post(editor, blog, headline="x", media=[video.pk])
    assert set(PostOut.model_fields) == set(post_data(post))
    assert set(BlogOut.model_fields) == set(blog_data(blog))
    assert set(MediaOut.model_fields) == set(media_data(video))
    # and the writable fields are the ones the action accepts
    assert set(PostCreate.model_fields) == set(actions.CREATE_FIELDS)
    assert set(PostPatch.model_fields) == set(actions.PATCH_FIELDS)  # an edit may also carry a correction
    assert set(BlogPatch.model_fields) == set(actions.BLOG_FIELDS)
    assert set(BlogCreate.model_fields) == set(actions.BLOG_FIELDS) | {"slug"}


def test_docs_page_renders_from_local_assets(anon):
    r = anon.client.get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "swagger-ui-bundle.js" in html and "/api/v1/openapi.json" in html
    assert "cdn" not in html.lower()  # no external network needed


def test_documented_key_and_id_ranges_are_the_ones_enforced(anon):
    """The OpenAPI shows the Idempotency-Key rule and the id range the code enforces (schemathesis trusts them)."""
    import re

    from dateline.api.idempotency import KEY_PATTERN
    from dateline.coverage.validation import MAX_ID, is_id

    doc = anon.get("/openapi.json").data
    key = next(p for p in doc["paths"]["/api/v1/blogs/{slug}/posts"]["post"]["parameters"]
               if p["name"] == "Idempotency-Key")["schema"]
    documented = re.compile(key["pattern"])
    for sample in ["a", "x" * 200, "x" * 201, "", "has space", "caf\u00e9", "uuid-1234!~"]:
        fits = key["minLength"] <= len(sample) <= key["maxLength"] and bool(documented.match(sample))
        assert fits == bool(KEY_PATTERN.match(sample)), sample
    media = doc["components"]["schemas"]["PostCreate"]["properties"]["media"]["anyOf"][0]["items"]
    assert (media["minimum"], media["maximum"]) == (1, MAX_ID)
    assert is_id(MAX_ID) and not is_id(MAX_ID + 1) and not is_id(0)
