"""Heroku's error answers: `{"id", "message"}` plus the status, raised by the rules, shaped by the HTTP layer."""

from __future__ import annotations

from typing import Any


class SandboxError(Exception):
    """An answer the Platform API gives instead of a result (status, Heroku's `id`, its message)."""

    def __init__(self, status: int, error_id: str, message: str, resource: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error_id = error_id
        self.message = message
        self.resource = resource

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.error_id, "message": self.message}
        if self.resource:
            body["resource"] = self.resource
        return body


def not_found(resource: str, message: str) -> SandboxError:
    return SandboxError(404, "not_found", message, resource)


def invalid(message: str) -> SandboxError:
    return SandboxError(422, "invalid_params", message)


def forbidden(message: str = "You do not have access to the app.") -> SandboxError:
    return SandboxError(403, "forbidden", message)


def bad_request(message: str) -> SandboxError:
    return SandboxError(400, "bad_request", message)
