"""The command line: options, credentials, terminal and exit codes. Everything else is passed down.

exit 0 ok / no changes · 1 error · 2 changes present (plan --detailed-exitcode) · 3 blocked by a safety
rule · 4 saved plan is stale
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Protocol, cast

import typer

from tmi_deploy import DEFAULT_API_URL, __version__
from tmi_deploy.cli.check import check
from tmi_deploy.cli.deploy import apply, plan
from tmi_deploy.cli.destroy import destroy
from tmi_deploy.cli.sandbox import sandbox_app
from tmi_deploy.cli.shell import Globals, err, fail, globals_of, make_client, precheck, run, shown
from tmi_deploy.errors import ConfigError, Problem, TmiDeployError

app = typer.Typer(name="tmi-deploy", help="Config as code for TMI on Heroku: validate, plan, apply.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
app.add_typer(sandbox_app, name="sandbox")
app.command()(plan)
app.command()(apply)
app.command()(check)
app.command()(destroy)


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


# ---- validate / schema / app-json ---------------------------------------------------------------

@app.command()
def validate(
    ctx: typer.Context,
    names: Annotated[list[str] | None, typer.Argument(metavar="[ENV]...", help="environments (default: all)")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="warnings fail too")] = False,
) -> None:
    """Offline: load, type-check and lint environment files; check app.json agrees."""
    from tmi_deploy.catalog.lint import lint
    from tmi_deploy.config.accounts import app_limit_problems, shared_app_problems
    from tmi_deploy.config.appjson import build_app_json, diff_app_json
    from tmi_deploy.config.loader import discover_templates, load_base, load_environments

    g = globals_of(ctx)
    try:
        envs = load_environments(g.environments, names or None, allow_outside_paths=g.allow_outside_paths)
        # Templates are checked as one sample instance (review environments, `--instance`).
        samples = [] if names else [load_environments(g.environments, [name], instance="example",
                                                      allow_outside_paths=g.allow_outside_paths)[0]
                                    for name in discover_templates(g.environments)]
    except ConfigError as exc:
        raise fail(exc) from None
    findings: list[Problem] = app_limit_problems(envs) + shared_app_problems([*envs, *samples])
    for env in [*envs, *samples]:
        findings.extend(lint(env))
    manifest = g.environments.parent / "app.json"
    if manifest.is_file() and (g.environments / "_base.yml").is_file():
        try:
            expected = build_app_json(load_base(g.environments, allow_outside_paths=g.allow_outside_paths))
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
        err(shown(finding))
    errors = len([f for f in findings if f.severity == "error"])
    warnings = len(findings) - errors
    if errors or (strict and warnings):
        fatal = " (fatal with --strict)" if strict and warnings else ""
        err(f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}{fatal}.")
        raise typer.Exit(1)
    templates = f"; template{'s' if len(samples) != 1 else ''} {', '.join(e.name for e in samples)}" if samples else ""
    typer.echo(f"OK: {', '.join(e.name for e in envs)} valid{templates} "
               f"({warnings} warning{'s' if warnings != 1 else ''}).")


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
    from tmi_deploy.config.appjson import render_app_json
    from tmi_deploy.config.loader import load_base

    g = globals_of(ctx)
    try:
        text = render_app_json(load_base(g.environments, allow_outside_paths=g.allow_outside_paths))
    except ConfigError as exc:
        raise fail(exc) from None
    target = g.environments.parent / "app.json"
    if check:
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            err(f"{target} is out of date; run `tmi-deploy app-json --write`")
            raise typer.Exit(1)
        typer.echo(f"{target} is up to date.")
    elif write:
        target.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {target}")
    else:
        typer.echo(text, nl=False)


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
    from tmi_deploy.config.limits import check_app_name
    from tmi_deploy.config.loader import check_environment_name
    from tmi_deploy.config.models import ROLES
    from tmi_deploy.plan.importer import build_environment_yaml

    g = globals_of(ctx)
    precheck(lambda: check_environment_name(g.environments, name),
             *(lambda item=item: check_app_name(item.partition("=")[2], "--app") for item in apps))
    roles: dict[str, str] = {}
    for item in apps:
        role, sep, heroku_name = item.partition("=")
        if not sep or role not in ROLES or not heroku_name:
            err(f"error: --app takes ROLE=HEROKU_APP with ROLE one of {', '.join(ROLES)} (got '{item}')")
            raise typer.Exit(1)
        roles[role] = heroku_name
    target = g.environments / f"{name}.yml"
    if write and target.exists():
        err(f"error: {target} exists; remove it or import under another name")
        raise typer.Exit(1)
    live = _read_for_import(g, name, tmi_version, roles)
    missing = [a.name for a in live.apps.values() if not a.exists]
    if missing:
        err(f"error: no such app: {', '.join(missing)}")
        raise typer.Exit(1)
    text = build_environment_yaml(live, tmi_version, f"Imported from {', '.join(roles.values())}")
    if write:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {target}; check it with `tmi-deploy plan {name}` (expect no changes)")
        _lint_written(g, name)
    else:
        typer.echo(text, nl=False)


def _read_for_import(g: Globals, name: str, tmi_version: str, roles: dict[str, str]) -> Any:
    """Every kind of live state of the named apps (an empty declaration reads nothing by default)."""
    from tmi_deploy.config.models import AppDesired, Environment, Origin, Policy
    from tmi_deploy.heroku.reads import fetch_live

    here = Origin(file="(import)", line=1, column=1)
    shell = Environment(name=name, file="(import)", tmi_version=tmi_version, policy=Policy(), base_dir=".", apps={
        role: AppDesired(role=role, name=heroku_name, region="us", stack="heroku-24", team=None, url=None,
                         config={}, addons={}, features={}, formation={}, buildpacks=None, collaborators=(),
                         origin=here) for role, heroku_name in roles.items()})
    try:
        client, _token = make_client(g)

        async def go() -> Any:
            async with client:
                return await fetch_live(client, shell, everything=True)

        return run(go())
    except TmiDeployError as exc:
        raise fail(exc) from None


def _lint_written(g: Globals, name: str) -> None:
    """The imported file meets the same rules as any other: its findings are shown now, not at apply."""
    from tmi_deploy.catalog.lint import lint
    from tmi_deploy.config.loader import load_environments

    try:
        findings = lint(load_environments(g.environments, [name], allow_outside_paths=g.allow_outside_paths)[0])
    except ConfigError as exc:
        findings = exc.problems
    for finding in findings:
        err(shown(finding))
    errors = sum(1 for f in findings if f.severity == "error")
    if errors:
        err(f"the imported environment has {errors} error{'s' if errors != 1 else ''} the live apps carry; "
            "plan shows them and apply refuses until they are fixed")
        raise typer.Exit(1)


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
        err("Aborted!")
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


class _ClickError(Protocol):
    exit_code: int

    def show(self) -> None: ...


def _click_error(name: str) -> type[Exception]:
    """click's exception class ``name`` from the click typer uses (recent typer vendors its own copy)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == name)


