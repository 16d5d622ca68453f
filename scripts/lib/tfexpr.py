"""Terraform expressions as far as the code and the config decide them, for scripts/lib/tfmodel.py.

`Scope.eval` evaluates literals, locals, `local.config`/`local.shared` (yamldecode of the
config files), variables, `try`, `length`, `toset`, ternaries, `!`, `&&`, `||`, `==`,
`!=` and `{for i, e in xs : i => e}`; anything else (a remote state output, a resource
attribute) is UNKNOWN.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

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
