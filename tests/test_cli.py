"""The command line contract: exit codes, formats, files, errors without tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from tests.conftest import ROOT, make_sandbox
from tmi_deploy.sandbox.serve import serving


def test_version(cli: Any) -> None:
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.startswith("tmi-deploy ")


def test_validate_shipped(cli: Any) -> None:
    result = cli("validate")
    assert result.exit_code == 0, result.output
    assert "OK: production, staging valid; template _review@example (0 warnings)." in result.stdout
    strict = cli("validate", "--strict")
    assert strict.exit_code == 0, strict.output


def test_validate_reports_all_problems_without_traceback(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "environments" / "broken.yml").write_text("extends: _base.yml\napps:\n  server:\n    nme: x\n"
                                                          "    regoin: us\n")
    result = cli("validate")
    assert result.exit_code == 1
    assert "environments/broken.yml:4:5: error: apps.server.nme: unknown field 'nme'" in result.output
    assert "broken.yml:5:5" in result.output and "did you mean 'region'?" in result.output
    assert "Traceback" not in result.output


def test_validate_lint_errors_and_strict_warnings(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "environments" / "bad.yml").write_text(
        "extends: _base.yml\napps:\n  server:\n    name: tmi-bad\n    config:\n      TMI_SERVER_PORT: 8080\n"
        "  client: {name: tmi-bad-ux}\n")
    result = cli("validate", "bad")
    assert result.exit_code == 1 and "bad.yml:6:7: error [PORT]" in result.output
    (tmp_path / "environments" / "warn.yml").write_text(
        "extends: _base.yml\napps:\n  server:\n    name: tmi-warn\n    config:\n      LOGGING_LEVEL: info\n"
        "  client: {name: tmi-warn-ux}\n")
    assert cli("validate", "warn").exit_code == 0
    strict = cli("validate", "--strict", "warn")
    assert strict.exit_code == 1 and "warning [NOT-READ]" in strict.output


def test_unknown_environment(cli: Any) -> None:
    result = cli("--sandbox", "plan", "prodution")
    assert result.exit_code == 1 and "did you mean 'production'?" in result.output and "Traceback" not in result.output


def test_schema_is_valid_and_shipped_files_point_at_it(cli: Any) -> None:
    result = cli("schema")
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    shipped = json.loads((ROOT / "environments" / "schema.json").read_text())
    assert shipped == schema, "run: tmi-deploy schema > environments/schema.json"
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((ROOT / "environments").glob("*.yml")):
        assert path.read_text().startswith("# yaml-language-server: $schema=./schema.json")
        assert not list(validator.iter_errors(yaml.safe_load(path.read_text()))), path
    plan_schema = json.loads(cli("schema", "--plan").stdout)
    jsonschema.Draft202012Validator.check_schema(plan_schema)


def test_app_json_check_write_and_validate(cli: Any, tmp_path: Path) -> None:
    assert cli("app-json", "--check").exit_code == 0
    manifest = json.loads((tmp_path / "app.json").read_text())
    assert manifest["addons"] == [{"plan": "heroku-postgresql:essential-0", "as": "DATABASE"},
                                  {"plan": "rediscloud:30", "as": "REDISCLOUD"}]
    assert manifest["env"]["TMI_JWT_SECRET"]["generator"] == "secret"
    assert manifest["formation"] == {"web": {"quantity": 1, "size": "basic"}}
    manifest["addons"] = manifest["addons"][:1]
    (tmp_path / "app.json").write_text(json.dumps(manifest))
    assert cli("app-json", "--check").exit_code == 1
    failed = cli("validate")
    assert failed.exit_code == 1 and "[APP-JSON]" in failed.output and "'addons' differs" in failed.output
    assert cli("app-json", "--write").exit_code == 0
    assert cli("validate").exit_code == 0


def test_plan_apply_plan_on_the_embedded_sandbox(cli: Any, tmp_path: Path) -> None:
    first = cli("--sandbox", "plan", "staging", "--detailed-exitcode")
    assert first.exit_code == 2, first.output
    assert "+ app tmi-server-staging" in first.stdout and "Plan: " in first.stdout
    applied = cli("--sandbox", "apply", "staging", "--yes")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete" in applied.stdout and "tmi-server-staging: 1" in applied.stdout
    again = cli("--sandbox", "plan", "staging", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.stdout
    assert (tmp_path / ".tmi-deploy" / "sandbox.json").is_file()
    assert cli("--sandbox", "apply", "staging", "--yes").stdout.startswith("No changes for staging")


def test_several_environments_plan_together(cli: Any) -> None:
    result = cli("--sandbox", "plan", "staging", "production", "--format", "json")
    document = json.loads(result.stdout)
    assert [e["environment"] for e in document["environments"]] == ["staging", "production"]


def test_formats_and_plan_file_hold_no_secret(cli: Any, tmp_path: Path) -> None:
    cli("--sandbox", "apply", "staging", "--yes")
    state = json.loads((tmp_path / ".tmi-deploy" / "sandbox.json").read_text())
    server = next(a for a in state["apps"].values() if a["name"] == "tmi-server-staging")
    secrets = [server["config"][k] for k in ("TMI_JWT_SECRET", "TMI_SECRET_SETTINGS_ENCRYPTION_KEY",
                                               "TMI_DATABASE_URL", "DATABASE_URL", "TMI_REDIS_URL")]
    env_file = tmp_path / "environments" / "staging.yml"
    env_file.write_text(env_file.read_text().replace("TMI_LOG_LEVEL: debug", "TMI_LOG_LEVEL: warn"))
    outputs = []
    for fmt in ("text", "markdown", "json"):
        result = cli("--sandbox", "plan", "staging", "--format", fmt, "--out", str(tmp_path / f"plan.{fmt}"))
        assert result.exit_code == 0
        outputs += [result.output, (tmp_path / f"plan.{fmt}").read_text()]
    assert "- `~` config `TMI_LOG_LEVEL`\\\n  `debug` → `warn`\\\n" in outputs[2]
    for output in outputs:
        for secret in secrets:
            assert secret not in output


def test_apply_with_saved_plan_and_stale_plan(cli: Any, tmp_path: Path) -> None:
    cli("--sandbox", "apply", "staging", "--yes")
    env_file = tmp_path / "environments" / "staging.yml"
    env_file.write_text(env_file.read_text().replace("TMI_LOG_LEVEL: debug", "TMI_LOG_LEVEL: warn"))
    assert cli("--sandbox", "plan", "staging", "--out", "reviewed.json").exit_code == 0
    env_file.write_text(env_file.read_text().replace("TMI_LOG_LEVEL: warn", "TMI_LOG_LEVEL: error"))
    stale = cli("--sandbox", "apply", "staging", "--yes", "--plan", "reviewed.json")
    assert stale.exit_code == 4 and "changed since review" in stale.output and "TMI_LOG_LEVEL" in stale.output
    env_file.write_text(env_file.read_text().replace("TMI_LOG_LEVEL: error", "TMI_LOG_LEVEL: warn"))
    ok = cli("--sandbox", "apply", "staging", "--yes", "--plan", "reviewed.json")
    assert ok.exit_code == 0, ok.output
    assert cli("--sandbox", "apply", "staging", "--yes", "--plan", "missing.json").exit_code == 1


def test_apply_refuses_without_yes_when_not_interactive(cli: Any) -> None:
    result = cli("--sandbox", "apply", "staging")
    assert result.exit_code == 1 and "refusing to apply without --yes" in result.output


def test_missing_credentials_are_clear(cli: Any) -> None:
    result = cli("plan", "staging")
    assert result.exit_code == 1
    assert "no Heroku credentials: set HEROKU_API_KEY" in result.output and "Traceback" not in result.output


def test_api_url_against_served_sandbox(cli: Any) -> None:
    box = make_sandbox()
    box.state["tokens"] = ["served-token"]
    with serving(box) as url:
        rejected = cli("--api-url", url, "plan", "staging", env={"HEROKU_API_KEY": "nope"})
        assert rejected.exit_code == 1 and "rejected" in rejected.output and "nope" not in rejected.output
        ok = cli("--api-url", url, "apply", "staging", "--yes", env={"HEROKU_API_KEY": "served-token"})
        assert ok.exit_code == 0, ok.output
        assert cli("--api-url", url, "plan", "staging", "--detailed-exitcode",
                   env={"HEROKU_API_KEY": "served-token"}).exit_code == 0


def test_rejected_token_is_one_line_without_traceback_in_a_real_process(tmp_path: Path) -> None:
    """In-process runs (CliRunner) never show what asyncio logs when the interpreter exits."""
    shutil.copytree(ROOT / "environments", tmp_path / "environments")
    box = make_sandbox()
    box.state["tokens"] = ["served-token"]
    token = "bad-token-<script>alert(1)</script>"  # hostile markup, never echoed
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("HEROKU_", "TMI_"))}
    with serving(box) as url:
        result = subprocess.run([sys.executable, "-m", "tmi_deploy", "--api-url", url, "plan", "staging"], cwd=tmp_path,
                                env={**environ, "HEROKU_API_KEY": token}, capture_output=True, text=True, timeout=120,
                                check=False)
    assert result.returncode == 1 and "token was rejected" in result.stderr
    assert "bad-token" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr and "never retrieved" not in result.stderr, result.stderr


def test_import_writes_an_environment_whose_plan_is_empty(cli: Any, tmp_path: Path) -> None:
    cli("--sandbox", "apply", "staging", "--yes")
    result = cli("--sandbox", "import", "copy", "--app", "server=tmi-server-staging", "--app",
                 "client=tmi-ux-staging", "--write")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "environments" / "copy.yml").read_text()
    config = yaml.safe_load(text)["apps"]["server"]["config"]
    assert config["TMI_JWT_SECRET"] == {"generate": "base64", "bytes": 32}  # keeps the live key, never its value
    assert config["TMI_DATABASE_URL"] == {"addon": "DATABASE", "part": "url", "sslmode": "require"}
    state = json.loads((tmp_path / ".tmi-deploy" / "sandbox.json").read_text())
    live = next(a for a in state["apps"].values() if a["name"] == "tmi-server-staging")["config"]
    for secret in (live["TMI_JWT_SECRET"], live["TMI_DATABASE_URL"], live["TMI_SECRET_SETTINGS_ENCRYPTION_KEY"]):
        assert secret not in text
    assert cli("--sandbox", "plan", "copy", "--detailed-exitcode").exit_code == 0
    again = cli("--sandbox", "import", "copy", "--app", "server=tmi-server-staging", "--write")
    assert again.exit_code == 1 and "exists" in again.output
    assert cli("--sandbox", "import", "x", "--app", "web=tmi-server-staging").exit_code == 1
    assert cli("--sandbox", "import", "x", "--app", "server=nope-nope").exit_code == 1


def test_sandbox_reset_and_deploy(cli: Any, tmp_path: Path) -> None:
    cli("--sandbox", "apply", "staging", "--yes")
    deployed = cli("sandbox", "deploy", "tmi-server-staging")
    assert deployed.exit_code == 0 and "Deploy" in deployed.stdout
    plan = cli("--sandbox", "plan", "staging", "--detailed-exitcode")
    assert plan.exit_code == 0  # web: 1 x basic is what a deploy starts with
    assert cli("sandbox", "reset").exit_code == 0
    assert cli("--sandbox", "plan", "staging", "--detailed-exitcode").exit_code == 2


def test_sandbox_plan_files_are_keyed_per_sandbox_never_by_a_constant(cli: Any, tmp_path: Path) -> None:
    import hashlib
    import hmac

    from tmi_deploy.cli.inputs import fingerprint_key
    from tmi_deploy.sandbox import sandbox_plan_key

    def public_fingerprints() -> dict[str, tuple[str, str]]:
        result = cli("--sandbox", "plan", "staging", "--format", "json")
        changes = json.loads(result.stdout)["environments"][0]["changes"]
        return {c["key"]: (c["new"], c["fingerprint"]) for c in changes if c["fingerprint"] and not c["sensitive"]}

    def keyed(material: str, value: str) -> str:
        return hmac.new(fingerprint_key(material), value.encode(), hashlib.sha256).hexdigest()[:32]

    first = public_fingerprints()
    assert first and first == public_fingerprints()  # stable for one sandbox
    key = sandbox_plan_key(tmp_path / ".tmi-deploy" / "sandbox.json").hex()
    assert all(fp == keyed(key, value) and fp != keyed("sandbox-token", value) for value, fp in first.values())
    assert cli("sandbox", "reset").exit_code == 0
    again = public_fingerprints()
    assert again.keys() == first.keys() and all(again[k][1] != first[k][1] for k in first)  # new sandbox, new key


def test_validate_never_prints_credentials_a_lint_message_quotes(cli: Any, tmp_path: Path) -> None:
    staging = tmp_path / "environments" / "staging.yml"
    staging.write_text(staging.read_text() + "    # appended\n")
    text = staging.read_text().replace("    config:\n", "    config:\n      TMI_CORS_ALLOWED_ORIGINS: "
                                       "https://ops:hunter2hunter2@client.example.com/\n", 1)
    staging.write_text(text)
    result = cli("validate", "staging")
    assert result.exit_code == 1 and "ends with a slash" in result.output  # the finding is there
    assert "hunter2hunter2" not in result.output


def test_sandbox_serve_refuses_a_port_out_of_range(cli: Any) -> None:
    result = cli("sandbox", "serve", "--port", "99999")
    assert result.exit_code != 0 and "less than or equal to 65535" in result.output
