"""`tmi-deploy destroy ENV`: remove an environment's add-ons and apps, after its plan and a typed
confirmation (the environment's name). Protected add-ons need their exact consent token. Running it
again after an interruption finishes the job."""

from __future__ import annotations

import sys
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
    make_inputs,
    project_root,
    run,
    terminal_width,
)
from tmi_deploy.errors import TmiDeployError


def destroy(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="ENV", help="environment to tear down")],
    instance: Annotated[str | None, typer.Option("--instance", help="instance of a template, e.g. pr-123")] = None,
    confirm: Annotated[str | None, typer.Option("--confirm", metavar="ENV",
                                                help="the environment's name, typed (for non-interactive runs)")] = None,
    allow_destroy: Annotated[list[str] | None, typer.Option(
        "--allow-destroy", metavar="TOKEN", help="consent to destroying a protected add-on (repeatable)")] = None,
) -> None:
    """Destroy an environment's apps and add-ons (shows the plan, asks for its name)."""
    from tmi_deploy.apply.lock import environment_lock
    from tmi_deploy.config.loader import load_environments

    g = globals_of(ctx)
    try:
        env = load_environments(g.environments, [name], allow_outside_paths=g.allow_outside_paths,
                                instance=instance)[0]
        ensure_own_apps(g, env)
        client, token = make_client(g, env.token_env)
        with environment_lock(project_root(g) / ".tmi-deploy" / "locks", env.name):
            allowed = exact_consents(allow_destroy or [], sys.stdin.isatty())
            report = run(_destroy(client, env, token, confirm, allowed, 0.2 if g.sandbox else 5.0))
    except TmiDeployError as exc:
        raise fail(exc) from None
    if report is not None:
        typer.echo(f"Destroyed {env.name}: {len(report.applied)} steps applied.")


async def _destroy(client: Any, env: Any, token: str, confirm: str | None, allowed: list[str], poll: float) -> Any:
    from tmi_deploy.apply.run import ApplyOptions
    from tmi_deploy.plan.render import render_text
    from tmi_deploy.workflow import apply_planned, gate, read_for_destroy

    async with client:
        planned = await read_for_destroy(client, env, allowed)
        env_plan = planned.only(env.name)
        if not env_plan.changes:
            typer.echo(f"Nothing to destroy: no app of {env.name} exists.")
            return None
        typer.echo(render_text(planned.plan, color(), terminal_width()), nl=False)
        gate(env_plan, "destroy")
        typed = confirm
        if typed is None:
            if not sys.stdin.isatty():
                raise TmiDeployError(f"refusing to destroy without --confirm {env.name} in a non-interactive run")
            typed = typer.prompt(f"Type the environment's name ({env.name}) to destroy it")
        if typed != env.name:
            raise TmiDeployError("the name typed does not match; nothing was destroyed")
        options = ApplyOptions(poll_interval=poll, progress=err)
        return await apply_planned(client, planned, env.name, make_inputs(token, applying=True), options)
