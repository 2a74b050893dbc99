"""helpers/__init__.py: its docstring names every foundation module, every stage package and each
module inside a stage, so the map of the code cannot fall behind the files."""

from __future__ import annotations

import re

from helpers import paths


def test_package_docstring_lists_every_module():
    import helpers

    listed = set(re.findall(r"``(\w+)``", helpers.__doc__))
    root = paths.REPO_ROOT / "helpers"
    modules = {f.stem for f in root.glob("*.py") if f.stem != "__init__"}
    packages = {d.name for d in root.iterdir() if (d / "__init__.py").is_file()}
    inside = {f.stem for d in packages for f in (root / d).glob("*.py") if not f.stem.startswith("__")}
    assert packages, "helpers/ has no stage packages"
    missing = (modules | packages | inside) - listed
    assert not missing, f"not in helpers/__init__.py's docstring: {sorted(missing)}"
