"""Environment files → frozen Environment: extends/overlay merge, validation, all problems at once."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from tmi_deploy.catalog.variables import URL_WITH_CREDENTIALS, is_secret_name
from tmi_deploy.config.models import (
    ROLES,
    AddonDesired,
    AddonSpec,
    AppDesired,
    AppFile,
    Consent,
    EnvironmentFile,
    Formation,
    FormationSpec,
    FromAddon,
    FromApp,
    Generate,
    LiteralValue,
    Origin,
    Policy,
    PolicyFile,
    Prompt,
    Role,
    SecretEnv,
    SecretFile,
    Source,
    VarSpec,
)
from tmi_deploy.config.models import (
    Environment as EnvironmentModel,
)
from tmi_deploy.config.yamlsrc import Document, KeyPath, Loc, dotted, read_yaml
from tmi_deploy.errors import ConfigError, Problem

DEFAULT_REGION = "us"
DEFAULT_STACK = "heroku-24"
VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PLAN_NAME = re.compile(r"^[a-z0-9-]+:[a-z0-9-]+$")


def discover(env_dir: Path) -> list[str]:
    """Environment names in a folder: every *.yml except partials (leading underscore)."""
    return sorted(p.stem for p in env_dir.glob("*.yml") if not p.name.startswith("_"))


def load_environments(env_dir: Path, names: list[str] | None = None) -> list[EnvironmentModel]:
    """Load several environments, reporting every problem in every file before failing."""
    chosen = names or discover(env_dir)
    if not chosen:
        raise ConfigError([Problem(str(env_dir), 1, 1, "", "no environment files (*.yml) found",
                                   "create environments/<name>.yml or pass --environments DIR")])
    problems: list[Problem] = []
    envs: list[EnvironmentModel] = []
    for name in chosen:
        try:
            envs.append(load_environment(env_dir, name))
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    return envs


def load_environment(env_dir: Path, name: str) -> EnvironmentModel:
    path = env_dir / f"{name}.yml"
    if not path.is_file():
        known = discover(env_dir) if env_dir.is_dir() else []
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known environments: {', '.join(known) or 'none'}"
        raise ConfigError([Problem(display_path(path), 1, 1, "", f"no environment named '{name}'", hint)])
    doc, problems = _load_with_bases(path, [])
    if doc is None or problems:
        raise ConfigError(problems)
    model, problems = _validate(doc)
    if model is None:
        raise ConfigError(problems)
    env, problems = _to_environment(name, path, doc, model)
    if problems or env is None:
        raise ConfigError(problems)
    return env


def load_base(env_dir: Path, file: str = "_base.yml") -> EnvironmentModel:
    """The shared base as an environment of its own (app names may be absent there)."""
    path = env_dir / file
    if not path.is_file():
        raise ConfigError([Problem(display_path(path), 1, 1, "", "no base file",
                                   f"create {file} with the shared declaration")])
    doc, problems = _load_with_bases(path, [])
    if doc is None or problems:
        raise ConfigError(problems)
    for role in (doc.data.get("apps") or {}):
        app = doc.data["apps"][role]
        if isinstance(app, dict) and "name" not in app:
            app["name"] = f"tmi-{role}"
    model, problems = _validate(doc)
    if model is None:
        raise ConfigError(problems)
    env, problems = _to_environment(path.stem, path, doc, model)
    if problems or env is None:
        raise ConfigError(problems)
    return env


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# ---- extends / overlay ----------------------------------------------------------------------------

def _load_with_bases(path: Path, chain: list[Path]) -> tuple[Document | None, list[Problem]]:
    display = display_path(path)
    doc, problems = read_yaml(path, display)
    if doc is None or problems:
        return None, problems
    if not isinstance(doc.data, dict):
        return None, [Problem(display, 1, 1, "", "an environment file is a mapping (key: value)")]
    base_name = doc.data.get("extends")
    if base_name is None:
        return doc, []
    if not isinstance(base_name, str):
        loc = doc.loc(("extends",))
        return None, [Problem(loc.file, loc.line, loc.column, "extends", "extends names one file")]
    base_path = path.parent / base_name
    if base_path.resolve() in [*chain, path.resolve()]:
        loc = doc.loc(("extends",))
        names = " -> ".join(display_path(p) for p in [*chain, path.resolve(), base_path.resolve()])
        return None, [Problem(loc.file, loc.line, loc.column, "extends", f"circular extends: {names}")]
    if not base_path.is_file():
        loc = doc.loc(("extends",))
        return None, [Problem(loc.file, loc.line, loc.column, "extends", f"base file '{base_name}' not found",
                              "extends is a path relative to this file, e.g. _base.yml")]
    base, problems = _load_with_bases(base_path, [*chain, path.resolve()])
    if base is None:
        return None, problems
    return _overlay(base, doc), []


def _overlay(base: Document, top: Document) -> Document:
    locs = dict(base.locs)
    data = _merge(base.data, top.data, (), locs, top.locs)
    data.pop("extends", None)
    return Document(data, locs, top.file)


def _replaces_whole(path: KeyPath) -> bool:
    """A config value or add-on spec is one value: an overlay replaces it, never merges into it."""
    return len(path) == 4 and path[0] == "apps" and path[2] in ("config", "addons")


def _merge(base: Any, top: Any, path: KeyPath, locs: dict[KeyPath, Loc], top_locs: dict[KeyPath, Loc]) -> Any:
    if isinstance(base, dict) and isinstance(top, dict) and not _replaces_whole(path):
        merged = dict(base)
        for key, value in top.items():
            child = (*path, key)
            if value is None and key in merged and path and path[-1] != "policy":
                # An explicit null in an overlay removes what the base declared.
                del merged[key]
                for known in [k for k in locs if k[: len(child)] == child]:
                    del locs[known]
                continue
            if key in merged:
                merged[key] = _merge(merged[key], value, child, locs, top_locs)
            else:
                merged[key] = value
                _copy_locs(child, locs, top_locs)
            locs[child] = top_locs.get(child, locs.get(child, Loc("", 1, 1)))
        return merged
    for known in [k for k in locs if k[: len(path)] == path]:
        del locs[known]
    _copy_locs(path, locs, top_locs)
    return top


def _copy_locs(prefix: KeyPath, locs: dict[KeyPath, Loc], source: dict[KeyPath, Loc]) -> None:
    for key, loc in source.items():
        if key[: len(prefix)] == prefix:
            locs[key] = loc


# ---- schema validation ----------------------------------------------------------------------------

def _model_at(path: KeyPath) -> type[BaseModel] | None:
    """Which model describes the mapping at ``path`` (for did-you-mean suggestions)."""
    shapes: list[tuple[tuple[str, ...], type[BaseModel]]] = [
        ((), EnvironmentFile), (("policy",), PolicyFile), (("apps", "*"), AppFile),
        (("apps", "*", "formation", "*"), FormationSpec), (("apps", "*", "addons", "*"), AddonSpec),
    ]
    for shape, model in shapes:
        if len(shape) == len(path) and all(s in ("*", p) for s, p in zip(shape, path, strict=True)):
            return model
    if len(path) >= 4 and path[0] == "apps" and path[2] == "config":
        by_tag: dict[str, type[BaseModel]] = {"value": LiteralValue, "secret_env": SecretEnv, "secret_file": SecretFile,
                                              "prompt": Prompt, "generate": Generate, "addon": FromAddon, "app": FromApp}
        return by_tag.get(str(path[-1]))
    return None


_VALUE_TAGS = {"literal", "value", "secret_env", "secret_file", "prompt", "generate", "addon", "app"}


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[KeyPath, KeyPath]:
    """Split a pydantic error location into the path inside the data and the union tags around it."""
    path: list[str | int] = []
    tags: list[str | int] = []
    node = data
    if len(loc) >= 5 and loc[0] == "apps" and loc[2] == "config" and loc[4] in _VALUE_TAGS:
        # A tagged union's tag sits between the var name and the field; it may also be a data key.
        tags.append(loc[4])
        loc = loc[:4] + loc[5:]
    for part in loc:
        if (isinstance(node, dict) and part in node) or (isinstance(node, list) and isinstance(part, int) and part < len(node)):
            path.append(part)
            node = node[part]
        else:
            tags.append(part)
    return tuple(path), tuple(tags)


def _field_names(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _validate(doc: Document) -> tuple[EnvironmentFile | None, list[Problem]]:
    try:
        return EnvironmentFile.model_validate(doc.data), []
    except ValidationError as exc:
        problems = []
        seen: set[tuple[KeyPath, str]] = set()
        for error in exc.errors():
            path, tags = _data_path(tuple(error["loc"]), doc.data)
            message, hint = str(error["msg"]), ""
            kind = error["type"]
            if kind == "extra_forbidden":
                field = str(path[-1])
                message = f"unknown field '{field}'"
                model = _model_at(path[:-1] + tuple(t for t in tags if t not in ("[key]",)))
                model = model or _model_at(path[:-1])
                if model is not None:
                    close = difflib.get_close_matches(field, _field_names(model), n=1)
                    allowed = ", ".join(_field_names(model))
                    hint = f"did you mean '{close[0]}'?" if close else f"allowed here: {allowed}"
            elif kind == "missing":
                message = f"missing required field '{tags[-1] if tags else path[-1]}'"
            elif "[key]" in tags:
                message = f"'{path[-1]}' is not allowed here: {error['msg']}"
            key = (path, message)
            if key in seen:
                continue
            seen.add(key)
            loc = doc.loc(path)
            problems.append(Problem(loc.file, loc.line, loc.column, dotted(path), message, hint))
        return None, problems


# ---- to the frozen Environment --------------------------------------------------------------------

def _origin(loc: Loc) -> Origin:
    return Origin(file=loc.file, line=loc.line, column=loc.column)


def _sensitive(role: str, name: str, source: Source) -> bool:
    if isinstance(source, LiteralValue) and source.sensitive is not None:
        return source.sensitive
    if isinstance(source, SecretEnv | SecretFile | Prompt | Generate):
        return True
    if isinstance(source, FromAddon):
        return source.part in ("url", "password")
    text = source.value if isinstance(source, LiteralValue) else source if isinstance(source, str) else ""
    return is_secret_name(role, name) or bool(URL_WITH_CREDENTIALS.match(text))


def _to_environment(name: str, path: Path, doc: Document, model: EnvironmentFile
                    ) -> tuple[EnvironmentModel | None, list[Problem]]:
    problems: list[Problem] = []

    def problem(at: KeyPath, message: str, hint: str = "") -> None:
        loc = doc.loc(at)
        problems.append(Problem(loc.file, loc.line, loc.column, dotted(at), message, hint))

    if model.tmi_version is None:
        problem((), "missing required field 'tmi_version'", "add e.g. tmi_version: 1.8.22 (here or in the base)")
    if not model.apps or "server" not in model.apps:
        problem(("apps",), "an environment declares at least the 'server' app", "add apps: {server: {name: ...}}")
    declared_roles: set[Role] = set(model.apps or {})
    apps: dict[str, AppDesired] = {}
    for role, spec in (model.apps or {}).items():
        app = _to_app(role, spec, doc, declared_roles, problem)
        if app is not None:
            apps[role] = app
    policy_file = model.policy or PolicyFile()
    policy = Policy(
        prune=bool(policy_file.prune),
        tolerate=tuple(policy_file.tolerate or ()),
        protected_addons=tuple(policy_file.protected_addons or ()),
        max_delete_share=policy_file.max_delete_share if policy_file.max_delete_share is not None else 0.5,
    )
    names = [app.name for app in apps.values()]
    if len(set(names)) != len(names):
        problem(("apps",), "two roles use the same Heroku app name", "give each role its own app")
    if problems or model.tmi_version is None:
        return None, problems
    consent = tuple(Consent(token=token.strip(), origin=_origin(doc.loc(("consent", index))))
                    for index, token in enumerate(model.consent or ()))
    env = EnvironmentModel(name=name, file=doc.file, tmi_version=model.tmi_version, policy=policy,
                           apps=apps, base_dir=str(path.parent), app_json=model.app_json, consent=consent,
                           token_env=model.heroku.token_env if model.heroku else None)
    return env, []


def _to_app(role: str, spec: AppFile, doc: Document, roles: set[Role], problem: Any) -> AppDesired | None:
    base: KeyPath = ("apps", role)
    if spec.name is None:
        problem(base, f"app '{role}' has no Heroku app name", "add name: my-tmi-" + role)
        return None
    config: dict[str, VarSpec] = {}
    for key, source in (spec.config or {}).items():
        at = (*base, "config", key)
        if not VAR_NAME.match(key):
            problem(at, f"'{key}' is not a valid config var name", "use letters, digits and underscores")
            continue
        if source is None:
            problem(at, f"'{key}' has no value", "write '' for an empty string, or remove the key")
            continue
        if isinstance(source, FromAddon) and source.addon not in (spec.addons or {}):
            problem(at, f"'{key}' reads add-on '{source.addon}', which app '{role}' does not declare",
                    f"declare addons: {{{source.addon}: service:plan}} on this app")
            continue
        if isinstance(source, FromApp) and source.app not in roles:
            problem(at, f"'{key}' reads the URL of app '{source.app}', which this environment does not declare",
                    f"declare apps.{source.app} or use a literal URL")
            continue
        config[key] = VarSpec(name=key, source=source, sensitive=_sensitive(role, key, source),
                              origin=_origin(doc.loc(at)))
    addons: dict[str, AddonDesired] = {}
    for attachment, addon in (spec.addons or {}).items():
        at = (*base, "addons", attachment)
        plan = addon.plan if isinstance(addon, AddonSpec) else addon
        if plan is None:
            continue
        if not PLAN_NAME.match(plan):
            problem(at, f"add-on plan '{plan}' is not service:plan", "e.g. heroku-postgresql:essential-0")
            continue
        if not VAR_NAME.match(attachment):
            problem(at, f"attachment name '{attachment}' is invalid", "use e.g. DATABASE or REDIS")
            continue
        addons[attachment] = AddonDesired(attachment=attachment, plan=plan, origin=_origin(doc.loc(at)))
    field_origins = {f"{section}.{key}": _origin(doc.loc((*base, section, key)))
                     for section in ("features", "formation") for key in (getattr(spec, section) or {})}
    for section in ("buildpacks", "collaborators", "region", "stack"):
        field_origins[section] = _origin(doc.loc((*base, section)))
    formation = {ptype: Formation(quantity=f.quantity, size=f.size.lower())
                 for ptype, f in (spec.formation or {}).items() if f is not None}
    return AppDesired(
        role=role,
        name=spec.name, region=spec.region or DEFAULT_REGION, stack=spec.stack or DEFAULT_STACK,
        team=spec.team, url=spec.url.rstrip("/") if spec.url else None, config=config, addons=addons,
        features=dict(spec.features or {}), formation=formation,
        buildpacks=tuple(spec.buildpacks) if spec.buildpacks is not None else None,
        collaborators=tuple(spec.collaborators or ()), origin=_origin(doc.loc(base)), field_origins=field_origins,
    )


__all__ = ["ROLES", "discover", "display_path", "load_base", "load_environment", "load_environments"]
