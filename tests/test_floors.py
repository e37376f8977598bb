"""The packages of src/aa stand on floors (docs/architecture.md): module-level imports point down only, so
no two top-level packages import each other, and no package imports another's private names."""
from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "aa"
FLOORS = [("entry",), ("claims",), ("sweep",), ("run",), ("callbacks", "backprop"), ("task",),
          ("decode", "generative", "compress"), ("models", "data"), ("nn",), ("config",), ("base",)]
FLOOR = {pkg: level for level, pkgs in enumerate(FLOORS) for pkg in pkgs}


def loaded_imports(body: list[ast.stmt]) -> list[ast.stmt]:
    """Imports that run when the module loads: its body and the if/try blocks in it, not TYPE_CHECKING."""
    out: list[ast.stmt] = []
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append(node)
        elif isinstance(node, ast.If):
            out += loaded_imports(node.orelse) if "TYPE_CHECKING" in ast.unparse(node.test) else \
                loaded_imports(node.body) + loaded_imports(node.orelse)
        elif isinstance(node, ast.Try):
            out += loaded_imports(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                out += loaded_imports(handler.body)
    return out


def imported_modules(node: ast.stmt, file: Path, root: Path) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if node.level:  # relative: resolve against the file's own package
        parts = list(file.relative_to(root.parent).with_suffix("").parts[:-node.level])
        return [".".join(parts + ([node.module] if node.module else []))]
    return [node.module or ""]


def package(file: Path, root: Path = SRC) -> str:
    return file.relative_to(root).parts[0].removesuffix(".py")


def edges(root: Path = SRC) -> dict[tuple[str, str], list[str]]:
    """(importing package, imported package) -> 'file: module' for every module-level import between two."""
    out: dict[tuple[str, str], list[str]] = {}
    for file in sorted(root.rglob("*.py")):
        me = package(file, root)
        for node in loaded_imports(ast.parse(file.read_text()).body):
            for module in imported_modules(node, file, root):
                parts = module.split(".")
                if parts[0] == "aa" and len(parts) > 1 and parts[1] != me:
                    out.setdefault((me, parts[1]), []).append(f"{file.relative_to(root)}: {module}")
    return out


def test_every_package_stands_on_a_floor():
    packages = {package(f) for f in SRC.glob("*") if f.name != "__init__.py" and not f.name.startswith("__")}
    assert packages == set(FLOOR), f"place new packages in FLOORS and docs/architecture.md: {packages ^ set(FLOOR)}"


def test_imports_point_down_only():
    up = [f"{a} (floor {FLOOR[a] + 1}) imports {b} (floor {FLOOR[b] + 1}): {where[0]}"
          for (a, b), where in edges().items() if FLOOR[b] <= FLOOR[a]]
    assert not up, "\n".join(up)


def test_no_import_reaches_up_even_inside_a_function():
    """Lazy imports keep heavy modules off the cheap paths; they still point down (a teacher or a judge
    another run provides is restored by the run floor and handed down, not fetched from below)."""
    up = []
    for file in SRC.rglob("*.py"):
        me = package(file)
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").startswith("aa."):
                other = node.module.split(".")[1]
                if other != me and other in FLOOR and FLOOR[other] < FLOOR[me]:
                    up.append(f"{file.relative_to(SRC)}:{node.lineno}: {node.module}")
    assert not up, up


def test_no_package_imports_another_packages_private_names():
    private = []
    for file in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").startswith("aa."):
                if node.module.split(".")[1] != package(file):
                    private += [f"{file.relative_to(SRC)}: {node.module}.{a.name}" for a in node.names
                                if a.name.startswith("_") and not a.name.startswith("__")]
    assert not private, private


def test_the_check_sees_an_upward_import(tmp_path):
    """The walker finds imports in try/if blocks and relative ones, and skips TYPE_CHECKING."""
    (tmp_path / "aa" / "models").mkdir(parents=True)
    (tmp_path / "aa" / "models" / "net.py").write_text(
        "from typing import TYPE_CHECKING\ntry:\n    from aa.run import build\nexcept ImportError:\n    pass\n"
        "from ..task import module\nif TYPE_CHECKING:\n    from aa.entry import train\n"
        "def f():\n    from aa.sweep import collect\n")
    found = edges(tmp_path / "aa")
    assert set(found) == {("models", "run"), ("models", "task")}
