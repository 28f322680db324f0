"""`plan`, `apply` and `import`: short scripts over tmi_deploy.workflow; options, prompts, exit codes."""

from __future__ import annotations

import signal
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from tmi_deploy.cli.shell import (
    color,
    ensure_own_apps,
    err,
    exact_consents,
    fail,
    globals_of,
    make_client,
    make_clients,
    make_inputs,
    precheck,
    project_root,
    resolving_inputs,
    run,
    terminal_width,
)
from tmi_deploy.errors import TmiDeployError


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


def plan(
    ctx: typer.Context,
    names: Annotated[list[str] | None, typer.Argument(
        metavar="[ENV]...", help="environments to plan (with --changed-since or --shard: default all)")] = None,
    output_format: Annotated[Format, typer.Option("--format", help="text, markdown or json")] = Format.text,
    out: Annotated[Path | None, typer.Option("--out", help="also write the plan file apply --plan verifies")] = None,
    detailed_exitcode: Annotated[bool, typer.Option("--detailed-exitcode", help="exit 2 when there are changes")] = (
        False),
    changed_since: Annotated[str | None, typer.Option(
        "--changed-since", metavar="REF", help="only environments whose files (or partials) changed since git REF")
    ] = None,
    shard_spec: Annotated[str | None, typer.Option("--shard", metavar="I/N", help="only shard I of N (CI matrix)")
                          ] = None,
    instance: Annotated[str | None, typer.Option("--instance", help="instance of a template, e.g. pr-123")] = None,
) -> None:
    """Read live state, diff it against the declaration, print the plan (exit 1 if apply would refuse it)."""
    from tmi_deploy.cli.select import select
    from tmi_deploy.config.loader import load_environments
    from tmi_deploy.plan.planfile import check_output_path

    g = globals_of(ctx)
    precheck(lambda: check_output_path(out))
    try:
        if not names and changed_since is None and shard_spec is None:
            raise TmiDeployError("name the environments to plan (or use --changed-since REF / --shard I/N)")
        chosen = select(g.environments, names or [], changed_since, shard_spec)
        if not chosen:
            typer.echo(f"No environment to plan{f' (nothing changed since {changed_since})' if changed_since else ''}.")
            raise typer.Exit(0)
        if instance is not None and len(chosen) != 1:
            raise TmiDeployError("--instance plans one template: name exactly one environment")
        result = _plan_accounts(g, load_environments(g.environments, chosen, allow_outside_paths=g.allow_outside_paths,
                                                     instance=instance))
    except TmiDeployError as exc:
        raise fail(exc) from None
    _show_plan(result, output_format, out)
    errors = [b for env in result.environments for b in env.open_blockers if b.kind == "error"]
    if errors:
        err(f"{len(errors)} error{'s' if len(errors) != 1 else ''} in the plan: apply would refuse it.")
        raise typer.Exit(1)
    raise typer.Exit(2 if detailed_exitcode and result.has_changes else 0)


def _plan_accounts(g: Any, envs: list[Any]) -> Any:
    """One client per account, all read concurrently; reports the requests each account spent."""
    from tmi_deploy.config.accounts import by_account
    from tmi_deploy.workflow import read_and_plan_accounts

    groups = by_account(envs)
    clients = make_clients(g, [group[0].token_env for group in groups.values()])

    async def go() -> Any:
        accounts = [(clients[group[0].token_env][0], make_inputs(clients[group[0].token_env][1]), group)
                    for group in groups.values()]
        try:
            return await read_and_plan_accounts(accounts)
        finally:
            for client, _ in clients.values():
                await client.aclose()

    result = run(go()).plan
    for account, group in groups.items():
        client = clients[group[0].token_env][0]
        left = f"; {client.remaining} left in its budget" if client.remaining is not None else ""
        err(f"API requests: {client.requests} for ${account}{left}")
    return result


def _show_plan(result: Any, output_format: Format, out: Path | None) -> None:
    from tmi_deploy.plan.planfile import write_plan_file
    from tmi_deploy.plan.render import render_json, render_markdown, render_text

    if output_format is Format.json:
        typer.echo(render_json(result), nl=False)
    elif output_format is Format.markdown:
        typer.echo(render_markdown(result, f"`{out}`" if out else "the JSON plan (`--format json`)"), nl=False)
    else:
        typer.echo(render_text(result, color(), terminal_width()), nl=False)
    if out is not None:
        try:
            write_plan_file(out, render_json(result))
        except TmiDeployError as exc:
            raise fail(exc) from None
        err(f"plan written to {out} (checksum {result.checksum()[:16]})")


