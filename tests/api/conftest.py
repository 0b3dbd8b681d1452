"""API test helpers: a JSON client per role (bearer tokens issued the way `dateline token create` does)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client


class ApiClient:
    """A thin JSON client over Django's test client: ``api.post("/blogs", {...})`` -> response with ``.data``."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.token = token

    def request(self, method: str, path: str, data: Any = None, *, raw: bytes | str | None = None,
                content_type: str = "application/json", headers: dict[str, str] | None = None) -> Any:
        headers = dict(headers or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        url = path if path.startswith("/api/") else "/api/v1" + path
        body: Any = raw if raw is not None else (json.dumps(data) if data is not None else "")
        if method == "GET":
            response = self.client.get(url, data, headers=headers)
        else:
            response = self.client.generic(method, url, body, content_type=content_type, headers=headers)
        ctype = response.get("Content-Type", "")
        response.data = json.loads(response.content) if ctype.startswith("application/json") else None
        return response

    def get(self, path: str, params: dict | None = None, **kw: Any) -> Any:
        return self.request("GET", path, params, **kw)

    def post(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, data, **kw)

    def patch(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self.request("PATCH", path, data, **kw)

    def put(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self.request("PUT", path, data, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)


def assert_error(response: Any, status: int, code: str | None = None) -> dict:
    """The response is a JSON error in the contract's shape; returns its ``error`` object."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    error = json.loads(response.content)["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str) and error["message"]
    if code:
        assert error["code"] == code, error
    return error


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The shared ``actors`` fixture sets passwords; PBKDF2 at full strength costs ~1.5 s per test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tokens(actors):
    from dateline.accounts.models import ApiToken

    return {role: ApiToken.issue(user, name="test")[1] for role, user in actors.items()}


@pytest.fixture
def anon():
    return ApiClient()


@pytest.fixture
def as_editor(tokens):
    return ApiClient(tokens["editor"])


@pytest.fixture
def as_reporter(tokens):
    return ApiClient(tokens["reporter"])


@pytest.fixture
def as_contributor(tokens):
    return ApiClient(tokens["contributor"])


@pytest.fixture
def as_admin(tokens):
    return ApiClient(tokens["admin"])
