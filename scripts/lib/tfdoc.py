"""Render the Inputs/Outputs section of a Terraform module README.

Used by scripts/doc.sh: reads <module>/variables.tf and outputs.tf with hcl2 (from the
project venv) and prints Markdown tables. Types are taken verbatim from the source text
(hcl2 does not round-trip complex types), collapsed to one line.
"""

import json
import re
import sys
from pathlib import Path

import hcl2

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def raw_type(lines: list[str], start: int, end: int) -> str:
    block = lines[start - 1 : end]
    out: list[str] = []
    capturing = False
    depth = 0
    for line in block:
        stripped = line.strip()
        if not capturing:
            m = re.match(r"^type\s*=\s*(.*)$", stripped)
            if m and line.startswith("  ") and not line.startswith("   "):
                capturing = True
                stripped = m.group(1)
            else:
                continue
        out.append(stripped)
        depth += stripped.count("(") + stripped.count("{") + stripped.count("[")
        depth -= stripped.count(")") + stripped.count("}") + stripped.count("]")
        if depth <= 0:
            break
    text = ""
    for piece in out:
        if text and not text.endswith(("(", "{", "[", ",")) and not piece.startswith((")", "}", "]")):
            text += ", "
        text += piece
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"([({\[]) ", r"\1", text)
    text = re.sub(r" ([)}\]])", r"\1", text)
    return text or "any"


def render_default(value) -> str:
    if isinstance(value, str):
        if value.startswith("${") and value.endswith("}"):
            return value[2:-1]
        return json.dumps(value)
    return json.dumps(value)


def render(module: Path) -> str:
    rows = [BEGIN, "## Inputs", "", "| name | type | default | description |", "|---|---|---|---|"]
    vf = module / "variables.tf"
    if vf.exists():
        lines = vf.read_text().splitlines()
        with vf.open() as f:
            parsed = hcl2.load(f)
        for item in parsed.get("variable", []):
            for name, body in item.items():
                desc = (body.get("description") or [""])[0]
                typ = raw_type(lines, body["__start_line__"], body["__end_line__"])
                if "default" in body:
                    default = f"`{cell(render_default(body['default'][0]))}`"
                else:
                    default = "required"
                rows.append(f"| `{name}` | `{cell(typ)}` | {default} | {cell(desc)} |")
    rows += ["", "## Outputs", "", "| name | description |", "|---|---|"]
    of = module / "outputs.tf"
    if of.exists():
        with of.open() as f:
            parsed = hcl2.load(f)
        for item in parsed.get("output", []):
            for name, body in item.items():
                desc = (body.get("description") or [""])[0]
                rows.append(f"| `{name}` | {cell(desc)} |")
    rows.append(END)
    return "\n".join(rows) + "\n"


def main() -> int:
    mode, module = sys.argv[1], Path(sys.argv[2])
    readme = module / "README.md"
    current = readme.read_text() if readme.exists() else ""
    section = render(module)
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        wanted = head + section.rstrip("\n") + tail
    else:
        wanted = None
    if mode == "check":
        if wanted is None:
            print(f"{readme}: not generated (no {BEGIN} / {END} markers): skipped")
            return 3
        if wanted != current:
            print(f"{readme}: inputs/outputs section is out of date (run scripts/doc.sh)")
            return 1
        return 0
    if wanted is None:
        wanted = (current.rstrip("\n") + "\n\n" if current else f"# {module.name}\n\n") + section
    if wanted != current:
        readme.write_text(wanted)
        print(f"updated {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
