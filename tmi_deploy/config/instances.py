"""Review environments: one template file, many instances (`--instance pr-123`).

A template writes `{instance}` in its app names (and anywhere else a value should differ per
instance, e.g. a custom URL); loading it with an instance replaces every `{instance}` in its values
before validation, so the usual name rules check the result. An instance is named `TEMPLATE@INSTANCE`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tmi_deploy.config.yamlsrc import Document
from tmi_deploy.errors import ConfigError, Problem

PLACEHOLDER = "{instance}"
_INSTANCE = re.compile(r"[a-z0-9][a-z0-9-]{0,19}")


def is_instance_name(text: str) -> bool:
    return _INSTANCE.fullmatch(text) is not None


def instance_name(template: str, instance: str | None) -> str:
    return template if instance is None else f"{template}@{instance}"


def instantiate(instance: str | None, shown_file: str) -> Callable[[Document], None]:
    def prepare(doc: Document) -> None:
        apps = doc.data.get("apps") if isinstance(doc.data, dict) else None
        apps = apps if isinstance(apps, dict) else {}  # a malformed document: validation reports it next
        names = [str(app.get("name", "")) for app in apps.values() if isinstance(app, dict)]
        templated = any(PLACEHOLDER in name for name in names)
        if templated and not all(PLACEHOLDER in name for name in names):
            # An instance owns only apps named after it: a fixed name could be another environment's app.
            raise ConfigError([Problem(shown_file, 1, 1, "apps", "every app name of a template holds {instance}",
                                       "write e.g. name: tmi-review-{instance}-server for each app")])
        if templated and instance is None:
            raise ConfigError([Problem(shown_file, 1, 1, "apps", "this environment is a template (its app names "
                                       "hold {instance})", "pass --instance NAME, e.g. --instance pr-123")])
        if instance is not None and not templated:
            raise ConfigError([Problem(shown_file, 1, 1, "apps", "--instance needs a template: no app name holds "
                                       "{instance}", "write e.g. name: tmi-review-{instance}-server")])
        if instance is not None:
            _replace_within(doc.data, instance)

    return prepare


def _replace_within(container: Any, instance: str) -> None:
    """Replace the placeholder in every string value of a parsed document, in place (keys stay)."""
    items = container.items() if isinstance(container, dict) else enumerate(container) \
        if isinstance(container, list) else ()
    for key, item in list(items):
        if isinstance(item, str):
            container[key] = item.replace(PLACEHOLDER, instance)
        else:
            _replace_within(item, instance)
