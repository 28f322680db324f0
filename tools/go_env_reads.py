"""What a set of Go files reads from the environment: the static analysis behind extract_tmi_names.py.

The tables below (SCANS, INDIRECT, DEAD, SCANNERS) are what the analysis cannot see for itself, each with
its reason; GoReads refuses to finish while any read is unexplained, so a new TMI version that reads names
a new way stops the extraction instead of dropping them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

GO_READERS = ("os.Getenv", "os.LookupEnv")
FUNC = re.compile(r"^func (?:\([^)]*\) )?(\w+)\((\w*)", re.MULTILINE)
COMMENT = re.compile(r"^[ \t]*//.*$", re.MULTILINE)
TAG = re.compile(r'env:"([A-Z0-9_]+)"')
STRUCT = re.compile(r"^type (\w+) struct \{\n(.*?)^\}", re.MULTILINE | re.DOTALL)
FIELD = re.compile(r"^\t(?:\w+\s+)?(\*?[\w.\[\]]+)", re.MULTILINE)
# The struct overrideStructWithEnv walks (internal/config/config.go): tags elsewhere are read only if their
# struct is reached from it through struct fields; it hands a map field to the provider scanners instead.
TAG_ROOT = ("internal/config", "Config")
# A struct field with its tag: the Go type says how TMI parses the value (setFieldFromString).
TAGGED_FIELD = re.compile(r'^\s+\w+\s+([\w.\[\]*]+)\s+`[^`]*env:"([A-Z0-9_]+)"', re.MULTILINE)
SPRINTF_PREFIX = re.compile(r'(\w+) :?= fmt\.Sprintf\("([A-Z0-9_]*)%s([A-Z0-9_]*)"')
# provider.GetSecret(ctx, secrets.SecretKeys.SettingsEncryptionKey): with the env provider, TMI_SECRET_<KEY>.
SECRET_KEY_USE = re.compile(r"GetSecret\(\w+, (?:secrets\.)?SecretKeys\.(\w+)\)")
SECRET_KEY_VALUE = re.compile(r'^\t(\w+):\s+"([a-z0-9_]+)",$', re.MULTILINE)

# Names built at run time from a prefix scanned out of os.Environ(): file -> (family pattern, why).
# The script checks that each such file still scans the environment, and that no other file does.
SCANS: dict[str, tuple[str, str]] = {
    "internal/envutil/envutil.go": ("", "helpers: the callers' prefixes are the families"),
    "internal/secrets/env_provider.go": ("TMI_SECRET_<KEY>", "secrets provider 'env': key k is TMI_SECRET_<K>"),
    "internal/config/bootstrap/bootstrap.go": ("TMI_WORKER_SECRET_MOUNT_<NAME>", "worker secret mounts"),
    # Not a scan, a reference: a setting whose value is env://OTHER makes TMI read OTHER.
    "internal/config/secret_reference.go": ("", "env://NAME values name the variable to read"),
}
# Reads whose name is data this script already extracts elsewhere: (file, argument) -> why.
INDIRECT: dict[tuple[str, str], str] = {
    ("internal/config/config.go", "envTag"): 'the loop over env:"..." struct tags, extracted as tags',
    ("internal/config/migratable_settings.go", "f.env"): "settingSource(f.env): a tag name, says only where a value came from",
}
# Functions cmd/server never calls, so what they read is not read by the server: name -> why.
# The script checks that every call of each is inside another one.
DEAD: dict[tuple[str, str], str] = {
    ("auth", "InitAuth"): "cmd/server calls auth.InitAuthWithDB; nothing calls InitAuth",
    ("auth", "LoadConfig"): "called only by InitAuth",
    ("auth", "loadOAuthProviders"): "called only by LoadConfig",
    ("auth", "parseClaimMappings"): "called only by loadOAuthProviders",
    ("auth", "parseAdditionalParams"): "called only by loadOAuthProviders",
}
# Functions that read every variable starting with their first argument: the argument is a family.
SCANNERS = {("internal/envutil", "ScanPrefixedMap")}


def function_bodies(text: str) -> Iterator[tuple[str, str, int, int]]:
    """(name, first parameter, first line, last line) of each gofmt-formatted top-level function."""
    lines = text.splitlines()
    for match in FUNC.finditer(text):
        start = text.count("\n", 0, match.start())
        end = next((i for i in range(start, len(lines)) if lines[i] == "}"), len(lines) - 1)
        yield match.group(1), match.group(2), start + 1, end + 1


def enclosing(text: str, line: int) -> tuple[str, str]:
    """(name, signature line) of the function around ``line``, else empty strings."""
    for name, _, first, last in function_bodies(text):
        if first <= line <= last:
            return name, text.splitlines()[first - 1]
    return "", ""


def wrappers(files: dict[str, str]) -> set[tuple[str, str]]:
    """(package, function) of plain functions that read the variable their first parameter names."""
    found: set[tuple[str, str]] = set()
    for path, text in files.items():
        lines = text.splitlines()
        for name, param, first, last in function_bodies(text):
            body = "\n".join(lines[first - 1:last])
            plain = lines[first - 1].startswith(f"func {name}(")
            if plain and param and any(f"{reader}({param})" in body for reader in GO_READERS):
                found.add((str(Path(path).parent), name))
    return found


def first_argument(text: str, start: int) -> str:
    """The first argument of the call whose "(" ends at ``start``: up to its "," or ")" at depth 0, whatever
    it nests (a call, a string with a comma), so an argument the script cannot read is seen, not skipped."""
    depth, quoted, end = 0, "", start
    for end in range(start, len(text)):
        char = text[end]
        if quoted:
            quoted = "" if char == quoted and text[end - 1] != "\\" else quoted
        elif char in "\"`":
            quoted = char
        elif char in "([{":
            depth += 1
        elif char in ")]}" and depth:
            depth -= 1
        elif char in ",)" and not depth:
            break
    return text[start:end].strip()


def call_pattern(functions: set[tuple[str, str]], package: str) -> str:
    """A regex alternation for calls of ``functions`` as written in a file of ``package``."""
    return "|".join(name if where == package else f"{Path(where).name}\\.{name}" for where, name in sorted(functions))


class GoReads:
    """What one program's files read, keyed by name or by family pattern, each with its read sites."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files
        self.wrappers = wrappers(files)
        self.names: dict[str, list[str]] = {}
        self.families: dict[str, list[str]] = {}
        self.dead: dict[str, list[str]] = {}
        self.go_types: dict[str, str] = {}
        self.unexplained: list[str] = []
        self.path = self.text = ""

    def scan(self) -> None:
        self._check_dead()
        self.walked = self._walked_structs()
        for path, text in sorted(self.files.items()):
            self.path, self.text = path, text
            for match in TAG.finditer(self.text):
                walked = self._struct_at(match.start()) in self.walked
                self._add(self.names if walked else self.dead, match.group(1), self._line(match.start()))
            self.go_types.update((name, go_type) for go_type, name in TAGGED_FIELD.findall(self.text))
            self._secret_keys()
            for line, arg in self._calls():
                self._classify(line, arg)
            self._check_scan()

    def _struct_at(self, offset: int) -> tuple[str, str]:
        owner = [m.group(1) for m in STRUCT.finditer(self.text) if m.start() <= offset <= m.end()]
        return str(Path(self.path).parent), owner[-1] if owner else ""

    def _walked_structs(self) -> set[tuple[str, str]]:
        """Structs reachable from TAG_ROOT through struct (not map or slice) fields of the same package."""
        package = TAG_ROOT[0]
        bodies = {m.group(1): m.group(2) for p, t in self.files.items() if str(Path(p).parent) == package
                  for m in STRUCT.finditer(t)}
        seen, todo = {TAG_ROOT[1]}, [TAG_ROOT[1]]
        while todo:
            for field_type in FIELD.findall(bodies.get(todo.pop(), "")):
                name = field_type.lstrip("*")
                if name in bodies and name not in seen:
                    seen.add(name)
                    todo.append(name)
        return {(package, name) for name in seen}

    def _line(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def _is_dead(self, line: int) -> bool:
        return (str(Path(self.path).parent), enclosing(self.text, line)[0]) in DEAD

    def _add(self, into: dict[str, list[str]], name: str, line: int) -> None:
        (self.dead if self._is_dead(line) else into).setdefault(name, []).append(f"{self.path}:{line}")

    def _unexplained(self, line: int, what: str) -> None:
        if not self._is_dead(line):
            self.unexplained.append(f"{self.path}:{line}: {what}")

    def _calls(self) -> Iterator[tuple[int, str]]:
        package = str(Path(self.path).parent)
        readers = "|".join(re.escape(reader) for reader in GO_READERS)
        others = call_pattern(self.wrappers | SCANNERS, package)
        pattern = re.compile(rf"(?<![\w.])(?:{readers}|{others})\(")
        for match in pattern.finditer(self.text):
            if not self.text[max(0, match.start() - 5):match.start()].endswith("func "):
                yield self._line(match.start()), first_argument(self.text, match.end())

    def _classify(self, line: int, arg: str) -> None:
        literal = re.fullmatch(r'"([A-Za-z0-9_]+)"', arg)
        prefixed = re.fullmatch(r'(\w+)\s*\+\s*"([A-Z0-9_]+)"', arg)
        if (self.path, arg) in INDIRECT:
            return
        if literal:
            self._add(self.names, literal.group(1), line)
        elif prefixed:
            self._family(line, prefixed.group(1), prefixed.group(2))
        elif re.fullmatch(r"\w+", arg):
            self._identifier(line, arg)
        else:
            self._unexplained(line, arg)

    def _family(self, line: int, ident: str, suffix: str) -> None:
        before = "\n".join(self.text.splitlines()[:line])
        built = [m for m in SPRINTF_PREFIX.finditer(before) if m.group(1) == ident]
        if built:
            head, tail = built[-1].group(2), built[-1].group(3)
            scanned = "ScanPrefixedMap(" in self.text.splitlines()[line - 1]
            self._add(self.families, f"{head}<ID>{tail}{suffix}" + ("<KEY>" if scanned else ""), line)
        elif self._is_parameter(line, ident):
            for value in self._call_site_values(line, ident):
                self._add(self.names, value + suffix, line)
        else:
            self._unexplained(line, f"{ident} + {suffix!r}")

    def _is_parameter(self, line: int, ident: str) -> bool:
        return re.search(rf"[(,] ?{ident}[ ,]", enclosing(self.text, line)[1]) is not None

    def _call_site_values(self, line: int, ident: str) -> list[str]:
        """The literal the callers pass for parameter ``ident`` of the function around ``line``."""
        name, signature = enclosing(self.text, line)
        params = [p.strip().split(" ")[0] for p in signature.split("(", 2)[-1].split(")")[0].split(",")]
        position = params.index(ident)
        values: list[str] = []
        for other in self.files.values():
            for match in re.finditer(rf"(?<!func )\b{name}\(([^\n]*)\)", other):
                args = [arg.strip() for arg in match.group(1).split(",")]
                value = re.fullmatch(r'"([A-Z0-9_]+)"', args[position]) if position < len(args) else None
                if value is None:
                    self._unexplained(line, f"a call of {name} passes {args}")
                else:
                    values.append(value.group(1))
        return sorted(set(values))

    def _identifier(self, line: int, ident: str) -> None:
        package = str(Path(self.path).parent)
        if (package, enclosing(self.text, line)[0]) in self.wrappers and self._is_parameter(line, ident):
            return  # a wrapper's own read of its parameter: its callers' literals are the names
        same = "\n".join(t for p, t in self.files.items() if str(Path(p).parent) == package)
        constant = re.search(rf"^\s*(?:const )?{ident}\s*=\s*\"([A-Z0-9_]+)\"", same, re.MULTILINE)
        listed = re.search(rf"for _, {ident} := range \[\]string\{{([^}}]*)\}}", self.text)
        if constant:
            self._add(self.names, constant.group(1), line)
        elif listed:
            for value in re.findall(r'"([A-Z0-9_]+)"', listed.group(1)):
                self._add(self.names, value, line)
        elif self.path not in SCANS:  # SCANS: a name computed from a parameter is that file's family
            self._unexplained(line, f"{ident} (a parameter or variable; is this a family?)")

    def _secret_keys(self) -> None:
        """Keys TMI asks its secrets provider for by name; the env provider reads TMI_SECRET_<KEY>."""
        keys = dict(SECRET_KEY_VALUE.findall("".join(t for p, t in self.files.items() if p.startswith("internal/secrets/"))))
        for match in SECRET_KEY_USE.finditer(self.text):
            if match.group(1) not in keys:
                self._unexplained(self._line(match.start()), f"secret key {match.group(1)} not found in SecretKeys")
            else:
                self._add(self.names, "TMI_SECRET_" + keys[match.group(1)].upper(), self._line(match.start()))

    def _check_scan(self) -> None:
        if "os.Environ()" not in self.text:
            return
        line = self._line(self.text.index("os.Environ()"))
        if self.path not in SCANS:
            self._unexplained(line, "scans os.Environ(); add its family to SCANS")
        elif SCANS[self.path][0]:
            self._add(self.families, SCANS[self.path][0], line)

    def _check_dead(self) -> None:
        """Every call of a DEAD function is inside another DEAD function."""
        for path, text in sorted(self.files.items()):
            self.path, self.text = path, text
            package = str(Path(self.path).parent)
            for match in re.finditer(rf"(?<![\w.])(?:{call_pattern(set(DEAD), package)})\(", self.text):
                line = self._line(match.start())
                if not self.text[max(0, match.start() - 5):match.start()].endswith("func ") and not self._is_dead(line):
                    self.unexplained.append(f"{self.path}:{line}: calls a function DEAD says nothing calls")
