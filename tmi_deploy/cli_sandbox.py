"""`tmi-deploy sandbox ...`: serve, reset and emulate a code push for the Platform API emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

SANDBOX_STATE = Path(".tmi-deploy/sandbox.json")
sandbox_app = typer.Typer(help="The embedded Heroku Platform API emulator.", no_args_is_help=True)


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@sandbox_app.command("serve")
def sandbox_serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 5000,
    state: Annotated[Path | None, typer.Option("--state", help="state file; survives restarts")] = None,
    latency_ms: Annotated[float, typer.Option("--latency-ms", help="added to every API response")] = 0,
    faults: Annotated[str | None, typer.Option("--faults", help="e.g. 429=0.05,500=0.02,hang=0.01,reset=0.01")] = None,
    seed: Annotated[int, typer.Option("--seed", help="seed for faults and generated ids")] = 0,
    provisioning_seconds: Annotated[float | None, typer.Option(
        "--provisioning-seconds", help="asynchronous add-on provisioning delay")] = None,
    allow_remote: Annotated[bool, typer.Option(
        "--allow-remote", help="allow a --host other than loopback (anyone who reaches it can use it)")] = False,
) -> None:
    """Serve the Heroku Platform API emulator on loopback."""
    if not _loopback(host):
        if not allow_remote:
            _err(f"error: --host {host} is not loopback: the sandbox would be reachable from other machines; "
                 "add --allow-remote if that is what you want")
            raise typer.Exit(1)
        _err(f"warning: serving on {host}: anyone who can reach it can read and change the sandbox "
             "with any token (set allowed tokens with PATCH /__sandbox/settings)")
    from tmi_deploy.errors import TmiDeployError
    from tmi_deploy.sandbox import SandboxSettings, create_app
    from tmi_deploy.sandbox.faults import FaultSpec
    from tmi_deploy.sandbox.serve import serve_forever

    try:
        spec = FaultSpec.parse(faults, seed)
    except ValueError as exc:
        _err(f"error: --faults: {exc}")
        raise typer.Exit(1) from None
    try:
        sandbox = create_app(SandboxSettings(latency_ms=latency_ms, faults=spec, state_path=state, seed=seed,
                                             provisioning_seconds=provisioning_seconds))
    except TmiDeployError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1) from None
    _err(f"sandbox: Heroku Platform API emulator on http://{host}:{port} "
         f"(state: {state or 'in memory'}); any token works")
    _err(f"  tmi-deploy --api-url http://{host}:{port} plan ENV   (with HEROKU_API_KEY=anything)")
    serve_forever(sandbox, host, port)


@sandbox_app.command("reset")
def sandbox_reset(
    state: Annotated[Path, typer.Option("--state", help="state file to reset")] = SANDBOX_STATE,
) -> None:
    """Forget everything the sandbox holds."""
    from tmi_deploy.errors import TmiDeployError
    from tmi_deploy.sandbox.store import empty_state, file_lock, save_state

    try:
        with file_lock(state):
            save_state(state, empty_state())
    except TmiDeployError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1) from None
    typer.echo(f"sandbox state reset: {state}")


@sandbox_app.command("deploy")
def sandbox_deploy(
    app_name: Annotated[str, typer.Argument(metavar="APP", help="Heroku app name in the sandbox")],
    state: Annotated[Path, typer.Option("--state", help="state file")] = SANDBOX_STATE,
) -> None:
    """Emulate `git push heroku main`: a slug release that defines the web process type."""
    from tmi_deploy.errors import TmiDeployError
    from tmi_deploy.sandbox.errors import SandboxError
    from tmi_deploy.sandbox.platform import Platform
    from tmi_deploy.sandbox.store import transaction

    try:
        with transaction(state) as data:
            platform = Platform(data)
            release = platform.deploy(platform.find_app(app_name), {"web": "bin/server"})
    except SandboxError as exc:
        _err(f"error: {exc.message}")
        raise typer.Exit(1) from None
    except TmiDeployError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1) from None
    typer.echo(f"deployed {app_name}: release v{release['version']} ({release['description']})")
