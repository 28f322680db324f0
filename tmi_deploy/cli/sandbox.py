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
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 5000,
    state: Annotated[Path | None, typer.Option("--state", help="state file; survives restarts")] = None,
    latency_ms: Annotated[float, typer.Option("--latency-ms", min=0, help="added to every API response")] = 0,
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
    ctx: typer.Context,
    app_name: Annotated[str, typer.Argument(metavar="APP", help="Heroku app name in the sandbox")],
    state: Annotated[Path, typer.Option("--state", help="state file (when no --api-url is given)")] = SANDBOX_STATE,
    token: Annotated[str, typer.Option("--token", envvar="HEROKU_API_KEY", hidden=True)] = "sandbox-token",
) -> None:
    """Emulate `git push heroku main`: a slug release that defines the web process type.

    With `tmi-deploy --api-url URL` (or HEROKU_API_URL) it pushes to the sandbox served there;
    otherwise to the state file that `--sandbox` uses.
    """
    from tmi_deploy import DEFAULT_API_URL

    api_url = getattr(ctx.find_root().obj, "api_url", DEFAULT_API_URL)
    try:
        if api_url != DEFAULT_API_URL:
            description = _deploy_over_http(api_url, app_name, token)
        else:
            description = _deploy_to_file(state, app_name)
    except DeployRefused as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1) from None
    typer.echo(f"deployed {app_name}: {description}")


class DeployRefused(Exception):
    """A push that did not happen (one line: why, what to do)."""


def _deploy_to_file(state: Path, app_name: str) -> str:
    from tmi_deploy.errors import TmiDeployError
    from tmi_deploy.sandbox.errors import SandboxError
    from tmi_deploy.sandbox.platform import Platform
    from tmi_deploy.sandbox.store import transaction

    try:
        with transaction(state) as data:  # under the lock: a sandbox served on this file sees it
            platform = Platform(data)
            release = platform.deploy(platform.find_app(app_name), {"web": "bin/server"})
    except SandboxError as exc:
        raise DeployRefused(f"{exc.message} ({app_name} in {state}; for a served sandbox pass "
                            "--api-url URL before `sandbox`)") from None
    except TmiDeployError as exc:
        raise DeployRefused(str(exc)) from None
    return f"release v{release['version']} ({release['description']})"


def _deploy_over_http(api_url: str, app_name: str, token: str) -> str:
    import httpx

    url = f"{api_url.rstrip('/')}/__sandbox/apps/{app_name}/deploy"
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.heroku+json; version=3"}
    try:
        response = httpx.post(url, json={}, headers=headers, timeout=10)
        body = response.json()
    except (httpx.HTTPError, ValueError):
        raise DeployRefused(f"no tmi-deploy sandbox answered at {api_url}; is `tmi-deploy sandbox serve` "
                            "running there?") from None
    if response.status_code == 404 and body.get("message") in ("Not a sandbox control path.", "Not found."):
        raise DeployRefused(f"{api_url} is not a tmi-deploy sandbox (push real apps with git)")
    if response.status_code != 200 or not isinstance(body.get("version"), int):
        message = body.get("message") if isinstance(body, dict) else None
        raise DeployRefused(f"the sandbox at {api_url} refused the push: {message or response.status_code}")
    return f"release v{body['version']} ({body.get('description', '')})"
