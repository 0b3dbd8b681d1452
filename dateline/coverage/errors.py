"""Errors actions raise. Each maps to one HTTP status and a stable machine-readable code."""

from __future__ import annotations

from typing import Any


class ActionError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, code: str | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        error.update(self.extra)
        return {"error": error}


class NotAuthenticated(ActionError):
    status = 401
    code = "not_authenticated"


class Forbidden(ActionError):
    status = 403
    code = "forbidden"


class NotFound(ActionError):
    status = 404
    code = "not_found"


class ValidationFailed(ActionError):
    status = 422
    code = "validation_error"


class Conflict(ActionError):
    status = 409
    code = "conflict"


class StaleVersion(ActionError):
    """The caller edited an older version than the one stored: refused, so nobody's work is overwritten."""

    status = 412
    code = "precondition_failed"


class PayloadTooLarge(ActionError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(ActionError):
    status = 415
    code = "unsupported_media_type"


class Busy(ActionError):
    """The server is at a bound it keeps on purpose (e.g. images decoded at once); the client retries later."""

    status = 503
    code = "busy"

    def __init__(self, message: str, *, retry_after: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
