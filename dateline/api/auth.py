"""Bearer tokens: ``Authorization: Bearer <token>``, checked against the hashed ``ApiToken`` rows.

Two flavours share one OpenAPI security scheme (``TokenAuth``): writes require a token; reads accept none (an
anonymous reader sees published content only) but refuse a bad one. A wrong token is never silently treated as
anonymous, or a client with a revoked token would quietly lose its drafts instead of learning its token is dead.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from dateline.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    openapi_bearerFormat = "opaque token (dateline token create NAME)"  # noqa: N815 (OpenAPI's spelling)

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization")
        if not header:
            return self.anonymous()
        scheme, _, raw = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise AuthenticationError(message="Malformed Authorization header: send 'Authorization: Bearer <token>'.")
        return self.authenticate(request, raw.strip())

    def anonymous(self) -> Any:
        return None  # ninja answers 401 through our AuthenticationError handler

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.authenticate(token)
        if user is None:
            raise AuthenticationError(message="Unknown or revoked API token.")
        return user


class OptionalTokenAuth(TokenAuth):
    """Like ``TokenAuth`` but lets requests without an Authorization header through as anonymous readers."""

    def anonymous(self) -> Any:
        return AnonymousUser()


# Named the same in OpenAPI as TokenAuth: ninja names the scheme after the class, and both are the same scheme.
OptionalTokenAuth.__name__ = "TokenAuth"

token_auth = TokenAuth()
optional_auth = OptionalTokenAuth()
# For reads: OpenAPI's way to say "a token is optional" is an empty requirement next to the scheme.
OPTIONAL_AUTH_OPENAPI: dict[str, Any] = {"security": [{}, {"TokenAuth": []}]}


def actor(request: HttpRequest) -> Any:
    """The authenticated user, or AnonymousUser."""
    return getattr(request, "auth", None) or AnonymousUser()
