"""Rules about names: a config name the declared TMI version does not read (UNKNOWN-NAME), and what a
SAML provider needs before TMI can sign anyone in with it (SAML)."""

from __future__ import annotations

from collections.abc import Iterator

from tmi_deploy.catalog.buildpacks import buildpack_globs
from tmi_deploy.catalog.checks import literal
from tmi_deploy.catalog.families import providers
from tmi_deploy.catalog.names import candidates, closest, explained, undiscovered_provider
from tmi_deploy.catalog.rule import Version, finding, server
from tmi_deploy.config.models import AppDesired, Environment, VarSpec
from tmi_deploy.errors import Problem


def allowed_globs(env: Environment, app: AppDesired) -> tuple[str, ...]:
    """Names the environment uses on purpose: tolerate globs, buildpack settings, each add-on's own vars."""
    attachments = tuple(f"{attachment}_*" for attachment in app.addons)
    return (*env.policy.tolerate, *buildpack_globs(app.buildpacks), *attachments)


def rule_unknown_name(env: Environment, version: Version) -> Iterator[Problem]:
    for app in env.apps.values():
        names = list(app.config)
        values = [value for spec in app.config.values() if (value := literal(spec)) is not None]
        allowed = allowed_globs(env, app)
        for spec in app.config.values():
            if not explained(app.role, spec.name, names, values, allowed):
                yield _unknown(env, app, spec, version, names)


def _unknown(env: Environment, app: AppDesired, spec: VarSpec, version: Version, names: list[str]) -> Problem:
    enable = undiscovered_provider(spec.name, names) if app.role == "server" else None
    if enable is not None:
        return finding(spec, app, "UNKNOWN-NAME", f"{spec.name} is read only for a provider TMI discovers, and "
                       f"nothing declares {enable}", f"declare {enable}: true, or remove {spec.name}", "warning")
    meant = closest(spec.name, candidates(app.role, version, spec.name, names))
    guess = f"; did you mean {' or '.join(meant)}?" if meant else ""
    hint = (f"rename it to {meant[0]}" if meant else
            "remove it, or list it under policy.tolerate if something other than TMI reads it")
    reader = f"TMI {env.tmi_version}" if app.role == "server" else "tmi-ux"
    return finding(spec, app, "UNKNOWN-NAME", f"{spec.name} is not a name {reader} reads on the {app.role}{guess}",
                   hint, "warning")


# auth/saml/provider.go (NewSAMLProvider): without these TMI logs "Failed to initialize SAML provider"
# and skips the provider; the server starts, but nobody can sign in through it.
SAML_NEEDS = (("SP_PRIVATE_KEY", "SP_PRIVATE_KEY_PATH"), ("SP_CERTIFICATE", "SP_CERTIFICATE_PATH"),
              ("IDP_METADATA_URL", "IDP_METADATA_B64XML"), ("ACS_URL",), ("ENTITY_ID",))


def rule_saml(env: Environment, version: Version) -> Iterator[Problem]:
    app = server(env)
    if app is None:
        return
    for provider in providers("SAML_PROVIDERS_", app.config):
        prefix = f"SAML_PROVIDERS_{provider}_"
        enabled = app.config[f"{prefix}ENABLED"]
        if literal(enabled) not in (None, "true"):
            continue  # TMI compares with "true" exactly; generated or secret values are judged live
        missing = [" or ".join(prefix + field for field in need) for need in SAML_NEEDS
                   if not any(prefix + field in app.config for field in need)]
        if missing:
            yield finding(enabled, app, "SAML", f"SAML provider {provider.lower()} is enabled but TMI cannot start "
                          "it: it skips the provider and nobody signs in with it", "declare " + "; ".join(missing))
        yield from _saml_metadata(app, prefix)


def _saml_metadata(app: AppDesired, prefix: str) -> Iterator[Problem]:
    url, xml = app.config.get(f"{prefix}IDP_METADATA_URL"), app.config.get(f"{prefix}IDP_METADATA_B64XML")
    if url is not None and xml is not None:
        yield finding(xml, app, "SAML", f"{prefix}IDP_METADATA_URL and {prefix}IDP_METADATA_B64XML are both set; "
                      "TMI fetches the URL and ignores the XML", "remove one of them", "warning")
    for field, instead in (("METADATA_URL", "IDP_METADATA_URL"), ("METADATA_XML", "IDP_METADATA_B64XML (base64)")):
        spec = app.config.get(prefix + field)
        if spec is not None and url is None and xml is None:
            yield finding(spec, app, "SAML", f"{prefix}{field} is not the identity provider's metadata: TMI "
                          "derives its own from the ACS URL", f"use {prefix}{instead}", "warning")
