"""Legacy names as renames: which name a server version reads for the same setting an old name set."""

from __future__ import annotations

from tmi_deploy.catalog.rule import Version
from tmi_deploy.catalog.variables import RENAME_VERSION, server_var


def legacy_rename(name: str, version: Version) -> str | None:
    """The TMI_ name that TMI ``version`` reads for exactly what legacy ``name`` set, else None.

    Since the rename a legacy name maps to its replacement when both configure one setting
    (LOGGING_LEVEL -> TMI_LOG_LEVEL); a replacement that means something else (POSTGRES_HOST ->
    TMI_DATABASE_URL, a whole URL) is no rename. Before it, an unprefixed name maps to its TMI_ spelling,
    which those servers read alike (LOGGING_LEVEL -> TMI_LOGGING_LEVEL).
    """
    old = server_var(name)
    if old is None or old.era != "legacy":
        return None
    target = old.replaced_by if version >= RENAME_VERSION else f"TMI_{name}"
    new = server_var(target)
    if new is None or new.name == name or not new.read_by(version) or new.setting != old.setting:
        return None
    return new.name
