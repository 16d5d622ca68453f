"""Rendering a diagram reproducibly, for scripts/lib/diagrams_gen.py: Graphviz with its own
font metrics, and the icons embedded, so the same code gives the same SVG bytes anywhere
with the same Graphviz version."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tfexpr import ModelError


def graphviz_env(work: Path) -> dict[str, str]:
    """Graphviz without its pango text layout plugin: text is measured with Graphviz's own
    font metrics, so the layout does not depend on the fonts a machine has installed."""
    dot = shutil.which("dot")
    if dot is None:
        raise ModelError("Graphviz's dot is not installed (Debian package graphviz)")
    libdir = subprocess.run([dot, "-v"], input="", capture_output=True, text=True).stderr
    m = re.search(r'libdir = "([^"]+)"', libdir)
    if not m:
        raise ModelError("cannot find Graphviz's plugin directory in `dot -v`")
    plugins = work / "graphviz-plugins"
    plugins.mkdir()
    for lib in sorted(Path(m.group(1)).iterdir()):
        if re.match(r"libgvplugin_(core|dot_layout)\.so", lib.name):
            (plugins / lib.name).symlink_to(lib)
    env = dict(os.environ, GVBINDIR=str(plugins))
    subprocess.run([dot, "-c"], env=env, check=True)
    check = subprocess.run([dot, "-v", "-Tsvg"], input="digraph{a}", env=env, capture_output=True, text=True)
    if re.search(r"textlayout[ \t]*:[ \t]*\S", check.stderr):
        raise ModelError("Graphviz still loads a text layout plugin")
    return env


def self_contained(svg: str, work: Path) -> str:
    """Each icon (an absolute path into the venv) becomes one embedded <symbol>."""
    symbols: dict[str, str] = {}

    def replace(m: re.Match) -> str:
        path, width, height, rest = m.group("href"), m.group("w"), m.group("h"), m.group("rest")
        if path not in symbols:
            symbols[path] = f"icon{len(symbols) + 1}"
        xy = re.findall(r'\b(x|y)="([^"]+)"', rest)
        attrs = " ".join(f'{k}="{v}"' for k, v in xy)
        return f'<use xlink:href="#{symbols[path]}" width="{width}" height="{height}" {attrs}/>'

    svg = re.sub(r'<image xlink:href="(?P<href>[^"]+)" width="(?P<w>[^"]+)" height="(?P<h>[^"]+)"(?P<rest>[^>]*)/>',
                 replace, svg)
    if "<image" in svg:
        raise ModelError("an <image> the generator does not know how to embed")
    defs = []
    for path, ident in symbols.items():
        data = Path(path).read_bytes()
        if data[:8] != b"\x89PNG\r\n\x1a\n":
            raise ModelError(f"not a PNG icon: {path}")
        w, h = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        uri = "data:image/png;base64," + base64.b64encode(data).decode()
        defs.append(f'<symbol id="{ident}" viewBox="0 0 {w} {h}" preserveAspectRatio="xMidYMid meet">'
                    f'<image width="{w}" height="{h}" xlink:href="{uri}"/></symbol>')
    svg = re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + "\n<defs>\n" + "\n".join(defs) + "\n</defs>", svg, count=1)
    # Nothing of the machine may remain (paths of the venv, the temporary directory).
    for marker in ("site-packages", str(work), str(Path(sys.prefix))):
        if marker in svg:
            raise ModelError(f"the SVG still holds {marker!r}")
    return svg
