"""Environment files → frozen Environment: extends/overlay merge, validation, all problems at once.

The steps live in their own modules: yamlsrc (YAML with positions), extends (chains and overlay),
validation (schema errors at file:line:col), build (the frozen Environment and offline checks).
The loader reads only what it is given: the environments directory, the project root positions are
shown relative to, and whether paths may leave the directory (never argv or the environment).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

from tmi_deploy.config.build import to_environment
from tmi_deploy.config.extends import load_with_bases
from tmi_deploy.config.instances import PLACEHOLDER, instance_name, instantiate, is_instance_name
from tmi_deploy.config.limits import is_environment_name
from tmi_deploy.config.models import ROLES
from tmi_deploy.config.models import Environment as EnvironmentModel
from tmi_deploy.config.paths import LoadContext, display_path
from tmi_deploy.config.validation import validate_document
from tmi_deploy.config.yamlsrc import Document
from tmi_deploy.errors import ConfigError, Problem


def discover(env_dir: Path) -> list[str]:
    """Environment names in a folder: every *.yml except partials (leading underscore)."""
    return sorted(p.stem for p in env_dir.glob("*.yml") if not p.name.startswith("_"))


def discover_templates(env_dir: Path) -> list[str]:
    """Partials that are templates of environments (their text holds the instance placeholder)."""
    return sorted(p.stem for p in env_dir.glob("_*.yml") if PLACEHOLDER in p.read_text(encoding="utf-8",
                                                                                          errors="replace"))


def load_environments(env_dir: Path, names: list[str] | None = None, *, project_root: Path | None = None,
                      allow_outside_paths: bool = False, instance: str | None = None) -> list[EnvironmentModel]:
    """Load several environments, reporting every problem in every file before failing."""
    ctx = LoadContext.create(env_dir, project_root, allow_outside_paths)
    chosen = names or discover(env_dir)
    if not chosen:
        raise ConfigError([Problem(ctx.display(env_dir), 1, 1, "", "no environment files (*.yml) found",
                                   "create environments/<name>.yml or pass --environments DIR")])
    problems: list[Problem] = []
    envs: list[EnvironmentModel] = []
    for name in chosen:
        try:
            envs.append(_load(ctx, name, instance))
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    return envs


def load_environment(env_dir: Path, name: str, *, project_root: Path | None = None,
                     allow_outside_paths: bool = False, instance: str | None = None) -> EnvironmentModel:
    return _load(LoadContext.create(env_dir, project_root, allow_outside_paths), name, instance)


def check_environment_name(env_dir: Path, name: str) -> None:
    """Refuse a name that is not a plain file name in the environments directory (``../x``, ``/etc/x``)."""
    if not is_environment_name(name):
        shown = name.encode("unicode_escape").decode("ascii")[:60]
        raise ConfigError([Problem(display_path(env_dir, env_dir.resolve().parent), 1, 1, "",
                                   f"'{shown}' is not an environment name",
                                   "use letters, digits, '-' and '_' (the file environments/NAME.yml)")])


def _load(ctx: LoadContext, name: str, instance: str | None = None) -> EnvironmentModel:
    check_environment_name(ctx.env_dir, name)
    path = ctx.env_dir / f"{name}.yml"
    if not path.is_file():
        known = discover(ctx.env_dir) if ctx.env_dir.is_dir() else []
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known environments: {', '.join(known) or 'none'}"
        raise ConfigError([Problem(ctx.display(path), 1, 1, "", f"no environment named '{name}'", hint)])
    if instance is not None and not is_instance_name(instance):
        raise ConfigError([Problem(ctx.display(path), 1, 1, "", f"'{instance[:40]!s}' is not an instance name",
                                   "use up to 20 lowercase letters, digits and dashes, e.g. pr-123")])
    return _build(ctx, instance_name(name, instance), path, instantiate(instance, ctx.display(path)))


def load_base(env_dir: Path, file: str = "_base.yml", *, project_root: Path | None = None,
              allow_outside_paths: bool = False) -> EnvironmentModel:
    """The shared base as an environment of its own (app names may be absent there)."""
    ctx = LoadContext.create(env_dir, project_root, allow_outside_paths)
    path = env_dir / file
    if not path.is_file():
        raise ConfigError([Problem(ctx.display(path), 1, 1, "", "no base file",
                                   f"create {file} with the shared declaration")])
    return _build(ctx, path.stem, path, _default_app_names)


def _default_app_names(doc: Document) -> None:
    for role, app in (doc.data.get("apps") or {}).items():
        if isinstance(app, dict) and "name" not in app:
            app["name"] = f"tmi-{role}"


def _build(ctx: LoadContext, name: str, path: Path, prepare: Callable[[Document], None] | None) -> EnvironmentModel:
    doc, problems = load_with_bases(ctx, path)
    if doc is None or problems:
        raise ConfigError(problems)
    if prepare is not None:
        prepare(doc)
    model, problems = validate_document(doc)
    if model is None:
        raise ConfigError(problems)
    env, problems = to_environment(ctx, name, path, doc, model)
    if problems or env is None:
        raise ConfigError(problems)
    return env


__all__ = ["ROLES", "check_environment_name", "discover", "display_path", "load_base", "load_environment",
           "load_environments"]
