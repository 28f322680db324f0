"""Four plans a reviewer meets, for the browser test and the screenshot script: a new environment (the
shipped production on an empty account), a busy change with long names and URLs, a migration from a
deployment-guide-era server (41 changes of every action), and a plan apply will refuse."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import ROOT, make_sandbox
from tests.harness import applied_scenario, load, plan
from tmi_deploy.kinds import change_order
from tmi_deploy.plan.model import AppSummary, Blocker, Change, EnvironmentPlan, Plan

SECRETS = {"SCN_GITHUB_SECRET": "gh-secret-value-1", "SCN_DATABASE_URL": "postgres://u:p@h:5432/d?sslmode=require"}
FILE = "environments/production.yml"
SERVER = "tmi-server-production"


def new_environment() -> Plan:
    return plan(make_sandbox(), load("production", ROOT / "environments"), SECRETS)


def _config(action: str, key: str, old: str | None, new: str | None, line: int, **more: object) -> Change:
    return Change(role="server", app=SERVER, kind="config", action=action,  # type: ignore[arg-type]
                  key=key, old=old, new=new, origin=f"{FILE}:{line}", **more)  # type: ignore[arg-type]


def _environment(changes: list[Change], blockers: tuple[Blocker, ...] = ()) -> Plan:
    app = AppSummary(role="server", name=SERVER, exists=True, cost_before_cents=1200, cost_after_cents=5200,
                     changes=len(changes))
    env = EnvironmentPlan(environment="production", tmi_version="1.8.22", file=FILE, apps=(app,),
                          changes=tuple(changes), blockers=blockers)
    return Plan(environments=(env,))


OAUTH = {  # a second identity provider for the content integrations: long names, long URLs
    "TMI_CONTENT_OAUTH_PROVIDERS_MICROSOFT_ENTERPRISE_AUTH_URL":
        "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/oauth2/v2.0/authorize",
    "TMI_CONTENT_OAUTH_PROVIDERS_MICROSOFT_ENTERPRISE_TOKEN_URL":
        "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/oauth2/v2.0/token",
    "TMI_CONTENT_OAUTH_PROVIDERS_MICROSOFT_ENTERPRISE_USERINFO_URL":
        "https://graph.microsoft.com/oidc/userinfo?select=displayName,mail,userPrincipalName,id",
    "TMI_CONTENT_OAUTH_PROVIDERS_MICROSOFT_ENTERPRISE_REVOCATION_URL":
        "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/oauth2/v2.0/logout",
    "TMI_CONTENT_OAUTH_PROVIDERS_MICROSOFT_ENTERPRISE_REQUIRED_SCOPES":
        "openid profile email offline_access https://graph.microsoft.com/Files.Read.All",
    "TMI_CONTENT_OAUTH_PROVIDERS_MICROSOFT_ENTERPRISE_CLIENT_ID": "5d6e7f80-91a2-4b3c-8d4e-5f60718293a4",
    "TMI_CONTENT_OAUTH_PROVIDERS_MICROSOFT_ENTERPRISE_ENABLED": "true",
    "TMI_OAUTH_CLIENT_CALLBACK_ALLOWLIST":
        "https://tmi-ux-production-8c1f2a.herokuapp.com/oauth2/callback,https://www.tmi.example.org/*",
}


def busy_change() -> Plan:
    changes = [_config("create", key, None, value, 40 + n) for n, (key, value) in enumerate(OAUTH.items())]
    changes[-1] = changes[-1].model_copy(update={
        "action": "update", "old": "https://tmi-ux-production-8c1f2a.herokuapp.com/oauth2/callback"})
    return _environment(sorted(changes, key=change_order))


GUIDE_RENAMES = {  # the deployment guide's variable names, and TMI's since the TMI_ prefix (0.277.0)
    "POSTGRES_HOST": "TMI_DATABASE_HOST", "POSTGRES_PORT": "TMI_DATABASE_PORT", "POSTGRES_USER": "TMI_DATABASE_USER",
    "POSTGRES_DATABASE": "TMI_DATABASE_NAME", "POSTGRES_SSL_MODE": "TMI_DATABASE_SSL_MODE",
    "REDIS_HOST": "TMI_REDIS_HOST", "REDIS_PORT": "TMI_REDIS_PORT", "JWT_EXPIRATION_SECONDS":
    "TMI_JWT_EXPIRATION_SECONDS", "JWT_SIGNING_METHOD": "TMI_JWT_SIGNING_METHOD", "LOGGING_LEVEL": "TMI_LOG_LEVEL",
    "LOGGING_IS_DEV": "TMI_LOGGING_IS_DEV", "SERVER_INTERFACE": "TMI_SERVER_INTERFACE",
}
GUIDE_DELETES = ("SERVER_TLS_ENABLED", "LOGGING_REDACT_AUTH_TOKENS", "OAUTH_CALLBACK_URL", "JWT_SECRET",
                 "POSTGRES_PASSWORD", "REDIS_PASSWORD", "REDIS_DB", "TMI_BUILD_TAG_SUFFIX_FOR_THE_STAGING_PIPELINE_ONLY")


def _migration_changes() -> list[Change]:
    changes = [_config("rename", new, "guide-value" if "PORT" not in new else "5432", "guide-value", n,
                       renamed_from=old) for n, (old, new) in enumerate(GUIDE_RENAMES.items(), 20)]
    changes += [_config("delete", key, "(sensitive)" if "SECRET" in key or "PASSWORD" in key else "true", None, 0,
                        sensitive="SECRET" in key or "PASSWORD" in key, detail="undeclared, prune: true")
                .model_copy(update={"origin": None}) for key in GUIDE_DELETES]  # declared nowhere
    changes += [_config("create", f"TMI_{name}", None, value, 60 + n) for n, (name, value) in enumerate(
        [("DATABASE_URL", "(known after apply)"), ("REDIS_URL", "(known after apply)"),
         ("JWT_SECRET", "(sensitive)"), ("OAUTH_CALLBACK_URL", "https://api.tmi.example.org/oauth2/callback"),
         ("OAUTH_CLIENT_CALLBACK_ALLOWLIST", "https://www.tmi.example.org/*"), ("CORS_ALLOWED_ORIGINS",
          "https://www.tmi.example.org"), ("WEBSOCKET_ALLOWED_ORIGINS", "https://www.tmi.example.org"),
         ("OPERATOR_NAME", "TMI at example.org"), ("OPERATOR_CONTACT", "security-team@example.org"),
         ("SERVER_BASE_URL", "https://api.tmi.example.org"), ("TELEMETRY_ENABLED", "false")])]
    changes = [c.model_copy(update={"after_apply": c.new == "(known after apply)", "sensitive": c.new == "(sensitive)"})
               for c in changes]
    changes += [_config("update", key, old, new, 80 + n) for n, (key, old, new) in enumerate(
        [("GO_INSTALL_PACKAGE_SPEC", "github.com/ericfitz/tmi/cmd/server", "./cmd/server"),
         ("WEBSOCKET_INACTIVITY_TIMEOUT_SECONDS", "300", "600"),
         ("TMI_RATE_LIMIT_PUBLIC_REQUESTS_PER_MINUTE", "60", "600"),
         ("TMI_ADMINISTRATORS", "alice@example.org", "alice@example.org,bob@example.org,security-team@example.org")])]
    changes += [
        Change(role="server", app=SERVER, kind="addon", action="replace", key="REDIS", old="rediscloud:30",
               new="heroku-redis:premium-0", detail="destructive: the cache is emptied", destructive=True,
               origin=f"{FILE}:17"),
        Change(role="server", app=SERVER, kind="addon", action="update", key="DATABASE",
               old="heroku-postgresql:essential-0", new="heroku-postgresql:essential-1", detail="in place",
               origin=f"{FILE}:16"),
        Change(role="server", app=SERVER, kind="feature", action="update", key="http-session-affinity",
               old="disabled", new="enabled", origin=f"{FILE}:19"),
        Change(role="server", app=SERVER, kind="formation", action="update", key="web", old="1 x basic",
               new="2 x standard-1x", origin=f"{FILE}:21"),
        Change(role="server", app=SERVER, kind="buildpacks", action="update", key="buildpacks",
               old="https://github.com/heroku/heroku-buildpack-go.git#v184", new="heroku/go", origin=f"{FILE}:14"),
        Change(role="server", app=SERVER, kind="collaborator", action="create", key="release-bot@example.org",
               origin=f"{FILE}:25"),
    ]
    return sorted(changes, key=change_order)


def guide_migration() -> Plan:
    return _environment(_migration_changes())


def blocked() -> Plan:
    """The replace scenario: an add-on replaced and its data lost, which apply refuses without consent."""
    return plan(applied_scenario(SECRETS), load("replace"), SECRETS)


PLANS: dict[str, Callable[[], Plan]] = {"new-environment": new_environment, "busy-change": busy_change,
                                         "guide-migration": guide_migration, "blocked": blocked}
