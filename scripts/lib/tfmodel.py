"""A read-only model of the project's Terraform, for scripts/lib/diagrams_gen.py.

Reads the roots under terraform/live/<env>/<root> and the modules they call with hcl2 (from
the project venv), and answers two questions about them without running Terraform:

- what an expression evaluates to, as far as the code and config/*.yaml decide it
  (`Scope.eval`): literals, locals, `local.config`/`local.shared` (yamldecode of the config
  files), variables, `try`, `length`, `toset`, ternaries, `!`, `&&`, `||`, `==`, `!=` and
  `{for i, e in xs : i => e}`; anything else (a remote state output, a resource attribute)
  is UNKNOWN;
- what a module call uses (`Root.uses`): the modules and resources its arguments reference,
  followed through locals, data sources and other roots' outputs (terraform_remote_state),
  so an argument `local.database.security_group_id` of the services root resolves to
  `module.postgres` of the database root.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import hcl2
import yaml


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("an UNKNOWN value has no truth value")


UNKNOWN = _Unknown()


class ModelError(Exception):
    """The generator met Terraform it cannot read; the message names it."""


def _one(value):
    """hcl2 wraps every attribute value in a one-element list."""
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def _blocks(doc: dict, kind: str) -> list[tuple[str, dict]]:
    """(name, body) of each `kind "name" {}` block (module, output, variable)."""
    out = []
    for entry in doc.get(kind, []):
        for name, body in entry.items():
            out.append((name, body))
    return out


def _typed_blocks(doc: dict, kind: str) -> list[tuple[str, str, dict]]:
    """(type, name, body) of each `kind "type" "name" {}` block (resource, data)."""
    out = []
    for entry in doc.get(kind, []):
        for typ, named in entry.items():
            for name, body in named.items():
                out.append((typ, name, body))
    return out


def _split_top(text: str, seps: tuple[str, ...]) -> tuple[str, str, str] | None:
    """The first separator in `seps` at bracket depth 0 outside quotes: (left, sep, right)."""
    depth = 0
    quote = None
    i = 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0:
            for sep in seps:
                if text.startswith(sep, i):
                    return text[:i], sep, text[i + len(sep) :]
        i += 1
    return None


def _split_args(text: str) -> list[str]:
    parts = []
    rest = text
    while True:
        cut = _split_top(rest, (",",))
        if cut is None:
            break
        parts.append(cut[0].strip())
        rest = cut[2]
    if rest.strip():
        parts.append(rest.strip())
    return parts


def _interpolations(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the top-level ${...} in a string."""
    spans = []
    i = 0
    while True:
        start = text.find("${", i)
        if start < 0:
            return spans
        depth = 0
        j = start + 1
        while j < len(text):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        spans.append((start, j + 1))
        i = j + 1


_PATH = re.compile(r"^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\s*(?:\"[^\"]*\"|'[^']*'|\d+)\s*\])*$")
_SEGMENT = re.compile(r"\.?([A-Za-z_][\w-]*)|\[\s*(?:\"([^\"]*)\"|'([^']*)'|(\d+))\s*\]")
_FOR_LIST = re.compile(r"^\[\s*for\s+(\w+)\s+in\s+(.+?)\s*:\s*(.+)\]$", re.S)
_FOR_MAP = re.compile(r"^\{\s*for\s+(\w+)\s*,\s*(\w+)\s+in\s+(.+?)\s*:\s*(\w+)\s*=>\s*(\w+)\s*\}$")


def _segments(path: str) -> list:
    out = []
    for m in _SEGMENT.finditer(path):
        if m.group(1) is not None:
            out.append(m.group(1))
        elif m.group(4) is not None:
            out.append(int(m.group(4)))
        else:
            out.append(m.group(2) if m.group(2) is not None else m.group(3))
    return out


def _index(value, keys: list):
    for k in keys:
        if value is UNKNOWN:
            return UNKNOWN
        try:
            value = value[k]
        except (KeyError, IndexError, TypeError):
            return UNKNOWN
    return value


