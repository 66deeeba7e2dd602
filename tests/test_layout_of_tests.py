"""How the tests are laid out: a module named test_* holds tests and is imported by no other module.

Helpers that several test modules share live in modules not named test_* (support.py, factory.py, helpers.py,
...) or, for fixtures, in a conftest.py: a test module can then change, move or go without breaking another,
and a module of helpers is not collected as if it held tests.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def imported_modules(tree: ast.Module, name: str) -> list[str]:
    """Every module a module imports, as a dotted name (relative imports resolved against `name`)."""
    package = name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            found.append(base)
            if node.level or base.split(".")[0] == name.split(".")[0]:
                # A module of the same package imported as if it were a member of its own package.
                found += [f"{base}.{alias.name}" for alias in node.names if alias.name.startswith("test_")]
    return found


def imported_test_modules(source: str, name: str) -> list[str]:
    """The modules named test_* that a module's source imports."""
    imported = imported_modules(ast.parse(source), name)
    return sorted(
        {module for module in imported if any(part.startswith("test_") for part in module.split("."))}
    )


def defines_tests(source: str) -> bool:
    """Whether a module defines a test function or a test class at its top level, as pytest collects them."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            return True
        if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            return True
    return False


def modules() -> list[Path]:
    return sorted(TESTS.rglob("*.py"))


def test_it_imports_no_test_module_from_another_module():
    found = {
        module_name(path): imported
        for path in modules()
        if (imported := imported_test_modules(path.read_text(encoding="utf-8"), module_name(path)))
    }
    assert found == {}, "move what they share into a support module (not named test_*) or a conftest.py"


def test_it_keeps_modules_named_test_for_tests():
    without = [
        str(path.relative_to(ROOT))
        for path in modules()
        if path.name.startswith("test_") and not defines_tests(path.read_text(encoding="utf-8"))
    ]
    assert without == [], "a module of helpers only should not be named test_*: pytest collects it"


def test_it_finds_what_it_is_there_to_find():
    # In a made-up package `suite`, as seen from its module suite.report.test_summary:
    importing = "suite.report.test_summary"
    for source in (
        "from suite.report.test_build import peer_claims\n",
        "import suite.report.test_build\n",
        "from .test_build import peer_claims\n",
        "from suite.report import test_build\n",
        "from . import test_build\n",
    ):
        assert imported_test_modules(source, importing) == ["suite.report.test_build"], source
    assert imported_test_modules("from ..web.test_insights import FORMULAS\n", importing) == [
        "suite.web.test_insights"
    ]
    for source in ("from suite.report.support import no_svg\n", "from suite.report import support\n"):
        assert imported_test_modules(source, importing) == [], source
    assert not defines_tests("AS_OF = 1\n\n\ndef tiny_batch():\n    return AS_OF\n")
    assert defines_tests("def test_it_works():\n    pass\n")
    assert defines_tests("class TestIt:\n    def test_works(self):\n        pass\n")
