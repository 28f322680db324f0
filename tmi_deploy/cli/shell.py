"""What every command shares: global options, credentials, the terminal and error-to-exit mapping.

This and the cli modules are the only code that reads the process environment, the terminal and
credentials; everything below receives them as arguments.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from tmi_deploy.errors import ConfigError, Problem, TmiDeployError

if TYPE_CHECKING:
    from tmi_deploy.heroku.client import HerokuClient
    from tmi_deploy.plan.values import Inputs

T = TypeVar("T")
SANDBOX_TOKEN = "sandbox-token"


@dataclass
class Globals:
    environments: Path
    api_url: str
    sandbox: bool
    allow_outside_paths: bool = False


def globals_of(ctx: typer.Context) -> Globals:
    obj = ctx.find_root().obj
    assert isinstance(obj, Globals)
    return obj


def err(message: str) -> None:
    typer.echo(message, err=True)


def shown(problem: Problem) -> str:
    """A finding as printed: a message that quotes a value gets URL credentials and keys masked."""
    from tmi_deploy.config.secrecy import redact_text

    return replace(problem, message=redact_text(problem.message), hint=redact_text(problem.hint)).render()


def fail(exc: TmiDeployError) -> typer.Exit:
    if isinstance(exc, ConfigError):
        for problem in exc.problems:
            err(shown(problem))
        err(f"{len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''} found.")
    else:
        err(f"error: {exc}")
    return typer.Exit(exc.exit_code)


def precheck(*checks: Callable[[], object]) -> None:
    """Input checks a command runs before any work: the first failure is one line and exit 1."""
    try:
        for check in checks:
            check()
    except TmiDeployError as exc:
        raise fail(exc) from None


def run(coro: Coroutine[Any, Any, T]) -> T:
    import asyncio  # ~15-40 ms: only the commands that talk to an API pay it (not --help, validate)

    return asyncio.run(coro)


def color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def terminal_width() -> int:
    """Columns for the text plan: COLUMNS if set, else the terminal's, else 80 (a pipe, a CI log)."""
    import shutil

    return max(shutil.get_terminal_size((80, 24)).columns, 40)


def project_root(g: Globals) -> Path:
    """Positions, locks and the sandbox state are relative to the folder holding environments/."""
    return g.environments.resolve().parent


def make_client(g: Globals, token_env: str | None = None) -> tuple[HerokuClient, str]:
    """A Platform API client and the key material of plan fingerprints (the token)."""
    return make_clients(g, [token_env])[token_env]


def make_clients(g: Globals, token_envs: list[str | None]) -> dict[str | None, tuple[HerokuClient, str]]:
    """One client per account; ``None`` is the default account (HEROKU_API_KEY, else ~/.netrc)."""
    import httpx

    from tmi_deploy.heroku.client import HerokuClient, find_token

    if g.sandbox:
        from tmi_deploy.cli.sandbox import SANDBOX_STATE
        from tmi_deploy.sandbox import SandboxSettings, create_app, sandbox_plan_key

        transport = httpx.ASGITransport(app=create_app(SandboxSettings(state_path=SANDBOX_STATE)))
        # Plan files made against the sandbox are keyed by its own random key, never by a constant.
        key = sandbox_plan_key(SANDBOX_STATE).hex()
        return {name: (HerokuClient("http://sandbox.local", SANDBOX_TOKEN, transport, backoff=0.05, notify=err), key)
                for name in token_envs}
    clients = {}
    for name in token_envs:
        token = find_token(os.environ, Path.home()) if name is None else _named_token(name)
        clients[name] = (HerokuClient(g.api_url, token, notify=err), token)
    return clients


def _named_token(name: str) -> str:
    from tmi_deploy.errors import CredentialsError

    token = os.environ.get(name, "").strip()
    if not token:
        raise CredentialsError(f"${name} is not set: an environment names it as its Heroku token (heroku.token_env)")
    return token


def make_inputs(token: str, *, applying: bool = False, interactive: bool = False) -> Inputs:
    from tmi_deploy.cli.inputs import fingerprint_key, read_secret_file
    from tmi_deploy.plan.values import Inputs

    material = os.environ.get("TMI_DEPLOY_PLAN_KEY") or token
    return Inputs(read_file=read_secret_file, environ=dict(os.environ), fingerprint_key=fingerprint_key(material),
                  applying=applying, interactive=interactive)


def resolving_inputs(inputs: Inputs, interactive: bool) -> Inputs:
    """What the applier resolves with: it may generate secrets, and ask at a terminal."""
    from tmi_deploy.cli.inputs import generate_secret
    from tmi_deploy.plan.escape import visible

    def prompt(name: str, question: str) -> str | None:
        # The question comes from the environment file: shown with control characters neutralised.
        return str(typer.prompt(f"{visible(question)} ({name})", hide_input=True))

    return replace(inputs, generate=generate_secret, prompt=prompt if interactive else None)


def ensure_own_apps(g: Globals, env: Any) -> None:
    """Before writing or destroying: no other environment (loadable from the folder) declares these apps."""
    from tmi_deploy.config.accounts import ensure_sole_owner
    from tmi_deploy.config.loader import discover, load_environment

    others = []
    for name in discover(g.environments):
        try:
            others.append(load_environment(g.environments, name, allow_outside_paths=g.allow_outside_paths))
        except ConfigError:
            continue  # validate reports a broken file; it declares nothing we could trust
    ensure_sole_owner(env, others)


def exact_consents(tokens: list[str], interactive: bool) -> list[str]:
    """Short --allow-destroy forms (an attachment or app name) match more than one resource over time:
    accepted from an operator at a terminal only; scripts and CI give the exact token the plan prints."""
    short = [token for token in tokens if ":" not in token]
    if short and not interactive:
        raise TmiDeployError(f"--allow-destroy {short[0]} is a short form, accepted at a terminal only; give the "
                             "exact token the plan prints (e.g. destroy-addon:APP:ADDON:ID)")
    return tokens