@dataclass
class Scope:
    """Names an expression may use: locals (unevaluated), variables and iterators (values)."""

    locals: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    files_dir: Path | None = None

    def child(self, values: dict) -> "Scope":
        return Scope(self.locals, {**self.values, **values}, self.files_dir)

    def eval(self, value):
        value = _one(value)
        if isinstance(value, list):
            return [self.eval(v) for v in value]
        if isinstance(value, dict):
            return {k: self.eval(v) for k, v in value.items() if not k.startswith("__")}
        if not isinstance(value, str):
            return value
        spans = _interpolations(value)
        if len(spans) == 1 and spans[0] == (0, len(value)):
            return self.expr(value[2:-1])
        out = ""
        last = 0
        for start, end in spans:
            part = self.expr(value[start + 2 : end - 1])
            if part is UNKNOWN:
                return UNKNOWN
            out += value[last:start] + ("null" if part is None else str(part))
            last = end
        return out + value[last:]

    def expr(self, text: str):
        text = text.strip()
        m = _FOR_MAP.match(text)
        if m and m.group(1) == m.group(4) and m.group(2) == m.group(5):
            items = self.expr(m.group(3))
            if items is UNKNOWN:
                return UNKNOWN
            return dict(enumerate(items)) if isinstance(items, list) else dict(items)
        m = _FOR_LIST.match(text)
        if m:
            items = self.expr(m.group(2))
            if items is UNKNOWN:
                return UNKNOWN
            items = list(items.values()) if isinstance(items, dict) else list(items)
            return [self.child({m.group(1): item}).expr(m.group(3)) for item in items]
        if text.startswith("{") and text.endswith("}"):
            try:
                literal = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                return UNKNOWN
            return self.eval(literal)
        cut = _split_top(text, ("?",))
        if cut:
            rest = _split_top(cut[2], (":",))
            if rest is None:
                raise ModelError(f"cannot read the conditional {text!r}")
            cond = self.expr(cut[0])
            if cond is UNKNOWN:
                return UNKNOWN
            return self.expr(rest[0] if cond else rest[2])
        for ops in (("||",), ("&&",), ("==", "!="), (">=", "<=", ">", "<")):
            cut = _split_top(text, ops)
            if cut:
                left, op, right = self.expr(cut[0]), cut[1], self.expr(cut[2])
                if op == "||":
                    if left is UNKNOWN or right is UNKNOWN:
                        return True if (left is True or right is True) else UNKNOWN
                    return bool(left) or bool(right)
                if op == "&&":
                    if left is UNKNOWN or right is UNKNOWN:
                        return False if (left is False or right is False) else UNKNOWN
                    return bool(left) and bool(right)
                if left is UNKNOWN or right is UNKNOWN:
                    return UNKNOWN
                return {
                    "==": lambda: left == right,
                    "!=": lambda: left != right,
                    ">=": lambda: left >= right,
                    "<=": lambda: left <= right,
                    ">": lambda: left > right,
                    "<": lambda: left < right,
                }[op]()
        if text.startswith("!"):
            inner = self.expr(text[1:])
            return UNKNOWN if inner is UNKNOWN else not inner
        if text.startswith("(") and text.endswith(")") and _split_top(text[1:-1], (")",)) is None:
            return self.expr(text[1:-1])
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        if re.fullmatch(r"-?\d+\.\d+", text):
            return float(text)
        if text in ("true", "True"):
            return True
        if text in ("false", "False"):
            return False
        if text in ("null", "None"):
            return None
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
            return self.eval(text[1:-1])
        if text.startswith("[") and text.endswith("]"):
            return [self.expr(p) for p in _split_args(text[1:-1])]
        m = re.fullmatch(r"(\w+)\((.*)\)", text, re.S)
        if m:
            return self.call(m.group(1), _split_args(m.group(2)))
        if _PATH.match(text):
            return self.lookup(_segments(text))
        return UNKNOWN

    def call(self, fn: str, args: list[str]):
        if fn == "try":
            for a in args:
                v = self.expr(a)
                if v is not UNKNOWN:
                    return v
            return UNKNOWN
        if fn in ("toset", "tolist", "compact") and len(args) == 1:
            v = self.expr(args[0])
            if fn == "toset" and isinstance(v, list) and all(isinstance(x, str) for x in v):
                return sorted(set(v))  # Terraform iterates a set of strings in lexical order
            if fn == "compact" and isinstance(v, list):
                return [x for x in v if x not in (None, "")]
            return v
        if fn in ("values", "keys") and len(args) == 1:
            v = self.expr(args[0])
            if not isinstance(v, dict):
                return UNKNOWN
            return list(v.values()) if fn == "values" else list(v.keys())
        if fn == "length" and len(args) == 1:
            v = self.expr(args[0])
            return UNKNOWN if v is UNKNOWN else len(v)
        if fn == "yamldecode" and len(args) == 1:
            m = re.fullmatch(r"file\((.*)\)", args[0].strip())
            name = self.expr(m.group(1)) if m else UNKNOWN
            if name is UNKNOWN or self.files_dir is None:
                return UNKNOWN
            return yaml.safe_load((self.files_dir / name).read_text())
        return UNKNOWN

    def lookup(self, path: list):
        head = path[0]
        if head == "path" and len(path) == 2 and path[1] == "module":
            return "."
        if head == "local" and len(path) >= 2:
            if path[1] not in self.locals:
                return UNKNOWN
            return _index(self.eval(self.locals[path[1]]), path[2:])
        if head == "var" and len(path) >= 2:
            return _index(self.values.get(("var", path[1]), UNKNOWN), path[2:])
        if head in self.values:
            return _index(self.values[head], path[1:])
        return UNKNOWN


