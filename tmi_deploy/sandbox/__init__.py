"""A stateful emulator of the Heroku Platform API subset tmi-deploy (and the Heroku CLI) uses."""

from tmi_deploy.sandbox.app import Sandbox, SandboxSettings, create_app
from tmi_deploy.sandbox.store import sandbox_plan_key

__all__ = ["Sandbox", "SandboxSettings", "create_app", "sandbox_plan_key"]
