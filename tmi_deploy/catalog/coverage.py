"""Does the catalogue agree with what TMI's source says it reads? Pure: catalogue and extraction in, reasons out.

tests/test_catalog_coverage.py runs this for every shipped extraction; a disagreement names the variable
and what to change. A new TMI version: docs/tmi-config.md, "Adding a TMI version".
"""

from __future__ import annotations

from collections.abc import Iterator

from tmi_deploy.catalog.extracted import Extracted
from tmi_deploy.catalog.families import Family
from tmi_deploy.catalog.var import Var, parse_version

# How TMI parses a struct-tagged field (setFieldFromString), and the catalogue types that agree with it.
GO_TYPES = {"bool": {"bool"}, "int": {"int"}, "int64": {"int"}, "float64": {"float"}, "time.Duration": {"duration"},
            "[]string": {"list", "urls"},
            "string": {"string", "url", "urls", "enum", "hex32", "path", "list", "duration"}}


def _member(name: str, patterns: frozenset[str]) -> bool:
    """Whether ``name`` fits a concrete-key family such as TMI_SECRET_<KEY>."""
    return any(p.endswith("<KEY>") and "<ID>" not in p and name.startswith(p.removesuffix("<KEY>")) for p in patterns)


def disagreements(found: Extracted, variables: tuple[Var, ...], families: tuple[Family, ...]) -> list[str]:
    version = parse_version(found.version)
    known = {var.name: var for var in variables if var.app == found.app and var.read_by(version)}
    where = f"{found.app} {found.version} ({found.commit[:8]})"
    problems = [f"{name}: {where} reads it; add it to the catalogue" for name in sorted(found.names - set(known))]
    problems += [f"{name}: the catalogue says {where} reads it; the source does not (era, or remove it)"
                 for name, var in sorted(known.items())
                 if var.reader == "tmi" and name not in found.names and not _member(name, found.families)]
    problems += [f"{name}: {where} declares it but never reads it; the catalogue calls it read"
                 for name in sorted(found.unread & set(known))]
    if found.app == "server":
        patterns = {family.pattern for family in families}
        problems += [f"{p}: {where} reads this family; add it to catalog/families.py" for p in sorted(found.families - patterns)]
        problems += [f"{p}: catalog/families.py has it; {where} reads no such family" for p in sorted(patterns - found.families)]
    problems += list(_details(found, known))
    return problems


def _details(found: Extracted, known: dict[str, Var]) -> Iterator[str]:
    """Type, default, secrecy, required, operational: the catalogue against TMI's own registry."""
    for name, go_type in found.go_types:
        var = known.get(name)
        if var is not None and var.type not in GO_TYPES.get(go_type, {var.type}):
            yield f"{name}: TMI parses it as Go {go_type}; the catalogue says {var.type}"
    for name, entry in found.settings:
        var = known.get(name)
        if var is None:
            continue
        if entry["default"] is not None and var.default != entry["default"]:
            yield f"{name}: TMI's default is {entry['default']!r}; the catalogue says {var.default!r}"
        if entry["secret"] and not var.secret:
            yield f"{name}: TMI masks it as secret; the catalogue does not"
        if entry["required"] and entry["default"] is None and not var.required:
            yield f"{name}: TMI refuses to start without it; the catalogue does not require it"
        if entry["category"] == "operational" and not var.operational:
            yield f"{name}: a DB-backed (operational) setting in TMI; the catalogue says bootstrap"


# The extractions the catalogue is proven against; tests/test_catalog_coverage.py holds it to them. Other
# shipped extractions (server 0.276.9) feed the upgrade report only: the catalogue's pre-rename names are the
# deployment guide's table, which that extraction contradicts (docs/tmi-config.md).
PROVEN = (("server", "1.8.22"), ("client", "1.13.2"))