# ---------------------------------------------------------------------------------------
# Roots and references between them
# ---------------------------------------------------------------------------------------
_REF = re.compile(
    r"(?<![\w.])(?:"
    r"data\.terraform_remote_state\.(?P<rs>\w+)\.outputs(?:\.(?P<rsout>\w+))?"
    r"|data\.(?P<dtype>\w+)\.(?P<dname>\w+)"
    r"|module\.(?P<module>\w+)"
    r"|local\.(?P<local>\w+)(?P<localrest>(?:\.\w+)*)"
    r"|(?P<rtype>aws_\w+)\.(?P<rname>\w+)"
    r")"
)
_SKIP_ARGS = {"source", "count", "for_each", "providers", "tags", "depends_on", "__start_line__", "__end_line__"}


@dataclass(frozen=True)
class Ref:
    """What an expression uses: a module call or a resource of a root."""

    kind: str  # "module" or "resource"
    root: str  # "<env>/<root>"
    name: str  # module name, or "<type>.<name>"


class Model:
    """Every root of terraform/live, loaded on demand."""

    def __init__(self, repo: Path):
        self.repo = repo
        self.terraform = repo / "terraform"
        self._roots: dict[str, Root] = {}

    def envs(self) -> list[str]:
        return sorted(p.name for p in (self.terraform / "live").iterdir() if p.is_dir())

    def root_names(self, env: str) -> list[str]:
        """The roots of an environment in dependency order (by remote state), then by name."""
        names = sorted(p.name for p in (self.terraform / "live" / env).iterdir() if (p / "main.tf").is_file())
        depth: dict[str, int] = {}

        def level(name: str, seen: tuple = ()) -> int:
            if name in depth:
                return depth[name]
            if name in seen:
                raise ModelError(f"remote state cycle through {env}/{name}")
            deps = [r.split("/")[1] for r in self.root(f"{env}/{name}").remote.values() if r.startswith(env + "/")]
            depth[name] = 1 + max((level(d, seen + (name,)) for d in deps if d in names), default=-1)
            return depth[name]

        return sorted(names, key=lambda n: (level(n), n))

    def root(self, key: str) -> "Root":
        if key not in self._roots:
            self._roots[key] = Root(self, key)
        return self._roots[key]