def apply(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="ENV", help="environment to apply")],
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
    plan_file: Annotated[Path | None, typer.Option("--plan", help="refuse unless live changes equal this plan")] = None,
    allow_destroy: Annotated[list[str] | None, typer.Option(
        "--allow-destroy", metavar="TOKEN", help="consent to a blocked change: the token the plan prints (repeatable)")
    ] = None,
    verify: Annotated[bool, typer.Option("--verify", help="poll the server's GET / until status ok")] = False,
    provision_timeout: Annotated[float, typer.Option("--provision-timeout", help="seconds to wait for add-ons")] = 600,
    instance: Annotated[str | None, typer.Option("--instance", help="instance of a template, e.g. pr-123")] = None,
) -> None:
    """Execute the plan for one environment, safely, and converge."""
    from tmi_deploy.apply.lock import environment_lock
    from tmi_deploy.config.loader import load_environments
    from tmi_deploy.plan.planfile import read_plan_file

    g = globals_of(ctx)
    interactive = sys.stdin.isatty()
    try:
        envs = load_environments(g.environments, [name], allow_outside_paths=g.allow_outside_paths, instance=instance)
        name = envs[0].name  # TEMPLATE@INSTANCE for an instance of a template
        ensure_own_apps(g, envs[0])
        saved = read_plan_file(plan_file) if plan_file else None
        client, token = make_client(g, envs[0].token_env)
        inputs = make_inputs(token, applying=True, interactive=interactive)
        with environment_lock(project_root(g) / ".tmi-deploy" / "locks", name):
            report = run(_apply(client, envs, inputs, saved, name, yes, interactive,
                                exact_consents(allow_destroy or [], interactive),
                                provision_timeout, 0.2 if g.sandbox else 5.0))
    except TmiDeployError as exc:
        raise fail(exc) from None
    if report is None:
        raise typer.Exit(0)
    releases = ", ".join(f"{app_name}: {count}" for app_name, count in sorted(report.releases.items())) or "none"
    typer.echo(f"Apply complete: {len(report.applied)} steps applied; config releases {releases}.")
    if verify:
        _verify(g, envs[0], report.web_urls)


async def _apply(client: Any, envs: list[Any], inputs: Any, saved: dict[str, Any] | None, name: str, yes: bool,
                 interactive: bool, allowed: list[str], provision_timeout: float, poll: float) -> Any:
    import asyncio

    from tmi_deploy.apply.run import ApplyOptions
    from tmi_deploy.plan.render import render_text
    from tmi_deploy.workflow import apply_planned, check_reviewed, gate, read_and_plan

    stop = {"requested": False}

    def request_stop(*_: object) -> None:
        if stop["requested"]:
            raise KeyboardInterrupt
        err("\nstopping after the current step (interrupt again to force) ...")
        stop["requested"] = True

    async with client:
        planned = await read_and_plan(client, envs, inputs, allowed)
        if saved is not None:
            check_reviewed(saved, planned, name)
        env_plan = planned.only(name)
        if not env_plan.has_changes and not env_plan.open_blockers:
            typer.echo(f"No changes for {name}. Live state matches the declaration.")
            return None
        typer.echo(render_text(planned.plan, color(), terminal_width()), nl=False)
        gate(env_plan)
        if not yes:
            if not interactive:
                raise TmiDeployError("refusing to apply without --yes in a non-interactive run")
            if not typer.confirm(f"Apply these changes to {name}?", default=False):
                raise TmiDeployError("apply cancelled; nothing was changed")
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, request_stop)
        options = ApplyOptions(provision_timeout=provision_timeout, poll_interval=poll, progress=err,
                               stop_requested=lambda: stop["requested"])
        return await apply_planned(client, planned, name, resolving_inputs(inputs, interactive), options)


def _verify(g: Any, env: Any, web_urls: dict[str, str]) -> None:
    from tmi_deploy.heroku.verify import verify_server

    if g.sandbox:
        err("verify: skipped against the sandbox (its apps run no TMI server)")
        return
    server = env.apps["server"]
    base = server.url or web_urls.get(server.name)
    if base is None:
        err("warning: verify: the server app has no URL yet")
        return
    try:
        typer.echo(run(verify_server(base, env.tmi_version, progress=err)))
    except TmiDeployError as exc:
        err(f"warning: {exc}")
        return
