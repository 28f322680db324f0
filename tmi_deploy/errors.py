"""One error tree for everything a user can be told.

    TmiDeployError                 base; ``exit_code`` decides the CLI's exit status
    ├── ConfigError                environment files are invalid (exit 1); holds all Problems
    ├── InvalidInput               an option or input file is unusable: says which, never its secret (exit 1)
    ├── CredentialsError           no token, or the API rejected it (exit 1)
    ├── HerokuAPIError             a request failed: method, path, status, Heroku id/message (exit 1)
    │   ├── TokenRejected          401: the token is wrong or expired (never shown)
    │   ├── UncertainWrite         a non-idempotent write may or may not have happened: re-read first
    │   └── RateLimitExhausted     the API budget ran out; never spin on it (exit 1)
    ├── ApplyFailed                a step failed part-way; says what applied and what did not (exit 1)
    ├── PreflightFailed            the plan has errors apply cannot get past; nothing written (exit 1)
    ├── SafetyBlocked              a safety rule refused the plan (exit 3)
    └── StalePlan                  a saved plan no longer matches live state (exit 4)

Messages never carry secret values or response bodies that may hold them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One finding about an environment file, pointing at the text that caused it."""

    file: str
    line: int
    column: int
    path: str
    message: str
    hint: str = ""
    severity: str = "error"  # "error" | "warning"
    code: str = ""

    def render(self) -> str:
        # Line 0: no text position (a finding on a live Heroku app names the app instead).
        where = f"{printable(self.file)}:{self.line}:{self.column}" if self.line > 0 else printable(self.file)
        key = f" {printable(self.path)}:" if self.path else ""
        code = f" [{self.code}]" if self.code else ""
        text = f"{where}: {self.severity}{code}:{key} {printable(self.message)}"
        if self.hint:
            text += f"\n    fix: {printable(self.hint)}"
        return text


def printable(text: str) -> str:
    """Text from a file may hold newlines or terminal escapes; a problem stays one line of visible text."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)


class TmiDeployError(Exception):
    exit_code = 1


class ConfigError(TmiDeployError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))


class InvalidInput(TmiDeployError):
    pass


class CredentialsError(TmiDeployError):
    pass


class HerokuAPIError(TmiDeployError):
    def __init__(self, method: str, path: str, status: int | None, error_id: str, message: str) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.error_id = error_id
        self.heroku_message = message
        status_text = str(status) if status is not None else "no response"
        super().__init__(f"{method} {path} failed: {status_text} {error_id}: {message}".rstrip(": "))


class RateLimitExhausted(HerokuAPIError):
    pass


class TokenRejected(HerokuAPIError):
    pass


class UncertainWrite(HerokuAPIError):
    """Timeout, reset or 5xx on a write that is not idempotent (add-on create): re-read before retrying."""


class ApplyFailed(TmiDeployError):
    pass


class PreflightFailed(TmiDeployError):
    pass


class SafetyBlocked(TmiDeployError):
    exit_code = 3


class StalePlan(TmiDeployError):
    exit_code = 4
