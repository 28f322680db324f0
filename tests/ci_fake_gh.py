"""A stand-in for the `gh` CLI on the workflow tests' PATH: records every call (argv and stdin) in
calls.jsonl and answers the few commands our workflows use from a state file and an artifacts folder,
failing the way gh fails (exit 1, a message on stderr) on what it does not have. Unknown commands fail
loudly, so a workflow cannot call something these tests never looked at.

State folder ($FAKE_GH_STATE): state.json (pulls, runs, deployments, statuses, comments, issues),
artifacts/RUN/NAME/... (served by `run download`), artifacts/RUN/NAME.expired (expired: not served)."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

STATE = Path(os.environ["FAKE_GH_STATE"])


def load() -> dict[str, Any]:
    path = STATE / "state.json"
    state: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    for key in ("pulls", "runs", "deployments", "issues"):
        state.setdefault(key, [])
    for key in ("statuses", "comments"):
        state.setdefault(key, {})
    return state


def save(state: dict[str, Any]) -> None:
    (STATE / "state.json").write_text(json.dumps(state, indent=1))


def option(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


def fields(args: list[str]) -> dict[str, str]:
    return dict(args[i + 1].split("=", 1) for i, a in enumerate(args) if a in ("-f", "-F"))


def fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def api(state: dict[str, Any], args: list[str], stdin: str) -> int:
    method = option(args, "-X") or "GET"
    path = next(a for a in args if a.startswith("repos/"))
    url = urlsplit(path)
    parts, query = url.path.split("/")[3:], {k: v[0] for k, v in parse_qs(url.query).items()}
    if parts[0] == "deployments" and len(parts) == 1:
        if method == "POST":
            body = json.loads(stdin)
            made = {"id": len(state["deployments"]) + 1, "sha": body["ref"], "environment": body["environment"],
                    "task": body["task"]}
            state["deployments"].insert(0, made)
            print(json.dumps(made))
            return 0
        found = [d for d in state["deployments"] if all(d.get(k) == v for k, v in query.items() if k != "per_page")]
        print(json.dumps(found))
        return 0
    if parts[0] == "deployments" and parts[2:] == ["statuses"]:
        statuses = state["statuses"].setdefault(parts[1], [])
        if method == "POST":
            statuses.insert(0, fields(args))
        print(json.dumps(statuses))
        return 0
    if parts[0] == "commits" and parts[2:] == ["pulls"]:
        print(json.dumps([p for p in state["pulls"] if parts[1] in (p["merge_commit_sha"], p["head"]["sha"])]))
        return 0
    if parts[0] == "issues" and parts[-1] == "comments":
        return issue_comments(state, parts, method, args)
    return fail(f"fake gh: no such endpoint {method} {path}")


def issue_comments(state: dict[str, Any], parts: list[str], method: str, args: list[str]) -> int:
    if parts[1] == "comments":  # PATCH repos/R/issues/comments/ID
        for comments in state["comments"].values():
            for comment in comments:
                if str(comment["id"]) == parts[2]:
                    comment["body"] = fields(args)["body"]
        return 0
    comments = state["comments"].setdefault(parts[1], [])
    if method == "POST":
        comments.append({"id": 1000 + sum(map(len, state["comments"].values())), "body": fields(args)["body"]})
        return 0
    print(json.dumps([comments] if "--slurp" in args else comments))
    return 0


def run_list(state: dict[str, Any], args: list[str]) -> int:
    wanted = {"workflow": option(args, "--workflow"), "event": option(args, "--event"),
              "headSha": option(args, "--commit"), "conclusion": option(args, "--status")}
    found = [r for r in state["runs"] if all(v is None or r.get(k) == v for k, v in wanted.items())]
    print(json.dumps([{"databaseId": r["databaseId"]} for r in reversed(found)]))
    return 0


def run_download(args: list[str]) -> int:
    run_dir, target = STATE / "artifacts" / args[2], Path(option(args, "--dir") or ".")
    pattern, name = option(args, "--pattern"), option(args, "--name")
    names = sorted(p.name for p in run_dir.iterdir() if p.is_dir()) if run_dir.is_dir() else []
    live = [n for n in names if not (run_dir / f"{n}.expired").exists()]
    if name is not None:
        if name not in live:
            return fail("no artifact matches any of the names or patterns provided")
        shutil.copytree(run_dir / name, target, dirs_exist_ok=True)
        return 0
    chosen = [n for n in live if fnmatch.fnmatchcase(n, pattern or "*")]
    if not chosen:
        return fail("no valid artifacts found to download")
    for found in chosen:
        shutil.copytree(run_dir / found, target / found, dirs_exist_ok=True)
    return 0


def issue(state: dict[str, Any], args: list[str]) -> int:
    verb, issues = args[1], state["issues"]
    if verb == "list":
        label = option(args, "--label")
        print(json.dumps([{"number": i["number"]} for i in issues if i["state"] == "open" and label in i["labels"]]))
        return 0
    if verb == "create":
        body = Path(option(args, "--body-file") or "").read_text()
        issues.append({"number": len(issues) + 1, "state": "open", "labels": [option(args, "--label")],
                       "title": option(args, "--title"), "comments": [body]})
        return 0
    target = next(i for i in issues if i["number"] == int(args[2]))
    if verb == "comment":
        target["comments"].append(Path(option(args, "--body-file") or "").read_text())
    elif verb == "close":
        target["state"] = "closed"
        target["comments"].append(option(args, "--comment") or "")
    else:
        return fail(f"fake gh: no such command issue {verb}")
    return 0


def main(args: list[str]) -> int:
    stdin = sys.stdin.read() if "--input" in args else ""
    with open(STATE / "calls.jsonl", "a") as log:
        log.write(json.dumps({"argv": args, "stdin": stdin}) + "\n")
    if (STATE / "fail").exists() and args[0] in (STATE / "fail").read_text().split():
        return fail("HTTP 403: Resource not accessible by integration")
    state = load()
    if args[0] == "api":
        code = api(state, args[1:], stdin)
    elif args[:2] == ["run", "list"]:
        code = run_list(state, args)
    elif args[:2] == ["run", "download"]:
        code = run_download(args)
    elif args[0] == "issue":
        code = issue(state, args)
    elif args[:2] == ["label", "create"]:
        code = 0
    else:
        code = fail(f"fake gh: unknown command {' '.join(args[:2])}")
    save(state)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
