"""Extract every environment variable name a TMI program reads, from its source at a git ref.

    python tools/extract_tmi_names.py server REPO REF > tmi_deploy/catalog/data/server-1.8.22.json
    python tools/extract_tmi_names.py client REPO REF > tmi_deploy/catalog/data/client-1.13.2.json

REPO is a checkout (or bare mirror) of ericfitz/tmi (server) or ericfitz/tmi-ux (client). Only git is
needed: files are read at REF with `git cat-file`, so the work tree is never touched.

Server: the Go packages cmd/server imports, transitively within the module (other binaries, scripts/,
test/ and *_test.go files do not run in the server dyno). In them: `env:"NAME"` struct tags, string
literals passed to os.Getenv/os.LookupEnv or to any function that passes its first parameter to them
(envutil.Get, getEnvInt...), constants and `range []string{...}` lists passed the same way, and the
run-time families: a prefix built with fmt.Sprintf("OAUTH_PROVIDERS_%s_", id) plus a literal field,
or a prefix scanned from os.Environ(). Reads inside functions nothing calls are set apart as "dead".
Any read this script cannot explain makes it fail: teach it (SCANS, DEAD) rather than guess.

Client: `process.env.NAME` in tmi-ux's server.js, the only code that runs on the dyno (the Angular
bundle is built before and reads no environment).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from go_env_reads import COMMENT, GoReads  # the analysis, beside this script

IMPORT_BLOCK = re.compile(r"^import \((.*?)^\)", re.MULTILINE | re.DOTALL)
IMPORT_LINE = re.compile(r'^import (?:\w+ )?"([^"]+)"', re.MULTILINE)
KEY_ENV = re.compile(r'Key: *"([a-z0-9_.]+)"[^}\n]*EnvVar: *"([A-Z0-9_]+)"|\{"([a-z0-9_.]+)", [^,]+, "([A-Z0-9_]+)"')
REFERENCE_ROW = re.compile(r"^\| `([a-z0-9_.]+)` \|(.*)\|$", re.MULTILINE)
# process.env used any other way (process.env[name], const { X } = process.env, passing it on): unreadable.
JS_ENV_OTHER = re.compile(r"process\.env(?!\.[A-Z0-9_]+\b|\[['\"][A-Z0-9_]+['\"]\])")
JS_ENV = re.compile(r"process\.env(?:\.([A-Z0-9_]+)|\[['\"]([A-Z0-9_]+)['\"]\])")


def git(repo: str, *args: str, data: str | None = None) -> str:
    return subprocess.run(["git", "-C", repo, *args], input=data, capture_output=True, text=True, check=True).stdout


def read_files(repo: str, ref: str, paths: list[str], optional: bool = False) -> dict[str, str]:
    request = "".join(f"{ref}:{path}\n" for path in paths).encode()
    rest = subprocess.run(["git", "-C", repo, "cat-file", "--batch"], input=request, capture_output=True,
                          check=True).stdout
    files: dict[str, str] = {}
    for path in paths:
        header, _, rest = rest.partition(b"\n")
        fields = header.split()
        if len(fields) == 2 and fields[1] == b"missing" and optional:
            files[path] = ""
            continue
        if len(fields) != 3:
            sys.exit(f"{ref}:{path}: {header.decode(errors='replace')}")
        size = int(fields[2])
        files[path], rest = rest[:size].decode(errors="replace"), rest[size + 1:]
    return files


def go_packages(repo: str, ref: str) -> tuple[str, dict[str, dict[str, str]]]:
    """The module path and its non-test Go files, grouped by package directory."""
    paths = [p for p in git(repo, "ls-tree", "-r", "--name-only", ref).splitlines()
             if p.endswith(".go") and not p.endswith("_test.go")]
    files = read_files(repo, ref, [*paths, "go.mod"])
    module = files.pop("go.mod").split()[1]
    packages: dict[str, dict[str, str]] = {}
    for path, text in files.items():
        # Comments blanked (lines kept): a comment that names a function or variable reads nothing.
        packages.setdefault(str(Path(path).parent), {})[path] = COMMENT.sub("", text)
    return module, packages


def imports(text: str, module: str) -> Iterator[str]:
    blocks = [m.group(1) for m in IMPORT_BLOCK.finditer(text)] + [m.group(0) for m in IMPORT_LINE.finditer(text)]
    for block in blocks:
        for path in re.findall(r'"([^"]+)"', block):
            if path.startswith(module + "/"):
                yield path[len(module) + 1:]


def reachable(root: str, module: str, packages: dict[str, dict[str, str]]) -> list[str]:
    seen, todo = {root}, [root]
    while todo:
        for text in packages.get(todo.pop(), {}).values():
            for dep in imports(text, module):
                if dep not in seen and dep in packages:
                    seen.add(dep)
                    todo.append(dep)
    return sorted(seen)


def settings(files: dict[str, str], reference: str) -> dict[str, dict[str, object]]:
    """TMI's own account of each setting (config-reference.md, generated from its registry), by env name."""
    env_of: dict[str, str] = {}
    for text in files.values():
        for match in KEY_ENV.finditer(text):
            env_of[match.group(1) or match.group(3)] = match.group(2) or match.group(4)
    found: dict[str, dict[str, object]] = {}
    for match in REFERENCE_ROW.finditer(reference):
        cells = [cell.strip() for cell in match.group(2).split("|")]
        bootstrap = cells[0].startswith("`")  # bootstrap rows name the env var; operational rows start with the type
        env = cells[0].strip("`") if bootstrap else env_of.get(match.group(1))
        if env is None:
            continue
        cells = cells[1:] if bootstrap else cells
        default = cells[1].strip("`") if cells[1].startswith("`") else None
        found[env] = {"key": match.group(1), "type": cells[0], "default": default,
                      "required": bootstrap and cells[2] == "yes", "secret": cells[-3] == "yes",
                      "category": "bootstrap" if bootstrap else "operational"}
    return dict(sorted(found.items()))


