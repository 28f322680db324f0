"""Rules for who may do what: the Heroku Teams the account belongs to, and its OAuth authorizations
(the tokens `heroku authorizations:create` makes). Sources: docs/heroku-rules.md ("Teams", "OAuth")."""

from __future__ import annotations

import uuid
from typing import Any

from tmi_deploy.sandbox.errors import forbidden, invalid, not_found
from tmi_deploy.sandbox.platform_base import PlatformBase
from tmi_deploy.sandbox.store import now

# Teams the sandbox account belongs to unless the control plane says otherwise (`PATCH /__sandbox/settings`).
DEFAULT_TEAMS = ("tmi-team",)
# Teams that exist on Heroku but that the account is not a member of: 403, not 404.
FOREIGN_TEAMS = ("heroku", "salesforce", "acme")
SCOPES = ("global", "identity", "read", "write", "read-protected", "write-protected")
MAX_EXPIRES_IN = 60 * 60 * 24 * 365 * 10


def team_id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "team:" + name))


class AccessRules(PlatformBase):
    # ---- teams ------------------------------------------------------------------------------------
    def team_names(self) -> list[str]:
        return list(self.state.get("teams", DEFAULT_TEAMS))

    def find_team(self, ident: Any) -> str:
        """The name of a team the account belongs to; 404 when no such team exists, 403 when it is not a member."""
        if isinstance(ident, dict):
            ident = ident.get("name") or ident.get("id")
        if not isinstance(ident, str) or not ident:
            raise invalid("Require params: team.")
        for name in self.team_names():
            if ident in (name, team_id(name)):
                return name
        if ident in FOREIGN_TEAMS:
            raise forbidden(f"You do not have access to the team {ident}.")
        raise not_found("team", "Couldn't find that team.")

    # ---- OAuth authorizations ----------------------------------------------------------------------
    def authorizations(self) -> dict[str, dict[str, Any]]:
        return self.state.setdefault("authorizations", {})  # type: ignore[no-any-return]

    def find_authorization(self, ident: str) -> dict[str, Any]:
        found = self.authorizations().get(ident)
        if found is None:
            raise not_found("oauth_authorization", "Couldn't find that OAuth authorization.")
        return found

    def create_authorization(self, body: dict[str, Any]) -> dict[str, Any]:
        scope = body.get("scope")
        if not isinstance(scope, list) or not scope or not all(s in SCOPES for s in scope):
            raise invalid(f"scope must list one or more of {', '.join(SCOPES)}.")
        if body.get("client") is not None:
            raise not_found("oauth_client", "Couldn't find that OAuth client.")
        expires_in = body.get("expires_in")
        if expires_in is not None and (isinstance(expires_in, bool) or not isinstance(expires_in, int)
                                       or not 1 <= expires_in <= MAX_EXPIRES_IN):
            raise invalid(f"expires_in must be a number of seconds from 1 to {MAX_EXPIRES_IN}.")
        stamp = now()
        auth: dict[str, Any] = {"id": self.new_id("authorization"), "description": str(body.get("description") or ""),
                "scope": list(scope), "expires_in": expires_in, "created_at": stamp, "updated_at": stamp}
        self.authorizations()[auth["id"]] = auth
        self._new_token(auth)
        return auth

    def _new_token(self, auth: dict[str, Any]) -> None:
        """A fresh access token; when the sandbox only accepts listed tokens, the new one is listed, the old one not."""
        old = auth.get("token")
        auth["token"] = "HRKU-AA" + self.token("oauth", 58)
        auth["token_id"] = self.new_id("oauth-token")
        listed = self.state.get("tokens") or []
        if listed:
            self.state["tokens"] = [t for t in listed if t != old] + [auth["token"]]

    def update_authorization(self, auth: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        if body.get("client") not in (None, {}):
            raise not_found("oauth_client", "Couldn't find that OAuth client.")
        if "description" in body:
            auth["description"] = str(body["description"])
        auth["updated_at"] = now()
        return auth

    def regenerate_authorization(self, auth: dict[str, Any]) -> dict[str, Any]:
        self._new_token(auth)
        auth["updated_at"] = now()
        return auth

    def revoke_authorization(self, auth: dict[str, Any]) -> dict[str, Any]:
        del self.authorizations()[auth["id"]]
        listed = self.state.get("tokens") or []
        if listed:
            remaining = [t for t in listed if t != auth["token"]]
            # Never leave an empty list: that would mean "any token" (see store.empty_state).
            self.state["tokens"] = remaining or ["revoked-" + auth["token_id"]]
        return auth