class Root:
    def __init__(self, model: Model, key: str):
        self.model = model
        self.key = key
        self.env, self.name = key.split("/")
        self.dir = model.terraform / "live" / self.env / self.name
        if not (self.dir / "main.tf").is_file():
            raise ModelError(f"no root terraform/live/{key}")
        self.modules: dict[str, dict] = {}
        self.outputs: dict[str, dict] = {}
        self.data: dict[tuple[str, str], dict] = {}
        self.resources: dict[tuple[str, str], dict] = {}
        local_exprs: dict[str, object] = {}
        for tf in sorted(self.dir.glob("*.tf")):
            with tf.open() as fh:
                doc = hcl2.load(fh)
            for entry in doc.get("locals", []):
                local_exprs.update({k: v for k, v in entry.items() if not k.startswith("__")})
            for name, body in _blocks(doc, "module"):
                self.modules[name] = body
            for name, body in _blocks(doc, "output"):
                self.outputs[name] = body
            for typ, name, body in _typed_blocks(doc, "data"):
                self.data[(typ, name)] = body
            for typ, name, body in _typed_blocks(doc, "resource"):
                self.resources[(typ, name)] = body
        values = {("var", "emulator"): False, ("var", "aws_endpoint_url"): None}
        self.scope = Scope(local_exprs, values, self.dir)
        # Remote states: alias -> "<env>/<root>" (from the state key).
        self.remote: dict[str, str] = {}
        for (typ, name), body in self.data.items():
            if typ != "terraform_remote_state":
                continue
            m = re.search(r"key['\"]?\s*[:=]\s*['\"]([^'\"]+)/terraform\.tfstate", json.dumps(body))
            if not m:
                raise ModelError(f"{key}: cannot read the state key of data.terraform_remote_state.{name}")
            self.remote[name] = self.scope.eval(m.group(1).replace("\\", ""))
        self._config_users: dict[str, set[str]] | None = None

    # -- evaluation ------------------------------------------------------------------------
    def module_source(self, name: str) -> str:
        return Path(_one(self.modules[name]["source"])).name

    def count(self, body: dict) -> int | None:
        """How many instances a block has: None when it cannot be decided from the code."""
        if "count" in body:
            v = self.scope.eval(body["count"])
            return None if v is UNKNOWN else int(v)
        if "for_each" in body:
            v = self.scope.eval(body["for_each"])
            return None if v is UNKNOWN else len(v)
        return 1

    def arg(self, module: str, name: str, default=UNKNOWN):
        body = self.modules[module]
        if name not in body:
            return default
        return self.scope.eval(body[name])

    # -- references ------------------------------------------------------------------------
    def uses(self, module: str, skip=lambda arg: False) -> set[Ref]:
        """What a module call's arguments use; `skip(name)` leaves an argument out."""
        body = {k: v for k, v in self.modules[module].items() if k not in _SKIP_ARGS and not skip(k)}
        return {r for r in self._resolve(json.dumps(body), set()) if isinstance(r, Ref)}

    def _resolve(self, text: str, seen: set) -> set:
        """Refs and config paths (("config", "a.b")) an expression's text uses."""
        out: set = set()
        for m in _REF.finditer(text):
            if m.group("rs"):
                alias = m.group("rs")
                if alias not in self.remote:
                    raise ModelError(f"{self.key}: no data.terraform_remote_state.{alias}")
                if m.group("rsout"):
                    out |= self.model.root(self.remote[alias]).output_uses(m.group("rsout"))
            elif m.group("dtype"):
                k = (m.group("dtype"), m.group("dname"))
                if k in self.data and ("data",) + k not in seen:
                    seen.add(("data",) + k)
                    out |= self._resolve(json.dumps(self.data[k]), seen)
            elif m.group("module"):
                if m.group("module") in self.modules:
                    out.add(Ref("module", self.key, m.group("module")))
            elif m.group("local"):
                out |= self._resolve_local(m.group("local"), m.group("localrest"), seen)
            elif m.group("rtype"):
                out.add(Ref("resource", self.key, f"{m.group('rtype')}.{m.group('rname')}"))
        return out

    def _resolve_local(self, name: str, rest: str, seen: set) -> set:
        if name in ("config", "shared"):
            return {("config", f"{name}{rest}")}
        expr = self.scope.locals.get(name)
        if expr is None:
            return set()
        expr = _one(expr)
        # An alias of a path (local.svc = local.config.services; local.data = the outputs
        # of the data root): the rest of the path follows it.
        if isinstance(expr, str):
            m = re.fullmatch(r"\$\{((?:local|data)\.[\w.]+)\}", expr)
            if m and rest:
                return self._resolve("${" + m.group(1) + rest + "}", seen)
        if ("local", name) in seen:
            return set()
        seen.add(("local", name))
        return self._resolve(json.dumps(expr), seen)

    def output_uses(self, output: str) -> set:
        """What an output's value comes from; a value taken from config resolves to the
        module calls of this root whose arguments use the same config path."""
        if output not in self.outputs:
            raise ModelError(f"{self.key}: no output {output!r}")
        found = self._resolve(json.dumps(self.outputs[output].get("value")), set())
        out = {r for r in found if isinstance(r, Ref)}
        for item in found:
            if not isinstance(item, Ref):
                out |= {Ref("module", self.key, m) for m, paths in self.config_users().items() if item[1] in paths}
        return out

    def config_users(self) -> dict[str, set[str]]:
        if self._config_users is None:
            self._config_users = {}
            for name, body in self.modules.items():
                args = {k: v for k, v in body.items() if k not in _SKIP_ARGS}
                found = self._resolve(json.dumps(args), set())
                self._config_users[name] = {i[1] for i in found if not isinstance(i, Ref)}
        return self._config_users


class ModuleCode:
    """The blocks of one module's *.tf files, evaluated with the arguments a root passes."""

    def __init__(self, root: Root, call: str):
        self.dir = (root.dir / _one(root.modules[call]["source"])).resolve()
        self.resources: dict[tuple[str, str], dict] = {}
        local_exprs: dict[str, object] = {}
        variables: dict[str, dict] = {}
        for tf in sorted(self.dir.glob("*.tf")):
            with tf.open() as fh:
                doc = hcl2.load(fh)
            for entry in doc.get("locals", []):
                local_exprs.update({k: v for k, v in entry.items() if not k.startswith("__")})
            for name, body in _blocks(doc, "variable"):
                variables[name] = body
            for typ, name, body in _typed_blocks(doc, "resource"):
                self.resources[(typ, name)] = body
        values = {}
        for name, body in variables.items():
            if name in root.modules[call]:
                values[("var", name)] = root.arg(call, name)
            elif "default" in body:
                values[("var", name)] = Scope().eval(body["default"])
            else:
                values[("var", name)] = UNKNOWN
        self.scope = Scope(local_exprs, values, self.dir)

    def count(self, body: dict) -> int | None:
        if "count" in body:
            v = self.scope.eval(body["count"])
            return None if v is UNKNOWN else int(v)
        return 1