def server_reads(repo: str, ref: str) -> dict[str, object]:
    module, packages = go_packages(repo, ref)
    scope = reachable("cmd/server", module, packages)
    reads = GoReads({path: text for pkg in scope for path, text in packages[pkg].items()})
    reads.scan()
    if reads.unexplained:
        sys.exit("reads this script cannot explain:\n  " + "\n  ".join(reads.unexplained))
    extra = read_files(repo, ref, [".version", "config-reference.md"], optional=True)
    version = json.loads(extra[".version"])
    return {"version": "{major}.{minor}.{patch}".format(**version), "scope": scope,
            "names": _sorted(reads.names), "families": _sorted(reads.families),
            "go_types": dict(sorted(reads.go_types.items())),
            "settings": settings(reads.files, extra["config-reference.md"]),
            "dead": _sorted({name: sites for name, sites in reads.dead.items()
                             if name not in reads.names and name not in reads.families})}


def client_reads(repo: str, ref: str) -> dict[str, object]:
    text = read_files(repo, ref, ["server.js"])["server.js"]
    other = [text.count("\n", 0, m.start()) + 1 for m in JS_ENV_OTHER.finditer(text)]
    if other:
        sys.exit(f"server.js reads process.env in a way this script cannot follow, lines {other}")
    names: dict[str, list[str]] = {}
    for match in JS_ENV.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        names.setdefault(match.group(1) or match.group(2), []).append(f"server.js:{line}")
    version = json.loads(read_files(repo, ref, ["package.json"])["package.json"])["version"]
    return {"version": version, "scope": ["server.js"], "names": _sorted(names), "families": {}, "go_types": {},
            "settings": {}, "dead": {}}


def _sorted(found: dict[str, list[str]]) -> dict[str, list[str]]:
    return {name: sorted(set(sites)) for name, sites in sorted(found.items())}


def main(argv: list[str]) -> None:
    if len(argv) != 3 or argv[0] not in ("server", "client"):
        sys.exit(__doc__)
    app, repo, ref = argv
    commit = git(repo, "rev-parse", f"{ref}^{{commit}}").strip()
    reads = server_reads(repo, commit) if app == "server" else client_reads(repo, commit)
    source = "ericfitz/tmi" if app == "server" else "ericfitz/tmi-ux"
    print(json.dumps({"app": app, "source": source, "commit": commit, **reads}, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
