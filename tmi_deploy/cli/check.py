"""`tmi-deploy check ENV`: TMI's configuration rules over the live config vars of each app.

A value set by hand (`heroku config:set`) that would stop TMI from starting is reported with the rule
and the fix, whatever the environment file says; no message quotes a secret value.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tmi_deploy.cli.shell import err, fail, globals_of, make_client, run, shown
from tmi_deploy.errors import TmiDeployError


def check(
    ctx: typer.Context,
    names: Annotated[list[str], typer.Argument(metavar="ENV...", help="environments whose live apps to check")],
) -> None:
    """Check the live config of each app against TMI's rules (exit 1 on errors)."""
    from tmi_deploy.catalog.lint import lint_live
    from tmi_deploy.config.loader import load_environments
    from tmi_deploy.heroku.reads import fetch_live

    g = globals_of(ctx)
    findings: list[Any] = []
    try:
        for env in load_environments(g.environments, names, allow_outside_paths=g.allow_outside_paths):
            client, _ = make_client(g, env.token_env)

            async def go(env: Any = env, client: Any = client) -> Any:
                async with client:
                    return await fetch_live(client, env)

            live = run(go())
            findings += lint_live(env, {role: app.config for role, app in live.apps.items() if app.exists})
    except TmiDeployError as exc:
        raise fail(exc) from None
    for finding in findings:
        err(shown(finding))
    errors = sum(1 for f in findings if f.severity == "error")
    if errors:
        err(f"{errors} error{'s' if errors != 1 else ''} in live config: TMI may not start or behave as declared.")
        raise typer.Exit(1)
    typer.echo(f"OK: the live config of {', '.join(names)} passes TMI's rules "
               f"({len(findings)} warning{'s' if len(findings) != 1 else ''}).")
