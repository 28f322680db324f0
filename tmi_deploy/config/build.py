"""A validated environment document → the frozen Environment the core uses, with offline checks:
names, value sizes, the per-app config budget, and secret files confined to the environments directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tmi_deploy.config.limits import (
    MAX_APP_CONFIG_BYTES,
    MAX_VALUE_BYTES,
    is_attachment_name,
    is_plan_name,
    is_var_name,
    utf8_size,
)
from tmi_deploy.config.models import (
    AddonDesired,
    AddonSpec,
    AppDesired,
    AppFile,
    Consent,
    EnvironmentFile,
    Formation,
    FromAddon,
    FromApp,
    Generate,
    LiteralValue,
    Origin,
    Policy,
    PolicyFile,
    Role,
    SecretFile,
    Source,
    VarSpec,
)
from tmi_deploy.config.models import Environment as EnvironmentModel
from tmi_deploy.config.paths import OUTSIDE_HINT, LoadContext
from tmi_deploy.config.secrecy import is_secret
from tmi_deploy.config.yamlsrc import Document, KeyPath, Loc, dotted
from tmi_deploy.errors import Problem

DEFAULT_REGION = "us"
DEFAULT_STACK = "heroku-24"


@dataclass
class Reporter:
    """Collects problems at the position of a key path in one document."""

    doc: Document
    problems: list[Problem] = field(default_factory=list)

    def __call__(self, at: KeyPath, message: str, hint: str = "") -> None:
        loc = self.doc.loc(at)
        self.problems.append(Problem(loc.file, loc.line, loc.column, dotted(at), message, hint))

    def origin(self, at: KeyPath) -> Origin:
        return _origin(self.doc.loc(at))


def _origin(loc: Loc) -> Origin:
    return Origin(file=loc.file, line=loc.line, column=loc.column)


def to_environment(ctx: LoadContext, name: str, path: Path, doc: Document, model: EnvironmentFile
                   ) -> tuple[EnvironmentModel | None, list[Problem]]:
    problem = Reporter(doc)
    if model.tmi_version is None:
        problem((), "missing required field 'tmi_version'", "add e.g. tmi_version: 1.8.22 (here or in the base)")
    if not model.apps or "server" not in model.apps:
        problem(("apps",), "an environment declares at least the 'server' app", "add apps: {server: {name: ...}}")
    declared_roles: set[Role] = set(model.apps or {})
    apps: dict[Role, AppDesired] = {}
    for role, spec in (model.apps or {}).items():
        app = _to_app(ctx, role, spec, declared_roles, problem)
        if app is not None:
            apps[role] = app
    names = [app.name for app in apps.values()]
    if len(set(names)) != len(names):
        problem(("apps",), "two roles use the same Heroku app name", "give each role its own app")
    if problem.problems or model.tmi_version is None:
        return None, problem.problems
    consent = tuple(Consent(token=token.strip(), origin=problem.origin(("consent", index)))
                    for index, token in enumerate(model.consent or ()))
    env = EnvironmentModel(name=name, file=doc.file, tmi_version=model.tmi_version,
                           policy=_policy(model.policy or PolicyFile()), apps=apps,
                           base_dir=str(path.parent), app_json=model.app_json, consent=consent,
                           token_env=model.heroku.token_env if model.heroku else None)
    return env, []


def _policy(policy: PolicyFile) -> Policy:
    return Policy(
        prune=bool(policy.prune),
        tolerate=tuple(policy.tolerate or ()),
        protected_addons=tuple(policy.protected_addons or ()),
        max_delete_share=policy.max_delete_share if policy.max_delete_share is not None else 0.5,
    )


def _to_app(ctx: LoadContext, role: Role, spec: AppFile, roles: set[Role], problem: Reporter) -> AppDesired | None:
    base: KeyPath = ("apps", role)
    if spec.name is None:
        problem(base, f"app '{role}' has no Heroku app name", "add name: my-tmi-" + role)
        return None
    config = _config(ctx, role, spec, roles, problem)
    _check_config_budget(spec.name, config, problem, (*base, "config"))
    field_origins = {f"{section}.{key}": problem.origin((*base, section, key))
                     for section in ("features", "formation") for key in (getattr(spec, section) or {})}
    for section in ("buildpacks", "collaborators", "region", "stack"):
        field_origins[section] = problem.origin((*base, section))
    formation = {ptype: Formation(quantity=f.quantity, size=f.size.lower())
                 for ptype, f in (spec.formation or {}).items() if f is not None}
    return AppDesired(
        role=role,
        name=spec.name, region=spec.region or DEFAULT_REGION, stack=spec.stack or DEFAULT_STACK,
        team=spec.team, url=spec.url.rstrip("/") if spec.url else None, config=config,
        addons=_addons(role, spec, problem),
        features=dict(spec.features or {}), formation=formation,
        buildpacks=tuple(spec.buildpacks) if spec.buildpacks is not None else None,
        collaborators=tuple(spec.collaborators or ()), origin=problem.origin(base), field_origins=field_origins,
    )


def _config(ctx: LoadContext, role: Role, spec: AppFile, roles: set[Role], problem: Reporter) -> dict[str, VarSpec]:
    config: dict[str, VarSpec] = {}
    for key, source in (spec.config or {}).items():
        at: KeyPath = ("apps", role, "config", key)
        if not is_var_name(key):
            problem(at, f"'{_shown(key)}' is not a valid config var name",
                    "use ASCII letters, digits and underscores, not starting with a digit")
        elif source is None:
            problem(at, f"'{key}' has no value", "write '' for an empty string, or remove the key")
        elif isinstance(source, FromAddon) and source.addon not in (spec.addons or {}):
            problem(at, f"'{key}' reads add-on '{_shown(source.addon)}', which app '{role}' does not declare",
                    f"declare addons: {{{_shown(source.addon)}: service:plan}} on this app")
        elif isinstance(source, FromApp) and source.app not in roles:
            problem(at, f"'{key}' reads the URL of app '{source.app}', which this environment does not declare",
                    f"declare apps.{source.app} or use a literal URL")
        elif _value_problem(ctx, key, source, at, problem):
            continue
        else:
            config[key] = VarSpec(name=key, source=source, sensitive=_sensitive(role, key, source),
                                  origin=problem.origin(at))
    return config


def _value_problem(ctx: LoadContext, key: str, source: Source, at: KeyPath, problem: Reporter) -> bool:
    """Report what Heroku or the filesystem rule would refuse about one value; True if anything."""
    size = _known_size(source)
    if size is not None and size > MAX_VALUE_BYTES:
        problem(at, f"'{key}' is {size} bytes; Heroku allows {MAX_APP_CONFIG_BYTES // 1024} kB for all of an "
                    "app's config vars together", "keep large content out of config vars (a file or add-on)")
        return True
    # An absolute secret_file replaces env_dir in the join, so one check covers both escapes.
    if isinstance(source, SecretFile) and not ctx.confined(ctx.env_dir / source.secret_file):
        problem(at, f"'{key}' reads a secret file outside the environments directory", OUTSIDE_HINT)
        return True
    return False


def _known_size(source: Source) -> int | None:
    """Bytes of a value known offline: literals, and the length of a generated secret. None if unknown."""
    if isinstance(source, str):
        return utf8_size(source)
    if isinstance(source, LiteralValue):
        return utf8_size(source.value)
    if isinstance(source, Generate):
        return source.bytes * 2 if source.generate == "hex" else 4 * ((source.bytes + 2) // 3)
    if isinstance(source, FromApp):
        return utf8_size(source.suffix)  # at least the suffix; the URL itself is known only live
    return None


def _check_config_budget(app_name: str, config: dict[str, VarSpec], problem: Reporter, at: KeyPath) -> None:
    """Heroku's per-app limit counts keys and values; estimate it from what is known offline."""
    total = sum(utf8_size(name) + (_known_size(spec.source) or 0) for name, spec in config.items())
    if total > MAX_APP_CONFIG_BYTES:
        problem(at, f"app '{app_name}' declares at least {total} bytes of config vars (keys + values known "
                    f"offline); Heroku allows {MAX_APP_CONFIG_BYTES // 1024} kB per app",
                "move bulky values out of config vars")


