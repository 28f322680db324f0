"""The command line: options, credentials, terminal and exit codes. Everything else is passed down.

exit 0 ok / no changes · 1 error · 2 changes present (plan --detailed-exitcode) · 3 blocked by a safety
rule · 4 saved plan is stale
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Protocol, TypeVar, cast

import httpx
import typer

from tmi_deploy import __version__
from tmi_deploy.cli_sandbox import SANDBOX_STATE, sandbox_app
from tmi_deploy.errors import ConfigError, Problem, SafetyBlocked, StalePlan, TmiDeployError
from tmi_deploy.heroku import DEFAULT_API_URL, HerokuClient, find_token

T = TypeVar("T")
SANDBOX_TOKEN = "sandbox-token"

app = typer.Typer(name="tmi-deploy", help="Config as code for TMI on Heroku: validate, plan, apply.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
app.add_typer(sandbox_app, name="sandbox")


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


@dataclass
class Globals:
    environments: Path
    api_url: str
    sandbox: bool
    allow_outside_paths: bool = False


def _globals(ctx: typer.Context) -> Globals:
    obj = ctx.find_root().obj
    assert isinstance(obj, Globals)
    return obj


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _fail(exc: TmiDeployError) -> typer.Exit:
    if isinstance(exc, ConfigError):
        for problem in exc.problems:
            _err(problem.render())
        _err(f"{len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''} found.")
    else:
        _err(f"error: {exc}")
    return typer.Exit(exc.exit_code)


def _precheck(*checks: Callable[[], object]) -> None:
    """Input checks a command runs before any work: the first failure is one line and exit 1."""
    try:
        for check in checks:
            check()
    except TmiDeployError as exc:
        raise _fail(exc) from None


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"tmi-deploy {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    ctx: typer.Context,
    environments: Annotated[Path, typer.Option("--environments", help="folder of environment files")] = Path(
        "environments"),
    api_url: Annotated[str, typer.Option("--api-url", envvar="HEROKU_API_URL", help="Platform API base URL")] = (
        DEFAULT_API_URL),
    sandbox: Annotated[bool, typer.Option("--sandbox", help="use the embedded emulator (state in "
                                                             ".tmi-deploy/sandbox.json); no account needed")] = False,
    version: Annotated[bool, typer.Option("--version", help="print the version", is_eager=True,
                                          callback=lambda value: _print_version(value))] = False,
    allow_outside_paths: Annotated[bool, typer.Option(
        "--allow-outside-paths", help="let extends and secret_file name files outside the environments folder")] = False,
) -> None:
    ctx.obj = Globals(environments=environments, api_url=api_url, sandbox=sandbox,
                      allow_outside_paths=allow_outside_paths)


# ---- client construction -----------------------------------------------------------------------

def _client(g: Globals) -> tuple[HerokuClient, str]:
    """A Platform API client and the token it uses (the token keys plan fingerprints)."""
    if g.sandbox:
        from tmi_deploy.sandbox import SandboxSettings, create_app

        sandbox = create_app(SandboxSettings(state_path=SANDBOX_STATE))
        transport = httpx.ASGITransport(app=sandbox)
        return HerokuClient("http://sandbox.local", SANDBOX_TOKEN, transport, backoff=0.05), SANDBOX_TOKEN
    token = find_token(os.environ, Path.home())
    return HerokuClient(g.api_url, token), token


def _inputs(token: str, interactive: bool = False, apply: bool = False) -> Any:
    from tmi_deploy.plan.values import Inputs, generate_secret

    key_material = os.environ.get("TMI_DEPLOY_PLAN_KEY") or token
    key = hashlib.sha256(b"tmi-deploy plan fingerprint\0" + key_material.encode()).digest()
    prompt = None
    if apply and interactive:
        def prompt(name: str, question: str) -> str | None:
            return str(typer.prompt(f"{question} ({name})", hide_input=True))
    return Inputs(environ=dict(os.environ), fingerprint_key=key, prompt=prompt,
                  generate=generate_secret if apply else None)


# ---- validate / schema / app-json ---------------------------------------------------------------

@app.command()
def validate(
    ctx: typer.Context,
    names: Annotated[list[str] | None, typer.Argument(metavar="[ENV]...", help="environments (default: all)")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="warnings fail too")] = False,
) -> None:
    """Offline: load, type-check and lint environment files; check app.json agrees."""
    from tmi_deploy.appjson import build_app_json, diff_app_json
    from tmi_deploy.catalog.lint import lint
    from tmi_deploy.config.loader import load_base, load_environments

    g = _globals(ctx)
    try:
        envs = load_environments(g.environments, names or None, allow_outside_paths=g.allow_outside_paths)
    except ConfigError as exc:
        raise _fail(exc) from None
    findings: list[Problem] = []
    for env in envs:
        findings.extend(lint(env))
    manifest = g.environments.parent / "app.json"
    if manifest.is_file() and (g.environments / "_base.yml").is_file():
        try:
            expected = build_app_json(load_base(g.environments))
            actual = json.loads(manifest.read_text(encoding="utf-8"))
            for reason in diff_app_json(expected, actual):
                findings.append(Problem(str(manifest), 1, 1, "", reason, "run `tmi-deploy app-json --write`",
                                        code="APP-JSON"))
        except ConfigError as exc:
            findings.extend(exc.problems)
        except ValueError:
            findings.append(Problem(str(manifest), 1, 1, "", "app.json is not valid JSON",
                                    "run `tmi-deploy app-json --write`", code="APP-JSON"))
    findings = list(dict.fromkeys(findings))
    for finding in findings:
        _err(finding.render())
    errors = len([f for f in findings if f.severity == "error"])
    warnings = len(findings) - errors
    if errors or (strict and warnings):
        fatal = " (fatal with --strict)" if strict and warnings else ""
        _err(f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}{fatal}.")
        raise typer.Exit(1)
    typer.echo(f"OK: {', '.join(e.name for e in envs)} valid ({warnings} warning{'s' if warnings != 1 else ''}).")


@app.command()
def schema(
    plan_output: Annotated[bool, typer.Option("--plan", help="the schema of `plan --format json` instead")] = False,
) -> None:
    """Print the JSON Schema of environment files (or of JSON plans)."""
    from tmi_deploy.config.schema import environment_schema, plan_schema

    typer.echo(json.dumps(plan_schema() if plan_output else environment_schema(), indent=2, sort_keys=True))


@app.command("app-json")
def app_json(
    ctx: typer.Context,
    check: Annotated[bool, typer.Option("--check", help="exit 1 if app.json differs")] = False,
    write: Annotated[bool, typer.Option("--write", help="write app.json")] = False,
) -> None:
    """app.json (Deploy-button manifest) from the base declaration."""
    from tmi_deploy.appjson import render_app_json
    from tmi_deploy.config.loader import load_base

    g = _globals(ctx)
    try:
        text = render_app_json(load_base(g.environments))
    except ConfigError as exc:
        raise _fail(exc) from None
    target = g.environments.parent / "app.json"
    if check:
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            _err(f"{target} is out of date; run `tmi-deploy app-json --write`")
            raise typer.Exit(1)
        typer.echo(f"{target} is up to date.")
    elif write:
        target.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {target}")
    else:
        typer.echo(text, nl=False)


# ---- plan ---------------------------------------------------------------------------------------

async def _make_plan(client: HerokuClient, envs: list[Any], inputs: Any) -> Any:
    from tmi_deploy.live import fetch_live
    from tmi_deploy.plan.model import Plan
    from tmi_deploy.plan.planner import plan_environment

    lives = await asyncio.gather(*(fetch_live(client, env) for env in envs))
    return Plan(environments=tuple(plan_environment(env, live, inputs) for env, live in zip(envs, lives, strict=True)))


@app.command()
def plan(
    ctx: typer.Context,
    names: Annotated[list[str], typer.Argument(metavar="ENV...", help="environments to plan")],
    output_format: Annotated[Format, typer.Option("--format", help="text, markdown or json")] = Format.text,
    out: Annotated[Path | None, typer.Option("--out", help="also write the plan file apply --plan verifies")] = None,
    detailed_exitcode: Annotated[bool, typer.Option("--detailed-exitcode", help="exit 2 when there are changes")] = (
        False),
) -> None:
    """Read live state, diff it against the declaration, print the plan."""
    from tmi_deploy.config.loader import load_environments
    from tmi_deploy.plan.planfile import check_output_path
    from tmi_deploy.plan.render import render_json, render_markdown, render_text

    g = _globals(ctx)
    _precheck(lambda: check_output_path(out))
    try:
        envs = load_environments(g.environments, names, allow_outside_paths=g.allow_outside_paths)
        client, token = _client(g)

        async def go() -> Any:
            async with client:
                return await _make_plan(client, envs, _inputs(token))

        result = _run(go())
    except TmiDeployError as exc:
        raise _fail(exc) from None
    if output_format is Format.json:
        typer.echo(render_json(result), nl=False)
    elif output_format is Format.markdown:
        typer.echo(render_markdown(result, f"`{out}`" if out else "the JSON plan (`--format json`)"), nl=False)
    else:
        typer.echo(render_text(result, _color()), nl=False)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_json(result), encoding="utf-8")
        _err(f"plan written to {out} (checksum {result.checksum()[:16]})")
    raise typer.Exit(2 if detailed_exitcode and result.has_changes else 0)


# ---- apply --------------------------------------------------------------------------------------

@app.command()
def apply(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="ENV", help="environment to apply")],
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
    plan_file: Annotated[Path | None, typer.Option("--plan", help="refuse unless live changes equal this plan")] = None,
    allow_destroy: Annotated[list[str] | None, typer.Option("--allow-destroy", metavar="NAME",
                                                            help="consent to a destructive change (repeatable)")] = None,
    verify: Annotated[bool, typer.Option("--verify", help="poll the server's GET / until status ok")] = False,
    provision_timeout: Annotated[float, typer.Option("--provision-timeout", help="seconds to wait for add-ons")] = 600,
) -> None:
    """Execute the plan for one environment, safely, and converge."""
    from tmi_deploy.apply import ApplyOptions, apply_environment
    from tmi_deploy.config.loader import load_environments
    from tmi_deploy.plan.model import Plan
    from tmi_deploy.plan.render import render_text
    from tmi_deploy.plan.safety import blocked, stale_reasons

    g = _globals(ctx)
    interactive = sys.stdin.isatty()
    stop = {"requested": False}

    def request_stop(*_: object) -> None:
        if not stop["requested"]:
            _err("\nstopping after the current step (interrupt again to force) ...")
            stop["requested"] = True
        else:
            raise KeyboardInterrupt

    try:
        envs = load_environments(g.environments, [name], allow_outside_paths=g.allow_outside_paths)
        env = envs[0]
        saved = _read_plan_file(plan_file) if plan_file else None
        client, token = _client(g)
        inputs = _inputs(token)

        async def go() -> Any:
            async with client:
                fresh: Plan = await _make_plan(client, envs, inputs)
                if saved is not None:
                    reasons = stale_reasons(_only(saved, name), fresh)
                    if reasons:
                        raise StalePlan("the saved plan is stale:\n  " + "\n  ".join(reasons) +
                                        f"\nRun `tmi-deploy plan {name} --out FILE` again and review it.")
                if not fresh.has_changes:
                    typer.echo(f"No changes for {name}. Live state matches the declaration.")
                    return None
                typer.echo(render_text(fresh, _color()), nl=False)
                reasons = blocked(fresh, {env.name: env}, set(allow_destroy or []))
                if reasons:
                    raise SafetyBlocked("blocked by safety rules:\n  " + "\n  ".join(reasons))
                if not yes:
                    if not interactive:
                        raise TmiDeployError("refusing to apply without --yes in a non-interactive run")
                    if not typer.confirm(f"Apply these changes to {name}?", default=False):
                        raise TmiDeployError("apply cancelled; nothing was changed")
                loop = asyncio.get_running_loop()
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.add_signal_handler(sig, request_stop)
                options = ApplyOptions(provision_timeout=provision_timeout, poll_interval=0.2 if g.sandbox else 5.0,
                                       progress=_err, stop_requested=lambda: stop["requested"])
                apply_inputs = _inputs(token, interactive=interactive, apply=True)
                report = await apply_environment(client, env, fresh.environments[0], apply_inputs, options)
                return report

        report = _run(go())
    except TmiDeployError as exc:
        raise _fail(exc) from None
    if report is None:
        raise typer.Exit(0)
    releases = ", ".join(f"{app_name}: {count}" for app_name, count in sorted(report.releases.items())) or "none"
    typer.echo(f"Apply complete: {len(report.applied)} steps applied; config releases {releases}.")
    if verify:
        _verify(g, env)


def _read_plan_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TmiDeployError(f"plan file {path} not found") from None
    except (OSError, ValueError):
        raise TmiDeployError(f"plan file {path} is not a tmi-deploy JSON plan") from None
    if not isinstance(data, dict) or "environments" not in data:
        raise TmiDeployError(f"plan file {path} is not a tmi-deploy JSON plan")
    return data


def _only(saved: dict[str, Any], name: str) -> dict[str, Any]:
    envs = [e for e in saved.get("environments", []) if e.get("environment") == name]
    if not envs:
        raise StalePlan(f"the saved plan has no environment '{name}'")
    return {**saved, "environments": envs, "checksum": None}


def _verify(g: Globals, env: Any) -> None:
    from tmi_deploy.verify import verify_server

    if g.sandbox:
        _err("verify: skipped against the sandbox (its apps run no TMI server)")
        return
    try:
        result = _run(verify_server(env, _client(g)[0], progress=_err))
    except TmiDeployError as exc:
        _err(f"warning: {exc}")
        return
    typer.echo(result)


# ---- import -------------------------------------------------------------------------------------

@app.command("import")
def import_(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="ENV", help="name of the environment to write")],
    apps: Annotated[list[str], typer.Option("--app", metavar="ROLE=HEROKU_APP", help="e.g. server=my-tmi-server")],
    write: Annotated[bool, typer.Option("--write", help="write environments/ENV.yml (refuses to overwrite)")] = False,
    tmi_version: Annotated[str, typer.Option("--tmi-version", help="TMI version the apps run")] = "1.8.22",
) -> None:
    """Write an environment file from live apps (secrets become references, never values)."""
    from tmi_deploy.config.loader import check_environment_name
    from tmi_deploy.config.models import ROLES, AppDesired, Environment, Origin, Policy
    from tmi_deploy.config.rules import check_app_name
    from tmi_deploy.importer import build_environment_yaml
    from tmi_deploy.live import fetch_live

    g = _globals(ctx)
    _precheck(lambda: check_environment_name(g.environments, name),
              *(lambda item=item: check_app_name(item.partition("=")[2], "--app") for item in apps))
    roles: dict[str, str] = {}
    for item in apps:
        role, sep, heroku_name = item.partition("=")
        if not sep or role not in ROLES or not heroku_name:
            _err(f"error: --app takes ROLE=HEROKU_APP with ROLE one of {', '.join(ROLES)} (got '{item}')")
            raise typer.Exit(1)
        roles[role] = heroku_name
    target = g.environments / f"{name}.yml"
    if write and target.exists():
        _err(f"error: {target} exists; remove it or import under another name")
        raise typer.Exit(1)
    here = Origin(file="(import)", line=1, column=1)
    shell = Environment(name=name, file="(import)", tmi_version=tmi_version, policy=Policy(), base_dir=".", apps={
        role: AppDesired(role=role, name=heroku_name, region="us", stack="heroku-24", team=None, url=None,
                         config={}, addons={}, features={}, formation={}, buildpacks=None, collaborators=(),
                         origin=here) for role, heroku_name in roles.items()})
    try:
        client, _token = _client(g)

        async def go() -> Any:
            async with client:
                return await fetch_live(client, shell)

        live = _run(go())
    except TmiDeployError as exc:
        raise _fail(exc) from None
    missing = [a.name for a in live.apps.values() if not a.exists]
    if missing:
        _err(f"error: no such app: {', '.join(missing)}")
        raise typer.Exit(1)
    text = build_environment_yaml(live, tmi_version, f"Imported from {', '.join(roles.values())}")
    if write:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {target}; check it with `tmi-deploy plan {name}` (expect no changes)")
    else:
        typer.echo(text, nl=False)


def main() -> None:
    """Entry point. Usage errors (unknown option, missing argument) exit 1 with click's message: exit 2 is
    reserved for "changes present" under --detailed-exitcode, so a typo must never look like a diff."""
    try:
        code = app(standalone_mode=False)
    except _click_error("UsageError") as exc:
        cast(_ClickError, exc).show()
        sys.exit(1)
    except _click_error("ClickException") as exc:
        cast(_ClickError, exc).show()
        sys.exit(cast(_ClickError, exc).exit_code)
    except typer.Abort:
        _err("Aborted!")
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


class _ClickError(Protocol):
    exit_code: int

    def show(self) -> None: ...


def _click_error(name: str) -> type[Exception]:
    """click's exception class ``name`` from the click typer uses (recent typer vendors its own copy)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == name)


