"""The emulated platform: the state plus every resource rule (apps, add-ons, dynos)."""

from __future__ import annotations

from typing import Any

from tmi_deploy.sandbox.platform_addons import AddonRules
from tmi_deploy.sandbox.platform_apps import AppRules
from tmi_deploy.sandbox.platform_dynos import DynoRules


class Platform(AppRules, AddonRules, DynoRules):
    """Operations on the state dict. Each raises SandboxError the way Heroku answers."""

    def app_json(self, app: dict[str, Any]) -> dict[str, Any]:
        """The app as GET /apps/{app} shows it (tests read web_url through this)."""
        from tmi_deploy.sandbox import views  # views depend on Platform: import when asked

        return views.app(self, app)
