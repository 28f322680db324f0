"""tools/extract_tmi_names.py on a small Go module built here: what it counts as read, and what stops it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parent.parent
SCRIPT = ROOT / "tools" / "extract_tmi_names.py"

FILES = {
    "go.mod": "module example.com/tmi\n\ngo 1.22\n",
    ".version": '{"major": 9, "minor": 8, "patch": 7, "prerelease": ""}\n',
    "cmd/server/main.go": '''package main

import (
\t"os"

\t"example.com/tmi/internal/config"
\t"example.com/tmi/internal/envutil"
)

func main() {
\t_ = os.Getenv("PORT")
\t_ = envutil.Get("TMI_WRAPPED", "x")
\t// os.Getenv("IN_A_COMMENT")
\tbuildThing(config.Config{}, "TMI_SSRF_X")
}

func buildThing(cfg config.Config, envPrefix string) {
\t_ = os.Getenv(envPrefix + "_ALLOWLIST")
}
''',
    "internal/envutil/envutil.go": '''package envutil

import "os"

func Get(key, fallback string) string {
\tif value, ok := os.LookupEnv(key); ok && value != "" {
\t\treturn value
\t}
\treturn fallback
}

func ScanPrefixedMap(prefix string) map[string]string {
\tfor _, kv := range os.Environ() {
\t\t_ = kv
\t}
\treturn nil
}
''',
    "internal/config/config.go": '''package config

import (
\t"fmt"
\t"os"

\t"example.com/tmi/internal/envutil"
)

type Config struct {
\tServer    ServerConfig
\tProviders map[string]ProviderConfig
}

type ServerConfig struct {
\tPort    string `yaml:"port" env:"TMI_SERVER_PORT"`
\tWorkers int    `yaml:"workers" env:"TMI_WORKERS"`
}

type ProviderConfig struct {
\tEntity string `yaml:"entity" env:"TMI_UNWALKED"`
}

func load(envTag string, ids []string) {
\t_ = os.Getenv(envTag)
\tfor _, id := range ids {
\t\tenvPrefix := fmt.Sprintf("OAUTH_PROVIDERS_%s_", id)
\t\t_ = os.Getenv(envPrefix + "CLIENT_ID")
\t\t_ = envutil.ScanPrefixedMap(envPrefix + "USERINFO_CLAIMS_")
\t}
}
''',
    "internal/config/config_test.go": 'package config\n\nimport "os"\n\nvar _ = os.Getenv("TEST_ONLY")\n',
    "cmd/other/main.go": 'package main\n\nimport "os"\n\nfunc main() { _ = os.Getenv("NOT_IN_SERVER") }\n',
}


def repo(tmp_path: Path, files: dict[str, str]) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@example.com",
                                                     "commit", "-qm", "fixture"]):
        subprocess.run(["git", "-C", str(tmp_path), *command], check=True, capture_output=True)
    return tmp_path


def extract(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), "server", str(path), "HEAD"], capture_output=True, text=True,
                          check=False, timeout=120)


def test_extracts_what_the_server_binary_reads(tmp_path: Path) -> None:
    result = extract(repo(tmp_path, FILES))
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    assert data["version"] == "9.8.7" and len(data["commit"]) == 40
    assert sorted(data["names"]) == ["PORT", "TMI_SERVER_PORT", "TMI_SSRF_X_ALLOWLIST", "TMI_WORKERS", "TMI_WRAPPED"]
    assert data["names"]["PORT"] == ["cmd/server/main.go:11"]
    assert sorted(data["families"]) == ["OAUTH_PROVIDERS_<ID>_CLIENT_ID", "OAUTH_PROVIDERS_<ID>_USERINFO_CLAIMS_<KEY>"]
    assert data["go_types"] == {"TMI_SERVER_PORT": "string", "TMI_UNWALKED": "string", "TMI_WORKERS": "int"}
    # A tag on a struct reached only through a map is never walked, so never read.
    assert list(data["dead"]) == ["TMI_UNWALKED"]


@pytest.mark.parametrize(("path", "text", "says"), [
    ("cmd/server/extra.go", 'package main\n\nimport (\n\t"os"\n\t"strings"\n)\n\n'
     'var _ = os.Getenv(strings.ToUpper("x"))\n', "cmd/server/extra.go:8: strings.ToUpper"),
    ("cmd/server/scan.go", 'package main\n\nimport "os"\n\nvar _ = os.Environ()\n',
     "cmd/server/scan.go:5: scans os.Environ(); add its family to SCANS"),
])
def test_a_read_it_cannot_explain_stops_the_extraction(tmp_path: Path, path: str, text: str, says: str) -> None:
    result = extract(repo(tmp_path, {**FILES, path: text}))
    assert result.returncode != 0 and says in result.stderr and result.stdout == ""


def test_client_names_and_a_dynamic_read_that_stops_it(tmp_path: Path) -> None:
    files = {"package.json": '{"name": "tmi-ux", "version": "2.0.1"}\n',
             "server.js": "const a = process.env.TMI_API_URL;\nconst b = process.env['TMI_LOG_LEVEL'];\n"}
    run = [sys.executable, str(SCRIPT), "client", str(repo(tmp_path / "ok", files)), "HEAD"]
    result = subprocess.run(run, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["version"], data["names"]) == ("2.0.1", {"TMI_API_URL": ["server.js:1"], "TMI_LOG_LEVEL": ["server.js:2"]})
    files["server.js"] += "const { TMI_SECRET } = process.env;\n"
    run[3] = str(repo(tmp_path / "dynamic", files))
    result = subprocess.run(run, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode != 0 and "lines [3]" in result.stderr
