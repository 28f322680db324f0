"""A stateful emulator of the Heroku Platform API subset tmi-deploy (and the Heroku CLI) uses."""

from tmi_deploy.sandbox.app import Sandbox, SandboxSettings, create_app

__all__ = ["Sandbox", "SandboxSettings", "create_app"]
