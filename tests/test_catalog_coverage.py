"""The catalogue against what TMI's source reads (catalog/data/, from tools/extract_tmi_names.py)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from tmi_deploy.catalog.coverage import PROVEN, disagreements
from tmi_deploy.catalog.extracted import Extracted, available, extracted
from tmi_deploy.catalog.families import SERVER_FAMILIES, Family
from tmi_deploy.catalog.upgrade import for_environment, version_changes
from tmi_deploy.catalog.var import Var
from tmi_deploy.catalog.variables import CLIENT, CURRENT_SERVER, LEGACY_SERVER

ALL = CURRENT_SERVER + LEGACY_SERVER + CLIENT
DATA = Path(__file__).parent.parent / "tmi_deploy" / "catalog" / "data"


def source(app: str, version: str) -> Extracted:
    found = extracted(app, version)  # type: ignore[arg-type]
    assert found is not None, f"no extraction for {app} {version} in {DATA}"
    return found


def without(name: str) -> tuple[Var, ...]:
    assert any(var.name == name for var in ALL)
    return tuple(var for var in ALL if var.name != name)


def changed(name: str, **changes: object) -> tuple[Var, ...]:
    return tuple(dataclasses.replace(var, **changes) if var.name == name else var for var in ALL)  # type: ignore[arg-type]


@pytest.mark.parametrize(("app", "version"), PROVEN)
def test_catalogue_agrees_with_the_source_tmi_reads(app: str, version: str) -> None:
    assert disagreements(source(app, version), ALL, SERVER_FAMILIES) == []


@pytest.mark.parametrize(("app", "version", "name"), [("server", "1.8.22", "TMI_TIMMY_LLM_API_KEY"),
                                                      ("server", "1.8.22", "PORT"),
                                                      ("client", "1.13.2", "TMI_SECURITY_ENABLE_HSTS")])
def test_coverage_fails_when_a_name_is_removed_from_the_catalogue(app: str, version: str, name: str) -> None:
    found = disagreements(source(app, version), without(name), SERVER_FAMILIES)
    assert found == [f"{name}: {app} {version} ({source(app, version).commit[:8]}) reads it; add it to the catalogue"]


def test_coverage_fails_when_the_catalogue_claims_a_name_tmi_does_not_read() -> None:
    bogus = (*ALL, Var("TMI_LOG_LEVL", "string"))
    assert [p for p in disagreements(source("server", "1.8.22"), bogus, SERVER_FAMILIES)
            if p.startswith("TMI_LOG_LEVL: the catalogue says server 1.8.22")]


def test_coverage_fails_when_an_unread_tag_is_called_read() -> None:
    # TMI_SAML_ENTITY_ID is a struct tag on a map value: TMI never reads it from the environment.
    found = disagreements(source("server", "1.8.22"), changed("TMI_SAML_ENTITY_ID", era="current"), SERVER_FAMILIES)
    assert any(p.startswith("TMI_SAML_ENTITY_ID:") and "never reads it" in p for p in found), found


@pytest.mark.parametrize(("name", "changes", "says"), [
    ("TMI_LOG_IS_DEV", {"default": "false"}, "TMI's default is 'true'"),
    ("TMI_TIMMY_LLM_API_KEY", {"secret": False}, "TMI masks it as secret"),
    ("TMI_DB_MAX_OPEN_CONNS", {"type": "string"}, "TMI parses it as Go int"),
    ("TMI_JWT_SECRET", {"required": False}, "refuses to start without it"),
    ("TMI_TIMMY_ENABLED", {"operational": False}, "DB-backed (operational)"),
])
def test_coverage_fails_when_a_detail_disagrees_with_tmi(name: str, changes: dict[str, object], says: str) -> None:
    found = disagreements(source("server", "1.8.22"), changed(name, **changes), SERVER_FAMILIES)
    assert [p for p in found if p.startswith(f"{name}:") and says in p], found


def test_coverage_fails_when_a_family_is_missing_or_invented() -> None:
    families = tuple(f for f in SERVER_FAMILIES if f.pattern != "SAML_PROVIDERS_<ID>_IDP_METADATA_B64XML")
    found = disagreements(source("server", "1.8.22"), ALL, (*families, Family("OAUTH_PROVIDERS_<ID>_ID")))
    assert found == [
        "SAML_PROVIDERS_<ID>_IDP_METADATA_B64XML: server 1.8.22 (05517d8c) reads this family; add it to catalog/families.py",
        "OAUTH_PROVIDERS_<ID>_ID: catalog/families.py has it; server 1.8.22 (05517d8c) reads no such family"]


def test_every_extraction_names_the_commit_and_version_it_came_from() -> None:
    for path in sorted(DATA.glob("*.json")):
        data = json.loads(path.read_text())
        assert path.name == f"{data['app']}-{data['version']}.json"
        assert re.fullmatch(r"[0-9a-f]{40}", data["commit"]), path
        assert data["source"] in ("ericfitz/tmi", "ericfitz/tmi-ux")
    assert set(PROVEN) <= set(available())


def test_upgrade_lists_names_the_new_version_stops_reading_and_starts_requiring() -> None:
    changes = version_changes("0.276.9", "1.8.22")
    assert changes is not None
    assert "LOGGING_LEVEL" in changes.stops_reading and "TMI_LOG_LEVEL" not in changes.stops_reading
    assert "TMI_LOG_LEVEL" in changes.starts_reading
    assert "TMI_DATABASE_URL" in changes.starts_requiring
    lines = for_environment(changes, ["LOGGING_LEVEL", "TMI_JWT_SECRET", "TMI_BUILD_MODE"])
    assert lines == ["LOGGING_LEVEL: TMI 1.8.22 no longer reads it (TMI 0.276.9 did)",
                     "TMI_DATABASE_URL: TMI 1.8.22 requires it and it is not declared"]


def test_upgrade_without_extracted_data_is_unknown_not_empty() -> None:
    assert version_changes("1.8.22", "1.8.23") is None
    assert version_changes("1.8.22", "1.8.22") is not None