def _addons(role: Role, spec: AppFile, problem: Reporter) -> dict[str, AddonDesired]:
    addons: dict[str, AddonDesired] = {}
    for attachment, addon in (spec.addons or {}).items():
        at: KeyPath = ("apps", role, "addons", attachment)
        plan = addon.plan if isinstance(addon, AddonSpec) else addon
        if plan is None:
            continue
        if not is_plan_name(plan):
            problem(at, f"add-on plan '{_shown(plan)}' is not service:plan", "e.g. heroku-postgresql:essential-0")
        elif not is_attachment_name(attachment):
            problem(at, f"attachment name '{_shown(attachment)}' is invalid",
                    "ASCII letters, digits and underscores, starting with a letter, e.g. DATABASE or REDIS")
        else:
            addons[attachment] = AddonDesired(attachment=attachment, plan=plan, origin=problem.origin(at))
    return addons


def _sensitive(role: str, name: str, source: Source) -> bool:
    text = source.value if isinstance(source, LiteralValue) else source if isinstance(source, str) else None
    return is_secret(role, name, text, source)


def _shown(text: str) -> str:
    """A name as it may appear in a one-line message: control characters escaped, length bounded."""
    escaped = text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
    return escaped if len(escaped) <= 60 else escaped[:57] + "..."
