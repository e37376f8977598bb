"""docs/lecture.md names files and tests as evidence for each formula of the lecture; each must exist."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "lecture.md"
PATH = re.compile(r"(?<![\w/.])((?:src|tests|scripts|configs|docs)/[\w./-]*[\w/])")
TEST = re.compile(r"(tests/[\w/]+\.py)::(\w+)")


def cited(text: str) -> tuple[set[str], set[tuple[str, str]]]:
    return set(PATH.findall(text)), set(TEST.findall(text))


def defined_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


@pytest.mark.slow
def test_every_cited_file_and_test_exists() -> None:
    paths, tests = cited(DOC.read_text())
    assert len(paths) > 30 and len(tests) > 40  # the page cites its evidence
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, f"docs/lecture.md cites files that do not exist: {missing}"
    gone = sorted(f"{f}::{t}" for f, t in tests if not (ROOT / f).is_file() or t not in defined_functions(ROOT / f))
    assert not gone, f"docs/lecture.md cites tests that do not exist: {gone}"


def test_the_check_notices_a_missing_file_or_test(tmp_path) -> None:
    paths, tests = cited("see `src/aa/nope.py` and `tests/test_learning.py::test_no_such_thing`, "
                         "`configs/optim/` and tests/test_learning.py::test_mlp_learns_digits.")
    assert paths == {"src/aa/nope.py", "tests/test_learning.py", "configs/optim/"}
    assert not (ROOT / "src/aa/nope.py").exists()
    names = defined_functions(ROOT / "tests/test_learning.py")
    assert ("tests/test_learning.py", "test_no_such_thing") in tests and "test_no_such_thing" not in names
    assert "test_mlp_learns_digits" in names
