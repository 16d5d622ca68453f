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

import json
import re
from dataclasses import dataclass
from pathlib import Path

import hcl2

from tfexpr import UNKNOWN, ModelError, Scope, _blocks, _one, _typed_blocks

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


def _read_dir(directory: Path) -> tuple[list[dict], dict[str, object]]:
    """The parsed *.tf files of a root or module, in name order, and every local's expression."""
    docs, local_exprs = [], {}
    for tf in sorted(directory.glob("*.tf")):
        with tf.open() as fh:
            docs.append(hcl2.load(fh))
        for entry in docs[-1].get("locals", []):
            local_exprs.update({k: v for k, v in entry.items() if not k.startswith("__")})
    return docs, local_exprs


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
        docs, local_exprs = _read_dir(self.dir)
        for doc in docs:
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
        variables: dict[str, dict] = {}
        docs, local_exprs = _read_dir(self.dir)
        for doc in docs:
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
