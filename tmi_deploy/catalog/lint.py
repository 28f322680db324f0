"""Lint: every rule in one registry, run over a declared Environment or over the live config of its apps.

Each finding names its rule code, a position (file:line, or the Heroku app and var on live config)
and a fix. Pure: no I/O, inputs are frozen models and plain dicts.
"""

from __future__ import annotations

from tmi_deploy.catalog.checks import USERINFO, check_type
from tmi_deploy.catalog.rule import Rule
from tmi_deploy.catalog.rules_names import rule_saml, rule_unknown_name
from tmi_deploy.catalog.rules_platform import (
    rule_app_name,
    rule_config_size,
    rule_dyno_mix,
    rule_dyno_quantity,
    rule_dyno_size,
)
from tmi_deploy.catalog.rules_server import (
    rule_dev_mode,
    rule_jwt,
    rule_oauth,
    rule_required,
    rule_secret_literal,
    rule_types,
    rule_version,
)
from tmi_deploy.catalog.rules_wiring import (
    rule_cross_app,
    rule_origins,
    rule_postgres_ssl,
    rule_redis_tls,
    rule_router,
)
from tmi_deploy.catalog.variables import is_secret_name, parse_version
from tmi_deploy.config.models import AppDesired, Environment, LiteralValue, Origin, Role, VarSpec
from tmi_deploy.errors import Problem

__all__ = ["RULES", "Rule", "check_type", "lint", "lint_live"]

RULES: tuple[Rule, ...] = (
    Rule(rule_types, ("TYPE",), live=True),
    Rule(rule_secret_literal, ("SECRET-LITERAL",), live=False),
    Rule(rule_required, ("REQUIRED",), live=True),
    Rule(rule_version, ("NOT-READ", "DUPLICATE"), live=True),
    Rule(rule_router, ("PORT", "TLS", "COOKIE"), live=True),
    Rule(rule_postgres_ssl, ("SSLMODE",), live=True),
    Rule(rule_redis_tls, ("REDIS-TLS",), live=True),
    Rule(rule_origins, ("ORIGIN",), live=True),
    Rule(rule_dev_mode, ("DEV-MODE",), live=True),
    Rule(rule_jwt, ("JWT",), live=True),
    Rule(rule_oauth, ("OAUTH",), live=True),
    Rule(rule_saml, ("SAML",), live=True),
    Rule(rule_unknown_name, ("UNKNOWN-NAME",), live=True),
    Rule(rule_cross_app, ("CROSS-APP",), live=False),
    Rule(rule_dyno_size, ("DYNO-SIZE",), live=False),
    Rule(rule_dyno_quantity, ("DYNO-QUANTITY",), live=False),
    Rule(rule_dyno_mix, ("DYNO-MIX",), live=False),
    Rule(rule_app_name, ("APP-NAME",), live=False),
    Rule(rule_config_size, ("CONFIG-SIZE",), live=False),
)


def _run(env: Environment, rules: tuple[Rule, ...]) -> list[Problem]:
    version = parse_version(env.tmi_version)
    findings = [problem for rule in rules for problem in rule.check(env, version)]
    return sorted(findings, key=lambda p: (p.file, p.line, p.column, p.code, p.path))


def lint(env: Environment) -> list[Problem]:
    """Every rule over the declaration, sorted by position."""
    return _run(env, RULES)


def lint_live(env: Environment, live_config: dict[Role, dict[str, str]]) -> list[Problem]:
    """The value rules over each app's live config vars, for TMI ``env.tmi_version``.

    Catches what someone set by hand (``heroku config:set``) that would break TMI. A finding's position
    is the Heroku app name (``file``, line 0) and the var name (``path``); no message quotes a secret.
    Roles the environment does not declare are skipped: their app name is unknown.
    """
    apps = {role: _live_app(env.apps[role], config) for role, config in live_config.items() if role in env.apps}
    # The declared add-ons are gone from the live view, but the vars they set are live: left alone.
    attachments = tuple(f"{name}_*" for app in env.apps.values() for name in app.addons)
    policy = env.policy.model_copy(update={"tolerate": env.policy.tolerate + attachments})
    live_env = env.model_copy(update={"apps": apps, "policy": policy})
    problems = _run(live_env, tuple(rule for rule in RULES if rule.live))
    return [_at_live_position(problem) for problem in problems]


def _live_app(app: AppDesired, config: dict[str, str]) -> AppDesired:
    where = Origin(file=app.name, line=0, column=0)
    specs = {name: _live_spec(app.role, name, value, where) for name, value in sorted(config.items())}
    # Only values: the declaration's add-ons, formation and URL say nothing about what is live.
    return app.model_copy(update={"config": specs, "addons": {}, "formation": {}, "url": None, "origin": where,
                                  "field_origins": {}})


def _live_spec(role: Role, name: str, value: str, where: Origin) -> VarSpec:
    sensitive = is_secret_name(role, name) or USERINFO.search(value) is not None
    return VarSpec(name=name, source=LiteralValue(value=value, sensitive=sensitive), sensitive=sensitive,
                   origin=where)


def _at_live_position(problem: Problem) -> Problem:
    _, _, var = problem.path.partition(".config.")
    return Problem(problem.file, 0, 0, var, problem.message, problem.hint, problem.severity, problem.code)
